// Penalised logistic regression (see funnelnet/scoring/logistic.hpp).
#include "funnelnet/scoring/logistic.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

FUNNELNET_BEGIN

namespace detail {
namespace {

constexpr std::size_t kChunk = 4096;  // rows per task: fixes the summation order

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

// The standardised design: column j of the fit is (x_j - mean_j) / scale_j over the
// active (non-constant) columns, preceded by a column of ones with an intercept.
struct Design {
  const MatrixRef& X;
  std::vector<std::size_t> active;
  std::vector<double> mean, inv_scale;  // per active column
  bool intercept = true;
  [[nodiscard]] bool all_active() const { return active.size() == static_cast<std::size_t>(X.cols()); }
  [[nodiscard]] Eigen::Index k() const {
    return static_cast<Eigen::Index>(active.size()) + (intercept ? 1 : 0);
  }
  void chunk(std::size_t start, std::size_t rows, Eigen::MatrixXd& Z) const {
    Z.resize(static_cast<Eigen::Index>(rows), k());
    const Eigen::Index off = intercept ? 1 : 0;
    if (intercept) Z.col(0).setOnes();
    if (all_active()) {  // one vectorised expression over the row block
      const auto q = static_cast<Eigen::Index>(active.size());
      const Eigen::Map<const Eigen::RowVectorXd> m(mean.data(), q), is(inv_scale.data(), q);
      Z.rightCols(q) =
          ((X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows)).rowwise() - m)
               .array()
               .rowwise() *
           is.array())
              .matrix();
      return;
    }
    for (std::size_t jj = 0; jj < active.size(); ++jj) {
      const auto j = static_cast<Eigen::Index>(active[jj]);
      const double m = mean[jj], is = inv_scale[jj];
      auto col = Z.col(off + static_cast<Eigen::Index>(jj));
      for (std::size_t r = 0; r < rows; ++r)
        col(static_cast<Eigen::Index>(r)) = (X(static_cast<Eigen::Index>(start + r), j) - m) * is;
    }
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

// One pass: eta = Z theta, the smooth objective, its gradient and Hessian (means over W).
void newton_pass(const Problem& P, const Eigen::VectorXd& theta, std::vector<double>& eta, double& loss,
                 Eigen::VectorXd& grad, Eigen::MatrixXd& hess) {
  const std::size_t n = P.y.size(), T = n_chunks(n);
  const Eigen::Index k = P.D.k();
  std::vector<double> part_loss(T, 0.0);
  std::vector<Eigen::VectorXd> part_g(T);
  std::vector<Eigen::MatrixXd> part_h(T);
  parallel_for(T, P.threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, rows = std::min(kChunk, n - start);
    Eigen::MatrixXd Z;
    P.D.chunk(start, rows, Z);
    Eigen::VectorXd e = Z * theta, res(static_cast<Eigen::Index>(rows)), sw(static_cast<Eigen::Index>(rows));
    double l = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t i = start + r;
      const auto rr = static_cast<Eigen::Index>(r);
      const double wi = P.weight(i), ei = e(rr), pi = sigmoid(ei);
      eta[i] = ei;
      l += wi * (softplus(ei) - P.y[i] * ei);
      res(rr) = wi * (pi - P.y[i]);
      sw(rr) = std::sqrt(wi * pi * (1.0 - pi));
    }
    part_loss[t] = l;
    part_g[t] = Z.transpose() * res;
    Z.array().colwise() *= sw.array();
    part_h[t] = Eigen::MatrixXd::Zero(k, k);
    part_h[t].selfadjointView<Eigen::Lower>().rankUpdate(Z.transpose());
  });
  loss = 0.0;
  grad = Eigen::VectorXd::Zero(k);
  hess = Eigen::MatrixXd::Zero(k, k);
  for (std::size_t t = 0; t < T; ++t) {
    loss += part_loss[t];
    grad += part_g[t];
    hess += part_h[t];
  }
  loss /= P.W;
  grad /= P.W;
  hess = hess.selfadjointView<Eigen::Lower>();
  hess /= P.W;
}

