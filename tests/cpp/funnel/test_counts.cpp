// Transition counts from paths and event logs, checked against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace test_counts {

StageSpace funnel5() {
  return StageSpace::funnel({"potential", "possible", "target"}, {"won", "lost"});
}

// Brute force: group rows by lead in a std::map, stable-sort by time, count pairs.
Matrix brute_force(const StageSpace& space, const std::vector<std::int64_t>& lead,
                   const std::vector<double>& time, const std::vector<std::int32_t>& stage, Repeats repeats) {
  std::map<std::int64_t, std::vector<std::pair<double, std::int32_t>>> by_lead;
  for (std::size_t r = 0; r < lead.size(); ++r) by_lead[lead[r]].push_back({time[r], stage[r]});
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix c = Matrix::Zero(n, n);
  for (auto& [id, ev] : by_lead) {
    std::stable_sort(ev.begin(), ev.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (std::size_t k = 1; k < ev.size(); ++k) {
      if (ev[k].second == ev[k - 1].second &&
          (repeats == Repeats::collapse || space.is_absorbing(ev[k].second)))
        continue;
      c(ev[k - 1].second, ev[k].second) += 1;
    }
  }
  return c;
}

struct Log {
  std::vector<std::int64_t> lead;
  std::vector<double> time;
  std::vector<std::int32_t> stage;
};

// Random valid logs: each lead walks transient stages at random, maybe ends absorbed;
// rows are then shuffled.  Integer-valued times give ties.
Log random_log(std::uint64_t seed, int leads, std::int64_t id_stride) {
  Rng rng(seed);
  Log log;
  for (int l = 0; l < leads; ++l) {
    const int len = 1 + static_cast<int>(rng.below(7));
    double t = 0;
    for (int k = 0; k < len; ++k) {
      int s = static_cast<int>(rng.below(3));
      t += static_cast<double>(rng.below(3));
      if (k == len - 1 && rng.bernoulli(0.6)) {
        s = 3 + static_cast<int>(rng.below(2));
        t += 1;  // the outcome comes strictly last
      }
      log.lead.push_back(l * id_stride - 5);
      log.time.push_back(t);
      log.stage.push_back(s);
    }
  }
  std::vector<std::size_t> perm(log.lead.size());
  std::iota(perm.begin(), perm.end(), 0);
  for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
  Log out;
  for (auto i : perm) {
    out.lead.push_back(log.lead[i]);
    out.time.push_back(log.time[i]);
    out.stage.push_back(log.stage[i]);
  }
  return out;
}

TEST(Counts, EventsMatchBruteForceOnRandomLogs) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    // Dense ids (counting sort path) and sparse ids (sort path).
    for (std::int64_t stride : {1LL, 1000003LL}) {
      Log log = random_log(seed, 300, stride);
      for (Repeats rep : {Repeats::keep, Repeats::collapse}) {
        auto c = TransitionCounts::from_events<double>(funnel5(), log.lead, log.time, log.stage, rep);
        EXPECT_EQ(c.matrix(), brute_force(funnel5(), log.lead, log.time, log.stage, rep))
            << "seed " << seed << " stride " << stride;
      }
    }
  }
}

TEST(Counts, SortedInputFastPathAgrees) {
  Log log = random_log(99, 500, 1);
  std::vector<std::size_t> idx(log.lead.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) {
    return std::pair(log.lead[a], log.time[a]) < std::pair(log.lead[b], log.time[b]);
  });
  Log sorted;
  for (auto i : idx) {
    sorted.lead.push_back(log.lead[i]);
    sorted.time.push_back(log.time[i]);
    sorted.stage.push_back(log.stage[i]);
  }
  // Ties within a lead may be reordered by the sort above, so compare the sorted log
  // against brute force on the sorted log itself.
  auto c = TransitionCounts::from_events<double>(funnel5(), sorted.lead, sorted.time, sorted.stage);
  EXPECT_EQ(c.matrix(), brute_force(funnel5(), sorted.lead, sorted.time, sorted.stage, Repeats::collapse));
  std::vector<std::int64_t> itime(sorted.time.begin(), sorted.time.end());
  auto ci = TransitionCounts::from_events<std::int64_t>(funnel5(), sorted.lead, itime, sorted.stage);
  EXPECT_EQ(ci.matrix(), c.matrix());
}

