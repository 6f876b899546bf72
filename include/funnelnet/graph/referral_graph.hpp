// ReferralGraph: a directed graph of who referred whom, stored as a compressed sparse
// row (CSR) graph, plus the reverse CSR for in-edges.  The CSR storage is a
// boost::compressed_sparse_row_graph, but this header does not include Boost.Graph:
// include "funnelnet/graph/boost.hpp" and call boost_view(g) to run any Boost.Graph
// algorithm on the same storage (no copy).
//
// External node ids are arbitrary int64 values; they map to dense internal indices
// 0..n-1 in ascending id order, and `id(v)` / `index_of(id)` map back and forth.
// Every analysis works on internal indices; the C ABI and Python layers label results.
//
// Edge policies (explicit, never silent):
//  - self-loops u -> u: keep, drop (the node stays, as an isolated node if it has no
//    other edge), or reject (invalid_argument naming the input row);
//  - duplicate edges u -> v: keep (a multigraph), merge (one edge, weights summed,
//    earliest time kept) or reject (duplicate_label naming both rows);
//  - isolated nodes: a node exists if it appears in an edge or in the `nodes` list.
// Within each source the out-edges are sorted by target (then input row), so the layout
// is deterministic whatever the input order.
//
// A ReferralGraph is immutable once built; copies share the CSR storage.  What only some
// analyses need is derived on first use and then kept (shared by copies): the reverse
// CSR (in_offsets / in_sources / in_edges), the per-edge sources, and the unit weights
// of a graph built without weights and without merged duplicates.  The first use is
// thread-safe (several threads may call these accessors on one graph at once); it costs
// a pass over the edges, so a graph that is only built, or only walked forward, never
// pays for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// Internal (dense) node index.
using node_t = std::uint32_t;
/// Edge index into the CSR arrays.
using edge_t = std::uint64_t;

namespace detail {
/// The CSR storage (a boost::compressed_sparse_row_graph); complete only in
/// "funnelnet/graph/boost.hpp" and the compiled core.
struct CsrStorage;
struct CsrAccess;
}  // namespace detail

/// What to do with self-loops u -> u.
enum class SelfLoops : int { keep = 0, drop = 1, reject = 2 };
/// What to do with repeated edges u -> v.
enum class Duplicates : int { keep = 0, merge = 1, reject = 2 };

/// How to build a graph from edges.
struct GraphOptions {
  SelfLoops self_loops = SelfLoops::keep;
  Duplicates duplicates = Duplicates::merge;
};

class ReferralGraph {
 public:
  ReferralGraph() = default;

  /// Build from parallel arrays: edge i goes from src[i] to dst[i] (external ids, any
  /// int64).  `weight` (optional, empty = 1 each) must be finite and >= 0; `time`
  /// (optional) must be finite.  `nodes` lists extra (possibly isolated) node ids.
  /// Errors: shape_mismatch for arrays of different lengths, invalid_argument for a bad
  /// weight/time or a rejected self-loop, duplicate_label for a rejected duplicate,
  /// empty_input when there are no nodes at all.
  static ReferralGraph from_edges(std::span<const std::int64_t> src, std::span<const std::int64_t> dst,
                                  std::span<const double> weight = {}, std::span<const double> time = {},
                                  std::span<const std::int64_t> nodes = {}, const GraphOptions& options = {});

  /// Build from dense indices 0..n-1 (no id mapping; ids are the indices).  Indices
  /// must lie in [0, n): out_of_range names the row otherwise.
  static ReferralGraph from_indices(std::size_t n, std::span<const std::int64_t> src,
                                    std::span<const std::int64_t> dst, std::span<const double> weight = {},
                                    std::span<const double> time = {}, const GraphOptions& options = {});

  /// Rebuild a graph from its own arrays, edge for edge (how a model file is read back:
  /// io::graph_from_json).  `ids` are the node ids, strictly ascending; edge e goes from
  /// node index `source[e]` to `target[e]` (indices into ids) in CSR order (sources
  /// non-decreasing, targets non-decreasing within a source); `weight` (finite, >= 0) and
  /// `input_row` (>= 0) have one entry per edge, `time` one per edge or none;
  /// `weighted` is has_weights().  Errors name the offending edge or node:
  /// invalid_argument (order, weights, times, rows), out_of_range (an index),
  /// shape_mismatch (lengths), empty_input (no nodes).
  static ReferralGraph from_csr_edges(std::span<const std::int64_t> ids, std::span<const std::int64_t> source,
                                      std::span<const std::int64_t> target, std::span<const double> weight,
                                      std::span<const double> time, std::span<const std::int64_t> input_row,
                                      bool weighted);

