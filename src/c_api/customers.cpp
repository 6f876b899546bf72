// C ABI: the customers area (declared in include/funnelnet/c/customers.h).
#include "funnelnet/customers.hpp"

#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "c_api/common.hpp"
#include "funnelnet/io/json.hpp"

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::capi::copy_out;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct fnet_repeat_model {
  funnelnet::RepeatModel value;
};
struct fnet_gamma_gamma {
  funnelnet::GammaGammaModel value;
};
struct fnet_txn_summary {
  funnelnet::TransactionSummary value;
};
struct fnet_customer_table {
  funnelnet::CustomerTable value;
};
struct fnet_grading {
  funnelnet::Grading value;
};
struct fnet_tier_migration {
  funnelnet::TierMigration value;
};

namespace {

template <class T>
std::span<const T> in(const T* p, std::size_t n, const char* what) {
  funnelnet::capi::count_arg<T>(n, what);
  if (n > 0) require_ptr(p, what);
  return {p, n};
}

funnelnet::RepeatKind to_kind(const fnet_repeat_kind& kind) {
  return funnelnet::capi::enum_to<funnelnet::RepeatKind>(kind, "kind");
}

funnelnet::RepeatFitOptions to_options(const fnet_repeat_fit_options* o, std::size_t n_params) {
  funnelnet::RepeatFitOptions r;
  if (o == nullptr) return r;
  funnelnet::capi::check_options(o, FNET_REPEAT_FIT_OPTIONS_VERSION, "fnet_repeat_fit_options");
  r.max_iterations = o->max_iterations;
  r.tolerance = o->tolerance;
  r.compress = o->compress != 0;
  r.threads = funnelnet::capi::threads_arg(o->threads, "threads");
  if (o->initial != nullptr) r.initial.assign(o->initial, o->initial + n_params);
  return r;
}

struct Rfm {
  std::span<const double> x, tx, T;
};
Rfm rfm(std::size_t n, const double* x, const double* tx, const double* T) {
  return {in(x, n, "frequency"), in(tx, n, "recency"), in(T, n, "T")};
}

// The n x n row-major matrix p (NULL allowed when n is 0: memcpy with a NULL pointer is
// undefined even for 0 bytes).
funnelnet::Matrix square(const double* p, std::size_t n) {
  funnelnet::capi::count_product(n, n, "n (p is n x n)");
  funnelnet::Matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  if (n == 0) return m;
  require_ptr(p, "p");
  std::memcpy(m.data(), p, n * n * sizeof(double));
  return m;
}

// Copy an Eigen vector of n entries into out (capacity already checked).
void put(double* out, const funnelnet::Vector& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i) out[i] = v[i];
}

// Row-major copy of a matrix (funnelnet::Matrix is row-major already).
std::vector<double> flat(const funnelnet::Matrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

funnelnet::Vector vec(const double* p, std::size_t n, const char* what) {
  funnelnet::capi::count_arg(n, what);
  if (n > 0) require_ptr(p, what);
  funnelnet::Vector v(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) v[static_cast<Eigen::Index>(i)] = p[i];
  return v;
}

std::vector<funnelnet::Criterion> criteria_of(std::size_t m, const char* const* names, const double* weights,
                                              const int* directions) {
  funnelnet::capi::count_arg<const char*>(m, "m (criteria)");
  if (m > 0) {
    require_ptr(names, "criteria");
    require_ptr(weights, "weights");
    require_ptr(directions, "directions");
  }
  std::vector<funnelnet::Criterion> c(m);
  for (std::size_t j = 0; j < m; ++j) {
    if (names[j] == nullptr) fail(Errc::null_argument, "criteria[", j, "] must not be NULL");
    c[j] = {names[j], weights[j], directions[j]};
  }
  return c;
}

funnelnet::Normalize to_normalize(const fnet_normalize& v) {
  return funnelnet::capi::enum_to<funnelnet::Normalize>(v, "normalize");
}

}  // namespace

using funnelnet::capi::json_of_handle;
using funnelnet::capi::read_handle;
using funnelnet::capi::save_handle;

