// The one strongly-connected-components routine against brute-force reachability, and
// on a path long enough to overflow a recursive implementation.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "funnelnet/core/scc.hpp"

namespace fn = funnelnet;

namespace test_scc {
struct Csr {
  std::vector<std::uint64_t> off;
  std::vector<std::uint32_t> tgt;
};
Csr random_graph(std::size_t n, double p, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution edge(p);
  Csr g;
  g.off.push_back(0);
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t v = 0; v < n; ++v)
      if (edge(rng)) g.tgt.push_back(static_cast<std::uint32_t>(v));
    g.off.push_back(g.tgt.size());
  }
  return g;
}

TEST(StrongComponents, MatchBruteForceMutualReachability) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const std::size_t n = 60;
    const Csr g = random_graph(n, 0.02 + 0.002 * seed, seed);
    std::vector<std::int64_t> comp;
    const std::size_t k = fn::detail::strong_components_csr(n, g.off.data(), g.tgt.data(), comp);
    // Reachability by BFS from every node.
    std::vector<std::vector<char>> reach(n, std::vector<char>(n, 0));
    for (std::size_t s = 0; s < n; ++s) {
      std::vector<std::size_t> queue{s};
      reach[s][s] = 1;
      for (std::size_t h = 0; h < queue.size(); ++h)
        for (auto e = g.off[queue[h]]; e < g.off[queue[h] + 1]; ++e)
          if (!reach[s][g.tgt[e]]) {
            reach[s][g.tgt[e]] = 1;
            queue.push_back(g.tgt[e]);
          }
    }
    std::size_t distinct = 0;
    std::vector<char> seen(n, 0);
    for (std::size_t u = 0; u < n; ++u) {
      ASSERT_GE(comp[u], 0);
      ASSERT_LT(static_cast<std::size_t>(comp[u]), k);
      if (!seen[static_cast<std::size_t>(comp[u])]) seen[static_cast<std::size_t>(comp[u])] = 1, ++distinct;
      for (std::size_t v = 0; v < n; ++v)
        EXPECT_EQ(comp[u] == comp[v], reach[u][v] && reach[v][u])
            << "seed " << seed << " nodes " << u << ", " << v;
    }
    EXPECT_EQ(distinct, k);
  }
}

TEST(StrongComponents, LongCycleAndPathNeedNoRecursion) {
  const std::size_t n = 1'000'000;
  std::vector<std::uint64_t> off(n + 1);
  std::vector<std::uint32_t> tgt(n);
  for (std::size_t v = 0; v < n; ++v) {
    off[v] = v;
    tgt[v] = static_cast<std::uint32_t>((v + 1) % n);  // one big cycle
  }
  off[n] = n;
  std::vector<std::int64_t> comp;
  EXPECT_EQ(fn::detail::strong_components_csr(n, off.data(), tgt.data(), comp), 1U);
  tgt[n - 1] = 0;
  off[n] = n - 1;  // drop the closing edge: a path, every node its own component
  off[n - 1] = n - 1;
  EXPECT_EQ(fn::detail::strong_components_csr(n, off.data(), tgt.data(), comp), n);
  // Tarjan completes the path's end first: components come in reverse topological order.
  EXPECT_EQ(comp[n - 1], 0);
  EXPECT_EQ(comp[0], static_cast<std::int64_t>(n - 1));
}

}  // namespace test_scc
