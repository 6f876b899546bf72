// The grain of one-shot loops (core/parallel.hpp, step_grain): one parallel_for of 64
// tasks doing `steps` random draws in all, at 1 and 2 threads, wall time.  The grain is
// the work below which the second thread does not pay for waking it.
//   cmake -S . -B build/bench -G Ninja -DFUNNELNET_BUILD_BENCHMARKS=ON && cmake --build build/bench
//   ./build/bench/benchmarks/bench_parallel
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "funnelnet/core/threads.hpp"
#include "funnelnet/core/random.hpp"

namespace {

void BM_OneShotLoop(benchmark::State& state) {
  const auto steps = static_cast<std::uint64_t>(state.range(0));
  const auto threads = static_cast<int>(state.range(1));
  std::vector<double> sink(64);
  for (auto _ : state) {
    funnelnet::parallel_for(64, threads, [&](std::size_t t) {
      funnelnet::Rng r = funnelnet::stream(7, t);
      double s = 0.0;
      for (std::uint64_t i = 0; i < steps / 64; ++i) s += r.uniform();
      sink[t] = s;
    });
    benchmark::DoNotOptimize(sink.data());
  }
  state.counters["steps"] = static_cast<double>(steps);
}

}  // namespace

BENCHMARK(BM_OneShotLoop)
    ->ArgsProduct({benchmark::CreateRange(1 << 12, 1 << 22, 4), {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
