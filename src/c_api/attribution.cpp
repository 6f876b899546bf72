// C ABI: the attribution area (declared in include/funnelnet/c/attribution.h).
#include "funnelnet/attribution.hpp"

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

struct fnet_paths {
  funnelnet::PathSet value;
  std::vector<double> age;  // event logs only
};
struct fnet_markov {
  funnelnet::MarkovAttribution value;
};

namespace {

funnelnet::Labels channel_labels(size_t n, const char* const* names) {
  funnelnet::capi::count_arg<const char*>(n, "n_channels");
  if (n > 0) require_ptr(names, "names");
  std::vector<std::string> v(n);
  for (size_t i = 0; i < n; ++i) {
    if (names[i] == nullptr) fail(Errc::null_argument, "names[", i, "] must not be NULL");
    v[i] = names[i];
  }
  return funnelnet::Labels(std::move(v), "channel");
}

funnelnet::Repeats to_repeats(const fnet_repeats& repeats, const char* what) {
  return funnelnet::capi::enum_to<funnelnet::Repeats>(repeats, what);
}

// Two output buffers of the same length n, either may be NULL.
void copy_pair(double* a, double* b, size_t capacity, size_t* needed, const std::vector<double>& va,
               const std::vector<double>& vb) {
  if (needed != nullptr) *needed = va.size();
  if (a == nullptr && b == nullptr) {
    if (needed == nullptr) fail(Errc::null_argument, "outputs and needed are all NULL");
    return;
  }
  if (capacity < va.size())
    fail(Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", va.size(), " needed");
  for (size_t i = 0; i < va.size(); ++i) {
    if (a != nullptr) a[i] = va[i];
    if (b != nullptr) b[i] = vb[i];
  }
}

}  // namespace

using funnelnet::capi::json_of_handle;
using funnelnet::capi::read_handle;
using funnelnet::capi::save_handle;

extern "C" {

FNET_API fnet_status fnet_paths_create(fnet_paths** out, size_t n_channels, const char* const* names,
                                       size_t n_paths, const int64_t* offsets, const int32_t* channel_ids,
                                       const double* conversions, const double* nulls, const double* values,
                                       const char* sep) {
  return guard([&] {
    require_ptr(out, "out");
    auto labels = channel_labels(n_channels, names);
    if (n_paths == 0) fail(Errc::empty_input, "no paths given (n_paths is 0)");
    require_ptr(conversions, "conversions");
    const size_t n_touches = funnelnet::capi::check_offsets(offsets, n_paths, "path");
    if (n_touches > 0) require_ptr(channel_ids, "channel_ids");
    funnelnet::capi::check_ids(channel_ids, offsets, n_paths, n_channels, "path", "touch", "channel index");
    std::vector<int32_t> t(channel_ids, channel_ids + n_touches);
    std::vector<int64_t> o(offsets, offsets + n_paths + 1);
    std::vector<double> c(conversions, conversions + n_paths);
    std::vector<double> nl =
        nulls != nullptr ? std::vector<double>(nulls, nulls + n_paths) : std::vector<double>{};
    std::vector<double> v =
        values != nullptr ? std::vector<double>(values, values + n_paths) : std::vector<double>{};
    funnelnet::PathSet ps(std::move(labels), std::move(t), std::move(o), std::move(c), std::move(nl),
                          std::move(v), sep != nullptr ? sep : ">");
    *out = new fnet_paths{std::move(ps), {}};
  });
}

FNET_API fnet_status fnet_paths_from_events(fnet_paths** out, size_t n_channels, const char* const* names,
                                            size_t n, const int64_t* customer, const int64_t* time,
                                            const int32_t* channel_ids, const unsigned char* converted,
                                            const double* values) {
  return guard([&] {
    require_ptr(out, "out");
    auto labels = channel_labels(n_channels, names);
    funnelnet::capi::count_arg<std::int64_t>(n, "n");
    if (n > 0) {
      require_ptr(customer, "customer");
      require_ptr(time, "time");
      require_ptr(channel_ids, "channel_ids");
      require_ptr(converted, "converted");
    }
    auto j = funnelnet::journeys_from_events<int64_t>(
        labels, {customer, n}, {time, n}, {channel_ids, n}, {converted, n},
        values != nullptr ? std::span<const double>(values, n) : std::span<const double>{});
    *out = new fnet_paths{std::move(j.paths), std::move(j.age)};
  });
}

FNET_DEFINE_DESTROY(fnet_paths_destroy, fnet_paths)

FNET_API fnet_status fnet_paths_sizes(size_t* n_paths, size_t* n_touches, size_t* n_channels,
                                      const fnet_paths* paths) {
  return guard([&] {
    require_ptr(paths, "paths");
    if (n_paths != nullptr) *n_paths = paths->value.size();
    if (n_touches != nullptr) *n_touches = paths->value.touches().size();
    if (n_channels != nullptr) *n_channels = paths->value.n_channels();
  });
}

FNET_DEFINE_ARRAY_GETTER(fnet_paths_offsets, int64_t, fnet_paths, paths, paths->value.offsets())

FNET_DEFINE_ARRAY_GETTER(fnet_paths_channel_ids, int32_t, fnet_paths, paths, paths->value.touches())

FNET_DEFINE_ARRAY_GETTER(fnet_paths_conversions, double, fnet_paths, paths, paths->value.conversions())

FNET_DEFINE_ARRAY_GETTER(fnet_paths_nulls, double, fnet_paths, paths, paths->value.nulls())

FNET_DEFINE_ARRAY_GETTER(fnet_paths_values, double, fnet_paths, paths, paths->value.values())

FNET_API fnet_status fnet_paths_ages(double* out, size_t capacity, size_t* needed, const fnet_paths* paths) {
  return guard([&] {
    require_ptr(paths, "paths");
    if (paths->age.empty()) {
      const std::vector<double> zeros(paths->value.touches().size(), 0.0);
      copy_out(out, capacity, needed, zeros);
    } else {
      copy_out(out, capacity, needed, paths->age);
    }
  });
}

FNET_API fnet_status fnet_attribution_heuristic(double* conversions, double* value, size_t capacity,
                                                size_t* needed, const fnet_paths* paths,
                                                const fnet_heuristic_options* options) {
  return guard([&] {
    require_ptr(paths, "paths");
    fnet_heuristic_options o = FNET_HEURISTIC_OPTIONS_INIT;
    if (options != nullptr) {
      funnelnet::capi::check_options(options, FNET_HEURISTIC_OPTIONS_VERSION, "fnet_heuristic_options");
      o = *options;
    }
    funnelnet::HeuristicOptions h;
    h.repeats = to_repeats(o.repeats, "fnet_heuristic_options.repeats");
    h.half_life = o.half_life;
    h.first_weight = o.first_weight;
    h.last_weight = o.last_weight;
    if (o.use_ages && paths->age.empty())
      fail(Errc::invalid_argument, "use_ages needs journeys from an event log (fnet_paths_from_events)");
    if (!funnelnet::capi::begin_outputs(paths->value.n_channels() * FNET_HEURISTIC_COUNT, capacity, needed,
                                        conversions, value))
      return;
    auto r = funnelnet::heuristic_attribution(
        paths->value, h, o.use_ages ? std::span<const double>(paths->age) : std::span<const double>{});
    const std::vector<double> c(r.conversions.data(), r.conversions.data() + r.conversions.size());
    const std::vector<double> v(r.value.data(), r.value.data() + r.value.size());
    copy_pair(conversions, value, capacity, needed, c, v);
  });
}

FNET_API fnet_status fnet_attribution_markov_fit(fnet_attribution_markov** out, const fnet_paths* paths,
                                                 const fnet_attribution_markov_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(paths, "paths");
    fnet_markov_options o = FNET_MARKOV_OPTIONS_INIT;
    if (options != nullptr) {
      funnelnet::capi::check_options(options, FNET_MARKOV_OPTIONS_VERSION, "fnet_markov_options");
      o = *options;
    }
    funnelnet::MarkovOptions m;
    m.order = o.order;
    m.repeats = to_repeats(o.repeats, "fnet_markov_options.repeats");
    m.threads = funnelnet::capi::threads_arg(o.threads, "threads");
    if (o.progress != nullptr) {
      auto fn = o.progress;
      void* ud = o.user_data;
      m.progress = [fn, ud](std::uint64_t done, std::uint64_t total) { return fn(ud, done, total) == 0; };
    }
    *out = new fnet_markov{funnelnet::MarkovAttribution::fit(paths->value, m)};
  });
}

