// SortedEventLog (funnelnet/core/event_log.hpp): grouping and sorting against a brute
// force, the same counts from every event-log reader whatever the row order, and the one
// cut-off rule (events at or before the cut-off are observed).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/periods.hpp"

using namespace funnelnet;

namespace test_event_log {

template <class Time>
struct Cols {
  std::vector<std::int64_t> id;
  std::vector<Time> time;
  std::vector<std::int32_t> code;
};

// Random rows: sparse ids, times with many ties, any order.
template <class Time>
Cols<Time> random_rows(std::uint64_t seed, std::size_t n) {
  Rng rng(seed);
  Cols<Time> c;
  for (std::size_t r = 0; r < n; ++r) {
    c.id.push_back(static_cast<std::int64_t>(rng.below(40)) * 1000003 - 5000000);
    c.time.push_back(static_cast<Time>(rng.below(20)) / Time(2));
    c.code.push_back(static_cast<std::int32_t>(rng.below(5)));
  }
  return c;
}

template <class Time>
void check_against_brute_force(const Cols<Time>& c) {
  const SortedEventLog<Time> log(c.id, c.time, c.code, 5, "stage", "lead");
  const std::size_t n = c.id.size();
  // Brute force: groups in order of first appearance, stable by time inside.
  std::map<std::int64_t, std::size_t> first;
  for (std::size_t r = 0; r < n; ++r) first.emplace(c.id[r], first.size());
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (first[c.id[a]] != first[c.id[b]]) return first[c.id[a]] < first[c.id[b]];
    return c.time[a] < c.time[b];
  });
  ASSERT_EQ(log.size(), n);
  ASSERT_EQ(log.entities(), first.size());
  for (std::size_t k = 0; k < n; ++k) {
    EXPECT_EQ(log.row(k), order[k]);
    EXPECT_EQ(log.times()[k], c.time[order[k]]);
    EXPECT_EQ(log.codes()[k], c.code[order[k]]);
  }
  ASSERT_EQ(log.offsets().size(), log.entities() + 1);
  EXPECT_EQ(log.offsets().front(), 0U);
  EXPECT_EQ(log.offsets().back(), n);
  for (std::size_t g = 0; g < log.entities(); ++g)
    for (std::size_t k = log.offsets()[g]; k < log.offsets()[g + 1]; ++k)
      EXPECT_EQ(c.id[log.row(k)], log.entity_ids()[g]);
  // borrow(): the same log; it views the caller's columns exactly when they were sorted.
  const auto borrowed = SortedEventLog<Time>::borrow(c.id, c.time, c.code, 5);
  ASSERT_EQ(borrowed.size(), n);
  EXPECT_EQ(borrowed.was_sorted(), log.was_sorted());
  EXPECT_EQ(borrowed.times().data() == c.time.data(), log.was_sorted());
  EXPECT_NE(log.times().data(), c.time.data());
  // A copy owns its events (no view into the source).
  const SortedEventLog<Time> copy = log;
  EXPECT_NE(copy.times().data(), log.times().data());
  for (std::size_t k = 0; k < n; ++k) {
    EXPECT_EQ(borrowed.row(k), order[k]);
    EXPECT_EQ(borrowed.times()[k], c.time[order[k]]);
    EXPECT_EQ(borrowed.codes()[k], c.code[order[k]]);
    EXPECT_EQ(copy.row(k), order[k]);
    EXPECT_EQ(copy.times()[k], c.time[order[k]]);
  }
  EXPECT_EQ(log.first_time(), *std::min_element(c.time.begin(), c.time.end()));
  EXPECT_EQ(log.last_time(), *std::max_element(c.time.begin(), c.time.end()));
}

// Leads through {a, b, c, won, lost} with strictly increasing times per lead (so the
// result cannot depend on the row order), rows shuffled or not.
Cols<std::int64_t> funnel_log(std::uint64_t seed, int n_leads, bool shuffled) {
  Rng rng(seed);
  Cols<std::int64_t> c;
  for (int l = 0; l < n_leads; ++l) {
    std::int64_t t = static_cast<std::int64_t>(rng.below(50));
    std::int32_t s = static_cast<std::int32_t>(rng.below(3));
    for (int step = 0; step < 8; ++step) {
      c.id.push_back(977 * l + 13);
      c.time.push_back(t);
      c.code.push_back(s);
      if (s >= 3) break;
      t += 1 + static_cast<std::int64_t>(rng.below(20));
      s = static_cast<std::int32_t>(rng.below(5));
    }
  }
  if (shuffled)
    for (std::size_t i = c.id.size(); i > 1; --i) {
      const std::size_t j = rng.below(i);
      std::swap(c.id[i - 1], c.id[j]);
      std::swap(c.time[i - 1], c.time[j]);
      std::swap(c.code[i - 1], c.code[j]);
    }
  return c;
}

