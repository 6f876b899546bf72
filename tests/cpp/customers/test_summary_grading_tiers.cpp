// Transaction summaries, ABC grading, tier migration and Markov CLV against brute force
// written here, the Pfeifer-Carraway example, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "shared_data.hpp"
#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/customers.hpp"

using namespace funnelnet;

TEST(Summary, MatchesBruteForceOnCdnowMaster) {
  // ../shared/data/customers/CDNOW_master.txt: customer, date YYYYMMDD, CDs, dollars.
  std::ifstream f(shared_data_dir() + "/customers/CDNOW_master.txt");
  ASSERT_TRUE(f.good());
  std::string header;
  std::getline(f, header);
  std::vector<std::int64_t> cust, day;
  std::vector<double> amt;
  std::int64_t id, date, cds;
  double dollars;
  while (f >> id >> date >> cds >> dollars) {
    // days since 1997-01-01 (all dates are 1997 or 1998)
    const int y = static_cast<int>(date / 10000), mo = static_cast<int>(date / 100 % 100),
              d = static_cast<int>(date % 100);
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    cust.push_back(id);
    day.push_back((y - 1997) * 365 + cum[mo - 1] + d - 1);
    amt.push_back(dollars);
  }
  ASSERT_EQ(cust.size(), 69659u);
  SummaryOptions o;
  o.calibration_end = 272;  // 1997-09-30
  o.holdout = true;
  o.holdout_end = 545;  // 1998-06-30
  o.period_length = 7;
  const auto s = summarize_transactions(cust, day, amt, o);
  // brute force: per customer, per-day sums
  std::map<std::int64_t, std::map<std::int64_t, double>> by;
  for (std::size_t i = 0; i < cust.size(); ++i) by[cust[i]][day[i]] += amt[i];
  std::size_t k = 0;
  for (const auto& [c, days] : by) {
    const std::int64_t first = days.begin()->first;
    if (first > 272) continue;
    ASSERT_LT(k, s.size());
    EXPECT_EQ(s.customer[k], c);
    double n = 0, spend = 0, hn = 0, hs = 0;
    std::int64_t last = first;
    for (const auto& [t, a] : days) {
      if (t <= 272 && t != first) {
        ++n;
        spend += a;
        last = t;
      } else if (t > 272) {
        ++hn;
        hs += a;
      }
    }
    EXPECT_EQ(s.frequency[k], n);
    EXPECT_DOUBLE_EQ(s.recency[k], (last - first) / 7.0);
    EXPECT_DOUBLE_EQ(s.T[k], (272 - first) / 7.0);
    EXPECT_NEAR(s.monetary_value[k], n > 0 ? spend / n : 0, 1e-9);
    EXPECT_EQ(s.frequency_holdout[k], hn);
    EXPECT_NEAR(s.monetary_value_holdout[k], hn > 0 ? hs / hn : 0, 1e-9);
    ++k;
  }
  EXPECT_EQ(k, s.size());
  EXPECT_EQ(s.size(), 23570u);  // everyone's first purchase is in Q1 1997
  EXPECT_DOUBLE_EQ(s.duration_holdout, 273 / 7.0);
}

TEST(Summary, BadInput) {
  const std::vector<std::int64_t> c = {1, 1, 2}, t = {0, 5, 12};
  const std::vector<double> a = {1, 2, 3};
  SummaryOptions o;
  o.calibration_end = 10;
  expect_error([&] { summarize_transactions(c, t, a, o); }, Errc::invalid_argument,
               "row 2 (customer 2) is period 12");
  o.future = FutureRows::drop;
  EXPECT_EQ(summarize_transactions(c, t, a, o).size(), 1u);
  const std::vector<double> nan = {1, std::nan(""), 3};
  expect_error([&] { summarize_transactions(c, t, nan, o); }, Errc::invalid_argument, "amount: row 1");
  o.holdout = true;
  o.holdout_end = 5;
  expect_error([&] { summarize_transactions(c, t, a, o); }, Errc::invalid_argument, "holdout end 5");
}

