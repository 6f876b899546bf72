// Analyses: recurrent chains (closed forms, power iteration, direct linear systems,
// transitive closure), bottlenecks (finite differences), posterior intervals (closed-form
// Beta quantiles, Dirichlet aggregation), segments (hand-computed G, chi-squared closed
// form, grid search of the marginal likelihood).
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace test_analysis {
std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back("s" + std::to_string(i));
  return v;
}
Matrix random_stochastic(Rng& rng, int n) {
  Matrix p(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) p(i, j) = rng.uniform();
    p.row(i) /= p.row(i).sum();
  }
  return p;
}
// The demo funnel: potential, possible, target, effective, won, lost.
MarkovChain demo_chain() {
  Matrix p(6, 6);
  p << 0.40, 0.30, 0.05, 0.00, 0.00, 0.25,  //
      0.10, 0.35, 0.35, 0.00, 0.00, 0.20,   //
      0.00, 0.10, 0.35, 0.35, 0.05, 0.15,   //
      0.00, 0.00, 0.05, 0.35, 0.45, 0.15,   //
      0, 0, 0, 0, 1, 0,                     //
      0, 0, 0, 0, 0, 1;
  return MarkovChain(StageSpace::funnel({"potential", "possible", "target", "effective"}, {"won", "lost"}),
                     p);
}
// Win probability from state 0 computed directly: (I - Q)^-1 R, no library analysis.
double win_from_first(const Matrix& p, double won_value = 1.0, double lost_value = 0.0) {
  const Matrix q = p.topLeftCorner(4, 4);
  const Matrix n = (Matrix::Identity(4, 4) - q).inverse();
  const Vector v = p.topRightCorner(4, 2) * Vector((Vector(2) << won_value, lost_value).finished());
  return (n * v)(0);
}

TEST(Recurrent, TwoStateClosedForm) {
  const double a = 0.3, b = 0.1;
  auto chain = MarkovChain::from_matrix({"buy", "upkeep"}, (Matrix(2, 2) << 1 - a, a, b, 1 - b).finished());
  const Vector pi = stationary_distribution(chain);
  EXPECT_NEAR(pi(0), b / (a + b), 1e-14);
  EXPECT_NEAR(pi(1), a / (a + b), 1e-14);
  const Matrix m = first_passage_times(chain);
  EXPECT_NEAR(m(0, 1), 1 / a, 1e-12);
  EXPECT_NEAR(m(1, 0), 1 / b, 1e-12);
  EXPECT_NEAR(m(0, 0), (a + b) / b, 1e-12);
  EXPECT_NEAR(recurrence_times(chain)(1), (a + b) / a, 1e-12);
}

TEST(Recurrent, RandomIrreducibleAgainstDirectSolves) {
  Rng rng(21);
  const int n = 7;
  auto chain = MarkovChain::from_matrix(names(n), random_stochastic(rng, n));
  const Vector pi = stationary_distribution(chain);
  // Power iteration.
  Matrix pk = chain.matrix();
  for (int k = 0; k < 200; ++k) pk = pk * chain.matrix();
  for (int j = 0; j < n; ++j) EXPECT_NEAR(pi(j), pk(0, j), 1e-12);
  // First passage to j: solve (I - P with column j zeroed) m = 1.
  const Matrix m = first_passage_times(chain);
  for (int j = 0; j < n; ++j) {
    Matrix a = chain.matrix();
    a.col(j).setZero();
    const Vector mj = (Matrix::Identity(n, n) - a).partialPivLu().solve(Vector::Ones(n));
    for (int i = 0; i < n; ++i) EXPECT_NEAR(m(i, j), mj(i), 1e-9) << i << "," << j;
  }
}

