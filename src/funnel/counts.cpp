// TransitionCounts: validation, counting from paths, and the event-log counting fast path
// (two-level counting sort by lead), compiled once for std::int64_t and double times.
#include "funnelnet/funnel/counts.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/order_key.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/parallel.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>  // streaming stores (x86-64 baseline)
#endif
// The AVX2 ordering of short lead groups: compiled with a target attribute, run only
// when __builtin_cpu_supports says so (the rest of the file is baseline x86-64 code).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FUNNELNET_COUNTS_AVX2 1
#include <immintrin.h>
#else
#define FUNNELNET_COUNTS_AVX2 0
#endif
#if defined(__linux__)
#include <sys/mman.h>  // madvise
#endif

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
// The file's helpers live in a named namespace: the unity build compiles this file with
// the rest of the funnel area, and lambdas of from_events capture a PartitionPlan (GCC's
// -Wsubobject-linkage warns about types from an anonymous namespace captured there).
namespace detail::counts_impl {

// The absorbing flags of `space`, one byte per stage (cheap to read in inner loops).
inline std::vector<unsigned char> absorbing_bytes(const StageSpace& space) {
  const auto& flags = space.absorbing_flags();
  return {flags.begin(), flags.end()};
}

// Transition tallies of one thread, n_states x n_states row-major: integer increments
// (no floating-point add chains), added into the count matrix at the end (exact).
using Tally = std::vector<std::uint64_t>;

inline void add_tally(Matrix& counts, const Tally& tally) {
  double* cell = counts.data();
  for (std::size_t k = 0; k < tally.size(); ++k) cell[k] += static_cast<double>(tally[k]);
}

// The stage index of each row, from the user's stage column: int32 indices as they are...
struct DirectStages {
  const std::int32_t* code;
  [[nodiscard]] std::uint32_t operator()(std::size_t r) const noexcept {
    return static_cast<std::uint32_t>(code[r]);
  }
  // Nonzero when a row of [r0, r1) is no stage index (branch-free, vectorised).
  [[nodiscard]] unsigned invalid(std::size_t r0, std::size_t r1, std::uint32_t n_states) const noexcept {
    unsigned bad = 0;
    for (std::size_t r = r0; r < r1; ++r)
      bad |= static_cast<unsigned>(static_cast<std::uint32_t>(code[r]) >= n_states);
    return bad;
  }
};

// ... or raw codes of any integer width through a table (`map` has a last entry -1, so a
// code outside the table maps to it without a branch).  An index >= n_states is invalid.
template <class Code>
struct MappedStages {
  const Code* code;
  const std::int32_t* map;
  std::uint64_t base;
  std::uint64_t size;      // entries before the sentinel
  bool every_entry_valid;  // each of map[0, size) is a stage index
  bool identity;           // base 0 and map[k] == k: a valid code is its stage index
  // The stage index of row r through the table (>= n_states: no stage).
  [[nodiscard]] std::uint32_t lookup(std::size_t r) const noexcept {
    const std::uint64_t u = static_cast<std::uint64_t>(static_cast<std::int64_t>(code[r])) - base;
    return static_cast<std::uint32_t>(map[std::min(u, size)]);
  }
  // The same for a row already validated (`invalid` said none): an identity table is not
  // read (a Categorical of the funnel's stages in order, integer stage codes 0, 1, ...).
  [[nodiscard]] std::uint32_t operator()(std::size_t r) const noexcept {
    if (identity) return static_cast<std::uint32_t>(static_cast<std::make_unsigned_t<Code>>(code[r]));
    return lookup(r);
  }
  // Nonzero when a row of [r0, r1) maps to no stage index.  When every entry of the table
  // is one (a Categorical of the funnel's stages), a range check of the codes: no table
  // reads, vectorised.
  [[nodiscard]] unsigned invalid(std::size_t r0, std::size_t r1, std::uint32_t n_states) const noexcept {
    unsigned bad = 0;
    if (every_entry_valid) {
      // In the code's own width where base and size allow it (more lanes per vector).
      using U = std::make_unsigned_t<Code>;
      if (base == 0 && size <= std::numeric_limits<U>::max()) {
        const auto n = static_cast<U>(size);
        for (std::size_t r = r0; r < r1; ++r) bad |= static_cast<unsigned>(static_cast<U>(code[r]) >= n);
      } else {
        for (std::size_t r = r0; r < r1; ++r)
          bad |= static_cast<unsigned>(
              static_cast<std::uint64_t>(static_cast<std::int64_t>(code[r])) - base >= size);
      }
      return bad;
    }
    for (std::size_t r = r0; r < r1; ++r) bad |= static_cast<unsigned>(lookup(r) >= n_states);
    return bad;
  }
};

// Count the consecutive pairs of one lead's stages in time order, checking that no
// absorbing stage is left.  A repeat counts only when kept and not the self-loop of an
// absorbing stage.
[[gnu::cold, gnu::noinline]] inline void fail_leaves_absorbing(const StageSpace& space, std::int64_t lead_id,
                                                               std::size_t from, std::size_t to,
                                                               std::size_t k, std::size_t len) {
  fail(Errc::invalid_argument, "lead ", lead_id, " leaves absorbing stage '", space.name(from), "' for '",
       space.name(to), "' (event ", k, " of ", len, " in time order)");
}

// Small enough to inline into every caller (the error is out of line), the AVX2 one too.
[[gnu::always_inline]] inline void count_pairs(const StageSpace& space, const unsigned char* absorbing,
                                               std::uint64_t* cell, std::size_t n_states,
                                               std::int64_t lead_id, const std::int32_t* stages,
                                               std::size_t len, bool keep) {
  for (std::size_t k = 1; k < len; ++k) {
    const auto from = static_cast<std::size_t>(stages[k - 1]);
    const auto to = static_cast<std::size_t>(stages[k]);
    const bool same = from == to;
    if (!same && absorbing[from] != 0) [[unlikely]]
      fail_leaves_absorbing(space, lead_id, from, to, k, len);
    cell[from * n_states + to] += static_cast<std::uint64_t>(!same || (keep && absorbing[from] == 0));
  }
}

/// Groups up to this many events are ordered by rank (branch-free, O(len^2) compares);
/// longer ones by insertion sort.
constexpr std::size_t kRankSortMax = 32;

// One lead's events, in input order: order them by time (stable) and count consecutive
// pairs.  `times`/`stages` are scratch (a long group is sorted in place).
template <class Time>
void count_group(const StageSpace& space, const unsigned char* absorbing, std::uint64_t* cell,
                 std::size_t n_states, std::int64_t lead_id, Time* times, std::int32_t* stages,
                 std::size_t len, bool keep) {
  if (len <= kRankSortMax) {
    unsigned unordered = 0;
    for (std::size_t k = 1; k < len; ++k) unordered |= static_cast<unsigned>(times[k] < times[k - 1]);
    if (unordered == 0) {
      count_pairs(space, absorbing, cell, n_states, lead_id, stages, len, keep);
      return;
    }
    // Shuffled rows: an event's place in time order is the number of events before it
    // (earlier rows with times <= its own, later rows with smaller times: ties keep
    // input order).  No data-dependent branch, unlike an insertion sort of random order.
    std::array<std::int32_t, kRankSortMax> ordered{};
    for (std::size_t i = 0; i < len; ++i) {
      const Time ti = times[i];
      std::size_t rank = 0;
      for (std::size_t j = 0; j < i; ++j) rank += static_cast<std::size_t>(times[j] <= ti);
      for (std::size_t j = i + 1; j < len; ++j) rank += static_cast<std::size_t>(times[j] < ti);
      ordered[rank] = stages[i];
    }
    count_pairs(space, absorbing, cell, n_states, lead_id, ordered.data(), len, keep);
    return;
  }
  // Insertion sort: long groups are usually (nearly) in order already.
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
  count_pairs(space, absorbing, cell, n_states, lead_id, stages, len, keep);
}

// An event time as a signed 64-bit key in the same order, equal times equal keys:
// integers as they are, doubles by their unsigned order key with the sign bit flipped back.
inline std::int64_t order_key(std::int64_t t) noexcept {
  return t;
}
inline std::int64_t order_key(double t) noexcept {
  return static_cast<std::int64_t>(double_order_key(t) ^ (std::uint64_t{1} << 63));
}

#if FUNNELNET_COUNTS_AVX2
// Whether count_partition orders short groups with count_groups_avx2 (this CPU has AVX2,
// and tests have not switched it off).
inline std::atomic<bool>& use_avx2() noexcept {
  static std::atomic<bool> on{__builtin_cpu_supports("avx2") != 0};
  return on;
}

// count_group for every lead of a partition (group g is rows [end[g-1], end[g]) of
// times/stages), with AVX2 for the short unordered groups: a group whose keys span less
// than 2^57 gets distinct keys (key - min) * 32 + input position, so an event's place in
// time order (ties in input order) is the number of smaller keys, counted four events at
// a time.  Other groups take count_group.  One call per partition (not per group).
template <class Time>
__attribute__((target("avx2"))) void count_groups_avx2(const StageSpace& space,
                                                       const unsigned char* absorbing, std::uint64_t* cell,
                                                       std::size_t n_states, const std::uint64_t* lead_of_id,
                                                       const std::uint32_t* end, std::size_t n_leads,
                                                       Time* times, std::int32_t* stages, bool keep) {
  alignas(32) std::array<std::int64_t, kRankSortMax> key{};
  alignas(32) std::array<std::int64_t, kRankSortMax> rank{};
  std::array<std::int32_t, kRankSortMax> ordered{};
  std::uint32_t lo = 0;
  for (std::size_t g = 0; g < n_leads; ++g) {
    const std::uint32_t hi = end[g];
    const std::size_t len = hi - lo;
    Time* const t = times + lo;
    std::int32_t* const s = stages + lo;
    const auto lead_id = static_cast<std::int64_t>(lead_of_id[g]);
    lo = hi;
    if (len <= 1) continue;
    if (len > kRankSortMax) {
      count_group<Time>(space, absorbing, cell, n_states, lead_id, t, s, len, keep);
      continue;
    }
    std::int64_t kmin = order_key(t[0]), kmax = kmin;
    key[0] = kmin;
    unsigned unordered = 0;
    for (std::size_t k = 1; k < len; ++k) {
      const std::int64_t kk = order_key(t[k]);
      unordered |= static_cast<unsigned>(kk < key[k - 1]);
      kmin = std::min(kmin, kk);
      kmax = std::max(kmax, kk);
      key[k] = kk;
    }
    if (unordered == 0) {
      count_pairs(space, absorbing, cell, n_states, lead_id, s, len, keep);
      continue;
    }
    if (static_cast<std::uint64_t>(kmax) - static_cast<std::uint64_t>(kmin) >= (std::uint64_t{1} << 57)) {
      count_group<Time>(space, absorbing, cell, n_states, lead_id, t, s, len, keep);
      continue;
    }
    for (std::size_t k = 0; k < len; ++k)
      key[k] = static_cast<std::int64_t>(
          ((static_cast<std::uint64_t>(key[k]) - static_cast<std::uint64_t>(kmin)) << 5) | k);
    for (std::size_t i0 = 0; i0 < len; i0 += 4) {
      const __m256i ki = _mm256_load_si256(reinterpret_cast<const __m256i*>(key.data() + i0));
      __m256i r = _mm256_setzero_si256();
      for (std::size_t j = 0; j < len; ++j)
        r = _mm256_sub_epi64(r, _mm256_cmpgt_epi64(ki, _mm256_set1_epi64x(key[j])));
      _mm256_store_si256(reinterpret_cast<__m256i*>(rank.data() + i0), r);
    }
    for (std::size_t i = 0; i < len; ++i) ordered[static_cast<std::size_t>(rank[i])] = s[i];
    count_pairs(space, absorbing, cell, n_states, lead_id, ordered.data(), len, keep);
  }
}
#endif

// The hash of a lead id that spreads events over partitions: a multiplication by an odd
// constant (2^64 / golden ratio), a bijection of 64-bit words, so equal hashes mean equal
// ids.  Partitions take its top bits (Fibonacci hashing: sequential and random ids spread
// alike); a partition's lead table mixes the remaining bits again (slot_of).  One
// multiplication per row and pass: the passes hash every row three times.
inline std::uint64_t lead_hash(std::int64_t id) noexcept {
  return static_cast<std::uint64_t>(id) * 0x9e3779b97f4a7c15ULL;
}

// The lead-table slot of a lead hash's low bits `h` in a table of 2^log2_cap slots: the
// top bits of another multiplicative hash (h's low bits alone would depend only on the
// id's low bits).
inline std::size_t slot_of(std::uint64_t h, unsigned log2_cap) noexcept {
  return static_cast<std::size_t>((h * 0xc2b2ae3d27d4eb4fULL) >> (64 - log2_cap));
}

// One event as the partition pass copies it (16 bytes): its lead's hash shifted left by
// the partition bits (the partition holds those top bits) with the stage index in the
// freed low bits, and its time.
template <class Time>
struct EventRecord {
  std::uint64_t key;
  Time t;
};

// A slot of a partition's lead table: a lead hash and its local number (kFreeKey and
// kFreeSlot when empty), side by side so a probe reads one cache line.
struct LeadSlot {
  std::uint64_t key;
  std::uint32_t id;
};
constexpr std::uint32_t kFreeSlot = 0xffffffffU;
constexpr std::uint64_t kFreeKey = ~std::uint64_t{0};

// Per-thread scratch of the partition pass: a lead table in the cache, the rows grouped by
// lead, and the thread's private tallies.
template <class Time>
struct PartitionWork {
  std::vector<LeadSlot> table;            // open addressing: lead hash -> local lead number
  std::vector<std::uint64_t> lead_of_id;  // local lead number -> lead hash
  std::vector<std::uint32_t> id_of_row, start;
  std::vector<Time> tbuf;
  std::vector<std::int32_t> sbuf;
  std::vector<unsigned char> absorbing;  // the space's absorbing flags, as bytes
  Tally tally;
};

// Count the leads of one partition: rows [0, m) of `rec`, in input order.  Leads get local
// numbers through a small hash table (it stays in the cache), a counting sort groups the
// rows by lead keeping their order, and each group is counted.  A lead is named by its
// hash here: the caller's error path finds the user's lead id and row.
// Doubles a lead table of 2^log2_cap slots holding leads [0, n_leads) (their hashes in
// lead_of_id); out of line, so the probe loop keeps its values in registers.
[[gnu::noinline]] inline void grow_lead_table(std::vector<LeadSlot>& table, const std::uint64_t* lead_of_id,
                                              std::uint32_t n_leads, unsigned log2_cap) {
  table.assign(std::size_t{1} << log2_cap, LeadSlot{kFreeKey, kFreeSlot});
  const std::size_t mask = table.size() - 1;
  for (std::uint32_t e = 0; e < n_leads; ++e) {
    std::size_t j = slot_of(lead_of_id[e], log2_cap);
    while (table[j].id != kFreeSlot) j = (j + 1) & mask;
    table[j] = LeadSlot{lead_of_id[e], e};
  }
}

template <class Time>
void count_partition(const StageSpace& space, PartitionWork<Time>& w, const EventRecord<Time>* rec,
                     std::size_t m, unsigned bits, bool keep) {
  const std::uint64_t stage_mask = (std::uint64_t{1} << bits) - 1;
  const std::size_t n_states = space.size();
  unsigned log2_cap = 6;
  while ((std::size_t{1} << log2_cap) < m / 4) ++log2_cap;  // leads usually have several events
  w.table.assign(std::size_t{1} << log2_cap, LeadSlot{kFreeKey, kFreeSlot});
  if (w.id_of_row.size() < m) {
    w.id_of_row.resize(m);
    w.tbuf.resize(m);
    w.sbuf.resize(m);
    w.lead_of_id.resize(m);  // at most one lead per row
  }
  w.start.assign(m + 1, 0);
  std::uint32_t* const id_of_row = w.id_of_row.data();
  std::uint32_t* const start = w.start.data();
  std::uint64_t* const lead_of_id = w.lead_of_id.data();
  LeadSlot* table = w.table.data();
  std::size_t mask = w.table.size() - 1;
  std::uint32_t n_leads = 0;
  for (std::size_t q = 0; q < m; ++q) {
    const std::uint64_t h = rec[q].key >> bits;  // the hash's low bits identify the lead here
    std::size_t i = slot_of(h, log2_cap);
    std::uint32_t g;
    while (true) {
      const LeadSlot slot = table[i];
      if (slot.key == h) {  // a free slot's key (all ones) is no hash: h < 2^(64 - bits)
        g = slot.id;
        break;
      }
      if (slot.id == kFreeSlot) {
        g = n_leads++;
        table[i] = LeadSlot{h, g};
        lead_of_id[g] = h;
        if (2 * std::size_t{n_leads} > mask + 1) [[unlikely]] {  // keep the load at most 1/2
          grow_lead_table(w.table, lead_of_id, n_leads, ++log2_cap);
          table = w.table.data();
          mask = w.table.size() - 1;
        }
        break;
      }
      i = (i + 1) & mask;
    }
    id_of_row[q] = g;
    ++start[g + 1];
  }
  for (std::size_t g = 0; g < n_leads; ++g) start[g + 1] += start[g];
  Time* const tbuf = w.tbuf.data();
  std::int32_t* const sbuf = w.sbuf.data();
  for (std::size_t q = 0; q < m; ++q) {  // stable: a lead's rows keep their input order
    const std::uint32_t pos = start[id_of_row[q]]++;
    tbuf[pos] = rec[q].t;
    sbuf[pos] = static_cast<std::int32_t>(rec[q].key & stage_mask);
  }
#if FUNNELNET_COUNTS_AVX2
  if (use_avx2().load(std::memory_order_relaxed)) {
    count_groups_avx2<Time>(space, w.absorbing.data(), w.tally.data(), n_states, w.lead_of_id.data(),
                            w.start.data(), n_leads, w.tbuf.data(), w.sbuf.data(), keep);
    return;
  }
#endif
  std::uint32_t lo = 0;  // start[g] is now the end of lead g's rows
  for (std::size_t g = 0; g < n_leads; ++g) {
    const std::uint32_t hi = w.start[g];
    if (hi - lo > 1)
      count_group<Time>(space, w.absorbing.data(), w.tally.data(), n_states,
                        static_cast<std::int64_t>(w.lead_of_id[g]), w.tbuf.data() + lo, w.sbuf.data() + lo,
                        hi - lo, keep);
    lo = hi;
  }
}

// Shape of the partitioned count: rows are split into fixed chunks (independent of the
// thread count) and, by the top bits of their lead's hash, into cache-sized partitions.
struct PartitionPlan {
  unsigned bits = 1;  // partition = lead_hash >> (64 - bits); stage codes fit in `bits` bits
  std::size_t n_parts = 2;
  std::size_t n_chunks = 1;
  std::size_t chunk_rows = 0;
  [[nodiscard]] std::size_t part(std::int64_t id) const noexcept {
    return static_cast<std::size_t>(lead_hash(id) >> (64 - bits));
  }
  [[nodiscard]] std::size_t chunk_begin(std::size_t c, std::size_t n) const noexcept {
    return std::min(n, c * chunk_rows);
  }
};

/// Most partitions (2^kMaxPartitionBits): stage spaces whose codes need more bits take
/// the sorting fallback.
constexpr unsigned kMaxPartitionBits = 16;

/// Rows per partition (512 KiB of records): a partition's lead table and grouped rows stay
/// in the L2 cache.
constexpr std::size_t kPartitionRows = std::size_t{1} << 15;

inline PartitionPlan plan_partitions(std::size_t n, std::size_t n_states) {
  PartitionPlan p;
  // About kPartitionRows rows per partition, and enough bits for a stage code.
  while ((n >> p.bits) > kPartitionRows && p.bits < 14) ++p.bits;
  while (p.bits < 63 && (std::uint64_t{1} << p.bits) < n_states) ++p.bits;
  p.n_parts = std::size_t{1} << std::min(p.bits, kMaxPartitionBits);
  p.n_chunks = std::clamp<std::size_t>(std::min(n >> 16, (std::size_t{1} << 22) / p.n_parts), 1, 64);
  p.chunk_rows = (n + p.n_chunks - 1) / p.n_chunks;
  return p;
}

// The scatter's records: uninitialised memory on a cache line and, when large, on huge
// pages where the kernel gives them on request (Linux transparent huge pages in "madvise"
// mode): the scatter writes to hundreds of places at once, and 2 MiB pages keep them in
// the TLB and take a few page faults per call instead of one per 4 KiB.
class ScatterBuffer {
 public:
  explicit ScatterBuffer(std::size_t bytes) {
    constexpr std::size_t kHuge = std::size_t{1} << 21;
    align_ = bytes >= kHuge ? kHuge : 64;
    const std::size_t size = (std::max<std::size_t>(bytes, 1) + align_ - 1) / align_ * align_;
    data_ = ::operator new (size, std::align_val_t{align_});  // throws std::bad_alloc
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align_ == kHuge) (void)madvise(data_, size, MADV_HUGEPAGE);  // a hint: no huge pages is fine
#endif
  }
  ScatterBuffer(const ScatterBuffer&) = delete;
  ScatterBuffer& operator=(const ScatterBuffer&) = delete;
  ScatterBuffer(ScatterBuffer&&) = delete;
  ScatterBuffer& operator=(ScatterBuffer&&) = delete;
  ~ScatterBuffer() {
    ::operator delete (data_, std::align_val_t{align_});
  }
  [[nodiscard]] void* data() const noexcept {
    return data_;
  }

