/* funnelnet C ABI: Markov funnels (stage spaces, transition counts, chains, absorbing
 * analysis).  C99.  See funnelnet.h for the conventions. */
#ifndef FUNNELNET_C_FUNNEL_H
#define FUNNELNET_C_FUNNEL_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fnet_stages fnet_stages;       /* named states, each transient or absorbing */
typedef struct fnet_counts fnet_counts;       /* transition counts over a stage space */
typedef struct fnet_chain fnet_chain;         /* a validated row-stochastic chain */
typedef struct fnet_absorbing fnet_absorbing; /* results of absorbing analysis */

/* Repeated stages (i -> i): fnet_repeats, FNET_REPEATS_KEEP (self-transitions) or
 * FNET_REPEATS_COLLAPSE (funnelnet/c/enums.h). */

/* ---- stage spaces ---------------------------------------------------------------- */

/* Create a stage space of n states named names[i] (NUL-terminated UTF-8); absorbing[i]
 * non-zero marks an end state.  Names must be non-empty and unique. */
FNET_API fnet_status fnet_stages_create(fnet_stages** out, size_t n, const char* const* names,
                                        const unsigned char* absorbing);
FNET_API void fnet_stages_destroy(fnet_stages* stages);
/* Number of states. */
FNET_API fnet_status fnet_stages_size(size_t* out, const fnet_stages* stages);
/* Name of state i into buf (capacity bytes, NUL included); *needed = strlen + 1. */
FNET_API fnet_status fnet_stages_name(char* buf, size_t capacity, size_t* needed, const fnet_stages* stages,
                                      size_t i);
/* Index of the state called name, or FNET_E_UNKNOWN_LABEL. */
FNET_API fnet_status fnet_stages_index(size_t* out, const fnet_stages* stages, const char* name);
/* Whether state i is absorbing (1) or transient (0). */
FNET_API fnet_status fnet_stages_is_absorbing(int* out, const fnet_stages* stages, size_t i);

/* ---- transition counts ----------------------------------------------------------- */

/* Counts from an n x n row-major matrix of non-negative finite numbers. */
FNET_API fnet_status fnet_counts_from_matrix(fnet_counts** out, const fnet_stages* stages,
                                             const double* counts);
/* Counts from paths in CSR form: path p is stage_ids[offsets[p] .. offsets[p+1]) and is
 * observed weights[p] times (weights may be NULL: once each).  offsets has n_paths + 1
 * entries.  repeats is FNET_REPEATS_KEEP or FNET_REPEATS_COLLAPSE. */
FNET_API fnet_status fnet_counts_from_paths(fnet_counts** out, const fnet_stages* stages, size_t n_paths,
                                            const int64_t* offsets, const int32_t* stage_ids,
                                            const double* weights, fnet_repeats repeats);
/* Counts from an event log of n rows (lead id, time, stage index) in any order; per lead,
 * rows are ordered by time (ties keep input order).  Integer times (e.g. ns since the
 * epoch). repeats as above (FNET_REPEATS_COLLAPSE counts only changes of stage). */
FNET_API fnet_status fnet_counts_from_events(fnet_counts** out, const fnet_stages* stages, size_t n,
                                             const int64_t* lead, const int64_t* time,
                                             const int32_t* stage_ids, fnet_repeats repeats);
/* The same with floating-point times (e.g. days); NaN or infinite times are rejected. */
FNET_API fnet_status fnet_counts_from_events_f64(fnet_counts** out, const fnet_stages* stages, size_t n,
                                                 const int64_t* lead, const double* time,
                                                 const int32_t* stage_ids, fnet_repeats repeats);
/* A new count table equal to a + b (same stage space required). */
FNET_API fnet_status fnet_counts_merge(fnet_counts** out, const fnet_counts* a, const fnet_counts* b);
FNET_API void fnet_counts_destroy(fnet_counts* counts);
/* The n x n count matrix, row-major (two-call pattern, size n*n). */
FNET_API fnet_status fnet_counts_matrix(double* out, size_t capacity, size_t* needed,
                                        const fnet_counts* counts);
/* A new handle to the counts' stage space (destroy it with fnet_stages_destroy). */
FNET_API fnet_status fnet_counts_stages(fnet_stages** out, const fnet_counts* counts);

/* ---- chains ---------------------------------------------------------------------- */

