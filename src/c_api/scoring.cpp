// C ABI of the scoring area (include/funnelnet/c/scoring.h).
#include "funnelnet/scoring.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "common.hpp"

struct fnet_logistic {
  funnelnet::LogisticModel value;
};
struct fnet_pooled {
  funnelnet::PooledModel value;
};

namespace {

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct Inputs {
  std::span<const double> y, s, w;
};

// The n rows (n > 0) of each named column: the count and every pointer checked, in order.
template <std::size_t K>
std::array<std::span<const double>, K> columns(size_t n, const std::array<const double*, K>& ptr,
                                               const std::array<const char*, K>& name) {
  if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
  funnelnet::capi::count_arg(n, "n");
  std::array<std::span<const double>, K> out;
  for (std::size_t k = 0; k < K; ++k) {
    require_ptr(ptr[k], name[k]);
    out[k] = {ptr[k], n};
  }
  return out;
}

Inputs inputs(size_t n, const double* y, const double* s, const double* w) {
  const auto c = columns<2>(n, {y, s}, {"y", "score"});
  return {c[0], c[1], w == nullptr ? std::span<const double>{} : std::span<const double>{w, n}};
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

// fnet_logistic_fit and fnet_logistic_fit_ex: *out is set only on success.
void fit(fnet_logistic** out, size_t n, size_t p, const double* X, const double* y, const double* weight,
         const fnet_logistic_options* options, const double* penalty_factor, bool posterior) {
  require_ptr(out, "out");
  if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
  if (p == 0) fail(Errc::empty_input, "no features: p is 0");
  require_ptr(y, "y");
  auto o = to_options(options);
  const auto Xm = matrix(n, p, X);
  if (penalty_factor != nullptr) o.penalty_factor.assign(penalty_factor, penalty_factor + p);
  o.posterior_covariance = posterior;
  std::span<const double> w =
      weight == nullptr ? std::span<const double>{} : std::span<const double>{weight, n};
  auto m = funnelnet::fit_logistic(Xm, std::span<const double>{y, n}, w, o);
  // The moved model initialises the handle (cppcheck 2.10 misreads the braced new-expression).
  // cppcheck-suppress ignoredReturnValue
  *out = new fnet_logistic{std::move(m)};
}

// The two scores of a paired comparison.
struct Pair {
  std::span<const double> y, a, b;
};

Pair pair(size_t n, const double* y, const double* a, const double* b) {
  const auto c = columns<3>(n, {y, a, b}, {"y", "score_a", "score_b"});
  return {c[0], c[1], c[2]};
}

funnelnet::PooledOptions to_options(const fnet_pooled_options* o) {
  funnelnet::PooledOptions r;
  if (o == nullptr) return r;
  funnelnet::capi::check_options(o, FNET_POOLED_OPTIONS_VERSION, "fnet_pooled_options");
  r.C = o->C;
  r.tau_intercept = o->tau_intercept;
  r.tau_coef = o->tau_coef;
  r.select = funnelnet::capi::enum_to<funnelnet::TauSelect>(o->select, "fnet_pooled_options.select");
  r.folds = o->folds;
  r.seed = o->seed;
  r.max_iterations = o->max_iterations;
  r.tolerance = funnelnet::capi::tolerance_arg(o->tolerance, "fnet_pooled_options.tolerance");
  r.threads = funnelnet::capi::threads_arg(o->threads, "fnet_pooled_options.threads");
  return r;
}

template <class T>
void put(T* out, T value) {
  if (out != nullptr) *out = value;
}

// The folds of a split into the caller's buffer of n slots.
void write_folds(int32_t* fold, const std::vector<std::int32_t>& v) {
  std::copy(v.begin(), v.end(), fold);
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
  return guard([&] { fit(out, n, p, X, y, weight, options, nullptr, false); });
}

FNET_API fnet_status fnet_logistic_fit_ex(fnet_logistic** out, size_t n, size_t p, const double* X,
                                          const double* y, const double* weight,
                                          const fnet_logistic_options* options, const double* penalty_factor,
                                          int posterior_covariance) {
  return guard([&] { fit(out, n, p, X, y, weight, options, penalty_factor, posterior_covariance != 0); });
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

FNET_API fnet_status fnet_logistic_wald(double* estimate, double* std_error, double* z, double* p_value,
                                        double* lower, double* upper, size_t capacity, size_t* needed,
                                        const fnet_logistic* model, double level) {
  return guard([&] {
    require_ptr(model, "model");
    const funnelnet::WaldTable t = funnelnet::logistic_wald(model->value, level);
    if (!funnelnet::capi::begin_outputs(t.estimate.size(), capacity, needed, estimate, std_error, z, p_value,
                                        lower, upper))
      return;
    auto copy = [](double* dst, const std::vector<double>& src) {
      if (dst != nullptr) std::copy(src.begin(), src.end(), dst);
    };
    copy(estimate, t.estimate);
    copy(std_error, t.std_error);
    copy(z, t.z);
    copy(p_value, t.p_value);
    copy(lower, t.lower);
    copy(upper, t.upper);
  });
}

FNET_API fnet_status fnet_scoring_kfold(int32_t* fold, size_t n, int folds, uint64_t seed) {
  return guard([&] {
    require_ptr(fold, "fold");
    if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
    funnelnet::capi::count_arg<std::int64_t>(n, "n");
    write_folds(fold, funnelnet::kfold_split(n, folds, seed));
  });
}

FNET_API fnet_status fnet_scoring_group_kfold(int32_t* fold, size_t n, const int64_t* groups, int folds,
                                              uint64_t seed) {
  return guard([&] {
    require_ptr(fold, "fold");
    if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
    const auto g = funnelnet::capi::array_arg(groups, n, "groups");
    write_folds(fold, funnelnet::group_kfold_split(g, folds, seed));
  });
}

FNET_API fnet_status fnet_scoring_time_split(int32_t* fold, size_t n, const double* time, int folds) {
  return guard([&] {
    require_ptr(fold, "fold");
    if (n == 0) fail(Errc::empty_input, "no rows: n is 0");
    const auto t = funnelnet::capi::array_arg(time, n, "time");
    write_folds(fold, funnelnet::time_split(t, folds));
  });
}

FNET_API fnet_status fnet_scoring_delong(double* auc_a, double* auc_b, double* std_error, double* z,
                                         double* p_value, double* covariance, size_t n, const double* y,
                                         const double* score_a, const double* score_b) {
  return guard([&] {
    const Pair in = pair(n, y, score_a, score_b);
    const funnelnet::DeLongTest t = funnelnet::delong_test(in.y, in.a, in.b);
    put(auc_a, t.auc_a);
    put(auc_b, t.auc_b);
    put(std_error, t.std_error);
    put(z, t.z);
    put(p_value, t.p_value);
    if (covariance != nullptr) std::copy(t.covariance.begin(), t.covariance.end(), covariance);
  });
}

FNET_API fnet_status fnet_scoring_corrected_t(double* mean, double* std_error, double* t, double* p_value,
                                              size_t k, const double* difference, double n_train,
                                              double n_test) {
  return guard([&] {
    const auto d = funnelnet::capi::array_arg(difference, k, "difference");
    const funnelnet::CorrectedTTest r = funnelnet::corrected_t_test(d, n_train, n_test);
    put(mean, r.mean);
    put(std_error, r.std_error);
    put(t, r.t);
    put(p_value, r.p_value);
  });
}

FNET_API fnet_status fnet_scoring_paired_bootstrap_auc(double* estimate, double* lower, double* upper,
                                                       double* std_error, int* dropped, size_t n,
                                                       const double* y, const double* score_a,
                                                       const double* score_b, int replicates, double level,
                                                       uint64_t seed, int threads) {
  return guard([&] {
    const Pair in = pair(n, y, score_a, score_b);
    funnelnet::capi::threads_arg(threads, "threads");
    const funnelnet::PairedBootstrap r =
        funnelnet::paired_bootstrap_auc(in.y, in.a, in.b, replicates, level, seed, threads);
    put(estimate, r.estimate);
    put(lower, r.lower);
    put(upper, r.upper);
    put(std_error, r.std_error);
    put(dropped, r.dropped);
  });
}

FNET_API fnet_status fnet_scoring_rank_table(double* out, size_t capacity, size_t* needed, size_t n,
                                             const double* y, const double* score, const double* weight,
                                             int bins) {
  return guard([&] {
    const Inputs in = inputs(n, y, score, weight);
    if (bins < 1) fail(Errc::invalid_argument, "bins must be >= 1, got ", bins);
    const auto b = static_cast<size_t>(bins);
    const size_t total = funnelnet::capi::count_product(b, 10, "bins x 10 columns");
    if (needed != nullptr) *needed = total;
    if (out == nullptr) {
      if (needed == nullptr) fail(Errc::null_argument, "out and needed are both NULL");
      return;
    }
    if (capacity < total)
      fail(Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", total, " needed");
    const funnelnet::RankTable t = funnelnet::rank_table(in.y, in.s, bins, in.w);
    const std::vector<double>* cols[10] = {&t.rows, &t.weight, &t.positives, &t.score_min, &t.score_max,
                                           &t.rate, &t.lift,   &t.cum_share, &t.cum_gain,  &t.cum_lift};
    for (size_t r = 0; r < t.size(); ++r)
      for (size_t c = 0; c < 10; ++c) out[r * 10 + c] = (*cols[c])[r];
  });
}

FNET_API fnet_status fnet_scoring_calibration_curve(int32_t* bin, double* prob_true, double* prob_pred,
                                                    double* bin_weight, size_t capacity, size_t* needed,
                                                    size_t n, const double* y, const double* p,
                                                    const double* weight, int bins,
                                                    fnet_bin_strategy strategy) {
  return guard([&] {
    const Inputs in = inputs(n, y, p, weight);
    const auto st = funnelnet::capi::enum_to<funnelnet::BinStrategy>(strategy, "strategy");
    const funnelnet::CalibrationCurve c = funnelnet::calibration_curve(in.y, in.s, bins, st, in.w);
    if (!funnelnet::capi::begin_outputs(c.size(), capacity, needed, bin, prob_true, prob_pred, bin_weight))
      return;
    if (bin != nullptr) std::copy(c.bin.begin(), c.bin.end(), bin);
    if (prob_true != nullptr) std::copy(c.prob_true.begin(), c.prob_true.end(), prob_true);
    if (prob_pred != nullptr) std::copy(c.prob_pred.begin(), c.prob_pred.end(), prob_pred);
    if (bin_weight != nullptr) std::copy(c.weight.begin(), c.weight.end(), bin_weight);
  });
}

FNET_API fnet_status fnet_scoring_bootstrap(double* estimate, double* lower, double* upper, double* std_error,
                                            int* dropped, fnet_metric metric, size_t n, const double* y,
                                            const double* score, const double* weight, int replicates,
                                            double level, uint64_t seed, int threads, int bins,
                                            fnet_bin_strategy strategy) {
  return guard([&] {
    const Inputs in = inputs(n, y, score, weight);
    funnelnet::BootstrapOptions o;
    o.replicates = replicates;
    o.level = level;
    o.seed = seed;
    o.threads = funnelnet::capi::threads_arg(threads, "threads");
    o.bins = bins;
    o.strategy = funnelnet::capi::enum_to<funnelnet::BinStrategy>(strategy, "strategy");
    const auto mt = funnelnet::capi::enum_to<funnelnet::Metric>(metric, "metric");
    const funnelnet::BootstrapInterval r = funnelnet::bootstrap_metric(mt, in.y, in.s, in.w, o);
    put(estimate, r.estimate);
    put(lower, r.lower);
    put(upper, r.upper);
    put(std_error, r.std_error);
    put(dropped, r.dropped);
  });
}

FNET_API fnet_status fnet_logistic_contributions(double* out, const fnet_logistic* model, size_t m, size_t p,
                                                 const double* X) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(model, "model");
    if (m == 0) return;
    const auto Xm = matrix(m, p, X);
    const funnelnet::Matrix c = funnelnet::logistic_contributions(model->value, Xm);
    Eigen::Map<funnelnet::Matrix>(out, c.rows(), c.cols()) = c;
  });
}

FNET_API fnet_status fnet_logistic_baseline(double* out, const fnet_logistic* model) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(model, "model");
    const auto& v = model->value;
    double b = v.intercept;
    for (size_t j = 0; j < v.coef.size(); ++j) b += v.coef[j] * v.mean[j];
    *out = b;
  });
}

