// The thread-count rule outside the graph area (core/parallel.hpp, resolve_threads):
// threads = 0 runs small inputs on one thread and large ones on more, a positive count is
// used as given, and the result is bit-identical at every count.  The oracle for the
// count is detail::take_threads_peak() against the work each area documents; the oracle
// for the result is the same call at threads = 1.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "funnelnet/core/threads.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/pipeline/distribution.hpp"
#include "funnelnet/pipeline/simulate.hpp"
#include "funnelnet/scoring/logistic.hpp"
#include "funnelnet/scoring/metrics.hpp"

namespace fn = funnelnet;

namespace test_thread_choice {

// Runs f at `threads` and returns (its result, the most threads it used).
template <class F>
auto at(int threads, F&& f) {
  (void)fn::detail::take_threads_peak();
  auto r = f(threads);
  return std::make_pair(std::move(r), fn::detail::take_threads_peak());
}

bool two_cores() {
  return fn::usable_cores() >= 2;
}

fn::TransitionCounts counts3() {
  auto sp = fn::StageSpace::funnel({"lead", "demo"}, {"won", "lost"});
  fn::Matrix c(4, 4);
  c << 5, 20, 3, 12, 0, 4, 9, 6, 0, 0, 0, 0, 0, 0, 0, 0;
  return fn::TransitionCounts(sp, c);
}

}  // namespace test_thread_choice

TEST(ThreadChoice, PositiveCountsAreUsedAsGiven) {
  if (!test_thread_choice::two_cores()) GTEST_SKIP() << "one usable core";
  const auto c = test_thread_choice::counts3();
  fn::PosteriorOptions o;
  o.draws = 1000;  // 16 blocks of 64 draws: tiny work
  const auto used2 = test_thread_choice::at(2, [&](int t) {
                       o.threads = t;
                       return fn::posterior_figures(c, o);
                     }).second;
  EXPECT_EQ(used2, 2U);
}

TEST(ThreadChoice, PosteriorDrawsOnSmallChainsRunOnOneThread) {
  if (!test_thread_choice::two_cores()) GTEST_SKIP() << "one usable core";
  const auto c = test_thread_choice::counts3();
  fn::PosteriorOptions o;
  o.draws = 1000;  // 1000 draws x (2 x 2 + 2) x 2 = 12,000 steps, far below 2 x step_grain
  auto run = [&](int t) {
    o.threads = t;
    return fn::posterior_figures(c, o);
  };
  const auto [r0, used0] = test_thread_choice::at(0, run);
  const auto [r1, used1] = test_thread_choice::at(1, run);
  EXPECT_EQ(used0, 1U);
  EXPECT_EQ(used1, 1U);
  EXPECT_EQ(r0.absorption_lower, r1.absorption_lower);
  EXPECT_EQ(r0.steps_upper, r1.steps_upper);
}

TEST(ThreadChoice, FunnelSimulationChoosesFromTheLeads) {
  if (!test_thread_choice::two_cores()) GTEST_SKIP() << "one usable core";
  auto sp = fn::StageSpace::funnel({"lead", "demo"}, {"won", "lost"});
  fn::Matrix p(4, 4);
  p << .2, .5, .1, .2, 0, .3, .4, .3, 0, 0, 1, 0, 0, 0, 0, 1;
  const fn::MarkovChain chain(sp, p);
  fn::SimulateOptions o;
  o.seed = 5;
  auto run = [&](std::size_t leads) {
    return [&, leads](int t) {
      o.threads = t;
      return fn::simulate_events(chain, 0, leads, o);
    };
  };
  // 3 blocks of 4096 leads (12,000 x 5 steps): one thread, as threads = 1 would.
  const auto [small0, s0] = test_thread_choice::at(0, run(12000));
  const auto [small1, s1] = test_thread_choice::at(1, run(12000));
  EXPECT_EQ(s0, 1U);
  EXPECT_EQ(small0.stage, small1.stage);
  EXPECT_EQ(small0.time, small1.time);
  // 2^19 leads x 5 steps: more than 2 x step_grain, so at least two threads.
  const auto [big0, b0] = test_thread_choice::at(0, run(std::size_t{1} << 19));
  const auto [big1, b1] = test_thread_choice::at(1, run(std::size_t{1} << 19));
  EXPECT_GE(b0, 2U);
  EXPECT_EQ(b1, 1U);
  EXPECT_EQ(big0.lead, big1.lead);
  EXPECT_EQ(big0.time, big1.time);
}

