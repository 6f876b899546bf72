// BG/BB (Fader, Hardie and Shang 2010) on the donations data, the observed-information
// covariance, the seeded simulators and Gamma-Gamma's zero-spend handling.
// Oracles: the published donation estimates, the BG/BB likelihood summing to 1 over all
// purchase histories (brute-force enumeration), finite-difference gradients, closed-form
// moments and parameter recovery from simulated data.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/customers.hpp"
#include "funnelnet/customers/detail/repeat_likelihood.hpp"
#include "funnelnet/io/json.hpp"
#include "shared_data.hpp"

using namespace funnelnet;

namespace test_bgbb_sim {

struct Donations {
  std::vector<double> x, tx, n, w;
};

// Reads ../shared/data/customers/donations.csv (frequency, recency, periods, weights:
// 22 rows, 11,104 donors of the 1995 cohort, 6 periods).
Donations read_donations() {
  Donations d;
  for (const auto& v : read_numeric_csv("customers/donations.csv")) {
    d.x.push_back(v[0]);
    d.tx.push_back(v[1]);
    d.n.push_back(v[2]);
    d.w.push_back(v[3]);
  }
  return d;
}

double binom(double n, double k) {
  return std::exp(std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1));
}

double sd(const std::vector<double>& cov, int k) {
  return std::sqrt(cov[static_cast<std::size_t>(k * 4 + k)]);
}

TEST(BetaGeoBetaBinom, PublishedDonationEstimates) {
  const Donations d = read_donations();
  ASSERT_EQ(d.x.size(), 22u);
  double donors = 0;
  for (double w : d.w) donors += w;
  ASSERT_EQ(donors, 11104.0);
  const auto m = RepeatModel::fit(RepeatKind::beta_geo_beta_binom, d.x, d.tx, d.n, d.w);
  ASSERT_TRUE(m.report().converged()) << m.report().message;
  // Fader, Hardie and Shang (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783.
  EXPECT_NEAR(m.params()[0], 1.204, 2e-3);
  EXPECT_NEAR(m.params()[1], 0.750, 2e-3);
  EXPECT_NEAR(m.params()[2], 0.657, 2e-3);
  EXPECT_NEAR(m.params()[3], 2.783, 5e-3);
  EXPECT_NEAR(m.report().log_likelihood, -33225.6, 0.05);  // published LL
  ASSERT_EQ(m.report().covariance.size(), 16u);
  for (int k = 0; k < 4; ++k) EXPECT_GT(sd(m.report().covariance, k), 0.0);
  // P(alive) is a probability, and a donor with 6 of 6 periods is the most likely alive.
  std::vector<double> pa(d.x.size());
  m.p_alive(d.x, d.tx, d.n, pa);
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_GT(pa[i], 0.0);
    EXPECT_LE(pa[i], 1.0);
    if (d.x[i] == 6) {
      EXPECT_EQ(pa[i], *std::max_element(pa.begin(), pa.end()));
    }
  }
}

TEST(BetaGeoBetaBinom, LikelihoodSumsToOneOverAllHistories) {
  // A history with x purchases, the last in period t_x, is one of C(t_x - 1, x - 1)
  // purchase sequences, each of probability L(x, t_x, n): they add up to 1.
  for (auto p : std::vector<std::array<double, 4>>{{1.204, 0.75, 0.657, 2.783}, {0.3, 2.0, 4.0, 0.5}})
    for (double n : {0.0, 1.0, 6.0, 11.0}) {
      const RepeatModel m(RepeatKind::beta_geo_beta_binom, p);
      std::vector<double> x, tx, N, ways;
      x.push_back(0);
      tx.push_back(0);
      N.push_back(n);
      ways.push_back(1);
      for (double t = 1; t <= n; ++t)
        for (double k = 1; k <= t; ++k) {
          x.push_back(k);
          tx.push_back(t);
          N.push_back(n);
          ways.push_back(binom(t - 1, k - 1));
        }
      std::vector<double> ll(x.size());
      m.log_likelihood(x, tx, N, ll);
      double total = 0;
      for (std::size_t i = 0; i < ll.size(); ++i) total += ways[i] * std::exp(ll[i]);
      EXPECT_NEAR(total, 1.0, 1e-12) << "n = " << n;
    }
}

