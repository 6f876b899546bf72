// Private to the compiled core: Eigen's matrix-product and triangular-solve kernels for
// double, declared `extern template` so that each area's translation unit calls the one
// copy compiled in src/core/eigen_kernels.cpp instead of instantiating and optimising
// its own.  Included first in every core TU through the core's precompiled header
// (CMakeLists.txt); without the PCH each TU instantiates the kernels itself, as Eigen
// does by default (same code, the linker keeps one copy).  Every kernel here is
// EIGEN_DONT_INLINE: it was a call in every caller before, so the call is unchanged.
#pragma once

#include <Eigen/Core>

// The kernels, as X((template-id)), in namespace Eigen::internal.  Their packet sizes come
// from gebp_traits<double, double>, so the list follows the SIMD flags of the build.
// Which are instantiated where: `nm -C` on the core's unity objects (docs/benchmarks.md).
#define FUNNELNET_EIGEN_KERNELS(X)                                                                           \
  X((gebp_kernel<double, double, Eigen::Index,                                                               \
                 blas_data_mapper<double, Eigen::Index, ColMajor, Unaligned, 1>,                             \
                 gebp_traits<double, double>::mr, gebp_traits<double, double>::nr, false, false>))           \
  X((general_matrix_vector_product<                                                                          \
      Eigen::Index, double, const_blas_data_mapper<double, Eigen::Index, RowMajor>, RowMajor, false, double, \
      const_blas_data_mapper<double, Eigen::Index, ColMajor>, false, 0>))                                    \
  X((general_matrix_vector_product<                                                                          \
      Eigen::Index, double, const_blas_data_mapper<double, Eigen::Index, ColMajor>, ColMajor, false, double, \
      const_blas_data_mapper<double, Eigen::Index, RowMajor>, false, 0>))                                    \
  X((gemm_pack_rhs<double, Eigen::Index, const_blas_data_mapper<double, Eigen::Index, ColMajor>,             \
                   gebp_traits<double, double>::nr, ColMajor, false, false>))                                \
  X((gemm_pack_rhs<double, Eigen::Index, const_blas_data_mapper<double, Eigen::Index, ColMajor>,             \
                   gebp_traits<double, double>::nr, ColMajor, false, true>))                                 \
  X((gemm_pack_rhs<double, Eigen::Index, blas_data_mapper<double, Eigen::Index, ColMajor, Unaligned, 1>,     \
                   gebp_traits<double, double>::nr, ColMajor, false, true>))                                 \
  X((gemm_pack_lhs<double, Eigen::Index, const_blas_data_mapper<double, Eigen::Index, RowMajor>,             \
                   gebp_traits<double, double>::mr, gebp_traits<double, double>::LhsProgress,                \
                   gebp_traits<double, double>::LhsPacket4Packing, RowMajor, false, false>))                 \
  X((gemm_pack_lhs<double, Eigen::Index, const_blas_data_mapper<double, Eigen::Index, ColMajor>,             \
                   gebp_traits<double, double>::mr, gebp_traits<double, double>::LhsProgress,                \
                   gebp_traits<double, double>::LhsPacket4Packing, ColMajor, false, false>))                 \
  X((gemm_pack_lhs<double, Eigen::Index, blas_data_mapper<double, Eigen::Index, ColMajor, Unaligned, 1>,     \
                   gebp_traits<double, double>::mr, gebp_traits<double, double>::LhsProgress,                \
                   gebp_traits<double, double>::LhsPacket4Packing, ColMajor, false, true>))                  \
  X((triangular_solve_matrix<double, Eigen::Index, OnTheRight, Upper, false, RowMajor, ColMajor, 1>))        \
  X((triangular_solve_matrix<double, Eigen::Index, OnTheRight, Lower, false, ColMajor, ColMajor, 1>))        \
  X((triangular_solve_matrix<double, Eigen::Index, OnTheRight, UnitUpper, false, ColMajor, ColMajor, 1>))    \
  X((triangular_solve_matrix<double, Eigen::Index, OnTheLeft, Lower, false, ColMajor, ColMajor, 1>))         \
  X((triangular_solve_matrix<double, Eigen::Index, OnTheLeft, Upper, false, RowMajor, ColMajor, 1>))

#define FUNNELNET_EIGEN_KERNEL_STRIP(...) __VA_ARGS__
#define FUNNELNET_EIGEN_KERNEL_EXTERN(T) extern template struct FUNNELNET_EIGEN_KERNEL_STRIP T;

namespace Eigen::internal {
FUNNELNET_EIGEN_KERNELS(FUNNELNET_EIGEN_KERNEL_EXTERN)
}  // namespace Eigen::internal
