// Absorbing-chain analysis of the Markov engine (declared in funnelnet/markov/absorbing.hpp).
#include "funnelnet/markov/absorbing.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <string>

#include "core/linalg.hpp"
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

namespace {
// numpy's pairwise summation of a contiguous float64 array (numpy/_core/src/umath/
// loops_utils.h.src, pairwise_sum): 8 accumulators in blocks of up to 128, halves above.
double numpy_pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}
}  // namespace

CsrEntryCheck check_entries(const CsrChain& p, double tolerance, std::span<const std::uint8_t> absorbing) {
  const std::size_t n = p.n;
  if (p.offsets.size() != n + 1)
    fail(Errc::shape_mismatch, "CSR offsets have ", p.offsets.size(), " entries, expected n + 1 = ", n + 1);
  if (p.columns.size() != p.values.size())
    fail(Errc::shape_mismatch, "CSR columns have ", p.columns.size(), " entries but values have ",
         p.values.size());
  if (!absorbing.empty() && absorbing.size() != n)
    fail(Errc::shape_mismatch, "absorbing has ", absorbing.size(), " flags for ", n, " states");
  const auto nnz = static_cast<std::int64_t>(p.values.size());
  for (std::size_t i = 0; i < n; ++i)
    if (p.offsets[i] < 0 || p.offsets[i] > p.offsets[i + 1] || p.offsets[i + 1] > nnz)
      fail(Errc::shape_mismatch, "CSR offsets are not non-decreasing within 0..", nnz, " at row ", i);
  CsrEntryCheck out;
  const double* v = p.values.data();
  // 1. entries: branch-free scan, then locate the first bad one if any.
  bool all_ok = true;
  for (std::int64_t k = 0; k < nnz; ++k) all_ok &= (v[k] >= 0.0) & (v[k] <= 1.0);  // false for NaN
  if (!all_ok) {
    std::int64_t k = 0;
    while (v[k] >= 0.0 && v[k] <= 1.0) ++k;
    out.kind = 1;
    out.entry = k;
    out.value = v[k];
    out.row = static_cast<std::int64_t>(std::upper_bound(p.offsets.begin(), p.offsets.end() - 1, k) -
                                        p.offsets.begin()) -
              1;
    return out;
  }
  // 2. row sums, 3. diagonals.
  out.absorbing.assign(n, 0);
  std::vector<double> diag(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<std::size_t>(p.offsets[i]), e = static_cast<std::size_t>(p.offsets[i + 1]);
    const double s = e > b ? v[b] + numpy_pairwise_sum(v + b + 1, e - b - 1) : 0.0;
    if (out.kind == 0 && std::abs(s - 1.0) > tolerance) {
      out.kind = 2;
      out.row = static_cast<std::int64_t>(i);
      out.value = s;
      return out;
    }
    for (std::size_t k = b; k < e; ++k)
      if (p.columns[k] == static_cast<std::int32_t>(i)) diag[i] = v[k];
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (absorbing.empty()) {
      out.absorbing[i] = std::abs(diag[i] - 1.0) <= tolerance ? 1 : 0;
    } else {
      out.absorbing[i] = absorbing[i] ? 1 : 0;
      if (out.absorbing[i] && std::abs(diag[i] - 1.0) > tolerance) {
        out.kind = 3;
        out.row = static_cast<std::int64_t>(i);
        out.value = diag[i];
        return out;
      }
    }
  }
  return out;
}

namespace {
std::string state_name(const std::vector<std::string>& names, std::size_t i) {
  if (i < names.size()) return "state '" + names[i] + "'";
  return "row " + std::to_string(i);
}
}  // namespace

