// The synthetic CRM generator against its own declared truth, recovered by independent
// estimators written here: empirical transition frequencies (binomial standard errors),
// sample means of dwell times (Gamma standard errors), the won share per segment, the
// tier mix and re-grade rate, first-purchase amounts against the Gamma-Gamma mean; the
// absorption probabilities against a brute-force power iteration; determinism across
// thread counts; and a typed error naming the knob for every bad knob.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/datasets.hpp"

using namespace funnelnet;

namespace test_synthetic_crm {

// Inside the file's namespace: the C++ tests compile as one or two unity TUs
// (tests/CMakeLists.txt), and datasets' stage enumerators (potential, target, won, lost)
// must not reach the files after this one (Boost.Graph's target(), a test's `won`).
using namespace funnelnet::datasets;

constexpr double kZ = 4.5;  // standard errors allowed (many checks: keep false alarms rare)

const CrmData& big() {
  static const CrmData d = [] {
    CrmOptions o;
    o.n_accounts = 200000;
    o.seed = 7;
    o.censor = false;     // every lead runs to its end: dwell times and won shares unbiased
    o.region_spread = 0;  // every lead of a segment follows the segment's matrix
    o.industry_spread = 0;
    return synthetic_crm(o);
  }();
  return d;
}

TEST(SyntheticCrm, TransitionFrequenciesMatchTheTruthPerSegment) {
  const CrmData& d = big();
  std::vector<double> counts(kCrmSegments * kCrmTransient * kCrmStages, 0.0);
  for (std::size_t k = 1; k < d.event_lead.size(); ++k) {
    if (d.event_lead[k] != d.event_lead[k - 1]) continue;
    const int seg = d.lead_segment[static_cast<std::size_t>(d.event_lead[k])];
    const int from = d.event_stage[k - 1], to = d.event_stage[k];
    ASSERT_LT(from, kCrmTransient);
    ASSERT_LE(d.event_time[k - 1], d.event_time[k]);
    counts[static_cast<std::size_t>((seg * kCrmTransient + from) * kCrmStages + to)] += 1;
  }
  int checked = 0;
  for (int s = 0; s < kCrmSegments; ++s)
    for (int i = 0; i < kCrmTransient; ++i) {
      double n = 0;
      for (int j = 0; j < kCrmStages; ++j)
        n += counts[static_cast<std::size_t>((s * kCrmTransient + i) * kCrmStages + j)];
      if (n < 200) continue;
      ++checked;
      for (int j = 0; j < kCrmStages; ++j) {
        const std::size_t at = static_cast<std::size_t>((s * kCrmTransient + i) * kCrmStages + j);
        const double p = d.truth.transition[at];
        const double phat = counts[at] / n;
        const double se = std::sqrt(std::max(p * (1 - p), 1e-12) / n);
        EXPECT_NEAR(phat, p, kZ * se + 1e-12) << "segment " << s << " " << i << "->" << j << " n=" << n;
      }
    }
  EXPECT_GE(checked, 20);
}

TEST(SyntheticCrm, DwellTimesMatchTheGammaTruth) {
  const CrmData& d = big();
  std::vector<double> sum(kCrmSegments * kCrmTransient, 0.0), cnt(sum.size(), 0.0);
  for (std::size_t k = 1; k < d.event_lead.size(); ++k) {
    if (d.event_lead[k] != d.event_lead[k - 1]) continue;
    const int seg = d.lead_segment[static_cast<std::size_t>(d.event_lead[k])];
    const auto at = static_cast<std::size_t>(seg * kCrmTransient + d.event_stage[k - 1]);
    sum[at] += d.event_time[k] - d.event_time[k - 1];
    cnt[at] += 1;
  }
  for (std::size_t at = 0; at < sum.size(); ++at) {
    if (cnt[at] < 100) continue;
    const double m = d.truth.dwell_mean[at];
    const double se = m / std::sqrt(d.truth.dwell_shape * cnt[at]);  // Gamma sd = mean / sqrt(shape)
    EXPECT_NEAR(sum[at] / cnt[at], m, kZ * se) << "segment/stage " << at;
  }
}

TEST(SyntheticCrm, WonSharesMatchTheConversionProbabilities) {
  const CrmData& d = big();
  std::vector<double> won(kCrmSegments, 0.0), n(kCrmSegments, 0.0);
  for (std::size_t l = 0; l < d.lead_account.size(); ++l) {
    EXPECT_NE(d.lead_outcome[l], 0);  // uncensored: every lead ends
    const auto s = static_cast<std::size_t>(d.lead_segment[l]);
    EXPECT_DOUBLE_EQ(d.lead_conversion[l], d.truth.conversion[s]);
    n[s] += 1;
    won[s] += d.lead_outcome[l] == 1 ? 1 : 0;
  }
  for (int s = 0; s < kCrmSegments; ++s) {
    const double p = d.truth.conversion[static_cast<std::size_t>(s)];
    ASSERT_GT(n[static_cast<std::size_t>(s)], 1000);
    EXPECT_NEAR(won[static_cast<std::size_t>(s)] / n[static_cast<std::size_t>(s)], p,
                kZ * std::sqrt(p * (1 - p) / n[static_cast<std::size_t>(s)]))
        << "segment " << s;
  }
  // Segment effects: referred leads convert more often than organic ones of the same kind.
  for (int k = 0; k < 3; ++k) EXPECT_GT(d.truth.conversion[2 * k + 1], d.truth.conversion[2 * k]);
}

TEST(SyntheticCrm, ConversionTruthEqualsBruteForceAbsorption) {
  const CrmTruth t = crm_truth(CrmOptions{});
  for (int s = 0; s < kCrmSegments; ++s) {
    const double* p = t.transition.data() + s * kCrmTransient * kCrmStages;
    std::vector<double> dist(kCrmStages, 0.0);
    dist[potential] = 1.0;
    for (int step = 0; step < 5000; ++step) {
      std::vector<double> next(kCrmStages, 0.0);
      next[won] = dist[won];
      next[lost] = dist[lost];
      for (int i = 0; i < kCrmTransient; ++i)
        for (int j = 0; j < kCrmStages; ++j) next[j] += dist[i] * p[i * kCrmStages + j];
      dist = next;
    }
    EXPECT_NEAR(t.conversion[static_cast<std::size_t>(s)], dist[won], 1e-10) << s;
    for (int i = 0; i < kCrmTransient; ++i) {
      double row = 0;
      for (int j = 0; j < kCrmStages; ++j) row += p[i * kCrmStages + j];
      EXPECT_NEAR(row, 1.0, 1e-12);
    }
  }
}

TEST(SyntheticCrm, FunnelShapeIsRoughlySixThreeOne) {
  // DOMAIN.md: of 10 leads about 6 stay potential, 3 become possible, 1 target; < 30 % won.
  const CrmData& d = big();
  std::vector<int> top(d.lead_account.size(), 0);
  for (std::size_t k = 0; k < d.event_lead.size(); ++k) {
    const int st = d.event_stage[k];
    if (st < kCrmTransient) {
      auto& t = top[static_cast<std::size_t>(d.event_lead[k])];
      t = std::max(t, st);
    }
  }
  double stay = 0, possible = 0, beyond = 0, won_n = 0;
  for (std::size_t l = 0; l < top.size(); ++l) {
    stay += top[l] == 0;
    possible += top[l] == 1;
    beyond += top[l] >= 2;
    won_n += d.lead_outcome[l] == 1;
  }
  const double n = static_cast<double>(top.size());
  EXPECT_NEAR(stay / n, 0.6, 0.08);
  EXPECT_NEAR(possible / n, 0.3, 0.08);
  EXPECT_NEAR(beyond / n, 0.1, 0.06);
  EXPECT_LT(won_n / n, 0.3);
}

TEST(SyntheticCrm, TierMixAndRegradeRate) {
  const CrmData& d = big();
  const std::size_t n = d.kind.size(), months = d.tiers.size() / n;
  double changes = 0;
  std::vector<double> last(3, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t m = 1; m < months; ++m)
      changes += d.tiers[i * months + m] != d.tiers[i * months + m - 1];
    last[static_cast<std::size_t>(d.tiers[i * months + months - 1])] += 1;
  }
  const double mix[3] = {0.1, 0.3, 0.6};
  for (int k = 0; k < 3; ++k)
    EXPECT_NEAR(last[static_cast<std::size_t>(k)] / static_cast<double>(n), mix[k],
                kZ * std::sqrt(mix[k] * (1 - mix[k]) / static_cast<double>(n)));
  // Re-grade indicators of one account are dependent; the chain mixes in a few months,
  // so 5 x the independent-binomial error is still a tight check (about +- 0.002).
  const double cells = static_cast<double>(n * (months - 1));
  EXPECT_NEAR(changes / cells, 0.2, 5 * kZ * std::sqrt(0.2 * 0.8 / cells));
  // A losses: the A -> C monthly probability compounds to a_loss_rate a year.
  const double ac = d.truth.tier_matrix[2];
  EXPECT_NEAR(1 - std::pow(1 - ac, 12), 0.2, 1e-12);
}