extern "C" {

// ---------------------------------------------------------------- repeat-buying models

FNET_API fnet_status fnet_repeat_fit(fnet_repeat_model** out, fnet_repeat_kind kind, size_t n,
                                     const double* frequency, const double* recency, const double* T,
                                     const double* weights, const fnet_repeat_fit_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    const auto k = to_kind(kind);
    const Rfm d = rfm(n, frequency, recency, T);
    std::span<const double> w = weights == nullptr ? std::span<const double>{} : in(weights, n, "weights");
    auto m = funnelnet::RepeatModel::fit(k, d.x, d.tx, d.T, w, to_options(options, 4));
    *out = new fnet_repeat_model{std::move(m)};
  });
}

FNET_API fnet_status fnet_repeat_create(fnet_repeat_model** out, fnet_repeat_kind kind,
                                        const double* params) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(params, "params");
    *out = new fnet_repeat_model{funnelnet::RepeatModel(to_kind(kind), std::span<const double>(params, 4))};
  });
}

FNET_DEFINE_DESTROY(fnet_repeat_destroy, fnet_repeat_model)

FNET_DEFINE_ARRAY_GETTER(fnet_repeat_params, double, fnet_repeat_model, model, model->value.params())

FNET_API fnet_status fnet_repeat_report(int* status, double* log_likelihood, double* gradient_norm,
                                        size_t* unique_rows, const fnet_repeat_model* model) {
  return guard([&] {
    require_ptr(model, "model");
    const auto& r = model->value.report();
    if (status != nullptr) *status = static_cast<int>(r.status);
    if (log_likelihood != nullptr) *log_likelihood = r.log_likelihood;
    if (gradient_norm != nullptr) *gradient_norm = r.gradient_norm;
    if (unique_rows != nullptr) *unique_rows = r.unique_rows;
  });
}

FNET_API fnet_status fnet_repeat_log_likelihood(double* out, const fnet_repeat_model* model, size_t n,
                                                const double* frequency, const double* recency,
                                                const double* T) {
  return guard([&] {
    require_ptr(model, "model");
    if (n > 0) require_ptr(out, "out");
    const Rfm d = rfm(n, frequency, recency, T);
    model->value.log_likelihood(d.x, d.tx, d.T, {out, n});
  });
}

FNET_API fnet_status fnet_repeat_p_alive(double* out, const fnet_repeat_model* model, size_t n,
                                         const double* frequency, const double* recency, const double* T) {
  return guard([&] {
    require_ptr(model, "model");
    if (n > 0) require_ptr(out, "out");
    const Rfm d = rfm(n, frequency, recency, T);
    model->value.p_alive(d.x, d.tx, d.T, {out, n});
  });
}

FNET_API fnet_status fnet_repeat_expected_purchases(double* out, const fnet_repeat_model* model, double t,
                                                    size_t n, const double* frequency, const double* recency,
                                                    const double* T) {
  return guard([&] {
    require_ptr(model, "model");
    if (n > 0) require_ptr(out, "out");
    const Rfm d = rfm(n, frequency, recency, T);
    model->value.expected_purchases(t, d.x, d.tx, d.T, {out, n});
  });
}

FNET_API fnet_status fnet_repeat_expected_purchases_new(double* out, const fnet_repeat_model* model,
                                                        double t) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(model, "model");
    *out = model->value.expected_purchases_new(t);
  });
}

FNET_API fnet_status fnet_repeat_clv(double* out, const fnet_repeat_model* model, size_t n,
                                     const double* frequency, const double* recency, const double* T,
                                     const double* spend, int n_periods, double period_length,
                                     double discount) {
  return guard([&] {
    require_ptr(model, "model");
    if (n > 0) require_ptr(out, "out");
    const Rfm d = rfm(n, frequency, recency, T);
    model->value.clv(d.x, d.tx, d.T, in(spend, n, "spend"), n_periods, period_length, discount, {out, n});
  });
}

