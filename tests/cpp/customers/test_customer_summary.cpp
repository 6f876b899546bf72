// The validated customer (RFM) table: every rule with a message naming the row and the
// customer, the table built from transactions against summarize_transactions(), the
// models on a table against the loose-array overloads (same numbers), and the lgamma
// data race (issue 17 item 3).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#if defined(__GLIBC__) || defined(__linux__)
#include <math.h>  // signgam
#endif

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/customers.hpp"
#include "shared_data.hpp"

using namespace funnelnet;

namespace test_customer_summary {

// Reads ../shared/data/customers/cdnow_customers_summary_with_transactions.csv
// (ID, x, t_x, T, zbar: 2,357 customers, weeks).
CustomerSummary read_cdnow() {
  std::ifstream f(shared_data_dir() + "/customers/cdnow_customers_summary_with_transactions.csv");
  EXPECT_TRUE(f.good());
  std::vector<std::int64_t> id;
  std::vector<double> x, tx, T, m;
  std::string line;
  std::getline(f, line);
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string c;
    std::vector<double> v;
    while (std::getline(ss, c, ',')) v.push_back(std::stod(c));
    id.push_back(static_cast<std::int64_t>(v[0]));
    x.push_back(v[1]);
    tx.push_back(v[2]);
    T.push_back(v[3]);
    m.push_back(v[4]);
  }
  return CustomerSummary(id, x, tx, T, m);
}

// 17,000 distinct rows (continuous T): the 64-task parallel path of the likelihoods.
CustomerSummary synthetic() {
  Rng rng(11);
  std::vector<double> x, tx, T, m;
  for (int i = 0; i < 17000; ++i) {
    const double t = 20 + 32 * rng.uniform();
    const double k = static_cast<double>(rng.below(6));
    x.push_back(k);
    T.push_back(t);
    tx.push_back(k > 0 ? t * rng.uniform() : 0.0);
    m.push_back(k > 0 ? 5 + 40 * rng.uniform() : 0.0);
  }
  return CustomerSummary({}, x, tx, T, m);
}

TEST(CustomerSummary, ColumnsAndDefaults) {
  const CustomerSummary s({7, 3, 9}, {0, 2, 1}, {0, 5, 1}, {10, 10, 4}, {0, 12.5, 3});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.ids()[1], 3);
  EXPECT_EQ(s.frequency()[1], 2.0);
  EXPECT_EQ(s.recency()[1], 5.0);
  EXPECT_EQ(s.T()[2], 4.0);
  EXPECT_EQ(s.monetary()[1], 12.5);
  EXPECT_TRUE(s.has_monetary());
  EXPECT_EQ(s.repeat_buyers(), 2u);
  // no ids: rows are numbered; no monetary column
  const CustomerSummary n({}, {1, 0}, {1, 0}, {2, 2});
  EXPECT_EQ(n.ids()[0], 0);
  EXPECT_EQ(n.ids()[1], 1);
  EXPECT_FALSE(n.has_monetary());
  EXPECT_TRUE(CustomerSummary().empty());
  // from_columns copies spans
  const std::vector<double> x = {1}, tx = {0.5}, T = {1};
  const std::vector<std::int64_t> id = {42};
  EXPECT_EQ(CustomerSummary::from_columns(id, x, tx, T).ids()[0], 42);
}

TEST(CustomerSummary, BadInputNamesRowAndCustomer) {
  auto make = [](std::vector<double> x, std::vector<double> tx, std::vector<double> T,
                 std::vector<double> m = {}) {
    return CustomerSummary({10, 11}, std::move(x), std::move(tx), std::move(T), std::move(m));
  };
  const std::vector<double> T = {10, 10};
  expect_error(
      [&] {
        make({-1, 2}, {0, 1}, T);
      },
      Errc::invalid_argument, "frequency: row 0 (customer 10) is -1");
  expect_error([&] { make({1, 2.5}, {1, 1}, T); }, Errc::invalid_argument, "row 1 (customer 11) is 2.5");
  expect_error([&] { make({1, 2.5}, {1, 1}, T); }, Errc::invalid_argument, "integer");
  expect_error([&] { make({1, NAN}, {1, 1}, T); }, Errc::invalid_argument, "frequency: row 1");
  expect_error([&] { make({1, 1}, {1, -1}, T); }, Errc::invalid_argument, "recency: row 1 (customer 11)");
  expect_error(
      [&] {
        make({1, 1}, {1, 1}, {10, INFINITY});
      },
      Errc::invalid_argument, "T: row 1 (customer 11)");
  expect_error(
      [&] {
        make({1, 2}, {1, 12}, T);
      },
      Errc::invalid_argument, "row 1 (customer 11): recency 12 is larger than T 10");
  expect_error(
      [&] {
        make({0, 2}, {3, 2}, T);
      },
      Errc::invalid_argument, "row 0 (customer 10): frequency is 0 but recency is 3");
  expect_error(
      [&] {
        make({1, 2}, {1, 2}, T, {5, 0});
      },
      Errc::invalid_argument,
      "monetary: row 1 (customer 11) is 0; mean repeat spend must be finite, and > 0 for repeat buyers");
  expect_error([&] { make({1, 2}, {1, 2}, T, {5, -1}); }, Errc::invalid_argument, "monetary: row 1");
  expect_error([&] { make({1, 2}, {1, 2}, T, {5, NAN}); }, Errc::invalid_argument, "monetary: row 1");
  EXPECT_NO_THROW(make({0, 2}, {0, 2}, T, {0, 4}));  // no spend without repeat purchases is fine
  expect_error([&] { make({1}, {1, 2}, T); }, Errc::shape_mismatch, "recency");
  expect_error([&] { make({1, 2}, {1, 2}, {1}); }, Errc::shape_mismatch, "T");
  expect_error([&] { make({1, 2}, {1, 2}, T, {1}); }, Errc::shape_mismatch, "monetary");
  expect_error([] { CustomerSummary({1}, {1, 1}, {1, 1}, {2, 2}); }, Errc::shape_mismatch, "ids");
  expect_error(
      [] {
        CustomerSummary({5, 5}, {1, 1}, {1, 1}, {2, 2});
      },
      Errc::duplicate_label, "customer id 5 appears twice (row 1)");
}

