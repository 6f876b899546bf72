// Bottlenecks: how the win probability (or the expected won value) responds to each
// transition, a what-if that raises one transition, and a ranking by impact.
//
// Let h be the value of each state (h_a = v_a for an outcome a, e.g. 1 for won and 0
// otherwise; h_T = N R v for the stages) and u = alpha^T N the expected visits to each
// stage from the start distribution alpha.  The figure is F = alpha^T h, and
//   dF / dP[i][j]                              = u_i h_j           (unconstrained)
//   dF / dx, P[i][.] -> (P[i][.] + x P[i][j] e_j) / (1 + x P[i][j])
//                                              = u_i P[i][j] (h_j - h_i)
// the second being the effect of raising P[i][j] by a fraction x and renormalising the
// row, at x = 0 (so 0.1 * elasticity approximates a 10% raise).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"

FUNNELNET_BEGIN

/// Sensitivity of a figure F = alpha^T h to the transition probabilities.
struct Sensitivity {
  double value = 0.0;   ///< F from the start distribution
  Vector state_values;  ///< h per state: win probability / expected value from there
  Vector visits;        ///< u per state: expected visits from the start (0 for outcomes)
  Matrix gradient;      ///< dF / dP[i][j] (rows of outcomes are 0)
  Matrix elasticity;    ///< dF / dx for raising P[i][j] by a fraction x, row renormalised
};

/// Value of each state and the sensitivity of F = sum_i start[i] h_i.  `start` is a
/// distribution over the states (e.g. 1 at the first stage); `outcome_values` has one
/// entry per state, read on the absorbing states only (1 for won and 0 elsewhere gives
/// the win probability; deal values give the expected won value).
Sensitivity sensitivity(const MarkovChain& chain, std::span<const double> start,
                        std::span<const double> outcome_values);

/// `chain` with P[from][to] raised by `fraction` (0.1 = +10%) and the row renormalised:
/// P[from][to] -> P[from][to] (1 + x) / (1 + x P[from][to]), the rest of the row scaled by
/// 1 / (1 + x P[from][to]).  `from` must be a stage, P[from][to] > 0 and x > -1.
MarkovChain raise_transition(const MarkovChain& chain, std::size_t from, std::size_t to, double fraction);

/// A what-if: the figures before and after raising one transition.
struct WhatIf {
  MarkovChain chain;  ///< the changed chain
  double value_before = 0.0, value_after = 0.0;
  Vector state_values_before, state_values_after;      ///< h per state
  Vector expected_steps_before, expected_steps_after;  ///< per stage (transient order)
};

/// Raise P[from][to] by `fraction` (renormalising the row) and report F and h before and
/// after, with the expected steps to close.
WhatIf what_if(const MarkovChain& chain, std::size_t from, std::size_t to, double fraction,
               std::span<const double> start, std::span<const double> outcome_values);

/// One transition's impact on F.
struct Bottleneck {
  std::int32_t from = 0, to = 0;
  double probability = 0.0;  ///< P[from][to]
  double gradient = 0.0;     ///< dF / dP[from][to]
  double elasticity = 0.0;   ///< dF / dx for a relative raise x (renormalised row)
};

/// Every transition out of a stage with P > 0, ranked by |elasticity| (largest impact
/// first; ties by from, then to).  The sign says whether raising it helps (> 0) or hurts.
std::vector<Bottleneck> rank_bottlenecks(const MarkovChain& chain, const Sensitivity& s);

FUNNELNET_END
