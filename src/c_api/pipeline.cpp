// C ABI of the pipeline area (include/funnelnet/c/pipeline.h): thin wrappers over
// include/funnelnet/pipeline/.
#include "funnelnet/pipeline.hpp"

#include <memory>
#include <span>

#include "c_api/common.hpp"

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
    double res = resolution;
    if (res == 0.0) {
      for (size_t i = 0; i < n; ++i)
        if (!(sa[i] >= 0.0) || !std::isfinite(sa[i]))
          funnelnet::fail(funnelnet::Errc::invalid_argument, "amount of deal ", i,
                          " must be finite and >= 0, got ", sa[i]);
      res = funnelnet::exact_grid(sa);
      if (res == 0.0)
        funnelnet::fail(funnelnet::Errc::invalid_argument,
                        "no exact grid of at most 2^24 cells for these amounts: give a resolution");
    }
    auto h = std::make_unique<fnet_distribution>();
    h->value = funnelnet::won_revenue_distribution(sp, sa, res, threads);
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

}  // extern "C"
