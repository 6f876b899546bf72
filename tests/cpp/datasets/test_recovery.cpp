// Every C++ model fitted on a generated company recovers the generator's truth (the
// generator is the oracle).  Tolerances shrink with size: each check allows kZ standard
// errors of the estimate, computed from the data's own counts (binomial for
// probabilities, Gamma for mean dwell times), so a larger company gets a tighter bound.
//   - the funnel's jump chain per segment: funnelnet::fit on TransitionCounts::from_events
//   - mean dwell per stage and segment: fit_continuous on ExposureCounts::from_events
//     (uncensored: 1 / exit rate is the mean dwell)
//   - the referral network's IC edge probabilities: learn_ic_probabilities pooled per
//     source (the truth's probability is one per source)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "funnelnet/datasets.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/graph/ic_learning.hpp"

using namespace funnelnet;

namespace test_recovery {

// Inside the file's namespace: the C++ tests compile as one or two unity TUs
// (tests/CMakeLists.txt), and datasets' stage enumerators (potential, target, won, lost)
// must not reach the files after this one (Boost.Graph's target(), a test's `won`).
using namespace funnelnet::datasets;

constexpr double kZ = 4.5;

const CrmData& company() {
  static const CrmData d = [] {
    CrmOptions o;
    o.n_accounts = 120000;
    o.seed = 31;
    o.censor = false;
    o.region_spread = 0;
    o.industry_spread = 0;
    return synthetic_crm(o);
  }();
  return d;
}

// The event rows of one segment's leads, with stages as int32.
struct SegmentEvents {
  std::vector<std::int64_t> lead;
  std::vector<double> time;
  std::vector<std::int32_t> stage;
};

SegmentEvents events_of(const CrmData& d, int segment) {
  SegmentEvents e;
  for (std::size_t k = 0; k < d.event_lead.size(); ++k) {
    if (d.lead_segment[static_cast<std::size_t>(d.event_lead[k])] != segment) continue;
    e.lead.push_back(d.event_lead[k]);
    e.time.push_back(d.event_time[k]);
    e.stage.push_back(d.event_stage[k]);
  }
  return e;
}

StageSpace crm_space() {
  return StageSpace({"potential", "possible", "target", "effective", "won", "lost"},
                    {false, false, false, false, true, true});
}

TEST(Recovery, FittedFunnelChainPerSegmentMatchesTheTruth) {
  const CrmData& d = company();
  int rows = 0;
  for (int s = 0; s < kCrmSegments; s += 2) {  // organic segments (referred ones are few at default size)
    const SegmentEvents e = events_of(d, s);
    const auto counts =
        TransitionCounts::from_events<double>(crm_space(), e.lead, e.time, e.stage, Repeats::keep);
    const MarkovChain chain = fit(counts);
    for (int i = 0; i < kCrmTransient; ++i) {
      const double n = counts.matrix().row(i).sum();
      ASSERT_GT(n, 300) << "segment " << s << " stage " << i;
      ++rows;
      for (int j = 0; j < kCrmStages; ++j) {
        const double p =
            d.truth.transition[static_cast<std::size_t>((s * kCrmTransient + i) * kCrmStages + j)];
        const double se = std::sqrt(std::max(p * (1 - p), 1e-12) / n);
        EXPECT_NEAR(chain.matrix()(i, j), p, kZ * se + 1e-12) << "segment " << s << " " << i << "->" << j;
      }
    }
  }
  EXPECT_EQ(rows, 12);
}

TEST(Recovery, ContinuousChainExitRatesGiveTheTrueDwellMeans) {
  const CrmData& d = company();
  for (int s = 0; s < kCrmSegments; s += 2) {
    const SegmentEvents e = events_of(d, s);
    const auto ex = ExposureCounts::from_events<double>(crm_space(), e.lead, e.time, e.stage);
    const ContinuousChain q = fit_continuous(ex);
    const Vector rates = q.exit_rates();
    for (int i = 0; i < kCrmTransient; ++i) {
      const double exits = ex.matrix().row(i).sum();
      const double m = d.truth.dwell_mean[static_cast<std::size_t>(s * kCrmTransient + i)];
      // 1 / rate = total exposure / exits = the sample mean of `exits` Gamma dwell times.
      const double se = m / std::sqrt(d.truth.dwell_shape * exits);
      EXPECT_NEAR(1.0 / rates(i), m, kZ * se) << "segment " << s << " stage " << i << " exits " << exits;
    }
  }
}

TEST(Recovery, LearnedIcProbabilitiesMatchTheTradeNetworkTruth) {
  const CrmData& d = company();
  const auto& off = d.truth.tie_offsets;
  const std::size_t n = d.kind.size();
  std::vector<std::int64_t> src(d.truth.tie_target.size()), group(src.size());
  for (std::size_t u = 0; u < n; ++u)
    for (auto e = off[u]; e < off[u + 1]; ++e)
      src[static_cast<std::size_t>(e)] = static_cast<std::int64_t>(u);
  group = src;  // the truth has one probability per source: pool its out-edges
  std::vector<std::uint8_t> active(n, 0);
  for (std::size_t u = 0; u < n; ++u) active[u] = std::isnan(d.won_time[u]) ? 0 : 1;
  const IcEstimate est =
      learn_ic_probabilities(src, d.truth.tie_target, group, active, d.ref_referrer, d.ref_referee);
  // Per exposed source: z = (p_hat - p) / sqrt(p (1 - p) / ties).  Their mean is ~N(0, 1/K)
  // and their mean square ~1 (K sources); both bounds shrink as 1/sqrt(K).
  double z_sum = 0, z2_sum = 0, k = 0, exposures = 0, err_sum = 0;
  for (std::size_t u = 0; u < n; ++u) {
    if (!active[u] || off[u + 1] == off[u]) continue;
    const auto e = static_cast<std::size_t>(off[u]);
    const double ties = static_cast<double>(off[u + 1] - off[u]);
    const double p = d.truth.tie_probability[e];
    if (p <= 0 || p >= 1) continue;
    const double z = (est.probability[e] - p) / std::sqrt(p * (1 - p) / ties);
    z_sum += z;
    z2_sum += z * z;
    err_sum += std::abs(est.probability[e] - p) * ties;
    exposures += ties;
    k += 1;
  }
  ASSERT_GT(k, 3000);
  EXPECT_NEAR(z_sum / k, 0.0, kZ / std::sqrt(k));
  // Var(z^2) for a standardised binomial is 2 + (1 - 6p(1-p)) / (ties p (1-p)) <= a few
  // dozen for p >= 0.01 and ties >= 4: allow kZ * sqrt(40 / K).
  EXPECT_NEAR(z2_sum / k, 1.0, kZ * std::sqrt(40.0 / k));
  // Pooled over every exposure, the estimate is unbiased to O(1/sqrt(exposures)).
  double s_hat = 0, s_true = 0, var = 0;
  for (std::size_t e = 0; e < src.size(); ++e) {
    if (!est.exposures[e]) continue;
    const double p = d.truth.tie_probability[e];
    s_hat += est.successes[e];
    s_true += p;
    var += p * (1 - p);
  }
  EXPECT_NEAR(s_hat, s_true, kZ * std::sqrt(var));
  EXPECT_LT(err_sum / exposures, 0.1);  // mean absolute error per tie, for scale
}

}  // namespace test_recovery
