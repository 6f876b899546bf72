/* Referral networks through the C ABI only (pure C99): closed forms, the shared data
 * sets' published counts, the two-call pattern, and every bad-input path returning a
 * status with a message. */
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

/* ../shared/data beside the checkout: $FUNNELNET_SHARED_DATA, else found from this
 * source file's path (tests/c/graph_abi.c -> <root>/../shared/data). */
static char g_data[4096];
static const char* data_path(const char* rel) {
  const char* env = getenv("FUNNELNET_SHARED_DATA");
  if (env != NULL && env[0] != '\0') {
    snprintf(g_data, sizeof g_data, "%s/%s", env, rel);
  } else {
    const char* file = __FILE__;
    const char* cut = strstr(file, "tests/c/graph_abi.c");
    int len = cut != NULL ? (int)(cut - file) : 0;
    snprintf(g_data, sizeof g_data, "%.*s../shared/data/%s", len, file, rel);
  }
  return g_data;
}

static fnet_graph* path_graph(void) {
  /* ids 10 -> 20 -> 30 and an isolated node 99 */
  const int64_t src[] = {10, 20};
  const int64_t dst[] = {20, 30};
  const int64_t extra[] = {99};
  fnet_graph* g = NULL;
  CHECK_OK(fnet_graph_from_edges(&g, 2, src, dst, NULL, NULL, 1, extra, NULL));
  return g;
}

static void test_build_and_inspect(void) {
  fnet_graph* g = path_graph();
  size_t n = 0, m = 0, needed = 0, idx = 0, i;
  int64_t ids[4];
  size_t es[2], ed[2];
  double ew[2];
  CHECK_OK(fnet_graph_sizes(&n, &m, g));
  CHECK(n == 4 && m == 2);
  CHECK_OK(fnet_graph_node_ids(NULL, 0, &needed, g));
  CHECK(needed == 4);
  CHECK_STATUS(fnet_graph_node_ids(ids, 3, &needed, g), FNET_E_BUFFER_TOO_SMALL, "4 needed");
  CHECK_OK(fnet_graph_node_ids(ids, 4, &needed, g));
  CHECK(ids[0] == 10 && ids[1] == 20 && ids[2] == 30 && ids[3] == 99);
  CHECK_OK(fnet_graph_index_of(&idx, g, 30));
  CHECK(idx == 2);
  CHECK_STATUS(fnet_graph_index_of(&idx, g, 31), FNET_E_UNKNOWN_LABEL, "31");
  CHECK_OK(fnet_graph_edges(NULL, NULL, NULL, 0, &needed, g));
  CHECK(needed == 2);
  CHECK_OK(fnet_graph_edges(es, ed, ew, 2, &needed, g));
  CHECK(es[0] == 0 && ed[0] == 1 && es[1] == 1 && ed[1] == 2 && ew[0] == 1.0);
  CHECK_STATUS(fnet_graph_edges(es, NULL, ew, 2, &needed, g), FNET_E_NULL_ARGUMENT,
               "all output buffers or none");
  {
    /* Cascades on the path: from 10 size 3, depth 2, breadth 1, virality (3 + 1) / 3. */
    int64_t size[4], depth[4], breadth[4];
    double vir[4];
    CHECK_OK(fnet_graph_cascades(size, depth, breadth, vir, 4, &needed, g, NULL, 0, 1));
    CHECK(size[0] == 3 && depth[0] == 2 && breadth[0] == 1);
    CHECK_NEAR(vir[0], 4.0 / 3.0, 1e-12);
    CHECK(size[3] == 1 && vir[3] != vir[3]); /* NaN for a lone node */
  }
  {
    int64_t labels[4];
    size_t count = 0;
    CHECK_OK(fnet_graph_components(labels, 4, &needed, &count, g, 0));
    CHECK(count == 2 && labels[0] == 0 && labels[2] == 0 && labels[3] == 1);
    CHECK_OK(fnet_graph_components(labels, 4, &needed, &count, g, 1));
    CHECK(count == 4);
  }
  for (i = 0; i < 1; ++i) fnet_graph_destroy(g);
  fnet_graph_destroy(NULL);
}