TEST(SyntheticCrm, FirstPurchaseAmountsMatchGammaGamma) {
  const CrmData& d = big();
  const CrmOptions o;
  double s = 0, s2 = 0, n = 0;
  for (std::size_t k = 0; k < d.tx_account.size(); ++k) {
    if (k > 0 && d.tx_account[k] == d.tx_account[k - 1]) continue;  // first purchase of each customer
    const auto i = static_cast<std::size_t>(d.tx_account[k]);
    EXPECT_DOUBLE_EQ(d.tx_time[k], d.customer_since[i]);
    if (d.tx_time[k] >= 0) {
      EXPECT_DOUBLE_EQ(d.tx_time[k], d.won_time[i]);
    }
    s += d.tx_amount[k];
    s2 += d.tx_amount[k] * d.tx_amount[k];
    n += 1;
  }
  ASSERT_GT(n, 5000);
  const double mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
  EXPECT_NEAR(mean, o.gg_p * o.gg_v / (o.gg_q - 1), kZ * sd / std::sqrt(n));
}

TEST(SyntheticCrm, SameSeedSameDataAtAnyThreadCount) {
  CrmOptions o;
  o.n_accounts = 30000;
  o.seed = 11;
  o.threads = 1;
  const CrmData a = synthetic_crm(o);
  o.threads = 4;
  const CrmData b = synthetic_crm(o);
  EXPECT_EQ(a.tiers, b.tiers);
  EXPECT_EQ(a.criteria, b.criteria);
  EXPECT_EQ(a.event_lead, b.event_lead);
  EXPECT_EQ(a.event_time, b.event_time);
  EXPECT_EQ(a.event_stage, b.event_stage);
  EXPECT_EQ(a.tx_amount, b.tx_amount);
  EXPECT_EQ(a.lead_account, b.lead_account);
  EXPECT_EQ(a.ref_referee, b.ref_referee);
  EXPECT_EQ(a.ref_time, b.ref_time);
  EXPECT_EQ(a.truth.tie_target, b.truth.tie_target);
  EXPECT_EQ(a.possibility, b.possibility);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.touch_lead, b.touch_lead);
  EXPECT_EQ(a.touch_channel, b.touch_channel);
  EXPECT_EQ(a.touch_time, b.touch_time);
  EXPECT_EQ(a.act_account, b.act_account);
  EXPECT_EQ(a.act_time, b.act_time);
  EXPECT_EQ(a.tx_time, b.tx_time);
  EXPECT_GT(a.ref_referee.size(), 100U);
  o.seed = 12;
  const CrmData c = synthetic_crm(o);
  EXPECT_NE(a.event_time, c.event_time);
}

