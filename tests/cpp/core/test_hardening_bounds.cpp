// Issue 17, bounded work and clear refusals: long horizons (Markov and repeat-buying CLV),
// cancellation of CELF / IMM / posterior draws, task splits of huge simulation counts,
// period windows no int64 can count, NUL inside channel names, whitespace model files.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/paths.hpp"
#include "funnelnet/customers/repeat_buying.hpp"
#include "funnelnet/customers/tiers.hpp"
#include "funnelnet/funnel/periods.hpp"
#include "funnelnet/funnel/posterior.hpp"
#include "funnelnet/graph/diffusion.hpp"
#include "funnelnet/graph/influence.hpp"
#include "funnelnet/io/file.hpp"

namespace fn = funnelnet;
using fn::Errc;

namespace test_hardening_bounds {

fn::Matrix tiers3() {
  fn::Matrix p(3, 3);
  p << 0.7, 0.2, 0.1,  //
      0.1, 0.8, 0.1,   //
      0.0, 0.0, 1.0;
  return p;
}

// The definition, term by term (the oracle): sum_{t < h} (P / (1 + d))^t R.
fn::Vector clv_by_terms(const fn::Matrix& p, const fn::Vector& r, double d, std::int64_t h) {
  fn::Vector v = fn::Vector::Zero(r.size()), term = r;
  for (std::int64_t t = 0; t < h; ++t) {
    v += term;
    term = (p * term) / (1.0 + d);
  }
  return v;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HardeningBounds, MarkovClvByDoublingEqualsTheTermByTermSum) {
  const fn::Matrix p = tiers3();
  fn::Vector r(3);
  r << 100.0, 40.0, 0.0;
  for (std::int64_t h : {65, 100, 777, 4096, 10001}) {
    for (double d : {0.0, 0.01, -0.0005}) {
      const fn::Vector got = fn::markov_clv_finite(p, r, d, h), want = clv_by_terms(p, r, d, h);
      for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], want[i], 1e-10 * std::max(1.0, std::abs(want[i]))) << h;
    }
  }
}

TEST(HardeningBounds, MarkovClvAtTheLargestHorizonIsTheInfiniteHorizonValue) {
  // Before: INT64_MAX matrix-vector products (centuries).  Now 62 doubling steps; with
  // d > 0 the sum has converged to (I - P/(1+d))^-1 R, the closed form.
  const fn::Matrix p = tiers3();
  fn::Vector r(3);
  r << 100.0, 40.0, 5.0;
  const auto t0 = std::chrono::steady_clock::now();
  const fn::Vector got = fn::markov_clv_finite(p, r, 0.05, INT64_MAX);
  EXPECT_LT(seconds_since(t0), 5.0);
  const fn::Matrix q = fn::Matrix::Identity(3, 3) - p / 1.05;
  const fn::Vector closed = q.lu().solve(r);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], closed[i], 1e-9 * closed[i]);
  // Without discounting the value grows like reward x horizon: finite up to about 1e19
  // periods of reward 5 in the absorbing state ...
  const fn::Vector flat = fn::markov_clv_finite(p, r, 0.0, INT64_MAX);
  EXPECT_NEAR(flat[2], 5.0 * static_cast<double>(INT64_MAX), 1e-6 * 5.0 * static_cast<double>(INT64_MAX));
  // ... while a negative rate overflows: refused, naming the horizon.
  expect_error([&] { (void)fn::markov_clv_finite(p, r, -0.5, INT64_MAX); }, Errc::out_of_range,
               "over a horizon of 9223372036854775807 periods at discount rate -0.5 overflows");
}