/* What fitting does with a transient stage that has no observed exits: fnet_empty_rows,
 * FNET_EMPTY_ROWS_ERROR / _ABSORBING / _UNIFORM (funnelnet/c/enums.h). */

/* Fitting options; initialise with FNET_FIT_OPTIONS_INIT. */
typedef struct fnet_fit_options {
  unsigned version;           /* FNET_FIT_OPTIONS_VERSION */
  double smoothing;           /* additive pseudo-count per entry of each transient row; 0 = MLE */
  fnet_empty_rows empty_rows; /* FNET_EMPTY_ROWS_* */
} fnet_fit_options;
#define FNET_FIT_OPTIONS_VERSION 1
#define FNET_FIT_OPTIONS_INIT \
  { FNET_FIT_OPTIONS_VERSION, 0.0, FNET_EMPTY_ROWS_ERROR }

/* A chain over stages with the n x n row-major matrix p: entries in [0, 1], rows summing
 * to 1 within tolerance (<= 0 selects the default 1e-9), absorbing rows the identity. */
FNET_API fnet_status fnet_chain_create(fnet_chain** out, const fnet_stages* stages, const double* p,
                                       double tolerance);
/* Fit a chain to counts (options may be NULL for the defaults). */
FNET_API fnet_status fnet_chain_fit(fnet_chain** out, const fnet_counts* counts,
                                    const fnet_fit_options* options);
FNET_API void fnet_chain_destroy(fnet_chain* chain);
/* Number of states. */
FNET_API fnet_status fnet_chain_size(size_t* out, const fnet_chain* chain);
/* The n x n transition matrix, row-major (two-call pattern). */
FNET_API fnet_status fnet_chain_matrix(double* out, size_t capacity, size_t* needed, const fnet_chain* chain);
/* A new handle to the chain's stage space. */
FNET_API fnet_status fnet_chain_stages(fnet_stages** out, const fnet_chain* chain);
/* Log-likelihood of counts under the chain (-infinity if a counted move has p = 0). */
FNET_API fnet_status fnet_chain_log_likelihood(double* out, const fnet_chain* chain,
                                               const fnet_counts* counts);

/* ---- absorbing analysis ---------------------------------------------------------- */

/* Analyse an absorbing chain: fundamental matrix, absorption probabilities, expected
 * steps and their variance.  FNET_E_NOT_ABSORBING if some transient state cannot reach
 * an absorbing one. */
FNET_API fnet_status fnet_absorbing_analyze(fnet_absorbing** out, const fnet_chain* chain);
FNET_API void fnet_absorbing_destroy(fnet_absorbing* analysis);
/* Analyse an absorbing chain of n states given as CSR arrays (scipy.sparse's layout),
 * without a dense copy: row i's entries are columns[offsets[i] .. offsets[i+1]) with
 * probabilities values[...]; offsets has n + 1 entries starting at 0, columns are
 * strictly increasing within a row and in [0, n).  Rows must sum to 1 within tolerance
 * (<= 0 selects the default 1e-9).  absorbing: n flags, or NULL to take every state with
 * P[i][i] = 1.  Sparse LU in the state order for funnel-shaped chains, so 10^5 states
 * take well under a second.  The result answers every fnet_absorbing_* getter except
 * fnet_absorbing_fundamental (N is dense: FNET_E_INVALID_ARGUMENT).  Errors name the row
 * and column: FNET_E_OUT_OF_RANGE for a column outside 0..n-1, FNET_E_INVALID_ARGUMENT
 * for unsorted columns, a probability outside [0, 1], a row not summing to 1, an
 * absorbing state whose P[a][a] is not 1; FNET_E_SHAPE_MISMATCH for offsets that do not
 * match; FNET_E_NOT_ABSORBING as fnet_absorbing_analyze. */
FNET_API fnet_status fnet_absorbing_analyze_csr(fnet_absorbing** out, size_t n, const int64_t* offsets,
                                                const int32_t* columns, const double* values,
                                                double tolerance, const unsigned char* absorbing);
/* Number of transient states (rows of every result) and of absorbing states. */
FNET_API fnet_status fnet_absorbing_sizes(size_t* n_transient, size_t* n_absorbing,
                                          const fnet_absorbing* analysis);
/* Chain state indices of the transient / absorbing states (two-call pattern). */
FNET_API fnet_status fnet_absorbing_transient(size_t* out, size_t capacity, size_t* needed,
                                              const fnet_absorbing* analysis);
