/* Model files through the C ABI for the graph, customers and attribution handles:
 * save/load/to_json/from_json round trips give the same answers as the original (the
 * oracle), and bad input gives typed statuses naming the problem. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "funnelnet.h"

/* The object's JSON through the two-call pattern (caller frees). */
#define JSON_OF(fn, obj, out)                  \
  do {                                         \
    size_t need_ = 0;                          \
    CHECK_OK(fn(NULL, 0, &need_, (obj)));      \
    (out) = (char*)malloc(need_);              \
    CHECK_OK(fn((out), need_, &need_, (obj))); \
    CHECK(strlen(out) + 1 == need_);           \
  } while (0)

static void graph_files(const char* dir) {
  const int64_t src[] = {30, 10, 10, 20}, dst[] = {10, 20, 30, 30};
  const double w[] = {0.25, 1.0 / 3.0, 2.0, 5.5};
  fnet_graph *g = NULL, *b = NULL, *c = NULL;
  char *text = NULL, *text2 = NULL, path[512];
  size_t s1[4], d1[4], s2[4], d2[4], n = 0, m = 0;
  double w1[4], w2[4], pr1[3], pr2[3];
  CHECK_OK(fnet_graph_from_edges(&g, 4, src, dst, w, NULL, 0, NULL, NULL));
  JSON_OF(fnet_graph_to_json, g, text);
  CHECK(strstr(text, "\"kind\":\"referral_graph\"") != NULL);
  CHECK_OK(fnet_graph_from_json(&b, text));
  snprintf(path, sizeof path, "%sgraph.json", dir);
  CHECK_OK(fnet_graph_save(g, path));
  CHECK_OK(fnet_graph_load(&c, path));
  CHECK_OK(fnet_graph_sizes(&n, &m, c));
  CHECK(n == 3 && m == 4);
  CHECK_OK(fnet_graph_edges(s1, d1, w1, 4, &m, g));
  CHECK_OK(fnet_graph_edges(s2, d2, w2, 4, &m, c));
  CHECK(memcmp(s1, s2, sizeof s1) == 0 && memcmp(d1, d2, sizeof d1) == 0 && memcmp(w1, w2, sizeof w1) == 0);
  CHECK_OK(fnet_graph_pagerank(pr1, 3, &n, g, NULL));
  CHECK_OK(fnet_graph_pagerank(pr2, 3, &n, b, NULL));
  CHECK(memcmp(pr1, pr2, sizeof pr1) == 0);
  JSON_OF(fnet_graph_to_json, c, text2);
  CHECK(strcmp(text, text2) == 0);
  /* bad input: typed statuses, the message names the culprit, *out untouched */
  {
    fnet_graph* untouched = NULL;
    char small[8];
    size_t need = 0;
    CHECK_STATUS(fnet_graph_to_json(small, sizeof small, &need, g), FNET_E_BUFFER_TOO_SMALL, "needed");
    CHECK_STATUS(fnet_graph_from_json(&untouched,
                                      "{\"format\":\"funnelnet\",\"version\":9,\"kind\":\"referral_graph\"}"),
                 FNET_E_FORMAT, "unsupported model file version 9");
    CHECK_STATUS(
        fnet_graph_from_json(&untouched, "{\"format\":\"funnelnet\",\"version\":1,\"kind\":\"gamma_gamma\"}"),
        FNET_E_FORMAT, "expected a 'referral_graph'");
    CHECK_STATUS(fnet_graph_from_json(&untouched, "[1,"), FNET_E_FORMAT, "not valid JSON");
    CHECK_STATUS(fnet_graph_from_json(&untouched, NULL), FNET_E_NULL_ARGUMENT, "json");
    CHECK_STATUS(fnet_graph_load(&untouched, "/nonexistent/graph.json"), FNET_E_IO,
                 "/nonexistent/graph.json");
    CHECK_STATUS(fnet_graph_save(NULL, path), FNET_E_NULL_ARGUMENT, "object");
    CHECK(untouched == NULL);
  }
  free(text);
  free(text2);
  fnet_graph_destroy(g);
  fnet_graph_destroy(b);
  fnet_graph_destroy(c);
}

