// Higher-order chains: counts against a brute-force std::map over histories, the
// first-order case against TransitionCounts, and order selection on data simulated here
// from known first- and second-order processes.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/higher_order.hpp"

using namespace funnelnet;

namespace test_higher_order {
struct Paths {
  std::vector<std::int32_t> stages;
  std::vector<std::int64_t> offsets{0};
};
// Paths over {a, b, c}: with `second` the next stage repeats the stage two steps back
// with probability 0.8 (a second-order effect); otherwise a first-order chain.
Paths simulate(std::uint64_t seed, int n_paths, int len, bool second) {
  Rng rng(seed);
  const double p1[3][3] = {{0.2, 0.5, 0.3}, {0.4, 0.2, 0.4}, {0.3, 0.3, 0.4}};
  Paths p;
  for (int i = 0; i < n_paths; ++i) {
    std::vector<std::int32_t> s{static_cast<std::int32_t>(rng.below(3)),
                                static_cast<std::int32_t>(rng.below(3))};
    while (static_cast<int>(s.size()) < len) {
      const std::int32_t cur = s.back(), two = s[s.size() - 2];
      std::int32_t next;
      if (second && rng.uniform() < 0.8) {
        next = two;
      } else {
        const double u = rng.uniform();
        next = u < p1[cur][0] ? 0 : (u < p1[cur][0] + p1[cur][1] ? 1 : 2);
      }
      s.push_back(next);
    }
    p.stages.insert(p.stages.end(), s.begin(), s.end());
    p.offsets.push_back(static_cast<std::int64_t>(p.stages.size()));
  }
  return p;
}
const StageSpace kAbc({"a", "b", "c"}, {false, false, false});

TEST(HigherOrder, CountsMatchBruteForce) {
  const Paths p = simulate(1, 200, 12, true);
  auto ch = fit_higher_order(kAbc, p.stages, p.offsets, 2);
  std::map<std::pair<int, int>, std::vector<double>> brute;
  for (std::size_t i = 0; i + 1 < p.offsets.size(); ++i)
    for (auto t = p.offsets[i] + 2; t < p.offsets[i + 1]; ++t) {
      auto& row = brute[{p.stages[t - 2], p.stages[t - 1]}];
      row.resize(3, 0.0);
      row[static_cast<std::size_t>(p.stages[t])] += 1;
    }
  ASSERT_EQ(static_cast<std::size_t>(ch.histories.rows()), brute.size());
  double ll = 0;
  for (Eigen::Index r = 0; r < ch.histories.rows(); ++r) {
    const auto& row = brute.at({ch.histories(r, 0), ch.histories(r, 1)});
    double sum = row[0] + row[1] + row[2];
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(ch.counts(r, j), row[static_cast<std::size_t>(j)]);
      if (row[static_cast<std::size_t>(j)] > 0)
        ll += row[static_cast<std::size_t>(j)] * std::log(row[static_cast<std::size_t>(j)] / sum);
    }
  }
  EXPECT_NEAR(ch.log_likelihood, ll, 1e-9);
  EXPECT_EQ(ch.parameters, 9 * 2);
  // Order 1 equals the first-order fit.
  auto o1 = fit_higher_order(kAbc, p.stages, p.offsets, 1);
  auto counts = TransitionCounts::from_paths(kAbc, p.stages, p.offsets);
  EXPECT_NEAR(o1.log_likelihood, fit(counts).log_likelihood(counts), 1e-9);
  EXPECT_EQ(o1.transitions, counts.total());
}

TEST(HigherOrder, OrderSelection) {
  const Paths second = simulate(2, 400, 15, true);
  const Paths test2 = simulate(3, 200, 15, true);
  auto s2 = select_order(kAbc, second.stages, second.offsets, 3, test2.stages, test2.offsets);
  ASSERT_EQ(s2.size(), 3u);
  EXPECT_LT(s2[1].bic, s2[0].bic);
  EXPECT_LT(s2[1].bic, s2[2].bic);
  EXPECT_LT(s2[1].aic, s2[0].aic);
  EXPECT_GT(s2[1].heldout_log_likelihood, s2[0].heldout_log_likelihood);
  // The LL never decreases with the order (nested models on the same transitions).
  EXPECT_GE(s2[2].log_likelihood, s2[1].log_likelihood);
  const Paths first = simulate(4, 400, 15, false);
  auto s1 = select_order(kAbc, first.stages, first.offsets, 3);
  EXPECT_LT(s1[0].bic, s1[1].bic);
  EXPECT_LT(s1[0].bic, s1[2].bic);
  EXPECT_EQ(s1[0].heldout_log_likelihood, 0.0);
  // Bad input.
  expect_error([&] { (void)fit_higher_order(kAbc, first.stages, first.offsets, 0); }, Errc::invalid_argument,
               "order must be in [1, 16]");
  std::vector<std::int32_t> bad{0, 5};
  std::vector<std::int64_t> off{0, 2};
  expect_error([&] { (void)fit_higher_order(kAbc, bad, off, 1); }, Errc::out_of_range, "stage index 5");
  std::vector<std::int32_t> short_path{0, 1};
  expect_error([&] { (void)fit_higher_order(kAbc, short_path, off, 2); }, Errc::empty_input, "history of 2");
}

}  // namespace test_higher_order
