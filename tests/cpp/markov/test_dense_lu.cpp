// The dense LU of the Markov engine (markov::dense): the multiply kernels against a
// brute-force triple loop, the LU against reconstructing A = L U, and dense absorbing
// solves against the Sherman-Morrison closed form of a rank-one chain (well and badly
// conditioned), for every kernel this CPU can run.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>
#include <cstdint>
#include <vector>

#include "funnelnet/core/random.hpp"
#include "funnelnet/markov.hpp"

using namespace funnelnet;
using markov::dense::Kernel;

namespace test_dense_lu {

std::vector<Kernel> kernels() {
  std::vector<Kernel> out;
  for (Kernel k : {Kernel::portable, Kernel::avx2, Kernel::avx512})
    if (markov::dense::kernel_supported(k)) out.push_back(k);
  return out;
}

// Restores the automatic kernel choice at the end of a test.
struct KernelScope {
  explicit KernelScope(Kernel k) { markov::dense::set_kernel(k); }
  KernelScope(const KernelScope&) = delete;
  KernelScope& operator=(const KernelScope&) = delete;
  ~KernelScope() { markov::dense::set_kernel(Kernel::automatic); }
};

// I - Q for a random dense substochastic Q whose rows keep `exit` for absorption.
Matrix random_i_minus_q(int n, double exit, std::uint64_t seed) {
  Rng rng(seed);
  Matrix a(n, n);
  for (int i = 0; i < n; ++i) {
    double s = 0.0;
    for (int j = 0; j < n; ++j) s += a(i, j) = rng.uniform();
    for (int j = 0; j < n; ++j) a(i, j) = (i == j ? 1.0 : 0.0) - (1.0 - exit) * a(i, j) / s;
  }
  return a;
}

}  // namespace test_dense_lu

using namespace test_dense_lu;

TEST(DenseLu, KernelsMatchBruteForceMultiply) {
  // Shapes around the tile and block sizes (8 x 24, 6 x 8, 4 x 8; depth 256; 240 / 256
  // columns), with row strides larger than the rows.
  const int shapes[][3] = {{1, 1, 1},     {7, 23, 5},      {8, 24, 256},
                           {33, 61, 257}, {300, 250, 513}, {97, 500, 40}};
  for (Kernel k : kernels()) {
    const KernelScope scope(k);
    for (const auto& s : shapes) {
      const int m = s[0], n = s[1], d = s[2];
      Rng rng(static_cast<std::uint64_t>(m * 1000 + n));
      const int lda = d + 3, ldb = n + 5, ldc = n + 7;
      std::vector<double> a(static_cast<std::size_t>(m * lda)), b(static_cast<std::size_t>(d * ldb)),
          c(static_cast<std::size_t>(m * ldc));
      for (double& v : a) v = rng.uniform() - 0.5;
      for (double& v : b) v = rng.uniform() - 0.5;
      for (double& v : c) v = rng.uniform() - 0.5;
      std::vector<double> want = c;
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          double acc = 0.0;
          for (int p = 0; p < d; ++p)
            acc += a[static_cast<std::size_t>(i * lda + p)] * b[static_cast<std::size_t>(p * ldb + j)];
          want[static_cast<std::size_t>(i * ldc + j)] -= acc;
        }
      markov::dense::gemm_sub(m, n, d, a.data(), lda, b.data(), ldb, c.data(), ldc);
      double err = 0.0;
      for (std::size_t e = 0; e < c.size(); ++e) err = std::max(err, std::abs(c[e] - want[e]));
      EXPECT_LT(err, 1e-12 * d) << "kernel " << static_cast<int>(k) << ", " << m << "x" << n << "x" << d;
      // The padding between rows of C is never written.
      for (int i = 0; i < m; ++i)
        for (int j = n; j < ldc; ++j)
          ASSERT_EQ(c[static_cast<std::size_t>(i * ldc + j)], want[static_cast<std::size_t>(i * ldc + j)]);
    }
  }
}

TEST(DenseLu, FactorsReconstructTheMatrix) {
  for (Kernel k : kernels()) {
    const KernelScope scope(k);
    for (const int n : {5, 130, 517}) {
      const Matrix a = random_i_minus_q(n, 0.05, 7);
      Matrix f = a;
      ASSERT_TRUE(markov::dense::lu_nopivot(f.data(), n, n, 1e-13));
      const Matrix l = f.triangularView<Eigen::UnitLower>();
      const Matrix u = f.triangularView<Eigen::Upper>();
      EXPECT_LT((l * u - a).cwiseAbs().maxCoeff(), 1e-13) << "kernel " << static_cast<int>(k) << ", n " << n;
      EXPECT_GT(u.diagonal().minCoeff(), 0.0);  // an M-matrix: positive pivots
    }
  }
}

TEST(DenseLu, SingularMatrixIsRefused) {
  // The last 200 of 400 states form a closed class (Q uniform over it, rows summing to
  // 1): I - Q is singular, and the elimination meets a zero pivot there.
  Matrix a = random_i_minus_q(400, 0.05, 4);
  for (int i = 200; i < 400; ++i) {
    a.row(i).setZero();
    for (int j = 200; j < 400; ++j) a(i, j) = (i == j ? 1.0 : 0.0) - 1.0 / 200.0;
  }
  Matrix f = a;
  EXPECT_FALSE(markov::dense::lu_nopivot(f.data(), 400, 400, 1e-13));
}

