// Penalised logistic regression (see funnelnet/scoring/logistic.hpp).
#include "funnelnet/scoring/logistic.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/linalg.hpp"
#include "funnelnet/core/threads.hpp"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

FUNNELNET_BEGIN

namespace detail {
namespace {

constexpr std::size_t kChunk = 2048;  // rows per task: fixes the summation order

inline double softplus(double eta) noexcept {
  return eta > 0.0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta));
}
inline double sigmoid(double eta) noexcept {
  if (eta >= 0.0) return 1.0 / (1.0 + std::exp(-eta));
  const double e = std::exp(eta);
  return e / (1.0 + e);
}

std::size_t n_chunks(std::size_t n) {
  return (n + kChunk - 1) / kChunk;
}

// H += Z' Z on the lower triangle, for Z (rows x ld, row-major, ld a multiple of 8) and
// H (ld x ld, row-major: H[i * ld + j], j <= i; tiles that straddle the diagonal also
// write some j > i, which are ignored).  Register tiles of 4 x 8 over all rows.
constexpr std::size_t kLane = 8;

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FUNNELNET_SYRK_AVX2 1
__attribute__((target("avx2,fma"))) void syrk_lower_avx2(const double* Z, std::size_t rows, std::size_t ld,
                                                         double* H) {
  for (std::size_t ib = 0; ib < ld; ib += 4)
    for (std::size_t jb = 0; jb < ib + 4; jb += kLane) {
      __m256d c[4][2];
      for (auto& row : c) row[0] = row[1] = _mm256_setzero_pd();
      const double* z = Z;
      for (std::size_t r = 0; r < rows; ++r, z += ld) {
        const __m256d b0 = _mm256_loadu_pd(z + jb), b1 = _mm256_loadu_pd(z + jb + 4);
        for (std::size_t a = 0; a < 4; ++a) {
          const __m256d s = _mm256_broadcast_sd(z + ib + a);
          c[a][0] = _mm256_fmadd_pd(s, b0, c[a][0]);
          c[a][1] = _mm256_fmadd_pd(s, b1, c[a][1]);
        }
      }
      for (std::size_t a = 0; a < 4; ++a) {
        double* h = H + (ib + a) * ld + jb;
        _mm256_storeu_pd(h, _mm256_add_pd(_mm256_loadu_pd(h), c[a][0]));
        _mm256_storeu_pd(h + 4, _mm256_add_pd(_mm256_loadu_pd(h + 4), c[a][1]));
      }
    }
}
#endif

void syrk_lower_generic(const double* Z, std::size_t rows, std::size_t ld, double* H) {
  for (std::size_t ib = 0; ib < ld; ib += 4)
    for (std::size_t jb = 0; jb < ib + 4; jb += kLane) {
      double c[4][kLane] = {};
      const double* z = Z;
      for (std::size_t r = 0; r < rows; ++r, z += ld)
        for (std::size_t a = 0; a < 4; ++a)
          for (std::size_t l = 0; l < kLane; ++l) c[a][l] += z[ib + a] * z[jb + l];
      for (std::size_t a = 0; a < 4; ++a)
        for (std::size_t l = 0; l < kLane; ++l) H[(ib + a) * ld + jb + l] += c[a][l];
    }
}

void syrk_lower(const double* Z, std::size_t rows, std::size_t ld, double* H) {
#ifdef FUNNELNET_SYRK_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) {
    syrk_lower_avx2(Z, rows, ld, H);
    return;
  }
#endif
  syrk_lower_generic(Z, rows, ld, H);
}