namespace test_summary_grading_tiers {
CustomerTable small_table() {
  // credit, loyalty, distance for 10 customers
  Matrix v(10, 3);
  v << 9, 5, 1, 8, 7, 3, 7, 2, 2, 6, 9, 9, 5, 5, 5, 4, 4, 4, 3, 8, 7, 2, 1, 8, 1, 3, 6, 0, 0, 0;
  std::vector<std::int64_t> ids(10);
  std::iota(ids.begin(), ids.end(), 100);
  CustomerTable t(ids, {"credit", "loyalty", "distance"}, v);
  t.add_category("region", {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, {"north", "south"});
  return t;
}

TEST(Grading, WeightedScoreAndContributionsByHand) {
  const CustomerTable t = small_table();
  const std::vector<Criterion> crit = {{"credit", 2.0, 1}, {"distance", 1.0, -1}};
  Matrix th(2, 2);
  th << 2.0, 1.0, 1.5, 0.5;  // south grades more leniently
  const Grading g = grade_by_score(t, crit, th, "region");
  const Matrix& v = t.values();
  for (Eigen::Index i = 0; i < 10; ++i) {
    const double credit = 2.0 * (v(i, 0) - 0) / 9.0, dist = 1.0 * (1 - (v(i, 2) - 0) / 9.0);
    EXPECT_NEAR(g.contributions(i, 0), credit, 1e-12);
    EXPECT_NEAR(g.contributions(i, 1), dist, 1e-12);
    EXPECT_NEAR(g.score[i], credit + dist, 1e-12);
    const double a = i < 5 ? 2.0 : 1.5, b = i < 5 ? 1.0 : 0.5;
    const int tier = g.score[i] >= a ? 0 : g.score[i] >= b ? 1 : 2;
    EXPECT_EQ(g.tier[static_cast<std::size_t>(i)], tier) << i;
  }
}

TEST(Grading, TargetMixIsQuantilesOfTheScore) {
  const CustomerTable t = small_table();
  const std::vector<Criterion> crit = {{"credit", 1, 1}, {"loyalty", 1, 1}};
  const Grading g = grade_by_mix(t, crit, {1, 3, 6});
  EXPECT_EQ(g.counts(), (std::vector<std::size_t>{1, 3, 6}));
  // brute force: rank by score descending; ranks 0 -> A, 1..3 -> B, rest -> C
  std::vector<std::size_t> order(10);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return g.score[a] > g.score[b]; });
  for (std::size_t r = 0; r < 10; ++r) EXPECT_EQ(g.tier[order[r]], r < 1 ? 0 : r < 4 ? 1 : 2);
}

TEST(Grading, ParetoByValue) {
  const std::vector<double> value = {50, 5, 30, 10, 5};  // shares .5 .05 .3 .1 .05
  const Grading g = grade_by_value(value, {0.8, 0.95});
  // sorted: 50 (before 0 -> A), 30 (before .5 -> A), 10 (before .8 -> B), 5 (before .9 -> B), 5 (.95 -> C)
  EXPECT_EQ(g.tier, (std::vector<std::int32_t>{0, 1, 0, 1, 2}));
  EXPECT_NEAR(g.contributions(2, 0), 0.3, 1e-15);
  EXPECT_NEAR(g.score[4], 1.0, 1e-15);
}

TEST(Grading, BadInput) {
  const CustomerTable t = small_table();
  Matrix th(1, 2);
  th << 1.0, 2.0;
  expect_error(
      [&] {
        grade_by_score(t, {{"credit", 1, 1}}, th);
      },
      Errc::invalid_argument, "tiers out of order");
  th << 2.0, 1.0;
  expect_error(
      [&] {
        grade_by_score(t, {{"credit", 0, 1}, {"loyalty", 0, 1}}, th);
      },
      Errc::invalid_argument, "weights are all zero");
  expect_error(
      [&] {
        grade_by_score(t, {{"revenue", 1, 1}}, th);
      },
      Errc::unknown_label, "criterion 'revenue'");
  expect_error(
      [&] {
        grade_by_score(t, {{"credit", 1, 1}}, th, "industry");
      },
      Errc::unknown_label, "industry");
  expect_error(
      [&] {
        grade_by_value(std::vector<double>{1, 2}, {0.9, 0.5});
      },
      Errc::invalid_argument, "tiers out of order");
  expect_error([&] { grade_by_mix(t, {{"credit", 1, 1}}, {1, 0}); }, Errc::invalid_argument, "mix[1]");
  Matrix bad(1, 1);
  bad << std::nan("");
  expect_error([&] { CustomerTable({1}, {"credit"}, bad); }, Errc::invalid_argument, "customer 1");
}

