// Heuristic (rule-based) attribution: first touch, last touch, linear, time decay and
// position based.  Each path's conversions and value are split over its touches by a
// fixed rule and summed per channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/attribution/paths.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/counts.hpp"  // Repeats

FUNNELNET_BEGIN

/// The rules, in the column order of HeuristicResult.
enum class Heuristic : int {
  first_touch = 0,     ///< all credit to the first touch
  last_touch = 1,      ///< all credit to the last touch
  linear = 2,          ///< equal credit to every touch (a channel touched twice gets two shares)
  time_decay = 3,      ///< credit proportional to 2^(-age / half_life)
  position_based = 4,  ///< first_weight to the first touch, last_weight to the last, the rest shared
};
inline constexpr int n_heuristics = 5;

/// Options of heuristic attribution.
struct HeuristicOptions {
  /// Repeated consecutive touches of one channel: keep each (default), or collapse a run
  /// into one touch (the run's most recent age is kept for time decay).
  Repeats repeats = Repeats::keep;
  /// Half-life of time decay, in the unit of the touch ages: touches by default (the
  /// last touch has age 0, the one before age 1, ...), or the event log's time unit.
  double half_life = 1.0;
  /// Position-based weights of the first and last touch; the middle touches share
  /// 1 - first - last equally.  A two-touch path splits first : last; a single touch gets all.
  double first_weight = 0.4;
  double last_weight = 0.4;
};

/// Attributed conversions and value: n_channels x 5 matrices, columns in Heuristic order.
struct HeuristicResult {
  Matrix conversions;
  Matrix value;
};

/// Heuristic attribution of `paths`.  `age` (may be empty) gives, per touch, the time
/// from the touch to the end of its journey (Journeys::age); without it ages count
/// touches from the end.  Errors: invalid_argument for a half-life <= 0, weights outside
/// [0, 1] or summing above 1, negative ages; shape_mismatch for `age`.
HeuristicResult heuristic_attribution(const PathSet& paths, const HeuristicOptions& options = {},
                                      std::span<const double> age = {});

FUNNELNET_END
