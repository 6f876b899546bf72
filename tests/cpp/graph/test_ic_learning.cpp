// learn_ic_probabilities against hand-counted successes / exposures and its errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/graph/ic_learning.hpp"

using namespace funnelnet;

TEST(IcLearning, CountsSuccessesOverExposuresPerGroup) {
  // 0 -> 1, 0 -> 2, 0 -> 3, 1 -> 3, 2 -> 3; nodes 0 and 1 active; referrals 0->1, 0->3, 1->3.
  const std::vector<std::int64_t> src{0, 0, 0, 1, 2}, dst{1, 2, 3, 3, 3}, rs{0, 0, 1, 0}, rt{1, 3, 3, 1};
  const std::vector<std::uint8_t> active{1, 1, 0, 0};
  const IcEstimate per_edge = learn_ic_probabilities(src, dst, {}, active, rs, rt);
  EXPECT_EQ(per_edge.successes, (std::vector<double>{1, 0, 1, 1, 0}));  // the repeat 0->1 counts once
  EXPECT_EQ(per_edge.exposures, (std::vector<double>{1, 1, 1, 1, 0}));
  EXPECT_EQ(per_edge.probability[1], 0.0);
  EXPECT_TRUE(std::isnan(per_edge.probability[4]));  // never exposed, no prior
  const std::vector<std::int64_t> by_source = src;
  const IcEstimate pooled = learn_ic_probabilities(src, dst, by_source, active, rs, rt, {1.0, 1.0});
  EXPECT_DOUBLE_EQ(pooled.probability[0], (2.0 + 1) / (3.0 + 2));  // Beta(1, 1) posterior mean
  EXPECT_DOUBLE_EQ(pooled.probability[3], (1.0 + 1) / (1.0 + 2));
  EXPECT_DOUBLE_EQ(pooled.probability[4], 0.5);  // prior only
  EXPECT_DOUBLE_EQ(pooled.std_error[0], std::sqrt(0.6 * 0.4 / 3.0));
}

TEST(IcLearning, BadInputsNameTheRow) {
  const std::vector<std::int64_t> src{0, 1}, dst{1, 2};
  const std::vector<std::uint8_t> active{1, 0, 0};
  const std::vector<std::int64_t> none;
  expect_error(
      [&] {
        learn_ic_probabilities(src, std::vector<std::int64_t>{1, 5}, {}, active, none, none);
      },
      Errc::out_of_range, "edge row 1 (1 -> 5)");
  expect_error(
      [&] {
        learn_ic_probabilities(std::vector<std::int64_t>{0, 0}, std::vector<std::int64_t>{1, 1}, {}, active,
                               none, none);
      },
      Errc::invalid_argument, "edge rows 0 and 1 are both 0 -> 1");
  expect_error(
      [&] {
        learn_ic_probabilities(src, dst, {}, active, std::vector<std::int64_t>{0},
                               std::vector<std::int64_t>{2});
      },
      Errc::unknown_label, "referral row 0 (0 -> 2) is not an edge");
  expect_error(
      [&] {
        learn_ic_probabilities(src, dst, {}, active, std::vector<std::int64_t>{1},
                               std::vector<std::int64_t>{2});
      },
      Errc::invalid_argument, "referral row 0 (1 -> 2) comes from a source that was not active");
  expect_error(
      [&] {
        learn_ic_probabilities(src, dst, {}, active, none, none, {-1.0, 0.0});
      },
      Errc::invalid_argument, "prior_a must be >= 0, got -1");
  expect_error([&] { learn_ic_probabilities(src, std::vector<std::int64_t>{1}, {}, active, none, none); },
               Errc::shape_mismatch, "2 edge sources but 1 targets");
}