TEST(Tiers, PfeiferCarrawayRecencyExample) {
  // States 1..4: back to state 1 with p_i, else to the next state; R = [100, 0, 0, 0].
  Matrix p(4, 4);
  p << .5, .5, 0, 0, .2, 0, .8, 0, .1, 0, 0, .9, 0, 0, 0, 1;
  Vector r(4);
  r << 100, 0, 0, 0;
  const Vector v = markov_clv(p, r, 0.1);
  EXPECT_NEAR(v[0], 231.08, 5e-3);
  EXPECT_NEAR(v[1], 57.29, 5e-3);
  EXPECT_NEAR(v[2], 21.01, 5e-3);
  EXPECT_NEAR(v[3], 0.0, 1e-12);
  // A long finite horizon converges to it; horizon 1 is the reward itself.
  EXPECT_NEAR((markov_clv_finite(p, r, 0.1, 2000) - v).cwiseAbs().maxCoeff(), 0.0, 1e-9);
  EXPECT_NEAR((markov_clv_finite(p, r, 0.1, 1) - r).norm(), 0.0, 1e-15);
  expect_error([&] { markov_clv(p, r, 0.0); }, Errc::invalid_argument, "discount rate > 0");
}

TEST(Tiers, MigrationCountsMatchBruteForceOnHolsonPanel) {
  // ../shared/data/journeys/markovchain_holson.csv: 1,000 subjects x 11 periods, states 1..3.
  std::ifstream f(shared_data_dir() + "/journeys/markovchain_holson.csv");
  ASSERT_TRUE(f.good());
  std::string line;
  std::getline(f, line);
  std::vector<std::int64_t> cust, per;
  std::vector<std::int32_t> tier;
  Matrix brute = Matrix::Zero(3, 3);
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string c;
    std::getline(ss, c, ',');
    const std::int64_t id = std::stoll(c);
    std::vector<int> st;
    while (std::getline(ss, c, ',')) st.push_back(std::stoi(c) - 1);
    for (std::size_t t = 0; t < st.size(); ++t) {
      if (id % 7 == 0 && t < 4) continue;  // late entrants: censored until period 4
      cust.push_back(id);
      per.push_back(static_cast<std::int64_t>(t));
      tier.push_back(st[t]);
      if (t > 0 && !(id % 7 == 0 && t < 5)) brute(st[t - 1], st[t]) += 1;
    }
  }
  const StageSpace space({"1", "2", "3"}, {false, false, false});
  const TierMigration tm = fit_tier_migration(space, cust, per, tier);
  EXPECT_NEAR((tm.counts[0].matrix() - brute).cwiseAbs().maxCoeff(), 0.0, 0.0);
  EXPECT_EQ(tm.late[0], 142u);  // ids 7, 14, ..., 994
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 3; ++j)
      EXPECT_NEAR(tm.chains[0].matrix()(i, j), brute(i, j) / brute.row(i).sum(), 1e-12);
  // mix ahead: brute-force matrix product
  Vector mix(3);
  mix << 500, 300, 200;
  const Matrix& P = tm.chains[0].matrix();
  EXPECT_NEAR((mix_ahead(P, mix, 3) - (mix.transpose() * P * P * P).transpose()).norm(), 0.0, 1e-9);
}

