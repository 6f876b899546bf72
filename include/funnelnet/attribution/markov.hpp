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
//  - Exact solves.  One absorbing chain per removal: the states that remain solve
//    (I - Q_UU) x = b_U (b = conversion probabilities and expected values) by dense LU
//    for small chains; larger (k-gram) chains, where sparse LU fills in badly, use
//    BiCGSTAB certified to 1e-12 by an a-posteriori error bound, with sparse LU as the
//    fallback.  Removals run in parallel; each result
//    depends only on its removal set, so any thread count gives the same numbers.
#pragma once

#include <Eigen/Dense>
#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "funnelnet/attribution/paths.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel/counts.hpp"  // Repeats

FUNNELNET_BEGIN

/// Options of Markov attribution.
struct MarkovOptions {
  int order = 1;                        ///< k >= 1: states are the last k channels
  Repeats repeats = Repeats::collapse;  ///< consecutive repeats: collapse (default) or keep as self-loops
  int threads = 0;                      ///< threads for the removal solves (0 = all cores)
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

class MarkovAttribution {
 public:
  static constexpr std::int32_t kConversion = -1;
  static constexpr std::int32_t kNull = -2;
  /// Chains with at most this many transient states use dense LU, larger ones a certified
  /// iterative solve (sparse LU as the fallback).
  static constexpr std::size_t dense_limit = 400;

  MarkovAttribution() = default;

  /// Fit the chain of `paths` and compute every channel's removal effects.  Errors:
  /// invalid_argument (order < 1 or too high for the number of channels, bad repeats,
  /// no conversions at all), cancelled (progress callback).
  static MarkovAttribution fit(const PathSet& paths, const MarkovOptions& options = {}) {
    if (options.order < 1) fail(Errc::invalid_argument, "order must be >= 1, got ", options.order);
    if (options.repeats != Repeats::keep && options.repeats != Repeats::collapse)
      fail(Errc::invalid_argument, "repeats must be keep (0) or collapse (1), got ",
           static_cast<int>(options.repeats));
    const double base = static_cast<double>(paths.n_channels() + 1);
    if (static_cast<double>(options.order) * std::log2(base) > 62.0)
      fail(Errc::invalid_argument, "order ", options.order, " is too high for ", paths.n_channels(),
           " channels (the k-grams must fit 62 bits)");
    if (!(paths.total_conversions() > 0.0))
      fail(Errc::invalid_argument, "no path has a conversion: removal effects are undefined");
    MarkovAttribution m;
    m.channels_ = paths.channels();
    m.sep_ = paths.sep();
    m.order_ = options.order;
    m.repeats_ = options.repeats;
    m.has_values_ = paths.has_values();
    m.total_conversions_ = paths.total_conversions();
    m.total_value_ = paths.total_value();
    m.build(paths);
    m.steps_bound_ = m.max_expected_steps();
    m.base_ = m.solve_removed({});
    std::vector<std::vector<char>> sets(m.channels_.size());
    for (std::size_t c = 0; c < sets.size(); ++c)
      sets[c] = m.states_with(std::vector<std::int32_t>{static_cast<std::int32_t>(c)});
    auto re = m.removal_effects_of(sets, options.threads, options.progress);
    m.removal_effects_ = std::move(re.first);
    m.value_removal_effects_ = std::move(re.second);
    return m;
  }