TEST(Counts, MergingEqualsCountingTheUnion) {
  Log log = random_log(5, 400, 1);
  // Split by lead parity: each lead's events stay in one part.
  Log a, b;
  for (std::size_t r = 0; r < log.lead.size(); ++r) {
    Log& part = (log.lead[r] % 2 == 0) ? a : b;
    part.lead.push_back(log.lead[r]);
    part.time.push_back(log.time[r]);
    part.stage.push_back(log.stage[r]);
  }
  auto whole = TransitionCounts::from_events<double>(funnel5(), log.lead, log.time, log.stage);
  auto ca = TransitionCounts::from_events<double>(funnel5(), a.lead, a.time, a.stage);
  auto cb = TransitionCounts::from_events<double>(funnel5(), b.lead, b.time, b.stage);
  EXPECT_EQ(ca.merged(cb).matrix(), whole.matrix());
  EXPECT_DOUBLE_EQ(ca.merged(cb).total(), whole.total());
  auto other = TransitionCounts::zeros(StageSpace({"x", "y"}, {false, true}));
  EXPECT_THROW((void)ca.merged(other), Error);
}

TEST(Counts, PathsWithWeightsAndRepeats) {
  auto space = funnel5();
  // potential potential possible won  (x2),  potential lost (x3)
  std::vector<std::int32_t> stages{0, 0, 1, 3, 0, 4};
  std::vector<std::int64_t> offsets{0, 4, 6};
  std::vector<double> w{2, 3};
  auto keep = TransitionCounts::from_paths(space, stages, offsets, w, Repeats::keep);
  EXPECT_EQ(keep.matrix()(0, 0), 2);
  EXPECT_EQ(keep.matrix()(0, 1), 2);
  EXPECT_EQ(keep.matrix()(1, 3), 2);
  EXPECT_EQ(keep.matrix()(0, 4), 3);
  EXPECT_EQ(keep.total(), 9);
  auto collapse = TransitionCounts::from_paths(space, stages, offsets, w, Repeats::collapse);
  EXPECT_EQ(collapse.matrix()(0, 0), 0);
  EXPECT_EQ(collapse.total(), 7);
}

TEST(Counts, BadInputNamesTheCulprit) {
  auto space = funnel5();

  std::vector<std::int64_t> lead{1, 1, 2};
  std::vector<double> time{0, 1, 0};
  std::vector<std::int32_t> stage{0, 1, 7};
  expect_error([&] { (void)TransitionCounts::from_events<double>(space, lead, time, stage); },
               Errc::out_of_range, "row 2");
  stage = {0, 1, 0};
  std::vector<double> nan_time{0, NAN, 0};
  expect_error([&] { (void)TransitionCounts::from_events<double>(space, lead, nan_time, stage); },
               Errc::invalid_argument, "row 1");
  std::vector<double> short_time{0, 1};
  expect_error([&] { (void)TransitionCounts::from_events<double>(space, lead, short_time, stage); },
               Errc::shape_mismatch, "time column");
  expect_error([&] { (void)TransitionCounts::from_events<double>(space, {}, {}, {}); }, Errc::empty_input,
               "no rows");
  // A lead that leaves an absorbing stage.
  std::vector<std::int32_t> leaves{3, 0, 0};
  expect_error([&] { (void)TransitionCounts::from_events<double>(space, lead, time, leaves); },
               Errc::invalid_argument, "lead 1 leaves absorbing stage 'won'");
  // Paths.
  std::vector<std::int32_t> ps{0, 3, 1};
  std::vector<std::int64_t> off{0, 3};
  expect_error([&] { (void)TransitionCounts::from_paths(space, ps, off); }, Errc::invalid_argument,
               "continues after absorbing stage 'won'");
  std::vector<std::int64_t> bad_off{0, 2};
  expect_error([&] { (void)TransitionCounts::from_paths(space, ps, bad_off); }, Errc::shape_mismatch,
               "offsets end");
  std::vector<double> neg{-1};
  std::vector<std::int32_t> ok{0, 1};
  std::vector<std::int64_t> ok_off{0, 2};
  expect_error([&] { (void)TransitionCounts::from_paths(space, ok, ok_off, neg); }, Errc::invalid_argument,
               "weight of path 0");
  expect_error([&] { (void)TransitionCounts::from_paths(space, {}, {}); }, Errc::empty_input, "no paths");
  Matrix neg_counts = Matrix::Zero(5, 5);
  neg_counts(0, 1) = -2;
  expect_error([&] { TransitionCounts(space, neg_counts); }, Errc::invalid_argument,
               "count[potential][possible]");
  Matrix exits = Matrix::Zero(5, 5);
  exits(3, 0) = 1;
  expect_error([&] { TransitionCounts(space, exits); }, Errc::invalid_argument, "absorbing stage 'won'");
}

