/* funnelnet C ABI: referral networks (graph, influence ranking, cascades, diffusion,
 * influence maximisation).  C99.  See funnelnet.h for the conventions.
 *
 * Nodes have external int64 ids (any values) and dense internal indices 0..n-1 in
 * ascending id order; every per-node output is in internal order (fnet_graph_node_ids
 * gives the ids) and seeds / sources / roots are internal indices
 * (fnet_graph_index_of maps an id).  Per-edge arrays are in the graph's edge order
 * (fnet_graph_edges). */
#ifndef FUNNELNET_C_GRAPH_H
#define FUNNELNET_C_GRAPH_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fnet_graph fnet_graph; /* an immutable directed referral graph (CSR) */

/* Self-loops u -> u (fnet_self_loops): FNET_SELF_LOOPS_KEEP, _DROP (the node stays) or
 * _REJECT (FNET_E_INVALID_ARGUMENT).  Repeated edges u -> v (fnet_duplicates):
 * FNET_DUPLICATES_KEEP (multigraph), _MERGE (weights summed, earliest time) or _REJECT
 * (FNET_E_DUPLICATE_LABEL).  Values in funnelnet/c/enums.h. */

/* Build options; initialise with FNET_GRAPH_OPTIONS_INIT (keep self-loops, merge duplicates). */
typedef struct fnet_graph_options {
  unsigned version;           /* FNET_GRAPH_OPTIONS_VERSION */
  fnet_self_loops self_loops; /* FNET_SELF_LOOPS_* */
  fnet_duplicates duplicates; /* FNET_DUPLICATES_* */
} fnet_graph_options;
#define FNET_GRAPH_OPTIONS_VERSION 1
#define FNET_GRAPH_OPTIONS_INIT \
  { FNET_GRAPH_OPTIONS_VERSION, FNET_SELF_LOOPS_KEEP, FNET_DUPLICATES_MERGE }

/* Edge-list reading options; initialise with FNET_EDGE_LIST_OPTIONS_INIT. */
typedef struct fnet_edge_list_options {
  unsigned version;    /* FNET_EDGE_LIST_OPTIONS_VERSION */
  size_t header_lines; /* lines to skip first (1 for files starting "n m") */
  int weighted;        /* non-zero: a third column is the weight */
  int symmetric;       /* non-zero: also add v -> u for each line u v */
  fnet_graph_options graph;
} fnet_edge_list_options;
#define FNET_EDGE_LIST_OPTIONS_VERSION 1
#define FNET_EDGE_LIST_OPTIONS_INIT \
  { FNET_EDGE_LIST_OPTIONS_VERSION, 0, 0, 0, FNET_GRAPH_OPTIONS_INIT }

/* ---- building and reading ---------------------------------------------------------- */

/* A graph from m edges src[i] -> dst[i] (external ids).  weight and time may be NULL
 * (weights 1, no times); nodes (n_nodes extra ids, may be NULL when 0) adds isolated
 * nodes.  options may be NULL for the defaults. */
FNET_API fnet_status fnet_graph_from_edges(fnet_graph** out, size_t m, const int64_t* src, const int64_t* dst,
                                           const double* weight, const double* time, size_t n_nodes,
                                           const int64_t* nodes, const fnet_graph_options* options);
/* Read a SNAP-style edge list ('#' / '%' comments); FNET_E_FORMAT names the line. */
FNET_API fnet_status fnet_graph_read_edge_list(fnet_graph** out, const char* path,
                                               const fnet_edge_list_options* options);
/* Read a METIS file (1-based; ids 1..n); both directions of every edge. */
FNET_API fnet_status fnet_graph_read_metis(fnet_graph** out, const char* path,
                                           const fnet_graph_options* options);
FNET_API void fnet_graph_destroy(fnet_graph* graph);

/* ---- inspecting --------------------------------------------------------------------- */

FNET_API fnet_status fnet_graph_sizes(size_t* n_nodes, size_t* n_edges, const fnet_graph* graph);
/* External ids in internal order (two-call pattern, n entries). */
FNET_API fnet_status fnet_graph_node_ids(int64_t* out, size_t capacity, size_t* needed,
                                         const fnet_graph* graph);
/* Internal index of an external id; FNET_E_UNKNOWN_LABEL if absent. */
FNET_API fnet_status fnet_graph_index_of(size_t* out, const fnet_graph* graph, int64_t id);
/* Edges in graph order: source and target internal indices and weights (two-call
 * pattern on all three together: pass all NULL to get *needed = m). */
FNET_API fnet_status fnet_graph_edges(size_t* src, size_t* dst, double* weight, size_t capacity,
                                      size_t* needed, const fnet_graph* graph);

/* ---- influence ranking -------------------------------------------------------------- */