static void customer_files(const char* dir) {
  const double p[] = {0.243, 4.414, 0.793, 2.426}, gp[] = {6.25, 3.74, 15.44};
  const double x[] = {0, 2, 5, 1}, tx[] = {0, 10, 30, 4}, T[] = {40, 40, 38, 20}, spend[] = {0, 20, 35.5, 12};
  double pa[4], pb[4], ea[4], eb[4], params[4];
  fnet_repeat_model *m = NULL, *b = NULL;
  fnet_gamma_gamma *g = NULL, *gb = NULL;
  char *text = NULL, path[512];
  size_t need = 0;
  int status = -1;
  CHECK_OK(fnet_repeat_create(&m, FNET_REPEAT_PARETO_NBD, p));
  snprintf(path, sizeof path, "%srepeat.json", dir);
  CHECK_OK(fnet_repeat_save(m, path));
  CHECK_OK(fnet_repeat_load(&b, path));
  CHECK_OK(fnet_repeat_params(params, 4, &need, b));
  CHECK(memcmp(params, p, sizeof p) == 0);
  CHECK_OK(fnet_repeat_report(&status, NULL, NULL, NULL, b));
  CHECK(status == FNET_FIT_CONVERGED);
  CHECK_OK(fnet_repeat_p_alive(pa, m, 4, x, tx, T));
  CHECK_OK(fnet_repeat_p_alive(pb, b, 4, x, tx, T));
  CHECK(memcmp(pa, pb, sizeof pa) == 0);
  JSON_OF(fnet_repeat_to_json, m, text);
  CHECK(strstr(text, "\"model\":\"pareto_nbd\"") != NULL);
  {
    fnet_repeat_model* untouched = NULL;
    char* bad = (char*)malloc(strlen(text) + 8);
    char* at;
    strcpy(bad, text);
    at = strstr(bad, "pareto_nbd");
    memcpy(at, "pareto_xyz", 10);
    CHECK_STATUS(fnet_repeat_from_json(&untouched, bad), FNET_E_FORMAT, "'pareto_xyz'");
    CHECK(untouched == NULL);
    free(bad);
  }
  free(text);
  CHECK_OK(fnet_gamma_gamma_create(&g, gp));
  JSON_OF(fnet_gamma_gamma_to_json, g, text);
  CHECK_OK(fnet_gamma_gamma_from_json(&gb, text));
  CHECK_OK(fnet_gamma_gamma_expected_spend(ea, g, 4, x, spend));
  CHECK_OK(fnet_gamma_gamma_expected_spend(eb, gb, 4, x, spend));
  CHECK(memcmp(ea, eb, sizeof ea) == 0);
  CHECK_STATUS(fnet_repeat_from_json(&b, text), FNET_E_FORMAT, "expected a 'repeat_model'");
  free(text);
  fnet_repeat_destroy(m);
  fnet_repeat_destroy(b);
  fnet_gamma_gamma_destroy(g);
  fnet_gamma_gamma_destroy(gb);
}

static void tier_files(const char* dir) {
  const char* names[] = {"A", "B", "lost"};
  const unsigned char absorbing[] = {0, 0, 1};
  const int64_t customer[] = {1, 1, 1, 2, 2, 3, 3};
  const int64_t period[] = {0, 1, 2, 0, 1, 1, 2};
  const int32_t tier[] = {0, 1, 1, 1, 2, 1, 0};
  fnet_tier_migration *tm = NULL, *b = NULL;
  double m1[9], m2[9], c1[9], c2[9];
  size_t need = 0, cust1 = 0, late1 = 0, cust2 = 0, late2 = 0;
  char path[512];
  CHECK_OK(fnet_tier_migration_fit(&tm, 3, names, absorbing, 7, customer, period, tier, NULL, 1, NULL));
  snprintf(path, sizeof path, "%stiers.json", dir);
  CHECK_OK(fnet_tier_migration_save(tm, path));
  CHECK_OK(fnet_tier_migration_load(&b, path));
  CHECK_OK(fnet_tier_migration_matrix(m1, 9, &need, tm, 0));
  CHECK_OK(fnet_tier_migration_matrix(m2, 9, &need, b, 0));
  CHECK_OK(fnet_tier_migration_counts(c1, 9, &need, tm, 0));
  CHECK_OK(fnet_tier_migration_counts(c2, 9, &need, b, 0));
  CHECK(memcmp(m1, m2, sizeof m1) == 0 && memcmp(c1, c2, sizeof c1) == 0);
  CHECK_OK(fnet_tier_migration_customers(&cust1, &late1, tm, 0));
  CHECK_OK(fnet_tier_migration_customers(&cust2, &late2, b, 0));
  CHECK(cust1 == 3 && cust2 == 3 && late1 == late2 && late1 == 1);
  fnet_tier_migration_destroy(tm);
  fnet_tier_migration_destroy(b);
}

