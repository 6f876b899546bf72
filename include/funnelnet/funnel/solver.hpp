// Linear solves with I - Q (Q: the transient block of a chain), dense or sparse, and
// the absorption summary built on them (absorption probabilities, expected steps and
// their variance without forming the fundamental matrix).
#pragma once

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/chain.hpp"

FUNNELNET_BEGIN

using SparseMatrix = Eigen::SparseMatrix<double>;  // column-major, for Eigen's sparse solvers

namespace detail {

/// Factorises A = I - Q once (Q: transient-to-transient block) and solves A x = b and
/// A^T x = b.  Chains with many transient states and a sparse Q use Eigen's SparseLU;
/// small or dense ones use a dense partial-pivot LU.
class TransientSolver {
 public:
  explicit TransientSolver(const Matrix& p, const std::vector<std::int32_t>& transient) {
    const auto nt = static_cast<Eigen::Index>(transient.size());
    std::size_t nnz = 0;
    for (Eigen::Index a = 0; a < nt; ++a)
      for (Eigen::Index b = 0; b < nt; ++b) nnz += p(transient[a], transient[b]) != 0.0;
    sparse_ =
        nt >= 300 && static_cast<double>(nnz) <= 0.05 * static_cast<double>(nt) * static_cast<double>(nt);
    if (sparse_) {
      std::vector<Eigen::Triplet<double>> trip;
      trip.reserve(nnz + static_cast<std::size_t>(nt));
      for (Eigen::Index a = 0; a < nt; ++a) {
        trip.emplace_back(a, a, 1.0);
        for (Eigen::Index b = 0; b < nt; ++b) {
          const double v = p(transient[a], transient[b]);
          if (v != 0.0) trip.emplace_back(a, b, -v);
        }
      }
      a_.resize(nt, nt);
      a_.setFromTriplets(trip.begin(), trip.end());
      a_.makeCompressed();
      slu_ = std::make_unique<Eigen::SparseLU<SparseMatrix>>();
      slu_->compute(a_);
      if (slu_->info() != Eigen::Success)
        fail(Errc::not_absorbing, "I - Q is singular: some stage cannot reach an absorbing state");
    } else {
      Matrix a = Matrix::Identity(nt, nt);
      for (Eigen::Index i = 0; i < nt; ++i)
        for (Eigen::Index j = 0; j < nt; ++j) a(i, j) -= p(transient[i], transient[j]);
      lu_ = Eigen::PartialPivLU<Matrix>(a);
    }
  }

  [[nodiscard]] bool sparse() const noexcept { return sparse_; }

  /// x with (I - Q) x = b.
  [[nodiscard]] Matrix solve(const Matrix& b) const {
    if (!sparse_) return lu_.solve(b);
    Eigen::MatrixXd bb = b;
    Eigen::MatrixXd x = slu_->solve(bb);
    return x;
  }

  /// x with (I - Q)^T x = b.
  [[nodiscard]] Matrix solve_transpose(const Matrix& b) const {
    if (!sparse_) return lu_.transpose().solve(b);
    if (!slut_) {
      SparseMatrix at = a_.transpose();
      at.makeCompressed();
      slut_ = std::make_unique<Eigen::SparseLU<SparseMatrix>>();
      slut_->compute(at);
    }
    Eigen::MatrixXd bb = b;
    Eigen::MatrixXd x = slut_->solve(bb);
    return x;
  }

 private:
  bool sparse_ = false;
  Eigen::PartialPivLU<Matrix> lu_;
  SparseMatrix a_;
  std::unique_ptr<Eigen::SparseLU<SparseMatrix>> slu_;
  mutable std::unique_ptr<Eigen::SparseLU<SparseMatrix>> slut_;
};

/// R: the transient-to-absorbing block.
inline Matrix absorbing_block(const Matrix& p, const std::vector<std::int32_t>& transient,
                              const std::vector<std::int32_t>& absorbing) {
  Matrix r(static_cast<Eigen::Index>(transient.size()), static_cast<Eigen::Index>(absorbing.size()));
  for (Eigen::Index a = 0; a < r.rows(); ++a)
    for (Eigen::Index b = 0; b < r.cols(); ++b) r(a, b) = p(transient[a], absorbing[b]);
  return r;
}

}  // namespace detail

/// Absorption figures without the fundamental matrix (three solves with one
/// factorisation; sparse for large sparse chains).  Rows follow `transient`, columns of
/// `absorption` follow `absorbing`.
struct AbsorptionSummary {
  std::vector<std::int32_t> transient;
  std::vector<std::int32_t> absorbing;
  Matrix absorption;      ///< B = N R
  Vector expected_steps;  ///< t = N 1
  Vector steps_variance;  ///< (2N - I) t - t*t
};

/// The absorbing analysis of `chain` less the fundamental matrix: use it for chains with
/// thousands of states.  Throws not_absorbing like analyze_absorbing().
inline AbsorptionSummary summarize_absorption(const MarkovChain& chain) {
  detail::require_absorbing(chain);
  AbsorptionSummary out;
  out.transient = chain.space().transient();
  out.absorbing = chain.space().absorbing();
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  if (nt == 0) {
    out.absorption = Matrix(0, static_cast<Eigen::Index>(out.absorbing.size()));
    return out;
  }
  detail::TransientSolver solver(chain.matrix(), out.transient);
  const Matrix r = detail::absorbing_block(chain.matrix(), out.transient, out.absorbing);
  Matrix rhs(nt, r.cols() + 1);
  rhs.leftCols(r.cols()) = r;
  rhs.col(r.cols()).setOnes();
  const Matrix x = solver.solve(rhs);
  out.absorption = x.leftCols(r.cols());
  out.expected_steps = x.col(r.cols());
  const Vector nt_t = solver.solve(out.expected_steps);
  out.steps_variance = 2.0 * nt_t - out.expected_steps - out.expected_steps.cwiseProduct(out.expected_steps);
  return out;
}

FUNNELNET_END
