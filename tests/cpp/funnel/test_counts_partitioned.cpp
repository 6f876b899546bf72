// The partitioned event count (random 64-bit lead ids, several chunks, partitions and
// passes) against a brute-force oracle: the same counts for every thread count, every
// row order and both time types, and its bad-input errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace test_counts_partitioned {

// 12 stages: 10 transient, 2 outcomes (more than a handful of stage bits).
StageSpace space12() {
  return StageSpace::funnel({"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}, {"won", "lost"});
}

struct Log {
  std::vector<std::int64_t> lead;
  std::vector<std::int64_t> time;
  std::vector<std::int32_t> stage;
};

// Leads with random 64-bit ids (the extremes included), 1..24 events each, integer times
// with ties, repeats of the current stage; about 60 % end in an outcome.
Log random_log(std::uint64_t seed, std::size_t leads) {
  Rng rng(seed);
  Log log;
  for (std::size_t l = 0; l < leads; ++l) {
    std::int64_t id = static_cast<std::int64_t>(rng());
    if (l == 0) id = INT64_MIN;
    if (l == 1) id = INT64_MAX;
    const int len = 1 + static_cast<int>(rng.below(24));
    std::int64_t t = static_cast<std::int64_t>(rng.below(1000)) - 500;
    for (int k = 0; k < len; ++k) {
      int s = static_cast<int>(rng.below(10));
      t += static_cast<std::int64_t>(rng.below(3));  // 0: a tie
      if (k == len - 1 && rng.bernoulli(0.6)) {
        s = 10 + static_cast<int>(rng.below(2));
        t += 1;
      }
      log.lead.push_back(id);
      log.time.push_back(t);
      log.stage.push_back(s);
    }
  }
  return log;
}

Log permuted(const Log& log, const std::vector<std::size_t>& perm) {
  Log out;
  for (auto i : perm) {
    out.lead.push_back(log.lead[i]);
    out.time.push_back(log.time[i]);
    out.stage.push_back(log.stage[i]);
  }
  return out;
}

// Oracle: rows grouped in a std::map by lead, sorted by (time, input row), pairs counted.
Matrix brute_force(const StageSpace& space, const Log& log, Repeats repeats) {
  std::map<std::int64_t, std::vector<std::tuple<std::int64_t, std::size_t, std::int32_t>>> by_lead;
  for (std::size_t r = 0; r < log.lead.size(); ++r)
    by_lead[log.lead[r]].emplace_back(log.time[r], r, log.stage[r]);
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix c = Matrix::Zero(n, n);
  for (auto& [id, ev] : by_lead) {
    std::sort(ev.begin(), ev.end());
    for (std::size_t k = 1; k < ev.size(); ++k) {
      const auto from = std::get<2>(ev[k - 1]), to = std::get<2>(ev[k]);
      if (from == to && (repeats == Repeats::collapse || space.is_absorbing(static_cast<std::size_t>(from))))
        continue;
      c(from, to) += 1;
    }
  }
  return c;
}

// Oracle for any time type: rows grouped by lead, stably sorted by time (operator<, so
// -0.0 and 0.0 tie and keep row order), pairs counted.
template <class Time>
Matrix brute_force_times(const StageSpace& space, const std::vector<std::int64_t>& lead,
                         const std::vector<Time>& time, const std::vector<std::int32_t>& stage,
                         Repeats repeats) {
  std::map<std::int64_t, std::vector<std::size_t>> rows;
  for (std::size_t r = 0; r < lead.size(); ++r) rows[lead[r]].push_back(r);
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix c = Matrix::Zero(n, n);
  for (auto& [id, rs] : rows) {
    std::stable_sort(rs.begin(), rs.end(), [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
    for (std::size_t k = 1; k < rs.size(); ++k) {
      const auto from = stage[rs[k - 1]], to = stage[rs[k]];
      if (from == to && (repeats == Repeats::collapse || space.is_absorbing(static_cast<std::size_t>(from))))
        continue;
      c(from, to) += 1;
    }
  }
  return c;
}

// Restores the counts' kernel choice at the end of a test.
struct KernelGuard {
  bool before = detail::set_counts_avx2(true);
  KernelGuard() = default;
  KernelGuard(const KernelGuard&) = delete;
  KernelGuard& operator=(const KernelGuard&) = delete;
  KernelGuard(KernelGuard&&) = delete;
  KernelGuard& operator=(KernelGuard&&) = delete;
  ~KernelGuard() { detail::set_counts_avx2(before); }
};

}  // namespace test_counts_partitioned

TEST(CountsPartitioned, RandomIdsAnyOrderAnyThreadCountMatchBruteForce) {
  using namespace test_counts_partitioned;
  // ~250,000 events: four fixed chunks, eight partitions, two passes.
  const Log base = random_log(77, 20000);
  Rng rng(5);
  std::vector<std::size_t> shuffled(base.lead.size());
  std::iota(shuffled.begin(), shuffled.end(), 0);
  for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
  std::vector<std::size_t> reversed(base.lead.size());
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  for (const Repeats repeats : {Repeats::collapse, Repeats::keep}) {
    const Matrix expected = brute_force(space12(), base, repeats);
    ASSERT_GT(expected.sum(), 100000.0);
    for (const auto* perm : {&shuffled, &reversed}) {
      const Log log = permuted(base, *perm);
      const Matrix want = brute_force(space12(), log, repeats);  // ties keep this log's row order
      std::vector<double> dtime(log.time.begin(), log.time.end());
      for (int threads : {0, 1, 2, 3}) {
        const auto c = TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, log.stage,
                                                                   repeats, threads);
        EXPECT_EQ(c.matrix(), want) << "threads " << threads;
        const auto d =
            TransitionCounts::from_events<double>(space12(), log.lead, dtime, log.stage, repeats, threads);
        EXPECT_EQ(d.matrix(), want) << "double times, threads " << threads;
      }
    }
    // Sorted by (lead, time, row): the sequential path gives the same counts.
    std::vector<std::size_t> order(base.lead.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(base.lead[a], base.time[a]) < std::tie(base.lead[b], base.time[b]);
    });
    const Log sorted = permuted(base, order);
    EXPECT_EQ(TransitionCounts::from_events<std::int64_t>(space12(), sorted.lead, sorted.time, sorted.stage,
                                                          repeats, 2)
                  .matrix(),
              expected);
  }
}

TEST(CountsPartitioned, BadRowsAreNamedAndNothingIsCounted) {
  using namespace test_counts_partitioned;
  Log log = random_log(9, 15000);
  const std::size_t far = log.lead.size() - 3;
  // A stage code outside the space, late in the log: the error names its row.
  log.stage[far] = 12;
  expect_error(
      [&] {
        (void)TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, log.stage,
                                                          Repeats::collapse, 2);
      },
      Errc::out_of_range, "row " + std::to_string(far));
  log.stage[far] = 0;
  // A non-finite time (double times).
  std::vector<double> dtime(log.time.begin(), log.time.end());
  dtime[far] = std::numeric_limits<double>::quiet_NaN();
  expect_error(
      [&] {
        (void)TransitionCounts::from_events<double>(space12(), log.lead, dtime, log.stage, Repeats::collapse,
                                                    2);
      },
      Errc::invalid_argument, "row " + std::to_string(far) + ": time must be finite");
  // A lead leaving an outcome: the user's lead id and row, the same at every thread count.
  log.lead.insert(log.lead.end(), {-42, -42});
  log.time.insert(log.time.end(), {10, 11});
  log.stage.insert(log.stage.end(), {10, 3});
  for (int threads : {1, 2, 3}) {
    expect_error(
        [&] {
          (void)TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, log.stage,
                                                            Repeats::collapse, threads);
        },
        Errc::invalid_argument,
        "lead -42 leaves absorbing stage 'won' for 's3' (row " + std::to_string(log.lead.size() - 1) + ")");
  }
}

