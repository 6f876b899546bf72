// C ABI: Markov funnels (declared in include/funnelnet/c/funnel.h).
#include "funnelnet/funnel.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "c_api/common.hpp"
#include "c_api/funnel_handles.hpp"
#include "funnelnet/io/json.hpp"

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::capi::copy_out;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct fnet_absorbing {
  funnelnet::AbsorbingAnalysis value;
  bool sparse = false;  // from CSR: no fundamental matrix
};
struct fnet_sensitivity {
  size_t n = 0;
  funnelnet::Sensitivity value;
  std::vector<size_t> from, to;  // ranked bottlenecks, one field per array
  std::vector<double> probability, gradient, elasticity;
};
namespace {

funnelnet::Repeats to_repeats(const fnet_repeats& repeats) {
  return funnelnet::capi::enum_to<funnelnet::Repeats>(repeats, "repeats");
}

funnelnet::Matrix matrix_from(const double* data, std::size_t n) {
  funnelnet::capi::count_product(n, n, "n x n");
  funnelnet::Matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  std::memcpy(m.data(), data, n * n * sizeof(double));
  return m;
}

template <class Time>
fnet_status counts_from_events(fnet_counts** out, const fnet_stages* stages, size_t n, const int64_t* lead,
                               const Time* time, const int32_t* stage_ids, fnet_repeats repeats) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    funnelnet::capi::count_arg<std::int64_t>(n, "n");
    if (n > 0) {
      require_ptr(lead, "lead");
      require_ptr(time, "time");
      require_ptr(stage_ids, "stage_ids");
    }
    auto c = funnelnet::TransitionCounts::from_events<Time>(stages->value, {lead, n}, {time, n},
                                                            {stage_ids, n}, to_repeats(repeats));
    *out = new fnet_counts{std::move(c)};
  });
}

void require_stage(const funnelnet::StageSpace& space, size_t stage) {
  if (stage >= space.size())
    fail(Errc::out_of_range, "stage index ", stage, " is outside [0, ", space.size(), ")");
  if (space.is_absorbing(stage))
    fail(Errc::invalid_argument, "'", space.name(stage), "' is an outcome, not a stage");
}

/// Row of `stage` among the transient states.
Eigen::Index transient_row(const funnelnet::StageSpace& space, size_t stage) {
  require_stage(space, stage);
  const auto& t = space.transient();
  return static_cast<Eigen::Index>(std::find(t.begin(), t.end(), static_cast<std::int32_t>(stage)) -
                                   t.begin());
}

void fill_time_to_close(const funnelnet::TimeToClose& t, Eigen::Index row, double* mean, double* variance,
                        double* quantiles, size_t n_probs) {
  *mean = t.mean(row);
  *variance = t.variance(row);
  for (size_t k = 0; k < n_probs; ++k) quantiles[k] = t.quantiles(row, static_cast<Eigen::Index>(k));
}

void check_time_args(double* mean, double* variance, double* quantiles, size_t n_probs, const double* probs) {
  require_ptr(mean, "mean");
  require_ptr(variance, "variance");
  funnelnet::capi::count_arg(n_probs, "n_probs");
  if (n_probs > 0) {
    require_ptr(quantiles, "quantiles");
    require_ptr(probs, "probs");
  }
}

std::span<const double> state_vector(const double* p, size_t n, const char* what) {
  require_ptr(p, what);
  return {p, n};
}

template <class Handle>
fnet_status save_object(const Handle* h, const char* path) {
  return guard([&] {
    require_ptr(h, "object");
    require_ptr(path, "path");
    funnelnet::io::save(h->value, path);
  });
}
template <class Handle, class Load>
fnet_status load_object(Handle** out, const char* path, Load load) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(path, "path");
    *out = new Handle{load(path)};
  });
}

}  // namespace

