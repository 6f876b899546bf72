// The won-count and won-revenue distributions (declared in
// include/funnelnet/pipeline/distribution.hpp): divide-and-conquer products of the
// per-deal generating functions (1 - p) + p x^u, exact blocks at the leaves, direct
// convolution for small products and a radix-2 complex FFT above a crossover.
#include "funnelnet/pipeline/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <numeric>
#include <utility>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/threads.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {

using cplx = std::complex<double>;

/// A polynomial c[0] + c[1] x + ... shifted by x^offset (a pmf on offset + k).
struct Poly {
  std::int64_t offset = 0;
  std::vector<double> c{1.0};
};

/// Relative threshold below which FFT output is round-off: set to zero.
constexpr double kFftFloor = 1e-15;

/// Roots of unity exp(-2 pi i j / N), j < N/2, for the largest N used on this thread.
const std::vector<cplx>& roots(std::size_t n) {
  thread_local std::vector<cplx> table;
  if (table.size() < n / 2) {
    table.resize(n / 2);
    for (std::size_t j = 0; j < n / 2; ++j) {
      const double a = -2.0 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(n);
      table[j] = {std::cos(a), std::sin(a)};
    }
  }
  return table;
}

/// In-place iterative radix-2 FFT of (re, im) (size a power of two); the inverse
/// without the 1/n.  Plain real arithmetic (std::complex's operator* checks for
/// infinities on every product).
void fft(double* re, double* im, std::size_t n, bool inverse) {
  for (std::size_t i = 1, j = 0; i < n; ++i) {  // bit reversal
    std::size_t bit = n >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      std::swap(re[i], re[j]);
      std::swap(im[i], im[j]);
    }
  }
  const auto& w = roots(n);
  const std::size_t full = 2 * w.size();  // the N the table was built for
  const double sign = inverse ? -1.0 : 1.0;
  thread_local std::vector<double> wr, wi;
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::size_t half = len / 2;
    const std::size_t stride = full / len;
    wr.resize(half);
    wi.resize(half);
    for (std::size_t j = 0; j < half; ++j) {
      wr[j] = w[j * stride].real();
      wi[j] = sign * w[j * stride].imag();
    }
    for (std::size_t i = 0; i < n; i += len) {
      double* ar = re + i;
      double* ai = im + i;
      double* br = re + i + half;
      double* bi = im + i + half;
      for (std::size_t j = 0; j < half; ++j) {
        const double vr = br[j] * wr[j] - bi[j] * wi[j];
        const double vi = br[j] * wi[j] + bi[j] * wr[j];
        const double ur = ar[j];
        const double ui = ai[j];
        ar[j] = ur + vr;
        ai[j] = ui + vi;
        br[j] = ur - vr;
        bi[j] = ui - vi;
      }
    }
  }
}

/// Relative level below which the tails of an exact (direct) product are dropped: far
/// below anything a double sum to 1 can resolve, and it keeps the polynomials of large
/// blocks as short as their spread (about 9 standard deviations each side).
constexpr double kTailFloor = 1e-18;

/// Drop entries at both ends below `rel` times the peak (adjusting the offset).
void trim(Poly& p, double rel = kTailFloor) {
  double peak = 0.0;
  for (const double x : p.c) peak = std::max(peak, x);
  const double floor = std::max(rel * peak, std::numeric_limits<double>::min());
  std::size_t lo = 0;
  std::size_t hi = p.c.size();
  while (lo < hi && p.c[lo] < floor) ++lo;
  while (hi > lo && p.c[hi - 1] < floor) --hi;
  if (lo == hi) {  // cannot happen for a pmf; keep a valid polynomial
    p.c.assign(1, 0.0);
    return;
  }
  if (lo > 0 || hi < p.c.size()) {
    p.c.erase(p.c.begin() + static_cast<std::ptrdiff_t>(hi), p.c.end());
    p.c.erase(p.c.begin(), p.c.begin() + static_cast<std::ptrdiff_t>(lo));
    p.offset += static_cast<std::int64_t>(lo);
  }
}

/// Number of nonzero coefficients (a dilated polynomial is mostly zeros).
std::size_t nonzeros(const Poly& a) {
  return static_cast<std::size_t>(std::count_if(a.c.begin(), a.c.end(), [](double x) { return x != 0.0; }));
}