TEST(BetaGeoBetaBinom, GradientMatchesFiniteDifferences) {
  for (auto p : std::vector<std::array<double, 4>>{{1.204, 0.75, 0.657, 2.783}, {0.3, 2.0, 4.0, 0.5}})
    for (auto r : std::vector<std::array<double, 3>>{{0, 0, 6}, {2, 3, 6}, {5, 6, 6}, {1, 1, 20}}) {
      double g[4] = {0, 0, 0, 0};
      detail::BetaGeoBetaBinomRow(p.data())(r[0], r[1], r[2], 1.0, g);
      for (int k = 0; k < 4; ++k) {
        auto hi = p, lo = p;
        const double h = 1e-6 * p[static_cast<std::size_t>(k)];
        hi[static_cast<std::size_t>(k)] += h;
        lo[static_cast<std::size_t>(k)] -= h;
        double gd[4];
        const double fd = (detail::BetaGeoBetaBinomRow(hi.data())(r[0], r[1], r[2], 1.0, gd) -
                           detail::BetaGeoBetaBinomRow(lo.data())(r[0], r[1], r[2], 1.0, gd)) /
                          (2 * h);
        EXPECT_NEAR(g[k], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "parameter " << k;
      }
    }
}

TEST(BetaGeoBetaBinom, ExpectationsAgainstEnumeration) {
  // E[X(n)] of a new customer by enumerating histories, against eq. 8; the conditional
  // expectation over the next n* periods against E[X(n + n*)] - E[X(n)] averaged over
  // histories (the tower property: sum over histories of P(history) E[future | history]).
  const std::array<double, 4> p = {1.204, 0.75, 0.657, 2.783};
  const RepeatModel m(RepeatKind::beta_geo_beta_binom, p);
  const double n = 6, ahead = 5;
  std::vector<double> x, tx, N, ways;
  x.push_back(0);
  tx.push_back(0);
  N.push_back(n);
  ways.push_back(1);
  for (double t = 1; t <= n; ++t)
    for (double k = 1; k <= t; ++k) {
      x.push_back(k);
      tx.push_back(t);
      N.push_back(n);
      ways.push_back(binom(t - 1, k - 1));
    }
  std::vector<double> ll(x.size()), fut(x.size());
  m.log_likelihood(x, tx, N, ll);
  m.expected_purchases(ahead, x, tx, N, fut);
  double ex = 0, efut = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ex += ways[i] * std::exp(ll[i]) * x[i];
    efut += ways[i] * std::exp(ll[i]) * fut[i];
  }
  EXPECT_NEAR(m.expected_purchases_new(n), ex, 1e-10);
  EXPECT_NEAR(m.expected_purchases_new(n + ahead) - m.expected_purchases_new(n), efut, 1e-10);
  // gamma = 1 takes the limit branch: continuous in gamma.
  const RepeatModel at1(RepeatKind::beta_geo_beta_binom, std::array<double, 4>{1.2, 0.75, 1.0, 2.8});
  const RepeatModel near1(RepeatKind::beta_geo_beta_binom, std::array<double, 4>{1.2, 0.75, 1.0 + 1e-6, 2.8});
  EXPECT_NEAR(at1.expected_purchases_new(6), near1.expected_purchases_new(6), 1e-5);
}

TEST(BetaGeoBetaBinom, BadInput) {
  const std::vector<double> x = {1, 2}, tx = {1, 1.5}, n = {6, 6};
  expect_error([&] { RepeatModel::fit(RepeatKind::beta_geo_beta_binom, x, tx, n); }, Errc::invalid_argument,
               "recency: row 1 is 1.5");
  const std::vector<double> tx2 = {1, 1};
  expect_error([&] { RepeatModel::fit(RepeatKind::beta_geo_beta_binom, x, tx2, n); }, Errc::invalid_argument,
               "row 1: frequency 2 is larger than recency 1");
  const std::vector<double> n2 = {6, 6.5};
  expect_error(
      [&] {
        RepeatModel::fit(RepeatKind::beta_geo_beta_binom, x, std::vector<double>{1, 2}, n2);
      },
      Errc::invalid_argument, "n_periods: row 1 is 6.5");
  expect_error(
      [&] {
        RepeatModel(RepeatKind::beta_geo_beta_binom, std::array<double, 4>{1, 1, 0, 1});
      },
      Errc::invalid_argument, "BG/BB parameter gamma");
  const RepeatModel bg(RepeatKind::beta_geo, std::array<double, 4>{0.243, 4.414, 0.793, 2.426});
  std::vector<double> out(2);
  expect_error(
      [&] {
        bg.p_alive_at(1, x, std::vector<double>{1, 2}, n, out);
      },
      Errc::invalid_argument, "BG/BB only");
}

