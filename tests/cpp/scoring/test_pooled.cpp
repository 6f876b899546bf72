// The pooled-prior scorer against its written-out objective (stationarity), the Laplace
// evidence and posterior standard errors recomputed from a Hessian built here, thread
// independence and bad input; the 1-99 score and tiers against brute force.
#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/scoring.hpp"

using namespace funnelnet;

namespace test_pooled {

struct Toy {
  Matrix X;
  std::vector<double> y, w;
  std::vector<std::int64_t> seg;
  std::size_t S = 3;
};

Toy toy(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  Toy t;
  t.X.resize(static_cast<Eigen::Index>(n), 2);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    t.X(r, 0) = 0.5 + (rng.uniform() - 0.5) * 3.0;
    t.X(r, 1) = -2.0 + (rng.uniform() - 0.5) * 6.0;
    const auto s = static_cast<std::int64_t>(rng.uniform() * 3.0);
    t.seg.push_back(s);
    const double eta = -0.4 + 0.3 * static_cast<double>(s - 1) +
                       t.X(r, 0) * (0.8 + 0.3 * static_cast<double>(s)) - 0.1 * t.X(r, 1);
    t.y.push_back(rng.uniform() < 1.0 / (1.0 + std::exp(-eta)) ? 1.0 : 0.0);
    t.w.push_back(0.5 + rng.uniform());
  }
  return t;
}

// The design with the intercept column first, built here: [1, z, z 1{s}, 1{s}].
Matrix design1(const Toy& t) {
  const Eigen::Index n = t.X.rows(), p = t.X.cols(), S = static_cast<Eigen::Index>(t.S);
  Matrix D = Matrix::Zero(n, 1 + p * (S + 1) + S);
  for (Eigen::Index j = 0; j < p; ++j) {
    const double mu = t.X.col(j).mean();
    const double sd = std::sqrt((t.X.col(j).array() - mu).square().mean());
    for (Eigen::Index i = 0; i < n; ++i) {
      const double z = (t.X(i, j) - mu) / sd;
      D(i, 1 + j) = z;
      D(i, 1 + p + t.seg[static_cast<std::size_t>(i)] * p + j) = z;
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    D(i, 0) = 1.0;
    D(i, 1 + p * (S + 1) + t.seg[static_cast<std::size_t>(i)]) = 1.0;
  }
  return D;
}

// Prior precisions f_j^2 of the design parameters (0 for the intercept).
Eigen::VectorXd precision(const Toy& t, double C, double ti, double tc) {
  const Eigen::Index p = t.X.cols(), S = static_cast<Eigen::Index>(t.S);
  Eigen::VectorXd f2(1 + p * (S + 1) + S);
  f2(0) = 0.0;
  f2.segment(1, p).setConstant(1.0 / C);
  f2.segment(1 + p, p * S).setConstant(1.0 / (tc * tc));
  f2.tail(S).setConstant(1.0 / (ti * ti));
  return f2;
}

struct Laplace {
  Eigen::VectorXd gradient;
  Matrix hessian;
  double log_evidence;
};

// Gradient and Hessian of sum w loss + 1/2 sum f^2 theta^2, and the Laplace evidence.
Laplace laplace(const Toy& t, const Matrix& D, const Eigen::VectorXd& theta, const Eigen::VectorXd& f2,
                bool weighted) {
  const Eigen::VectorXd eta = D * theta;
  Eigen::VectorXd r(eta.size()), h(eta.size());
  double loglik = 0.0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    const double w = weighted ? t.w[static_cast<std::size_t>(i)] : 1.0;
    const double q = 1.0 / (1.0 + std::exp(-eta(i)));
    const double yi = t.y[static_cast<std::size_t>(i)];
    r(i) = w * (q - yi);
    h(i) = w * q * (1.0 - q);
    loglik -= w * (std::log1p(std::exp(-std::abs(eta(i)))) + std::max(eta(i), 0.0) - yi * eta(i));
  }
  Laplace l;
  l.gradient = D.transpose() * r + f2.cwiseProduct(theta);
  l.hessian = D.transpose() * h.asDiagonal() * D;
  l.hessian.diagonal() += f2;
  const Eigen::LLT<Matrix> llt(l.hessian);
  double logdet = 0.0;
  for (Eigen::Index i = 0; i < theta.size(); ++i) logdet += 2.0 * std::log(llt.matrixL()(i, i));
  double prior = 0.0;
  for (Eigen::Index j = 1; j < theta.size(); ++j)
    prior += -0.5 * f2(j) * theta(j) * theta(j) + 0.5 * std::log(f2(j));
  l.log_evidence = loglik + prior - 0.5 * logdet;
  return l;
}

