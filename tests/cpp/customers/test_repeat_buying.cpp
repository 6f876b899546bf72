// Repeat-buying models: published CDNOW estimates (Fader, Hardie and Lee 2005; Fader and
// Hardie's Pareto/NBD note; Gamma-Gamma note 025), numerical-integration and finite-
// difference oracles, stability at extremes, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/customers.hpp"
#include "funnelnet/customers/detail/repeat_likelihood.hpp"
#include "shared_data.hpp"

using namespace funnelnet;

namespace test_repeat_buying {

struct Cdnow {
  std::vector<double> x, tx, T, m;
};

// Reads ../shared/data/customers/cdnow_customers_summary_with_transactions.csv
// (ID, x, t_x, T, zbar: 2,357 customers, weeks).
Cdnow read_cdnow() {
  Cdnow d;
  for (const auto& v : read_numeric_csv("customers/cdnow_customers_summary_with_transactions.csv")) {
    d.x.push_back(v[1]);
    d.tx.push_back(v[2]);
    d.T.push_back(v[3]);
    d.m.push_back(v[4]);
  }
  return d;
}

TEST(BetaGeo, PublishedCdnowEstimates) {
  const Cdnow d = read_cdnow();
  ASSERT_EQ(d.x.size(), 2357u);
  const auto m = RepeatModel::fit(RepeatKind::beta_geo, d.x, d.tx, d.T);
  EXPECT_TRUE(m.report().converged()) << m.report().message;
  EXPECT_NEAR(m.params()[0], 0.243, 5e-4);
  EXPECT_NEAR(m.params()[1], 4.414, 5e-4);
  EXPECT_NEAR(m.params()[2], 0.793, 5e-4);
  EXPECT_NEAR(m.params()[3], 2.426, 5e-4);
  EXPECT_NEAR(m.report().log_likelihood, -9582.4, 0.05);
  EXPECT_LT(m.report().unique_rows, d.x.size());  // CDNOW compresses
}

TEST(BetaGeo, CompressedAndWeightedFitsAgree) {
  const Cdnow d = read_cdnow();
  RepeatFitOptions plain;
  plain.compress = false;
  const auto a = RepeatModel::fit(RepeatKind::beta_geo, d.x, d.tx, d.T, {}, plain);
  // Every row standing for 10^6 customers (2.4 billion in all) gives the same optimum and 10^6 times the LL.
  std::vector<double> w(d.x.size(), 1e6);
  RepeatFitOptions threaded;
  threaded.threads = 3;
  const auto b = RepeatModel::fit(RepeatKind::beta_geo, d.x, d.tx, d.T, w, threaded);
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(a.params()[k], b.params()[k], 1e-5 * a.params()[k]);
  EXPECT_NEAR(1e6 * a.report().log_likelihood, b.report().log_likelihood,
              1e-9 * std::abs(b.report().log_likelihood));
}

TEST(ParetoNbd, PublishedCdnowEstimates) {
  const Cdnow d = read_cdnow();
  const auto m = RepeatModel::fit(RepeatKind::pareto_nbd, d.x, d.tx, d.T);
  EXPECT_TRUE(m.report().converged()) << m.report().message;
  EXPECT_NEAR(m.params()[0], 0.553, 5e-4);
  EXPECT_NEAR(m.params()[1], 10.578, 5e-3);
  EXPECT_NEAR(m.params()[2], 0.606, 5e-4);
  EXPECT_NEAR(m.params()[3], 11.669, 5e-3);
  EXPECT_NEAR(m.report().log_likelihood, -9595.0, 0.05);
}

// The Pareto/NBD likelihood as the double integral's inner form, by adaptive quadrature:
// Gamma(r+x) a^r b^s / Gamma(r) [(a+T)^-(r+x) (b+T)^-s + s int_tx^T (a+u)^-(r+x) (b+u)^-(s+1) du].
static double pareto_ll_quadrature(const double* p, double x, double tx, double T) {
  const double r = p[0], al = p[1], s = p[2], be = p[3];
  auto f = [&](double u) { return std::exp(-(r + x) * std::log(al + u) - (s + 1) * std::log(be + u)); };
  const double integral =
      tx < T ? boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, tx, T, 15, 1e-14) : 0.0;
  const double e = std::exp(-(r + x) * std::log(al + T) - s * std::log(be + T));
  return std::lgamma(r + x) - std::lgamma(r) + r * std::log(al) + s * std::log(be) +
         std::log(e + s * integral);
}

