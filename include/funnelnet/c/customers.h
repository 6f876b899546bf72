/* funnelnet C ABI: customers (repeat-buying models, transaction summaries, ABC grading,
 * tier migration and Markov lifetime value).  C99.  See funnelnet.h for the conventions. */
#ifndef FUNNELNET_C_CUSTOMERS_H
#define FUNNELNET_C_CUSTOMERS_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fnet_repeat_model fnet_repeat_model;     /* BG/NBD or Pareto/NBD, fitted or given */
typedef struct fnet_gamma_gamma fnet_gamma_gamma;       /* Gamma-Gamma spend model */
typedef struct fnet_txn_summary fnet_txn_summary;       /* per-customer (frequency, recency, T, spend) */
typedef struct fnet_customer_table fnet_customer_table; /* ids, numeric criteria, categories */
typedef struct fnet_grading fnet_grading;               /* tiers, scores and contributions */
typedef struct fnet_tier_migration fnet_tier_migration; /* tier-migration counts and chains */

/* ---- repeat-buying models --------------------------------------------------------- */

/* Model kinds: fnet_repeat_kind, FNET_REPEAT_BETA_GEO (BG/NBD: r, alpha, a, b) or
 * FNET_REPEAT_PARETO_NBD (Pareto/NBD: r, alpha, s, beta) or
 * FNET_REPEAT_BETA_GEO_BETA_BINOM (BG/BB, discrete time: alpha, beta, gamma, delta; recency and
 * T count periods); funnelnet/c/enums.h. */

/* How a fit stopped (fnet_repeat_report / fnet_gamma_gamma_report): fnet_fit_status,
 * FNET_FIT_CONVERGED / _MAX_ITERATIONS / _LINE_SEARCH_FAILED / _NOT_FINITE; only CONVERGED
 * means the gradient test was met.  A fit that does not converge still returns FNET_OK. */

/* Options of the maximum-likelihood fits; initialise with FNET_REPEAT_FIT_OPTIONS_INIT. */
typedef struct fnet_repeat_fit_options {
  unsigned version;      /* FNET_REPEAT_FIT_OPTIONS_VERSION */
  int max_iterations;    /* LBFGS iteration limit */
  double tolerance;      /* inf-norm of the mean-LL gradient in log-parameters */
  int compress;          /* non-zero: fit on weighted unique rows (same optimum) */
  int threads;           /* 0: from the work; the result does not depend on it */
  const double* initial; /* NULL, or starting parameters (4 for BG/NBD, Pareto/NBD; 3 for Gamma-Gamma) */
} fnet_repeat_fit_options;
#define FNET_REPEAT_FIT_OPTIONS_VERSION 1
#define FNET_REPEAT_FIT_OPTIONS_INIT \
  { FNET_REPEAT_FIT_OPTIONS_VERSION, 2000, 1e-9, 1, 0, NULL }

/* Fit a model of `kind` to n customers' frequency (repeat purchases), recency (time of
 * the last since the first purchase) and T (age), optionally weighted (weights may be NULL).
 * options may be NULL for the defaults.  Bad rows (negative frequency, recency > T, ...)
 * return FNET_E_INVALID_ARGUMENT naming the row. */
FNET_API fnet_status fnet_repeat_fit(fnet_repeat_model** out, fnet_repeat_kind kind, size_t n,
                                     const double* frequency, const double* recency, const double* T,
                                     const double* weights, const fnet_repeat_fit_options* options);
/* A model with the given 4 parameters (all > 0). */
FNET_API fnet_status fnet_repeat_create(fnet_repeat_model** out, fnet_repeat_kind kind, const double* params);
FNET_API void fnet_repeat_destroy(fnet_repeat_model* model);
/* The 4 parameters (two-call pattern). */
FNET_API fnet_status fnet_repeat_params(double* out, size_t capacity, size_t* needed,
                                        const fnet_repeat_model* model);
/* How the fit went: status (FNET_FIT_*), log-likelihood, gradient norm, unique rows. Any
 * output pointer may be NULL. */
FNET_API fnet_status fnet_repeat_report(int* status, double* log_likelihood, double* gradient_norm,
                                        size_t* unique_rows, const fnet_repeat_model* model);
