// Markov attribution (declared in funnelnet/attribution/markov.hpp): the chain of the
// journeys, and removal effects as masked chains on the Markov engine.
#include "funnelnet/attribution/markov.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/threads.hpp"
#include "funnelnet/markov/solver.hpp"

FUNNELNET_BEGIN

namespace {
// Removing states can only lower the probabilities; clamp rounding noise of ~1e-16.
double clamp01(double v) {
  return std::min(1.0, std::max(0.0, v));
}

// std::upper_bound(first, first + n, u) for n >= 1, without branches on the data: the
// comparisons of a random walk are unpredictable, so a conditional move beats a branch.
// Same index as std::upper_bound (the first element > u, or first + n).
inline const double* upper_bound_branchless(const double* first, std::size_t n, double u) noexcept {
  while (n > 1) {
    const std::size_t half = n / 2;
    first = first[half - 1] <= u ? first + half : first;
    n -= half;
  }
  return first + (*first <= u ? 1 : 0);
}
}  // namespace

MarkovAttribution MarkovAttribution::fit(const PathSet& paths, const MarkovOptions& options) {
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
  // Certifies the iterative solves of chains above dense_limit (small ones need none).
  m.steps_bound_ = m.n_states() <= dense_limit ? 0.0 : markov::expected_steps_bound(*m.q_);
  m.base_ = m.solve_removed({});
  std::vector<std::vector<char>> sets(m.channels_.size());
  for (std::size_t c = 0; c < sets.size(); ++c)
    sets[c] = m.states_with(std::vector<std::int32_t>{static_cast<std::int32_t>(c)});
  auto re = m.removal_effects_of(sets, options.threads, options.progress);
  m.removal_effects_ = std::move(re.first);
  m.value_removal_effects_ = std::move(re.second);
  return m;
}

std::string MarkovAttribution::state_name(std::size_t i) const {
  if (i == 0) return "(start)";
  std::string s;
  for (auto c : state(i)) {
    if (!s.empty()) s += sep_;
    s += channels_.name(static_cast<std::size_t>(c));
  }
  return s;
}

