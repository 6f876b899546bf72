// Markov funnel: chains, fitting and absorbing analysis against closed forms,
// published values and brute force.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace test_chain {

Matrix mat(std::initializer_list<std::initializer_list<double>> rows) {
  Matrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (auto r : rows) {
    Eigen::Index j = 0;
    for (double v : r) m(i, j++) = v;
    ++i;
  }
  return m;
}

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back("s" + std::to_string(i));
  return v;
}

// Gambler's ruin on 0..5, absorbing 0 and 5, up with p, down with q = 1 - p.
MarkovChain gamblers_ruin(double p) {
  Matrix m = Matrix::Zero(6, 6);
  m(0, 0) = 1;
  m(5, 5) = 1;
  for (int i = 1; i <= 4; ++i) {
    m(i, i + 1) = p;
    m(i, i - 1) = 1 - p;
  }
  return MarkovChain::from_matrix(names(6), m);
}

TEST(Absorbing, DrunkardsWalk) {
  // Kemeny and Snell's drunkard's walk on 0..4 with p = 1/2.
  Matrix p = mat({{1, 0, 0, 0, 0}, {.5, 0, .5, 0, 0}, {0, .5, 0, .5, 0}, {0, 0, .5, 0, .5}, {0, 0, 0, 0, 1}});
  auto chain = MarkovChain::from_matrix(names(5), p);
  auto a = analyze_absorbing(chain);
  ASSERT_EQ(a.transient, (std::vector<std::int32_t>{1, 2, 3}));
  ASSERT_EQ(a.absorbing, (std::vector<std::int32_t>{0, 4}));
  Matrix b = mat({{.75, .25}, {.5, .5}, {.25, .75}});
  Matrix n = mat({{1.5, 1, .5}, {1, 2, 1}, {.5, 1, 1.5}});
  EXPECT_TRUE(a.absorption.isApprox(b, 1e-12));
  EXPECT_TRUE(a.fundamental.isApprox(n, 1e-12));
  EXPECT_NEAR(a.expected_steps(0), 3, 1e-12);
  EXPECT_NEAR(a.expected_steps(1), 4, 1e-12);
  EXPECT_NEAR(a.expected_steps(2), 3, 1e-12);
  // Variance (2N - I)t - t^2, computed by hand: (5, 8, 5).
  EXPECT_NEAR(a.steps_variance(0), 8.0, 1e-12);
  EXPECT_NEAR(a.steps_variance(1), 8.0, 1e-12);
  EXPECT_NEAR(a.steps_variance(2), 8.0, 1e-12);
}

TEST(Absorbing, GamblersRuinClosedForm) {
  const double p = 0.4, q = 0.6;
  auto a = analyze_absorbing(gamblers_ruin(p));
  for (int i = 1; i <= 4; ++i) {
    const double win = (1 - std::pow(q / p, i)) / (1 - std::pow(q / p, 5));
    EXPECT_NEAR(a.absorption(i - 1, 1), win, 1e-12) << "start " << i;
    EXPECT_NEAR(a.absorption(i - 1, 0), 1 - win, 1e-12) << "start " << i;
    // Expected duration of gambler's ruin: i/(q-p) - (N/(q-p)) (1-(q/p)^i)/(1-(q/p)^N).
    const double steps = i / (q - p) - (5 / (q - p)) * win;
    EXPECT_NEAR(a.expected_steps(i - 1), steps, 1e-10) << "start " << i;
  }
}

