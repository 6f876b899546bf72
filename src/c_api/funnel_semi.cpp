// C ABI: CRM opportunity tables and the semi-Markov funnel (declared in
// include/funnelnet/c/funnel.h).
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <vector>

#include "c_api/common.hpp"
#include "c_api/funnel_handles.hpp"
#include "funnelnet/funnel/opportunities.hpp"
#include "funnelnet/funnel/semi_markov.hpp"

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::capi::begin_outputs;
using funnelnet::capi::copy_out;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

namespace {

// The opportunity table's event log (validated by funnelnet::opportunity_events).
funnelnet::OpportunityEvents opportunity_log(const fnet_stages* stages, size_t n, const int32_t* current,
                                             const double* dates, const double* close,
                                             const fnet_missing_dates& missing,
                                             std::optional<double> cutoff) {
  require_ptr(stages, "stages");
  const auto mode = funnelnet::capi::enum_to<funnelnet::MissingDates>(missing, "missing");
  const size_t k = stages->value.transient().size();
  funnelnet::capi::count_product(n, k, "n x transient stages (dates)");
  funnelnet::capi::count_arg(n, "n");
  if (n > 0) {
    require_ptr(current, "current");
    if (k > 0) require_ptr(dates, "dates");
  }
  const std::span<const double> close_span =
      close == nullptr ? std::span<const double>{} : std::span{close, n};
  return funnelnet::opportunity_events(stages->value, {current, n}, {dates, n * k}, close_span, mode, cutoff);
}

funnelnet::SemiMarkovOptions semi_options(const fnet_semi_markov_options* options) {
  funnelnet::SemiMarkovOptions o;
  if (options == nullptr) return o;
  funnelnet::capi::check_options(options, FNET_SEMI_MARKOV_OPTIONS_VERSION, "fnet_semi_markov_options");
  o.family =
      funnelnet::capi::enum_to<funnelnet::HoldingFamily>(options->family, "fnet_semi_markov_options.family");
  o.tol = options->tol;
  o.max_iter = options->max_iter;
  return o;
}

fnet_semi_markov* fit_sojourns(const funnelnet::StageSpace& space, const funnelnet::Sojourns& s,
                               const funnelnet::SemiMarkovOptions& o) {
  return new fnet_semi_markov{funnelnet::SemiMarkovFunnel::fit(space, s.stage, s.duration, s.next, o)};
}

// A transient stage index of the model (errors name the stage).
std::int32_t transient_stage(const fnet_semi_markov* model, size_t stage) {
  require_ptr(model, "model");
  const auto& space = model->value.space();
  if (stage >= space.size())
    fail(Errc::out_of_range, "stage ", stage, " is out of range (", space.size(), " states)");
  if (space.is_absorbing(stage))
    fail(Errc::invalid_argument, "stage ", stage, " ('", space.name(stage),
         "') is an outcome: nothing left to close");
  return static_cast<std::int32_t>(stage);
}

void check_age(double age) {
  if (!(std::isfinite(age) && age >= 0.0))
    fail(Errc::invalid_argument, "age must be finite and >= 0, got ", age);
}

}  // namespace

FNET_API fnet_status fnet_counts_from_opportunities(fnet_counts** out, const fnet_stages* stages, size_t n,
                                                    const int32_t* current, const double* dates,
                                                    const double* close, fnet_missing_dates missing,
                                                    fnet_repeats repeats) {
  return guard([&] {
    require_ptr(out, "out");
    const auto rep = funnelnet::capi::enum_to<funnelnet::Repeats>(repeats, "repeats");
    const auto log = opportunity_log(stages, n, current, dates, close, missing, std::nullopt);
    *out = new fnet_counts{
        funnelnet::TransitionCounts::from_events<double>(stages->value, log.lead, log.time, log.stage, rep)};
  });
}

