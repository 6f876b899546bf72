// Eigen's partial-pivot LU of the row-major Matrix and the matrix exponential (declared in
// src/core/linalg.hpp), instantiated and compiled here, once, for the whole library:
// funnel and markov call them instead of each instantiating both.  Compiled on its own,
// outside the core area's unity TU (FUNNELNET_UNITY_SKIP), so GCC does not clone Eigen's
// product kernels (src/core/eigen_kernels.cpp) for these callers.
#include <Eigen/LU>
#include <unsupported/Eigen/MatrixFunctions>

#include "core/linalg.hpp"

FUNNELNET_BEGIN
namespace detail {

Matrix matrix_exp(const Matrix& a) {
  return a.exp();
}

DenseLU::DenseLU() = default;
DenseLU::DenseLU(const Matrix& a) {
  compute(a);
}
DenseLU::DenseLU(const DenseLU& other)
    : lu_(other.lu_ ? std::make_unique<Eigen::PartialPivLU<Matrix>>(*other.lu_) : nullptr) {}
DenseLU::DenseLU(DenseLU&& other) noexcept = default;
DenseLU& DenseLU::operator=(const DenseLU& other) {
  if (this != &other) *this = DenseLU(other);
  return *this;
}
DenseLU& DenseLU::operator=(DenseLU&& other) noexcept = default;
DenseLU::~DenseLU() = default;

void DenseLU::compute(const Matrix& a) {
  if (!lu_) lu_ = std::make_unique<Eigen::PartialPivLU<Matrix>>();
  lu_->compute(a);
}
Matrix DenseLU::solve(MatrixRef b) const {
  return lu_->solve(b);
}
Vector DenseLU::solve_vector(const Vector& b) const {
  return lu_->solve(b);
}
Matrix DenseLU::solve_transpose(MatrixRef b) const {
  return lu_->transpose().solve(b);
}
Matrix DenseLU::inverse() const {
  // What Eigen's Inverse<PartialPivLU> assignment evaluates, without its temporary copy
  const Eigen::Index n = lu_->rows();
  return lu_->solve(Matrix::Identity(n, n));
}

}  // namespace detail
FUNNELNET_END
