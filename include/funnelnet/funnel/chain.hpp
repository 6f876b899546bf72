// MarkovChain: a validated, row-stochastic transition matrix over a StageSpace, and
// fitting one from TransitionCounts (maximum likelihood with optional additive
// smoothing).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// Default tolerance on |row sum - 1| when a transition matrix is given by the user.
inline constexpr double default_row_tolerance = 1e-9;

class MarkovChain {
 public:
  MarkovChain() = default;

  /// A chain over `space` with transition matrix `p`.  Every entry must be finite and in
  /// [0, 1], every row must sum to 1 within `tolerance`, and every absorbing stage must
  /// have P[a][a] = 1 (within `tolerance`).  Rows are then rescaled to sum to exactly 1.
  MarkovChain(StageSpace space, Matrix p, double tolerance = default_row_tolerance)
      : MarkovChain(std::move(space), std::move(p), tolerance, true) {}

  /// Like the constructor, but rows are kept bit for bit (not rescaled): used to restore
  /// a saved chain exactly.
  static MarkovChain exact(StageSpace space, Matrix p, double tolerance = default_row_tolerance) {
    return {std::move(space), std::move(p), tolerance, false};
  }

 private:
  MarkovChain(StageSpace space, Matrix p, double tolerance, bool rescale) : space_(std::move(space)) {
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

 public:
  /// A chain whose absorbing states are inferred from the matrix: state i is absorbing
  /// when P[i][i] = 1 (within `tolerance`).
  static MarkovChain from_matrix(std::vector<std::string> names, Matrix p,
                                 double tolerance = default_row_tolerance) {
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

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& matrix() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }
  [[nodiscard]] double operator()(std::size_t i, std::size_t j) const {
    return p_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  }

  /// Log-likelihood of `counts` under this chain: sum of c_ij log p_ij.  A positive
  /// count on a zero-probability transition gives -infinity.
  [[nodiscard]] double log_likelihood(const TransitionCounts& counts) const {
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

 private:
  StageSpace space_;
  Matrix p_;
};

/// What fitting does with a transient stage that has no observed exits (and no smoothing).
enum class EmptyRows : int {
  error = 0,      ///< throw invalid_argument naming the stage (default)
  absorbing = 1,  ///< keep the lead there: P[i][i] = 1, as if the stage were an end state
  uniform = 2,    ///< spread evenly over all stages
};

/// Options for fit().
struct FitOptions {
  /// Additive (Laplace / symmetric Dirichlet) pseudo-count added to every entry of each
  /// transient row; 0 gives the maximum-likelihood estimate.
  double smoothing = 0.0;
  EmptyRows empty_rows = EmptyRows::error;
};

/// Fit a chain to transition counts.  Row i of a transient stage is
/// (c_ij + s) / (sum_j c_ij + n s); absorbing rows are the identity.  This is the
/// maximum-likelihood estimate for s = 0 and the posterior mean under a symmetric
/// Dirichlet(s) prior otherwise.
inline MarkovChain fit(const TransitionCounts& counts, const FitOptions& options = {}) {
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