FNET_API fnet_status fnet_exposure_from_opportunities(fnet_exposure** out, const fnet_stages* stages,
                                                      size_t n, const int32_t* current, const double* dates,
                                                      const double* close, fnet_missing_dates missing,
                                                      int has_cutoff, double cutoff, double time_unit) {
  return guard([&] {
    require_ptr(out, "out");
    const auto log = opportunity_log(stages, n, current, dates, close, missing,
                                     has_cutoff ? std::optional<double>(cutoff) : std::nullopt);
    *out = new fnet_exposure{funnelnet::ExposureCounts::from_events<double>(
        stages->value, log.lead, log.time, log.stage, log.cutoff, time_unit)};
  });
}

FNET_API fnet_status fnet_semi_markov_fit(fnet_semi_markov** out, const fnet_stages* stages, size_t n,
                                          const int32_t* stage_ids, const double* duration,
                                          const int32_t* next, const fnet_semi_markov_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    const auto o = semi_options(options);
    funnelnet::capi::count_arg(n, "n");
    if (n > 0) {
      require_ptr(stage_ids, "stage_ids");
      require_ptr(duration, "duration");
      require_ptr(next, "next");
    }
    *out = new fnet_semi_markov{
        funnelnet::SemiMarkovFunnel::fit(stages->value, {stage_ids, n}, {duration, n}, {next, n}, o)};
  });
}

FNET_API fnet_status fnet_semi_markov_fit_events(fnet_semi_markov** out, const fnet_stages* stages, size_t n,
                                                 const int64_t* lead, const double* time,
                                                 const int32_t* stage_ids, int has_cutoff, double cutoff,
                                                 double time_unit, const fnet_semi_markov_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(stages, "stages");
    const auto o = semi_options(options);
    funnelnet::capi::count_arg(n, "n");
    if (n > 0) {
      require_ptr(lead, "lead");
      require_ptr(time, "time");
      require_ptr(stage_ids, "stage_ids");
    }
    const auto s = funnelnet::sojourns_from_events<double>(
        stages->value, {lead, n}, {time, n}, {stage_ids, n},
        has_cutoff ? std::optional<double>(cutoff) : std::nullopt, time_unit);
    *out = fit_sojourns(stages->value, s, o);
  });
}

FNET_API fnet_status fnet_semi_markov_fit_opportunities(fnet_semi_markov** out, const fnet_stages* stages,
                                                        size_t n, const int32_t* current, const double* dates,
                                                        const double* close, fnet_missing_dates missing,
                                                        int has_cutoff, double cutoff, double time_unit,
                                                        const fnet_semi_markov_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    const auto o = semi_options(options);
    const auto log = opportunity_log(stages, n, current, dates, close, missing,
                                     has_cutoff ? std::optional<double>(cutoff) : std::nullopt);
    const auto s = funnelnet::sojourns_from_events<double>(stages->value, log.lead, log.time, log.stage,
                                                           log.cutoff, time_unit);
    *out = fit_sojourns(stages->value, s, o);
  });
}

FNET_API void fnet_semi_markov_destroy(fnet_semi_markov* model) {
  delete model;
}

FNET_API fnet_status fnet_semi_markov_size(size_t* out, const fnet_semi_markov* model) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(model, "model");
    *out = model->value.space().size();
  });
}

FNET_API fnet_status fnet_semi_markov_jump_matrix(double* out, size_t capacity, size_t* needed,
                                                  const fnet_semi_markov* model) {
  return guard([&] {
    require_ptr(model, "model");
    const auto& m = model->value.jump_matrix();
    copy_out(out, capacity, needed, std::span<const double>(m.data(), static_cast<size_t>(m.size())));
  });
}

FNET_API fnet_status fnet_semi_markov_win_probabilities(double* out, size_t capacity, size_t* needed,
                                                        const fnet_semi_markov* model, size_t stage,
                                                        double age, size_t draws, uint64_t seed,
                                                        int threads) {
  return guard([&] {
    const auto i = transient_stage(model, stage);
    check_age(age);
    const auto& outcomes = model->value.space().absorbing();
    if (!begin_outputs(outcomes.size() + 1, capacity, needed, out)) return;
    if (draws == 0) fail(Errc::invalid_argument, "draws must be >= 1, got 0");
    funnelnet::capi::count_arg(draws, "draws");
    const auto d = model->value.simulate_close(i, age, draws, seed, threads);
    std::vector<double> count(outcomes.size() + 1, 0.0);
    for (const auto o : d.outcome) {
      if (o < 0) {
        count.back() += 1.0;
        continue;
      }
      for (size_t a = 0; a < outcomes.size(); ++a)
        if (outcomes[a] == o) count[a] += 1.0;
    }
    for (size_t a = 0; a < count.size(); ++a) out[a] = count[a] / static_cast<double>(draws);
  });
}

