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

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/solver.hpp"

FUNNELNET_BEGIN

/// Sensitivity of a figure F = alpha^T h to the transition probabilities.
struct Sensitivity {
  double value = 0.0;   ///< F from the start distribution
  Vector state_values;  ///< h per state: win probability / expected value from there
  Vector visits;        ///< u per state: expected visits from the start (0 for outcomes)
  Matrix gradient;      ///< dF / dP[i][j] (rows of outcomes are 0)
  Matrix elasticity;    ///< dF / dx for raising P[i][j] by a fraction x, row renormalised
};

namespace detail {
inline void check_start(const MarkovChain& chain, std::span<const double> start) {
  require_size(start.size(), chain.size(), "start distribution");
  double sum = 0.0;
  for (std::size_t i = 0; i < start.size(); ++i) {
    if (!(std::isfinite(start[i]) && start[i] >= 0.0))
      fail(Errc::invalid_argument, "start weight of stage '", chain.space().name(i),
           "' must be finite and >= 0, got ", start[i]);
    sum += start[i];
  }
  if (std::abs(sum - 1.0) > 1e-9)
    fail(Errc::invalid_argument, "the start distribution sums to ", sum, ", not 1");
}
inline void check_values(const MarkovChain& chain, std::span<const double> values) {
  require_size(values.size(), chain.size(), "outcome values");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      fail(Errc::invalid_argument, "value of '", chain.space().name(i), "' must be finite, got ", values[i]);
}
}  // namespace detail

/// Value of each state and the sensitivity of F = sum_i start[i] h_i.  `start` is a
/// distribution over the states (e.g. 1 at the first stage); `outcome_values` has one
/// entry per state, read on the absorbing states only (1 for won and 0 elsewhere gives
/// the win probability; deal values give the expected won value).
inline Sensitivity sensitivity(const MarkovChain& chain, std::span<const double> start,
                               std::span<const double> outcome_values) {
  detail::check_start(chain, start);
  detail::check_values(chain, outcome_values);
  detail::require_absorbing(chain);
  const auto& tr = chain.space().transient();
  const auto& ab = chain.space().absorbing();
  const auto n = static_cast<Eigen::Index>(chain.size());
  const auto nt = static_cast<Eigen::Index>(tr.size());
  const Matrix& p = chain.matrix();
  Sensitivity out;
  out.state_values = Vector::Zero(n);
  out.visits = Vector::Zero(n);
  for (auto a : ab) out.state_values(a) = outcome_values[static_cast<std::size_t>(a)];
  if (nt > 0) {
    detail::TransientSolver solver(p, tr);
    Matrix rv(nt, 1), al(nt, 1);
    for (Eigen::Index k = 0; k < nt; ++k) {
      double s = 0.0;
      for (auto a : ab) s += p(tr[k], a) * outcome_values[static_cast<std::size_t>(a)];
      rv(k, 0) = s;
      al(k, 0) = start[static_cast<std::size_t>(tr[k])];
    }
    const Matrix h = solver.solve(rv);
    const Matrix u = solver.solve_transpose(al);
    for (Eigen::Index k = 0; k < nt; ++k) {
      out.state_values(tr[k]) = h(k, 0);
      out.visits(tr[k]) = u(k, 0);
    }
  }
  out.value = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) out.value += start[static_cast<std::size_t>(i)] * out.state_values(i);
  out.gradient = Matrix::Zero(n, n);
  out.elasticity = Matrix::Zero(n, n);
  for (auto i : tr)
    for (Eigen::Index j = 0; j < n; ++j) {
      out.gradient(i, j) = out.visits(i) * out.state_values(j);
      out.elasticity(i, j) = out.visits(i) * p(i, j) * (out.state_values(j) - out.state_values(i));
    }
  return out;
}

/// `chain` with P[from][to] raised by `fraction` (0.1 = +10%) and the row renormalised:
/// P[from][to] -> P[from][to] (1 + x) / (1 + x P[from][to]), the rest of the row scaled by
/// 1 / (1 + x P[from][to]).  `from` must be a stage, P[from][to] > 0 and x > -1.
inline MarkovChain raise_transition(const MarkovChain& chain, std::size_t from, std::size_t to,
                                    double fraction) {
  const std::size_t n = chain.size();
  if (from >= n) fail(Errc::out_of_range, "from index ", from, " is outside [0, ", n, ")");
  if (to >= n) fail(Errc::out_of_range, "to index ", to, " is outside [0, ", n, ")");
  if (chain.space().is_absorbing(from))
    fail(Errc::invalid_argument, "'", chain.space().name(from), "' is an outcome: its row cannot change");
  if (!(std::isfinite(fraction) && fraction > -1.0))
    fail(Errc::invalid_argument, "fraction must be finite and > -1, got ", fraction);
  Matrix p = chain.matrix();
  const auto i = static_cast<Eigen::Index>(from), j = static_cast<Eigen::Index>(to);
  const double pij = p(i, j);
  if (pij <= 0.0)
    fail(Errc::invalid_argument, "P[", chain.space().name(from), "][", chain.space().name(to),
         "] is 0, so raising it by a fraction leaves it 0; set the row explicitly instead");
  const double z = 1.0 + fraction * pij;
  p.row(i) /= z;
  p(i, j) = pij * (1.0 + fraction) / z;
  return {chain.space(), std::move(p), 1e-9};
}

/// A what-if: the figures before and after raising one transition.
struct WhatIf {
  MarkovChain chain;  ///< the changed chain
  double value_before = 0.0, value_after = 0.0;
  Vector state_values_before, state_values_after;      ///< h per state
  Vector expected_steps_before, expected_steps_after;  ///< per stage (transient order)
};

/// Raise P[from][to] by `fraction` (renormalising the row) and report F and h before and
/// after, with the expected steps to close.
inline WhatIf what_if(const MarkovChain& chain, std::size_t from, std::size_t to, double fraction,
                      std::span<const double> start, std::span<const double> outcome_values) {
  WhatIf w;
  w.chain = raise_transition(chain, from, to, fraction);
  const Sensitivity before = sensitivity(chain, start, outcome_values);
  const Sensitivity after = sensitivity(w.chain, start, outcome_values);
  w.value_before = before.value;
  w.value_after = after.value;
  w.state_values_before = before.state_values;
  w.state_values_after = after.state_values;
  w.expected_steps_before = summarize_absorption(chain).expected_steps;
  w.expected_steps_after = summarize_absorption(w.chain).expected_steps;
  return w;
}

/// One transition's impact on F.
struct Bottleneck {
  std::int32_t from = 0, to = 0;
  double probability = 0.0;  ///< P[from][to]
  double gradient = 0.0;     ///< dF / dP[from][to]
  double elasticity = 0.0;   ///< dF / dx for a relative raise x (renormalised row)
};

/// Every transition out of a stage with P > 0, ranked by |elasticity| (largest impact
/// first; ties by from, then to).  The sign says whether raising it helps (> 0) or hurts.
inline std::vector<Bottleneck> rank_bottlenecks(const MarkovChain& chain, const Sensitivity& s) {
  std::vector<Bottleneck> out;
  const Matrix& p = chain.matrix();
  for (auto i : chain.space().transient())
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      if (p(i, j) > 0.0)
        out.push_back({i, static_cast<std::int32_t>(j), p(i, j), s.gradient(i, j), s.elasticity(i, j)});
  std::stable_sort(out.begin(), out.end(), [](const Bottleneck& a, const Bottleneck& b) {
    return std::abs(a.elasticity) > std::abs(b.elasticity);
  });
  return out;
}

FUNNELNET_END
