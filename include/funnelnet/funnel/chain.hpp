// MarkovChain: a validated, row-stochastic transition matrix over a StageSpace, and
// fitting one from TransitionCounts (maximum likelihood with optional additive
// smoothing).
#pragma once

#include <cstddef>
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
  MarkovChain(StageSpace space, Matrix p, double tolerance, bool rescale);

 public:
  /// A chain whose absorbing states are inferred from the matrix: state i is absorbing
  /// when P[i][i] = 1 (within `tolerance`).
  static MarkovChain from_matrix(std::vector<std::string> names, Matrix p,
                                 double tolerance = default_row_tolerance);

  [[nodiscard]] const StageSpace& space() const noexcept { return space_; }
  [[nodiscard]] const Matrix& matrix() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return space_.size(); }
  [[nodiscard]] double operator()(std::size_t i, std::size_t j) const {
    return p_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  }

  /// Log-likelihood of `counts` under this chain: sum of c_ij log p_ij.  A positive
  /// count on a zero-probability transition gives -infinity.
  [[nodiscard]] double log_likelihood(const TransitionCounts& counts) const;

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
MarkovChain fit(const TransitionCounts& counts, const FitOptions& options = {});

FUNNELNET_END