TEST(ParetoNbd, LikelihoodMatchesQuadratureOnBothBranches) {
  const std::vector<std::array<double, 4>> params = {
      {0.55, 10.6, 0.61, 11.7}, {2.0, 3.0, 0.3, 30.0}, {0.7, 40.0, 1.5, 2.0}};
  const std::vector<std::array<double, 3>> rows = {
      {0, 0, 38}, {1, 1.7, 38.9}, {5, 20, 30}, {20, 35, 36}, {2, 30.4, 38.9}};
  for (const auto& p : params) {
    const RepeatModel m(RepeatKind::pareto_nbd, p);
    for (const auto& r : rows) {
      double ll = 0;
      m.log_likelihood(std::span(&r[0], 1), std::span(&r[1], 1), std::span(&r[2], 1), std::span(&ll, 1));
      EXPECT_NEAR(ll, pareto_ll_quadrature(p.data(), r[0], r[1], r[2]), 1e-10) << p[0] << " " << r[0];
    }
  }
}

// Central finite differences of the row log-likelihood against the analytic gradient.
template <class Row>
void check_gradient(std::array<double, 4> p, double x, double tx, double T) {
  double g[4] = {0, 0, 0, 0};
  Row(p.data())(x, tx, T, 1.0, g);
  for (int k = 0; k < 4; ++k) {
    auto hi = p, lo = p;
    const double h = 1e-6 * p[k];
    hi[k] += h;
    lo[k] -= h;
    double gd[4] = {0, 0, 0, 0};
    const double fd = (Row(hi.data())(x, tx, T, 1.0, gd) - Row(lo.data())(x, tx, T, 1.0, gd)) / (2 * h);
    EXPECT_NEAR(g[k], fd, 1e-5 * std::max(1.0, std::abs(fd))) << "parameter " << k << " x=" << x;
  }
}

TEST(RepeatBuying, AnalyticGradientsMatchFiniteDifferences) {
  for (auto p : std::vector<std::array<double, 4>>{
           {0.55, 10.6, 0.61, 11.7}, {2.0, 3.0, 0.3, 30.0}, {0.7, 40.0, 1.5, 2.0}})
    for (auto r : std::vector<std::array<double, 3>>{{0, 0, 38}, {3, 20, 38}, {30, 37, 39}}) {
      check_gradient<detail::ParetoRow>(p, r[0], r[1], r[2]);
      check_gradient<detail::BetaGeoRow>(p, r[0], r[1], r[2]);
    }
}

TEST(RepeatBuying, StableAtExtremes) {
  // 200 purchases, tiny and huge times: finite likelihoods and predictions.
  const std::vector<double> x = {200, 200, 0, 1}, tx = {38.9, 1.0, 0, 1e-9}, T = {39, 1e4, 1e-9, 1e6};
  for (auto kind : {RepeatKind::beta_geo, RepeatKind::pareto_nbd}) {
    const RepeatModel m(kind, std::array<double, 4>{0.5, 5.0, 0.8, 3.0});
    std::vector<double> ll(4), pa(4), e(4);
    m.log_likelihood(x, tx, T, ll);
    m.p_alive(x, tx, T, pa);
    m.expected_purchases(52, x, tx, T, e);
    for (int i = 0; i < 4; ++i) {
      EXPECT_TRUE(std::isfinite(ll[i])) << i;
      EXPECT_TRUE(pa[i] >= 0 && pa[i] <= 1) << i << " " << pa[i];
      EXPECT_TRUE(std::isfinite(e[i]) && e[i] >= 0) << i << " " << e[i];
    }
    EXPECT_GT(pa[0], 0.99);  // bought 200 times up to the end: alive
    EXPECT_LT(pa[1], 1e-6);  // 200 purchases then silence for 10^4 weeks: gone
  }
}