  [[nodiscard]] std::size_t num_nodes() const noexcept { return ids_.size(); }
  [[nodiscard]] std::size_t num_edges() const noexcept { return targets_.size(); }
  [[nodiscard]] bool has_times() const noexcept { return !time_.empty(); }
  /// True when weights were given (otherwise every weight is 1, or the count of merged edges).
  [[nodiscard]] bool has_weights() const noexcept { return weighted_; }

  /// External id of node v.
  [[nodiscard]] std::int64_t id(node_t v) const { return ids_.at(v); }
  /// All external ids in internal order (ascending).
  [[nodiscard]] std::span<const std::int64_t> ids() const noexcept { return ids_; }
  /// Internal index of external id, or -1 if unknown.
  [[nodiscard]] std::int64_t find(std::int64_t id) const noexcept;
  /// Internal index of external id; unknown_label naming `what` and the id otherwise.
  [[nodiscard]] node_t index_of(std::int64_t id, const char* what = "node") const;

  /// The Boost.Graph view (same storage): a boost::compressed_sparse_row_graph for any
  /// Boost.Graph algorithm taking an IncidenceGraph / VertexListGraph / EdgeListGraph;
  /// edge e's index is e.idx.  Needs #include "funnelnet/graph/boost.hpp" where it is
  /// called (a template, so this header need not include Boost.Graph); the same as
  /// boost_view(g).
  template <class G = ReferralGraph>
  [[nodiscard]] decltype(auto) boost() const noexcept {
    return boost_view(static_cast<const G&>(*this));
  }

  // Raw CSR arrays (out-edges): edges of u are [offsets[u], offsets[u+1]).
  [[nodiscard]] std::span<const edge_t> offsets() const noexcept { return offsets_; }
  [[nodiscard]] std::span<const node_t> targets() const noexcept { return targets_; }
  /// Weight of each CSR edge (all 1 when no weights were given and no edges merged;
  /// that array is derived on first use).  Throws std::bad_alloc only on the first use.
  [[nodiscard]] std::span<const double> weights() const;
  /// Time of each CSR edge (empty if none were given).
  [[nodiscard]] std::span<const double> times() const noexcept { return time_; }
  /// Source node of each CSR edge (derived from the offsets on first use).
  [[nodiscard]] std::span<const node_t> sources() const;
  /// Input row of each CSR edge (the first row of a merged group).
  [[nodiscard]] std::span<const std::int64_t> input_rows() const noexcept { return input_row_; }
  // Reverse CSR (in-edges): in-edges of v are [in_offsets[v], in_offsets[v+1]), sorted
  // by source then CSR edge; in_sources gives the source node and in_edges the CSR edge
  // index.  Built on first use of any of the three (one counting sort of the edges by
  // target); throws std::bad_alloc only then.
  [[nodiscard]] std::span<const edge_t> in_offsets() const;
  [[nodiscard]] std::span<const node_t> in_sources() const;
  [[nodiscard]] std::span<const edge_t> in_edges() const;

  [[nodiscard]] std::size_t out_degree(node_t v) const { return offsets_[v + 1] - offsets_[v]; }
  [[nodiscard]] std::size_t in_degree(node_t v) const {
    const auto o = in_offsets();
    return o[v + 1] - o[v];
  }

 private:
  static ReferralGraph build(std::vector<std::int64_t> ids, std::span<const std::int64_t> src,
                             std::span<const std::int64_t> dst, const std::vector<node_t>* mapped_src,
                             const std::vector<node_t>* mapped_dst, std::span<const double> weight,
                             std::span<const double> time, const GraphOptions& options);

  friend struct detail::CsrAccess;

  std::vector<std::int64_t> ids_;
  std::shared_ptr<const detail::CsrStorage> csr_;  // immutable, shared by copies
  std::span<const edge_t> offsets_;                // views into *csr_
  std::span<const node_t> targets_;
  std::vector<double> weight_;  // empty when every weight is 1 (then derived on first use)
  std::vector<double> time_;
  std::vector<std::int64_t> input_row_;
  bool weighted_ = false;
};

FUNNELNET_END