extern "C" {

FNET_API fnet_status fnet_stages_create(fnet_stages** out, size_t n, const char* const* names,
                                        const unsigned char* absorbing) {
  return guard([&] {
    require_ptr(out, "out");
    funnelnet::capi::count_arg<const char*>(n, "n");
    if (n > 0) {
      require_ptr(names, "names");
      require_ptr(absorbing, "absorbing");
    }
    std::vector<std::string> v(n);
    std::vector<bool> a(n);
    for (size_t i = 0; i < n; ++i) {
      if (names[i] == nullptr) fail(Errc::null_argument, "names[", i, "] must not be NULL");
      v[i] = names[i];
      a[i] = absorbing[i] != 0;
    }
    *out = new fnet_stages{funnelnet::StageSpace(std::move(v), std::move(a))};
  });
}

FNET_DEFINE_DESTROY(fnet_stages_destroy, fnet_stages)

FNET_DEFINE_GETTER(fnet_stages_size, size_t, fnet_stages, stages, stages->value.size())

FNET_API fnet_status fnet_stages_name(char* buf, size_t capacity, size_t* needed, const fnet_stages* stages,
                                      size_t i) {
  return guard([&] {
    require_ptr(stages, "stages");
    if (i >= stages->value.size())
      fail(Errc::out_of_range, "stage index ", i, " is outside [0, ", stages->value.size(), ")");
    const std::string& name = stages->value.name(i);
    copy_out(buf, capacity, needed, std::string_view(name.c_str(), name.size() + 1));  // with the NUL
  });
}

FNET_API fnet_status fnet_stages_index(size_t* out, const fnet_stages* stages, const char* name) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    require_ptr(name, "name");
    *out = static_cast<size_t>(stages->value.index(name));
  });
}

FNET_API fnet_status fnet_stages_is_absorbing(int* out, const fnet_stages* stages, size_t i) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    if (i >= stages->value.size())
      fail(Errc::out_of_range, "stage index ", i, " is outside [0, ", stages->value.size(), ")");
    *out = stages->value.is_absorbing(i) ? 1 : 0;
  });
}

FNET_API fnet_status fnet_counts_from_matrix(fnet_counts** out, const fnet_stages* stages,
                                             const double* counts) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    require_ptr(counts, "counts");
    auto c = funnelnet::TransitionCounts(stages->value, matrix_from(counts, stages->value.size()));
    *out = new fnet_counts{std::move(c)};
  });
}

FNET_API fnet_status fnet_counts_from_paths(fnet_counts** out, const fnet_stages* stages, size_t n_paths,
                                            const int64_t* offsets, const int32_t* stage_ids,
                                            const double* weights, fnet_repeats repeats) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    if (n_paths == 0) fail(Errc::empty_input, "no paths given (n_paths is 0)");
    funnelnet::capi::count_arg<std::int64_t>(n_paths + 1 == 0 ? n_paths : n_paths + 1,
                                             "n_paths + 1 (offsets)");
    require_ptr(offsets, "offsets");
    const auto total = static_cast<size_t>(offsets[n_paths] < 0 ? 0 : offsets[n_paths]);
    if (total > 0) require_ptr(stage_ids, "stage_ids");
    std::span<const double> w;
    if (weights != nullptr) w = {weights, n_paths};
    auto c = funnelnet::TransitionCounts::from_paths(stages->value, {stage_ids, total},
                                                     {offsets, n_paths + 1}, w, to_repeats(repeats));
    *out = new fnet_counts{std::move(c)};
  });
}

FNET_API fnet_status fnet_counts_from_events(fnet_counts** out, const fnet_stages* stages, size_t n,
                                             const int64_t* lead, const int64_t* time,
                                             const int32_t* stage_ids, fnet_repeats repeats) {
  return counts_from_events<int64_t>(out, stages, n, lead, time, stage_ids, repeats);
}

FNET_API fnet_status fnet_counts_from_events_f64(fnet_counts** out, const fnet_stages* stages, size_t n,
                                                 const int64_t* lead, const double* time,
                                                 const int32_t* stage_ids, fnet_repeats repeats) {
  return counts_from_events<double>(out, stages, n, lead, time, stage_ids, repeats);
}

FNET_API fnet_status fnet_counts_merge(fnet_counts** out, const fnet_counts* a, const fnet_counts* b) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(a, "a");
    require_ptr(b, "b");
    *out = new fnet_counts{a->value.merged(b->value)};
  });
}