  [[nodiscard]] const Labels& channels() const noexcept { return channels_; }
  [[nodiscard]] int order() const noexcept { return order_; }
  [[nodiscard]] Repeats repeats() const noexcept { return repeats_; }
  [[nodiscard]] bool has_values() const noexcept { return has_values_; }
  /// Number of transient states, "(start)" (index 0) included.
  [[nodiscard]] std::size_t n_states() const noexcept { return state_off_.size() - 1; }
  /// The channels of state i (empty for the start state).
  [[nodiscard]] std::span<const std::int32_t> state(std::size_t i) const {
    return {state_seq_.data() + state_off_[i], static_cast<std::size_t>(state_off_[i + 1] - state_off_[i])};
  }
  /// Display name of state i: channel names joined by the separator, or "(start)".
  [[nodiscard]] std::string state_name(std::size_t i) const {
    if (i == 0) return "(start)";
    std::string s;
    for (auto c : state(i)) {
      if (!s.empty()) s += sep_;
      s += channels_.name(static_cast<std::size_t>(c));
    }
    return s;
  }
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
      const Progress& progress = {}) const {
    if (offsets.size() < 2) fail(Errc::empty_input, "no sequences given (offsets needs n + 1 entries)");
    if (offsets[0] != 0) fail(Errc::invalid_argument, "offsets[0] must be 0, got ", offsets[0]);
    if (offsets.back() != static_cast<std::int64_t>(seq.size()))
      fail(Errc::shape_mismatch, "offsets end at ", offsets.back(), " but there are ", seq.size(),
           " channels");
    const std::size_t n = offsets.size() - 1;
    std::vector<std::vector<char>> sets(n);
    for (std::size_t q = 0; q < n; ++q) {
      if (offsets[q + 1] < offsets[q])
        fail(Errc::invalid_argument, "offsets must be non-decreasing at ", q + 1);
      const auto len = offsets[q + 1] - offsets[q];
      if (len == 0) fail(Errc::invalid_argument, "sequence ", q, " is empty");
      if (len > order_)
        fail(Errc::invalid_argument, "sequence ", q, " has ", len, " channels; an order-", order_,
             " model can remove sequences of at most ", order_);
      std::vector<std::int32_t> s(seq.begin() + offsets[q], seq.begin() + offsets[q + 1]);
      for (std::size_t k = 0; k < s.size(); ++k)
        if (s[k] < 0 || s[k] >= static_cast<std::int32_t>(channels_.size()))
          fail(Errc::out_of_range, "sequence ", q, ", position ", k, ": channel index ", s[k],
               " is outside [0, ", channels_.size(), ")");
      sets[q] = states_with(s);
    }
    return removal_effects_of(sets, threads, progress);
  }

  /// Per-journey attribution: for every touch of `paths` (same channels as the fit), its
  /// share of the journey's conversions.  A journey's distinct channels share it in
  /// proportion to their removal effects, and a channel touched several times splits
  /// its share equally over those touches (equal shares if all effects are 0).
  [[nodiscard]] std::vector<double> journey_shares(const PathSet& paths) const {
    if (!(paths.channels() == channels_))
      fail(Errc::invalid_argument, "the paths' channels differ from the channels the model was fitted on");
    std::vector<double> out(paths.touches().size(), 0.0);
    std::vector<std::int32_t> count(channels_.size(), 0);
    for (std::size_t p = 0; p < paths.size(); ++p) {
      const auto t = paths.path(p);
      double sum = 0.0;
      std::size_t distinct = 0;
      for (auto c : t)
        if (count[c]++ == 0) {
          sum += removal_effects_[c];
          ++distinct;
        }
      const auto first = static_cast<std::size_t>(paths.offsets()[p]);
      for (std::size_t k = 0; k < t.size(); ++k) {
        const double share = sum > 0.0 ? removal_effects_[t[k]] / sum : 1.0 / static_cast<double>(distinct);
        out[first + k] = share / count[t[k]];
      }
      for (auto c : t) count[c] = 0;
    }
    return out;
  }

  /// The fitted transitions, row by row (kConversion / kNull as targets).
  [[nodiscard]] std::vector<MarkovTransition> transitions() const {
    std::vector<MarkovTransition> t;
    for (std::size_t i = 0; i < n_states(); ++i) {
      for (auto k = row_off_[i]; k < row_off_[i + 1]; ++k)
        t.push_back({static_cast<std::int32_t>(i), col_[k], prob_[k]});
      if (p_conv_[i] > 0) t.push_back({static_cast<std::int32_t>(i), kConversion, p_conv_[i]});
      if (p_null_[i] > 0) t.push_back({static_cast<std::int32_t>(i), kNull, p_null_[i]});
    }
    return t;
  }

