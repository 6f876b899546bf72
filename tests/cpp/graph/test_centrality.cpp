// Influence ranking and structure against brute force written here: dense linear solves
// (PageRank, Katz), all-pairs shortest-path counting (betweenness), peeling (cores),
// reachability (components), closed forms (cascades on paths and stars).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>
#include <set>

#include "expect_error.hpp"
#include "funnelnet/graph.hpp"
#include "shared_data.hpp"

using namespace funnelnet;

namespace test_centrality {
std::string data(const std::string& rel) {
  return shared_data_dir() + "/graphs/" + rel;
}

ReferralGraph karate() {
  return read_metis(data("karate/karate.graph"));
}

/// A small directed graph with a dangling node (5) and weights.
ReferralGraph small_directed() {
  std::vector<std::int64_t> s{0, 0, 1, 2, 2, 3, 4, 4, 6};
  std::vector<std::int64_t> d{1, 2, 2, 0, 3, 4, 5, 2, 4};
  std::vector<double> w{1, 2, 1, 3, 1, 1, 2, 1, 0.5};
  return ReferralGraph::from_indices(7, s, d, w);
}

Eigen::MatrixXd adjacency(const ReferralGraph& g, bool weighted) {
  const auto n = static_cast<Eigen::Index>(g.num_nodes());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  for (std::size_t e = 0; e < g.num_edges(); ++e)
    a(g.sources()[e], g.targets()[e]) += weighted ? g.weights()[e] : 1.0;
  return a;
}

/// Exact PageRank: x = alpha (x W + (x . dangling) d) + (1 - alpha) p, sum x = 1.
Eigen::VectorXd exact_pagerank(const ReferralGraph& g, double alpha, bool weighted, const Eigen::VectorXd& p,
                               const Eigen::VectorXd& d) {
  const auto n = static_cast<Eigen::Index>(g.num_nodes());
  Eigen::MatrixXd a = adjacency(g, weighted);
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n);  // row-stochastic with dangling rows = d
  for (Eigen::Index i = 0; i < n; ++i) {
    const double s = a.row(i).sum();
    if (s > 0)
      m.row(i) = a.row(i) / s;
    else
      m.row(i) = d.transpose();
  }
  // x (I - alpha M) = (1 - alpha) p
  Eigen::MatrixXd lhs = Eigen::MatrixXd::Identity(n, n) - alpha * m;
  Eigen::VectorXd x = lhs.transpose().fullPivLu().solve((1 - alpha) * p);
  return x;
}

TEST(Centrality, DegreeKinds) {
  auto g = small_directed();
  auto out = degree(g, DegreeKind::out);
  auto in = degree(g, DegreeKind::in);
  auto tot = degree(g, DegreeKind::total, true);
  EXPECT_EQ(out, (std::vector<double>{2, 1, 2, 1, 2, 0, 1}));
  EXPECT_EQ(in, (std::vector<double>{1, 1, 3, 1, 2, 1, 0}));
  EXPECT_DOUBLE_EQ(tot[4], 2 + 1 + 1 + 0.5);
}