TEST(CustomerSummary, FromTransactionsIsTheCalibrationSummary) {
  // Two customers: 1 buys at 0, 3, 3 (same period: one repeat of 2+4) and 9 (holdout);
  // 2 buys once at 5.  Periods of 2 time units.
  const std::vector<std::int64_t> c = {1, 2, 1, 1, 1}, t = {0, 5, 3, 3, 9};
  const std::vector<double> a = {10, 7, 2, 4, 1};
  SummaryOptions o;
  o.calibration_end = 6;
  o.holdout = true;
  o.holdout_end = 10;
  o.period_length = 2;
  const CustomerSummary s = CustomerSummary::from_transactions(c, t, a, o);
  const TransactionSummary ts = summarize_transactions(c, t, a, o);
  ASSERT_EQ(s.size(), ts.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s.ids()[i], ts.customer[i]);
    EXPECT_EQ(s.frequency()[i], ts.frequency[i]);
    EXPECT_EQ(s.recency()[i], ts.recency[i]);
    EXPECT_EQ(s.T()[i], ts.T[i]);
    EXPECT_EQ(s.monetary()[i], ts.monetary_value[i]);
  }
  // by hand: customer 1 x = 1, t_x = 3/2, T = 6/2, m = 6; customer 2 x = 0, T = 1/2
  EXPECT_EQ(s.ids()[0], 1);
  EXPECT_EQ(s.frequency()[0], 1.0);
  EXPECT_EQ(s.recency()[0], 1.5);
  EXPECT_EQ(s.T()[0], 3.0);
  EXPECT_EQ(s.monetary()[0], 6.0);
  EXPECT_EQ(s.T()[1], 0.5);
  // without amounts there is no monetary column
  EXPECT_FALSE(CustomerSummary::from_transactions(c, t, {}, o).has_monetary());
  // a repeat buyer whose repeat spend averages 0 cannot be a Gamma-Gamma row
  const std::vector<double> zero = {10, 7, 0, 0, 1};
  expect_error([&] { CustomerSummary::from_transactions(c, t, zero, o); }, Errc::invalid_argument,
               "monetary: row 0 (customer 1) is 0");
  // the summariser's own checks still apply
  o.holdout = false;
  expect_error([&] { CustomerSummary::from_transactions(c, t, a, o); }, Errc::invalid_argument,
               "row 4 (customer 1) is period 9");
}

TEST(CustomerSummary, ModelsOnATableMatchTheLooseArrays) {
  const CustomerSummary s = read_cdnow();
  ASSERT_EQ(s.size(), 2357u);
  const auto x = s.frequency(), tx = s.recency(), T = s.T(), m = s.monetary();
  for (auto kind : {RepeatKind::beta_geo, RepeatKind::pareto_nbd}) {
    const auto a = RepeatModel::fit(kind, s);
    const auto b = RepeatModel::fit(kind, x, tx, T);
    EXPECT_TRUE(a.report().converged()) << a.report().message;
    EXPECT_EQ(a.params(), b.params());
    EXPECT_EQ(a.report().log_likelihood, b.report().log_likelihood);
    std::vector<double> o1(s.size()), o2(s.size());
    a.log_likelihood(s, o1);
    a.log_likelihood(x, tx, T, o2);
    EXPECT_EQ(o1, o2);
    a.p_alive(s, o1);
    a.p_alive(x, tx, T, o2);
    EXPECT_EQ(o1, o2);
    a.expected_purchases(39, s, o1);
    a.expected_purchases(39, x, tx, T, o2);
    EXPECT_EQ(o1, o2);
    const std::vector<double> spend(s.size(), 20.0);
    std::vector<double> c1(5), c2(5);
    const CustomerSummary head =
        CustomerSummary::from_columns(s.ids().first(5), x.first(5), tx.first(5), T.first(5), m.first(5));
    a.clv(head, std::span(spend).first(5), 12, 4.345, 0.01, c1);
    a.clv(x.first(5), tx.first(5), T.first(5), std::span(spend).first(5), 12, 4.345, 0.01, c2);
    EXPECT_EQ(c1, c2);
  }
  // Gamma-Gamma on the table's repeat buyers = the loose fit on the filtered rows
  std::vector<double> rx, rm;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (x[i] > 0) {
      rx.push_back(x[i]);
      rm.push_back(m[i]);
    }
  EXPECT_EQ(s.repeat_buyers(), 946u);
  const auto g = GammaGammaModel::fit(s);
  const auto h = GammaGammaModel::fit(rx, rm);
  EXPECT_EQ(g.params(), h.params());
  EXPECT_NEAR(g.params()[0], 6.25, 5e-3);
  std::vector<double> e1(s.size()), e2(s.size());
  g.expected_spend(s, e1);
  g.expected_spend(x, m, e2);
  EXPECT_EQ(e1, e2);
}

