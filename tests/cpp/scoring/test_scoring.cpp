// Scoring metrics and the logistic scorer against brute force and closed forms.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/scoring.hpp"

using namespace funnelnet;

namespace test_scoring {

struct Data {
  std::vector<double> y, s, w;
};

// Scores rounded to 0.05 (many ties), weights in [0.5, 2).
Data scored_sample(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  Data d;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = std::round(rng.uniform() * 20.0) / 20.0;
    d.s.push_back(s);
    d.y.push_back(rng.uniform() < 0.2 + 0.6 * s ? 1.0 : 0.0);
    d.w.push_back(0.5 + 1.5 * rng.uniform());
  }
  return d;
}

// Weighted Mann-Whitney: P(s+ > s-) + 1/2 P(s+ = s-).
double brute_auc(const Data& d, bool weighted) {
  double num = 0.0, P = 0.0, N = 0.0;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    const double wi = weighted ? d.w[i] : 1.0;
    (d.y[i] == 1.0 ? P : N) += wi;
    if (d.y[i] != 1.0) continue;
    for (std::size_t j = 0; j < d.y.size(); ++j) {
      if (d.y[j] != 0.0) continue;
      const double wj = weighted ? d.w[j] : 1.0;
      num += wi * wj * (d.s[i] > d.s[j] ? 1.0 : d.s[i] == d.s[j] ? 0.5 : 0.0);
    }
  }
  return num / (P * N);
}

// AP by its definition: sum over distinct thresholds t (descending) of
// (recall(t) - recall(previous)) * precision(t), each computed by a full scan.
double brute_ap(const Data& d) {
  std::vector<double> th = d.s;
  std::sort(th.begin(), th.end(), std::greater<>());
  th.erase(std::unique(th.begin(), th.end()), th.end());
  double P = 0.0;
  for (double v : d.y) P += v;
  double ap = 0.0, r0 = 0.0;
  for (double t : th) {
    double tp = 0.0, all = 0.0;
    for (std::size_t i = 0; i < d.y.size(); ++i)
      if (d.s[i] >= t) {
        tp += d.y[i];
        all += 1.0;
      }
    ap += (tp / P - r0) * (tp / all);
    r0 = tp / P;
  }
  return ap;
}

TEST(ScoringMetrics, AucEqualsMannWhitneyWithTies) {
  const auto d = scored_sample(600, 1);
  EXPECT_NEAR(roc_auc(d.y, d.s), brute_auc(d, false), 1e-12);
  EXPECT_NEAR(roc_auc(d.y, d.s, d.w), brute_auc(d, true), 1e-12);
}

TEST(ScoringMetrics, AveragePrecisionByDefinition) {
  const auto d = scored_sample(500, 2);
  EXPECT_NEAR(average_precision(d.y, d.s), brute_ap(d), 1e-12);
}

TEST(ScoringMetrics, LogLossBrierKsClosedForms) {
  const std::vector<double> y{1, 0, 1, 0}, p{0.9, 0.2, 0.4, 0.4};
  EXPECT_NEAR(log_loss(y, p), -(std::log(0.9) + std::log(0.8) + std::log(0.4) + std::log(0.6)) / 4, 1e-15);
  EXPECT_NEAR(brier(y, p), (0.01 + 0.04 + 0.36 + 0.16) / 4, 1e-15);
  // positives at {0.9, 0.4}, negatives at {0.2, 0.4}: at threshold 0.9 TPR 1/2, FPR 0.
  EXPECT_NEAR(ks(y, p), 0.5, 1e-15);
  // Pairs: (0.9 > 0.2), (0.9 > 0.4), (0.4 > 0.2), (0.4 = 0.4) -> 3.5 / 4.
  EXPECT_NEAR(roc_auc(y, p), 0.875, 1e-15);
}

TEST(ScoringMetrics, RankTableSumsAndLift) {
  const auto d = scored_sample(1000, 3);
  const auto t = rank_table(d.y, d.s, 10);
  double rows = 0.0, pos = 0.0, P = 0.0;
  for (double v : d.y) P += v;
  for (std::size_t b = 0; b < t.size(); ++b) {
    rows += t.rows[b];
    pos += t.positives[b];
    EXPECT_EQ(t.rows[b], 100.0);
    if (b > 0) {
      EXPECT_LE(t.score_max[b], t.score_min[b - 1]);
    }
  }
  EXPECT_EQ(rows, 1000.0);
  EXPECT_DOUBLE_EQ(pos, P);
  EXPECT_NEAR(t.cum_gain.back(), 1.0, 1e-15);
  EXPECT_NEAR(t.cum_lift.back(), 1.0, 1e-12);
  EXPECT_NEAR(t.lift[0], (t.positives[0] / 100.0) / (P / 1000.0), 1e-12);
}