namespace test_counts_partitioned {

// Leads of 30..90 events (past the rank-ordered group size): long groups, with ties.
Log long_groups_log(std::uint64_t seed, std::size_t leads) {
  Rng rng(seed);
  Log log;
  for (std::size_t l = 0; l < leads; ++l) {
    const auto id = static_cast<std::int64_t>(rng());
    const int len = 30 + static_cast<int>(rng.below(61));
    std::int64_t t = 0;
    for (int k = 0; k < len; ++k) {
      t += static_cast<std::int64_t>(rng.below(3)) + (k == len - 1 ? 1 : 0);  // the outcome comes last
      log.lead.push_back(id);
      log.time.push_back(t);
      log.stage.push_back(k == len - 1 ? 10 + static_cast<std::int32_t>(rng.below(2))
                                       : static_cast<std::int32_t>(rng.below(10)));
    }
  }
  return log;
}

// The stage column as raw codes of type Code: stage s is stored as code[s] (codes
// base + 3 s, so the map has gaps), with the map from code - base to stage.
template <class Code>
std::pair<std::vector<Code>, std::vector<std::int32_t>> raw_codes(const Log& log, std::int64_t base) {
  std::vector<std::int32_t> map(3 * 12, -1);
  for (std::int32_t s = 0; s < 12; ++s) map[static_cast<std::size_t>(3 * s)] = s;
  std::vector<Code> codes;
  for (const auto s : log.stage) codes.push_back(static_cast<Code>(base + 3 * s));
  return {codes, map};
}

template <class Code>
void expect_codes_match(const Log& log, std::int64_t base) {
  const auto [codes, map] = raw_codes<Code>(log, base);
  std::vector<double> dtime(log.time.begin(), log.time.end());
  for (const Repeats repeats : {Repeats::collapse, Repeats::keep}) {
    const Matrix want = brute_force(space12(), log, repeats);
    for (int threads : {1, 2, 3}) {
      const StageCodes<Code> sc{codes, map, base};
      EXPECT_EQ(
          TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, sc, repeats, threads)
              .matrix(),
          want)
          << sizeof(Code) << "-byte codes, threads " << threads;
      EXPECT_EQ(
          TransitionCounts::from_events<double>(space12(), log.lead, dtime, sc, repeats, threads).matrix(),
          want)
          << sizeof(Code) << "-byte codes, double times, threads " << threads;
    }
  }
}

}  // namespace test_counts_partitioned

