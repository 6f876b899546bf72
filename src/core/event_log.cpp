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
    : SortedEventLog(entity, time, code, n_codes, code_name, entity_name, false) {}

template <class Time>
SortedEventLog<Time> SortedEventLog<Time>::borrow(std::span<const std::int64_t> entity,
                                                  std::span<const Time> time,
                                                  std::span<const std::int32_t> code, std::int32_t n_codes,
                                                  std::string_view code_name, std::string_view entity_name) {
  return {entity, time, code, n_codes, code_name, entity_name, true};
}

template <class Time>
SortedEventLog<Time>::SortedEventLog(std::span<const std::int64_t> entity, std::span<const Time> time,
                                     std::span<const std::int32_t> code, std::int32_t n_codes,
                                     std::string_view code_name, std::string_view entity_name,
                                     bool allow_borrow)
    : entity_name_(entity_name) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  const std::size_t n = entity.size();
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(time.size(), n, "time column");
  require_size(code.size(), n, detail::concat(code_name, " column"));
  if (n >= std::numeric_limits<std::uint32_t>::max())
    fail(Errc::invalid_argument,
         "more than 2^32-2 events in one call; split the log by lead and merge the counts");
  detail::require_codes_in_range(code, n_codes, code_name);
  if constexpr (std::is_floating_point_v<Time>) {
    bool finite = true;
    for (std::size_t r = 0; r < n; ++r) finite &= std::isfinite(time[r]);
    if (!finite)
      for (std::size_t r = 0; r < n; ++r)
        if (!std::isfinite(time[r]))
          fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
  }
  first_ = last_ = time[0];
  std::int64_t lo = entity[0], hi = entity[0];
  int out_of_order = 0;  // branchless: int operands (clang -Wbitwise-instead-of-logical)
  for (std::size_t r = 0; r < n; ++r) {
    first_ = std::min(first_, time[r]);
    last_ = std::max(last_, time[r]);
    lo = std::min(lo, entity[r]);
    hi = std::max(hi, entity[r]);
  }
  for (std::size_t r = 1; r < n; ++r)
    out_of_order |= static_cast<int>(entity[r] < entity[r - 1]) |
                    (static_cast<int>(entity[r] == entity[r - 1]) & static_cast<int>(time[r] < time[r - 1]));
  const bool unsorted = out_of_order != 0;

  if (!unsorted) {
    // Already in (entity, time) order: groups are runs; nothing moves.
    for (std::size_t r = 0; r < n; ++r)
      if (r == 0 || entity[r] != entity[r - 1]) {
        start_.push_back(r);
        id_.push_back(entity[r]);
      }
    start_.push_back(n);
    if (allow_borrow) {
      borrowed_ = true;
      ext_time_ = time;
      ext_code_ = code;
    } else {
      time_.assign(time.begin(), time.end());
      code_.assign(code.begin(), code.end());
    }
    return;
  }

  // Dense group ids in order of first appearance: a direct table when the id range is
  // small, a hash map otherwise.
  std::vector<std::uint32_t> dense(n);
  const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (range < n / 2 + 1024) {
    constexpr std::uint32_t kUnseen = 0xffffffffU;
    std::vector<std::uint32_t> table(static_cast<std::size_t>(range) + 1, kUnseen);
    for (std::size_t r = 0; r < n; ++r) {
      std::uint32_t& slot = table[static_cast<std::size_t>(entity[r] - lo)];
      if (slot == kUnseen) {
        slot = static_cast<std::uint32_t>(id_.size());
        id_.push_back(entity[r]);
      }
      dense[r] = slot;
    }
  } else {
    detail::DenseIds ids(std::min<std::size_t>(n, 1 << 20));
    for (std::size_t r = 0; r < n; ++r) dense[r] = ids.get(entity[r]);
    id_.resize(ids.size());
    for (std::size_t k = 0; k < id_.size(); ++k) id_[k] = ids.original(static_cast<std::uint32_t>(k));
  }
  const std::size_t m = id_.size();
  // Counting sort of the rows by group (input order kept within a group).
  row_.resize(n);
  start_.assign(m + 1, 0);
  for (std::size_t r = 0; r < n; ++r) ++start_[dense[r] + 1];
  std::partial_sum(start_.begin(), start_.end(), start_.begin());
  {
    std::vector<std::size_t> cursor(start_.begin(), start_.end() - 1);
    for (std::size_t r = 0; r < n; ++r) row_[cursor[dense[r]]++] = static_cast<std::uint32_t>(r);
  }
  // Stable sort by time within each group (rows ascend, so ties keep input order):
  // insertion sort for the usual short groups, merge sort for long ones.
  time_.resize(n);
  code_.resize(n);
  for (std::size_t k = 0; k < n; ++k) time_[k] = time[row_[k]];
  for (std::size_t g = 0; g < m; ++g) {
    const std::size_t b = start_[g], e = start_[g + 1];
    bool in_order = true;
    for (std::size_t k = b + 1; k < e; ++k) in_order &= !(time_[k] < time_[k - 1]);
    if (in_order) continue;
    if (e - b <= 32) {
      for (std::size_t k = b + 1; k < e; ++k) {
        const Time t = time_[k];
        const std::uint32_t rw = row_[k];
        std::size_t q = k;
        for (; q > b && t < time_[q - 1]; --q) {
          time_[q] = time_[q - 1];
          row_[q] = row_[q - 1];
        }
        time_[q] = t;
        row_[q] = rw;
      }
    } else {
      const auto rb = row_.begin() + static_cast<std::ptrdiff_t>(b);
      const auto re = row_.begin() + static_cast<std::ptrdiff_t>(e);
      std::stable_sort(rb, re, [&](std::uint32_t x, std::uint32_t y) { return time[x] < time[y]; });
      for (std::size_t k = b; k < e; ++k) time_[k] = time[row_[k]];
    }
  }
  for (std::size_t k = 0; k < n; ++k) code_[k] = code[row_[k]];
}