Poly multiply(const Poly& a, const Poly& b) {
  const std::size_t la = a.c.size();
  const std::size_t lb = b.c.size();
  const std::size_t lc = la + lb - 1;
  Poly r;
  r.offset = a.offset + b.offset;
  std::size_t n = 1;
  while (n < lc) n <<= 1;
  const std::size_t za = nonzeros(a);
  const std::size_t zb = nonzeros(b);
  // Direct: the one with fewer nonzeros outside (a dilated polynomial is sparse).
  const bool a_out = za * lb <= zb * la;
  const double direct_cost = a_out ? static_cast<double>(za) * static_cast<double>(lb)
                                   : static_cast<double>(zb) * static_cast<double>(la);
  const double fft_cost = 12.0 * static_cast<double>(n) * std::log2(static_cast<double>(n));
  if (std::min(za, zb) <= 64 || direct_cost <= fft_cost) {
    r.c.assign(lc, 0.0);
    const Poly& s = a_out ? a : b;
    const Poly& l = a_out ? b : a;
    for (std::size_t i = 0; i < s.c.size(); ++i) {
      const double x = s.c[i];
      if (x == 0.0) continue;
      double* out = r.c.data() + i;
      const double* in = l.c.data();
      for (std::size_t j = 0; j < l.c.size(); ++j) out[j] += x * in[j];
    }
    trim(r);
    return r;
  }
  // One complex FFT of a + i b gives both transforms: A_k = (Z_k + conj Z_{n-k}) / 2,
  // B_k = (Z_k - conj Z_{n-k}) / 2i.
  std::vector<double> zr(n, 0.0), zi(n, 0.0);
  std::copy(a.c.begin(), a.c.end(), zr.begin());
  std::copy(b.c.begin(), b.c.end(), zi.begin());
  fft(zr.data(), zi.data(), n, false);
  std::vector<double> pr(n), pi(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t m = (n - k) & (n - 1);
    const double ar = 0.5 * (zr[k] + zr[m]);
    const double ai = 0.5 * (zi[k] - zi[m]);
    const double br = 0.5 * (zi[k] + zi[m]);
    const double bi = -0.5 * (zr[k] - zr[m]);
    pr[k] = ar * br - ai * bi;
    pi[k] = ar * bi + ai * br;
  }
  fft(pr.data(), pi.data(), n, true);
  r.c.resize(lc);
  double peak = 0.0;
  const double scale = 1.0 / static_cast<double>(n);
  for (std::size_t i = 0; i < lc; ++i) {
    r.c[i] = pr[i] * scale;
    peak = std::max(peak, r.c[i]);
  }
  // Round-off of an FFT product is bounded by about eps * log2(n) * |a|_2 * |b|_2 (and
  // relative to the peak); entries below that bound (every negative one included) are
  // noise: set to zero, so the tails are trimmed where they sink into it.
  double na = 0.0, nb = 0.0;
  for (const double x : a.c) na += x * x;
  for (const double x : b.c) nb += x * x;
  const double bound =
      8.0 * std::numeric_limits<double>::epsilon() * std::log2(static_cast<double>(n)) * std::sqrt(na * nb);
  const double floor = std::max(kFftFloor * peak, bound);
  for (double& x : r.c)
    if (x < floor) x = 0.0;
  trim(r);
  return r;
}

/// Exact product of the deals [begin, end) by the recurrence q'[k] = q[k](1-p) + q[k-u] p.
Poly leaf(std::span<const double> p, std::span<const std::int64_t> units, std::size_t begin,
          std::size_t end) {
  Poly r;
  for (std::size_t i = begin; i < end; ++i) {
    const double pi = p[i];
    const std::int64_t u = units.empty() ? 1 : units[i];
    if (pi == 0.0 || u == 0) continue;
    if (pi == 1.0) {
      r.offset += u;
      continue;
    }
    const auto su = static_cast<std::size_t>(u);
    const std::size_t old = r.c.size();
    r.c.resize(old + su, 0.0);
    for (std::size_t k = old + su; k-- > 0;) {
      const double stay = k < old ? r.c[k] * (1.0 - pi) : 0.0;
      const double move = k >= su ? r.c[k - su] * pi : 0.0;
      r.c[k] = stay + move;
    }
    trim(r);
  }
  return r;
}