TEST(Centrality, PageRankMatchesDenseSolve) {
  for (bool weighted : {false, true}) {
    auto g = small_directed();
    const Eigen::Index n = 7;
    Eigen::VectorXd u = Eigen::VectorXd::Constant(n, 1.0 / n);
    PageRankOptions o;
    o.weighted = weighted;
    o.tolerance = 1e-15;
    auto pr = pagerank(g, o);
    auto ex = exact_pagerank(g, 0.85, weighted, u, u);
    for (Eigen::Index i = 0; i < n; ++i) EXPECT_NEAR(pr.values[i], ex[i], 1e-12);
    // Personalization, dangling to the personalization (networkx default), uniform, custom.
    std::vector<double> pers{0, 0, 1, 0, 0, 0, 3};
    Eigen::VectorXd pv = Eigen::Map<Eigen::VectorXd>(pers.data(), n) / 4.0;
    o.personalization = pers;
    auto pp = pagerank(g, o);
    auto ep = exact_pagerank(g, 0.85, weighted, pv, pv);
    for (Eigen::Index i = 0; i < n; ++i) EXPECT_NEAR(pp.values[i], ep[i], 1e-12);
    o.dangling = Dangling::uniform;
    auto pu = pagerank(g, o);
    auto eu = exact_pagerank(g, 0.85, weighted, pv, u);
    for (Eigen::Index i = 0; i < n; ++i) EXPECT_NEAR(pu.values[i], eu[i], 1e-12);
    std::vector<double> dw{1, 0, 0, 0, 0, 0, 0};
    o.dangling = Dangling::custom;
    o.dangling_weights = dw;
    o.damping = 0.6;
    auto pc = pagerank(g, o);
    Eigen::VectorXd dv = Eigen::VectorXd::Zero(n);
    dv[0] = 1;
    auto ec = exact_pagerank(g, 0.6, weighted, pv, dv);
    for (Eigen::Index i = 0; i < n; ++i) EXPECT_NEAR(pc.values[i], ec[i], 1e-12);
  }
  // Karate: symmetric, no dangling nodes.
  auto k = karate();
  PageRankOptions o;
  o.tolerance = 1e-15;
  Eigen::VectorXd u = Eigen::VectorXd::Constant(34, 1.0 / 34);
  auto ex = exact_pagerank(k, 0.85, false, u, u);
  auto pr = pagerank(k, o);
  for (int i = 0; i < 34; ++i) EXPECT_NEAR(pr.values[static_cast<std::size_t>(i)], ex[i], 1e-12);
  // Same result at any thread count (chunks are fixed).
  o.threads = 1;
  auto p1 = pagerank(k, o);
  o.threads = 3;
  auto p3 = pagerank(k, o);
  EXPECT_EQ(p1.values, p3.values);
}

// Random graphs, with dangling nodes: a loose tolerance (n * tol above 1e-5) returns
// the float-gathered iterate, a tight one finishes in double; both against the dense
// solve, within the stopping rule's bound (change * alpha / (1 - alpha)) plus the float
// rounding bound (alpha 2^-24 / (1 - alpha)), and both sum to 1.  Larger graphs (2^21+ edges,
// chunks) give bit-identical results at 1, 2 and 3 threads.
TEST(Centrality, PageRankFloatPhaseStaysWithinItsBound) {
  std::mt19937_64 rng(11);
  auto random_graph = [&](std::int64_t n, std::size_t m) {
    std::vector<std::int64_t> s(m), d(m);
    for (std::size_t i = 0; i < m; ++i) {
      s[i] = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n - n / 10));  // last 10 % dangling
      d[i] = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
    }
    return ReferralGraph::from_indices(static_cast<std::size_t>(n), s, d);
  };
  const std::int64_t n = 600;
  const auto g = random_graph(n, 5000);
  Eigen::VectorXd u = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  const auto ex = exact_pagerank(g, 0.85, false, u, u);
  for (const double tol : {2e-8, 1e-15}) {
    PageRankOptions o;
    o.tolerance = tol;
    const auto pr = pagerank(g, o);
    double l1 = 0.0, sum = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      l1 += std::abs(pr.values[static_cast<std::size_t>(i)] - ex[i]);
      sum += pr.values[static_cast<std::size_t>(i)];
    }
    const double bound =
        static_cast<double>(n) * tol * 0.85 / 0.15 + (tol > 1e-10 ? 0.85 * 0x1p-24 / 0.15 : 0.0);
    EXPECT_LT(l1, bound + 1e-12) << tol;
    EXPECT_NEAR(sum, 1.0, 1e-12) << tol;
  }
  const auto big = random_graph(100'000, 2'200'000);  // over 2^21 edges: threads used
  for (const double tol : {1e-9, 1e-14}) {
    PageRankOptions o;
    o.tolerance = tol;
    o.threads = 1;
    const auto a = pagerank(big, o);
    o.threads = 2;
    const auto b = pagerank(big, o);
    o.threads = 3;
    const auto c = pagerank(big, o);
    EXPECT_EQ(a.values, b.values);
    EXPECT_EQ(a.values, c.values);
  }
}