FNET_DEFINE_DESTROY(fnet_attribution_markov_destroy, fnet_markov)

FNET_API fnet_status fnet_attribution_markov_conversion_probability(double* probability,
                                                                    double* expected_value,
                                                                    const fnet_markov* model) {
  return guard([&] {
    require_ptr(model, "model");
    if (probability != nullptr) *probability = model->value.conversion_probability();
    if (expected_value != nullptr) *expected_value = model->value.expected_value();
  });
}

FNET_DEFINE_ARRAY_GETTER(fnet_attribution_markov_removal_effects, double, fnet_markov, model,
                         model->value.removal_effects())

FNET_DEFINE_ARRAY_GETTER(fnet_attribution_markov_value_removal_effects, double, fnet_markov, model,
                         model->value.value_removal_effects())

FNET_DEFINE_ARRAY_GETTER(fnet_attribution_markov_attributed_conversions, double, fnet_markov, model,
                         model->value.attributed_conversions())

FNET_DEFINE_ARRAY_GETTER(fnet_attribution_markov_attributed_value, double, fnet_markov, model,
                         model->value.attributed_value())

FNET_API fnet_status fnet_attribution_markov_sequence_removal_effects(
    double* out, double* value_out, size_t capacity, size_t* needed, const fnet_markov* model,
    size_t n_sequences, const int64_t* offsets, const int32_t* channel_ids) {
  return guard([&] {
    require_ptr(model, "model");
    if (n_sequences == 0) fail(Errc::empty_input, "no sequences given (n_sequences is 0)");
    const size_t len = funnelnet::capi::check_offsets(offsets, n_sequences, "sequence");
    if (len > 0) require_ptr(channel_ids, "channel_ids");
    funnelnet::capi::check_ids(channel_ids, offsets, n_sequences, model->value.channels().size(), "sequence",
                               "position", "channel index");
    if (!funnelnet::capi::begin_outputs(n_sequences, capacity, needed, out, value_out)) return;
    auto r = model->value.sequence_removal_effects({offsets, n_sequences + 1},
                                                   {channel_ids, static_cast<size_t>(len)});
    copy_pair(out, value_out, capacity, needed, r.first, r.second);
  });
}

