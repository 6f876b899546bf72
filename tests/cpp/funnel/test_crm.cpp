// Real data: ../shared/data/crm/sales_pipeline.csv (Maven Analytics CRM sample, 8,800
// opportunities).  Each opportunity with an engage date enters Engaging then, and Won or
// Lost at its close date; the 1,589 still Engaging are censored at the last date in the
// file (2017-12-31).  The 500 Prospecting rows carry no dates and are left out.
// Oracles: the published closed-deal figures (win rate 63.15%, median cycle 45 days),
// recomputed here from the file, and direct sums for the censored exposure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "shared_data.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace test_crm {
std::int64_t days(const std::string& ymd) {  // days since 1970-01-01 (Howard Hinnant's civil algorithm)
  int y = std::stoi(ymd.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(ymd.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(ymd.substr(8, 2)));
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
struct Deal {
  std::string stage;
  std::int64_t engage = -1, close = -1;
};
std::vector<Deal> read_pipeline() {
  std::ifstream in(shared_data_dir() + "/crm/sales_pipeline.csv");
  EXPECT_TRUE(in.good()) << "cannot read " << shared_data_dir() << "/crm/sales_pipeline.csv";
  std::vector<Deal> out;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    f.resize(8);
    Deal d;
    d.stage = f[4];
    if (!f[5].empty()) d.engage = days(f[5]);
    if (!f[6].empty()) d.close = days(f[6]);
    out.push_back(d);
  }
  return out;
}

TEST(RealData, SalesPipelineWinRateAndCycle) {
  const auto deals = read_pipeline();
  ASSERT_EQ(deals.size(), 8800u);
  auto space = StageSpace::funnel({"Engaging"}, {"Won", "Lost"});
  std::vector<std::int64_t> lead, time;
  std::vector<std::int32_t> stage;
  std::int64_t cutoff = 0;
  double won = 0, closed = 0, exposure = 0;
  std::vector<double> cycle;
  for (const auto& d : deals) cutoff = std::max({cutoff, d.engage, d.close});
  for (std::size_t i = 0; i < deals.size(); ++i) {
    const Deal& d = deals[i];
    if (d.engage < 0) continue;  // Prospecting: no dates
    lead.push_back(static_cast<std::int64_t>(i));
    time.push_back(d.engage);
    stage.push_back(0);
    if (d.stage == "Won" || d.stage == "Lost") {
      lead.push_back(static_cast<std::int64_t>(i));
      time.push_back(d.close);
      stage.push_back(d.stage == "Won" ? 1 : 2);
      won += d.stage == "Won";
      closed += 1;
      cycle.push_back(static_cast<double>(d.close - d.engage));
      exposure += static_cast<double>(d.close - d.engage);
    } else {
      exposure += static_cast<double>(cutoff - d.engage);
    }
  }
  EXPECT_EQ(cutoff, days("2017-12-31"));
  // The published closed-deal figures.
  EXPECT_NEAR(won / closed, 0.6315, 5e-5);
  std::sort(cycle.begin(), cycle.end());
  EXPECT_EQ(cycle[cycle.size() / 2], 45.0);

  // Continuous time, days, open deals censored at the cut-off.
  auto e = ExposureCounts::from_events<std::int64_t>(space, lead, time, stage, cutoff);
  auto q = fit_continuous(e);
  EXPECT_NEAR(e.exposure()(0), exposure, 1e-6);
  auto a = analyze_absorbing(q.jump_chain());
  EXPECT_NEAR(a.absorption(0, 0), won / closed, 1e-12);  // open deals are not counted as lost
  const std::vector<double> probs{0.5};
  auto ttc = time_to_close(q, probs);
  EXPECT_NEAR(ttc.mean(0), exposure / closed, 1e-9);
  EXPECT_NEAR(ttc.quantiles(0, 0), std::log(2.0) * exposure / closed, 1e-6);
  // Censoring matters: open deals have been open a long time, so the censored mean cycle
  // is longer than the closed-deal mean.
  double closed_mean = 0;
  for (double c : cycle) closed_mean += c / static_cast<double>(cycle.size());
  EXPECT_GT(ttc.mean(0), closed_mean);

  // Weekly periods: the same win probability (the open deals contribute stays only).
  PeriodOptions<std::int64_t> w;
  w.period = 7;
  auto weekly = fit(period_counts<std::int64_t>(space, lead, time, stage, w));
  EXPECT_NEAR(analyze_absorbing(weekly).absorption(0, 0), won / closed, 1e-12);
}

}  // namespace test_crm
