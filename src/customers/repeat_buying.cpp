// Repeat-buying models (see funnelnet/customers/repeat_buying.hpp): per-row likelihoods
// with analytic gradients, their thread-count-independent totals, the LBFGS-B fit and the
// predictions.  Eigen's array code and Boost.Math stay in this file; LBFGS++'s solver is
// compiled once in src/core/lbfgsb.cpp.
#include "funnelnet/customers/repeat_buying.hpp"

#include <math.h>  // lgamma_r

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <boost/math/special_functions/digamma.hpp>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/lbfgsb.hpp"
#include "core/order_key.hpp"
#include "funnelnet/core/error.hpp"
#include "funnelnet/core/math.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"
#include "funnelnet/customers/detail/repeat_likelihood.hpp"

FUNNELNET_BEGIN

const char* fit_status_name(FitStatus s) noexcept {
  switch (s) {
    case FitStatus::converged: return "converged";
    case FitStatus::max_iterations: return "max_iterations";
    case FitStatus::line_search_failed: return "line_search_failed";
    case FitStatus::not_finite: return "not_finite";
  }
  return "unknown";
}

namespace detail {

// Special functions and the Pareto/NBD pieces: internal to this file and inline, so the
// likelihood loops get them inlined as when the code was header-only.
namespace {

using detail::log_gamma;

/// F(b; c; z) = 2F1(1, b; c; z) = sum_n (b)_n / (c)_n z^n for 0 <= z < 1 and 0 < b < c,
/// with its derivatives in b, c and z.  Every term is at most 1 and they decrease, so the
/// series neither overflows nor cancels.
struct Hyp1 {
  double f, fb, fc, fz;
};
/// Terms summed at most: exact to double precision for z <= 0.998.  Beyond (alpha / beta
/// extreme, on Pareto/NBD's Poisson ridge where r and alpha grow together) the sum is
/// truncated, which bounds the cost of an evaluation rather than its accuracy.
constexpr int hyp1_max_terms = 20000;
inline Hyp1 hyp1(double b, double c, double z) {
  double term = 1.0, sum = 1.0, sb = 0.0, sc = 0.0, sz = 0.0, db = 0.0, dc = 0.0;
  for (int n = 0; n < hyp1_max_terms; ++n) {
    const double dn = static_cast<double>(n);
    const double bn = b + dn, cn = c + dn, inv = 1.0 / (bn * cn);
    const double ib = cn * inv, ic = bn * inv;
    term *= z * (b + dn) * ic;
    db += ib;
    dc -= ic;
    sum += term;
    sb += term * db;
    sc += term * dc;
    sz += (dn + 1.0) * term;
    if (term * (dn + 1.0) <= 1e-17 * sum) break;
  }
  const double fz = z > 0.0 ? sz / z : b / c;
  return {sum, sb, sc, fz};
}

/// Gauss 2F1(a, b; c; z) for 0 <= z < 1 by its power series (used with a large c).
inline double hyp2f1_series(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  for (int n = 0; n < 1000000; ++n) {
    const double dn = static_cast<double>(n);
    term *= (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
    sum += term;
    if (std::abs(term) <= 1e-17 * std::abs(sum) && n > 2) break;
    if (term == 0.0) break;
  }
  return sum;
}

inline double log_beta(double a, double b) {
  return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
}

inline double log1pexp(double v) {
  return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
}

/// log G(t) = log of the integral from t to infinity of (alpha+u)^-(r+x) (beta+u)^-(s+1) du,
/// with its gradient in (r, alpha, s, beta).  Closed form through F(b; c; z) on whichever
/// side keeps 0 <= z < 1.
inline double pareto_log_g(double r, double alpha, double s, double beta, double x, double t, double* d) {
  const double p = r + x, rho = r + s + x;
  const double la = std::log(alpha + t), lb = std::log(beta + t);
  if (alpha >= beta) {
    const double z = (alpha - beta) / (alpha + t);
    const Hyp1 h = hyp1(p, rho + 1.0, z);
    const double fb = h.fb / h.f, fc = h.fc / h.f, fz = h.fz / h.f;
    d[0] = -la + fb + fc - 1.0 / rho;
    d[1] = -p / (alpha + t) + fz * (beta + t) / ((alpha + t) * (alpha + t));
    d[2] = -lb + fc - 1.0 / rho;
    d[3] = -s / (beta + t) - fz / (alpha + t);
    return -p * la - s * lb + std::log(h.f) - std::log(rho);
  }
  const double z = (beta - alpha) / (beta + t);
  const Hyp1 h = hyp1(s + 1.0, rho + 1.0, z);
  const double fb = h.fb / h.f, fc = h.fc / h.f, fz = h.fz / h.f;
  d[0] = -la + fc - 1.0 / rho;
  d[1] = -(p - 1.0) / (alpha + t) - fz / (beta + t);
  d[2] = -lb + fb + fc - 1.0 / rho;
  d[3] = -(s + 1.0) / (beta + t) + fz * (alpha + t) / ((beta + t) * (beta + t));
  return -(s + 1.0) * lb - (p - 1.0) * la + std::log(h.f) - std::log(rho);
}

/// Pareto/NBD log-likelihood of one row: log of
///   Gamma(r+x) alpha^r beta^s / Gamma(r) [ (alpha+T)^-(r+x) (beta+T)^-s + s (G(t_x) - G(T)) ].
/// Also returns, through log_palive, log P(alive | x, t_x, T).
inline double pareto_row_core(double r, double alpha, double s, double beta, double x, double tx, double T,
                              double lg_term, double* d, double* log_palive,
                              const double* cached_g_tx = nullptr, const double* cached_d_tx = nullptr) {
  const double laT = std::log(alpha + T), lbT = std::log(beta + T);
  const double e1 = -(r + x) * laT - s * lbT;
  double d1[4] = {-laT, -(r + x) / (alpha + T), -lbT, -s / (beta + T)};
  double logS;
  if (tx == T) {
    logS = e1;
    if (d != nullptr)
      for (int k = 0; k < 4; ++k) d[k] = d1[k];
  } else {
    double d2[4], d3[4];
    const double ls = std::log(s);
    double lg_tx;
    if (cached_g_tx != nullptr) {
      lg_tx = *cached_g_tx;
      for (int k = 0; k < 4; ++k) d2[k] = cached_d_tx[k];
    } else {
      lg_tx = pareto_log_g(r, alpha, s, beta, x, tx, d2);
    }
    const double e2 = ls + lg_tx;
    const double e3 = ls + pareto_log_g(r, alpha, s, beta, x, T, d3);
    d2[2] += 1.0 / s;
    d3[2] += 1.0 / s;
    const double m = std::max(e1, e2);
    const double w1 = std::exp(e1 - m), w2 = std::exp(e2 - m), w3 = std::exp(e3 - m);
    const double S = std::max(w1 + w2 - w3, w1);  // w2 >= w3 mathematically
    logS = m + std::log(S);
    if (d != nullptr)
      for (int k = 0; k < 4; ++k) d[k] = (w1 * d1[k] + w2 * d2[k] - w3 * d3[k]) / S;
  }
  if (log_palive != nullptr) *log_palive = e1 - logS;
  return lg_term + logS;
}

/// One customer's (t_x, T, weight) inside a frequency group of make_rows.
struct TimedRow {
  double tx, T, w;
};

/// Sort a[0, m) by (t_x, T): a stable LSD radix sort on the keys' 11-bit digits, T's
/// first, skipping the digits that every row shares (all of t_x's where it is 0, the
/// exponent bits of times in one range); tmp holds m rows.  About half std::sort's time
/// on 10^5-10^6 continuous times.  Rows with equal (t_x, T) keep their input order.
void sort_by_time_radix(TimedRow* a, TimedRow* tmp, std::size_t m) {
  constexpr std::size_t bits = 11, digits = (64 + bits - 1) / bits;  // per key
  constexpr std::size_t buckets = std::size_t{1} << bits, passes = 2 * digits;
  std::vector<std::uint32_t> hist(passes * buckets, 0);
  auto digit = [](std::uint64_t key, std::size_t d) {
    return static_cast<std::size_t>(key >> (d * bits)) & (buckets - 1);
  };
  for (std::size_t i = 0; i < m; ++i) {
    const std::uint64_t kt = double_order_key(a[i].T), kx = double_order_key(a[i].tx);
    for (std::size_t d = 0; d < digits; ++d) {
      ++hist[d * buckets + digit(kt, d)];
      ++hist[(digits + d) * buckets + digit(kx, d)];
    }
  }
  TimedRow* src = a;
  TimedRow* dst = tmp;
  for (std::size_t pass = 0; pass < passes; ++pass) {
    std::uint32_t* h = &hist[pass * buckets];
    if (std::find(h, h + buckets, static_cast<std::uint32_t>(m)) != h + buckets) continue;  // one digit value
    std::uint32_t sum = 0;
    for (std::size_t b = 0; b < buckets; ++b) {  // counts -> first positions
      const std::uint32_t c = h[b];
      h[b] = sum;
      sum += c;
    }
    const bool on_T = pass < digits;
    const std::size_t d = pass % digits;
    for (std::size_t i = 0; i < m; ++i)
      dst[h[digit(double_order_key(on_T ? src[i].T : src[i].tx), d)]++] = src[i];
    std::swap(src, dst);
  }
  if (src != a) std::copy(src, src + m, a);
}

}  // namespace

/// Sort rows by (x, t_x, T) and merge equal ones, adding their weights.  Without
/// `merge` rows are only sorted (each keeps its weight).
RfmRows make_rows(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                  std::span<const double> w, bool merge) {
  // Counting sort by x (validated integers >= 0), then each x group by (t_x, T) on a
  // contiguous array: far fewer cache misses than sorting an index with three keys.
  const std::size_t n = x.size();
  using R = TimedRow;
  double xmax = 0.0;
  for (double v : x) xmax = std::max(xmax, v);
  RfmRows rows;
  rows.x.reserve(n);
  rows.tx.reserve(n);
  rows.T.reserve(n);
  rows.w.reserve(n);
  auto emit = [&](double xv, const R& r) {
    if (r.w == 0.0) return;
    if (merge && !rows.x.empty() && rows.x.back() == xv && rows.tx.back() == r.tx && rows.T.back() == r.T) {
      rows.w.back() += r.w;
      return;
    }
    rows.x.push_back(xv);
    rows.tx.push_back(r.tx);
    rows.T.push_back(r.T);
    rows.w.push_back(r.w);
  };
  auto by_time = [](const R& a, const R& b) { return a.tx != b.tx ? a.tx < b.tx : a.T < b.T; };
  if (xmax <= 4.0 * static_cast<double>(n) + 1024.0) {
    const auto groups = static_cast<std::size_t>(xmax) + 1;
    std::vector<std::size_t> start(groups + 1, 0);
    for (double v : x) ++start[static_cast<std::size_t>(v) + 1];
    for (std::size_t k = 1; k <= groups; ++k) start[k] += start[k - 1];
    std::vector<R> buf(n);
    std::vector<std::size_t> pos(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      buf[pos[static_cast<std::size_t>(x[i])]++] = {tx[i], T[i], w.empty() ? 1.0 : w[i]};
    std::size_t largest = 0;
    for (std::size_t k = 0; k < groups; ++k) largest = std::max(largest, start[k + 1] - start[k]);
    // radix sort for large groups (its 2 x 6 histograms of 2^11 counts cost more than
    // std::sort below a few thousand rows)
    constexpr std::size_t radix_from = 4096;
    std::vector<R> tmp(largest >= radix_from ? largest : 0);
    for (std::size_t k = 0; k < groups; ++k) {
      const std::size_t m = start[k + 1] - start[k];
      if (m >= radix_from && m <= std::numeric_limits<std::uint32_t>::max())
        sort_by_time_radix(buf.data() + start[k], tmp.data(), m);
      else
        std::sort(buf.begin() + static_cast<std::ptrdiff_t>(start[k]),
                  buf.begin() + static_cast<std::ptrdiff_t>(start[k + 1]), by_time);
      for (std::size_t i = start[k]; i < start[k + 1]; ++i) emit(static_cast<double>(k), buf[i]);
    }
    return rows;
  }
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    if (x[a] != x[b]) return x[a] < x[b];
    if (tx[a] != tx[b]) return tx[a] < tx[b];
    return T[a] < T[b];
  });
  for (std::size_t i : idx) emit(x[i], {tx[i], T[i], w.empty() ? 1.0 : w[i]});
  return rows;
}

// ---------------------------------------------------------------- per-row likelihoods

BetaGeoRow::BetaGeoRow(const double* p)
    : r(p[0]),
      alpha(p[1]),
      a(p[2]),
      b(p[3]),
      lg_r(log_gamma(r)),
      lg_ab(log_gamma(a + b)),
      lg_b(log_gamma(b)),
      dg_r(boost::math::digamma(r)),
      dg_ab(boost::math::digamma(a + b)),
      dg_b(boost::math::digamma(b)),
      log_alpha(std::log(alpha)) {}
double BetaGeoRow::operator()(double x, double tx, double T, double w, double* g) {
  if (x != cx) {
    cx = x;
    lg_rx = log_gamma(r + x);
    lg_bx = log_gamma(b + x);
    lg_abx = log_gamma(a + b + x);
    dg_rx = boost::math::digamma(r + x);
    dg_bx = boost::math::digamma(b + x);
    dg_abx = boost::math::digamma(a + b + x);
  }
  const double A1 = lg_rx - lg_r + r * log_alpha;
  const double A2 = lg_ab + lg_bx - lg_b - lg_abx;
  const double laT = std::log(alpha + T);
  const double A3 = -(r + x) * laT;
  double d[4] = {dg_rx - dg_r + log_alpha, r / alpha, dg_ab - dg_abx, dg_ab + dg_bx - dg_b - dg_abx};
  double ll;
  if (x > 0) {
    const double lat = std::log(alpha + tx);
    const double A4 = std::log(a) - std::log(b + x - 1) - (r + x) * lat;
    const double m = std::max(A3, A4);
    const double w3 = std::exp(A3 - m), w4 = std::exp(A4 - m);
    const double s = w3 + w4;
    ll = A1 + A2 + m + std::log(s);
    const double p3 = w3 / s, p4 = w4 / s;
    d[0] += -p3 * laT - p4 * lat;
    d[1] += -p3 * (r + x) / (alpha + T) - p4 * (r + x) / (alpha + tx);
    d[2] += p4 / a;
    d[3] += -p4 / (b + x - 1);
  } else {
    ll = A1 + A2 + A3;
    d[0] += -laT;
    d[1] += -(r + x) / (alpha + T);
  }
  for (int k = 0; k < 4; ++k) g[k] += w * d[k];
  return w * ll;
}
double BetaGeoRow::block(const RfmRows& rows, std::size_t begin, std::size_t end, double* g) {
  using Arr = Eigen::Array<double, Eigen::Dynamic, 1, 0, 512, 1>;
  double total = 0.0;
  std::size_t i = begin;
  while (i < end) {
    const double x = rows.x[i];
    std::size_t j = i;
    while (j < end && j - i < 512 && rows.x[j] == x) ++j;
    const auto m = static_cast<Eigen::Index>(j - i);
    const Eigen::Map<const Eigen::ArrayXd> T(rows.T.data() + i, m), w(rows.w.data() + i, m);
    if (x != cx) operator()(x, 0.0, 1.0, 0.0, g);  // refresh the x cache (weight 0 adds nothing)
    const double rx = r + x, wsum = w.sum();
    const double A12 = lg_rx - lg_r + r * log_alpha + lg_ab + lg_bx - lg_b - lg_abx;
    const Arr laT = (alpha + T).log();
    double d[4] = {wsum * (dg_rx - dg_r + log_alpha), wsum * r / alpha, wsum * (dg_ab - dg_abx),
                   wsum * (dg_ab + dg_bx - dg_b - dg_abx)};
    double ll = wsum * A12;
    if (x > 0) {
      const Eigen::Map<const Eigen::ArrayXd> tx(rows.tx.data() + i, m);
      const Arr lat = (alpha + tx).log();
      const double c4 = std::log(a) - std::log(b + x - 1);
      const Arr A3 = -rx * laT, A4 = c4 - rx * lat;
      const Arr hi = A3.max(A4), ex = (-(A3 - A4).abs()).exp();
      const Arr p_small = ex / (1.0 + ex), p_big = 1.0 / (1.0 + ex);
      const Arr p3 = (A3 >= A4).select(p_big, p_small), p4 = 1.0 - p3;
      ll += (w * (hi + (1.0 + ex).log())).sum();
      d[0] -= (w * (p3 * laT + p4 * lat)).sum();
      d[1] -= rx * (w * (p3 / (alpha + T) + p4 / (alpha + tx))).sum();
      const double wp4 = (w * p4).sum();
      d[2] += wp4 / a;
      d[3] -= wp4 / (b + x - 1);
    } else {
      ll -= rx * (w * laT).sum();
      d[0] -= (w * laT).sum();
      d[1] -= rx * (w / (alpha + T)).sum();
    }
    for (int k = 0; k < 4; ++k) g[k] += d[k];
    total += ll;
    i = j;
  }
  return total;
}

ParetoRow::ParetoRow(const double* p)
    : r(p[0]),
      alpha(p[1]),
      s(p[2]),
      beta(p[3]),
      lg_r(log_gamma(r)),
      dg_r(boost::math::digamma(r)),
      log_alpha(std::log(alpha)),
      log_beta(std::log(beta)) {}
double ParetoRow::operator()(double x, double tx, double T, double w, double* g) {
  if (x != cx) {
    cx = x;
    lg_rx = log_gamma(r + x);
    dg_rx = boost::math::digamma(r + x);
    ctx = -1;
  }
  if (tx != ctx && tx != T) {
    ctx = tx;
    g_tx = pareto_log_g(r, alpha, s, beta, x, tx, d_tx);
  }
  double d[4];
  const double pre = lg_rx - lg_r + r * log_alpha + s * log_beta;
  const double ll = pareto_row_core(r, alpha, s, beta, x, tx, T, pre, d, nullptr, &g_tx, d_tx);
  d[0] += dg_rx - dg_r + log_alpha;
  d[1] += r / alpha;
  d[2] += log_beta;
  d[3] += s / beta;
  for (int k = 0; k < 4; ++k) g[k] += w * d[k];
  return w * ll;
}

GammaGammaRow::GammaGammaRow(const double* par)
    : p(par[0]),
      q(par[1]),
      v(par[2]),
      lg_q(log_gamma(q)),
      dg_q(boost::math::digamma(q)),
      log_v(std::log(v)) {}
double GammaGammaRow::operator()(double x, double m, double /*unused*/, double w, double* g) {
  if (x != cx) {
    cx = x;
    lg_pxq = log_gamma(p * x + q);
    lg_px = log_gamma(p * x);
    dg_pxq = boost::math::digamma(p * x + q);
    dg_px = boost::math::digamma(p * x);
    log_x = std::log(x);
  }
  const double lm = std::log(m), lxmv = std::log(x * m + v);
  const double ll =
      lg_pxq - lg_px - lg_q + q * log_v + (p * x - 1.0) * lm + p * x * log_x - (p * x + q) * lxmv;
  g[0] += w * x * (dg_pxq - dg_px + lm + log_x - lxmv);
  g[1] += w * (dg_pxq - dg_q + log_v - lxmv);
  g[2] += w * (q / v - (p * x + q) / (x * m + v));
  return w * ll;
}

BetaGeoBetaBinomRow::BetaGeoBetaBinomRow(const double* p)
    : al(p[0]),
      be(p[1]),
      ga(p[2]),
      de(p[3]),
      lb_ab(log_beta(al, be)),
      lb_gd(log_beta(ga, de)),
      dab_a(boost::math::digamma(al) - boost::math::digamma(al + be)),
      dab_b(boost::math::digamma(be) - boost::math::digamma(al + be)),
      dgd_g(boost::math::digamma(ga) - boost::math::digamma(ga + de)),
      dgd_d(boost::math::digamma(de) - boost::math::digamma(ga + de)) {}
double BetaGeoBetaBinomRow::operator()(double x, double tx, double n, double w, double* g) {
  // L = B(al+x, be+n-x)/B(al,be) B(ga, de+n)/B(ga,de)
  //   + sum_{i=0}^{n-tx-1} B(al+x, be+tx-x+i)/B(al,be) B(ga+1, de+tx+i)/B(ga,de),
  // summed as exp(log term - max) with each term's gradient (digamma differences).
  const auto n_terms = static_cast<std::size_t>(n - tx) + 1;
  thread_local std::vector<double> lt, dt;
  lt.resize(n_terms);
  dt.resize(4 * n_terms);
  const double a1 = al + x, dg_a1 = boost::math::digamma(a1), lg_a1 = log_gamma(a1);
  auto term = [&](std::size_t j, double k, double c, double m) {
    const double b1 = be + k, g1 = ga + c, d1 = de + m;
    const double ps1 = boost::math::digamma(a1 + b1), ps2 = boost::math::digamma(g1 + d1);
    double* d = &dt[4 * j];
    d[0] = dg_a1 - ps1 - dab_a;
    d[1] = boost::math::digamma(b1) - ps1 - dab_b;
    d[2] = boost::math::digamma(g1) - ps2 - dgd_g;
    d[3] = boost::math::digamma(d1) - ps2 - dgd_d;
    lt[j] = lg_a1 + log_gamma(b1) - log_gamma(a1 + b1) - lb_ab + log_beta(g1, d1) - lb_gd;
  };
  term(0, n - x, 0.0, n);
  for (std::size_t i = 0; i + 1 < n_terms; ++i) {
    const auto di = static_cast<double>(i);
    term(i + 1, tx - x + di, 1.0, tx + di);
  }
  const double m = *std::max_element(lt.begin(), lt.end());
  double S = 0.0, d[4] = {0, 0, 0, 0};
  for (std::size_t j = 0; j < n_terms; ++j) {
    const double e = std::exp(lt[j] - m);
    S += e;
    for (int k = 0; k < 4; ++k) d[k] += e * dt[4 * j + static_cast<std::size_t>(k)];
  }
  for (int k = 0; k < 4; ++k) g[k] += w * d[k] / S;
  return w * (m + std::log(S));
}

/// Total weighted log-likelihood and gradient (raw parameters) over rows, split into a
/// fixed number of tasks that does not depend on the thread count; partial sums are added
/// in task order, so the result is the same at any thread count.
template <class Row, std::size_t K>
double total_ll(const std::array<double, K>& p, const RfmRows& rows, int threads, std::array<double, K>& g) {
  const std::size_t n = rows.size();
  const std::size_t n_tasks = n < 16384 ? 1 : 64;
  std::vector<double> ll(n_tasks, 0.0);
  std::vector<std::array<double, K>> gt(n_tasks);
  auto body = [&](std::size_t task) {
    const std::size_t b = n * task / n_tasks, e = n * (task + 1) / n_tasks;
    Row row(p.data());
    std::array<double, K> gl{};
    double s = 0.0;
    if constexpr (requires { row.block(rows, b, e, gl.data()); })
      s = row.block(rows, b, e, gl.data());
    else
      for (std::size_t i = b; i < e; ++i) s += row(rows.x[i], rows.tx[i], rows.T[i], rows.w[i], gl.data());
    ll[task] = s;
    gt[task] = gl;
  };
  if (n_tasks == 1)
    body(0);
  else  // threads = 0: from the work, a row's likelihood and gradient taken as 64 steps
    parallel_for(n_tasks, static_cast<int>(resolve_threads(threads, std::uint64_t{64} * n, step_grain)),
                 body);
  double total = 0.0;
  g.fill(0.0);
  for (std::size_t t = 0; t < n_tasks; ++t) {
    total += ll[t];
    for (std::size_t k = 0; k < K; ++k) g[k] += gt[t][k];
  }
  return total;
}

template double total_ll<BetaGeoRow, 4>(const std::array<double, 4>&, const RfmRows&, int,
                                        std::array<double, 4>&);
template double total_ll<ParetoRow, 4>(const std::array<double, 4>&, const RfmRows&, int,
                                       std::array<double, 4>&);
template double total_ll<BetaGeoBetaBinomRow, 4>(const std::array<double, 4>&, const RfmRows&, int,
                                                 std::array<double, 4>&);
template double total_ll<GammaGammaRow, 3>(const std::array<double, 3>&, const RfmRows&, int,
                                           std::array<double, 3>&);

struct DeferredCovariance {
  std::once_flag once;
  std::function<std::vector<double>()> compute;  // released after the first call
  std::vector<double> value;
};

/// The covariance of `d`, computed on the first call (concurrent callers wait for it).
const std::vector<double>& deferred_value(DeferredCovariance& d) {
  std::call_once(d.once, [&d] {
    d.value = d.compute();
    d.compute = nullptr;
  });
  return d.value;
}

namespace {

/// Inverse of the observed information in log-parameters at `params`: the Hessian of the
/// negative total log-likelihood by central differences of its analytic gradient,
/// symmetrised.  Empty when it is not positive definite.
template <class Row, std::size_t K>
std::vector<double> log_param_covariance(const std::array<double, K>& params, const RfmRows& rows,
                                         int threads) {
  using Mat = Eigen::Matrix<double, static_cast<int>(K), static_cast<int>(K)>;
  auto grad = [&](const std::array<double, K>& th, std::array<double, K>& out) {
    std::array<double, K> p{}, g{};
    for (std::size_t k = 0; k < K; ++k) p[k] = std::exp(th[k]);
    total_ll<Row, K>(p, rows, threads, g);
    for (std::size_t k = 0; k < K; ++k) out[k] = -g[k] * p[k];
  };
  std::array<double, K> th{};
  for (std::size_t k = 0; k < K; ++k) th[k] = std::log(params[k]);
  Mat H;
  constexpr double h = 1e-5;
  for (std::size_t k = 0; k < K; ++k) {
    std::array<double, K> up = th, dn = th, gu{}, gd{};
    up[k] += h;
    dn[k] -= h;
    grad(up, gu);
    grad(dn, gd);
    for (std::size_t j = 0; j < K; ++j)
      H(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)) = (gu[j] - gd[j]) / (2.0 * h);
  }
  const Mat Hs = 0.5 * (H + H.transpose());
  if (!Hs.allFinite()) return {};
  Eigen::LLT<Mat> llt(Hs);
  if (llt.info() != Eigen::Success) return {};
  const Mat C = llt.solve(Mat::Identity());
  std::vector<double> out(K * K);
  for (std::size_t j = 0; j < K; ++j)
    for (std::size_t k = 0; k < K; ++k)
      out[j * K + k] = C(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k));
  return out;
}