TEST(ScoringMetrics, CalibrationCurveAndEceByHand) {
  // Uniform bins of width 0.5: p = 0.5 sits on the edge and goes to the lower bin.
  const std::vector<double> y{0, 1, 1, 0, 1}, p{0.1, 0.5, 0.6, 0.9, 0.8};
  const auto cc = calibration_curve(y, p, 2);
  ASSERT_EQ(cc.size(), 2U);
  EXPECT_NEAR(cc.prob_pred[0], 0.3, 1e-15);
  EXPECT_NEAR(cc.prob_true[0], 0.5, 1e-15);
  EXPECT_NEAR(cc.prob_pred[1], (0.6 + 0.9 + 0.8) / 3, 1e-15);
  EXPECT_NEAR(cc.prob_true[1], 2.0 / 3, 1e-15);
  EXPECT_NEAR(ece(y, p, 2), 0.4 * 0.2 + 0.6 * std::abs((0.6 + 0.9 + 0.8) / 3 - 2.0 / 3), 1e-15);
}

TEST(ScoringMetrics, BootstrapIsThreadIndependentAndCoversTheEstimate) {
  const auto d = scored_sample(400, 4);
  BootstrapOptions o;
  o.replicates = 200;
  o.seed = 7;
  o.threads = 1;
  const auto a = bootstrap_metric(Metric::roc_auc, d.y, d.s, {}, o);
  o.threads = 4;
  const auto b = bootstrap_metric(Metric::roc_auc, d.y, d.s, {}, o);
  EXPECT_EQ(a.replicates, b.replicates);
  EXPECT_LT(a.lower, a.estimate);
  EXPECT_GT(a.upper, a.estimate);
  // Hanley-McNeil-sized spread: the bootstrap SE is within a factor 2 of it.
  EXPECT_GT(a.std_error, 0.005);
  EXPECT_LT(a.std_error, 0.06);
}

TEST(ScoringMetrics, BadInputNamesTheCulprit) {
  const std::vector<double> y{0, 1, 2}, s{0.1, 0.2, 0.3};
  expect_error([&] { (void)roc_auc(y, s); }, Errc::invalid_argument, "y[2]");
  const std::vector<double> y1{1, 1, 1};
  expect_error([&] { (void)roc_auc(y1, s); }, Errc::invalid_argument, "one class");
  const std::vector<double> y2{0, 1};
  expect_error([&] { (void)roc_auc(y2, s); }, Errc::shape_mismatch, "score");
  const std::vector<double> y3{0, 1, 1}, snan{0.1, NAN, 0.3};
  expect_error([&] { (void)roc_auc(y3, snan); }, Errc::invalid_argument, "score[1]");
  const std::vector<double> wneg{1, -1, 1};
  expect_error([&] { (void)roc_auc(y3, s, wneg); }, Errc::invalid_argument, "sample_weight[1]");
  const std::vector<double> pbad{0.1, 1.5, 0.3};
  expect_error([&] { (void)log_loss(y3, pbad); }, Errc::invalid_argument, "p[1]");
}

Matrix design(std::size_t n, std::size_t p, std::uint64_t seed, std::vector<double>& y) {
  Rng rng(seed);
  Matrix X(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
  y.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double eta = -0.5;
    for (std::size_t j = 0; j < p; ++j) {
      const double x = (rng.uniform() - 0.5) * 4.0 + static_cast<double>(j);
      X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x;
      eta += (j % 2 == 0 ? 0.7 : -0.4) * (x - static_cast<double>(j));
    }
    y[i] = rng.uniform() < 1.0 / (1.0 + std::exp(-eta)) ? 1.0 : 0.0;
  }
  return X;
}

