// MarkovChain: validation, inferred absorbing states, likelihood, and fitting.
#include "funnelnet/funnel/chain.hpp"

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
  for (Eigen::Index i = 0; i < n; ++i) {
    double sum = 0.0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = p(i, j);
      if (!(v >= 0.0 && v <= 1.0))  // also rejects NaN
        fail(Errc::invalid_argument, "P[", space_.name(i), "][", space_.name(j),
             "] must be a probability in [0, 1], got ", v);
      sum += v;
    }
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
