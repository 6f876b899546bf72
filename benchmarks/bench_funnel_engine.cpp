// Funnel engine benchmarks: continuous-time fit from 10^7 events with censoring, and
// absorbing analysis / bottleneck ranking on 50, 500 and 5,000-state funnels.
//
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_BENCHMARKS=ON
//   cmake --build build/bench -j1 --target bench_funnel_engine
//   ./build/bench/benchmarks/bench_funnel_engine --benchmark_counters_tabular=true
// The peak_rss_MiB counter is the process's peak resident set at the end of the run.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// 10^7 events: leads of 2..8 events through 8 stages ending won/lost; a third of the
// leads stay open (censored).  Rows of leads interleaved in blocks (as a CRM export).
struct Log {
  std::vector<std::int64_t> lead;
  std::vector<double> time;
  std::vector<std::int32_t> stage;
};
const Log& big_log() {
  static const Log log = [] {
    Log l;
    const std::size_t n = 10'000'000;
    l.lead.reserve(n);
    l.time.reserve(n);
    l.stage.reserve(n);
    Rng rng(1);
    std::int64_t id = 0;
    while (l.lead.size() < n) {
      const std::size_t len = 2 + rng.below(7);
      const bool open = rng.below(3) == 0;
      double t = 365.0 * rng.uniform();
      std::int32_t s = 0;
      for (std::size_t k = 0; k < len && l.lead.size() < n; ++k) {
        l.lead.push_back(id * 2654435761LL % 1000000007LL);  // sparse ids
        l.time.push_back(t);
        const bool last = k + 1 == len;
        l.stage.push_back(last && !open ? static_cast<std::int32_t>(8 + rng.below(2)) : s);
        t += rng.exponential(1.0 / 20.0);
        s = static_cast<std::int32_t>((s + 1 + rng.below(2)) % 8);
      }
      ++id;
    }
    return l;
  }();
  return log;
}

void BM_ContinuousFit10M(benchmark::State& state) {
  const Log& log = big_log();
  std::vector<std::string> stages;
  for (int i = 0; i < 8; ++i) stages.push_back("s" + std::to_string(i));
  const auto space = StageSpace::funnel(stages, {"won", "lost"});
  for (auto _ : state) {
    auto e = ExposureCounts::from_events<double>(space, log.lead, log.time, log.stage, std::nullopt, 1.0,
                                                 static_cast<int>(state.range(0)));
    auto q = fit_continuous(e);
    benchmark::DoNotOptimize(q.generator().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(log.lead.size()));
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.counters["input_MiB"] = static_cast<double>(log.lead.size() * 20) / (1024.0 * 1024.0);
}
BENCHMARK(BM_ContinuousFit10M)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// A funnel of n states: n - 2 stages, each moving forward 1-3 stages, back one, staying,
// or dropping out (the same generator as benchmarks/python/bench_funnel_pydtmc.py).
MarkovChain funnel_chain(int n) {
  const int nt = n - 2;
  Matrix p = Matrix::Zero(n, n);
  Rng rng(static_cast<std::uint64_t>(n));
  for (int i = 0; i < nt; ++i) {
    std::vector<std::pair<int, double>> e{{i, rng.uniform()}, {n - 1, 0.3 * rng.uniform()}};
    if (i > 0) e.emplace_back(i - 1, 0.3 * rng.uniform());
    for (int k = 1; k <= 3; ++k) e.emplace_back(i + k < nt ? i + k : n - 2, rng.uniform());
    double sum = 0;
    for (auto& [j, w] : e) sum += w;
    for (auto& [j, w] : e) p(i, j) += w / sum;
  }
  p(n - 2, n - 2) = 1;
  p(n - 1, n - 1) = 1;
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("s" + std::to_string(i));
  return MarkovChain::from_matrix(names, p);
}

void BM_AbsorbingDense(benchmark::State& state) {
  const auto chain = funnel_chain(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(analyze_absorbing(chain).absorption.data());
}
BENCHMARK(BM_AbsorbingDense)->Arg(50)->Arg(500)->Arg(5000)->Unit(benchmark::kMillisecond);

void BM_AbsorptionSummary(benchmark::State& state) {
  const auto chain = funnel_chain(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(summarize_absorption(chain).absorption.data());
}
BENCHMARK(BM_AbsorptionSummary)->Arg(50)->Arg(500)->Arg(5000)->Unit(benchmark::kMillisecond);

void BM_BottleneckRanking(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto chain = funnel_chain(n);
  std::vector<double> start(static_cast<std::size_t>(n), 0.0), values(static_cast<std::size_t>(n), 0.0);
  start[0] = 1;
  values[static_cast<std::size_t>(n - 2)] = 1;
  for (auto _ : state) {
    auto s = sensitivity(chain, start, values);
    auto r = rank_bottlenecks(chain, s);
    benchmark::DoNotOptimize(r.data());
  }
}
BENCHMARK(BM_BottleneckRanking)->Arg(50)->Arg(500)->Arg(5000)->Unit(benchmark::kMillisecond);

}  // namespace
