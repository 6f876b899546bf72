// The Markov engine's solves with I - Q (declared in funnelnet/markov/solver.hpp).
#include "funnelnet/markov/solver.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>

#include "core/linalg.hpp"
#include "funnelnet/core/error.hpp"
#include "funnelnet/markov/dense_lu.hpp"

FUNNELNET_BEGIN
namespace markov {

// The solver's helpers, in a namespace named after the file rather than an anonymous one:
// TransientSolver::Impl (external linkage) holds a DenseFactor, and GCC warns
// (-Wsubobject-linkage) when a unity build includes this file.
namespace solver_cpp {

using SparseLU = Eigen::SparseLU<SparseColMatrix, Eigen::COLAMDOrdering<int>>;
using BiCGSTAB = Eigen::BiCGSTAB<SparseRowMatrix, Eigen::DiagonalPreconditioner<double>>;

// By density: a block of 100+ states with at most 5% non-zeros is factorised sparse
// (dense LU costs (2/3) n^3 whatever the structure; the natural-order sparse LU below
// costs about n b^2 for a funnel of bandwidth b).
bool use_sparse(Eigen::Index n, double nnz) {
  return n >= 100 && nnz <= 0.05 * static_cast<double>(n) * static_cast<double>(n);
}

// use_sparse for a dense square block, counting its non-zeros row by row only until the
// count rules the sparse methods out (a dense chain: after about 5% of its rows).
bool use_sparse_dense_block(MatrixRef q) {
  const Eigen::Index n = q.rows();
  if (n < 100) return false;
  const double limit = 0.05 * static_cast<double>(n) * static_cast<double>(n);
  double nnz = 0.0;
  for (Eigen::Index i = 0; i < n && nnz <= limit; ++i)
    nnz += static_cast<double>((q.row(i).array() != 0.0).count());
  return use_sparse(n, nnz);
}

// LU of A = I - Q in the natural state order, without pivoting, row by row (the
// "IKJ" variant of Gaussian elimination on CSR rows).  I - Q is a nonsingular M-matrix
// when every state reaches an absorbing one, so it has an LU factorisation without
// pivoting whose pivots are positive, and elimination is stable (no growth).  Funnels
// are close to upper triangular (most moves go forward), so the fill stays inside the
// band of backward moves: a banded funnel costs O(n b^2).  factor() gives up (returns
// false) when the fill exceeds a budget or a pivot is not positive; the caller then
// uses COLAMD-ordered sparse LU.
struct NaturalLU {
  Eigen::Index n = 0;
  std::vector<std::int64_t> lo, uo;  // row offsets of L (strictly lower, unit diagonal) and U
  std::vector<int> li, ui;           // column indices; U's first entry of each row is the diagonal
  std::vector<double> lv, uv;

  using Lower = std::priority_queue<int, std::vector<int>, std::greater<>>;

  // The row update of the elimination, for an entry of Q and for an entry of a U row
  // alike: w[j] -= v on the working row i, registering column j in the row's pattern on
  // first touch (below the diagonal: the queue of columns still to eliminate, in
  // increasing order; on or above it: U's columns).
  static void update(int i, int j, double v, std::vector<double>& w, std::vector<int>& mark, Lower& lower,
                     std::vector<int>& upper) {
    const auto jj = static_cast<std::size_t>(j);
    if (mark[jj] != i) {
      mark[jj] = i;
      w[jj] = 0.0;
      if (j < i)
        lower.push(j);
      else
        upper.push_back(j);
    }
    w[jj] -= v;
  }

