// Won-count and won-revenue distributions against brute-force enumeration written here,
// the normal limit for large n, and the closed forms of the mean and variance.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/pipeline.hpp"

using namespace funnelnet;

namespace test_distribution {
std::vector<double> random_p(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> p(n);
  for (auto& x : p) x = rng.uniform();
  return p;
}

/// Sum over all 2^n outcomes of the product of their probabilities.
std::map<std::int64_t, double> enumerate(const std::vector<double>& p,
                                         const std::vector<std::int64_t>& units) {
  std::map<std::int64_t, double> out;
  const std::size_t n = p.size();
  for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << n); ++mask) {
    double pr = 1.0;
    std::int64_t s = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if ((mask >> i) & 1U) {
        pr *= p[i];
        s += units.empty() ? 1 : units[i];
      } else {
        pr *= 1.0 - p[i];
      }
    }
    out[s] += pr;
  }
  return out;
}

TEST(PoissonBinomial, MatchesEnumerationForSmallN) {
  for (std::size_t n : {0, 1, 2, 5, 12}) {
    const auto p = random_p(n, 7 + n);
    const auto pmf = poisson_binomial_pmf(p);
    ASSERT_EQ(pmf.size(), n + 1);
    const auto truth = enumerate(p, {});
    for (std::size_t k = 0; k <= n; ++k)
      EXPECT_NEAR(pmf[k],
                  truth.count(static_cast<std::int64_t>(k)) ? truth.at(static_cast<std::int64_t>(k)) : 0.0,
                  1e-14);
  }
}

TEST(PoissonBinomial, FftPathMatchesMomentsAndNormalLimit) {
  const std::size_t n = 200000;
  const auto p = random_p(n, 3);
  const auto pmf = poisson_binomial_pmf(p, 2);
  double mass = 0, m = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    ASSERT_GE(pmf[k], 0.0);
    mass += pmf[k];
    m += pmf[k] * static_cast<double>(k);
  }
  EXPECT_NEAR(mass, 1.0, 1e-12);
  double mu = 0, var = 0;
  for (const double x : p) {
    mu += x;
    var += x * (1 - x);
  }
  EXPECT_NEAR(m, mu, 1e-6 * mu);
  double v = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k)
    v += pmf[k] * (static_cast<double>(k) - m) * (static_cast<double>(k) - m);
  EXPECT_NEAR(v, var, 1e-6 * var);
  // Normal limit (with continuity correction) at mu + sd: error O(1/sd) ~ 0.005.
  const double sd = std::sqrt(var);
  const auto kk = static_cast<std::size_t>(mu + sd);
  const double cdf = std::accumulate(pmf.begin(), pmf.begin() + static_cast<std::ptrdiff_t>(kk) + 1, 0.0);
  const double normal = 0.5 * std::erfc(-((static_cast<double>(kk) + 0.5 - mu) / sd) / std::sqrt(2.0));
  EXPECT_NEAR(cdf, normal, 2e-3);
  // Same answer at any thread count.
  EXPECT_EQ(poisson_binomial_pmf(p, 1), pmf);
}

TEST(PoissonBinomial, FftPathMatchesDirectRecurrence) {
  const std::size_t n = 3000;  // large enough for FFT products
  const auto p = random_p(n, 11);
  std::vector<double> q{1.0};
  for (const double x : p) {
    q.push_back(0.0);
    for (std::size_t k = q.size() - 1; k > 0; --k) q[k] = q[k] * (1 - x) + q[k - 1] * x;
    q[0] *= 1 - x;
  }
  const auto pmf = poisson_binomial_pmf(p);
  for (std::size_t k = 0; k <= n; ++k) EXPECT_NEAR(pmf[k], q[k], 1e-14);
}

TEST(WeightedBernoulli, MatchesEnumeration) {
  const auto p = random_p(11, 5);
  std::vector<std::int64_t> u{3, 0, 7, 1, 1, 12, 5, 5, 2, 9, 4};
  const auto pmf = weighted_bernoulli_pmf(p, u);
  const auto truth = enumerate(p, u);
  ASSERT_EQ(pmf.size(), static_cast<std::size_t>(std::accumulate(u.begin(), u.end(), std::int64_t{0})) + 1);
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    const auto it = truth.find(static_cast<std::int64_t>(k));
    EXPECT_NEAR(pmf[k], it == truth.end() ? 0.0 : it->second, 1e-14);
  }
}

TEST(WeightedBernoulli, GroupedFftPathMatchesDirectRecurrence) {
  // Thousands of deals with units drawn from a skewed set (many small, a few large, some
  // zero, some won surely): the grouped-by-size products and their FFTs against the
  // per-deal recurrence over the full support.
  const std::size_t n = 4000;
  auto p = random_p(n, 23);
  Rng rng(24);
  std::vector<std::int64_t> u(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double r = rng.uniform();
    u[i] = r < 0.02  ? 0
           : r < 0.9 ? 1 + static_cast<std::int64_t>(rng.uniform() * 12)
                     : 13 + static_cast<std::int64_t>(rng.uniform() * 300);
    if (i % 997 == 0) p[i] = 1.0;
    if (i % 991 == 0) p[i] = 0.0;
  }
  const std::int64_t total = std::accumulate(u.begin(), u.end(), std::int64_t{0});
  std::vector<double> q(static_cast<std::size_t>(total) + 1, 0.0);
  q[0] = 1.0;
  std::int64_t top = 0;
  for (std::size_t i = 0; i < n; ++i) {
    top += u[i];
    for (std::int64_t k = top; k >= 0; --k) {
      const double move = k >= u[i] ? q[static_cast<std::size_t>(k - u[i])] * p[i] : 0.0;
      q[static_cast<std::size_t>(k)] = q[static_cast<std::size_t>(k)] * (1 - p[i]) + move;
    }
  }
  const auto pmf = weighted_bernoulli_pmf(p, u, 1);
  ASSERT_EQ(pmf.size(), q.size());
  double mass = 0.0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    ASSERT_GE(pmf[k], 0.0);
    EXPECT_NEAR(pmf[k], q[k], 1e-13) << k;
    mass += pmf[k];
  }
  EXPECT_NEAR(mass, 1.0, 1e-12);
  EXPECT_EQ(weighted_bernoulli_pmf(p, u, 4), pmf);  // threads never change the result
  const auto d = won_revenue_distribution(p, std::vector<double>(u.begin(), u.end()), 1.0, 3);
  EXPECT_EQ(d.pmf(), won_revenue_distribution(p, std::vector<double>(u.begin(), u.end()), 1.0, 1).pmf());
}

