// Per-segment logistic scorers under a pooled prior (see funnelnet/scoring/pooled.hpp).
#include "funnelnet/scoring/pooled.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>

#include "funnelnet/core/threads.hpp"
#include "funnelnet/scoring/experiments.hpp"  // kfold_split

FUNNELNET_BEGIN

namespace pooled_detail {
namespace {

inline double softplus(double eta) noexcept {
  return eta > 0.0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta));
}

// The standardised design [z, z 1{s}, 1{s}] and the penalty factor of each of its columns.
struct Design {
  Matrix D;
  std::vector<double> factor;
};

Design design(const MatrixRef& X, std::span<const std::int64_t> seg, std::size_t S,
              std::span<const double> mu, std::span<const double> sd, double C, double tau_intercept,
              double tau_coef) {
  const auto n = static_cast<Eigen::Index>(X.rows());
  const auto p = static_cast<Eigen::Index>(X.cols());
  const auto Si = static_cast<Eigen::Index>(S);
  Design d;
  d.D = Matrix::Zero(n, p * (Si + 1) + Si);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index s = seg[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < p; ++j) {
      const double z = (X(i, j) - mu[static_cast<std::size_t>(j)]) / sd[static_cast<std::size_t>(j)];
      d.D(i, j) = z;
      d.D(i, p + s * p + j) = z;
    }
    d.D(i, p * (Si + 1) + s) = 1.0;
  }
  d.factor.assign(static_cast<std::size_t>(d.D.cols()), 1.0 / tau_coef);
  std::fill_n(d.factor.begin(), p, 1.0 / std::sqrt(C));
  std::fill(d.factor.end() - Si, d.factor.end(), 1.0 / tau_intercept);
  return d;
}

// One penalised fit of the rows `rows` of D (all when empty), its constant columns left
// out (their parameter stays at the prior mean 0).
struct DesignFit {
  LogisticModel m;
  std::vector<Eigen::Index> keep;
  std::vector<double> coef_full;  // one per design column
  double total_weight = 0.0;
};

DesignFit fit_design(const Matrix& D, std::span<const double> y, std::span<const double> w,
                     std::span<const double> factor, const std::vector<Eigen::Index>& rows,
                     const PooledOptions& o, bool posterior) {
  const Eigen::Index n = rows.empty() ? D.rows() : static_cast<Eigen::Index>(rows.size());
  auto row = [&](Eigen::Index r) { return rows.empty() ? r : rows[static_cast<std::size_t>(r)]; };
  DesignFit f;
  for (Eigen::Index c = 0; c < D.cols(); ++c) {
    const double first = D(row(0), c);
    for (Eigen::Index r = 1; r < n; ++r)
      if (D(row(r), c) != first) {
        f.keep.push_back(c);
        break;
      }
  }
  const auto k = static_cast<Eigen::Index>(f.keep.size());
  Matrix Dk(n, k);
  std::vector<double> ys(static_cast<std::size_t>(n)), ws;
  if (!w.empty()) ws.resize(static_cast<std::size_t>(n));
  for (Eigen::Index r = 0; r < n; ++r) {
    const Eigen::Index src = row(r);
    for (Eigen::Index c = 0; c < k; ++c) Dk(r, c) = D(src, f.keep[static_cast<std::size_t>(c)]);
    ys[static_cast<std::size_t>(r)] = y[static_cast<std::size_t>(src)];
    if (!w.empty()) ws[static_cast<std::size_t>(r)] = w[static_cast<std::size_t>(src)];
  }
  f.total_weight = 0.0;
  if (ws.empty())
    f.total_weight = static_cast<double>(n);
  else
    for (double v : ws) f.total_weight += v;
  LogisticOptions lo;
  lo.lambda = 1.0 / f.total_weight;
  lo.l1_ratio = 0.0;
  lo.fit_intercept = true;
  lo.standardize = false;
  lo.max_iterations = o.max_iterations;
  lo.tolerance = o.tolerance;
  lo.threads = o.threads;
  lo.posterior_covariance = posterior;
  lo.penalty_factor.reserve(f.keep.size());
  for (Eigen::Index c : f.keep) lo.penalty_factor.push_back(factor[static_cast<std::size_t>(c)]);
  f.m = fit_logistic(Dk, ys, ws, lo);
  f.coef_full.assign(static_cast<std::size_t>(D.cols()), 0.0);
  for (std::size_t c = 0; c < f.keep.size(); ++c)
    f.coef_full[static_cast<std::size_t>(f.keep[c])] = f.m.coef[c];
  return f;
}

