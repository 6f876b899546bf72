// Lead-scoring experiments: numpy's generator bit for bit, splits by their defining
// properties, DeLong's test against its O(n^2) placement-value definition, the corrected
// t-test and Student's t tail against closed forms, the paired bootstrap's thread
// independence, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/scoring.hpp"

using namespace funnelnet;

TEST(ScoringExperiments, NumpyGeneratorBitForBit) {
  // numpy 2.4: np.random.default_rng(s).bit_generator.random_raw(3)
  detail::NumpyPcg64 g0(0), g1(1), gmax(18446744073709551615ULL);
  EXPECT_EQ(g0.next64(), 11749869230777074271ULL);
  EXPECT_EQ(g0.next64(), 4976686463289251617ULL);
  EXPECT_EQ(g0.next64(), 755828109848996024ULL);
  EXPECT_EQ(g1.next64(), 9441442522235856127ULL);
  EXPECT_EQ(gmax.next64(), 12544278110101001871ULL);
  // np.random.default_rng(0).permutation(10)
  const std::vector<std::int64_t> want{4, 6, 2, 7, 3, 5, 9, 0, 8, 1};
  EXPECT_EQ(detail::NumpyPcg64(0).permutation(10), want);
  // bounded draws stay in range and hit every value
  detail::NumpyPcg64 g(5);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto v = g.bounded(6);
    ASSERT_LE(v, 6U);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7U);
}

TEST(ScoringExperiments, KFoldIsASeededPartition) {
  const auto f = kfold_split(103, 5, 11);
  std::vector<int> count(5, 0);
  for (auto k : f) ++count.at(static_cast<std::size_t>(k));
  EXPECT_EQ(count, (std::vector<int>{21, 21, 21, 20, 20}));  // numpy.array_split sizes
  EXPECT_EQ(f, kfold_split(103, 5, 11));
  EXPECT_NE(f, kfold_split(103, 5, 12));
}

TEST(ScoringExperiments, GroupsNeverSplitAndTimeNeverLeaks) {
  Rng rng(3);
  std::vector<std::int64_t> groups(300);
  std::vector<double> time(300);
  for (auto& g : groups) g = -50 + static_cast<std::int64_t>(rng.below(40));
  for (auto& t : time) t = std::floor(rng.uniform() * 30.0);
  const auto f = group_kfold_split(groups, 4, 9);
  for (std::size_t i = 0; i < groups.size(); ++i)
    for (std::size_t j = 0; j < groups.size(); ++j)
      if (groups[i] == groups[j]) {
        ASSERT_EQ(f[i], f[j]);
      }
  const auto tf = time_split(time, 4);
  for (int k = 0; k < 4; ++k) {
    double train_max = -1.0, test_min = 1e300;
    std::size_t n_test = 0;
    for (std::size_t i = 0; i < time.size(); ++i) {
      if (tf[i] < k) train_max = std::max(train_max, time[i]);
      if (tf[i] == k) {
        test_min = std::min(test_min, time[i]);
        ++n_test;
      }
    }
    EXPECT_LE(train_max, test_min);
    EXPECT_EQ(n_test, 60U);
  }
}

TEST(ScoringExperiments, DeLongEqualsPlacementValues) {
  Rng rng(17);
  const std::size_t n = 180;
  std::vector<double> y(n), a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = rng.uniform() < 0.3 ? 1.0 : 0.0;
    a[i] = std::round(10.0 * (rng.uniform() + 0.5 * y[i])) / 10.0;
    b[i] = std::round(5.0 * (rng.uniform() + 0.2 * y[i])) / 5.0;
  }
  std::vector<std::size_t> pos, neg;
  for (std::size_t i = 0; i < n; ++i) (y[i] == 1.0 ? pos : neg).push_back(i);
  const double M = static_cast<double>(pos.size()), K = static_cast<double>(neg.size());
  auto psi = [](double x, double z) { return x > z ? 1.0 : x == z ? 0.5 : 0.0; };
  auto placements = [&](const std::vector<double>& s, std::vector<double>& v10, std::vector<double>& v01) {
    for (auto i : pos) {
      double t = 0.0;
      for (auto j : neg) t += psi(s[i], s[j]);
      v10.push_back(t / K);
    }
    for (auto j : neg) {
      double t = 0.0;
      for (auto i : pos) t += psi(s[i], s[j]);
      v01.push_back(t / M);
    }
  };
  std::vector<double> a10, a01, b10, b01;
  placements(a, a10, a01);
  placements(b, b10, b01);
  auto mean = [](const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  auto cov = [&](const std::vector<double>& u, const std::vector<double>& v) {
    const double mu = mean(u), mv = mean(v);
    double c = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) c += (u[i] - mu) * (v[i] - mv);
    return c / static_cast<double>(u.size() - 1);
  };
  const DeLongTest t = delong_test(y, a, b);
  EXPECT_NEAR(t.auc_a, mean(a10), 1e-14);
  EXPECT_NEAR(t.auc_b, mean(b10), 1e-14);
  const double var = (cov(a10, a10) + cov(b10, b10) - 2 * cov(a10, b10)) / M +
                     (cov(a01, a01) + cov(b01, b01) - 2 * cov(a01, b01)) / K;
  EXPECT_NEAR(t.std_error, std::sqrt(var), 1e-14);
  EXPECT_NEAR(t.p_value, std::erfc(std::abs(t.difference / std::sqrt(var)) / std::numbers::sqrt2), 1e-12);
}

