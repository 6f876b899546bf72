// MarkovChain: validation, inferred absorbing states, likelihood, and fitting.
#include "funnelnet/funnel/chain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

FUNNELNET_BEGIN

MarkovChain::MarkovChain(StageSpace space, Matrix p, double tolerance, bool rescale)
    : space_(std::move(space)) {
  if (!(tolerance >= 0.0 && tolerance < 1.0))
    fail(Errc::invalid_argument, "row tolerance must be in [0, 1), got ", tolerance);
  const auto n = static_cast<Eigen::Index>(space_.size());
  if (p.rows() != n || p.cols() != n)
    fail(Errc::shape_mismatch, "transition matrix is ", p.rows(), "x", p.cols(), ", expected ", n, "x", n,
         " (one row and column per stage)");
  // Rows four at a time: each row's sum keeps its left-to-right order (the rescaling
  // below depends on it, bit for bit), but four independent sums hide the latency of the
  // additions, and the range test is branch-free; the checks then run row by row, in the
  // order (and with the messages) of a plain row loop.
  constexpr Eigen::Index group = 4;
  double sums[group] = {};
  bool in_range[group] = {};
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index g = i % group;
    if (g == 0) {
      const Eigen::Index rows = std::min(group, n - i);
      if (rows == group) {
        const double* r0 = p.data() + i * p.outerStride();
        const double* r1 = r0 + p.outerStride();
        const double* r2 = r1 + p.outerStride();
        const double* r3 = r2 + p.outerStride();
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        bool k0 = true, k1 = true, k2 = true, k3 = true;
        for (Eigen::Index j = 0; j < n; ++j) {
          s0 += r0[j];
          s1 += r1[j];
          s2 += r2[j];
          s3 += r3[j];
          k0 &= (r0[j] >= 0.0) & (r0[j] <= 1.0);  // false for NaN
          k1 &= (r1[j] >= 0.0) & (r1[j] <= 1.0);
          k2 &= (r2[j] >= 0.0) & (r2[j] <= 1.0);
          k3 &= (r3[j] >= 0.0) & (r3[j] <= 1.0);
        }
        sums[0] = s0, sums[1] = s1, sums[2] = s2, sums[3] = s3;
        in_range[0] = k0, in_range[1] = k1, in_range[2] = k2, in_range[3] = k3;
      } else {
        for (Eigen::Index a = 0; a < rows; ++a) {
          const double* r = p.data() + (i + a) * p.outerStride();
          double s = 0.0;
          bool k = true;
          for (Eigen::Index j = 0; j < n; ++j) {
            s += r[j];
            k &= (r[j] >= 0.0) & (r[j] <= 1.0);
          }
          sums[a] = s;
          in_range[a] = k;
        }
      }
    }
    if (!in_range[g])
      for (Eigen::Index j = 0; j < n; ++j) {
        const double v = p(i, j);
        if (!(v >= 0.0 && v <= 1.0))  // also rejects NaN
          fail(Errc::invalid_argument, "P[", space_.name(i), "][", space_.name(j),
               "] must be a probability in [0, 1], got ", v);
      }
    const double sum = sums[g];
    if (std::abs(sum - 1.0) > tolerance)
      fail(Errc::invalid_argument, "row '", space_.name(i), "' sums to ", sum, ", not 1 (tolerance ",
           tolerance, ")");
    if (space_.is_absorbing(i) && std::abs(p(i, i) - 1.0) > tolerance)
      fail(Errc::invalid_argument, "stage '", space_.name(i), "' is declared absorbing but P[",
           space_.name(i), "][", space_.name(i), "] = ", p(i, i), " (must be 1)");
    if (rescale) p.row(i) /= sum;
  }
  p_ = std::move(p);
}

MarkovChain MarkovChain::from_matrix(std::vector<std::string> names, Matrix p, double tolerance) {
  if (static_cast<std::size_t>(p.rows()) != names.size() || p.cols() != p.rows())
    fail(Errc::shape_mismatch, "transition matrix is ", p.rows(), "x", p.cols(), " but ", names.size(),
         " state names were given");
  std::vector<bool> absorbing(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double d = p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i));
    absorbing[i] = std::abs(d - 1.0) <= tolerance;
  }
  return {StageSpace(std::move(names), std::move(absorbing)), std::move(p), tolerance};
}

double MarkovChain::log_likelihood(const TransitionCounts& counts) const {
  if (!(counts.space() == space_))
    fail(Errc::invalid_argument, "counts and chain have different stage spaces");
  const Matrix& c = counts.matrix();
  double ll = 0.0;
  for (Eigen::Index i = 0; i < c.rows(); ++i)
    for (Eigen::Index j = 0; j < c.cols(); ++j)
      if (c(i, j) > 0.0) {
        if (p_(i, j) <= 0.0) return -std::numeric_limits<double>::infinity();
        ll += c(i, j) * std::log(p_(i, j));
      }
  return ll;
}

MarkovChain fit(const TransitionCounts& counts, const FitOptions& options) {
  require_nonnegative(options.smoothing, "smoothing");
  const StageSpace& space = counts.space();
  const Matrix& c = counts.matrix();
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix p = Matrix::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (space.is_absorbing(i)) {
      p(i, i) = 1.0;
      continue;
    }
    const double total = c.row(i).sum() + static_cast<double>(n) * options.smoothing;
    if (total > 0.0) {
      p.row(i) = (c.row(i).array() + options.smoothing) / total;
    } else {
      switch (options.empty_rows) {
        case EmptyRows::error:
          fail(Errc::invalid_argument, "stage '", space.name(i),
               "' has no observed exits; add smoothing, declare it absorbing, or choose an "
               "empty-row policy");
        case EmptyRows::absorbing: p(i, i) = 1.0; break;
        case EmptyRows::uniform: p.row(i).setConstant(1.0 / static_cast<double>(n)); break;
      }
    }
  }
  return {space, std::move(p), 1e-12};
}

FUNNELNET_END
