// Markov attribution: the removal effect of a channel is how much the probability of a
// conversion falls when the channel is removed from every journey.  funnelnet computes
// it exactly, by linear solves, instead of estimating it by simulation.
//
// Conventions (all explicit):
//  - States.  A transient "(start)" state, one state per observed k-gram of channels
//    (order k; the first touches of a journey use the shorter prefixes, so the state
//    after touch t is the last min(t, k) channels), and two absorbing states,
//    "(conversion)" and "(null)".  A path observed with c conversions and u nulls adds
//    c + u to each of its transitions, c to (last state -> conversion) and u to
//    (last state -> null).  Transition probabilities are the maximum-likelihood ones.
//  - Repeats.  Consecutive touches of the same channel are collapsed into one touch
//    (Repeats::collapse, the default and what ChannelAttribution does) or kept as
//    self-loops (Repeats::keep).  For order 1 both give the same removal effects (a
//    self-loop does not change where a state's journeys end); for order k they do not.
//  - The null state always exists: it is where a removed channel's journeys go.  Paths
//    given without nulls all end in a conversion ("no null state" in the data).
//  - Removing channel c makes every state whose k-gram contains c absorbing into null;
//    removing a sequence s (length <= order) does so for every state whose k-gram
//    contains s as consecutive touches.  Removal effect = 1 - P(conversion | removed) /
//    P(conversion); the value removal effect uses the expected conversion value instead,
//    where a conversion from state i earns the mean value of the conversions observed
//    from i.  Attributed conversions (value) are the total conversions (value) split in
//    proportion to the removal effects.
//  - Exact solves.  A removal is a masked chain on the Markov engine
//    (markov::solve_masked, funnelnet/markov/solver.hpp): the removed states' inflow is
//    redirected to null and the states that remain solve (I - Q_UU) x = b_U (b =
//    conversion probabilities and expected values) by dense LU for small chains; larger
//    (k-gram) chains, where sparse LU fills in badly, use BiCGSTAB certified to 1e-12 by
//    an a-posteriori error bound, with sparse LU as the fallback.  Removals run in
//    parallel; each result depends only on its removal set, so any thread count gives
//    the same numbers.  The bodies are compiled once, in src/attribution/markov.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "funnelnet/attribution/paths.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel/counts.hpp"  // Repeats
#include "funnelnet/markov/sparse.hpp"

FUNNELNET_BEGIN

/// Options of Markov attribution.
struct MarkovOptions {
  int order = 1;                        ///< k >= 1: states are the last k channels
  Repeats repeats = Repeats::collapse;  ///< consecutive repeats: collapse (default) or keep as self-loops
  int threads = 0;                      ///< removal solves; 0: from the work (resolve_threads)
  Progress progress;                    ///< called as removals finish; return false to cancel
};

/// A simulation estimate of removal effects, with 95% confidence intervals from batch
/// means over a fixed number of seeded tasks.
struct SimulationResult {
  std::uint64_t n_journeys = 0;
  double conversion_probability = 0, conversion_probability_lower = 0, conversion_probability_upper = 0;
  std::vector<double> removal_effects, lower, upper;  ///< one per channel
};

/// One transition of the fitted chain; `to` is a state index, or kConversion / kNull.
struct MarkovTransition {
  std::int32_t from;
  std::int32_t to;
  double probability;
};

/// Everything a fitted MarkovAttribution holds (what a model file stores; see
/// MarkovAttribution::to_state() / from_state()).  The transient block Q is CSR over the
/// states: row i's entries are q_col/q_value[q_offsets[i] .. q_offsets[i+1]).
struct MarkovAttributionState {
  std::vector<std::string> channels;
  std::string sep = ">";
  int order = 1;
  Repeats repeats = Repeats::collapse;
  bool has_values = false;
  double total_conversions = 0, total_value = 0;
  std::vector<std::int32_t> state_seq;  ///< channels of every state, concatenated
  std::vector<std::int64_t> state_off;  ///< state i is state_seq[state_off[i] .. state_off[i+1])
  std::vector<std::int64_t> q_offsets;  ///< n_states + 1
  std::vector<std::int32_t> q_col;      ///< target state of each entry, ascending in a row
  std::vector<double> q_value;          ///< probability of each entry
  std::vector<double> p_conv, p_null;   ///< exit probabilities per state
  std::vector<double> reward;           ///< expected conversion value per step, per state
  std::vector<double> removal_effects, value_removal_effects;  ///< per channel
};

class MarkovAttribution {
 public:
  static constexpr std::int32_t kConversion = -1;
  static constexpr std::int32_t kNull = -2;
  /// Chains with at most this many transient states use dense LU, larger ones a certified
  /// iterative solve (sparse LU as the fallback).
  static constexpr std::size_t dense_limit = 400;

  MarkovAttribution() = default;

  /// Rebuild a fitted model from its state (how a model file is read back:
  /// io::attribution_from_json).  Validates every field (channel names, order and
  /// repeats, states within the channels and order, Q's shape, entries in [0, 1], each
  /// state's row plus its exits summing to 1 or 0, removal effects per channel) with
  /// invalid_argument / shape_mismatch naming the field, state or channel; the base
  /// conversion probability is re-solved (the same numbers as the fit).
  static MarkovAttribution from_state(const MarkovAttributionState& state);
  /// The state of a fitted model (from_state(to_state()) answers every query the same).
  [[nodiscard]] MarkovAttributionState to_state() const;

  /// Fit the chain of `paths` and compute every channel's removal effects.  Errors:
  /// invalid_argument (order < 1 or too high for the number of channels, bad repeats,
  /// no conversions at all), cancelled (progress callback).
  static MarkovAttribution fit(const PathSet& paths, const MarkovOptions& options = {});