FNET_API fnet_status fnet_gamma_gamma_fit(fnet_gamma_gamma** out, size_t n, const double* frequency,
                                          const double* spend, const double* weights,
                                          const fnet_repeat_fit_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    std::span<const double> w = weights == nullptr ? std::span<const double>{} : in(weights, n, "weights");
    auto g = funnelnet::GammaGammaModel::fit(in(frequency, n, "frequency"), in(spend, n, "spend"), w,
                                             to_options(options, 3));
    *out = new fnet_gamma_gamma{std::move(g)};
  });
}

FNET_API fnet_status fnet_gamma_gamma_create(fnet_gamma_gamma** out, const double* params) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(params, "params");
    *out = new fnet_gamma_gamma{funnelnet::GammaGammaModel(std::span<const double>(params, 3))};
  });
}

FNET_DEFINE_DESTROY(fnet_gamma_gamma_destroy, fnet_gamma_gamma)

FNET_DEFINE_ARRAY_GETTER(fnet_gamma_gamma_params, double, fnet_gamma_gamma, model, model->value.params())

FNET_API fnet_status fnet_gamma_gamma_report(int* status, double* log_likelihood, double* gradient_norm,
                                             const fnet_gamma_gamma* model) {
  return guard([&] {
    require_ptr(model, "model");
    const auto& r = model->value.report();
    if (status != nullptr) *status = static_cast<int>(r.status);
    if (log_likelihood != nullptr) *log_likelihood = r.log_likelihood;
    if (gradient_norm != nullptr) *gradient_norm = r.gradient_norm;
  });
}

FNET_API fnet_status fnet_gamma_gamma_expected_spend(double* out, const fnet_gamma_gamma* model, size_t n,
                                                     const double* frequency, const double* spend) {
  return guard([&] {
    require_ptr(model, "model");
    if (n > 0) require_ptr(out, "out");
    model->value.expected_spend(in(frequency, n, "frequency"), in(spend, n, "spend"), {out, n});
  });
}

// ---------------------------------------------------------------- transaction summaries

FNET_API fnet_status fnet_txn_summary_create(fnet_txn_summary** out, size_t n, const int64_t* customer,
                                             const int64_t* time, const double* amount,
                                             const fnet_summary_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(options, "options");
    funnelnet::capi::check_options(options, FNET_SUMMARY_OPTIONS_VERSION, "fnet_summary_options");
    funnelnet::SummaryOptions o;
    o.calibration_end = options->calibration_end;
    o.holdout = options->holdout != 0;
    o.holdout_end = options->holdout_end;
    o.period_length = options->period_length;
    o.future =
        funnelnet::capi::enum_to<funnelnet::FutureRows>(options->future, "fnet_summary_options.future");
    auto s = funnelnet::summarize_transactions(
        in(customer, n, "customer"), in(time, n, "time"),
        amount == nullptr ? std::span<const double>{} : in(amount, n, "amount"), o);
    *out = new fnet_txn_summary{std::move(s)};
  });
}

FNET_DEFINE_DESTROY(fnet_txn_summary_destroy, fnet_txn_summary)

FNET_DEFINE_GETTER(fnet_txn_summary_size, size_t, fnet_txn_summary, summary, summary->value.size())

FNET_DEFINE_ARRAY_GETTER(fnet_txn_summary_customers, int64_t, fnet_txn_summary, summary,
                         summary->value.customer)

FNET_API fnet_status fnet_txn_summary_column(double* out, size_t capacity, size_t* needed,
                                             const fnet_txn_summary* summary, fnet_summary_column column) {
  return guard([&] {
    require_ptr(summary, "summary");
    const auto& s = summary->value;
    const int c = funnelnet::capi::enum_raw(column);
    switch (c) {
      case FNET_SUMMARY_FREQUENCY: copy_out(out, capacity, needed, s.frequency); break;
      case FNET_SUMMARY_RECENCY: copy_out(out, capacity, needed, s.recency); break;
      case FNET_SUMMARY_T: copy_out(out, capacity, needed, s.T); break;
      case FNET_SUMMARY_MONETARY_VALUE: copy_out(out, capacity, needed, s.monetary_value); break;
      case FNET_SUMMARY_FREQUENCY_HOLDOUT: copy_out(out, capacity, needed, s.frequency_holdout); break;
      case FNET_SUMMARY_MONETARY_VALUE_HOLDOUT:
        copy_out(out, capacity, needed, s.monetary_value_holdout);
        break;
      default:
        fail(Errc::out_of_range, "summary column ", c,
             " is not a valid fnet_summary_column: valid values are ",
             funnelnet::capi::enum_valid_names(funnelnet::capi::EnumInfo<fnet_summary_column>::rows));
    }
  });
}