// The penalised objective of the header comment, written out directly.
double objective(const Matrix& X, const std::vector<double>& y, double b0, const std::vector<double>& b,
                 double lambda, double l1_ratio) {
  double l = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    double eta = b0;
    for (Eigen::Index j = 0; j < X.cols(); ++j) eta += X(i, j) * b[static_cast<std::size_t>(j)];
    l += std::log1p(std::exp(eta)) - y[static_cast<std::size_t>(i)] * eta;
  }
  double l1 = 0.0, l2 = 0.0;
  for (double v : b) {
    l1 += std::abs(v);
    l2 += v * v;
  }
  return l / static_cast<double>(X.rows()) + lambda * (l1_ratio * l1 + 0.5 * (1.0 - l1_ratio) * l2);
}

TEST(ScoringLogistic, RidgeSolutionIsStationary) {
  std::vector<double> y;
  const Matrix X = design(800, 4, 11, y);
  LogisticOptions o;
  o.lambda = 0.01;
  const auto m = fit_logistic(X, y, {}, o);
  ASSERT_TRUE(m.converged()) << m.message;
  // Central differences of the written-out objective vanish at the solution.
  const double h = 1e-5;
  for (std::size_t j = 0; j <= 4; ++j) {
    auto bp = m.coef, bm = m.coef;
    double ip = m.intercept, im = m.intercept;
    if (j == 0) {
      ip += h;
      im -= h;
    } else {
      bp[j - 1] += h;
      bm[j - 1] -= h;
    }
    const double g = (objective(X, y, ip, bp, 0.01, 0.0) - objective(X, y, im, bm, 0.01, 0.0)) / (2 * h);
    EXPECT_NEAR(g, 0.0, 1e-8) << "parameter " << j;
  }
}

TEST(ScoringLogistic, ElasticNetMinimisesTheObjective) {
  std::vector<double> y;
  const Matrix X = design(600, 5, 12, y);
  LogisticOptions o;
  o.lambda = 0.05;
  o.l1_ratio = 0.7;
  const auto m = fit_logistic(X, y, {}, o);
  ASSERT_TRUE(m.converged()) << m.message;
  const double f = objective(X, y, m.intercept, m.coef, 0.05, 0.7);
  EXPECT_NEAR(f, m.objective, 1e-12);
  // No single-coordinate move of +-1e-4 lowers it (the L1 kink included).
  for (std::size_t j = 0; j < 5; ++j)
    for (double step : {1e-4, -1e-4}) {
      auto b = m.coef;
      b[j] += step;
      EXPECT_GE(objective(X, y, m.intercept, b, 0.05, 0.7), f - 1e-13);
    }
}

TEST(ScoringLogistic, SameAnswerAtAnyThreadCount) {
  std::vector<double> y;
  const Matrix X = design(20000, 3, 13, y);
  LogisticOptions o;
  o.threads = 1;
  const auto a = fit_logistic(X, y, {}, o);
  o.threads = 3;
  const auto b = fit_logistic(X, y, {}, o);
  EXPECT_EQ(a.coef, b.coef);
  EXPECT_EQ(a.intercept, b.intercept);
}

TEST(ScoringLogistic, StandardErrorsMatchTheInverseInformation) {
  // One binary covariate: the MLE is the 2x2 table's log odds ratio with the textbook
  // SE sqrt(1/a + 1/b + 1/c + 1/d).
  Matrix X(100, 1);
  std::vector<double> y(100);
  for (int i = 0; i < 100; ++i) {
    X(i, 0) = i < 40 ? 1.0 : 0.0;
    y[static_cast<std::size_t>(i)] = (i < 40) ? (i < 25 ? 1.0 : 0.0) : (i < 60 ? 1.0 : 0.0);
  }
  // x=1: 25 yes, 15 no; x=0: 20 yes, 40 no.
  const auto m = fit_logistic(X, y);
  ASSERT_TRUE(m.converged());
  EXPECT_NEAR(m.coef[0], std::log((25.0 / 15.0) / (20.0 / 40.0)), 1e-9);
  EXPECT_NEAR(m.intercept, std::log(20.0 / 40.0), 1e-9);
  const auto w = logistic_wald(m);
  ASSERT_EQ(w.std_error.size(), 2U);
  EXPECT_NEAR(w.std_error[1], std::sqrt(1.0 / 25 + 1.0 / 15 + 1.0 / 20 + 1.0 / 40), 1e-8);
  EXPECT_NEAR(w.std_error[0], std::sqrt(1.0 / 20 + 1.0 / 40), 1e-8);
  EXPECT_NEAR(w.lower[1], w.estimate[1] - 1.959963984540054 * w.std_error[1], 1e-12);
}