static void test_policies(void) {
  const int64_t src[] = {1, 1, 2};
  const int64_t dst[] = {2, 2, 2};
  const double w[] = {1.5, 2.5, 1.0};
  fnet_graph* g = NULL;
  fnet_graph_options o = FNET_GRAPH_OPTIONS_INIT;
  size_t n = 0, m = 0, needed = 0;
  size_t es[3], ed[3];
  double ew[3];
  o.self_loops = FNET_SELF_LOOPS_DROP;
  CHECK_OK(fnet_graph_from_edges(&g, 3, src, dst, w, NULL, 0, NULL, &o));
  CHECK_OK(fnet_graph_sizes(&n, &m, g));
  CHECK(n == 2 && m == 1);
  CHECK_OK(fnet_graph_edges(es, ed, ew, 3, &needed, g));
  CHECK_NEAR(ew[0], 4.0, 1e-15); /* merged: summed weights */
  fnet_graph_destroy(g);
  g = NULL;
  o.self_loops = FNET_SELF_LOOPS_REJECT;
  CHECK_STATUS(fnet_graph_from_edges(&g, 3, src, dst, w, NULL, 0, NULL, &o), FNET_E_INVALID_ARGUMENT,
               "row 2");
  CHECK(g == NULL);
  o.self_loops = FNET_SELF_LOOPS_DROP;
  o.duplicates = FNET_DUPLICATES_REJECT;
  CHECK_STATUS(fnet_graph_from_edges(&g, 3, src, dst, w, NULL, 0, NULL, &o), FNET_E_DUPLICATE_LABEL,
               "rows 0 and 1");
  o.duplicates = 7;
  CHECK_STATUS(fnet_graph_from_edges(&g, 3, src, dst, w, NULL, 0, NULL, &o), FNET_E_INVALID_ARGUMENT,
               "duplicates");
  o.version = 99;
  CHECK_STATUS(fnet_graph_from_edges(&g, 3, src, dst, w, NULL, 0, NULL, &o), FNET_E_INVALID_ARGUMENT,
               "version");
  CHECK_STATUS(fnet_graph_from_edges(&g, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL), FNET_E_EMPTY_INPUT,
               "no edges");
  CHECK_STATUS(fnet_graph_from_edges(NULL, 3, src, dst, NULL, NULL, 0, NULL, NULL), FNET_E_NULL_ARGUMENT,
               "out");
  CHECK_STATUS(fnet_graph_from_edges(&g, 3, src, NULL, NULL, NULL, 0, NULL, NULL), FNET_E_NULL_ARGUMENT,
               "dst");
  {
    const double bad[] = {1.0, -1.0, 1.0};
    CHECK_STATUS(fnet_graph_from_edges(&g, 3, src, dst, bad, NULL, 0, NULL, NULL), FNET_E_INVALID_ARGUMENT,
                 "weight at row 1");
  }
  CHECK(g == NULL);
}

static void test_ranking(void) {
  /* 0 -> 1 with node 1 dangling, uniform dangling: x0 = 1 / (2 + alpha). */
  const int64_t src[] = {0};
  const int64_t dst[] = {1};
  fnet_graph* g = NULL;
  fnet_pagerank_options po = FNET_PAGERANK_OPTIONS_INIT;
  double x[2], zero[2] = {0, 0};
  size_t needed = 0;
  CHECK_OK(fnet_graph_from_edges(&g, 1, src, dst, NULL, NULL, 0, NULL, NULL));
  po.tolerance = 1e-15;
  CHECK_OK(fnet_graph_pagerank(x, 2, &needed, g, &po));
  CHECK_NEAR(x[0], 1.0 / 2.85, 1e-12);
  CHECK_NEAR(x[0] + x[1], 1.0, 1e-12);
  po.personalization = zero;
  CHECK_STATUS(fnet_graph_pagerank(x, 2, &needed, g, &po), FNET_E_INVALID_ARGUMENT,
               "personalization sums to 0");
  po.personalization = NULL;
  po.damping = 0.0;
  CHECK_STATUS(fnet_graph_pagerank(x, 2, &needed, g, &po), FNET_E_INVALID_ARGUMENT, "damping");
  po.damping = 0.85;
  po.dangling = FNET_DANGLING_CUSTOM;
  CHECK_STATUS(fnet_graph_pagerank(x, 2, &needed, g, &po), FNET_E_NULL_ARGUMENT, "dangling_weights");
  {
    /* Katz on 0 -> 1: x = (1, 1 + alpha) / norm. */
    fnet_katz_options ko = FNET_KATZ_OPTIONS_INIT;
    const double norm = sqrt(1.0 + 1.1 * 1.1);
    CHECK_OK(fnet_graph_katz(x, 2, &needed, g, &ko));
    CHECK_NEAR(x[0], 1.0 / norm, 1e-10);
    CHECK_NEAR(x[1], 1.1 / norm, 1e-10);
  }
  {
    double d[2];
    CHECK_OK(fnet_graph_degree(d, 2, &needed, g, FNET_DEGREE_IN, 0));
    CHECK(d[0] == 0.0 && d[1] == 1.0);
    CHECK_STATUS(fnet_graph_degree(d, 2, &needed, g, 5, 0), FNET_E_INVALID_ARGUMENT, "kind");
  }
  fnet_graph_destroy(g);
}

