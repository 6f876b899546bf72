// Forwarding header: absorbing-chain analysis moved to the Markov engine,
// funnelnet/markov/absorbing.hpp (AbsorbingAnalysis, analyze_absorbing, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/markov/absorbing.hpp"
