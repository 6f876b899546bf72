// Concurrency stress (issue 17): many caller threads, each running threaded analyses on
// its own graph and on one shared graph, get bit-identical answers to a single caller
// with one thread.  Runs in every build; scripts/test.sh also runs it under
// ThreadSanitizer (build/tsan), which reports any data race in the pool, PageRank,
// diffusion or IMM.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <thread>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/graph.hpp"

namespace fn = funnelnet;

namespace test_concurrency {

struct Edges {
  std::vector<std::int64_t> src, dst;
};

Edges random_edges(std::size_t n, std::size_t m, std::uint64_t seed) {
  Edges e;
  std::uint64_t x = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (std::size_t i = 0; i < m; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    e.src.push_back(static_cast<std::int64_t>((x >> 33) % n));
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    e.dst.push_back(static_cast<std::int64_t>((x >> 33) % n));
  }
  return e;
}

struct Answers {
  std::vector<double> pagerank;
  double spread = 0;
  std::vector<fn::node_t> imm_seeds;
  double imm_spread = 0;
};

Answers analyse(const fn::ReferralGraph& g, int threads) {
  Answers a;
  fn::PageRankOptions pr;
  pr.threads = threads;
  a.pagerank = fn::pagerank(g, pr).values;
  const std::vector<double> p(g.num_edges(), 0.05);
  fn::SpreadOptions so;
  so.n_sims = 400;
  so.seed = 7;
  so.threads = threads;
  const std::vector<fn::node_t> seeds{0, 1, 2};
  a.spread = fn::spread(g, seeds, p, so).mean;
  fn::ImmOptions io;
  io.seed = 11;
  io.threads = threads;
  const fn::InfluenceResult r = fn::imm(g, 3, p, io);
  a.imm_seeds = r.seeds;
  a.imm_spread = r.spread;
  return a;
}

void expect_same(const Answers& got, const Answers& want) {
  EXPECT_EQ(got.pagerank, want.pagerank);  // bit-identical
  EXPECT_EQ(got.spread, want.spread);
  EXPECT_EQ(got.imm_seeds, want.imm_seeds);
  EXPECT_EQ(got.imm_spread, want.imm_spread);
}

TEST(Concurrency, ManyCallersOnSeparateAndSharedGraphsMatchOneThread) {
  constexpr std::size_t kCallers = 8, kRepeats = 2;
  const Edges e = random_edges(600, 3000, 3);
  const fn::ReferralGraph shared = fn::ReferralGraph::from_edges(e.src, e.dst);
  const Answers want = analyse(shared, 1);
  ASSERT_EQ(want.pagerank.size(), shared.num_nodes());
  ASSERT_GT(want.spread, 3.0);  // the seeds and some of their reach

  std::vector<Answers> own(kCallers * kRepeats), on_shared(kCallers * kRepeats);
  std::vector<std::thread> callers;
  for (std::size_t c = 0; c < kCallers; ++c)
    callers.emplace_back([&, c] {
      for (std::size_t r = 0; r < kRepeats; ++r) {
        const fn::ReferralGraph mine = fn::ReferralGraph::from_edges(e.src, e.dst);
        own[c * kRepeats + r] = analyse(mine, static_cast<int>(1 + c % 3));      // 1, 2, 3 threads
        on_shared[c * kRepeats + r] = analyse(shared, static_cast<int>(c % 2));  // all cores, 1
      }
    });
  for (auto& t : callers) t.join();
  for (std::size_t i = 0; i < own.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same(own[i], want);
    expect_same(on_shared[i], want);
  }
}

// The reverse CSR, per-edge sources and unit weights are derived on first use: many
// threads touching them first at once (on one graph and on copies made before) build
// them once, all see the same arrays, and those equal a brute-force reverse CSR.
TEST(Concurrency, LazyReverseCsrFirstUsedByManyThreadsAtOnce) {
  const Edges e = random_edges(1000, 8000, 5);
  for (int round = 0; round < 3; ++round) {
    const fn::ReferralGraph g = fn::ReferralGraph::from_edges(e.src, e.dst);
    const fn::ReferralGraph copy = g;  // shares the storage, lazily built arrays included
    constexpr std::size_t kThreads = 8;
    std::vector<const void*> seen(4 * kThreads);
    std::vector<std::vector<double>> ranks(kThreads);
    std::atomic<bool> go{false};
    std::vector<std::thread> ts;
    for (std::size_t t = 0; t < kThreads; ++t)
      ts.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        const fn::ReferralGraph& h = t % 2 ? copy : g;
        // A different first accessor per thread.
        switch ((t + static_cast<std::size_t>(round)) % 4) {
          case 0: seen[4 * t] = h.in_offsets().data(); break;
          case 1: seen[4 * t] = h.in_sources().data(); break;
          case 2: seen[4 * t] = h.sources().data(); break;
          default: seen[4 * t] = h.weights().data(); break;
        }
        seen[4 * t] = h.in_offsets().data();
        seen[4 * t + 1] = h.in_edges().data();
        seen[4 * t + 2] = h.sources().data();
        seen[4 * t + 3] = h.weights().data();
        fn::PageRankOptions o;
        o.threads = static_cast<int>(1 + t % 3);
        ranks[t] = fn::pagerank(h, o).values;
      });
    go = true;
    for (auto& t : ts) t.join();
    EXPECT_TRUE(std::equal(g.weights().begin(), g.weights().end(), copy.weights().begin()));
    for (std::size_t t = 1; t < kThreads; ++t) {
      // The derived arrays are one per storage; merged weights are the graph's own (a copy
      // holds a copy), unit weights are derived once: the same array for both then.
      for (int k = 0; k < 3; ++k) EXPECT_EQ(seen[4 * t + k], seen[k]) << t << " " << k;
      if (t % 2 == 0) {
        EXPECT_EQ(seen[4 * t + 3], seen[3]) << t;
      }
      EXPECT_EQ(ranks[t], ranks[0]);
    }
    // Brute force: in-edges of v are the CSR edges with target v, in CSR order.
    const auto off = g.offsets();
    const auto tg = g.targets();
    std::size_t p = 0;
    for (std::size_t v = 0; v < g.num_nodes(); ++v) {
      ASSERT_EQ(g.in_offsets()[v], p);
      for (std::size_t u = 0; u < g.num_nodes(); ++u)
        for (auto k = off[u]; k < off[u + 1]; ++k)
          if (tg[k] == v) {
            ASSERT_EQ(g.in_sources()[p], u);
            ASSERT_EQ(g.in_edges()[p], k);
            ASSERT_EQ(g.sources()[k], u);
            ++p;
          }
    }
    ASSERT_EQ(p, g.num_edges());
    // Unit weights, except merged repeats: a weight counts its input rows.
    std::map<std::pair<std::int64_t, std::int64_t>, double> rows;
    for (std::size_t i = 0; i < e.src.size(); ++i) rows[{e.src[i], e.dst[i]}] += 1.0;
    for (std::size_t u = 0; u < g.num_nodes(); ++u)
      for (auto k = off[u]; k < off[u + 1]; ++k)
        ASSERT_EQ(g.weights()[k], (rows[{g.id(static_cast<fn::node_t>(u)), g.id(tg[k])}]));
  }
}

// Issue 17 item 8: IMM estimates its RR-set memory before drawing them and refuses, naming
// an eps that fits, instead of growing until the machine runs out (at once: no sets drawn).
TEST(Influence, ImmRefusesAnEpsWhoseRrSetsDoNotFitInMemory) {
  std::vector<std::int64_t> src, dst;
  for (std::int64_t i = 0; i < 100; ++i) {
    src.push_back(i);
    dst.push_back((i + 1) % 100);
  }
  const fn::ReferralGraph g = fn::ReferralGraph::from_edges(src, dst);
  const std::vector<double> p(g.num_edges(), 0.1);
  fn::ImmOptions o;
  o.epsilon = 1e-5;  // about 10^12 sets: terabytes
  const auto start = std::chrono::steady_clock::now();
  expect_error([&] { (void)fn::imm(g, 3, p, o); }, fn::Errc::no_memory, "IMM with eps=1e-05 needs about");
  expect_error([&] { (void)fn::imm(g, 3, p, o); }, fn::Errc::no_memory, "use eps >= ");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  o.epsilon = 0.5;
  EXPECT_EQ(fn::imm(g, 3, p, o).seeds.size(), 3U);
}

}  // namespace test_concurrency