FNET_DEFINE_GETTER(fnet_txn_summary_duration_holdout, double, fnet_txn_summary, summary,
                   summary->value.duration_holdout)

// ---------------------------------------------------------------- customer table, grading

FNET_API fnet_status fnet_customer_table_create(fnet_customer_table** out, size_t n, const int64_t* ids,
                                                size_t k, const char* const* criteria, const double* values) {
  return guard([&] {
    require_ptr(out, "out");
    auto id = in(ids, n, "ids");
    funnelnet::capi::count_arg<const char*>(k, "k (criteria)");
    funnelnet::capi::count_product(n, k, "n x k (values)");
    if (k > 0) require_ptr(criteria, "criteria");
    if (n * k > 0) require_ptr(values, "values");
    std::vector<std::string> names(k);
    for (size_t j = 0; j < k; ++j) {
      if (criteria[j] == nullptr) fail(Errc::null_argument, "criteria[", j, "] must not be NULL");
      names[j] = criteria[j];
    }
    funnelnet::Matrix v(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    if (n * k > 0) std::memcpy(v.data(), values, n * k * sizeof(double));
    *out = new fnet_customer_table{funnelnet::CustomerTable(std::vector<std::int64_t>(id.begin(), id.end()),
                                                            std::move(names), std::move(v))};
  });
}

FNET_DEFINE_DESTROY(fnet_customer_table_destroy, fnet_customer_table)

FNET_API fnet_status fnet_customer_table_add_category(fnet_customer_table* table, const char* name,
                                                      const int32_t* codes, size_t n_labels,
                                                      const char* const* labels) {
  return guard([&] {
    require_ptr(table, "table");
    require_ptr(name, "name");
    auto c = in(codes, table->value.size(), "codes");
    funnelnet::capi::count_arg<const char*>(n_labels, "n_labels");
    if (n_labels > 0) require_ptr(labels, "labels");
    std::vector<std::string> l(n_labels);
    for (size_t j = 0; j < n_labels; ++j) {
      if (labels[j] == nullptr) fail(Errc::null_argument, "labels[", j, "] must not be NULL");
      l[j] = labels[j];
    }
    table->value.add_category(name, std::vector<std::int32_t>(c.begin(), c.end()), std::move(l));
  });
}

FNET_API fnet_status fnet_grade_score(fnet_grading** out, const fnet_customer_table* table, size_t m,
                                      const char* const* criteria, const double* weights,
                                      const int* directions, fnet_normalize normalize, const char* group,
                                      size_t n_groups, size_t n_tiers, const double* thresholds) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(table, "table");
    if (n_tiers < 2) fail(Errc::invalid_argument, "n_tiers must be >= 2, got ", n_tiers);
    require_ptr(thresholds, "thresholds");
    funnelnet::capi::count_product(n_groups, n_tiers - 1, "n_groups x (n_tiers - 1) (thresholds)");
    funnelnet::Matrix th(static_cast<Eigen::Index>(n_groups), static_cast<Eigen::Index>(n_tiers - 1));
    if (n_groups > 0) std::memcpy(th.data(), thresholds, n_groups * (n_tiers - 1) * sizeof(double));
    auto g = funnelnet::grade_by_score(table->value, criteria_of(m, criteria, weights, directions), th,
                                       group == nullptr ? "" : group, to_normalize(normalize));
    *out = new fnet_grading{std::move(g)};
  });
}

FNET_API fnet_status fnet_grade_mix(fnet_grading** out, const fnet_customer_table* table, size_t m,
                                    const char* const* criteria, const double* weights, const int* directions,
                                    fnet_normalize normalize, const char* group, size_t n_tiers,
                                    const double* mix) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(table, "table");
    auto mx = in(mix, n_tiers, "mix");
    auto g = funnelnet::grade_by_mix(table->value, criteria_of(m, criteria, weights, directions),
                                     std::vector<double>(mx.begin(), mx.end()), group == nullptr ? "" : group,
                                     to_normalize(normalize));
    *out = new fnet_grading{std::move(g)};
  });
}