FNET_DEFINE_DESTROY(fnet_counts_destroy, fnet_counts)

FNET_DEFINE_ARRAY_GETTER(fnet_counts_matrix, double, fnet_counts, counts, counts->value.matrix())

FNET_API fnet_status fnet_counts_stages(fnet_stages** out, const fnet_counts* counts) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(counts, "counts");
    *out = new fnet_stages{counts->value.space()};
  });
}

FNET_API fnet_status fnet_chain_create(fnet_chain** out, const fnet_stages* stages, const double* p,
                                       double tolerance) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    require_ptr(p, "p");
    const double tol = funnelnet::capi::tolerance_arg(tolerance, "tolerance") > 0.0
                           ? tolerance
                           : funnelnet::default_row_tolerance;
    auto c = funnelnet::MarkovChain(stages->value, matrix_from(p, stages->value.size()), tol);
    *out = new fnet_chain{std::move(c)};
  });
}

FNET_API fnet_status fnet_chain_fit(fnet_chain** out, const fnet_counts* counts,
                                    const fnet_fit_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(counts, "counts");
    funnelnet::FitOptions o;
    if (options != nullptr) {
      funnelnet::capi::check_options(options, FNET_FIT_OPTIONS_VERSION, "fnet_fit_options");
      o.smoothing = options->smoothing;
      o.empty_rows =
          funnelnet::capi::enum_to<funnelnet::EmptyRows>(options->empty_rows, "fnet_fit_options.empty_rows");
    }
    *out = new fnet_chain{funnelnet::fit(counts->value, o)};
  });
}

FNET_DEFINE_DESTROY(fnet_chain_destroy, fnet_chain)

FNET_DEFINE_GETTER(fnet_chain_size, size_t, fnet_chain, chain, chain->value.size())

FNET_DEFINE_ARRAY_GETTER(fnet_chain_matrix, double, fnet_chain, chain, chain->value.matrix())

FNET_API fnet_status fnet_chain_stages(fnet_stages** out, const fnet_chain* chain) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    *out = new fnet_stages{chain->value.space()};
  });
}

FNET_API fnet_status fnet_chain_log_likelihood(double* out, const fnet_chain* chain,
                                               const fnet_counts* counts) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    require_ptr(counts, "counts");
    *out = chain->value.log_likelihood(counts->value);
  });
}

FNET_API fnet_status fnet_absorbing_analyze(fnet_absorbing** out, const fnet_chain* chain) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    *out = new fnet_absorbing{funnelnet::analyze_absorbing(chain->value)};
  });
}

FNET_API fnet_status fnet_absorbing_analyze_csr(fnet_absorbing** out, size_t n, const int64_t* offsets,
                                                const int32_t* columns, const double* values,
                                                double tolerance, const unsigned char* absorbing) {
  return guard([&] {
    require_ptr(out, "out");
    *out = nullptr;
    if (n == 0) fail(Errc::empty_input, "the transition matrix has no states (n = 0)");
    require_ptr(offsets, "offsets");
    const std::int64_t nnz = offsets[n];
    if (nnz < 0) fail(Errc::shape_mismatch, "offsets[n] = ", nnz, " is negative");
    if (nnz > 0) {
      require_ptr(columns, "columns");
      require_ptr(values, "values");
    }
    const auto m = static_cast<std::size_t>(nnz);
    const funnelnet::markov::CsrChain p{n, std::span<const std::int64_t>(offsets, n + 1),
                                        std::span<const std::int32_t>(columns, nnz > 0 ? m : 0),
                                        std::span<const double>(values, nnz > 0 ? m : 0)};
    const std::span<const std::uint8_t> flags(absorbing, absorbing != nullptr ? n : 0);
    funnelnet::AbsorptionSummary s =
        funnelnet::markov::absorption(p, tolerance > 0 ? tolerance : 1e-9, flags);
    auto h = std::make_unique<fnet_absorbing>();
    h->sparse = true;
    h->value.transient = std::move(s.transient);
    h->value.absorbing = std::move(s.absorbing);
    h->value.absorption = std::move(s.absorption);
    h->value.expected_steps = std::move(s.expected_steps);
    h->value.steps_variance = std::move(s.steps_variance);
    *out = h.release();
  });
}