 private:
  void* data_ = nullptr;
  std::size_t align_ = 64;
};

/// Records per 64-byte cache line.
constexpr std::size_t kLineRecords = 4;

// The first record of `p` on a cache line (p has kLineRecords spare records after the
// ones it needs).
template <class Time>
EventRecord<Time>* align_to_line(EventRecord<Time>* p) noexcept {
  static_assert(sizeof(EventRecord<Time>) * kLineRecords == 64, "four 16-byte records per cache line");
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  return p + (((a + 63) & ~std::uintptr_t{63}) - a) / sizeof(EventRecord<Time>);
}

// Copy records [q0, q1) of a partition's line buffer `line` (record q at line[q % 4]) to
// out[q0, q1): a whole aligned line with streaming stores (no read for ownership, the
// cache keeps the lines still being filled), part of one with plain stores.
template <class Time>
[[gnu::always_inline]] inline void flush_line(EventRecord<Time>* out, const EventRecord<Time>* line,
                                              std::size_t q0, std::size_t q1) noexcept {
#if defined(__SSE2__)
  if (q1 - q0 == kLineRecords) {
    for (std::size_t i = 0; i < kLineRecords; ++i)
      _mm_stream_si128(reinterpret_cast<__m128i*>(out + q0 + i),
                       _mm_load_si128(reinterpret_cast<const __m128i*>(line + i)));
    return;
  }
#endif
  for (std::size_t q = q0; q < q1; ++q) out[q] = line[q % kLineRecords];
}

