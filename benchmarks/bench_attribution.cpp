// Attribution benchmarks: exact Markov removal effects of 10^5 and 10^6 journeys over
// 50 channels (order 1, 2 and 3), parsing path strings, heuristics, and the simulation
// estimate for comparison.
//   cmake -S . -B build/bench -G Ninja -DFUNNELNET_BUILD_BENCHMARKS=ON && cmake --build build/bench --target
//   bench_attribution
//   ./build/bench/benchmarks/bench_attribution
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "funnelnet/attribution.hpp"
#include "funnelnet/core/random.hpp"

using namespace funnelnet;

namespace {

// n journeys over c channels: 1-12 touches drawn from a skewed channel mix, converting
// with a probability that depends on the last touch.
PathSet make_paths(std::size_t n, int c) {
  Rng rng(3);
  std::vector<std::string> names;
  for (int i = 0; i < c; ++i) names.push_back("ch" + std::to_string(i));
  std::vector<std::int32_t> touches;
  std::vector<std::int64_t> offsets{0};
  std::vector<double> conv, nulls;
  for (std::size_t p = 0; p < n; ++p) {
    const int len = 1 + static_cast<int>(rng.below(12));
    std::int32_t ch = 0;
    for (int k = 0; k < len; ++k) {
      const auto a = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(c)));
      ch = rng.bernoulli(0.5) ? a : static_cast<std::int32_t>(a % (1 + a / 2 + 1));  // skew to low ids
      touches.push_back(ch);
    }
    offsets.push_back(static_cast<std::int64_t>(touches.size()));
    const bool won = rng.bernoulli(0.05 + 0.4 * ch / c);
    conv.push_back(won ? 1.0 : 0.0);
    nulls.push_back(won ? 0.0 : 1.0);
  }
  for (int i = 0; i < c; ++i) touches.push_back(i);  // every channel occurs
  offsets.push_back(static_cast<std::int64_t>(touches.size()));
  conv.push_back(1.0);
  nulls.push_back(0.0);
  return {Labels(names, "channel"), touches, offsets, conv, nulls};
}

const PathSet& paths_1m() {
  static const PathSet p = make_paths(1000000, 50);
  return p;
}

const PathSet& paths_100k() {
  static const PathSet p = make_paths(100000, 50);
  return p;
}

void BM_MarkovExact(benchmark::State& state) {
  const auto& p = state.range(2) == 1000000 ? paths_1m() : paths_100k();
  MarkovOptions o;
  o.order = static_cast<int>(state.range(0));
  o.threads = static_cast<int>(state.range(1));
  std::size_t states = 0;
  for (auto _ : state) {
    auto m = MarkovAttribution::fit(p, o);
    states = m.n_states();
    benchmark::DoNotOptimize(m.removal_effects().data());
  }
  state.counters["states"] = static_cast<double>(states);
  state.counters["touches/s"] = benchmark::Counter(static_cast<double>(p.touches().size()),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
// Args: order, threads (0 = all), journeys.
BENCHMARK(BM_MarkovExact)
    ->Args({1, 1, 1000000})
    ->Args({1, 0, 1000000})
    ->Args({2, 0, 100000})
    ->Args({2, 0, 1000000})
    ->Args({3, 0, 100000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

void BM_ParsePaths(benchmark::State& state) {
  const auto& p = paths_1m();
  std::vector<std::string> strings(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    for (auto c : p.path(i)) strings[i] += (strings[i].empty() ? "" : " > ") + p.channels().name(c);
  std::vector<std::string_view> views(strings.begin(), strings.end());
  for (auto _ : state) {
    auto q = PathSet::parse(views, ">", p.conversions(), p.nulls());
    benchmark::DoNotOptimize(q.touches().data());
  }
}
BENCHMARK(BM_ParsePaths)->Unit(benchmark::kMillisecond);

void BM_Heuristics(benchmark::State& state) {
  const auto& p = paths_1m();
  for (auto _ : state) {
    auto r = heuristic_attribution(p);
    benchmark::DoNotOptimize(r.conversions.data());
  }
}
BENCHMARK(BM_Heuristics)->Unit(benchmark::kMillisecond);

void BM_Simulate1e6(benchmark::State& state) {
  static const MarkovAttribution m = MarkovAttribution::fit(paths_1m());
  for (auto _ : state) {
    auto r = m.simulate(1000000, 1, 0);
    benchmark::DoNotOptimize(r.removal_effects.data());
  }
}
BENCHMARK(BM_Simulate1e6)->Unit(benchmark::kMillisecond);

}  // namespace
