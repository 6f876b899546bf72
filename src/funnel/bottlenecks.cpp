// Bottlenecks: sensitivity of the win probability, what-ifs and the ranking.
#include "funnelnet/funnel/bottlenecks.hpp"

#include <algorithm>
#include <cmath>

#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/solver.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {
void check_start(const MarkovChain& chain, std::span<const double> start) {
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
void check_values(const MarkovChain& chain, std::span<const double> values) {
  require_size(values.size(), chain.size(), "outcome values");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      fail(Errc::invalid_argument, "value of '", chain.space().name(i), "' must be finite, got ", values[i]);
}
}  // namespace
}  // namespace detail

Sensitivity sensitivity(const MarkovChain& chain, std::span<const double> start,
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

MarkovChain raise_transition(const MarkovChain& chain, std::size_t from, std::size_t to, double fraction) {
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

WhatIf what_if(const MarkovChain& chain, std::size_t from, std::size_t to, double fraction,
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

std::vector<Bottleneck> rank_bottlenecks(const MarkovChain& chain, const Sensitivity& s) {
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