FNET_API fnet_status fnet_absorbing_absorbing(size_t* out, size_t capacity, size_t* needed,
                                              const fnet_absorbing* analysis);
/* N = (I - Q)^-1, n_transient x n_transient, row-major (not for a CSR analysis). */
FNET_API fnet_status fnet_absorbing_fundamental(double* out, size_t capacity, size_t* needed,
                                                const fnet_absorbing* analysis);
/* B = N R, n_transient x n_absorbing, row-major. */
FNET_API fnet_status fnet_absorbing_probabilities(double* out, size_t capacity, size_t* needed,
                                                  const fnet_absorbing* analysis);
/* Expected steps to absorption, one per transient state. */
FNET_API fnet_status fnet_absorbing_expected_steps(double* out, size_t capacity, size_t* needed,
                                                   const fnet_absorbing* analysis);
/* Variance of the steps to absorption, one per transient state. */
FNET_API fnet_status fnet_absorbing_steps_variance(double* out, size_t capacity, size_t* needed,
                                                   const fnet_absorbing* analysis);

/* ---- time: period chains, continuous-time chains, time to close ------------------ */

typedef struct fnet_exposure fnet_exposure; /* exit counts and time spent per stage */
typedef struct fnet_ctmc fnet_ctmc;         /* a continuous-time chain (generator Q) */

/* Options of fnet_counts_from_periods; initialise with FNET_PERIOD_OPTIONS_INIT. */
typedef struct fnet_period_options {
  unsigned version; /* FNET_PERIOD_OPTIONS_VERSION */
  double period;    /* length of one period in time units, > 0 */
  int has_origin;   /* non-zero: origin is the start of period 0 (default: derived) */
  double origin;
  int has_cutoff; /* non-zero: cutoff ends observation (default: end of last event's period) */
  double cutoff;
  int threads; /* 0: from the work; the result does not depend on it */
} fnet_period_options;
#define FNET_PERIOD_OPTIONS_VERSION 1
#define FNET_PERIOD_OPTIONS_INIT \
  { FNET_PERIOD_OPTIONS_VERSION, 1.0, 0, 0.0, 0, 0.0, 0 }

/* Period-by-period counts from an event log of n rows (lead, time, stage) in any order:
 * per lead, rows are ordered by time (ties keep input order).  A stage entered in period
 * a and left in period b gives b - a - 1 stays and one move; a lead open at the cut-off
 * gives its stays and no exit (censored).  Cut-off rule (every event-log reader): events
 * at or before the cut-off are observed (one exactly at it falls in the last period).
 * Errors name the lead and row: duplicate events, leaving an absorbing stage,
 * period <= 0, (cutoff - origin) not a whole number of periods, events after the
 * cut-off or before the origin. */
FNET_API fnet_status fnet_counts_from_periods(fnet_counts** out, const fnet_stages* stages, size_t n,
                                              const int64_t* lead, const double* time,
                                              const int32_t* stage_ids, const fnet_period_options* options);

/* Exposure (time in each stage, in units of time_unit) and exits from an event log, rows
 * in any order as for fnet_counts_from_periods.  Open leads run to cutoff when has_cutoff
 * is non-zero, else to the latest event time; an event after the cut-off is an error
 * (the same cut-off rule). */
FNET_API fnet_status fnet_exposure_from_events(fnet_exposure** out, const fnet_stages* stages, size_t n,
                                               const int64_t* lead, const double* time,
                                               const int32_t* stage_ids, int has_cutoff, double cutoff,
                                               double time_unit);
/* Exposure counts from an n x n exit-count matrix (zero diagonal) and n exposures >= 0. */
FNET_API fnet_status fnet_exposure_create(fnet_exposure** out, const fnet_stages* stages,
                                          const double* counts, const double* exposure);
/* a + b (same stage space). */
FNET_API fnet_status fnet_exposure_merge(fnet_exposure** out, const fnet_exposure* a, const fnet_exposure* b);
FNET_API void fnet_exposure_destroy(fnet_exposure* exposure);
/* The n x n exit counts (two-call pattern). */
FNET_API fnet_status fnet_exposure_counts(double* out, size_t capacity, size_t* needed,
                                          const fnet_exposure* exposure);
/* The n exposures (two-call pattern). */
FNET_API fnet_status fnet_exposure_time(double* out, size_t capacity, size_t* needed,
                                        const fnet_exposure* exposure);