// One record into a line buffer as one 16-byte store: flush_line reads it back with a
// 16-byte load, which the CPU forwards from one store but not from two 8-byte ones (a
// stall of a dozen cycles per line).
template <class Time>
[[gnu::always_inline]] inline void store_record(EventRecord<Time>* to,
                                                const EventRecord<Time>& rec) noexcept {
#if defined(__SSE2__)
  _mm_store_si128(reinterpret_cast<__m128i*>(to),
                  _mm_set_epi64x(std::bit_cast<std::int64_t>(rec.t), static_cast<std::int64_t>(rec.key)));
#else
  *to = rec;
#endif
}

// The scatter of one chunk's rows [r0, r1) into partitions p0 .. p0 + np (`All`: every
// partition, np == n_parts): row r goes to out[cur[p - p0]++], in input order.  Rows are
// gathered per partition in a cache-line buffer (software write combining) and written a
// line at a time; without `All`, rows of other partitions go to the spare entry np, whose
// position (cur[np], 1) never completes a line.
template <bool All, class Time, class Stages>
void scatter_chunk(std::span<const std::int64_t> lead, std::span<const Time> time, const Stages& stage,
                   std::size_t r0, std::size_t r1, unsigned bits, std::size_t p0, std::size_t np,
                   EventRecord<Time>* out, std::uint32_t* cur) {
  std::vector<std::uint32_t> first(cur, cur + np);  // the chunk's first position per partition
  std::unique_ptr<EventRecord<Time>[]> lines_storage(new EventRecord<Time>[(np + 2) * kLineRecords]);
  EventRecord<Time>* const lines = align_to_line(lines_storage.get());
  // Local copies: the stores below could alias the caller's objects, so the compiler would
  // reload them from memory on every row.
  const Stages st = stage;
  const std::int64_t* const lead_p = lead.data();
  const Time* const time_p = time.data();
  for (std::size_t r = r0; r < r1; ++r) {
    const std::uint64_t h = lead_hash(lead_p[r]);
    const auto rec = EventRecord<Time>{(h << bits) | st(r), time_p[r]};
    const std::size_t k = static_cast<std::size_t>(h >> (64 - bits)) - p0;
    std::size_t j = k;
    std::uint32_t step = 1;
    if constexpr (!All) {  // branch-free: rows of other partitions to the spare entry
      const bool in = k < np;
      j = in ? k : np;
      step = static_cast<std::uint32_t>(in);
    }
    const std::uint32_t pos = cur[j];
    EventRecord<Time>* line = lines + j * kLineRecords;
    store_record(line + pos % kLineRecords, rec);
    cur[j] = pos + step;
    if ((pos + step) % kLineRecords == 0 && step != 0) {
      const std::size_t end = pos + 1;
      flush_line(out, line, std::max<std::size_t>(first[j], end - kLineRecords), end);
    }
  }
  for (std::size_t j = 0; j < np; ++j) {  // the partial last lines
    const std::size_t end = cur[j];
    flush_line(out, lines + j * kLineRecords,
               std::max<std::size_t>(first[j], end / kLineRecords * kLineRecords), end);
  }
#if defined(__SSE2__)
  _mm_sfence();  // the streaming stores are visible before the partitions are read
#endif
}