TEST(ScoringLogistic, SeparableAndRankDeficientStayFinite) {
  Matrix X(6, 2);
  X << 1, 2, 2, 4, 3, 6, 4, 8, 5, 10, 6, 12;  // second column = 2 x first
  const std::vector<double> sep{0, 0, 0, 1, 1, 1}, mixed{0, 1, 0, 1, 0, 1};
  const auto s = fit_logistic(X, sep);
  EXPECT_TRUE(s.separated);
  EXPECT_FALSE(s.converged());
  EXPECT_TRUE(std::isfinite(s.coef[0]) && std::isfinite(s.coef[1]));
  EXPECT_TRUE(s.covariance.empty());
  const auto r = fit_logistic(X, mixed);
  EXPECT_TRUE(r.rank_deficient);
  EXPECT_TRUE(r.converged()) << r.message;
  // Minimum norm: the coefficients lie along (1, 2) (standardised columns are equal).
  EXPECT_NEAR(r.coef[1], 2.0 * r.coef[0] * 0.25, 1e-9);
}

TEST(ScoringLogistic, ConstantColumnGetsZero) {
  std::vector<double> y;
  Matrix X = design(300, 3, 14, y);
  X.col(1).setConstant(5.0);
  const auto m = fit_logistic(X, y);
  ASSERT_EQ(m.constant_columns.size(), 1U);
  EXPECT_EQ(m.constant_columns[0], 1);
  EXPECT_EQ(m.coef[1], 0.0);
  EXPECT_TRUE(m.converged()) << m.message << " it " << m.iterations << " g " << m.gradient_norm;
}

TEST(ScoringLogistic, BadInputNamesTheCulprit) {
  Matrix X(3, 2);
  X << 1, 2, 3, NAN, 5, 6;
  const std::vector<double> y{0, 1, 0};
  expect_error([&] { (void)fit_logistic(X, y); }, Errc::invalid_argument, "X[1, 1]");
  X(1, 1) = 0.0;
  expect_error(
      [&] {
        (void)fit_logistic(X, std::vector<double>{1, 1, 1});
      },
      Errc::invalid_argument, "only class 1");
  expect_error(
      [&] {
        (void)fit_logistic(X, std::vector<double>{0, 0, 0});
      },
      Errc::invalid_argument, "only class 0");
  expect_error([&] { (void)fit_logistic(X, std::vector<double>{1, 0}); }, Errc::shape_mismatch, "y");
  expect_error(
      [&] {
        (void)fit_logistic(X, y, std::vector<double>{1, -2, 1});
      },
      Errc::invalid_argument, "sample_weight[1]");
  const auto m = fit_logistic(X, y);
  Matrix X3(2, 3);
  X3.setZero();
  expect_error([&] { (void)logistic_predict(m, X3); }, Errc::shape_mismatch, "3 columns");
}