TEST(ScoringExperiments, StudentTailAndCorrectedT) {
  for (double t : {-2.5, 0.0, 0.7, 3.0}) {
    EXPECT_NEAR(student_t_sf(t, 1), 0.5 - std::atan(t) / std::numbers::pi, 1e-15);
    EXPECT_NEAR(student_t_sf(t, 2), 0.5 - t / (2.0 * std::sqrt(t * t + 2.0)), 1e-15);
  }
  const std::vector<double> d{0.02, 0.05, 0.02, 0.03};
  const auto r = corrected_t_test(d, 150.0, 50.0);
  const double m = 0.03, s2 = (1e-4 + 4e-4 + 1e-4 + 0.0) / 3.0;
  EXPECT_NEAR(r.mean, m, 1e-16);
  EXPECT_NEAR(r.std_error, std::sqrt((0.25 + 1.0 / 3.0) * s2), 1e-15);
  EXPECT_EQ(r.df, 3);
  EXPECT_NEAR(r.p_value, 2.0 * student_t_sf(r.t, 3), 1e-15);
}

TEST(ScoringExperiments, PairedBootstrapIsThreadIndependent) {
  Rng rng(4);
  std::vector<double> y(500), a(500), b(500);
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = rng.uniform() < 0.3 ? 1.0 : 0.0;
    a[i] = rng.uniform() + 0.4 * y[i];
    b[i] = rng.uniform() + 0.3 * y[i];
  }
  const auto r1 = paired_bootstrap_auc(y, a, b, 300, 0.95, 5, 1);
  const auto r4 = paired_bootstrap_auc(y, a, b, 300, 0.95, 5, 4);
  EXPECT_EQ(r1.replicates, r4.replicates);
  EXPECT_DOUBLE_EQ(r1.estimate, roc_auc(y, a) - roc_auc(y, b));
  EXPECT_LT(r1.lower, r1.estimate);
  EXPECT_GT(r1.upper, r1.estimate);
  // the bootstrap standard error is DeLong's within sampling noise
  EXPECT_NEAR(r1.std_error, delong_test(y, a, b).std_error, 0.25 * r1.std_error);
}

TEST(ScoringExperiments, BadInputNamesTheCulprit) {
  const std::vector<double> y{1, 0, 1, 0}, s{0.1, 0.2, 0.3, 0.4}, y3{1, 0, 0}, one{1, 1, 1, 1};
  expect_error([&] { (void)kfold_split(10, 1, 0); }, Errc::invalid_argument, "folds must be >= 2, got 1");
  expect_error([&] { (void)kfold_split(3, 4, 0); }, Errc::invalid_argument, "3 rows cannot make 4 folds");
  expect_error(
      [&] {
        (void)group_kfold_split(std::vector<std::int64_t>{1, 1, 2}, 3, 0);
      },
      Errc::invalid_argument, "2 groups cannot make 3 folds");
  expect_error(
      [&] {
        (void)time_split(std::vector<double>{1.0, NAN, 2.0}, 2);
      },
      Errc::invalid_argument, "time[1] is NaN");
  expect_error([&] { (void)delong_test(y, s, y3); }, Errc::shape_mismatch, "score_b has length 3");
  expect_error([&] { (void)delong_test(one, s, s); }, Errc::invalid_argument, "4 positive, 0 negative");
  expect_error([&] { (void)corrected_t_test(std::vector<double>{0.1}, 10, 5); }, Errc::invalid_argument,
               "at least 2 folds");
  expect_error([&] { (void)paired_bootstrap_auc(one, s, s); }, Errc::invalid_argument, "one class");
  expect_error([&] { (void)student_t_sf(1.0, 0); }, Errc::invalid_argument, "df must be >= 1");
}