TEST(SyntheticCrm, BadKnobsAreTypedErrorsNamingTheKnob) {
  auto bad = [](auto change, const char* needle) {
    CrmOptions o;
    o.n_accounts = 10;
    change(o);
    expect_error([&] { synthetic_crm(o); }, Errc::invalid_argument, needle);
  };
  bad([](CrmOptions& o) { o.n_accounts = -1; }, "n_accounts must be >= 0, got -1");
  bad([](CrmOptions& o) { o.months = 0; }, "months");
  bad([](CrmOptions& o) { o.kind_mix = {0.5, 0.5, 0.5}; }, "kind_mix must sum to 1");
  bad([](CrmOptions& o) { o.tier_mix = {1.5, -0.2, -0.3}; }, "tier_mix[0] must be in [0, 1], got 1.5");
  bad([](CrmOptions& o) { o.regrade_rate = 1.2; }, "regrade_rate");
  bad([](CrmOptions& o) { o.referred_share = -0.1; }, "referred_share must be in [0, 1], got -0.1");
  bad([](CrmOptions& o) { o.funnel_matrix[0] = 0.1; }, "funnel_matrix[0][0]");
  bad([](CrmOptions& o) { o.funnel_matrix[1] = 0.5; }, "funnel_matrix row 0 must sum to 1");
  bad([](CrmOptions& o) { o.dwell_shape = 0; }, "dwell_shape");
  bad([](CrmOptions& o) { o.bg_alpha = -3; }, "bg_alpha must be positive and finite, got -3");
  bad([](CrmOptions& o) { o.threads = -2; }, "threads");
  bad([](CrmOptions& o) { o.referral_probability = 2; }, "referral_probability must be in [0, 1], got 2");
  bad([](CrmOptions& o) { o.min_ties = -1; }, "min_ties must be >= 0, got -1");
  bad([](CrmOptions& o) { o.tie_tail = 0; }, "tie_tail");
  bad([](CrmOptions& o) { o.region_spread = -0.1; }, "region_spread must be >= 0 and finite, got -0.1");
  bad([](CrmOptions& o) { o.channel_mix = {0.5, 0.5, 0.5, 0, 0, 0}; }, "channel_mix must sum to 1");
  bad([](CrmOptions& o) { o.channel_lift[2] = 0; }, "channel_lift");
  bad([](CrmOptions& o) { o.touches_mean = 0.5; }, "touches_mean must be >= 1");
  bad([](CrmOptions& o) { o.visit_rate = -1; }, "visit_rate");
  bad([](CrmOptions& o) { o.customer_share = 1.5; }, "customer_share must be in [0, 1], got 1.5");
  bad([](CrmOptions& o) { o.customer_years = -2; }, "customer_years");
  bad([](CrmOptions& o) { o.grade_strength = -1; }, "grade_strength");
  bad(
      [](CrmOptions& o) {
        o.a_loss_rate = 0.9;
        o.regrade_rate = 0.01;
      },
      "a_loss_rate");
}