TEST(Recurrent, ClassesAgainstTransitiveClosure) {
  // 0 <-> 1 open (leak to 2); 2 absorbing; 3 <-> 4 a closed class of period 2;
  // 5 -> 5 or 0 (its own open class, aperiodic).
  Matrix p = Matrix::Zero(6, 6);
  p(0, 1) = 0.5;
  p(0, 2) = 0.5;
  p(1, 0) = 1;
  p(2, 2) = 1;
  p(3, 4) = 1;
  p(4, 3) = 1;
  p(5, 5) = 0.5;
  p(5, 0) = 0.5;
  auto chain = MarkovChain::from_matrix(names(6), p);
  auto cs = communicating_classes(chain);
  // Transitive closure by Floyd-Warshall.
  bool r[6][6];
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) r[i][j] = i == j || p(i, j) > 0;
  for (int k = 0; k < 6; ++k)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j) r[i][j] = r[i][j] || (r[i][k] && r[k][j]);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) EXPECT_EQ(cs.class_of[i] == cs.class_of[j], r[i][j] && r[j][i]) << i << j;
  ASSERT_EQ(cs.classes.size(), 4u);
  EXPECT_EQ(cs.classes[0], (std::vector<std::int32_t>{0, 1}));
  EXPECT_FALSE(cs.closed[0]);
  EXPECT_TRUE(cs.closed[cs.class_of[2]]);
  EXPECT_TRUE(cs.closed[cs.class_of[3]]);
  EXPECT_FALSE(cs.closed[cs.class_of[5]]);
  EXPECT_EQ(cs.period[cs.class_of[3]], 2);
  EXPECT_EQ(cs.period[0], 2);
  EXPECT_EQ(cs.period[cs.class_of[2]], 1);
  EXPECT_EQ(cs.period[cs.class_of[5]], 1);
  expect_error([&] { (void)stationary_distribution(chain); }, Errc::invalid_argument, "2 closed classes");
  expect_error([&] { (void)first_passage_times(chain); }, Errc::invalid_argument, "irreducible");
}

TEST(Bottlenecks, GradientAndElasticityMatchFiniteDifferences) {
  auto chain = demo_chain();
  std::vector<double> start{1, 0, 0, 0, 0, 0};
  for (double won_value : {1.0, 2500.0}) {
    std::vector<double> values{0, 0, 0, 0, won_value, 0};
    auto s = sensitivity(chain, start, values);
    EXPECT_NEAR(s.value, win_from_first(chain.matrix(), won_value), 1e-10 * won_value);
    const double h = 1e-6;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 6; ++j) {
        Matrix up = chain.matrix(), dn = chain.matrix();
        up(i, j) += h;
        dn(i, j) -= h;
        const double fd = (win_from_first(up, won_value) - win_from_first(dn, won_value)) / (2 * h);
        EXPECT_NEAR(s.gradient(i, j), fd, 1e-6 * won_value) << i << "," << j;
        // Relative raise with renormalisation, by hand.
        auto raised = [&](double x) {
          Matrix m = chain.matrix();
          const double z = 1 + x * m(i, j);
          m.row(i) /= z;
          m(i, j) = chain.matrix()(i, j) * (1 + x) / z;
          return win_from_first(m, won_value);
        };
        const double fe = (raised(h) - raised(-h)) / (2 * h);
        EXPECT_NEAR(s.elasticity(i, j), fe, 1e-6 * won_value) << i << "," << j;
      }
  }
  // Ranking: sorted by |elasticity|; the top entry is the largest finite difference.
  auto s = sensitivity(chain, start, std::vector<double>{0, 0, 0, 0, 1, 0});
  auto rank = rank_bottlenecks(chain, s);
  ASSERT_EQ(rank.size(), 17u);  // positive entries of the four stage rows
  for (std::size_t k = 1; k < rank.size(); ++k)
    EXPECT_GE(std::abs(rank[k - 1].elasticity), std::abs(rank[k].elasticity));
  double best = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) best = std::max(best, std::abs(s.elasticity(i, j)));
  EXPECT_EQ(std::abs(rank[0].elasticity), best);
}

TEST(Bottlenecks, WhatIfAgainstHandBuiltChain) {
  auto chain = demo_chain();
  std::vector<double> start{0, 1, 0, 0, 0, 0}, values{0, 0, 0, 0, 1, 0};
  auto w = what_if(chain, 1, 2, 0.10, start, values);  // possible -> target +10%
  Matrix m = chain.matrix();
  const double z = 1 + 0.1 * 0.35;
  m.row(1) /= z;
  m(1, 2) = 0.35 * 1.1 / z;
  EXPECT_TRUE(w.chain.matrix().isApprox(m, 1e-15));
  const Matrix n = (Matrix::Identity(4, 4) - m.topLeftCorner(4, 4)).inverse();
  const Vector win = n * m.topRightCorner(4, 2).col(0);
  EXPECT_NEAR(w.value_after, win(1), 1e-12);
  EXPECT_NEAR(w.value_before, analyze_absorbing(chain).absorption(1, 0), 1e-12);
  EXPECT_GT(w.value_after, w.value_before);
  EXPECT_TRUE(w.expected_steps_after.isApprox(n.rowwise().sum(), 1e-12));
  // Bad input.
  expect_error([&] { (void)raise_transition(chain, 0, 3, 0.1); }, Errc::invalid_argument,
               "P[potential][effective] is 0");
  expect_error([&] { (void)raise_transition(chain, 4, 4, 0.1); }, Errc::invalid_argument,
               "'won' is an outcome");
  expect_error([&] { (void)raise_transition(chain, 0, 9, 0.1); }, Errc::out_of_range, "to index 9");
  expect_error([&] { (void)raise_transition(chain, 0, 1, -1.0); }, Errc::invalid_argument, "fraction");
  expect_error(
      [&] {
        (void)sensitivity(chain, std::vector<double>{0.5, 0, 0, 0, 0, 0}, values);
      },
      Errc::invalid_argument, "sums to 0.5");
  expect_error(
      [&] {
        (void)sensitivity(chain, start, std::vector<double>{0, 0});
      },
      Errc::shape_mismatch, "outcome values");
}

