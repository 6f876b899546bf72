// Discrete-period chains from timestamped event logs, with open leads censored.
//
// Time is cut into periods [origin + k*period, origin + (k+1)*period), k = 0..K-1, with
// the cut-off date at origin + K*period (the end of the last complete period).  A stage
// entered in period a and left in period b occupies max(b - a, 1) periods: it contributes
// b - a - 1 stays (i -> i) and then one move.  So a lead that stays in a stage for k
// periods contributes k - 1 stay transitions.  A lead still in a transient stage at the
// cut-off contributes its stays up to period K - 1 and no exit: it is censored, not lost.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/detail/leads.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// Options for period_counts().  `Time` is the type of the event times (integers such as
/// nanoseconds or day numbers, or floating point such as days).
template <class Time>
struct PeriodOptions {
  /// Length of one period in time units (> 0; an integer for integer times).
  Time period = Time(1);
  /// Start of period 0.  Default: the cut-off minus the smallest whole number of periods
  /// that covers the first event (so the periods divide the window exactly).
  std::optional<Time> origin;
  /// End of observation (exclusive: every event must be earlier).  Default: the end of
  /// the period holding the last event.  (cutoff - origin) must be a whole number of
  /// periods.
  std::optional<Time> cutoff;
  int threads = 0;  ///< 0 = all cores; the result does not depend on it
};

namespace detail {
template <class Time>
std::int64_t period_index(Time t, Time origin, Time period) {
  if constexpr (std::is_integral_v<Time>) {
    const Time d = t - origin;  // >= 0 (checked)
    return static_cast<std::int64_t>(d / period);
  } else {
    return static_cast<std::int64_t>(std::floor((t - origin) / period));
  }
}
}  // namespace detail

/// Period-by-period transition counts from an event log: row r says lead[r] entered
/// stage[r] at time[r].  Rows of different leads may be interleaved in any order, but
/// the rows of one lead must be in the order the events happened (row order breaks ties
/// between equal timestamps); a repeated stage is a status update, not a move.  Errors
/// (typed, naming the lead and rows): timestamps out of order within a lead, duplicate
/// events, a lead that leaves an absorbing stage, a period <= 0 or not dividing integer
/// times, a window that is not a whole number of periods, events at or after the
/// cut-off or before the origin.
template <class Time>
TransitionCounts period_counts(const StageSpace& space, std::span<const std::int64_t> lead,
                               std::span<const Time> time, std::span<const std::int32_t> stage,
                               const PeriodOptions<Time>& options = {}) {
  detail::check_event_columns<Time>(space, lead, time, stage);
  const Time period = options.period;
  if constexpr (std::is_floating_point_v<Time>) {
    if (!(std::isfinite(period) && period > 0))
      fail(Errc::invalid_argument, "period must be finite and > 0, got ", period);
  } else {
    if (!(period > 0)) fail(Errc::invalid_argument, "period must be > 0, got ", period);
  }
  const std::size_t n = lead.size();
  Time tmin = time[0], tmax = time[0];
  for (std::size_t r = 0; r < n; ++r) {
    tmin = std::min(tmin, time[r]);
    tmax = std::max(tmax, time[r]);
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
  for (std::size_t r = 0; r < n; ++r) {
    if (time[r] >= cutoff)
      fail(Errc::invalid_argument, "the censoring date is before an event: row ", r, " (lead ", lead[r],
           ", time ", time[r], ") is not earlier than the cutoff ", cutoff);
    if (time[r] < origin)
      fail(Errc::invalid_argument, "row ", r, " (lead ", lead[r], ", time ", time[r],
           ") is before the origin ", origin);
  }

  const detail::LeadGroups groups = detail::group_rows_by_lead(lead);
  const auto ns = static_cast<Eigen::Index>(space.size());
  std::vector<Matrix> partial(std::max<std::size_t>(1, std::min<std::size_t>(64, groups.size())));
  detail::for_lead_tasks(
      groups.size(), options.threads, [&](std::size_t task, std::size_t g0, std::size_t g1) {
        Matrix c = Matrix::Zero(ns, ns);
        for (std::size_t g = g0; g < g1; ++g) {
          const std::uint32_t* rows = groups.rows.data() + groups.start[g];
          const std::size_t len = groups.start[g + 1] - groups.start[g];
          detail::check_lead_sequence<Time>(space, groups.id[g], rows, len, time, stage);
          std::int32_t cur = stage[rows[0]];
          std::int64_t entered = detail::period_index(time[rows[0]], origin, period);
          for (std::size_t k = 1; k < len; ++k) {
            const std::int32_t s = stage[rows[k]];
            if (s == cur) continue;  // status update (or a repeat of the outcome)
            const std::int64_t q = detail::period_index(time[rows[k]], origin, period);
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

FUNNELNET_END
