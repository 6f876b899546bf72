// The one copy of Eigen's double matrix-product and triangular-solve kernels that every
// core TU calls (declared `extern template` in src/core/eigen_kernels.hpp).
#include "core/eigen_kernels.hpp"

#define FUNNELNET_EIGEN_KERNEL_DEFINE(T) template struct FUNNELNET_EIGEN_KERNEL_STRIP T;

namespace Eigen::internal {
FUNNELNET_EIGEN_KERNELS(FUNNELNET_EIGEN_KERNEL_DEFINE)
}  // namespace Eigen::internal
