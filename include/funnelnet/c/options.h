/* funnelnet C ABI: every option struct, listed once.  C99.
 *
 * Each option struct fnet_X_options starts with `unsigned version` and has:
 *   FNET_X_OPTIONS_VERSION   the version this header describes;
 *   FNET_X_OPTIONS_INIT      a brace initialiser with the defaults (for C);
 *   fnet_X_options_init(o)   a function that writes the defaults into *o (for languages
 *                            that cannot use C macros: Python ctypes, Rust, Go, ...).
 * Functions accept any version from 1 to the one they were built with, so a program
 * compiled against an older header keeps working with a newer library; a version of 0
 * or newer than the library gives FNET_E_INVALID_ARGUMENT naming the struct.
 * FNET_OPTIONS_TABLE(X) lists them all as X(type, MACRO_PREFIX); fnet_probability_spec
 * (graph.h) follows the same rules. */
#ifndef FUNNELNET_C_OPTIONS_H
#define FUNNELNET_C_OPTIONS_H

#include "funnelnet/c/attribution.h"
#include "funnelnet/c/core.h"
#include "funnelnet/c/customers.h"
#include "funnelnet/c/datasets.h"
#include "funnelnet/c/funnel.h"
#include "funnelnet/c/graph.h"
#include "funnelnet/c/scoring.h"

/* clang-format off */
#define FNET_OPTIONS_TABLE(X) \
  X(fnet_fit_options, FNET_FIT_OPTIONS) \
  X(fnet_period_options, FNET_PERIOD_OPTIONS) \
  X(fnet_heuristic_options, FNET_HEURISTIC_OPTIONS) \
  X(fnet_markov_options, FNET_MARKOV_OPTIONS) \
  X(fnet_attribution_markov_options, FNET_ATTRIBUTION_MARKOV_OPTIONS) \
  X(fnet_graph_options, FNET_GRAPH_OPTIONS) \
  X(fnet_edge_list_options, FNET_EDGE_LIST_OPTIONS) \
  X(fnet_pagerank_options, FNET_PAGERANK_OPTIONS) \
  X(fnet_katz_options, FNET_KATZ_OPTIONS) \
  X(fnet_betweenness_options, FNET_BETWEENNESS_OPTIONS) \
  X(fnet_spread_options, FNET_SPREAD_OPTIONS) \
  X(fnet_imm_options, FNET_IMM_OPTIONS) \
  X(fnet_celf_options, FNET_CELF_OPTIONS) \
  X(fnet_probability_spec, FNET_PROBABILITY_SPEC) \
  X(fnet_repeat_fit_options, FNET_REPEAT_FIT_OPTIONS) \
  X(fnet_summary_options, FNET_SUMMARY_OPTIONS) \
  X(fnet_tier_options, FNET_TIER_OPTIONS) \
  X(fnet_crm_options, FNET_CRM_OPTIONS) \
  X(fnet_logistic_options, FNET_LOGISTIC_OPTIONS) \
  X(fnet_segment_options, FNET_SEGMENT_OPTIONS) \
  X(fnet_semi_markov_options, FNET_SEMI_MARKOV_OPTIONS) \
  X(fnet_pooled_options, FNET_POOLED_OPTIONS)
/* clang-format on */

#ifdef __cplusplus
extern "C" {
#endif

/* Declares fnet_fit_options_init(fnet_fit_options*), fnet_period_options_init(...), ...
 * one per row of FNET_OPTIONS_TABLE: each writes the defaults (the _INIT values) into
 * *options; FNET_E_NULL_ARGUMENT if options is NULL. */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): X-macro arguments are names, not expressions */
#define FNET_OPTIONS_INIT_DECL_(type, prefix) FNET_API fnet_status type##_init(type* options);
FNET_OPTIONS_TABLE(FNET_OPTIONS_INIT_DECL_)
#undef FNET_OPTIONS_INIT_DECL_

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_OPTIONS_H */
