// A referral network in C++: build it from edges, rank customers by PageRank, measure
// their referral cascades, and choose whom to cultivate with IMM.
//   (built in-tree, and against an installed funnelnet by tests/package/run.cmake)
#include "funnelnet/graph.hpp"

#include <cstdio>
#include <vector>

int main() {
  using namespace funnelnet;
  // Who referred whom (customer ids): 100 referred 101..103, 101 referred 104 and 105, ...
  const std::vector<std::int64_t> referrer{100, 100, 100, 101, 101, 104, 200, 200, 103};
  const std::vector<std::int64_t> referee{101, 102, 103, 104, 105, 106, 201, 202, 202};
  const auto g = ReferralGraph::from_edges(referrer, referee);

  PageRankOptions po;
  const auto pr = pagerank(g, po).values;
  const auto c = cascades(g);
  std::printf("%-8s %9s %5s %6s %8s\n", "customer", "pagerank", "size", "depth", "virality");
  for (node_t v = 0; v < g.num_nodes(); ++v)
    std::printf("%-8lld %9.4f %5lld %6lld %8.3f\n", static_cast<long long>(g.id(v)), pr[v],
                static_cast<long long>(c.size[v]), static_cast<long long>(c.depth[v]), c.virality[v]);

  // Whom to cultivate: 2 seeds under weighted-cascade independent cascade.
  const auto p = weighted_cascade(g);
  ImmOptions io;
  io.seed = 1;
  const auto best = imm(g, 2, p, io);
  SpreadOptions so;
  so.n_sims = 20000;
  const auto s = spread(g, best.seeds, p, so);
  std::printf("IMM seeds: %lld and %lld; expected reach %.2f +- %.2f customers\n",
              static_cast<long long>(g.id(best.seeds[0])), static_cast<long long>(g.id(best.seeds[1])),
              s.mean, s.stderr_);
  return s.mean > 2.0 ? 0 : 1;
}