/* Per-customer log-likelihood, P(alive), expected purchases in (T, T+t]; out has n slots. */
FNET_API fnet_status fnet_repeat_log_likelihood(double* out, const fnet_repeat_model* model, size_t n,
                                                const double* frequency, const double* recency,
                                                const double* T);
FNET_API fnet_status fnet_repeat_p_alive(double* out, const fnet_repeat_model* model, size_t n,
                                         const double* frequency, const double* recency, const double* T);
FNET_API fnet_status fnet_repeat_expected_purchases(double* out, const fnet_repeat_model* model, double t,
                                                    size_t n, const double* frequency, const double* recency,
                                                    const double* T);
/* Expected repeat purchases in (0, t] of a new customer. */
FNET_API fnet_status fnet_repeat_expected_purchases_new(double* out, const fnet_repeat_model* model,
                                                        double t);
/* Discounted lifetime value over n_periods periods of period_length time units each, with
 * spend per transaction spend[i] and discount rate per period (lifetimes' scheme). */
FNET_API fnet_status fnet_repeat_clv(double* out, const fnet_repeat_model* model, size_t n,
                                     const double* frequency, const double* recency, const double* T,
                                     const double* spend, int n_periods, double period_length,
                                     double discount);

/* Gamma-Gamma: fit on repeat buyers (frequency >= 1, mean repeat spend > 0). */
FNET_API fnet_status fnet_gamma_gamma_fit(fnet_gamma_gamma** out, size_t n, const double* frequency,
                                          const double* spend, const double* weights,
                                          const fnet_repeat_fit_options* options);
/* A model with the given parameters p, q, v (all > 0). */
FNET_API fnet_status fnet_gamma_gamma_create(fnet_gamma_gamma** out, const double* params);
FNET_API void fnet_gamma_gamma_destroy(fnet_gamma_gamma* model);
/* The 3 parameters p, q, v (two-call pattern). */
FNET_API fnet_status fnet_gamma_gamma_params(double* out, size_t capacity, size_t* needed,
                                             const fnet_gamma_gamma* model);
FNET_API fnet_status fnet_gamma_gamma_report(int* status, double* log_likelihood, double* gradient_norm,
                                             const fnet_gamma_gamma* model);
/* Expected spend per transaction given frequency and mean repeat spend (q > 1 needed). */
FNET_API fnet_status fnet_gamma_gamma_expected_spend(double* out, const fnet_gamma_gamma* model, size_t n,
                                                     const double* frequency, const double* spend);

/* ---- transaction summaries -------------------------------------------------------- */

/* A transaction after the end of observation: fnet_future, FNET_FUTURE_ERROR (an error)
 * or FNET_FUTURE_DROP (ignored); funnelnet/c/enums.h. */

/* Options of fnet_txn_summary_create; initialise with FNET_SUMMARY_OPTIONS_INIT. Times
 * are integer periods (e.g. days since the epoch). */
typedef struct fnet_summary_options {
  unsigned version;        /* FNET_SUMMARY_OPTIONS_VERSION */
  int64_t calibration_end; /* last period of calibration (inclusive) */
  int holdout;             /* non-zero: also summarise (calibration_end, holdout_end] */
  int64_t holdout_end;     /* last period of the holdout (inclusive) */
  double period_length;    /* periods per reported time unit (7 with days gives weeks) */
  fnet_future future;      /* FNET_FUTURE_* */
} fnet_summary_options;
#define FNET_SUMMARY_OPTIONS_VERSION 1
#define FNET_SUMMARY_OPTIONS_INIT \
  { FNET_SUMMARY_OPTIONS_VERSION, 0, 0, 0, 1.0, FNET_FUTURE_ERROR }

/* Columns of a summary (fnet_txn_summary_column): fnet_summary_column, FNET_SUMMARY_FREQUENCY,
 * _RECENCY, _T, _MONETARY_VALUE, _FREQUENCY_HOLDOUT, _MONETARY_VALUE_HOLDOUT (enums.h). */

/* Summarise n transactions (customer, time period, amount; amount may be NULL). options
 * must not be NULL (it carries the cut-off). */
