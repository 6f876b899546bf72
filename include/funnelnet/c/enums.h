/* funnelnet's one table of C ABI enumerations.  C99.
 *
 * Every enumeration of the C ABI (option values, column selectors, fit states) is listed
 * here once.  Each expands to a C `typedef enum fnet_x { ... } fnet_x;` with the same
 * enumerator names and values as the 0.1 #defines, so sources written against 0.1 still
 * compile; the library (src/c_api/common.hpp) expands the same table to validate values
 * (an out-of-range value gives FNET_E_INVALID_ARGUMENT naming the field and listing the
 * valid names) and fnet_enum_name() / fnet_enum_value() look names up at run time.
 * Values are stable and never reused.
 *
 * FNET_ENUM_TABLE(X) lists the enumerations as X(type, VALUES_MACRO); each VALUES_MACRO(V)
 * lists the values as V(C_NAME, value, short_name, "meaning").  short_name is what
 * fnet_enum_name() returns. */
#ifndef FUNNELNET_C_ENUMS_H
#define FUNNELNET_C_ENUMS_H

/* clang-format off */
#define FNET_ENUM_TABLE(X) \
  X(fnet_repeats, FNET_REPEATS_VALUES) \
  X(fnet_empty_rows, FNET_EMPTY_ROWS_VALUES) \
  X(fnet_heuristic_column, FNET_HEURISTIC_VALUES) \
  X(fnet_repeat_kind, FNET_REPEAT_KIND_VALUES) \
  X(fnet_fit_status, FNET_FIT_STATUS_VALUES) \
  X(fnet_future, FNET_FUTURE_VALUES) \
  X(fnet_summary_column, FNET_SUMMARY_COLUMN_VALUES) \
  X(fnet_normalize, FNET_NORMALIZE_VALUES) \
  X(fnet_gaps, FNET_GAPS_VALUES) \
  X(fnet_self_loops, FNET_SELF_LOOPS_VALUES) \
  X(fnet_duplicates, FNET_DUPLICATES_VALUES) \
  X(fnet_degree_kind, FNET_DEGREE_VALUES) \
  X(fnet_dangling, FNET_DANGLING_VALUES) \
  X(fnet_model, FNET_MODEL_VALUES) \
  X(fnet_probability_kind, FNET_PROB_VALUES) \
  X(fnet_holding_family, FNET_HOLDING_VALUES) \
  X(fnet_missing_dates, FNET_MISSING_VALUES) \
  X(fnet_metric, FNET_METRIC_VALUES) \
  X(fnet_bin_strategy, FNET_BIN_VALUES) \
  X(fnet_tau_select, FNET_TAU_SELECT_VALUES)

/* Repeated stages i -> i (funnel counts, attribution journeys). */
#define FNET_REPEATS_VALUES(V) \
  V(FNET_REPEATS_KEEP,     0, keep,     "keep them as self-transitions") \
  V(FNET_REPEATS_COLLAPSE, 1, collapse, "collapse runs of one stage into one visit")

/* What fitting does with a transient stage that has no observed exits. */
#define FNET_EMPTY_ROWS_VALUES(V) \
  V(FNET_EMPTY_ROWS_ERROR,     0, error,     "FNET_E_INVALID_ARGUMENT naming the stage") \
  V(FNET_EMPTY_ROWS_ABSORBING, 1, absorbing, "the stage stays put (absorbing)") \
  V(FNET_EMPTY_ROWS_UNIFORM,   2, uniform,   "uniform row over all stages")

/* Columns of the heuristic attribution result, in order. */
#define FNET_HEURISTIC_VALUES(V) \
  V(FNET_HEURISTIC_FIRST_TOUCH,    0, first_touch,    "all credit to the first touch") \
  V(FNET_HEURISTIC_LAST_TOUCH,     1, last_touch,     "all credit to the last touch") \
  V(FNET_HEURISTIC_LINEAR,         2, linear,         "equal credit to every touch") \
  V(FNET_HEURISTIC_TIME_DECAY,     3, time_decay,     "credit halving every half_life before the end") \
  V(FNET_HEURISTIC_POSITION_BASED, 4, position_based, "first_weight / last_weight, the rest shared")

/* Repeat-buying model kinds. */
#define FNET_REPEAT_KIND_VALUES(V) \
  V(FNET_REPEAT_BETA_GEO,   0, beta_geo,   "BG/NBD: parameters r, alpha, a, b") \
  V(FNET_REPEAT_PARETO_NBD, 1, pareto_nbd, "Pareto/NBD: parameters r, alpha, s, beta") \
  V(FNET_REPEAT_BETA_GEO_BETA_BINOM, 2, beta_geo_beta_binom, \
    "BG/BB (discrete time): parameters alpha, beta, gamma, delta; recency and T count periods")

