// Discrete-period chains from timestamped event logs, with open leads censored.
//
// Time is cut into periods [origin + k*period, origin + (k+1)*period), k = 0..K-1, with
// the cut-off date at origin + K*period (the end of the last complete period).  A stage
// entered in period a and left in period b occupies max(b - a, 1) periods: it contributes
// b - a - 1 stays (i -> i) and then one move.  So a lead that stays in a stage for k
// periods contributes k - 1 stay transitions.  A lead still in a transient stage at the
// cut-off contributes its stays up to period K - 1 and no exit: it is censored, not lost.
// The cut-off rule is SortedEventLog's (funnelnet/core/event_log.hpp): an event at or
// before the cut-off is observed (one exactly at the cut-off counts in the last period).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "funnelnet/funnel/counts.hpp"
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
  /// End of observation: events at or before it are observed, an event after it is an
  /// error (an event exactly at the cut-off belongs to the last period).  Default: the
  /// end of the period holding the last event.  (cutoff - origin) must be a whole number
  /// of periods.
  std::optional<Time> cutoff;
  int threads = 0;  ///< 0: from the work (resolve_threads); >0: at most that many; same result at any count
};

/// Period-by-period transition counts from an event log: row r says lead[r] entered
/// stage[r] at time[r].  Rows may come in any order: they are grouped by lead and sorted
/// by time once (a SortedEventLog; row order breaks ties between equal timestamps); a
/// repeated stage is a status update, not a move.  Errors (typed, naming the lead and the
/// input rows): duplicate events, a lead that leaves an absorbing stage, a period <= 0
/// or not dividing integer times, a window that is not a whole number of periods, events
/// after the cut-off or before the origin.  `Time` is std::int64_t or double (compiled
/// into the core library).
template <class Time>
TransitionCounts period_counts(const StageSpace& space, std::span<const std::int64_t> lead,
                               std::span<const Time> time, std::span<const std::int32_t> stage,
                               const PeriodOptions<Time>& options = {});

extern template TransitionCounts period_counts<std::int64_t>(const StageSpace&, std::span<const std::int64_t>,
                                                             std::span<const std::int64_t>,
                                                             std::span<const std::int32_t>,
                                                             const PeriodOptions<std::int64_t>&);
extern template TransitionCounts period_counts<double>(const StageSpace&, std::span<const std::int64_t>,
                                                       std::span<const double>, std::span<const std::int32_t>,
                                                       const PeriodOptions<double>&);

FUNNELNET_END
