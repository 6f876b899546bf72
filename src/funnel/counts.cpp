// TransitionCounts: validation, counting from paths, and the event-log counting fast path
// (two-level counting sort by lead), compiled once for std::int64_t and double times.
#include "funnelnet/funnel/counts.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/dense_ids.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/parallel.hpp"

FUNNELNET_BEGIN

TransitionCounts::TransitionCounts(StageSpace space, Matrix counts) : space_(std::move(space)) {
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

TransitionCounts TransitionCounts::zeros(StageSpace space) {
  const auto n = static_cast<Eigen::Index>(space.size());
  TransitionCounts c;
  c.space_ = std::move(space);
  c.counts_ = Matrix::Zero(n, n);
  return c;
}

TransitionCounts TransitionCounts::from_paths(StageSpace space, std::span<const std::int32_t> stages,
                                              std::span<const std::int64_t> offsets,
                                              std::span<const double> weights, Repeats repeats) {
  LabelPaths paths(space.labels(), {stages.begin(), stages.end()}, {offsets.begin(), offsets.end()},
                   {weights.begin(), weights.end()}, PathWords::stages());
  return from_paths(std::move(space), paths, repeats);
}

TransitionCounts TransitionCounts::from_paths(StageSpace space, const LabelPaths& paths, Repeats repeats) {
  if (paths.size() == 0) fail(Errc::empty_input, "no paths given (offsets needs n_paths + 1 entries)");
  if (!(paths.labels() == space.labels()))
    fail(Errc::invalid_argument, "the paths' labels differ from the stage space's stages");
  const auto& stages = paths.codes();
  const auto& offsets = paths.offsets();
  const std::size_t n_paths = paths.size();
  // Validate everything before counting anything.
  for (std::size_t p = 0; p < n_paths; ++p)
    for (auto k = offsets[p]; k + 1 < offsets[p + 1]; ++k) {
      const std::int32_t s = stages[static_cast<std::size_t>(k)];
      if (space.is_absorbing(static_cast<std::size_t>(s)) && stages[static_cast<std::size_t>(k + 1)] != s)
        fail(Errc::invalid_argument, "path ", p, ", step ", k - offsets[p],
             ": the path continues after absorbing stage '", space.name(static_cast<std::size_t>(s)), "'");
    }
  TransitionCounts c = zeros(std::move(space));
  for (std::size_t p = 0; p < n_paths; ++p) {
    const double w = paths.weight(p);
    for (auto k = offsets[p] + 1; k < offsets[p + 1]; ++k) {
      const auto from = stages[static_cast<std::size_t>(k - 1)];
      const auto to = stages[static_cast<std::size_t>(k)];
      if (from == to && (repeats == Repeats::collapse || c.space_.is_absorbing(from))) continue;
      c.counts_(from, to) += w;
    }
  }
  return c;
}

TransitionCounts TransitionCounts::merged(const TransitionCounts& other) const {
  if (!(space_ == other.space_))
    fail(Errc::invalid_argument, "cannot merge counts over different stage spaces");
  TransitionCounts c = *this;
  c.counts_ += other.counts_;
  return c;
}

namespace detail {
namespace {

// One lead's events, in input order: sort by time (stable), check that no absorbing stage
// is left, and count consecutive pairs.  `times`/`stages` are scratch copies (mutated).
template <class Time>
void count_group(const StageSpace& space, Matrix& counts, std::int64_t lead_id, Time* times,
                 std::int32_t* stages, std::size_t len, Repeats repeats) {
  // Insertion sort: groups are short and usually (nearly) in order already.
  for (std::size_t k = 1; k < len; ++k) {
    if (!(times[k] < times[k - 1])) continue;
    const Time t = times[k];
    const std::int32_t st = stages[k];
    std::size_t q = k;
    while (q > 0 && t < times[q - 1]) {
      times[q] = times[q - 1];
      stages[q] = stages[q - 1];
      --q;
    }
    times[q] = t;
    stages[q] = st;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto from = stages[k - 1];
    const auto to = stages[k];
    if (from == to) {
      if (repeats == Repeats::collapse || space.is_absorbing(from)) continue;
    } else if (space.is_absorbing(from)) {
      fail(Errc::invalid_argument, "lead ", lead_id, " leaves absorbing stage '", space.name(from), "' for '",
           space.name(to), "' (event ", k, " of ", len, " in time order)");
    }
    counts(from, to) += 1.0;
  }
}

// Group rows by bucket (a dense lead id from `bucket_of(r)`, in [0, n_buckets)) and count
// each group.  Two-level counting sort: buckets are split into ~1024 partitions of
// consecutive ids; a pass streams rows into their partition (about 1024 sequential
// write streams, so writes stay cache-friendly), then each partition is sorted by bucket
// inside the cache.  Passes cover ranges of partitions so that the scratch memory stays
// near a quarter of the input's size.
template <class Time, class BucketOf, class LeadOf>
void count_by_buckets(const StageSpace& space, Matrix& counts, std::span<const Time> time,
                      std::span<const std::int32_t> stage, std::size_t n_buckets, BucketOf bucket_of,
                      LeadOf lead_of, Repeats repeats, int threads) {
  const std::size_t n = time.size();
  std::vector<std::uint32_t> start(n_buckets + 1, 0);
  for (std::size_t r = 0; r < n; ++r) ++start[bucket_of(r) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  // Partitions: contiguous ranges of 2^shift buckets, about 1024 of them.  Lead ids are
  // dense, so each holds about n / 1024 rows unless the log is very skewed.
  unsigned shift = 0;
  while ((n_buckets >> shift) > 1024) ++shift;
  const std::size_t n_parts = ((n_buckets - 1) >> shift) + 1;
  std::vector<std::uint32_t> part_first(n_parts + 1);
  std::vector<std::uint32_t> part_rows(n_parts);
  std::size_t largest = 0;
  for (std::size_t k = 0; k < n_parts; ++k) part_first[k] = static_cast<std::uint32_t>(k << shift);
  part_first[n_parts] = static_cast<std::uint32_t>(n_buckets);
  for (std::size_t k = 0; k < n_parts; ++k) {
    part_rows[k] = start[part_first[k + 1]] - start[part_first[k]];
    largest = std::max<std::size_t>(largest, part_rows[k]);
  }

  // Passes: ranges of partitions whose rows fit the per-thread buffer.  The scratch
  // memory of all threads together stays near a quarter of the input.
  const std::size_t n_threads =
      std::min<std::size_t>(resolve_threads(threads), std::max<std::size_t>(1, n >> 18));
  const std::size_t slots = std::min(n, std::max(n / (4 * n_threads) + 1, largest));
  std::vector<std::pair<std::size_t, std::size_t>> passes;
  for (std::size_t k0 = 0; k0 < n_parts;) {
    std::size_t k1 = k0, used = 0;
    while (k1 < n_parts && (k1 == k0 || used + part_rows[k1] <= slots)) used += part_rows[k1++];
    passes.emplace_back(k0, k1);
    k0 = k1;
  }

  struct Row {
    Time t;
    std::uint32_t bucket;
    std::int32_t stage;
  };
  struct Workspace {
    std::vector<Row> rows;
    std::vector<Time> tbuf;
    std::vector<std::int32_t> sbuf;
    std::vector<std::uint32_t> cursor, step;
    Matrix counts;
  };
  std::vector<Workspace> work(n_threads);
  std::vector<std::exception_ptr> errors(passes.size());
  std::atomic<std::size_t> next_pass{0};

  auto run_pass = [&](Workspace& ws, std::size_t k0, std::size_t k1) {
    // Partitions [k0, k1) fill `rows`; other rows write to the spare last slot (branch-free).
    std::fill(ws.cursor.begin(), ws.cursor.end(), static_cast<std::uint32_t>(slots));
    std::fill(ws.step.begin(), ws.step.end(), 0U);
    std::size_t used = 0;
    for (std::size_t k = k0; k < k1; ++k) {
      ws.cursor[k] = static_cast<std::uint32_t>(used);
      ws.step[k] = 1;
      used += part_rows[k];
    }
    for (std::size_t r = 0; r < n; ++r) {
      const std::size_t b = bucket_of(r);
      const std::size_t k = b >> shift;
      const std::uint32_t pos = ws.cursor[k];
      ws.rows[pos] = Row{time[r], static_cast<std::uint32_t>(b), stage[r]};
      ws.cursor[k] = pos + ws.step[k];
    }
    std::size_t off = 0;
    for (std::size_t k = k0; k < k1; ++k) {
      // Counting sort of the partition by bucket, inside the cache.  Partitions are
      // disjoint, so threads touch disjoint entries of `start`.
      const std::size_t fb = part_first[k], lb = part_first[k + 1];
      const std::uint32_t base = start[fb];
      const std::size_t m = part_rows[k];
      for (std::size_t q = 0; q < m; ++q) {
        const Row& row = ws.rows[off + q];
        const std::uint32_t pos = start[row.bucket]++ - base;  // start[b] ends at bucket b's end
        ws.tbuf[pos] = row.t;
        ws.sbuf[pos] = row.stage;
      }
      std::uint32_t lo = 0;
      for (std::size_t b = fb; b < lb; ++b) {
        const std::uint32_t hi = start[b] - base;
        if (hi - lo > 1)
          count_group<Time>(space, ws.counts, lead_of(b), ws.tbuf.data() + lo, ws.sbuf.data() + lo, hi - lo,
                            repeats);
        lo = hi;
      }
      off += m;
    }
  };

  parallel_for(n_threads, static_cast<int>(n_threads), [&](std::size_t w) {
    Workspace& ws = work[w];
    ws.rows.resize(slots + 1);
    ws.tbuf.resize(largest);
    ws.sbuf.resize(largest);
    ws.cursor.resize(n_parts);
    ws.step.resize(n_parts);
    ws.counts = Matrix::Zero(counts.rows(), counts.cols());
    for (std::size_t p; (p = next_pass.fetch_add(1)) < passes.size();) {
      try {
        run_pass(ws, passes[p].first, passes[p].second);
      } catch (...) {
        errors[p] = std::current_exception();
      }
    }
  });
  // The error of the earliest pass, as a single thread would have met it first.
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (const auto& ws : work) counts += ws.counts;  // exact: integer-valued sums
}

// Error path of from_events: the first lead (in order of first appearance) that leaves an
// absorbing stage, with the input row of the offending event.
template <class Time>
void throw_naming_row(const StageSpace& space, std::span<const std::int64_t> lead, std::span<const Time> time,
                      std::span<const std::int32_t> stage) {
  const auto log = SortedEventLog<Time>::borrow(lead, time, stage, static_cast<std::int32_t>(space.size()),
                                                "stage", "lead");
  const auto codes = log.codes();
  for (std::size_t g = 0; g < log.entities(); ++g)
    for (std::size_t k = log.offsets()[g] + 1; k < log.offsets()[g + 1]; ++k) {
      const auto from = codes[k - 1], to = codes[k];
      if (from != to && space.is_absorbing(static_cast<std::size_t>(from)))
        fail(Errc::invalid_argument, "lead ", log.entity_ids()[g], " leaves absorbing stage '",
             space.name(from), "' for '", space.name(to), "' (row ", log.row(k), ")");
    }
}

}  // namespace
}  // namespace detail

template <class Time>
TransitionCounts TransitionCounts::from_events(StageSpace space, std::span<const std::int64_t> lead,
                                               std::span<const Time> time,
                                               std::span<const std::int32_t> stage, Repeats repeats,
                                               int threads) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  const std::size_t n = lead.size();
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(time.size(), n, "time column");
  require_size(stage.size(), n, "stage column");
  if (repeats != Repeats::keep && repeats != Repeats::collapse)
    fail(Errc::invalid_argument, "repeats must be keep (0) or collapse (1), got ", static_cast<int>(repeats));
  if (n >= std::numeric_limits<std::uint32_t>::max())
    fail(Errc::invalid_argument,
         "more than 2^32-2 events in one call; split the log by lead and merge the counts");
  const auto n_states = static_cast<std::int32_t>(space.size());

  // Pass 1 (branch-free reductions, vectorised): validate values, find the lead-id range
  // and whether rows are already sorted; locate the first bad row only if there is one.
  detail::require_codes_in_range(stage, n_states, "stage");
  if constexpr (std::is_floating_point_v<Time>) {
    bool finite = true;
    for (std::size_t r = 0; r < n; ++r) finite &= std::isfinite(time[r]);
    if (!finite)
      for (std::size_t r = 0; r < n; ++r)
        if (!std::isfinite(time[r]))
          fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
  }
  std::int64_t lo = lead[0], hi = lead[0];
  bool unsorted = false;
  for (std::size_t r = 0; r < n; ++r) {
    lo = std::min(lo, lead[r]);
    hi = std::max(hi, lead[r]);
  }
  for (std::size_t r = 1; r < n; ++r)
    unsorted |= (lead[r] < lead[r - 1]) | ((lead[r] == lead[r - 1]) & (time[r] < time[r - 1]));
  const bool sorted = !unsorted;

  TransitionCounts c = zeros(std::move(space));
  const StageSpace& sp = c.space_;
  auto count = [&] {
    if (sorted) {
      // Already in (lead, time) order: one sequential pass.
      std::vector<Time> tb;
      std::vector<std::int32_t> sb;
      std::size_t k = 0;
      while (k < n) {
        std::size_t end = k + 1;
        while (end < n && lead[end] == lead[k]) ++end;
        if (end - k > 1) {
          tb.assign(time.begin() + static_cast<std::ptrdiff_t>(k),
                    time.begin() + static_cast<std::ptrdiff_t>(end));
          sb.assign(stage.begin() + static_cast<std::ptrdiff_t>(k),
                    stage.begin() + static_cast<std::ptrdiff_t>(end));
          detail::count_group<Time>(sp, c.counts_, lead[k], tb.data(), sb.data(), end - k, repeats);
        }
        k = end;
      }
      return;
    }
    const auto range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (range < n / 2 + 1024) {
      // Dense ids: the id itself is the bucket.
      detail::count_by_buckets<Time>(
          sp, c.counts_, time, stage, static_cast<std::size_t>(range) + 1,
          [&](std::size_t r) { return static_cast<std::size_t>(lead[r] - lo); },
          [&](std::size_t b) { return lo + static_cast<std::int64_t>(b); }, repeats, threads);
    } else {
      // Sparse ids: map them to dense ids first (4 bytes per event).
      detail::DenseIds ids(std::min<std::size_t>(n, 1 << 20));
      std::vector<std::uint32_t> dense(n);
      for (std::size_t r = 0; r < n; ++r) dense[r] = ids.get(lead[r]);
      detail::count_by_buckets<Time>(
          sp, c.counts_, time, stage, ids.size(),
          [&](std::size_t r) { return static_cast<std::size_t>(dense[r]); },
          [&](std::size_t b) { return ids.original(static_cast<std::uint32_t>(b)); }, repeats, threads);
    }
  };
  try {
    count();
  } catch (const Error&) {
    // Only a lead leaving an absorbing stage fails here; the fast path does not keep row
    // numbers, so find the user's row (error path only, no cost otherwise).
    detail::throw_naming_row<Time>(sp, lead, time, stage);
    throw;
  }
  return c;
}

template TransitionCounts TransitionCounts::from_events<std::int64_t>(StageSpace,
                                                                      std::span<const std::int64_t>,
                                                                      std::span<const std::int64_t>,
                                                                      std::span<const std::int32_t>, Repeats,
                                                                      int);
template TransitionCounts TransitionCounts::from_events<double>(StageSpace, std::span<const std::int64_t>,
                                                                std::span<const double>,
                                                                std::span<const std::int32_t>, Repeats, int);

FUNNELNET_END