/* A continuous-time chain from an n x n generator: off-diagonal rates >= 0, rows summing
 * to 0 within tolerance (<= 0: 1e-9), absorbing rows zero. */
FNET_API fnet_status fnet_ctmc_create(fnet_ctmc** out, const fnet_stages* stages, const double* q,
                                      double tolerance);
/* Maximum-likelihood generator q_ij = n_ij / T_i.  empty_rows: FNET_EMPTY_ROWS_ERROR or
 * FNET_EMPTY_ROWS_ABSORBING for stages with no exposure and no exits. */
FNET_API fnet_status fnet_ctmc_fit(fnet_ctmc** out, const fnet_exposure* exposure,
                                   fnet_empty_rows empty_rows);
FNET_API void fnet_ctmc_destroy(fnet_ctmc* chain);
/* The n x n generator Q (two-call pattern). */
FNET_API fnet_status fnet_ctmc_generator(double* out, size_t capacity, size_t* needed,
                                         const fnet_ctmc* chain);
/* P(t) = exp(Q t), n x n (two-call pattern); t finite and >= 0. */
FNET_API fnet_status fnet_ctmc_transition_matrix(double* out, size_t capacity, size_t* needed,
                                                 const fnet_ctmc* chain, double t);
/* The embedded jump chain (where a lead goes when it leaves a stage). */
FNET_API fnet_status fnet_ctmc_jump_chain(fnet_chain** out, const fnet_ctmc* chain);
/* Time to close from transient state `stage`: mean, variance and n_probs quantiles at
 * levels probs (each in (0, 1)), in the chain's time unit.  quantiles may be NULL when
 * n_probs is 0. */
FNET_API fnet_status fnet_ctmc_time_to_close(double* mean, double* variance, double* quantiles,
                                             size_t n_probs, const double* probs, const fnet_ctmc* chain,
                                             size_t stage);
/* The same for a discrete chain, in steps (periods); quantiles are whole numbers. */
FNET_API fnet_status fnet_chain_time_to_close(double* mean, double* variance, double* quantiles,
                                              size_t n_probs, const double* probs, const fnet_chain* chain,
                                              size_t stage);

/* ---- recurrent chains ------------------------------------------------------------ */

/* Communicating class of each state (n entries, two-call pattern); classes are numbered
 * by their smallest state.  *n_classes (may be NULL) receives the number of classes. */
FNET_API fnet_status fnet_chain_classes(int32_t* class_of, size_t capacity, size_t* needed, size_t* n_classes,
                                        const fnet_chain* chain);
/* Per class: 1 if closed (recurrent), 0 if transient (two-call pattern). */
FNET_API fnet_status fnet_chain_class_closed(unsigned char* out, size_t capacity, size_t* needed,
                                             const fnet_chain* chain);
/* Stationary distribution (n entries); FNET_E_INVALID_ARGUMENT unless there is exactly one
 * closed class. */
FNET_API fnet_status fnet_chain_stationary(double* out, size_t capacity, size_t* needed,
                                           const fnet_chain* chain);
/* Mean first-passage times, n x n (diagonal: mean recurrence times); irreducible chains only. */
FNET_API fnet_status fnet_chain_first_passage(double* out, size_t capacity, size_t* needed,
                                              const fnet_chain* chain);

/* ---- bottlenecks ----------------------------------------------------------------- */

/* Sensitivity of F = sum_i start[i] h_i, h the value of each state given outcome_values
 * (n entries, read on absorbing states: 1 for won gives the win probability).  Fills
 * *value, and gradient / elasticity (n x n each, row-major; either may be NULL):
 * dF/dP[i][j], and dF/dx for raising P[i][j] by a fraction x with the row renormalised. */
FNET_API fnet_status fnet_chain_sensitivity(double* value, double* gradient, double* elasticity,
                                            size_t capacity, size_t* needed, const fnet_chain* chain,
                                            const double* start, const double* outcome_values);
/* The same analysis once, as a handle: fnet_chain_sensitivity and fnet_chain_bottlenecks
 * recompute everything on every call (including size queries); the handle computes once
 * and its getters only copy.  start and outcome_values as above (n entries each). */
typedef struct fnet_sensitivity fnet_sensitivity; /* sensitivity of F and ranked bottlenecks */
FNET_API fnet_status fnet_sensitivity_analyze(fnet_sensitivity** out, const fnet_chain* chain,
                                              const double* start, const double* outcome_values);