Eigen::VectorXd theta_of(const PooledModel& m) {
  return Eigen::Map<const Eigen::VectorXd>(m.theta.data(), static_cast<Eigen::Index>(m.theta.size()));
}

}  // namespace test_pooled

TEST(Pooled, IsAStationaryPointOfTheWrittenOutObjective) {
  using namespace test_pooled;
  const Toy t = toy(400, 1);
  PooledOptions o;
  o.C = 2.0;
  o.tau_intercept = 0.3;
  o.tau_coef = 0.5;
  for (bool weighted : {false, true}) {
    const PooledModel m = fit_pooled(t.X, t.y, t.seg, t.S,
                                     weighted ? std::span<const double>(t.w) : std::span<const double>{}, o);
    ASSERT_TRUE(m.converged()) << m.message;
    const Laplace l = laplace(t, design1(t), theta_of(m), precision(t, 2.0, 0.3, 0.5), weighted);
    EXPECT_LT(l.gradient.cwiseAbs().maxCoeff(), 1e-6);
    EXPECT_TRUE(m.grid_score.empty());
  }
}

TEST(Pooled, EvidenceGridIsTheLaplaceFormulaAndPicksItsMaximum) {
  using namespace test_pooled;
  const Toy t = toy(300, 2);
  PooledOptions o;
  o.taus = {0.05, 0.3, 1.5};
  const PooledModel chosen = fit_pooled(t.X, t.y, t.seg, t.S, {}, o);
  ASSERT_EQ(chosen.grid_score.size(), 9U);
  const Matrix D = design1(t);
  std::size_t best = 0;
  for (std::size_t g = 0; g < 9; ++g) {
    EXPECT_EQ(chosen.grid_intercept[g], o.taus[g / 3]);
    EXPECT_EQ(chosen.grid_coef[g], o.taus[g % 3]);
    PooledOptions given = o;
    given.tau_intercept = chosen.grid_intercept[g];
    given.tau_coef = chosen.grid_coef[g];
    const PooledModel m = fit_pooled(t.X, t.y, t.seg, t.S, {}, given);
    const Laplace l =
        laplace(t, D, theta_of(m), precision(t, 1.0, given.tau_intercept, given.tau_coef), false);
    // the evidence up to a constant: the intercept's flat prior adds nothing that varies
    EXPECT_NEAR(chosen.grid_score[g], l.log_evidence, 1e-6 * std::abs(l.log_evidence));
    if (chosen.grid_score[g] > chosen.grid_score[best]) best = g;
  }
  EXPECT_EQ(chosen.tau_intercept, chosen.grid_intercept[best]);
  EXPECT_EQ(chosen.tau_coef, chosen.grid_coef[best]);
}

TEST(Pooled, IntervalsAreTheInverseHessianOfTheSegmentCoefficients) {
  using namespace test_pooled;
  const Toy t = toy(350, 3);
  PooledOptions o;
  o.tau_intercept = 0.4;
  o.tau_coef = 0.4;
  const PooledModel m = fit_pooled(t.X, t.y, t.seg, t.S, {}, o);
  const Laplace l = laplace(t, design1(t), theta_of(m), precision(t, 1.0, 0.4, 0.4), false);
  const Matrix V = l.hessian.inverse();
  const WaldTable w = pooled_intervals(m, 0.9);
  const std::size_t p = 2;
  ASSERT_EQ(w.estimate.size(), t.S * (p + 1));
  for (std::size_t s = 0; s < t.S; ++s)
    for (std::size_t j = 0; j < p; ++j) {
      const double sd = m.scale[j];
      const auto a = static_cast<Eigen::Index>(1 + j), b = static_cast<Eigen::Index>(1 + p + s * p + j);
      const double se = std::sqrt(V(a, a) + V(b, b) + 2.0 * V(a, b)) / sd;
      const std::size_t row = s * (p + 1) + 1 + j;
      EXPECT_NEAR(w.std_error[row], se, 1e-7 * se);
      EXPECT_NEAR(w.estimate[row], m.segment_coef[s * p + j], 1e-14);
      EXPECT_NEAR(w.upper[row] - w.lower[row], 2.0 * 1.6448536269514722 * se, 1e-7 * se);
    }
  // predictions: the segment's own scorer
  const std::vector<double> eta = pooled_decision(m, t.X.topRows(4), std::span(t.seg).first(4));
  for (std::size_t i = 0; i < 4; ++i) {
    const auto s = static_cast<std::size_t>(t.seg[i]);
    const auto r = static_cast<Eigen::Index>(i);
    EXPECT_NEAR(
        eta[i],
        m.segment_intercept[s] + t.X(r, 0) * m.segment_coef[s * p] + t.X(r, 1) * m.segment_coef[s * p + 1],
        1e-12);
  }
}