// ---- pooled prior -------------------------------------------------------------------

FNET_API fnet_status fnet_pooled_fit(fnet_pooled** out, size_t n, size_t p, const double* X, const double* y,
                                     const int64_t* segment, size_t n_segments, const double* weight,
                                     const double* taus, size_t n_taus, const fnet_pooled_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    if (p == 0) fail(Errc::empty_input, "no features: p is 0");
    const auto c = columns<1>(n, {y}, {"y"});
    auto o = to_options(options);
    const auto Xm = matrix(n, p, X);
    const auto seg = funnelnet::capi::array_arg(segment, n, "segment");
    if (taus != nullptr) {
      const auto t = funnelnet::capi::array_arg(taus, n_taus, "taus");
      o.taus.assign(t.begin(), t.end());
    }
    const std::span<const double> w =
        weight == nullptr ? std::span<const double>{} : std::span<const double>{weight, n};
    auto m = funnelnet::fit_pooled(Xm, c[0], seg, n_segments, w, o);
    // cppcheck-suppress ignoredReturnValue
    *out = new fnet_pooled{std::move(m)};
  });
}

FNET_DEFINE_DESTROY(fnet_pooled_destroy, fnet_pooled)
FNET_DEFINE_ARRAY_GETTER(fnet_pooled_coef, double, fnet_pooled, model, model->value.coef)
FNET_DEFINE_ARRAY_GETTER(fnet_pooled_segment_intercept, double, fnet_pooled, model,
                         model->value.segment_intercept)
