// Private to the compiled core: dense decompositions that several areas use, compiled
// once (src/core/linalg.cpp) instead of instantiated in every area's translation unit.
#pragma once

#include <Eigen/Core>
#include <memory>

#include "funnelnet/core/matrix.hpp"
#include "funnelnet/version.hpp"

namespace Eigen {
template <typename MatrixType>
class PartialPivLU;
}  // namespace Eigen

FUNNELNET_BEGIN
namespace detail {

/// Eigen-decomposition of a symmetric matrix (`Eigen::SelfAdjointEigenSolver<MatrixXd>`).
///
/// Parameters
/// ----------
/// a : the symmetric matrix; only its lower triangle is read.
/// values : set to the eigenvalues, ascending.
/// vectors : when not null, set to the orthonormal eigenvectors (column j belongs to
///     values(j)); when null, only the eigenvalues are computed.
///
/// Returns
/// -------
/// Whether the solver converged (`Eigen::Success`); `values` and `vectors` are set
/// either way, as the solver left them.
bool symmetric_eigen(const Eigen::MatrixXd& a, Eigen::VectorXd& values, Eigen::MatrixXd* vectors);

/// exp(a) of a square matrix: Eigen's scaling and squaring (`a.exp()`, unsupported
/// module MatrixFunctions), compiled once here.
///
/// Parameters
/// ----------
/// a : a square matrix.
///
/// Returns
/// -------
/// The matrix exponential, exactly as `a.exp()` evaluates it.
Matrix matrix_exp(const Matrix& a);

/// LU decomposition with partial pivoting of a square row-major matrix
/// (`Eigen::PartialPivLU<Matrix>`), compiled once here: the areas call these members
/// instead of instantiating the decomposition and its solves in their own TUs.  Each
/// member computes exactly what the Eigen member it names computes.  Copies are deep.
class DenseLU {
 public:
  DenseLU();
  /// Factorise `a` (compute()).
  explicit DenseLU(const Matrix& a);
  DenseLU(const DenseLU& other);
  DenseLU(DenseLU&& other) noexcept;
  DenseLU& operator=(const DenseLU& other);
  DenseLU& operator=(DenseLU&& other) noexcept;
  ~DenseLU();

  /// Factorise the square matrix `a` (`PartialPivLU::compute`), replacing any earlier factor.
  void compute(const Matrix& a);
  /// x with a x = b (`lu.solve(b)`); b has one column per right-hand side.
  [[nodiscard]] Matrix solve(MatrixRef b) const;
  /// x with a x = b for one right-hand side (`lu.solve(b)`).
  [[nodiscard]] Vector solve_vector(const Vector& b) const;
  /// x with a^T x = b (`lu.transpose().solve(b)`).
  [[nodiscard]] Matrix solve_transpose(MatrixRef b) const;
  /// a^-1 (`lu.inverse()`).
  [[nodiscard]] Matrix inverse() const;

 private:
  std::unique_ptr<Eigen::PartialPivLU<Matrix>> lu_;  // null until compute()
};

}  // namespace detail
FUNNELNET_END
