// Customers benchmarks: BG/NBD and Pareto/NBD fits on CDNOW (2,357 customers) and on
// 10^6 synthetic BG/NBD customers (continuous times: rows barely compress), and the
// per-customer summary of 10^7 transactions.  BM_BetaGeoCdnowTable fits the same CDNOW
// customers given as a validated CustomerSummary.
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_BENCHMARKS=ON
//   cmake --build build/bench --target bench_customers && ./build/bench/benchmarks/bench_customers
#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "funnelnet/core/random.hpp"
#include "funnelnet/customers.hpp"

using namespace funnelnet;

namespace {

struct Rfm {
  std::vector<double> x, tx, T;
};

const Rfm& cdnow() {
  static const Rfm d = [] {
    Rfm r;
    std::ifstream f(std::string(FUNNELNET_SHARED_DATA) + "/customers/cdnow_customers_summary.csv");
    std::string line;
    std::getline(f, line);
    while (std::getline(f, line)) {
      std::stringstream ss(line);
      std::string c;
      std::getline(ss, c, ',');
      std::getline(ss, c, ',');
      r.x.push_back(std::stod(c));
      std::getline(ss, c, ',');
      r.tx.push_back(std::stod(c));
      std::getline(ss, c, ',');
      r.T.push_back(std::stod(c));
    }
    return r;
  }();
  return d;
}

// BG/NBD customers (r .25, alpha 4, a .8, b 2.5) observed for T ~ U(20, 52).
const Rfm& synthetic(std::size_t n) {
  static const Rfm d = [n] {
    Rfm r;
    std::mt19937_64 g(6);
    std::gamma_distribution<double> lam_d(0.25, 1.0 / 4.0), ga(0.8, 1.0), gb(2.5, 1.0);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double lam = lam_d(g), A = ga(g), p = A / (A + gb(g)), T = 20 + 32 * u(g);
      double t = 0, x = 0, tx = 0;
      while (true) {
        t += std::exponential_distribution<double>(lam)(g);
        if (t > T) break;
        x += 1;
        tx = t;
        if (u(g) < p) break;
      }
      r.x.push_back(x);
      r.tx.push_back(tx);
      r.T.push_back(T);
    }
    return r;
  }();
  return d;
}

void fit(benchmark::State& state, RepeatKind kind, const Rfm& d) {
  RepeatFitOptions o;
  o.threads = static_cast<int>(state.range(0));
  double ll = 0;
  for (auto _ : state) {
    auto m = RepeatModel::fit(kind, d.x, d.tx, d.T, {}, o);
    ll = m.report().log_likelihood;
    benchmark::DoNotOptimize(ll);
  }
  state.counters["customers"] = static_cast<double>(d.x.size());
}

void BM_BetaGeoCdnow(benchmark::State& s) {
  fit(s, RepeatKind::beta_geo, cdnow());
}
// The same fit on a validated CustomerSummary (checked once, outside the loop).
void BM_BetaGeoCdnowTable(benchmark::State& state) {
  const Rfm& d = cdnow();
  const CustomerSummary table({}, d.x, d.tx, d.T);
  RepeatFitOptions o;
  o.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto m = RepeatModel::fit(RepeatKind::beta_geo, table, {}, o);
    benchmark::DoNotOptimize(m.report().log_likelihood);
  }
  state.counters["customers"] = static_cast<double>(table.size());
}
void BM_ParetoCdnow(benchmark::State& s) {
  fit(s, RepeatKind::pareto_nbd, cdnow());
}
void BM_BetaGeoSynthetic(benchmark::State& s) {
  fit(s, RepeatKind::beta_geo, synthetic(1000000));
}
void BM_ParetoSynthetic(benchmark::State& s) {
  fit(s, RepeatKind::pareto_nbd, synthetic(1000000));
}

void BM_Summary(benchmark::State& state) {
  const std::size_t n = 10000000;
  std::vector<std::int64_t> c(n), t(n);
  std::vector<double> a(n);
  Rng rng(7);
  for (std::size_t i = 0; i < n; ++i) {
    c[i] = static_cast<std::int64_t>(rng.below(n / 10));
    t[i] = static_cast<std::int64_t>(rng.below(730));
    a[i] = 1 + 50 * rng.uniform();
  }
  SummaryOptions o;
  o.calibration_end = 729;
  for (auto _ : state) benchmark::DoNotOptimize(summarize_transactions(c, t, a, o).size());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

BENCHMARK(BM_BetaGeoCdnow)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BetaGeoCdnowTable)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParetoCdnow)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BetaGeoSynthetic)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_ParetoSynthetic)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Summary)->Unit(benchmark::kMillisecond)->Iterations(1);
