// Dense decompositions shared by several areas (declared in src/core/linalg.hpp).  Each
// is instantiated and compiled here, once, for the whole library (the LU and the matrix
// exponential in src/core/linalg_lu.cpp).
#include "core/linalg.hpp"

#include <Eigen/Eigenvalues>

FUNNELNET_BEGIN
namespace detail {

bool symmetric_eigen(const Eigen::MatrixXd& a, Eigen::VectorXd& values, Eigen::MatrixXd* vectors) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(
      a, vectors != nullptr ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  values = es.eigenvalues();
  if (vectors != nullptr) *vectors = es.eigenvectors();
  return es.info() == Eigen::Success;
}

}  // namespace detail
FUNNELNET_END