  /// Monte Carlo estimate of the channel removal effects (for comparison with tools that
  /// simulate): `n_journeys` journeys walk the fitted chain, split into 64 tasks seeded
  /// by stream(seed, task), so the result does not depend on `threads`.  A journey that
  /// visits channel c and converts is one that removing c would lose, so one run
  /// estimates every channel.  A journey longer than `max_steps` counts as a null.
  [[nodiscard]] SimulationResult simulate(std::uint64_t n_journeys, std::uint64_t seed, int threads = 0,
                                          const Progress& progress = {},
                                          std::size_t max_steps = 1000000) const {
    if (n_journeys < 2) fail(Errc::invalid_argument, "n_journeys must be >= 2, got ", n_journeys);
    const std::size_t n_tasks = static_cast<std::size_t>(std::min<std::uint64_t>(64, n_journeys));
    const std::size_t nc = channels_.size();
    // Cumulative probabilities per row; targets >= 0 are states, then conversion, null.
    std::vector<double> cum;
    std::vector<std::int32_t> target;
    std::vector<std::int64_t> off(n_states() + 1, 0);
    for (std::size_t i = 0; i < n_states(); ++i) {
      double c = 0.0;
      for (auto k = row_off_[i]; k < row_off_[i + 1]; ++k) {
        c += prob_[k];
        cum.push_back(c);
        target.push_back(col_[k]);
      }
      c += p_conv_[i];
      cum.push_back(c);
      target.push_back(kConversion);
      cum.push_back(2.0);  // null takes the rest (and rounding)
      target.push_back(kNull);
      off[i + 1] = static_cast<std::int64_t>(cum.size());
    }
    struct Task {
      std::uint64_t n = 0, conv = 0;
      std::vector<std::uint64_t> touched;
    };
    std::vector<Task> tasks(n_tasks);
    parallel_for(
        n_tasks, threads,
        [&](std::size_t t) {
          Task& r = tasks[t];
          r.n = n_journeys / n_tasks + (t < n_journeys % n_tasks ? 1 : 0);
          r.touched.assign(nc, 0);
          std::vector<std::uint64_t> seen(nc, 0);
          Rng rng = stream(seed, t);
          for (std::uint64_t j = 1; j <= r.n; ++j) {
            std::int32_t s = 0;
            bool converted = false;
            for (std::size_t step = 0; step < max_steps; ++step) {
              const double u = rng.uniform();
              const double* lo = cum.data() + off[s];
              const double* hi = cum.data() + off[s + 1];
              const auto k = static_cast<std::size_t>(std::upper_bound(lo, hi - 1, u) - cum.data());
              const std::int32_t next = target[k];
              if (next == kConversion) {
                converted = true;
                break;
              }
              if (next == kNull) break;
              s = next;
              seen[static_cast<std::size_t>(state(static_cast<std::size_t>(s)).back())] = j;
            }
            if (converted) {
              ++r.conv;
              for (std::size_t c = 0; c < nc; ++c) r.touched[c] += seen[c] == j ? 1 : 0;
            }
          }
        },
        progress);
    SimulationResult res;
    res.n_journeys = n_journeys;
    std::uint64_t conv = 0;
    std::vector<double> touched(nc, 0.0);
    for (const auto& t : tasks) {
      conv += t.conv;
      for (std::size_t c = 0; c < nc; ++c) touched[c] += static_cast<double>(t.touched[c]);
    }
    auto interval = [&](auto&& per_task, double est, double& lo, double& hi) {
      double s = 0, s2 = 0;
      std::size_t m = 0;
      for (const auto& t : tasks) {
        double v;
        if (!per_task(t, v)) continue;
        s += v;
        s2 += v * v;
        ++m;
      }
      const auto md = static_cast<double>(m);
      const double var = m > 1 ? std::max(0.0, (s2 - s * s / md) / (md - 1.0)) : 0.0;
      const double half = m > 1 ? 1.959963984540054 * std::sqrt(var / md) : 0.0;
      lo = est - half;
      hi = est + half;
    };
    res.conversion_probability = static_cast<double>(conv) / static_cast<double>(n_journeys);
    interval(
        [](const Task& t, double& v) {
          v = static_cast<double>(t.conv) / static_cast<double>(t.n);
          return t.n > 0;
        },
        res.conversion_probability, res.conversion_probability_lower, res.conversion_probability_upper);
    res.removal_effects.resize(nc);
    res.lower.resize(nc);
    res.upper.resize(nc);
    for (std::size_t c = 0; c < nc; ++c) {
      res.removal_effects[c] = conv > 0 ? touched[c] / static_cast<double>(conv) : 0.0;
      interval(
          [c](const Task& t, double& v) {
            if (t.conv == 0) return false;
            v = static_cast<double>(t.touched[c]) / static_cast<double>(t.conv);
            return true;
          },
          res.removal_effects[c], res.lower[c], res.upper[c]);
    }
    return res;
  }

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
  void build(const PathSet& paths) {
    const std::size_t nc = channels_.size();
    const std::uint64_t base = nc + 1;
    state_seq_.clear();
    state_off_.assign(1, 0);
    state_off_.push_back(0);  // start: empty tuple
    std::unordered_map<std::uint64_t, std::int32_t> ids;
    if (order_ == 1) {  // state c + 1 is channel c
      for (std::size_t c = 0; c < nc; ++c) {
        state_seq_.push_back(static_cast<std::int32_t>(c));
        state_off_.push_back(static_cast<std::int64_t>(state_seq_.size()));
      }
    }
    std::vector<std::int32_t> window;
    std::unordered_map<std::uint64_t, double> sparse_counts;
    // Order 1 with a moderate channel count counts into a dense table; otherwise a hash map.
    const bool dense = order_ == 1 && nc <= 2047;
    Matrix dense_counts;
    if (dense)
      dense_counts = Matrix::Zero(static_cast<Eigen::Index>(nc + 1), static_cast<Eigen::Index>(nc + 1));
    std::vector<double> conv(order_ == 1 ? nc + 1 : 1, 0.0), nulls(conv.size(), 0.0), value(conv.size(), 0.0);
    auto grow = [&](std::size_t n) {
      if (conv.size() < n) {
        conv.resize(n, 0.0);
        nulls.resize(n, 0.0);
        value.resize(n, 0.0);
      }
    };
    auto state_of = [&](const std::vector<std::int32_t>& w) -> std::int32_t {
      if (order_ == 1) return w.back() + 1;
      std::uint64_t key = 0;
      for (auto c : w) key = key * base + static_cast<std::uint64_t>(c + 1);
      auto [it, inserted] = ids.emplace(key, static_cast<std::int32_t>(state_off_.size() - 1));
      if (inserted) {
        state_seq_.insert(state_seq_.end(), w.begin(), w.end());
        state_off_.push_back(static_cast<std::int64_t>(state_seq_.size()));
        grow(state_off_.size() - 1);
      }
      return it->second;
    };
    for (std::size_t p = 0; p < paths.size(); ++p) {
      const double c = paths.conversions()[p], u = paths.nulls()[p];
      const double w = c + u;
      if (!(w > 0.0)) continue;
      window.clear();
      std::int32_t prev = 0, last_channel = -1;
      for (auto ch : paths.path(p)) {
        if (repeats_ == Repeats::collapse && ch == last_channel) continue;
        last_channel = ch;
        if (static_cast<int>(window.size()) == order_) window.erase(window.begin());
        window.push_back(ch);
        const std::int32_t s = state_of(window);
        if (dense)
          dense_counts(prev, s) += w;
        else
          sparse_counts[(static_cast<std::uint64_t>(prev) << 32) | static_cast<std::uint32_t>(s)] += w;
        prev = s;
      }
      conv[prev] += c;
      nulls[prev] += u;
      value[prev] += paths.values()[p];
    }
    const std::size_t n = state_off_.size() - 1;
    grow(n);
    // CSR rows.
    std::vector<std::vector<std::pair<std::int32_t, double>>> rows(n);
    if (dense) {
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          if (const double c = dense_counts(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
              c > 0)
            rows[i].push_back({static_cast<std::int32_t>(j), c});
    } else {
      for (const auto& [key, cnt] : sparse_counts)
        rows[key >> 32].push_back({static_cast<std::int32_t>(key & 0xffffffffU), cnt});
      for (auto& r : rows) std::sort(r.begin(), r.end());
    }
    row_off_.assign(n + 1, 0);
    col_.clear();
    prob_.clear();
    p_conv_.assign(n, 0.0);
    p_null_.assign(n, 0.0);
    reward_.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double out = conv[i] + nulls[i];
      for (const auto& e : rows[i]) out += e.second;
      for (const auto& e : rows[i]) {
        col_.push_back(e.first);
        prob_.push_back(out > 0 ? e.second / out : 0.0);
      }
      row_off_[i + 1] = static_cast<std::int64_t>(col_.size());
      if (out > 0) {
        p_conv_[i] = conv[i] / out;
        p_null_[i] = nulls[i] / out;
        reward_[i] = value[i] / out;
      }
    }
  }

