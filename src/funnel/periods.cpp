// period_counts(): discrete-period counts from an event log, compiled for std::int64_t
// and double times.
#include "funnelnet/funnel/periods.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "funnel/leads.hpp"
#include "funnelnet/core/error.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/matrix.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {
template <class Time>
std::int64_t period_index(Time t, Time origin, Time period) {
  if constexpr (std::is_integral_v<Time>) {
    const Time d = t - origin;  // >= 0 (checked)
    return static_cast<std::int64_t>(d / period);
  } else {
    return static_cast<std::int64_t>(std::floor((t - origin) / period));
  }
}
}  // namespace
}  // namespace detail

template <class Time>
TransitionCounts period_counts(const StageSpace& space, std::span<const std::int64_t> lead,
                               std::span<const Time> time, std::span<const std::int32_t> stage,
                               const PeriodOptions<Time>& options) {
  const auto log = SortedEventLog<Time>::borrow(lead, time, stage, static_cast<std::int32_t>(space.size()),
                                                "stage", "lead");
  const Time period = options.period;
  if constexpr (std::is_floating_point_v<Time>) {
    if (!(std::isfinite(period) && period > 0))
      fail(Errc::invalid_argument, "period must be finite and > 0, got ", period);
  } else {
    if (!(period > 0)) fail(Errc::invalid_argument, "period must be > 0, got ", period);
  }
  const Time tmin = log.first_time(), tmax = log.last_time();
  {
    // The period grid must be countable (issue 17: a window of more periods than an
    // int64 holds overflowed a float-to-int conversion and reported a nonsense cut-off).
    double lo = static_cast<double>(tmin), hi = static_cast<double>(tmax);
    // (A non-finite origin or cut-off is refused below, naming it.)
    if (options.origin && std::isfinite(static_cast<double>(*options.origin)))
      lo = std::min(lo, static_cast<double>(*options.origin));
    if (options.cutoff && std::isfinite(static_cast<double>(*options.cutoff)))
      hi = std::max(hi, static_cast<double>(*options.cutoff));
    const double p = static_cast<double>(period), periods = (hi - lo) / p;
    if (!(periods < 0x1p52))
      fail(Errc::out_of_range, "the window from ", lo, " to ", hi, " holds ", periods, " periods of ", period,
           ": more than 2^52 periods; use a longer period or a shorter window");
    if constexpr (std::is_integral_v<Time>)
      if (hi + 2.0 * p >= 0x1p63 || lo - 2.0 * p <= -0x1p63)
        fail(Errc::out_of_range, "the window from ", lo, " to ", hi, " with periods of ", period,
             " reaches the limits of 64-bit times");
  }
  Time origin{}, cutoff{};
  std::int64_t n_periods = 0;
  if (options.cutoff) {
    cutoff = *options.cutoff;
    if constexpr (std::is_floating_point_v<Time>)
      if (!std::isfinite(cutoff)) fail(Errc::invalid_argument, "cutoff must be finite, got ", cutoff);
  }
  if (options.origin) {
    origin = *options.origin;
    if constexpr (std::is_floating_point_v<Time>)
      if (!std::isfinite(origin)) fail(Errc::invalid_argument, "origin must be finite, got ", origin);
    if (!options.cutoff)
      cutoff = origin + static_cast<Time>(detail::period_index(tmax, origin, period) + 1) * period;
  } else {
    if (!options.cutoff) {
      origin = tmin;
      cutoff = origin + static_cast<Time>(detail::period_index(tmax, origin, period) + 1) * period;
    } else {
      // Whole periods back from the cut-off until the first event is covered.
      const double span = static_cast<double>(cutoff) - static_cast<double>(tmin);
      const auto k = static_cast<std::int64_t>(std::ceil(span / static_cast<double>(period)));
      origin = cutoff - static_cast<Time>(std::max<std::int64_t>(k, 1)) * period;
      if (origin > tmin) origin -= period;
    }
  }
  if (!(cutoff > origin))
    fail(Errc::invalid_argument, "cutoff (", cutoff, ") must be later than origin (", origin, ")");
  if constexpr (std::is_floating_point_v<Time>) {
    const double k = (cutoff - origin) / period;
    if (std::abs(k - std::round(k)) > 1e-9 * std::max(1.0, k))
      fail(Errc::invalid_argument,
           "the periods do not divide the observation window: cutoff - origin = ", cutoff - origin,
           " is not a whole number of periods of ", period);
    n_periods = static_cast<std::int64_t>(std::round(k));
  } else {
    if ((cutoff - origin) % period != 0)
      fail(Errc::invalid_argument,
           "the periods do not divide the observation window: cutoff - origin = ", cutoff - origin,
           " is not a whole number of periods of ", period);
    n_periods = static_cast<std::int64_t>((cutoff - origin) / period);
  }
  log.require_cutoff(cutoff);  // one rule: events at or before the cut-off are observed
  log.require_origin(origin);
  // An event exactly at the cut-off belongs to the last period.
  const auto index = [&](Time t) { return std::min(detail::period_index(t, origin, period), n_periods - 1); };

  const auto t_of = log.times();
  const auto s_of = log.codes();
  const auto off = log.offsets();
  const std::size_t n_groups = log.entities();
  const auto ns = static_cast<Eigen::Index>(space.size());
  std::vector<Matrix> partial(std::max<std::size_t>(1, std::min<std::size_t>(64, n_groups)));
  detail::for_lead_tasks(n_groups, options.threads, [&](std::size_t task, std::size_t g0, std::size_t g1) {
    Matrix c = Matrix::Zero(ns, ns);
    for (std::size_t g = g0; g < g1; ++g) {
      detail::check_lead_sequence<Time>(space, log, g);
      std::int32_t cur = s_of[off[g]];
      std::int64_t entered = index(t_of[off[g]]);
      for (std::size_t k = off[g] + 1; k < off[g + 1]; ++k) {
        const std::int32_t s = s_of[k];
        if (s == cur) continue;  // status update (or a repeat of the outcome)
        const std::int64_t q = index(t_of[k]);
        if (q - entered > 1) c(cur, cur) += static_cast<double>(q - entered - 1);
        c(cur, s) += 1.0;
        cur = s;
        entered = q;
      }
      if (!space.is_absorbing(static_cast<std::size_t>(cur)))
        c(cur, cur) += static_cast<double>(n_periods - 1 - entered);  // censored: observed stays only
    }
    partial[task] = std::move(c);
  });
  Matrix total = Matrix::Zero(ns, ns);
  for (const auto& m : partial)
    if (m.size() > 0) total += m;
  return TransitionCounts(space, std::move(total));
}

template TransitionCounts period_counts<std::int64_t>(const StageSpace&, std::span<const std::int64_t>,
                                                      std::span<const std::int64_t>,
                                                      std::span<const std::int32_t>,
                                                      const PeriodOptions<std::int64_t>&);
template TransitionCounts period_counts<double>(const StageSpace&, std::span<const std::int64_t>,
                                                std::span<const double>, std::span<const std::int32_t>,
                                                const PeriodOptions<double>&);

FUNNELNET_END