// The standardised design: parameter 0 is the intercept (when fitted), parameter
// off + jj the coefficient of the standardised active column active[jj],
// (x_j - centre_j) * inv_scale_j.  Every pass works on row blocks of X centred into a
// small buffer (no standardised copy of X is ever made; centring before any product
// keeps columns with a large mean and a small spread accurate).
struct Design {
  const MatrixRef& X;
  std::vector<std::size_t> active;
  std::vector<double> centre;     // per column of X (0 without an intercept)
  std::vector<double> inv_scale;  // per column of X (0 for a constant column)
  bool intercept = true;
  [[nodiscard]] Eigen::Index off() const { return intercept ? 1 : 0; }
  [[nodiscard]] Eigen::Index k() const { return static_cast<Eigen::Index>(active.size()) + off(); }
  [[nodiscard]] Eigen::Index p() const { return X.cols(); }
  // theta -> (b0, b): eta = b0 + (x - centre) . b.
  void raw(const Eigen::VectorXd& theta, double& b0, Eigen::VectorXd& b) const {
    b0 = intercept ? theta(0) : 0.0;
    b = Eigen::VectorXd::Zero(p());
    for (std::size_t jj = 0; jj < active.size(); ++jj) {
      const std::size_t j = active[jj];
      b(static_cast<Eigen::Index>(j)) = theta(off() + static_cast<Eigen::Index>(jj)) * inv_scale[j];
    }
  }
  // Zc = X[start:start+rows] - centre.
  void centred(std::size_t start, std::size_t rows, Matrix& Zc) const {
    const Eigen::Map<const Eigen::RowVectorXd> m(centre.data(), p());
    Zc.resize(static_cast<Eigen::Index>(rows), p());
    Zc.noalias() =
        X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows)).rowwise() - m;
  }
  // Standardised gradient / Hessian from the ones on the centred raw columns
  // (index 0 = intercept, 1 + j = column j).
  void standardise(const Eigen::VectorXd& g_raw, const Eigen::MatrixXd& h_raw, Eigen::VectorXd& g,
                   Eigen::MatrixXd* h) const {
    const Eigen::Index K = k();
    std::vector<Eigen::Index> src(static_cast<std::size_t>(K));
    std::vector<double> f(static_cast<std::size_t>(K));
    if (intercept) {
      src[0] = 0;
      f[0] = 1.0;
    }
    for (std::size_t jj = 0; jj < active.size(); ++jj) {
      const auto a = static_cast<std::size_t>(off()) + jj;
      src[a] = 1 + static_cast<Eigen::Index>(active[jj]);
      f[a] = inv_scale[active[jj]];
    }
    g.resize(K);
    for (Eigen::Index a = 0; a < K; ++a)
      g(a) = f[static_cast<std::size_t>(a)] * g_raw(src[static_cast<std::size_t>(a)]);
    if (h == nullptr) return;
    h->resize(K, K);
    for (Eigen::Index a = 0; a < K; ++a)
      for (Eigen::Index c = 0; c < K; ++c)
        (*h)(a, c) = f[static_cast<std::size_t>(a)] * f[static_cast<std::size_t>(c)] *
                     h_raw(src[static_cast<std::size_t>(a)], src[static_cast<std::size_t>(c)]);
  }
};

struct Problem {
  const Design& D;
  std::span<const double> y, w;
  double W = 0.0;
  double lam_l2 = 0.0, lam_l1 = 0.0;
  std::vector<double> d;  // penalty factor per parameter (0 for the intercept)
  int threads = 0;
  [[nodiscard]] double weight(std::size_t i) const { return w.empty() ? 1.0 : w[i]; }
  [[nodiscard]] double l1(const Eigen::VectorXd& t) const {
    double s = 0.0;
    for (Eigen::Index j = 0; j < t.size(); ++j) s += d[static_cast<std::size_t>(j)] * std::abs(t(j));
    return lam_l1 * s;
  }
  [[nodiscard]] double l2(const Eigen::VectorXd& t) const {
    double s = 0.0;
    for (Eigen::Index j = 0; j < t.size(); ++j) {
      const double v = d[static_cast<std::size_t>(j)] * t(j);
      s += v * v;
    }
    return 0.5 * lam_l2 * s;
  }
};