Poly product_units(std::span<const double> p, std::span<const std::int64_t> units, int threads);

Poly product(std::span<const double> p, std::span<const std::int64_t> units, int threads) {
  // threads = 0: from the work, a deal taken as 64 steps (its leaf product and its share
  // of the merges above); the grouped product below is lighter, so this bounds it.
  threads = static_cast<int>(resolve_threads(threads, std::uint64_t{64} * p.size(), step_grain));
  if (!units.empty()) return product_units(p, units, threads);
  const std::size_t n = p.size();
  // Leaves: consecutive deals up to 64 of them or 4096 cells of support.
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  {
    std::size_t start = 0;
    std::int64_t cells = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t u = units.empty() ? 1 : units[i];
      if (i > start && (i - start >= 64 || cells + u > 4096)) {
        blocks.emplace_back(start, i);
        start = i;
        cells = 0;
      }
      cells += u;
    }
    if (start < n) blocks.emplace_back(start, n);
  }
  if (blocks.empty()) return Poly{};
  std::vector<Poly> level(blocks.size());
  parallel_for(blocks.size(), threads,
               [&](std::size_t b) { level[b] = leaf(p, units, blocks[b].first, blocks[b].second); });
  while (level.size() > 1) {
    std::vector<Poly> next((level.size() + 1) / 2);
    parallel_for(next.size(), threads, [&](std::size_t k) {
      if (2 * k + 1 < level.size())
        next[k] = multiply(level[2 * k], level[2 * k + 1]);
      else
        next[k] = std::move(level[2 * k]);
    });
    level = std::move(next);
  }
  Poly r = std::move(level.front());
  const double mass = std::accumulate(r.c.begin(), r.c.end(), 0.0);
  for (double& x : r.c) x /= mass;
  return r;
}

/// The weighted product grouped by size: deals with the same number of cells u share
/// one Poisson-binomial count pmf q (exact, trimmed as above), whose generating function
/// in x^u is theirs: q dilated by u (nonzero only at multiples of u).  A group's trimmed
/// support is a few standard deviations of its count, not the sum of its cells, so the
/// polynomials left to multiply are far shorter than per-deal blocks would give; they are
/// then multiplied shortest first, in rounds of adjacent pairs (sorted by length, ties by
/// unit), the sparse ones directly.  The order depends on the data only, never on threads.
Poly product_units(std::span<const double> p, std::span<const std::int64_t> units, int threads) {
  const std::size_t n = p.size();
  std::vector<std::size_t> order;
  order.reserve(n);
  std::int64_t sure = 0;  // cells of deals won with certainty
  for (std::size_t i = 0; i < n; ++i) {
    if (units[i] == 0 || p[i] == 0.0) continue;
    if (p[i] == 1.0) {
      sure += units[i];
      continue;
    }
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return units[a] < units[b]; });
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) in order
  for (std::size_t s = 0; s < order.size();) {
    std::size_t e = s + 1;
    while (e < order.size() && units[order[e]] == units[order[s]]) ++e;
    groups.emplace_back(s, e);
    s = e;
  }
  std::vector<double> sorted_p(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) sorted_p[k] = p[order[k]];
  std::vector<Poly> level(groups.size());
  parallel_for(groups.size(), threads, [&](std::size_t g) {
    const auto [s, e] = groups[g];
    const auto u = static_cast<std::size_t>(units[order[s]]);
    Poly q = product(std::span<const double>(sorted_p).subspan(s, e - s), {}, 1);
    Poly& d = level[g];
    d.offset = q.offset * static_cast<std::int64_t>(u);
    d.c.assign((q.c.size() - 1) * u + 1, 0.0);
    for (std::size_t j = 0; j < q.c.size(); ++j) d.c[j * u] = q.c[j];
  });
  Poly r;
  if (!level.empty()) {
    while (level.size() > 1) {
      std::stable_sort(level.begin(), level.end(),
                       [](const Poly& a, const Poly& b) { return a.c.size() < b.c.size(); });
      std::vector<Poly> next((level.size() + 1) / 2);
      parallel_for(next.size(), threads, [&](std::size_t k) {
        if (2 * k + 1 < level.size())
          next[k] = multiply(level[2 * k], level[2 * k + 1]);
        else
          next[k] = std::move(level[2 * k]);
      });
      level = std::move(next);
    }
    r = std::move(level.front());
  }
  r.offset += sure;
  const double mass = std::accumulate(r.c.begin(), r.c.end(), 0.0);
  for (double& x : r.c) x /= mass;
  return r;
}