FNET_API void fnet_sensitivity_destroy(fnet_sensitivity* analysis);
/* Number of states n and of ranked bottleneck transitions. */
FNET_API fnet_status fnet_sensitivity_sizes(size_t* n_states, size_t* n_bottlenecks,
                                            const fnet_sensitivity* analysis);
/* F from the start distribution. */
FNET_API fnet_status fnet_sensitivity_value(double* out, const fnet_sensitivity* analysis);
/* Per state (n entries, two-call pattern): h (value from there) and expected visits u. */
FNET_API fnet_status fnet_sensitivity_state_values(double* out, size_t capacity, size_t* needed,
                                                   const fnet_sensitivity* analysis);
FNET_API fnet_status fnet_sensitivity_visits(double* out, size_t capacity, size_t* needed,
                                             const fnet_sensitivity* analysis);
/* dF/dP and elasticities, n x n row-major (two-call pattern). */
FNET_API fnet_status fnet_sensitivity_gradient(double* out, size_t capacity, size_t* needed,
                                               const fnet_sensitivity* analysis);
FNET_API fnet_status fnet_sensitivity_elasticity(double* out, size_t capacity, size_t* needed,
                                                 const fnet_sensitivity* analysis);
/* The ranked bottlenecks (n_bottlenecks entries each, two-call pattern, in the order of
 * fnet_chain_bottlenecks): from / to stage indices, P[from][to], dF/dP and elasticity. */
FNET_API fnet_status fnet_sensitivity_bottleneck_from(size_t* out, size_t capacity, size_t* needed,
                                                      const fnet_sensitivity* analysis);
FNET_API fnet_status fnet_sensitivity_bottleneck_to(size_t* out, size_t capacity, size_t* needed,
                                                    const fnet_sensitivity* analysis);
FNET_API fnet_status fnet_sensitivity_bottleneck_probability(double* out, size_t capacity, size_t* needed,
                                                             const fnet_sensitivity* analysis);
FNET_API fnet_status fnet_sensitivity_bottleneck_gradient(double* out, size_t capacity, size_t* needed,
                                                          const fnet_sensitivity* analysis);
FNET_API fnet_status fnet_sensitivity_bottleneck_elasticity(double* out, size_t capacity, size_t* needed,
                                                            const fnet_sensitivity* analysis);
/* A new chain with P[from][to] raised by fraction (0.1 = +10%) and the row renormalised. */
FNET_API fnet_status fnet_chain_raise(fnet_chain** out, const fnet_chain* chain, size_t from, size_t to,
                                      double fraction);
/* Transitions out of stages with P > 0 ranked by |elasticity| (two-call pattern on the
 * number of transitions; from / to / elasticity may be NULL except all three together). */
FNET_API fnet_status fnet_chain_bottlenecks(size_t* from, size_t* to, double* elasticity, size_t capacity,
                                            size_t* needed, const fnet_chain* chain, const double* start,
                                            const double* outcome_values);

/* ---- uncertainty and segments ---------------------------------------------------- */

/* Equal-tailed posterior intervals (n x n each) of every transition probability under a
 * symmetric Dirichlet(prior) prior; level in (0, 1). */
FNET_API fnet_status fnet_counts_posterior_intervals(double* lower, double* upper, size_t capacity,
                                                     size_t* needed, const fnet_counts* counts, double prior,
                                                     double level);
/* Segments: n_segments count tables over one stage space, with unique names.  Fills the
 * likelihood-ratio statistic, its degrees of freedom and p-value, and (when shrunk is not
 * NULL) one new empirical-Bayes chain per segment in shrunk[0 .. n_segments).  A segment
 * with no transitions gets the pooled chain (with no data of its own it is shrunk all the
 * way to the pool; 0.2 rejected it); FNET_E_EMPTY_INPUT only when no segment has any.
 * On failure nothing is allocated. */
FNET_API fnet_status fnet_segments_fit(fnet_chain** shrunk, double* statistic, double* df, double* p_value,
                                       size_t n_segments, const fnet_counts* const* segments,
                                       const char* const* names);

