// Referral-network benchmarks (Google Benchmark).  Peers are compared in
// benchmarks/python/bench_graph.py; this file times the C++ core alone.
//   cmake -B build/bench -DFUNNELNET_BUILD_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release
//   cmake --build build/bench --target bench_graph && ./build/bench/benchmarks/bench_graph
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include "funnelnet/core/random.hpp"
#include "funnelnet/graph.hpp"

using namespace funnelnet;

namespace {

std::string data(const std::string& rel) {
  const char* env = std::getenv("FUNNELNET_SHARED_DATA");
  return std::string(env != nullptr && *env != '\0' ? env : FUNNELNET_SHARED_DATA) + "/graphs/" + rel;
}

/// Chung-Lu style power-law edges (exponent 2.1) over n nodes.
std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> power_law(std::size_t n, std::size_t m,
                                                                          std::uint64_t seed) {
  std::vector<double> cdf(n);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) cdf[i] = (s += std::pow(double(i + 1), -1.0 / 1.1));
  Rng rng(seed);
  std::vector<std::int64_t> src(m), dst(m);
  std::vector<std::int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (std::size_t i = n; i-- > 1;) std::swap(perm[i], perm[rng.below(i + 1)]);
  auto draw = [&] {
    return static_cast<std::int64_t>(std::upper_bound(cdf.begin(), cdf.end(), rng.uniform() * s) -
                                     cdf.begin());
  };
  for (std::size_t e = 0; e < m; ++e) {
    src[e] = perm[static_cast<std::size_t>(draw())];
    dst[e] = draw();
  }
  return {src, dst};
}

const ReferralGraph& named(const std::string& name) {
  static std::map<std::string, ReferralGraph> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  ReferralGraph g;
  if (name == "wiki-Vote") {
    g = read_edge_list(data("wiki-Vote/wiki-Vote.txt"));
  } else if (name == "facebook") {
    EdgeListOptions o;
    o.header_lines = 1;
    g = read_edge_list(data("facebook/facebook_combined_opim.txt"), o);
  } else {  // "powerlaw-<n>-<m>"
    const auto a = name.find('-', 9);
    const std::size_t n = std::stoull(name.substr(9, a - 9)), m = std::stoull(name.substr(a + 1));
    auto [s, d] = power_law(n, m, 1);
    g = ReferralGraph::from_indices(n, s, d);
  }
  return cache.emplace(name, std::move(g)).first->second;
}

void BM_Build(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0));
  auto [s, d] = power_law(m / 10, m, 2);
  for (auto _ : state) {
    auto g = ReferralGraph::from_edges(s, d, {}, {}, {}, {SelfLoops::keep, Duplicates::keep});
    benchmark::DoNotOptimize(g.num_edges());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * m));
}
BENCHMARK(BM_Build)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond);

void BM_PageRank(benchmark::State& state, const std::string& name) {
  const auto& g = named(name);
  PageRankOptions o;
  o.threads = static_cast<int>(state.range(0));
  std::size_t it = 0;
  for (auto _ : state) it = pagerank(g, o).iterations;
  state.counters["iterations"] = static_cast<double>(it);
  state.counters["edges"] = static_cast<double>(g.num_edges());
}
BENCHMARK_CAPTURE(BM_PageRank, wiki_vote, std::string("wiki-Vote"))->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PageRank, facebook, std::string("facebook"))->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PageRank, powerlaw_1e6_1e7, std::string("powerlaw-1000000-10000000"))
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

void BM_SpreadIC(benchmark::State& state, const std::string& name) {
  const auto& g = named(name);
  const auto p = EdgeProbabilities::weighted_cascade(g);  // validated once, outside the loop
  std::vector<node_t> seeds;
  Rng rng(3);
  for (int i = 0; i < 50; ++i) seeds.push_back(static_cast<node_t>(rng.below(g.num_nodes())));
  SpreadOptions o;
  o.n_sims = 2000;
  o.threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(spread(g, seeds, p, o).mean);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * o.n_sims));
}
BENCHMARK_CAPTURE(BM_SpreadIC, facebook, std::string("facebook"))->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpreadIC, wiki_vote, std::string("wiki-Vote"))->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ImmWC(benchmark::State& state, const std::string& name) {
  const auto& g = named(name);
  const auto p = EdgeProbabilities::weighted_cascade(g);
  ImmOptions o;
  o.threads = static_cast<int>(state.range(0));
  std::size_t rr = 0;
  double est = 0;
  for (auto _ : state) {
    auto r = imm(g, 50, p, o);
    rr = r.n_rr_sets;
    est = r.spread;
  }
  state.counters["rr_sets"] = static_cast<double>(rr);
  state.counters["spread_estimate"] = est;
}
BENCHMARK_CAPTURE(BM_ImmWC, facebook, std::string("facebook"))->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ImmWC, powerlaw_1e6_1e7, std::string("powerlaw-1000000-10000000"))
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