/// The full pmf on 0 .. sum(units).
std::vector<double> product_pmf(std::span<const double> p, std::span<const std::int64_t> units, int threads) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < p.size(); ++i) total += units.empty() ? 1 : units[i];
  const Poly r = product(p, units, threads);
  std::vector<double> out(static_cast<std::size_t>(total) + 1, 0.0);
  std::copy(r.c.begin(), r.c.end(), out.begin() + static_cast<std::ptrdiff_t>(r.offset));
  return out;
}

void check_units(std::span<const std::int64_t> units) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i] < 0) fail(Errc::invalid_argument, "units of deal ", i, " must be >= 0, got ", units[i]);
    total += units[i];
    if (total > (std::int64_t{1} << 40))
      fail(Errc::invalid_argument, "the grid has more than 2^40 cells (", total, " after deal ", i,
           "): choose a coarser grid");
  }
}

void check_probabilities(std::span<const double> p) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      fail(Errc::invalid_argument, "probability of deal ", i, " must be in [0, 1], got ", p[i]);
}

}  // namespace
}  // namespace detail

std::vector<double> poisson_binomial_pmf(std::span<const double> p, int threads) {
  detail::check_probabilities(p);
  return detail::product_pmf(p, {}, threads);
}

std::vector<double> weighted_bernoulli_pmf(std::span<const double> p, std::span<const std::int64_t> units,
                                           int threads) {
  require_size(units.size(), p.size(), "units");
  detail::check_probabilities(p);
  detail::check_units(units);
  std::int64_t total = 0;
  for (const auto u : units) total += u;
  if (total > (std::int64_t{1} << 31))
    fail(Errc::invalid_argument, "the full pmf would have ", total + 1,
         " entries: use won_revenue_distribution (trimmed) or a coarser grid");
  return detail::product_pmf(p, units, threads);
}

// ---------------------------------------------------------------- LatticeDistribution

LatticeDistribution::LatticeDistribution(std::vector<double> pmf, double resolution, double offset)
    : pmf_(std::move(pmf)), resolution_(resolution), offset_(offset) {
  if (pmf_.empty()) fail(Errc::empty_input, "a distribution needs at least one point");
  if (!(resolution_ > 0.0) || !std::isfinite(resolution_))
    fail(Errc::invalid_argument, "resolution must be finite and > 0, got ", resolution_);
  if (!std::isfinite(offset_)) fail(Errc::invalid_argument, "offset must be finite, got ", offset_);
  double s = 0.0;
  for (std::size_t k = 0; k < pmf_.size(); ++k) {
    if (!(pmf_[k] >= 0.0) || !std::isfinite(pmf_[k]))
      fail(Errc::invalid_argument, "pmf[", k, "] must be finite and >= 0, got ", pmf_[k]);
    s += pmf_[k];
  }
  if (std::abs(s - 1.0) > 1e-9) fail(Errc::invalid_argument, "pmf must sum to 1, sums to ", s);
  cdf_.resize(pmf_.size());
  double c = 0.0;
  for (std::size_t k = 0; k < pmf_.size(); ++k) cdf_[k] = (c += pmf_[k]);
}

double LatticeDistribution::mean() const {
  double m = 0.0;
  for (std::size_t k = 0; k < pmf_.size(); ++k) m += pmf_[k] * static_cast<double>(k);
  return offset_ + resolution_ * m;
}

double LatticeDistribution::variance() const {
  double m = 0.0;
  for (std::size_t k = 0; k < pmf_.size(); ++k) m += pmf_[k] * static_cast<double>(k);
  double v = 0.0;
  for (std::size_t k = 0; k < pmf_.size(); ++k)
    v += pmf_[k] * (static_cast<double>(k) - m) * (static_cast<double>(k) - m);
  return v * resolution_ * resolution_;
}

