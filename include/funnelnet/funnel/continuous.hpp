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

#include <Eigen/LU>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <unsupported/Eigen/MatrixFunctions>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/detail/leads.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// Sufficient statistics of a continuous-time funnel: exit counts n_ij (i != j) and the
/// exposure T_i (total time spent in each stage).  Mergeable: counts and exposures add.
class ExposureCounts {
 public:
  ExposureCounts() = default;

  /// From an n x n count matrix (diagonal must be 0; absorbing rows all 0) and one
  /// exposure per state (finite, >= 0).
  ExposureCounts(StageSpace space, Matrix counts, Vector exposure) : space_(std::move(space)) {
    const auto n = static_cast<Eigen::Index>(space_.size());
    if (counts.rows() != n || counts.cols() != n)
      fail(Errc::shape_mismatch, "count matrix is ", counts.rows(), "x", counts.cols(), ", expected ", n, "x",
           n, " (one row and column per stage)");
    require_size(static_cast<std::size_t>(exposure.size()), space_.size(), "exposure");
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!(std::isfinite(exposure(i)) && exposure(i) >= 0.0))
        fail(Errc::invalid_argument, "exposure of stage '", space_.name(i), "' must be finite and >= 0, got ",
             exposure(i));
      for (Eigen::Index j = 0; j < n; ++j) {
        const double c = counts(i, j);
        if (!(std::isfinite(c) && c >= 0.0))
          fail(Errc::invalid_argument, "count[", space_.name(i), "][", space_.name(j),
               "] must be finite and >= 0, got ", c);
        if (i == j && c != 0.0)
          fail(Errc::invalid_argument, "count[", space_.name(i), "][", space_.name(i), "] is ", c,
               "; in continuous time a stay is exposure, not a count (the diagonal must be 0)");
        if (c > 0.0 && space_.is_absorbing(i))
          fail(Errc::invalid_argument, "absorbing stage '", space_.name(i), "' has ", c, " exits to '",
               space_.name(j), "'; an absorbing stage has no exits");
      }
    }
    counts_ = std::move(counts);
    exposure_ = std::move(exposure);
  }

  /// Exposure and exits from an event log: row r says lead[r] entered stage[r] at
  /// time[r].  The rows of one lead must be in the order the events happened (ties
  /// keep row order); leads may be interleaved.  A lead whose last stage is transient is
  /// open: its time in that stage runs to `cutoff` (default: the latest event time) and
  /// no exit is counted.  Exposure is measured in units of `time_unit` time steps
  /// (e.g. 86400e9 for days from nanosecond times).  Errors as for period_counts(), and
  /// a cut-off before an event.  `threads`: 0 = all cores; the result does not depend on it.
  template <class Time>
  static ExposureCounts from_events(StageSpace space, std::span<const std::int64_t> lead,
                                    std::span<const Time> time, std::span<const std::int32_t> stage,
                                    std::optional<Time> cutoff = std::nullopt, double time_unit = 1.0,
                                    int threads = 0);

  /// The sum of two tables over the same stage space.
  [[nodiscard]] ExposureCounts merged(const ExposureCounts& other) const {
    if (!(space_ == other.space_))
      fail(Errc::invalid_argument, "cannot merge counts over different stage spaces");
    ExposureCounts c = *this;
    c.counts_ += other.counts_;
    c.exposure_ += other.exposure_;
    return c;
  }

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& matrix() const noexcept { return counts_; }
  [[nodiscard]] const Vector& exposure() const noexcept { return exposure_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }

 private:
  StageSpace space_;
  Matrix counts_;
  Vector exposure_;
};