FNET_DEFINE_DESTROY(fnet_absorbing_destroy, fnet_absorbing)

FNET_API fnet_status fnet_absorbing_sizes(size_t* n_transient, size_t* n_absorbing,
                                          const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(n_transient, "n_transient");
    require_ptr(n_absorbing, "n_absorbing");
    require_ptr(analysis, "analysis");
    *n_transient = analysis->value.transient.size();
    *n_absorbing = analysis->value.absorbing.size();
  });
}

FNET_DEFINE_ARRAY_GETTER(fnet_absorbing_transient, size_t, fnet_absorbing, analysis,
                         analysis->value.transient)

FNET_DEFINE_ARRAY_GETTER(fnet_absorbing_absorbing, size_t, fnet_absorbing, analysis,
                         analysis->value.absorbing)

FNET_API fnet_status fnet_absorbing_fundamental(double* out, size_t capacity, size_t* needed,
                                                const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    if (analysis->sparse)
      fail(Errc::invalid_argument,
           "the fundamental matrix is not computed by fnet_absorbing_analyze_csr (it is dense, "
           "n_transient^2); "
           "use fnet_absorbing_analyze on a dense chain");
    copy_out(out, capacity, needed, analysis->value.fundamental);
  });
}

FNET_DEFINE_ARRAY_GETTER(fnet_absorbing_probabilities, double, fnet_absorbing, analysis,
                         analysis->value.absorption)

FNET_DEFINE_ARRAY_GETTER(fnet_absorbing_expected_steps, double, fnet_absorbing, analysis,
                         analysis->value.expected_steps)

FNET_DEFINE_ARRAY_GETTER(fnet_absorbing_steps_variance, double, fnet_absorbing, analysis,
                         analysis->value.steps_variance)

// ---- time ------------------------------------------------------------------------

FNET_API fnet_status fnet_counts_from_periods(fnet_counts** out, const fnet_stages* stages, size_t n,
                                              const int64_t* lead, const double* time,
                                              const int32_t* stage_ids, const fnet_period_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    require_ptr(options, "options");
    funnelnet::capi::check_options(options, FNET_PERIOD_OPTIONS_VERSION, "fnet_period_options");
    funnelnet::capi::count_arg<std::int64_t>(n, "n");
    if (n > 0) {
      require_ptr(lead, "lead");
      require_ptr(time, "time");
      require_ptr(stage_ids, "stage_ids");
    }
    funnelnet::PeriodOptions<double> o;
    o.period = options->period;
    if (options->has_origin) o.origin = options->origin;
    if (options->has_cutoff) o.cutoff = options->cutoff;
    o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
    auto c = funnelnet::period_counts<double>(stages->value, {lead, n}, {time, n}, {stage_ids, n}, o);
    *out = new fnet_counts{std::move(c)};
  });
}

FNET_API fnet_status fnet_exposure_from_events(fnet_exposure** out, const fnet_stages* stages, size_t n,
                                               const int64_t* lead, const double* time,
                                               const int32_t* stage_ids, int has_cutoff, double cutoff,
                                               double time_unit) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    funnelnet::capi::count_arg<std::int64_t>(n, "n");
    if (n > 0) {
      require_ptr(lead, "lead");
      require_ptr(time, "time");
      require_ptr(stage_ids, "stage_ids");
    }
    std::optional<double> cut;
    if (has_cutoff) cut = cutoff;
    auto e = funnelnet::ExposureCounts::from_events<double>(stages->value, {lead, n}, {time, n},
                                                            {stage_ids, n}, cut, time_unit);
    *out = new fnet_exposure{std::move(e)};
  });
}