TEST(SyntheticCrm, ZeroAccountsIsEmpty) {
  CrmOptions o;
  o.n_accounts = 0;
  const CrmData d = synthetic_crm(o);
  EXPECT_TRUE(d.kind.empty());
  EXPECT_TRUE(d.event_lead.empty());
  EXPECT_TRUE(d.tx_account.empty());
  EXPECT_EQ(d.truth.conversion.size(), static_cast<std::size_t>(kCrmSegments));
}

TEST(SyntheticCrm, TradeNetworkIsHeavyTailedWithinIndustries) {
  const CrmData& d = big();
  const auto& off = d.truth.tie_offsets;
  const std::size_t n = d.kind.size();
  ASSERT_EQ(off.size(), n + 1);
  double ge8 = 0, ge16 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t deg = off[i + 1] - off[i];
    ASSERT_GE(deg, 4);  // every account influences at least 4 peers (industries are large here)
    ge8 += deg >= 8;
    ge16 += deg >= 16;
    std::vector<std::int64_t> seen;
    double sum = 0;
    for (auto e = static_cast<std::size_t>(off[i]); e < static_cast<std::size_t>(off[i + 1]); ++e) {
      const auto j = d.truth.tie_target[e];
      ASSERT_NE(j, static_cast<std::int64_t>(i));
      ASSERT_EQ(d.industry[static_cast<std::size_t>(j)], d.industry[i]);
      seen.push_back(j);
      sum += d.truth.tie_probability[e];
    }
    std::sort(seen.begin(), seen.end());
    ASSERT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
    ASSERT_NEAR(d.truth.influence[i], sum, 1e-9);
  }
  // ties = floor(4 U^(-1/2)): P(ties >= x) = (4 / x)^2, a Pareto tail of index 2
  const double nn = static_cast<double>(n);
  EXPECT_NEAR(ge8 / nn, 0.25, kZ * std::sqrt(0.25 * 0.75 / nn));
  EXPECT_NEAR(ge16 / nn, 0.0625, kZ * std::sqrt(0.0625 * 0.9375 / nn));
}

