// Umbrella header for the scoring area: metrics of binary scores and the penalised
// logistic lead scorer.
#pragma once

#include "funnelnet/scoring/calibration.hpp"
#include "funnelnet/scoring/experiments.hpp"
#include "funnelnet/scoring/logistic.hpp"
#include "funnelnet/scoring/metrics.hpp"
#include "funnelnet/scoring/pooled.hpp"
#include "funnelnet/scoring/ranking.hpp"
