// EdgeProbabilities: validated once, aligned with one graph's CSR edge order.  Oracles:
// the plain-array builders (same rules), hand-computed in-sums, and the span overloads
// of every analysis (which must give exactly the same numbers for the same seed).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "expect_error.hpp"
#include "funnelnet/graph.hpp"

using namespace funnelnet;

namespace test_edge_probabilities {
/// A 6-node graph with a cycle and a shared child (m = 8), external ids 100..105.
ReferralGraph tiny() {
  std::vector<std::int64_t> s{100, 100, 101, 102, 102, 103, 104, 105};
  std::vector<std::int64_t> d{101, 102, 103, 103, 104, 105, 105, 100};
  return ReferralGraph::from_edges(s, d);
}

TEST(EdgeProbabilities, FactoriesMatchThePlainArrayBuilders) {
  auto g = tiny();
  auto wc = EdgeProbabilities::weighted_cascade(g);
  ASSERT_EQ(wc.size(), g.num_edges());
  EXPECT_EQ(std::vector<double>(wc.values().begin(), wc.values().end()), weighted_cascade(g));
  for (std::size_t e = 0; e < g.num_edges(); ++e)
    EXPECT_DOUBLE_EQ(wc[e], 1.0 / double(g.in_degree(g.targets()[e])));
  EXPECT_TRUE(wc.lt_valid());  // 1 / in-degree sums to exactly 1 per node
  auto c = EdgeProbabilities::constant(g, 0.25);
  for (double x : c.values()) EXPECT_EQ(x, 0.25);
  EXPECT_EQ(std::vector<double>(c.values().begin(), c.values().end()), constant_probabilities(g, 0.25));
  auto tv = EdgeProbabilities::trivalency(g, 3);
  EXPECT_EQ(std::vector<double>(tv.values().begin(), tv.values().end()), trivalency(g, 3));
  std::vector<double> succ(8, 1.0), expo(8, 3.0);
  auto le = EdgeProbabilities::learned(g, succ, expo, 1.0, 1.0);
  EXPECT_DOUBLE_EQ(le[0], 2.0 / 5.0);
  std::vector<double> p{0.5, 0.3, 0.7, 0.2, 0.9, 0.4, 0.6, 0.35};
  auto gp = EdgeProbabilities::given(g, p);
  EXPECT_EQ(std::vector<double>(gp.values().begin(), gp.values().end()), p);
  // Immutable and shared: a copy views the same values.
  auto copy = gp;
  EXPECT_EQ(copy.values().data(), gp.values().data());
  EXPECT_TRUE(copy.belongs_to(g));
}

TEST(EdgeProbabilities, ValidationNamesTheEdgeAndTheValue) {
  auto g = tiny();
  std::vector<double> bad(8, 0.5);
  bad[6] = std::numeric_limits<double>::quiet_NaN();  // CSR edge 6 is 104 -> 105
  expect_error([&] { EdgeProbabilities::given(g, bad); }, Errc::invalid_argument,
               "probability of edge 6 (104 -> 105) must be in [0, 1], got nan");
  bad[6] = std::numeric_limits<double>::infinity();
  expect_error([&] { EdgeProbabilities::given(g, bad); }, Errc::invalid_argument, "edge 6 (104 -> 105)");
  bad[6] = 0.5;
  bad[1] = 1.5;  // CSR edge 1 is 100 -> 102
  expect_error([&] { EdgeProbabilities::given(g, bad); }, Errc::invalid_argument,
               "edge 1 (100 -> 102) must be in [0, 1], got 1.5");
  std::vector<double> shortp(7, 0.5);
  expect_error([&] { EdgeProbabilities::given(g, shortp); }, Errc::shape_mismatch,
               "edge probabilities has length 7, expected 8");
  expect_error([&] { EdgeProbabilities::constant(g, -0.1); }, Errc::invalid_argument, "edge probability");
  expect_error([&] { EdgeProbabilities::constant(g, NAN); }, Errc::invalid_argument, "edge probability");
  std::vector<double> succ(8, 1.0), expo(8, 3.0);
  succ[4] = 4.0;
  expect_error([&] { EdgeProbabilities::learned(g, succ, expo); }, Errc::invalid_argument,
               "edge 4 has 4 successes");
  expect_error([&] { EdgeProbabilities::learned(g, succ, expo, 0.0); }, Errc::invalid_argument, "prior");
}

TEST(EdgeProbabilities, LtInSumsAreCheckedOnceAndReportedByLtAnalyses) {
  auto g = tiny();
  // Node 103 has in-edges from 101 and 102: 0.6 + 0.6 = 1.2 (also node 105).
  auto over = EdgeProbabilities::constant(g, 0.6);
  EXPECT_FALSE(over.lt_valid());
  EXPECT_NO_THROW(over.require_model(Model::ic));
  expect_error([&] { over.require_model(Model::lt); }, Errc::invalid_argument,
               "LT in-weights of node 103 sum to 1.2, above 1");
  expect_error([&] { over.require_model(static_cast<Model>(7)); }, Errc::invalid_argument,
               "unknown diffusion model 7");
  std::vector<node_t> seeds{0};
  SpreadOptions lt;
  lt.model = Model::lt;
  lt.n_sims = 10;
  expect_error([&] { spread(g, seeds, over, lt); }, Errc::invalid_argument, "LT in-weights of node 103");
  expect_error([&] { exact_spread(g, seeds, over, Model::lt); }, Errc::invalid_argument, "node 103");
  ImmOptions io;
  io.model = Model::lt;
  expect_error([&] { imm(g, 2, over, io); }, Errc::invalid_argument, "node 103");
  CelfOptions co;
  co.model = Model::lt;
  expect_error([&] { celf(g, 2, over, co); }, Errc::invalid_argument, "node 103");
  // The same object is fine for IC.
  SpreadOptions ic;
  ic.n_sims = 10;
  EXPECT_GT(spread(g, seeds, over, ic).mean, 0.0);
  // Negative external ids are named too (and do not read as "no violation").
  std::vector<std::int64_t> ns{-3, -2}, nd{-1, -1};
  auto neg = ReferralGraph::from_edges(ns, nd);
  auto pn = EdgeProbabilities::constant(neg, 0.7);
  EXPECT_FALSE(pn.lt_valid());
  expect_error([&] { pn.require_model(Model::lt); }, Errc::invalid_argument,
               "LT in-weights of node -1 sum to 1.4");
  // Exactly 1 is allowed (weighted cascade), within 1e-9.
  EXPECT_TRUE(EdgeProbabilities::constant(g, 0.5).lt_valid());
}

TEST(EdgeProbabilities, BelongToOneGraph) {
  auto g = tiny();
  auto p = EdgeProbabilities::constant(g, 0.3);
  const ReferralGraph copy = g;  // copies share the CSR storage
  EXPECT_TRUE(p.belongs_to(copy));
  std::vector<node_t> seeds{0};
  SpreadOptions o;
  o.n_sims = 100;
  EXPECT_EQ(spread(copy, seeds, p, o).mean, spread(g, seeds, p, o).mean);
  // Same edge count, another graph: rejected (its in-sums and edge order may differ).
  auto other = tiny();
  EXPECT_FALSE(p.belongs_to(other));
  expect_error([&] { spread(other, seeds, p, o); }, Errc::invalid_argument, "built for another graph");
  expect_error([&] { imm(other, 1, p); }, Errc::invalid_argument, "built for another graph");
  // Another edge count: a shape error.
  std::vector<std::int64_t> s{0, 1}, d{1, 2};
  auto path = ReferralGraph::from_indices(3, s, d);
  expect_error([&] { exact_spread(path, seeds, p); }, Errc::shape_mismatch,
               "edge probabilities has length 8, expected 2");
  expect_error([&] { celf(path, 1, p); }, Errc::shape_mismatch, "edge probabilities");
}

TEST(EdgeProbabilities, AnalysesGiveTheSameNumbersAsTheSpanOverloadsAtAnyThreadCount) {
  auto g = tiny();
  std::vector<double> raw{0.5, 0.3, 0.7, 0.2, 0.9, 0.4, 0.6, 0.35};
  auto p = EdgeProbabilities::given(g, raw);
  std::vector<node_t> seeds{0, 2};
  for (Model m : {Model::ic, Model::lt}) {
    std::vector<double> r = raw;
    if (m == Model::lt)
      for (double& x : r) x *= 0.5;
    auto ep = EdgeProbabilities::given(g, r);
    EXPECT_EQ(exact_spread(g, seeds, ep, m), exact_spread(g, seeds, r, m));
    SpreadOptions so;
    so.model = m;
    so.n_sims = 5000;
    so.seed = 9;
    so.threads = 1;
    const auto a = spread(g, seeds, ep, so);
    so.threads = 3;
    const auto b = spread(g, seeds, ep, so);
    const auto c = spread(g, seeds, r, so);
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.stderr_, b.stderr_);
    EXPECT_EQ(a.by_round, b.by_round);
    EXPECT_EQ(a.mean, c.mean);
    ImmOptions io;
    io.model = m;
    io.seed = 4;
    io.threads = 1;
    const auto i1 = imm(g, 2, ep, io);
    io.threads = 3;
    const auto i3 = imm(g, 2, ep, io);
    const auto is = imm(g, 2, r, io);
    EXPECT_EQ(i1.seeds, i3.seeds);
    EXPECT_EQ(i1.spread_after, i3.spread_after);
    EXPECT_EQ(i1.seeds, is.seeds);
    EXPECT_EQ(i1.spread, is.spread);
    CelfOptions co;
    co.model = m;
    co.n_sims = 500;
    co.threads = 1;
    const auto c1 = celf(g, 2, ep, co);
    co.threads = 3;
    const auto c3 = celf(g, 2, ep, co);
    const auto cs = celf(g, 2, r, co);
    EXPECT_EQ(c1.seeds, c3.seeds);
    EXPECT_EQ(c1.spread_after, c3.spread_after);
    EXPECT_EQ(c1.seeds, cs.seeds);
    EXPECT_EQ(c1.spread, cs.spread);
  }
}

}  // namespace test_edge_probabilities
