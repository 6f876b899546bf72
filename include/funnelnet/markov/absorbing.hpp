// Absorbing-chain analysis: where journeys end (won / lost, conversion / null) and how
// long it takes.
//
// With the states split into transient T and absorbing A, P = [[Q, R], [0, I]]:
//   fundamental matrix  N = (I - Q)^-1   (expected visits to j starting from i)
//   absorption          B = N R          (probability of ending in a, from i)
//   expected steps      t = N 1
//   variance of steps   v = (2N - I) t - t*t
// (Kemeny and Snell, Finite Markov Chains, 1960, ch. III.)
//
// markov::absorption() works on a sparse Q and a dense R and never forms N; the
// MarkovChain overloads below adapt the funnel's dense chains.  Bodies are in
// src/markov/absorbing.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "funnelnet/core/matrix.hpp"
#include "funnelnet/markov/solver.hpp"
#include "funnelnet/markov/sparse.hpp"

FUNNELNET_BEGIN

class MarkovChain;  // funnelnet/funnel/chain.hpp

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

/// Absorption figures without the fundamental matrix (three solves with one
/// factorisation; sparse for large sparse chains).  Rows follow `transient`, columns of
/// `absorption` follow `absorbing`.
struct AbsorptionSummary {
  std::vector<std::int32_t> transient;
  std::vector<std::int32_t> absorbing;
  Matrix absorption;      ///< B = N R
  Vector expected_steps;  ///< t = N 1
  Vector steps_variance;  ///< (2N - I) t - t*t
};

namespace markov {

/// Absorption probabilities B = N R, expected steps t = N 1 and their variance
/// (2N - I) t - t*t for a chain given by its transient block `q` (CSR, |T| x |T|) and
/// its transient-to-absorbing block `r` (dense, |T| x |A|).  One factorisation, two
/// solves.  `transient` / `absorbing` of the result are 0..|T|-1 and 0..|A|-1.
[[nodiscard]] AbsorptionSummary absorption(const SparseRowMatrix& q, MatrixRef r,
                                           const SolverOptions& options = {});

/// The same from an already factorised block.
[[nodiscard]] AbsorptionSummary absorption(const TransientSolver& solver, MatrixRef r);

/// A full n x n transition matrix in CSR arrays (scipy.sparse's layout, borrowed):
/// row i's entries are columns[offsets[i] .. offsets[i+1]) with `values`.
struct CsrChain {
  std::size_t n = 0;
  std::span<const std::int64_t> offsets;  ///< n + 1 entries, offsets[0] = 0, non-decreasing
  std::span<const std::int32_t> columns;  ///< strictly increasing within each row, in [0, n)
  std::span<const double> values;         ///< probabilities in [0, 1]; rows sum to 1
};

/// The first problem among a CSR chain's entries, found in one O(nnz) pass (the
/// Python constructor's checks, in its order): an entry that is not a probability
/// (first in storage order), else a row whose sum is off 1 by more than `tolerance`,
/// else a flagged absorbing state whose P[i][i] is off 1.  Row sums are numpy's
/// `add.reduceat` (first entry plus the pairwise sum of the rest), so a reported sum is
/// the one numpy prints.  The layout (offsets, column range) must already be valid
/// (scipy's canonical CSR); a bad layout throws shape_mismatch / out_of_range.
struct CsrEntryCheck {
  /// 0: no problem; 1: entry `entry` of row `row` is `value`, not in [0, 1]; 2: row
  /// `row` sums to `value`; 3: absorbing state `row` has P[row][row] = `value`.
  int kind = 0;
  std::int64_t row = -1;
  std::int64_t entry = -1;
  double value = 0.0;
  /// One flag per state: `absorbing` as given, or P[i][i] within `tolerance` of 1.
  std::vector<std::uint8_t> absorbing;
};
[[nodiscard]] CsrEntryCheck check_entries(const CsrChain& p, double tolerance,
                                          std::span<const std::uint8_t> absorbing = {});

/// Absorbing analysis of a sparse chain without a dense copy: O(nnz) validation, then
/// the transient block Q (CSR) and R (dense |T| x |A|) and absorption() with
/// Method::automatic (sparse LU in the natural order for funnel-shaped chains, dense LU
/// for dense ones).  Validation is the MarkovChain constructor's (entries finite in
/// [0, 1], rows summing to 1 within `tolerance`, then rescaled to sum to exactly 1; an
/// absorbing state has P[a][a] = 1) plus the CSR layout; errors name the state (`names`
/// if given, else "row i").  `absorbing`: one flag per state, or empty to take every
/// state with P[i][i] = 1 (within `tolerance`).  Throws not_absorbing like
/// summarize_absorption().  `transient` / `absorbing` of the result are state indices.
[[nodiscard]] AbsorptionSummary absorption(const CsrChain& p, double tolerance = 1e-9,
                                           std::span<const std::uint8_t> absorbing = {},
                                           const std::vector<std::string>& names = {},
                                           const SolverOptions& options = {});

}  // namespace markov

namespace detail {
/// Throws not_absorbing unless every transient state reaches an absorbing one.
void require_absorbing(const MarkovChain& chain);
}  // namespace detail

/// Fundamental matrix, absorption probabilities and time to absorption of `chain`.
/// Throws not_absorbing when the chain has no absorbing state or some transient stage
/// cannot reach one (its expected time to close would be infinite).
AbsorbingAnalysis analyze_absorbing(const MarkovChain& chain);

/// The absorbing analysis of `chain` less the fundamental matrix: use it for chains with
/// thousands of states.  Throws not_absorbing like analyze_absorbing().
AbsorptionSummary summarize_absorption(const MarkovChain& chain);

FUNNELNET_END