FNET_API fnet_status fnet_semi_markov_close_time_cdf(double* out, size_t capacity, size_t* needed,
                                                     const fnet_semi_markov* model, size_t stage, double age,
                                                     size_t n_horizons, const double* horizons, size_t draws,
                                                     uint64_t seed, int threads) {
  return guard([&] {
    const auto i = transient_stage(model, stage);
    check_age(age);
    if (!begin_outputs(n_horizons, capacity, needed, out)) return;
    funnelnet::capi::count_arg(n_horizons, "n_horizons");
    if (n_horizons > 0) require_ptr(horizons, "horizons");
    for (size_t h = 0; h < n_horizons; ++h)
      if (std::isnan(horizons[h])) fail(Errc::invalid_argument, "horizons[", h, "] is NaN");
    if (draws == 0) fail(Errc::invalid_argument, "draws must be >= 1, got 0");
    funnelnet::capi::count_arg(draws, "draws");
    auto d = model->value.simulate_close(i, age, draws, seed, threads);
    std::sort(d.time.begin(), d.time.end());
    for (size_t h = 0; h < n_horizons; ++h) {
      const auto k = std::upper_bound(d.time.begin(), d.time.end(), horizons[h]) - d.time.begin();
      out[h] = static_cast<double>(k) / static_cast<double>(draws);
    }
  });
}

FNET_API fnet_status fnet_semi_markov_holding_quantile(double* out, const fnet_semi_markov* model,
                                                       size_t stage, double q) {
  return guard([&] {
    require_ptr(out, "out");
    *out = model->value.holding_quantile(transient_stage(model, stage), q);
  });
}

FNET_API fnet_status fnet_semi_markov_stale(unsigned char* out, size_t capacity, size_t* needed,
                                            const fnet_semi_markov* model, size_t n, const int32_t* stage_ids,
                                            const double* age, double q) {
  return guard([&] {
    require_ptr(model, "model");
    if (!begin_outputs(n, capacity, needed, out)) return;
    funnelnet::capi::count_arg(n, "n");
    if (n > 0) {
      require_ptr(stage_ids, "stage_ids");
      require_ptr(age, "age");
    }
    if (!(q > 0 && q < 1)) fail(Errc::invalid_argument, "q must be in (0, 1), got ", q);
    const auto& space = model->value.space();
    std::vector<double> limit(space.size(), std::nan(""));
    std::vector<unsigned char> done(space.size(), 0);
    for (size_t r = 0; r < n; ++r) {
      const std::int32_t s = stage_ids[r];
      if (s < 0 || static_cast<size_t>(s) >= space.size())
        fail(Errc::out_of_range, "stage_ids: row ", r, " is ", s, ", expected 0..", space.size() - 1);
      if (space.is_absorbing(static_cast<size_t>(s)))
        fail(Errc::invalid_argument, "stage_ids: row ", r, " is the outcome '",
             space.name(static_cast<size_t>(s)), "'; only open deals can be stale");
      if (std::isnan(age[r]) || age[r] < 0.0)
        fail(Errc::invalid_argument, "age: row ", r, " is ", age[r], ", expected >= 0");
      if (!done[static_cast<size_t>(s)]) {
        limit[static_cast<size_t>(s)] = model->value.stale_age(s, q);
        done[static_cast<size_t>(s)] = 1;
      }
    }
    for (size_t r = 0; r < n; ++r) out[r] = age[r] > limit[static_cast<size_t>(stage_ids[r])] ? 1 : 0;
  });
}