static void test_shared_data(void) {
  fnet_graph* g = NULL;
  size_t n = 0, m = 0, needed = 0, i;
  int64_t core[34];
  double bc[34];
  fnet_betweenness_options bo = FNET_BETWEENNESS_OPTIONS_INIT;
  int64_t maxcore = 0;
  CHECK_OK(fnet_graph_read_metis(&g, data_path("graphs/karate/karate.graph"), NULL));
  CHECK_OK(fnet_graph_sizes(&n, &m, g));
  CHECK(n == 34 && m == 156);
  CHECK_OK(fnet_graph_core_numbers(core, 34, &needed, g));
  for (i = 0; i < 34; ++i)
    if (core[i] > maxcore) maxcore = core[i];
  CHECK(maxcore == 8); /* karate's max undirected core is 4; both directions count: 8 */
  bo.normalized = 0;
  CHECK_OK(fnet_graph_betweenness(bc, 34, &needed, g, &bo));
  /* Undirected karate: node 1 (index 0) has betweenness 231.0714 (both directions: x2). */
  CHECK_NEAR(bc[0], 2 * 231.07142857142858, 1e-9);
  {
    size_t src_bad = 34;
    bo.sources = &src_bad;
    bo.n_sources = 1;
    CHECK_STATUS(fnet_graph_betweenness(bc, 34, &needed, g, &bo), FNET_E_OUT_OF_RANGE,
                 "sources[0] is node 34");
  }
  fnet_graph_destroy(g);
  g = NULL;
  {
    fnet_edge_list_options eo = FNET_EDGE_LIST_OPTIONS_INIT;
    int64_t labels[1005];
    size_t count = 0;
    CHECK_OK(fnet_graph_read_edge_list(&g, data_path("graphs/email-Eu-core/email-Eu-core.txt"), &eo));
    CHECK_OK(fnet_graph_sizes(&n, &m, g));
    CHECK(n == 1005 && m == 25571);
    CHECK_OK(fnet_graph_components(labels, 1005, &needed, &count, g, 0));
    CHECK(count == 20); /* SNAP: 986-node WCC plus 19 isolated nodes */
    CHECK_STATUS(fnet_graph_core_numbers(labels, 1005, &needed, g), FNET_E_INVALID_ARGUMENT, "self-loops");
    fnet_graph_destroy(g);
    g = NULL;
  }
  CHECK_STATUS(fnet_graph_read_edge_list(&g, "/nonexistent/x.txt", NULL), FNET_E_IO, "/nonexistent/x.txt");
  CHECK_STATUS(fnet_graph_read_metis(&g, data_path("graphs/wiki-Vote/wiki-Vote.txt"), NULL), FNET_E_FORMAT,
               "wiki-Vote.txt:");
  CHECK(g == NULL);
}