FNET_API fnet_status fnet_grade_value(fnet_grading** out, size_t n, const double* value, size_t n_tiers,
                                      const double* cutoffs) {
  return guard([&] {
    require_ptr(out, "out");
    if (n_tiers < 2) fail(Errc::invalid_argument, "n_tiers must be >= 2, got ", n_tiers);
    auto c = in(cutoffs, n_tiers - 1, "cutoffs");
    auto g = funnelnet::grade_by_value(in(value, n, "value"), std::vector<double>(c.begin(), c.end()));
    *out = new fnet_grading{std::move(g)};
  });
}

FNET_DEFINE_DESTROY(fnet_grading_destroy, fnet_grading)

FNET_API fnet_status fnet_grading_sizes(size_t* n, size_t* n_tiers, size_t* n_columns,
                                        const fnet_grading* grading) {
  return guard([&] {
    require_ptr(grading, "grading");
    if (n != nullptr) *n = grading->value.tier.size();
    if (n_tiers != nullptr) *n_tiers = grading->value.n_tiers;
    if (n_columns != nullptr) *n_columns = grading->value.columns.size();
  });
}

FNET_DEFINE_ARRAY_GETTER(fnet_grading_tiers, int32_t, fnet_grading, grading, grading->value.tier)

FNET_DEFINE_ARRAY_GETTER(fnet_grading_scores, double, fnet_grading, grading, grading->value.score)

FNET_DEFINE_ARRAY_GETTER(fnet_grading_contributions, double, fnet_grading, grading,
                         flat(grading->value.contributions))

// ---------------------------------------------------------------- tier migration, Markov CLV

FNET_API fnet_status fnet_tier_migration_fit(fnet_tier_migration** out, size_t n_states,
                                             const char* const* names, const unsigned char* absorbing,
                                             size_t n, const int64_t* customer, const int64_t* period,
                                             const int32_t* tier, const int32_t* segment, size_t n_segments,
                                             const fnet_tier_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    funnelnet::capi::count_arg<const char*>(n_states, "n_states");
    if (n_states > 0) require_ptr(names, "names");
    std::vector<std::string> v(n_states);
    std::vector<bool> a(n_states, false);
    for (size_t i = 0; i < n_states; ++i) {
      if (names[i] == nullptr) fail(Errc::null_argument, "names[", i, "] must not be NULL");
      v[i] = names[i];
      a[i] = absorbing != nullptr && absorbing[i] != 0;
    }
    funnelnet::TierMigrationOptions o;
    if (options != nullptr) {
      funnelnet::capi::check_options(options, FNET_TIER_OPTIONS_VERSION, "fnet_tier_options");
      o.gaps = funnelnet::capi::enum_to<funnelnet::SnapshotGaps>(options->gaps, "fnet_tier_options.gaps");
      o.smoothing = options->smoothing;
      o.empty_rows =
          funnelnet::capi::enum_to<funnelnet::EmptyRows>(options->empty_rows, "fnet_tier_options.empty_rows");
    }
    const funnelnet::StageSpace space(std::move(v), std::move(a));
    auto tm = funnelnet::fit_tier_migration(
        space, in(customer, n, "customer"), in(period, n, "period"), in(tier, n, "tier"),
        segment == nullptr ? std::span<const std::int32_t>{} : in(segment, n, "segment"), n_segments, o);
    *out = new fnet_tier_migration{std::move(tm)};
  });
}

FNET_DEFINE_DESTROY(fnet_tier_migration_destroy, fnet_tier_migration)

FNET_API fnet_status fnet_tier_migration_sizes(size_t* n_states, size_t* n_segments,
                                               const fnet_tier_migration* tm) {
  return guard([&] {
    require_ptr(tm, "tm");
    if (n_states != nullptr) *n_states = tm->value.space.size();
    if (n_segments != nullptr) *n_segments = tm->value.chains.size();
  });
}