// u = Z delta.
void direction_pass(const Problem& P, const Eigen::VectorXd& delta, std::vector<double>& u) {
  const std::size_t n = P.y.size();
  // With every column active, u = c + X b with b_j = delta_j / scale_j and
  // c = delta_0 - sum_j b_j mean_j: one pass over X, no standardised copy.
  const bool direct = P.D.all_active();
  Eigen::VectorXd b;
  double c = 0.0;
  if (direct) {
    const Eigen::Index off = P.D.intercept ? 1 : 0;
    b.resize(P.D.X.cols());
    for (Eigen::Index j = 0; j < b.size(); ++j) {
      b(j) = delta(off + j) * P.D.inv_scale[static_cast<std::size_t>(j)];
      c -= b(j) * P.D.mean[static_cast<std::size_t>(j)];
    }
    if (P.D.intercept) c += delta(0);
  }
  parallel_for(n_chunks(n), P.threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, rows = std::min(kChunk, n - start);
    if (direct) {
      Eigen::Map<Eigen::VectorXd> o(u.data() + start, static_cast<Eigen::Index>(rows));
      o.noalias() = P.D.X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows)) * b;
      o.array() += c;
      return;
    }
    Eigen::MatrixXd Z;
    P.D.chunk(start, rows, Z);
    Eigen::VectorXd v = Z * delta;
    for (std::size_t r = 0; r < rows; ++r) u[start + r] = v(static_cast<Eigen::Index>(r));
  });
}

// Smooth loss (mean over W) at eta + a u.
double loss_along(const Problem& P, const std::vector<double>& eta, const std::vector<double>& u, double a) {
  const std::size_t n = P.y.size(), T = n_chunks(n);
  std::vector<double> part(T, 0.0);
  parallel_for(T, P.threads, [&](std::size_t t) {
    const std::size_t start = t * kChunk, end = std::min(n, start + kChunk);
    double l = 0.0;
    for (std::size_t i = start; i < end; ++i) {
      const double e = eta[i] + a * u[i];
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
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(H);
  const Eigen::VectorXd& ev = es.eigenvalues();
  const double top = ev.cwiseAbs().maxCoeff();
  const double cut = 1e-11 * std::max(top, std::numeric_limits<double>::min());
  Eigen::VectorXd inv(ev.size());
  for (Eigen::Index i = 0; i < ev.size(); ++i) inv(i) = ev(i) > cut ? 1.0 / ev(i) : 0.0;
  const Eigen::MatrixXd& V = es.eigenvectors();
  return -(V * (inv.asDiagonal() * (V.transpose() * g)));
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
  require_size(y.size(), n, "y");
  if (!w.empty()) require_size(w.size(), n, "sample_weight");
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (!std::isfinite(X(i, j)))
        fail(Errc::invalid_argument, "X[", i, ", ", j, "] must be finite (not NaN or inf), got ", X(i, j));
  double pos = 0.0, neg = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(y[i] == 0.0 || y[i] == 1.0)) fail(Errc::invalid_argument, "y[", i, "] must be 0 or 1, got ", y[i]);
    const double wi = w.empty() ? 1.0 : w[i];
    if (!(std::isfinite(wi) && wi >= 0.0))
      fail(Errc::invalid_argument, "sample_weight[", i, "] must be finite and >= 0, got ", wi);
    (y[i] == 1.0 ? pos : neg) += wi;
  }
  if (!(pos > 0.0) || !(neg > 0.0))
    fail(Errc::invalid_argument, "y needs both classes with positive weight, got only class ",
         pos > 0.0 ? 1 : 0);
}

}  // namespace
}  // namespace detail