TEST(Pooled, SameAnswerAtAnyThreadCountWithCrossValidation) {
  using namespace test_pooled;
  const Toy t = toy(240, 4);
  PooledOptions o;
  o.taus = {0.1, 1.0};
  o.select = TauSelect::cv;
  o.folds = 4;
  o.threads = 1;
  const PooledModel a = fit_pooled(t.X, t.y, t.seg, t.S, t.w, o);
  o.threads = 2;
  const PooledModel b = fit_pooled(t.X, t.y, t.seg, t.S, t.w, o);
  EXPECT_EQ(a.grid_score, b.grid_score);
  EXPECT_EQ(a.theta, b.theta);
  for (double v : a.grid_score) EXPECT_TRUE(v > 0.0 && v < std::log(2.0));
  const auto best = std::min_element(a.grid_score.begin(), a.grid_score.end()) - a.grid_score.begin();
  EXPECT_EQ(a.tau_coef, a.grid_coef[static_cast<std::size_t>(best)]);
}

TEST(Pooled, BadInputIsNamed) {
  using namespace test_pooled;
  Toy t = toy(120, 5);
  PooledOptions o;
  o.tau_intercept = o.tau_coef = 0.3;
  Matrix bad = t.X;
  bad(7, 1) = std::numeric_limits<double>::quiet_NaN();
  expect_error([&] { fit_pooled(bad, t.y, t.seg, t.S, {}, o); }, Errc::invalid_argument, "X[7, 1]");
  std::vector<std::int64_t> seg = t.seg;
  seg[11] = 3;
  expect_error([&] { fit_pooled(t.X, t.y, seg, t.S, {}, o); }, Errc::out_of_range, "segment[11] = 3");
  seg[11] = -1;
  expect_error([&] { fit_pooled(t.X, t.y, seg, t.S, {}, o); }, Errc::out_of_range, "segment[11] = -1");
  const std::vector<double> ones(120, 1.0);
  expect_error([&] { fit_pooled(t.X, ones, t.seg, t.S, {}, o); }, Errc::invalid_argument, "class");
  const std::vector<double> zeros(120, 0.0);
  expect_error([&] { fit_pooled(t.X, zeros, t.seg, t.S, {}, o); }, Errc::invalid_argument, "only class 0");
  std::vector<double> w(120, 1.0);
  w[4] = -2.0;
  expect_error([&] { fit_pooled(t.X, t.y, t.seg, t.S, w, o); }, Errc::invalid_argument, "sample_weight[4]");
  expect_error([&] { fit_pooled(t.X, std::span(t.y).first(100), t.seg, t.S, {}, o); }, Errc::shape_mismatch,
               "y has 100 values");
  expect_error([&] { fit_pooled(t.X, t.y, t.seg, t.S, std::span(t.w).first(5), o); }, Errc::shape_mismatch,
               "sample_weight has 5");
  expect_error([&] { fit_pooled(Matrix(0, 2), {}, {}, t.S, {}, o); }, Errc::empty_input, "no rows");
  PooledOptions one = o;
  one.tau_coef = 0.0;
  expect_error([&] { fit_pooled(t.X, t.y, t.seg, t.S, {}, one); }, Errc::invalid_argument, "tau_coef");
  PooledOptions c = o;
  c.C = std::numeric_limits<double>::infinity();
  expect_error([&] { fit_pooled(t.X, t.y, t.seg, t.S, {}, c); }, Errc::invalid_argument, "C must");
  PooledOptions none;
  none.taus = {};
  expect_error([&] { fit_pooled(t.X, t.y, t.seg, t.S, {}, none); }, Errc::invalid_argument, "taus is empty");
  none.taus = {0.1, -1.0};
  expect_error([&] { fit_pooled(t.X, t.y, t.seg, t.S, {}, none); }, Errc::invalid_argument, "taus[1]");
  const PooledModel m = fit_pooled(t.X, t.y, t.seg, t.S, {}, o);
  expect_error([&] { pooled_decision(m, Matrix::Zero(2, 3), std::span(t.seg).first(2)); },
               Errc::shape_mismatch, "fitted on 2");
  expect_error([&] { pooled_decision(m, t.X.topRows(2), std::span(t.seg).first(3)); }, Errc::shape_mismatch,
               "segment has 3");
  expect_error([&] { pooled_intervals(m, 0.0); }, Errc::invalid_argument, "level");
}

