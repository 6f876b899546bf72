/* funnelnet C ABI: lead scoring (metrics of binary scores, penalised logistic
 * regression).  C99.  See funnelnet.h for the conventions.
 *
 * Labels are 0 or 1 (as doubles); weights may be NULL (all 1), else finite and >= 0.
 * Bad input returns FNET_E_INVALID_ARGUMENT (a label not 0/1, a NaN score, a negative
 * weight, one class where a metric needs two: fnet_last_error() names the row) or
 * FNET_E_EMPTY_INPUT (n = 0). */
#ifndef FUNNELNET_C_SCORING_H
#define FUNNELNET_C_SCORING_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- metrics (each equals scikit-learn's; see funnelnet/scoring/metrics.hpp) ------ */
FNET_API fnet_status fnet_scoring_roc_auc(double* out, size_t n, const double* y, const double* score,
                                          const double* weight);
FNET_API fnet_status fnet_scoring_average_precision(double* out, size_t n, const double* y,
                                                    const double* score, const double* weight);
FNET_API fnet_status fnet_scoring_log_loss(double* out, size_t n, const double* y, const double* p,
                                           const double* weight);
FNET_API fnet_status fnet_scoring_brier(double* out, size_t n, const double* y, const double* p,
                                        const double* weight);
FNET_API fnet_status fnet_scoring_ks(double* out, size_t n, const double* y, const double* score,
                                     const double* weight);
/* Expected calibration error over `bins` equal-width bins on [0, 1]. */
FNET_API fnet_status fnet_scoring_ece(double* out, size_t n, const double* y, const double* p,
                                      const double* weight, int bins);

/* Lift and cumulative gain by rank bin (rows by score, highest first, ties by row order;
 * sorted position r in bin floor(r bins / n)).  Writes a bins x 10 row-major table into
 * out (`capacity` doubles; *needed = bins * 10, two-call pattern: out = NULL asks), bin 0
 * the highest scores, columns in this order: rows, weight, positives, score_min,
 * score_max, rate (positives / weight), lift (rate / overall rate), cum_share (share of
 * the weight in bins 0..b), cum_gain (share of the positives), cum_lift (gain / share).
 * bins >= 1. */
FNET_API fnet_status fnet_scoring_rank_table(double* out, size_t capacity, size_t* needed, size_t n,
                                             const double* y, const double* score, const double* weight,
                                             int bins);
/* Calibration curve (scikit-learn's calibration_curve): for each non-empty bin, its index,
 * weighted mean outcome (prob_true), mean prediction (prob_pred) and weight.  Any output
 * may be NULL; `capacity` slots each; *needed receives the number of non-empty bins
 * (two-call pattern). */
FNET_API fnet_status fnet_scoring_calibration_curve(int32_t* bin, double* prob_true, double* prob_pred,
                                                    double* bin_weight, size_t capacity, size_t* needed,
                                                    size_t n, const double* y, const double* p,
                                                    const double* weight, int bins,
                                                    fnet_bin_strategy strategy);
/* Percentile bootstrap interval of a metric: replicate b resamples the n rows with
 * replacement from the random stream (seed, b) (the same numbers as
 * funnelnet.scoring.metrics.bootstrap and at any thread count, threads 0: from the work);
 * replicates with one class are dropped and counted.  bins and strategy are those of
 * FNET_METRIC_ECE.  replicates >= 2, 0 < level < 1.  Any output may be NULL. */
FNET_API fnet_status fnet_scoring_bootstrap(double* estimate, double* lower, double* upper, double* std_error,
                                            int* dropped, fnet_metric metric, size_t n, const double* y,
                                            const double* score, const double* weight, int replicates,
                                            double level, uint64_t seed, int threads, int bins,
                                            fnet_bin_strategy strategy);

/* ---- logistic regression ------------------------------------------------------------ */
typedef struct fnet_logistic fnet_logistic; /* a fitted logistic model and its report */

/* Options of fnet_logistic_fit; initialise with FNET_LOGISTIC_OPTIONS_INIT.  The
 * objective is the weighted mean log loss + lambda (l1_ratio |b|_1 + (1 - l1_ratio)/2 |b|^2)
 * (scikit-learn's C is lambda = 1 / (C sum w)). */