/* Degree of every node (edge count, or weight sum when weighted is non-zero); kind is
 * FNET_DEGREE_OUT, FNET_DEGREE_IN or FNET_DEGREE_TOTAL. */
FNET_API fnet_status fnet_graph_degree(double* out, size_t capacity, size_t* needed, const fnet_graph* graph,
                                       fnet_degree_kind kind, int weighted);

/* Where PageRank sends dangling nodes' rank (fnet_dangling): FNET_DANGLING_PERSONALIZATION
 * (as networkx), FNET_DANGLING_UNIFORM or FNET_DANGLING_CUSTOM (to dangling_weights). */

typedef struct fnet_pagerank_options {
  unsigned version;               /* FNET_PAGERANK_OPTIONS_VERSION */
  double damping;                 /* in (0, 1] */
  int weighted;                   /* non-zero: use edge weights */
  const double* personalization;  /* n entries, normalised; NULL = uniform */
  fnet_dangling dangling;         /* FNET_DANGLING_* */
  const double* dangling_weights; /* n entries for FNET_DANGLING_CUSTOM */
  double tolerance;               /* stop when sum |x - x_prev| < n * tolerance */
  size_t max_iter;
  int threads; /* 0: from the work (1 thread on small graphs, up to all usable cores on large ones); >0: at
                  most that many; never changes the result */
} fnet_pagerank_options;
#define FNET_PAGERANK_OPTIONS_VERSION 1
#define FNET_PAGERANK_OPTIONS_INIT \
  { FNET_PAGERANK_OPTIONS_VERSION, 0.85, 0, NULL, FNET_DANGLING_PERSONALIZATION, NULL, 1e-10, 1000, 0 }
/* PageRank of every node (sums to 1); FNET_E_NOT_CONVERGED after max_iter. */
FNET_API fnet_status fnet_graph_pagerank(double* out, size_t capacity, size_t* needed,
                                         const fnet_graph* graph, const fnet_pagerank_options* options);

typedef struct fnet_katz_options {
  unsigned version;    /* FNET_KATZ_OPTIONS_VERSION */
  double alpha;        /* below 1 / spectral radius */
  double beta;         /* constant bias when betas is NULL */
  const double* betas; /* n entries or NULL */
  int weighted;
  int normalized; /* non-zero: unit Euclidean norm */
  double tolerance;
  size_t max_iter;
  int threads;
} fnet_katz_options;
#define FNET_KATZ_OPTIONS_VERSION 1
#define FNET_KATZ_OPTIONS_INIT \
  { FNET_KATZ_OPTIONS_VERSION, 0.1, 1.0, NULL, 0, 1, 1e-12, 10000, 0 }
/* Katz centrality x = alpha A^T x + beta; FNET_E_NOT_CONVERGED when alpha is too large. */
FNET_API fnet_status fnet_graph_katz(double* out, size_t capacity, size_t* needed, const fnet_graph* graph,
                                     const fnet_katz_options* options);

/* k-core numbers (degree = in + out); FNET_E_INVALID_ARGUMENT with self-loops. */
FNET_API fnet_status fnet_graph_core_numbers(int64_t* out, size_t capacity, size_t* needed,
                                             const fnet_graph* graph);
/* Component label of every node (weak if strong == 0), numbered by smallest node;
 * *count (may be NULL) receives the number of components. */
FNET_API fnet_status fnet_graph_components(int64_t* out, size_t capacity, size_t* needed, size_t* count,
                                           const fnet_graph* graph, int strong);

typedef struct fnet_betweenness_options {
  unsigned version;      /* FNET_BETWEENNESS_OPTIONS_VERSION */
  int normalized;        /* non-zero: divide by (n-1)(n-2) */
  const size_t* sources; /* explicit sources (internal indices) or NULL */
  size_t n_sources;
  size_t samples; /* > 0: this many random sources (seeded) */
  uint64_t seed;
  int threads;
  fnet_progress_fn progress; /* may be NULL */
  void* user_data;
} fnet_betweenness_options;
#define FNET_BETWEENNESS_OPTIONS_VERSION 1
#define FNET_BETWEENNESS_OPTIONS_INIT \
  { FNET_BETWEENNESS_OPTIONS_VERSION, 1, NULL, 0, 0, 0, 0, NULL, NULL }
/* Betweenness (Brandes, unweighted); with k sources/samples, scaled like networkx >= 3.5
 * betweenness_centrality(k=...): non-sources by (n-1)/k, sources by (n-1)/(k-1). */
FNET_API fnet_status fnet_graph_betweenness(double* out, size_t capacity, size_t* needed,
                                            const fnet_graph* graph, const fnet_betweenness_options* options);

