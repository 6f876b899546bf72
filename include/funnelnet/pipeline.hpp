// Umbrella header for the pipeline area: the exact distribution of what the open
// pipeline brings (won count and won revenue), forecasts and their Monte Carlo.
#pragma once

#include "funnelnet/pipeline/distribution.hpp"
#include "funnelnet/pipeline/forecast.hpp"
#include "funnelnet/pipeline/simulate.hpp"