TEST(Absorbing, GamblersRuinBruteForceSimulation) {
  // 10^6 walks simulated directly in the test (not by the library's simulator).
  const double p = 0.4;
  auto a = analyze_absorbing(gamblers_ruin(p));
  Rng rng(12345);
  const int walks = 1000000;
  for (int start : {2}) {
    double sum = 0, sum2 = 0, wins = 0;
    for (int w = 0; w < walks; ++w) {
      int x = start, steps = 0;
      while (x != 0 && x != 5) {
        x += rng.uniform() < p ? 1 : -1;
        ++steps;
      }
      sum += steps;
      sum2 += double(steps) * steps;
      wins += x == 5;
    }
    const double mean = sum / walks;
    const double var = sum2 / walks - mean * mean;
    const double se = std::sqrt(var / walks);
    EXPECT_NEAR(mean, a.expected_steps(start - 1), 4 * se);
    EXPECT_NEAR(var, a.steps_variance(start - 1), 0.05 * a.steps_variance(start - 1));
    const double pw = a.absorption(start - 1, 1);
    EXPECT_NEAR(wins / walks, pw, 4 * std::sqrt(pw * (1 - pw) / walks));
  }
}

TEST(Absorbing, PublishedMeanAbsorptionTimes) {
  // Third state absorbing; mean absorption times 4.56603774, 3.32075472, 3.28301887.
  Matrix p = mat({{.2, .7, 0, .1}, {0, .6, .3, .1}, {0, 0, 1, 0}, {.5, 0, .5, 0}});
  auto a = analyze_absorbing(MarkovChain::from_matrix(names(4), p));
  ASSERT_EQ(a.transient, (std::vector<std::int32_t>{0, 1, 3}));
  EXPECT_NEAR(a.expected_steps(0), 4.56603774, 1e-8);
  EXPECT_NEAR(a.expected_steps(1), 3.32075472, 1e-8);
  EXPECT_NEAR(a.expected_steps(2), 3.28301887, 1e-8);
  // One absorbing state: absorbed with certainty.
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(a.absorption(i, 0), 1.0, 1e-12);
}

TEST(Absorbing, FundamentalMatrixIsNeumannSeries) {
  // Independent check on a random absorbing chain: N = sum_k Q^k.
  Rng rng(7);
  const int n = 8;
  Matrix p = Matrix::Zero(n, n);
  for (int i = 0; i < n - 2; ++i) {
    double s = 0;
    for (int j = 0; j < n; ++j) s += (p(i, j) = rng.uniform());
    p.row(i) /= s;
  }
  p(n - 2, n - 2) = 1;
  p(n - 1, n - 1) = 1;
  auto a = analyze_absorbing(MarkovChain::from_matrix(names(n), p));
  Matrix q = p.topLeftCorner(n - 2, n - 2);
  Matrix sum = Matrix::Identity(n - 2, n - 2), term = sum;
  for (int k = 0; k < 2000; ++k) sum += (term = term * q);
  EXPECT_TRUE(a.fundamental.isApprox(sum, 1e-9));
  Matrix b = sum * p.topRightCorner(n - 2, 2);
  EXPECT_TRUE(a.absorption.isApprox(b, 1e-9));
  for (int i = 0; i < n - 2; ++i) EXPECT_NEAR(a.absorption.row(i).sum(), 1.0, 1e-12);
}

TEST(Absorbing, UnreachableAbsorptionIsAnError) {
  // s1 <-> s2 loop forever; s0 -> s3 absorbing.
  Matrix p = mat({{0, .5, 0, .5}, {0, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 1}});
  auto chain = MarkovChain::from_matrix({"a", "b", "c", "won"}, p);
  try {
    (void)analyze_absorbing(chain);
    FAIL() << "expected not_absorbing";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_absorbing);
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'c'"), std::string::npos) << e.what();
  }
  // No absorbing state at all.
  auto cyclic = MarkovChain::from_matrix({"a", "b"}, mat({{0, 1}, {1, 0}}));
  try {
    (void)analyze_absorbing(cyclic);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_absorbing);
  }
}