template <class Time>
ExposureCounts ExposureCounts::from_events(StageSpace space, std::span<const std::int64_t> lead,
                                           std::span<const Time> time, std::span<const std::int32_t> stage,
                                           std::optional<Time> cutoff, double time_unit, int threads) {
  detail::check_event_columns<Time>(space, lead, time, stage);
  if (!(std::isfinite(time_unit) && time_unit > 0.0))
    fail(Errc::invalid_argument, "time_unit must be finite and > 0, got ", time_unit);
  const std::size_t n = lead.size();
  Time tmax = time[0];
  for (std::size_t r = 0; r < n; ++r) tmax = std::max(tmax, time[r]);
  Time cut = tmax;
  if (cutoff) {
    cut = *cutoff;
    if constexpr (std::is_floating_point_v<Time>)
      if (!std::isfinite(cut)) fail(Errc::invalid_argument, "cutoff must be finite, got ", cut);
    if (cut < tmax)
      for (std::size_t r = 0; r < n; ++r)
        if (time[r] > cut)
          fail(Errc::invalid_argument, "the censoring date is before an event: row ", r, " (lead ", lead[r],
               ", time ", time[r], ") is later than the cutoff ", cut);
  }
  const double inv_unit = 1.0 / time_unit;
  const detail::LeadGroups groups = detail::group_rows_by_lead(lead);
  const auto ns = static_cast<Eigen::Index>(space.size());
  struct Part {
    Matrix c;
    Vector t;
  };
  std::vector<Part> partial(std::max<std::size_t>(1, std::min<std::size_t>(64, groups.size())));
  detail::for_lead_tasks(groups.size(), threads, [&](std::size_t task, std::size_t g0, std::size_t g1) {
    Part p{Matrix::Zero(ns, ns), Vector::Zero(ns)};
    for (std::size_t g = g0; g < g1; ++g) {
      const std::uint32_t* rows = groups.rows.data() + groups.start[g];
      const std::size_t len = groups.start[g + 1] - groups.start[g];
      detail::check_lead_sequence<Time>(space, groups.id[g], rows, len, time, stage);
      std::int32_t cur = stage[rows[0]];
      Time entered = time[rows[0]];
      for (std::size_t k = 1; k < len; ++k) {
        const std::int32_t s = stage[rows[k]];
        if (s == cur) continue;
        const Time t = time[rows[k]];
        p.t(cur) += static_cast<double>(t - entered) * inv_unit;
        p.c(cur, s) += 1.0;
        cur = s;
        entered = t;
      }
      if (!space.is_absorbing(static_cast<std::size_t>(cur)))
        p.t(cur) += static_cast<double>(cut - entered) * inv_unit;
    }
    partial[task] = std::move(p);
  });
  Matrix c = Matrix::Zero(ns, ns);
  Vector t = Vector::Zero(ns);
  for (const auto& p : partial)
    if (p.c.size() > 0) {
      c += p.c;
      t += p.t;
    }
  for (Eigen::Index a : space.absorbing()) t(a) = 0.0;
  return {std::move(space), std::move(c), std::move(t)};
}

/// A continuous-time chain: a validated generator matrix Q over a StageSpace.
/// Off-diagonal rates are finite and >= 0, every row sums to 0 (the diagonal is set to
/// minus the row's off-diagonal sum), and absorbing rows are all zero.
class ContinuousChain {
 public:
  ContinuousChain() = default;

  /// Q's off-diagonal entries are rates; its diagonal must equal minus the off-diagonal
  /// row sum within `tolerance` (relative to the exit rate), and is then set exactly.
  ContinuousChain(StageSpace space, Matrix q, double tolerance = 1e-9) : space_(std::move(space)) {
    const auto n = static_cast<Eigen::Index>(space_.size());
    if (q.rows() != n || q.cols() != n)
      fail(Errc::shape_mismatch, "generator is ", q.rows(), "x", q.cols(), ", expected ", n, "x", n,
           " (one row and column per stage)");
    if (!(tolerance >= 0.0)) fail(Errc::invalid_argument, "tolerance must be >= 0, got ", tolerance);
    for (Eigen::Index i = 0; i < n; ++i) {
      double out = 0.0;
      for (Eigen::Index j = 0; j < n; ++j) {
        if (i == j) continue;
        const double v = q(i, j);
        if (!(std::isfinite(v) && v >= 0.0))
          fail(Errc::invalid_argument, "rate Q[", space_.name(i), "][", space_.name(j),
               "] must be finite and >= 0, got ", v);
        out += v;
      }
      if (!std::isfinite(q(i, i)) || std::abs(q(i, i) + out) > tolerance * std::max(1.0, out))
        fail(Errc::invalid_argument, "row '", space_.name(i), "' of the generator sums to ", q(i, i) + out,
             ", not 0 (Q[i][i] must be minus the sum of the row's rates)");
      if (space_.is_absorbing(i) && out > 0.0)
        fail(Errc::invalid_argument, "stage '", space_.name(i), "' is declared absorbing but has exit rate ",
             out);
      q(i, i) = out > 0.0 ? -out : 0.0;  // no -0.0 on rows without exits
    }
    q_ = std::move(q);
  }

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& generator() const noexcept { return q_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }

  /// Total exit rate of each state (-Q[i][i]).
  [[nodiscard]] Vector exit_rates() const { return -q_.diagonal(); }

  /// Transition matrix over a horizon t >= 0: P(t) = exp(Q t) (Eigen's scaling and
  /// squaring Pade approximant).
  [[nodiscard]] Matrix transition_matrix(double t) const {
    if (!(std::isfinite(t) && t >= 0.0))
      fail(Errc::invalid_argument, "horizon t must be finite and >= 0, got ", t);
    Matrix qt = q_ * t;
    Matrix p = qt.exp();
    // Clean rounding: entries in [0, 1], rows summing to 1.
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
      p.row(i) = p.row(i).cwiseMax(0.0).cwiseMin(1.0);
      p.row(i) /= p.row(i).sum();
    }
    return p;
  }

  /// The chain of a horizon t as a MarkovChain (a discrete chain with step t).
  [[nodiscard]] MarkovChain at(double t) const {
    Matrix p = transition_matrix(t);
    for (Eigen::Index a : space_.absorbing()) {
      p.row(a).setZero();
      p(a, a) = 1.0;
    }
    return {space_, std::move(p), 1e-8};
  }

  /// The embedded jump chain: where a lead goes when it leaves a stage,
  /// P[i][j] = q_ij / q_i; a transient stage with no exits keeps the lead (P[i][i] = 1).
  [[nodiscard]] MarkovChain jump_chain() const {
    const auto n = q_.rows();
    Matrix p = Matrix::Zero(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double out = -q_(i, i);
      if (space_.is_absorbing(i) || out <= 0.0) {
        p(i, i) = 1.0;
        continue;
      }
      for (Eigen::Index j = 0; j < n; ++j)
        if (j != i) p(i, j) = q_(i, j) / out;
    }
    return {space_, std::move(p), 1e-12};
  }

  /// Log-likelihood of exposure counts: sum n_ij log q_ij - q_i T_i (-infinity if a
  /// counted move has rate 0).
  [[nodiscard]] double log_likelihood(const ExposureCounts& counts) const {
    if (!(counts.space() == space_))
      fail(Errc::invalid_argument, "counts and chain have different stage spaces");
    double ll = 0.0;
    const Matrix& c = counts.matrix();
    for (Eigen::Index i = 0; i < c.rows(); ++i) {
      for (Eigen::Index j = 0; j < c.cols(); ++j)
        if (i != j && c(i, j) > 0.0) {
          if (q_(i, j) <= 0.0) return -std::numeric_limits<double>::infinity();
          ll += c(i, j) * std::log(q_(i, j));
        }
      ll += q_(i, i) * counts.exposure()(i);
    }
    return ll;
  }

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
inline ContinuousChain fit_continuous(const ExposureCounts& counts,
                                      const ContinuousFitOptions& options = {}) {
  if (options.empty_rows == EmptyRows::uniform)
    fail(Errc::invalid_argument,
         "empty_rows = uniform has no meaning in continuous time; use error or absorbing");
  const StageSpace& space = counts.space();
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix q = Matrix::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (space.is_absorbing(i)) continue;
    const double exits = counts.matrix().row(i).sum();
    const double t = counts.exposure()(i);
    if (t <= 0.0) {
      if (exits > 0.0)
        fail(Errc::invalid_argument, "stage '", space.name(i), "' has ", exits,
             " exits but zero exposure: its rate would be infinite (are the times in the right unit?)");
      if (options.empty_rows == EmptyRows::error)
        fail(Errc::invalid_argument, "stage '", space.name(i),
             "' has no exposure and no exits; declare it absorbing or choose empty_rows = absorbing");
      continue;
    }
    for (Eigen::Index j = 0; j < n; ++j)
      if (j != i) q(i, j) = counts.matrix()(i, j) / t;
    q(i, i) = -exits / t;
  }
  return {space, std::move(q), 1e-9};
}

FUNNELNET_END
