// Graph drawing: a seeded force-directed layout that stays fast on 10^4-10^5 nodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

struct LayoutOptions {
  std::size_t iterations = 50;  ///< force-directed refinement steps (0 = pivot MDS only)
  std::size_t pivots = 50;      ///< pivots of the pivot-MDS start (more = closer to full MDS)
  std::uint64_t seed = 0;       ///< first pivot from stream(seed, 0), jitter from stream(seed, 1)
  double gravity = 0.05;        ///< pull towards the centre (keeps components together), >= 0
  int threads = 0;    ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
  Progress progress;  ///< called after each iteration with (iteration, iterations)
};

/// Node positions for drawing, edges taken as undirected and unweighted (self-loops
/// ignored, parallel edges pull once each).  Two phases:
///  1. Pivot MDS (Brandes and Pich 2006) of each connected component, the global shape:
///     BFS hop distances to `pivots` max-min pivots (O(pivots (n + m))), double-centred and
///     projected on the two leading singular vectors, scaled to a mean edge length of 1;
///     the components packed in rows, largest first, 2 apart; plus a seeded jitter of
///     +-0.05.
///  2. `iterations` Fruchterman-Reingold steps, the local detail: repulsion k^2/d between
///     nodes closer than 2 (found on a uniform grid; a cell of more than 48 nodes repels
///     as one mass at its centroid, so a step costs O(n + m) even around big hubs),
///     attraction d^2/k along edges (k = 1), plus `gravity` times the distance to the
///     centre of mass; moves are capped by a temperature cooling linearly from 1.
/// Every node moves from the previous step's positions (a Jacobi step) and the phases use
/// no thread-dependent order, so the same seed gives the same layout at any thread count.
/// Returns 2n coordinates, node v at (xy[2v], xy[2v+1]); an empty graph gives none.
/// Errors: invalid_argument for a negative or non-finite gravity or fewer than 2 pivots;
/// cancelled when the
/// progress callback returns false.
std::vector<double> layout(const ReferralGraph& g, const LayoutOptions& o = {});

FUNNELNET_END
