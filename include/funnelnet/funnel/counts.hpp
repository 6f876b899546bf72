// TransitionCounts: how often leads moved from stage i to stage j.  Counts are the
// sufficient statistic of a Markov funnel and they are mergeable: counting two
// partitions and adding them equals counting their union, so fitting scales out.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <type_traits>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// What to do with an event that repeats the lead's current stage (or a path step that
/// repeats the previous stage).
enum class Repeats : int {
  keep = 0,      ///< count it as a self-transition i -> i (sequences of states)
  collapse = 1,  ///< ignore it: only changes of stage are transitions (status logs)
};

class TransitionCounts {
 public:
  TransitionCounts() = default;

  /// Counts from a square matrix over `space`; every entry must be finite and >= 0 and
  /// absorbing states must have no exits to other states.
  TransitionCounts(StageSpace space, Matrix counts) : space_(std::move(space)) {
    const auto n = static_cast<Eigen::Index>(space_.size());
    if (counts.rows() != n || counts.cols() != n)
      fail(Errc::shape_mismatch, "count matrix is ", counts.rows(), "x", counts.cols(), ", expected ", n, "x",
           n, " (one row and column per stage)");
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j) {
        const double c = counts(i, j);
        if (!(std::isfinite(c) && c >= 0.0))
          fail(Errc::invalid_argument, "count[", space_.name(i), "][", space_.name(j),
               "] must be finite and >= 0, got ", c);
        if (c > 0.0 && i != j && space_.is_absorbing(i))
          fail(Errc::invalid_argument, "absorbing stage '", space_.name(i), "' has ", c, " transitions to '",
               space_.name(j), "'; an absorbing stage has no exits");
      }
    counts_ = std::move(counts);
  }

  /// An all-zero count table over `space`.
  static TransitionCounts zeros(StageSpace space) {
    const auto n = static_cast<Eigen::Index>(space.size());
    TransitionCounts c;
    c.space_ = std::move(space);
    c.counts_ = Matrix::Zero(n, n);
    return c;
  }

  /// Counts from paths given as stage indices in CSR form: path p is
  /// stages[offsets[p] .. offsets[p+1]), observed weights[p] times (weights may be
  /// empty: each path once).  A path must not continue after an absorbing stage.
  static TransitionCounts from_paths(StageSpace space, std::span<const std::int32_t> stages,
                                     std::span<const std::int64_t> offsets,
                                     std::span<const double> weights = {}, Repeats repeats = Repeats::keep) {
    if (offsets.size() < 2) fail(Errc::empty_input, "no paths given (offsets needs n_paths + 1 entries)");
    const std::size_t n_paths = offsets.size() - 1;
    if (!weights.empty()) require_size(weights.size(), n_paths, "weights");
    if (offsets[0] != 0) fail(Errc::invalid_argument, "offsets[0] must be 0, got ", offsets[0]);
    if (offsets[n_paths] != static_cast<std::int64_t>(stages.size()))
      fail(Errc::shape_mismatch, "offsets end at ", offsets[n_paths], " but there are ", stages.size(),
           " stage entries");
    const auto n = static_cast<std::int32_t>(space.size());
    // Validate everything before counting anything.
    for (std::size_t p = 0; p < n_paths; ++p) {
      if (offsets[p + 1] < offsets[p])
        fail(Errc::invalid_argument, "offsets must be non-decreasing: offsets[", p + 1,
             "] = ", offsets[p + 1], " < offsets[", p, "] = ", offsets[p]);
      if (!weights.empty()) require_nonnegative(weights[p], detail::concat("weight of path ", p));
    }
    for (std::size_t p = 0; p < n_paths; ++p) {
      for (auto k = offsets[p]; k < offsets[p + 1]; ++k) {
        const std::int32_t s = stages[static_cast<std::size_t>(k)];
        if (s < 0 || s >= n)
          fail(Errc::out_of_range, "path ", p, ", step ", k - offsets[p], ": stage index ", s,
               " is outside [0, ", n, ")");
        if (k + 1 < offsets[p + 1] && space.is_absorbing(static_cast<std::size_t>(s)) &&
            stages[static_cast<std::size_t>(k + 1)] != s)
          fail(Errc::invalid_argument, "path ", p, ", step ", k - offsets[p],
               ": the path continues after absorbing stage '", space.name(s), "'");
      }
    }
    TransitionCounts c = zeros(std::move(space));
    for (std::size_t p = 0; p < n_paths; ++p) {
      const double w = weights.empty() ? 1.0 : weights[p];
      for (auto k = offsets[p] + 1; k < offsets[p + 1]; ++k) {
        const auto from = stages[static_cast<std::size_t>(k - 1)];
        const auto to = stages[static_cast<std::size_t>(k)];
        if (from == to && (repeats == Repeats::collapse || c.space_.is_absorbing(from))) continue;
        c.counts_(from, to) += w;
      }
    }
    return c;
  }

  /// Counts from an event log: row r says lead[r] was in stage[r] at time[r].  Rows may
  /// come in any order; per lead they are ordered by time (ties keep input order) and
  /// each consecutive pair of events is one transition.  `Time` is an integer or
  /// floating type (e.g. nanoseconds since the epoch, or days).  Linear time: a
  /// counting sort by lead when ids are dense, a sort of lead ids otherwise.
  template <class Time>
  static TransitionCounts from_events(StageSpace space, std::span<const std::int64_t> lead,
                                      std::span<const Time> time, std::span<const std::int32_t> stage,
                                      Repeats repeats = Repeats::collapse);

  /// The sum of two count tables over the same stage space.
  [[nodiscard]] TransitionCounts merged(const TransitionCounts& other) const {
    if (!(space_ == other.space_))
      fail(Errc::invalid_argument, "cannot merge counts over different stage spaces");
    TransitionCounts c = *this;
    c.counts_ += other.counts_;
    return c;
  }

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& matrix() const noexcept { return counts_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }
  /// Total number of counted transitions (self-loops of absorbing stages excluded).
  [[nodiscard]] double total() const noexcept { return counts_.sum(); }

 private:
  StageSpace space_;
  Matrix counts_;
};

