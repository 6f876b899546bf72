// SortedEventLog: an event log validated once and arranged for every reader.
//
// Input: three columns of equal length, row r saying that entity[r] (a lead, an account,
// a customer: any 64-bit id) had event code[r] (a stage, a channel: an index in
// [0, n_codes)) at time[r].  Rows may come in ANY order.  The log groups the rows by
// entity (groups in order of each entity's first row) and sorts each group by time;
// the sort is stable, so events of one entity with equal times keep their input order.
// Every event remembers its input row, so errors found later still name the user's row.
//
// The cut-off rule (one rule for every reader that censors open entities):
//   an event at or before the cut-off is observed; the cut-off must not be earlier than
//   any event, and if it is, the error names the first such row (in input order).
// So a cut-off equal to the last event is accepted everywhere.
//
// Compiled into funnelnet::core for Time = std::int64_t (e.g. nanoseconds, days) and
// Time = double.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

template <class Time>
class SortedEventLog {
 public:
  SortedEventLog() = default;

  /// Validate the columns and sort (the log owns copies).  Errors (typed
  /// funnelnet::Error): an empty log (empty_input), columns of different lengths
  /// (shape_mismatch), a code outside [0, n_codes) (out_of_range) or a non-finite time
  /// (invalid_argument), each naming the first bad row; more than 2^32 - 2 rows.
  /// `code_name` and `entity_name` are the words used in messages ("stage", "lead").
  SortedEventLog(std::span<const std::int64_t> entity, std::span<const Time> time,
                 std::span<const std::int32_t> code, std::int32_t n_codes,
                 std::string_view code_name = "code", std::string_view entity_name = "entity");

  /// Like the constructor, but when the rows are already in (entity, time) order the log
  /// views the caller's `time` and `code` columns instead of copying them: they must
  /// outlive the log.  For readers that use the log inside one call.
  static SortedEventLog borrow(std::span<const std::int64_t> entity, std::span<const Time> time,
                               std::span<const std::int32_t> code, std::int32_t n_codes,
                               std::string_view code_name = "code", std::string_view entity_name = "entity");

  /// Number of events (rows).
  [[nodiscard]] std::size_t size() const noexcept { return times().size(); }
  /// Number of distinct entities (groups).
  [[nodiscard]] std::size_t entities() const noexcept { return id_.size(); }
  /// Group g holds the events [offsets()[g], offsets()[g + 1]); entities() + 1 entries.
  [[nodiscard]] std::span<const std::size_t> offsets() const noexcept { return start_; }
  /// The entity id of each group.
  [[nodiscard]] std::span<const std::int64_t> entity_ids() const noexcept { return id_; }
  /// Event times, grouped by entity and sorted by time within a group.
  [[nodiscard]] std::span<const Time> times() const noexcept {
    return borrowed_ ? ext_time_ : std::span<const Time>(time_);
  }
  /// Event codes, in the same order as times().
  [[nodiscard]] std::span<const std::int32_t> codes() const noexcept {
    return borrowed_ ? ext_code_ : std::span<const std::int32_t>(code_);
  }
  /// The input row of event k (k in the order of times()).
  [[nodiscard]] std::size_t row(std::size_t k) const noexcept { return row_.empty() ? k : row_[k]; }
  /// Earliest and latest event time.
  [[nodiscard]] Time first_time() const noexcept { return first_; }
  [[nodiscard]] Time last_time() const noexcept { return last_; }
  /// Whether the input rows were already in (entity, time) order (ids non-decreasing).
  [[nodiscard]] bool was_sorted() const noexcept { return row_.empty(); }
  /// The word used for entities in messages.
  [[nodiscard]] const std::string& entity_name() const noexcept { return entity_name_; }

  /// The cut-off rule: throws invalid_argument unless every event is at or before
  /// `cutoff`, naming the first input row after it (row, entity, time).
  void require_cutoff(Time cutoff) const;
  /// Throws invalid_argument unless every event is at or after `origin`, naming the
  /// first input row before it.
  void require_origin(Time origin) const;

 private:
  SortedEventLog(std::span<const std::int64_t> entity, std::span<const Time> time,
                 std::span<const std::int32_t> code, std::int32_t n_codes, std::string_view code_name,
                 std::string_view entity_name, bool allow_borrow);

  std::vector<std::size_t> start_;
  std::vector<std::int64_t> id_;
  std::vector<Time> time_;
  std::vector<std::int32_t> code_;
  std::vector<std::uint32_t> row_;  // empty: event k is input row k
  std::span<const Time> ext_time_;
  std::span<const std::int32_t> ext_code_;
  bool borrowed_ = false;
  Time first_{}, last_{};
  std::string entity_name_ = "entity";
};

extern template class SortedEventLog<std::int64_t>;
extern template class SortedEventLog<double>;

namespace detail {
/// Throw out_of_range naming the first row whose code is outside [0, n_codes) ("row 7:
/// stage index 9 is outside [0, 5)").  Branch-free min/max first; the row is searched
/// for only when there is a bad one.
void require_codes_in_range(std::span<const std::int32_t> code, std::int32_t n_codes,
                            std::string_view code_name);
}  // namespace detail

FUNNELNET_END
