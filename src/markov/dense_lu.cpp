// The dense LU of the Markov engine (declared in funnelnet/markov/dense_lu.hpp).
//
// gemm_sub is the BLIS/GotoBLAS scheme written for row-major storage: a KC-deep slab of
// A is packed into micro-panels of MR rows (one micro-panel, KC x MR, stays in L1
// across a row of tiles), a KC x NB block of B into micro-panels of NR columns (in L2),
// and a register tile of MR x NR accumulators is updated by MR broadcasts and NR/W
// vector loads per step of k.  The kernels with SIMD intrinsics carry a target
// attribute and run only when __builtin_cpu_supports says so; everything else (packing,
// loops, the LU and the triangular solves) is portable code, so no inline function is
// compiled for an instruction set the CPU may lack.
#include "funnelnet/markov/dense_lu.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FUNNELNET_X86_KERNELS 1
#include <immintrin.h>
#else
#define FUNNELNET_X86_KERNELS 0
#endif

FUNNELNET_BEGIN
namespace markov::dense {

namespace {

using Index = std::ptrdiff_t;

constexpr Index kc_block = 256;  // depth of a packed slab

// ---------------------------------------------------------------- register kernels
// c[i][j] -= sum_p ap[p * MR + i] * bp[p * NR + j] for one MR x NR tile.

struct PortableKernel {
  static constexpr Index mr = 4;
  static constexpr Index nr = 8;
  static constexpr Index nb = 256;  // columns of B per packed block (L2)
  static void run(Index kc, const double* ap, const double* bp, double* c, Index ldc) {
    double acc[mr][nr] = {};
    for (Index p = 0; p < kc; ++p, ap += mr, bp += nr)
      for (Index i = 0; i < mr; ++i)
        for (Index j = 0; j < nr; ++j) acc[i][j] += ap[i] * bp[j];
    for (Index i = 0; i < mr; ++i)
      for (Index j = 0; j < nr; ++j) c[i * ldc + j] -= acc[i][j];
  }
};

#if FUNNELNET_X86_KERNELS
__attribute__((target("avx2,fma"))) void kernel_avx2(Index kc, const double* ap, const double* bp, double* c,
                                                     Index ldc) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
          c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (Index i = 0; i < 6; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 7), _MM_HINT_T0);
  }
  for (Index p = 0; p < kc; ++p, ap += 6, bp += 8) {
    _mm_prefetch(reinterpret_cast<const char*>(bp + Index{16} * 8), _MM_HINT_T0);
    const __m256d b0 = _mm256_loadu_pd(bp);
    const __m256d b1 = _mm256_loadu_pd(bp + 4);
    __m256d a = _mm256_broadcast_sd(ap);
    c00 = _mm256_fmadd_pd(a, b0, c00);
    c01 = _mm256_fmadd_pd(a, b1, c01);
    a = _mm256_broadcast_sd(ap + 1);
    c10 = _mm256_fmadd_pd(a, b0, c10);
    c11 = _mm256_fmadd_pd(a, b1, c11);
    a = _mm256_broadcast_sd(ap + 2);
    c20 = _mm256_fmadd_pd(a, b0, c20);
    c21 = _mm256_fmadd_pd(a, b1, c21);
    a = _mm256_broadcast_sd(ap + 3);
    c30 = _mm256_fmadd_pd(a, b0, c30);
    c31 = _mm256_fmadd_pd(a, b1, c31);
    a = _mm256_broadcast_sd(ap + 4);
    c40 = _mm256_fmadd_pd(a, b0, c40);
    c41 = _mm256_fmadd_pd(a, b1, c41);
    a = _mm256_broadcast_sd(ap + 5);
    c50 = _mm256_fmadd_pd(a, b0, c50);
    c51 = _mm256_fmadd_pd(a, b1, c51);
  }
  const __m256d acc[6][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (Index i = 0; i < 6; ++i) {
    double* ci = c + i * ldc;
    _mm256_storeu_pd(ci, _mm256_sub_pd(_mm256_loadu_pd(ci), acc[i][0]));
    _mm256_storeu_pd(ci + 4, _mm256_sub_pd(_mm256_loadu_pd(ci + 4), acc[i][1]));
  }
}

struct Avx2Kernel {
  static constexpr Index mr = 6;
  static constexpr Index nr = 8;
  static constexpr Index nb = 256;
  static void run(Index kc, const double* ap, const double* bp, double* c, Index ldc) {
    kernel_avx2(kc, ap, bp, c, ldc);
  }
};

