// The linear solves of the Markov engine: A x = b and A^T x = b with A = I - Q, where Q
// is the transient-to-transient block of an absorbing chain (or any substochastic matrix
// whose states all reach an absorbing state, so A is a nonsingular M-matrix).
//
// Q is given as a sparse matrix (CSR or CSC), so large sparse chains are never built
// dense; a dense Q is accepted as an adapter.  Three factorisations:
//  - dense LU (small or dense blocks): without pivoting (markov/dense_lu.hpp, SIMD kernels
//    chosen at run time) for 128+ states when I - Q is a dominant Z-matrix, else partial pivoting,
//  - sparse LU: natural-order elimination without pivoting (stable for the M-matrix
//    I - Q; funnels, mostly forward, fill little), COLAMD-ordered past a fill budget,
//  - BiCGSTAB with a diagonal preconditioner, certified per column by the a-posteriori
//    bound |x - x_hat|_inf <= max_i (N 1)_i * |residual|_inf (N = A^-1 >= 0), with
//    sparse LU as the fallback when the bound is not below the tolerance.  This suits
//    k-gram chains, where sparse LU fills in badly.
// The factorisations live in src/markov/solver.cpp: this header does not include
// Eigen's decompositions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "funnelnet/core/matrix.hpp"
#include "funnelnet/markov/sparse.hpp"

FUNNELNET_BEGIN
namespace markov {

/// How TransientSolver factorises I - Q.
enum class Method {
  /// by density: sparse LU for blocks of >= 100 states with <= 5% non-zeros, else dense
  /// LU; a dense block of >= 500 states given densely is first solved by a certified block
  /// BiCGSTAB (preconditioned by the upper triangle of I - Q when Q is mostly forward; per
  /// column, the bound of `iterative` within max(`tolerance`, 1e-10) max(1, |b|, |x|), or a
  /// backward error within 4 eps sqrt(n)) and factorised only if that is not certified in
  /// a budget of mat-vecs (or earlier, when the residuals fall too slowly to get there).
  automatic,
  dense_lu,   ///< dense LU (without pivoting for a dominant Z-matrix I - Q, else partial pivoting)
  sparse_lu,  ///< sparse LU (COLAMD ordering)
  iterative,  ///< BiCGSTAB certified by SolverOptions::steps_bound, sparse LU as the fallback
};

/// Options of TransientSolver.
struct SolverOptions {
  Method method = Method::automatic;
  /// Blocks with at most this many states use dense LU whatever `method` says (0: off).
  std::size_t dense_limit = 0;
  /// iterative: an upper bound on the expected number of steps to absorption from any
  /// state, max_i (N 1)_i (see expected_steps_bound()).  Infinite or >= 1e9: the
  /// iterative answer cannot be certified and sparse LU is used.
  double steps_bound = std::numeric_limits<double>::infinity();
  /// iterative: certified when steps_bound * |residual|_inf <= tolerance * max(1, |b|_inf).
  double tolerance = 1e-12;
};

/// Factorises A = I - Q once and solves A x = b and A^T x = b (any number of right-hand
/// sides).  Movable, not copyable; solve() and solve_transpose() may be called from
/// several threads at once.  Errors: not_absorbing (sparse LU finds I - Q singular: some
/// state cannot reach an absorbing one), internal (the sparse LU fallback of the
/// iterative method fails).
class TransientSolver {
 public:
  explicit TransientSolver(const SparseRowMatrix& q, const SolverOptions& options = {});
  explicit TransientSolver(const SparseColMatrix& q, const SolverOptions& options = {});
  /// Dense adapter: Q as a dense square matrix (a sparse copy is made for the sparse methods).
  explicit TransientSolver(MatrixRef q, const SolverOptions& options = {});
  TransientSolver(TransientSolver&&) noexcept;
  TransientSolver& operator=(TransientSolver&&) noexcept;
  ~TransientSolver();

  /// Number of states of the block.
  [[nodiscard]] Eigen::Index size() const noexcept;
  /// The method used (never automatic).
  [[nodiscard]] Method method() const noexcept;
  /// Whether a sparse method is used.
  [[nodiscard]] bool sparse() const noexcept { return method() != Method::dense_lu; }
  /// How many solve() calls so far a certified Krylov iteration answered (dense blocks
  /// of the automatic method; the others went to the LU).  For tests and diagnostics.
  [[nodiscard]] std::size_t krylov_solves() const noexcept;

  /// x with (I - Q) x = b (b: size() rows).
  [[nodiscard]] Matrix solve(MatrixRef b) const;
  /// x with (I - Q)^T x = b.
  [[nodiscard]] Matrix solve_transpose(MatrixRef b) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// An upper bound on max_i (N 1)_i, the expected number of steps to absorption from the
/// worst state, from an iterative solve t of (I - Q) t = 1 and its residual r:
/// t_true = t + N r, so max t_true <= max t / (1 - |r|_inf).  Infinity when the solve
/// does not get |r|_inf below 1/2.
[[nodiscard]] double expected_steps_bound(const SparseRowMatrix& q);

/// The masked chain: the states with removed[i] != 0 become absorbing into a state worth
/// 0 (every transition into them is redirected there), and X with (I - Q_K) X = R_K is
/// solved over the kept states K.  Returns |Q| x R.cols(); removed rows are 0.  An empty
/// `removed` keeps every state.  This is how a channel is removed in attribution, a stage
/// in what-if analyses, a tier in customer migration.
[[nodiscard]] Matrix solve_masked(const SparseRowMatrix& q, MatrixRef r, const std::vector<char>& removed,
                                  const SolverOptions& options = {});

/// Q restricted to the states with removed[i] == 0, renumbered in order (CSR; `index`
/// receives each state's new number, -1 for removed ones).  Needs <Eigen/SparseCore>
/// to use the result.
void mask_states(const SparseRowMatrix& q, const std::vector<char>& removed, SparseRowMatrix& out,
                 std::vector<std::int32_t>& index);

/// The block Q[rows, cols] of a dense transition matrix as CSR (exact zeros dropped).
void sparse_block(MatrixRef p, const std::vector<std::int32_t>& rows, const std::vector<std::int32_t>& cols,
                  SparseRowMatrix& out);

}  // namespace markov

namespace detail {

/// The funnel's adapter (kept for existing callers): factorises I - Q for the transient
/// block Q = P[transient, transient] of a dense transition matrix, choosing like
/// markov::Method::automatic, without building a dense copy of a sparse block.
class TransientSolver {
 public:
  TransientSolver(const Matrix& p, const std::vector<std::int32_t>& transient);

  [[nodiscard]] bool sparse() const noexcept { return solver_.sparse(); }
  /// x with (I - Q) x = b.
  [[nodiscard]] Matrix solve(const Matrix& b) const { return solver_.solve(b); }
  /// x with (I - Q)^T x = b.
  [[nodiscard]] Matrix solve_transpose(const Matrix& b) const { return solver_.solve_transpose(b); }
  /// The engine's solver.
  [[nodiscard]] const markov::TransientSolver& engine() const noexcept { return solver_; }

 private:
  markov::TransientSolver solver_;
};

/// R: the transient-to-absorbing block of a dense transition matrix.
Matrix absorbing_block(const Matrix& p, const std::vector<std::int32_t>& transient,
                       const std::vector<std::int32_t>& absorbing);

}  // namespace detail
FUNNELNET_END