/// Whether a fit with options `o` that ended as `r` leaves its covariance to the model's
/// covariance() (RepeatFitOptions::defer_covariance): a converged or stopped fit with no
/// parameter at its bound.  A failed line search needs the covariance for its status.
bool covariance_deferred(const FitReport& r, const RepeatFitOptions& o) {
  return o.defer_covariance && !r.at_bound &&
         (r.status == FitStatus::converged || r.status == FitStatus::max_iterations);
}

/// The deferred covariance of a fit at `params` to `rows` (moved in and kept until the
/// first covariance() call).
template <class Row, std::size_t K>
std::shared_ptr<DeferredCovariance> defer_covariance(const std::array<double, K>& params, RfmRows&& rows,
                                                     int threads) {
  auto d = std::make_shared<DeferredCovariance>();
  d->compute = [params, kept = std::make_shared<RfmRows>(std::move(rows)), threads] {
    return log_param_covariance<Row, K>(params, *kept, threads);
  };
  return d;
}

/// f(std::type_identity<Row>{}) for the likelihood row type of `kind`.
template <class F>
decltype(auto) with_row_type(RepeatKind kind, F&& f) {
  switch (kind) {
    case RepeatKind::beta_geo: return f(std::type_identity<BetaGeoRow>{});
    case RepeatKind::pareto_nbd: return f(std::type_identity<ParetoRow>{});
    case RepeatKind::beta_geo_beta_binom: break;
  }
  return f(std::type_identity<BetaGeoBetaBinomRow>{});
}