namespace detail {

// Count the transitions of one lead's events, already in time order.
template <class Time>
inline void count_lead(const StageSpace& space, Matrix& counts, const std::int32_t* stages, std::size_t len,
                       Repeats repeats) {
  for (std::size_t k = 1; k < len; ++k) {
    const auto from = stages[k - 1];
    const auto to = stages[k];
    if (from == to && (repeats == Repeats::collapse || space.is_absorbing(from))) continue;
    counts(from, to) += 1.0;
  }
}

}  // namespace detail

template <class Time>
TransitionCounts TransitionCounts::from_events(StageSpace space, std::span<const std::int64_t> lead,
                                               std::span<const Time> time,
                                               std::span<const std::int32_t> stage, Repeats repeats) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  const std::size_t n = lead.size();
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(time.size(), n, "time column");
  require_size(stage.size(), n, "stage column");
  const auto n_states = static_cast<std::int32_t>(space.size());

  // Pass 1: validate values, find the lead-id range and whether rows are already sorted.
  std::int64_t lo = lead[0];
  std::int64_t hi = lead[0];
  bool sorted = true;
  for (std::size_t r = 0; r < n; ++r) {
    if (stage[r] < 0 || stage[r] >= n_states)
      fail(Errc::out_of_range, "row ", r, ": stage index ", stage[r], " is outside [0, ", n_states, ")");
    if constexpr (std::is_floating_point_v<Time>) {
      if (!std::isfinite(time[r]))
        fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
    }
    lo = std::min(lo, lead[r]);
    hi = std::max(hi, lead[r]);
    if (r > 0 && (lead[r] < lead[r - 1] || (lead[r] == lead[r - 1] && time[r] < time[r - 1]))) sorted = false;
  }

  // Order rows by (lead, time), stably.  `order` holds row numbers.
  std::vector<std::uint32_t> order;
  std::vector<std::int64_t> group_start;  // CSR over leads in `order`
  using Row = std::uint32_t;
  if (n > std::numeric_limits<Row>::max())
    fail(Errc::invalid_argument, "more than 2^32-1 events in one call; split the log and merge the counts");
  if (!sorted) {
    order.resize(n);
    const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (range < 4 * static_cast<std::uint64_t>(n) + 1024) {
      // Dense ids: counting sort by lead (stable, so input order is kept within a lead).
      std::vector<std::uint32_t> start(range + 2, 0);
      for (std::size_t r = 0; r < n; ++r) ++start[static_cast<std::uint64_t>(lead[r] - lo) + 1];
      std::partial_sum(start.begin(), start.end(), start.begin());
      std::vector<std::uint32_t> cursor(start.begin(), start.end() - 1);
      for (std::size_t r = 0; r < n; ++r)
        order[cursor[static_cast<std::uint64_t>(lead[r] - lo)]++] = static_cast<Row>(r);
    } else {
      std::iota(order.begin(), order.end(), Row{0});
      std::stable_sort(order.begin(), order.end(), [&](Row a, Row b) { return lead[a] < lead[b]; });
    }
  }
  auto row_at = [&](std::size_t k) -> std::size_t { return sorted ? k : order[k]; };

  TransitionCounts c = zeros(std::move(space));
  const StageSpace& sp = c.space_;
  std::vector<std::int32_t> seq;
  std::vector<std::pair<Time, std::int32_t>> buf;
  std::size_t k = 0;
  while (k < n) {
    const std::int64_t id = lead[row_at(k)];
    std::size_t end = k + 1;
    bool in_order = true;
    while (end < n && lead[row_at(end)] == id) {
      if (time[row_at(end)] < time[row_at(end - 1)]) in_order = false;
      ++end;
    }
    const std::size_t len = end - k;
    seq.resize(len);
    if (in_order) {
      for (std::size_t q = 0; q < len; ++q) seq[q] = stage[row_at(k + q)];
    } else {
      buf.resize(len);
      for (std::size_t q = 0; q < len; ++q) buf[q] = {time[row_at(k + q)], stage[row_at(k + q)]};
      std::stable_sort(buf.begin(), buf.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (std::size_t q = 0; q < len; ++q) seq[q] = buf[q].second;
    }
    for (std::size_t q = 0; q + 1 < len; ++q)
      if (sp.is_absorbing(seq[q]) && seq[q + 1] != seq[q])
        fail(Errc::invalid_argument, "lead ", id, " leaves absorbing stage '", sp.name(seq[q]), "' for '",
             sp.name(seq[q + 1]), "' (event ", q + 1, " of ", len, " in time order)");
    detail::count_lead<Time>(sp, c.counts_, seq.data(), len, repeats);
    k = end;
  }
  return c;
}

FUNNELNET_END