TEST(BetaGeo, CovarianceIsTheInverseObservedInformation) {
  // Oracle: the Hessian of the total log-likelihood by second differences of the
  // log-likelihood itself (not of the gradient), in log-parameters, on the donations data
  // fitted by BG/BB.
  const Donations d = read_donations();
  const auto m = RepeatModel::fit(RepeatKind::beta_geo_beta_binom, d.x, d.tx, d.n, d.w);
  const auto& cov = m.report().covariance;
  ASSERT_EQ(cov.size(), 16u);
  auto total = [&](std::array<double, 4> th) {
    std::array<double, 4> p{};
    for (int k = 0; k < 4; ++k) p[static_cast<std::size_t>(k)] = std::exp(th[static_cast<std::size_t>(k)]);
    const RepeatModel q(RepeatKind::beta_geo_beta_binom, p);
    std::vector<double> ll(d.x.size());
    q.log_likelihood(d.x, d.tx, d.n, ll);
    double s = 0;
    for (std::size_t i = 0; i < ll.size(); ++i) s += d.w[i] * ll[i];
    return s;
  };
  std::array<double, 4> th{};
  for (int k = 0; k < 4; ++k)
    th[static_cast<std::size_t>(k)] = std::log(m.params()[static_cast<std::size_t>(k)]);
  const double h = 1e-3;
  double H[4][4];
  for (std::size_t a = 0; a < 4; ++a)
    for (std::size_t b = 0; b < 4; ++b) {
      auto pp = th, pm = th, mp = th, mm = th;
      pp[a] += h, pp[b] += h;
      pm[a] += h, pm[b] -= h;
      mp[a] -= h, mp[b] += h;
      mm[a] -= h, mm[b] -= h;
      H[a][b] = -(total(pp) - total(pm) - total(mp) + total(mm)) / (4 * h * h);
    }
  // cov * H = I
  for (std::size_t a = 0; a < 4; ++a)
    for (std::size_t b = 0; b < 4; ++b) {
      double s = 0;
      for (std::size_t k = 0; k < 4; ++k) s += cov[a * 4 + k] * H[k][b];
      EXPECT_NEAR(s, a == b ? 1.0 : 0.0, 2e-4) << a << "," << b;
    }
  // A given model has no covariance.
  EXPECT_TRUE(
      RepeatModel(RepeatKind::beta_geo, std::array<double, 4>{1, 1, 1, 1}).report().covariance.empty());
}

// Mean of a vector.
double mean(const std::vector<double>& v) {
  double s = 0;
  for (double e : v) s += e;
  return s / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double mu = mean(v);
  double s = 0;
  for (double e : v) s += (e - mu) * (e - mu);
  return s / static_cast<double>(v.size() - 1);
}

void expect_recovered(RepeatKind kind, const std::array<double, 4>& truth, double T, std::size_t n,
                      std::uint64_t seed) {
  const std::vector<double> ages(n, T);
  const auto sim = simulate_repeat(kind, truth, ages, seed);
  // Moments: mean frequency against the closed form E[X(T)] within 5 standard errors.
  const RepeatModel given(kind, truth);
  EXPECT_NEAR(mean(sim.frequency), given.expected_purchases_new(T),
              5 * std::sqrt(variance(sim.frequency) / static_cast<double>(n)));
  const auto fit = RepeatModel::fit(kind, sim.frequency, sim.recency, sim.T);
  ASSERT_TRUE(fit.report().converged()) << fit.report().message;
  ASSERT_EQ(fit.report().covariance.size(), 16u);
  for (int k = 0; k < 4; ++k) {
    const double est = std::log(fit.params()[static_cast<std::size_t>(k)]);
    EXPECT_NEAR(est, std::log(truth[static_cast<std::size_t>(k)]), 4 * sd(fit.report().covariance, k))
        << "kind " << static_cast<int>(kind) << " parameter " << k;
  }
}