TEST(SyntheticCrm, ReferralsFollowTheIndependentCascadeTruth) {
  const CrmData& d = big();
  const std::size_t n = d.kind.size();
  // Every won account tries each tie once (uncensored): the referrals it made are a sum
  // of Bernoulli(p_e) over its ties.
  std::vector<double> made(n, 0.0);
  double delay = 0;
  for (std::size_t k = 0; k < d.ref_referrer.size(); ++k) {
    const auto i = static_cast<std::size_t>(d.ref_referrer[k]);
    ASSERT_FALSE(std::isnan(d.won_time[i]));
    const double dt = d.ref_time[k] - d.won_time[i];
    ASSERT_GT(dt, 0.0);
    delay += dt;
    made[i] += 1;
    bool is_tie = false;
    for (auto e = static_cast<std::size_t>(d.truth.tie_offsets[i]);
         e < static_cast<std::size_t>(d.truth.tie_offsets[i + 1]); ++e)
      is_tie = is_tie || d.truth.tie_target[e] == d.ref_referee[k];
    ASSERT_TRUE(is_tie);
  }
  double fired = 0, expect = 0, var = 0, winners = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(d.won_time[i])) continue;
    winners += 1;
    fired += made[i];
    for (auto e = static_cast<std::size_t>(d.truth.tie_offsets[i]);
         e < static_cast<std::size_t>(d.truth.tie_offsets[i + 1]); ++e) {
      const double p = d.truth.tie_probability[e];
      expect += p;
      var += p * (1 - p);
    }
  }
  ASSERT_GT(winners, 5000);
  EXPECT_NEAR(fired, expect, kZ * std::sqrt(var));
  const double nref = static_cast<double>(d.ref_referrer.size());
  EXPECT_NEAR(delay / nref, 30.0, kZ * 30.0 / std::sqrt(nref));  // exponential: sd = mean

  // A referral opens a referred lead starting at its time, once per account at most.
  std::vector<int> opened(n, 0);
  std::size_t referred_leads = 0;
  for (std::size_t l = 0; l < d.lead_account.size(); ++l)
    if (d.lead_referred[l]) ++referred_leads;
  for (std::size_t k = 0; k < d.ref_referee.size(); ++k)
    if (d.ref_new_lead[k]) ++opened[static_cast<std::size_t>(d.ref_referee[k])];
  std::size_t opens = 0;
  for (int c : opened) {
    ASSERT_LE(c, 1);
    opens += static_cast<std::size_t>(c);
  }
  EXPECT_EQ(opens, referred_leads);  // referred_share = 0: all referred leads come from the cascade
  EXPECT_GT(opens, 1000U);
}

TEST(SyntheticCrm, OpportunitiesAreTheQuotedLeadsWithDeclaredMixes) {
  const CrmData& d = big();
  const CrmOptions o;
  // Independent of the generator's bookkeeping: leads with a `target` event, from the events.
  std::vector<double> quoted(d.lead_account.size(), std::nan(""));
  for (std::size_t k = 0; k < d.event_lead.size(); ++k) {
    auto& q = quoted[static_cast<std::size_t>(d.event_lead[k])];
    if (d.event_stage[k] == target && std::isnan(q)) q = d.event_time[k];
  }
  std::size_t n_quoted = 0;
  for (double q : quoted) n_quoted += !std::isnan(q);
  ASSERT_EQ(d.opp_lead.size(), n_quoted);
  std::vector<double> reasons(6, 0.0), products(5, 0.0), sum(3, 0.0), cnt(3, 0.0);
  double lost_n = 0;
  for (std::size_t k = 0; k < d.opp_lead.size(); ++k) {
    const auto l = static_cast<std::size_t>(d.opp_lead[k]);
    ASSERT_EQ(d.opp_entry[k], quoted[l]);
    ASSERT_EQ(d.opp_account[k], d.lead_account[l]);
    ASSERT_EQ(d.opp_status[k], d.lead_outcome[l]);
    ASSERT_EQ(d.opp_owner[k] / o.agents_per_region, d.region[static_cast<std::size_t>(d.opp_account[k])]);
    ASSERT_EQ(d.opp_reason[k] >= 0, d.opp_status[k] == 2);
    if (d.opp_status[k] == 2) {
      reasons[static_cast<std::size_t>(d.opp_reason[k])] += 1;
      lost_n += 1;
    }
    products[static_cast<std::size_t>(d.opp_product[k])] += 1;
    const auto kind = static_cast<std::size_t>(d.kind[static_cast<std::size_t>(d.opp_account[k])]);
    sum[kind] += d.opp_amount[k];
    cnt[kind] += 1;
  }
  for (std::size_t l = 0; l < d.lead_account.size(); ++l)
    if (d.lead_outcome[l] == 1) {
      ASSERT_FALSE(std::isnan(quoted[l]));  // every win went through a quote
    }
  const double nopp = static_cast<double>(d.opp_lead.size());
  ASSERT_GT(lost_n, 2000);
  for (std::size_t r = 0; r < 6; ++r) {
    const double p = o.loss_reason_mix[r];
    EXPECT_NEAR(reasons[r] / lost_n, p, kZ * std::sqrt(p * (1 - p) / lost_n)) << r;
  }
  for (std::size_t r = 0; r < 5; ++r) {
    const double p = o.product_mix[r];
    EXPECT_NEAR(products[r] / nopp, p, kZ * std::sqrt(p * (1 - p) / nopp)) << r;
  }
  for (std::size_t k = 0; k < 3; ++k) {
    const double m = o.deal_value[k];
    EXPECT_NEAR(sum[k] / cnt[k], m, kZ * m / std::sqrt(o.deal_shape * cnt[k])) << k;
  }
}