static void attribution_files(const char* dir) {
  const char* names[] = {"search", "email", "display"};
  const int64_t offsets[] = {0, 3, 5, 6};
  const int32_t ids[] = {0, 2, 0, 1, 0, 2};
  const double conv[] = {3, 2, 0}, nulls[] = {1, 4, 5};
  fnet_paths* paths = NULL;
  fnet_attribution_markov *m = NULL, *b = NULL;
  double re1[3], re2[3], p1 = 0, p2 = 0, v1 = 0, v2 = 0;
  size_t need = 0;
  char *text = NULL, *text2 = NULL, path[512];
  CHECK_OK(fnet_paths_create(&paths, 3, names, 3, offsets, ids, conv, nulls, NULL, ">"));
  CHECK_OK(fnet_attribution_markov_fit(&m, paths, NULL));
  snprintf(path, sizeof path, "%smarkov.json", dir);
  CHECK_OK(fnet_attribution_markov_save(m, path));
  CHECK_OK(fnet_attribution_markov_load(&b, path));
  CHECK_OK(fnet_attribution_markov_removal_effects(re1, 3, &need, m));
  CHECK_OK(fnet_attribution_markov_removal_effects(re2, 3, &need, b));
  CHECK(memcmp(re1, re2, sizeof re1) == 0);
  CHECK_OK(fnet_attribution_markov_conversion_probability(&p1, &v1, m));
  CHECK_OK(fnet_attribution_markov_conversion_probability(&p2, &v2, b));
  CHECK(p1 == p2 && v1 == v2);
  JSON_OF(fnet_attribution_markov_to_json, m, text);
  JSON_OF(fnet_attribution_markov_to_json, b, text2);
  CHECK(strcmp(text, text2) == 0);
  fnet_attribution_markov_destroy(b);
  b = NULL;
  CHECK_OK(fnet_attribution_markov_from_json(&b, text));
  CHECK_STATUS(fnet_attribution_markov_from_json(
                   &b, "{\"format\":\"funnelnet\",\"version\":1,\"kind\":\"markov_attribution\"}"),
               FNET_E_FORMAT, "missing field 'channels'");
  free(text);
  free(text2);
  fnet_attribution_markov_destroy(m);
  fnet_attribution_markov_destroy(b);
  fnet_paths_destroy(paths);
}

/* The loaders' size limit (issue 17): a file one byte over fnet_max_file_bytes() is
 * refused with FNET_E_IO naming its size and the limit, before it is read; at the limit
 * it loads.  The graph saved by graph_files is the model file. */
static void size_limit(const char* dir) {
  char path[512], edges[512], want[128];
  uint64_t limit = 0, prev = 0, size = 0;
  fnet_graph *g = NULL, *untouched = NULL;
  FILE* f;
  CHECK_OK(fnet_max_file_bytes(&limit));
  CHECK(limit == ((uint64_t)1 << 31));
  snprintf(path, sizeof path, "%sgraph.json", dir);
  f = fopen(path, "rb");
  CHECK(f != NULL);
  if (f == NULL) return;
  fseek(f, 0, SEEK_END);
  size = (uint64_t)ftell(f);
  fclose(f);
  CHECK_OK(fnet_set_max_file_bytes(&prev, size));
  CHECK(prev == limit);
  CHECK_OK(fnet_graph_load(&g, path));
  fnet_graph_destroy(g);
  g = NULL;
  CHECK_OK(fnet_set_max_file_bytes(NULL, size - 1));
  snprintf(want, sizeof want, "%llu bytes, over the limit of %llu", (unsigned long long)size,
           (unsigned long long)(size - 1));
  CHECK_STATUS(fnet_graph_load(&untouched, path), FNET_E_IO, want);
  /* an edge list of 12 bytes */
  snprintf(edges, sizeof edges, "%sedges.txt", dir);
  f = fopen(edges, "wb");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs("1 2\n2 3\n3 1\n", f);
  fclose(f);
  CHECK_OK(fnet_set_max_file_bytes(NULL, 11));
  CHECK_STATUS(fnet_graph_read_edge_list(&untouched, edges, NULL), FNET_E_IO,
               "12 bytes, over the limit of 11");
  CHECK_STATUS(fnet_graph_read_metis(&untouched, edges, NULL), FNET_E_IO, "12 bytes, over the limit of 11");
  CHECK_OK(fnet_set_max_file_bytes(NULL, 12));
  CHECK_OK(fnet_graph_read_edge_list(&g, edges, NULL));
  fnet_graph_destroy(g);
  /* 0 is refused and changes nothing */
  CHECK_STATUS(fnet_set_max_file_bytes(&prev, 0), FNET_E_INVALID_ARGUMENT, "got 0");
  CHECK_OK(fnet_max_file_bytes(&size));
  CHECK(size == 12);
  CHECK_STATUS(fnet_max_file_bytes(NULL), FNET_E_NULL_ARGUMENT, "out");
  CHECK_OK(fnet_set_max_file_bytes(NULL, limit));
  CHECK(untouched == NULL);
  remove(edges);
}

int main(void) {
  /* Files are "<dir>/<name>.json" with dir a unique-enough prefix in /tmp (C99: no mkdtemp). */
  char dir[64];
  const char* files[] = {"graph", "repeat", "tiers", "markov"};
  size_t i;
  srand((unsigned)time(NULL));
  snprintf(dir, sizeof dir, "/tmp/fnet_model_files_%ld_", (long)rand());
  graph_files(dir);
  customer_files(dir);
  tier_files(dir);
  attribution_files(dir);
  size_limit(dir);
  for (i = 0; i < 4; ++i) {
    char path[512];
    snprintf(path, sizeof path, "%s%s.json", dir, files[i]);
    remove(path);
  }
  return check_report("model_files_abi");
}