TEST(Posterior, BetaQuantilesClosedForm) {
  // Row s: 12 moves to won, none back to s; prior 1 -> P[s][won] ~ Beta(13, 1), whose
  // quantile is q^(1/13), and P[s][s] ~ Beta(1, 13): 1 - (1 - q)^(1/13).
  auto sp = StageSpace::funnel({"s"}, {"won"});
  TransitionCounts c(sp, (Matrix(2, 2) << 0, 12, 0, 0).finished());
  auto iv = posterior_intervals(c, 1.0, 0.9);
  EXPECT_NEAR(iv.lower(0, 1), std::pow(0.05, 1.0 / 13), 1e-12);
  EXPECT_NEAR(iv.upper(0, 1), std::pow(0.95, 1.0 / 13), 1e-12);
  EXPECT_NEAR(iv.lower(0, 0), 1 - std::pow(0.95, 1.0 / 13), 1e-12);
  EXPECT_NEAR(iv.mean(0, 1), 13.0 / 14, 1e-15);
  EXPECT_EQ(iv.lower(1, 1), 1.0);
  auto zero = posterior_intervals(c, 0.0, 0.9);
  EXPECT_EQ(zero.lower(0, 0), 0.0);
  EXPECT_EQ(zero.upper(0, 0), 0.0);
  EXPECT_EQ(zero.lower(0, 1), 1.0);
  TransitionCounts empty(sp, Matrix::Zero(2, 2));
  expect_error([&] { (void)posterior_intervals(empty, 0.0); }, Errc::invalid_argument,
               "stage 's' has no observed exits");
  expect_error([&] { (void)posterior_intervals(c, 1.0, 1.5); }, Errc::invalid_argument, "level");
}

TEST(Posterior, DerivedWinProbabilityIsBetaByAggregation) {
  // Row s -> (s, won, lost) ~ Dirichlet(1 + 5, 1 + 30, 1 + 20); the win probability from
  // s is p_won / (p_won + p_lost) ~ Beta(31, 21) (Dirichlet aggregation).
  auto sp = StageSpace::funnel({"s"}, {"won", "lost"});
  TransitionCounts c(sp, (Matrix(3, 3) << 5, 30, 20, 0, 0, 0, 0, 0, 0).finished());
  PosteriorOptions o;
  o.prior = 1.0;
  o.draws = 20000;
  o.seed = 4;
  o.level = 0.9;
  auto f = posterior_figures(c, o);
  const double mean = 31.0 / 52;
  const double sd = std::sqrt(31.0 * 21 / (52.0 * 52 * 53));
  EXPECT_NEAR(f.absorption_mean(0, 0), mean, 4 * sd / std::sqrt(20000.0));
  boost::math::beta_distribution<double> beta(31, 21);
  EXPECT_NEAR(f.absorption_lower(0, 0), boost::math::quantile(beta, 0.05), 0.005);
  EXPECT_NEAR(f.absorption_upper(0, 0), boost::math::quantile(beta, 0.95), 0.005);
  // Expected steps 1 / (1 - p_s), p_s ~ Beta(6, 52): E[1 / (1 - p)] = (a + b - 1) / (b - 1).
  EXPECT_NEAR(f.steps_mean(0), 57.0 / 51, 0.003);
  // Same seed, any thread count: identical.
  o.threads = 1;
  auto f1 = posterior_figures(c, o);
  o.threads = 3;
  auto f3 = posterior_figures(c, o);
  EXPECT_EQ(f1.absorption_lower, f3.absorption_lower);
  EXPECT_EQ(f1.steps_upper, f3.steps_upper);
}