TEST(CustomerSummary, ModelBadInputOnATable) {
  const CustomerSummary none;
  expect_error([&] { RepeatModel::fit(RepeatKind::beta_geo, none); }, Errc::empty_input, "no customers");
  const CustomerSummary s({}, {1, 2}, {1, 2}, {10, 10});
  const std::vector<double> zero_w = {0, 0}, neg_w = {1, -1}, short_w = {1};
  expect_error([&] { RepeatModel::fit(RepeatKind::pareto_nbd, s, zero_w); }, Errc::invalid_argument,
               "weights are all zero");
  expect_error([&] { RepeatModel::fit(RepeatKind::pareto_nbd, s, neg_w); }, Errc::invalid_argument,
               "weights: row 1");
  expect_error([&] { RepeatModel::fit(RepeatKind::pareto_nbd, s, short_w); }, Errc::shape_mismatch,
               "weights");
  RepeatFitOptions bad;
  bad.tolerance = 0;
  expect_error([&] { RepeatModel::fit(RepeatKind::beta_geo, s, {}, bad); }, Errc::invalid_argument,
               "tolerance");
  const RepeatModel m(RepeatKind::beta_geo, std::array<double, 4>{0.243, 4.414, 0.793, 2.426});
  std::vector<double> out(1);
  expect_error([&] { m.p_alive(s, out); }, Errc::shape_mismatch, "output");
  expect_error([&] { GammaGammaModel::fit(s); }, Errc::invalid_argument, "no monetary values");
  const CustomerSummary spend({}, {0, 2, 1}, {0, 2, 1}, {3, 4, 5}, {0, 10, 20});
  const std::vector<double> nan_w = {1, 1, NAN}, repeat_zero_w = {5, 0, 0};
  expect_error([&] { GammaGammaModel::fit(spend, nan_w); }, Errc::invalid_argument, "weights: row 2");
  expect_error([&] { GammaGammaModel::fit(spend, repeat_zero_w); }, Errc::invalid_argument,
               "weights are all zero on the repeat buyers");
  expect_error([&] { GammaGammaModel::fit(spend, short_w); }, Errc::shape_mismatch, "weights");
  const CustomerSummary once({}, {0, 0}, {0, 0}, {3, 4}, {0, 0});
  expect_error([&] { GammaGammaModel::fit(once); }, Errc::empty_input, "no repeat buyers");
}

// Issue 17 item 3: std::lgamma writes the global `signgam`, a data race when the
// likelihood runs on worker threads.  The fits use lgamma_r: `signgam` is never written
// (std::lgamma of these positive arguments would set it to 1), and a fit on 4 threads is
// the same as on 1.
TEST(CustomerSummary, LikelihoodsLeaveSigngamAloneAndAgreeAcrossThreads) {
  const CustomerSummary s = synthetic();
  RepeatFitOptions one, four;
  one.threads = 1;
  four.threads = 4;
  one.max_iterations = four.max_iterations = 5;  // a few iterations exercise the parallel sums
#if defined(__GLIBC__)
  signgam = 0;
#endif
  for (auto kind : {RepeatKind::beta_geo, RepeatKind::pareto_nbd}) {
    const auto a = RepeatModel::fit(kind, s, {}, one);
    const auto b = RepeatModel::fit(kind, s, {}, four);
    EXPECT_EQ(a.report().unique_rows, 17000u);
    EXPECT_EQ(a.params(), b.params());
    EXPECT_EQ(a.report().log_likelihood, b.report().log_likelihood);
  }
  const auto g1 = GammaGammaModel::fit(s, {}, one), g4 = GammaGammaModel::fit(s, {}, four);
  EXPECT_EQ(g1.params(), g4.params());
#if defined(__GLIBC__)
  EXPECT_EQ(signgam, 0) << "a likelihood called std::lgamma (writes the global signgam)";
#endif
}

}  // namespace test_customer_summary
