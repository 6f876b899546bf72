// Uncertainty: the Dirichlet posterior of each transient row given the counts.
// With a symmetric Dirichlet(prior) on every entry of a transient row, row i's posterior
// is Dirichlet(c_i. + prior); the marginal of P[i][j] is Beta(a_ij, a_i - a_ij), whose
// quantiles give exact equal-tailed intervals.  Derived figures (win probability per
// stage, expected steps to close) get intervals from seeded posterior draws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"

FUNNELNET_BEGIN

/// Posterior mean and equal-tailed interval of every transition probability.
struct TransitionIntervals {
  double level = 0.95;
  Matrix mean, lower, upper;  ///< n x n; outcome rows are the identity
};

/// Exact marginal intervals under a symmetric Dirichlet(`prior`) prior (prior >= 0; an
/// entry with zero posterior weight has the degenerate interval [0, 0]).  A transient
/// row with no counts and prior 0 is an error naming the stage.
TransitionIntervals posterior_intervals(const TransitionCounts& counts, double prior = 0.5,
                                        double level = 0.95);

/// Options for posterior_figures().
struct PosteriorOptions {
  double prior = 0.5;  ///< symmetric Dirichlet concentration per entry of a transient row
  double level = 0.95;
  std::size_t draws = 2000;
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads); >0: at most that many; same result at any count
  Progress progress = {};
};

/// Posterior summaries of the derived figures, per stage (rows follow `transient`).
struct PosteriorFigures {
  std::vector<std::int32_t> transient, absorbing;
  Matrix absorption_mean, absorption_lower, absorption_upper;  ///< |T| x |A|
  Vector steps_mean, steps_lower, steps_upper;                 ///< expected steps to close
};

/// Posterior draws of the chain (rows from their Dirichlet posteriors), each analysed:
/// means and equal-tailed intervals of the absorption probabilities and the expected
/// steps to close.  Draws are split into fixed blocks of 64, block b drawing from
/// stream(seed, b), so the result does not depend on the thread count.
PosteriorFigures posterior_figures(const TransitionCounts& counts, const PosteriorOptions& options = {});

/// Options for the continuous-time posterior_figures().
struct ContinuousPosteriorOptions {
  double prior_shape = 0.5;  ///< Gamma prior shape on every off-diagonal rate of a stage
  double prior_rate = 0.0;   ///< Gamma prior rate (pseudo-exposure), >= 0
  double level = 0.95;
  std::size_t draws = 2000;
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads); >0: at most that many; same result at any count
  Progress progress = {};
};

/// Posterior summaries of a continuous-time funnel, per stage (rows follow `transient`).
struct ContinuousPosteriorFigures {
  std::vector<std::int32_t> transient, absorbing;
  Matrix absorption_mean, absorption_lower, absorption_upper;  ///< |T| x |A|
  Vector time_mean, time_lower, time_upper;                    ///< expected time to close
};

/// Posterior draws of the generator: given exposure T_i and exits n_ij, each rate q_ij
/// (j != i) of a stage is Gamma(n_ij + prior_shape, T_i + prior_rate), independently
/// (the conjugate posterior of the censored likelihood).  Each draw is analysed: outcome
/// probabilities and expected time to close (in the exposure's time unit), with means and
/// equal-tailed intervals.  Seeded in fixed blocks of 64 draws, as posterior_figures().
ContinuousPosteriorFigures posterior_figures(const ExposureCounts& counts,
                                             const ContinuousPosteriorOptions& options);

FUNNELNET_END