FNET_DEFINE_ARRAY_GETTER(fnet_pooled_segment_coef, double, fnet_pooled, model, model->value.segment_coef)
FNET_DEFINE_ARRAY_GETTER(fnet_pooled_covariance, double, fnet_pooled, model, model->value.covariance)

FNET_API fnet_status fnet_pooled_sizes(size_t* n_features, size_t* n_segments, size_t* n_candidates,
                                       const fnet_pooled* model) {
  return guard([&] {
    require_ptr(model, "model");
    put(n_features, model->value.n_features);
    put(n_segments, model->value.n_segments);
    put(n_candidates, model->value.grid_score.size());
  });
}

FNET_API fnet_status fnet_pooled_report(double* tau_intercept, double* tau_coef, double* intercept,
                                        int* status, int* iterations, double* log_loss,
                                        const fnet_pooled* model) {
  return guard([&] {
    require_ptr(model, "model");
    const auto& m = model->value;
    put(tau_intercept, m.tau_intercept);
    put(tau_coef, m.tau_coef);
    put(intercept, m.intercept);
    put(status, static_cast<int>(m.status));
    put(iterations, m.iterations);
    put(log_loss, m.log_loss);
  });
}

FNET_API fnet_status fnet_pooled_candidates(double* tau_intercept, double* tau_coef, double* score,
                                            size_t capacity, size_t* needed, const fnet_pooled* model) {
  return guard([&] {
    require_ptr(model, "model");
    const auto& m = model->value;
    if (!funnelnet::capi::begin_outputs(m.grid_score.size(), capacity, needed, tau_intercept, tau_coef,
                                        score))
      return;
    if (tau_intercept != nullptr) std::copy(m.grid_intercept.begin(), m.grid_intercept.end(), tau_intercept);
    if (tau_coef != nullptr) std::copy(m.grid_coef.begin(), m.grid_coef.end(), tau_coef);
    if (score != nullptr) std::copy(m.grid_score.begin(), m.grid_score.end(), score);
  });
}