/* Options of fnet_segments_fit_with; initialise with FNET_SEGMENT_OPTIONS_INIT. */
typedef struct fnet_segment_options {
  unsigned version;          /* FNET_SEGMENT_OPTIONS_VERSION */
  int has_concentration;     /* non-zero: use `concentration` for every stage instead of fitting it */
  double concentration;      /* >= 0 (0 = each segment's own estimate where it has data) */
  int has_max_concentration; /* non-zero: cap the (fitted or set) concentration at max_concentration */
  double max_concentration;  /* >= 0 */
} fnet_segment_options;
#define FNET_SEGMENT_OPTIONS_VERSION 1
#define FNET_SEGMENT_OPTIONS_INIT \
  { FNET_SEGMENT_OPTIONS_VERSION, 0, 0.0, 0, 0.0 }
/* fnet_segments_fit with the shrinkage set or capped (options may be NULL: fitted, no
 * cap, as fnet_segments_fit).  Row i of segment s is (c_si + a_i p_i) / (n_si + a_i), p_i
 * the pooled row; a segment without transitions gets the pooled chain; only when no
 * segment has any is it FNET_E_EMPTY_INPUT.  On failure nothing is allocated. */
FNET_API fnet_status fnet_segments_fit_with(fnet_chain** shrunk, double* statistic, double* df,
                                            double* p_value, size_t n_segments,
                                            const fnet_counts* const* segments, const char* const* names,
                                            const fnet_segment_options* options);

/* ---- CRM opportunity tables ------------------------------------------------------ */

/* An opportunity table of n rows, one per opportunity (the shape CRMs export):
 * current[r] is its state (an index into stages), dates is n x k row-major with one date
 * per stage (k = the number of transient stages, in index order; NaN = no date) and
 * close[r] its close date (read for closed rows; close may be NULL: no close dates).
 * Each opportunity walks the stages in order (an open one up to its current stage, a
 * closed one up to its last dated stage, then into its outcome on its close date);
 * missing says what an undated stage means (FNET_MISSING_CENSOR: the history stops at
 * the first gap after a dated stage; FNET_MISSING_UNTIMED: a step that takes the next
 * date on its path).  The same rules as Python's from_opportunities; errors name the row
 * and stage.  Counts as fnet_counts_from_events would count that log: */
FNET_API fnet_status fnet_counts_from_opportunities(fnet_counts** out, const fnet_stages* stages, size_t n,
                                                    const int32_t* current, const double* dates,
                                                    const double* close, fnet_missing_dates missing,
                                                    fnet_repeats repeats);
/* ... and exposure as fnet_exposure_from_events (open opportunities run to cutoff when
 * has_cutoff is non-zero, else to the latest date on any path). */
FNET_API fnet_status fnet_exposure_from_opportunities(fnet_exposure** out, const fnet_stages* stages,
                                                      size_t n, const int32_t* current, const double* dates,
                                                      const double* close, fnet_missing_dates missing,
                                                      int has_cutoff, double cutoff, double time_unit);

/* ---- semi-Markov funnel (holding times fitted per stage) ------------------------- */

typedef struct fnet_semi_markov fnet_semi_markov; /* a fitted semi-Markov funnel */

/* Options of the semi-Markov fits; initialise with FNET_SEMI_MARKOV_OPTIONS_INIT. */
typedef struct fnet_semi_markov_options {
  unsigned version;           /* FNET_SEMI_MARKOV_OPTIONS_VERSION */
  fnet_holding_family family; /* FNET_HOLDING_* (funnelnet/c/enums.h) */
  double tol;                 /* convergence tolerance of the parametric fits */
  int max_iter; /* their iteration limit; a fit that does not converge is FNET_E_NOT_CONVERGED */
} fnet_semi_markov_options;
#define FNET_SEMI_MARKOV_OPTIONS_VERSION 1
#define FNET_SEMI_MARKOV_OPTIONS_INIT \
  { FNET_SEMI_MARKOV_OPTIONS_VERSION, FNET_HOLDING_EMPIRICAL, 1e-10, 200 }

/* Fit from n sojourns: sojourn r was spent in transient stage stage_ids[r] for
 * duration[r] (> 0 for Weibull and gamma) and then moved to next[r], or was still there
 * at the cut-off (next[r] = -1).  options may be NULL (defaults). */
FNET_API fnet_status fnet_semi_markov_fit(fnet_semi_markov** out, const fnet_stages* stages, size_t n,
                                          const int32_t* stage_ids, const double* duration,
                                          const int32_t* next, const fnet_semi_markov_options* options);
/* Fit from an event log of n rows (lead, time, stage) in any order, read as
 * fnet_exposure_from_events reads it (repeats are status updates; open leads censored at
 * cutoff when has_cutoff is non-zero, else at the latest event; durations in time_unit). */