FNET_API fnet_status fnet_exposure_create(fnet_exposure** out, const fnet_stages* stages,
                                          const double* counts, const double* exposure) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    require_ptr(counts, "counts");
    require_ptr(exposure, "exposure");
    const size_t n = stages->value.size();
    funnelnet::Vector t(static_cast<Eigen::Index>(n));
    for (size_t i = 0; i < n; ++i) t(static_cast<Eigen::Index>(i)) = exposure[i];
    *out = new fnet_exposure{funnelnet::ExposureCounts(stages->value, matrix_from(counts, n), std::move(t))};
  });
}

FNET_API fnet_status fnet_exposure_merge(fnet_exposure** out, const fnet_exposure* a,
                                         const fnet_exposure* b) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(a, "a");
    require_ptr(b, "b");
    *out = new fnet_exposure{a->value.merged(b->value)};
  });
}

FNET_DEFINE_DESTROY(fnet_exposure_destroy, fnet_exposure)

FNET_DEFINE_ARRAY_GETTER(fnet_exposure_counts, double, fnet_exposure, exposure, exposure->value.matrix())

FNET_DEFINE_ARRAY_GETTER(fnet_exposure_time, double, fnet_exposure, exposure, exposure->value.exposure())

FNET_API fnet_status fnet_ctmc_create(fnet_ctmc** out, const fnet_stages* stages, const double* q,
                                      double tolerance) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    require_ptr(q, "q");
    const double tol = funnelnet::capi::tolerance_arg(tolerance, "tolerance") > 0.0 ? tolerance : 1e-9;
    *out =
        new fnet_ctmc{funnelnet::ContinuousChain(stages->value, matrix_from(q, stages->value.size()), tol)};
  });
}

FNET_API fnet_status fnet_ctmc_fit(fnet_ctmc** out, const fnet_exposure* exposure,
                                   fnet_empty_rows empty_rows) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(exposure, "exposure");
    const int e = funnelnet::capi::enum_value(empty_rows, "empty_rows");
    if (e != FNET_EMPTY_ROWS_ERROR && e != FNET_EMPTY_ROWS_ABSORBING)
      fail(Errc::invalid_argument,
           "empty_rows must be FNET_EMPTY_ROWS_ERROR (0) or FNET_EMPTY_ROWS_ABSORBING (1) for a "
           "continuous-time chain, got ",
           funnelnet::capi::enum_name(empty_rows), " (", e, ")");
    funnelnet::ContinuousFitOptions o;
    o.empty_rows = static_cast<funnelnet::EmptyRows>(e);
    *out = new fnet_ctmc{funnelnet::fit_continuous(exposure->value, o)};
  });
}

FNET_DEFINE_DESTROY(fnet_ctmc_destroy, fnet_ctmc)

FNET_DEFINE_ARRAY_GETTER(fnet_ctmc_generator, double, fnet_ctmc, chain, chain->value.generator())

FNET_API fnet_status fnet_ctmc_transition_matrix(double* out, size_t capacity, size_t* needed,
                                                 const fnet_ctmc* chain, double t) {
  return guard([&] {
    require_ptr(chain, "chain");
    const size_t n = chain->value.size();
    if (needed != nullptr) *needed = n * n;
    if (out == nullptr) {
      if (needed == nullptr) fail(Errc::null_argument, "out and needed are both NULL");
      return;
    }
    copy_out(out, capacity, needed, chain->value.transition_matrix(t));
  });
}

FNET_API fnet_status fnet_ctmc_jump_chain(fnet_chain** out, const fnet_ctmc* chain) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    *out = new fnet_chain{chain->value.jump_chain()};
  });
}

FNET_API fnet_status fnet_ctmc_time_to_close(double* mean, double* variance, double* quantiles,
                                             size_t n_probs, const double* probs, const fnet_ctmc* chain,
                                             size_t stage) {
  return guard([&] {
    check_time_args(mean, variance, quantiles, n_probs, probs);
    require_ptr(chain, "chain");
    const Eigen::Index row = transient_row(chain->value.space(), stage);
    auto t = funnelnet::time_to_close(chain->value, std::span<const double>(probs, n_probs));
    fill_time_to_close(t, row, mean, variance, quantiles, n_probs);
  });
}