TEST(Centrality, PageRankBadInput) {
  auto g = small_directed();
  PageRankOptions o;
  std::vector<double> zero(7, 0.0);
  o.personalization = zero;
  expect_error([&] { pagerank(g, o); }, Errc::invalid_argument, "personalization sums to 0");
  std::vector<double> shortv(3, 1.0);
  o.personalization = shortv;
  expect_error([&] { pagerank(g, o); }, Errc::shape_mismatch, "personalization has length 3");
  std::vector<double> nan(7, 1.0);
  nan[2] = NAN;
  o.personalization = nan;
  expect_error([&] { pagerank(g, o); }, Errc::invalid_argument, "node 2");
  o.personalization = {};
  o.damping = 1.5;
  expect_error([&] { pagerank(g, o); }, Errc::invalid_argument, "damping");
  o.damping = 0.85;
  o.max_iter = 2;
  expect_error([&] { pagerank(g, o); }, Errc::not_converged, "2 iterations");
  o.max_iter = 100;
  o.dangling = Dangling::custom;
  expect_error([&] { pagerank(g, o); }, Errc::shape_mismatch, "dangling_weights");
}

TEST(Centrality, KatzMatchesLinearSolve) {
  auto g = small_directed();
  for (bool weighted : {false, true}) {
    KatzOptions o;
    o.alpha = 0.2;
    o.weighted = weighted;
    auto x = katz(g, o);
    Eigen::MatrixXd a = adjacency(g, weighted);
    Eigen::VectorXd ex =
        (Eigen::MatrixXd::Identity(7, 7) - 0.2 * a.transpose()).fullPivLu().solve(Eigen::VectorXd::Ones(7));
    ex /= ex.norm();
    for (int i = 0; i < 7; ++i) EXPECT_NEAR(x.values[static_cast<std::size_t>(i)], ex[i], 1e-10);
  }
  KatzOptions o;
  o.alpha = 1.0;  // above 1 / spectral radius of karate (~6.7)
  auto k = karate();
  expect_error([&] { katz(k, o); }, Errc::not_converged, "alpha");
  std::vector<double> b(3, 1.0);
  o.alpha = 0.1;
  o.betas = b;
  expect_error([&] { katz(k, o); }, Errc::shape_mismatch, "betas");
}

TEST(Centrality, KatzDivergenceNamesTheAlphaBound) {
  // The message gives 1 / lambda_max; the oracle is the largest eigenvalue of karate's
  // (symmetric) adjacency matrix from Eigen's eigensolver.
  auto k = karate();
  const Eigen::MatrixXd a = adjacency(k, false);
  const double lambda = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(a).eigenvalues().maxCoeff();
  KatzOptions o;
  o.alpha = 0.5;
  try {
    katz(k, o);
    ADD_FAILURE() << "expected not_converged";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_converged);
    const std::string msg = e.what();
    const auto at = msg.find("use alpha < ");
    ASSERT_NE(at, std::string::npos) << msg;
    EXPECT_NEAR(std::stod(msg.substr(at + 12)), 1.0 / lambda, 1e-8) << msg;
  }
  o.alpha = 0.9 / lambda;  // below the bound: converges, but not in 3 iterations
  o.max_iter = 3;
  expect_error([&] { katz(k, o); }, Errc::not_converged, "raise max_iter");
  o.max_iter = 100000;
  EXPECT_NO_THROW(katz(k, o));
}

