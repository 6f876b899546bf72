// SortedEventLog: validation, grouping by entity (linear time) and a stable time sort
// within each entity.
#include "funnelnet/core/event_log.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "core/dense_ids.hpp"
#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

template <class Time>
SortedEventLog<Time>::SortedEventLog(std::span<const std::int64_t> entity, std::span<const Time> time,
                                     std::span<const std::int32_t> code, std::int32_t n_codes,
                                     std::string_view code_name, std::string_view entity_name)
    : entity_name_(entity_name) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  const std::size_t n = entity.size();
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(time.size(), n, "time column");
  require_size(code.size(), n, detail::concat(code_name, " column"));
  if (n >= std::numeric_limits<std::uint32_t>::max())
    fail(Errc::invalid_argument,
         "more than 2^32-2 events in one call; split the log by lead and merge the counts");
  for (std::size_t r = 0; r < n; ++r)
    if (code[r] < 0 || code[r] >= n_codes)
      fail(Errc::out_of_range, "row ", r, ": ", code_name, " index ", code[r], " is outside [0, ", n_codes,
           ")");
  if constexpr (std::is_floating_point_v<Time>) {
    for (std::size_t r = 0; r < n; ++r)
      if (!std::isfinite(time[r]))
        fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
  }
  first_ = last_ = time[0];
  for (std::size_t r = 0; r < n; ++r) {
    first_ = std::min(first_, time[r]);
    last_ = std::max(last_, time[r]);
  }

  // Group rows by entity, keeping input order within a group.
  row_.resize(n);
  bool grouped = true;  // rows of each entity contiguous, in non-decreasing id order
  for (std::size_t r = 1; r < n; ++r) grouped &= entity[r] >= entity[r - 1];
  if (grouped) {
    std::iota(row_.begin(), row_.end(), 0U);
    for (std::size_t r = 0; r < n; ++r)
      if (r == 0 || entity[r] != entity[r - 1]) {
        start_.push_back(r);
        id_.push_back(entity[r]);
      }
    start_.push_back(n);
  } else {
    was_sorted_ = false;
    detail::DenseIds ids(std::min<std::size_t>(n, 1 << 20));
    std::vector<std::uint32_t> dense(n);
    for (std::size_t r = 0; r < n; ++r) dense[r] = ids.get(entity[r]);
    const std::size_t m = ids.size();
    start_.assign(m + 1, 0);
    for (std::size_t r = 0; r < n; ++r) ++start_[dense[r] + 1];
    std::partial_sum(start_.begin(), start_.end(), start_.begin());
    std::vector<std::size_t> cursor(start_.begin(), start_.end() - 1);
    for (std::size_t r = 0; r < n; ++r) row_[cursor[dense[r]]++] = static_cast<std::uint32_t>(r);
    id_.resize(m);
    for (std::size_t k = 0; k < m; ++k) id_[k] = ids.original(static_cast<std::uint32_t>(k));
  }

  // Stable sort by time within each group (rows are ascending, so ties keep input order).
  const std::size_t m = id_.size();
  for (std::size_t g = 0; g < m; ++g) {
    const auto b = row_.begin() + static_cast<std::ptrdiff_t>(start_[g]);
    const auto e = row_.begin() + static_cast<std::ptrdiff_t>(start_[g + 1]);
    bool in_order = true;
    for (auto it = b + (b != e ? 1 : 0); it < e; ++it) in_order &= !(time[*it] < time[*(it - 1)]);
    if (in_order) continue;
    was_sorted_ = false;
    std::stable_sort(b, e, [&](std::uint32_t x, std::uint32_t y) { return time[x] < time[y]; });
  }
  time_.resize(n);
  code_.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    time_[k] = time[row_[k]];
    code_[k] = code[row_[k]];
  }
}

namespace {
// The first input row (smallest row number) among the events with bad(time) true, and
// its position in sorted order; n if none.
template <class Time, class Bad>
std::size_t first_bad_event(std::span<const Time> time, std::span<const std::uint32_t> row, Bad bad) {
  std::size_t best = time.size();
  for (std::size_t k = 0; k < time.size(); ++k)
    if (bad(time[k]) && (best == time.size() || row[k] < row[best])) best = k;
  return best;
}
}  // namespace

template <class Time>
void SortedEventLog<Time>::require_cutoff(Time cutoff) const {
  if constexpr (std::is_floating_point_v<Time>)
    if (!std::isfinite(cutoff)) fail(Errc::invalid_argument, "cutoff must be finite, got ", cutoff);
  if (!(last_ > cutoff)) return;
  const std::size_t k = first_bad_event<Time>(time_, row_, [&](Time t) { return t > cutoff; });
  const auto g =
      static_cast<std::size_t>(std::upper_bound(start_.begin(), start_.end(), k) - start_.begin()) - 1;
  fail(Errc::invalid_argument, "the censoring date is before an event: row ", row_[k], " (", entity_name_,
       " ", id_[g], ", time ", time_[k], ") is later than the cutoff ", cutoff,
       "; events at or before the cut-off are observed, so the cut-off must not be earlier than any event");
}

template <class Time>
void SortedEventLog<Time>::require_origin(Time origin) const {
  if (!(first_ < origin)) return;
  const std::size_t k = first_bad_event<Time>(time_, row_, [&](Time t) { return t < origin; });
  const auto g =
      static_cast<std::size_t>(std::upper_bound(start_.begin(), start_.end(), k) - start_.begin()) - 1;
  fail(Errc::invalid_argument, "row ", row_[k], " (", entity_name_, " ", id_[g], ", time ", time_[k],
       ") is before the origin ", origin);
}

template class SortedEventLog<std::int64_t>;
template class SortedEventLog<double>;

FUNNELNET_END