// One pass over X at theta: eta, the smooth loss, its gradient and (optionally) its
// Hessian, means over W, on the standardised scale.  The Hessian is a rank-k update
// (syrk) of the centred row block scaled by sqrt(w p (1 - p)); the row blocks' parts
// are added in block order, so the result does not depend on the thread count.
void newton_pass(const Problem& P, const Eigen::VectorXd& theta, std::vector<double>& eta, double& loss,
                 Eigen::VectorXd& grad, Eigen::MatrixXd* hess) {
  const std::size_t n = P.y.size(), T = n_chunks(n);
  const Eigen::Index p = P.D.p();
  double b0 = 0.0;
  Eigen::VectorXd b;
  P.D.raw(theta, b0, b);
  std::vector<double> part_loss(T, 0.0);
  std::vector<Eigen::VectorXd> part_g(T);
  std::vector<Eigen::MatrixXd> part_h(hess != nullptr ? T : 0);
  parallel_for(T, P.threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, rows = std::min(kChunk, n - start);
    const auto R = static_cast<Eigen::Index>(rows);
    thread_local Matrix Zc;
    thread_local std::vector<double> Zs, Hl;
    P.D.centred(start, rows, Zc);
    Eigen::Map<Eigen::VectorXd> e(eta.data() + start, R);
    e.noalias() = Zc * b;
    e.array() += b0;
    Eigen::VectorXd res(R), v(R);
    double l = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t i = start + r;
      const auto rr = static_cast<Eigen::Index>(r);
      const double wi = P.weight(i), ei = e(rr);
      // one exp for both the loss and the probability
      const double z = std::exp(-std::abs(ei));
      const double pi = ei >= 0.0 ? 1.0 / (1.0 + z) : z / (1.0 + z);
      l += wi * ((ei > 0.0 ? ei : 0.0) + std::log1p(z) - P.y[i] * ei);
      res(rr) = wi * (pi - P.y[i]);
      v(rr) = wi * pi * (1.0 - pi);
    }
    part_loss[t] = l;
    Eigen::VectorXd g(p + 1);
    g(0) = res.sum();
    g.tail(p).noalias() = Zc.transpose() * res;
    part_g[t] = std::move(g);
    if (hess == nullptr) return;
    // [sqrt(v), sqrt(v) (x - centre)] padded to a multiple of kLane columns, then H = Z'Z.
    const auto P1 = static_cast<std::size_t>(p) + 1, ld = (P1 + kLane - 1) / kLane * kLane;
    Zs.assign(rows * ld, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
      const double sv = std::sqrt(v(static_cast<Eigen::Index>(r)));
      double* zr = Zs.data() + r * ld;
      const double* xr = Zc.data() + r * static_cast<std::size_t>(p);
      zr[0] = sv;
      for (std::size_t j = 0; j < static_cast<std::size_t>(p); ++j) zr[1 + j] = sv * xr[j];
    }
    Hl.assign(ld * ld, 0.0);
    syrk_lower(Zs.data(), rows, ld, Hl.data());
    const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> hm(
        Hl.data(), static_cast<Eigen::Index>(ld), static_cast<Eigen::Index>(ld));
    part_h[t] = hm.topLeftCorner(p + 1, p + 1);
  });
  loss = 0.0;
  Eigen::VectorXd g_raw = Eigen::VectorXd::Zero(p + 1);
  Eigen::MatrixXd h_raw;
  if (hess != nullptr) h_raw = Eigen::MatrixXd::Zero(p + 1, p + 1);
  for (std::size_t t = 0; t < T; ++t) {
    loss += part_loss[t];
    g_raw += part_g[t];
    if (hess != nullptr) h_raw += part_h[t];
  }
  loss /= P.W;
  g_raw /= P.W;
  if (hess != nullptr) {
    h_raw /= P.W;
    h_raw = h_raw.selfadjointView<Eigen::Lower>();
  }
  P.D.standardise(g_raw, h_raw, grad, hess);
}

// Smooth loss (mean over W) at eta0 + a (eta1 - eta0).
double loss_along(const Problem& P, const std::vector<double>& eta0, const std::vector<double>& eta1,
                  double a) {
  const std::size_t n = P.y.size(), T = n_chunks(n);
  std::vector<double> part(T, 0.0);
  parallel_for(T, P.threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, end = std::min(n, start + kChunk);
    double l = 0.0;
    for (std::size_t i = start; i < end; ++i) {
      const double e = eta0[i] + a * (eta1[i] - eta0[i]);
      l += P.weight(i) * (softplus(e) - P.y[i] * e);
    }
    part[t] = l;
  });
  return std::accumulate(part.begin(), part.end(), 0.0) / P.W;
}

// Minimum-norm subgradient of the full objective (gradient g includes the L2 part).
double subgradient_norm(const Problem& P, const Eigen::VectorXd& theta, const Eigen::VectorXd& g) {
  double m = 0.0;
  for (Eigen::Index j = 0; j < g.size(); ++j) {
    const double c = P.lam_l1 * P.d[static_cast<std::size_t>(j)];
    double v = 0.0;
    if (c == 0.0)
      v = std::abs(g(j));
    else if (theta(j) != 0.0)
      v = std::abs(g(j) + c * (theta(j) > 0.0 ? 1.0 : -1.0));
    else
      v = std::max(0.0, std::abs(g(j)) - c);
    m = std::max(m, v);
  }
  return m;
}

