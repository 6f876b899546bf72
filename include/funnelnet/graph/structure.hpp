// Structure of a referral graph: k-cores, weak and strong components, referral
// cascades (size, depth, breadth, structural virality) and referral conversion rates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

/// k-core number of every node, with degree = in-degree + out-degree and every
/// in- and out-neighbour counted (so a reciprocal pair counts twice), exactly as
/// networkx.core_number on a DiGraph (Batagelj-Zaversnik, O(m)).  Self-loops are
/// rejected (invalid_argument naming the node), as networkx does: build the graph with
/// SelfLoops::drop first.
std::vector<std::int64_t> core_numbers(const ReferralGraph& g);

/// Components: a label per node (0..count-1, numbered in order of each component's
/// smallest node index) and the number of components.
struct Components {
  std::vector<std::int64_t> label;
  std::size_t count = 0;
  /// Size of each component.
  [[nodiscard]] std::vector<std::int64_t> sizes() const;
};

/// Weakly connected components (edge directions ignored), by union-find.
Components weak_components(const ReferralGraph& g);

/// Strongly connected components, by Boost.Graph's strong_components (Tarjan) run on
/// the graph's CSR view.
Components strong_components(const ReferralGraph& g);

/// The referral cascade of each root: the breadth-first tree of everyone reachable
/// from it along referral edges (first discoverer is the parent; out-edges in CSR
/// order).  size counts the root; depth is the largest distance; breadth the largest
/// number of nodes at one distance (the root's level counts 1); virality is the
/// structural virality of Goel et al. (2016): the mean distance between all pairs of
/// nodes in the tree (NaN for a tree of one node).
struct Cascades {
  std::vector<node_t> roots;
  std::vector<std::int64_t> size, depth, breadth;
  std::vector<double> virality;
};

/// Cascades of `roots` (empty = every node); parallel over roots, O(sum of cascade
/// sizes and their edges).
Cascades cascades(const ReferralGraph& g, std::span<const node_t> roots = {}, int threads = 0,
                  const Progress& progress = {});

/// Per-referrer referral conversion: for each node u, `referred` counts its out-edges
/// whose referee has a known outcome (not NaN), `converted` sums those outcomes, and
/// `rate` = converted / referred (NaN when nothing was referred).
struct ReferralConversion {
  std::vector<std::int64_t> referred;
  std::vector<double> converted, rate;
};

/// `outcome[v]` is referee v's outcome: 1 converted, 0 not, any value in [0, 1] as a
/// fractional conversion, NaN unknown.  invalid_argument names the node for values
/// outside [0, 1]; shape_mismatch for a wrong length.
ReferralConversion referral_conversion(const ReferralGraph& g, std::span<const double> outcome);

FUNNELNET_END
