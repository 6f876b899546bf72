// Private to the compiled core: what the time-aware funnel readers share on top of a
// SortedEventLog (one lead = one entity): the per-lead checks and a deterministic split
// of the leads into tasks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/threads.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN
namespace detail {

/// A lead's events [b, e) of the log (in time order): no event is given twice, and
/// nothing follows an absorbing stage except repeats of it.  Messages name input rows.
template <class Time>
void check_lead_sequence(const StageSpace& space, const SortedEventLog<Time>& log, std::size_t g) {
  const auto time = log.times();
  const auto stage = log.codes();
  const std::int64_t lead_id = log.entity_ids()[g];
  for (std::size_t k = log.offsets()[g] + 1; k < log.offsets()[g + 1]; ++k) {
    const std::size_t a = k - 1, b = k;
    if (stage[b] == stage[a] && time[b] == time[a])
      fail(Errc::invalid_argument, "lead ", lead_id, ": duplicate event: rows ",
           std::min(log.row(a), log.row(b)), " and ", std::max(log.row(a), log.row(b)), " both say stage '",
           space.name(static_cast<std::size_t>(stage[a])), "' at time ", time[a]);
    if (stage[b] != stage[a] && space.is_absorbing(static_cast<std::size_t>(stage[a])))
      fail(Errc::invalid_argument, "lead ", lead_id, " leaves absorbing stage '",
           space.name(static_cast<std::size_t>(stage[a])), "' for '",
           space.name(static_cast<std::size_t>(stage[b])), "' (row ", log.row(b), ")");
  }
}

/// Run body(task, first_group, last_group) over a fixed split of the groups into tasks
/// (independent of the thread count); exceptions are rethrown in task order.
template <class Body>
void for_lead_tasks(std::size_t n_groups, int threads, Body&& body, std::size_t n_tasks = 64) {
  n_tasks = std::max<std::size_t>(1, std::min(n_tasks, n_groups));
  std::vector<std::exception_ptr> errors(n_tasks);
  // threads = 0: from the work, a lead taken as 16 steps (its few events, sorted and counted).
  const auto used = static_cast<int>(resolve_threads(threads, std::uint64_t{16} * n_groups, step_grain));
  parallel_for(n_tasks, used, [&](std::size_t task) {
    const std::size_t g0 = n_groups * task / n_tasks, g1 = n_groups * (task + 1) / n_tasks;
    try {
      body(task, g0, g1);
    } catch (...) {
      errors[task] = std::current_exception();
    }
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace detail
FUNNELNET_END