TEST(RepeatBuying, PredictionsAgainstClosedForms) {
  // BG/NBD, x = 0: P(alive) = 1; E[Y(t) | new] from eq. 9 of Fader-Hardie-Lee with
  // 2F1 by quadrature of Euler's integral (c > b > 0).
  const std::array<double, 4> p = {0.243, 4.414, 0.793, 2.426};
  const RepeatModel m(RepeatKind::beta_geo, p);
  const double r = p[0], al = p[1], a = p[2], b = p[3], t = 39;
  const double z = t / (al + t), A = b, B = r, C = a + b - 1;  // Euler's integral needs C > B > 0
  auto integrand = [&](double u) {
    return std::pow(u, B - 1) * std::pow(1 - u, C - B - 1) * std::pow(1 - z * u, -A);
  };
  // tanh-sinh copes with the integrable singularity u^(B-1) at 0
  const double f21 =
      boost::math::quadrature::tanh_sinh<double>().integrate(integrand, 0.0, 1.0) / std::beta(B, C - B);
  const double expect = (a + b - 1) / (a - 1) * (1 - f21 * std::pow(al / (al + t), r));
  EXPECT_NEAR(m.expected_purchases_new(t), expect, 1e-8);
  // Pareto/NBD new customer: r beta / (alpha (s-1)) (1 - (beta/(beta+t))^(s-1)).
  const RepeatModel pn(RepeatKind::pareto_nbd, std::array<double, 4>{0.553, 10.578, 0.606, 11.669});
  EXPECT_NEAR(pn.expected_purchases_new(t),
              0.553 * 11.669 / (10.578 * -0.394) * (1 - std::pow(11.669 / 50.669, -0.394)), 1e-10);
}

TEST(GammaGamma, PublishedCdnowEstimates) {
  const Cdnow d = read_cdnow();
  std::vector<double> x, m;
  for (std::size_t i = 0; i < d.x.size(); ++i)
    if (d.x[i] > 0) {
      x.push_back(d.x[i]);
      m.push_back(d.m[i]);
    }
  ASSERT_EQ(x.size(), 946u);
  const auto g = GammaGammaModel::fit(x, m);
  EXPECT_TRUE(g.report().converged()) << g.report().message;
  EXPECT_NEAR(g.params()[0], 6.25, 5e-3);
  EXPECT_NEAR(g.params()[1], 3.74, 5e-3);
  EXPECT_NEAR(g.params()[2], 15.44, 1e-2);  // the optimum is 15.4477 (lifetimes' docs: 15.447)
  // E[spend | x, m] = p (v + x m) / (p x + q - 1), and x = 0 gives the population mean.
  std::vector<double> out(2);
  const std::vector<double> xs = {2, 0}, ms = {22.35, 0};
  g.expected_spend(xs, ms, out);
  const double p = g.params()[0], q = g.params()[1], v = g.params()[2];
  EXPECT_NEAR(out[0], p * (v + 2 * 22.35) / (2 * p + q - 1), 1e-12);
  EXPECT_NEAR(out[1], p * v / (q - 1), 1e-12);
}

TEST(RepeatBuying, ClvIsDiscountedIncrements) {
  const RepeatModel m(RepeatKind::beta_geo, std::array<double, 4>{0.243, 4.414, 0.793, 2.426});
  const std::vector<double> x = {2}, tx = {30.43}, T = {38.86}, spend = {20};
  std::vector<double> clv(1), e(1);
  m.clv(x, tx, T, spend, 3, 4.345, 0.01, clv);
  double expect = 0, prev = 0;
  for (int k = 1; k <= 3; ++k) {
    m.expected_purchases(k * 4.345, x, tx, T, e);
    expect += 20 * (e[0] - prev) / std::pow(1.01, k);
    prev = e[0];
  }
  EXPECT_NEAR(clv[0], expect, 1e-12);
  EXPECT_GT(clv[0], 0);
}

