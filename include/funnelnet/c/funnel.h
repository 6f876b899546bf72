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

/* Repeated stages (i -> i): keep them as self-transitions, or collapse them. */
#define FNET_REPEATS_KEEP 0
#define FNET_REPEATS_COLLAPSE 1

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
                                            const double* weights, int repeats);
/* Counts from an event log of n rows (lead id, time, stage index) in any order; per lead,
 * rows are ordered by time (ties keep input order).  Integer times (e.g. ns since the
 * epoch). repeats as above (FNET_REPEATS_COLLAPSE counts only changes of stage). */
FNET_API fnet_status fnet_counts_from_events(fnet_counts** out, const fnet_stages* stages, size_t n,
                                             const int64_t* lead, const int64_t* time,
                                             const int32_t* stage_ids, int repeats);
/* The same with floating-point times (e.g. days); NaN or infinite times are rejected. */
FNET_API fnet_status fnet_counts_from_events_f64(fnet_counts** out, const fnet_stages* stages, size_t n,
                                                 const int64_t* lead, const double* time,
                                                 const int32_t* stage_ids, int repeats);
/* A new count table equal to a + b (same stage space required). */
FNET_API fnet_status fnet_counts_merge(fnet_counts** out, const fnet_counts* a, const fnet_counts* b);
FNET_API void fnet_counts_destroy(fnet_counts* counts);
/* The n x n count matrix, row-major (two-call pattern, size n*n). */
FNET_API fnet_status fnet_counts_matrix(double* out, size_t capacity, size_t* needed,
                                        const fnet_counts* counts);
/* A new handle to the counts' stage space (destroy it with fnet_stages_destroy). */
FNET_API fnet_status fnet_counts_stages(fnet_stages** out, const fnet_counts* counts);

/* ---- chains ---------------------------------------------------------------------- */

/* What fitting does with a transient stage that has no observed exits. */
#define FNET_EMPTY_ROWS_ERROR 0
#define FNET_EMPTY_ROWS_ABSORBING 1
#define FNET_EMPTY_ROWS_UNIFORM 2

/* Fitting options; initialise with FNET_FIT_OPTIONS_INIT. */
typedef struct fnet_fit_options {
  unsigned version; /* FNET_FIT_OPTIONS_VERSION */
  double smoothing; /* additive pseudo-count per entry of each transient row; 0 = MLE */
  int empty_rows;   /* FNET_EMPTY_ROWS_* */
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
/* Number of transient states (rows of every result) and of absorbing states. */
FNET_API fnet_status fnet_absorbing_sizes(size_t* n_transient, size_t* n_absorbing,
                                          const fnet_absorbing* analysis);
/* Chain state indices of the transient / absorbing states (two-call pattern). */
FNET_API fnet_status fnet_absorbing_transient(size_t* out, size_t capacity, size_t* needed,
                                              const fnet_absorbing* analysis);
FNET_API fnet_status fnet_absorbing_absorbing(size_t* out, size_t capacity, size_t* needed,
                                              const fnet_absorbing* analysis);
/* N = (I - Q)^-1, n_transient x n_transient, row-major. */
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

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_FUNNEL_H */