  bool factor(const SparseRowMatrix& q, std::size_t budget) {  // q compressed, sorted rows
    n = q.rows();
    const auto nn = static_cast<std::size_t>(n);
    lo.assign(nn + 1, 0);
    uo.assign(nn + 1, 0);
    li.clear(), ui.clear(), lv.clear(), uv.clear();
    std::vector<double> w(nn, 0.0);
    std::vector<int> mark(nn, -1), upper;
    Lower lower;
    const int* qo = q.outerIndexPtr();
    const int* qi = q.innerIndexPtr();
    const double* qv = q.valuePtr();
    for (int i = 0; i < static_cast<int>(n); ++i) {
      upper.clear();
      mark[static_cast<std::size_t>(i)] = i;
      w[static_cast<std::size_t>(i)] = 1.0;
      upper.push_back(i);
      for (int k = qo[i]; k < qo[i + 1]; ++k) update(i, qi[k], qv[k], w, mark, lower, upper);
      while (!lower.empty()) {
        const int k = lower.top();
        lower.pop();
        const auto uk = static_cast<std::size_t>(uo[static_cast<std::size_t>(k)]);
        const auto ue = static_cast<std::size_t>(uo[static_cast<std::size_t>(k) + 1]);
        const double l = w[static_cast<std::size_t>(k)] / uv[uk];
        if (l != 0.0) {
          for (std::size_t e = uk + 1; e < ue; ++e) update(i, ui[e], l * uv[e], w, mark, lower, upper);
          li.push_back(k);
          lv.push_back(l);
        }
      }
      lo[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(li.size());
      std::sort(upper.begin() + 1, upper.end());
      const double pivot = w[static_cast<std::size_t>(i)];
      if (!(pivot > 1e-13)) return false;  // singular or nearly: let sparse LU decide
      for (const int j : upper) {
        ui.push_back(j);
        uv.push_back(w[static_cast<std::size_t>(j)]);
      }
      uo[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(ui.size());
      if (li.size() + ui.size() > budget) return false;
    }
    return true;
  }

  // x <- A^-1 x (x row-major: one row per state, one column per right-hand side).  Raw
  // row loops: the few right-hand sides of an absorbing analysis make Eigen's
  // dynamic-size row expressions cost more than the arithmetic.
  void solve_in_place(Matrix& x) const {
    const auto k = static_cast<std::size_t>(x.cols());
    double* xd = x.data();
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      double* xi = xd + i * k;
      for (auto e = static_cast<std::size_t>(lo[i]); e < static_cast<std::size_t>(lo[i + 1]); ++e) {
        const double l = lv[e];
        const double* xj = xd + static_cast<std::size_t>(li[e]) * k;
        for (std::size_t c = 0; c < k; ++c) xi[c] -= l * xj[c];
      }
    }
    for (std::size_t i = static_cast<std::size_t>(n); i-- > 0;) {
      double* xi = xd + i * k;
      const auto b = static_cast<std::size_t>(uo[i]);
      for (auto e = b + 1; e < static_cast<std::size_t>(uo[i + 1]); ++e) {
        const double u = uv[e];
        const double* xj = xd + static_cast<std::size_t>(ui[e]) * k;
        for (std::size_t c = 0; c < k; ++c) xi[c] -= u * xj[c];
      }
      const double d = uv[b];
      for (std::size_t c = 0; c < k; ++c) xi[c] /= d;
    }
  }

  // x <- A^-T x: U^T y = x forward, then L^T x = y backward.
  void solve_transpose_in_place(Matrix& x) const {
    const auto k = static_cast<std::size_t>(x.cols());
    double* xd = x.data();
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      double* xi = xd + i * k;
      const auto b = static_cast<std::size_t>(uo[i]);
      const double d = uv[b];
      for (std::size_t c = 0; c < k; ++c) xi[c] /= d;
      for (auto e = b + 1; e < static_cast<std::size_t>(uo[i + 1]); ++e) {
        const double u = uv[e];
        double* xj = xd + static_cast<std::size_t>(ui[e]) * k;
        for (std::size_t c = 0; c < k; ++c) xj[c] -= u * xi[c];
      }
    }
    for (std::size_t i = static_cast<std::size_t>(n); i-- > 0;) {
      const double* xi = xd + i * k;
      for (auto e = static_cast<std::size_t>(lo[i]); e < static_cast<std::size_t>(lo[i + 1]); ++e) {
        const double l = lv[e];
        double* xj = xd + static_cast<std::size_t>(li[e]) * k;
        for (std::size_t c = 0; c < k; ++c) xj[c] -= l * xi[c];
      }
    }
  }
};

// I - Q from a compressed CSR Q (inner indices sorted within rows), merging the diagonal.
SparseRowMatrix i_minus_q(const SparseRowMatrix& q) {
  const Eigen::Index n = q.rows();
  std::vector<int> outer(static_cast<std::size_t>(n) + 1, 0), inner;
  std::vector<double> value;
  inner.reserve(static_cast<std::size_t>(q.nonZeros() + n));
  value.reserve(inner.capacity());
  const int* qo = q.outerIndexPtr();
  const int* qi = q.innerIndexPtr();
  const double* qv = q.valuePtr();
  for (Eigen::Index i = 0; i < n; ++i) {
    bool diag = false;
    for (int k = qo[i]; k < qo[i + 1]; ++k) {
      const int j = qi[k];
      if (!diag && j > i) {
        inner.push_back(static_cast<int>(i));
        value.push_back(1.0);
        diag = true;
      }
      inner.push_back(j);
      if (j == i) {
        value.push_back(1.0 - qv[k]);
        diag = true;
      } else {
        value.push_back(-qv[k]);
      }
    }
    if (!diag) {
      inner.push_back(static_cast<int>(i));
      value.push_back(1.0);
    }
    outer[static_cast<std::size_t>(i) + 1] = static_cast<int>(inner.size());
  }
  return Eigen::Map<const SparseRowMatrix>(n, n, static_cast<Eigen::Index>(inner.size()), outer.data(),
                                           inner.data(), value.data());
}

// Dense blocks of this many states or more are factorised by markov::dense::lu_nopivot
// when I - Q allows it (smaller ones: Eigen's partial-pivot LU, as fast there).
constexpr Eigen::Index nopivot_min = 128;

// Dense blocks of this many states or more (automatic method) try the certified Krylov
// solves before the LU (below it the LU's (2/3) n^3 flops cost less than a few mat-vecs'
// overheads).
constexpr Eigen::Index krylov_min = 500;

// Whether A = I - Q is a Z-matrix (off-diagonal entries <= 0) with weakly dominant rows
// (a_ii >= sum_j!=i |a_ij|, i.e. Q >= 0 off the diagonal with row sums <= 1): then, being
// nonsingular, it is an M-matrix, and LU without pivoting is stable (growth <= 2).
bool dominant_z_matrix(const Matrix& a) {
  const Eigen::Index n = a.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double* r = a.data() + i * n;
    double off = 0.0;
    bool z = true;
    for (Eigen::Index j = 0; j < n; ++j) {
      z &= (j == i) | (r[j] <= 0.0);
      off -= j == i ? 0.0 : r[j];
    }
    if (!z || !(r[i] >= off * (1.0 - 1e-12))) return false;
  }
  return true;
}

// y = A x for a row-major A and the few columns of a Krylov block (column-major x):
// each row of A is read once, for all columns (markov::dense::multiply_columns; Eigen's
// product packs A first, several times the memory traffic of this memory-bound product).
void dense_times(const Matrix& a, const Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
  dense::multiply_columns(a.rows(), a.cols(), x.cols(), a.data(), a.outerStride(), x.data(), x.outerStride(),
                          y.data(), y.outerStride());
}

// The dense factorisation of I - Q: LU without pivoting (markov::dense, AVX-512 / AVX2
// kernels) for a large dominant Z-matrix, else Eigen's partial-pivot LU.
struct DenseFactor {
  detail::DenseLU lu;  // Eigen's partial-pivot LU, compiled once in the core
  Matrix nopiv;        // L (strictly lower, unit diagonal) and U, in place
  bool use_nopiv = false;