/* How a maximum-likelihood fit stopped; only CONVERGED means the gradient test was met. */
#define FNET_FIT_STATUS_VALUES(V) \
  V(FNET_FIT_CONVERGED,          0, converged,          "gradient test met") \
  V(FNET_FIT_MAX_ITERATIONS,     1, max_iterations,     "iteration limit reached") \
  V(FNET_FIT_LINE_SEARCH_FAILED, 2, line_search_failed, "no step improved the likelihood") \
  V(FNET_FIT_NOT_FINITE,         3, not_finite,         "likelihood or gradient became NaN or infinite")

/* Transactions after the end of observation (fnet_summary_options.future). */
#define FNET_FUTURE_VALUES(V) \
  V(FNET_FUTURE_ERROR, 0, error, "FNET_E_INVALID_ARGUMENT naming the row") \
  V(FNET_FUTURE_DROP,  1, drop,  "ignored")

/* Columns of a transaction summary (fnet_txn_summary_column). */
#define FNET_SUMMARY_COLUMN_VALUES(V) \
  V(FNET_SUMMARY_FREQUENCY,              0, frequency,              "repeat purchases in calibration") \
  V(FNET_SUMMARY_RECENCY,                1, recency,                "time of the last since the first purchase") \
  V(FNET_SUMMARY_T,                      2, T,                      "age at the end of calibration") \
  V(FNET_SUMMARY_MONETARY_VALUE,         3, monetary_value,         "mean repeat spend") \
  V(FNET_SUMMARY_FREQUENCY_HOLDOUT,      4, frequency_holdout,      "purchases in the holdout") \
  V(FNET_SUMMARY_MONETARY_VALUE_HOLDOUT, 5, monetary_value_holdout, "mean spend in the holdout")

/* Normalisation of grading criteria. */
#define FNET_NORMALIZE_VALUES(V) \
  V(FNET_NORMALIZE_NONE,   0, none,   "raw values") \
  V(FNET_NORMALIZE_MINMAX, 1, minmax, "scaled to [0, 1]") \
  V(FNET_NORMALIZE_ZSCORE, 2, zscore, "centred, unit standard deviation")

/* A missing period between tier snapshots. */
#define FNET_GAPS_VALUES(V) \
  V(FNET_GAPS_ERROR, 0, error, "FNET_E_INVALID_ARGUMENT naming the customer") \
  V(FNET_GAPS_SKIP,  1, skip,  "no move is counted across the gap")

/* Self-loops u -> u when building a graph. */
#define FNET_SELF_LOOPS_VALUES(V) \
  V(FNET_SELF_LOOPS_KEEP,   0, keep,   "keep them") \
  V(FNET_SELF_LOOPS_DROP,   1, drop,   "drop them (the node stays)") \
  V(FNET_SELF_LOOPS_REJECT, 2, reject, "FNET_E_INVALID_ARGUMENT")

/* Repeated edges u -> v when building a graph. */
#define FNET_DUPLICATES_VALUES(V) \
  V(FNET_DUPLICATES_KEEP,   0, keep,   "keep them (multigraph)") \
  V(FNET_DUPLICATES_MERGE,  1, merge,  "one edge: weights summed, earliest time") \
  V(FNET_DUPLICATES_REJECT, 2, reject, "FNET_E_DUPLICATE_LABEL")

/* Which degree fnet_graph_degree counts. */
#define FNET_DEGREE_VALUES(V) \
  V(FNET_DEGREE_OUT,   0, out,   "out-edges") \
  V(FNET_DEGREE_IN,    1, in,    "in-edges") \
  V(FNET_DEGREE_TOTAL, 2, total, "in + out")

/* Where PageRank sends dangling nodes' rank. */
#define FNET_DANGLING_VALUES(V) \
  V(FNET_DANGLING_PERSONALIZATION, 0, personalization, "as the personalisation (networkx)") \
  V(FNET_DANGLING_UNIFORM,         1, uniform,         "uniformly") \
  V(FNET_DANGLING_CUSTOM,          2, custom,          "to dangling_weights")

/* Diffusion models. */
#define FNET_MODEL_VALUES(V) \
  V(FNET_MODEL_IC, 0, ic, "independent cascade") \
  V(FNET_MODEL_LT, 1, lt, "linear threshold")