double LatticeDistribution::quantile(double q) const {
  if (!(q >= 0.0 && q <= 1.0)) fail(Errc::invalid_argument, "quantile level must be in [0, 1], got ", q);
  std::size_t k = 0;
  if (q <= 0.0) {
    while (k + 1 < pmf_.size() && pmf_[k] <= 0.0) ++k;
    return value(k);
  }
  const double total = cdf_.back();
  k = static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), q * total * (1.0 - 1e-12)) -
                               cdf_.begin());
  return value(std::min(k, pmf_.size() - 1));
}

double LatticeDistribution::prob_at_least(double target) const {
  if (!(target >= 0.0)) fail(Errc::invalid_argument, "target must be >= 0, got ", target);
  const double pos = (target - offset_) / resolution_;
  const double k0 = std::ceil(pos - 1e-9);
  if (k0 <= 0.0) return 1.0;
  if (k0 >= static_cast<double>(pmf_.size())) return 0.0;
  double s = 0.0;  // summed from the tail: small tail probabilities keep their digits
  for (std::size_t k = pmf_.size(); k-- > static_cast<std::size_t>(k0);) s += pmf_[k];
  return std::min(s, 1.0);
}

double LatticeDistribution::expected_shortfall(double target) const {
  if (!(target >= 0.0)) fail(Errc::invalid_argument, "target must be >= 0, got ", target);
  double s = 0.0;
  for (std::size_t k = 0; k < pmf_.size(); ++k) {
    const double x = value(k);
    if (x >= target) break;
    s += (target - x) * pmf_[k];
  }
  return s;
}

// ---------------------------------------------------------------- grids

void check_amounts(std::span<const double> amount) {
  for (std::size_t i = 0; i < amount.size(); ++i)
    if (!(amount[i] >= 0.0) || !std::isfinite(amount[i]))
      fail(Errc::invalid_argument, "amount of deal ", i, " must be finite and >= 0, got ", amount[i]);
}

std::vector<std::int64_t> amounts_to_grid(std::span<const double> amount, double resolution) {
  if (!(resolution > 0.0) || !std::isfinite(resolution))
    fail(Errc::invalid_argument, "grid resolution must be finite and > 0, got ", resolution);
  check_amounts(amount);
  std::vector<std::int64_t> units(amount.size());
  for (std::size_t i = 0; i < amount.size(); ++i) {
    const double a = amount[i];
    const double u = std::round(a / resolution);
    if (a > 0.0 && u < 1.0)
      fail(Errc::invalid_argument, "grid too coarse: amount of deal ", i, " (", a,
           ") rounds to 0 cells of resolution ", resolution, "; use a resolution <= ", 2.0 * a);
    if (u > 9.0e15) fail(Errc::invalid_argument, "grid too fine for the amount of deal ", i, " (", a, ")");
    units[i] = static_cast<std::int64_t>(u);
  }
  return units;
}

double exact_grid(std::span<const double> amount, std::int64_t max_cells) {
  // Amounts as integers in micro-units; the gcd of those is the exact resolution.
  constexpr double kScale = 1e6;
  std::int64_t g = 0;
  for (const double a : amount) {
    if (!(a >= 0.0) || !std::isfinite(a) || a * kScale > 9.0e15) return 0.0;
    const double s = std::round(a * kScale);
    if (std::abs(s - a * kScale) > 1e-6 * std::max(1.0, a * kScale)) return 0.0;
    g = std::gcd(g, static_cast<std::int64_t>(s));
  }
  if (g == 0) return 1.0;  // every amount is zero: any grid
  double cells = 0.0;
  for (const double a : amount) cells += std::round(a * kScale) / static_cast<double>(g);
  if (cells > static_cast<double>(max_cells)) return 0.0;
  return static_cast<double>(g) / kScale;
}

LatticeDistribution won_count_distribution(std::span<const double> p, int threads) {
  return LatticeDistribution(poisson_binomial_pmf(p, threads), 1.0, 0.0);
}

LatticeDistribution won_revenue_distribution(std::span<const double> p, std::span<const double> amount,
                                             double resolution, int threads) {
  require_size(amount.size(), p.size(), "amounts");
  detail::check_probabilities(p);
  const auto units = amounts_to_grid(amount, resolution);
  detail::check_units(units);
  auto r = detail::product(p, units, threads);
  return LatticeDistribution(std::move(r.c), resolution, resolution * static_cast<double>(r.offset));
}

FUNNELNET_END