namespace {
// Position (in sorted order) of the event with the smallest input row among those with
// bad(time) true; n if none.
template <class Time, class Row, class Bad>
std::size_t first_bad_event(std::span<const Time> time, Row row, Bad bad) {
  std::size_t best = time.size();
  for (std::size_t k = 0; k < time.size(); ++k)
    if (bad(time[k]) && (best == time.size() || row(k) < row(best))) best = k;
  return best;
}
}  // namespace

template <class Time>
void SortedEventLog<Time>::require_cutoff(Time cutoff) const {
  if constexpr (std::is_floating_point_v<Time>)
    if (!std::isfinite(cutoff)) fail(Errc::invalid_argument, "cutoff must be finite, got ", cutoff);
  if (!(last_ > cutoff)) return;
  const std::size_t k = first_bad_event(
      times(), [this](std::size_t j) { return row(j); }, [&](Time t) { return t > cutoff; });
  const auto g =
      static_cast<std::size_t>(std::upper_bound(start_.begin(), start_.end(), k) - start_.begin()) - 1;
  fail(Errc::invalid_argument, "the censoring date is before an event: row ", row(k), " (", entity_name_, " ",
       id_[g], ", time ", times()[k], ") is later than the cutoff ", cutoff,
       "; events at or before the cut-off are observed, so the cut-off must not be earlier than any event");
}

template <class Time>
void SortedEventLog<Time>::require_origin(Time origin) const {
  if (!(first_ < origin)) return;
  const std::size_t k = first_bad_event(
      times(), [this](std::size_t j) { return row(j); }, [&](Time t) { return t < origin; });
  const auto g =
      static_cast<std::size_t>(std::upper_bound(start_.begin(), start_.end(), k) - start_.begin()) - 1;
  fail(Errc::invalid_argument, "row ", row(k), " (", entity_name_, " ", id_[g], ", time ", times()[k],
       ") is before the origin ", origin);
}

template class SortedEventLog<std::int64_t>;
template class SortedEventLog<double>;

namespace detail {
void require_codes_in_range(std::span<const std::int32_t> code, std::int32_t n_codes,
                            std::string_view code_name) {
  if (code.empty()) return;
  std::int32_t cmin = code[0], cmax = code[0];
  for (const std::int32_t c : code) {
    cmin = std::min(cmin, c);
    cmax = std::max(cmax, c);
  }
  if (cmin < 0 || cmax >= n_codes)
    for (std::size_t r = 0; r < code.size(); ++r)
      if (code[r] < 0 || code[r] >= n_codes)
        fail(Errc::out_of_range, "row ", r, ": ", code_name, " index ", code[r], " is outside [0, ", n_codes,
             ")");
}
}  // namespace detail

FUNNELNET_END