TEST(Fit, MaximumLikelihoodFromSequence) {
  // Sequence a b a a a a b a b a b a a b b b a (markovchain's createSequenceMatrix example).
  const std::string seq = "abaaaababab aabbba";
  std::vector<std::int32_t> ids;
  for (char ch : std::string("abaaaabababaabbba")) ids.push_back(ch == 'a' ? 0 : 1);
  (void)seq;
  StageSpace space({"a", "b"}, {false, false});
  std::vector<std::int64_t> offsets{0, static_cast<std::int64_t>(ids.size())};
  auto counts = TransitionCounts::from_paths(space, ids, offsets);
  EXPECT_EQ(counts.matrix(), mat({{4, 5}, {5, 2}}));
  auto chain = fit(counts);
  EXPECT_TRUE(chain.matrix().isApprox(mat({{4.0 / 9, 5.0 / 9}, {5.0 / 7, 2.0 / 7}}), 1e-15));
  EXPECT_NEAR(chain.log_likelihood(counts), -10.37054131, 1e-8);
  auto smoothed = fit(counts, {0.5, EmptyRows::error});
  EXPECT_TRUE(smoothed.matrix().isApprox(mat({{.45, .55}, {.6875, .3125}}), 1e-15));
  // The MLE maximises the likelihood: any perturbation of a row lowers it.
  for (double eps : {-0.01, 0.01}) {
    Matrix m = chain.matrix();
    m(0, 0) += eps;
    m(0, 1) -= eps;
    EXPECT_LT(MarkovChain(space, m).log_likelihood(counts), chain.log_likelihood(counts));
  }
}

TEST(Fit, EmptyRowPolicies) {
  auto space = StageSpace::funnel({"potential", "possible"}, {"won"});
  Matrix c = mat({{0, 3, 1}, {0, 0, 0}, {0, 0, 0}});
  TransitionCounts counts(space, c);
  try {
    (void)fit(counts);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("'possible'"), std::string::npos);
  }
  EXPECT_DOUBLE_EQ(fit(counts, {0, EmptyRows::absorbing}).matrix()(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(fit(counts, {0, EmptyRows::uniform}).matrix()(1, 2), 1.0 / 3);
  // Absorbing rows stay the identity under smoothing.
  auto s = fit(counts, {1.0, EmptyRows::error});
  EXPECT_DOUBLE_EQ(s.matrix()(2, 2), 1.0);
  EXPECT_DOUBLE_EQ(s.matrix()(0, 1), 4.0 / 7);
}

TEST(Chain, RejectsBadMatrices) {

  StageSpace space({"a", "b"}, {false, true});
  expect_error([&] { MarkovChain(space, mat({{.5, .6}, {0, 1}})); }, Errc::invalid_argument, "row 'a' sums to 1.1");
  expect_error([&] { MarkovChain(space, mat({{NAN, 1}, {0, 1}})); }, Errc::invalid_argument, "P[a][a]");
  expect_error([&] { MarkovChain(space, mat({{-.1, 1.1}, {0, 1}})); }, Errc::invalid_argument, "-0.1");
  expect_error([&] { MarkovChain(space, mat({{.5, .5}, {.5, .5}})); }, Errc::invalid_argument, "declared absorbing");
  expect_error([&] { MarkovChain(space, Matrix::Identity(3, 3)); }, Errc::shape_mismatch, "3x3");
  expect_error([&] { StageSpace({"a", "a"}, {false, true}); }, Errc::duplicate_label, "'a'");
  expect_error([&] { StageSpace({"a", ""}, {false, true}); }, Errc::invalid_argument, "empty name");
  expect_error([&] { StageSpace({}, {}); }, Errc::empty_input, "at least one");
  expect_error([&] { StageSpace({"a", "b"}, {false}); }, Errc::shape_mismatch, "absorbing flags");
  expect_error([&] { (void)space.index("zzz"); }, Errc::unknown_label, "'zzz'");
  // Tolerance is stated and applied.
  EXPECT_NO_THROW(MarkovChain(space, mat({{.5, .5 + 1e-10}, {0, 1}})));
  expect_error([&] { MarkovChain(space, mat({{.5, .5 + 1e-6}, {0, 1}})); }, Errc::invalid_argument, "tolerance");
}

}  // namespace test_chain
