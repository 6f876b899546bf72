// C ABI of the pipeline area (include/funnelnet/c/pipeline.h): thin wrappers over
// include/funnelnet/pipeline/.
#include "funnelnet/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>

#include "c_api/common.hpp"
#include "c_api/funnel_handles.hpp"

using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct fnet_distribution {
  funnelnet::LatticeDistribution value;
};

namespace {
const funnelnet::LatticeDistribution& dist_of(const fnet_distribution* d) {
  require_ptr(d, "distribution");
  return d->value;
}

std::span<const double> doubles(const double* p, size_t n, const char* what) {
  funnelnet::capi::count_arg(n, what);
  if (n > 0) require_ptr(p, what);
  return {p, n};
}
/// The won-revenue distribution; resolution 0 picks the exact grid.
funnelnet::LatticeDistribution revenue(std::span<const double> sp, std::span<const double> sa,
                                       double resolution, int threads) {
  double res = resolution;
  if (res == 0.0) {
    funnelnet::check_amounts(sa);
    res = funnelnet::exact_grid(sa);
    if (res == 0.0)
      funnelnet::fail(funnelnet::Errc::invalid_argument,
                      "no exact grid of at most 2^24 cells for these amounts: give a resolution");
  }
  return funnelnet::won_revenue_distribution(sp, sa, res, threads);
}

std::span<const std::size_t> stages_of(const size_t* stage, size_t n) {
  if (n > 0) require_ptr(stage, "stage");
  return {stage, n};
}

/// n_deals * periods, refused when it overflows.
size_t table_size(size_t n_deals, size_t periods) {
  if (periods != 0 && n_deals > SIZE_MAX / periods)
    funnelnet::fail(funnelnet::Errc::invalid_argument, "n_deals x periods (", n_deals, " x ", periods,
                    ") overflows size_t");
  return n_deals * periods;
}
}  // namespace

