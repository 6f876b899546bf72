// The Markov engine: sparse and dense factorisations agree, absorption against brute-force
// power iteration and closed forms, the masked chain against rebuilding the chain
// without the removed states, communicating classes against brute-force reachability.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <cmath>
#include <cstdint>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/markov.hpp"

using namespace funnelnet;
using markov::Method;
using markov::SolverOptions;
using markov::SparseColMatrix;
using markov::SparseRowMatrix;

namespace test_engine {

// A random substochastic chain: n transient states, each with up to `deg` transient
// successors and exits to `k` absorbing states; every state exits with probability
// >= exit, so every state reaches absorption.
struct Chain {
  Matrix q, r;
};
Chain random_chain(int n, int k, int deg, double exit, std::uint64_t seed) {
  Rng rng(seed);
  Chain c{Matrix::Zero(n, n), Matrix::Zero(n, k)};
  for (int i = 0; i < n; ++i) {
    std::vector<double> w;
    std::vector<int> to;
    for (int d = 0; d < deg; ++d) {
      to.push_back(static_cast<int>(rng.below(static_cast<std::uint64_t>(n))));
      w.push_back(rng.uniform());
    }
    std::vector<double> wa(static_cast<std::size_t>(k));
    double sa = 0, s = 0;
    for (auto& v : wa) sa += (v = 0.1 + rng.uniform());
    for (double v : w) s += v;
    const double out = exit + (1 - exit) * rng.uniform() * 0.5;
    for (std::size_t d = 0; d < to.size(); ++d) c.q(i, to[d]) += (1 - out) * w[d] / s;
    for (int a = 0; a < k; ++a) c.r(i, a) = out * wa[static_cast<std::size_t>(a)] / sa;
  }
  return c;
}

SparseRowMatrix to_sparse(const Matrix& m) {
  return m.sparseView();
}

// Brute force: absorption probabilities by iterating B <- Q B + R from 0 (power
// iteration of the chain: after t steps B is P(absorbed in a within t steps)).
Matrix power_absorption(const Matrix& q, const Matrix& r, int steps) {
  Matrix b = Matrix::Zero(r.rows(), r.cols());
  for (int t = 0; t < steps; ++t) b = q * b + r;
  return b;
}

TEST(MarkovEngine, SparseDenseAndIterativeAgree) {
  for (int n : {5, 60, 450}) {
    const Chain c = random_chain(n, 3, 4, 0.05, static_cast<std::uint64_t>(n));
    const SparseRowMatrix q = to_sparse(c.q);
    const SparseColMatrix qc = c.q.sparseView();
    SolverOptions dense, sparse, iter;
    dense.method = Method::dense_lu;
    sparse.method = Method::sparse_lu;
    iter.method = Method::iterative;
    iter.steps_bound = markov::expected_steps_bound(q);
    ASSERT_TRUE(std::isfinite(iter.steps_bound));
    const markov::TransientSolver sd(q, dense), ss(q, sparse), si(q, iter), sc(qc, sparse),
        sm(MatrixRef(c.q));
    EXPECT_EQ(sd.method(), Method::dense_lu);
    EXPECT_EQ(ss.method(), Method::sparse_lu);
    EXPECT_EQ(si.method(), Method::iterative);
    EXPECT_EQ(sm.method(), n >= 300 ? Method::sparse_lu : Method::dense_lu);  // automatic
    const Matrix xd = sd.solve(c.r);
    for (const auto* s : {&ss, &si, &sc, &sm}) {
      EXPECT_LT((s->solve(c.r) - xd).cwiseAbs().maxCoeff(), 1e-11) << n;
      EXPECT_LT((s->solve_transpose(c.r) - sd.solve_transpose(c.r)).cwiseAbs().maxCoeff(), 1e-11) << n;
    }
    // (I - Q) x = b holds.
    const Matrix a = Matrix::Identity(n, n) - c.q;
    EXPECT_LT((a * xd - c.r).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((a.transpose() * sd.solve_transpose(c.r) - c.r).cwiseAbs().maxCoeff(), 1e-12);
  }
}

TEST(MarkovEngine, AbsorptionMatchesPowerIterationAndRowsSumToOne) {
  const Chain c = random_chain(40, 2, 3, 0.1, 7);
  const auto s = markov::absorption(to_sparse(c.q), c.r);
  const Matrix brute = power_absorption(c.q, c.r, 2000);  // 0.9^2000 ~ 1e-92
  EXPECT_LT((s.absorption - brute).cwiseAbs().maxCoeff(), 1e-12);
  for (Eigen::Index i = 0; i < s.absorption.rows(); ++i) EXPECT_NEAR(s.absorption.row(i).sum(), 1.0, 1e-12);
  // Expected steps: t = sum_k P(T > k) = sum_k Q^k 1.
  Vector t = Vector::Zero(40), qk1 = Vector::Ones(40);
  for (int k = 0; k < 2000; ++k) {
    t += qk1;
    qk1 = c.q * qk1;
  }
  EXPECT_LT((s.expected_steps - t).cwiseAbs().maxCoeff(), 1e-10);
  // Variance from the fundamental matrix.
  const Matrix nmat = (Matrix::Identity(40, 40) - c.q).inverse();
  const Vector v = (2.0 * nmat - Matrix::Identity(40, 40)) * t - t.cwiseProduct(t);
  EXPECT_LT((s.steps_variance - v).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(MarkovEngine, GamblersRuinClosedForm) {
  // States 1..N-1 transient, win with p, lose with 1 - p; ruin probability closed form.
  const int big = 12;
  const double p = 0.45, qq = 1 - p, rho = qq / p;
  Matrix q = Matrix::Zero(big - 1, big - 1), r = Matrix::Zero(big - 1, 2);  // r: (ruin, win)
  for (int i = 1; i < big; ++i) {
    const int k = i - 1;
    if (i + 1 < big)
      q(k, k + 1) = p;
    else
      r(k, 1) = p;
    if (i - 1 > 0)
      q(k, k - 1) = qq;
    else
      r(k, 0) = qq;
  }
  const auto s = markov::absorption(to_sparse(q), r);
  for (int i = 1; i < big; ++i) {
    const double win = (1 - std::pow(rho, i)) / (1 - std::pow(rho, big));
    EXPECT_NEAR(s.absorption(i - 1, 1), win, 1e-13);
    const double steps = i / (qq - p) - big / (qq - p) * win;
    EXPECT_NEAR(s.expected_steps(i - 1), steps, 1e-11);
  }
}

TEST(MarkovEngine, MaskedChainEqualsTheChainRebuiltWithoutTheStates) {
  for (int n : {30, 500}) {
    const Chain c = random_chain(n, 2, 5, 0.05, 11 + static_cast<std::uint64_t>(n));
    const SparseRowMatrix q = to_sparse(c.q);
    std::vector<char> removed(static_cast<std::size_t>(n), 0);
    Rng rng(5);
    for (auto& m : removed) m = rng.bernoulli(0.2) ? 1 : 0;
    removed[0] = 0;
    // Rebuilt chain: drop the removed states; transitions into them go to a new absorbing
    // "null" column that is worth nothing.
    std::vector<int> keep;
    for (int i = 0; i < n; ++i)
      if (!removed[static_cast<std::size_t>(i)]) keep.push_back(i);
    const auto m = static_cast<Eigen::Index>(keep.size());
    Matrix q2(m, m), r2(m, 3);
    for (Eigen::Index a = 0; a < m; ++a) {
      double to_null = 0;
      for (int j = 0; j < n; ++j)
        if (removed[static_cast<std::size_t>(j)]) to_null += c.q(keep[a], j);
      for (Eigen::Index b = 0; b < m; ++b) q2(a, b) = c.q(keep[a], keep[b]);
      r2(a, 0) = c.r(keep[a], 0);
      r2(a, 1) = c.r(keep[a], 1);
      r2(a, 2) = to_null;
    }
    const Matrix brute = power_absorption(q2, r2, 3000);
    for (Method method : {Method::automatic, Method::dense_lu, Method::sparse_lu, Method::iterative}) {
      SolverOptions o;
      o.method = method;
      o.steps_bound = markov::expected_steps_bound(q);
      const Matrix x = markov::solve_masked(q, c.r, removed, o);
      ASSERT_EQ(x.rows(), n);
      for (Eigen::Index a = 0; a < m; ++a) {
        EXPECT_NEAR(x(keep[a], 0), brute(a, 0), 1e-11);
        EXPECT_NEAR(x(keep[a], 1), brute(a, 1), 1e-11);
        // What the removed states would have caught is the null column.
        EXPECT_NEAR(1.0 - x(keep[a], 0) - x(keep[a], 1), brute(a, 2), 1e-10);
      }
      for (int i = 0; i < n; ++i)
        if (removed[static_cast<std::size_t>(i)]) {
          EXPECT_EQ(x(i, 0), 0.0);
        }
    }
    // Nothing removed: the plain solve.
    const Matrix all = markov::solve_masked(q, c.r, {});
    EXPECT_LT((all - markov::TransientSolver(q).solve(c.r)).cwiseAbs().maxCoeff(), 1e-14);
  }
}

TEST(MarkovEngine, StepsBoundIsAnUpperBound) {
  const Chain c = random_chain(200, 2, 4, 0.02, 3);
  const double bound = markov::expected_steps_bound(to_sparse(c.q));
  const Vector t = markov::absorption(to_sparse(c.q), c.r).expected_steps;
  EXPECT_GE(bound, t.maxCoeff() * (1 - 1e-12));
  EXPECT_LT(bound, t.maxCoeff() * 1.001);
}

TEST(MarkovEngine, CommunicatingClassesMatchReachability) {
  Rng rng(9);
  for (int rep = 0; rep < 5; ++rep) {
    const int n = 25;
    Matrix p = Matrix::Zero(n, n);
    for (int i = 0; i < n; ++i)
      for (int e = 0; e < 2; ++e) p(i, static_cast<int>(rng.below(n))) += 0.5;
    const auto cs = markov::communicating_classes(to_sparse(p));
    // Warshall closure.
    std::vector<std::vector<char>> reach(n, std::vector<char>(n, 0));
    for (int i = 0; i < n; ++i) {
      reach[i][i] = 1;
      for (int j = 0; j < n; ++j)
        if (p(i, j) > 0) reach[i][j] = 1;
    }
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          if (reach[i][k] && reach[k][j]) reach[i][j] = 1;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        EXPECT_EQ(cs.class_of[i] == cs.class_of[j], reach[i][j] && reach[j][i]) << i << " " << j;
    for (std::size_t c = 0; c < cs.classes.size(); ++c) {
      bool closed = true;
      for (int i : cs.classes[c])
        for (int j = 0; j < n; ++j)
          if (p(i, j) > 0 && cs.class_of[j] != static_cast<std::int32_t>(c)) closed = false;
      EXPECT_EQ(cs.closed[c], closed);
      if (c > 0) {
        EXPECT_LT(cs.classes[c - 1][0], cs.classes[c][0]);  // numbered by smallest state
      }
    }
  }
}

TEST(MarkovEngine, BadInput) {
  const Matrix q = Matrix::Zero(3, 2);
  expect_error([&] { markov::TransientSolver s{MatrixRef(q)}; }, Errc::shape_mismatch, "not square");
  const SparseRowMatrix sq = to_sparse(Matrix::Identity(3, 3) * 0.5);
  const Matrix r = Matrix::Zero(2, 1);
  expect_error([&] { (void)markov::solve_masked(sq, r, {}); }, Errc::shape_mismatch, "R has 2 rows");
  expect_error(
      [&] {
        (void)markov::solve_masked(sq, Matrix::Zero(3, 1), {1, 0});
      },
      Errc::shape_mismatch, "mask has 2");
  const markov::TransientSolver s(sq);
  expect_error([&] { (void)s.solve(r); }, Errc::shape_mismatch, "right-hand side has 2 rows");
  // A closed transient block (a state that never leaves) is singular for sparse LU.
  SolverOptions o;
  o.method = Method::sparse_lu;
  const SparseRowMatrix stuck = to_sparse(Matrix::Identity(3, 3));
  expect_error([&] { markov::TransientSolver t(stuck, o); }, Errc::not_absorbing, "singular");
}

}  // namespace test_engine