TEST(RepeatBuying, BadInput) {
  const std::vector<double> ok = {1, 2}, T = {10, 10};
  auto fit = [](std::vector<double> x, std::vector<double> tx, std::vector<double> t) {
    return RepeatModel::fit(RepeatKind::beta_geo, x, tx, t);
  };
  expect_error([&] { fit({-1, 2}, ok, T); }, Errc::invalid_argument, "frequency: row 0");
  expect_error([&] { fit({1, 2}, {1, 12}, T); }, Errc::invalid_argument, "recency 12 is larger than T 10");
  expect_error([&] { fit({0, 2}, {3, 2}, T); }, Errc::invalid_argument, "frequency is 0 but recency is 3");
  expect_error([&] { fit({1.5, 2}, ok, T); }, Errc::invalid_argument, "integer");
  expect_error([&] { fit({1}, ok, T); }, Errc::shape_mismatch, "recency");
  expect_error([&] { fit({}, {}, {}); }, Errc::empty_input, "no customers");
  std::vector<double> zero_w = {0, 0};
  expect_error([&] { RepeatModel::fit(RepeatKind::pareto_nbd, ok, ok, T, zero_w); }, Errc::invalid_argument,
               "weights are all zero");
  expect_error(
      [&] {
        RepeatModel(RepeatKind::beta_geo, std::array<double, 4>{1, -1, 1, 1});
      },
      Errc::invalid_argument, "alpha");
  // Zero spend is left out of the fit (and gets the population mean); negative spend is an error.
  const std::vector<double> gx = {1, 2}, gm = {10, -1}, gz = {0, 0};
  expect_error([&] { GammaGammaModel::fit(gx, gm); }, Errc::invalid_argument, "spend: row 1 is -1");
  expect_error([&] { GammaGammaModel::fit(gx, gz); }, Errc::empty_input, "zero mean repeat spend (2 rows)");
  const std::vector<double> gx0 = {0, 2}, gm0 = {10, 5};
  expect_error([&] { GammaGammaModel::fit(gx0, gm0); }, Errc::invalid_argument, "repeat buyers");
}