TEST(Segments, LikelihoodRatioAndShrinkage) {
  auto sp = StageSpace::funnel({"s"}, {"won", "lost"});
  // Referral vs cold: 40/10 vs 30/45 won/lost from s, one stay each.
  TransitionCounts ref(sp, (Matrix(3, 3) << 1, 40, 10, 0, 0, 0, 0, 0, 0).finished());
  TransitionCounts cold(sp, (Matrix(3, 3) << 1, 30, 45, 0, 0, 0, 0, 0, 0).finished());
  auto fit2 = fit_segments({ref, cold}, {"referral", "cold"});
  // G by hand: expected E_sj = n_s * pooled_j.
  const double pooled[3] = {2.0 / 127, 70.0 / 127, 55.0 / 127};
  const double obs[2][3] = {{1, 40, 10}, {1, 30, 45}};
  double g = 0;
  for (int s = 0; s < 2; ++s) {
    const double ns = obs[s][0] + obs[s][1] + obs[s][2];
    for (int j = 0; j < 3; ++j) g += 2 * obs[s][j] * std::log(obs[s][j] / (ns * pooled[j]));
  }
  EXPECT_NEAR(fit2.statistic, g, 1e-10);
  EXPECT_EQ(fit2.df, 2.0);
  EXPECT_NEAR(fit2.p_value, std::exp(-g / 2), 1e-12);  // chi-squared(2) survival
  EXPECT_LT(fit2.p_value, 1e-4);
  // The concentration maximises the Dirichlet-multinomial marginal (grid search here).
  auto marginal = [&](double alpha) {
    double ll = 0;
    for (int s = 0; s < 2; ++s) {
      const double ns = obs[s][0] + obs[s][1] + obs[s][2];
      ll += std::lgamma(alpha) - std::lgamma(ns + alpha);
      for (int j = 0; j < 3; ++j)
        ll += std::lgamma(obs[s][j] + alpha * pooled[j]) - std::lgamma(alpha * pooled[j]);
    }
    return ll;
  };
  const double alpha = fit2.concentration(0);
  for (double f : {0.9, 1.1, 0.5, 2.0}) EXPECT_GE(marginal(alpha), marginal(alpha * f));
  const Matrix& r = fit2.shrunk[0].matrix();
  EXPECT_NEAR(r(0, 1), (40 + alpha * pooled[1]) / (51 + alpha), 1e-12);
  // Shrunk rows lie between the segment's own MLE and the pooled row.
  EXPECT_LT(r(0, 1), 40.0 / 51);
  EXPECT_GT(r(0, 1), pooled[1]);
  // Segments with identical proportions: G = 0, p = 1, full shrinkage.
  TransitionCounts a(sp, (Matrix(3, 3) << 2, 20, 20, 0, 0, 0, 0, 0, 0).finished());
  TransitionCounts b(sp, (Matrix(3, 3) << 1, 10, 10, 0, 0, 0, 0, 0, 0).finished());
  auto same = fit_segments({a, b}, {"a", "b"});
  EXPECT_NEAR(same.statistic, 0.0, 1e-10);
  EXPECT_NEAR(same.p_value, 1.0, 1e-9);
  EXPECT_GT(same.concentration(0), 1e5);
  // A segment without transitions is pooled: the pooled chain, and G, df, p and alpha
  // exactly as without it (the same counts).
  TransitionCounts none(sp, Matrix::Zero(3, 3));
  auto fit3 = fit_segments({ref, none, cold}, {"referral", "web", "cold"});
  EXPECT_EQ(fit3.statistic, fit2.statistic);
  EXPECT_EQ(fit3.df, fit2.df);
  EXPECT_EQ(fit3.p_value, fit2.p_value);
  EXPECT_NEAR(fit3.concentration(0), fit2.concentration(0), 1e-9 * fit2.concentration(0));
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(fit3.shrunk[1].matrix()(0, j), pooled[j], 1e-12);
  EXPECT_NEAR(fit3.shrunk[2].matrix()(0, 2), fit2.shrunk[1].matrix()(0, 2), 1e-9);
  // A set concentration: the posterior mean in closed form; a cap bounds the fitted one.
  SegmentOptions set;
  set.concentration = 10.0;
  auto fit4 = fit_segments({ref, none, cold}, {"referral", "web", "cold"}, set);
  EXPECT_EQ(fit4.concentration(0), 10.0);
  EXPECT_NEAR(fit4.shrunk[0].matrix()(0, 1), (40 + 10 * pooled[1]) / (51 + 10), 1e-12);
  EXPECT_NEAR(fit4.shrunk[1].matrix()(0, 1), pooled[1], 1e-12);
  EXPECT_EQ(fit4.statistic, fit2.statistic);  // the test does not depend on the shrinkage
  SegmentOptions own;
  own.concentration = 0.0;  // each segment's MLE, the pooled row where it has no data
  auto fit5 = fit_segments({ref, none}, {"referral", "web"}, own);
  EXPECT_NEAR(fit5.shrunk[0].matrix()(0, 1), 40.0 / 51, 1e-12);
  EXPECT_NEAR(fit5.shrunk[1].matrix()(0, 1), 40.0 / 51, 1e-12);  // the pool is the referral row
  SegmentOptions capped;
  capped.max_concentration = 0.5 * fit2.concentration(0);
  EXPECT_EQ(fit_segments({ref, cold}, {"referral", "cold"}, capped).concentration(0),
            0.5 * fit2.concentration(0));
  // Bad input.
  expect_error(
      [&] {
        (void)fit_segments({none, none}, {"web", "email"});
      },
      Errc::empty_input, "no segment has data (no transitions counted in 'web', 'email')");
  SegmentOptions bad;
  bad.concentration = -1.0;
  expect_error(
      [&] {
        (void)fit_segments({ref, cold}, {"a", "b"}, bad);
      },
      Errc::invalid_argument, "concentration must be finite and >= 0");
  bad = {};
  bad.max_concentration = -2.0;
  expect_error(
      [&] {
        (void)fit_segments({ref, cold}, {"a", "b"}, bad);
      },
      Errc::invalid_argument, "max_concentration must be >= 0, got -2");
  expect_error([&] { (void)fit_segments({ref, cold}, {"x", "x"}); }, Errc::duplicate_label, "'x'");
  expect_error([&] { (void)fit_segments({}, {}); }, Errc::empty_input, "no segments");
  TransitionCounts other(StageSpace::funnel({"t"}, {"won", "lost"}), Matrix::Zero(3, 3));
  expect_error(
      [&] {
        (void)fit_segments({ref, other}, {"a", "b"});
      },
      Errc::invalid_argument, "different stage space");
}