  // dominant: whether a is known to be a dominant Z-matrix (checked here when not).
  void compute(const Matrix& a, std::optional<bool> dominant = std::nullopt) {
    use_nopiv = false;
    if (a.rows() >= nopivot_min && (dominant.has_value() ? *dominant : dominant_z_matrix(a))) {
      nopiv = dense::allocate_matrix(a.rows(), a.cols());
      nopiv = a;
      // A pivot at or below 1e-13 (the natural-order sparse LU's rule): numerically
      // singular, left to partial pivoting as before.
      if (dense::lu_nopivot(nopiv.data(), a.rows(), a.rows(), 1e-13)) {
        use_nopiv = true;
        return;
      }
      nopiv.resize(0, 0);
    }
    lu.compute(a);
  }
  [[nodiscard]] Matrix solve(MatrixRef b) const {
    if (!use_nopiv) return lu.solve(b);
    Eigen::MatrixXd x = b;  // column-major: each column contiguous for the row sweeps
    dense::lu_solve_in_place(nopiv.data(), nopiv.rows(), nopiv.outerStride(), x.data(), x.cols(),
                             x.outerStride());
    return x;
  }
  [[nodiscard]] Matrix solve_transpose(MatrixRef b) const {
    if (!use_nopiv) return lu.solve_transpose(b);
    Matrix x = b;
    nopiv.triangularView<Eigen::Upper>().transpose().solveInPlace(x);
    nopiv.triangularView<Eigen::UnitLower>().transpose().solveInPlace(x);
    return x;
  }
};

}  // namespace solver_cpp
using namespace solver_cpp;  // NOLINT(google-build-using-namespace): this file's own helpers

struct TransientSolver::Impl {
  Method method = Method::dense_lu;
  Eigen::Index n = 0;
  SolverOptions options;
  mutable DenseFactor lu;  // dense (deferred: computed on first need)
  Matrix a_dense;          // I - Q while the dense LU is deferred
  bool deferred = false;
  bool a_dominant = false;  // a_dense is a Z-matrix with weakly dominant rows
  bool a_forward = false;   // Q's strictly lower part holds at most 1/4 of its off-diagonal weight
  double a_norm = 0.0;      // |A|_inf
  mutable std::once_flag lu_once;
  mutable std::atomic<bool> krylov_failed{false};
  mutable std::atomic<std::size_t> krylov_ok{0};  // solves answered by krylov()

  // The dense LU; a deferred one is computed here, once.
  const DenseFactor& dense_lu() const {
    if (deferred) std::call_once(lu_once, [&] { lu.compute(a_dense, a_dominant); });
    return lu;
  }

  // Certified block BiCGSTAB for a large dense I - Q (automatic method only): the
  // columns of b and a column of ones (t = N 1, the expected steps) are iterated in
  // lockstep, so each iteration reads A twice whatever the number of columns.
  // Chains that leave the transient states quickly (most of A's spectrum near 1) are
  // solved in a few dozen dense mat-vecs, O(n^2) each, instead of the O(n^3) LU.
  // A mostly-forward chain (a_forward) is solved right-preconditioned by the upper
  // triangle M of A (its diagonal included; A = M + L, L the strictly lower part): an
  // iteration applies M^-1 by back substitution and A M^-1 y = y + L M^-1 y, reading A
  // twice as well.  M^-1 L moves a walk to its next backward step: with little backward
  // weight that is close to a rank-one map (where the next backward jump lands hardly
  // depends on where the walk started), so the preconditioned spectrum is clustered.
  // Others return false within a budget of a few dozen mat-vecs and the LU is used.
  //
  // Certificate, per column j, with the true residual r_j = b_j - A x_j: accepted when
  // (a) the a-posteriori bound |x_j - x^_j|_inf <= max_i t_i |r_j|_inf, with max t <=
  //     max t^ / (1 - |r_t|_inf), is <= max(tolerance, 1e-10) * max(1, |b_j|, |x^_j|), or
  // (b) the normwise backward error |r_j|_inf / (|A|_inf |x^_j|_inf + |b_j|_inf) is at
  //     most 4 eps sqrt(n): x^_j then solves a system within rounding of A, as a
  //     backward-stable LU's answer does (whose a-priori backward error bound is of order
  //     n eps), so its error obeys the same bound, cond(A) times that, as the LU's.
  // (b) matters for chains with many expected steps (a dense forward funnel: 5e4 at
  // n = 5,000), where even the LU's answer cannot meet (a).
  static double backward_limit(Eigen::Index n) {
    return 4.0 * std::numeric_limits<double>::epsilon() * std::sqrt(static_cast<double>(n));
  }