/// Maximise the weighted log-likelihood over log-parameters with LBFGS-B.  With
/// `inverse_hessian` (K x K, row-major: an approximation of the inverse Hessian of the
/// mean negative log-likelihood in log-parameters, e.g. a subsample's), Newton steps with
/// that matrix (BFGS-updated along them) come first while each one contracts the gradient;
/// if they reach the tolerance, LBFGS-B starts there and confirms it by its own test, else
/// it runs from the start exactly as without them (their evaluations are wasted).
template <class Row, std::size_t K>
FitReport maximise(std::array<double, K>& params, const RfmRows& rows, const RepeatFitOptions& o,
                   std::span<const double> inverse_hessian = {}) {
  double wsum = 0.0;
  for (double w : rows.w) wsum += w;
  FitReport rep;
  rep.unique_rows = rows.size();
  using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1>;
  Vec theta(static_cast<Eigen::Index>(K));
  for (std::size_t k = 0; k < K; ++k)
    theta[static_cast<Eigen::Index>(k)] = std::clamp(std::log(params[k]), -log_param_bound, log_param_bound);
  Vec best = theta;
  double best_f = std::numeric_limits<double>::infinity();
  Vec best_g = Vec::Zero(static_cast<Eigen::Index>(K));
  int evals = 0;
  bool cancelled = false;
  auto last_report = std::chrono::steady_clock::now();
  // The last point evaluated: LBFGS-B starts (and the report below ends) with a point just
  // evaluated, and the likelihood is deterministic, so it is not computed again.
  Vec last_th, last_grad;
  double last_f = 0.0;
  auto objective = [&](const Vec& th, Vec& grad) -> double {
    if (last_th.size() == th.size() && last_th == th) {
      grad = last_grad;
      return last_f;
    }
    if (o.progress) {  // throttled: the callback may take Python's GIL
      const auto now = std::chrono::steady_clock::now();
      if (evals == 0 || now - last_report >= std::chrono::milliseconds(100)) {
        last_report = now;
        if (!o.progress(static_cast<std::uint64_t>(evals), 0)) {
          cancelled = true;
          fail(Errc::cancelled, "cancelled by the progress callback");
        }
      }
    }
    ++evals;
    std::array<double, K> p{}, g{};
    for (std::size_t k = 0; k < K; ++k) p[k] = std::exp(th[static_cast<Eigen::Index>(k)]);
    const double ll = total_ll<Row, K>(p, rows, o.threads, g);
    double f = -ll / wsum;
    bool finite = std::isfinite(f);
    for (std::size_t k = 0; k < K; ++k) {
      grad[static_cast<Eigen::Index>(k)] = -g[k] * p[k] / wsum;
      finite = finite && std::isfinite(grad[static_cast<Eigen::Index>(k)]);
    }
    if (!finite) {  // steer the line search away without NaN
      grad.setZero();
      f = std::numeric_limits<double>::max();
    } else if (f < best_f) {
      best_f = f;
      best = th;
      best_g = grad;
    }
    last_th = th;
    last_grad = grad;
    last_f = f;
    return f;
  };
  Vec lb = Vec::Constant(static_cast<Eigen::Index>(K), -log_param_bound);
  Vec ub = Vec::Constant(static_cast<Eigen::Index>(K), log_param_bound);
  auto proj_grad_norm = [&](const Vec& th, const Vec& g) {
    double m = 0.0;
    for (Eigen::Index k = 0; k < th.size(); ++k) {
      double gk = g[k];
      if (th[k] <= lb[k] && gk > 0) gk = 0;  // descent would leave the box
      if (th[k] >= ub[k] && gk < 0) gk = 0;
      m = std::max(m, std::abs(gk));
    }
    return m;
  };
  Vec th = theta;
  {
    Vec g0(static_cast<Eigen::Index>(K));
    const double f0 = objective(theta, g0);
    if (f0 == std::numeric_limits<double>::max()) {
      rep.status = FitStatus::not_finite;
      rep.evaluations = evals;
      rep.message = "the log-likelihood is not finite at the starting parameters";
      rep.log_likelihood = -std::numeric_limits<double>::infinity();
      return rep;
    }
    if (inverse_hessian.size() == K * K) {
      // Newton steps th -= M g with the approximation M of the inverse Hessian (updated by
      // BFGS along each step), while each stays in the box, does not raise the objective
      // beyond its rounding, and at least quarters the projected gradient norm.  When they
      // reach the tolerance, L-BFGS-B starts (and, by its own test, stops) there.
      using Mat = Eigen::Matrix<double, static_cast<int>(K), static_cast<int>(K), Eigen::RowMajor>;
      Mat M = Eigen::Map<const Mat>(inverse_hessian.data());
      double f = f0;
      Vec g = g0;
      constexpr int max_newton = 20;
      for (int step = 0; step < max_newton; ++step) {
        if (o.max_iterations > 0 && rep.iterations >= o.max_iterations) break;
        const double gn = proj_grad_norm(th, g);
        if (gn <= o.tolerance) break;
        const Vec next = th - M * g;
        if ((next.array() < lb.array()).any() || (next.array() > ub.array()).any()) break;
        Vec g_next(static_cast<Eigen::Index>(K));
        const double f_next = objective(next, g_next);
        ++rep.iterations;
        if (f_next == std::numeric_limits<double>::max() || f_next > f + 1e-15 * std::abs(f)) break;
        const double gn_next = proj_grad_norm(next, g_next);
        // BFGS update of M with this step (M y = s): exact along the step from now on
        const Vec sv = next - th, yv = g_next - g;
        const double sy = sv.dot(yv);
        if (sy > 0.0) {
          const Mat A = Mat::Identity() - sv * yv.transpose() / sy;
          M = A * M * A.transpose() + sv * sv.transpose() / sy;
        }
        th = next;
        f = f_next;
        g = g_next;
        if (gn_next > 0.25 * gn) break;
      }
      if (proj_grad_norm(th, g) > o.tolerance) {
        // The steps did not reach the tolerance (a flat ridge, a poor subsample curvature):
        // L-BFGS-B runs from the start as without them, and the report is its own.
        th = theta;
        best = theta;
        best_f = f0;
        best_g = g0;
        rep.iterations = 0;
      }
    }
  }
  LBFGSpp::LBFGSBParam<double> prm;
  prm.epsilon = o.tolerance;
  prm.epsilon_rel = 0.0;
  prm.past = 0;
  prm.delta = 0.0;
  // Newton steps count as iterations (LBFGSpp reads 0 as no limit)
  prm.max_iterations = o.max_iterations == 0 ? 0 : std::max(1, o.max_iterations - rep.iterations);
  prm.max_linesearch = 20;
  prm.check_param();  // throws for bad settings before any attempt, as the solver's constructor did
  double fx = 0.0;
  // A line search that fails has usually run into a badly scaled, nearly flat ridge (BG/NBD
  // with no visible drop-out: a -> 0, b -> infinity); its quasi-Newton memory is then
  // useless.  Restart from the best point with a fresh memory while that still improves
  // the likelihood (at most `max_restarts` times) before reporting the failure.
  constexpr int max_restarts = 5;
  for (int attempt = 0;; ++attempt) {
    const double f_start = best_f;
    try {
      // LBFGS++'s solver is compiled once in the core (src/core/lbfgsb.cpp) for every model
      rep.iterations += lbfgsb_minimize(prm, BoxObjective(objective), th, fx, lb, ub);
      rep.status = FitStatus::converged;
      rep.message.clear();
      // The solver's own test passed at th: report that point (its f may tie with `best`).
      Vec g_end(static_cast<Eigen::Index>(K));
      const double f_end = objective(th, g_end);
      if (f_end <= best_f * (1.0 + 1e-15)) {
        best = th;
        best_g = g_end;
        best_f = std::min(best_f, f_end);
      }
      break;
    } catch (const std::exception& e) {
      if (cancelled) throw;
      rep.status = FitStatus::line_search_failed;
      rep.message = e.what();
      if (attempt > 0) rep.message += concat(" (after ", attempt, " restarts)");
    }
    if (attempt >= max_restarts || !(best_f < f_start - 1e-14 * std::abs(f_start))) break;
    th = best;
  }
  const double gn = proj_grad_norm(best, best_g);
  rep.gradient_norm = gn;
  if (rep.status == FitStatus::converged && rep.iterations >= o.max_iterations && o.max_iterations > 0 &&
      gn > o.tolerance)
    rep.status = FitStatus::max_iterations;
  // The line search gives up at a numerical optimum (no decrease left in double precision);
  // that is convergence when the gradient is small anyway.
  if (rep.status == FitStatus::line_search_failed && gn <= std::max(o.tolerance, 1e-7)) {
    rep.status = FitStatus::converged;
    rep.message = "converged (line search stopped at the numerical optimum)";
  }
  if (rep.status == FitStatus::max_iterations)
    rep.message = concat("stopped after ", rep.iterations, " iterations with gradient norm ", gn);
  if (rep.status == FitStatus::converged && rep.message.empty()) rep.message = "converged";
  for (std::size_t k = 0; k < K; ++k) {
    const double t = best[static_cast<Eigen::Index>(k)];
    params[k] = std::exp(t);
    if (t <= lb[0] + 1e-9 || t >= ub[0] - 1e-9) rep.at_bound = true;
  }
  if (rep.at_bound) rep.message += "; a parameter is at its bound [1e-8, 1e8]";
  rep.evaluations = evals;
  rep.log_likelihood = -best_f * wsum;
  if (!rep.at_bound && !covariance_deferred(rep, o))
    rep.covariance = log_param_covariance<Row, K>(params, rows, o.threads);
  // A line search that gives up close to the optimum: the Newton step still left,
  // delta = Cov * (wsum g) in log-parameters, measured in standard errors
  // (sqrt(delta' Cov^-1 delta) = wsum sqrt(g' Cov g)).  Below 1e-3 standard errors the
  // estimate is at the optimum for every statistical purpose (the likelihood has no
  // decrease left in double precision), so the fit counts as converged.
  if (rep.status == FitStatus::line_search_failed && rep.covariance.size() == K * K) {
    double q = 0.0;
    for (std::size_t i = 0; i < K; ++i)
      for (std::size_t j = 0; j < K; ++j)
        q += best_g[static_cast<Eigen::Index>(i)] * rep.covariance[i * K + j] *
             best_g[static_cast<Eigen::Index>(j)];
    const double distance = wsum * std::sqrt(std::max(q, 0.0));
    if (distance <= 1e-3) {
      rep.status = FitStatus::converged;
      rep.message = concat("converged (line search stopped ", distance,
                           " standard errors from the optimum, at the precision of the likelihood)");
    }
  }
  return rep;
}