TEST(Simulate, RecoversTheChainAndIsThreadCountIndependent) {
  auto space = funnel5();
  Matrix p(5, 5);
  p << .3, .4, 0, 0, .3, .1, .3, .4, 0, .2, 0, .1, .3, .4, .2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1;
  MarkovChain chain(space, p);
  SimulateOptions o;
  o.seed = 42;
  o.threads = 1;
  auto one = simulate_events(chain, 0, 20000, o);
  o.threads = 4;
  auto four = simulate_events(chain, 0, 20000, o);
  EXPECT_EQ(one.stage, four.stage);
  EXPECT_EQ(one.time, four.time);
  auto fitted =
      fit(TransitionCounts::from_events<double>(space, one.lead, one.time, one.stage, Repeats::keep));
  // Each row has thousands of exits: the MLE is within a few standard errors.
  EXPECT_LT((fitted.matrix() - p).cwiseAbs().maxCoeff(), 0.02);
  // Simulated win rate from 'potential' agrees with the absorption probability.
  double won = 0;
  for (std::size_t r = 0; r < one.stage.size(); ++r) won += one.stage[r] == 3;
  const double pw = analyze_absorbing(chain).absorption(0, 0);
  EXPECT_NEAR(won / 20000, pw, 4 * std::sqrt(pw * (1 - pw) / 20000));
}

TEST(Counts, SameCountsAndErrorsAtAnyThreadCount) {
  // ~320,000 events: large enough for several passes on several threads.
  for (std::int64_t stride : {1LL, 7919LL}) {
    Log log = random_log(2024, 80000, stride);
    const Matrix expected = brute_force(funnel5(), log.lead, log.time, log.stage, Repeats::collapse);
    for (int threads : {1, 2, 3, 4}) {
      auto c = TransitionCounts::from_events<double>(funnel5(), log.lead, log.time, log.stage,
                                                     Repeats::collapse, threads);
      EXPECT_EQ(c.matrix(), expected) << "threads " << threads << " stride " << stride;
    }
    // Two leads leave an absorbing stage, far apart: every thread count reports the same one.
    log.lead.insert(log.lead.end(), {5, 5, 79990 * stride, 79990 * stride});
    log.time.insert(log.time.end(), {1e6, 1e6 + 1, 1e6, 1e6 + 1});
    log.stage.insert(log.stage.end(), {3, 0, 4, 1});
    std::string first;
    for (int threads : {1, 2, 4}) {
      try {
        (void)TransitionCounts::from_events<double>(funnel5(), log.lead, log.time, log.stage,
                                                    Repeats::collapse, threads);
        FAIL() << "expected an error";
      } catch (const Error& e) {
        if (first.empty()) first = e.what();
        EXPECT_EQ(first, e.what()) << "threads " << threads;
      }
    }
  }
}