  // hat = M^-1 in (back substitution), out = A hat = in + L hat.  By blocks of `blk`
  // rows: the rectangle of a block right of (left of) its diagonal block is one
  // multiply_columns call, each row of A read once for all columns, as in the plain
  // product; only the small triangles go row by row.
  void forward_apply(const Eigen::MatrixXd& in, Eigen::MatrixXd& hat, Eigen::MatrixXd& out) const {
    constexpr Eigen::Index blk = 64, cols = 8;  // rows per block; columns per sweep
    const Eigen::Index k = in.cols();
    const double* a = a_dense.data();
    const Eigen::Index lda = a_dense.outerStride();
    hat = in;
    double dot[cols];
    double tmp[blk * cols];
    const Eigen::Index ldh = hat.outerStride(), ldi = in.outerStride(), ldo = out.outerStride();
    for (Eigen::Index c0 = 0; c0 < k; c0 += cols) {
      const Eigen::Index kc = std::min<Eigen::Index>(cols, k - c0);
      double* hc = hat.data() + c0 * ldh;
      for (Eigen::Index r1 = n; r1 > 0;) {
        const Eigen::Index r0 = std::max<Eigen::Index>(0, r1 - blk);
        dense::multiply_columns(r1 - r0, n - r1, kc, a + r0 * lda + r1, lda, hc + r1, ldh, tmp, blk);
        for (Eigen::Index i = r1; i-- > r0;) {
          const double* ai = a + i * lda;
          dense::multiply_columns(1, r1 - 1 - i, kc, ai + i + 1, lda, hc + i + 1, ldh, dot, 1);
          for (Eigen::Index c = 0; c < kc; ++c)
            hc[c * ldh + i] = (hc[c * ldh + i] - tmp[c * blk + i - r0] - dot[c]) / ai[i];
        }
        r1 = r0;
      }
      const double* ic = in.data() + c0 * ldi;
      double* oc = out.data() + c0 * ldo;
      for (Eigen::Index r0 = 0; r0 < n; r0 += blk) {
        const Eigen::Index r1 = std::min(n, r0 + blk);
        dense::multiply_columns(r1 - r0, r0, kc, a + r0 * lda, lda, hc, ldh, tmp, blk);
        for (Eigen::Index i = r0; i < r1; ++i) {
          dense::multiply_columns(1, i - r0, kc, a + i * lda + r0, lda, hc + r0, ldh, dot, 1);
          for (Eigen::Index c = 0; c < kc; ++c)
            oc[c * ldo + i] = ic[c * ldi + i] + tmp[c * blk + i - r0] + dot[c];
        }
      }
    }
  }

