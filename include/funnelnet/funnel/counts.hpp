// TransitionCounts: how often leads moved from stage i to stage j.  Counts are the
// sufficient statistic of a Markov funnel and they are mergeable: counting two
// partitions and adding them equals counting their union, so fitting scales out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/core/paths.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// What to do with an event that repeats the lead's current stage (or a path step that
/// repeats the previous stage).
enum class Repeats : int {
  keep = 0,      ///< count it as a self-transition i -> i (sequences of states)
  collapse = 1,  ///< ignore it: only changes of stage are transitions (status logs)
};

/// A stage column given as raw integer codes with the table that maps them to stage
/// indices: row r is in stage `map[codes[r] - base]`.  `Code` is std::int8_t,
/// std::int16_t, std::int32_t or std::int64_t (a pandas Categorical's codes, a CRM's
/// stage ids), so no int32 copy of the column is needed.  A code outside
/// [base, base + map.size()) or mapped to an index outside the stage space is an error
/// naming the row (Errc::unknown_label).
template <class Code>
struct StageCodes {
  std::span<const Code> codes;        ///< one code per event
  std::span<const std::int32_t> map;  ///< stage index of code base + k at map[k]
  std::int64_t base = 0;              ///< the code that map[0] belongs to
};

class TransitionCounts {
 public:
  TransitionCounts() = default;

  /// Counts from a square matrix over `space`; every entry must be finite and >= 0 and
  /// absorbing states must have no exits to other states.
  TransitionCounts(StageSpace space, Matrix counts);

  /// An all-zero count table over `space`.
  static TransitionCounts zeros(StageSpace space);

  /// Counts from paths given as stage indices in CSR form: path p is
  /// stages[offsets[p] .. offsets[p+1]), observed weights[p] times (weights may be
  /// empty: each path once).  A path must not continue after an absorbing stage.
  /// Validated as a core `LabelPaths` over the space's stages (errors "path 2, step 0: stage
  /// index 9 is outside [0, 5)", "weight of path 1 must be finite and >= 0").
  static TransitionCounts from_paths(StageSpace space, std::span<const std::int32_t> stages,
                                     std::span<const std::int64_t> offsets,
                                     std::span<const double> weights = {}, Repeats repeats = Repeats::keep);

  /// Counts from a validated core path set whose labels are the space's stages, in the
  /// space's order (e.g. `LabelPaths::parse(strings, ">", space.names(), weights,
  /// PathWords::stages())`); each path counts `paths.weight(p)` times.  Errors:
  /// invalid_argument when the labels differ from the space's stages, or a path
  /// continues after an absorbing stage ("path 0, step 1: the path continues after
  /// absorbing stage 'won'").
  static TransitionCounts from_paths(StageSpace space, const LabelPaths& paths,
                                     Repeats repeats = Repeats::keep);

  /// Counts from an event log: row r says lead[r] was in stage[r] at time[r].  Rows may
  /// come in any order; per lead they are ordered by time (ties keep input order) and
  /// each consecutive pair of events is one transition.  `Time` is std::int64_t (e.g.
  /// nanoseconds since the epoch) or double (e.g. days); both are compiled into the core
  /// library.  Linear time: rows are partitioned by a hash of the lead id into cache-sized
  /// partitions (any 64-bit ids, no global id map) in two passes (four above 2^25 rows),
  /// scratch memory 8 bytes per event (4 above 2^25); rows already in (lead, time) order
  /// take one sequential pass.  `threads` threads (0 = as many as the work warrants, up to
  /// all cores); the result does not depend on the thread count.
  template <class Time>
  static TransitionCounts from_events(StageSpace space, std::span<const std::int64_t> lead,
                                      std::span<const Time> time, std::span<const std::int32_t> stage,
                                      Repeats repeats = Repeats::collapse, int threads = 0);

  /// The same count with the stage column as raw codes and a code map (`StageCodes`):
  /// equal to mapping the codes to int32 indices first and calling the overload above,
  /// without that copy.  Compiled for std::int64_t and double times and std::int8_t,
  /// std::int16_t, std::int32_t and std::int64_t codes.
  template <class Time, class Code>
  static TransitionCounts from_events(StageSpace space, std::span<const std::int64_t> lead,
                                      std::span<const Time> time, StageCodes<Code> stage,
                                      Repeats repeats = Repeats::collapse, int threads = 0);

  /// The sum of two count tables over the same stage space.
  [[nodiscard]] TransitionCounts merged(const TransitionCounts& other) const;

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
/// Whether from_events may order the short lead groups of a shuffled log with its AVX2
/// kernel (on by default where the CPU has AVX2; the portable loop otherwise, with the
/// same counts).  `set_counts_avx2` returns the previous setting and ignores `on` where
/// the CPU or build has no AVX2.  Meant for tests and benchmarks: it changes every
/// thread's choice.
[[nodiscard]] bool counts_avx2_supported() noexcept;
bool set_counts_avx2(bool on) noexcept;
}  // namespace detail

// Compiled into funnelnet::core (src/funnel/counts.cpp) for these time types.
extern template TransitionCounts TransitionCounts::from_events<std::int64_t>(StageSpace,
                                                                             std::span<const std::int64_t>,
                                                                             std::span<const std::int64_t>,
                                                                             std::span<const std::int32_t>,
                                                                             Repeats, int);
extern template TransitionCounts TransitionCounts::from_events<double>(StageSpace,
                                                                       std::span<const std::int64_t>,
                                                                       std::span<const double>,
                                                                       std::span<const std::int32_t>, Repeats,
                                                                       int);

// The (time, stage code) types from_events<Time, Code> is compiled for, as X(Time, Code):
// declared here, instantiated in src/funnel/counts.cpp from the same list.
#define FUNNELNET_COUNTS_CODE_TYPES(X) \
  X(std::int64_t, std::int8_t)         \
  X(std::int64_t, std::int16_t)        \
  X(std::int64_t, std::int32_t)        \
  X(std::int64_t, std::int64_t)        \
  X(double, std::int8_t)               \
  X(double, std::int16_t)              \
  X(double, std::int32_t)              \
  X(double, std::int64_t)
#define FUNNELNET_COUNTS_EXTERN_(Time, Code)                                  \
  extern template TransitionCounts TransitionCounts::from_events<Time, Code>( \
      StageSpace, std::span<const std::int64_t>, std::span<const Time>, StageCodes<Code>, Repeats, int);
FUNNELNET_COUNTS_CODE_TYPES(FUNNELNET_COUNTS_EXTERN_)
#undef FUNNELNET_COUNTS_EXTERN_

FUNNELNET_END