  // Mask of the states whose k-gram contains `seq` as consecutive channels.
  [[nodiscard]] std::vector<char> states_with(const std::vector<std::int32_t>& seq) const {
    std::vector<char> mask(n_states(), 0);
    for (std::size_t i = 1; i < n_states(); ++i) {
      const auto s = state(i);
      mask[i] = std::search(s.begin(), s.end(), seq.begin(), seq.end()) != s.end() ? 1 : 0;
    }
    return mask;
  }

  // (P(conversion), expected value) from the start with the masked states absorbing into null.
  [[nodiscard]] std::pair<double, double> solve_removed(const std::vector<char>& removed) const {
    const std::size_t n = n_states();
    std::vector<std::int32_t> idx(n, -1);
    std::int32_t m = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (removed.empty() || !removed[i]) idx[i] = m++;
    Matrix rhs(m, 2);
    for (std::size_t i = 0; i < n; ++i)
      if (idx[i] >= 0) {
        rhs(idx[i], 0) = p_conv_[i];
        rhs(idx[i], 1) = reward_[i];
      }
    Eigen::MatrixXd x;
    if (static_cast<std::size_t>(m) <= dense_limit) {
      Eigen::MatrixXd a = Eigen::MatrixXd::Identity(m, m);
      for (std::size_t i = 0; i < n; ++i) {
        if (idx[i] < 0) continue;
        for (auto k = row_off_[i]; k < row_off_[i + 1]; ++k)
          if (idx[col_[k]] >= 0) a(idx[i], idx[col_[k]]) -= prob_[k];
      }
      x = a.partialPivLu().solve(Eigen::MatrixXd(rhs));
    } else {
      std::vector<Eigen::Triplet<double>> trip;
      trip.reserve(static_cast<std::size_t>(m) + col_.size());
      for (std::int32_t i = 0; i < m; ++i) trip.emplace_back(i, i, 1.0);
      for (std::size_t i = 0; i < n; ++i) {
        if (idx[i] < 0) continue;
        for (auto k = row_off_[i]; k < row_off_[i + 1]; ++k)
          if (idx[col_[k]] >= 0) trip.emplace_back(idx[i], idx[col_[k]], -prob_[k]);
      }
      Eigen::SparseMatrix<double, Eigen::RowMajor> a(m, m);
      a.setFromTriplets(trip.begin(), trip.end());
      a.makeCompressed();
      x = Eigen::MatrixXd::Zero(m, 2);
      // Direct sparse LU fills in badly on k-gram chains, so: BiCGSTAB, certified by the
      // a-posteriori bound |x - x_hat| <= max expected steps * |residual|_inf (I - Q is an
      // M-matrix, and removing states only shortens journeys), with sparse LU as the
      // fallback when the bound is not below 1e-12.
      Eigen::BiCGSTAB<Eigen::SparseMatrix<double, Eigen::RowMajor>, Eigen::DiagonalPreconditioner<double>> it;
      bool certified = std::isfinite(steps_bound_) && steps_bound_ < 1e9;
      if (certified) {
        it.setTolerance(1e-15);
        it.setMaxIterations(
            std::clamp<Eigen::Index>(4 * static_cast<Eigen::Index>(steps_bound_), 2000, 20000));
        it.compute(a);
      }
      for (int j = 0; j < (has_values_ ? 2 : 1) && certified; ++j) {
        const Eigen::VectorXd b = rhs.col(j);
        if (b.lpNorm<Eigen::Infinity>() == 0.0) continue;
        Eigen::VectorXd xj = it.solve(b);
        const double res = (b - a * xj).lpNorm<Eigen::Infinity>();
        certified =
            std::isfinite(res) && steps_bound_ * res <= 1e-12 * std::max(1.0, b.lpNorm<Eigen::Infinity>());
        x.col(j) = xj;
      }
      if (!certified) {
        Eigen::SparseMatrix<double> ac(a);
        Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu;
        lu.compute(ac);
        if (lu.info() != Eigen::Success)
          fail(Errc::internal, "sparse LU of the removal chain failed: ", lu.lastErrorMessage());
        x = lu.solve(Eigen::MatrixXd(rhs));
      }
    }
    return {x(0, 0), x(0, 1)};
  }