/* Referral cascades of roots (internal indices; NULL / 0 = every node): size, depth,
 * breadth and structural virality per root (two-call pattern on all four together). */
FNET_API fnet_status fnet_graph_cascades(int64_t* size, int64_t* depth, int64_t* breadth, double* virality,
                                         size_t capacity, size_t* needed, const fnet_graph* graph,
                                         const size_t* roots, size_t n_roots, int threads);
/* The same once, as a handle (fnet_graph_cascades computes all four arrays per call):
 * cascades of roots (internal indices; NULL / 0 = every node). */
typedef struct fnet_cascades fnet_cascades; /* per-root cascade statistics */
FNET_API fnet_status fnet_cascades_analyze(fnet_cascades** out, const fnet_graph* graph, const size_t* roots,
                                           size_t n_roots, int threads);
FNET_API void fnet_cascades_destroy(fnet_cascades* cascades);
/* Number of roots (the length of every array below). */
FNET_API fnet_status fnet_cascades_count(size_t* out, const fnet_cascades* cascades);
/* Per root (two-call pattern): the root's internal index, cascade size, depth, breadth
 * and structural virality. */
FNET_API fnet_status fnet_cascades_roots(size_t* out, size_t capacity, size_t* needed,
                                         const fnet_cascades* cascades);
FNET_API fnet_status fnet_cascades_sizes(int64_t* out, size_t capacity, size_t* needed,
                                         const fnet_cascades* cascades);
FNET_API fnet_status fnet_cascades_depths(int64_t* out, size_t capacity, size_t* needed,
                                          const fnet_cascades* cascades);
FNET_API fnet_status fnet_cascades_breadths(int64_t* out, size_t capacity, size_t* needed,
                                            const fnet_cascades* cascades);
FNET_API fnet_status fnet_cascades_virality(double* out, size_t capacity, size_t* needed,
                                            const fnet_cascades* cascades);
/* Per-referrer conversion: outcome has n entries in [0, 1] or NaN (unknown). */
FNET_API fnet_status fnet_graph_referral_conversion(int64_t* referred, double* converted, double* rate,
                                                    size_t capacity, size_t* needed, const fnet_graph* graph,
                                                    const double* outcome);

/* ---- diffusion ---------------------------------------------------------------------- */

/* Diffusion models (fnet_model): FNET_MODEL_IC, FNET_MODEL_LT.  Edge probability schemes
 * (fnet_probability_kind): FNET_PROB_CONSTANT (every edge `constant`), _WEIGHTED_CASCADE
 * (1 / in-degree of the target), _TRIVALENCY (0.1, 0.01 or 0.001 at random, seeded),
 * _GIVEN (per_edge, checked in [0, 1]), _LEARNED ((successes + a) / (exposures + a + b)).
 * Values in funnelnet/c/enums.h. */

typedef struct fnet_probability_spec {
  unsigned version;           /* FNET_PROBABILITY_SPEC_VERSION */
  fnet_probability_kind kind; /* FNET_PROB_* */
  double constant;
  const double* per_edge;
  const double* successes;
  const double* exposures;
  double prior_a, prior_b;
  uint64_t seed;
} fnet_probability_spec;
#define FNET_PROBABILITY_SPEC_VERSION 1
#define FNET_PROBABILITY_SPEC_INIT \
  { FNET_PROBABILITY_SPEC_VERSION, FNET_PROB_WEIGHTED_CASCADE, 0.1, NULL, NULL, NULL, 1.0, 1.0, 0 }
/* Edge probabilities in edge order (two-call pattern, m entries). */
FNET_API fnet_status fnet_graph_edge_probabilities(double* out, size_t capacity, size_t* needed,
                                                   const fnet_graph* graph,
                                                   const fnet_probability_spec* spec);

typedef struct fnet_spread_options {
  unsigned version; /* FNET_SPREAD_OPTIONS_VERSION */
  fnet_model model; /* FNET_MODEL_* */
  size_t n_sims;
  uint64_t seed;
  int threads;
  const double* node_values; /* n entries or NULL */
  fnet_progress_fn progress;
  void* user_data;
} fnet_spread_options;
#define FNET_SPREAD_OPTIONS_VERSION 1
#define FNET_SPREAD_OPTIONS_INIT \
  { FNET_SPREAD_OPTIONS_VERSION, FNET_MODEL_IC, 10000, 0, 0, NULL, NULL, NULL }
/* Monte Carlo spread of seeds under probabilities (m entries): mean and standard error
 * of the number activated, and of the activated value (value outputs may be NULL). */
FNET_API fnet_status fnet_influence_spread(double* mean, double* std_error, double* value_mean,
                                           double* value_std_error, const fnet_graph* graph,
                                           const size_t* seeds, size_t n_seeds, const double* probabilities,
                                           const fnet_spread_options* options);