/* Edge probability schemes (fnet_probability_spec.kind). */
#define FNET_PROB_VALUES(V) \
  V(FNET_PROB_CONSTANT,          0, constant,          "every edge `constant`") \
  V(FNET_PROB_WEIGHTED_CASCADE,  1, weighted_cascade,  "1 / in-degree of the target") \
  V(FNET_PROB_TRIVALENCY,        2, trivalency,        "0.1, 0.01 or 0.001 at random (seeded)") \
  V(FNET_PROB_GIVEN,             3, given,             "per_edge, checked in [0, 1]") \
  V(FNET_PROB_LEARNED,           4, learned,           "(successes + a) / (exposures + a + b)")

/* Holding-time models of the semi-Markov funnel (fnet_semi_markov_options.family). */
#define FNET_HOLDING_VALUES(V) \
  V(FNET_HOLDING_EMPIRICAL,   0, empirical,   "Aalen-Johansen (non-parametric, censored)") \
  V(FNET_HOLDING_EXPONENTIAL, 1, exponential, "exponential (the continuous-time chain)") \
  V(FNET_HOLDING_WEIBULL,     2, weibull,     "Weibull by censored maximum likelihood") \
  V(FNET_HOLDING_GAMMA,       3, gamma,       "gamma by censored maximum likelihood")

/* What a missing stage date of an opportunity table means. */
#define FNET_MISSING_VALUES(V) \
  V(FNET_MISSING_CENSOR,  0, censor,  "keep the history up to the first gap after a dated stage") \
  V(FNET_MISSING_UNTIMED, 1, untimed, "a step without a time of its own (the next date on the path)")

/* Metrics of binary scores that fnet_scoring_bootstrap can resample. */
#define FNET_METRIC_VALUES(V) \
  V(FNET_METRIC_ROC_AUC,           0, roc_auc,           "area under the ROC curve (ties count half)") \
  V(FNET_METRIC_AVERAGE_PRECISION, 1, average_precision, "average precision (scikit-learn's step rule)") \
  V(FNET_METRIC_LOG_LOSS,          2, log_loss,          "weighted mean log loss") \
  V(FNET_METRIC_BRIER,             3, brier,             "weighted mean squared error") \
  V(FNET_METRIC_KS,                4, ks,                "Kolmogorov-Smirnov statistic max |TPR - FPR|") \
  V(FNET_METRIC_ECE,               5, ece,               "expected calibration error")

/* How calibration bins are cut. */
#define FNET_BIN_VALUES(V) \
  V(FNET_BIN_UNIFORM,  0, uniform,  "equal-width bins on [0, 1]") \
  V(FNET_BIN_QUANTILE, 1, quantile, "bins at quantiles of the predictions (numpy's linear percentile)")

/* How fnet_pooled_fit chooses the prior scale tau of the segment deviations. */
#define FNET_TAU_SELECT_VALUES(V) \
  V(FNET_TAU_EVIDENCE, 0, evidence, "largest Laplace-approximate marginal likelihood") \
  V(FNET_TAU_CV,       1, cv,       "smallest K-fold cross-validated log loss")
/* clang-format on */

/* The C enums: typedef enum fnet_repeats { FNET_REPEATS_KEEP = 0, ... } fnet_repeats; ... */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): X-macro arguments are names, not expressions */
#define FNET_ENUMERATOR_(c_name, value, name, doc) c_name = value,
/* In C++ the enums get a fixed underlying type, unsigned int: the type C compilers (GCC,
 * clang) already give an enum of non-negative values, so the ABI is unchanged.  Without
 * it, a C caller's out-of-range value (say 2 for fnet_repeats) would be undefined
 * behaviour the moment the library loads it (clang -fsanitize=enum, issue 17); with it
 * every int a C caller passes is a value of the type, and the library refuses the ones
 * outside the table (FNET_E_INVALID_ARGUMENT naming the parameter). */
#ifdef __cplusplus
#define FNET_ENUM_UNDERLYING_ : unsigned int
#else
#define FNET_ENUM_UNDERLYING_
#endif
/* X-macro arguments are names, not expressions. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define FNET_ENUM_TYPEDEF_(type, values) \
  typedef enum type FNET_ENUM_UNDERLYING_ { values(FNET_ENUMERATOR_) } type;
/* NOLINTEND(bugprone-macro-parentheses) */
FNET_ENUM_TABLE(FNET_ENUM_TYPEDEF_)
#undef FNET_ENUM_TYPEDEF_
#undef FNET_ENUM_UNDERLYING_
#undef FNET_ENUMERATOR_

/* Number of heuristic columns (not an fnet_heuristic_column value). */
#define FNET_HEURISTIC_COUNT 5

#endif /* FUNNELNET_C_ENUMS_H */