// Events in any order: one parallel pass counts rows per (chunk, partition) (`hist`, from
// the caller), then passes over ranges of partitions copy each partition's rows (in input
// order) into a buffer of at most about half the events (8 bytes per event), and threads
// count whole partitions into private tallies that are added at the end (integers, so
// exact).  Every step depends on the chunk and partition split only, never on the thread
// count.
template <class Time, class Stages>
void count_partitioned(const StageSpace& space, Tally& total, std::span<const std::int64_t> lead,
                       std::span<const Time> time, const Stages& stage, bool keep, unsigned n_threads,
                       const PartitionPlan& plan, const std::vector<std::uint32_t>& hist) {
  const std::size_t n = lead.size(), n_parts = plan.n_parts, n_chunks = plan.n_chunks;
  const unsigned bits = plan.bits;
  std::vector<std::size_t> part_rows(n_parts, 0);
  for (std::size_t c = 0; c < n_chunks; ++c)
    for (std::size_t p = 0; p < n_parts; ++p) part_rows[p] += hist[c * n_parts + p];
  const std::size_t largest = *std::max_element(part_rows.begin(), part_rows.end());
  // Two passes (8 bytes of records per event), four above 2^25 events (4 bytes per event).
  const std::size_t n_passes = n > (std::size_t{1} << 25) ? 4 : 2;
  const std::size_t slots = std::min(n, n / n_passes + 1 + largest);
  // Not value-initialised: every slot a partition reads was written by the scatter.
  const ScatterBuffer storage(slots * sizeof(EventRecord<Time>));
  auto* const buf = static_cast<EventRecord<Time>*>(storage.data());
  std::vector<PartitionWork<Time>> work(n_threads);
  for (auto& w : work) {
    w.tally.assign(total.size(), 0);
    w.absorbing = absorbing_bytes(space);
  }
  std::vector<std::size_t> part_begin(n_parts + 1);

  for (std::size_t p0 = 0; p0 < n_parts;) {
    std::size_t p1 = p0, used = 0;
    while (p1 < n_parts && (p1 == p0 || used + part_rows[p1] <= slots)) used += part_rows[p1++];
    const std::size_t np = p1 - p0;
    const bool all = (np == n_parts);
    // Offsets: partition-major, then chunk order, so each partition is in input order.
    std::vector<std::uint32_t> offset(n_chunks * (np + 1));
    std::size_t at = 0;
    for (std::size_t p = p0; p < p1; ++p) {
      part_begin[p - p0] = at;
      for (std::size_t c = 0; c < n_chunks; ++c) {
        offset[c * (np + 1) + (p - p0)] = static_cast<std::uint32_t>(at);
        at += hist[c * n_parts + p];
      }
    }
    part_begin[np] = at;
    // The spare entry of every chunk (rows of other partitions) never completes a line.
    for (std::size_t c = 0; c < n_chunks; ++c) offset[c * (np + 1) + np] = 1;
    parallel_for(n_chunks, static_cast<int>(n_threads), [&](std::size_t c) {
      std::uint32_t* cur = offset.data() + c * (np + 1);
      const std::size_t r0 = plan.chunk_begin(c, n), r1 = plan.chunk_begin(c + 1, n);
      if (all)
        scatter_chunk<true, Time>(lead, time, stage, r0, r1, bits, 0, np, buf, cur);
      else
        scatter_chunk<false, Time>(lead, time, stage, r0, r1, bits, p0, np, buf, cur);
    });
    std::atomic<std::size_t> next{0};
    parallel_for(n_threads, static_cast<int>(n_threads), [&](std::size_t t) {
      PartitionWork<Time>& w = work[t];
      for (std::size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < np;)
        count_partition<Time>(space, w, buf + part_begin[k], part_begin[k + 1] - part_begin[k], bits, keep);
    });
    p0 = p1;
  }
  for (const auto& w : work)
    for (std::size_t k = 0; k < total.size(); ++k) total[k] += w.tally[k];
}

