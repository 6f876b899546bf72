// Influence ranking: degree, PageRank, Katz and betweenness centrality.
// Conventions match networkx where the maths is the same (and are stated per function).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

/// Which degree to count.
enum class DegreeKind : int { out = 0, in = 1, total = 2 };

/// Degree of every node: the number of edges (or the sum of their weights when
/// `weighted`), counting duplicates kept by the Duplicates::keep policy.
std::vector<double> degree(const ReferralGraph& g, DegreeKind kind = DegreeKind::out, bool weighted = false);

/// Where PageRank sends the rank of dangling nodes (nodes with no out-weight).
enum class Dangling : int {
  personalization = 0,  ///< to the personalization vector (networkx's default)
  uniform = 1,          ///< spread evenly over all nodes
  custom = 2,           ///< to PageRankOptions::dangling_weights
};

struct PageRankOptions {
  double damping = 0.85;                    ///< alpha in (0, 1]
  bool weighted = false;                    ///< use edge weights (else every edge counts 1)
  std::span<const double> personalization;  ///< teleport distribution (empty = uniform); normalised
  Dangling dangling = Dangling::personalization;
  std::span<const double> dangling_weights;  ///< for Dangling::custom; normalised
  double tolerance = 1e-10;                  ///< stop when sum |x - x_prev| < n * tolerance (as networkx)
  std::size_t max_iter = 1000;
  int threads = 0;  ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
};

/// Result of an iterative centrality.
struct IterativeResult {
  std::vector<double> values;
  std::size_t iterations = 0;
};

/// PageRank: the fixed point of networkx.pagerank's iteration
///   x <- alpha (x W + (sum of x over dangling nodes) d) + (1 - alpha) p
/// with W row-normalised (weights or counts), p the personalization (uniform if
/// empty) and d the dangling distribution, and networkx's stopping rule: the returned
/// x is one step of that iteration from a vector of sum 1 that moved it by less than
/// n * tolerance in L1 (so |x - x*|_1 <= alpha / (1 - alpha) * n * tolerance, as for
/// networkx).  Graphs under 2^21 edges + nodes are solved by Gauss-Seidel sweeps in node
/// order (about 2/3 of the passes on heavy-tailed graphs) finished by that checked
/// step; larger ones by the power iteration itself, one parallel pull pass over the
/// reverse CSR per step in fixed chunks.  Either way the result is the same at any
/// thread count (the method depends on the size only).  Unweighted graphs gather
/// float contributions while the L1 change is above 1e-5 and finish in double when
/// n * tolerance is below that (above it, the power iteration returns its float
/// iterate rescaled to sum 1, within 3.4e-7 in L1 of the double step).  `iterations`
/// counts passes (sweeps and steps).
/// Errors: invalid_argument for a damping
/// outside (0, 1], a vector with negative / NaN entries or summing to 0;
/// shape_mismatch for a vector of the wrong length; not_converged after max_iter.
IterativeResult pagerank(const ReferralGraph& g, const PageRankOptions& o = {});

struct KatzOptions {
  double alpha = 0.1;             ///< attenuation; must be below 1 / spectral radius
  double beta = 1.0;              ///< constant bias (used when `betas` is empty)
  std::span<const double> betas;  ///< per-node bias
  bool weighted = false;
  bool normalized = true;    ///< scale to unit Euclidean norm (as networkx)
  double tolerance = 1e-12;  ///< stop when sum |x - x_prev| < n * tolerance
  std::size_t max_iter = 10000;
  int threads = 0;  ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
};

/// Katz centrality x_i = alpha sum_{j -> i} w_ji x_j + beta_i by the same iteration as
/// networkx.katz_centrality (start at 0), optionally normalised to unit norm.
/// Errors: invalid_argument for a non-finite alpha/beta, not_converged when alpha is too
/// large for the graph (at or above 1 / spectral radius) or max_iter is reached.
IterativeResult katz(const ReferralGraph& g, const KatzOptions& o = {});

struct BetweennessOptions {
  bool normalized = true;           ///< divide by (n-1)(n-2) (directed, as networkx)
  std::span<const node_t> sources;  ///< explicit sources (empty = all, or `samples`)
  std::size_t samples = 0;          ///< > 0: this many random distinct sources (seeded)
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
  Progress progress;
};

/// Betweenness centrality of every node by Brandes' algorithm on unweighted shortest
/// paths (edge multiplicity counts, as in a multigraph), endpoints excluded.  With
/// `sources` (duplicates count once) or `samples` only those k sources are accumulated
/// and scaled to estimate the full value as networkx >= 3.5 does for
/// betweenness_centrality(k=...): non-source nodes by (n-1)/k, source nodes by
/// (n-1)/(k-1) (NaN when k = 1), before normalisation.  Sources
/// are split into a fixed set of tasks and partial sums combined in task order, so
/// the result is the same at any thread count.
std::vector<double> betweenness(const ReferralGraph& g, const BetweennessOptions& o = {});

FUNNELNET_END