TEST(HardeningBounds, RepeatClvStopsOnceTheRestCannotMatter) {
  const std::array<double, 4> bg{0.25, 4.0, 0.8, 2.5};
  const fn::RepeatModel m(fn::RepeatKind::beta_geo, bg);
  const std::vector<double> x{0, 2, 7}, tx{0, 20, 35}, T{40, 40, 40}, spend{30, 55, 80};
  const double L = 4.345;
  // Oracle: the definition summed term by term over 3,000 periods with the model's own
  // expected_purchases (at d = 0.02 the terms past 3,000 are below 1e-25 of the value).
  std::vector<double> want(3, 0.0), e(3), prev(3, 0.0);
  for (int k = 1; k <= 3000; ++k) {
    m.expected_purchases(k * L, x, tx, T, e);
    for (int i = 0; i < 3; ++i) {
      want[i] += spend[i] * (e[i] - prev[i]) / std::pow(1.02, k);
      prev[i] = e[i];
    }
  }
  std::vector<double> got(3);
  const auto t0 = std::chrono::steady_clock::now();
  m.clv(x, tx, T, spend, INT_MAX, L, 0.02, got);  // before: INT_MAX periods, each dearer
  EXPECT_LT(seconds_since(t0), 20.0);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * want[i]);
  // d = 0: the sum telescopes to spend x expected purchases by n_periods L.
  m.clv(x, tx, T, spend, INT_MAX, L, 0.0, got);
  m.expected_purchases(INT_MAX * L, x, tx, T, e);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], spend[i] * e[i], 1e-12 * spend[i] * e[i]);
  // Short horizons are unchanged: 12 periods against the definition.
  std::vector<double> want12(3, 0.0);
  std::fill(prev.begin(), prev.end(), 0.0);
  for (int k = 1; k <= 12; ++k) {
    m.expected_purchases(k * L, x, tx, T, e);
    for (int i = 0; i < 3; ++i) {
      want12[i] += spend[i] * (e[i] - prev[i]) / std::pow(1.02, k);
      prev[i] = e[i];
    }
  }
  m.clv(x, tx, T, spend, 12, L, 0.02, got);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[i], want12[i], 1e-13 * want12[i]);
  // A negative rate (or one so small that more than 10^6 periods would be summed) with an
  // absurd horizon is refused, naming n_periods.
  expect_error([&] { m.clv(x, tx, T, spend, INT_MAX, L, -0.01, got); }, Errc::out_of_range,
               "n_periods = 2147483647 at discount rate -0.01");
  expect_error([&] { m.clv(x, tx, T, spend, INT_MAX, L, 1e-9, got); }, Errc::out_of_range,
               "at most 1000000 are summed");
  m.clv(x, tx, T, spend, 1000, L, -0.01, got);  // a negative rate over a sane horizon works
  EXPECT_TRUE(std::isfinite(got[2]));
}

TEST(HardeningBounds, TaskSplitsOfHugeSimulationCountsDoNotWrap) {
  // floor(n t / tasks) without the product n t (it wrapped for n near 2^64).
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{255}, std::size_t{1000003},
                        std::size_t{1} << 62, SIZE_MAX - 1, SIZE_MAX}) {
    const std::size_t tasks = fn::simulation_tasks(n);
    if (tasks == 0) continue;
    EXPECT_EQ(fn::task_begin(n, 0, tasks), 0U);
    EXPECT_EQ(fn::task_begin(n, tasks, tasks), n);
    for (std::size_t t = 0; t <= tasks; ++t) {
      const auto exact = static_cast<std::size_t>(static_cast<unsigned __int128>(n) * t / tasks);
      EXPECT_EQ(fn::task_begin(n, t, tasks), exact) << n << " " << t;
    }
  }
}

TEST(HardeningBounds, CelfStopsInItsSerialRoundsAndInLongEstimates) {
  // A 10-node chain: the first pass (parallel, 10 estimates) is let through; the next
  // progress call can only come from the lazy-greedy rounds on this thread (total = k).
  std::vector<std::int64_t> src, dst;
  for (int i = 0; i < 9; ++i) {
    src.push_back(i);
    dst.push_back(i + 1);
  }
  const auto g = fn::ReferralGraph::from_edges(src, dst);
  const std::vector<double> p(g.num_edges(), 0.5);
  fn::CelfOptions o;
  o.n_sims = 400000;
  o.threads = 2;
  std::atomic<std::uint64_t> last_total{0};
  o.progress = [&](std::uint64_t, std::uint64_t total) {
    last_total = total;
    return total != 5;  // stop once the serial rounds report
  };
  expect_error([&] { (void)fn::celf(g, 5, p, o); }, Errc::cancelled, "cancelled");
  EXPECT_EQ(last_total.load(), 5U);
  // One estimate of 10^12 simulations is stopped from inside (before: no check at all).
  o.n_sims = std::size_t{1} << 40;
  o.progress = [](std::uint64_t, std::uint64_t) { return false; };
  const auto t0 = std::chrono::steady_clock::now();
  expect_error([&] { (void)fn::celf(g, 2, p, o); }, Errc::cancelled, "cancelled");
  EXPECT_LT(seconds_since(t0), 10.0);
}