LogisticModel fit_logistic(const MatrixRef& X, std::span<const double> y, std::span<const double> weight,
                           const LogisticOptions& options, const Progress& progress) {
  detail::validate(X, y, weight, options);
  const auto n = static_cast<std::size_t>(X.rows());
  const auto p = static_cast<std::size_t>(X.cols());
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
  std::vector<double> mean(p, 0.0), ss(p, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = weight.empty() ? 1.0 : weight[i];
    for (std::size_t j = 0; j < p; ++j)
      mean[j] += wi * X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  }
  for (double& m : mean) m /= W;
  const std::vector<double> centre = options.fit_intercept ? mean : std::vector<double>(p, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = weight.empty() ? 1.0 : weight[i];
    for (std::size_t j = 0; j < p; ++j) {
      const double v = X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) - centre[j];
      ss[j] += wi * v * v;
    }
  }
  detail::Design D{X, {}, {}, {}, options.fit_intercept};
  for (std::size_t j = 0; j < p; ++j) {
    const double s = std::sqrt(ss[j] / W);
    model.mean[j] = mean[j];
    if (!(s > 1e-12 * std::max(1.0, std::abs(mean[j])))) {
      model.constant_columns.push_back(static_cast<std::int64_t>(j));
      continue;
    }
    model.scale[j] = s;
    D.active.push_back(j);
    D.mean.push_back(centre[j]);
    D.inv_scale.push_back(1.0 / s);
  }
  const Eigen::Index k = D.k();
  const Eigen::Index off = options.fit_intercept ? 1 : 0;

  detail::Problem P{D,
                    y,
                    weight,
                    W,
                    options.lambda * (1.0 - options.l1_ratio),
                    options.lambda * options.l1_ratio,
                    std::vector<double>(static_cast<std::size_t>(k), 0.0),
                    options.threads};
  for (std::size_t jj = 0; jj < D.active.size(); ++jj)
    P.d[static_cast<std::size_t>(off) + jj] = options.standardize ? 1.0 : 1.0 / model.scale[D.active[jj]];
  const bool unpenalised = options.lambda == 0.0;

  Eigen::VectorXd theta = Eigen::VectorXd::Zero(k);
  if (options.fit_intercept) theta(0) = std::log(Wpos / (W - Wpos));
  std::vector<double> eta(n), u(n);
  Eigen::VectorXd g;
  Eigen::MatrixXd H;
  double loss = 0.0;
  model.status = FitStatus::max_iterations;

  if (k == 0) {  // every column constant and no intercept: the model is p = 1/2
    model.status = FitStatus::converged;
    detail::newton_pass(P, theta, eta, loss, g, H);
  }
  for (int it = 0; k > 0; ++it) {
    detail::newton_pass(P, theta, eta, loss, g, H);
    for (Eigen::Index j = 0; j < k; ++j) {
      const double dj = P.d[static_cast<std::size_t>(j)];
      g(j) += P.lam_l2 * dj * dj * theta(j);
      H(j, j) += P.lam_l2 * dj * dj;
    }
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
        !progress(static_cast<std::uint64_t>(it + 1), static_cast<std::uint64_t>(options.max_iterations)))
      fail(Errc::cancelled, "fit_logistic cancelled by the progress callback at iteration ", it + 1);
    const Eigen::VectorXd delta =
        P.lam_l1 > 0.0 ? detail::prox_newton_step(P, theta, g, H) : detail::newton_step(H, g);
    detail::direction_pass(P, delta, u);
    const double f0 = loss + P.l2(theta) + P.l1(theta);
    const double decrease = g.dot(delta) + P.l1(theta + delta) - P.l1(theta);
    double a = 1.0;
    // Within rounding of the optimum the objective cannot resolve the decrease: take the
    // full (locally quadratically convergent) step.
    bool accepted = decrease < 0.0 && -decrease < 1e-13 * (1.0 + std::abs(f0));
    for (int ls = 0; !accepted && ls < 60 && decrease < 0.0; ++ls, a *= 0.5) {
      const Eigen::VectorXd trial = theta + a * delta;
      const double f = detail::loss_along(P, eta, u, a) + P.l2(trial) + P.l1(trial);
      if (f <= f0 + 1e-4 * a * decrease) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {  // no descent possible: at the optimum to rounding, or stuck
      model.status = model.gradient_norm < 1e-7 ? FitStatus::converged : FitStatus::line_search_failed;
      break;
    }
    theta += a * delta;
    if (unpenalised && k > off && theta.tail(k - off).cwiseAbs().maxCoeff() > options.separation_bound) {
      model.separated = true;
      model.status = FitStatus::max_iterations;
      detail::newton_pass(P, theta, eta, loss, g, H);
      model.gradient_norm = detail::subgradient_norm(P, theta, g);
      break;
    }
  }

  // Coefficients on the user's scale.
  model.intercept = options.fit_intercept ? theta(0) : 0.0;
  for (std::size_t jj = 0; jj < D.active.size(); ++jj) {
    const std::size_t j = D.active[jj];
    const double b = theta(off + static_cast<Eigen::Index>(jj)) * D.inv_scale[jj];
    model.coef[j] = b;
    model.intercept -= b * D.mean[jj];
  }
  model.log_loss = loss;
  model.objective = loss + P.l2(theta) + P.l1(theta);

  // Rank of the standardised design (the Hessian at the solution, unweighted by p(1-p)
  // is not needed: a flat direction of H is a flat direction of the design when
  // p(1-p) > 0).
  if (k > 0) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(H, Eigen::EigenvaluesOnly);
    const double top = es.eigenvalues().cwiseAbs().maxCoeff();
    model.rank_deficient = !model.separated && es.eigenvalues().minCoeff() <= 1e-10 * top;
  }
  const bool well_posed = unpenalised && model.converged() && !model.rank_deficient && !model.separated &&
                          model.constant_columns.empty() && k > 0;
  if (well_posed) {
    // Covariance of theta: (W H)^-1; then the linear map to (intercept, coef).
    Eigen::LLT<Eigen::MatrixXd> llt(H * W);
    if (llt.info() == Eigen::Success) {
      const Eigen::MatrixXd cov_t = llt.solve(Eigen::MatrixXd::Identity(k, k));
      Eigen::MatrixXd T = Eigen::MatrixXd::Zero(k, k);
      if (options.fit_intercept) {
        T(0, 0) = 1.0;
        for (std::size_t jj = 0; jj < D.active.size(); ++jj)
          T(0, 1 + static_cast<Eigen::Index>(jj)) = -D.mean[jj] * D.inv_scale[jj];
      }
      for (std::size_t jj = 0; jj < D.active.size(); ++jj) {
        const auto c = off + static_cast<Eigen::Index>(jj);
        T(c, c) = D.inv_scale[jj];
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
void check_predict_input(const LogisticModel& model, const MatrixRef& X) {
  if (static_cast<std::size_t>(X.cols()) != model.coef.size())
    fail(Errc::shape_mismatch, "X has ", X.cols(), " columns, the model was fitted on ", model.coef.size());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (!std::isfinite(X(i, j)))
        fail(Errc::invalid_argument, "X[", i, ", ", j, "] must be finite (not NaN or inf), got ", X(i, j));
}
}  // namespace
}  // namespace detail

std::vector<double> logistic_decision(const LogisticModel& model, const MatrixRef& X, int threads) {
  detail::check_predict_input(model, X);
  const auto n = static_cast<std::size_t>(X.rows());
  std::vector<double> out(n);
  const Eigen::Map<const Eigen::VectorXd> b(model.coef.data(), static_cast<Eigen::Index>(model.coef.size()));
  const std::size_t chunk = 16384;
  parallel_for((n + chunk - 1) / chunk, threads, [&](std::size_t t) {
    const std::size_t start = t * chunk, rows = std::min(chunk, n - start);
    Eigen::Map<Eigen::VectorXd> o(out.data() + start, static_cast<Eigen::Index>(rows));
    o.noalias() = X.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(rows)) * b;
    o.array() += model.intercept;
  });
  return out;
}

std::vector<double> logistic_predict(const LogisticModel& model, const MatrixRef& X, int threads) {
  auto out = logistic_decision(model, X, threads);
  for (double& v : out) v = detail::sigmoid(v);
  return out;
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
