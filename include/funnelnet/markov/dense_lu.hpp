// The dense factorisation of the Markov engine: LU of I - Q without pivoting, blocked
// (recursive, so nearly all of its (2/3) n^3 flops are one matrix-multiply kernel),
// with a register-blocked multiply kernel for AVX-512, AVX2/FMA or portable code, chosen
// at run time from what the CPU supports.
//
// Why no pivoting: for a substochastic Q whose states all reach an absorbing state,
// I - Q is a nonsingular M-matrix with weakly dominant rows; Gaussian elimination
// without pivoting exists for it, every pivot is positive, and the growth factor is at
// most 2 (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., sec. 9.5),
// so it is as stable as partial pivoting and skips the pivot search and row swaps.
// TransientSolver uses it for dense blocks of substochastic Q and falls back to partial
// pivoting otherwise.  Bodies are in src/markov/dense_lu.cpp.
#pragma once

#include <cstddef>

#include "funnelnet/core/matrix.hpp"
#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace markov::dense {

/// The multiply kernel in use.
enum class Kernel {
  automatic,  ///< the best the CPU supports (the default)
  portable,   ///< plain C++ (any x86-64 or other CPU)
  avx2,       ///< AVX2 + FMA, 6 x 8 register tile
  avx512,     ///< AVX-512F, 8 x 24 register tile
};

/// Whether this CPU (and build) can run `k` (automatic and portable: always).
[[nodiscard]] bool kernel_supported(Kernel k) noexcept;

/// Selects the kernel for every later call (automatic: the best supported); returns the
/// one in use before.  An unsupported kernel is ignored (the previous one stays).  Meant
/// for tests and benchmarks; thread-safe, but changes every thread's choice.
Kernel set_kernel(Kernel k) noexcept;

/// The kernel used now (never automatic).
[[nodiscard]] Kernel active_kernel() noexcept;

/// C -= A B for row-major A (m x k, row stride lda), B (k x n, ldb) and C (m x n, ldc).
void gemm_sub(std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k, const double* a, std::ptrdiff_t lda,
              const double* b, std::ptrdiff_t ldb, double* c, std::ptrdiff_t ldc);

/// An uninitialised rows x cols matrix whose storage, from 4 MiB on, is marked for
/// transparent huge pages (Linux madvise, as numpy does for its large arrays): 512 times
/// fewer page faults when it is first written, and fewer TLB misses in the LU's strided
/// reads (about 10% of its time at n = 5,000).  Elsewhere: a plain allocation.
[[nodiscard]] Matrix allocate_matrix(Eigen::Index rows, Eigen::Index cols);

/// y = A x for a row-major m x n matrix `a` (row stride lda) and the k columns of a
/// column-major x (n x k, column stride ldx), written to the column-major y (m x k,
/// column stride ldy): each row of A is read once for all columns (the memory-bound
/// product of a block Krylov iteration or a triangular solve), with AVX2 / FMA when the
/// CPU has it.
void multiply_columns(std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k, const double* a,
                      std::ptrdiff_t lda, const double* x, std::ptrdiff_t ldx, double* y, std::ptrdiff_t ldy);

/// Solves L U x = b in place for the factors of lu_nopivot (`lu`, n x n, row stride ldl)
/// and the k columns of the column-major x (column stride ldx): forward then backward
/// substitution by rows, each row of the factors read once for all columns.
void lu_solve_in_place(const double* lu, std::ptrdiff_t n, std::ptrdiff_t ldl, double* x, std::ptrdiff_t k,
                       std::ptrdiff_t ldx);

/// In-place LU without pivoting of the row-major n x n matrix `a` (row stride lda): on
/// return the strictly lower part holds L (unit diagonal implied) and the upper part U.
/// Returns false, leaving `a` partly overwritten, as soon as a pivot is not above
/// `min_pivot` (not an M-matrix, or numerically singular).
[[nodiscard]] bool lu_nopivot(double* a, std::ptrdiff_t n, std::ptrdiff_t lda, double min_pivot);

}  // namespace markov::dense
FUNNELNET_END