// RepeatFitOptions::defer_covariance: the fit leaves report().covariance empty and
// covariance() computes it on first use, equal bit for bit to what the eager fit reports
// (itself checked against second differences of the likelihood above), for BG/BB on the
// donations data, BG/NBD and Pareto/NBD on simulated customers and Gamma-Gamma on
// simulated spend; the parameters and the rest of the report do not change; two threads
// asking at once get the same vector, copies of the model share it, and a model file
// holds it either way.  A model that was given has none.
TEST(BetaGeo, DeferredCovarianceEqualsTheEagerOne) {
  RepeatFitOptions lazy;
  lazy.defer_covariance = true;
  auto check = [&](RepeatKind kind, const std::vector<double>& x, const std::vector<double>& tx,
                   const std::vector<double>& T, const std::vector<double>& w) {
    const auto eager = RepeatModel::fit(kind, x, tx, T, w);
    const auto deferred = RepeatModel::fit(kind, x, tx, T, w, lazy);
    ASSERT_TRUE(eager.report().converged()) << repeat_kind_name(kind) << ": " << eager.report().message;
    ASSERT_EQ(eager.report().covariance.size(), 16u) << repeat_kind_name(kind);
    EXPECT_EQ(eager.covariance(), eager.report().covariance);
    EXPECT_EQ(deferred.params(), eager.params());
    EXPECT_EQ(deferred.report().evaluations, eager.report().evaluations);
    EXPECT_EQ(deferred.report().log_likelihood, eager.report().log_likelihood);
    EXPECT_TRUE(deferred.report().covariance.empty()) << repeat_kind_name(kind);
    const RepeatModel copy = deferred;  // shares the pending computation
    std::vector<double> first, second;
    std::thread t1([&] { first = deferred.covariance(); });
    std::thread t2([&] { second = copy.covariance(); });
    t1.join();
    t2.join();
    EXPECT_EQ(first, eager.report().covariance) << repeat_kind_name(kind);
    EXPECT_EQ(second, eager.report().covariance) << repeat_kind_name(kind);
    EXPECT_EQ(&deferred.covariance(), &copy.covariance());
    // A model file holds the covariance either way.
    EXPECT_EQ(io::to_json(RepeatModel::fit(kind, x, tx, T, w, lazy)), io::to_json(eager));
  };
  const Donations d = read_donations();
  check(RepeatKind::beta_geo_beta_binom, d.x, d.tx, d.n, d.w);
  const std::vector<double> ages(5000, 39.0);
  const std::array<double, 4> bg = {0.243, 4.414, 0.793, 2.426}, pn = {0.553, 10.578, 0.606, 11.669};
  const auto sim_bg = simulate_repeat(RepeatKind::beta_geo, bg, ages, 3);
  check(RepeatKind::beta_geo, sim_bg.frequency, sim_bg.recency, sim_bg.T, {});
  const auto sim_pn = simulate_repeat(RepeatKind::pareto_nbd, pn, ages, 4);
  check(RepeatKind::pareto_nbd, sim_pn.frequency, sim_pn.recency, sim_pn.T, {});
  const std::array<double, 3> g = {6.25, 3.74, 15.44};
  std::vector<double> freq(5000);
  for (std::size_t i = 0; i < freq.size(); ++i) freq[i] = 1.0 + static_cast<double>(i % 5);
  const auto spend = simulate_spend(g, freq, 5);
  const auto eager = GammaGammaModel::fit(freq, spend);
  const auto deferred = GammaGammaModel::fit(freq, spend, {}, lazy);
  ASSERT_EQ(eager.report().covariance.size(), 9u);
  EXPECT_TRUE(deferred.report().covariance.empty());
  EXPECT_EQ(deferred.params(), eager.params());
  EXPECT_EQ(deferred.covariance(), eager.report().covariance);
  EXPECT_TRUE(RepeatModel(RepeatKind::beta_geo, std::array<double, 4>{1, 1, 1, 1}).covariance().empty());
}

TEST(Simulate, FitsRecoverTheParameters) {
  expect_recovered(RepeatKind::beta_geo, {0.243, 4.414, 0.793, 2.426}, 39.0, 20000, 1);
  expect_recovered(RepeatKind::pareto_nbd, {0.553, 10.578, 0.606, 11.669}, 39.0, 20000, 2);
  expect_recovered(RepeatKind::beta_geo_beta_binom, {1.204, 0.75, 0.657, 2.783}, 6.0, 20000, 3);
}

