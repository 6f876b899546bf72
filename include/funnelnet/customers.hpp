// Umbrella header for the customers area: customer tables and ABC grading, tier
// migration and Markov lifetime value, and the repeat-buying models.
#pragma once

#include "funnelnet/customers/grading.hpp"
#include "funnelnet/customers/repeat_buying.hpp"
#include "funnelnet/customers/summary.hpp"
#include "funnelnet/customers/tiers.hpp"