TEST(ScoringCalibration, IsotonicPoolsTiesAndViolators) {
  // x = 1, 2, 2, 3, 4 with y = 1, 0, 1, 0, 1: ties at 2 pool to 0.5; then 1 > 0.5 pools
  // (1 + 2 x 0.5) / 3 = 2/3 over x <= 2, then 2/3 > 0 at x = 3 pools (2 + 0) / 4 = 0.5.
  const std::vector<double> x{1, 2, 2, 3, 4}, y{1, 0, 1, 0, 1};
  const auto f = isotonic_fit(x, y);
  ASSERT_EQ(f.x, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_NEAR(f.y[0], 0.5, 1e-15);
  EXPECT_NEAR(f.y[1], 0.5, 1e-15);
  EXPECT_NEAR(f.y[2], 0.5, 1e-15);
  EXPECT_NEAR(f.y[3], 1.0, 1e-15);
  expect_error([&] { (void)isotonic_fit(x, std::vector<double>{1, 0}); }, Errc::shape_mismatch, "y");
  expect_error(
      [&] {
        (void)isotonic_fit(std::vector<double>{1, NAN}, std::vector<double>{1, 0});
      },
      Errc::invalid_argument, "x[1]");
}

TEST(ScoringLogistic, PenaltyFactorWeighsEachColumn) {
  // penalty_factor {0, 2}: column 0 unpenalised, column 1 under (lambda / 2) (2 b1)^2.
  // Central differences of the written-out objective vanish at the solution.
  std::vector<double> y;
  const Matrix X = design(700, 2, 21, y);
  LogisticOptions o;
  o.lambda = 0.02;
  o.penalty_factor = {0.0, 2.0};
  const auto m = fit_logistic(X, y, {}, o);
  ASSERT_TRUE(m.converged()) << m.message;
  const auto f = [&](double b0, std::vector<double> b) {
    double l = 0.0;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      const double eta = b0 + X(i, 0) * b[0] + X(i, 1) * b[1];
      l += std::log1p(std::exp(eta)) - y[static_cast<std::size_t>(i)] * eta;
    }
    return l / static_cast<double>(X.rows()) + 0.5 * 0.02 * 4.0 * b[1] * b[1];
  };
  const double h = 1e-5;
  for (std::size_t j = 0; j < 2; ++j) {
    auto bp = m.coef, bm = m.coef;
    bp[j] += h;
    bm[j] -= h;
    EXPECT_NEAR((f(m.intercept, bp) - f(m.intercept, bm)) / (2 * h), 0.0, 1e-8) << "column " << j;
  }
  EXPECT_NEAR(m.objective, f(m.intercept, m.coef), 1e-12);
  o.penalty_factor = {1.0, -1.0};
  expect_error([&] { (void)fit_logistic(X, y, {}, o); }, Errc::invalid_argument, "penalty_factor[1]");
  o.penalty_factor = {1.0};
  expect_error([&] { (void)fit_logistic(X, y, {}, o); }, Errc::shape_mismatch, "penalty_factor");
}

TEST(ScoringLogistic, PosteriorCovarianceIsTheInversePenalisedHessian) {
  std::vector<double> y;
  const Matrix X = design(500, 3, 22, y);
  LogisticOptions o;
  o.lambda = 0.05;
  o.posterior_covariance = true;
  const auto m = fit_logistic(X, y, {}, o);
  ASSERT_TRUE(m.converged());
  ASSERT_EQ(m.covariance.size(), 16U);
  // Hessian of n * objective in (intercept, coef), written out.
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(4, 4);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    Eigen::Vector4d z(1.0, X(i, 0), X(i, 1), X(i, 2));
    const double eta = m.intercept + X(i, 0) * m.coef[0] + X(i, 1) * m.coef[1] + X(i, 2) * m.coef[2];
    const double p = 1.0 / (1.0 + std::exp(-eta));
    H += p * (1.0 - p) * z * z.transpose();
  }
  for (int j = 1; j < 4; ++j) H(j, j) += 500.0 * 0.05;
  const Eigen::MatrixXd V = H.inverse();
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      EXPECT_NEAR(m.covariance[static_cast<std::size_t>(a * 4 + b)], V(a, b),
                  1e-9 * std::abs(V(a, a)) + 1e-12);
  o.posterior_covariance = false;
  EXPECT_TRUE(fit_logistic(X, y, {}, o).covariance.empty());
}

TEST(ScoringLogistic, PredictProbaPairsAndNonFiniteCells) {
  std::vector<double> y;
  Matrix X = design(3000, 3, 23, y);
  const auto m = fit_logistic(X, y);
  const auto p = logistic_predict(m, X);
  std::vector<double> pairs(2 * p.size());
  logistic_predict_proba(m, X, pairs, 2);
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR(pairs[2 * i + 1], p[i], 1e-15);
    EXPECT_NEAR(pairs[2 * i], 1.0 - p[i], 1e-15);
  }
  X(2500, 2) = std::numeric_limits<double>::infinity();
  X(2900, 0) = std::nan("");
  expect_error([&] { (void)logistic_predict(m, X); }, Errc::invalid_argument, "X[2500, 2]");
  expect_error([&] { logistic_predict_proba(m, X, pairs); }, Errc::invalid_argument, "X[2500, 2]");
  expect_error([&] { (void)fit_logistic(X, y); }, Errc::invalid_argument, "X[2500, 2]");
  std::vector<double> short_out(3);
  expect_error([&] { logistic_predict_proba(m, X, short_out); }, Errc::shape_mismatch, "out");
}

}  // namespace test_scoring