TEST(Posterior, ContinuousRatesAreGammaRatios) {
  // One stage, 30 exits to won and 20 to lost over 400 days.  With independent
  // Gamma(n + a, T) rates, P(won) = q_w / (q_w + q_l) ~ Beta(30 + a, 20 + a) and the mean
  // time to close 1 / (q_w + q_l) is inverse-gamma: T / Gamma(50 + 2a, 1).
  auto sp = StageSpace::funnel({"s"}, {"won", "lost"});
  Matrix c = Matrix::Zero(3, 3);
  c(0, 1) = 30;
  c(0, 2) = 20;
  Vector t = Vector::Zero(3);
  t(0) = 400;
  ExposureCounts e(sp, c, t);
  ContinuousPosteriorOptions o;
  o.prior_shape = 0.5;
  o.level = 0.9;
  o.draws = 20000;
  o.seed = 9;
  auto f = posterior_figures(e, o);
  boost::math::beta_distribution<double> beta(30.5, 20.5);
  EXPECT_NEAR(f.absorption_mean(0, 0), 30.5 / 51, 0.003);
  EXPECT_NEAR(f.absorption_lower(0, 0), boost::math::quantile(beta, 0.05), 0.005);
  EXPECT_NEAR(f.absorption_upper(0, 0), boost::math::quantile(beta, 0.95), 0.005);
  boost::math::gamma_distribution<double> g(51.0, 1.0);
  EXPECT_NEAR(f.time_mean(0), 400.0 / 50.0, 0.05);
  EXPECT_NEAR(f.time_lower(0), 400.0 / boost::math::quantile(g, 0.95), 0.1);
  EXPECT_NEAR(f.time_upper(0), 400.0 / boost::math::quantile(g, 0.05), 0.1);
  o.threads = 1;
  auto f1 = posterior_figures(e, o);
  EXPECT_EQ(f1.time_upper, f.time_upper);
  ExposureCounts none(sp, Matrix::Zero(3, 3), Vector::Zero(3));
  expect_error([&] { (void)posterior_figures(none, o); }, Errc::invalid_argument,
               "stage 's' has no exposure");
}

}  // namespace test_analysis
