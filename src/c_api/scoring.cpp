// C ABI of the scoring area (include/funnelnet/c/scoring.h).
#include "funnelnet/scoring.hpp"

#include <algorithm>
#include <span>

#include "common.hpp"

struct fnet_logistic {
  funnelnet::LogisticModel value;
};

namespace {

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct Inputs {
  std::span<const double> y, s, w;
};

Inputs inputs(size_t n, const double* y, const double* s, const double* w) {
  if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
  funnelnet::capi::count_arg(n, "n");
  require_ptr(y, "y");
  require_ptr(s, "score");
  return {{y, n}, {s, n}, w == nullptr ? std::span<const double>{} : std::span<const double>{w, n}};
}

template <class F>
fnet_status metric(double* out, size_t n, const double* y, const double* s, const double* w, F&& f) {
  return guard([&] {
    require_ptr(out, "out");
    const Inputs in = inputs(n, y, s, w);
    *out = f(in);
  });
}

funnelnet::LogisticOptions to_options(const fnet_logistic_options* o) {
  funnelnet::LogisticOptions r;
  if (o == nullptr) return r;
  funnelnet::capi::check_options(o, FNET_LOGISTIC_OPTIONS_VERSION, "fnet_logistic_options");
  r.lambda = o->lambda;
  r.l1_ratio = o->l1_ratio;
  r.fit_intercept = o->fit_intercept != 0;
  r.standardize = o->standardize != 0;
  r.max_iterations = o->max_iterations;
  r.tolerance = o->tolerance;
  r.separation_bound = o->separation_bound;
  r.threads = o->threads;
  return r;
}

funnelnet::MatrixRef matrix(size_t n, size_t p, const double* X) {
  funnelnet::capi::count_product(n, p, "rows x p (X)");
  require_ptr(X, "X");
  return Eigen::Map<const funnelnet::Matrix>(X, static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
}

}  // namespace

extern "C" {

FNET_API fnet_status fnet_scoring_roc_auc(double* out, size_t n, const double* y, const double* score,
                                          const double* weight) {
  return metric(out, n, y, score, weight,
                [](const Inputs& in) { return funnelnet::roc_auc(in.y, in.s, in.w); });
}
FNET_API fnet_status fnet_scoring_average_precision(double* out, size_t n, const double* y,
                                                    const double* score, const double* weight) {
  return metric(out, n, y, score, weight,
                [](const Inputs& in) { return funnelnet::average_precision(in.y, in.s, in.w); });
}
FNET_API fnet_status fnet_scoring_log_loss(double* out, size_t n, const double* y, const double* p,
                                           const double* weight) {
  return metric(out, n, y, p, weight, [](const Inputs& in) { return funnelnet::log_loss(in.y, in.s, in.w); });
}
FNET_API fnet_status fnet_scoring_brier(double* out, size_t n, const double* y, const double* p,
                                        const double* weight) {
  return metric(out, n, y, p, weight, [](const Inputs& in) { return funnelnet::brier(in.y, in.s, in.w); });
}
FNET_API fnet_status fnet_scoring_ks(double* out, size_t n, const double* y, const double* score,
                                     const double* weight) {
  return metric(out, n, y, score, weight, [](const Inputs& in) { return funnelnet::ks(in.y, in.s, in.w); });
}
FNET_API fnet_status fnet_scoring_ece(double* out, size_t n, const double* y, const double* p,
                                      const double* weight, int bins) {
  return metric(out, n, y, p, weight, [bins](const Inputs& in) {
    return funnelnet::ece(in.y, in.s, bins, funnelnet::BinStrategy::uniform, in.w);
  });
}

FNET_API fnet_status fnet_logistic_fit(fnet_logistic** out, size_t n, size_t p, const double* X,
                                       const double* y, const double* weight,
                                       const fnet_logistic_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
    if (p == 0) fail(Errc::empty_input, "no features: p is 0");
    require_ptr(y, "y");
    const auto o = to_options(options);
    const auto Xm = matrix(n, p, X);
    std::span<const double> w =
        weight == nullptr ? std::span<const double>{} : std::span<const double>{weight, n};
    auto m = funnelnet::fit_logistic(Xm, std::span<const double>{y, n}, w, o);
    *out = new fnet_logistic{std::move(m)};
  });
}

FNET_DEFINE_DESTROY(fnet_logistic_destroy, fnet_logistic)
FNET_DEFINE_ARRAY_GETTER(fnet_logistic_coef, double, fnet_logistic, model, model->value.coef)
FNET_DEFINE_ARRAY_GETTER(fnet_logistic_covariance, double, fnet_logistic, model, model->value.covariance)

FNET_API fnet_status fnet_logistic_report(double* intercept, int* status, int* iterations, double* log_loss,
                                          int* separated, int* rank_deficient, const fnet_logistic* model) {
  return guard([&] {
    require_ptr(model, "model");
    const auto& m = model->value;
    if (intercept != nullptr) *intercept = m.intercept;
    if (status != nullptr) *status = static_cast<int>(m.status);
    if (iterations != nullptr) *iterations = m.iterations;
    if (log_loss != nullptr) *log_loss = m.log_loss;
    if (separated != nullptr) *separated = m.separated ? 1 : 0;
    if (rank_deficient != nullptr) *rank_deficient = m.rank_deficient ? 1 : 0;
  });
}

FNET_API fnet_status fnet_logistic_predict(double* out, const fnet_logistic* model, size_t m, size_t p,
                                           const double* X) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(model, "model");
    if (m == 0) return;
    const auto Xm = matrix(m, p, X);
    const auto v = funnelnet::logistic_predict(model->value, Xm, 0);
    for (size_t i = 0; i < m; ++i) out[i] = v[i];
  });
}

}  // extern "C"

FNET_API fnet_status fnet_scoring_platt(double* a, double* b, size_t n, const double* score, const double* y,
                                        const double* weight, int smooth) {
  return guard([&] {
    require_ptr(a, "a");
    require_ptr(b, "b");
    const Inputs in = inputs(n, y, score, weight);
    const funnelnet::PlattFit f = funnelnet::platt_fit(in.s, in.y, in.w, smooth != 0);
    *a = f.a;
    *b = f.b;
  });
}

FNET_API fnet_status fnet_scoring_isotonic(double* x, double* fitted, size_t capacity, size_t* needed,
                                           size_t n, const double* score, const double* y,
                                           const double* weight) {
  return guard([&] {
    const Inputs in = inputs(n, y, score, weight);
    const funnelnet::IsotonicFit f = funnelnet::isotonic_fit(in.s, in.y, in.w);
    if (needed != nullptr) *needed = f.x.size();
    if (x == nullptr && fitted == nullptr) {
      if (needed == nullptr) fail(Errc::null_argument, "x, fitted and needed are all NULL");
      return;
    }
    if (capacity < f.x.size())
      fail(Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", f.x.size(), " needed");
    if (x != nullptr) std::copy(f.x.begin(), f.x.end(), x);
    if (fitted != nullptr) std::copy(f.y.begin(), f.y.end(), fitted);
  });
}