// Coordinate descent on g'(v - theta) + 1/2 (v - theta)' H (v - theta) + L1(v).
Eigen::VectorXd prox_newton_step(const Problem& P, const Eigen::VectorXd& theta, const Eigen::VectorXd& g,
                                 const Eigen::MatrixXd& H) {
  const Eigen::Index k = theta.size();
  Eigen::VectorXd v = theta, r = g;
  for (int sweep = 0; sweep < 10000; ++sweep) {
    double change = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
      const double h = H(j, j);
      if (!(h > 0.0)) continue;
      const double z = v(j) - r(j) / h;
      const double c = P.lam_l1 * P.d[static_cast<std::size_t>(j)] / h;
      const double nv = c > 0.0 ? std::copysign(std::max(std::abs(z) - c, 0.0), z) : z;
      const double diff = nv - v(j);
      if (diff != 0.0) {
        v(j) = nv;
        r += H.col(j) * diff;
        change = std::max(change, std::abs(diff) * std::sqrt(h));
      }
    }
    if (change < 1e-15) break;
  }
  return v - theta;
}

// Newton step for a smooth objective: Cholesky when H is well conditioned, else the
// minimum-norm (pseudo-inverse) step.
Eigen::VectorXd newton_step(const Eigen::MatrixXd& H, const Eigen::VectorXd& g) {
  Eigen::VectorXd ev;
  Eigen::MatrixXd V;
  detail::symmetric_eigen(H, ev, &V);
  const double top = ev.cwiseAbs().maxCoeff();
  const double cut = 1e-11 * std::max(top, std::numeric_limits<double>::min());
  Eigen::VectorXd inv(ev.size());
  for (Eigen::Index i = 0; i < ev.size(); ++i) inv(i) = ev(i) > cut ? 1.0 / ev(i) : 0.0;
  return -(V * (inv.asDiagonal() * (V.transpose() * g)));
}

// The first non-finite cell of X in row-major order (rows in chunks, in parallel);
// -1 when every cell is finite.
std::int64_t first_non_finite_row(const MatrixRef& X, int threads) {
  const auto n = static_cast<std::size_t>(X.rows());
  const std::size_t T = n_chunks(n);
  std::vector<std::int64_t> bad(T, -1);
  parallel_for(T, threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, rows = std::min(kChunk, n - start);
    const auto block = X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows));
    if (block.allFinite()) return;
    for (Eigen::Index r = 0; r < block.rows(); ++r)
      if (!block.row(r).allFinite()) {
        bad[t] = static_cast<std::int64_t>(start) + r;
        return;
      }
  });
  for (const std::int64_t b : bad)
    if (b >= 0) return b;
  return -1;
}

[[noreturn]] void fail_non_finite_row(const MatrixRef& X, std::int64_t row) {
  const auto i = static_cast<Eigen::Index>(row);
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    if (!std::isfinite(X(i, j)))
      fail(Errc::invalid_argument, "X[", i, ", ", j, "] must be finite (not NaN or inf), got ", X(i, j));
  fail(Errc::invalid_argument, "X row ", i, " is not finite");
}

void validate(const MatrixRef& X, std::span<const double> y, std::span<const double> w,
              const LogisticOptions& o) {
  if (!(std::isfinite(o.lambda) && o.lambda >= 0.0))
    fail(Errc::invalid_argument, "lambda must be finite and >= 0, got ", o.lambda);
  if (!(o.l1_ratio >= 0.0 && o.l1_ratio <= 1.0))
    fail(Errc::invalid_argument, "l1_ratio must lie in [0, 1], got ", o.l1_ratio);
  if (o.max_iterations < 1)
    fail(Errc::invalid_argument, "max_iterations must be >= 1, got ", o.max_iterations);
  if (!(o.tolerance > 0.0)) fail(Errc::invalid_argument, "tolerance must be > 0, got ", o.tolerance);
  if (!(o.separation_bound > 0.0))
    fail(Errc::invalid_argument, "separation_bound must be > 0, got ", o.separation_bound);
  const auto n = static_cast<std::size_t>(X.rows());
  if (n == 0) fail(Errc::empty_input, "no rows: X has 0 rows");
  if (X.cols() == 0) fail(Errc::empty_input, "no features: X has 0 columns");
  if (!o.penalty_factor.empty()) {
    require_size(o.penalty_factor.size(), static_cast<std::size_t>(X.cols()), "penalty_factor");
    for (std::size_t j = 0; j < o.penalty_factor.size(); ++j)
      if (!(std::isfinite(o.penalty_factor[j]) && o.penalty_factor[j] >= 0.0))
        fail(Errc::invalid_argument, "penalty_factor[", j, "] must be finite and >= 0, got ",
             o.penalty_factor[j]);
  }
  require_size(y.size(), n, "y");
  if (!w.empty()) require_size(w.size(), n, "sample_weight");
  const int scan_threads =
      static_cast<int>(resolve_threads(o.threads, std::uint64_t{n} * X.cols(), step_grain));
  if (const std::int64_t bad = first_non_finite_row(X, scan_threads); bad >= 0) fail_non_finite_row(X, bad);
  (void)detail::class_weights(y, w);
}

