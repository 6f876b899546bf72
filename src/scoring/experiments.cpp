// Lead-scoring experiments (see funnelnet/scoring/experiments.hpp).
#include "funnelnet/scoring/experiments.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <utility>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/threads.hpp"
#include "funnelnet/scoring/metrics.hpp"

FUNNELNET_BEGIN

namespace detail {

namespace {

// numpy.random.SeedSequence(seed).generate_state(8, uint32) (pool size 4, no spawn key).
std::array<std::uint32_t, 8> seed_sequence_state(std::uint64_t seed) noexcept {
  std::uint32_t entropy[2];
  std::size_t n_entropy = 0;
  if (seed == 0) entropy[n_entropy++] = 0;
  while (seed > 0) {
    entropy[n_entropy++] = static_cast<std::uint32_t>(seed & 0xffffffffU);
    seed >>= 32;
  }
  std::uint32_t hash_a = 0x43b0d7e5U;
  auto hashmix = [&hash_a](std::uint32_t v) {
    v ^= hash_a;
    hash_a *= 0x931e8875U;
    v *= hash_a;
    return v ^ (v >> 16);
  };
  auto mix = [](std::uint32_t x, std::uint32_t y) {
    std::uint32_t r = 0xca01f9ddU * x - 0x4973f715U * y;
    return r ^ (r >> 16);
  };
  std::uint32_t pool[4];
  for (std::size_t i = 0; i < 4; ++i) pool[i] = hashmix(i < n_entropy ? entropy[i] : 0U);
  for (std::size_t s = 0; s < 4; ++s)
    for (std::size_t d = 0; d < 4; ++d)
      if (s != d) pool[d] = mix(pool[d], hashmix(pool[s]));
  std::array<std::uint32_t, 8> out{};
  std::uint32_t hash_b = 0x8b51f9ddU;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint32_t v = pool[i % 4];
    v ^= hash_b;
    hash_b *= 0x58f38dedU;
    v *= hash_b;
    out[i] = v ^ (v >> 16);
  }
  return out;
}

constexpr __uint128_t pcg_multiplier =
    (static_cast<__uint128_t>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

}  // namespace

NumpyPcg64::NumpyPcg64(std::uint64_t seed) noexcept {
  const auto w = seed_sequence_state(seed);
  std::uint64_t v[4];
  for (std::size_t i = 0; i < 4; ++i) v[i] = std::uint64_t{w[2 * i]} | (std::uint64_t{w[2 * i + 1]} << 32);
  const __uint128_t initstate = (static_cast<__uint128_t>(v[0]) << 64) | v[1];
  const __uint128_t initseq = (static_cast<__uint128_t>(v[2]) << 64) | v[3];
  inc_ = (initseq << 1) | 1U;
  state_ = inc_;  // state 0, one step
  state_ += initstate;
  state_ = state_ * pcg_multiplier + inc_;
}

std::uint64_t NumpyPcg64::next64() noexcept {
  state_ = state_ * pcg_multiplier + inc_;
  const std::uint64_t x = static_cast<std::uint64_t>(state_ >> 64) ^ static_cast<std::uint64_t>(state_);
  const auto r = static_cast<unsigned>(state_ >> 122);
  return (x >> r) | (x << ((64U - r) & 63U));
}

std::uint32_t NumpyPcg64::next32() noexcept {
  if (has32_) {
    has32_ = false;
    return buf32_;
  }
  const std::uint64_t v = next64();
  has32_ = true;
  buf32_ = static_cast<std::uint32_t>(v >> 32);
  return static_cast<std::uint32_t>(v);
}

std::uint64_t NumpyPcg64::interval(std::uint64_t max) noexcept {
  if (max == 0) return 0;
  std::uint64_t mask = max;
  for (unsigned s = 1; s < 64; s *= 2) mask |= mask >> s;
  std::uint64_t v = 0;
  if (max <= 0xffffffffULL) {
    while ((v = (next32() & mask)) > max) {
    }
  } else {
    while ((v = (next64() & mask)) > max) {
    }
  }
  return v;
}

std::uint64_t NumpyPcg64::bounded(std::uint64_t max) noexcept {
  if (max == 0) return 0;
  if (max < 0xffffffffULL) {
    const auto excl = static_cast<std::uint32_t>(max + 1);
    std::uint64_t m = std::uint64_t{next32()} * excl;
    auto left = static_cast<std::uint32_t>(m);
    if (left < excl) {
      const std::uint32_t threshold = (0xffffffffU - static_cast<std::uint32_t>(max)) % excl;
      while (left < threshold) {
        m = std::uint64_t{next32()} * excl;
        left = static_cast<std::uint32_t>(m);
      }
    }
    return m >> 32;
  }
  if (max == 0xffffffffULL) return next32();
  if (max == std::numeric_limits<std::uint64_t>::max()) return next64();
  const std::uint64_t excl = max + 1;
  __uint128_t m = static_cast<__uint128_t>(next64()) * excl;
  auto left = static_cast<std::uint64_t>(m);
  if (left < excl) {
    const std::uint64_t threshold = (std::numeric_limits<std::uint64_t>::max() - max) % excl;
    while (left < threshold) {
      m = static_cast<__uint128_t>(next64()) * excl;
      left = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::vector<std::int64_t> NumpyPcg64::permutation(std::size_t n) {
  std::vector<std::int64_t> a(n);
  std::iota(a.begin(), a.end(), std::int64_t{0});
  for (std::size_t i = n; i-- > 1;) std::swap(a[i], a[static_cast<std::size_t>(interval(i))]);
  return a;
}

}  // namespace detail

namespace {

void check_folds(int folds) {
  if (folds < 2) fail(Errc::invalid_argument, "folds must be >= 2, got ", folds);
}

// Position r of n sorted rows -> its part in numpy.array_split(rows, parts).
std::int32_t part_of(std::size_t r, std::size_t n, std::size_t parts) {
  const std::size_t base = n / parts, extra = n % parts;  // the first `extra` parts hold base + 1
  const std::size_t long_rows = extra * (base + 1);
  return static_cast<std::int32_t>(r < long_rows ? r / (base + 1) : extra + (r - long_rows) / base);
}

// Midranks (1-based, ties averaged) of x.
std::vector<double> midranks(std::span<const double> x) {
  const std::size_t n = x.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && x[order[j + 1]] == x[order[i]]) ++j;
    const double rank = static_cast<double>(j + 1) - static_cast<double>(j - i) / 2.0;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

void check_pair(std::span<const double> y, std::span<const double> a, std::span<const double> b) {
  if (y.empty()) fail(Errc::empty_input, "no rows: y is empty");
  require_size(a.size(), y.size(), "score_a");
  require_size(b.size(), y.size(), "score_b");
}

}  // namespace

std::vector<std::int32_t> kfold_split(std::size_t n, int folds, std::uint64_t seed) {
  check_folds(folds);
  if (n < static_cast<std::size_t>(folds))
    fail(Errc::invalid_argument, n, " rows cannot make ", folds, " folds");
  detail::NumpyPcg64 rng(seed);
  const auto perm = rng.permutation(n);
  std::vector<std::int32_t> fold(n);
  for (std::size_t r = 0; r < n; ++r)
    fold[static_cast<std::size_t>(perm[r])] = part_of(r, n, static_cast<std::size_t>(folds));
  return fold;
}

std::vector<std::int32_t> group_kfold_split(std::span<const std::int64_t> groups, int folds,
                                            std::uint64_t seed) {
  check_folds(folds);
  const std::size_t n = groups.size();
  if (n == 0) fail(Errc::empty_input, "no rows: groups is empty");
  if (n < static_cast<std::size_t>(folds))
    fail(Errc::invalid_argument, n, " rows cannot make ", folds, " folds");
  std::vector<std::int64_t> uniq(groups.begin(), groups.end());
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  const std::size_t G = uniq.size();
  if (G < static_cast<std::size_t>(folds))
    fail(Errc::invalid_argument, G, " groups cannot make ", folds, " folds (every group stays in one fold)");
  detail::NumpyPcg64 rng(seed);
  const auto perm = rng.permutation(G);
  std::vector<std::int32_t> fold_of_group(G);
  for (std::size_t i = 0; i < G; ++i)
    fold_of_group[static_cast<std::size_t>(perm[i])] =
        static_cast<std::int32_t>(i % static_cast<std::size_t>(folds));
  std::vector<std::int32_t> fold(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = std::lower_bound(uniq.begin(), uniq.end(), groups[i]) - uniq.begin();
    fold[i] = fold_of_group[static_cast<std::size_t>(g)];
  }
  return fold;
}

std::vector<std::int32_t> time_split(std::span<const double> time, int folds) {
  check_folds(folds);
  const std::size_t n = time.size();
  if (n == 0) fail(Errc::empty_input, "no rows: time is empty");
  for (std::size_t i = 0; i < n; ++i)
    if (std::isnan(time[i])) fail(Errc::invalid_argument, "time[", i, "] is NaN");
  const auto blocks = static_cast<std::size_t>(folds) + 1;
  if (n < blocks)
    fail(Errc::invalid_argument, n, " rows cannot make ", folds, " time-ordered folds (", blocks,
         " blocks, the first only for training)");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  std::vector<std::int32_t> fold(n);
  for (std::size_t r = 0; r < n; ++r) fold[order[r]] = part_of(r, n, blocks) - 1;
  return fold;
}

DeLongTest delong_test(std::span<const double> y, std::span<const double> score_a,
                       std::span<const double> score_b) {
  check_pair(y, score_a, score_b);
  const std::size_t n = y.size();
  std::size_t m = 0;  // positives
  for (std::size_t i = 0; i < n; ++i) {
    if (!(y[i] == 0.0 || y[i] == 1.0)) fail(Errc::invalid_argument, "y[", i, "] must be 0 or 1, got ", y[i]);
    if (!std::isfinite(score_a[i]))
      fail(Errc::invalid_argument, "score_a[", i, "] must be finite, got ", score_a[i]);
    if (!std::isfinite(score_b[i]))
      fail(Errc::invalid_argument, "score_b[", i, "] must be finite, got ", score_b[i]);
    m += y[i] == 1.0 ? 1 : 0;
  }
  const std::size_t k = n - m;
  if (m < 2 || k < 2)
    fail(Errc::invalid_argument, "DeLong's test needs at least 2 rows of each class, got ", m, " positive, ",
         k, " negative");
  const double M = static_cast<double>(m), K = static_cast<double>(k);
  // Placement values: v10 (per positive) and v01 (per negative) of each score.
  std::vector<double> v10[2], v01[2];
  double auc[2];
  const std::span<const double> scores[2] = {score_a, score_b};
  for (int s = 0; s < 2; ++s) {
    std::vector<double> sp, sn;
    sp.reserve(m);
    sn.reserve(k);
    for (std::size_t i = 0; i < n; ++i) (y[i] == 1.0 ? sp : sn).push_back(scores[s][i]);
    const auto tx = midranks(sp), ty = midranks(sn), tz = midranks(scores[s]);
    double sum = 0.0;
    std::size_t ip = 0, in = 0;
    v10[s].resize(m);
    v01[s].resize(k);
    for (std::size_t i = 0; i < n; ++i) {
      if (y[i] == 1.0) {
        sum += tz[i];
        v10[s][ip] = (tz[i] - tx[ip]) / K;
        ++ip;
      } else {
        v01[s][in] = 1.0 - (tz[i] - ty[in]) / M;
        ++in;
      }
    }
    auc[s] = (sum - M * (M + 1.0) / 2.0) / (M * K);
  }
  auto cov = [](const std::vector<double>& u, const std::vector<double>& v) {
    const double nn = static_cast<double>(u.size());
    const double mu = std::accumulate(u.begin(), u.end(), 0.0) / nn;
    const double mv = std::accumulate(v.begin(), v.end(), 0.0) / nn;
    double c = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) c += (u[i] - mu) * (v[i] - mv);
    return c / (nn - 1.0);
  };
  DeLongTest t;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      t.covariance[2 * static_cast<std::size_t>(a) + static_cast<std::size_t>(b)] =
          cov(v10[a], v10[b]) / M + cov(v01[a], v01[b]) / K;
  const double var = t.covariance[0] + t.covariance[3] - 2.0 * t.covariance[1];
  t.auc_a = auc[0];
  t.auc_b = auc[1];
  t.difference = auc[0] - auc[1];
  t.std_error = std::sqrt(std::max(var, 0.0));
  t.z = t.std_error > 0.0     ? t.difference / t.std_error
        : t.difference == 0.0 ? 0.0
                              : std::copysign(std::numeric_limits<double>::infinity(), t.difference);
  t.p_value = 2.0 * normal_sf(std::abs(t.z));
  return t;
}

double student_t_sf(double t, int df) {
  if (df < 1) fail(Errc::invalid_argument, "df must be >= 1, got ", df);
  if (std::isnan(t)) fail(Errc::invalid_argument, "t is NaN");
  if (!std::isfinite(t)) return t > 0 ? 0.0 : 1.0;
  const double theta = std::atan2(t, std::sqrt(static_cast<double>(df)));
  const double s = std::sin(theta), c = std::cos(theta);
  double a = 0.0;
  if (df % 2 == 1) {
    double total = 0.0, term = c;
    if (df > 1) {
      total = term;
      for (int k = 3; k < df; k += 2) {
        term *= c * c * (k - 1) / k;
        total += term;
      }
    }
    a = (2.0 / std::numbers::pi) * (theta + s * total);
  } else {
    double total = 1.0, term = 1.0;
    for (int k = 2; k < df; k += 2) {
      term *= c * c * (k - 1) / k;
      total += term;
    }
    a = s * total;
  }
  return 0.5 * (1.0 - a);
}

CorrectedTTest corrected_t_test(std::span<const double> difference, double n_train, double n_test) {
  const std::size_t k = difference.size();
  if (k < 2) fail(Errc::invalid_argument, "the corrected t-test needs at least 2 folds, got ", k);
  for (std::size_t i = 0; i < k; ++i)
    if (!std::isfinite(difference[i]))
      fail(Errc::invalid_argument, "difference[", i, "] must be finite, got ", difference[i]);
  if (!(n_train > 0.0 && std::isfinite(n_train)))
    fail(Errc::invalid_argument, "n_train must be finite and > 0, got ", n_train);
  if (!(n_test > 0.0 && std::isfinite(n_test)))
    fail(Errc::invalid_argument, "n_test must be finite and > 0, got ", n_test);
  const double K = static_cast<double>(k);
  CorrectedTTest r;
  r.mean = std::accumulate(difference.begin(), difference.end(), 0.0) / K;
  double ss = 0.0;
  for (double d : difference) ss += (d - r.mean) * (d - r.mean);
  const double var = ss / (K - 1.0);
  r.std_error = std::sqrt((1.0 / K + n_test / n_train) * var);
  r.t = r.std_error > 0.0 ? r.mean / r.std_error : 0.0;
  r.df = static_cast<int>(k) - 1;
  r.p_value = 2.0 * student_t_sf(std::abs(r.t), r.df);
  return r;
}

PairedBootstrap paired_bootstrap_auc(std::span<const double> y, std::span<const double> score_a,
                                     std::span<const double> score_b, int replicates, double level,
                                     std::uint64_t seed, int threads) {
  check_pair(y, score_a, score_b);
  if (replicates < 1) fail(Errc::invalid_argument, "replicates must be >= 1, got ", replicates);
  if (!(level > 0.0 && level < 1.0)) fail(Errc::invalid_argument, "level must lie in (0, 1), got ", level);
  PairedBootstrap out;
  out.estimate = roc_auc(y, score_a) - roc_auc(y, score_b);  // validates labels and scores
  const std::size_t n = y.size();
  const auto R = static_cast<std::size_t>(replicates);
  out.replicates.assign(R, std::numeric_limits<double>::quiet_NaN());
  // The rows are drawn in one sequence (numpy's order), a chunk of replicates at a
  // time; each chunk's AUCs are computed in parallel (no draw depends on the threads).
  detail::NumpyPcg64 rng(seed);
  const std::size_t chunk = std::max<std::size_t>(1, std::min<std::size_t>(R, (std::size_t{1} << 24) / n));
  std::vector<std::uint32_t> rows;
  const bool wide = n > 0xffffffffULL;
  std::vector<std::uint64_t> wide_rows;
  for (std::size_t b0 = 0; b0 < R; b0 += chunk) {
    const std::size_t nb = std::min(chunk, R - b0);
    if (wide)
      wide_rows.resize(nb * n);
    else
      rows.resize(nb * n);
    for (std::size_t j = 0; j < nb * n; ++j) {
      const std::uint64_t i = rng.bounded(n - 1);
      if (wide)
        wide_rows[j] = i;
      else
        rows[j] = static_cast<std::uint32_t>(i);
    }
    parallel_for(nb, static_cast<int>(resolve_threads(threads, std::uint64_t{nb} * n, step_grain)),
                 [&](std::size_t j) {
                   std::vector<double> yb(n), ab(n), bb(n);
                   double pos = 0.0;
                   for (std::size_t r = 0; r < n; ++r) {
                     const auto i =
                         wide ? static_cast<std::size_t>(wide_rows[j * n + r]) : std::size_t{rows[j * n + r]};
                     yb[r] = y[i];
                     ab[r] = score_a[i];
                     bb[r] = score_b[i];
                     pos += yb[r];
                   }
                   if (pos > 0.0 && pos < static_cast<double>(n))
                     out.replicates[b0 + j] = roc_auc(yb, ab) - roc_auc(yb, bb);
                 });
  }
  const detail::ReplicateSummary sum = detail::summarize_replicates(out.replicates, level);
  out.dropped = sum.dropped;
  out.lower = sum.lower;
  out.upper = sum.upper;
  out.std_error = sum.std_error;
  return out;
}

FUNNELNET_END