// A company with region and industry effects, every lead run to its end.
const CrmData& with_effects() {
  static const CrmData d = [] {
    CrmOptions o;
    o.n_accounts = 150000;
    o.seed = 21;
    o.censor = false;
    o.region_spread = 0.5;
    o.industry_spread = 0.5;
    return synthetic_crm(o);
  }();
  return d;
}

// Brute force: the won probability from `potential` by iterating the chain 4000 steps.
double won_by_iteration(const std::vector<double>& p) {
  std::vector<double> x(kCrmStages, 0.0), y(kCrmStages);
  x[potential] = 1;
  for (int step = 0; step < 4000; ++step) {
    std::fill(y.begin(), y.end(), 0.0);
    y[won] = x[won];
    y[lost] = x[lost];
    for (int i = 0; i < kCrmTransient; ++i)
      for (int j = 0; j < kCrmStages; ++j)
        y[static_cast<std::size_t>(j)] +=
            x[static_cast<std::size_t>(i)] * p[static_cast<std::size_t>(i * kCrmStages + j)];
    x.swap(y);
  }
  return x[won];
}

TEST(SyntheticCrm, LeadConversionCarriesRegionAndIndustryEffects) {
  const CrmData& d = with_effects();
  const CrmOptions o;
  // The documented rule, rebuilt here: forward moves (and won) of the segment's matrix
  // scaled by region x industry effect, rows renormalised; conversion by brute force.
  for (std::size_t l = 0; l < 50; ++l) {
    const auto i = static_cast<std::size_t>(d.lead_account[l]);
    const double e = d.truth.region_effect[static_cast<std::size_t>(d.region[i])] *
                     d.truth.industry_effect[static_cast<std::size_t>(d.industry[i])];
    std::vector<double> p(d.truth.transition.begin() + d.lead_segment[l] * kCrmTransient * kCrmStages,
                          d.truth.transition.begin() + (d.lead_segment[l] + 1) * kCrmTransient * kCrmStages);
    for (int r = 0; r < kCrmTransient; ++r) {
      double sum = 0;
      for (int j = 0; j < kCrmStages; ++j) {
        auto& v = p[static_cast<std::size_t>(r * kCrmStages + j)];
        if (j > r && j != lost) v *= e;
        sum += v;
      }
      for (int j = 0; j < kCrmStages; ++j) p[static_cast<std::size_t>(r * kCrmStages + j)] /= sum;
    }
    EXPECT_NEAR(d.lead_conversion[l], won_by_iteration(p), 1e-9) << "lead " << l;
  }
  // The effects are real: per region, the won share of its leads matches the mean of their
  // true conversion probabilities (binomial standard error), and the regions differ.
  const auto nr = d.truth.region_effect.size();
  std::vector<double> won_n(nr, 0), sum_p(nr, 0), var_p(nr, 0), n(nr, 0);
  for (std::size_t l = 0; l < d.lead_account.size(); ++l) {
    const auto r = static_cast<std::size_t>(d.region[static_cast<std::size_t>(d.lead_account[l])]);
    const double p = d.lead_conversion[l];
    won_n[r] += d.lead_outcome[l] == 1;
    sum_p[r] += p;
    var_p[r] += p * (1 - p);
    n[r] += 1;
  }
  double lo = 1, hi = 0;
  for (std::size_t r = 0; r < nr; ++r) {
    EXPECT_NEAR(won_n[r] / n[r], sum_p[r] / n[r], kZ * std::sqrt(var_p[r]) / n[r]) << "region " << r;
    lo = std::min(lo, sum_p[r] / n[r]);
    hi = std::max(hi, sum_p[r] / n[r]);
  }
  EXPECT_GT(hi / lo, 1.3);  // spread 0.5: regions convert visibly differently
  // The effects follow the declared log-sd (8 + 12 draws of exp(0.5 z)).
  double s2 = 0;
  for (double e : d.truth.region_effect) s2 += std::log(e) * std::log(e);
  for (double e : d.truth.industry_effect) s2 += std::log(e) * std::log(e);
  const double sd = std::sqrt(s2 / 20.0);
  EXPECT_GT(sd, 0.25);
  EXPECT_LT(sd, 0.85);
  (void)o;
}