  bool krylov(MatrixRef b, Matrix& out) const {
    if (krylov_failed.load(std::memory_order_relaxed)) return false;
    const bool pre = a_forward;
    const Eigen::Index k = b.cols() + 1;
    Eigen::MatrixXd bb(n, k);
    bb.leftCols(k - 1) = b;
    bb.col(k - 1).setOnes();
    const Eigen::ArrayXd babs = bb.cwiseAbs().colwise().maxCoeff().transpose().array();
    const Eigen::ArrayXd bnorm = babs.max(1.0);
    const double eta = backward_limit(n);
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, k), r = bb, rh = bb, p = Eigen::MatrixXd::Zero(n, k),
                    v = Eigen::MatrixXd::Zero(n, k), sv(n, k), t(n, k), ph, sh;
    if (pre) ph.resize(n, k), sh.resize(n, k);
    Eigen::ArrayXd rho = Eigen::ArrayXd::Ones(k), alpha = Eigen::ArrayXd::Ones(k),
                   omega = Eigen::ArrayXd::Ones(k);
    // Budget: an iteration reads A twice (two products of about 8 n^2 bytes each), the
    // LU costs about (2/3) n^3 flops: at this machine's bandwidth and flop rate the LU is
    // worth about n / 200 iterations, and the variance needs a second Krylov run, so a
    // run stops after n / 400 (the LU then costs less than what is left).
    const int max_it = static_cast<int>(std::clamp<Eigen::Index>(n / 400, 8, 30));
    // From iteration `first_probe` on, every `probe` iterations, the residuals' rate of
    // decrease since the last probe predicts the iterations left; a chain on which
    // BiCGSTAB crawls or stalls goes to the LU then, not after the whole budget.  (Not
    // before 4: BiCGSTAB's residuals may rise in its first iterations, by a factor of 13
    // at the third on the 5,000-state forward funnel, and fall by 1e-5 at the fourth.)
    constexpr int first_probe = 4, probe = 3;
    const double tol = std::max(options.tolerance, 1e-10);
    double worst_before = 1.0;
    bool ok = true;
    // A column stops when its residual is at rounding level, or small and no longer
    // falling fast (stagnation; the certificate below then decides).
    Eigen::ArrayXd last = Eigen::ArrayXd::Constant(k, std::numeric_limits<double>::infinity());
    Eigen::Array<bool, Eigen::Dynamic, 1> active = Eigen::Array<bool, Eigen::Dynamic, 1>::Constant(k, true);
    for (int it = 0; it < max_it && ok; ++it) {
      const Eigen::ArrayXd rnorm = r.cwiseAbs().colwise().maxCoeff().transpose().array();
      // (Below 1e-14 the recursive residual no longer tells: the true residual of the
      // certificate may have stalled above it, as on mostly-forward chains.)  A column
      // also stops once its recursive residual is a quarter of what certificate (b)
      // accepts (the true residual is checked below): sooner on chains with many steps.
      const Eigen::ArrayXd enough =
          0.25 * eta * (a_norm * x.cwiseAbs().colwise().maxCoeff().transpose().array() + babs);
      active = active && (rnorm > 1e-14 * bnorm) && (rnorm > enough) &&
               !((rnorm > 0.25 * last) && (rnorm < 1e-11 * bnorm));
      last = active.select(rnorm, last);
      if (!active.any()) break;
      if (it >= first_probe && (it - first_probe) % probe == 0) {
        const double worst = active.select(rnorm / bnorm, 0.0).maxCoeff();
        const double need = worst < worst_before
                                ? it + probe * std::log(1e-13 / worst) / std::log(worst / worst_before)
                                : HUGE_VAL;
        if (!(need <= max_it)) {
          ok = false;
          break;
        }
        worst_before = worst;
      }
      const Eigen::ArrayXd rho_new = rh.cwiseProduct(r).colwise().sum().transpose().array();
      const Eigen::ArrayXd beta = active.select((rho_new / rho) * (alpha / omega), 0.0);
      for (Eigen::Index j = 0; j < k; ++j) p.col(j) = r.col(j) + beta(j) * (p.col(j) - omega(j) * v.col(j));
      if (pre)
        forward_apply(p, ph, v);
      else
        dense_times(a_dense, p, v);
      alpha = active.select(rho_new / rh.cwiseProduct(v).colwise().sum().transpose().array(), 0.0);
      sv = r - v * alpha.matrix().asDiagonal();
      if (pre)
        forward_apply(sv, sh, t);
      else
        dense_times(a_dense, sv, t);
      const Eigen::ArrayXd tt = t.cwiseProduct(t).colwise().sum().transpose().array();
      omega = active.select(t.cwiseProduct(sv).colwise().sum().transpose().array() / tt, 0.0);
      if (pre)
        x += ph * alpha.matrix().asDiagonal() + sh * omega.matrix().asDiagonal();
      else
        x += p * alpha.matrix().asDiagonal() + sv * omega.matrix().asDiagonal();
      r = sv - t * omega.matrix().asDiagonal();
      rho = active.select(rho_new, rho);
      omega = active.select(omega, 1.0);
      ok =
          alpha.allFinite() && omega.allFinite() && x.allFinite() && (active.select(omega, 1.0) != 0.0).all();
    }
    if (ok) {
      Eigen::MatrixXd res(n, k);
      dense_times(a_dense, x, res);
      res = bb - res;
      const double rt = res.col(k - 1).cwiseAbs().maxCoeff();
      ok = std::isfinite(rt) && rt < 0.5;
      const double bound = ok ? x.col(k - 1).cwiseAbs().maxCoeff() / (1.0 - rt) : 0.0;
      for (Eigen::Index j = 0; j + 1 < k && ok; ++j) {  // (t itself: only the bound's rt above)
        const double rj = res.col(j).cwiseAbs().maxCoeff();
        const double xj = x.col(j).cwiseAbs().maxCoeff();
        const double bj = bb.col(j).cwiseAbs().maxCoeff();
        ok = std::isfinite(rj) &&
             (bound * rj <= tol * std::max(bnorm(j), xj) || rj <= eta * (a_norm * xj + bj));
      }
    }
    if (!ok) {
      krylov_failed.store(true, std::memory_order_relaxed);
      return false;
    }
    out = x.leftCols(k - 1);
    krylov_ok.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  SparseRowMatrix a_row;  // I - Q (iterative)
  SparseColMatrix a;      // I - Q (sparse LU)
  BiCGSTAB it;
  mutable std::once_flag slu_once, slut_once;
  mutable std::unique_ptr<SparseLU> slu, slut;
  std::unique_ptr<NaturalLU> nlu;  // sparse_lu in the natural order, when its fill is small