double weighted_mean(const std::vector<double>& v, const std::vector<double>& w) {
  double s = 0, sw = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    s += v[i] * w[i];
    sw += w[i];
  }
  return s / sw;
}

const char* kind_name(RepeatKind kind) {
  switch (kind) {
    case RepeatKind::beta_geo: return "BG/NBD";
    case RepeatKind::pareto_nbd: return "Pareto/NBD";
    case RepeatKind::beta_geo_beta_binom: return "BG/BB";
  }
  return "?";
}

void require_params(RepeatKind kind, std::span<const double> p) {
  if (p.size() != 4) fail(Errc::shape_mismatch, kind_name(kind), " takes 4 parameters, got ", p.size());
  static const char* bg[] = {"r", "alpha", "a", "b"};
  static const char* pn[] = {"r", "alpha", "s", "beta"};
  static const char* bb[] = {"alpha", "beta", "gamma", "delta"};
  const char* const* names = kind == RepeatKind::beta_geo ? bg : kind == RepeatKind::pareto_nbd ? pn : bb;
  for (std::size_t k = 0; k < 4; ++k)
    if (!(std::isfinite(p[k]) && p[k] > 0.0))
      fail(Errc::invalid_argument, kind_name(kind), " parameter ", names[k], " must be finite and > 0, got ",
           p[k]);
}