FNET_API fnet_status fnet_attribution_markov_journey_shares(double* out, size_t capacity, size_t* needed,
                                                            const fnet_markov* model,
                                                            const fnet_paths* paths) {
  return guard([&] {
    require_ptr(model, "model");
    require_ptr(paths, "paths");
    if (!funnelnet::capi::begin_outputs(paths->value.touches().size(), capacity, needed, out)) return;
    copy_out(out, capacity, needed, model->value.journey_shares(paths->value));
  });
}

FNET_API fnet_status fnet_attribution_markov_simulate(double* estimate, double* lower, double* upper,
                                                      size_t capacity, size_t* needed,
                                                      const fnet_markov* model, uint64_t n_journeys,
                                                      uint64_t seed, int threads) {
  return fnet_attribution_markov_simulate_progress(estimate, lower, upper, capacity, needed, model,
                                                   n_journeys, seed, threads, nullptr, nullptr);
}

FNET_API fnet_status fnet_attribution_markov_simulate_progress(double* estimate, double* lower, double* upper,
                                                               size_t capacity, size_t* needed,
                                                               const fnet_markov* model, uint64_t n_journeys,
                                                               uint64_t seed, int threads,
                                                               fnet_progress_fn progress, void* user_data) {
  return guard([&] {
    require_ptr(model, "model");
    const size_t n = model->value.channels().size();
    if (needed != nullptr) *needed = n;
    if (estimate == nullptr) {
      if (needed == nullptr) fail(Errc::null_argument, "estimate and needed are both NULL");
      // A size query writes nothing: asking for intervals without the estimate would
      // silently leave them unwritten (issue 17).
      if (lower != nullptr || upper != nullptr)
        fail(Errc::null_argument,
             "estimate is NULL (a size query) but lower/upper are not: pass estimate too");
      return;
    }
    if (capacity < n) fail(Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", n, " needed");
    funnelnet::Progress cb;
    if (progress != nullptr)
      cb = [progress, user_data](std::uint64_t done, std::uint64_t total) {
        return progress(user_data, done, total) == 0;
      };
    auto r = model->value.simulate(n_journeys, seed, funnelnet::capi::threads_arg(threads, "threads"), cb);
    for (size_t c = 0; c < n; ++c) {
      estimate[c] = r.removal_effects[c];
      if (lower != nullptr) lower[c] = r.lower[c];
      if (upper != nullptr) upper[c] = r.upper[c];
    }
  });
}

// ---- deprecated 0.1 names: thin wrappers -------------------------------------------

FNET_API fnet_status fnet_markov_fit(fnet_markov** out, const fnet_paths* paths,
                                     const fnet_markov_options* options) {
  return fnet_attribution_markov_fit(out, paths, options);
}
FNET_API void fnet_markov_destroy(fnet_markov* model) {
  fnet_attribution_markov_destroy(model);
}
FNET_API fnet_status fnet_markov_conversion_probability(double* probability, double* expected_value,
                                                        const fnet_markov* model) {
  return fnet_attribution_markov_conversion_probability(probability, expected_value, model);
}
FNET_API fnet_status fnet_markov_removal_effects(double* out, size_t capacity, size_t* needed,
                                                 const fnet_markov* model) {
  return fnet_attribution_markov_removal_effects(out, capacity, needed, model);
}
FNET_API fnet_status fnet_markov_value_removal_effects(double* out, size_t capacity, size_t* needed,
                                                       const fnet_markov* model) {
  return fnet_attribution_markov_value_removal_effects(out, capacity, needed, model);
}
FNET_API fnet_status fnet_markov_attributed_conversions(double* out, size_t capacity, size_t* needed,
                                                        const fnet_markov* model) {
  return fnet_attribution_markov_attributed_conversions(out, capacity, needed, model);
}
FNET_API fnet_status fnet_markov_attributed_value(double* out, size_t capacity, size_t* needed,
                                                  const fnet_markov* model) {
  return fnet_attribution_markov_attributed_value(out, capacity, needed, model);
}
FNET_API fnet_status fnet_markov_sequence_removal_effects(double* out, double* value_out, size_t capacity,
                                                          size_t* needed, const fnet_markov* model,
                                                          size_t n_sequences, const int64_t* offsets,
                                                          const int32_t* channel_ids) {
  return fnet_attribution_markov_sequence_removal_effects(out, value_out, capacity, needed, model,
                                                          n_sequences, offsets, channel_ids);
}
FNET_API fnet_status fnet_markov_journey_shares(double* out, size_t capacity, size_t* needed,
                                                const fnet_markov* model, const fnet_paths* paths) {
  return fnet_attribution_markov_journey_shares(out, capacity, needed, model, paths);
}
FNET_API fnet_status fnet_markov_simulate(double* estimate, double* lower, double* upper, size_t capacity,
                                          size_t* needed, const fnet_markov* model, uint64_t n_journeys,
                                          uint64_t seed, int threads) {
  return fnet_attribution_markov_simulate(estimate, lower, upper, capacity, needed, model, n_journeys, seed,
                                          threads);
}

// ---- model files (versioned JSON) ---------------------------------------------------

FNET_API fnet_status fnet_attribution_markov_save(const fnet_attribution_markov* object, const char* path) {
  return save_handle(object, path);
}
FNET_API fnet_status fnet_attribution_markov_load(fnet_attribution_markov** out, const char* path) {
  return read_handle(out, path, "path", [](const char* p) {
    return funnelnet::io::attribution_from_json(funnelnet::io::read_file(p));
  });
}
FNET_API fnet_status fnet_attribution_markov_to_json(char* buf, size_t capacity, size_t* needed,
                                                     const fnet_attribution_markov* object) {
  return json_of_handle(buf, capacity, needed, object);
}
FNET_API fnet_status fnet_attribution_markov_from_json(fnet_attribution_markov** out, const char* json) {
  return read_handle(out, json, "json",
                     [](const char* t) { return funnelnet::io::attribution_from_json(t); });
}

}  // extern "C"