  void dense_from(const SparseRowMatrix& q) {
    Matrix m = Matrix::Identity(n, n);
    const int* qo = q.outerIndexPtr();
    const int* qi = q.innerIndexPtr();
    const double* qv = q.valuePtr();
    for (Eigen::Index i = 0; i < n; ++i)
      for (int k = qo[i]; k < qo[i + 1]; ++k) m(i, qi[k]) -= qv[k];
    lu.compute(m);
  }

  // Sparse LU of I - Q, computed on first use for the iterative method.
  const SparseLU& sparse_lu() const {
    std::call_once(slu_once, [&] {
      auto f = std::make_unique<SparseLU>();
      if (method == Method::iterative) {
        const SparseColMatrix ac(a_row);
        f->compute(ac);
      } else {
        f->compute(a);
      }
      if (f->info() != Eigen::Success)
        fail(Errc::internal, "sparse LU of I - Q failed: ", f->lastErrorMessage());
      slu = std::move(f);
    });
    return *slu;
  }

  void init(const SparseRowMatrix& q) {  // q compressed
    n = q.rows();
    if (q.cols() != n)
      fail(Errc::shape_mismatch, "the transient block is ", n, "x", q.cols(), ", not square");
    Method m = options.method;
    if (options.dense_limit > 0 && static_cast<std::size_t>(n) <= options.dense_limit) m = Method::dense_lu;
    if (m == Method::automatic)
      m = use_sparse(n, static_cast<double>(q.nonZeros())) ? Method::sparse_lu : Method::dense_lu;
    method = m;
    if (m == Method::dense_lu) {
      dense_from(q);
    } else if (m == Method::sparse_lu) {
      auto nat = std::make_unique<NaturalLU>();
      // Fill budget: 4x the non-zeros of I - Q plus 16 per state (a funnel whose backward
      // moves reach a few stages back stays far below it).
      if (nat->factor(q, 4 * static_cast<std::size_t>(q.nonZeros()) + 16 * static_cast<std::size_t>(n))) {
        nlu = std::move(nat);
        return;
      }
      a = i_minus_q(q);
      a.makeCompressed();
      auto f = std::make_unique<SparseLU>();
      f->compute(a);
      if (f->info() != Eigen::Success)
        fail(Errc::not_absorbing, "I - Q is singular: some stage cannot reach an absorbing state");
      slu = std::move(f);
      std::call_once(slu_once, [] {});
    } else {
      a_row = i_minus_q(q);
      if (certifiable()) {
        it.setTolerance(1e-15);
        it.setMaxIterations(
            std::clamp<Eigen::Index>(4 * static_cast<Eigen::Index>(options.steps_bound), 2000, 20000));
        it.compute(a_row);
      }
    }
  }

  [[nodiscard]] bool certifiable() const {
    return std::isfinite(options.steps_bound) && options.steps_bound < 1e9;
  }

  Matrix solve_iterative(MatrixRef b) const {
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, b.cols());
    bool certified = certifiable();
    for (Eigen::Index j = 0; j < b.cols() && certified; ++j) {
      const Eigen::VectorXd bj = b.col(j);
      if (bj.lpNorm<Eigen::Infinity>() == 0.0) continue;
      Eigen::VectorXd xj = it.solve(bj);
      const double res = (bj - a_row * xj).lpNorm<Eigen::Infinity>();
      certified = std::isfinite(res) && options.steps_bound * res <=
                                            options.tolerance * std::max(1.0, bj.lpNorm<Eigen::Infinity>());
      x.col(j) = xj;
    }
    if (!certified) x = sparse_lu().solve(Eigen::MatrixXd(b));
    return x;
  }
};

TransientSolver::TransientSolver(const SparseRowMatrix& q, const SolverOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  if (q.isCompressed()) {
    impl_->init(q);
  } else {
    SparseRowMatrix c = q;
    c.makeCompressed();
    impl_->init(c);
  }
}

TransientSolver::TransientSolver(const SparseColMatrix& q, const SolverOptions& options)
    : TransientSolver(SparseRowMatrix(q), options) {}

TransientSolver::TransientSolver(MatrixRef q, const SolverOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  const Eigen::Index n = q.rows();
  if (q.cols() != n) fail(Errc::shape_mismatch, "the transient block is ", n, "x", q.cols(), ", not square");
  Method m = options.method;
  if (options.dense_limit > 0 && static_cast<std::size_t>(n) <= options.dense_limit) m = Method::dense_lu;
  if (m == Method::automatic) m = use_sparse_dense_block(q) ? Method::sparse_lu : Method::dense_lu;
  if (m == Method::dense_lu) {
    impl_->n = n;
    impl_->method = m;
    if (options.method == Method::automatic && n >= krylov_min) {
      // Large and dense: try the certified Krylov solve first, the LU when it is needed.
      // I - Q in one pass, which also tells whether it is a dominant Z-matrix (the LU's
      // condition for skipping pivots; a second pass over 8 n^2 bytes otherwise).
      Matrix& a = impl_->a_dense;
      a = dense::allocate_matrix(n, n);
      bool dominant = true;
      double lower = 0.0, upper = 0.0, norm = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const double* qi = q.data() + i * q.outerStride();
        double* ai = a.data() + i * n;
        double lo = 0.0, up = 0.0;
        bool z = true;
        for (Eigen::Index j = 0; j < i; ++j) {
          ai[j] = -qi[j];
          z &= qi[j] >= 0.0;
          lo += std::abs(qi[j]);
        }
        ai[i] = 1.0 - qi[i];
        for (Eigen::Index j = i + 1; j < n; ++j) {
          ai[j] = -qi[j];
          z &= qi[j] >= 0.0;
          up += std::abs(qi[j]);
        }
        dominant = dominant && z && (ai[i] >= (lo + up) * (1.0 - 1e-12));
        lower += lo;
        upper += up;
        norm = std::max(norm, std::abs(ai[i]) + lo + up);
      }
      impl_->a_dominant = dominant;
      // Preconditioned by the upper triangle when Q is mostly forward (and a Z-matrix:
      // then lo and up above are the absolute sums).
      impl_->a_forward = dominant && lower <= 0.25 * (lower + upper);
      impl_->a_norm = norm;
      impl_->deferred = true;
    } else {
      impl_->lu.compute(Matrix(Matrix::Identity(n, n) - q));
    }
    return;
  }
  std::vector<std::int32_t> all(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i);
  SparseRowMatrix s;
  sparse_block(q, all, all, s);
  impl_->options.method = m;
  impl_->options.dense_limit = 0;
  impl_->init(s);
}