TEST(ThreadChoice, PipelineDistributionAndSimulationOfFewDealsRunOnOneThread) {
  if (!test_thread_choice::two_cores()) GTEST_SKIP() << "one usable core";
  std::vector<double> p(300);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = 0.05 + 0.9 * static_cast<double>(i % 17) / 16.0;
  // 300 deals: five leaves of 64 deals, but 300 x 64 steps of work.
  const auto [pmf0, u0] = test_thread_choice::at(0, [&](int t) { return fn::poisson_binomial_pmf(p, t); });
  const auto [pmf1, u1] = test_thread_choice::at(1, [&](int t) { return fn::poisson_binomial_pmf(p, t); });
  EXPECT_EQ(u0, 1U);
  EXPECT_EQ(pmf0, pmf1);
  // 2,000 runs of 20 deals over 3 periods: 125 tasks of 16 runs, 2,000 x 21 x 4 steps.
  std::vector<double> table(20 * 3, 0.2), amount(20, 100.0);
  fn::PipelineSimOptions o;
  o.runs = 2000;
  o.seed = 9;
  auto sim = [&](int t) {
    o.threads = t;
    return fn::simulate_pipeline(table, 3, amount, o);
  };
  const auto [sim0, v0] = test_thread_choice::at(0, sim);
  const auto [sim1, v1] = test_thread_choice::at(1, sim);
  EXPECT_EQ(v0, 1U);
  EXPECT_EQ(sim0.revenue, sim1.revenue);
}

TEST(ThreadChoice, SmallScoringFitsAndBootstrapsRunOnOneThread) {
  if (!test_thread_choice::two_cores()) GTEST_SKIP() << "one usable core";
  // 400 leads x 3 features: one Newton pass is 400 x 4^2 = 6,400 steps, a bootstrap of
  // 200 replicates 200 x 400 = 80,000 steps, both far below 2 x step_grain.
  const std::size_t n = 400;
  fn::Matrix X(static_cast<Eigen::Index>(n), 3);
  std::vector<double> y(n), score(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    X(r, 0) = static_cast<double>(i % 7);
    X(r, 1) = static_cast<double>((i * 13) % 11) / 11.0;
    X(r, 2) = static_cast<double>((i * 29) % 5);
    y[i] = ((i * 31) % 7) < 3 ? 1.0 : 0.0;
    score[i] = static_cast<double>((i * 17) % 23) / 23.0;
  }
  auto fit = [&](int t) {
    fn::LogisticOptions o;
    o.threads = t;
    return fn::fit_logistic(X, y, {}, o).coef;
  };
  const auto [coef0, used0] = test_thread_choice::at(0, fit);
  const auto [coef1, used1] = test_thread_choice::at(1, fit);
  const auto [coef2, used2] = test_thread_choice::at(2, fit);
  EXPECT_EQ(used0, 1U);
  EXPECT_EQ(coef0, coef1);
  EXPECT_EQ(coef0, coef2);
  auto boot = [&](int t) {
    fn::BootstrapOptions o;
    o.replicates = 200;
    o.threads = t;
    return fn::bootstrap_metric(fn::Metric::roc_auc, y, score, {}, o).replicates;
  };
  const auto [b0, u0] = test_thread_choice::at(0, boot);
  const auto [b2, u2] = test_thread_choice::at(2, boot);
  EXPECT_EQ(u0, 1U);
  EXPECT_EQ(u2, 2U);
  EXPECT_EQ(b0, b2);
}