// ---- the 1-99 score and tiers ------------------------------------------------------------

TEST(Ranking, Score199RoundsHalvesToEvenAndClips) {
  const std::vector<double> p = {0.0, 0.004, 0.005, 0.015, 0.125, 0.135, 0.5, 0.985, 0.995, 1.0};
  // 100 p: 0, .4, .5, 1.5, 12.5, 13.5, 50, 98.5, 99.5, 100 -> rint -> clip
  const std::vector<std::int32_t> want = {1, 1, 1, 2, 12, 14, 50, 98, 99, 99};
  EXPECT_EQ(score_1_99(p), want);
  expect_error([] { score_1_99(std::vector<double>{0.5, 1.01}); }, Errc::invalid_argument, "p[1]");
  expect_error([] { score_1_99(std::vector<double>{std::nan("")}); }, Errc::invalid_argument, "p[0]");
}

TEST(Ranking, TiersAreTheRankCutWithTiesInRowOrder) {
  Rng rng(9);
  const std::vector<std::vector<double>> share_sets = {
      {0.1, 0.3, 0.6}, {0.25, 0.25, 0.25, 0.25}, {0.0, 0.5, 0.5}, {1.0}, {0.5, 0.0, 0.5}, {0.6, 0.4, 0.0}};
  for (std::size_t n : {1U, 2U, 3U, 7U, 10U, 101U}) {
    std::vector<double> s(n);
    for (double& v : s) v = std::round(rng.uniform() * 5.0);  // many ties
    for (const auto& shares : share_sets) {
      const std::vector<std::int32_t> got = priority_tiers(s, shares);
      // brute force: a row's rank = rows with a higher score + earlier rows with the same
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t rank = 0;
        for (std::size_t k = 0; k < n; ++k) rank += (s[k] > s[i] || (s[k] == s[i] && k < i)) ? 1 : 0;
        double cum = 0.0;
        std::int32_t tier = static_cast<std::int32_t>(shares.size()) - 1;
        for (std::size_t t = 0; t < shares.size(); ++t) {
          cum += shares[t];
          if (static_cast<double>(rank) < std::nearbyint(cum * static_cast<double>(n))) {
            tier = static_cast<std::int32_t>(t);
            break;
          }
        }
        EXPECT_EQ(got[i], tier) << "n " << n << " row " << i;
      }
    }
  }
  expect_error(
      [] {
        priority_tiers(std::vector<double>{1.0}, std::vector<double>{0.5, 0.6});
      },
      Errc::invalid_argument, "sum to 1");
  expect_error(
      [] {
        priority_tiers(std::vector<double>{1.0}, std::vector<double>{1.5, -0.5});
      },
      Errc::invalid_argument, "shares[1]");
  expect_error([] { priority_tiers(std::vector<double>{1.0}, std::vector<double>{}); },
               Errc::invalid_argument, "shares is empty");
  expect_error(
      [] {
        priority_tiers(std::vector<double>{1.0, std::nan("")}, std::vector<double>{1.0});
      },
      Errc::invalid_argument, "score[1]");
}