typedef struct fnet_logistic_options {
  unsigned version;        /* FNET_LOGISTIC_OPTIONS_VERSION */
  double lambda;           /* penalty strength, >= 0 */
  double l1_ratio;         /* 0 = L2, 1 = lasso */
  int fit_intercept;       /* non-zero: fit an unpenalised intercept */
  int standardize;         /* non-zero: penalise standardised coefficients */
  int max_iterations;      /* Newton iterations */
  double tolerance;        /* inf-norm of the (sub)gradient, standardised scale */
  double separation_bound; /* |standardised coefficient| that signals separation (no penalty) */
  int threads;             /* 0: from the work; results do not depend on it */
} fnet_logistic_options;
#define FNET_LOGISTIC_OPTIONS_VERSION 1
#define FNET_LOGISTIC_OPTIONS_INIT \
  { FNET_LOGISTIC_OPTIONS_VERSION, 0.0, 0.0, 1, 0, 100, 1e-10, 30.0, 0 }

/* Fit on X (n x p, row-major), labels y (n), weights (n or NULL).  options may be NULL.
 * A fit that stops before converging (separation, iteration limit) still returns FNET_OK:
 * read fnet_logistic_report. */
FNET_API fnet_status fnet_logistic_fit(fnet_logistic** out, size_t n, size_t p, const double* X,
                                       const double* y, const double* weight,
                                       const fnet_logistic_options* options);
FNET_API void fnet_logistic_destroy(fnet_logistic* model);
/* The p coefficients on the user's scale (two-call pattern). */
FNET_API fnet_status fnet_logistic_coef(double* out, size_t capacity, size_t* needed,
                                        const fnet_logistic* model);
/* Covariance of (intercept, coef) ((p+1)^2, row-major; 0 elements when not available:
 * penalised, rank-deficient, separated or not converged). */
FNET_API fnet_status fnet_logistic_covariance(double* out, size_t capacity, size_t* needed,
                                              const fnet_logistic* model);
/* Intercept, fit status (fnet_fit_status codes), iterations, training log loss, separated
 * and rank-deficient flags; any pointer may be NULL. */
FNET_API fnet_status fnet_logistic_report(double* intercept, int* status, int* iterations, double* log_loss,
                                          int* separated, int* rank_deficient, const fnet_logistic* model);
/* P(y = 1) for m rows of X (m x p, row-major) into out (m slots); FNET_E_SHAPE_MISMATCH
 * when p differs from the fit. */
FNET_API fnet_status fnet_logistic_predict(double* out, const fnet_logistic* model, size_t m, size_t p,
                                           const double* X);

/* ---- calibration -------------------------------------------------------------------- */
/* Platt scaling: *a and *b of p = 1 / (1 + exp(-(a + b score))), fitted by maximum
 * likelihood to the 0/1 labels y (weights may be NULL); smooth != 0 uses Platt's (1999)
 * targets (N+ + 1) / (N+ + 2) and 1 / (N- + 2).  FNET_E_INVALID_ARGUMENT names a
 * non-finite score, a label not 0/1, a negative weight or one class. */
FNET_API fnet_status fnet_scoring_platt(double* a, double* b, size_t n, const double* score, const double* y,
                                        const double* weight, int smooth);
/* Isotonic regression (pool adjacent violators, ties pooled first, as scikit-learn's
 * IsotonicRegression): the distinct scores ascending into x and the fitted values into
 * fitted (either may be NULL), `capacity` slots each; *needed receives their count
 * (two-call pattern: x = fitted = NULL asks for the count). */
FNET_API fnet_status fnet_scoring_isotonic(double* x, double* fitted, size_t capacity, size_t* needed,
                                           size_t n, const double* score, const double* y,
                                           const double* weight);

/* ---- logistic regression: penalty factors, posterior covariance, Wald table --------- */
/* fnet_logistic_fit with two more inputs (fnet_logistic_options is not extended: programs
 * built against older headers keep their struct size).  penalty_factor: p factors f_j,
 * finite and >= 0, or NULL for all 1: coefficient j enters the penalty as f_j b_j, i.e.
 * lambda (l1_ratio |f_j b_j| + (1 - l1_ratio)/2 (f_j b_j)^2), so f_j = 0 leaves column j
 * unpenalised and, with L2, f_j = 2 is 4 times the penalty (glmnet's penalty.factor
 * multiplies the whole term instead).
 * posterior_covariance != 0 with an L2 penalty (l1_ratio 0): fnet_logistic_covariance
 * returns the posterior (Laplace) covariance, the inverse of the penalised Hessian (the
 * penalty read as a Gaussian prior).  FNET_E_INVALID_ARGUMENT names a bad factor. */
