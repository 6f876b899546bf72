// Per-segment logistic scorers shrunk toward a pooled one (a hierarchical prior), for
// small teams: a few hundred leads over regions, products or channels.
//
// Segment s (0 <= s < S) has the log-odds
//   logit P(y = 1) = (a + a_s) + z' (b + d_s),  b ~ N(0, C I),  a_s, d_s ~ N(0, tau^2 I),
// z the features standardised over all rows (unweighted mean and standard deviation,
// ddof 0; a constant column keeps scale 1).  The fit is one L2-penalised logistic
// regression (fit_logistic) of the design D = [z, z 1{s = 0}, ..., z 1{s = S-1},
// 1{s = 0}, ..., 1{s = S-1}] (p (S + 1) + S columns) with the summed log loss and the
// penalty 1/2 sum_j (f_j theta_j)^2, f = 1/sqrt(C) for the pooled coefficients,
// 1/tau_coef for the deviations d_s and 1/tau_intercept for a_s: the posterior mode.
// A design column that is constant (a segment without rows, a constant feature) is left
// out of the fit: its parameter stays at the prior mean 0 with the prior variance.
//
// tau is given, or chosen among every pair (tau_intercept, tau_coef) of the candidates
// `taus` (intercept-major) by the largest Laplace-approximate log marginal likelihood
//   -sum_i w_i loss_i - 1/2 sum_j (f_j theta_j)^2 + sum_j log f_j + 1/2 log det(V)
// (the fitted columns only; V the posterior covariance of the fit, the inverse of the
// penalised Hessian; -inf when the fit did not converge), or by the smallest K-fold
// cross-validated log loss (kfold_split(n, folds, seed); each training fit drops the
// design columns constant on its rows; a fold whose training rows hold one class is
// skipped).  Intervals are the posterior (Laplace) intervals at the chosen tau.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/customers/repeat_buying.hpp"  // FitStatus
#include "funnelnet/scoring/logistic.hpp"         // WaldTable

FUNNELNET_BEGIN

/// How fit_pooled chooses tau when it is not given.
enum class TauSelect : int { evidence = 0, cv = 1 };

/// Options of fit_pooled.
struct PooledOptions {
  double C = 1.0;              ///< prior variance of the pooled standardised coefficients, > 0
  double tau_intercept = 0.0;  ///< > 0: prior sd of the segment intercept deviations; 0: chosen
  double tau_coef = 0.0;       ///< > 0: prior sd of the segment coefficient deviations; 0: chosen
  /// Candidates for tau (each > 0) when tau is chosen: every pair, intercept-major.
  std::vector<double> taus = {0.03, 0.1, 0.2, 0.4, 0.8, 1.6};
  TauSelect select = TauSelect::evidence;  ///< how tau is chosen
  int folds = 5;                           ///< cross-validation folds (select = cv)
  std::uint64_t seed = 0;                  ///< seed of the cross-validation split
  int max_iterations = 100;                ///< Newton iterations of each penalised fit
  double tolerance = 1e-10;                ///< gradient tolerance of each fit (as LogisticOptions)
  int threads = 0;                         ///< 0: from the work; results do not depend on it
};

/// A fitted pooled-prior model.
struct PooledModel {
  std::size_t n_features = 0;                  ///< p
  std::size_t n_segments = 0;                  ///< S
  double tau_intercept = 0.0, tau_coef = 0.0;  ///< the prior scales used
  std::vector<double> mean, scale;  ///< the standardisation (p each; scale 1 for a constant column)
  /// Design parameters, intercept first: theta[0] = a, then b (p), d_0 .. d_{S-1} (p each),
  /// a_0 .. a_{S-1}; K = 1 + p (S + 1) + S values, standardised scale.
  std::vector<double> theta;
  std::vector<double> covariance;         ///< posterior covariance of theta, K x K row-major
  double intercept = 0.0;                 ///< the pooled scorer on the user's scale
  std::vector<double> coef;               ///< p
  std::vector<double> segment_intercept;  ///< S: each segment's intercept, user's scale
  std::vector<double> segment_coef;       ///< S x p row-major: each segment's coefficients
  /// The candidates tried (empty when tau was given): tau pairs and their log evidence
  /// (select = evidence) or mean held-out log loss (select = cv).
  std::vector<double> grid_intercept, grid_coef, grid_score;
  TauSelect select = TauSelect::evidence;
  // ---- report of the final fit ---------------------------------------------------
  FitStatus status = FitStatus::converged;
  int iterations = 0;
  double log_loss = 0.0;  ///< weighted mean training log loss
  std::string message;
  [[nodiscard]] bool converged() const noexcept { return status == FitStatus::converged; }
};

/// Fit on X (n x p), labels y (0/1), segment codes in [0, n_segments) and optional
/// weights (empty = 1).  Throws invalid_argument naming the row/column for NaN/Inf in X,
/// a label not 0/1, one class, a negative weight, a segment code out of range, C or a
/// tau not > 0 (or only one of the two taus given), an empty `taus` or folds < 2 when tau
/// is chosen; shape_mismatch for lengths; empty_input for n = 0 or p = 0.  A final fit
/// that did not converge is returned with its status (the caller warns).
PooledModel fit_pooled(const MatrixRef& X, std::span<const double> y, std::span<const std::int64_t> segment,
                       std::size_t n_segments, std::span<const double> weight = {},
                       const PooledOptions& options = {}, const Progress& progress = {});

/// Log-odds under each row's segment scorer (m values): segment_intercept[s] +
/// X[i] . segment_coef[s].  shape_mismatch for a column count or length that differs,
/// invalid_argument naming a non-finite cell, out_of_range naming a segment code.
std::vector<double> pooled_decision(const PooledModel& model, const MatrixRef& X,
                                    std::span<const std::int64_t> segment);

/// P(y = 1) = 1 / (1 + exp(-eta)) of pooled_decision.
std::vector<double> pooled_predict(const PooledModel& model, const MatrixRef& X,
                                   std::span<const std::int64_t> segment);

/// Posterior (Laplace) intervals of every segment's intercept and coefficients on the
/// user's scale, S (p + 1) rows segment-major (intercept, then the p features):
/// estimate -/+ z_{(1+level)/2} std_error.  invalid_argument unless 0 < level < 1.
WaldTable pooled_intervals(const PooledModel& model, double level = 0.95);

FUNNELNET_END
