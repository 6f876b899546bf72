// The persistent pool behind parallel_for: every task runs exactly once at any thread
// count, errors and cancellation come back to the caller, nested and concurrent calls
// neither deadlock nor spawn threads per call.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/parallel.hpp"

namespace fn = funnelnet;

TEST(Parallel, EveryTaskRunsOnceAtAnyThreadCount) {
  for (int threads : {1, 2, 3, 7, 0}) {
    const std::size_t n = 10'000;
    std::vector<std::atomic<int>> hits(n);
    fn::parallel_for(n, threads, [&](std::size_t t) { hits[t].fetch_add(1); });
    for (std::size_t t = 0; t < n; ++t)
      ASSERT_EQ(hits[t].load(), 1) << "task " << t << " threads " << threads;
  }
}

TEST(Parallel, PoolIsReusedNotRespawned) {
  fn::parallel_for(64, 4, [](std::size_t) {});
  const std::size_t size = fn::detail::pool_size();
  EXPECT_GE(size, 3U);
  for (int i = 0; i < 200; ++i) fn::parallel_for(64, 4, [](std::size_t) {});
  EXPECT_EQ(fn::detail::pool_size(), size);
}

TEST(Parallel, FirstErrorIsRethrownAfterAllStop) {
  std::atomic<int> ran{0};
  EXPECT_THROW(fn::parallel_for(1000, 4,
                                [&](std::size_t t) {
                                  ran.fetch_add(1);
                                  if (t == 10) throw std::runtime_error("task 10 failed");
                                }),
               std::runtime_error);
  EXPECT_GE(ran.load(), 11);  // tasks before the failure ran (claimed in order)
  // The pool is still usable after a failure.
  std::atomic<int> after{0};
  fn::parallel_for(100, 4, [&](std::size_t) { after.fetch_add(1); });
  EXPECT_EQ(after.load(), 100);
}

TEST(Parallel, ProgressReachesTotalAndCancels) {
  for (int threads : {1, 3}) {
    std::uint64_t last = 0, total = 0;
    fn::parallel_for(
        500, threads, [](std::size_t) {},
        [&](std::uint64_t d, std::uint64_t t) {
          EXPECT_GE(d, last);
          last = d;
          total = t;
          return true;
        });
    EXPECT_EQ(last, 500U);
    EXPECT_EQ(total, 500U);
    // Tasks take 1 ms, so work is left when the caller first reports (after its own
    // first task) and the callback's "stop" is honoured.
    std::atomic<int> ran{0};
    try {
      fn::parallel_for(
          500, threads,
          [&](std::size_t) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            ran.fetch_add(1);
          },
          [](std::uint64_t, std::uint64_t) { return false; });
      FAIL() << "expected cancellation";
    } catch (const fn::Error& e) {
      EXPECT_EQ(e.code(), fn::Errc::cancelled);
      EXPECT_LT(ran.load(), 500);
    }
  }
}

TEST(Parallel, FinalReportCanStillCancel) {
  // Instant tasks on a warm pool: the workers may claim every task before the caller
  // reports; a callback that always says stop must still cancel the job.
  fn::parallel_for(64, 3, [](std::size_t) {});
  for (int threads : {1, 3})
    for (int rep = 0; rep < 50; ++rep) {
      try {
        fn::parallel_for(
            5, threads, [](std::size_t) {}, [](std::uint64_t, std::uint64_t) { return false; });
        FAIL() << "expected cancellation at threads " << threads;
      } catch (const fn::Error& e) {
        EXPECT_EQ(e.code(), fn::Errc::cancelled);
      }
    }
}

TEST(Parallel, ThrowingProgressCallbackIsRethrown) {
  EXPECT_THROW(fn::parallel_for(
                   1000, 3, [](std::size_t) {},
                   [](std::uint64_t d, std::uint64_t) -> bool {
                     if (d > 5) throw std::logic_error("callback failed");
                     return true;
                   }),
               std::logic_error);
}