TEST(Tiers, RatesAndChurnOnAbsorbingRatings) {
  // ../shared/data/journeys/markovchain_tm_abs.csv: AAA..D counts, D row all zeros.
  std::ifstream f(shared_data_dir() + "/journeys/markovchain_tm_abs.csv");
  ASSERT_TRUE(f.good());
  std::string line;
  std::getline(f, line);
  Matrix c(8, 8);
  for (int i = 0; i < 8; ++i) {
    std::getline(f, line);
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, ',');
    for (int j = 0; j < 8; ++j) {
      std::getline(ss, cell, ',');
      c(i, j) = std::stod(cell);
    }
  }
  const StageSpace space({"AAA", "AA", "A", "BBB", "BB", "B", "C", "D"}, std::vector<bool>(8, false));
  const MarkovChain chain = fit(TransitionCounts(space, c), FitOptions{0.0, EmptyRows::absorbing});
  const TierRates r = tier_rates(chain.matrix(), {7});
  for (int i = 0; i < 7; ++i) {
    const double tot = c.row(i).sum();
    EXPECT_NEAR(r.promotion[i], c.row(i).head(i).sum() / tot, 1e-12);
    EXPECT_NEAR(r.demotion[i], c.row(i).segment(i + 1, 6 - i).sum() / tot, 1e-12);
    EXPECT_NEAR(r.churn[i], c(i, 7) / tot, 1e-12);
  }
  // churn within 2 periods: P[i][D] + sum_j P[i][j] P[j][D] (D absorbing)
  const Matrix& P = chain.matrix();
  const Vector ch = churn_within(P, {7}, 2);
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(ch[i], (P * P)(i, 7), 1e-12);
}

TEST(Tiers, BadInput) {
  const StageSpace space({"A", "B", "lost"}, {false, false, true});
  const std::vector<std::int64_t> c = {1, 1, 2}, p = {0, 2, 0};
  const std::vector<std::int32_t> t = {0, 1, 1};
  expect_error([&] { fit_tier_migration(space, c, p, t); }, Errc::invalid_argument,
               "customer 1 has no snapshot between periods 0 and 2");
  TierMigrationOptions o;
  o.gaps = SnapshotGaps::skip;
  EXPECT_EQ(fit_tier_migration(space, c, p, t, {}, 1, o).counts[0].total(), 0.0);
  const std::vector<std::int64_t> p2 = {0, 0, 0};
  expect_error([&] { fit_tier_migration(space, c, p2, t); }, Errc::duplicate_label,
               "two snapshots in period 0");
  const std::vector<std::int32_t> t3 = {0, 5, 1};
  expect_error([&] { fit_tier_migration(space, c, p, t3); }, Errc::out_of_range, "tier index 5");
}

TEST(Summary, RadixAndComparisonSortPathsAgree) {
  // Narrow id range -> packed-key radix sort; one id near 2^62 -> comparison sort.  Both
  // must give the brute-force summary for the shared customers.
  Rng rng(3);
  std::vector<std::int64_t> c, t;
  std::vector<double> a;
  for (int i = 0; i < 5000; ++i) {
    c.push_back(static_cast<std::int64_t>(rng.below(300)) - 150);
    t.push_back(static_cast<std::int64_t>(rng.below(100)));
    a.push_back(rng.uniform());
  }
  SummaryOptions o;
  o.calibration_end = 99;
  const auto narrow = summarize_transactions(c, t, a, o);
  c.push_back(std::int64_t{1} << 62);
  t.push_back(0);
  a.push_back(1.0);
  const auto wide = summarize_transactions(c, t, a, o);
  ASSERT_EQ(wide.size(), narrow.size() + 1);
  EXPECT_EQ(wide.customer.back(), std::int64_t{1} << 62);
  for (std::size_t k = 0; k < narrow.size(); ++k) {
    EXPECT_EQ(narrow.customer[k], wide.customer[k]);
    EXPECT_EQ(narrow.frequency[k], wide.frequency[k]);
    EXPECT_EQ(narrow.recency[k], wide.recency[k]);
    EXPECT_NEAR(narrow.monetary_value[k], wide.monetary_value[k], 1e-12);
  }
  std::map<std::int64_t, std::set<std::int64_t>> days;
  for (std::size_t i = 0; i + 1 < c.size(); ++i) days[c[i]].insert(t[i]);
  std::size_t k = 0;
  for (const auto& [id, d] : days) {
    EXPECT_EQ(narrow.customer[k], id);
    EXPECT_EQ(narrow.frequency[k], static_cast<double>(d.size() - 1));
    EXPECT_EQ(narrow.recency[k], static_cast<double>(*d.rbegin() - *d.begin()));
    ++k;
  }
}

}  // namespace test_summary_grading_tiers