// Weighted column sums of X (centre = nullptr) or of (X - centre)^2, in row blocks
// added in block order.
Eigen::VectorXd column_sums(const MatrixRef& X, std::span<const double> w, const Eigen::VectorXd* centre,
                            int threads) {
  const auto n = static_cast<std::size_t>(X.rows());
  const std::size_t T = n_chunks(n);
  std::vector<Eigen::VectorXd> part(T);
  parallel_for(T, threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, rows = std::min(kChunk, n - start);
    const auto R = static_cast<Eigen::Index>(rows);
    const auto block = X.middleRows(static_cast<Eigen::Index>(start), R);
    if (centre == nullptr) {
      if (w.empty())
        part[t] = block.colwise().sum().transpose();
      else
        part[t] = block.transpose() * Eigen::Map<const Eigen::VectorXd>(w.data() + start, R);
      return;
    }
    Matrix Zc = block.rowwise() - centre->transpose();
    if (w.empty())
      part[t] = Zc.array().square().colwise().sum().transpose();
    else
      part[t] =
          Zc.array().square().matrix().transpose() * Eigen::Map<const Eigen::VectorXd>(w.data() + start, R);
  });
  Eigen::VectorXd s = Eigen::VectorXd::Zero(X.cols());
  for (const auto& v : part) s += v;
  return s;
}

}  // namespace

std::pair<double, double> class_weights(std::span<const double> y, std::span<const double> w) {
  double pos = 0.0, neg = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!(y[i] == 0.0 || y[i] == 1.0)) fail(Errc::invalid_argument, "y[", i, "] must be 0 or 1, got ", y[i]);
    const double wi = w.empty() ? 1.0 : w[i];
    if (!(std::isfinite(wi) && wi >= 0.0))
      fail(Errc::invalid_argument, "sample_weight[", i, "] must be finite and >= 0, got ", wi);
    (y[i] == 1.0 ? pos : neg) += wi;
  }
  if (!(pos > 0.0) || !(neg > 0.0))
    fail(Errc::invalid_argument, "y needs both classes with positive weight, got only class ",
         pos > 0.0 ? 1 : 0);
  return {pos, neg};
}
}  // namespace detail

