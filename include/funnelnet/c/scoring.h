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
  int threads;             /* 0 = all cores; the result does not depend on it */
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

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_SCORING_H */