FNET_API fnet_status fnet_txn_summary_create(fnet_txn_summary** out, size_t n, const int64_t* customer,
                                             const int64_t* time, const double* amount,
                                             const fnet_summary_options* options);
FNET_API void fnet_txn_summary_destroy(fnet_txn_summary* summary);
/* Number of customers (rows). */
FNET_API fnet_status fnet_txn_summary_size(size_t* out, const fnet_txn_summary* summary);
/* Customer ids in increasing order (two-call pattern). */
FNET_API fnet_status fnet_txn_summary_customers(int64_t* out, size_t capacity, size_t* needed,
                                                const fnet_txn_summary* summary);
/* One column FNET_SUMMARY_* (two-call pattern; holdout columns are empty without a holdout). */
FNET_API fnet_status fnet_txn_summary_column(double* out, size_t capacity, size_t* needed,
                                             const fnet_txn_summary* summary, fnet_summary_column column);
/* Holdout length in time units (0 without a holdout). */
FNET_API fnet_status fnet_txn_summary_duration_holdout(double* out, const fnet_txn_summary* summary);

/* ---- customer table and ABC grading ----------------------------------------------- */

/* Criterion normalisation: fnet_normalize, FNET_NORMALIZE_NONE / _MINMAX / _ZSCORE (enums.h). */

/* A table of n customers (unique ids) with k named numeric criteria, values n x k
 * row-major (finite). */
FNET_API fnet_status fnet_customer_table_create(fnet_customer_table** out, size_t n, const int64_t* ids,
                                                size_t k, const char* const* criteria, const double* values);
FNET_API void fnet_customer_table_destroy(fnet_customer_table* table);
/* Add a categorical column (region, industry, kind): codes[i] in [0, n_labels). */
FNET_API fnet_status fnet_customer_table_add_category(fnet_customer_table* table, const char* name,
                                                      const int32_t* codes, size_t n_labels,
                                                      const char* const* labels);

/* Weighted-score grading over the m criteria named in `criteria` (weights >= 0, not all
 * zero; directions +1 or -1).  group: NULL, or the name of a category; thresholds is
 * n_groups x (n_tiers - 1), row-major, strictly decreasing per row (n_groups = 1 without
 * a group). */
FNET_API fnet_status fnet_grade_score(fnet_grading** out, const fnet_customer_table* table, size_t m,
                                      const char* const* criteria, const double* weights,
                                      const int* directions, fnet_normalize normalize, const char* group,
                                      size_t n_groups, size_t n_tiers, const double* thresholds);
/* Target-mix grading: the same score cut into n_tiers quantile groups of relative sizes
 * mix (e.g. 1, 3, 6) within each group (group may be NULL). */
FNET_API fnet_status fnet_grade_mix(fnet_grading** out, const fnet_customer_table* table, size_t m,
                                    const char* const* criteria, const double* weights, const int* directions,
                                    fnet_normalize normalize, const char* group, size_t n_tiers,
                                    const double* mix);
/* Pareto grading of n values by cumulative share: n_tiers - 1 increasing cut-offs in (0, 1). */
FNET_API fnet_status fnet_grade_value(fnet_grading** out, size_t n, const double* value, size_t n_tiers,
                                      const double* cutoffs);
FNET_API void fnet_grading_destroy(fnet_grading* grading);
/* Number of customers, tiers and contribution columns. */
FNET_API fnet_status fnet_grading_sizes(size_t* n, size_t* n_tiers, size_t* n_columns,
                                        const fnet_grading* grading);
/* Tier per customer (0 = best), score per customer, contributions n x n_columns row-major. */
FNET_API fnet_status fnet_grading_tiers(int32_t* out, size_t capacity, size_t* needed,
                                        const fnet_grading* grading);
FNET_API fnet_status fnet_grading_scores(double* out, size_t capacity, size_t* needed,
                                         const fnet_grading* grading);
FNET_API fnet_status fnet_grading_contributions(double* out, size_t capacity, size_t* needed,
                                                const fnet_grading* grading);

/* ---- tier migration and Markov lifetime value ------------------------------------- */

