// Umbrella header for the graph area: referral graphs, readers, influence ranking,
// structure and cascades, diffusion and influence maximisation.
#pragma once

#include "funnelnet/graph/centrality.hpp"
#include "funnelnet/graph/diffusion.hpp"
#include "funnelnet/graph/influence.hpp"
#include "funnelnet/graph/ic_learning.hpp"
#include "funnelnet/graph/io.hpp"
#include "funnelnet/graph/layout.hpp"
#include "funnelnet/graph/referral_graph.hpp"
#include "funnelnet/graph/structure.hpp"
