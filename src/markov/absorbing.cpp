// Absorbing-chain analysis of the Markov engine (declared in funnelnet/markov/absorbing.hpp).
#include "funnelnet/markov/absorbing.hpp"

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <cstddef>
#include <deque>
#include <string>

#include "funnelnet/core/error.hpp"
#include "funnelnet/funnel/chain.hpp"

FUNNELNET_BEGIN

namespace markov {

AbsorptionSummary absorption(const TransientSolver& solver, MatrixRef r) {
  AbsorptionSummary out;
  const Eigen::Index nt = solver.size();
  if (r.rows() != nt) fail(Errc::shape_mismatch, "R has ", r.rows(), " rows for ", nt, " transient states");
  out.transient.resize(static_cast<std::size_t>(nt));
  out.absorbing.resize(static_cast<std::size_t>(r.cols()));
  for (std::size_t i = 0; i < out.transient.size(); ++i) out.transient[i] = static_cast<std::int32_t>(i);
  for (std::size_t i = 0; i < out.absorbing.size(); ++i) out.absorbing[i] = static_cast<std::int32_t>(i);
  if (nt == 0) {
    out.absorption = Matrix(0, r.cols());
    return out;
  }
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

AbsorptionSummary absorption(const SparseRowMatrix& q, MatrixRef r, const SolverOptions& options) {
  if (q.rows() == 0) {
    AbsorptionSummary out;
    out.absorbing.resize(static_cast<std::size_t>(r.cols()));
    for (std::size_t i = 0; i < out.absorbing.size(); ++i) out.absorbing[i] = static_cast<std::int32_t>(i);
    out.absorption = Matrix(0, r.cols());
    return out;
  }
  return absorption(TransientSolver(q, options), r);
}

}  // namespace markov

namespace detail {
void require_absorbing(const MarkovChain& chain) {
  const StageSpace& space = chain.space();
  const std::size_t n = space.size();
  if (space.absorbing().empty())
    fail(Errc::not_absorbing,
         "the chain has no absorbing state, so absorption is undefined; "
         "declare the end stages (won, lost, ...) absorbing");
  // Backward search from the absorbing states over edges with positive probability.
  std::vector<char> reaches(n, 0);
  std::deque<std::size_t> queue;
  for (auto a : space.absorbing()) {
    reaches[static_cast<std::size_t>(a)] = 1;
    queue.push_back(static_cast<std::size_t>(a));
  }
  const Matrix& p = chain.matrix();
  while (!queue.empty()) {
    const std::size_t j = queue.front();
    queue.pop_front();
    for (std::size_t i = 0; i < n; ++i)
      if (!reaches[i] && p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > 0.0) {
        reaches[i] = 1;
        queue.push_back(i);
      }
  }
  std::string stuck;
  std::size_t n_stuck = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (!reaches[i]) {
      if (n_stuck < 5) {
        stuck.append(n_stuck ? ", '" : "'");
        stuck.append(space.name(i));
        stuck.push_back('\'');
      }
      ++n_stuck;
    }
  if (n_stuck > 0)
    fail(Errc::not_absorbing, "no absorbing state is reachable from ", n_stuck, " stage(s): ", stuck,
         n_stuck > 5 ? ", ..." : "");
}
}  // namespace detail

AbsorbingAnalysis analyze_absorbing(const MarkovChain& chain) {
  detail::require_absorbing(chain);
  const StageSpace& space = chain.space();
  const Matrix& p = chain.matrix();
  AbsorbingAnalysis out;
  out.transient = space.transient();
  out.absorbing = space.absorbing();
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto na = static_cast<Eigen::Index>(out.absorbing.size());
  Matrix i_minus_q = Matrix::Identity(nt, nt);
  Matrix r(nt, na);
  for (Eigen::Index a = 0; a < nt; ++a) {
    for (Eigen::Index b = 0; b < nt; ++b) i_minus_q(a, b) -= p(out.transient[a], out.transient[b]);
    for (Eigen::Index b = 0; b < na; ++b) r(a, b) = p(out.transient[a], out.absorbing[b]);
  }
  if (nt == 0) {
    out.fundamental = Matrix(0, 0);
    out.absorption = Matrix(0, na);
    return out;
  }
  Eigen::PartialPivLU<Matrix> lu(i_minus_q);
  out.fundamental = lu.solve(Matrix::Identity(nt, nt));
  out.absorption = out.fundamental * r;
  out.expected_steps = out.fundamental.rowwise().sum();
  const Vector t = out.expected_steps;
  out.steps_variance = (2.0 * out.fundamental - Matrix::Identity(nt, nt)) * t - t.cwiseProduct(t);
  return out;
}

AbsorptionSummary summarize_absorption(const MarkovChain& chain) {
  detail::require_absorbing(chain);
  const std::vector<std::int32_t>& transient = chain.space().transient();
  const std::vector<std::int32_t>& absorbing = chain.space().absorbing();
  AbsorptionSummary out;
  if (transient.empty()) {
    out.absorption = Matrix(0, static_cast<Eigen::Index>(absorbing.size()));
  } else {
    const detail::TransientSolver solver(chain.matrix(), transient);
    out = markov::absorption(solver.engine(), detail::absorbing_block(chain.matrix(), transient, absorbing));
  }
  out.transient = transient;
  out.absorbing = absorbing;
  return out;
}

FUNNELNET_END