/* A missing period between snapshots: fnet_gaps, FNET_GAPS_ERROR (an error) or
 * FNET_GAPS_SKIP (no move is counted across it); funnelnet/c/enums.h. */

/* Options of fnet_tier_migration_fit; initialise with FNET_TIER_OPTIONS_INIT. */
typedef struct fnet_tier_options {
  unsigned version;           /* FNET_TIER_OPTIONS_VERSION */
  fnet_gaps gaps;             /* FNET_GAPS_* */
  double smoothing;           /* additive pseudo-count per entry of each transient row */
  fnet_empty_rows empty_rows; /* FNET_EMPTY_ROWS_*; default: tiers without exits stay put */
} fnet_tier_options;
#define FNET_TIER_OPTIONS_VERSION 1
#define FNET_TIER_OPTIONS_INIT \
  { FNET_TIER_OPTIONS_VERSION, FNET_GAPS_ERROR, 0.0, FNET_EMPTY_ROWS_ABSORBING }

/* Fit tier migration from n snapshots (customer, period, tier index) over n_states
 * tiers named names[i] (best first; absorbing[i] non-zero for end states, may be NULL).
 * segment may be NULL (one segment) or give each row's segment in [0, n_segments). */
FNET_API fnet_status fnet_tier_migration_fit(fnet_tier_migration** out, size_t n_states,
                                             const char* const* names, const unsigned char* absorbing,
                                             size_t n, const int64_t* customer, const int64_t* period,
                                             const int32_t* tier, const int32_t* segment, size_t n_segments,
                                             const fnet_tier_options* options);
FNET_API void fnet_tier_migration_destroy(fnet_tier_migration* tm);
FNET_API fnet_status fnet_tier_migration_sizes(size_t* n_states, size_t* n_segments,
                                               const fnet_tier_migration* tm);
/* Counts and fitted transition matrix of one segment, n_states^2 row-major (two-call). */
FNET_API fnet_status fnet_tier_migration_counts(double* out, size_t capacity, size_t* needed,
                                                const fnet_tier_migration* tm, size_t segment);
FNET_API fnet_status fnet_tier_migration_matrix(double* out, size_t capacity, size_t* needed,
                                                const fnet_tier_migration* tm, size_t segment);
/* Customers seen in a segment and how many entered after the first period. */
FNET_API fnet_status fnet_tier_migration_customers(size_t* customers, size_t* late,
                                                   const fnet_tier_migration* tm, size_t segment);

/* Rates per state of an n x n row-stochastic p (states best first, n >= 0; p may be NULL
 * when n is 0): promotion, demotion, stay and churn (moves into the n_churn states listed
 * in churn_states).  Each output gets n entries and may be NULL (two-call pattern on
 * capacity: all four NULL gives *needed = n without computing). */
FNET_API fnet_status fnet_tier_transition_rates(double* promotion, double* demotion, double* stay,
                                                double* churn, size_t capacity, size_t* needed, size_t n,
                                                const double* p, size_t n_churn, const int32_t* churn_states);
/* Probability of reaching a churn state within k periods, per starting state (n entries,
 * two-call pattern). */
FNET_API fnet_status fnet_tier_churn_probability(double* out, size_t capacity, size_t* needed, size_t n,
                                                 const double* p, size_t n_churn, const int32_t* churn_states,
                                                 int64_t k);
/* Tier mix k periods ahead: mix^T p^k (n entries, two-call pattern). */
FNET_API fnet_status fnet_tier_mix_forecast(double* out, size_t capacity, size_t* needed, size_t n,
                                            const double* p, const double* mix, int64_t k);
/* Markov customer lifetime value (Pfeifer and Carraway 2000) per starting tier (n entries,
 * two-call pattern), with rewards per state and discount rate per period: horizon >= 0
 * sums t = 0 .. horizon-1; horizon < 0 is the infinite horizon (I - p/(1+d))^-1 reward,
 * which needs discount > 0. */
FNET_API fnet_status fnet_tier_clv(double* out, size_t capacity, size_t* needed, size_t n, const double* p,
                                   const double* reward, double discount, int64_t horizon);