LogisticModel fit_logistic(const MatrixRef& X, std::span<const double> y, std::span<const double> weight,
                           const LogisticOptions& options, const Progress& progress) {
  detail::validate(X, y, weight, options);
  const auto n = static_cast<std::size_t>(X.rows());
  const auto p = static_cast<std::size_t>(X.cols());
  // threads = 0: from the work of one Newton pass (the Hessian, n p^2 multiply-adds).
  const int threads =
      static_cast<int>(resolve_threads(options.threads, std::uint64_t{n} * (p + 1) * (p + 1), step_grain));
  LogisticModel model;
  model.coef.assign(p, 0.0);
  model.mean.assign(p, 0.0);
  model.scale.assign(p, 0.0);

  // Weighted column means and scales.
  double W = 0.0, Wpos = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = weight.empty() ? 1.0 : weight[i];
    W += wi;
    Wpos += wi * y[i];
  }
  const Eigen::VectorXd mean = detail::column_sums(X, weight, nullptr, threads) / W;
  const Eigen::VectorXd centre =
      options.fit_intercept ? mean : Eigen::VectorXd::Zero(static_cast<Eigen::Index>(p));
  const Eigen::VectorXd ss = detail::column_sums(X, weight, &centre, threads);
  detail::Design D{X,
                   {},
                   std::vector<double>(centre.data(), centre.data() + p),
                   std::vector<double>(p, 0.0),
                   options.fit_intercept};
  for (std::size_t j = 0; j < p; ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    const double s = std::sqrt(ss(jj) / W);
    model.mean[j] = mean(jj);
    if (!(s > 1e-12 * std::max(1.0, std::abs(mean(jj))))) {
      model.constant_columns.push_back(static_cast<std::int64_t>(j));
      continue;
    }
    model.scale[j] = s;
    D.active.push_back(j);
    D.inv_scale[j] = 1.0 / s;
  }
  const Eigen::Index k = D.k();
  const Eigen::Index off = D.off();

  detail::Problem P{D,
                    y,
                    weight,
                    W,
                    options.lambda * (1.0 - options.l1_ratio),
                    options.lambda * options.l1_ratio,
                    std::vector<double>(static_cast<std::size_t>(k), 0.0),
                    threads};
  for (std::size_t jj = 0; jj < D.active.size(); ++jj) {
    const std::size_t j = D.active[jj];
    const double factor = options.penalty_factor.empty() ? 1.0 : options.penalty_factor[j];
    P.d[static_cast<std::size_t>(off) + jj] = factor * (options.standardize ? 1.0 : 1.0 / model.scale[j]);
  }
  const bool unpenalised = options.lambda == 0.0;

  Eigen::VectorXd theta = Eigen::VectorXd::Zero(k);
  if (options.fit_intercept) theta(0) = std::log(Wpos / (W - Wpos));
  std::vector<double> eta(n), eta_trial(n);
  Eigen::VectorXd g, g_trial;
  Eigen::MatrixXd H, H_trial;
  double loss = 0.0, loss_trial = 0.0;
  model.status = FitStatus::max_iterations;
  const auto add_l2 = [&](Eigen::VectorXd& gg, Eigen::MatrixXd& hh, const Eigen::VectorXd& t) {
    for (Eigen::Index j = 0; j < k; ++j) {
      const double dj = P.d[static_cast<std::size_t>(j)];
      gg(j) += P.lam_l2 * dj * dj * t(j);
      hh(j, j) += P.lam_l2 * dj * dj;
    }
  };

  detail::newton_pass(P, theta, eta, loss, g, &H);
  if (k == 0) model.status = FitStatus::converged;  // every column constant, no intercept: p = 1/2
  for (int it = 0; k > 0; ++it) {
    add_l2(g, H, theta);
    model.gradient_norm = detail::subgradient_norm(P, theta, g);
    model.iterations = it;
    if (!std::isfinite(loss) || !std::isfinite(model.gradient_norm)) {
      model.status = FitStatus::not_finite;
      break;
    }
    if (model.gradient_norm < options.tolerance) {
      model.status = FitStatus::converged;
      break;
    }
    if (it == options.max_iterations) break;
    if (progress &&
        !progress(static_cast<std::uint64_t>(it) + 1, static_cast<std::uint64_t>(options.max_iterations)))
      fail(Errc::cancelled, "fit_logistic cancelled by the progress callback at iteration ", it + 1);
    const Eigen::VectorXd delta =
        P.lam_l1 > 0.0 ? detail::prox_newton_step(P, theta, g, H) : detail::newton_step(H, g);
    const double f0 = loss + P.l2(theta) + P.l1(theta);
    const double decrease = g.dot(delta) + P.l1(theta + delta) - P.l1(theta);
    bool accepted = false;
    double a = 1.0;
    if (decrease < 0.0) {
      // The full step, evaluated with its gradient and Hessian in one pass over X (the
      // usual case: Newton's full step is accepted).
      const Eigen::VectorXd trial = theta + delta;
      detail::newton_pass(P, trial, eta_trial, loss_trial, g_trial, &H_trial);
      const double f = loss_trial + P.l2(trial) + P.l1(trial);
      // Within rounding of the optimum the objective cannot resolve the decrease: take
      // the full (locally quadratically convergent) step.
      if (f <= f0 + 1e-4 * decrease || -decrease < 1e-13 * (1.0 + std::abs(f0))) {
        accepted = true;
        theta = trial;
        std::swap(eta, eta_trial);
        std::swap(g, g_trial);
        std::swap(H, H_trial);
        loss = loss_trial;
      } else {
        // Backtrack along eta + a (eta_trial - eta): no pass over X until a step is found.
        for (int ls = 1; ls < 60; ++ls) {
          a *= 0.5;
          const Eigen::VectorXd t2 = theta + a * delta;
          if (detail::loss_along(P, eta, eta_trial, a) + P.l2(t2) + P.l1(t2) <= f0 + 1e-4 * a * decrease) {
            accepted = true;
            theta = t2;
            detail::newton_pass(P, theta, eta, loss, g, &H);
            break;
          }
        }
      }
    }
    if (!accepted) {  // no descent possible: at the optimum to rounding, or stuck
      model.status = model.gradient_norm < 1e-7 ? FitStatus::converged : FitStatus::line_search_failed;
      break;
    }
    if (unpenalised && k > off && theta.tail(k - off).cwiseAbs().maxCoeff() > options.separation_bound) {
      model.separated = true;
      model.status = FitStatus::max_iterations;
      model.gradient_norm = detail::subgradient_norm(P, theta, g);
      break;
    }
  }

  // Coefficients on the user's scale.
  double b0 = 0.0;
  Eigen::VectorXd b;
  D.raw(theta, b0, b);
  model.intercept = b0;
  for (std::size_t j = 0; j < p; ++j) {
    model.coef[j] = b(static_cast<Eigen::Index>(j));
    model.intercept -= model.coef[j] * D.centre[j];
  }
  model.log_loss = loss;
  model.objective = loss + P.l2(theta) + P.l1(theta);

  // Rank of the standardised design (the Hessian at the solution, unweighted by p(1-p)
  // is not needed: a flat direction of H is a flat direction of the design when
  // p(1-p) > 0).
  if (k > 0) {
    Eigen::VectorXd ev;
    detail::symmetric_eigen(H, ev, nullptr);
    const double top = ev.cwiseAbs().maxCoeff();
    model.rank_deficient = !model.separated && ev.minCoeff() <= 1e-10 * top;
  }
  const bool well_posed = unpenalised && model.converged() && !model.rank_deficient && !model.separated &&
                          model.constant_columns.empty() && k > 0;
  // The posterior (Laplace) covariance of an L2 fit: the inverse of the penalised
  // Hessian, the penalty read as a Gaussian prior.
  const bool posterior = options.posterior_covariance && !unpenalised && P.lam_l1 == 0.0 &&
                         model.converged() && model.constant_columns.empty() && k > 0;
  if (well_posed || posterior) {
    // Covariance of theta: (W H)^-1; then the linear map to (intercept, coef).
    Eigen::LLT<Eigen::MatrixXd> llt(H * W);
    if (llt.info() == Eigen::Success) {
      const Eigen::MatrixXd cov_t = llt.solve(Eigen::MatrixXd::Identity(k, k));
      Eigen::MatrixXd T = Eigen::MatrixXd::Zero(k, k);
      if (options.fit_intercept) {
        T(0, 0) = 1.0;
        for (std::size_t jj = 0; jj < D.active.size(); ++jj)
          T(0, 1 + static_cast<Eigen::Index>(jj)) = -D.centre[D.active[jj]] * D.inv_scale[D.active[jj]];
      }
      for (std::size_t jj = 0; jj < D.active.size(); ++jj) {
        const auto c = off + static_cast<Eigen::Index>(jj);
        T(c, c) = D.inv_scale[D.active[jj]];
      }
      const Eigen::MatrixXd cov = T * cov_t * T.transpose();
      model.covariance.assign(cov.data(), cov.data() + cov.size());  // symmetric: order irrelevant
    }
  }
  model.message =
      model.converged() ? "converged"
      : model.separated
          ? "the classes look separable: a coefficient passed the separation bound without a penalty; "
            "add a penalty (lambda > 0)"
          : std::string("stopped: ") + fit_status_name(model.status);
  return model;
}