/// BG/BB data on top of the checks of validate_rfm: recency and n are integers (periods)
/// and a customer cannot buy in more periods than t_x.
void require_discrete(RepeatKind kind, std::span<const double> x, std::span<const double> tx,
                      std::span<const double> n) {
  if (kind != RepeatKind::beta_geo_beta_binom) return;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (tx[i] != std::floor(tx[i]))
      fail(Errc::invalid_argument, "recency: row ", i, " is ", tx[i],
           "; BG/BB recency is the period of the last purchase (integer)");
    if (n[i] != std::floor(n[i]))
      fail(Errc::invalid_argument, "n_periods: row ", i, " is ", n[i],
           "; BG/BB counts transaction opportunities (integer)");
    if (x[i] > tx[i])
      fail(Errc::invalid_argument, "row ", i, ": frequency ", x[i], " is larger than recency ", tx[i],
           " (at most one purchase per period, the last in period recency)");
  }
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------- RepeatModel

namespace {
void require_kind(RepeatKind kind) {
  if (kind != RepeatKind::beta_geo && kind != RepeatKind::pareto_nbd &&
      kind != RepeatKind::beta_geo_beta_binom)
    fail(Errc::invalid_argument, "unknown repeat-buying model kind ", static_cast<int>(kind));
}
}  // namespace

RepeatModel::RepeatModel(RepeatKind kind, std::span<const double> params) : kind_(kind) {
  require_kind(kind);
  detail::require_params(kind, params);
  std::copy(params.begin(), params.end(), p_.begin());
  report_.status = FitStatus::converged;
  report_.message = "parameters given";
}

namespace {
void require_report(const FitReport& r) {
  switch (r.status) {
    case FitStatus::converged:
    case FitStatus::max_iterations:
    case FitStatus::line_search_failed:
    case FitStatus::not_finite: break;
    default: fail(Errc::invalid_argument, "unknown fit status ", static_cast<int>(r.status));
  }
  if (r.iterations < 0)
    fail(Errc::invalid_argument, "fit report: iterations must be >= 0, got ", r.iterations);
  if (r.evaluations < 0)
    fail(Errc::invalid_argument, "fit report: evaluations must be >= 0, got ", r.evaluations);
}
}  // namespace

RepeatModel::RepeatModel(RepeatKind kind, std::span<const double> params, FitReport report)
    : RepeatModel(kind, params) {
  require_report(report);
  report_ = std::move(report);
}

const char* repeat_kind_name(RepeatKind k) noexcept {
  switch (k) {
    case RepeatKind::beta_geo: return "beta_geo";
    case RepeatKind::pareto_nbd: return "pareto_nbd";
    case RepeatKind::beta_geo_beta_binom: return "beta_geo_beta_binom";
  }
  return "unknown";
}

std::span<const RepeatKind> repeat_kinds() noexcept {
  static constexpr RepeatKind kinds[] = {RepeatKind::beta_geo, RepeatKind::pareto_nbd,
                                         RepeatKind::beta_geo_beta_binom};
  return kinds;
}

namespace {
void require_fit_options(RepeatKind kind, const RepeatFitOptions& options) {
  require_kind(kind);
  if (!(options.tolerance > 0.0))
    fail(Errc::invalid_argument, "tolerance must be > 0, got ", options.tolerance);
  if (options.max_iterations < 0)
    fail(Errc::invalid_argument, "max_iterations must be >= 0, got ", options.max_iterations);
}
}  // namespace

RepeatModel RepeatModel::fit(RepeatKind kind, const CustomerSummary& customers,
                             std::span<const double> weights, const RepeatFitOptions& options) {
  require_fit_options(kind, options);
  // The summary is valid already; only the weights (not part of it) are checked here.
  if (customers.empty()) fail(Errc::empty_input, "no customers to fit");
  detail::validate_weights(weights, customers.size());
  detail::require_discrete(kind, customers.frequency(), customers.recency(), customers.T());
  return fit_valid(kind, customers.frequency(), customers.recency(), customers.T(), weights, options);
}

RepeatModel RepeatModel::fit(RepeatKind kind, std::span<const double> frequency,
                             std::span<const double> recency, std::span<const double> T,
                             std::span<const double> weights, const RepeatFitOptions& options) {
  require_fit_options(kind, options);
  detail::validate_rfm({}, frequency, recency, T, {}, weights, true);
  detail::require_discrete(kind, frequency, recency, T);
  return fit_valid(kind, frequency, recency, T, weights, options);
}