static void test_diffusion(void) {
  /* Star 0 -> 1..5 with p = 0.4: spread from {0} is 1 + 5 * 0.4 = 3. */
  const int64_t src[] = {0, 0, 0, 0, 0};
  const int64_t dst[] = {1, 2, 3, 4, 5};
  fnet_graph* g = NULL;
  fnet_probability_spec ps = FNET_PROBABILITY_SPEC_INIT;
  fnet_spread_options so = FNET_SPREAD_OPTIONS_INIT;
  fnet_imm_options io = FNET_IMM_OPTIONS_INIT;
  fnet_celf_options co = FNET_CELF_OPTIONS_INIT;
  double p[5], exact = 0, mean = 0, se = 0, mean2 = 0, est = 0;
  size_t needed = 0, seed0 = 0, seeds[8], chosen = 0, rr = 0;
  CHECK_OK(fnet_graph_from_edges(&g, 5, src, dst, NULL, NULL, 0, NULL, NULL));
  ps.kind = FNET_PROB_CONSTANT;
  ps.constant = 0.4;
  CHECK_OK(fnet_graph_edge_probabilities(p, 5, &needed, g, &ps));
  CHECK_OK(fnet_influence_exact(&exact, g, &seed0, 1, p, FNET_MODEL_IC));
  CHECK_NEAR(exact, 3.0, 1e-12);
  so.n_sims = 40000;
  so.seed = 3;
  so.threads = 1;
  CHECK_OK(fnet_influence_spread(&mean, &se, NULL, NULL, g, &seed0, 1, p, &so));
  CHECK(fabs(mean - 3.0) < 4 * se && se > 0);
  so.threads = 4;
  CHECK_OK(fnet_influence_spread(&mean2, NULL, NULL, NULL, g, &seed0, 1, p, &so));
  CHECK(mean == mean2);
  CHECK_OK(fnet_influence_imm(seeds, 6, &chosen, &est, &rr, g, 1, p, &io));
  CHECK(chosen == 1 && seeds[0] == 0 && rr > 0);
  CHECK_NEAR(est, 3.0, 0.3);
  co.n_sims = 2000;
  CHECK_OK(fnet_influence_celf(seeds, 6, &chosen, &est, g, 1, p, &co));
  CHECK(chosen == 1 && seeds[0] == 0);
  /* Bad input. */
  CHECK_STATUS(fnet_influence_imm(seeds, 8, &chosen, &est, &rr, g, 7, p, &io), FNET_E_OUT_OF_RANGE, "k = 7");
  /* A short seeds buffer gets what fits, *n_chosen the number chosen; a NULL buffer is a size query. */
  CHECK_OK(fnet_influence_imm(seeds, 8, &chosen, &est, &rr, g, 2, p, &io));
  CHECK(chosen == 2 && seeds[0] == 0);
  seeds[0] = seeds[1] = 99;
  chosen = 0;
  CHECK_STATUS(fnet_influence_imm(seeds, 1, &chosen, &est, &rr, g, 2, p, &io), FNET_E_BUFFER_TOO_SMALL,
               "2 seeds were chosen");
  CHECK(chosen == 2 && seeds[0] == 0 && seeds[1] == 99);
  chosen = 0;
  CHECK_OK(fnet_influence_imm(NULL, 0, &chosen, &est, &rr, g, 2, p, &io));
  CHECK(chosen == 2);
  chosen = 0;
  CHECK_STATUS(fnet_influence_celf(seeds, 1, &chosen, &est, g, 2, p, &co), FNET_E_BUFFER_TOO_SMALL,
               "2 seeds were chosen");
  CHECK(chosen == 2 && seeds[0] == 0);
  p[2] = NAN;
  CHECK_STATUS(fnet_influence_spread(&mean, &se, NULL, NULL, g, &seed0, 1, p, &so), FNET_E_INVALID_ARGUMENT,
               "edge 2 (0 -> 3)");
  p[2] = 1.5;
  CHECK_STATUS(fnet_influence_exact(&exact, g, &seed0, 1, p, FNET_MODEL_IC), FNET_E_INVALID_ARGUMENT, "1.5");
  p[2] = 0.4;
  seed0 = 6;
  CHECK_STATUS(fnet_influence_spread(&mean, &se, NULL, NULL, g, &seed0, 1, p, &so), FNET_E_OUT_OF_RANGE,
               "seeds[0] is node 6");
  seed0 = 0;
  so.model = 9;
  CHECK_STATUS(fnet_influence_spread(&mean, &se, NULL, NULL, g, &seed0, 1, p, &so), FNET_E_INVALID_ARGUMENT,
               "model");
  ps.kind = FNET_PROB_GIVEN;
  CHECK_STATUS(fnet_graph_edge_probabilities(p, 5, &needed, g, &ps), FNET_E_NULL_ARGUMENT, "per_edge");
  fnet_graph_destroy(g);
  {
    /* LT in-weights above 1: two parents with 0.7 each. */
    const int64_t s2[] = {0, 1};
    const int64_t d2[] = {2, 2};
    const double q[] = {0.7, 0.7};
    size_t sd = 0;
    g = NULL;
    CHECK_OK(fnet_graph_from_edges(&g, 2, s2, d2, NULL, NULL, 0, NULL, NULL));
    so.model = FNET_MODEL_LT;
    CHECK_STATUS(fnet_influence_spread(&mean, &se, NULL, NULL, g, &sd, 1, q, &so), FNET_E_INVALID_ARGUMENT,
                 "LT in-weights of node 2 sum to 1.4");
    fnet_graph_destroy(g);
  }
}