  [[nodiscard]] std::pair<std::vector<double>, std::vector<double>> removal_effects_of(
      const std::vector<std::vector<char>>& sets, int threads, const Progress& progress) const {
    std::vector<double> conv(sets.size(), 0.0), val(sets.size(), 0.0);
    parallel_for(
        sets.size(), threads,
        [&](std::size_t q) {
          const auto r = solve_removed(sets[q]);
          conv[q] = clamp01(1.0 - r.first / base_.first);
          val[q] = base_.second > 0.0 ? clamp01(1.0 - r.second / base_.second) : 0.0;
        },
        progress);
    return {std::move(conv), std::move(val)};
  }

  // An upper bound on the expected number of steps to absorption from any state,
  // max_i (N 1)_i, from an iterative solve t of (I - Q) t = 1 and its residual r:
  // t_true = t + N r, so max t_true <= max t / (1 - |r|_inf).  Small chains need none.
  [[nodiscard]] double max_expected_steps() const {
    const std::size_t n = n_states();
    if (n <= dense_limit) return 0.0;
    std::vector<Eigen::Triplet<double>> trip;
    trip.reserve(n + col_.size());
    for (std::size_t i = 0; i < n; ++i) trip.emplace_back(i, i, 1.0);
    for (std::size_t i = 0; i < n; ++i)
      for (auto k = row_off_[i]; k < row_off_[i + 1]; ++k) trip.emplace_back(i, col_[k], -prob_[k]);
    Eigen::SparseMatrix<double, Eigen::RowMajor> a(static_cast<Eigen::Index>(n),
                                                   static_cast<Eigen::Index>(n));
    a.setFromTriplets(trip.begin(), trip.end());
    Eigen::BiCGSTAB<Eigen::SparseMatrix<double, Eigen::RowMajor>, Eigen::DiagonalPreconditioner<double>> it;
    it.setTolerance(1e-14);
    it.setMaxIterations(5000);
    it.compute(a);
    const Eigen::VectorXd one = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));
    const Eigen::VectorXd t = it.solve(one);
    const double r = (one - a * t).lpNorm<Eigen::Infinity>();
    if (!(std::isfinite(r) && r < 0.5)) return std::numeric_limits<double>::infinity();  // forces sparse LU
    return t.lpNorm<Eigen::Infinity>() / (1.0 - r);
  }

  // Removing states can only lower the probabilities; clamp rounding noise of ~1e-16.
  static double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

  Labels channels_;
  std::string sep_ = ">";
  int order_ = 1;
  Repeats repeats_ = Repeats::collapse;
  bool has_values_ = false;
  double total_conversions_ = 0, total_value_ = 0;
  std::vector<std::int32_t> state_seq_;
  std::vector<std::int64_t> state_off_{0, 0};
  std::vector<std::int64_t> row_off_;
  std::vector<std::int32_t> col_;
  std::vector<double> prob_, p_conv_, p_null_, reward_;
  std::pair<double, double> base_{0, 0};
  double steps_bound_ = 0.0;
  std::vector<double> removal_effects_, value_removal_effects_;
};

FUNNELNET_END