TEST(CountsPartitioned, RawStageCodesOfEveryWidthMatchBruteForce) {
  using namespace test_counts_partitioned;
  // Short groups (ordered by rank) and long ones (insertion sort), rows shuffled.
  for (Log log : {random_log(31, 12000), long_groups_log(32, 3000)}) {
    Rng rng(6);
    std::vector<std::size_t> perm(log.lead.size());
    std::iota(perm.begin(), perm.end(), 0);
    for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
    log = permuted(log, perm);
    expect_codes_match<std::int8_t>(log, -100);
    expect_codes_match<std::int16_t>(log, 1000);
    expect_codes_match<std::int32_t>(log, 0);
    expect_codes_match<std::int64_t>(log, std::int64_t{1} << 40);
    // The int32 overload on the same log agrees.
    EXPECT_EQ(TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, log.stage,
                                                          Repeats::collapse, 2)
                  .matrix(),
              brute_force(space12(), log, Repeats::collapse));
  }
}

namespace test_counts_partitioned {

// Leads of one or two events (a lead table with about as many leads as rows: it grows).
Log short_leads_log(std::uint64_t seed, std::size_t leads) {
  Rng rng(seed);
  Log log;
  for (std::size_t l = 0; l < leads; ++l) {
    const auto id = static_cast<std::int64_t>(rng());
    const int len = 1 + static_cast<int>(rng.below(2));
    for (int k = 0; k < len; ++k) {
      log.lead.push_back(id);
      log.time.push_back(static_cast<std::int64_t>(rng.below(5)) - 2);
      log.stage.push_back(static_cast<std::int32_t>(rng.below(10)));
    }
  }
  return log;
}

}  // namespace test_counts_partitioned

