// Private helpers for timestamped event logs: grouping rows by lead (linear time, rows of
// one lead kept in input order) and the checks every time-aware estimator shares.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <numeric>
#include <span>
#include <type_traits>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN
namespace detail {

/// Rows grouped by lead: group g is rows[start[g] .. start[g+1]), in input row order;
/// groups come in order of the lead's first appearance.
struct LeadGroups {
  std::vector<std::uint32_t> rows;
  std::vector<std::size_t> start;
  std::vector<std::int64_t> id;
  [[nodiscard]] std::size_t size() const noexcept { return id.size(); }
};

inline LeadGroups group_rows_by_lead(std::span<const std::int64_t> lead) {
  const std::size_t n = lead.size();
  if (n >= std::numeric_limits<std::uint32_t>::max())
    fail(Errc::invalid_argument,
         "more than 2^32-2 events in one call; split the log by lead and merge the counts");
  LeadGroups g;
  bool sorted = true;
  for (std::size_t r = 1; r < n; ++r) sorted &= lead[r] >= lead[r - 1];
  g.rows.resize(n);
  if (sorted) {
    std::iota(g.rows.begin(), g.rows.end(), 0U);
    for (std::size_t r = 0; r < n; ++r)
      if (r == 0 || lead[r] != lead[r - 1]) {
        g.start.push_back(r);
        g.id.push_back(lead[r]);
      }
    g.start.push_back(n);
    return g;
  }
  DenseIds ids(std::min<std::size_t>(n, 1 << 20));
  std::vector<std::uint32_t> dense(n);
  for (std::size_t r = 0; r < n; ++r) dense[r] = ids.get(lead[r]);
  const std::size_t m = ids.size();
  g.start.assign(m + 1, 0);
  for (std::size_t r = 0; r < n; ++r) ++g.start[dense[r] + 1];
  std::partial_sum(g.start.begin(), g.start.end(), g.start.begin());
  std::vector<std::size_t> cursor(g.start.begin(), g.start.end() - 1);
  for (std::size_t r = 0; r < n; ++r) g.rows[cursor[dense[r]]++] = static_cast<std::uint32_t>(r);
  g.id.resize(m);
  for (std::size_t k = 0; k < m; ++k) g.id[k] = ids.original(static_cast<std::uint32_t>(k));
  return g;
}

/// Checks shared by the time-aware estimators: equal column lengths, stage indices in
/// range, finite times.
template <class Time>
void check_event_columns(const StageSpace& space, std::span<const std::int64_t> lead,
                         std::span<const Time> time, std::span<const std::int32_t> stage) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  const std::size_t n = lead.size();
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(time.size(), n, "time column");
  require_size(stage.size(), n, "stage column");
  const auto n_states = static_cast<std::int32_t>(space.size());
  for (std::size_t r = 0; r < n; ++r)
    if (stage[r] < 0 || stage[r] >= n_states)
      fail(Errc::out_of_range, "row ", r, ": stage index ", stage[r], " is outside [0, ", n_states, ")");
  if constexpr (std::is_floating_point_v<Time>) {
    for (std::size_t r = 0; r < n; ++r)
      if (!std::isfinite(time[r]))
        fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
  }
}

/// Checks within one lead's rows (in input order): times never go backwards, no event
/// is given twice, and nothing follows an absorbing stage except repeats of it.
template <class Time>
void check_lead_sequence(const StageSpace& space, std::int64_t lead_id, const std::uint32_t* rows,
                         std::size_t len, std::span<const Time> time, std::span<const std::int32_t> stage) {
  for (std::size_t k = 1; k < len; ++k) {
    const std::uint32_t a = rows[k - 1], b = rows[k];
    if (time[b] < time[a])
      fail(Errc::invalid_argument, "lead ", lead_id, ": timestamps out of order: row ", b, " (time ", time[b],
           ") comes after row ", a, " (time ", time[a],
           "); give each lead's events in the order they happened");
    if (stage[b] == stage[a] && time[b] == time[a])
      fail(Errc::invalid_argument, "lead ", lead_id, ": duplicate event: rows ", a, " and ", b,
           " both say stage '", space.name(static_cast<std::size_t>(stage[a])), "' at time ", time[a]);
    if (stage[b] != stage[a] && space.is_absorbing(static_cast<std::size_t>(stage[a])))
      fail(Errc::invalid_argument, "lead ", lead_id, " leaves absorbing stage '",
           space.name(static_cast<std::size_t>(stage[a])), "' for '",
           space.name(static_cast<std::size_t>(stage[b])), "' (row ", b, ")");
  }
}

/// Run body(task, first_group, last_group) over a fixed split of the groups into tasks
/// (independent of the thread count); exceptions are rethrown in task order.
template <class Body>
void for_lead_tasks(std::size_t n_groups, int threads, Body&& body, std::size_t n_tasks = 64) {
  n_tasks = std::max<std::size_t>(1, std::min(n_tasks, n_groups));
  std::vector<std::exception_ptr> errors(n_tasks);
  parallel_for(n_tasks, threads, [&](std::size_t task) {
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
