// Absorbing analysis of a chain given as CSR arrays (markov::absorption(CsrChain)):
// against brute-force power iteration on the dense matrix, against the dense
// MarkovChain path, and the natural-order sparse LU (funnels: banded, mostly forward)
// against dense LU for both solves.  Bad CSR input names the row.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <cstdint>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/markov.hpp"

using namespace funnelnet;

namespace test_csr_chain {

struct Csr {
  std::size_t n = 0;
  std::vector<std::int64_t> offsets;
  std::vector<std::int32_t> columns;
  std::vector<double> values;
  [[nodiscard]] markov::CsrChain view() const { return {n, offsets, columns, values}; }
};

Csr to_csr(const Matrix& p) {
  Csr c;
  c.n = static_cast<std::size_t>(p.rows());
  c.offsets.push_back(0);
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      if (p(i, j) != 0.0) {
        c.columns.push_back(static_cast<std::int32_t>(j));
        c.values.push_back(p(i, j));
      }
    c.offsets.push_back(static_cast<std::int64_t>(c.columns.size()));
  }
  return c;
}

// A funnel of n states: n - 2 stages moving forward up to `fwd` stages, back up to
// `back` stages, to won (n - 2) and lost (n - 1).
Matrix banded_funnel(int n, int fwd, int back, std::uint64_t seed) {
  Rng rng(seed);
  const int nt = n - 2;
  Matrix p = Matrix::Zero(n, n);
  for (int i = 0; i < nt; ++i) {
    for (int d = -back; d <= fwd; ++d)
      if (d != 0 && i + d >= 0 && i + d < nt) p(i, i + d) = 0.05 + rng.uniform();
    p(i, nt) = 0.05 + rng.uniform() * 0.2;
    p(i, nt + 1) = 0.05 + rng.uniform() * 0.2;
    p.row(i) /= p.row(i).sum();
  }
  p(nt, nt) = p(nt + 1, nt + 1) = 1.0;
  return p;
}

// Brute force from the dense matrix: B by iterating B <- Q B + R, t by t <- Q t + 1.
void brute(const Matrix& p, int nt, Matrix& b, Vector& t) {
  const Matrix q = p.topLeftCorner(nt, nt), r = p.topRightCorner(nt, p.cols() - nt);
  b = Matrix::Zero(nt, r.cols());
  t = Vector::Zero(nt);
  for (int k = 0; k < 4000; ++k) {
    b = q * b + r;
    t = q * t + Vector::Ones(nt);
  }
}

TEST(CsrChain, BandedFunnelMatchesPowerIterationAndTheDensePath) {
  for (int n : {12, 150, 400}) {
    const Matrix p = banded_funnel(n, 3, 2, static_cast<std::uint64_t>(n));
    const Csr c = to_csr(p);
    const AbsorptionSummary s = markov::absorption(c.view());
    ASSERT_EQ(s.transient.size(), static_cast<std::size_t>(n - 2));
    ASSERT_EQ(s.absorbing, (std::vector<std::int32_t>{n - 2, n - 1}));
    Matrix b;
    Vector t;
    brute(p, n - 2, b, t);
    EXPECT_LT((s.absorption - b).cwiseAbs().maxCoeff(), 1e-10) << n;
    EXPECT_LT((s.expected_steps - t).cwiseAbs().maxCoeff(), 1e-8 * t.maxCoeff()) << n;
    // Variance against the dense fundamental matrix: (2N - I) t - t^2.
    const Matrix a = Matrix::Identity(n - 2, n - 2) - p.topLeftCorner(n - 2, n - 2);
    const Matrix fund = a.partialPivLu().inverse();
    const Vector var = (2.0 * fund - Matrix::Identity(n - 2, n - 2)) * t - t.cwiseProduct(t);
    EXPECT_LT((s.steps_variance - var).cwiseAbs().maxCoeff(), 1e-7 * var.cwiseAbs().maxCoeff()) << n;
  }
}

TEST(CsrChain, StatesInAnyOrderAndExplicitAbsorbingFlags) {
  // Won first, lost in the middle: transient/absorbing follow the state order.
  const Matrix f = banded_funnel(9, 2, 1, 3);
  std::vector<int> perm{7, 0, 1, 2, 8, 3, 4, 5, 6};  // new state k is old state perm[k]
  Matrix p(9, 9);
  for (int a = 0; a < 9; ++a)
    for (int b = 0; b < 9; ++b) p(a, b) = f(perm[a], perm[b]);
  const Csr c = to_csr(p);
  const std::vector<std::uint8_t> flags{1, 0, 0, 0, 1, 0, 0, 0, 0};
  const AbsorptionSummary s = markov::absorption(c.view(), 1e-9, flags);
  EXPECT_EQ(s.absorbing, (std::vector<std::int32_t>{0, 4}));
  const AbsorptionSummary inferred = markov::absorption(c.view());
  EXPECT_EQ(inferred.absorbing, s.absorbing);
  Matrix b;
  Vector t;
  brute(f, 7, b, t);
  // Transient state k (k != 0, 4) is old state perm[k]; absorbing 0 = won (old 7).
  for (std::size_t a = 0; a < s.transient.size(); ++a) {
    const int old = perm[static_cast<std::size_t>(s.transient[a])];
    EXPECT_NEAR(s.absorption(static_cast<Eigen::Index>(a), 0), b(old, 0), 1e-12);
    EXPECT_NEAR(s.expected_steps(static_cast<Eigen::Index>(a)), t(old), 1e-10);
  }
}