const StageSpace kSpace = StageSpace::funnel({"a", "b", "c"}, {"won", "lost"});

TEST(EventLog, MatchesBruteForceSort) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    check_against_brute_force(random_rows<std::int64_t>(seed, 500));
    check_against_brute_force(random_rows<double>(seed + 100, 500));
  }
  // Already grouped and sorted input: kept as is.
  Cols<std::int64_t> sorted{{1, 1, 2, 5}, {1, 2, 0, 7}, {0, 1, 0, 3}};
  check_against_brute_force(sorted);
  EXPECT_TRUE(SortedEventLog<std::int64_t>(sorted.id, sorted.time, sorted.code, 5).was_sorted());
  // Long groups (merge sort path) and sparse ids (hash path).
  {
    Cols<double> big = random_rows<double>(77, 600);
    for (auto& id : big.id) id = id % 3 == 0 ? (1LL << 50) : id % 2;
    check_against_brute_force(big);
  }
  // A single row.
  check_against_brute_force(Cols<double>{{42}, {1.5}, {4}});
}

TEST(EventLog, TiesKeepInputOrder) {
  const std::vector<std::int64_t> id{7, 3, 7, 7, 3};
  const std::vector<double> time{2.0, 1.0, 1.0, 2.0, 1.0};
  const std::vector<std::int32_t> code{0, 1, 2, 3, 4};
  const SortedEventLog<double> log(id, time, code, 5);
  EXPECT_EQ(std::vector<std::int64_t>(log.entity_ids().begin(), log.entity_ids().end()),
            (std::vector<std::int64_t>{7, 3}));
  std::vector<std::size_t> rows;
  for (std::size_t k = 0; k < log.size(); ++k) rows.push_back(log.row(k));
  EXPECT_EQ(rows, (std::vector<std::size_t>{2, 0, 3, 1, 4}));
  EXPECT_FALSE(log.was_sorted());
}

TEST(EventLog, BadInputNamesTheRow) {
  using V64 = std::vector<std::int64_t>;
  using V32 = std::vector<std::int32_t>;
  expect_error([] { SortedEventLog<std::int64_t>(V64{}, V64{}, V32{}, 3); }, Errc::empty_input, "no rows");
  expect_error(
      [] {
        SortedEventLog<std::int64_t>(V64{1, 2}, V64{1}, V32{0, 0}, 3);
      },
      Errc::shape_mismatch, "time column");
  expect_error(
      [] {
        SortedEventLog<std::int64_t>(V64{1, 2, 3}, V64{1, 2, 3}, V32{0, 3, 0}, 3, "stage");
      },
      Errc::out_of_range, "row 1: stage index 3 is outside [0, 3)");
  expect_error(
      [] {
        SortedEventLog<double>(V64{1, 2}, std::vector<double>{1.0, std::nan("")}, V32{0, 0}, 3);
      },
      Errc::invalid_argument, "row 1: time must be finite");
  // Readers name the input row, not the sorted position.
  expect_error(
      [] {
        ExposureCounts::from_events<std::int64_t>(kSpace, V64{5, 9, 5, 5}, V64{3, 1, 1, 3}, V32{1, 0, 0, 1});
      },
      Errc::invalid_argument, "lead 5: duplicate event: rows 0 and 3 both say stage 'b' at time 3");
  expect_error(
      [] {
        period_counts<std::int64_t>(kSpace, V64{5, 9, 5}, V64{3, 1, 1}, V32{0, 0, 3});
      },
      Errc::invalid_argument, "lead 5 leaves absorbing stage 'won' for 'a' (row 0)");
  // The counting fast path names the row too (sorted, dense and sparse id paths).
  expect_error(
      [] {
        TransitionCounts::from_events<std::int64_t>(kSpace, V64{5, 9, 5}, V64{3, 1, 1}, V32{0, 0, 3});
      },
      Errc::invalid_argument, "lead 5 leaves absorbing stage 'won' for 'a' (row 0)");
  expect_error(
      [] {
        TransitionCounts::from_events<std::int64_t>(kSpace, V64{5, 5, 9}, V64{1, 3, 1}, V32{3, 0, 0});
      },
      Errc::invalid_argument, "lead 5 leaves absorbing stage 'won' for 'a' (row 1)");
  expect_error(
      [] {
        TransitionCounts::from_events<double>(kSpace, V64{1LL << 40, 9, 1LL << 40},
                                              std::vector<double>{3, 1, 1}, V32{0, 0, 3});
      },
      Errc::invalid_argument, "leaves absorbing stage 'won' for 'a' (row 0)");
}

