// Sparse matrix types of the Markov engine, forward-declared: a header that only passes
// them by reference does not pay for <Eigen/SparseCore>.  Code that builds or reads one
// includes <Eigen/SparseCore> itself.
#pragma once

#include <Eigen/Core>

#include "funnelnet/version.hpp"

namespace Eigen {
// The same declaration as Eigen/src/SparseCore/SparseUtil.h (which adds the defaults).
template <typename Scalar, int Options, typename StorageIndex>
class SparseMatrix;
}  // namespace Eigen

FUNNELNET_BEGIN
namespace markov {

/// Compressed sparse rows (CSR): the natural layout of a transition matrix, one row per
/// state.  Inner (column) indices are sorted within each row, as Eigen keeps them.
using SparseRowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;
/// Compressed sparse columns (CSC): Eigen's default, accepted and converted to CSR.
using SparseColMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;

}  // namespace markov
FUNNELNET_END
