// Time in stage that is not memoryless: survival estimates with right censoring and a
// semi-Markov funnel whose holding times are fitted per stage.
//
// A continuous-time chain (continuous.hpp) makes every holding time exponential, so the
// chance of closing in the next month does not depend on how long a deal has waited.
// Here each transient stage i has, for every destination j it was seen to move to, a
// latent time T_ij; a lead leaves i at min_j T_ij for the j attaining it (competing
// risks).  The semi-Markov kernel is Q_ij(t) = P(leave i to j by t) and the embedded jump
// chain is P_ij = Q_ij(infinity).  Holding times are fitted from sojourns (stage,
// duration, where the lead went or "still there" = censored):
//  - empirical: the Aalen-Johansen estimate of each Q_ij (non-parametric maximum
//    likelihood with censoring; its overall survival is the Kaplan-Meier curve);
//  - exponential, weibull, gamma: each T_ij by censored maximum likelihood (exits to j
//    are events, every other sojourn in i is censored at its duration).  With the
//    exponential family the model is exactly the ContinuousChain with q_ij = n_ij / T_i.
// Queries (win probability, time to close given the age already spent in a stage) are
// answered by seeded Monte Carlo; the same seed gives the same draws at any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// A Kaplan-Meier curve: at each distinct event time, the number at risk just before it,
/// the events there and the survival S(t) just after it (right-continuous steps).
struct SurvivalCurve {
  std::vector<double> time;
  std::vector<double> at_risk;
  std::vector<double> events;
  std::vector<double> survival;
  /// S(t): 1 before the first event time, constant between event times, and the last
  /// value after the last one (the curve says nothing past its largest time).
  [[nodiscard]] double at(double t) const;
};

/// Kaplan-Meier estimate from durations (finite, >= 0) and event flags (1 = the event
/// was seen at that duration, 0 = right-censored there).  Censored durations tied with
/// an event time are at risk at that time (the usual convention).  Errors name the row.
SurvivalCurve kaplan_meier(std::span<const double> duration, std::span<const std::uint8_t> observed);

/// Aalen-Johansen cumulative incidence of competing causes: `cause[r]` in
/// [0, n_causes) for an event of that cause at duration[r], -1 for right-censored.
/// incidence(k, c) = P(event of cause c by time[k]); sum over causes = 1 - KM(time[k]).
struct CumulativeIncidence {
  std::vector<double> time;
  Matrix incidence;              ///< rows: time, columns: cause
  std::vector<double> survival;  ///< the overall Kaplan-Meier curve at each time
  std::vector<double> at_risk;   ///< number at risk just before each time
  /// The incidence of each cause at t (0 before the first time, last row after the last).
  [[nodiscard]] Vector at(double t) const;
};
CumulativeIncidence aalen_johansen(std::span<const double> duration, std::span<const std::int32_t> cause,
                                   std::size_t n_causes);

/// Families of holding-time distributions.  Values are stable (used by the bindings).
enum class HoldingFamily : int { empirical = 0, exponential = 1, weibull = 2, gamma = 3 };

/// Name of a family ("empirical", "exponential", "weibull", "gamma").
const char* family_name(HoldingFamily family);

/// A censored maximum-likelihood fit of one duration distribution.  Parameters follow
/// scipy: weibull_min(c = shape, scale), gamma(a = shape, scale); exponential has shape 1
/// and scale = the mean.  `converged` is false when the optimiser stopped early (the
/// fitting functions then throw; the record is kept for the report).
struct DurationFit {
  HoldingFamily family = HoldingFamily::exponential;
  double shape = std::numeric_limits<double>::quiet_NaN();
  double scale = std::numeric_limits<double>::quiet_NaN();
  double log_likelihood = std::numeric_limits<double>::quiet_NaN();
  double gradient_norm = 0.0;  ///< |score| at the estimate, in log-parameters
  int iterations = 0;
  bool converged = false;
  std::size_t events = 0;
  std::size_t censored = 0;
  [[nodiscard]] double survival(double t) const;  ///< P(T > t)
  [[nodiscard]] double log_survival(double t) const;
  /// The t with survival(t) = s (0 < s <= 1): inverse-CDF sampling and quantiles.
  [[nodiscard]] double inverse_survival(double s) const;
};

/// Censored maximum likelihood of a parametric family (not `empirical`): durations
/// finite and > 0, observed 1 = event, 0 = censored, at least one event.  Weibull: the
/// profile score in the shape solved by bracketing (TOMS 748); gamma: L-BFGS on
/// (log shape, log scale).  Stops when the relative step / gradient is below `tol`; a
/// fit that does not converge within `max_iter` iterations is returned with
/// converged = false (callers decide; SemiMarkovFunnel::fit throws ConvergenceError).
DurationFit fit_duration(HoldingFamily family, std::span<const double> duration,
                         std::span<const std::uint8_t> observed, double tol = 1e-10, int max_iter = 200);

/// Options of SemiMarkovFunnel::fit.
struct SemiMarkovOptions {
  HoldingFamily family = HoldingFamily::empirical;
  double tol = 1e-10;
  int max_iter = 200;
};

/// Sojourns: the input of SemiMarkovFunnel::fit (one row per stay in a transient stage).
struct Sojourns {
  std::vector<std::int32_t> stage;  ///< the transient stage
  std::vector<double> duration;     ///< time spent there, in time units
  std::vector<std::int32_t> next;   ///< where the lead went, -1 = still there at the cut-off
};