RepeatModel RepeatModel::fit_valid(RepeatKind kind, std::span<const double> frequency,
                                   std::span<const double> recency, std::span<const double> T,
                                   std::span<const double> weights, const RepeatFitOptions& options) {
  RepeatModel m;
  m.kind_ = kind;
  detail::RfmRows rows = detail::make_rows(frequency, recency, T, weights, options.compress);
  if (!options.initial.empty()) {
    detail::require_params(kind, options.initial);
    std::copy(options.initial.begin(), options.initial.end(), m.p_.begin());
  } else {
    const double mT = detail::weighted_mean(rows.T, rows.w), mx = detail::weighted_mean(rows.x, rows.w);
    const double alpha0 = std::max(mT / (mx + 1.0), 1e-3);
    if (kind == RepeatKind::beta_geo)
      m.p_ = {1.0, alpha0, 0.5, 1.0};
    else if (kind == RepeatKind::beta_geo_beta_binom)
      m.p_ = {1.0, 1.0, 1.0, 1.0};
    else
      m.p_ = {1.0, alpha0, 1.0, std::max(mT, 1e-3)};
  }
  auto run = [&](const detail::RfmRows& r, const RepeatFitOptions& o,
                 std::span<const double> inverse_hessian) {
    return detail::with_row_type(kind, [&]<class Row>(std::type_identity<Row>) {
      return detail::maximise<Row, 4>(m.p_, r, o, inverse_hessian);
    });
  };
  std::vector<double> inverse_hessian;  // of the mean negative log-likelihood, from the warm start
  if (options.initial.empty() && rows.size() > 200000) {
    // Warm start: fit every k-th row (rows are sorted by x, so this is stratified by
    // frequency) with weight k first; the full fit then needs a few iterations only.
    const std::size_t k = rows.size() / 20000;
    detail::RfmRows sub;
    for (std::size_t i = 0; i < rows.size(); i += k) {
      sub.x.push_back(rows.x[i]);
      sub.tx.push_back(rows.tx[i]);
      sub.T.push_back(rows.T[i]);
      sub.w.push_back(rows.w[i] * static_cast<double>(k));
    }
    RepeatFitOptions warm = options;
    warm.tolerance = std::max(options.tolerance, 1e-6);
    warm.defer_covariance = true;  // its report is dropped: no covariance needed
    const std::array<double, 4> start = m.p_;
    const FitReport pre = run(sub, warm, {});
    if (pre.status == FitStatus::not_finite || pre.at_bound) {
      m.p_ = start;
    } else if (pre.status == FitStatus::converged) {
      // The subsample's observed information (2 K gradients on its 20,000 rows) stands in
      // for the full data's: the full fit starts with Newton steps, each of which shrinks
      // the gradient by about the subsample's relative sampling error, instead of
      // learning the curvature from scratch in a dozen L-BFGS iterations.
      inverse_hessian = detail::with_row_type(kind, [&]<class Row>(std::type_identity<Row>) {
        return detail::log_param_covariance<Row, 4>(m.p_, sub, options.threads);
      });
      const double sub_wsum = std::accumulate(sub.w.begin(), sub.w.end(), 0.0);
      for (double& v : inverse_hessian) v *= sub_wsum;  // total -> mean log-likelihood
    }
  }
  m.report_ = run(rows, options, inverse_hessian);
  if (detail::covariance_deferred(m.report_, options))
    m.deferred_ = detail::with_row_type(kind, [&]<class Row>(std::type_identity<Row>) {
      return detail::defer_covariance<Row, 4>(m.p_, std::move(rows), options.threads);
    });
  return m;
}

const std::vector<double>& RepeatModel::covariance() const {
  return deferred_ ? detail::deferred_value(*deferred_) : report_.covariance;
}

void RepeatModel::log_likelihood(const CustomerSummary& c, std::span<double> out) const {
  require_size(out.size(), c.size(), "output");
  detail::require_discrete(kind_, c.frequency(), c.recency(), c.T());
  log_likelihood_valid(c.frequency(), c.recency(), c.T(), out);
}
void RepeatModel::log_likelihood(std::span<const double> x, std::span<const double> tx,
                                 std::span<const double> T, std::span<double> out) const {
  detail::validate_rfm({}, x, tx, T, {}, {}, false);
  detail::require_discrete(kind_, x, tx, T);
  require_size(out.size(), x.size(), "output");
  log_likelihood_valid(x, tx, T, out);
}
void RepeatModel::log_likelihood_valid(std::span<const double> x, std::span<const double> tx,
                                       std::span<const double> T, std::span<double> out) const {
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::array<double, 4> g{};
    if (kind_ == RepeatKind::beta_geo) {
      detail::BetaGeoRow row(p_.data());
      out[i] = row(x[i], tx[i], T[i], 1.0, g.data());
    } else if (kind_ == RepeatKind::beta_geo_beta_binom) {
      detail::BetaGeoBetaBinomRow row(p_.data());
      out[i] = row(x[i], tx[i], T[i], 1.0, g.data());
    } else {
      detail::ParetoRow row(p_.data());
      out[i] = row(x[i], tx[i], T[i], 1.0, g.data());
    }
  }
}

void RepeatModel::p_alive(const CustomerSummary& c, std::span<double> out) const {
  require_size(out.size(), c.size(), "output");
  detail::require_discrete(kind_, c.frequency(), c.recency(), c.T());
  p_alive_valid(c.frequency(), c.recency(), c.T(), out);
}
void RepeatModel::p_alive(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                          std::span<double> out) const {
  detail::validate_rfm({}, x, tx, T, {}, {}, false);
  detail::require_discrete(kind_, x, tx, T);
  require_size(out.size(), x.size(), "output");
  p_alive_valid(x, tx, T, out);
}
void RepeatModel::p_alive_valid(std::span<const double> x, std::span<const double> tx,
                                std::span<const double> T, std::span<double> out) const {
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::exp(log_p_alive(x[i], tx[i], T[i]));
}

void RepeatModel::expected_purchases(double t, const CustomerSummary& c, std::span<double> out) const {
  require_nonnegative(t, "t (prediction horizon)");
  require_size(out.size(), c.size(), "output");
  detail::require_discrete(kind_, c.frequency(), c.recency(), c.T());
  expected_purchases_valid(t, c.frequency(), c.recency(), c.T(), out);
}
void RepeatModel::expected_purchases(double t, std::span<const double> x, std::span<const double> tx,
                                     std::span<const double> T, std::span<double> out) const {
  require_nonnegative(t, "t (prediction horizon)");
  detail::validate_rfm({}, x, tx, T, {}, {}, false);
  detail::require_discrete(kind_, x, tx, T);
  require_size(out.size(), x.size(), "output");
  expected_purchases_valid(t, x, tx, T, out);
}
void RepeatModel::expected_purchases_valid(double t, std::span<const double> x, std::span<const double> tx,
                                           std::span<const double> T, std::span<double> out) const {
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = conditional(t, x[i], tx[i], T[i]);
}

double RepeatModel::expected_purchases_new(double t) const {
  require_nonnegative(t, "t (prediction horizon)");
  return conditional(t, 0.0, 0.0, 0.0);
}

void RepeatModel::clv(const CustomerSummary& c, std::span<const double> spend, int n_periods,
                      double period_length, double discount, std::span<double> out) const {
  require_size(out.size(), c.size(), "output");
  detail::require_discrete(kind_, c.frequency(), c.recency(), c.T());
  clv_valid(c.frequency(), c.recency(), c.T(), spend, n_periods, period_length, discount, out);
}
void RepeatModel::clv(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                      std::span<const double> spend, int n_periods, double period_length, double discount,
                      std::span<double> out) const {
  detail::validate_rfm({}, x, tx, T, {}, {}, false);
  detail::require_discrete(kind_, x, tx, T);
  require_size(out.size(), x.size(), "output");
  clv_valid(x, tx, T, spend, n_periods, period_length, discount, out);
}
void RepeatModel::clv_valid(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                            std::span<const double> spend, int n_periods, double period_length,
                            double discount, std::span<double> out) const {
  require_size(spend.size(), x.size(), "spend");
  if (n_periods < 0) fail(Errc::invalid_argument, "n_periods must be >= 0, got ", n_periods);
  if (!(std::isfinite(period_length) && period_length > 0.0))
    fail(Errc::invalid_argument, "period_length must be finite and > 0, got ", period_length);
  if (!(std::isfinite(discount) && discount > -1.0))
    fail(Errc::invalid_argument, "discount rate must be finite and > -1, got ", discount);
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(spend[i])) fail(Errc::invalid_argument, "spend: row ", i, " is ", spend[i]);
  // Bounded work (issue 17: n_periods = INT_MAX ran for days, each period's expectation
  // costing more as the horizon grows).  Expected purchases per period never increase
  // (a customer's rate is fixed and being alive can only end), so after period k the rest
  // of the sum is at most |spend| * (largest increment) * (1+d)^-k / d: with d > 0 the sum
  // stops once that bound is below 1e-16 of the value, and at most
  // 1 + log(1 / (d 1e-16)) / log(1 + d) periods are ever summed.  With d = 0 the sum
  // telescopes to spend * E[purchases by n_periods L].  A negative rate, or a rate so
  // small that more than kMaxClvPeriods would be summed, is refused naming n_periods.
  constexpr double kTailTolerance = 1e-16;
  constexpr double kMaxClvPeriods = 1e6;
  double periods_needed = n_periods;
  if (discount > 0.0)
    periods_needed =
        std::min(periods_needed, 1.0 + std::log(1.0 / (discount * kTailTolerance)) / std::log1p(discount));
  else if (discount == 0.0)
    periods_needed = std::min(periods_needed, 1.0);
  if (periods_needed > kMaxClvPeriods)
    fail(Errc::out_of_range, "n_periods = ", n_periods, " at discount rate ", discount, " would sum up to ",
         periods_needed, " periods; at most ", kMaxClvPeriods,
         " are summed: use fewer periods or a larger discount rate (a negative rate grows without bound)");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (discount == 0.0) {
      out[i] = n_periods == 0 ? 0.0 : spend[i] * conditional(n_periods * period_length, x[i], tx[i], T[i]);
      continue;
    }
    double v = 0.0, prev = 0.0, largest = 0.0;
    for (int k = 1; k <= n_periods; ++k) {
      const double e = conditional(k * period_length, x[i], tx[i], T[i]);
      const double growth = std::pow(1.0 + discount, k);
      v += spend[i] * (e - prev) / growth;
      largest = std::max(largest, e - prev);
      prev = e;
      if (discount > 0.0 &&
          std::abs(spend[i]) * largest / (growth * discount) <= kTailTolerance * std::abs(v))
        break;
    }
    out[i] = v;
  }
}