TEST(CountsPartitioned, ScatterLinesAndLeadTablesAtManySizesMatchBruteForce) {
  using namespace test_counts_partitioned;
  // Sizes from a few rows to several chunks and partitions and two scatter passes, none a
  // multiple of the four records of a cache line: partitions whose rows start and end
  // inside a line, partial lines shared by two chunks, the spare entry of the later
  // passes; and leads of one or two events, whose partition lead tables grow.
  Rng rng(8);
  for (const std::size_t leads : {1, 2, 3, 7, 61, 5003, 11113, 23459}) {
    for (Log log : {random_log(100 + leads, leads), short_leads_log(200 + leads, 9 * leads + 1)}) {
      std::vector<std::size_t> perm(log.lead.size());
      std::iota(perm.begin(), perm.end(), 0);
      for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
      log = permuted(log, perm);
      std::vector<double> dtime(log.time.begin(), log.time.end());
      for (const Repeats repeats : {Repeats::collapse, Repeats::keep}) {
        const Matrix want = brute_force(space12(), log, repeats);
        for (int threads : {1, 2, 3}) {
          EXPECT_EQ(TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, log.stage,
                                                                repeats, threads)
                        .matrix(),
                    want)
              << log.lead.size() << " events, threads " << threads;
          EXPECT_EQ(
              TransitionCounts::from_events<double>(space12(), log.lead, dtime, log.stage, repeats, threads)
                  .matrix(),
              want)
              << log.lead.size() << " events, double times, threads " << threads;
        }
      }
    }
  }
}

TEST(CountsPartitioned, RawStageCodesWithoutAStageAreNamed) {
  using namespace test_counts_partitioned;
  const Log log = random_log(12, 15000);
  const std::size_t far = log.lead.size() - 5;
  auto [codes, map] = raw_codes<std::int16_t>(log, -7);
  const std::int16_t good = codes[far];
  // Below the table, gaps of the map and past the table.
  for (const std::int16_t bad :
       {std::int16_t{-8}, std::int16_t{-6}, std::int16_t{30}, std::int16_t{-7 + 35}}) {
    codes[far] = bad;
    expect_error(
        [&] {
          (void)TransitionCounts::from_events<std::int64_t>(
              space12(), log.lead, log.time, StageCodes<std::int16_t>{codes, map, -7}, Repeats::collapse, 2);
        },
        Errc::unknown_label, "stage: row " + std::to_string(far) + " has code " + std::to_string(bad));
  }
  codes[far] = good;
  map[0] = 12;  // stage 0's code now maps past the 12 stages
  const auto first =
      static_cast<std::size_t>(std::find(log.stage.begin(), log.stage.end(), 0) - log.stage.begin());
  expect_error(
      [&] {
        (void)TransitionCounts::from_events<std::int64_t>(
            space12(), log.lead, log.time, StageCodes<std::int16_t>{codes, map, -7}, Repeats::collapse, 1);
      },
      Errc::unknown_label, "stage: row " + std::to_string(first) + " has code -7");
}