// Events in any order when stage codes need more than kMaxPartitionBits bits (very large
// stage spaces): sort the log by (lead, time) and count each lead's events.
template <class Time>
void count_sorted_log(const StageSpace& space, Tally& tally, std::span<const std::int64_t> lead,
                      std::span<const Time> time, std::span<const std::int32_t> stage, bool keep) {
  const auto log = SortedEventLog<Time>::borrow(lead, time, stage, static_cast<std::int32_t>(space.size()),
                                                "stage", "lead");
  const auto absorbing = absorbing_bytes(space);
  const auto codes = log.codes();
  for (std::size_t g = 0; g < log.entities(); ++g) {
    const std::size_t k0 = log.offsets()[g], k1 = log.offsets()[g + 1];
    if (k1 - k0 > 1)
      count_pairs(space, absorbing.data(), tally.data(), space.size(), log.entity_ids()[g], codes.data() + k0,
                  k1 - k0, keep);
  }
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

// The stage column as int32 stage indices, for the paths that need them as an array (the
// sorting fallback, the error path): the column itself, or a mapped copy.
inline std::span<const std::int32_t> stage_indices(const DirectStages& s, std::size_t n,
                                                   std::vector<std::int32_t>& /*storage*/) {
  return {s.code, n};
}
template <class Code>
std::span<const std::int32_t> stage_indices(const MappedStages<Code>& s, std::size_t n,
                                            std::vector<std::int32_t>& storage) {
  storage.resize(n);
  for (std::size_t r = 0; r < n; ++r) storage[r] = static_cast<std::int32_t>(s.lookup(r));
  return storage;
}

// The first row whose stage is not a stage index (there is one): a typed error naming it.
inline void throw_bad_stage(const DirectStages& s, std::size_t n, std::int32_t n_states) {
  detail::require_codes_in_range({s.code, n}, n_states, "stage");
}
template <class Code>
void throw_bad_stage(const MappedStages<Code>& s, std::size_t n, std::int32_t n_states) {
  for (std::size_t r = 0; r < n; ++r)
    if (s.lookup(r) >= static_cast<std::uint32_t>(n_states))
      fail(Errc::unknown_label, "stage: row ", r, " has code ", static_cast<std::int64_t>(s.code[r]),
           ", which maps to no stage");
}

// from_events for either kind of stage column: validate, then count the sorted log in one
// pass or partition it by lead.
template <class Time, class Stages>
void count_events(const StageSpace& sp, Matrix& counts, std::span<const std::int64_t> lead,
                  std::span<const Time> time, const Stages& stage, Repeats repeats, int threads) {
  const std::size_t n = lead.size();
  const auto n_states = static_cast<std::int32_t>(sp.size());
  const bool keep = repeats == Repeats::keep;

  // Pass 1, over fixed chunks in parallel (branch-free, vectorised): validate values, see
  // whether rows are already in (lead, time) order, and count rows per (chunk, partition)
  // for the partition pass; locate the first bad row only if there is one.
  const auto plan = plan_partitions(n, static_cast<std::size_t>(n_states));
  const unsigned n_threads = resolve_threads(threads, n, std::uint64_t{1} << 17);
  std::vector<std::uint32_t> hist(plan.n_chunks * plan.n_parts, 0);
  std::vector<unsigned char> chunk_bad(plan.n_chunks, 0), chunk_unsorted(plan.n_chunks, 0);
  parallel_for(plan.n_chunks, static_cast<int>(n_threads), [&](std::size_t c) {
    const std::size_t c0 = plan.chunk_begin(c, n), c1 = plan.chunk_begin(c + 1, n);
    unsigned bad = 0, out_of_order = 0;
    std::uint32_t* h = hist.data() + c * plan.n_parts;
    const unsigned part_shift = 64 - plan.bits;
    const std::int64_t* const lead_p = lead.data();
    // Blocks of rows small enough that the loops below find them in the L1/L2 cache (each
    // loop on its own stays branch-free and vectorised; the columns are read from memory
    // once).
    constexpr std::size_t kBlock = 4096;
    for (std::size_t r0 = c0; r0 < c1; r0 += kBlock) {
      const std::size_t r1 = std::min(c1, r0 + kBlock);
      // The next block's columns into the L2 cache while this one is checked: the loops
      // below stall on memory otherwise (the hardware prefetcher starts each column anew).
      // Integer times are read only for the order check, which stops at the chunk's
      // first row out of order (a shuffled log: its first block): then the time column is
      // not read at all here.
      const bool read_time = std::is_floating_point_v<Time> || out_of_order == 0;
      for (std::size_t r = r1, e = std::min(c1, r1 + kBlock); r < e; r += 8) {
        __builtin_prefetch(lead.data() + r, 0, 2);
        if (read_time) __builtin_prefetch(time.data() + r, 0, 2);
      }
      for (std::size_t r = r1, e = std::min(c1, r1 + kBlock); r < e; r += 64 / sizeof(*stage.code))
        __builtin_prefetch(stage.code + r, 0, 2);
      bad |= stage.invalid(r0, r1, static_cast<std::uint32_t>(n_states));
      if constexpr (std::is_floating_point_v<Time>)
        for (std::size_t r = r0; r < r1; ++r) bad |= static_cast<unsigned>(!std::isfinite(time[r]));
      // Bitwise on unsigned values, not bools: branch-free (vectorised) and no
      // -Wbitwise-instead-of-logical.
      if (out_of_order == 0)
        for (std::size_t r = std::max<std::size_t>(r0, 1); r < r1; ++r)
          out_of_order |=
              static_cast<unsigned>(lead[r] < lead[r - 1]) |
              (static_cast<unsigned>(lead[r] == lead[r - 1]) & static_cast<unsigned>(time[r] < time[r - 1]));
      if (part_shift >= 64 - kMaxPartitionBits)  // a local shift: h's stores cannot alias it
        for (std::size_t r = r0; r < r1; ++r) ++h[lead_hash(lead_p[r]) >> part_shift];
    }
    chunk_bad[c] = static_cast<unsigned char>(bad != 0);
    chunk_unsorted[c] = static_cast<unsigned char>(out_of_order != 0);
  });
  if (std::find(chunk_bad.begin(), chunk_bad.end(), 1) != chunk_bad.end()) {
    throw_bad_stage(stage, n, n_states);
    if constexpr (std::is_floating_point_v<Time>)
      for (std::size_t r = 0; r < n; ++r)
        if (!std::isfinite(time[r]))
          fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
  }
  const bool sorted = std::find(chunk_unsorted.begin(), chunk_unsorted.end(), 1) == chunk_unsorted.end();

  Tally tally(sp.size() * sp.size(), 0);
  auto count = [&] {
    if (sorted) {
      // Already in (lead, time) order: one sequential pass.
      const auto absorbing = absorbing_bytes(sp);
      std::vector<std::int32_t> sb;
      std::size_t k = 0;
      while (k < n) {
        std::size_t end = k + 1;
        while (end < n && lead[end] == lead[k]) ++end;
        if (end - k > 1) {
          sb.resize(end - k);
          for (std::size_t r = k; r < end; ++r) sb[r - k] = static_cast<std::int32_t>(stage(r));
          count_pairs(sp, absorbing.data(), tally.data(), sp.size(), lead[k], sb.data(), end - k, keep);
        }
        k = end;
      }
      return;
    }
    if (plan.bits > kMaxPartitionBits) {
      std::vector<std::int32_t> storage;
      count_sorted_log<Time>(sp, tally, lead, time, stage_indices(stage, n, storage), keep);
    } else {
      count_partitioned<Time>(sp, tally, lead, time, stage, keep, n_threads, plan, hist);
    }
  };
  try {
    count();
  } catch (const Error&) {
    // Only a lead leaving an absorbing stage fails here; the fast path does not keep row
    // numbers, so find the user's row (error path only, no cost otherwise).
    std::vector<std::int32_t> storage;
    throw_naming_row<Time>(sp, lead, time, stage_indices(stage, n, storage));
    throw;
  }
  add_tally(counts, tally);
}

// The checks every from_events call starts with.
inline void check_event_log(std::size_t n, std::size_t n_time, std::size_t n_stage, Repeats repeats) {
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(n_time, n, "time column");
  require_size(n_stage, n, "stage column");
  if (repeats != Repeats::keep && repeats != Repeats::collapse)
    fail(Errc::invalid_argument, "repeats must be keep (0) or collapse (1), got ", static_cast<int>(repeats));
  if (n >= std::numeric_limits<std::uint32_t>::max())
    fail(Errc::invalid_argument,
         "more than 2^32-2 events in one call; split the log by lead and merge the counts");
}

}  // namespace detail::counts_impl