// Laplace approximation of the log marginal likelihood (up to a constant that does not
// depend on tau); -inf without a usable posterior covariance.
double log_evidence(const DesignFit& f, std::span<const double> factor) {
  const auto& cov = f.m.covariance;
  if (cov.empty() || !f.m.converged()) return -std::numeric_limits<double>::infinity();
  const auto k = static_cast<Eigen::Index>(f.keep.size() + 1);
  const Eigen::Map<const Matrix> V(cov.data(), k, k);
  const Eigen::LLT<Matrix> llt(V);
  if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  double logdet = 0.0;
  for (Eigen::Index i = 0; i < k; ++i) logdet += 2.0 * std::log(llt.matrixL()(i, i));
  double value = -f.total_weight * f.m.log_loss + 0.5 * logdet;
  for (Eigen::Index c : f.keep) {
    const double fj = factor[static_cast<std::size_t>(c)];
    const double b = f.coef_full[static_cast<std::size_t>(c)];
    value += -0.5 * (fj * b) * (fj * b) + std::log(fj);
  }
  return value;
}

void check_tau(double t, const char* what) {
  if (!(std::isfinite(t) && t > 0.0))
    fail(Errc::invalid_argument, what, " must be a positive number, got ", t);
}

// Sparse row of the linear map from theta to one segment's (intercept, coefficients).
struct Term {
  std::vector<std::size_t> index;
  std::vector<double> value;
};

Term term(const PooledModel& m, std::size_t s, std::size_t t) {
  const std::size_t p = m.n_features, S = m.n_segments;
  Term r;
  if (t == 0) {
    r.index = {0, 1 + p * (S + 1) + s};
    r.value = {1.0, 1.0};
    for (std::size_t j = 0; j < p; ++j) {
      const double v = -m.mean[j] / m.scale[j];
      r.index.insert(r.index.end(), {1 + j, 1 + p + s * p + j});
      r.value.insert(r.value.end(), {v, v});
    }
  } else {
    const std::size_t j = t - 1;
    r.index = {1 + j, 1 + p + s * p + j};
    r.value = {1.0 / m.scale[j], 1.0 / m.scale[j]};
  }
  return r;
}

}  // namespace
}  // namespace pooled_detail

