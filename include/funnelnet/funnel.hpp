// Umbrella header for the funnel area.
#pragma once

#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/bottlenecks.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/higher_order.hpp"
#include "funnelnet/funnel/opportunities.hpp"
#include "funnelnet/funnel/periods.hpp"
#include "funnelnet/funnel/posterior.hpp"
#include "funnelnet/funnel/recurrent.hpp"
#include "funnelnet/funnel/segments.hpp"
#include "funnelnet/funnel/semi_markov.hpp"
#include "funnelnet/funnel/simulate.hpp"
#include "funnelnet/funnel/solver.hpp"
#include "funnelnet/funnel/stage_space.hpp"
#include "funnelnet/funnel/time_to_close.hpp"