// validate_rfm checks blocks of 1,024 rows by one branch-free test first: a bad row deep
// in a long input is still named, each kind of bad value found where the row-by-row
// checks would find it; 2^53 + 2 and 2^60 are integers (no x + 2^52 test applies there).
TEST(RepeatBuying, BadRowDeepInALongInputIsNamed) {
  const std::size_t n = 5000;
  const std::vector<double> x0(n, 1.0), tx0(n, 2.0), T0(n, 10.0);
  auto bad = [&](std::size_t row, double xv, double txv, double Tv, const std::string& message) {
    std::vector<double> x = x0, tx = tx0, T = T0;
    x[row] = xv;
    tx[row] = txv;
    T[row] = Tv;
    expect_error([&] { RepeatModel::fit(RepeatKind::beta_geo, x, tx, T); }, Errc::invalid_argument, message);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  bad(4097, 2.5, 2.0, 10.0, "frequency: row 4097 is 2.5");
  bad(3000, 1e15 + 0.5, 2.0, 10.0, "frequency: row 3000 is");
  bad(1023, nan, 2.0, 10.0, "frequency: row 1023");
  bad(1024, inf, 2.0, 10.0, "frequency: row 1024");
  bad(2047, 1.0, -1.0, 10.0, "recency: row 2047");
  bad(4999, 1.0, nan, 10.0, "recency: row 4999");
  bad(2500, 1.0, 2.0, inf, "T: row 2500");
  bad(2501, 1.0, 11.0, 10.0, "row 2501: recency 11 is larger than T 10");
  bad(12, 0.0, 2.0, 10.0, "row 12: frequency is 0 but recency is 2");
  std::vector<double> x = x0;
  x[1500] = 9007199254740994.0;     // 2^53 + 2
  x[1501] = 1152921504606846976.0;  // 2^60
  const std::vector<double> p = {0.25, 4.0, 0.8, 2.5};
  std::vector<double> out(n);
  RepeatModel(RepeatKind::beta_geo, p).log_likelihood(x, tx0, T0, out);  // validates, does not throw
  EXPECT_TRUE(std::isfinite(out[0]));
}

TEST(RepeatBuying, SameFitAtAnyThreadCount) {
  // 17,000 distinct rows (continuous T) take the 64-task parallel path.
  funnelnet::Rng rng(11);
  std::vector<double> x, tx, T;
  for (int i = 0; i < 17000; ++i) {
    const double t = 20 + 32 * rng.uniform();
    const double k = static_cast<double>(rng.below(6));
    x.push_back(k);
    T.push_back(t);
    tx.push_back(k > 0 ? t * rng.uniform() : 0.0);
  }
  RepeatFitOptions one, three;
  one.threads = 1;
  three.threads = 3;
  one.max_iterations = three.max_iterations = 5;  // a few iterations exercise the parallel sums
  const auto a = RepeatModel::fit(RepeatKind::beta_geo, x, tx, T, {}, one);
  const auto b = RepeatModel::fit(RepeatKind::beta_geo, x, tx, T, {}, three);
  EXPECT_EQ(a.report().unique_rows, 17000u);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(a.params()[k], b.params()[k]);
  EXPECT_EQ(a.report().log_likelihood, b.report().log_likelihood);
  // Pareto/NBD's (scalar) likelihood sums: bit-identical at 1 and 3 threads.
  const auto rows = detail::make_rows(x, tx, T, {}, true);
  const std::array<double, 4> p = {0.55, 10.6, 0.61, 11.7};
  std::array<double, 4> g1{}, g3{};
  const double l1 = detail::total_ll<detail::ParetoRow, 4>(p, rows, 1, g1);
  const double l3 = detail::total_ll<detail::ParetoRow, 4>(p, rows, 3, g3);
  EXPECT_EQ(l1, l3);
  EXPECT_EQ(g1, g3);
  EXPECT_TRUE(std::isfinite(l1));
}

// Over 200,000 distinct rows the fit starts from a 20,000-row subsample's fit and takes
// Newton steps with that subsample's observed information before L-BFGS-B checks
// convergence.  Oracle: the plain L-BFGS-B fit of the same rows from the default start
// (an explicit `initial` skips the warm start and the Newton steps): the same optimum,
// the log-likelihood to 1e-12 relative, at 1 and 2 threads bit for bit.
TEST(BetaGeo, WarmStartNewtonStepsReachThePlainFitsOptimum) {
  const std::size_t n = 250000;
  funnelnet::Rng rng(29);
  std::vector<double> T(n);
  for (double& t : T) t = 20.0 + 32.0 * rng.uniform();  // continuous ages: no two rows merge
  const std::array<double, 4> truth = {0.25, 4.0, 0.8, 2.5};
  const auto sim = simulate_repeat(RepeatKind::beta_geo, truth, T, 5);
  RepeatFitOptions newton, plain;
  newton.threads = 1;
  double mT = 0.0, mx = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    mT += T[i] / static_cast<double>(n);
    mx += sim.frequency[i] / static_cast<double>(n);
  }
  plain.initial = {1.0, std::max(mT / (mx + 1.0), 1e-3), 0.5, 1.0};  // fit_valid's default start
  plain.threads = 1;
  const auto a = RepeatModel::fit(RepeatKind::beta_geo, sim.frequency, sim.recency, sim.T, {}, newton);
  const auto b = RepeatModel::fit(RepeatKind::beta_geo, sim.frequency, sim.recency, sim.T, {}, plain);
  ASSERT_EQ(a.report().unique_rows, n);
  ASSERT_TRUE(a.report().converged()) << a.report().message;
  ASSERT_TRUE(b.report().converged()) << b.report().message;
  EXPECT_LE(a.report().gradient_norm, newton.tolerance);
  // the Newton steps reached the tolerance (dropped steps would leave L-BFGS-B's dozens)
  EXPECT_LE(a.report().evaluations, 8) << a.report().evaluations << " vs " << b.report().evaluations;
  for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(a.params()[k], b.params()[k], 1e-5 * b.params()[k]) << k;
  const double lb = b.report().log_likelihood;
  EXPECT_NEAR(a.report().log_likelihood, lb, 1e-12 * std::abs(lb));
  // the reported log-likelihood is the one of the reported parameters (row by row)
  std::vector<double> rows_ll(n);
  a.log_likelihood(sim.frequency, sim.recency, sim.T, rows_ll);
  double sum = 0.0;
  for (double v : rows_ll) sum += v;
  EXPECT_NEAR(sum, a.report().log_likelihood, 1e-11 * std::abs(lb));
  RepeatFitOptions two = newton;
  two.threads = 2;
  const auto c = RepeatModel::fit(RepeatKind::beta_geo, sim.frequency, sim.recency, sim.T, {}, two);
  EXPECT_EQ(c.params(), a.params());
  EXPECT_EQ(c.report().log_likelihood, a.report().log_likelihood);
}