TEST(EventLog, ShuffledRowsGiveIdenticalCountsInEveryReader) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const auto in_order = funnel_log(seed, 300, false);
    const auto shuffled = funnel_log(seed, 300, true);
    ASSERT_EQ(in_order.id.size(), shuffled.id.size());
    for (auto rep : {Repeats::keep, Repeats::collapse}) {
      EXPECT_EQ(
          TransitionCounts::from_events<std::int64_t>(kSpace, in_order.id, in_order.time, in_order.code, rep)
              .matrix(),
          TransitionCounts::from_events<std::int64_t>(kSpace, shuffled.id, shuffled.time, shuffled.code, rep)
              .matrix());
    }
    PeriodOptions<std::int64_t> po;
    po.period = 7;
    const auto p1 = period_counts<std::int64_t>(kSpace, in_order.id, in_order.time, in_order.code, po);
    const auto p2 = period_counts<std::int64_t>(kSpace, shuffled.id, shuffled.time, shuffled.code, po);
    EXPECT_EQ(p1.matrix(), p2.matrix());
    EXPECT_GT(p1.total(), 0.0);
    const auto e1 =
        ExposureCounts::from_events<std::int64_t>(kSpace, in_order.id, in_order.time, in_order.code);
    const auto e2 =
        ExposureCounts::from_events<std::int64_t>(kSpace, shuffled.id, shuffled.time, shuffled.code);
    EXPECT_EQ(e1.matrix(), e2.matrix());
    EXPECT_EQ(e1.exposure(), e2.exposure());
    // Floating-point times: the same counts.
    const std::vector<double> t1(in_order.time.begin(), in_order.time.end());
    const std::vector<double> t2(shuffled.time.begin(), shuffled.time.end());
    const auto f1 = ExposureCounts::from_events<double>(kSpace, in_order.id, t1, in_order.code, 500.0, 7.0);
    const auto f2 = ExposureCounts::from_events<double>(kSpace, shuffled.id, t2, shuffled.code, 500.0, 7.0);
    EXPECT_EQ(f1.matrix(), f2.matrix());
    // Exposures in units of 7 are not integers: sums in another lead order may differ
    // in the last bit.
    EXPECT_TRUE(f1.exposure().isApprox(f2.exposure(), 1e-13)) << f1.exposure() << " vs " << f2.exposure();
    PeriodOptions<double> pd;
    pd.period = 7.0;
    EXPECT_EQ(period_counts<double>(kSpace, in_order.id, t1, in_order.code, pd).matrix(),
              period_counts<double>(kSpace, shuffled.id, t2, shuffled.code, pd).matrix());
  }
}

TEST(EventLog, OneCutoffRule) {
  using V64 = std::vector<std::int64_t>;
  using V32 = std::vector<std::int32_t>;
  // Lead 1 enters 'a' at 0 and 'b' at 14; lead 2 enters 'a' at 7.  Last event: 14.
  const V64 lead{2, 1, 1}, time{7, 14, 0};
  const V32 stage{0, 1, 0};
  const SortedEventLog<std::int64_t> log(lead, time, stage, 5, "stage", "lead");
  EXPECT_NO_THROW(log.require_cutoff(14));
  EXPECT_NO_THROW(log.require_cutoff(15));
  expect_error([&] { log.require_cutoff(13); }, Errc::invalid_argument,
               "the censoring date is before an event: row 1 (lead 1, time 14) is later than the cutoff 13");
  // A cut-off equal to the last event is accepted by every reader ...
  const auto e = ExposureCounts::from_events<std::int64_t>(kSpace, lead, time, stage, 14);
  EXPECT_EQ(e.exposure()(0), 14.0 + 7.0);  // lead 1: 0..14 in 'a'; lead 2: 7..14 (open)
  EXPECT_EQ(e.exposure()(1), 0.0);         // lead 1 entered 'b' at the cut-off
  PeriodOptions<std::int64_t> po;
  po.period = 7;
  po.origin = 0;
  po.cutoff = 14;  // two periods; the event at 14 belongs to the last one
  const Matrix p = period_counts<std::int64_t>(kSpace, lead, time, stage, po).matrix();
  EXPECT_EQ(p(0, 0), 0.0);  // lead 1: period 0 in 'a', then 'b' in period 1 (clamped)
  EXPECT_EQ(p(0, 1), 1.0);
  EXPECT_EQ(p.sum(), 1.0);  // lead 2 enters 'a' in the last period: no stay observed
  // ... and a cut-off before an event is rejected by every reader, naming the same row.
  const char* msg = "the censoring date is before an event: row 1 (lead 1, time 14)";
  expect_error([&] { ExposureCounts::from_events<std::int64_t>(kSpace, lead, time, stage, 13); },
               Errc::invalid_argument, msg);
  po.cutoff = 7;
  expect_error([&] { period_counts<std::int64_t>(kSpace, lead, time, stage, po); }, Errc::invalid_argument,
               msg);
  // The default cut-off of ExposureCounts is the last event.
  EXPECT_EQ(ExposureCounts::from_events<std::int64_t>(kSpace, lead, time, stage).exposure(), e.exposure());
}

}  // namespace test_event_log