/// The sojourns of an event log of n rows (lead, time, stage) in any order, read as
/// ExposureCounts::from_events reads it (one rule: per lead rows sorted by time, ties
/// keep row order; a repeated stage is a status update; duplicate events and leaving an
/// outcome are errors naming the lead and row).  Open leads are censored at `cutoff`
/// (default: the latest event; the cut-off rule of SortedEventLog).  Durations are
/// (time difference) / time_unit.  Sojourns come per lead (in order of first
/// appearance), in time order.
template <class Time>
Sojourns sojourns_from_events(const StageSpace& space, std::span<const std::int64_t> lead,
                              std::span<const Time> time, std::span<const std::int32_t> stage,
                              std::optional<Time> cutoff = std::nullopt, double time_unit = 1.0);
extern template Sojourns sojourns_from_events<std::int64_t>(const StageSpace&, std::span<const std::int64_t>,
                                                            std::span<const std::int64_t>,
                                                            std::span<const std::int32_t>,
                                                            std::optional<std::int64_t>, double);
extern template Sojourns sojourns_from_events<double>(const StageSpace&, std::span<const std::int64_t>,
                                                      std::span<const double>, std::span<const std::int32_t>,
                                                      std::optional<double>, double);

/// Monte Carlo draws of the time to close from one stage given the age already spent
/// there: time[d] is the remaining time until an outcome (infinity when unresolved) and
/// outcome[d] the absorbing state reached (-1 when unresolved: the empirical model puts
/// the mass past its last observed exit there, and a draw that takes more than
/// max_steps moves stops there too).
struct CloseDraws {
  std::vector<double> time;
  std::vector<std::int32_t> outcome;
};

/// A semi-Markov funnel: per transient stage, the competing latent times to each
/// destination it was seen to move to (see the top of this file).
class SemiMarkovFunnel {
 public:
  SemiMarkovFunnel() = default;

  /// Fit from sojourns: sojourn r was spent in transient `stage[r]` for `duration[r]`
  /// (finite, >= 0; > 0 for the parametric families) and then moved to `next[r]`, or
  /// was still there at the cut-off (`next[r] = -1`, censored).  Every transient stage
  /// needs at least one exit; a move into the same stage is an error.  Errors name the
  /// row, stage and value; a parametric fit that does not converge throws
  /// Errc::not_converged naming the stage and destination.
  static SemiMarkovFunnel fit(StageSpace space, std::span<const std::int32_t> stage,
                              std::span<const double> duration, std::span<const std::int32_t> next,
                              const SemiMarkovOptions& options = {});

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] HoldingFamily family() const noexcept { return family_; }

  /// The embedded jump chain P (n x n): P_ij = Q_ij(infinity) for the parametric
  /// families; for the empirical one the observed exit shares n_ij / sum_j n_ij.
  /// Absorbing rows are the identity.
  [[nodiscard]] const Matrix& jump_matrix() const noexcept { return jump_; }

  /// One record per (stage, destination) with exits, in stage then destination order.
  struct Component {
    std::int32_t stage;
    std::int32_t destination;
    DurationFit fit;  ///< family empirical: shape/scale NaN, events and censored counted
  };
  [[nodiscard]] const std::vector<Component>& components() const noexcept { return components_; }

  /// P(still in stage i after t) from entering it: prod_j S_ij(t) (parametric) or the
  /// Kaplan-Meier curve (empirical).  `stage` must be transient.
  [[nodiscard]] double holding_survival(std::int32_t stage, double t) const;

  /// The q-quantile of the holding time in stage i (0 < q < 1): the smallest t with
  /// P(left by t) >= q; infinity when the empirical curve never gets there.
  [[nodiscard]] double holding_quantile(std::int32_t stage, double q) const;

  /// The longest observed time in stage i before an exit (NaN when none; transient i).
  [[nodiscard]] double last_exit(std::int32_t stage) const;

  /// The stale-deal rule: a deal in transient stage i is stale when its age there is
  /// beyond this limit: the q-quantile of the holding time (0 < q < 1), or, where that
  /// quantile is infinite (the empirical curve never reaches q), the longest observed
  /// time before an exit (the data has no deal that left after waiting longer).
  [[nodiscard]] double stale_age(std::int32_t stage, double q) const;

  /// `draws` seeded draws of the remaining time to close and the outcome for a lead in
  /// transient stage `stage` that has already spent `age` (>= 0) there.  Tasks of 4096
  /// draws use stream(seed, task), so the result does not depend on `threads`.
  [[nodiscard]] CloseDraws simulate_close(std::int32_t stage, double age, std::size_t draws,
                                          std::uint64_t seed, int threads = 0,
                                          std::size_t max_steps = 10000) const;

 public:
  /// Per-stage state of the fitted model (used by the simulation; not part of the API).
  struct StageModel {
    std::vector<std::int32_t> dest;  // destinations with exits
    std::vector<DurationFit> fits;   // parametric: one per destination
    // empirical: flattened (time, destination) exits with cumulative mass
    std::vector<double> time;
    std::vector<std::int32_t> to;
    std::vector<double> cum;  // P(left by this exit, this one included)
  };

 private:
  StageSpace space_;
  HoldingFamily family_ = HoldingFamily::empirical;
  Matrix jump_;
  std::vector<Component> components_;
  std::vector<StageModel> models_;  // per state (empty for absorbing)
  std::vector<double> last_exit_;   // per state: the longest duration of an exit (NaN: none)
};

FUNNELNET_END