TransientSolver::TransientSolver(TransientSolver&&) noexcept = default;
TransientSolver& TransientSolver::operator=(TransientSolver&&) noexcept = default;
TransientSolver::~TransientSolver() = default;

Eigen::Index TransientSolver::size() const noexcept {
  return impl_->n;
}
Method TransientSolver::method() const noexcept {
  return impl_->method;
}
std::size_t TransientSolver::krylov_solves() const noexcept {
  return impl_->krylov_ok.load(std::memory_order_relaxed);
}

Matrix TransientSolver::solve(MatrixRef b) const {
  const Impl& s = *impl_;
  if (b.rows() != s.n) fail(Errc::shape_mismatch, "right-hand side has ", b.rows(), " rows, expected ", s.n);
  switch (s.method) {
    case Method::dense_lu: {
      Matrix x;
      if (s.deferred && s.krylov(b, x)) return x;
      return s.dense_lu().solve(b);
    }
    case Method::iterative: return s.solve_iterative(b);
    default: {
      if (s.nlu) {
        Matrix x = b;
        s.nlu->solve_in_place(x);
        return x;
      }
      const Eigen::MatrixXd bb = b;
      Eigen::MatrixXd x = s.sparse_lu().solve(bb);
      return x;
    }
  }
}

Matrix TransientSolver::solve_transpose(MatrixRef b) const {
  const Impl& s = *impl_;
  if (b.rows() != s.n) fail(Errc::shape_mismatch, "right-hand side has ", b.rows(), " rows, expected ", s.n);
  if (s.method == Method::dense_lu) return s.dense_lu().solve_transpose(b);
  if (s.nlu) {
    Matrix x = b;
    s.nlu->solve_transpose_in_place(x);
    return x;
  }
  std::call_once(s.slut_once, [&] {
    SparseColMatrix at;
    if (s.method == Method::iterative)
      at = s.a_row.transpose();
    else
      at = s.a.transpose();
    at.makeCompressed();
    auto f = std::make_unique<SparseLU>();
    f->compute(at);
    if (f->info() != Eigen::Success)
      fail(Errc::internal, "sparse LU of (I - Q)^T failed: ", f->lastErrorMessage());
    s.slut = std::move(f);
  });
  const Eigen::MatrixXd bb = b;
  Eigen::MatrixXd x = s.slut->solve(bb);
  return x;
}

double expected_steps_bound(const SparseRowMatrix& q) {
  const Eigen::Index n = q.rows();
  SparseRowMatrix c;
  const SparseRowMatrix* qc = &q;
  if (!q.isCompressed()) {
    c = q;
    c.makeCompressed();
    qc = &c;
  }
  const SparseRowMatrix a = i_minus_q(*qc);
  BiCGSTAB it;
  it.setTolerance(1e-14);
  it.setMaxIterations(5000);
  it.compute(a);
  const Eigen::VectorXd one = Eigen::VectorXd::Ones(n);
  const Eigen::VectorXd t = it.solve(one);
  const double r = (one - a * t).lpNorm<Eigen::Infinity>();
  if (!(std::isfinite(r) && r < 0.5)) return std::numeric_limits<double>::infinity();
  return t.lpNorm<Eigen::Infinity>() / (1.0 - r);
}