PooledModel fit_pooled(const MatrixRef& X, std::span<const double> y, std::span<const std::int64_t> segment,
                       std::size_t n_segments, std::span<const double> weight, const PooledOptions& o,
                       const Progress& progress) {
  const auto n = static_cast<std::size_t>(X.rows());
  const auto p = static_cast<std::size_t>(X.cols());
  // ---- validate everything first -----------------------------------------------------
  if (n == 0) fail(Errc::empty_input, "no rows: X has 0 rows");
  if (p == 0) fail(Errc::empty_input, "no features: X has 0 columns");
  if (y.size() != n) fail(Errc::shape_mismatch, "y has ", y.size(), " values, X has ", n, " rows");
  if (segment.size() != n)
    fail(Errc::shape_mismatch, "segment has ", segment.size(), " values, X has ", n, " rows");
  if (!weight.empty() && weight.size() != n)
    fail(Errc::shape_mismatch, "sample_weight has ", weight.size(), " values, X has ", n, " rows");
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) {
      const double v = X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      if (!std::isfinite(v))
        fail(Errc::invalid_argument, "X[", i, ", ", j, "] must be finite (not NaN or inf), got ", v);
    }
  (void)detail::class_weights(y, weight);
  for (std::size_t i = 0; i < n; ++i)
    if (segment[i] < 0 || static_cast<std::uint64_t>(segment[i]) >= n_segments)
      fail(Errc::out_of_range, "segment[", i, "] = ", segment[i], " is outside [0, ", n_segments, ")");
  if (!(std::isfinite(o.C) && o.C > 0.0))
    fail(Errc::invalid_argument, "C must be a positive number, got ", o.C);
  const bool given = o.tau_intercept != 0.0 || o.tau_coef != 0.0;
  if (given) {
    pooled_detail::check_tau(o.tau_intercept, "tau_intercept");
    pooled_detail::check_tau(o.tau_coef, "tau_coef");
  } else {
    if (o.taus.empty()) fail(Errc::invalid_argument, "taus is empty: give tau or candidates to choose from");
    for (std::size_t k = 0; k < o.taus.size(); ++k)
      if (!(std::isfinite(o.taus[k]) && o.taus[k] > 0.0))
        fail(Errc::invalid_argument, "taus[", k, "] must be a positive number, got ", o.taus[k]);
    if (o.select != TauSelect::evidence && o.select != TauSelect::cv)
      fail(Errc::invalid_argument, "select must be evidence (0) or cv (1), got ", static_cast<int>(o.select));
    if (o.select == TauSelect::cv && o.folds < 2)
      fail(Errc::invalid_argument, "folds must be >= 2, got ", o.folds);
  }
  if (o.max_iterations < 1)
    fail(Errc::invalid_argument, "max_iterations must be >= 1, got ", o.max_iterations);

  PooledModel m;
  m.n_features = p;
  m.n_segments = n_segments;
  m.select = o.select;
  // ---- standardisation (unweighted, ddof 0) -----------------------------------------
  m.mean.assign(p, 0.0);
  m.scale.assign(p, 1.0);
  for (std::size_t j = 0; j < p; ++j) {
    const auto col = X.col(static_cast<Eigen::Index>(j));
    const double mu = col.mean();
    const double var = (col.array() - mu).square().mean();
    m.mean[j] = mu;
    m.scale[j] = var > 0.0 ? std::sqrt(var) : 1.0;
  }
  const std::size_t S = n_segments;
  const auto build = [&](double ti, double tc) {
    return pooled_detail::design(X, segment, S, m.mean, m.scale, o.C, ti, tc);
  };

  // ---- choose tau ----------------------------------------------------------------------
  if (given) {
    m.tau_intercept = o.tau_intercept;
    m.tau_coef = o.tau_coef;
  } else {
    const std::size_t G = o.taus.size() * o.taus.size();
    for (double a : o.taus)
      for (double b : o.taus) {
        m.grid_intercept.push_back(a);
        m.grid_coef.push_back(b);
      }
    // The design does not depend on tau (only its penalty factors do).
    const pooled_detail::Design base = build(1.0, 1.0);
    // threads = 0: from the work of the candidate fits (G of them, n k^2 per Newton pass).
    const auto k_cols = static_cast<std::uint64_t>(base.D.cols()) + 1;
    const int grid_threads =
        static_cast<int>(resolve_threads(o.threads, std::uint64_t{G} * n * k_cols * k_cols, step_grain));
    const auto factors = [&](std::size_t g) {
      std::vector<double> f = base.factor;
      const std::size_t pc = p * (S + 1);
      for (std::size_t c = p; c < f.size(); ++c) f[c] = 1.0 / (c < pc ? m.grid_coef[g] : m.grid_intercept[g]);
      return f;
    };
    m.grid_score.assign(G, 0.0);
    if (o.select == TauSelect::evidence) {
      parallel_for(
          G, grid_threads,
          [&](std::size_t g) {
            const auto f = factors(g);
            const pooled_detail::DesignFit fit = pooled_detail::fit_design(base.D, y, weight, f, {}, o, true);
            m.grid_score[g] = pooled_detail::log_evidence(fit, f);
          },
          progress);
    } else {
      const std::vector<std::int32_t> fold = kfold_split(n, o.folds, o.seed);
      const auto K = static_cast<std::size_t>(o.folds);
      std::vector<std::vector<Eigen::Index>> train(K), test(K);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < K; ++k)
          (static_cast<std::size_t>(fold[i]) == k ? test[k] : train[k])
              .push_back(static_cast<Eigen::Index>(i));
      std::vector<char> usable(K, 0);
      for (std::size_t k = 0; k < K; ++k)
        for (Eigen::Index i : train[k])
          if (y[static_cast<std::size_t>(i)] != y[static_cast<std::size_t>(train[k][0])]) {
            usable[k] = 1;
            break;
          }
      std::vector<double> loss(K * G, 0.0);  // fold-major
      parallel_for(
          K * G, grid_threads,
          [&](std::size_t task) {
            const std::size_t k = task / G, g = task % G;
            if (usable[k] == 0) return;
            const auto f = factors(g);
            const pooled_detail::DesignFit fit =
                pooled_detail::fit_design(base.D, y, weight, f, train[k], o, false);
            double sum = 0.0;
            for (Eigen::Index i : test[k]) {
              double eta = fit.m.intercept;
              for (Eigen::Index c = 0; c < base.D.cols(); ++c)
                eta += base.D(i, c) * fit.coef_full[static_cast<std::size_t>(c)];
              const auto iu = static_cast<std::size_t>(i);
              const double l = pooled_detail::softplus(eta) - y[iu] * eta;
              sum += weight.empty() ? l : weight[iu] * l;
            }
            loss[task] = sum;
          },
          progress);
      double total = 0.0;
      if (weight.empty())
        total = static_cast<double>(n);
      else
        for (double v : weight) total += v;
      for (std::size_t g = 0; g < G; ++g) {
        double s = 0.0;
        for (std::size_t k = 0; k < K; ++k) s += loss[k * G + g];
        m.grid_score[g] = s / total;
      }
    }
    std::size_t best = 0;
    for (std::size_t g = 1; g < G; ++g) {
      const bool better = o.select == TauSelect::evidence ? m.grid_score[g] > m.grid_score[best]
                                                          : m.grid_score[g] < m.grid_score[best];
      if (better) best = g;
    }
    m.tau_intercept = m.grid_intercept[best];
    m.tau_coef = m.grid_coef[best];
  }

  // ---- the final fit at the chosen tau -----------------------------------------------
  const pooled_detail::Design d = build(m.tau_intercept, m.tau_coef);
  const pooled_detail::DesignFit fit = pooled_detail::fit_design(d.D, y, weight, d.factor, {}, o, true);
  const std::size_t K = 1 + d.factor.size();
  m.theta.assign(K, 0.0);
  m.theta[0] = fit.m.intercept;
  for (std::size_t c = 0; c < d.factor.size(); ++c) m.theta[1 + c] = fit.coef_full[c];
  // covariance of the fitted parameters -> all of theta (a left-out column: its prior
  // variance, independent of the rest)
  m.covariance.assign(K * K, 0.0);
  std::vector<std::size_t> idx{0};
  for (Eigen::Index c : fit.keep) idx.push_back(1 + static_cast<std::size_t>(c));
  if (!fit.m.covariance.empty())
    for (std::size_t a = 0; a < idx.size(); ++a)
      for (std::size_t b = 0; b < idx.size(); ++b)
        m.covariance[idx[a] * K + idx[b]] = fit.m.covariance[a * idx.size() + b];
  std::vector<char> fitted(K, 0);
  for (std::size_t i : idx) fitted[i] = 1;
  for (std::size_t c = 1; c < K; ++c)
    if (fitted[c] == 0) m.covariance[c * K + c] = 1.0 / (d.factor[c - 1] * d.factor[c - 1]);
  // user's scale
  m.coef.resize(p);
  m.intercept = m.theta[0];
  for (std::size_t j = 0; j < p; ++j) {
    m.coef[j] = m.theta[1 + j] / m.scale[j];
    m.intercept -= m.coef[j] * m.mean[j];
  }
  m.segment_intercept.assign(S, 0.0);
  m.segment_coef.assign(S * p, 0.0);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t t = 0; t <= p; ++t) {
      const pooled_detail::Term r = pooled_detail::term(m, s, t);
      double v = 0.0;
      for (std::size_t a = 0; a < r.index.size(); ++a) v += r.value[a] * m.theta[r.index[a]];
      (t == 0 ? m.segment_intercept[s] : m.segment_coef[s * p + t - 1]) = v;
    }
  m.status = fit.m.status;
  m.iterations = fit.m.iterations;
  m.log_loss = fit.m.log_loss;
  m.message = fit.m.message;
  return m;
}

