// ReferralGraph construction, policies, readers and the Boost.Graph view.
// Oracles: hand-counted tiny graphs, the published node/edge/component counts of the
// SNAP files in ../shared/data/graphs (README there), and Boost's own BFS.
#include <gtest/gtest.h>

#include <boost/graph/breadth_first_search.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "expect_error.hpp"
#include "funnelnet/graph.hpp"
#include "funnelnet/graph/boost.hpp"
#include "shared_data.hpp"

using namespace funnelnet;

namespace test_graph_build {
std::string data(const std::string& rel) {
  return shared_data_dir() + "/graphs/" + rel;
}

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(GraphBuild, MapsSparseAndCompactIdsAndSortsEdges) {
  for (std::int64_t scale : {std::int64_t{1}, std::int64_t{1000000000000}}) {
    std::vector<std::int64_t> s{3 * scale, 1 * scale, 3 * scale, -5 * scale};
    std::vector<std::int64_t> d{1 * scale, 2 * scale, -5 * scale, 3 * scale};
    std::vector<std::int64_t> extra{7 * scale};
    auto g = ReferralGraph::from_edges(s, d, {}, {}, extra);
    ASSERT_EQ(g.num_nodes(), 5U);
    EXPECT_EQ(g.num_edges(), 4U);
    std::vector<std::int64_t> ids(g.ids().begin(), g.ids().end());
    EXPECT_EQ(ids, (std::vector<std::int64_t>{-5 * scale, 1 * scale, 2 * scale, 3 * scale, 7 * scale}));
    // Edges out of 3 are sorted by target: 3 -> -5 (index 0), 3 -> 1 (index 1).
    const node_t three = g.index_of(3 * scale);
    const auto off = g.offsets();
    ASSERT_EQ(off[three + 1] - off[three], 2U);
    EXPECT_EQ(g.targets()[off[three]], g.index_of(-5 * scale));
    EXPECT_EQ(g.targets()[off[three] + 1], g.index_of(1 * scale));
    EXPECT_EQ(g.input_rows()[off[three]], 2);
    EXPECT_EQ(g.in_degree(g.index_of(3 * scale)), 1U);
    EXPECT_EQ(g.out_degree(g.index_of(7 * scale)), 0U);  // isolated node kept
    EXPECT_EQ(g.find(42), -1);
    expect_error([&] { (void)g.index_of(42); }, Errc::unknown_label, "42");
  }
}

TEST(GraphBuild, SelfLoopAndDuplicatePolicies) {
  std::vector<std::int64_t> s{1, 1, 1, 2, 2};
  std::vector<std::int64_t> d{2, 2, 1, 3, 2};
  std::vector<double> w{1.5, 2.0, 9.0, 1.0, 4.0};
  std::vector<double> t{5.0, 3.0, 1.0, 2.0, 0.0};
  GraphOptions keep{SelfLoops::keep, Duplicates::keep};
  auto g = ReferralGraph::from_edges(s, d, w, t, {}, keep);
  EXPECT_EQ(g.num_edges(), 5U);
  GraphOptions merge{SelfLoops::drop, Duplicates::merge};
  auto m = ReferralGraph::from_edges(s, d, w, t, {}, merge);
  ASSERT_EQ(m.num_edges(), 2U);  // 1->2 (merged), 2->3
  EXPECT_DOUBLE_EQ(m.weights()[0], 3.5);
  EXPECT_DOUBLE_EQ(m.times()[0], 3.0);  // earliest
  EXPECT_EQ(m.input_rows()[0], 0);
  EXPECT_EQ(m.num_nodes(), 3U);
  // A node whose only edge was a dropped self-loop stays as an isolated node.
  std::vector<std::int64_t> s2{1, 9}, d2{2, 9};
  auto iso = ReferralGraph::from_edges(s2, d2, {}, {}, {}, merge);
  EXPECT_EQ(iso.num_nodes(), 3U);
  EXPECT_EQ(iso.num_edges(), 1U);
  expect_error(
      [&] {
        ReferralGraph::from_edges(s, d, w, t, {}, {SelfLoops::reject, Duplicates::keep});
      },
      Errc::invalid_argument, "row 2");
  expect_error(
      [&] {
        ReferralGraph::from_edges(s, d, w, t, {}, {SelfLoops::drop, Duplicates::reject});
      },
      Errc::duplicate_label, "rows 0 and 1");
}

// The bucketed counting sorts against a brute-force reference: every edge kept as a
// (source, target, row) triple, std::sort'ed, duplicates merged by hand.  Sizes span
// several 4,096-node blocks, with self-loops, duplicates, sparse ids and dense ids.
TEST(GraphBuild, OnlySelfLoopsDroppedLeaveTheNodesWithoutEdges) {
  // Found by graph_files_fuzzer: every edge a self-loop, dropped, left the sort with an
  // empty key array and pointer arithmetic on its null data() (UBSan: pointer overflow).
  std::vector<std::int64_t> s{7, 9, 7}, d{7, 9, 7};
  const auto g = ReferralGraph::from_edges(s, d, {}, {}, {}, {SelfLoops::drop, Duplicates::keep});
  EXPECT_EQ(g.num_nodes(), 2U);
  EXPECT_EQ(g.num_edges(), 0U);
  EXPECT_EQ(g.out_degree(0), 0U);
  EXPECT_EQ(g.out_degree(1), 0U);
}

TEST(GraphBuild, LargeBuildsMatchASortedReference) {
  std::mt19937_64 rng(7);
  // Without weights the unit weights are derived on first use, or written out when a
  // merge makes one of them differ from 1.
  for (const bool weighted : {true, false})
    for (const bool dense : {true, false})
      for (const auto policy : {Duplicates::merge, Duplicates::keep})
        for (const auto loops : {SelfLoops::keep, SelfLoops::drop}) {
          SCOPED_TRACE(testing::Message() << weighted << dense << int(policy) << int(loops));
          const std::int64_t n = 20'000;
          const std::size_t m = 150'000;
          std::vector<std::int64_t> s(m), d(m);
          std::vector<double> w(m), t(m);
          for (std::size_t i = 0; i < m; ++i) {
            // Skewed sources (some rows longer than the insertion-sort cut-off), repeats.
            s[i] = static_cast<std::int64_t>(rng() % (i % 5 == 0 ? 40 : n));
            d[i] = i % 7 == 0 && i > 0 ? d[i - 1] : static_cast<std::int64_t>(rng() % n);
            if (i % 7 == 0 && i > 0) s[i] = s[i - 1];
            w[i] = static_cast<double>(rng() % 8);
            t[i] = static_cast<double>(rng() % 1000);
          }
          if (!dense)
            for (std::size_t i = 0; i < m; ++i) {
              s[i] = s[i] * 1'000'003 - 5'000'000'000LL;
              d[i] = d[i] * 1'000'003 - 5'000'000'000LL;
            }
          if (!weighted) std::fill(w.begin(), w.end(), 1.0);  // the reference's weights
          const auto g = ReferralGraph::from_edges(
              s, d, weighted ? std::span<const double>(w) : std::span<const double>{}, t, {},
              GraphOptions{loops, policy});
          EXPECT_EQ(g.has_weights(), weighted);
          // Reference.
          std::set<std::int64_t> idset(s.begin(), s.end());
          idset.insert(d.begin(), d.end());
          const std::vector<std::int64_t> ids(idset.begin(), idset.end());
          auto idx = [&](std::int64_t x) {
            return static_cast<node_t>(std::lower_bound(ids.begin(), ids.end(), x) - ids.begin());
          };
          std::vector<std::tuple<node_t, node_t, std::size_t>> e;
          for (std::size_t i = 0; i < m; ++i)
            if (!(loops == SelfLoops::drop && s[i] == d[i])) e.emplace_back(idx(s[i]), idx(d[i]), i);
          std::sort(e.begin(), e.end());
          std::vector<node_t> rs, rt;
          std::vector<double> rw, rtime;
          std::vector<std::int64_t> rrow;
          for (std::size_t k = 0; k < e.size(); ++k) {
            const auto [u, v, i] = e[k];
            if (policy == Duplicates::merge && k > 0 && std::get<0>(e[k - 1]) == u &&
                std::get<1>(e[k - 1]) == v) {
              rw.back() += w[i];
              rtime.back() = std::min(rtime.back(), t[i]);
              continue;
            }
            rs.push_back(u);
            rt.push_back(v);
            rw.push_back(w[i]);
            rtime.push_back(t[i]);
            rrow.push_back(static_cast<std::int64_t>(i));
          }
          ASSERT_EQ(g.num_nodes(), ids.size());
          ASSERT_EQ(g.num_edges(), rt.size());
          EXPECT_TRUE(std::equal(ids.begin(), ids.end(), g.ids().begin()));
          EXPECT_TRUE(std::equal(rs.begin(), rs.end(), g.sources().begin()));
          EXPECT_TRUE(std::equal(rt.begin(), rt.end(), g.targets().begin()));
          EXPECT_TRUE(std::equal(rw.begin(), rw.end(), g.weights().begin()));
          EXPECT_TRUE(std::equal(rtime.begin(), rtime.end(), g.times().begin()));
          EXPECT_TRUE(std::equal(rrow.begin(), rrow.end(), g.input_rows().begin()));
          for (std::size_t v = 0; v < ids.size(); ++v)
            for (edge_t e2 = g.offsets()[v]; e2 < g.offsets()[v + 1]; ++e2) ASSERT_EQ(g.sources()[e2], v);
          // Reverse CSR: in-edges of each target, by (source, edge), pointing back at the edge.
          std::vector<std::tuple<node_t, node_t, edge_t>> in;
          for (edge_t k = 0; k < rt.size(); ++k) in.emplace_back(rt[k], rs[k], k);
          std::sort(in.begin(), in.end());
          for (std::size_t p = 0; p < in.size(); ++p) {
            ASSERT_EQ(g.in_sources()[p], std::get<1>(in[p])) << p;
            ASSERT_EQ(g.in_edges()[p], std::get<2>(in[p])) << p;
          }
          std::vector<edge_t> indeg(ids.size(), 0);
          for (node_t v : rt) ++indeg[v];
          for (std::size_t v = 0; v < ids.size(); ++v)
            ASSERT_EQ(g.in_offsets()[v + 1] - g.in_offsets()[v], indeg[v]);
        }
}

TEST(GraphBuild, BadInput) {
  std::vector<std::int64_t> s{1, 2}, d{2};
  expect_error([&] { ReferralGraph::from_edges(s, d); }, Errc::shape_mismatch, "dst has length 1");
  std::vector<std::int64_t> d2{2, 3};
  std::vector<double> w{1.0, NAN};
  expect_error([&] { ReferralGraph::from_edges(s, d2, w); }, Errc::invalid_argument, "weight at row 1");
  std::vector<double> neg{1.0, -2.0};
  expect_error([&] { ReferralGraph::from_edges(s, d2, neg); }, Errc::invalid_argument, "row 1");
  std::vector<double> shortw{1.0};
  expect_error([&] { ReferralGraph::from_edges(s, d2, shortw); }, Errc::shape_mismatch, "weight");
  expect_error([&] { ReferralGraph::from_edges({}, {}); }, Errc::empty_input, "no edges");
  std::vector<std::int64_t> bad{0, -1};
  expect_error([&] { ReferralGraph::from_indices(3, s, bad); }, Errc::out_of_range, "dst at row 1 is -1");
  std::vector<std::int64_t> big{0, 3};
  expect_error([&] { ReferralGraph::from_indices(3, big, s); }, Errc::out_of_range, "src at row 1 is 3");
  expect_error([&] { ReferralGraph::from_indices(0, {}, {}); }, Errc::empty_input, "no nodes");
}

TEST(GraphIO, ReadsSharedDataWithPublishedCounts) {
  auto karate = read_metis(data("karate/karate.graph"));
  EXPECT_EQ(karate.num_nodes(), 34U);
  EXPECT_EQ(karate.num_edges(), 156U);  // 78 undirected, both directions
  EXPECT_EQ(karate.id(0), 1);           // 1-based ids as in the file
  EXPECT_EQ(karate.out_degree(karate.index_of(34)), 17U);

  auto wiki = read_edge_list(data("wiki-Vote/wiki-Vote.txt"));
  EXPECT_EQ(wiki.num_nodes(), 7115U);
  EXPECT_EQ(wiki.num_edges(), 103689U);
  auto scc = strong_components(wiki).sizes();
  EXPECT_EQ(*std::max_element(scc.begin(), scc.end()), 1300);

  auto email = read_edge_list(data("email-Eu-core/email-Eu-core.txt"));
  EXPECT_EQ(email.num_nodes(), 1005U);
  EXPECT_EQ(email.num_edges(), 25571U);
  EdgeListOptions drop;
  drop.graph.self_loops = SelfLoops::drop;
  auto email2 = read_edge_list(data("email-Eu-core/email-Eu-core.txt"), drop);
  EXPECT_EQ(email2.num_edges(), 25571U - 642U);
  auto wcc = weak_components(email).sizes();
  auto scc2 = strong_components(email).sizes();
  EXPECT_EQ(*std::max_element(wcc.begin(), wcc.end()), 986);
  EXPECT_EQ(*std::max_element(scc2.begin(), scc2.end()), 803);

  EdgeListOptions header;
  header.header_lines = 1;
  header.graph.self_loops = SelfLoops::drop;
  auto grqc = read_edge_list(data("ca-GrQc/CA-GrQc.txt"), header);
  EXPECT_EQ(grqc.num_nodes(), 5242U);
  EXPECT_EQ(grqc.num_edges(), 2U * 14496U - 2U * 12U);  // both directions, self-loops dropped
  auto gw = weak_components(grqc).sizes();
  EXPECT_EQ(*std::max_element(gw.begin(), gw.end()), 4158);

  // Without header_lines the "5242 28980" line is no edge: 5242 nodes and 28980 lines follow it.
  EdgeListOptions no_header;
  expect_error([&] { read_edge_list(data("ca-GrQc/CA-GrQc.txt"), no_header); }, Errc::format_error,
               ":1: '5242 28980' looks like a header, not an edge: the other lines hold 5242 nodes and 28980 "
               "edges; skip it with header_lines=1");
  expect_error([&] { read_edge_list(data("facebook/facebook_combined_opim.txt"), no_header); },
               Errc::format_error, "header_lines=1");

  auto fb = read_edge_list(data("facebook/facebook_combined_opim.txt"), header);
  EXPECT_EQ(fb.num_nodes(), 4039U);
  EXPECT_EQ(fb.num_edges(), 176468U);

  EdgeListOptions weighted;
  weighted.weighted = true;
  auto ripples = read_edge_list(data("karate/karate_ripples.tsv"), weighted);
  EXPECT_EQ(ripples.num_nodes(), 34U);
  EXPECT_EQ(ripples.num_edges(), 78U);
  EXPECT_DOUBLE_EQ(ripples.weights()[0], 0.5);
}

TEST(GraphIO, MalformedFilesNameTheLine) {
  expect_error([] { read_edge_list("/nonexistent/graph.txt"); }, Errc::io_error, "/nonexistent/graph.txt");
  auto p1 = temp_file("bad1.txt", "# c\n1 2\n3 x\n");
  expect_error([&] { read_edge_list(p1); }, Errc::format_error, ":3: target 'x' is not an integer");
  auto p2 = temp_file("bad2.txt", "1 2\n1 2 3\n");
  expect_error([&] { read_edge_list(p2); }, Errc::format_error, ":2: expected 2 fields");
  auto p3 = temp_file("bad3.txt", "1 2 0.5\n2 3 abc\n");
  EdgeListOptions w;
  w.weighted = true;
  expect_error([&] { read_edge_list(p3, w); }, Errc::format_error, ":2: weight 'abc'");
  auto p4 = temp_file("bad4.graph", "3 2\n2\n1 4\n2\n");
  expect_error([&] { read_metis(p4); }, Errc::format_error, ":3: neighbour 4 of node 2");
  auto p5 = temp_file("bad5.graph", "3 2\n2\n1 3\n");
  expect_error([&] { read_metis(p5); }, Errc::format_error, "2 node lines");
  auto p6 = temp_file("bad6.graph", "3 5\n2\n1 3\n2\n");
  expect_error([&] { read_metis(p6); }, Errc::format_error, "header says 5 undirected edges");
  auto p7 = temp_file("empty.txt", "# nothing\n");
  expect_error([&] { read_edge_list(p7); }, Errc::empty_input, "no edges");
}

TEST(GraphIO, HugeIdsInTheFirstLineAreEdgesNotAnOverflow) {
  // Found by graph_files_fuzzer: the header check doubled the first line's target id
  // (2 * 5555555555555555555 overflows int64; UBSan aborts the sanitizer build).
  auto p = temp_file("huge.txt", "1 5555555555555555555\n1 2\n2 3\n");
  auto g = read_edge_list(p);
  EXPECT_EQ(g.num_edges(), 3U);
  EXPECT_EQ(g.num_nodes(), 4U);
}

TEST(GraphBoost, BoostBfsOnTheCsrViewMatchesOwnCascadeDepth) {
  auto g = read_metis(data("karate/karate.graph"));
  const BoostCsr& bg = boost_view(g);
  EXPECT_EQ(&g.boost(), &bg);  // the member spelling, same storage
  const ReferralGraph copy = g;
  EXPECT_EQ(&boost_view(copy), &bg);  // copies share the storage
  EXPECT_EQ(num_vertices(bg), 34U);
  EXPECT_EQ(num_edges(bg), 156U);
  std::vector<std::size_t> dist(34, 0);
  boost::breadth_first_search(
      bg, vertex(0, bg),
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(
          boost::make_iterator_property_map(dist.begin(), get(boost::vertex_index, bg)),
          boost::on_tree_edge()))));
  node_t root = 0;
  auto c = cascades(g, {&root, 1});
  EXPECT_EQ(static_cast<std::int64_t>(*std::max_element(dist.begin(), dist.end())), c.depth[0]);
  EXPECT_EQ(c.size[0], 34);
  // Edge indices through Boost agree with the raw CSR.
  std::size_t k = 0;
  for (auto [it, end] = edges(bg); it != end; ++it, ++k) {
    EXPECT_EQ(target(*it, bg), g.targets()[k]);
    EXPECT_EQ(source(*it, bg), g.sources()[k]);
  }
}

}  // namespace test_graph_build
