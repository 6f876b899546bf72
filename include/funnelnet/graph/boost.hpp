// Boost.Graph view of a ReferralGraph.  Include this header explicitly where you want to
// run Boost.Graph algorithms: the rest of the graph API does not pull in Boost.Graph.
//
//   #include "funnelnet/graph/boost.hpp"
//   const funnelnet::BoostCsr& bg = funnelnet::boost_view(g);
//   boost::breadth_first_search(bg, vertex(0, bg), ...);
//
// The view is the graph's own CSR storage (no copy), valid as long as the graph (or any
// copy of it) lives.  Vertex v is internal node index v; edge e's index (e.idx) is its
// CSR edge index, the same as ReferralGraph::targets()[e] / weights()[e].
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <mutex>
#include <vector>

#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

/// The Boost.Graph type underneath a ReferralGraph.
using BoostCsr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                    boost::no_property, node_t, edge_t>;

namespace detail {
/// The forward CSR, and the arrays derived from it on first use (each behind its own
/// once_flag, so concurrent first uses build it once; shared by every copy of the graph).
struct CsrStorage {
  BoostCsr g;
  mutable std::once_flag source_once, reverse_once, weight_once;
  mutable std::vector<node_t> source;
  mutable std::vector<edge_t> in_offsets;
  mutable std::vector<node_t> in_sources;
  mutable std::vector<edge_t> in_edges;
  mutable std::vector<double> unit_weight;
};
}  // namespace detail

/// The Boost.Graph view (same storage): use with any Boost.Graph algorithm that takes an
/// IncidenceGraph / VertexListGraph / EdgeListGraph / AdjacencyGraph.
[[nodiscard]] const BoostCsr& boost_view(const ReferralGraph& g) noexcept;

FUNNELNET_END