TEST(SyntheticCrm, ProspectGradesRiseWithTheTrueConversionProbability) {
  const CrmData& d = with_effects();
  // First lead of each account = its organic lead (lead ids are in account order in the
  // first blocks): its conversion probability c drives both grade axes.
  const std::size_t n = d.kind.size();
  std::vector<double> c(n, -1);
  for (std::size_t l = 0; l < d.lead_account.size(); ++l) {
    const auto i = static_cast<std::size_t>(d.lead_account[l]);
    if (c[i] < 0 && !d.lead_referred[l]) c[i] = d.lead_conversion[l];
  }
  // Sort accounts into 5 bins of c; the share of A (Hot) must rise and of C (Cold) fall.
  std::vector<double> sorted(c);
  std::sort(sorted.begin(), sorted.end());
  const int kBins = 5;
  std::vector<double> cuts;
  for (int b = 1; b < kBins; ++b) cuts.push_back(sorted[n * static_cast<std::size_t>(b) / kBins]);
  for (const auto* grade : {&d.possibility, &d.progress}) {
    std::vector<double> a(kBins, 0), cc(kBins, 0), m(kBins, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto b =
          static_cast<std::size_t>(std::upper_bound(cuts.begin(), cuts.end(), c[i]) - cuts.begin());
      a[b] += (*grade)[i] == 0;
      cc[b] += (*grade)[i] == 2;
      m[b] += 1;
    }
    int bins = 0;
    for (int b = 0; b + 1 < kBins; ++b) {
      const auto k = static_cast<std::size_t>(b);
      if (m[k] < 1000 || m[k + 1] < 1000) continue;  // ties: c takes few distinct values
      ++bins;
      EXPECT_LT(a[k] / m[k], a[k + 1] / m[k + 1]) << "bin " << b;
      EXPECT_GT(cc[k] / m[k], cc[k + 1] / m[k + 1]) << "bin " << b;
    }
    EXPECT_GE(bins, 2);
    // The declared weights, checked exactly on average: E[1{A}] = E[w_A(c) / sum w(c)].
    const CrmOptions o;
    const auto& mix = grade == &d.possibility ? o.possibility_mix : o.progress_mix;
    const double cb = d.truth.conversion[4];
    double expect = 0, got = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = std::pow(c[i] / cb, o.grade_strength);
      expect += mix[0] * t / (mix[0] * t + mix[1] + mix[2] / t);
      got += (*grade)[i] == 0;
    }
    EXPECT_NEAR(got / static_cast<double>(n), expect / static_cast<double>(n),
                kZ * std::sqrt(0.25 / static_cast<double>(n)));
  }
}

