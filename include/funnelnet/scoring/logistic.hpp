// Penalised logistic regression for lead scoring.
//
// Minimises, over an intercept b0 and coefficients b,
//   (1 / sum w) sum_i w_i [log(1 + exp(eta_i)) - y_i eta_i]
//     + lambda (l1_ratio |D b|_1 + (1 - l1_ratio) / 2 |D b|^2),   eta_i = b0 + x_i b,
// with D = I (penalty on the coefficients of the raw columns, scikit-learn's convention)
// or, when `standardize`, D = diag(sd_j) (the penalty on the coefficients of the
// standardised columns, glmnet's convention).  scikit-learn's LogisticRegression(C=C)
// with sample weights w is lambda = 1 / (C sum w) (= 1 / (C n) unweighted), l1_ratio 0
// for L2 and its l1_ratio for elastic net.  The intercept is never penalised.
//
// The fit works on centred and scaled columns (scale = standard deviation with an
// intercept, root mean square without) and reports coefficients on the user's scale.
// L2 (and no penalty): Newton with a backtracking line search; elastic net: proximal
// Newton (coordinate descent on the quadratic model, then a line search).
// Robustness: a constant column gets coefficient 0 and is listed in `constant_columns`;
// a rank-deficient design takes minimum-norm Newton steps (reported as `rank_deficient`);
// separable data without a penalty stops when a standardised coefficient passes
// `separation_bound` (finite coefficients, `separated` = true, status max_iterations).
// Standard errors (inverse of the Hessian of the weighted negative log-likelihood, the
// weights taken as frequency weights) only when unpenalised, converged, full rank and
// not separated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/customers/repeat_buying.hpp"  // FitStatus

FUNNELNET_BEGIN

/// Options of fit_logistic.
struct LogisticOptions {
  double lambda = 0.0;             ///< penalty strength (see the header comment); >= 0
  double l1_ratio = 0.0;           ///< elastic-net mix in [0, 1]: 0 = L2 (ridge), 1 = lasso
  bool fit_intercept = true;       ///< fit an unpenalised intercept
  bool standardize = false;        ///< penalise standardised coefficients (glmnet) instead of raw ones
  int max_iterations = 100;        ///< Newton / proximal-Newton iterations
  double tolerance = 1e-10;        ///< inf-norm of the (minimum-norm sub)gradient, standardised scale
  double separation_bound = 30.0;  ///< |standardised coefficient| that signals separation (no penalty)
  int threads = 0;                 ///< 0: from the work (one thread for small fits); results do not depend on it
  /// Per-column penalty factors f_j (p values >= 0; empty = all 1): coefficient j enters
  /// the penalty as f_j b_j (L2: (lambda / 2)(1 - l1_ratio)(f_j b_j)^2), so 0 leaves a
  /// column unpenalised.  Used by the pooled (hierarchical) scorer to shrink only the
  /// segment deviations.
  std::vector<double> penalty_factor;
  /// With an L2 penalty (l1_ratio 0), also report the posterior (Laplace) covariance:
  /// the inverse of the penalised Hessian, the penalty read as a Gaussian prior.
  bool posterior_covariance = false;
};

/// A fitted (or given) logistic model and how its fit went.
struct LogisticModel {
  double intercept = 0.0;
  std::vector<double> coef;  ///< one per column, on the user's scale
  std::vector<double>
      mean;  ///< column means of the training data (weighted); contributions are taken from them
  std::vector<double> scale;  ///< the column scales used in the fit (0 for a constant column)
  // ---- report --------------------------------------------------------------------
  FitStatus status = FitStatus::converged;
  int iterations = 0;
  double objective = 0.0;      ///< penalised objective at the solution
  double log_loss = 0.0;       ///< weighted mean log loss on the training data
  double gradient_norm = 0.0;  ///< inf-norm of the minimum-norm subgradient (standardised scale)
  bool separated = false;      ///< the data looked (quasi-)separable; coefficients stopped at the bound
  bool rank_deficient = false;
  std::vector<std::int64_t> constant_columns;
  std::string message;
  /// Covariance of (intercept, coef...) on the user's scale, (p+1) x (p+1) row-major
  /// (without an intercept: p x p of the coefficients); empty when not available.  With
  /// `posterior_covariance` and an L2 penalty: the posterior (Laplace) covariance.
  std::vector<double> covariance;
  [[nodiscard]] bool converged() const noexcept { return status == FitStatus::converged; }
  [[nodiscard]] std::size_t n_features() const noexcept { return coef.size(); }
};

/// Fit on X (n x p), labels y (0/1), optional sample weights (empty = 1).  Throws
/// invalid_argument naming the row/column for NaN/Inf, labels other than 0/1, negative
/// weights, options out of range; shape_mismatch for lengths; empty_input for n = 0.
/// A fit that stops before converging is returned with its status (the caller warns).
LogisticModel fit_logistic(const MatrixRef& X, std::span<const double> y, std::span<const double> weight = {},
                           const LogisticOptions& options = {}, const Progress& progress = {});

/// Linear predictor eta = intercept + X coef (n values).  Throws shape_mismatch when X
/// has a different number of columns, invalid_argument naming a non-finite cell.
std::vector<double> logistic_decision(const LogisticModel& model, const MatrixRef& X, int threads = 0);

/// P(y = 1) = 1 / (1 + exp(-eta)).
std::vector<double> logistic_predict(const LogisticModel& model, const MatrixRef& X, int threads = 0);

/// Both class probabilities in one pass: out[2 i] = 1 - p_i, out[2 i + 1] = p_i (an
/// n x 2 row-major array; each computed without cancellation).  `out` has 2 n slots.
void logistic_predict_proba(const LogisticModel& model, const MatrixRef& X, std::span<double> out,
                            int threads = 0);

/// Exact contributions: C[i, j] = coef_j (X[i, j] - mean_j), so that
/// eta_i = (intercept + sum_j coef_j mean_j) + sum_j C[i, j].  n x p.
Matrix logistic_contributions(const LogisticModel& model, const MatrixRef& X);

/// Standard errors sqrt(diag(covariance)) and Wald intervals at `level`:
/// estimate -/+ z_{(1+level)/2} se, in the covariance's order.  Empty when no covariance.
struct WaldTable {
  std::vector<double> estimate, std_error, z, p_value, lower, upper;
};
WaldTable logistic_wald(const LogisticModel& model, double level = 0.95);

namespace detail {
/// Total weight of the 1s and of the 0s in y (w empty: 1 each), after checking that y
/// holds only 0 and 1, w is finite and >= 0 and both classes have positive weight:
/// invalid_argument naming the first bad row otherwise.  Shared by the scorer's and the
/// Platt fit's input checks.
std::pair<double, double> class_weights(std::span<const double> y, std::span<const double> w);
}  // namespace detail

FUNNELNET_END