// make_rows sorts groups of 4,096+ rows of one frequency by a radix sort, smaller ones by
// std::sort.  Oracle: a std::map from (x, t_x, T) to the summed weight, filled in input
// order (so equal rows add their weights in the same order).  Times on a coarse grid make
// rows repeat; -0.0 and 0.0 are one time; rows of weight 0 are dropped.  Without merging,
// the rows are the input's (weights included), sorted by (x, t_x, T).
TEST(RepeatBuying, MakeRowsMatchesAMapOfUniqueRows) {
  funnelnet::Rng rng(41);
  std::vector<double> x, tx, T, w;
  for (int i = 0; i < 30000; ++i) {
    const double k = static_cast<double>(rng.below(4)) * static_cast<double>(rng.below(3));  // x = 0 most
    const double t =
        rng.below(2) == 0 ? 20.0 + 32.0 * rng.uniform() : static_cast<double>(20 + rng.below(12));
    const double r = k == 0.0 ? (rng.below(2) == 0 ? -0.0 : 0.0)
                              : (rng.below(2) == 0 ? t * rng.uniform() : static_cast<double>(rng.below(20)));
    x.push_back(k);
    T.push_back(t);
    tx.push_back(std::min(r, t));
    w.push_back(static_cast<double>(rng.below(4)));  // integers: sums exact in any order
  }
  std::map<std::tuple<double, double, double>, double> unique;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (w[i] != 0.0) unique[{x[i], tx[i], T[i]}] += w[i];
  const auto rows = detail::make_rows(x, tx, T, w, true);
  ASSERT_EQ(rows.size(), unique.size());
  std::size_t i = 0;
  for (const auto& [key, weight] : unique) {
    EXPECT_EQ(rows.x[i], std::get<0>(key));
    EXPECT_EQ(rows.tx[i], std::get<1>(key));
    EXPECT_EQ(rows.T[i], std::get<2>(key));
    EXPECT_EQ(rows.w[i], weight);
    ++i;
  }
  std::vector<std::tuple<double, double, double, double>> all, got;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (w[j] != 0.0) all.emplace_back(x[j], tx[j], T[j], w[j]);
  const auto sorted = detail::make_rows(x, tx, T, w, false);
  for (std::size_t j = 0; j < sorted.size(); ++j) {
    got.emplace_back(sorted.x[j], sorted.tx[j], sorted.T[j], sorted.w[j]);
    if (j > 0) {  // sorted by (x, t_x, T); equal rows in any order
      EXPECT_LE(std::tie(sorted.x[j - 1], sorted.tx[j - 1], sorted.T[j - 1]),
                std::tie(sorted.x[j], sorted.tx[j], sorted.T[j]))
          << j;
    }
  }
  std::sort(all.begin(), all.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, all);
}

}  // namespace test_repeat_buying