/* Activation-time profile: with per-edge delays (m entries, finite, >= 0; edge order) a
 * u activating at time t reaches v at t + delay; out (n_bins - 1 entries, two-call
 * pattern) receives the expected number of activations per bin [time_bins[i],
 * time_bins[i+1]) (strictly increasing edges; the last may be INFINITY).  Seeds activate
 * at time 0.  Same model, probabilities and options as fnet_influence_spread. */
FNET_API fnet_status fnet_influence_activation_times(double* out, size_t capacity, size_t* needed,
                                                     const fnet_graph* graph, const size_t* seeds,
                                                     size_t n_seeds, const double* probabilities,
                                                     const double* delays, const double* time_bins,
                                                     size_t n_bins, const fnet_spread_options* options);
/* Exact spread by live-edge enumeration (tiny graphs; FNET_E_OUT_OF_RANGE beyond 2^24 worlds). */
FNET_API fnet_status fnet_influence_exact(double* out, const fnet_graph* graph, const size_t* seeds,
                                          size_t n_seeds, const double* probabilities, fnet_model model);

/* ---- influence maximisation --------------------------------------------------------- */

typedef struct fnet_imm_options {
  unsigned version; /* FNET_IMM_OPTIONS_VERSION */
  fnet_model model;
  double epsilon; /* in (0, 1) */
  double ell;     /* failure probability 1 / n^ell */
  uint64_t seed;
  int threads;
  const double* node_values; /* n entries or NULL */
  const double* costs;       /* n entries or NULL */
  double budget;             /* > 0 with costs */
  fnet_progress_fn progress;
  void* user_data;
} fnet_imm_options;
#define FNET_IMM_OPTIONS_VERSION 1
#define FNET_IMM_OPTIONS_INIT \
  { FNET_IMM_OPTIONS_VERSION, FNET_MODEL_IC, 0.5, 1.0, 0, 0, NULL, NULL, 0.0, NULL, NULL }
/* IMM: up to k seeds.  *n_chosen gets the number chosen; the first min(capacity,
 * *n_chosen) go into seeds, and FNET_E_BUFFER_TOO_SMALL says some did not fit (seeds may
 * be NULL: no seeds written, FNET_OK).  Estimated spread and the number of RR sets used
 * (both may be NULL) are written in either case. */
FNET_API fnet_status fnet_influence_imm(size_t* seeds, size_t capacity, size_t* n_chosen, double* spread,
                                        size_t* n_rr_sets, const fnet_graph* graph, size_t k,
                                        const double* probabilities, const fnet_imm_options* options);

typedef struct fnet_celf_options {
  unsigned version; /* FNET_CELF_OPTIONS_VERSION */
  fnet_model model;
  size_t n_sims;
  uint64_t seed;
  int threads;
  const double* node_values;
  const double* costs;
  double budget;
  fnet_progress_fn progress;
  void* user_data;
} fnet_celf_options;
#define FNET_CELF_OPTIONS_VERSION 1
#define FNET_CELF_OPTIONS_INIT \
  { FNET_CELF_OPTIONS_VERSION, FNET_MODEL_IC, 1000, 0, 0, NULL, NULL, 0.0, NULL, NULL }
/* CELF greedy with Monte Carlo (reference; small graphs).  Seeds, *n_chosen and spread
 * as for fnet_influence_imm (what fits is written; FNET_E_BUFFER_TOO_SMALL otherwise). */
FNET_API fnet_status fnet_influence_celf(size_t* seeds, size_t capacity, size_t* n_chosen, double* spread,
                                         const fnet_graph* graph, size_t k, const double* probabilities,
                                         const fnet_celf_options* options);

/* ---- model files (versioned JSON, as the funnel's fnet_chain_save ...) ------------ */
/* Save the graph atomically (temporary file, then rename); FNET_E_IO naming the path. */
FNET_API fnet_status fnet_graph_save(const fnet_graph* object, const char* path);
/* Load a file written by fnet_graph_save: FNET_E_IO if unreadable, FNET_E_FORMAT for a
 * corrupt file, another kind, an unknown version or invalid contents (the message names
 * the field).  On failure *out is untouched. */
FNET_API fnet_status fnet_graph_load(fnet_graph** out, const char* path);
/* The graph as JSON text (two-call pattern, NUL included), and back. Node ids, edges in
 * CSR order with weights, times and input rows; labels written by other front ends are
 * read and ignored. */
FNET_API fnet_status fnet_graph_to_json(char* buf, size_t capacity, size_t* needed, const fnet_graph* object);
FNET_API fnet_status fnet_graph_from_json(fnet_graph** out, const char* json);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_GRAPH_H */