TEST(Simulate, SameDrawsAtAnyThreadCount) {
  const std::vector<double> ages(10000, 30.0);
  const std::array<double, 4> p = {0.243, 4.414, 0.793, 2.426};
  const auto a = simulate_repeat(RepeatKind::beta_geo, p, ages, 7, 1);
  const auto b = simulate_repeat(RepeatKind::beta_geo, p, ages, 7, 3);
  const auto c = simulate_repeat(RepeatKind::beta_geo, p, ages, 8, 1);
  EXPECT_EQ(a.frequency, b.frequency);
  EXPECT_EQ(a.recency, b.recency);
  EXPECT_NE(a.frequency, c.frequency);
  for (std::size_t i = 0; i < ages.size(); ++i) {
    EXPECT_LE(a.recency[i], ages[i]);
    EXPECT_EQ(a.frequency[i] == 0, a.recency[i] == 0);
  }
  const std::vector<double> freq(9000, 3.0);
  EXPECT_EQ(simulate_spend(std::array<double, 3>{6.25, 3.74, 15.44}, freq, 5, 1),
            simulate_spend(std::array<double, 3>{6.25, 3.74, 15.44}, freq, 5, 4));
  expect_error(
      [&] {
        simulate_repeat(RepeatKind::beta_geo_beta_binom, p, std::vector<double>{6, 2.5}, 1);
      },
      Errc::invalid_argument, "n_periods: row 1 is 2.5");
}

TEST(Simulate, GammaGammaMomentsAndRecovery) {
  // E[mean spend | x] = p v / (q - 1) for every x; Var = p v^2 (p x + q - 1) / (x (q - 1)^2 (q - 2)).
  const std::array<double, 3> g = {6.25, 3.74, 15.44};
  const std::size_t n = 40000;
  std::vector<double> freq(n);
  for (std::size_t i = 0; i < n; ++i) freq[i] = 1.0 + static_cast<double>(i % 5);
  const auto m = simulate_spend(g, freq, 11);
  std::vector<double> at2;
  for (std::size_t i = 0; i < n; ++i)
    if (freq[i] == 2.0) at2.push_back(m[i]);
  const double mu = g[0] * g[2] / (g[1] - 1),
               var2 = g[0] * g[2] * g[2] * (g[0] * 2 + g[1] - 1) / (2 * (g[1] - 1) * (g[1] - 1) * (g[1] - 2));
  EXPECT_NEAR(mean(at2), mu, 5 * std::sqrt(var2 / static_cast<double>(at2.size())));
  EXPECT_NEAR(variance(at2) / var2, 1.0, 0.15);
  const auto fit = GammaGammaModel::fit(freq, m);
  ASSERT_TRUE(fit.report().converged());
  ASSERT_EQ(fit.report().covariance.size(), 9u);
  for (int k = 0; k < 3; ++k)
    EXPECT_NEAR(std::log(fit.params()[static_cast<std::size_t>(k)]), std::log(g[static_cast<std::size_t>(k)]),
                4 * std::sqrt(fit.report().covariance[static_cast<std::size_t>(k * 3 + k)]));
}

TEST(GammaGamma, ZeroRepeatSpendGetsThePopulationMean) {
  const GammaGammaModel g(std::array<double, 3>{6.25, 3.74, 15.44});
  const std::vector<double> x = {0, 3, 2}, m = {0, 0, 20};
  std::vector<double> out(3);
  g.expected_spend(x, m, out);
  const double pop = 6.25 * 15.44 / 2.74;
  EXPECT_NEAR(out[0], pop, 1e-12);
  EXPECT_NEAR(out[1], pop, 1e-12);
  EXPECT_NEAR(out[2], 6.25 * (15.44 + 2 * 20) / (6.25 * 2 + 2.74), 1e-12);
  // Zero-spend rows are left out of the fit: same estimates as without them.
  const std::vector<double> fx = {1, 2, 3, 1, 4, 2, 5}, fm = {10, 12, 9, 30, 11, 14, 8};
  std::vector<double> fx0 = fx, fm0 = fm;
  fx0.push_back(2);
  fm0.push_back(0);
  const auto a = GammaGammaModel::fit(fx, fm), b = GammaGammaModel::fit(fx0, fm0);
  EXPECT_EQ(a.params(), b.params());
  EXPECT_NE(b.report().message.find("1 repeat buyers with zero spend left out"), std::string::npos);
}

}  // namespace test_bgbb_sim