FNET_API fnet_status fnet_logistic_fit_ex(fnet_logistic** out, size_t n, size_t p, const double* X,
                                          const double* y, const double* weight,
                                          const fnet_logistic_options* options, const double* penalty_factor,
                                          int posterior_covariance);
/* Standard errors and Wald intervals at `level` (0 < level < 1) of (intercept, coef...)
 * (the coefficients only without an intercept), in that order: estimate, std_error, z,
 * two-sided normal p_value, lower and upper = estimate -/+ z_{(1+level)/2} std_error.
 * Any output may be NULL; `capacity` slots each; *needed receives the count (two-call
 * pattern), 0 when the fit has no covariance (penalised without posterior_covariance,
 * rank-deficient, separated or not converged). */
FNET_API fnet_status fnet_logistic_wald(double* estimate, double* std_error, double* z, double* p_value,
                                        double* lower, double* upper, size_t capacity, size_t* needed,
                                        const fnet_logistic* model, double level);

/* Exact contributions C[i, j] = coef_j (X[i, j] - mean_j) of m rows of X (m x p,
 * row-major) into out (m x p, row-major), mean_j the weighted training mean: the linear
 * predictor is (intercept + sum_j coef_j mean_j) + sum_j C[i, j] (read that baseline with
 * fnet_logistic_baseline).  Sort a row to get a lead's top positive and negative factors.
 * FNET_E_SHAPE_MISMATCH when p differs from the fit. */
FNET_API fnet_status fnet_logistic_contributions(double* out, const fnet_logistic* model, size_t m, size_t p,
                                                 const double* X);
/* The linear predictor of a row at the training means: intercept + sum_j coef_j mean_j. */
FNET_API fnet_status fnet_logistic_baseline(double* out, const fnet_logistic* model);

/* ---- experiments: seeded splits ------------------------------------------------------ */
/* Each writes the fold of each of n rows into fold (n slots).  K-fold and grouped splits
 * draw from numpy's default generator, so fold k equals funnelnet.scoring.splits(...,
 * seed=seed) and numpy.random.default_rng(seed) bit for bit.  FNET_E_INVALID_ARGUMENT for
 * folds < 2 or too few rows (groups) for `folds`; FNET_E_EMPTY_INPUT for n = 0. */
/* A seeded permutation cut into `folds` near-equal parts: fold k tests on the rows of fold
 * k and trains on the others. */
FNET_API fnet_status fnet_scoring_kfold(int32_t* fold, size_t n, int folds, uint64_t seed);
/* Grouped K-fold: all rows of a group (e.g. an account id) land in one fold; the distinct
 * groups (ascending) are permuted by the seed and dealt round-robin to the folds. */
FNET_API fnet_status fnet_scoring_group_kfold(int32_t* fold, size_t n, const int64_t* groups, int folds,
                                              uint64_t seed);
/* Time-ordered (expanding window): rows by time (ties by row order) cut into folds + 1
 * blocks; a row of block b gets fold b - 1 (the oldest block gets -1, never tested).
 * Fold k tests on the rows of fold k and trains on the rows with fold < k (never on the
 * future).  A NaN time is refused naming its row; needs n >= folds + 1. */
FNET_API fnet_status fnet_scoring_time_split(int32_t* fold, size_t n, const double* time, int folds);

/* ---- experiments: paired comparisons of two scores -------------------------------- */
/* DeLong's test of AUC(a) - AUC(b) on the same n rows (ties count half): the two AUCs,
 * the standard error of the difference, z and its two-sided p-value, and the 2 x 2
 * covariance of the AUCs (row-major, 4 slots).  Any output may be NULL.
 * FNET_E_INVALID_ARGUMENT names a label not 0/1 or a non-finite score, and refuses fewer
 * than 2 rows of either class. */