TEST(Centrality, BetweennessMatchesAllPairsCounting) {
  auto g = small_directed();
  auto k = karate();
  for (const ReferralGraph* gp : {&g, &k}) {
    const std::size_t n = gp->num_nodes();
    // All-pairs BFS distances and path counts, then the definition sum_{s,t} sigma_st(v)/sigma_st.
    std::vector<std::vector<long>> dist(n, std::vector<long>(n, -1));
    std::vector<std::vector<double>> sig(n, std::vector<double>(n, 0));
    for (std::size_t s = 0; s < n; ++s) {
      std::vector<node_t> q{static_cast<node_t>(s)};
      dist[s][s] = 0;
      sig[s][s] = 1;
      for (std::size_t h = 0; h < q.size(); ++h) {
        const node_t u = q[h];
        for (auto e = gp->offsets()[u]; e < gp->offsets()[u + 1]; ++e) {
          const node_t v = gp->targets()[e];
          if (dist[s][v] < 0) {
            dist[s][v] = dist[s][u] + 1;
            q.push_back(v);
          }
          if (dist[s][v] == dist[s][u] + 1) sig[s][v] += sig[s][u];
        }
      }
    }
    std::vector<double> bf(n, 0.0);
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t t = 0; t < n; ++t) {
        if (s == t || dist[s][t] < 0) continue;
        for (std::size_t v = 0; v < n; ++v)
          if (v != s && v != t && dist[s][v] >= 0 && dist[v][t] >= 0 && dist[s][v] + dist[v][t] == dist[s][t])
            bf[v] += sig[s][v] * sig[v][t] / sig[s][t];
      }
    BetweennessOptions o;
    o.normalized = false;
    auto bc = betweenness(*gp, o);
    for (std::size_t v = 0; v < n; ++v) EXPECT_NEAR(bc[v], bf[v], 1e-9);
    o.normalized = true;
    auto bn = betweenness(*gp, o);
    for (std::size_t v = 0; v < n; ++v) EXPECT_NEAR(bn[v], bf[v] / double((n - 1) * (n - 2)), 1e-12);
  }
  // Sampling: same seed, same answer at any thread count; all sources = exact.
  BetweennessOptions s;
  s.samples = 10;
  s.seed = 7;
  s.threads = 1;
  auto a = betweenness(k, s);
  s.threads = 4;
  auto b = betweenness(k, s);
  EXPECT_EQ(a, b);
  s.samples = 34;
  auto all = betweenness(k, s);
  auto exact = betweenness(k);
  for (std::size_t v = 0; v < 34; ++v) EXPECT_NEAR(all[v], exact[v], 1e-12);
  s.samples = 35;
  expect_error([&] { betweenness(k, s); }, Errc::out_of_range, "samples 35");
}

TEST(Structure, CoreNumbersMatchPeeling) {
  auto email = read_edge_list(data("email-Eu-core/email-Eu-core.txt"));
  expect_error([&] { core_numbers(email); }, Errc::invalid_argument, "self-loops");
  EdgeListOptions drop;
  drop.graph.self_loops = SelfLoops::drop;
  for (const auto& g :
       {karate(), small_directed(), read_edge_list(data("email-Eu-core/email-Eu-core.txt"), drop)}) {
    auto core = core_numbers(g);
    const std::size_t n = g.num_nodes();
    // Peeling: v is in the k-core iff it survives repeatedly deleting nodes of degree < k.
    std::vector<std::int64_t> bf(n, 0);
    for (std::int64_t kk = 1;; ++kk) {
      std::vector<char> alive(n, 1);
      bool changed = true;
      while (changed) {
        changed = false;
        for (std::size_t v = 0; v < n; ++v) {
          if (!alive[v]) continue;
          std::int64_t d = 0;
          for (auto e = g.offsets()[v]; e < g.offsets()[v + 1]; ++e) d += alive[g.targets()[e]];
          for (auto e = g.in_offsets()[v]; e < g.in_offsets()[v + 1]; ++e) d += alive[g.in_sources()[e]];
          if (d < kk) {
            alive[v] = 0;
            changed = true;
          }
        }
      }
      bool any = false;
      for (std::size_t v = 0; v < n; ++v)
        if (alive[v]) {
          bf[v] = kk;
          any = true;
        }
      if (!any) break;
    }
    EXPECT_EQ(core, bf);
  }
}