static void check_segment(const fnet_tier_migration* tm, size_t segment) {
  require_ptr(tm, "tm");
  if (segment >= tm->value.chains.size())
    fail(Errc::out_of_range, "segment ", segment, " is outside [0, ", tm->value.chains.size(), ")");
}

FNET_API fnet_status fnet_tier_migration_counts(double* out, size_t capacity, size_t* needed,
                                                const fnet_tier_migration* tm, size_t segment) {
  return guard([&] {
    check_segment(tm, segment);
    copy_out(out, capacity, needed, flat(tm->value.counts[segment].matrix()));
  });
}

FNET_API fnet_status fnet_tier_migration_matrix(double* out, size_t capacity, size_t* needed,
                                                const fnet_tier_migration* tm, size_t segment) {
  return guard([&] {
    check_segment(tm, segment);
    copy_out(out, capacity, needed, flat(tm->value.chains[segment].matrix()));
  });
}

FNET_API fnet_status fnet_tier_migration_customers(size_t* customers, size_t* late,
                                                   const fnet_tier_migration* tm, size_t segment) {
  return guard([&] {
    check_segment(tm, segment);
    if (customers != nullptr) *customers = tm->value.customers[segment];
    if (late != nullptr) *late = tm->value.late[segment];
  });
}

FNET_API fnet_status fnet_tier_transition_rates(double* promotion, double* demotion, double* stay,
                                                double* churn, size_t capacity, size_t* needed, size_t n,
                                                const double* p, size_t n_churn,
                                                const int32_t* churn_states) {
  return guard([&] {
    if (!funnelnet::capi::begin_outputs(n, capacity, needed, promotion, demotion, stay, churn)) return;
    const auto m = square(p, n);
    auto c = in(churn_states, n_churn, "churn_states");
    const auto r = funnelnet::tier_rates(m, std::vector<std::int32_t>(c.begin(), c.end()));
    double* outs[] = {promotion, demotion, stay, churn};
    const funnelnet::Vector* src[] = {&r.promotion, &r.demotion, &r.stay, &r.churn};
    for (int k = 0; k < 4; ++k)
      if (outs[k] != nullptr) put(outs[k], *src[k]);
  });
}

FNET_API fnet_status fnet_tier_churn_probability(double* out, size_t capacity, size_t* needed, size_t n,
                                                 const double* p, size_t n_churn, const int32_t* churn_states,
                                                 int64_t k) {
  return guard([&] {
    if (!funnelnet::capi::begin_outputs(n, capacity, needed, out)) return;
    auto c = in(churn_states, n_churn, "churn_states");
    put(out, funnelnet::churn_within(square(p, n), std::vector<std::int32_t>(c.begin(), c.end()), k));
  });
}

FNET_API fnet_status fnet_tier_mix_forecast(double* out, size_t capacity, size_t* needed, size_t n,
                                            const double* p, const double* mix, int64_t k) {
  return guard([&] {
    if (!funnelnet::capi::begin_outputs(n, capacity, needed, out)) return;
    put(out, funnelnet::mix_ahead(square(p, n), vec(mix, n, "mix"), k));
  });
}

FNET_API fnet_status fnet_tier_clv(double* out, size_t capacity, size_t* needed, size_t n, const double* p,
                                   const double* reward, double discount, int64_t horizon) {
  return guard([&] {
    if (!funnelnet::capi::begin_outputs(n, capacity, needed, out)) return;
    const auto m = square(p, n);
    const auto r = vec(reward, n, "reward");
    put(out, horizon < 0 ? funnelnet::markov_clv(m, r, discount)
                         : funnelnet::markov_clv_finite(m, r, discount, horizon));
  });
}

// Deprecated 0.1 forms: the outputs hold n entries.
FNET_API fnet_status fnet_tier_rates(double* promotion, double* demotion, double* stay, double* churn,
                                     size_t n, const double* p, size_t n_churn, const int32_t* churn_states) {
  // No `needed` here: four NULL outputs would be a size query that reports nothing.
  if (promotion == nullptr && demotion == nullptr && stay == nullptr && churn == nullptr)
    return funnelnet::capi::set_error(FNET_E_NULL_ARGUMENT,
                                      "promotion, demotion, stay and churn are all NULL");
  size_t needed = 0;
  return fnet_tier_transition_rates(promotion, demotion, stay, churn, n, &needed, n, p, n_churn,
                                    churn_states);
}