TEST(SyntheticCrm, TouchesFollowTheChannelTruth) {
  const CrmData& d = with_effects();
  const CrmOptions o;
  const std::size_t nl = d.lead_account.size();
  std::vector<double> per_lead(nl, 0);
  std::vector<double> won_ch(kCrmChannels, 0), other_ch(kCrmChannels, 0);
  double won_touches = 0, other_touches = 0;
  std::vector<double> has(static_cast<std::size_t>(kCrmChannels) * nl, 0);
  for (std::size_t k = 0; k < d.touch_lead.size(); ++k) {
    const auto l = static_cast<std::size_t>(d.touch_lead[k]);
    if (k > 0) {
      ASSERT_LE(d.touch_lead[k - 1], d.touch_lead[k]);
    }
    if (k > 0 && d.touch_lead[k - 1] == d.touch_lead[k]) {
      ASSERT_LE(d.touch_time[k - 1], d.touch_time[k]);
    }
    ASSERT_GE(d.touch_time[k], d.lead_start[l]);
    ASSERT_LE(d.touch_time[k], d.lead_end[l]);
    per_lead[l] += 1;
    const auto c = static_cast<std::size_t>(d.touch_channel[k]);
    const bool w = d.lead_outcome[l] == 1;
    (w ? won_ch : other_ch)[c] += 1;
    (w ? won_touches : other_touches) += 1;
    has[l * kCrmChannels + c] = 1;
    const bool last = k + 1 == d.touch_lead.size() || d.touch_lead[k + 1] != d.touch_lead[k];
    EXPECT_EQ(d.touch_converted[k], w && last ? 1 : 0);
  }
  double mean = 0;
  for (double v : per_lead) {
    ASSERT_GE(v, 1);
    mean += v;
  }
  mean /= static_cast<double>(nl);
  // 1 + Poisson(m - 1): variance m - 1.
  EXPECT_NEAR(mean, o.touches_mean, kZ * std::sqrt((o.touches_mean - 1) / static_cast<double>(nl)));
  double n_won = 0;
  std::vector<double> reach(kCrmChannels, 0);
  for (std::size_t l = 0; l < nl; ++l) {
    if (d.lead_outcome[l] != 1) continue;
    n_won += 1;
    for (std::size_t c = 0; c < kCrmChannels; ++c) reach[c] += has[l * kCrmChannels + c];
  }
  for (std::size_t c = 0; c < kCrmChannels; ++c) {
    const double w = d.truth.channel_won_share[c], b = o.channel_mix[c];
    EXPECT_NEAR(won_ch[c] / won_touches, w, kZ * std::sqrt(w * (1 - w) / won_touches)) << c;
    EXPECT_NEAR(other_ch[c] / other_touches, b, kZ * std::sqrt(b * (1 - b) / other_touches)) << c;
    // Path-level removal effect: the share of won leads touching c.
    const double r = d.truth.channel_removal[c];
    EXPECT_NEAR(reach[c] / n_won, r, kZ * std::sqrt(r * (1 - r) / n_won)) << c;
  }
}

TEST(SyntheticCrm, ActivitiesFollowTheirRates) {
  const CrmData& d = with_effects();
  const CrmOptions o;
  double expect_visits = 0;
  for (std::size_t l = 0; l < d.lead_account.size(); ++l)
    expect_visits += o.visit_rate * (d.lead_end[l] - d.lead_start[l]) / 7.0;
  double visits = 0, promotions = 0;
  for (std::size_t k = 0; k < d.act_kind.size(); ++k) {
    const auto i = static_cast<std::size_t>(d.act_account[k]);
    EXPECT_EQ(d.act_owner[k], d.owner[i]);
    (d.act_kind[k] == 0 ? visits : promotions) += 1;
  }
  // Sums of independent Poisson counts: variance = mean.
  EXPECT_NEAR(visits, expect_visits, kZ * std::sqrt(expect_visits));
  const double expect_promotions = o.promotion_rate * d.horizon / 365.25 * static_cast<double>(d.kind.size());
  EXPECT_NEAR(promotions, expect_promotions, kZ * std::sqrt(expect_promotions));
  for (std::size_t i = 0; i < d.kind.size(); ++i) {
    ASSERT_GE(d.owner[i], d.region[i] * o.agents_per_region);
    ASSERT_LT(d.owner[i], (d.region[i] + 1) * o.agents_per_region);
  }
}

TEST(SyntheticCrm, ExistingCustomersCarryAPurchaseHistory) {
  const CrmData& d = with_effects();
  const CrmOptions o;
  double existing = 0;
  for (std::size_t i = 0; i < d.kind.size(); ++i) {
    if (d.customer_since[i] < 0) {
      ++existing;
      EXPECT_GE(d.customer_since[i], -o.customer_years * 365.25);
    }
  }
  const double n = static_cast<double>(d.kind.size()), p = o.customer_share;
  EXPECT_NEAR(existing / n, p, kZ * std::sqrt(p * (1 - p) / n));
}

}  // namespace test_synthetic_crm