// A rank-one chain: Q = c w^T (sum w = 1, 0 <= c_i < 1).  Sherman-Morrison gives
// N = I + c w^T / (1 - w.c), so t = N 1 = 1 + c / (1 - w.c) and B = R + c (w^T R) / (1 - w.c).
TEST(DenseLu, RankOneChainMatchesShermanMorrison) {
  for (const double top : {0.9, 1.0 - 1e-7}) {  // well conditioned, then cond(I - Q) ~ 1e7
    for (Kernel k : kernels()) {
      const KernelScope scope(k);
      const int n = 600;
      Rng rng(11);
      Vector c(n), w(n);
      for (int i = 0; i < n; ++i) {
        c(i) = top * (0.5 + 0.5 * rng.uniform());
        w(i) = rng.uniform();
      }
      c(0) = top;
      w /= w.sum();
      Matrix q = c * w.transpose();
      Matrix r(n, 2);
      for (int i = 0; i < n; ++i) {
        const double win = rng.uniform();
        r(i, 0) = win * (1.0 - c(i));
        r(i, 1) = (1.0 - win) * (1.0 - c(i));
      }
      const double denom = 1.0 - w.dot(c);
      const Vector t_want = Vector::Ones(n) + c / denom;
      const Matrix b_want = r + c * (w.transpose() * r) / denom;
      markov::SolverOptions o;
      o.method = markov::Method::dense_lu;
      const markov::TransientSolver solver(MatrixRef(q), o);
      const AbsorptionSummary s = markov::absorption(solver, r);
      const double tol = top < 0.95 ? 1e-12 : 1e-6;  // ~ cond * 1e-16 relative
      EXPECT_LT(((s.expected_steps - t_want).array().abs() / t_want.array()).maxCoeff(), tol)
          << "kernel " << static_cast<int>(k);
      EXPECT_LT((s.absorption - b_want).cwiseAbs().maxCoeff(), tol) << "kernel " << static_cast<int>(k);
      // The transposed solve: (I - Q)^T x = w has x = w / (1 - w.c) (w^T c w^T = (w.c) w^T).
      const Matrix x = solver.solve_transpose(w);
      EXPECT_LT(((x.col(0) - w / denom).array().abs() / (w / denom).array()).maxCoeff(), tol);
    }
  }
}

TEST(DenseLu, MultiplyColumnsMatchesBruteForce) {
  // Rows of A read once for up to 4 columns at a time: shapes around the 8-wide loop and
  // the groups of 4 columns, row and column strides larger than the shape.
  const int shapes[][3] = {{1, 1, 1}, {3, 7, 2}, {5, 8, 4}, {17, 33, 5}, {40, 129, 9}, {6, 0, 3}};
  for (Kernel kern : kernels()) {
    const KernelScope scope(kern);
    for (const auto& s : shapes) {
      const int m = s[0], n = s[1], k = s[2];
      const int lda = n + 3, ldx = n + 2, ldy = m + 1;
      Rng rng(static_cast<std::uint64_t>(100 * m + n));
      std::vector<double> a(static_cast<std::size_t>(m * lda)), x(static_cast<std::size_t>(k * ldx)),
          y(static_cast<std::size_t>(k * ldy), -7.0);
      for (double& v : a) v = rng.uniform() - 0.5;
      for (double& v : x) v = rng.uniform() - 0.5;
      markov::dense::multiply_columns(m, n, k, a.data(), lda, x.data(), ldx, y.data(), ldy);
      for (int c = 0; c < k; ++c)
        for (int i = 0; i < m; ++i) {
          double want = 0.0;
          for (int j = 0; j < n; ++j)
            want += a[static_cast<std::size_t>(i * lda + j)] * x[static_cast<std::size_t>(c * ldx + j)];
          EXPECT_NEAR(y[static_cast<std::size_t>(c * ldy + i)], want, 1e-13 * (n + 1))
              << "kernel " << static_cast<int>(kern) << ", " << m << "x" << n << "x" << k;
        }
      for (int c = 0; c < k; ++c)  // the padding of y is never written
        EXPECT_EQ(y[static_cast<std::size_t>(c * ldy + m)], -7.0);
    }
  }
}

TEST(DenseLu, SolveInPlaceMatchesPartialPivoting) {
  // The row sweeps of lu_solve_in_place against Eigen's partial-pivot LU (the oracle) on
  // the same I - Q, for 1, 3 and 6 right-hand sides.
  for (Kernel kern : kernels()) {
    const KernelScope scope(kern);
    const int n = 301;
    const Matrix a = random_i_minus_q(n, 0.02, 9);
    Matrix f = markov::dense::allocate_matrix(n, n);
    f = a;
    ASSERT_TRUE(markov::dense::lu_nopivot(f.data(), n, n, 1e-13));
    const Eigen::PartialPivLU<Matrix> oracle(a);
    for (const int k : {1, 3, 6}) {
      Rng rng(static_cast<std::uint64_t>(k));
      Eigen::MatrixXd b(n, k);
      for (int i = 0; i < n; ++i)
        for (int c = 0; c < k; ++c) b(i, c) = rng.uniform();
      Eigen::MatrixXd x = b;
      markov::dense::lu_solve_in_place(f.data(), n, n, x.data(), k, x.outerStride());
      const Eigen::MatrixXd want = oracle.solve(b);
      EXPECT_LT(((x - want).cwiseAbs().array() / want.cwiseAbs().array().max(1.0)).maxCoeff(), 1e-11)
          << "kernel " << static_cast<int>(kern) << ", k " << k;
    }
  }
}
