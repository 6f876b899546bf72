// Umbrella header for the attribution area: journeys (paths and event logs), heuristic
// attribution and exact Markov removal effects.
#pragma once

#include "funnelnet/attribution/heuristic.hpp"
#include "funnelnet/attribution/markov.hpp"
#include "funnelnet/attribution/paths.hpp"