std::pair<std::vector<double>, std::vector<double>> MarkovAttribution::sequence_removal_effects(
    std::span<const std::int64_t> offsets, std::span<const std::int32_t> seq, int threads,
    const Progress& progress) const {
  if (offsets.size() < 2) fail(Errc::empty_input, "no sequences given (offsets needs n + 1 entries)");
  if (offsets[0] != 0) fail(Errc::invalid_argument, "offsets[0] must be 0, got ", offsets[0]);
  if (offsets.back() != static_cast<std::int64_t>(seq.size()))
    fail(Errc::shape_mismatch, "offsets end at ", offsets.back(), " but there are ", seq.size(), " channels");
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

std::vector<double> MarkovAttribution::journey_shares(const PathSet& paths) const {
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

std::vector<MarkovTransition> MarkovAttribution::transitions() const {
  std::vector<MarkovTransition> t;
  if (!q_) return t;
  for (std::size_t i = 0; i < n_states(); ++i) {
    for (markov::SparseRowMatrix::InnerIterator e(*q_, static_cast<Eigen::Index>(i)); e; ++e)
      t.push_back({static_cast<std::int32_t>(i), static_cast<std::int32_t>(e.index()), e.value()});
    if (p_conv_[i] > 0) t.push_back({static_cast<std::int32_t>(i), kConversion, p_conv_[i]});
    if (p_null_[i] > 0) t.push_back({static_cast<std::int32_t>(i), kNull, p_null_[i]});
  }
  return t;
}

SimulationResult MarkovAttribution::simulate(std::uint64_t n_journeys, std::uint64_t seed, int threads,
                                             const Progress& progress, std::size_t max_steps) const {
  if (n_journeys < 2) fail(Errc::invalid_argument, "n_journeys must be >= 2, got ", n_journeys);
  if (!q_) fail(Errc::invalid_argument, "the model is not fitted");
  const std::size_t n_tasks = static_cast<std::size_t>(std::min<std::uint64_t>(64, n_journeys));
  const std::size_t nc = channels_.size();
  // Cumulative probabilities per row; targets >= 0 are states, then conversion, null.
  std::vector<double> cum;
  std::vector<std::int32_t> target;
  std::vector<std::int64_t> off(n_states() + 1, 0);
  for (std::size_t i = 0; i < n_states(); ++i) {
    double c = 0.0;
    for (markov::SparseRowMatrix::InnerIterator e(*q_, static_cast<Eigen::Index>(i)); e; ++e) {
      c += e.value();
      cum.push_back(c);
      target.push_back(static_cast<std::int32_t>(e.index()));
    }
    c += p_conv_[i];
    cum.push_back(c);
    target.push_back(kConversion);
    cum.push_back(2.0);  // null takes the rest (and rounding)
    target.push_back(kNull);
    off[i + 1] = static_cast<std::int64_t>(cum.size());
  }
  // The channel a journey touches on entering state s (the last of its k-gram).
  std::vector<std::int32_t> last_channel(n_states(), 0);
  for (std::size_t i = 1; i < n_states(); ++i) last_channel[i] = state(i).back();
  struct Task {
    std::uint64_t n = 0, conv = 0;
    std::vector<std::uint64_t> touched;
  };
  std::vector<Task> tasks(n_tasks);
  // threads = 0: from the work, a journey taken as about 8 steps (a draw and a short row scan).
  const auto used = static_cast<int>(resolve_threads(threads, n_journeys * 8, step_grain));
  parallel_for(
      n_tasks, used,
      [&](std::size_t t) {
        Task& r = tasks[t];
        r.n = n_journeys / n_tasks + (t < n_journeys % n_tasks ? 1 : 0);
        r.touched.assign(nc, 0);
        std::vector<std::uint64_t> seen_buf(nc, 0);
        // Raw pointers: the walk's loads must not be re-read through the captured vectors.
        std::uint64_t* const seen = seen_buf.data();
        const double* const cum_p = cum.data();
        const std::int64_t* const off_p = off.data();
        const std::int32_t* const target_p = target.data();
        const std::int32_t* const last_p = last_channel.data();
        Rng rng = stream(seed, t);
        for (std::uint64_t j = 1; j <= r.n; ++j) {
          if ((j & 0xfff) == 0 && task_should_stop()) return;  // cancelled: result discarded
          std::int32_t s = 0;
          bool converted = false;
          for (std::size_t step = 0; step < max_steps; ++step) {
            const double u = rng.uniform();
            const double* lo = cum_p + off_p[s];
            const double* hi = cum_p + off_p[s + 1];
            // The null entry (last, 2.0) is never searched: u < 1 stops at it at the latest.
            const auto k = static_cast<std::size_t>(
                upper_bound_branchless(lo, static_cast<std::size_t>(hi - 1 - lo), u) - cum_p);
            const std::int32_t next = target_p[k];
            if (next == kConversion) {
              converted = true;
              break;
            }
            if (next == kNull) break;
            s = next;
            seen[static_cast<std::size_t>(last_p[static_cast<std::size_t>(s)])] = j;
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

void MarkovAttribution::build(const PathSet& paths) {
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
  // Order 1 on the dense table: state = channel + 1, no k-gram window; the same additions
  // in the same order as the general loop below, so the same counts to the last bit.
  const bool direct = dense && order_ == 1;
  if (direct) {
    const auto& touches = paths.touches();
    const auto& offsets = paths.offsets();
    const double* const cv = paths.conversions().data();
    const double* const nl = paths.nulls().data();
    const double* const vl = paths.values().data();
    double* const table = dense_counts.data();  // row-major
    const auto stride = static_cast<std::size_t>(dense_counts.cols());
    const bool collapse = repeats_ == Repeats::collapse;
    for (std::size_t p = 0; p < paths.size(); ++p) {
      const double c = cv[p], u = nl[p];
      const double w = c + u;
      if (!(w > 0.0)) continue;
      std::size_t prev = 0;
      std::int32_t last_channel = -1;
      for (auto k = offsets[p]; k < offsets[p + 1]; ++k) {
        const std::int32_t ch = touches[static_cast<std::size_t>(k)];
        if (collapse && ch == last_channel) continue;
        last_channel = ch;
        const auto s = static_cast<std::size_t>(ch) + 1;
        table[prev * stride + s] += w;
        prev = s;
      }
      conv[prev] += c;
      nulls[prev] += u;
      value[prev] += vl[p];
    }
  }
  for (std::size_t p = 0; !direct && p < paths.size(); ++p) {
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
        if (const double c = dense_counts(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)); c > 0)
          rows[i].push_back({static_cast<std::int32_t>(j), c});
  } else {
    for (const auto& [key, cnt] : sparse_counts)
      rows[key >> 32].push_back({static_cast<std::int32_t>(key & 0xffffffffU), cnt});
    for (auto& r : rows) std::sort(r.begin(), r.end());
  }
  std::vector<int> row_off(n + 1, 0), col;
  std::vector<double> prob;
  p_conv_.assign(n, 0.0);
  p_null_.assign(n, 0.0);
  reward_.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double out = conv[i] + nulls[i];
    for (const auto& e : rows[i]) out += e.second;
    for (const auto& e : rows[i]) {
      col.push_back(e.first);
      prob.push_back(out > 0 ? e.second / out : 0.0);
    }
    row_off[i + 1] = static_cast<int>(col.size());
    if (out > 0) {
      p_conv_[i] = conv[i] / out;
      p_null_[i] = nulls[i] / out;
      reward_[i] = value[i] / out;
    }
  }
  const auto ni = static_cast<Eigen::Index>(n);
  q_ = std::make_shared<const markov::SparseRowMatrix>(Eigen::Map<const markov::SparseRowMatrix>(
      ni, ni, static_cast<Eigen::Index>(col.size()), row_off.data(), col.data(), prob.data()));
}

std::vector<char> MarkovAttribution::states_with(const std::vector<std::int32_t>& seq) const {
  std::vector<char> mask(n_states(), 0);
  for (std::size_t i = 1; i < n_states(); ++i) {
    const auto s = state(i);
    mask[i] = std::search(s.begin(), s.end(), seq.begin(), seq.end()) != s.end() ? 1 : 0;
  }
  return mask;
}

std::pair<double, double> MarkovAttribution::solve_removed(const std::vector<char>& removed) const {
  // The masked chain: removed states absorb into null (worth 0); the rest solve
  // (I - Q_UU) x = [p_conv, reward]_U with the engine's shared solver.
  const auto n = static_cast<Eigen::Index>(n_states());
  Matrix r(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) {
    r(i, 0) = p_conv_[static_cast<std::size_t>(i)];
    r(i, 1) = reward_[static_cast<std::size_t>(i)];
  }
  markov::SolverOptions o;
  o.method = markov::Method::iterative;
  o.dense_limit = dense_limit;
  o.steps_bound = steps_bound_;
  o.tolerance = 1e-12;
  const Matrix x = markov::solve_masked(*q_, r, removed, o);
  return {x(0, 0), x(0, 1)};
}

std::pair<std::vector<double>, std::vector<double>> MarkovAttribution::removal_effects_of(
    const std::vector<std::vector<char>>& sets, int threads, const Progress& progress) const {
  std::vector<double> conv(sets.size(), 0.0), val(sets.size(), 0.0);
  // threads = 0: from the work, each solve taken as 32 sweeps over the transient block.
  const auto work = static_cast<std::uint64_t>(sets.size()) *
                    (static_cast<std::uint64_t>(q_ ? q_->nonZeros() : 0) + n_states()) * 32;
  parallel_for(
      sets.size(), static_cast<int>(resolve_threads(threads, work, step_grain)),
      [&](std::size_t q) {
        const auto r = solve_removed(sets[q]);
        conv[q] = clamp01(1.0 - r.first / base_.first);
        val[q] = base_.second > 0.0 ? clamp01(1.0 - r.second / base_.second) : 0.0;
      },
      progress);
  return {std::move(conv), std::move(val)};
}

FUNNELNET_END

FUNNELNET_BEGIN

MarkovAttributionState MarkovAttribution::to_state() const {
  MarkovAttributionState s;
  s.channels = channels_.names();
  s.sep = sep_;
  s.order = order_;
  s.repeats = repeats_;
  s.has_values = has_values_;
  s.total_conversions = total_conversions_;
  s.total_value = total_value_;
  s.state_seq = state_seq_;
  s.state_off = state_off_;
  const std::size_t n = n_states();
  s.q_offsets.assign(n + 1, 0);
  if (q_) {
    for (std::size_t i = 0; i < n; ++i) {
      for (markov::SparseRowMatrix::InnerIterator it(*q_, static_cast<Eigen::Index>(i)); it; ++it) {
        s.q_col.push_back(static_cast<std::int32_t>(it.col()));
        s.q_value.push_back(it.value());
      }
      s.q_offsets[i + 1] = static_cast<std::int64_t>(s.q_col.size());
    }
  }
  s.p_conv = p_conv_;
  s.p_null = p_null_;
  s.reward = reward_;
  s.removal_effects = removal_effects_;
  s.value_removal_effects = value_removal_effects_;
  return s;
}

MarkovAttribution MarkovAttribution::from_state(const MarkovAttributionState& s) {
  MarkovAttribution m;
  m.channels_ = Labels(s.channels, "channel");
  const std::size_t nc = m.channels_.size();
  if (nc == 0) fail(Errc::invalid_argument, "channels: a fitted model has at least one channel");
  if (s.order < 1) fail(Errc::invalid_argument, "order must be >= 1, got ", s.order);
  if (s.repeats != Repeats::keep && s.repeats != Repeats::collapse)
    fail(Errc::invalid_argument, "repeats must be keep (0) or collapse (1), got ",
         static_cast<int>(s.repeats));
  if (!(std::isfinite(s.total_conversions) && s.total_conversions > 0.0))
    fail(Errc::invalid_argument, "total_conversions must be finite and > 0, got ", s.total_conversions);
  if (!(std::isfinite(s.total_value) && s.total_value >= 0.0))
    fail(Errc::invalid_argument, "total_value must be finite and >= 0, got ", s.total_value);
  // States: state 0 is (start), with no channels; the others hold 1..order channels.
  if (s.state_off.size() < 2 || s.state_off.front() != 0 ||
      s.state_off.back() != static_cast<std::int64_t>(s.state_seq.size()))
    fail(Errc::invalid_argument, "state offsets must start at 0 and end at ", s.state_seq.size(),
         " (the length of the state channels)");
  const std::size_t n = s.state_off.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t len = s.state_off[i + 1] - s.state_off[i];
    if (i == 0 ? len != 0 : (len < 1 || len > s.order))
      fail(Errc::invalid_argument, "state ", i, " has ", len,
           " channels (the start state has none, the others 1 to ", s.order, ")");
  }
  for (std::size_t k = 0; k < s.state_seq.size(); ++k)
    if (s.state_seq[k] < 0 || static_cast<std::size_t>(s.state_seq[k]) >= nc)
      fail(Errc::out_of_range, "state channel ", k, " is ", s.state_seq[k], ", outside [0, ", nc, ")");
  auto per_state = [&](const std::vector<double>& v, const char* what) {
    if (v.size() != n) fail(Errc::shape_mismatch, what, " has ", v.size(), " entries for ", n, " states");
  };
  per_state(s.p_conv, "p_conv");
  per_state(s.p_null, "p_null");
  per_state(s.reward, "reward");
  if (s.q_offsets.size() != n + 1 || s.q_offsets.front() != 0 ||
      s.q_offsets.back() != static_cast<std::int64_t>(s.q_col.size()) || s.q_value.size() != s.q_col.size())
    fail(Errc::shape_mismatch, "transient block: offsets must be ", n + 1, " entries from 0 to the ",
         s.q_col.size(), " entries, with one probability per entry");
  for (std::size_t i = 0; i < n; ++i) {
    if (s.q_offsets[i + 1] < s.q_offsets[i])
      fail(Errc::invalid_argument, "transient block: offsets decrease at state ", i);
    double sum = s.p_conv[i] + s.p_null[i];
    for (auto e = s.q_offsets[i]; e < s.q_offsets[i + 1]; ++e) {
      const auto k = static_cast<std::size_t>(e);
      if (s.q_col[k] < 0 || static_cast<std::size_t>(s.q_col[k]) >= n ||
          (e > s.q_offsets[i] && s.q_col[k] <= s.q_col[k - 1]))
        fail(Errc::invalid_argument, "transient block: state ", i, " has target ", s.q_col[k],
             " (targets must be ascending state indices below ", n, ")");
      if (!(s.q_value[k] >= 0.0 && s.q_value[k] <= 1.0))
        fail(Errc::invalid_argument, "transient block: probability ", i, " -> ", s.q_col[k], " is ",
             s.q_value[k], ", outside [0, 1]");
      sum += s.q_value[k];
    }
    for (double v : {s.p_conv[i], s.p_null[i]})
      if (!(v >= 0.0 && v <= 1.0))
        fail(Errc::invalid_argument, "exit probability of state ", i, " is ", v, ", outside [0, 1]");
    if (!std::isfinite(s.reward[i]) || s.reward[i] < 0.0)
      fail(Errc::invalid_argument, "reward of state ", i, " must be finite and >= 0, got ", s.reward[i]);
    if (std::abs(sum - 1.0) > 1e-9 && sum != 0.0)
      fail(Errc::invalid_argument, "state ", i, ": transitions and exits sum to ", sum, ", not 1");
  }
  for (const auto* v : {&s.removal_effects, &s.value_removal_effects}) {
    if (v->size() != nc)
      fail(Errc::shape_mismatch, "removal effects have ", v->size(), " entries for ", nc, " channels");
    for (std::size_t c = 0; c < nc; ++c)
      if (!std::isfinite((*v)[c]))
        fail(Errc::invalid_argument, "removal effect of channel '", s.channels[c], "' is not finite");
  }
  m.sep_ = s.sep;
  m.order_ = s.order;
  m.repeats_ = s.repeats;
  m.has_values_ = s.has_values;
  m.total_conversions_ = s.total_conversions;
  m.total_value_ = s.total_value;
  m.state_seq_ = s.state_seq;
  m.state_off_ = s.state_off;
  std::vector<int> row_off(s.q_offsets.begin(), s.q_offsets.end());
  std::vector<int> col(s.q_col.begin(), s.q_col.end());
  std::vector<double> prob = s.q_value;
  const auto ni = static_cast<Eigen::Index>(n);
  m.q_ = std::make_shared<const markov::SparseRowMatrix>(Eigen::Map<const markov::SparseRowMatrix>(
      ni, ni, static_cast<Eigen::Index>(col.size()), row_off.data(), col.data(), prob.data()));
  m.p_conv_ = s.p_conv;
  m.p_null_ = s.p_null;
  m.reward_ = s.reward;
  m.steps_bound_ = m.n_states() <= dense_limit ? 0.0 : markov::expected_steps_bound(*m.q_);
  m.base_ = m.solve_removed({});
  m.removal_effects_ = s.removal_effects;
  m.value_removal_effects_ = s.value_removal_effects;
  return m;
}

FUNNELNET_END
