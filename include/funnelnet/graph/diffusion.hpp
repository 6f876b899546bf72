// Diffusion on a referral graph: edge probabilities, independent cascade (IC) and
// linear threshold (LT) Monte Carlo with seeded per-task streams, and the exact spread
// of tiny graphs by enumerating live-edge worlds (a test oracle).
//
// Edge probabilities are one double per CSR edge (ReferralGraph edge order), held in an
// immutable EdgeProbabilities that is validated once, when it is built.  For IC they
// are activation probabilities in [0, 1]; for LT they are the in-weights b_uv, which
// must also sum to at most 1 over each node's in-edges (checked once at construction
// and recorded, see EdgeProbabilities::lt_valid).  Every analysis takes an
// EdgeProbabilities; the overloads taking a span build one first (and so validate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

/// Diffusion model.
enum class Model : int { ic = 0, lt = 1 };

// ---------------------------------------------------------------- edge probabilities

/// Per-edge probabilities aligned with one ReferralGraph's CSR edge order, validated
/// once at construction: one value per edge, each finite and in [0, 1] (invalid_argument
/// names the edge as "edge e (source -> target)" with external ids, and the value;
/// shape_mismatch for a wrong length).  Whether the values are also valid LT in-weights
/// (sum <= 1 over each node's in-edges) is computed at construction too, so analyses
/// never re-check.  Immutable; cheap to copy (the values are shared).
///
/// An EdgeProbabilities belongs to the graph it was built from (and to copies of that
/// graph, which share its CSR storage); analyses reject one built for another graph.
/// It keeps that graph's CSR storage alive.
class EdgeProbabilities {
 public:
  /// Values given per CSR edge.
  static EdgeProbabilities given(const ReferralGraph& g, std::span<const double> p);
  /// The same probability p on every edge.
  static EdgeProbabilities constant(const ReferralGraph& g, double p);
  /// Weighted cascade: p(u -> v) = 1 / in-degree(v) (or w_uv / total in-weight of v when
  /// `use_weights`).  As LT weights these sum to exactly 1 per node.
  static EdgeProbabilities weighted_cascade(const ReferralGraph& g, bool use_weights = false);
  /// Trivalency: each edge draws 0.1, 0.01 or 0.001 uniformly (seeded; edge e uses its
  /// own draw from stream(seed, 0) in edge order).
  static EdgeProbabilities trivalency(const ReferralGraph& g, std::uint64_t seed);
  /// Learned from observed referral outcomes: edge e was exposed exposures[e] times and
  /// succeeded successes[e] times; with a Beta(a, b) prior the posterior mean is
  /// (successes + a) / (exposures + a + b).
  static EdgeProbabilities learned(const ReferralGraph& g, std::span<const double> successes,
                                   std::span<const double> exposures, double prior_a = 1.0,
                                   double prior_b = 1.0);

  /// One value per CSR edge.
  [[nodiscard]] std::span<const double> values() const noexcept { return values_; }
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] double operator[](edge_t e) const noexcept { return values_[e]; }
  /// True when the values are valid LT in-weights (every node's in-sum <= 1 + 1e-9).
  [[nodiscard]] bool lt_valid() const noexcept { return lt_ok_; }
  /// True when this object was built for `g` (or a copy of it).
  [[nodiscard]] bool belongs_to(const ReferralGraph& g) const noexcept;
  /// invalid_argument unless `model` is ic, or lt with lt_valid() (naming the first node
  /// whose in-weights sum above 1, and the sum).  O(1).
  void require_model(Model model) const;
  /// Unless this object was built for `g` (or a copy): shape_mismatch when the edge
  /// counts differ, invalid_argument otherwise.  O(1).
  void require_graph(const ReferralGraph& g) const;

 private:
  EdgeProbabilities() = default;
  static EdgeProbabilities make(const ReferralGraph& g, std::vector<double> p);

  std::shared_ptr<const detail::CsrStorage> graph_;  // identity of the graph
  std::shared_ptr<const std::vector<double>> owner_;
  std::span<const double> values_;
  bool lt_ok_ = true;         // every in-sum <= 1 + 1e-9
  std::int64_t lt_node_ = 0;  // else: external id of the first node with in-sum > 1
  double lt_sum_ = 0.0;       // and its in-sum
};

// The same rules as plain arrays (the C ABI and Python return these): each validates as
// the EdgeProbabilities factory of the same name and returns its values.

/// The same probability p on every edge.
std::vector<double> constant_probabilities(const ReferralGraph& g, double p);

/// Weighted cascade: p(u -> v) = 1 / in-degree(v) (or w_uv / total in-weight of v when
/// `use_weights`).  As LT weights these sum to exactly 1 per node.
std::vector<double> weighted_cascade(const ReferralGraph& g, bool use_weights = false);

/// Trivalency: each edge draws 0.1, 0.01 or 0.001 uniformly (seeded; edge e uses its own
/// draw from stream(seed, 0) in edge order).
std::vector<double> trivalency(const ReferralGraph& g, std::uint64_t seed);

/// Probabilities given per edge (CSR order); each must lie in [0, 1].
std::vector<double> given_probabilities(const ReferralGraph& g, std::span<const double> p);