std::vector<double> pooled_decision(const PooledModel& model, const MatrixRef& X,
                                    std::span<const std::int64_t> segment) {
  const auto n = static_cast<std::size_t>(X.rows());
  const std::size_t p = model.n_features;
  if (static_cast<std::size_t>(X.cols()) != p)
    fail(Errc::shape_mismatch, "X has ", X.cols(), " features, the scorer was fitted on ", p);
  if (segment.size() != n)
    fail(Errc::shape_mismatch, "segment has ", segment.size(), " values, X has ", n, " rows");
  for (std::size_t i = 0; i < n; ++i) {
    if (segment[i] < 0 || static_cast<std::uint64_t>(segment[i]) >= model.n_segments)
      fail(Errc::out_of_range, "segment[", i, "] = ", segment[i], " is outside [0, ", model.n_segments, ")");
    for (std::size_t j = 0; j < p; ++j) {
      const double v = X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      if (!std::isfinite(v))
        fail(Errc::invalid_argument, "X[", i, ", ", j, "] must be finite (not NaN or inf), got ", v);
    }
  }
  std::vector<double> eta(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto s = static_cast<std::size_t>(segment[i]);
    double v = model.segment_intercept[s];
    for (std::size_t j = 0; j < p; ++j)
      v += X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * model.segment_coef[s * p + j];
    eta[i] = v;
  }
  return eta;
}

