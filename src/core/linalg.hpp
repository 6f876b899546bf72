// Private to the compiled core: dense decompositions that several areas use, compiled
// once (src/core/linalg.cpp) instead of instantiated in every area's translation unit.
#pragma once

#include <Eigen/Core>

#include "funnelnet/version.hpp"

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

}  // namespace detail
FUNNELNET_END