void RepeatModel::p_alive_at(double m, std::span<const double> x, std::span<const double> tx,
                             std::span<const double> T, std::span<double> out) const {
  if (kind_ != RepeatKind::beta_geo_beta_binom)
    fail(Errc::invalid_argument, "p_alive_at (alive m periods ahead) is defined for BG/BB only; use p_alive");
  require_nonnegative(m, "m (future periods)");
  detail::validate_rfm({}, x, tx, T, {}, {}, false);
  detail::require_discrete(kind_, x, tx, T);
  require_size(out.size(), x.size(), "output");
  detail::BetaGeoBetaBinomRow row(p_.data());
  std::array<double, 4> g{};
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double n = T[i];
    const double l = detail::log_beta(p_[0] + x[i], p_[1] + n - x[i]) - row.lb_ab +
                     detail::log_beta(p_[2], p_[3] + n + m) - row.lb_gd;
    out[i] = std::min(1.0, std::exp(l - row(x[i], tx[i], n, 1.0, g.data())));
  }
}

double RepeatModel::log_p_alive(double x, double tx, double T) const {
  const double r = p_[0], alpha = p_[1];
  if (kind_ == RepeatKind::beta_geo_beta_binom) {
    detail::BetaGeoBetaBinomRow row(p_.data());
    std::array<double, 4> g{};
    const double l = detail::log_beta(p_[0] + x, p_[1] + T - x) - row.lb_ab +
                     detail::log_beta(p_[2], p_[3] + T + 1.0) - row.lb_gd;
    return std::min(0.0, l - row(x, tx, T, 1.0, g.data()));
  }
  if (kind_ == RepeatKind::beta_geo) {
    if (x == 0.0) return 0.0;
    const double a = p_[2], b = p_[3];
    const double log_div = (r + x) * std::log((alpha + T) / (alpha + tx)) + std::log(a / (b + x - 1.0));
    return -detail::log1pexp(log_div);
  }
  double lpa = 0.0;
  detail::pareto_row_core(r, alpha, p_[2], p_[3], x, tx, T, 0.0, nullptr, &lpa);
  return std::min(lpa, 0.0);
}

double RepeatModel::bgbb_conditional(double t, double x, double tx, double n) const {
  // Fader, Hardie and Shang (2010), eq. 13; the limit gamma -> 1 of delta / (gamma - 1)
  // [Gamma(1+d+n)/Gamma(g+d+n) - Gamma(1+d+n+t)/Gamma(g+d+n+t)] is
  // delta (digamma(1+d+n+t) - digamma(1+d+n)).
  const double al = p_[0], be = p_[1], ga = p_[2], de = p_[3];
  detail::BetaGeoBetaBinomRow row(p_.data());
  std::array<double, 4> g{};
  const double ll = row(x, tx, n, 1.0, g.data());
  const double lead = std::exp(detail::log_beta(al + x + 1.0, be + n - x) - row.lb_ab - ll);
  double tail;
  if (std::abs(ga - 1.0) < 1e-8) {
    tail = de * (boost::math::digamma(1.0 + de + n + t) - boost::math::digamma(1.0 + de + n));
  } else {
    const double c = detail::log_gamma(ga + de) - detail::log_gamma(1.0 + de);
    const double u = std::exp(c + detail::log_gamma(1.0 + de + n) - detail::log_gamma(ga + de + n));
    const double v = std::exp(c + detail::log_gamma(1.0 + de + n + t) - detail::log_gamma(ga + de + n + t));
    tail = de / (ga - 1.0) * (u - v);
  }
  return lead * tail;
}

double RepeatModel::conditional(double t, double x, double tx, double T) const {
  if (kind_ == RepeatKind::beta_geo_beta_binom) return bgbb_conditional(t, x, tx, T);
  const double r = p_[0], alpha = p_[1];
  const double pa = T > 0.0 ? std::exp(log_p_alive(x, tx, T)) : 1.0;
  if (kind_ == RepeatKind::beta_geo) {
    const double a = p_[2], b = p_[3];
    // (1 - 2F1(r+x, b+x; a+b+x-1; z) (1-z)^(r+x)) with z = t/(alpha+T+t), through Euler's
    // transformation (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): no overflow for large x.
    const double z = t / (alpha + T + t);
    const double h =
        std::pow(1.0 - z, a - 1.0) * detail::hyp2f1_series(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z);
    return (a + b + x - 1.0) / (a - 1.0) * (1.0 - h) * pa;
  }
  const double s = p_[2], beta = p_[3];
  const double q = std::log((beta + T) / (beta + T + t));
  const double third = s == 1.0 ? -q : -std::expm1((s - 1.0) * q) / (s - 1.0);
  return pa * (r + x) * (beta + T) / (alpha + T) * third;
}

// ---------------------------------------------------------------- GammaGammaModel

GammaGammaModel::GammaGammaModel(std::span<const double> params) {
  if (params.size() != 3)
    fail(Errc::shape_mismatch, "Gamma-Gamma takes 3 parameters (p, q, v), got ", params.size());
  static const char* names[] = {"p", "q", "v"};
  for (std::size_t k = 0; k < 3; ++k)
    if (!(std::isfinite(params[k]) && params[k] > 0.0))
      fail(Errc::invalid_argument, "parameter ", names[k], " must be finite and > 0, got ", params[k]);
  std::copy(params.begin(), params.end(), p_.begin());
  report_.status = FitStatus::converged;
  report_.message = "parameters given";
}

GammaGammaModel::GammaGammaModel(std::span<const double> params, FitReport report) : GammaGammaModel(params) {
  require_report(report);
  report_ = std::move(report);
}

GammaGammaModel GammaGammaModel::fit(std::span<const double> frequency, std::span<const double> spend,
                                     std::span<const double> weights, const RepeatFitOptions& options) {
  require_size(spend.size(), frequency.size(), "spend");
  if (!weights.empty()) require_size(weights.size(), frequency.size(), "weights");
  if (frequency.empty()) fail(Errc::empty_input, "no repeat buyers to fit");
  if (!(options.tolerance > 0.0))
    fail(Errc::invalid_argument, "tolerance must be > 0, got ", options.tolerance);
  double wsum = 0.0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double x = frequency[i], m = spend[i];
    if (!(std::isfinite(x) && x >= 1.0 && x == std::floor(x)))
      fail(Errc::invalid_argument, "frequency: row ", i, " is ", x,
           "; Gamma-Gamma is fitted on repeat buyers (integer frequency >= 1)");
    if (!(std::isfinite(m) && m >= 0.0))
      fail(Errc::invalid_argument, "spend: row ", i, " is ", m,
           "; mean repeat spend must be finite and >= 0");
    if (!weights.empty()) {
      if (!(std::isfinite(weights[i]) && weights[i] >= 0.0))
        fail(Errc::invalid_argument, "weights: row ", i, " is ", weights[i],
             "; weights must be finite and >= 0");
      wsum += weights[i];
    }
  }
  if (!weights.empty() && !(wsum > 0.0)) fail(Errc::invalid_argument, "weights are all zero");
  // Repeat buyers whose repeat purchases cost nothing say nothing about a Gamma spend: they
  // are left out of the fit (and get the population mean in expected_spend).
  std::vector<double> xs, ms, ws;
  std::size_t zero = 0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    if (spend[i] == 0.0) {
      ++zero;
      continue;
    }
    xs.push_back(frequency[i]);
    ms.push_back(spend[i]);
    if (!weights.empty()) ws.push_back(weights[i]);
  }
  if (xs.empty())
    fail(Errc::empty_input, "every repeat buyer has zero mean repeat spend (", zero,
         " rows); Gamma-Gamma needs some with spend > 0");
  if (!weights.empty() && !(std::accumulate(ws.begin(), ws.end(), 0.0) > 0.0))
    fail(Errc::invalid_argument, "weights are all zero on the repeat buyers with spend > 0");
  if (zero == 0) return fit_valid(frequency, spend, weights, options);
  GammaGammaModel g = fit_valid(xs, ms, ws, options);
  g.report_.message += detail::concat("; ", zero, " repeat buyers with zero spend left out of the fit");
  return g;
}