namespace detail {
bool counts_avx2_supported() noexcept {
#if FUNNELNET_COUNTS_AVX2
  return __builtin_cpu_supports("avx2") != 0;
#else
  return false;
#endif
}

bool set_counts_avx2(bool on) noexcept {
#if FUNNELNET_COUNTS_AVX2
  return counts_impl::use_avx2().exchange(on && counts_avx2_supported());
#else
  (void)on;
  return false;
#endif
}
}  // namespace detail

template <class Time>
TransitionCounts TransitionCounts::from_events(StageSpace space, std::span<const std::int64_t> lead,
                                               std::span<const Time> time,
                                               std::span<const std::int32_t> stage, Repeats repeats,
                                               int threads) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  namespace impl = detail::counts_impl;
  impl::check_event_log(lead.size(), time.size(), stage.size(), repeats);
  TransitionCounts c = zeros(std::move(space));
  impl::count_events<Time>(c.space_, c.counts_, lead, time, impl::DirectStages{stage.data()}, repeats,
                           threads);
  return c;
}

template <class Time, class Code>
TransitionCounts TransitionCounts::from_events(StageSpace space, std::span<const std::int64_t> lead,
                                               std::span<const Time> time, StageCodes<Code> stage,
                                               Repeats repeats, int threads) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  static_assert(std::is_integral_v<Code> && std::is_signed_v<Code>, "stage codes must be signed integers");
  namespace impl = detail::counts_impl;
  impl::check_event_log(lead.size(), time.size(), stage.codes.size(), repeats);
  if (stage.map.size() >= (std::size_t{1} << 31))
    fail(Errc::invalid_argument, "the stage code map has ", stage.map.size(), " entries; at most 2^31 - 1");
  std::vector<std::int32_t> map(stage.map.begin(), stage.map.end());
  map.push_back(-1);  // the sentinel every out-of-table code maps to
  TransitionCounts c = zeros(std::move(space));
  const bool every_entry_valid = std::all_of(stage.map.begin(), stage.map.end(), [&](std::int32_t k) {
    return k >= 0 && static_cast<std::size_t>(k) < c.space_.size();
  });
  bool identity = stage.base == 0;
  for (std::size_t k = 0; k < stage.map.size(); ++k)
    identity = identity && stage.map[k] == static_cast<std::int32_t>(k);
  const impl::MappedStages<Code> mapped{
      stage.codes.data(), map.data(),        static_cast<std::uint64_t>(stage.base),
      stage.map.size(),   every_entry_valid, identity};
  impl::count_events<Time>(c.space_, c.counts_, lead, time, mapped, repeats, threads);
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

#define FUNNELNET_COUNTS_INSTANTIATE_(Time, Code)                      \
  template TransitionCounts TransitionCounts::from_events<Time, Code>( \
      StageSpace, std::span<const std::int64_t>, std::span<const Time>, StageCodes<Code>, Repeats, int);
FUNNELNET_COUNTS_CODE_TYPES(FUNNELNET_COUNTS_INSTANTIATE_)
#undef FUNNELNET_COUNTS_INSTANTIATE_

FUNNELNET_END