TEST(HardeningBounds, ImmAndPosteriorDrawsStopWhenAsked) {
  std::vector<std::int64_t> src, dst;
  for (int i = 0; i < 2000; ++i) {
    src.push_back(i);
    dst.push_back((i * 7 + 1) % 2000);
    src.push_back(i);
    dst.push_back((i * 13 + 5) % 2000);
  }
  const auto g = fn::ReferralGraph::from_edges(src, dst);
  const std::vector<double> p(g.num_edges(), 0.45);
  fn::ImmOptions o;
  o.epsilon = 0.05;
  o.threads = 1;
  int calls = 0;
  o.progress = [&](std::uint64_t, std::uint64_t) { return ++calls < 2; };
  auto t0 = std::chrono::steady_clock::now();
  expect_error([&] { (void)fn::imm(g, 50, p, o); }, Errc::cancelled, "cancelled");
  EXPECT_LT(seconds_since(t0), 10.0);

  // Posterior draws of a 60-stage funnel: one task holds 64 draws of a 60 x 60 solve.
  const int n = 60;
  std::vector<std::string> names;
  std::vector<bool> absorbing;
  for (int i = 0; i < n; ++i) {
    names.push_back("s" + std::to_string(i));
    absorbing.push_back(i >= n - 2);
  }
  const fn::StageSpace space(names, absorbing);
  fn::Matrix c = fn::Matrix::Zero(n, n);
  for (int i = 0; i < n - 2; ++i)
    for (int j = 0; j < n; ++j) c(i, j) = 1.0 + (i + j) % 3;
  const fn::TransitionCounts counts(space, c);
  fn::PosteriorOptions po;
  po.draws = 1000000;
  po.threads = 1;
  po.progress = [](std::uint64_t, std::uint64_t) { return false; };
  t0 = std::chrono::steady_clock::now();
  expect_error([&] { (void)fn::posterior_figures(counts, po); }, Errc::cancelled, "cancelled");
  EXPECT_LT(seconds_since(t0), 10.0);
  // draws x figures that no array can hold: refused before allocating.
  po.draws = SIZE_MAX / 4;
  po.progress = {};
  expect_error([&] { (void)fn::posterior_figures(counts, po); }, Errc::out_of_range, "more than any array");
}

TEST(HardeningBounds, PeriodWindowsNoInt64CanCountAreRefusedInTheUsersUnits) {
  // Before: a float-to-int overflow, reported as "cutoff (-9.2e-282) must be later than
  // origin (0)".
  const fn::StageSpace space({"open", "won"}, {false, true});
  const std::vector<std::int64_t> lead{1, 1};
  const std::vector<double> t{0.0, 1.0};
  const std::vector<std::int32_t> st{0, 1};
  fn::PeriodOptions<double> o;
  o.period = 1e-300;
  expect_error([&] { (void)fn::period_counts<double>(space, lead, t, st, o); }, Errc::out_of_range,
               "the window from 0 to 1 holds 1e+300 periods of 1e-300: more than 2^52 periods");
  const std::vector<std::int64_t> ti{INT64_MAX - 10, INT64_MAX - 5};
  fn::PeriodOptions<std::int64_t> oi;
  oi.period = 7;
  expect_error([&] { (void)fn::period_counts<std::int64_t>(space, lead, ti, st, oi); }, Errc::out_of_range,
               "reaches the limits of 64-bit times");
  o.period = 0.5;  // a sane grid still works
  EXPECT_NO_THROW((void)fn::period_counts<double>(space, lead, t, st, o));
}

TEST(HardeningBounds, NulInsideAChannelNameIsRefusedNamingThePath) {
  using namespace std::literals;
  const std::string bad = "email>se\0arch"s;
  const std::vector<std::string_view> paths{"email>search", bad};
  expect_error([&] { (void)fn::LabelPaths::parse(paths, ">"); }, Errc::invalid_argument,
               "path 1, position 1: label name 'se\\0...' contains a NUL character");
  const std::vector<std::string_view> flat{"email", "se\0a"sv};
  const std::vector<std::int64_t> off{0, 2};
  expect_error([&] { (void)fn::LabelPaths::from_names(flat, off); }, Errc::invalid_argument,
               "contains a NUL character");
}

TEST(HardeningBounds, LeadingWhitespaceOfAModelFileIsNotStored) {
  const std::string path = ::testing::TempDir() + "funnelnet_ws_model.json";
  {
    std::ofstream f(path, std::ios::binary);
    const std::string blanks(1 << 20, ' ');
    for (int i = 0; i < 8; ++i) f << blanks << "\n\t\r";
    f << "{\"kind\": 1}  \n";
  }
  const std::string text = fn::io::read_file(path);
  EXPECT_EQ(text, "{\"kind\": 1}  \n");
  EXPECT_LT(text.capacity(), 64U);  // reserved at the size left, not 8 MiB
  {
    std::ofstream f(path, std::ios::binary);
    f << std::string(3 << 20, '\n');
  }
  EXPECT_EQ(fn::io::read_file(path), "");
  std::remove(path.c_str());
}

}  // namespace test_hardening_bounds