  [[nodiscard]] const Labels& channels() const noexcept { return channels_; }
  [[nodiscard]] int order() const noexcept { return order_; }
  /// The separator of the fitted paths (joins channel names in state names).
  [[nodiscard]] const std::string& sep() const noexcept { return sep_; }
  [[nodiscard]] Repeats repeats() const noexcept { return repeats_; }
  [[nodiscard]] bool has_values() const noexcept { return has_values_; }
  /// Number of transient states, "(start)" (index 0) included.
  [[nodiscard]] std::size_t n_states() const noexcept { return state_off_.size() - 1; }
  /// The channels of state i (empty for the start state).
  [[nodiscard]] std::span<const std::int32_t> state(std::size_t i) const {
    return {state_seq_.data() + state_off_[i], static_cast<std::size_t>(state_off_[i + 1] - state_off_[i])};
  }
  /// Display name of state i: channel names joined by the separator, or "(start)".
  [[nodiscard]] std::string state_name(std::size_t i) const;
  /// P(conversion) of a journey from the start, and its expected conversion value.
  [[nodiscard]] double conversion_probability() const noexcept { return base_.first; }
  [[nodiscard]] double expected_value() const noexcept { return base_.second; }
  /// Removal effects per channel (conversions, and value; value ones are 0 without values).
  [[nodiscard]] const std::vector<double>& removal_effects() const noexcept { return removal_effects_; }
  [[nodiscard]] const std::vector<double>& value_removal_effects() const noexcept {
    return value_removal_effects_;
  }
  /// Total conversions split in proportion to the removal effects.
  [[nodiscard]] std::vector<double> attributed_conversions() const {
    return shares(removal_effects_, total_conversions_);
  }
  /// Total conversion value split in proportion to the value removal effects.
  [[nodiscard]] std::vector<double> attributed_value() const {
    return shares(value_removal_effects_, total_value_);
  }

  /// Removal effects of channel sequences: sequence q is channels[offsets[q] ..
  /// offsets[q+1]), 1 to order channels long.  Returns (conversion, value) removal
  /// effects per sequence.  Errors: empty_input, invalid_argument (an empty or too long
  /// sequence), out_of_range (a channel index), shape_mismatch.
  [[nodiscard]] std::pair<std::vector<double>, std::vector<double>> sequence_removal_effects(
      std::span<const std::int64_t> offsets, std::span<const std::int32_t> seq, int threads = 0,
      const Progress& progress = {}) const;

  /// Per-journey attribution: for every touch of `paths` (same channels as the fit), its
  /// share of the journey's conversions.  A journey's distinct channels share it in
  /// proportion to their removal effects, and a channel touched several times splits
  /// its share equally over those touches (equal shares if all effects are 0).
  [[nodiscard]] std::vector<double> journey_shares(const PathSet& paths) const;

  /// The fitted transitions, row by row (kConversion / kNull as targets).
  [[nodiscard]] std::vector<MarkovTransition> transitions() const;

  /// The transient block Q of the fitted chain (CSR over the states; null before fit).
  /// Conversion and null exits are transitions() with kConversion / kNull targets.
  [[nodiscard]] const std::shared_ptr<const markov::SparseRowMatrix>& transient_block() const noexcept {
    return q_;
  }

  /// Monte Carlo estimate of the channel removal effects (for comparison with tools that
  /// simulate): `n_journeys` journeys walk the fitted chain, split into 64 tasks seeded
  /// by stream(seed, task), so the result does not depend on `threads`.  A journey that
  /// visits channel c and converts is one that removing c would lose, so one run
  /// estimates every channel.  A journey longer than `max_steps` counts as a null.
  [[nodiscard]] SimulationResult simulate(std::uint64_t n_journeys, std::uint64_t seed, int threads = 0,
                                          const Progress& progress = {},
                                          std::size_t max_steps = 1000000) const;

 private:
  static std::vector<double> shares(const std::vector<double>& effects, double total) {
    double sum = 0.0;
    for (double e : effects) sum += e;
    std::vector<double> out(effects.size(), 0.0);
    if (sum > 0.0)
      for (std::size_t c = 0; c < effects.size(); ++c) out[c] = total * effects[c] / sum;
    return out;
  }

  // States, transitions and exits from the paths.
  void build(const PathSet& paths);
  // Mask of the states whose k-gram contains `seq` as consecutive channels.
  [[nodiscard]] std::vector<char> states_with(const std::vector<std::int32_t>& seq) const;
  // (P(conversion), expected value) from the start with the masked states absorbing into null.
  [[nodiscard]] std::pair<double, double> solve_removed(const std::vector<char>& removed) const;
  [[nodiscard]] std::pair<std::vector<double>, std::vector<double>> removal_effects_of(
      const std::vector<std::vector<char>>& sets, int threads, const Progress& progress) const;

  Labels channels_;
  std::string sep_ = ">";
  int order_ = 1;
  Repeats repeats_ = Repeats::collapse;
  bool has_values_ = false;
  double total_conversions_ = 0, total_value_ = 0;
  std::vector<std::int32_t> state_seq_;
  std::vector<std::int64_t> state_off_{0, 0};
  std::shared_ptr<const markov::SparseRowMatrix> q_;  // transient block (immutable, shared by copies)
  std::vector<double> p_conv_, p_null_, reward_;
  std::pair<double, double> base_{0, 0};
  double steps_bound_ = 0.0;
  std::vector<double> removal_effects_, value_removal_effects_;
};

FUNNELNET_END
