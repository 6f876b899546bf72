// Concurrency stress (issue 17): many caller threads, each running threaded analyses on
// its own graph and on one shared graph, get bit-identical answers to a single caller
// with one thread.  Runs in every build; scripts/test.sh also runs it under
// ThreadSanitizer (build/tsan), which reports any data race in the pool, PageRank,
// diffusion or IMM.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/graph.hpp"

namespace fn = funnelnet;

namespace {

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

}  // namespace

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
