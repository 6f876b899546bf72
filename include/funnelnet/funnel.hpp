// Umbrella header for the funnel area.
#pragma once

#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/simulate.hpp"
#include "funnelnet/funnel/stage_space.hpp"