TEST(Counts, FromCorePathsEqualsArraysAndBruteForce) {
  // The funnel reads a core LabelPaths parsed from strings: same counts as the CSR arrays
  // and as a brute-force count of the strings' consecutive pairs.
  const StageSpace space({"a", "b", "won", "lost"}, {false, false, true, true});
  const std::vector<std::string> strings{"a > b > won", "a>a>lost", "b > a > b > b > won", "a > won"};
  const std::vector<double> w{2, 1, 0.5, 3};
  std::vector<std::string_view> views(strings.begin(), strings.end());
  const auto paths = LabelPaths::parse(views, ">", space.names(), w, PathWords::stages());
  for (const Repeats rep : {Repeats::keep, Repeats::collapse}) {
    const auto from_core = TransitionCounts::from_paths(space, paths, rep);
    const auto from_arrays = TransitionCounts::from_paths(space, paths.codes(), paths.offsets(), w, rep);
    Matrix brute = Matrix::Zero(4, 4);
    for (std::size_t p = 0; p < strings.size(); ++p) {
      std::vector<std::int32_t> ids;
      for (char ch : strings[p])
        if (ch == 'a' || ch == 'b') ids.push_back(ch == 'a' ? 0 : 1);
      ids.push_back(strings[p].find("won") != std::string::npos ? 2 : 3);
      for (std::size_t k = 1; k < ids.size(); ++k)
        if (!(rep == Repeats::collapse && ids[k] == ids[k - 1])) brute(ids[k - 1], ids[k]) += w[p];
    }
    EXPECT_EQ(from_core.matrix(), brute);
    EXPECT_EQ(from_arrays.matrix(), brute);
  }
  const StageSpace other({"x", "b", "won", "lost"}, {false, false, true, true});
  expect_error([&] { (void)TransitionCounts::from_paths(other, paths); }, Errc::invalid_argument,
               "labels differ");
  const std::vector<std::string> bad{"a > won > b"};
  std::vector<std::string_view> bad_views(bad.begin(), bad.end());
  const auto after_won = LabelPaths::parse(bad_views, ">", space.names(), {}, PathWords::stages());
  expect_error([&] { (void)TransitionCounts::from_paths(space, after_won); }, Errc::invalid_argument,
               "path 0, step 1: the path continues after absorbing stage 'won'");
}

TEST(Simulate, RangesOfTheStreamConcatenateToOneRun) {
  auto space = funnel5();
  Matrix p(5, 5);
  p << .3, .4, 0, 0, .3, .1, .3, .4, 0, .2, 0, .1, .3, .4, .2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1;
  MarkovChain chain(space, p);
  SimulateOptions o;
  o.seed = 7;
  const std::size_t n = 3 * simulate_block + 77;
  auto whole = simulate_events(chain, 0, n, o);
  EventLog joined;
  for (std::size_t first = 0; first < n; first += 2 * simulate_block) {  // two blocks per piece
    o.first_lead = first;
    auto part = simulate_events(chain, 0, std::min(2 * simulate_block, n - first), o);
    joined.lead.insert(joined.lead.end(), part.lead.begin(), part.lead.end());
    joined.time.insert(joined.time.end(), part.time.begin(), part.time.end());
    joined.stage.insert(joined.stage.end(), part.stage.begin(), part.stage.end());
  }
  EXPECT_EQ(joined.lead, whole.lead);
  EXPECT_EQ(joined.time, whole.time);
  EXPECT_EQ(joined.stage, whole.stage);
  o.first_lead = 5;
  expect_error([&] { simulate_events(chain, 0, 10, o); }, Errc::invalid_argument,
               "first_lead must be a multiple of 4096");
  // a progress callback that says stop cancels; one that goes on changes nothing
  o.first_lead = 0;
  std::uint64_t calls = 0;
  o.progress = [&](std::uint64_t, std::uint64_t) { return ++calls < 2; };
  expect_error([&] { simulate_events(chain, 0, 20 * simulate_block, o); }, Errc::cancelled, "cancelled");
  o.progress = [](std::uint64_t, std::uint64_t) { return true; };
  auto again = simulate_events(chain, 0, n, o);
  EXPECT_EQ(again.time, whole.time);
}

}  // namespace test_counts