FNET_API fnet_status fnet_pooled_predict(double* out, const fnet_pooled* model, size_t m, size_t p,
                                         const double* X, const int64_t* segment) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(model, "model");
    if (m == 0) return;
    const auto Xm = matrix(m, p, X);
    const auto seg = funnelnet::capi::array_arg(segment, m, "segment");
    const auto v = funnelnet::pooled_predict(model->value, Xm, seg);
    std::copy(v.begin(), v.end(), out);
  });
}

FNET_API fnet_status fnet_pooled_intervals(double* estimate, double* std_error, double* z, double* p_value,
                                           double* lower, double* upper, size_t capacity, size_t* needed,
                                           const fnet_pooled* model, double level) {
  return guard([&] {
    require_ptr(model, "model");
    const funnelnet::WaldTable t = funnelnet::pooled_intervals(model->value, level);
    if (!funnelnet::capi::begin_outputs(t.estimate.size(), capacity, needed, estimate, std_error, z, p_value,
                                        lower, upper))
      return;
    for (auto [dst, src] :
         {std::pair{estimate, &t.estimate}, std::pair{std_error, &t.std_error}, std::pair{z, &t.z},
          std::pair{p_value, &t.p_value}, std::pair{lower, &t.lower}, std::pair{upper, &t.upper}})
      if (dst != nullptr) std::copy(src->begin(), src->end(), dst);
  });
}

// ---- sales views ----------------------------------------------------------------------

FNET_API fnet_status fnet_scoring_score_1_99(int32_t* out, size_t n, const double* p) {
  return guard([&] {
    require_ptr(out, "out");
    const auto v = funnelnet::score_1_99(funnelnet::capi::array_arg(p, n, "p"));
    std::copy(v.begin(), v.end(), out);
  });
}

FNET_API fnet_status fnet_scoring_priority_tiers(int32_t* tier, size_t n, const double* score,
                                                 const double* shares, size_t n_shares) {
  return guard([&] {
    require_ptr(tier, "tier");
    const auto s = funnelnet::capi::array_arg(score, n, "score");
    const auto sh = funnelnet::capi::array_arg(shares, n_shares, "shares");
    const auto v = funnelnet::priority_tiers(s, sh);
    std::copy(v.begin(), v.end(), tier);
  });
}

}  // extern "C"
