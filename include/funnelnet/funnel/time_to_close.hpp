// Time to close (time to absorption) per starting stage: mean, variance and quantiles.
// The time is phase-type distributed (Neuts 1981): with S the transient block,
//   discrete:   P(T > k) = (S^k 1)_i,        mean N 1,   variance (2N - I) t - t*t
//   continuous: P(T > t) = (exp(S t) 1)_i,  mean (-S)^-1 1,  E[T^2] = 2 (-S)^-2 1.
// Discrete time counts steps (periods for a period chain); continuous time is in the
// chain's time unit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"

FUNNELNET_BEGIN

/// Time to close from each transient stage (rows follow `transient`).
struct TimeToClose {
  std::vector<std::int32_t> transient;
  std::vector<double> probs;  ///< the requested quantile levels
  Vector mean;
  Vector variance;
  Matrix quantiles;  ///< |transient| x |probs|
};

/// Discrete time to close: the number of steps until absorption.  Quantile p of stage i
/// is the smallest k with P(T <= k) >= p.  Throws not_absorbing if some stage cannot
/// close, not_converged if a quantile needs more than `max_steps` steps.
TimeToClose time_to_close(const MarkovChain& chain, std::span<const double> probs,
                          std::size_t max_steps = 1000000);

/// P(T <= k) per transient stage for the discrete chain.
Vector close_time_cdf(const MarkovChain& chain, std::size_t k);

/// P(T <= t) per transient stage for the continuous chain: 1 - exp(S t) 1.
Vector close_time_cdf(const ContinuousChain& chain, double t);

/// Continuous time to close in the chain's time unit.  Quantiles are found by bisection
/// on the phase-type distribution function to a relative accuracy of 1e-10.
TimeToClose time_to_close(const ContinuousChain& chain, std::span<const double> probs);

FUNNELNET_END