std::vector<double> pooled_predict(const PooledModel& model, const MatrixRef& X,
                                   std::span<const std::int64_t> segment) {
  std::vector<double> v = pooled_decision(model, X, segment);
  for (double& e : v) e = e >= 0.0 ? 1.0 / (1.0 + std::exp(-e)) : std::exp(e) / (1.0 + std::exp(e));
  return v;
}

WaldTable pooled_intervals(const PooledModel& model, double level) {
  if (!(level > 0.0 && level < 1.0)) fail(Errc::invalid_argument, "level must lie in (0, 1), got ", level);
  const std::size_t p = model.n_features, S = model.n_segments, K = model.theta.size();
  const boost::math::normal_distribution<double> N01;
  const double q = boost::math::quantile(N01, 0.5 * (1.0 + level));
  WaldTable t;
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t k = 0; k <= p; ++k) {
      const pooled_detail::Term r = pooled_detail::term(model, s, k);
      double est = 0.0, var = 0.0;
      for (std::size_t a = 0; a < r.index.size(); ++a) {
        est += r.value[a] * model.theta[r.index[a]];
        for (std::size_t b = 0; b < r.index.size(); ++b)
          var += r.value[a] * r.value[b] * model.covariance[r.index[a] * K + r.index[b]];
      }
      const double se = std::sqrt(std::max(var, 0.0));
      t.estimate.push_back(est);
      t.std_error.push_back(se);
      const double z = se > 0.0 ? est / se : std::numeric_limits<double>::quiet_NaN();
      t.z.push_back(z);
      t.p_value.push_back(se > 0.0 ? 2.0 * boost::math::cdf(boost::math::complement(N01, std::abs(z)))
                                   : std::numeric_limits<double>::quiet_NaN());
      t.lower.push_back(est - q * se);
      t.upper.push_back(est + q * se);
    }
  return t;
}

FUNNELNET_END
