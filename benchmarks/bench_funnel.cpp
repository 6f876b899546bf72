// Funnel benchmarks: counting transitions in 10^7 events, absorbing analysis of a
// 50-stage chain.
//   cmake -S . -B build/bench -G Ninja -DFUNNELNET_BUILD_BENCHMARKS=ON && cmake --build build/bench
//   ./build/bench/benchmarks/bench_funnel
#include <benchmark/benchmark.h>

#include <numeric>
#include <vector>

#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace {

StageSpace space_of(int transient, int absorbing) {
  std::vector<std::string> names;
  std::vector<bool> flags;
  for (int i = 0; i < transient + absorbing; ++i) {
    names.push_back("s" + std::to_string(i));
    flags.push_back(i >= transient);
  }
  return {names, flags};
}

struct Events {
  std::vector<std::int64_t> lead, time;
  std::vector<std::int32_t> stage;
};

// n events over n/10 leads, each lead walking 8 transient stages then absorbing.
Events make_events(std::size_t n, bool shuffled) {
  Rng rng(1);
  Events e;
  e.lead.reserve(n);
  e.time.reserve(n);
  e.stage.reserve(n);
  std::int64_t lead = 0;
  while (e.lead.size() < n) {
    const std::size_t len = std::min<std::size_t>(n - e.lead.size(), 2 + rng.below(17));
    std::int64_t t = static_cast<std::int64_t>(rng.below(1000000));
    for (std::size_t k = 0; k < len; ++k) {
      e.lead.push_back(lead);
      e.time.push_back(t += 1 + static_cast<std::int64_t>(rng.below(86400)));
      e.stage.push_back(k + 1 == len ? 8 + static_cast<std::int32_t>(rng.below(2))
                                     : static_cast<std::int32_t>(rng.below(8)));
    }
    ++lead;
  }
  if (shuffled) {
    for (std::size_t i = n; i > 1; --i) {
      const std::size_t j = rng.below(i);
      std::swap(e.lead[i - 1], e.lead[j]);
      std::swap(e.time[i - 1], e.time[j]);
      std::swap(e.stage[i - 1], e.stage[j]);
    }
  }
  return e;
}

void BM_CountEvents(benchmark::State& state, bool shuffled) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const Events e = make_events(n, shuffled);
  const StageSpace space = space_of(8, 2);
  for (auto _ : state) {
    auto c = TransitionCounts::from_events<std::int64_t>(space, e.lead, e.time, e.stage, Repeats::collapse,
                                                         threads);
    benchmark::DoNotOptimize(c.matrix().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
// Args: events, threads.
BENCHMARK_CAPTURE(BM_CountEvents, shuffled, true)
    ->Args({10'000'000, 1})
    ->Args({10'000'000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_CountEvents, sorted, false)->Args({10'000'000, 1})->Unit(benchmark::kMillisecond);

// Readers that group and sort the log once (SortedEventLog): exposure and period counts.
// Args: events, threads.
void BM_ExposureEvents(benchmark::State& state, bool shuffled) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const Events e = make_events(n, shuffled);
  const StageSpace space = space_of(8, 2);
  for (auto _ : state) {
    auto c = ExposureCounts::from_events<std::int64_t>(space, e.lead, e.time, e.stage, std::nullopt, 86400.0,
                                                       threads);
    benchmark::DoNotOptimize(c.exposure().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
void BM_PeriodCounts(benchmark::State& state, bool shuffled) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Events e = make_events(n, shuffled);
  const StageSpace space = space_of(8, 2);
  PeriodOptions<std::int64_t> o;
  o.period = 7 * 86400;
  o.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto c = period_counts<std::int64_t>(space, e.lead, e.time, e.stage, o);
    benchmark::DoNotOptimize(c.matrix().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
// Rows in (lead, time) order, which every version of the readers accepts.
BENCHMARK_CAPTURE(BM_ExposureEvents, sorted, false)->Args({10'000'000, 1})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PeriodCounts, sorted, false)->Args({10'000'000, 1})->Unit(benchmark::kMillisecond);
// Shuffled rows (rejected before SortedEventLog).
BENCHMARK_CAPTURE(BM_ExposureEvents, shuffled, true)->Args({10'000'000, 1})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PeriodCounts, shuffled, true)->Args({10'000'000, 1})->Unit(benchmark::kMillisecond);

void BM_AbsorbingAnalysis(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const StageSpace space = space_of(n - 2, 2);
  Rng rng(3);
  Matrix p = Matrix::Zero(n, n);
  for (int i = 0; i < n - 2; ++i) {
    for (int j = 0; j < n; ++j) p(i, j) = rng.uniform();
    p.row(i) /= p.row(i).sum();
  }
  p(n - 2, n - 2) = p(n - 1, n - 1) = 1;
  const MarkovChain chain(space, p);
  for (auto _ : state) {
    auto a = analyze_absorbing(chain);
    benchmark::DoNotOptimize(a.absorption.data());
  }
}
BENCHMARK(BM_AbsorbingAnalysis)->Arg(50)->Arg(500)->Unit(benchmark::kMicrosecond);

}  // namespace