static void test_activation_times(void) {
  /* Path 0 -> 1 -> 2 with p = 1 and delays 2, 3: activations at times 0, 2 and 5. */
  const int64_t src[] = {0, 1};
  const int64_t dst[] = {1, 2};
  const double p[] = {1.0, 1.0}, delay[] = {2.0, 3.0}, bins[] = {0.0, 1.0, 3.0, 6.0}, bad[] = {2.0, -3.0};
  double hist[3] = {0, 0, 0};
  size_t needed = 0, seed0 = 0;
  fnet_graph* g = NULL;
  fnet_spread_options so = FNET_SPREAD_OPTIONS_INIT;
  so.n_sims = 10;
  CHECK_OK(fnet_graph_from_edges(&g, 2, src, dst, NULL, NULL, 0, NULL, NULL));
  CHECK_OK(fnet_influence_activation_times(NULL, 0, &needed, g, &seed0, 1, p, delay, bins, 4, &so));
  CHECK(needed == 3);
  CHECK_OK(fnet_influence_activation_times(hist, 3, &needed, g, &seed0, 1, p, delay, bins, 4, &so));
  CHECK(hist[0] == 1.0 && hist[1] == 1.0 && hist[2] == 1.0);
  CHECK_STATUS(fnet_influence_activation_times(hist, 3, &needed, g, &seed0, 1, p, bad, bins, 4, &so),
               FNET_E_INVALID_ARGUMENT, "delay of edge 1");
  CHECK_STATUS(fnet_influence_activation_times(hist, 3, &needed, g, &seed0, 1, p, delay, bins, 1, &so),
               FNET_E_INVALID_ARGUMENT, "at least 2");
  fnet_graph_destroy(g);
}

static int stop_at_once(void* user, uint64_t done, uint64_t total) {
  (void)done;
  (void)total;
  ++*(int*)user;
  return 1;
}

static void test_cancel(void) {
  const int64_t src[] = {0, 1, 2};
  const int64_t dst[] = {1, 2, 0};
  fnet_graph* g = NULL;
  fnet_spread_options so = FNET_SPREAD_OPTIONS_INIT;
  double p[3] = {0.5, 0.5, 0.5}, mean = 0;
  size_t seed0 = 0;
  int calls = 0;
  CHECK_OK(fnet_graph_from_edges(&g, 3, src, dst, NULL, NULL, 0, NULL, NULL));
  so.progress = stop_at_once;
  so.user_data = &calls;
  CHECK_STATUS(fnet_influence_spread(&mean, NULL, NULL, NULL, g, &seed0, 1, p, &so), FNET_E_CANCELLED,
               "cancelled");
  CHECK(calls >= 1);
  fnet_graph_destroy(g);
}

int main(void) {
  test_build_and_inspect();
  test_policies();
  test_ranking();
  test_shared_data();
  test_diffusion();
  test_cancel();
  test_activation_times();
  return check_report("graph_abi");
}