FNET_API fnet_status fnet_tier_churn_within(double* out, size_t n, const double* p, size_t n_churn,
                                            const int32_t* churn_states, int64_t k) {
  if (out == nullptr) return funnelnet::capi::set_error(FNET_E_NULL_ARGUMENT, "out must not be NULL");
  return fnet_tier_churn_probability(out, n, nullptr, n, p, n_churn, churn_states, k);
}

FNET_API fnet_status fnet_tier_mix_ahead(double* out, size_t n, const double* p, const double* mix,
                                         int64_t k) {
  if (out == nullptr) return funnelnet::capi::set_error(FNET_E_NULL_ARGUMENT, "out must not be NULL");
  return fnet_tier_mix_forecast(out, n, nullptr, n, p, mix, k);
}

FNET_API fnet_status fnet_markov_clv(double* out, size_t n, const double* p, const double* reward,
                                     double discount, int64_t horizon) {
  if (out == nullptr) return funnelnet::capi::set_error(FNET_E_NULL_ARGUMENT, "out must not be NULL");
  return fnet_tier_clv(out, n, nullptr, n, p, reward, discount, horizon);
}

FNET_API fnet_status fnet_repeat_save(const fnet_repeat_model* object, const char* path) {
  return save_handle(object, path);
}
FNET_API fnet_status fnet_repeat_load(fnet_repeat_model** out, const char* path) {
  return read_handle(out, path, "path", [](const char* p) {
    return funnelnet::io::repeat_model_from_json(funnelnet::io::read_file(p));
  });
}
FNET_API fnet_status fnet_repeat_to_json(char* buf, size_t capacity, size_t* needed,
                                         const fnet_repeat_model* object) {
  return json_of_handle(buf, capacity, needed, object);
}
FNET_API fnet_status fnet_repeat_from_json(fnet_repeat_model** out, const char* json) {
  return read_handle(out, json, "json",
                     [](const char* t) { return funnelnet::io::repeat_model_from_json(t); });
}

FNET_API fnet_status fnet_gamma_gamma_save(const fnet_gamma_gamma* object, const char* path) {
  return save_handle(object, path);
}
FNET_API fnet_status fnet_gamma_gamma_load(fnet_gamma_gamma** out, const char* path) {
  return read_handle(out, path, "path", [](const char* p) {
    return funnelnet::io::gamma_gamma_from_json(funnelnet::io::read_file(p));
  });
}
FNET_API fnet_status fnet_gamma_gamma_to_json(char* buf, size_t capacity, size_t* needed,
                                              const fnet_gamma_gamma* object) {
  return json_of_handle(buf, capacity, needed, object);
}
FNET_API fnet_status fnet_gamma_gamma_from_json(fnet_gamma_gamma** out, const char* json) {
  return read_handle(out, json, "json",
                     [](const char* t) { return funnelnet::io::gamma_gamma_from_json(t); });
}

FNET_API fnet_status fnet_tier_migration_save(const fnet_tier_migration* object, const char* path) {
  return save_handle(object, path);
}
FNET_API fnet_status fnet_tier_migration_load(fnet_tier_migration** out, const char* path) {
  return read_handle(out, path, "path", [](const char* p) {
    return funnelnet::io::tier_migration_from_json(funnelnet::io::read_file(p));
  });
}
FNET_API fnet_status fnet_tier_migration_to_json(char* buf, size_t capacity, size_t* needed,
                                                 const fnet_tier_migration* object) {
  return json_of_handle(buf, capacity, needed, object);
}
FNET_API fnet_status fnet_tier_migration_from_json(fnet_tier_migration** out, const char* json) {
  return read_handle(out, json, "json",
                     [](const char* t) { return funnelnet::io::tier_migration_from_json(t); });
}

}  // extern "C"