FNET_API fnet_status fnet_semi_markov_fit_events(fnet_semi_markov** out, const fnet_stages* stages, size_t n,
                                                 const int64_t* lead, const double* time,
                                                 const int32_t* stage_ids, int has_cutoff, double cutoff,
                                                 double time_unit, const fnet_semi_markov_options* options);
/* Fit from an opportunity table (as fnet_exposure_from_opportunities reads it). */
FNET_API fnet_status fnet_semi_markov_fit_opportunities(fnet_semi_markov** out, const fnet_stages* stages,
                                                        size_t n, const int32_t* current, const double* dates,
                                                        const double* close, fnet_missing_dates missing,
                                                        int has_cutoff, double cutoff, double time_unit,
                                                        const fnet_semi_markov_options* options);
FNET_API void fnet_semi_markov_destroy(fnet_semi_markov* model);
/* Number of states. */
FNET_API fnet_status fnet_semi_markov_size(size_t* out, const fnet_semi_markov* model);
/* The embedded jump chain, n x n row-major (two-call pattern). */
FNET_API fnet_status fnet_semi_markov_jump_matrix(double* out, size_t capacity, size_t* needed,
                                                  const fnet_semi_markov* model);
/* P(each outcome) for a lead in transient `stage` that has already spent `age` there, by
 * `draws` seeded Monte Carlo draws (the same seed gives the same answer at any `threads`):
 * one entry per absorbing state in index order, then the unresolved share (the empirical
 * model past its last observed exit): n_absorbing + 1 entries (two-call pattern). */
FNET_API fnet_status fnet_semi_markov_win_probabilities(double* out, size_t capacity, size_t* needed,
                                                        const fnet_semi_markov* model, size_t stage,
                                                        double age, size_t draws, uint64_t seed, int threads);
/* P(closed within horizons[h] more time units) for the same lead, n_horizons entries
 * (two-call pattern). */
FNET_API fnet_status fnet_semi_markov_close_time_cdf(double* out, size_t capacity, size_t* needed,
                                                     const fnet_semi_markov* model, size_t stage, double age,
                                                     size_t n_horizons, const double* horizons, size_t draws,
                                                     uint64_t seed, int threads);
/* The q-quantile (0 < q < 1) of the time spent in transient `stage` (infinity when the
 * empirical curve never reaches q). */
FNET_API fnet_status fnet_semi_markov_holding_quantile(double* out, const fnet_semi_markov* model,
                                                       size_t stage, double q);
/* Stale deals: out[r] = 1 when deal r, in transient stage stage_ids[r] for age[r], is
 * older than the q-quantile of that stage's holding time (or, where the quantile is
 * infinite, than the longest time before an observed exit); n entries (two-call). */
FNET_API fnet_status fnet_semi_markov_stale(unsigned char* out, size_t capacity, size_t* needed,
                                            const fnet_semi_markov* model, size_t n, const int32_t* stage_ids,
                                            const double* age, double q);

/* ---- persistence (versioned JSON) ------------------------------------------------ */

/* Save atomically (temporary file, then rename); FNET_E_IO naming the path on failure. */
FNET_API fnet_status fnet_chain_save(const fnet_chain* chain, const char* path);
FNET_API fnet_status fnet_counts_save(const fnet_counts* counts, const char* path);
FNET_API fnet_status fnet_exposure_save(const fnet_exposure* exposure, const char* path);
FNET_API fnet_status fnet_ctmc_save(const fnet_ctmc* chain, const char* path);
/* Load; FNET_E_IO if unreadable, FNET_E_FORMAT for corrupt files, other kinds, unknown
 * versions or invalid contents. */
FNET_API fnet_status fnet_chain_load(fnet_chain** out, const char* path);
FNET_API fnet_status fnet_counts_load(fnet_counts** out, const char* path);
FNET_API fnet_status fnet_exposure_load(fnet_exposure** out, const char* path);
FNET_API fnet_status fnet_ctmc_load(fnet_ctmc** out, const char* path);
/* The chain as JSON text (two-call pattern, NUL included), and back. */
FNET_API fnet_status fnet_chain_to_json(char* buf, size_t capacity, size_t* needed, const fnet_chain* chain);
FNET_API fnet_status fnet_chain_from_json(fnet_chain** out, const char* json);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_FUNNEL_H */