FNET_API fnet_status fnet_chain_time_to_close(double* mean, double* variance, double* quantiles,
                                              size_t n_probs, const double* probs, const fnet_chain* chain,
                                              size_t stage) {
  return guard([&] {
    check_time_args(mean, variance, quantiles, n_probs, probs);
    require_ptr(chain, "chain");
    const Eigen::Index row = transient_row(chain->value.space(), stage);
    auto t = funnelnet::time_to_close(chain->value, std::span<const double>(probs, n_probs));
    fill_time_to_close(t, row, mean, variance, quantiles, n_probs);
  });
}

// ---- recurrent chains ------------------------------------------------------------

FNET_API fnet_status fnet_chain_classes(int32_t* class_of, size_t capacity, size_t* needed, size_t* n_classes,
                                        const fnet_chain* chain) {
  return guard([&] {
    require_ptr(chain, "chain");
    auto cs = funnelnet::communicating_classes(chain->value);
    if (n_classes != nullptr) *n_classes = cs.classes.size();
    copy_out(class_of, capacity, needed, cs.class_of);
  });
}

FNET_API fnet_status fnet_chain_class_closed(unsigned char* out, size_t capacity, size_t* needed,
                                             const fnet_chain* chain) {
  return guard([&] {
    require_ptr(chain, "chain");
    auto cs = funnelnet::communicating_classes(chain->value);
    std::vector<unsigned char> closed(cs.closed.begin(), cs.closed.end());
    copy_out(out, capacity, needed, closed);
  });
}

FNET_API fnet_status fnet_chain_stationary(double* out, size_t capacity, size_t* needed,
                                           const fnet_chain* chain) {
  return guard([&] {
    require_ptr(chain, "chain");
    if (!funnelnet::capi::begin_outputs(chain->value.size(), capacity, needed, out)) return;
    copy_out(out, capacity, needed, funnelnet::stationary_distribution(chain->value));
  });
}

FNET_API fnet_status fnet_chain_first_passage(double* out, size_t capacity, size_t* needed,
                                              const fnet_chain* chain) {
  return guard([&] {
    require_ptr(chain, "chain");
    const size_t n = chain->value.size();
    if (!funnelnet::capi::begin_outputs(n * n, capacity, needed, out)) return;
    copy_out(out, capacity, needed, funnelnet::first_passage_times(chain->value));
  });
}

// ---- bottlenecks -----------------------------------------------------------------

FNET_API fnet_status fnet_chain_sensitivity(double* value, double* gradient, double* elasticity,
                                            size_t capacity, size_t* needed, const fnet_chain* chain,
                                            const double* start, const double* outcome_values) {
  return guard([&] {
    require_ptr(value, "value");
    require_ptr(chain, "chain");
    const size_t n = chain->value.size();
    if (needed != nullptr) *needed = n * n;
    if ((gradient != nullptr || elasticity != nullptr) && capacity < n * n)
      fail(Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", n * n, " needed");
    auto s = funnelnet::sensitivity(chain->value, state_vector(start, n, "start"),
                                    state_vector(outcome_values, n, "outcome_values"));
    *value = s.value;
    if (gradient != nullptr) copy_out(gradient, capacity, needed, s.gradient);
    if (elasticity != nullptr) copy_out(elasticity, capacity, needed, s.elasticity);
  });
}

FNET_API fnet_status fnet_sensitivity_analyze(fnet_sensitivity** out, const fnet_chain* chain,
                                              const double* start, const double* outcome_values) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    const size_t n = chain->value.size();
    auto s = funnelnet::sensitivity(chain->value, state_vector(start, n, "start"),
                                    state_vector(outcome_values, n, "outcome_values"));
    auto rank = funnelnet::rank_bottlenecks(chain->value, s);
    auto h = std::make_unique<fnet_sensitivity>();
    h->n = n;
    h->value = std::move(s);
    for (const auto& b : rank) {
      h->from.push_back(static_cast<size_t>(b.from));
      h->to.push_back(static_cast<size_t>(b.to));
      h->probability.push_back(b.probability);
      h->gradient.push_back(b.gradient);
      h->elasticity.push_back(b.elasticity);
    }
    *out = h.release();
  });
}