extern "C" {

FNET_API fnet_status fnet_distribution_count(fnet_distribution** out, const double* p, size_t n,
                                             int threads) {
  return guard([&] {
    require_ptr(out, "out");
    *out = nullptr;
    auto h = std::make_unique<fnet_distribution>();
    h->value = funnelnet::won_count_distribution(doubles(p, n, "p"), threads);
    *out = h.release();
  });
}

FNET_API fnet_status fnet_distribution_revenue(fnet_distribution** out, const double* p, const double* amount,
                                               size_t n, double resolution, int threads) {
  return guard([&] {
    require_ptr(out, "out");
    *out = nullptr;
    const auto sp = doubles(p, n, "p");
    const auto sa = doubles(amount, n, "amount");
    auto h = std::make_unique<fnet_distribution>();
    h->value = revenue(sp, sa, resolution, threads);
    *out = h.release();
  });
}

FNET_DEFINE_DESTROY(fnet_distribution_destroy, fnet_distribution)
FNET_DEFINE_GETTER(fnet_distribution_size, size_t, fnet_distribution, distribution,
                   distribution->value.size())
FNET_DEFINE_GETTER(fnet_distribution_resolution, double, fnet_distribution, distribution,
                   distribution->value.resolution())
FNET_DEFINE_GETTER(fnet_distribution_offset, double, fnet_distribution, distribution,
                   distribution->value.offset())
FNET_DEFINE_GETTER(fnet_distribution_mean, double, fnet_distribution, distribution,
                   distribution->value.mean())
FNET_DEFINE_ARRAY_GETTER(fnet_distribution_pmf, double, fnet_distribution, distribution,
                         distribution->value.pmf())

FNET_API fnet_status fnet_distribution_support(double* out, size_t capacity, size_t* needed,
                                               const fnet_distribution* distribution) {
  return guard([&] {
    const auto& d = dist_of(distribution);
    std::vector<double> v(d.size());
    for (size_t k = 0; k < v.size(); ++k) v[k] = d.value(k);
    funnelnet::capi::copy_out(out, capacity, needed, v);
  });
}

FNET_API fnet_status fnet_distribution_quantile(double* out, const fnet_distribution* distribution,
                                                double q) {
  return guard([&] {
    require_ptr(out, "out");
    *out = dist_of(distribution).quantile(q);
  });
}

FNET_API fnet_status fnet_distribution_prob_at_least(double* out, const fnet_distribution* distribution,
                                                     double target) {
  return guard([&] {
    require_ptr(out, "out");
    *out = dist_of(distribution).prob_at_least(target);
  });
}

FNET_API fnet_status fnet_distribution_expected_shortfall(double* out, const fnet_distribution* distribution,
                                                          double target) {
  return guard([&] {
    require_ptr(out, "out");
    *out = dist_of(distribution).expected_shortfall(target);
  });
}

FNET_API fnet_status fnet_forecast_simulate(double* count, double* revenue, size_t capacity, size_t* needed,
                                            const double* p, size_t n_deals, size_t periods,
                                            const double* amount, size_t runs, double shock_sd, double slip,
                                            uint64_t seed, int threads) {
  return guard([&] {
    if (periods == 0)
      funnelnet::fail(funnelnet::Errc::invalid_argument, "horizon must be at least 1 period, got 0");
    if (runs == 0) funnelnet::fail(funnelnet::Errc::invalid_argument, "runs must be > 0");
    funnelnet::capi::count_product(runs, periods, "runs x periods (outputs)");
    funnelnet::capi::count_product(n_deals, periods, "n_deals x periods (p)");
    if (!funnelnet::capi::begin_outputs(runs * periods, capacity, needed, count, revenue)) return;
    funnelnet::PipelineSimOptions o;
    o.runs = runs;
    o.shock_sd = shock_sd;
    o.slip = slip;
    o.seed = seed;
    o.threads = threads;
    const auto r = funnelnet::simulate_pipeline(doubles(p, n_deals * periods, "p"), periods,
                                                doubles(amount, n_deals, "amount"), o);
    for (size_t i = 0; i < runs * periods; ++i) {
      if (count != nullptr) count[i] = r.count[i];
      if (revenue != nullptr) revenue[i] = r.revenue[i];
    }
  });
}

FNET_API fnet_status fnet_forecast_won_by(double* out, size_t capacity, size_t* needed,
                                          const fnet_chain* chain, const size_t* stage, size_t n_deals,
                                          size_t won, size_t periods) {
  return guard([&] {
    require_ptr(chain, "chain");
    const auto st = stages_of(stage, n_deals);
    if (periods == 0)
      funnelnet::fail(funnelnet::Errc::invalid_argument, "the horizon must be at least 1 period, got 0");
    if (!funnelnet::capi::begin_outputs(table_size(n_deals, periods), capacity, needed, out)) return;
    const auto v = funnelnet::won_by_period(chain->value, st, won, periods);
    std::copy(v.begin(), v.end(), out);
  });
}

FNET_API fnet_status fnet_forecast_won_by_ctmc(double* out, size_t capacity, size_t* needed,
                                               const fnet_ctmc* chain, const size_t* stage, size_t n_deals,
                                               size_t won, size_t periods, double period) {
  return guard([&] {
    require_ptr(chain, "chain");
    const auto st = stages_of(stage, n_deals);
    if (periods == 0)
      funnelnet::fail(funnelnet::Errc::invalid_argument, "the horizon must be at least 1 period, got 0");
    if (!funnelnet::capi::begin_outputs(table_size(n_deals, periods), capacity, needed, out)) return;
    const auto v = funnelnet::won_by_period(chain->value, st, won, periods, period);
    std::copy(v.begin(), v.end(), out);
  });
}

FNET_API fnet_status fnet_forecast_won_by_semi(double* out, size_t capacity, size_t* needed,
                                               const fnet_semi_markov* model, const size_t* stage,
                                               const double* age, size_t n_deals, size_t won, size_t periods,
                                               double period, size_t draws, uint64_t seed, int threads) {
  return guard([&] {
    require_ptr(model, "model");
    const auto st = stages_of(stage, n_deals);
    const auto ag = doubles(age, n_deals, "age");
    funnelnet::capi::threads_arg(threads, "threads");
    if (periods == 0)
      funnelnet::fail(funnelnet::Errc::invalid_argument, "the horizon must be at least 1 period, got 0");
    if (!funnelnet::capi::begin_outputs(table_size(n_deals, periods), capacity, needed, out)) return;
    const auto v = funnelnet::won_by_period(model->value, st, ag, won, periods, period, draws, seed, threads);
    std::copy(v.begin(), v.end(), out);
  });
}

FNET_API fnet_status fnet_forecast_distribution(fnet_distribution** out, const fnet_chain* chain,
                                                const size_t* stage, const double* amount, size_t n_deals,
                                                size_t won, size_t period, int cumulative, double resolution,
                                                int threads) {
  return guard([&] {
    require_ptr(out, "out");
    *out = nullptr;
    require_ptr(chain, "chain");
    funnelnet::capi::threads_arg(threads, "threads");
    if (period == SIZE_MAX)
      funnelnet::fail(funnelnet::Errc::invalid_argument, "period ", period, " is too large");
    const auto st = stages_of(stage, n_deals);
    const size_t periods = period + 1;
    table_size(n_deals, periods);
    const auto by = funnelnet::won_by_period(chain->value, st, won, periods);
    const auto p = funnelnet::won_in_period(by, periods, period, cumulative != 0);
    auto h = std::make_unique<fnet_distribution>();
    h->value = amount == nullptr ? funnelnet::won_count_distribution(p, threads)
                                 : revenue(p, doubles(amount, n_deals, "amount"), resolution, threads);
    *out = h.release();
  });
}

}  // extern "C"
