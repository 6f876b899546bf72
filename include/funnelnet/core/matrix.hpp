// Matrix and vector types shared by the analyses: dense, row-major (the layout of
// numpy's C order, so arrays cross the Python boundary without copies).
#pragma once

#include <Eigen/Core>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
using MatrixRef = Eigen::Ref<const Matrix>;

FUNNELNET_END