FNET_DEFINE_DESTROY(fnet_sensitivity_destroy, fnet_sensitivity)

FNET_API fnet_status fnet_sensitivity_sizes(size_t* n_states, size_t* n_bottlenecks,
                                            const fnet_sensitivity* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    if (n_states != nullptr) *n_states = analysis->n;
    if (n_bottlenecks != nullptr) *n_bottlenecks = analysis->from.size();
  });
}

FNET_DEFINE_GETTER(fnet_sensitivity_value, double, fnet_sensitivity, analysis, analysis->value.value)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_state_values, double, fnet_sensitivity, analysis,
                         analysis->value.state_values)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_visits, double, fnet_sensitivity, analysis, analysis->value.visits)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_gradient, double, fnet_sensitivity, analysis,
                         analysis->value.gradient)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_elasticity, double, fnet_sensitivity, analysis,
                         analysis->value.elasticity)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_bottleneck_from, size_t, fnet_sensitivity, analysis, analysis->from)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_bottleneck_to, size_t, fnet_sensitivity, analysis, analysis->to)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_bottleneck_probability, double, fnet_sensitivity, analysis,
                         analysis->probability)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_bottleneck_gradient, double, fnet_sensitivity, analysis,
                         analysis->gradient)
FNET_DEFINE_ARRAY_GETTER(fnet_sensitivity_bottleneck_elasticity, double, fnet_sensitivity, analysis,
                         analysis->elasticity)

FNET_API fnet_status fnet_chain_raise(fnet_chain** out, const fnet_chain* chain, size_t from, size_t to,
                                      double fraction) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    *out = new fnet_chain{funnelnet::raise_transition(chain->value, from, to, fraction)};
  });
}

