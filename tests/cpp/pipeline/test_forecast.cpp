// Per-deal P(won by each period) from a chain against the closed forms of a one-stage
// funnel (discrete: 0.3 (1 - 0.6^k) / 0.4; continuous: a / r (1 - e^{-r t})), and the
// errors naming the deal.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.hpp"
#include "funnelnet/pipeline.hpp"

using namespace funnelnet;

namespace test_forecast {
StageSpace space() {
  return StageSpace({"lead", "deal", "won", "lost"}, {false, false, true, true});
}

TEST(WonByPeriod, DiscreteMatchesClosedFormAndRowPowers) {
  Matrix p(4, 4);
  p << 0.5, 0.3, 0.05, 0.15, 0, 0.6, 0.3, 0.1, 0, 0, 1, 0, 0, 0, 0, 1;
  const MarkovChain chain(space(), p);
  const std::vector<std::size_t> stage{1, 0, 1};
  const auto by = won_by_period(chain, stage, 2, 5);
  ASSERT_EQ(by.size(), 15U);
  Matrix pk = Matrix::Identity(4, 4);
  for (std::size_t k = 1; k <= 5; ++k) {
    pk = pk * p;
    EXPECT_NEAR(by[0 * 5 + k - 1], 0.3 * (1 - std::pow(0.6, static_cast<double>(k))) / 0.4, 1e-15);
    EXPECT_NEAR(by[1 * 5 + k - 1], pk(0, 2), 1e-15);
  }
  const auto within = won_in_period(by, 5, 2, false);
  EXPECT_NEAR(within[0], 0.3 * 0.36, 1e-15);  // 0.3 * 0.6^2: still in deal after 2 steps, then won
  EXPECT_EQ(won_in_period(by, 5, 2, true)[1], by[1 * 5 + 2]);
  expect_error(
      [&] {
        (void)won_by_period(chain, std::vector<std::size_t>{0, 3}, 2, 5);
      },
      Errc::invalid_argument, "deal 1");
  expect_error(
      [&] {
        (void)won_by_period(chain, std::vector<std::size_t>{0, 7}, 2, 5);
      },
      Errc::invalid_argument, "deal 1");
  expect_error([&] { (void)won_by_period(chain, stage, 1, 5); }, Errc::invalid_argument, "absorbing");
  expect_error([&] { (void)won_by_period(chain, stage, 2, 0); }, Errc::invalid_argument, "horizon");
}

TEST(WonByPeriod, ContinuousMatchesClosedForm) {
  const double a = 0.4, b = 0.2, r = a + b;
  Matrix q(4, 4);
  q << -0.8, 0.5, 0, 0.3, 0, -r, a, b, 0, 0, 0, 0, 0, 0, 0, 0;
  const ContinuousChain chain(space(), q);
  const auto by = won_by_period(chain, std::vector<std::size_t>{1}, 2, 4, 2.5);
  for (std::size_t k = 1; k <= 4; ++k)
    EXPECT_NEAR(by[k - 1], a / r * (1 - std::exp(-r * 2.5 * static_cast<double>(k))), 1e-12);
  expect_error([&] { (void)won_by_period(chain, std::vector<std::size_t>{1}, 2, 4, -1.0); },
               Errc::invalid_argument, "period");
}

}  // namespace test_forecast
