// Force-directed layout: the seeded start against the random stream, the same layout at
// any thread count, and layout quality against graph distances computed here by BFS.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/graph.hpp"

using namespace funnelnet;

namespace test_layout {

/// A ring of n nodes (i -> i+1 mod n).
ReferralGraph ring(std::int64_t n) {
  std::vector<std::int64_t> s(static_cast<std::size_t>(n)), d(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    s[static_cast<std::size_t>(i)] = i;
    d[static_cast<std::size_t>(i)] = (i + 1) % n;
  }
  return ReferralGraph::from_indices(static_cast<std::size_t>(n), s, d);
}

/// A w x h grid graph (edges right and down).
ReferralGraph grid(std::int64_t w, std::int64_t h) {
  std::vector<std::int64_t> s, d;
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) {
      if (x + 1 < w) s.push_back(y * w + x), d.push_back(y * w + x + 1);
      if (y + 1 < h) s.push_back(y * w + x), d.push_back((y + 1) * w + x);
    }
  return ReferralGraph::from_indices(static_cast<std::size_t>(w * h), s, d);
}

/// Undirected BFS hop distances between all pairs (brute force).
std::vector<std::vector<int>> hops(const ReferralGraph& g) {
  const std::size_t n = g.num_nodes();
  std::vector<std::vector<std::size_t>> adj(n);
  auto off = g.offsets();
  auto tgt = g.targets();
  for (std::size_t u = 0; u < n; ++u)
    for (auto e = off[u]; e < off[u + 1]; ++e) {
      adj[u].push_back(tgt[e]);
      adj[tgt[e]].push_back(u);
    }
  std::vector<std::vector<int>> dist(n, std::vector<int>(n, -1));
  for (std::size_t s = 0; s < n; ++s) {
    std::queue<std::size_t> q;
    q.push(s);
    dist[s][s] = 0;
    while (!q.empty()) {
      auto u = q.front();
      q.pop();
      for (auto v : adj[u])
        if (dist[s][v] < 0) dist[s][v] = dist[s][u] + 1, q.push(v);
    }
  }
  return dist;
}

/// Pearson correlation between hop distance and drawn distance over all pairs.
double distance_correlation(const ReferralGraph& g, const std::vector<double>& xy) {
  auto d = hops(g);
  std::vector<double> a, b;
  for (std::size_t i = 0; i < g.num_nodes(); ++i)
    for (std::size_t j = i + 1; j < g.num_nodes(); ++j) {
      a.push_back(d[i][j]);
      b.push_back(std::hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]));
    }
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(Layout, ComponentsArePackedApart) {
  // Nine isolated nodes and two separate triangles: every component keeps its own shape
  // (triangle sides about 1) and components stay at least about 2 apart.
  std::vector<std::int64_t> s{9, 10, 11, 12, 13, 14}, d{10, 11, 9, 13, 14, 12};
  auto g = ReferralGraph::from_indices(15, s, d);
  LayoutOptions o;
  o.iterations = 0;
  auto xy = layout(g, o);
  auto dist = [&](std::size_t a, std::size_t b) {
    return std::hypot(xy[2 * a] - xy[2 * b], xy[2 * a + 1] - xy[2 * b + 1]);
  };
  auto comp = [](std::size_t v) { return v < 9 ? v : (v < 12 ? 9 : 12); };
  for (std::size_t a = 0; a < 15; ++a)
    for (std::size_t b = a + 1; b < 15; ++b) {
      if (comp(a) == comp(b))
        EXPECT_NEAR(dist(a, b), 1.0, 0.15) << a << " " << b;
      else
        EXPECT_GT(dist(a, b), 1.8) << a << " " << b;
    }
  o.pivots = 1;
  expect_error([&] { layout(g, o); }, Errc::invalid_argument, "at least 2 pivots, got 1");
}

TEST(Layout, SameLayoutAtAnyThreadCount) {
  auto g = grid(80, 60);  // 4800 nodes: several tasks
  LayoutOptions o;
  o.iterations = 30;
  o.seed = 7;
  o.threads = 1;
  auto one = layout(g, o);
  o.threads = 4;
  auto four = layout(g, o);
  EXPECT_EQ(one, four);
  o.seed = 8;
  EXPECT_NE(layout(g, o), one);
}

TEST(Layout, DrawnDistancesFollowGraphDistances) {
  for (const auto& g : {ring(40), grid(10, 10)}) {
    LayoutOptions o;
    auto xy = layout(g, o);
    for (double c : xy) ASSERT_TRUE(std::isfinite(c));
    EXPECT_GT(distance_correlation(g, xy), 0.9);
    o.iterations = 0;  // the pivot-MDS start alone already has the shape
    EXPECT_GT(distance_correlation(g, layout(g, o)), 0.9);
    // A random placement has no such structure (the oracle can tell).
    std::vector<double> noise(xy.size());
    Rng rng(5, 0);
    for (double& c : noise) c = rng.uniform();
    EXPECT_LT(std::abs(distance_correlation(g, noise)), 0.3);
  }
}

TEST(Layout, EdgesAreShorterThanTheSpread) {
  auto g = grid(30, 30);
  auto xy = layout(g, {});
  auto off = g.offsets();
  auto tgt = g.targets();
  double edge = 0;
  for (std::size_t u = 0; u < g.num_nodes(); ++u)
    for (auto e = off[u]; e < off[u + 1]; ++e)
      edge += std::hypot(xy[2 * u] - xy[2 * tgt[e]], xy[2 * u + 1] - xy[2 * tgt[e] + 1]);
  edge /= static_cast<double>(g.num_edges());
  EXPECT_GT(edge, 0.3);  // nodes do not collapse onto each other
  EXPECT_LT(edge, 2.0);  // about the ideal length 1
}

TEST(Layout, BadOptionsAndCancel) {
  auto g = ring(5);
  LayoutOptions o;
  o.gravity = -1;
  expect_error([&] { layout(g, o); }, Errc::invalid_argument, "gravity must be finite and >= 0, got -1");
  o.gravity = 0.05;
  std::uint64_t calls = 0;
  o.progress = [&](std::uint64_t done, std::uint64_t total) {
    ++calls;
    EXPECT_EQ(total, o.iterations);
    return done < 3;
  };
  expect_error([&] { layout(g, o); }, Errc::cancelled, "cancelled");
  EXPECT_EQ(calls, 3U);
}

TEST(Layout, AHubWithManyLeavesSpreadsThem) {
  // 2000 leaves of one hub start on one point (same distances to every pivot): the
  // crowded-cell repulsion must spread them, and quickly.
  std::vector<std::int64_t> s(2000, 0), d(2000);
  std::iota(d.begin(), d.end(), 1);
  auto g = ReferralGraph::from_indices(2001, s, d);
  auto xy = layout(g, {});
  double close = 0;
  for (std::size_t v = 1; v < 200; ++v)
    close += std::hypot(xy[2 * v] - xy[2 * v + 2], xy[2 * v + 1] - xy[2 * v + 3]) < 1e-3;
  EXPECT_LT(close, 5);
}

TEST(Layout, TinyGraphs) {
  EXPECT_EQ(layout(ReferralGraph::from_indices(1, {}, {})).size(), 2U);
  std::vector<std::int64_t> s{0}, d{0};  // a self-loop only: no force
  auto xy = layout(ReferralGraph::from_indices(1, s, d));
  EXPECT_TRUE(std::isfinite(xy[0]) && std::isfinite(xy[1]));
}

}  // namespace test_layout