FNET_API fnet_status fnet_chain_bottlenecks(size_t* from, size_t* to, double* elasticity, size_t capacity,
                                            size_t* needed, const fnet_chain* chain, const double* start,
                                            const double* outcome_values) {
  return guard([&] {
    require_ptr(chain, "chain");
    const size_t n = chain->value.size();
    auto s = funnelnet::sensitivity(chain->value, state_vector(start, n, "start"),
                                    state_vector(outcome_values, n, "outcome_values"));
    auto rank = funnelnet::rank_bottlenecks(chain->value, s);
    if (needed != nullptr) *needed = rank.size();
    if (from == nullptr && to == nullptr && elasticity == nullptr) {
      if (needed == nullptr) fail(Errc::null_argument, "outputs and needed are all NULL");
      return;
    }
    require_ptr(from, "from");
    require_ptr(to, "to");
    require_ptr(elasticity, "elasticity");
    if (capacity < rank.size())
      fail(Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", rank.size(), " needed");
    for (size_t k = 0; k < rank.size(); ++k) {
      from[k] = static_cast<size_t>(rank[k].from);
      to[k] = static_cast<size_t>(rank[k].to);
      elasticity[k] = rank[k].elasticity;
    }
  });
}

// ---- uncertainty and segments ----------------------------------------------------

FNET_API fnet_status fnet_counts_posterior_intervals(double* lower, double* upper, size_t capacity,
                                                     size_t* needed, const fnet_counts* counts, double prior,
                                                     double level) {
  return guard([&] {
    require_ptr(counts, "counts");
    const size_t n = counts->value.size();
    if (needed != nullptr) *needed = n * n;
    if (lower == nullptr && upper == nullptr) {
      if (needed == nullptr) fail(Errc::null_argument, "lower, upper and needed are all NULL");
      return;
    }
    require_ptr(lower, "lower");
    require_ptr(upper, "upper");
    auto iv = funnelnet::posterior_intervals(counts->value, prior, level);
    copy_out(lower, capacity, needed, iv.lower);
    copy_out(upper, capacity, needed, iv.upper);
  });
}

FNET_API fnet_status fnet_segments_fit_with(fnet_chain** shrunk, double* statistic, double* df,
                                            double* p_value, size_t n_segments,
                                            const fnet_counts* const* segments, const char* const* names,
                                            const fnet_segment_options* options) {
  return guard([&] {
    require_ptr(statistic, "statistic");
    require_ptr(df, "df");
    require_ptr(p_value, "p_value");
    funnelnet::SegmentOptions o;
    if (options != nullptr) {
      funnelnet::capi::check_options(options, FNET_SEGMENT_OPTIONS_VERSION, "fnet_segment_options");
      if (options->has_concentration) o.concentration = options->concentration;
      if (options->has_max_concentration) o.max_concentration = options->max_concentration;
    }
    if (n_segments == 0) fail(Errc::empty_input, "no segments given (n_segments is 0)");
    funnelnet::capi::count_arg<const char*>(n_segments, "n_segments");
    require_ptr(segments, "segments");
    require_ptr(names, "names");
    std::vector<funnelnet::TransitionCounts> segs;
    std::vector<std::string> nm;
    for (size_t s = 0; s < n_segments; ++s) {
      if (segments[s] == nullptr) fail(Errc::null_argument, "segments[", s, "] must not be NULL");
      if (names[s] == nullptr) fail(Errc::null_argument, "names[", s, "] must not be NULL");
      segs.push_back(segments[s]->value);
      nm.emplace_back(names[s]);
    }
    auto f = funnelnet::fit_segments(segs, nm, o);
    std::vector<std::unique_ptr<fnet_chain>> made;
    if (shrunk != nullptr)
      for (auto& c : f.shrunk) made.push_back(std::make_unique<fnet_chain>(fnet_chain{std::move(c)}));
    *statistic = f.statistic;
    *df = f.df;
    *p_value = f.p_value;
    for (size_t s = 0; s < made.size(); ++s) shrunk[s] = made[s].release();
  });
}

FNET_API fnet_status fnet_segments_fit(fnet_chain** shrunk, double* statistic, double* df, double* p_value,
                                       size_t n_segments, const fnet_counts* const* segments,
                                       const char* const* names) {
  return fnet_segments_fit_with(shrunk, statistic, df, p_value, n_segments, segments, names, nullptr);
}

// ---- persistence -----------------------------------------------------------------

FNET_API fnet_status fnet_chain_save(const fnet_chain* chain, const char* path) {
  return save_object(chain, path);
}
FNET_API fnet_status fnet_counts_save(const fnet_counts* counts, const char* path) {
  return save_object(counts, path);
}
FNET_API fnet_status fnet_exposure_save(const fnet_exposure* exposure, const char* path) {
  return save_object(exposure, path);
}
FNET_API fnet_status fnet_ctmc_save(const fnet_ctmc* chain, const char* path) {
  return save_object(chain, path);
}
FNET_API fnet_status fnet_chain_load(fnet_chain** out, const char* path) {
  return load_object(out, path, [](const char* p) { return funnelnet::io::load_chain(p); });
}
FNET_API fnet_status fnet_counts_load(fnet_counts** out, const char* path) {
  return load_object(out, path, [](const char* p) { return funnelnet::io::load_counts(p); });
}
FNET_API fnet_status fnet_exposure_load(fnet_exposure** out, const char* path) {
  return load_object(out, path, [](const char* p) { return funnelnet::io::load_exposure_counts(p); });
}
FNET_API fnet_status fnet_ctmc_load(fnet_ctmc** out, const char* path) {
  return load_object(out, path, [](const char* p) { return funnelnet::io::load_continuous_chain(p); });
}

FNET_API fnet_status fnet_chain_to_json(char* buf, size_t capacity, size_t* needed, const fnet_chain* chain) {
  return guard([&] {
    require_ptr(chain, "chain");
    const std::string text = funnelnet::io::to_json(chain->value);
    copy_out(buf, capacity, needed, std::string_view(text.c_str(), text.size() + 1));  // with the NUL
  });
}

FNET_API fnet_status fnet_chain_from_json(fnet_chain** out, const char* json) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(json, "json");
    *out = new fnet_chain{funnelnet::io::chain_from_json(json)};
  });
}

}  // extern "C"