TEST(LatticeDistribution, QueriesAgainstEnumeration) {
  const std::vector<double> p{0.2, 0.5, 0.9, 0.7};
  const std::vector<double> amount{100, 250, 50, 400};
  const auto d = won_revenue_distribution(p, amount, 50.0);
  const auto truth = enumerate(p, {2, 5, 1, 8});
  double mean = 0, at_least = 0, shortfall = 0;
  for (const auto& [k, pr] : truth) {
    const double x = 50.0 * static_cast<double>(k);
    mean += x * pr;
    if (x >= 500) at_least += pr;
    if (x < 500) shortfall += (500 - x) * pr;
  }
  EXPECT_NEAR(d.mean(), mean, 1e-9);
  EXPECT_NEAR(d.prob_at_least(500), at_least, 1e-14);
  EXPECT_NEAR(d.expected_shortfall(500), shortfall, 1e-9);
  double c = 0;
  double median = -1;
  for (const auto& [k, pr] : truth) {
    c += pr;
    if (c >= 0.5 && median < 0) median = 50.0 * static_cast<double>(k);
  }
  EXPECT_EQ(d.quantile(0.5), median);
  EXPECT_EQ(d.quantile(1.0), 800.0);  // every deal won
  EXPECT_EQ(d.quantile(0.0), 0.0);
}

TEST(PipelineDistribution, BadInputNamesTheDeal) {
  const std::vector<double> bad_p{0.5, 1.5};
  expect_error([&] { (void)poisson_binomial_pmf(bad_p); }, Errc::invalid_argument, "deal 1");
  const std::vector<double> p{0.5, 0.5};
  const std::vector<double> neg{10, -1};
  expect_error([&] { (void)won_revenue_distribution(p, neg, 1.0); }, Errc::invalid_argument, "deal 1");
  const std::vector<double> nan{std::nan(""), 1};
  expect_error([&] { (void)won_revenue_distribution(p, nan, 1.0); }, Errc::invalid_argument, "deal 0");
  const std::vector<double> small{1000, 3};
  expect_error([&] { (void)won_revenue_distribution(p, small, 100.0); }, Errc::invalid_argument,
               "too coarse");
  const auto d = won_count_distribution(p);
  expect_error([&] { (void)d.prob_at_least(-1.0); }, Errc::invalid_argument, "target");
  expect_error([&] { (void)d.quantile(1.5); }, Errc::invalid_argument, "quantile");
  const std::vector<double> one{0.5};
  expect_error([&] { (void)won_revenue_distribution(p, one, 1.0); }, Errc::shape_mismatch, "amounts");
}

TEST(PipelineDistribution, ExactGrid) {
  const std::vector<double> a{1500, 2500, 1000};
  EXPECT_EQ(exact_grid(a), 500.0);
  const std::vector<double> b{0.25, 0.5};
  EXPECT_EQ(exact_grid(b), 0.25);
  const std::vector<double> c{1e9, 1};
  EXPECT_EQ(exact_grid(c, 1000), 0.0);
}

TEST(SimulatePipeline, MeanMatchesExactAndIsThreadIndependent) {
  const std::size_t n = 50, h = 3;
  Rng rng(9);
  std::vector<double> p(n * h), amount(n);
  for (std::size_t i = 0; i < n; ++i) {
    double left = 1.0;
    for (std::size_t k = 0; k < h; ++k) {
      p[i * h + k] = left * 0.3 * rng.uniform();
      left -= p[i * h + k];
    }
    amount[i] = 100.0 * static_cast<double>(1 + i % 7);
  }
  PipelineSimOptions o;
  o.runs = 20000;
  o.seed = 4;
  o.threads = 1;
  const auto a = simulate_pipeline(p, h, amount, o);
  o.threads = 3;
  const auto b = simulate_pipeline(p, h, amount, o);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.revenue, b.revenue);
  for (std::size_t k = 0; k < h; ++k) {
    std::vector<double> pk(n);
    for (std::size_t i = 0; i < n; ++i) pk[i] = p[i * h + k];
    const auto d = won_count_distribution(pk);
    double m = 0, m2 = 0;
    for (std::size_t r = 0; r < o.runs; ++r) {
      m += a.count[r * h + k];
      m2 += a.count[r * h + k] * a.count[r * h + k];
    }
    m /= static_cast<double>(o.runs);
    const double se = std::sqrt((m2 / static_cast<double>(o.runs) - m * m) / static_cast<double>(o.runs));
    EXPECT_NEAR(m, d.mean(), 4 * se);
  }
  std::vector<double> bad = p;
  bad[2 * h + 1] = 2.0;
  expect_error([&] { (void)simulate_pipeline(bad, h, amount, o); }, Errc::invalid_argument, "deal 2");
  expect_error([&] { (void)simulate_pipeline(p, 0, amount, o); }, Errc::invalid_argument, "horizon");
}

}  // namespace test_distribution