FNET_API fnet_status fnet_scoring_delong(double* auc_a, double* auc_b, double* std_error, double* z,
                                         double* p_value, double* covariance, size_t n, const double* y,
                                         const double* score_a, const double* score_b);
/* Nadeau-Bengio corrected resampled t-test of k per-fold differences (k >= 2, finite):
 * se = sqrt((1/k + n_test/n_train) s^2), t = mean / se (0 when se = 0), p two-sided from
 * Student's t with k - 1 degrees of freedom.  n_train, n_test: the mean training and test
 * sizes (> 0).  Any output may be NULL. */
FNET_API fnet_status fnet_scoring_corrected_t(double* mean, double* std_error, double* t, double* p_value,
                                              size_t k, const double* difference, double n_train,
                                              double n_test);
/* Paired percentile bootstrap of AUC(a) - AUC(b): `replicates` resamples of the n rows
 * (the same rows for both scores; numpy's default_rng(seed).integers(0, n, (replicates,
 * n)), row b for replicate b); resamples with one class are dropped and counted.  lower
 * and upper: the (1 -/+ level) / 2 percentiles (NaN when every resample was dropped).
 * The result does not depend on threads (0: from the work).  Any output may be NULL. */
FNET_API fnet_status fnet_scoring_paired_bootstrap_auc(double* estimate, double* lower, double* upper,
                                                       double* std_error, int* dropped, size_t n,
                                                       const double* y, const double* score_a,
                                                       const double* score_b, int replicates, double level,
                                                       uint64_t seed, int threads);

/* ---- per-segment scorers under a pooled prior (small teams) ------------------------ */
/* Segment s has logit P(won) = (a + a_s) + z' (b + d_s) with z the standardised features,
 * b ~ N(0, C I) and a_s ~ N(0, tau_intercept^2), d_s ~ N(0, tau_coef^2 I); the fit is the
 * posterior mode and its intervals the posterior (Laplace) intervals (see
 * funnelnet/scoring/pooled.hpp).  tau is given, or chosen from every pair of candidates. */
typedef struct fnet_pooled fnet_pooled; /* a fitted pooled-prior model */

/* Options of fnet_pooled_fit; initialise with FNET_POOLED_OPTIONS_INIT. */
typedef struct fnet_pooled_options {
  unsigned version;       /* FNET_POOLED_OPTIONS_VERSION */
  double C;               /* prior variance of the pooled standardised coefficients, > 0 */
  double tau_intercept;   /* > 0: given prior sd of the segment intercepts; 0 (with tau_coef 0): chosen */
  double tau_coef;        /* > 0: given prior sd of the segment coefficient deviations; 0: chosen */
  fnet_tau_select select; /* how tau is chosen when both are 0 */
  int folds;              /* cross-validation folds (FNET_TAU_CV), >= 2 */
  uint64_t seed;          /* seed of the cross-validation split */
  int max_iterations;     /* Newton iterations of each fit */
  double tolerance;       /* gradient tolerance of each fit */
  int threads;            /* 0: from the work; results do not depend on it */
} fnet_pooled_options;
#define FNET_POOLED_OPTIONS_VERSION 1
#define FNET_POOLED_OPTIONS_INIT \
  { FNET_POOLED_OPTIONS_VERSION, 1.0, 0.0, 0.0, FNET_TAU_EVIDENCE, 5, 0, 100, 1e-10, 0 }

/* Fit on X (n x p, row-major), labels y (0/1, n), segment codes (n values in
 * [0, n_segments)), weights (n or NULL).  taus: n_taus candidates for tau (each > 0) or
 * NULL for the defaults 0.03, 0.1, 0.2, 0.4, 0.8, 1.6 (unused when tau is given).
 * options may be NULL.  FNET_E_INVALID_ARGUMENT names a non-finite cell, a label not 0/1,
 * one class, a negative weight, a bad C / tau / candidate; FNET_E_OUT_OF_RANGE a segment
 * code; FNET_E_EMPTY_INPUT n = 0 or p = 0.  A final fit that did not converge still
 * returns FNET_OK: read fnet_pooled_report.  *out is set only on success. */
FNET_API fnet_status fnet_pooled_fit(fnet_pooled** out, size_t n, size_t p, const double* X, const double* y,
                                     const int64_t* segment, size_t n_segments, const double* weight,
                                     const double* taus, size_t n_taus, const fnet_pooled_options* options);