/// Probabilities learned from observed referral outcomes: edge e was exposed
/// exposures[e] times and succeeded successes[e] times; with a Beta(a, b) prior the
/// posterior mean is (successes + a) / (exposures + a + b).
std::vector<double> learned_probabilities(const ReferralGraph& g, std::span<const double> successes,
                                          std::span<const double> exposures, double prior_a = 1.0,
                                          double prior_b = 1.0);

// ---------------------------------------------------------------- simulation

struct SpreadOptions {
  Model model = Model::ic;
  std::size_t n_sims = 10000;
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
  /// Optional per-node value (e.g. win probability x deal size): also report the
  /// expected total value of the activated nodes.
  std::span<const double> node_values;
  /// Optional per-edge delays (finite, >= 0; CSR order) with `time_bins` (>= 2
  /// increasing bin edges; the last may be +inf): also report the expected number of
  /// activations per time bin (seeds activate at time 0).
  std::span<const double> delays;
  std::span<const double> time_bins;
  Progress progress;
};

/// Monte Carlo estimate of the expected spread.
struct SpreadResult {
  double mean = 0.0;        ///< expected number of activated nodes (seeds included)
  double stderr_ = 0.0;     ///< standard error of `mean`
  double value_mean = 0.0;  ///< expected activated value (0 without node values)
  double value_stderr = 0.0;
  std::size_t n_sims = 0;
  std::vector<double> by_round;  ///< mean newly activated per round (round 0 = the seeds)
  std::vector<double> by_time;   ///< with delays: mean activations per time bin
};

/// Number of fixed tasks for n_sims simulations (independent of the thread count).
constexpr std::size_t simulation_tasks(std::size_t n_sims) noexcept {
  return n_sims < 256 ? n_sims : 256;
}

/// The first simulation of task t (of `tasks`): floor(n_sims * t / tasks) computed
/// without the product, which wrapped for n_sims near 2^64 (issue 17).
constexpr std::size_t task_begin(std::size_t n_sims, std::size_t t, std::size_t tasks) noexcept {
  return n_sims / tasks * t + n_sims % tasks * t / tasks;
}

/// Expected spread of `seeds` under `model` with edge probabilities `p`, by Monte Carlo.
/// Simulations are split into a fixed set of tasks (simulation_tasks); task k draws
/// from stream(seed, k), and task results are combined in task order, so the same seed
/// gives the same answer at any thread count.  Duplicate seeds count once.  Errors:
/// out_of_range for a seed outside the graph, invalid_argument for LT with in-weights
/// above 1, zero n_sims or bad node values, shape_mismatch for `p` of another graph.
SpreadResult spread(const ReferralGraph& g, std::span<const node_t> seeds, const EdgeProbabilities& p,
                    const SpreadOptions& o = {});
/// As above with raw per-edge probabilities (validated into an EdgeProbabilities first:
/// invalid_argument for NaN or values outside [0, 1], shape_mismatch for a wrong length).
SpreadResult spread(const ReferralGraph& g, std::span<const node_t> seeds, std::span<const double> p,
                    const SpreadOptions& o = {});

/// The mergeable sums of one task of spread(): its simulations
/// [n_sims * t / T, n_sims * (t + 1) / T) with T = simulation_tasks(n_sims), drawn from
/// stream(seed, t).
struct SpreadPart {
  double sum = 0, sq = 0, vsum = 0, vsq = 0;  ///< activated count and value: sums, sums of squares
  std::vector<double> rounds;                 ///< newly activated per round, summed
  std::vector<double> hist;                   ///< with delays: activations per time bin, summed
};

/// Tasks [first_task, last_task) of spread(g, seeds, p, o), in task order (last_task is
/// clamped to simulation_tasks(o.n_sims)).  Run on different machines and concatenated
/// in task order, the parts give combine_spread() exactly spread()'s result, bit for bit:
/// a seeded Monte Carlo split by random stream.  Errors as spread(); invalid_argument for
/// first_task > last_task.
std::vector<SpreadPart> spread_parts(const ReferralGraph& g, std::span<const node_t> seeds,
                                     const EdgeProbabilities& p, const SpreadOptions& o,
                                     std::size_t first_task, std::size_t last_task);

/// spread()'s result from the parts of all simulation_tasks(n_sims) tasks in task order
/// (invalid_argument for another number of parts).
SpreadResult combine_spread(std::span<const SpreadPart> parts, std::size_t n_sims);

/// Largest number of live-edge worlds exact_spread enumerates.
inline constexpr std::uint64_t max_exact_worlds = std::uint64_t{1} << 24;

/// Exact expected spread (number of activated nodes, seeds included) by enumerating
/// every live-edge world: for IC each edge is live with probability p_e (2^m worlds);
/// for LT each node keeps at most one in-edge, edge e with probability p_e (the
/// product of (in-degree + 1) worlds).  For tiny graphs only: out_of_range when there
/// are more than max_exact_worlds worlds.
double exact_spread(const ReferralGraph& g, std::span<const node_t> seeds, const EdgeProbabilities& p,
                    Model model = Model::ic);
/// As above with raw per-edge probabilities (validated first).
double exact_spread(const ReferralGraph& g, std::span<const node_t> seeds, std::span<const double> p,
                    Model model = Model::ic);

FUNNELNET_END