void mask_states(const SparseRowMatrix& q, const std::vector<char>& removed, SparseRowMatrix& out,
                 std::vector<std::int32_t>& index) {
  const Eigen::Index n = q.rows();
  if (!removed.empty() && static_cast<Eigen::Index>(removed.size()) != n)
    fail(Errc::shape_mismatch, "the mask has ", removed.size(), " entries for ", n, " states");
  index.assign(static_cast<std::size_t>(n), -1);
  std::int32_t m = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    if (removed.empty() || !removed[static_cast<std::size_t>(i)]) index[static_cast<std::size_t>(i)] = m++;
  std::vector<int> outer(static_cast<std::size_t>(m) + 1, 0), inner;
  std::vector<double> value;
  inner.reserve(static_cast<std::size_t>(q.nonZeros()));
  value.reserve(inner.capacity());
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::int32_t r = index[static_cast<std::size_t>(i)];
    if (r < 0) continue;
    for (SparseRowMatrix::InnerIterator e(q, i); e; ++e) {
      const std::int32_t c = index[static_cast<std::size_t>(e.index())];
      if (c < 0) continue;  // redirected to the absorbing state worth 0
      inner.push_back(c);
      value.push_back(e.value());
    }
    outer[static_cast<std::size_t>(r) + 1] = static_cast<int>(inner.size());
  }
  out = Eigen::Map<const SparseRowMatrix>(m, m, static_cast<Eigen::Index>(inner.size()), outer.data(),
                                          inner.data(), value.data());
}

Matrix solve_masked(const SparseRowMatrix& q, MatrixRef r, const std::vector<char>& removed,
                    const SolverOptions& options) {
  if (r.rows() != q.rows())
    fail(Errc::shape_mismatch, "R has ", r.rows(), " rows for ", q.rows(), " transient states");
  SparseRowMatrix qk;
  std::vector<std::int32_t> index;
  mask_states(q, removed, qk, index);
  const Eigen::Index m = qk.rows();
  Matrix rk(m, r.cols());
  for (std::size_t i = 0; i < index.size(); ++i)
    if (index[i] >= 0) rk.row(index[i]) = r.row(static_cast<Eigen::Index>(i));
  Matrix x = Matrix::Zero(q.rows(), r.cols());
  if (m == 0) return x;
  const Matrix xk = TransientSolver(qk, options).solve(rk);
  for (std::size_t i = 0; i < index.size(); ++i)
    if (index[i] >= 0) x.row(static_cast<Eigen::Index>(i)) = xk.row(index[i]);
  return x;
}

void sparse_block(MatrixRef p, const std::vector<std::int32_t>& rows, const std::vector<std::int32_t>& cols,
                  SparseRowMatrix& out) {
  std::vector<int> outer(rows.size() + 1, 0), inner;
  std::vector<double> value;
  for (std::size_t a = 0; a < rows.size(); ++a) {
    for (std::size_t b = 0; b < cols.size(); ++b) {
      const double v = p(rows[a], cols[b]);
      if (v != 0.0) {
        inner.push_back(static_cast<int>(b));
        value.push_back(v);
      }
    }
    outer[a + 1] = static_cast<int>(inner.size());
  }
  out = Eigen::Map<const SparseRowMatrix>(
      static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols.size()),
      static_cast<Eigen::Index>(inner.size()), outer.data(), inner.data(), value.data());
}

}  // namespace markov

namespace detail {

namespace {
markov::TransientSolver funnel_solver(const Matrix& p, const std::vector<std::int32_t>& transient) {
  const auto nt = static_cast<Eigen::Index>(transient.size());
  // The usual funnel lists its stages first: Q is then a block of P, read by Eigen's
  // vectorised block operations (not entry by entry through the index).
  bool block = true;
  for (Eigen::Index a = 0; a < nt && block; ++a)
    block = transient[static_cast<std::size_t>(a)] == transient[0] + a;
  bool sparse = false;
  if (block && nt > 0) {
    sparse = markov::use_sparse_dense_block(MatrixRef(p.block(transient[0], transient[0], nt, nt)));
  } else {
    std::size_t nnz = 0;
    for (Eigen::Index a = 0; a < nt; ++a)
      for (Eigen::Index b = 0; b < nt; ++b) nnz += p(transient[a], transient[b]) != 0.0;
    sparse = markov::use_sparse(nt, static_cast<double>(nnz));
  }
  markov::SolverOptions o;
  if (sparse) {
    markov::SparseRowMatrix q;
    markov::sparse_block(p, transient, transient, q);
    o.method = markov::Method::sparse_lu;
    return markov::TransientSolver(q, o);
  }
  // automatic: Krylov first
  o.method = nt >= markov::solver_cpp::krylov_min ? markov::Method::automatic : markov::Method::dense_lu;
  if (block) return markov::TransientSolver(MatrixRef(p.block(transient[0], transient[0], nt, nt)), o);
  Matrix q(nt, nt);
  for (Eigen::Index a = 0; a < nt; ++a)
    for (Eigen::Index b = 0; b < nt; ++b) q(a, b) = p(transient[a], transient[b]);
  return markov::TransientSolver(MatrixRef(q), o);
}
}  // namespace

TransientSolver::TransientSolver(const Matrix& p, const std::vector<std::int32_t>& transient)
    : solver_(funnel_solver(p, transient)) {}

Matrix absorbing_block(const Matrix& p, const std::vector<std::int32_t>& transient,
                       const std::vector<std::int32_t>& absorbing) {
  Matrix r(static_cast<Eigen::Index>(transient.size()), static_cast<Eigen::Index>(absorbing.size()));
  for (Eigen::Index a = 0; a < r.rows(); ++a)
    for (Eigen::Index b = 0; b < r.cols(); ++b) r(a, b) = p(transient[a], absorbing[b]);
  return r;
}

}  // namespace detail
FUNNELNET_END