FNET_API void fnet_pooled_destroy(fnet_pooled* model);
/* Number of features, segments and candidate tau pairs tried (0 when tau was given). */
FNET_API fnet_status fnet_pooled_sizes(size_t* n_features, size_t* n_segments, size_t* n_candidates,
                                       const fnet_pooled* model);
/* The tau used, the pooled intercept (user's scale), the final fit's status
 * (fnet_fit_status codes), iterations and training log loss; any pointer may be NULL. */
FNET_API fnet_status fnet_pooled_report(double* tau_intercept, double* tau_coef, double* intercept,
                                        int* status, int* iterations, double* log_loss,
                                        const fnet_pooled* model);
/* The pooled coefficients on the user's scale (p; two-call pattern). */
FNET_API fnet_status fnet_pooled_coef(double* out, size_t capacity, size_t* needed, const fnet_pooled* model);
/* Each segment's intercept (n_segments) and coefficients (n_segments x p, row-major) on
 * the user's scale (two-call pattern). */
FNET_API fnet_status fnet_pooled_segment_intercept(double* out, size_t capacity, size_t* needed,
                                                   const fnet_pooled* model);
FNET_API fnet_status fnet_pooled_segment_coef(double* out, size_t capacity, size_t* needed,
                                              const fnet_pooled* model);
/* Posterior covariance (K x K row-major, K = 1 + p (S + 1) + S) of the design parameters:
 * intercept, pooled coefficients, each segment's deviations, each segment's intercept
 * deviation (standardised scale; two-call pattern). */
FNET_API fnet_status fnet_pooled_covariance(double* out, size_t capacity, size_t* needed,
                                            const fnet_pooled* model);
/* The candidates tried: tau pairs (intercept-major) and their log evidence
 * (FNET_TAU_EVIDENCE) or mean held-out log loss (FNET_TAU_CV).  Any output may be NULL;
 * `capacity` slots each; *needed receives the count (two-call pattern). */
FNET_API fnet_status fnet_pooled_candidates(double* tau_intercept, double* tau_coef, double* score,
                                            size_t capacity, size_t* needed, const fnet_pooled* model);
/* P(y = 1) of m rows of X (m x p, row-major) under each row's segment scorer into out (m
 * slots).  FNET_E_SHAPE_MISMATCH when p differs from the fit, FNET_E_OUT_OF_RANGE names a
 * segment code. */
FNET_API fnet_status fnet_pooled_predict(double* out, const fnet_pooled* model, size_t m, size_t p,
                                         const double* X, const int64_t* segment);
/* Posterior intervals of every segment's intercept and coefficients (n_segments x (p + 1)
 * rows, segment-major, intercept first) at `level` (0 < level < 1): estimate, std_error,
 * z, two-sided normal p_value, lower and upper.  Any output may be NULL; `capacity` slots
 * each; *needed receives the count (two-call pattern). */
FNET_API fnet_status fnet_pooled_intervals(double* estimate, double* std_error, double* z, double* p_value,
                                           double* lower, double* upper, size_t capacity, size_t* needed,
                                           const fnet_pooled* model, double level);

/* ---- sales views of any score vector ----------------------------------------------- */
/* The CRM 1-99 lead score of n probabilities p (each in [0, 1]): round(100 p) clipped to
 * 1..99, halves to even, into out (n slots).  FNET_E_INVALID_ARGUMENT names a bad p. */
FNET_API fnet_status fnet_scoring_score_1_99(int32_t* out, size_t n, const double* p);
/* Priority tier (0 = best) of each of n rows by rank of its score (highest first, ties by
 * row order) for the n_shares tier shares (each >= 0, summing to 1: e.g. 0.1, 0.3, 0.6
 * for A/B/C): rows at ranks [round(n S_{t-1}), round(n S_t)) get tier t, S_t the
 * cumulative shares; into tier (n slots).  FNET_E_INVALID_ARGUMENT names a bad share or a
 * NaN score. */
FNET_API fnet_status fnet_scoring_priority_tiers(int32_t* tier, size_t n, const double* score,
                                                 const double* shares, size_t n_shares);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_SCORING_H */