TEST(Parallel, NestedCallsRunInline) {
  std::vector<std::atomic<int>> hits(64 * 64);
  fn::parallel_for(64, 4, [&](std::size_t i) {
    fn::parallel_for(64, 4, [&](std::size_t j) { hits[i * 64 + j].fetch_add(1); });
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

TEST(Parallel, ConcurrentCallersShareThePool) {
  std::vector<std::thread> callers;
  std::vector<long long> sums(8, 0);
  for (int c = 0; c < 8; ++c)
    callers.emplace_back([&, c] {
      for (int rep = 0; rep < 20; ++rep) {
        std::vector<long long> part(256, 0);
        fn::parallel_for(256, 3, [&](std::size_t t) { part[t] = static_cast<long long>(t) * (c + 1); });
        sums[static_cast<std::size_t>(c)] += std::accumulate(part.begin(), part.end(), 0LL);
      }
    });
  for (auto& t : callers) t.join();
  for (int c = 0; c < 8; ++c) EXPECT_EQ(sums[static_cast<std::size_t>(c)], 20LL * (c + 1) * (255 * 256 / 2));
}

// Issue 17: a job of a few long tasks still stops soon after its progress callback says
// stop (Ctrl-C in Python): the caller's heartbeats reach the tasks through
// task_should_stop, on one thread and on several.
TEST(Parallel, LongTasksStopSoonAfterTheCallbackSaysStop) {
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE(threads);
    const auto start = std::chrono::steady_clock::now();
    std::atomic<int> stopped_early{0};
    int calls = 0;
    funnelnet::Progress progress = [&](std::uint64_t, std::uint64_t) {
      ++calls;
      return std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300);
    };
    auto body = [&](std::size_t) {
      // Each task alone would run 20 s.
      while (std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
        if (funnelnet::task_should_stop()) {
          ++stopped_early;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    expect_error([&] { funnelnet::parallel_for(4, threads, body, progress); }, funnelnet::Errc::cancelled,
                 "cancelled");
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_GE(stopped_early.load(), 1);
    EXPECT_GE(calls, 2);  // heartbeats, not only reports at task ends
  }
  EXPECT_FALSE(funnelnet::task_should_stop());  // outside a task
}

// The threads=0 rule (parallel.hpp): one thread below two grains of work, then one
// thread per grain up to the usable cores; a positive request is used as given.
TEST(Parallel, ResolveThreadsFollowsTheWorkRule) {
  const unsigned cores = fn::usable_cores();
  ASSERT_GE(cores, 1U);
  const unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0) {
    EXPECT_LE(cores, hw);  // the affinity mask is a subset of the machine
  }
  for (int req : {1, 2, 3, 17}) {
    EXPECT_EQ(fn::resolve_threads(req, 0, 1000), static_cast<unsigned>(req));
    EXPECT_EQ(fn::resolve_threads(req, 1'000'000'000, 1000), static_cast<unsigned>(req));
    EXPECT_EQ(fn::resolve_threads(req), static_cast<unsigned>(req));
  }
  EXPECT_EQ(fn::resolve_threads(0), cores);
  EXPECT_EQ(fn::resolve_threads(-1), cores);
  // Brute force over work sizes: 1 below 2 grains, else min(cores, floor(work / grain)).
  const std::uint64_t grain = 1000;
  for (std::uint64_t work = 0; work <= 100 * grain; work += 37) {
    std::uint64_t want = 1;
    if (work >= 2 * grain) want = std::min<std::uint64_t>(cores, work / grain);
    ASSERT_EQ(fn::resolve_threads(0, work, grain), want) << work;
    ASSERT_EQ(fn::resolve_threads(-3, work, grain), want) << work;
  }
  EXPECT_EQ(fn::resolve_threads(0, 1999, 1000), 1U);
  EXPECT_EQ(fn::resolve_threads(0, 2000, 1000), std::min(cores, 2U));
  EXPECT_EQ(fn::resolve_threads(0, ~std::uint64_t{0}, 1), cores);
  EXPECT_EQ(fn::resolve_threads(0, 5, 0), cores);  // grain 0: every size is worth all cores
}