TEST(Structure, ComponentsMatchReachability) {
  auto g = read_edge_list(data("email-Eu-core/email-Eu-core.txt"));
  const std::size_t n = g.num_nodes();
  std::vector<std::vector<char>> reach(n, std::vector<char>(n, 0));
  for (std::size_t s = 0; s < n; ++s) {
    std::vector<node_t> q{static_cast<node_t>(s)};
    reach[s][s] = 1;
    for (std::size_t h = 0; h < q.size(); ++h)
      for (auto e = g.offsets()[q[h]]; e < g.offsets()[q[h] + 1]; ++e)
        if (!reach[s][g.targets()[e]]) {
          reach[s][g.targets()[e]] = 1;
          q.push_back(g.targets()[e]);
        }
  }
  auto scc = strong_components(g);
  auto wcc = weak_components(g);
  for (std::size_t u = 0; u < n; u += 7)
    for (std::size_t v = 0; v < n; ++v) EXPECT_EQ(scc.label[u] == scc.label[v], reach[u][v] && reach[v][u]);
  // Weak: labels constant along every edge, and the count equals the number of distinct labels.
  for (std::size_t e = 0; e < g.num_edges(); ++e)
    EXPECT_EQ(wcc.label[g.sources()[e]], wcc.label[g.targets()[e]]);
  EXPECT_EQ(std::set<std::int64_t>(wcc.label.begin(), wcc.label.end()).size(), wcc.count);
  EXPECT_EQ(wcc.label[0], 0);  // numbered by smallest node
}

TEST(Structure, CascadesClosedForms) {
  // A path 0 -> 1 -> ... -> 9 and a star 10 -> 11..19 in one graph.
  std::vector<std::int64_t> s, d;
  for (int i = 0; i < 9; ++i) {
    s.push_back(i);
    d.push_back(i + 1);
  }
  for (int i = 11; i < 20; ++i) {
    s.push_back(10);
    d.push_back(i);
  }
  auto g = ReferralGraph::from_indices(20, s, d);
  auto c = cascades(g);
  EXPECT_EQ(c.size[0], 10);
  EXPECT_EQ(c.depth[0], 9);
  EXPECT_EQ(c.breadth[0], 1);
  EXPECT_NEAR(c.virality[0], 11.0 / 3.0, 1e-12);  // path of n nodes: (n + 1) / 3
  EXPECT_EQ(c.size[10], 10);
  EXPECT_EQ(c.depth[10], 1);
  EXPECT_EQ(c.breadth[10], 9);
  EXPECT_NEAR(c.virality[10], 2.0 * 9.0 / 10.0, 1e-12);  // star of n nodes: 2 (n - 1) / n
  EXPECT_EQ(c.size[9], 1);
  EXPECT_TRUE(std::isnan(c.virality[9]));
  node_t bad = 20;
  expect_error([&] { cascades(g, {&bad, 1}); }, Errc::out_of_range, "node 20");
}

TEST(Structure, ReferralConversion) {
  std::vector<std::int64_t> s{0, 0, 0, 1}, d{1, 2, 3, 3};
  auto g = ReferralGraph::from_indices(4, s, d);
  std::vector<double> y{NAN, 1.0, NAN, 0.0};
  auto r = referral_conversion(g, y);
  EXPECT_EQ(r.referred, (std::vector<std::int64_t>{2, 1, 0, 0}));
  EXPECT_DOUBLE_EQ(r.rate[0], 0.5);
  EXPECT_DOUBLE_EQ(r.rate[1], 0.0);
  EXPECT_TRUE(std::isnan(r.rate[2]));
  y[1] = 2.0;
  expect_error([&] { referral_conversion(g, y); }, Errc::invalid_argument, "node 1");
}

}  // namespace test_centrality