namespace detail {
namespace {
void check_columns(const LogisticModel& model, const MatrixRef& X) {
  if (static_cast<std::size_t>(X.cols()) != model.coef.size())
    fail(Errc::shape_mismatch, "X has ", X.cols(), " columns, the model was fitted on ", model.coef.size());
}
void check_predict_input(const LogisticModel& model, const MatrixRef& X) {
  check_columns(model, X);
  if (const std::int64_t bad = first_non_finite_row(X, 0); bad >= 0) fail_non_finite_row(X, bad);
}

constexpr std::size_t kPredictChunk = 8192;

// eta = intercept + X coef into out (n values), with `finish(start, rows)` run on each
// finished block.  A non-finite cell of X makes its row's eta non-finite (NaN and inf
// propagate through the dot product, inf * 0 is NaN), so only rows with a non-finite
// eta are searched for the cell to name: no separate pass over X.
template <class Finish>
void decision_into(const LogisticModel& model, const MatrixRef& X, double* out, int threads,
                   Finish&& finish) {
  check_columns(model, X);
  const auto n = static_cast<std::size_t>(X.rows());
  const std::size_t T = (n + kPredictChunk - 1) / kPredictChunk;
  threads = static_cast<int>(resolve_threads(threads, std::uint64_t{n} * X.cols(), step_grain));
  std::vector<std::int64_t> bad(T, -1);
  const Eigen::Map<const Eigen::VectorXd> b(model.coef.data(), static_cast<Eigen::Index>(model.coef.size()));
  parallel_for(T, threads, [&](std::size_t t) {
    const std::size_t start = t * kPredictChunk, rows = std::min(kPredictChunk, n - start);
    Eigen::Map<Eigen::VectorXd> o(out + start, static_cast<Eigen::Index>(rows));
    o.noalias() = X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows)) * b;
    o.array() += model.intercept;
    if (!o.allFinite())
      for (std::size_t r = 0; r < rows; ++r)
        if (!std::isfinite(o(static_cast<Eigen::Index>(r))) &&
            !X.row(static_cast<Eigen::Index>(start + r)).allFinite()) {
          bad[t] = static_cast<std::int64_t>(start + r);
          return;
        }
    finish(start, rows);
  });
  for (const std::int64_t row : bad)
    if (row >= 0) fail_non_finite_row(X, row);
}
}  // namespace
}  // namespace detail

