// Absorbing-chain analysis: where leads end (won / lost) and how long it takes.
//
// With the states split into transient T and absorbing A, P = [[Q, R], [0, I]]:
//   fundamental matrix  N = (I - Q)^-1   (expected visits to j starting from i)
//   absorption          B = N R          (probability of ending in a, from i)
//   expected steps      t = N 1
//   variance of steps   v = (2N - I) t - t*t
// (Kemeny and Snell, Finite Markov Chains, 1960, ch. III.)
#pragma once

#include <Eigen/LU>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"

FUNNELNET_BEGIN

/// Result of analyze_absorbing(); rows follow `transient`, columns of `absorption`
/// follow `absorbing` (indices into the chain's states).
struct AbsorbingAnalysis {
  std::vector<std::int32_t> transient;
  std::vector<std::int32_t> absorbing;
  Matrix fundamental;     ///< N: |T| x |T| expected visits
  Matrix absorption;      ///< B: |T| x |A| absorption probabilities
  Vector expected_steps;  ///< t: expected number of steps before absorption
  Vector steps_variance;  ///< variance of the number of steps before absorption
};

namespace detail {
/// Throws not_absorbing unless every transient state reaches an absorbing one.
inline void require_absorbing(const MarkovChain& chain) {
  const StageSpace& space = chain.space();
  const std::size_t n = space.size();
  if (space.absorbing().empty())
    fail(Errc::not_absorbing,
         "the chain has no absorbing state, so absorption is undefined; "
         "declare the end stages (won, lost, ...) absorbing");
  // Backward search from the absorbing states over edges with positive probability.
  std::vector<char> reaches(n, 0);
  std::deque<std::size_t> queue;
  for (auto a : space.absorbing()) {
    reaches[static_cast<std::size_t>(a)] = 1;
    queue.push_back(static_cast<std::size_t>(a));
  }
  const Matrix& p = chain.matrix();
  while (!queue.empty()) {
    const std::size_t j = queue.front();
    queue.pop_front();
    for (std::size_t i = 0; i < n; ++i)
      if (!reaches[i] && p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > 0.0) {
        reaches[i] = 1;
        queue.push_back(i);
      }
  }
  std::string stuck;
  std::size_t n_stuck = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (!reaches[i]) {
      if (n_stuck < 5) {
        stuck.append(n_stuck ? ", '" : "'");
        stuck.append(space.name(i));
        stuck.push_back('\'');
      }
      ++n_stuck;
    }
  if (n_stuck > 0)
    fail(Errc::not_absorbing, "no absorbing state is reachable from ", n_stuck, " stage(s): ", stuck,
         n_stuck > 5 ? ", ..." : "");
}
}  // namespace detail

/// Fundamental matrix, absorption probabilities and time to absorption of `chain`.
/// Throws not_absorbing when the chain has no absorbing state or some transient stage
/// cannot reach one (its expected time to close would be infinite).
inline AbsorbingAnalysis analyze_absorbing(const MarkovChain& chain) {
  detail::require_absorbing(chain);
  const StageSpace& space = chain.space();
  const Matrix& p = chain.matrix();
  AbsorbingAnalysis out;
  out.transient = space.transient();
  out.absorbing = space.absorbing();
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto na = static_cast<Eigen::Index>(out.absorbing.size());
  Matrix i_minus_q = Matrix::Identity(nt, nt);
  Matrix r(nt, na);
  for (Eigen::Index a = 0; a < nt; ++a) {
    for (Eigen::Index b = 0; b < nt; ++b) i_minus_q(a, b) -= p(out.transient[a], out.transient[b]);
    for (Eigen::Index b = 0; b < na; ++b) r(a, b) = p(out.transient[a], out.absorbing[b]);
  }
  if (nt == 0) {
    out.fundamental = Matrix(0, 0);
    out.absorption = Matrix(0, na);
    return out;
  }
  Eigen::PartialPivLU<Matrix> lu(i_minus_q);
  out.fundamental = lu.solve(Matrix::Identity(nt, nt));
  out.absorption = out.fundamental * r;
  out.expected_steps = out.fundamental.rowwise().sum();
  const Vector t = out.expected_steps;
  out.steps_variance = (2.0 * out.fundamental - Matrix::Identity(nt, nt)) * t - t.cwiseProduct(t);
  return out;
}

FUNNELNET_END