/* Deprecated 0.1 forms without a capacity (outputs must hold n entries): thin wrappers. */
FNET_DEPRECATED("use fnet_tier_transition_rates (takes a capacity)")
FNET_API fnet_status fnet_tier_rates(double* promotion, double* demotion, double* stay, double* churn,
                                     size_t n, const double* p, size_t n_churn, const int32_t* churn_states);
FNET_DEPRECATED("use fnet_tier_churn_probability (takes a capacity)")
FNET_API fnet_status fnet_tier_churn_within(double* out, size_t n, const double* p, size_t n_churn,
                                            const int32_t* churn_states, int64_t k);
FNET_DEPRECATED("use fnet_tier_mix_forecast (takes a capacity)")
FNET_API fnet_status fnet_tier_mix_ahead(double* out, size_t n, const double* p, const double* mix,
                                         int64_t k);
FNET_DEPRECATED("use fnet_tier_clv (customer value; fnet_markov_* is attribution)")
FNET_API fnet_status fnet_markov_clv(double* out, size_t n, const double* p, const double* reward,
                                     double discount, int64_t horizon);

/* ---- model files (versioned JSON, as the funnel's fnet_chain_save ...) ------------ */
/* Save the repeat-buying model (kind, parameters, fit report) atomically (temporary file, then rename);
 * FNET_E_IO naming the path. */
FNET_API fnet_status fnet_repeat_save(const fnet_repeat_model* object, const char* path);
/* Load a file written by fnet_repeat_save: FNET_E_IO if unreadable, FNET_E_FORMAT for a
 * corrupt file, another kind, an unknown version or invalid contents (the message names
 * the field).  On failure *out is untouched. */
FNET_API fnet_status fnet_repeat_load(fnet_repeat_model** out, const char* path);
/* The repeat-buying model (kind, parameters, fit report) as JSON text (two-call pattern, NUL included), and
 * back. */
FNET_API fnet_status fnet_repeat_to_json(char* buf, size_t capacity, size_t* needed,
                                         const fnet_repeat_model* object);
FNET_API fnet_status fnet_repeat_from_json(fnet_repeat_model** out, const char* json);

/* Save the Gamma-Gamma model (parameters, fit report) atomically (temporary file, then rename); FNET_E_IO
 * naming the path. */
FNET_API fnet_status fnet_gamma_gamma_save(const fnet_gamma_gamma* object, const char* path);
/* Load a file written by fnet_gamma_gamma_save: FNET_E_IO if unreadable, FNET_E_FORMAT for a
 * corrupt file, another kind, an unknown version or invalid contents (the message names
 * the field).  On failure *out is untouched. */
FNET_API fnet_status fnet_gamma_gamma_load(fnet_gamma_gamma** out, const char* path);
/* The Gamma-Gamma model (parameters, fit report) as JSON text (two-call pattern, NUL included), and back. */
FNET_API fnet_status fnet_gamma_gamma_to_json(char* buf, size_t capacity, size_t* needed,
                                              const fnet_gamma_gamma* object);
FNET_API fnet_status fnet_gamma_gamma_from_json(fnet_gamma_gamma** out, const char* json);

/* Save the tier migration (tiers, per-segment counts and chains) atomically (temporary file, then rename);
 * FNET_E_IO naming the path. */
FNET_API fnet_status fnet_tier_migration_save(const fnet_tier_migration* object, const char* path);
/* Load a file written by fnet_tier_migration_save: FNET_E_IO if unreadable, FNET_E_FORMAT for a
 * corrupt file, another kind, an unknown version or invalid contents (the message names
 * the field).  On failure *out is untouched. */
FNET_API fnet_status fnet_tier_migration_load(fnet_tier_migration** out, const char* path);
/* The tier migration (tiers, per-segment counts and chains) as JSON text (two-call pattern, NUL included),
 * and back. */
FNET_API fnet_status fnet_tier_migration_to_json(char* buf, size_t capacity, size_t* needed,
                                                 const fnet_tier_migration* object);
FNET_API fnet_status fnet_tier_migration_from_json(fnet_tier_migration** out, const char* json);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_CUSTOMERS_H */