std::vector<double> logistic_decision(const LogisticModel& model, const MatrixRef& X, int threads) {
  std::vector<double> out(static_cast<std::size_t>(X.rows()));
  detail::decision_into(model, X, out.data(), threads, [](std::size_t, std::size_t) {});
  return out;
}

std::vector<double> logistic_predict(const LogisticModel& model, const MatrixRef& X, int threads) {
  std::vector<double> out(static_cast<std::size_t>(X.rows()));
  detail::decision_into(model, X, out.data(), threads, [&](std::size_t start, std::size_t rows) {
    for (std::size_t i = start; i < start + rows; ++i) out[i] = detail::sigmoid(out[i]);
  });
  return out;
}

void logistic_predict_proba(const LogisticModel& model, const MatrixRef& X, std::span<double> out,
                            int threads) {
  const auto n = static_cast<std::size_t>(X.rows());
  require_size(out.size(), 2 * n, "out (2 n slots)");
  detail::check_columns(model, X);
  const std::size_t T = (n + detail::kPredictChunk - 1) / detail::kPredictChunk;
  threads = static_cast<int>(resolve_threads(threads, std::uint64_t{n} * X.cols(), step_grain));
  std::vector<std::int64_t> bad(T, -1);
  const Eigen::Map<const Eigen::VectorXd> b(model.coef.data(), static_cast<Eigen::Index>(model.coef.size()));
  parallel_for(T, threads, [&](std::size_t t) {
    const std::size_t start = t * detail::kPredictChunk, rows = std::min(detail::kPredictChunk, n - start);
    Eigen::VectorXd o = X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows)) * b;
    o.array() += model.intercept;
    for (std::size_t r = 0; r < rows; ++r) {
      const double e = o(static_cast<Eigen::Index>(r));
      if (!std::isfinite(e) && !X.row(static_cast<Eigen::Index>(start + r)).allFinite()) {
        bad[t] = static_cast<std::int64_t>(start + r);
        return;
      }
      // 1 - p and p without cancellation
      const double z = std::exp(-std::abs(e));
      const double big = 1.0 / (1.0 + z), small = z / (1.0 + z);
      out[2 * (start + r)] = e >= 0.0 ? small : big;
      out[2 * (start + r) + 1] = e >= 0.0 ? big : small;
    }
  });
  for (const std::int64_t row : bad)
    if (row >= 0) detail::fail_non_finite_row(X, row);
}

Matrix logistic_contributions(const LogisticModel& model, const MatrixRef& X) {
  detail::check_predict_input(model, X);
  Matrix C(X.rows(), X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      C(i, j) = model.coef[static_cast<std::size_t>(j)] * (X(i, j) - model.mean[static_cast<std::size_t>(j)]);
  return C;
}

WaldTable logistic_wald(const LogisticModel& model, double level) {
  if (!(level > 0.0 && level < 1.0)) fail(Errc::invalid_argument, "level must lie in (0, 1), got ", level);
  WaldTable t;
  if (model.covariance.empty()) return t;
  const auto k =
      static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(model.covariance.size()))));
  const bool with_intercept = k == model.coef.size() + 1;
  const boost::math::normal_distribution<double> N01;
  const double z = boost::math::quantile(N01, 0.5 * (1.0 + level));
  for (std::size_t c = 0; c < k; ++c) {
    const double est = with_intercept ? (c == 0 ? model.intercept : model.coef[c - 1]) : model.coef[c];
    const double se = std::sqrt(model.covariance[c * k + c]);
    t.estimate.push_back(est);
    t.std_error.push_back(se);
    t.z.push_back(est / se);
    t.p_value.push_back(2.0 * boost::math::cdf(boost::math::complement(N01, std::abs(est / se))));
    t.lower.push_back(est - z * se);
    t.upper.push_back(est + z * se);
  }
  return t;
}

FUNNELNET_END