TEST(CsrChain, NaturalOrderSparseLuAgreesWithDenseLu) {
  // Both solves, for funnels with long backward moves (more fill) and for a random
  // sparse chain (fill beyond the budget: the COLAMD fallback).
  for (int back : {1, 4, 30}) {
    const Matrix p = banded_funnel(400, 5, back, static_cast<std::uint64_t>(back));
    const Matrix q = p.topLeftCorner(398, 398);
    const markov::SparseRowMatrix qs = q.sparseView();
    markov::SolverOptions o;
    o.method = markov::Method::sparse_lu;
    const markov::TransientSolver sparse(qs, o);
    const Matrix a = Matrix::Identity(398, 398) - q;
    const Eigen::PartialPivLU<Matrix> lu(a);
    const Eigen::PartialPivLU<Matrix> lut(Matrix(a.transpose()));
    const Matrix rhs = p.topRightCorner(398, 2);
    EXPECT_LT((sparse.solve(rhs) - lu.solve(rhs)).cwiseAbs().maxCoeff(), 1e-11) << back;
    EXPECT_LT((sparse.solve_transpose(rhs) - lut.solve(rhs)).cwiseAbs().maxCoeff(), 1e-11) << back;
  }
  Rng rng(5);
  Matrix q = Matrix::Zero(600, 600);
  for (int i = 0; i < 600; ++i) {
    for (int d = 0; d < 6; ++d) q(i, static_cast<Eigen::Index>(rng.below(600))) += 0.1 * rng.uniform();
  }
  const markov::SparseRowMatrix qs = q.sparseView();
  markov::SolverOptions o;
  o.method = markov::Method::sparse_lu;
  const markov::TransientSolver sparse(qs, o);
  const Matrix rhs = Matrix::Ones(600, 1);
  const Matrix a = Matrix::Identity(600, 600) - q;
  EXPECT_LT((a * sparse.solve(rhs) - rhs).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((a.transpose() * sparse.solve_transpose(rhs) - rhs).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(CsrChain, BadInputNamesTheRow) {
  const Csr good = to_csr(banded_funnel(8, 2, 1, 1));
  const std::vector<std::string> names{"a", "b", "c", "d", "e", "f", "won", "lost"};
  {
    Csr c = good;
    c.values[4] = 1.5;
    expect_error([&] { std::ignore = markov::absorption(c.view(), 1e-9, {}, names); }, Errc::invalid_argument,
                 "1.5");
  }
  {
    Csr c = good;
    std::swap(c.columns[c.offsets[2]], c.columns[c.offsets[2] + 1]);
    expect_error([&] { std::ignore = markov::absorption(c.view(), 1e-9, {}, names); }, Errc::invalid_argument,
                 "state 'c'");
  }
  {
    Csr c = good;
    c.columns[c.offsets[3]] = 99;
    expect_error([&] { std::ignore = markov::absorption(c.view()); }, Errc::out_of_range, "row 3");
  }
  {
    Csr c = good;
    c.values[c.offsets[5]] *= 0.5;
    expect_error([&] { std::ignore = markov::absorption(c.view(), 1e-9, {}, names); }, Errc::invalid_argument,
                 "state 'f'");
  }
  {
    Csr c = good;
    c.offsets.pop_back();
    expect_error([&] { std::ignore = markov::absorption(c.view()); }, Errc::shape_mismatch, "offsets");
  }
  {
    // Two stages that only move between each other: no absorbing state reachable.
    Matrix p = Matrix::Zero(4, 4);
    p(0, 1) = p(1, 0) = 1.0;
    p(2, 3) = 1.0;
    p(3, 3) = 1.0;
    const Csr c = to_csr(p);
    expect_error([&] { std::ignore = markov::absorption(c.view()); }, Errc::not_absorbing, "row 0, row 1");
    Matrix r = Matrix::Zero(2, 2);
    r(0, 1) = r(1, 0) = 1.0;
    expect_error([&] { std::ignore = markov::absorption(to_csr(r).view()); }, Errc::not_absorbing,
                 "no absorbing state");
  }
}

TEST(CsrChain, LargeDenseChainsKrylovOrLuAgreeWithForcedLu) {
  // A fast-mixing dense chain (certified block BiCGSTAB) and a slow one whose spectrum
  // lies on a circle (a 0.98 cycle plus dense noise: the certificate fails within the
  // budget and the LU is used); both against the dense LU forced.
  const int n = 1100;
  Rng rng(11);
  for (int kind = 0; kind < 2; ++kind) {
    Matrix q(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) q(i, j) = rng.uniform();
    Matrix r(n, 2);
    for (int i = 0; i < n; ++i) {
      r(i, 0) = 2.0 * rng.uniform();
      r(i, 1) = 2.0 * rng.uniform();
      if (kind == 0) {
        const double s = q.row(i).sum() + r.row(i).sum();
        q.row(i) /= s;
        r.row(i) /= s;
      } else {
        q.row(i) *= 0.0199 / q.row(i).sum();
        q(i, (i + 1) % n) += 0.98;
        r.row(i) *= 0.0001 / r.row(i).sum();
      }
    }
    markov::SolverOptions lu;
    lu.method = markov::Method::dense_lu;
    const markov::TransientSolver automatic{MatrixRef(q)}, forced{MatrixRef(q), lu};
    const Matrix want = forced.solve(r);
    const Matrix got = automatic.solve(r);
    EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 1e-9 * want.cwiseAbs().maxCoeff()) << kind;
    const Matrix t = forced.solve(Matrix::Ones(n, 1));
    EXPECT_LT((automatic.solve(t) - forced.solve(t)).cwiseAbs().maxCoeff(), 1e-9 * forced.solve(t).maxCoeff())
        << kind;
    EXPECT_LT((automatic.solve_transpose(r) - forced.solve_transpose(r)).cwiseAbs().maxCoeff(), 1e-9) << kind;
  }
}

TEST(CsrChain, ForwardDenseFunnelPreconditionedKrylovOrLuMatchesPartialPivoting) {
  // Dense, mostly-forward funnels (Q's strictly lower part <= 1/4 of its weight): the
  // Krylov solve preconditioned by the upper triangle of I - Q.  kind 0: 2% backward
  // weight spread over all earlier stages (where a backward jump lands hardly depends on
  // where the walk was: the preconditioned spectrum is clustered, the Krylov solve is
  // certified); kind 1: 21% of the weight one stage back, 78% one stage forward and a
  // 1e-4 exit (a diffusive walk: the preconditioned solve crawls and must give up, the
  // LU answers).  Both against Eigen's partial-pivot LU of I - Q as the oracle.
  const int n = 700;
  Rng rng(17);
  for (int kind = 0; kind < 2; ++kind) {
    Matrix q(n, n);
    Matrix r(n, 2);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) q(i, j) = rng.uniform() * (kind == 0 ? (j > i ? 1.0 : 0.02) : 1.0);
      r(i, 0) = rng.uniform();
      r(i, 1) = rng.uniform();
      if (kind == 0) {
        r.row(i) *= 0.004;
        const double s = q.row(i).sum() + r.row(i).sum();
        q.row(i) /= s;
        r.row(i) /= s;
      } else {
        q.row(i) *= 0.0099 / q.row(i).sum();
        q(i, (i + 1) % n) += i + 1 < n ? 0.78 : 0.0;
        q(i, (i + n - 1) % n) += i > 0 ? 0.21 : 0.0;
        if (i + 1 == n) q(i, i - 1) += 0.78;
        if (i == 0) q(i, 1) += 0.21;
        r.row(i) *= 0.0001 / r.row(i).sum();
      }
    }
    const double lower = q.triangularView<Eigen::StrictlyLower>().toDenseMatrix().sum();
    const double upper = q.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().sum();
    ASSERT_LE(lower, 0.25 * (lower + upper)) << kind;
    const Eigen::PartialPivLU<Matrix> oracle(Matrix(Matrix::Identity(n, n) - q));
    const markov::TransientSolver automatic{MatrixRef(q)};
    Matrix rhs(n, 3);
    rhs << r, Matrix::Ones(n, 1);
    const Matrix want = oracle.solve(rhs);
    const Matrix got = automatic.solve(rhs);
    EXPECT_EQ(automatic.krylov_solves(), kind == 0 ? 1U : 0U) << kind;
    for (int j = 0; j < 3; ++j)
      EXPECT_LT((got.col(j) - want.col(j)).cwiseAbs().maxCoeff(), 1e-9 * want.col(j).cwiseAbs().maxCoeff())
          << kind << " column " << j;
    // The variance's second solve, with the expected steps as right-hand side.
    const Matrix t = want.col(2);
    const Matrix nt = automatic.solve(t);
    EXPECT_LT((nt - oracle.solve(t)).cwiseAbs().maxCoeff(), 1e-9 * oracle.solve(t).cwiseAbs().maxCoeff())
        << kind;
    EXPECT_EQ(automatic.krylov_solves(), kind == 0 ? 2U : 0U) << kind;
  }
}

}  // namespace test_csr_chain