GammaGammaModel GammaGammaModel::fit(const CustomerSummary& customers, std::span<const double> weights,
                                     const RepeatFitOptions& options) {
  if (!weights.empty()) require_size(weights.size(), customers.size(), "weights");
  if (customers.repeat_buyers() == 0) fail(Errc::empty_input, "no repeat buyers to fit");
  if (!customers.has_monetary())
    fail(Errc::invalid_argument,
         "the customer summary has no monetary values; Gamma-Gamma needs each repeat buyer's mean spend");
  if (!(options.tolerance > 0.0))
    fail(Errc::invalid_argument, "tolerance must be > 0, got ", options.tolerance);
  // The repeat buyers only (the summary guarantees their spend is finite and > 0).
  const auto x = customers.frequency();
  const auto m = customers.monetary();
  std::vector<double> xs, ms, ws;
  xs.reserve(customers.repeat_buyers());
  ms.reserve(customers.repeat_buyers());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == 0.0) continue;
    xs.push_back(x[i]);
    ms.push_back(m[i]);
    if (!weights.empty()) ws.push_back(weights[i]);
  }
  if (!weights.empty()) {
    // finite and >= 0 on every row (messages name the summary's row), not all zero on the
    // repeat buyers
    for (std::size_t i = 0; i < weights.size(); ++i)
      if (!(std::isfinite(weights[i]) && weights[i] >= 0.0))
        fail(Errc::invalid_argument, "weights: row ", i, " is ", weights[i],
             "; weights must be finite and >= 0");
    if (!(std::accumulate(ws.begin(), ws.end(), 0.0) > 0.0))
      fail(Errc::invalid_argument, "weights are all zero on the repeat buyers");
  }
  return fit_valid(xs, ms, ws, options);
}

GammaGammaModel GammaGammaModel::fit_valid(std::span<const double> frequency, std::span<const double> spend,
                                           std::span<const double> weights, const RepeatFitOptions& options) {
  std::vector<double> dummy(frequency.size(), 0.0);
  detail::RfmRows rows = detail::make_rows(frequency, spend, dummy, weights, options.compress);
  GammaGammaModel g;
  if (!options.initial.empty()) {
    GammaGammaModel given(options.initial);
    g.p_ = given.p_;
  } else {
    g.p_ = {1.0, 1.0, detail::weighted_mean(rows.tx, rows.w)};
  }
  g.report_ = detail::maximise<detail::GammaGammaRow, 3>(g.p_, rows, options);
  if (detail::covariance_deferred(g.report_, options))
    g.deferred_ = detail::defer_covariance<detail::GammaGammaRow, 3>(g.p_, std::move(rows), options.threads);
  return g;
}

const std::vector<double>& GammaGammaModel::covariance() const {
  return deferred_ ? detail::deferred_value(*deferred_) : report_.covariance;
}

void GammaGammaModel::expected_spend(const CustomerSummary& customers, std::span<double> out) const {
  require_size(out.size(), customers.size(), "output");
  if (!customers.has_monetary() && !customers.empty())
    fail(Errc::invalid_argument,
         "the customer summary has no monetary values; expected spend needs each customer's mean spend");
  expected_spend_valid(customers.frequency(), customers.monetary(), out);
}

void GammaGammaModel::expected_spend(std::span<const double> frequency, std::span<const double> spend,
                                     std::span<double> out) const {
  require_size(spend.size(), frequency.size(), "spend");
  require_size(out.size(), frequency.size(), "output");
  if (!(p_[1] > 1.0))
    fail(Errc::invalid_argument, "expected spend needs q > 1 (finite mean), got q = ", p_[1]);
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double x = frequency[i], m = spend[i];
    if (!(std::isfinite(x) && x >= 0.0))
      fail(Errc::invalid_argument, "frequency: row ", i, " is ", x, "; frequency must be finite and >= 0");
    if (!(std::isfinite(m) && m >= 0.0))
      fail(Errc::invalid_argument, "spend: row ", i, " is ", m,
           "; mean repeat spend must be finite and >= 0");
  }
  expected_spend_valid(frequency, spend, out);
}

void GammaGammaModel::expected_spend_valid(std::span<const double> frequency, std::span<const double> spend,
                                           std::span<double> out) const {
  const double p = p_[0], q = p_[1], v = p_[2];
  if (!(q > 1.0)) fail(Errc::invalid_argument, "expected spend needs q > 1 (finite mean), got q = ", q);
  // x = 0 or m = 0: no spend observed, so the population mean p v / (q - 1).
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double x = spend[i] == 0.0 ? 0.0 : frequency[i];
    out[i] = p * (v + x * spend[i]) / (p * x + q - 1.0);
  }
}

// ---------------------------------------------------------------- simulators

namespace {
constexpr std::size_t sim_block = 4096;

double draw_gamma(Rng& rng, double shape, double rate) {
  return std::gamma_distribution<double>(shape, 1.0 / rate)(rng);
}
double draw_beta(Rng& rng, double a, double b) {
  const double u = draw_gamma(rng, a, 1.0), v = draw_gamma(rng, b, 1.0);
  return u + v > 0.0 ? u / (u + v) : a / (a + b);
}
}  // namespace

SimulatedCustomers simulate_repeat(RepeatKind kind, std::span<const double> params, std::span<const double> T,
                                   std::uint64_t seed, int threads) {
  require_kind(kind);
  detail::require_params(kind, params);
  const bool discrete = kind == RepeatKind::beta_geo_beta_binom;
  for (std::size_t i = 0; i < T.size(); ++i)
    if (!(std::isfinite(T[i]) && T[i] >= 0.0) || (discrete && T[i] != std::floor(T[i])))
      fail(Errc::invalid_argument, discrete ? "n_periods" : "T", ": row ", i, " is ", T[i],
           discrete ? "; the number of periods must be an integer >= 0" : "; T must be finite and >= 0");
  const std::array<double, 4> p{params[0], params[1], params[2], params[3]};
  SimulatedCustomers out;
  const std::size_t n = T.size();
  out.frequency.assign(n, 0.0);
  out.recency.assign(n, 0.0);
  out.T.assign(T.begin(), T.end());
  const std::size_t n_tasks = (n + sim_block - 1) / sim_block;
  // threads = 0: from the work, a customer taken as 64 steps (a few dozen purchase draws).
  const auto used = static_cast<int>(resolve_threads(threads, std::uint64_t{64} * n, step_grain));
  parallel_for(n_tasks, used, [&](std::size_t task) {
    Rng rng = stream(seed, task);
    const std::size_t end = std::min(n, (task + 1) * sim_block);
    for (std::size_t i = task * sim_block; i < end; ++i) {
      double x = 0.0, tx = 0.0;
      const double age = T[i];
      if (kind == RepeatKind::beta_geo) {
        const double lambda = draw_gamma(rng, p[0], p[1]), drop = draw_beta(rng, p[2], p[3]);
        // NOLINTNEXTLINE(cert-flp30-c): t is the time of the next purchase (a Poisson process), not a counter
        for (double t = rng.exponential(lambda); t <= age; t += rng.exponential(lambda)) {
          x += 1.0;
          tx = t;
          if (rng.bernoulli(drop)) break;
        }
      } else if (kind == RepeatKind::pareto_nbd) {
        const double lambda = draw_gamma(rng, p[0], p[1]), mu = draw_gamma(rng, p[2], p[3]);
        const double life = std::min(age, rng.exponential(mu));
        // NOLINTNEXTLINE(cert-flp30-c): t is the time of the next purchase (a Poisson process), not a counter
        for (double t = rng.exponential(lambda); t <= life; t += rng.exponential(lambda)) {
          x += 1.0;
          tx = t;
        }
      } else {
        const double buy = draw_beta(rng, p[0], p[1]), drop = draw_beta(rng, p[2], p[3]);
        for (std::int64_t t = 1; static_cast<double>(t) <= age; ++t) {
          if (rng.bernoulli(drop)) break;
          if (rng.bernoulli(buy)) {
            x += 1.0;
            tx = static_cast<double>(t);
          }
        }
      }
      out.frequency[i] = x;
      out.recency[i] = tx;
    }
  });
  return out;
}

std::vector<double> simulate_spend(std::span<const double> params, std::span<const double> frequency,
                                   std::uint64_t seed, int threads) {
  const GammaGammaModel given(params);  // checks the parameters
  const auto& p = given.params();
  for (std::size_t i = 0; i < frequency.size(); ++i)
    if (!(std::isfinite(frequency[i]) && frequency[i] >= 0.0 && frequency[i] == std::floor(frequency[i])))
      fail(Errc::invalid_argument, "frequency: row ", i, " is ", frequency[i],
           "; frequency counts repeat purchases (integer >= 0)");
  const std::size_t n = frequency.size();
  std::vector<double> out(n, 0.0);
  const std::size_t n_tasks = (n + sim_block - 1) / sim_block;
  // threads = 0: from the work, a customer taken as 64 steps (a few dozen purchase draws).
  const auto used = static_cast<int>(resolve_threads(threads, std::uint64_t{64} * n, step_grain));
  parallel_for(n_tasks, used, [&](std::size_t task) {
    Rng rng = stream(seed, task);
    const std::size_t end = std::min(n, (task + 1) * sim_block);
    for (std::size_t i = task * sim_block; i < end; ++i) {
      const double nu = draw_gamma(rng, p[1], p[2]);
      const double x = frequency[i];
      out[i] = x > 0.0 ? draw_gamma(rng, p[0] * x, nu) / x : 0.0;
    }
  });
  return out;
}

FUNNELNET_END
