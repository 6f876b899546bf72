// Continuous-time funnels: a generator matrix Q fitted by maximum likelihood from the
// exposure time spent in each stage and the counted exits, with open leads
// right-censored exactly.
//
// For a continuous-time Markov chain observed continuously, the log-likelihood is
//   sum_i [ sum_{j != i} n_ij log q_ij  -  q_i T_i ],   q_i = sum_{j != i} q_ij,
// where n_ij counts the moves i -> j and T_i is the total time spent in i, including the
// time an open lead has spent in its current stage up to the cut-off (its censored
// sojourn contributes the survival factor exp(-q_i c) and nothing else).  The maximum is
// q_ij = n_ij / T_i.  The transition matrix for a horizon t is P(t) = exp(Q t).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// Sufficient statistics of a continuous-time funnel: exit counts n_ij (i != j) and the
/// exposure T_i (total time spent in each stage).  Mergeable: counts and exposures add.
class ExposureCounts {
 public:
  ExposureCounts() = default;

  /// From an n x n count matrix (diagonal must be 0; absorbing rows all 0) and one
  /// exposure per state (finite, >= 0).
  ExposureCounts(StageSpace space, Matrix counts, Vector exposure);

  /// Exposure and exits from an event log: row r says lead[r] entered stage[r] at
  /// time[r].  Rows may come in any order: they are grouped by lead and sorted by time
  /// once (a SortedEventLog; ties keep row order).  A lead whose last stage is transient
  /// is open: its time in that stage runs to `cutoff` (default: the latest event time)
  /// and no exit is counted.  The cut-off rule is the same everywhere: events at or
  /// before the cut-off are observed, and a cut-off before an event is an error naming
  /// the row.  Exposure is measured in units of `time_unit` time steps (e.g. 86400e9 for
  /// days from nanosecond times).  Errors as for period_counts().  `threads`: 0 = from
  /// the work; the result does not depend on it.  `Time` is std::int64_t or double.
  template <class Time>
  static ExposureCounts from_events(StageSpace space, std::span<const std::int64_t> lead,
                                    std::span<const Time> time, std::span<const std::int32_t> stage,
                                    std::optional<Time> cutoff = std::nullopt, double time_unit = 1.0,
                                    int threads = 0);

  /// The sum of two tables over the same stage space.
  [[nodiscard]] ExposureCounts merged(const ExposureCounts& other) const;

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& matrix() const noexcept { return counts_; }
  [[nodiscard]] const Vector& exposure() const noexcept { return exposure_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }

 private:
  StageSpace space_;
  Matrix counts_;
  Vector exposure_;
};

// Compiled into funnelnet::core (src/funnel/continuous.cpp) for these time types.
extern template ExposureCounts ExposureCounts::from_events<std::int64_t>(
    StageSpace, std::span<const std::int64_t>, std::span<const std::int64_t>, std::span<const std::int32_t>,
    std::optional<std::int64_t>, double, int);
extern template ExposureCounts ExposureCounts::from_events<double>(StageSpace, std::span<const std::int64_t>,
                                                                   std::span<const double>,
                                                                   std::span<const std::int32_t>,
                                                                   std::optional<double>, double, int);

/// A continuous-time chain: a validated generator matrix Q over a StageSpace.
/// Off-diagonal rates are finite and >= 0, every row sums to 0 (the diagonal is set to
/// minus the row's off-diagonal sum), and absorbing rows are all zero.
class ContinuousChain {
 public:
  ContinuousChain() = default;

  /// Q's off-diagonal entries are rates; its diagonal must equal minus the off-diagonal
  /// row sum within `tolerance` (relative to the exit rate), and is then set exactly.
  ContinuousChain(StageSpace space, Matrix q, double tolerance = 1e-9);

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& generator() const noexcept { return q_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }

  /// Total exit rate of each state (-Q[i][i]).
  [[nodiscard]] Vector exit_rates() const { return -q_.diagonal(); }

  /// Transition matrix over a horizon t >= 0: P(t) = exp(Q t) (Eigen's scaling and
  /// squaring Pade approximant).
  [[nodiscard]] Matrix transition_matrix(double t) const;

  /// The chain of a horizon t as a MarkovChain (a discrete chain with step t).
  [[nodiscard]] MarkovChain at(double t) const;

  /// The embedded jump chain: where a lead goes when it leaves a stage,
  /// P[i][j] = q_ij / q_i; a transient stage with no exits keeps the lead (P[i][i] = 1).
  [[nodiscard]] MarkovChain jump_chain() const;

  /// Log-likelihood of exposure counts: sum n_ij log q_ij - q_i T_i (-infinity if a
  /// counted move has rate 0).
  [[nodiscard]] double log_likelihood(const ExposureCounts& counts) const;

 private:
  StageSpace space_;
  Matrix q_;
};

/// Options for fit_continuous().
struct ContinuousFitOptions {
  /// A transient stage with no exposure and no exits: error (default) or absorbing
  /// (rate 0: leads stay there).  EmptyRows::uniform is not meaningful here.
  EmptyRows empty_rows = EmptyRows::error;
};

/// Maximum-likelihood generator: q_ij = n_ij / T_i.  A stage with exits but zero
/// exposure (instant passages only) has an infinite rate and is an error naming it.
ContinuousChain fit_continuous(const ExposureCounts& counts, const ContinuousFitOptions& options = {});

FUNNELNET_END
