// C ABI: Markov funnels (declared in include/funnelnet/c/funnel.h).
#include "funnelnet/funnel.hpp"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "c_api/common.hpp"

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::capi::copy_out;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct fnet_stages {
  funnelnet::StageSpace value;
};
struct fnet_counts {
  funnelnet::TransitionCounts value;
};
struct fnet_chain {
  funnelnet::MarkovChain value;
};
struct fnet_absorbing {
  funnelnet::AbsorbingAnalysis value;
};

namespace {

funnelnet::Repeats to_repeats(int repeats) {
  if (repeats != FNET_REPEATS_KEEP && repeats != FNET_REPEATS_COLLAPSE)
    fail(Errc::invalid_argument, "repeats must be FNET_REPEATS_KEEP (0) or FNET_REPEATS_COLLAPSE (1), got ",
         repeats);
  return static_cast<funnelnet::Repeats>(repeats);
}

funnelnet::Matrix matrix_from(const double* data, std::size_t n) {
  funnelnet::Matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  std::memcpy(m.data(), data, n * n * sizeof(double));
  return m;
}

template <class Time>
fnet_status counts_from_events(fnet_counts** out, const fnet_stages* stages, size_t n, const int64_t* lead,
                               const Time* time, const int32_t* stage_ids, int repeats) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
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

}  // namespace

extern "C" {

FNET_API fnet_status fnet_stages_create(fnet_stages** out, size_t n, const char* const* names,
                                        const unsigned char* absorbing) {
  return guard([&] {
    require_ptr(out, "out");
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

FNET_API void fnet_stages_destroy(fnet_stages* stages) {
  delete stages;
}

FNET_API fnet_status fnet_stages_size(size_t* out, const fnet_stages* stages) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    *out = stages->value.size();
  });
}

FNET_API fnet_status fnet_stages_name(char* buf, size_t capacity, size_t* needed, const fnet_stages* stages,
                                      size_t i) {
  return guard([&] {
    require_ptr(stages, "stages");
    if (i >= stages->value.size())
      fail(Errc::out_of_range, "stage index ", i, " is outside [0, ", stages->value.size(), ")");
    const std::string& name = stages->value.name(i);
    std::string with_nul(name.c_str(), name.size() + 1);
    copy_out(buf, capacity, needed, with_nul);
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
                                            const double* weights, int repeats) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    if (n_paths == 0) fail(Errc::empty_input, "no paths given (n_paths is 0)");
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
                                             const int32_t* stage_ids, int repeats) {
  return counts_from_events<int64_t>(out, stages, n, lead, time, stage_ids, repeats);
}

FNET_API fnet_status fnet_counts_from_events_f64(fnet_counts** out, const fnet_stages* stages, size_t n,
                                                 const int64_t* lead, const double* time,
                                                 const int32_t* stage_ids, int repeats) {
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

FNET_API void fnet_counts_destroy(fnet_counts* counts) {
  delete counts;
}

FNET_API fnet_status fnet_counts_matrix(double* out, size_t capacity, size_t* needed,
                                        const fnet_counts* counts) {
  return guard([&] {
    require_ptr(counts, "counts");
    copy_out(out, capacity, needed, counts->value.matrix());
  });
}

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
    const double tol = tolerance > 0.0 ? tolerance : funnelnet::default_row_tolerance;
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
      if (options->version != FNET_FIT_OPTIONS_VERSION)
        fail(Errc::invalid_argument, "fnet_fit_options.version is ", options->version, ", expected ",
             FNET_FIT_OPTIONS_VERSION, " (initialise with FNET_FIT_OPTIONS_INIT)");
      if (options->empty_rows < FNET_EMPTY_ROWS_ERROR || options->empty_rows > FNET_EMPTY_ROWS_UNIFORM)
        fail(Errc::invalid_argument, "empty_rows must be one of FNET_EMPTY_ROWS_*, got ",
             options->empty_rows);
      o.smoothing = options->smoothing;
      o.empty_rows = static_cast<funnelnet::EmptyRows>(options->empty_rows);
    }
    *out = new fnet_chain{funnelnet::fit(counts->value, o)};
  });
}

FNET_API void fnet_chain_destroy(fnet_chain* chain) {
  delete chain;
}

FNET_API fnet_status fnet_chain_size(size_t* out, const fnet_chain* chain) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(chain, "chain");
    *out = chain->value.size();
  });
}

FNET_API fnet_status fnet_chain_matrix(double* out, size_t capacity, size_t* needed,
                                       const fnet_chain* chain) {
  return guard([&] {
    require_ptr(chain, "chain");
    copy_out(out, capacity, needed, chain->value.matrix());
  });
}

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

FNET_API void fnet_absorbing_destroy(fnet_absorbing* analysis) {
  delete analysis;
}

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

FNET_API fnet_status fnet_absorbing_transient(size_t* out, size_t capacity, size_t* needed,
                                              const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    copy_out(out, capacity, needed, analysis->value.transient);
  });
}

FNET_API fnet_status fnet_absorbing_absorbing(size_t* out, size_t capacity, size_t* needed,
                                              const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    copy_out(out, capacity, needed, analysis->value.absorbing);
  });
}

FNET_API fnet_status fnet_absorbing_fundamental(double* out, size_t capacity, size_t* needed,
                                                const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    copy_out(out, capacity, needed, analysis->value.fundamental);
  });
}

FNET_API fnet_status fnet_absorbing_probabilities(double* out, size_t capacity, size_t* needed,
                                                  const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    copy_out(out, capacity, needed, analysis->value.absorption);
  });
}

FNET_API fnet_status fnet_absorbing_expected_steps(double* out, size_t capacity, size_t* needed,
                                                   const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    copy_out(out, capacity, needed, analysis->value.expected_steps);
  });
}

FNET_API fnet_status fnet_absorbing_steps_variance(double* out, size_t capacity, size_t* needed,
                                                   const fnet_absorbing* analysis) {
  return guard([&] {
    require_ptr(analysis, "analysis");
    copy_out(out, capacity, needed, analysis->value.steps_variance);
  });
}

}  // extern "C"