AbsorptionSummary absorption(const CsrChain& p, double tolerance, std::span<const std::uint8_t> absorbing,
                             const std::vector<std::string>& names, const SolverOptions& options) {
  const std::size_t n = p.n;
  // --- validate everything first: O(n + nnz)
  if (!(tolerance >= 0.0 && std::isfinite(tolerance)))
    fail(Errc::invalid_argument, "tolerance must be finite and >= 0, got ", tolerance);
  if (n == 0) fail(Errc::empty_input, "the transition matrix has no states");
  if (!names.empty() && names.size() != n)
    fail(Errc::shape_mismatch, names.size(), " state names for a ", n, "x", n, " matrix");
  if (!absorbing.empty() && absorbing.size() != n)
    fail(Errc::shape_mismatch, "absorbing has ", absorbing.size(), " flags for ", n, " states");
  if (p.offsets.size() != n + 1)
    fail(Errc::shape_mismatch, "CSR offsets have ", p.offsets.size(), " entries, expected n + 1 = ", n + 1);
  if (p.columns.size() != p.values.size())
    fail(Errc::shape_mismatch, "CSR columns have ", p.columns.size(), " entries but values have ",
         p.values.size());
  if (p.offsets[0] != 0) fail(Errc::invalid_argument, "CSR offsets[0] must be 0, got ", p.offsets[0]);
  if (p.offsets[n] != static_cast<std::int64_t>(p.columns.size()))
    fail(Errc::shape_mismatch, "CSR offsets[n] = ", p.offsets[n], " but there are ", p.columns.size(),
         " entries");
  std::vector<std::uint8_t> is_abs(n, 0);
  std::vector<double> diag(n, 0.0), row_sum(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t b = p.offsets[i], e = p.offsets[i + 1];
    if (e < b) fail(Errc::invalid_argument, "CSR offsets decrease at row ", i, " (", b, " then ", e, ")");
    double s = 0.0;
    for (std::int64_t k = b; k < e; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      const std::int32_t j = p.columns[kk];
      if (j < 0 || static_cast<std::size_t>(j) >= n)
        fail(Errc::out_of_range, state_name(names, i), ": column ", j, " is outside 0..", n - 1);
      if (k > b && j <= p.columns[kk - 1])
        fail(Errc::invalid_argument, state_name(names, i),
             ": columns must be strictly increasing within a row (", p.columns[kk - 1], " then ", j,
             "; sum duplicates first)");
      const double v = p.values[kk];
      if (!(std::isfinite(v) && v >= 0.0 && v <= 1.0))
        fail(Errc::invalid_argument, state_name(names, i), ", column ", j,
             ": a transition probability must be finite and in [0, 1], got ", v);
      s += v;
      if (static_cast<std::size_t>(j) == i) diag[i] = v;
    }
    if (std::abs(s - 1.0) > tolerance)
      fail(Errc::invalid_argument, state_name(names, i), ": probabilities sum to ", s, ", not 1 (tolerance ",
           tolerance, ")");
    row_sum[i] = s;
    if (absorbing.empty()) {
      is_abs[i] = std::abs(diag[i] - 1.0) <= tolerance ? 1 : 0;
    } else {
      is_abs[i] = absorbing[i] ? 1 : 0;
      if (is_abs[i] && std::abs(diag[i] - 1.0) > tolerance)
        fail(Errc::invalid_argument, state_name(names, i), " is absorbing but P[", i, "][", i,
             "] = ", diag[i], ", not 1");
    }
  }
  std::vector<std::int32_t> tindex(n, -1), aindex(n, -1);
  AbsorptionSummary out;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_abs[i]) {
      aindex[i] = static_cast<std::int32_t>(out.absorbing.size());
      out.absorbing.push_back(static_cast<std::int32_t>(i));
    } else {
      tindex[i] = static_cast<std::int32_t>(out.transient.size());
      out.transient.push_back(static_cast<std::int32_t>(i));
    }
  }
  if (out.absorbing.empty())
    fail(Errc::not_absorbing,
         "the chain has no absorbing state, so absorption is undefined; "
         "declare the end stages (won, lost, ...) absorbing");
  // Every transient state must reach an absorbing one: backward search over positive
  // entries (reverse adjacency by a counting sort, O(n + nnz)).
  {
    std::vector<std::int64_t> ro(n + 1, 0);
    for (std::size_t k = 0; k < p.columns.size(); ++k)
      if (p.values[k] > 0.0) ++ro[static_cast<std::size_t>(p.columns[k]) + 1];
    for (std::size_t i = 0; i < n; ++i) ro[i + 1] += ro[i];
    std::vector<std::int32_t> rsrc(static_cast<std::size_t>(ro[n]));
    std::vector<std::int64_t> pos(ro.begin(), ro.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      for (auto k = p.offsets[i]; k < p.offsets[i + 1]; ++k)
        if (p.values[static_cast<std::size_t>(k)] > 0.0)
          rsrc[static_cast<std::size_t>(
              pos[static_cast<std::size_t>(p.columns[static_cast<std::size_t>(k)])]++)] =
              static_cast<std::int32_t>(i);
    std::vector<std::uint8_t> reaches(is_abs);
    std::vector<std::int32_t> stack(out.absorbing.begin(), out.absorbing.end());
    while (!stack.empty()) {
      const auto j = static_cast<std::size_t>(stack.back());
      stack.pop_back();
      for (auto k = ro[j]; k < ro[j + 1]; ++k) {
        const auto i = static_cast<std::size_t>(rsrc[static_cast<std::size_t>(k)]);
        if (!reaches[i]) {
          reaches[i] = 1;
          stack.push_back(static_cast<std::int32_t>(i));
        }
      }
    }
    std::string stuck;
    std::size_t n_stuck = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!reaches[i]) {
        if (n_stuck < 5) stuck.append(n_stuck ? ", " : "").append(state_name(names, i));
        ++n_stuck;
      }
    if (n_stuck > 0)
      fail(Errc::not_absorbing, "no absorbing state is reachable from ", n_stuck, " state(s): ", stuck,
           n_stuck > 5 ? ", ..." : "");
  }
  // --- Q (CSR over transient states, rows rescaled to sum to 1) and R (dense), written
  // in place into the solver's matrix (sized by a counting pass: no growth, no copy).
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto na = static_cast<Eigen::Index>(out.absorbing.size());
  Matrix r = Matrix::Zero(nt, na);
  SparseRowMatrix q(nt, nt);
  {
    std::size_t nnz_q = 0;
    for (const std::int32_t i : out.transient) {
      const double scale = 1.0 / row_sum[static_cast<std::size_t>(i)];  // as below: same zeros
      for (auto k = p.offsets[static_cast<std::size_t>(i)]; k < p.offsets[static_cast<std::size_t>(i) + 1];
           ++k)
        nnz_q += static_cast<std::size_t>(
            p.values[static_cast<std::size_t>(k)] * scale != 0.0 &&
            tindex[static_cast<std::size_t>(p.columns[static_cast<std::size_t>(k)])] >= 0);
    }
    q.resizeNonZeros(static_cast<Eigen::Index>(nnz_q));
    int* qo = q.outerIndexPtr();
    int* qi = q.innerIndexPtr();
    double* qv = q.valuePtr();
    int used = 0;
    qo[0] = 0;
    for (Eigen::Index a = 0; a < nt; ++a) {
      const auto i = static_cast<std::size_t>(out.transient[static_cast<std::size_t>(a)]);
      const double scale = 1.0 / row_sum[i];
      for (auto k = p.offsets[i]; k < p.offsets[i + 1]; ++k) {
        const auto j = static_cast<std::size_t>(p.columns[static_cast<std::size_t>(k)]);
        const double v = p.values[static_cast<std::size_t>(k)] * scale;
        if (v == 0.0) continue;
        if (tindex[j] >= 0) {
          qi[used] = tindex[j];
          qv[used++] = v;
        } else {
          r(a, aindex[j]) = v;
        }
      }
      qo[a + 1] = used;
    }
  }
  std::vector<std::int32_t> transient = std::move(out.transient), absorbing_ids = std::move(out.absorbing);
  if (nt == 0) {
    out = AbsorptionSummary{};
    out.absorption = Matrix(0, na);
  } else {
    out = absorption(TransientSolver(q, options), r);
  }
  out.transient = std::move(transient);
  out.absorbing = std::move(absorbing_ids);
  return out;
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
  std::size_t n_reached = queue.size();
  const Matrix& p = chain.matrix();
  // One pass over the rows first (row-major: contiguous reads, where the search below
  // reads columns): a row with a positive entry to an absorbing state reaches one.  A
  // dense chain is settled by it, and the search below stops once every state is reached.
  for (std::size_t i = 0; i < n; ++i) {
    if (reaches[i]) continue;
    for (auto a : space.absorbing())
      if (p(static_cast<Eigen::Index>(i), a) > 0.0) {
        reaches[i] = 1;
        queue.push_back(i);
        ++n_reached;
        break;
      }
  }
  while (!queue.empty() && n_reached < n) {
    const std::size_t j = queue.front();
    queue.pop_front();
    for (std::size_t i = 0; i < n; ++i)
      if (!reaches[i] && p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > 0.0) {
        reaches[i] = 1;
        queue.push_back(i);
        ++n_reached;
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
  const detail::DenseLU lu(i_minus_q);
  out.fundamental = lu.inverse();  // lu.solve(Identity), without materialising the identity
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