// 8 rows x 24 columns: 24 zmm accumulators, 3 loads of B and 8 broadcasts of A per step.
#define FUNNELNET_ROW8(i)                    \
  a = _mm512_set1_pd(ap[i]);                 \
  c##i##0 = _mm512_fmadd_pd(a, b0, c##i##0); \
  c##i##1 = _mm512_fmadd_pd(a, b1, c##i##1); \
  c##i##2 = _mm512_fmadd_pd(a, b2, c##i##2)
#define FUNNELNET_STORE8(i)                                                                    \
  _mm512_storeu_pd(c + (i)*ldc, _mm512_sub_pd(_mm512_loadu_pd(c + (i)*ldc), c##i##0));         \
  _mm512_storeu_pd(c + (i)*ldc + 8, _mm512_sub_pd(_mm512_loadu_pd(c + (i)*ldc + 8), c##i##1)); \
  _mm512_storeu_pd(c + (i)*ldc + 16, _mm512_sub_pd(_mm512_loadu_pd(c + (i)*ldc + 16), c##i##2))

__attribute__((target("avx512f"))) void kernel_avx512(Index kc, const double* ap, const double* bp, double* c,
                                                      Index ldc) {
  const __m512d z = _mm512_setzero_pd();
  __m512d c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z, c20 = z, c21 = z, c22 = z, c30 = z, c31 = z,
          c32 = z, c40 = z, c41 = z, c42 = z, c50 = z, c51 = z, c52 = z, c60 = z, c61 = z, c62 = z, c70 = z,
          c71 = z, c72 = z;
  // The tile of C is needed after the loop: fetch it now (8 rows of 3 or 4 lines).
  for (Index i = 0; i < 8; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 8), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 23), _MM_HINT_T0);
  }
  // B's micro-panel streams from L2: ask for it 16 steps ahead (about 15% faster here).
  constexpr Index ahead = Index{16} * 24;
  for (Index p = 0; p < kc; ++p, ap += 8, bp += 24) {
    _mm_prefetch(reinterpret_cast<const char*>(bp + ahead), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(bp + ahead + 8), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(bp + ahead + 16), _MM_HINT_T0);
    const __m512d b0 = _mm512_loadu_pd(bp);
    const __m512d b1 = _mm512_loadu_pd(bp + 8);
    const __m512d b2 = _mm512_loadu_pd(bp + 16);
    __m512d a;
    FUNNELNET_ROW8(0);
    FUNNELNET_ROW8(1);
    FUNNELNET_ROW8(2);
    FUNNELNET_ROW8(3);
    FUNNELNET_ROW8(4);
    FUNNELNET_ROW8(5);
    FUNNELNET_ROW8(6);
    FUNNELNET_ROW8(7);
  }
  FUNNELNET_STORE8(0);
  FUNNELNET_STORE8(1);
  FUNNELNET_STORE8(2);
  FUNNELNET_STORE8(3);
  FUNNELNET_STORE8(4);
  FUNNELNET_STORE8(5);
  FUNNELNET_STORE8(6);
  FUNNELNET_STORE8(7);
}
#undef FUNNELNET_ROW8
#undef FUNNELNET_STORE8

struct Avx512Kernel {
  static constexpr Index mr = 8;
  static constexpr Index nr = 24;
  static constexpr Index nb = 240;
  static void run(Index kc, const double* ap, const double* bp, double* c, Index ldc) {
    kernel_avx512(kc, ap, bp, c, ldc);
  }
};
#endif

// ---------------------------------------------------------------- the blocked multiply
// Packing buffers, one pair per thread (TransientSolvers may factorise concurrently).
thread_local std::vector<double> pack_a, pack_b;

template <class K>
void gemm_blocked(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb,
                  double* c, Index ldc) {
  constexpr Index mr = K::mr, nr = K::nr, nb = K::nb;
  constexpr Index mb = 96 * mr;  // rows of A per packed slab (L3)
  pack_a.resize(static_cast<std::size_t>(mb * kc_block));
  pack_b.resize(static_cast<std::size_t>(nb * kc_block));
  double* pa = pack_a.data();
  double* pb = pack_b.data();
  double tile[mr * nr];
  for (Index i0 = 0; i0 < m; i0 += mb) {
    const Index mc = std::min(mb, m - i0);
    for (Index p0 = 0; p0 < k; p0 += kc_block) {
      const Index kc = std::min(kc_block, k - p0);
      // A[i0 .. i0+mc, p0 .. p0+kc) -> micro-panels of mr rows, zero-padded.
      for (Index ir = 0; ir < mc; ir += mr) {
        double* dst = pa + ir * kc;
        const Index rows = std::min(mr, mc - ir);
        for (Index i = 0; i < mr; ++i) {
          if (i < rows) {
            const double* src = a + (i0 + ir + i) * lda + p0;
            for (Index p = 0; p < kc; ++p) dst[p * mr + i] = src[p];
          } else {
            for (Index p = 0; p < kc; ++p) dst[p * mr + i] = 0.0;
          }
        }
      }
      for (Index j0 = 0; j0 < n; j0 += nb) {
        const Index ncols = std::min(nb, n - j0);
        // B[p0 .. p0+kc, j0 .. j0+ncols) -> micro-panels of nr columns, zero-padded.
        for (Index jr = 0; jr < ncols; jr += nr) {
          double* dst = pb + jr * kc;
          const Index cols = std::min(nr, ncols - jr);
          for (Index p = 0; p < kc; ++p) {
            const double* src = b + (p0 + p) * ldb + j0 + jr;
            double* d = dst + p * nr;
            Index j = 0;
            for (; j < cols; ++j) d[j] = src[j];
            for (; j < nr; ++j) d[j] = 0.0;
          }
        }
        for (Index ir = 0; ir < mc; ir += mr) {
          const Index rows = std::min(mr, mc - ir);
          for (Index jr = 0; jr < ncols; jr += nr) {
            const Index cols = std::min(nr, ncols - jr);
            double* cij = c + (i0 + ir) * ldc + j0 + jr;
            if (rows == mr && cols == nr) {
              K::run(kc, pa + ir * kc, pb + jr * kc, cij, ldc);
            } else {
              std::fill(tile, tile + mr * nr, 0.0);
              K::run(kc, pa + ir * kc, pb + jr * kc, tile, nr);
              for (Index i = 0; i < rows; ++i)
                for (Index j = 0; j < cols; ++j) cij[i * ldc + j] += tile[i * nr + j];
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- kernel choice
bool cpu_has(Kernel k) noexcept {
  switch (k) {
    case Kernel::automatic:
    case Kernel::portable: return true;
#if FUNNELNET_X86_KERNELS
    case Kernel::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Kernel::avx512: return __builtin_cpu_supports("avx512f");
#else
    case Kernel::avx2:
    case Kernel::avx512: return false;
#endif
  }
  return false;
}

Kernel best_kernel() noexcept {
  if (cpu_has(Kernel::avx512)) return Kernel::avx512;
  if (cpu_has(Kernel::avx2)) return Kernel::avx2;
  return Kernel::portable;
}

std::atomic<Kernel>& current() noexcept {
  static std::atomic<Kernel> k{best_kernel()};
  return k;
}

// Products below this many multiply-adds are not worth packing: plain loops.
constexpr Index small_product = Index{24} * 24 * 24;

void gemm_small(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb, double* c,
                Index ldc) {
  for (Index i = 0; i < m; ++i) {
    double* ci = c + i * ldc;
    for (Index p = 0; p < k; ++p) {
      const double l = a[i * lda + p];
      const double* bp = b + p * ldb;
      for (Index j = 0; j < n; ++j) ci[j] -= l * bp[j];
    }
  }
}

// ---------------------------------------------------------------- y = A x, few columns
// Columns in groups of up to 4, each row of A read once per group: 4 accumulators of 4
// lanes per column, so the loads of A and x, not the additions, set the pace.
void multiply_columns_portable(Index m, Index n, Index k, const double* a, Index lda, const double* x,
                               Index ldx, double* y, Index ldy) {
  for (Index i = 0; i < m; ++i) {
    const double* ai = a + i * lda;
    for (Index c = 0; c < k; ++c) {
      const double* xc = x + c * ldx;
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      Index j = 0;
      for (; j + 4 <= n; j += 4) {
        s0 += ai[j] * xc[j];
        s1 += ai[j + 1] * xc[j + 1];
        s2 += ai[j + 2] * xc[j + 2];
        s3 += ai[j + 3] * xc[j + 3];
      }
      for (; j < n; ++j) s0 += ai[j] * xc[j];
      y[c * ldy + i] = (s0 + s1) + (s2 + s3);
    }
  }
}

#if FUNNELNET_X86_KERNELS
__attribute__((target("avx2,fma"))) double hsum_avx2(__m256d v) {
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

__attribute__((target("avx2,fma"))) void multiply_columns_avx2(Index m, Index n, Index k, const double* a,
                                                               Index lda, const double* x, Index ldx,
                                                               double* y, Index ldy) {
  for (Index c0 = 0; c0 < k; c0 += 4) {
    const Index kc = std::min<Index>(4, k - c0);
    const double* x0 = x + c0 * ldx;
    // Columns past the group's width repeat its last column (their sums are not stored).
    const double* x1 = x0 + std::min<Index>(1, kc - 1) * ldx;
    const double* x2 = x0 + std::min<Index>(2, kc - 1) * ldx;
    const double* x3 = x0 + std::min<Index>(3, kc - 1) * ldx;
    for (Index i = 0; i < m; ++i) {
      const double* ai = a + i * lda;
      __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
      Index j = 0;
      for (; j + 8 <= n; j += 8) {
        const __m256d u = _mm256_loadu_pd(ai + j), v = _mm256_loadu_pd(ai + j + 4);
        s0 = _mm256_fmadd_pd(u, _mm256_loadu_pd(x0 + j), s0);
        t0 = _mm256_fmadd_pd(v, _mm256_loadu_pd(x0 + j + 4), t0);
        s1 = _mm256_fmadd_pd(u, _mm256_loadu_pd(x1 + j), s1);
        t1 = _mm256_fmadd_pd(v, _mm256_loadu_pd(x1 + j + 4), t1);
        s2 = _mm256_fmadd_pd(u, _mm256_loadu_pd(x2 + j), s2);
        t2 = _mm256_fmadd_pd(v, _mm256_loadu_pd(x2 + j + 4), t2);
        s3 = _mm256_fmadd_pd(u, _mm256_loadu_pd(x3 + j), s3);
        t3 = _mm256_fmadd_pd(v, _mm256_loadu_pd(x3 + j + 4), t3);
      }
      double r[4] = {hsum_avx2(_mm256_add_pd(s0, t0)), hsum_avx2(_mm256_add_pd(s1, t1)),
                     hsum_avx2(_mm256_add_pd(s2, t2)), hsum_avx2(_mm256_add_pd(s3, t3))};
      const double* xs[4] = {x0, x1, x2, x3};
      for (; j < n; ++j)
        for (Index c = 0; c < 4; ++c) r[c] += ai[j] * xs[c][j];
      for (Index c = 0; c < kc; ++c) y[(c0 + c) * ldy + i] = r[c];
    }
  }
}
#endif

// ---------------------------------------------------------------- LU and triangular solves
constexpr Index base_size = 48;  // unblocked below this many rows / columns

// B <- L^-1 B, L unit lower triangular m x m (the strict lower part of `l`), B m x cols.
void trsm_left_unit_lower(const double* l, Index m, Index ldl, double* b, Index cols, Index ldb) {
  if (m <= base_size) {
    for (Index i = 1; i < m; ++i) {
      double* bi = b + i * ldb;
      for (Index p = 0; p < i; ++p) {
        const double f = l[i * ldl + p];
        const double* bp = b + p * ldb;
        for (Index j = 0; j < cols; ++j) bi[j] -= f * bp[j];
      }
    }
    return;
  }
  const Index m1 = m / 2;
  trsm_left_unit_lower(l, m1, ldl, b, cols, ldb);
  gemm_sub(m - m1, cols, m1, l + m1 * ldl, ldl, b, ldb, b + m1 * ldb, ldb);
  trsm_left_unit_lower(l + m1 * ldl + m1, m - m1, ldl, b + m1 * ldb, cols, ldb);
}

// B <- B U^-1, U upper triangular m x m, B rows x m.
void trsm_right_upper(const double* u, Index m, Index ldu, double* b, Index rows, Index ldb) {
  if (m <= base_size) {
    for (Index r = 0; r < rows; ++r) {
      double* br = b + r * ldb;
      for (Index j = 0; j < m; ++j) {
        const double x = br[j] / u[j * ldu + j];
        br[j] = x;
        const double* uj = u + j * ldu;
        for (Index q = j + 1; q < m; ++q) br[q] -= x * uj[q];
      }
    }
    return;
  }
  const Index m1 = m / 2;
  trsm_right_upper(u, m1, ldu, b, rows, ldb);
  gemm_sub(rows, m - m1, m1, b, ldb, u + m1, ldu, b + m1, ldb);
  trsm_right_upper(u + m1 * ldu + m1, m - m1, ldu, b + m1, rows, ldb);
}

bool lu_recursive(double* a, Index n, Index lda, double min_pivot) {
  if (n <= base_size) {
    for (Index k = 0; k < n; ++k) {
      const double pivot = a[k * lda + k];
      if (!(pivot > min_pivot)) return false;
      const double* ak = a + k * lda;
      for (Index i = k + 1; i < n; ++i) {
        double* ai = a + i * lda;
        const double l = ai[k] / pivot;
        ai[k] = l;
        for (Index j = k + 1; j < n; ++j) ai[j] -= l * ak[j];
      }
    }
    return true;
  }
  // Split at a multiple of 16 so the big products see whole register tiles.
  const Index n1 = std::max<Index>(16, (n / 2) / 16 * 16);
  const Index n2 = n - n1;
  double* a12 = a + n1;
  double* a21 = a + n1 * lda;
  double* a22 = a21 + n1;
  if (!lu_recursive(a, n1, lda, min_pivot)) return false;
  trsm_left_unit_lower(a, n1, lda, a12, n2, lda);  // U12 = L11^-1 A12
  trsm_right_upper(a, n1, lda, a21, n2, lda);      // L21 = A21 U11^-1
  gemm_sub(n2, n2, n1, a21, lda, a12, lda, a22, lda);
  return lu_recursive(a22, n2, lda, min_pivot);
}

}  // namespace

bool kernel_supported(Kernel k) noexcept {
  return cpu_has(k);
}

Kernel set_kernel(Kernel k) noexcept {
  const Kernel before = current().load();
  if (!cpu_has(k)) return before;
  current().store(k == Kernel::automatic ? best_kernel() : k);
  return before;
}

Kernel active_kernel() noexcept {
  return current().load();
}

void gemm_sub(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb, double* c,
              Index ldc) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  if (m * n * k <= small_product) {
    gemm_small(m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  switch (current().load(std::memory_order_relaxed)) {
#if FUNNELNET_X86_KERNELS
    case Kernel::avx512: gemm_blocked<Avx512Kernel>(m, n, k, a, lda, b, ldb, c, ldc); return;
    case Kernel::avx2: gemm_blocked<Avx2Kernel>(m, n, k, a, lda, b, ldb, c, ldc); return;
#endif
    default: gemm_blocked<PortableKernel>(m, n, k, a, lda, b, ldb, c, ldc); return;
  }
}

Matrix allocate_matrix(Eigen::Index rows, Eigen::Index cols) {
  Matrix m(rows, cols);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto bytes = static_cast<std::uintptr_t>(sizeof(double)) * static_cast<std::uintptr_t>(m.size());
  if (bytes >= (std::uintptr_t{4} << 20)) {
    constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
    const auto begin = reinterpret_cast<std::uintptr_t>(m.data());
    const std::uintptr_t lo = (begin + huge - 1) & ~(huge - 1), hi = (begin + bytes) & ~(huge - 1);
    // Advice only: where the kernel refuses it, the pages are ordinary ones.
    if (hi > lo)
      (void)madvise(static_cast<char*>(static_cast<void*>(m.data())) + (lo - begin), hi - lo, MADV_HUGEPAGE);
  }
#endif
  return m;
}

void multiply_columns(Index m, Index n, Index k, const double* a, Index lda, const double* x, Index ldx,
                      double* y, Index ldy) {
  if (m <= 0 || k <= 0) return;
  if (n <= 0) {
    for (Index c = 0; c < k; ++c) std::fill(y + c * ldy, y + c * ldy + m, 0.0);
    return;
  }
#if FUNNELNET_X86_KERNELS
  if (current().load(std::memory_order_relaxed) != Kernel::portable) {
    multiply_columns_avx2(m, n, k, a, lda, x, ldx, y, ldy);
    return;
  }
#endif
  multiply_columns_portable(m, n, k, a, lda, x, ldx, y, ldy);
}

void lu_solve_in_place(const double* lu, Index n, Index ldl, double* x, Index k, Index ldx) {
  if (n <= 0 || k <= 0) return;
  std::vector<double> dot(static_cast<std::size_t>(k));
  // L y = b: row i of L (left of the diagonal) against the rows of y already final.
  for (Index i = 1; i < n; ++i) {
    multiply_columns(1, i, k, lu + i * ldl, ldl, x, ldx, dot.data(), 1);
    for (Index c = 0; c < k; ++c) x[c * ldx + i] -= dot[static_cast<std::size_t>(c)];
  }
  // U x = y: row i of U (right of the diagonal), from the last row up.
  for (Index i = n; i-- > 0;) {
    const double* ui = lu + i * ldl;
    multiply_columns(1, n - 1 - i, k, ui + i + 1, ldl, x + i + 1, ldx, dot.data(), 1);
    for (Index c = 0; c < k; ++c)
      x[c * ldx + i] = (x[c * ldx + i] - dot[static_cast<std::size_t>(c)]) / ui[i];
  }
}

bool lu_nopivot(double* a, Index n, Index lda, double min_pivot) {
  if (n <= 0) return true;
  return lu_recursive(a, n, lda, min_pivot);
}

}  // namespace markov::dense
FUNNELNET_END