TEST(CountsPartitioned, GroupOrderingKernelsMatchBruteForceOnTiesAndWideSpans) {
  using namespace test_counts_partitioned;
  // Leads of 1..40 events (the short-group kernels take up to 32), shuffled: times with
  // ties, leads whose times span most of the int64 range or of the doubles (the AVX2
  // kernel's keys do not fit: the portable order), negative doubles and -0.0 next to 0.0.
  Rng rng(2026);
  std::vector<std::int64_t> lead;
  std::vector<std::int64_t> itime;
  std::vector<double> dtime;
  std::vector<std::int32_t> stage;
  for (int l = 0; l < 3000; ++l) {
    const auto id = static_cast<std::int64_t>(rng());
    const int len = 1 + l % 40;
    const int kind =
        static_cast<int>(rng.below(4));  // 0 small span, 1 ties only, 2 wide span, 3 signed zeros
    for (int k = 0; k < len; ++k) {
      std::int64_t t = static_cast<std::int64_t>(rng.below(50)) - 25;
      double d = static_cast<double>(t) * 0.5;
      if (kind == 1) t = 7, d = -1.5;
      if (kind == 2) {
        t = rng.bernoulli(0.5)
                ? std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(rng.below(4))
                : std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(rng.below(4));
        d = t < 0 ? -1e300 * static_cast<double>(1 + rng.below(3))
                  : 1e-300 * static_cast<double>(rng.below(3));
      }
      if (kind == 3) d = rng.bernoulli(0.5) ? -0.0 : 0.0;
      lead.push_back(id);
      itime.push_back(t);
      dtime.push_back(d);
      stage.push_back(static_cast<std::int32_t>(rng.below(10)));
    }
  }
  std::vector<std::size_t> perm(lead.size());
  std::iota(perm.begin(), perm.end(), 0);
  for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
  auto shuffle = [&](auto v) {
    auto out = v;
    for (std::size_t i = 0; i < perm.size(); ++i) out[i] = v[perm[i]];
    return out;
  };
  lead = shuffle(lead), itime = shuffle(itime), dtime = shuffle(dtime), stage = shuffle(stage);
  const KernelGuard guard;
  std::vector<bool> kernels{false};
  if (detail::counts_avx2_supported()) kernels.push_back(true);
  for (const Repeats repeats : {Repeats::collapse, Repeats::keep}) {
    const Matrix want_i = brute_force_times(space12(), lead, itime, stage, repeats);
    const Matrix want_d = brute_force_times(space12(), lead, dtime, stage, repeats);
    ASSERT_GT(want_i.sum(), 10000.0);
    ASSERT_NE(want_i, want_d);  // the two time columns order the leads differently
    for (const bool avx2 : kernels) {
      detail::set_counts_avx2(avx2);
      for (int threads : {1, 2}) {
        EXPECT_EQ(TransitionCounts::from_events<std::int64_t>(space12(), lead, itime, stage, repeats, threads)
                      .matrix(),
                  want_i)
            << "avx2 " << avx2 << ", threads " << threads;
        EXPECT_EQ(
            TransitionCounts::from_events<double>(space12(), lead, dtime, stage, repeats, threads).matrix(),
            want_d)
            << "double times, avx2 " << avx2 << ", threads " << threads;
      }
    }
  }
}

TEST(CountsPartitioned, StructuredLeadIdsMatchBruteForce) {
  using namespace test_counts_partitioned;
  // CRM ids are often not random: consecutive numbers, a counter in the high bits, few
  // distinct high-bit values.  The partition and lead-table hashes must keep every lead
  // apart whatever bits its id varies in (~120,000 events, several partitions).
  const Log base = random_log(91, 10000);
  std::map<std::int64_t, std::size_t> number;  // random id -> lead number 0, 1, ...
  for (const auto id : base.lead) number.emplace(id, number.size());
  const std::vector<std::pair<const char*, std::int64_t (*)(std::size_t)>> patterns = {
      {"consecutive", [](std::size_t k) { return static_cast<std::int64_t>(k); }},
      {"negative", [](std::size_t k) { return -static_cast<std::int64_t>(k) - 1; }},
      {"counter above bit 40", [](std::size_t k) { return static_cast<std::int64_t>(k << 40); }},
      {"counter above bit 50",
       [](std::size_t k) { return static_cast<std::int64_t>((k % 8192) << 50 | k / 8192); }},
      {"stride 2^20",
       [](std::size_t k) { return static_cast<std::int64_t>(k * (std::size_t{1} << 20) + 7); }},
  };
  Rng rng(13);
  std::vector<std::size_t> shuffled(base.lead.size());
  std::iota(shuffled.begin(), shuffled.end(), 0);
  for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
  for (const auto& [name, id_of] : patterns) {
    Log log = permuted(base, shuffled);
    for (auto& id : log.lead) id = id_of(number.at(id));
    const Matrix want = brute_force(space12(), log, Repeats::collapse);
    ASSERT_GT(want.sum(), 50000.0);
    for (int threads : {1, 2})
      EXPECT_EQ(TransitionCounts::from_events<std::int64_t>(space12(), log.lead, log.time, log.stage,
                                                            Repeats::collapse, threads)
                    .matrix(),
                want)
          << name << ", threads " << threads;
  }
}
