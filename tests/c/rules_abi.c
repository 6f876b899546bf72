/* The C ABI's uniform rules (pure C99): typed enums from one table (names, values, and
 * out-of-range values rejected with the valid names), result handles that agree exactly
 * with the one-shot calls and match closed forms, capacities on every output, and the
 * hardening of CSR inputs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

static void test_enum_lookup(void) {
  const char* name = NULL;
  int value = -1;
  /* The 0.1 #define values (the ABI): the enums keep them. */
  CHECK(FNET_REPEATS_KEEP == 0 && FNET_REPEATS_COLLAPSE == 1);
  CHECK(FNET_EMPTY_ROWS_ERROR == 0 && FNET_EMPTY_ROWS_ABSORBING == 1 && FNET_EMPTY_ROWS_UNIFORM == 2);
  CHECK(FNET_HEURISTIC_FIRST_TOUCH == 0 && FNET_HEURISTIC_POSITION_BASED == 4 && FNET_HEURISTIC_COUNT == 5);
  CHECK(FNET_REPEAT_BETA_GEO == 0 && FNET_REPEAT_PARETO_NBD == 1);
  CHECK(FNET_FIT_CONVERGED == 0 && FNET_FIT_NOT_FINITE == 3);
  CHECK(FNET_FUTURE_ERROR == 0 && FNET_FUTURE_DROP == 1);
  CHECK(FNET_SUMMARY_FREQUENCY == 0 && FNET_SUMMARY_MONETARY_VALUE_HOLDOUT == 5);
  CHECK(FNET_NORMALIZE_NONE == 0 && FNET_NORMALIZE_ZSCORE == 2);
  CHECK(FNET_GAPS_ERROR == 0 && FNET_GAPS_SKIP == 1);
  CHECK(FNET_SELF_LOOPS_KEEP == 0 && FNET_SELF_LOOPS_REJECT == 2);
  CHECK(FNET_DUPLICATES_KEEP == 0 && FNET_DUPLICATES_MERGE == 1 && FNET_DUPLICATES_REJECT == 2);
  CHECK(FNET_DEGREE_OUT == 0 && FNET_DEGREE_TOTAL == 2);
  CHECK(FNET_DANGLING_PERSONALIZATION == 0 && FNET_DANGLING_CUSTOM == 2);
  CHECK(FNET_MODEL_IC == 0 && FNET_MODEL_LT == 1);
  CHECK(FNET_PROB_CONSTANT == 0 && FNET_PROB_LEARNED == 4);
  /* Every enum is int-sized (the ABI of the 0.1 int parameters). */
  CHECK(sizeof(fnet_repeats) == sizeof(int) && sizeof(fnet_model) == sizeof(int));
  CHECK(sizeof(fnet_probability_kind) == sizeof(int) && sizeof(fnet_summary_column) == sizeof(int));

  CHECK_OK(fnet_enum_name(&name, "fnet_repeats", FNET_REPEATS_COLLAPSE));
  CHECK(name != NULL && strcmp(name, "collapse") == 0);
  CHECK_OK(fnet_enum_name(&name, "fnet_probability_kind", FNET_PROB_WEIGHTED_CASCADE));
  CHECK(strcmp(name, "weighted_cascade") == 0);
  CHECK_OK(fnet_enum_value(&value, "fnet_model", "lt"));
  CHECK(value == FNET_MODEL_LT);
  CHECK_OK(fnet_enum_value(&value, "fnet_model", "FNET_MODEL_IC"));
  CHECK(value == FNET_MODEL_IC);
  CHECK_OK(fnet_enum_value(&value, "fnet_summary_column", "T"));
  CHECK(value == FNET_SUMMARY_T);
  /* Round trip of every value of one enum. */
  for (value = FNET_SUMMARY_FREQUENCY; value <= FNET_SUMMARY_MONETARY_VALUE_HOLDOUT; ++value) {
    int back = -1;
    CHECK_OK(fnet_enum_name(&name, "fnet_summary_column", value));
    CHECK_OK(fnet_enum_value(&back, "fnet_summary_column", name));
    CHECK(back == value);
  }
  name = NULL;
  CHECK_STATUS(fnet_enum_name(&name, "fnet_repeats", 2), FNET_E_INVALID_ARGUMENT,
               "FNET_REPEATS_KEEP (0), FNET_REPEATS_COLLAPSE (1)");
  CHECK(name == NULL);
  value = 42;
  CHECK_STATUS(fnet_enum_value(&value, "fnet_model", "sir"), FNET_E_UNKNOWN_LABEL,
               "'sir' is not a fnet_model: valid names are FNET_MODEL_IC (0), FNET_MODEL_LT (1)");
  CHECK(value == 42);
  CHECK_STATUS(fnet_enum_name(&name, "fnet_colour", 0), FNET_E_UNKNOWN_LABEL,
               "fnet_repeats, fnet_empty_rows");
  CHECK_STATUS(fnet_enum_name(NULL, "fnet_repeats", 0), FNET_E_NULL_ARGUMENT, "out");
  CHECK_STATUS(fnet_enum_value(&value, NULL, "keep"), FNET_E_NULL_ARGUMENT, "enum_type");
}

static void test_enum_out_of_range(void) {
  const char* names[] = {"a", "b", "won"};
  const unsigned char absorbing[] = {0, 0, 1};
  const int64_t offsets[] = {0, 3};
  const int32_t ids[] = {0, 1, 2};
  const int64_t src[] = {1, 2}, dst[] = {2, 3};
  const double params[4] = {1, 1, 1, 1};
  fnet_stages* s = NULL;
  fnet_counts* c = NULL;
  fnet_graph* g = NULL;
  fnet_graph_options go = FNET_GRAPH_OPTIONS_INIT;
  fnet_repeat_model* rm = NULL;
  fnet_exposure* e = NULL;
  fnet_ctmc* q = NULL;
  fnet_fit_options fo = FNET_FIT_OPTIONS_INIT;
  fnet_chain* chain = NULL;
  fnet_probability_spec ps = FNET_PROBABILITY_SPEC_INIT;
  fnet_spread_options so = FNET_SPREAD_OPTIONS_INIT;
  double deg[3], p[2], mean = 0;
  size_t needed = 0, seed = 0;
  const double ecounts[9] = {0, 1, 0, 0, 0, 1, 0, 0, 0}, exposure[3] = {1, 1, 0};

  CHECK_OK(fnet_stages_create(&s, 3, names, absorbing));
  CHECK_STATUS(fnet_counts_from_paths(&c, s, 1, offsets, ids, NULL, (fnet_repeats)7), FNET_E_INVALID_ARGUMENT,
               "repeats is 7, not a valid fnet_repeats: valid values are FNET_REPEATS_KEEP (0), "
               "FNET_REPEATS_COLLAPSE (1)");
  CHECK(c == NULL);
  CHECK_STATUS(fnet_counts_from_paths(&c, s, 1, offsets, ids, NULL, (fnet_repeats)-1),
               FNET_E_INVALID_ARGUMENT, "repeats is -1");
  CHECK_OK(fnet_counts_from_paths(&c, s, 1, offsets, ids, NULL, FNET_REPEATS_KEEP));
  fo.empty_rows = (fnet_empty_rows)3;
  CHECK_STATUS(fnet_chain_fit(&chain, c, &fo), FNET_E_INVALID_ARGUMENT,
               "fnet_fit_options.empty_rows is 3, not a valid fnet_empty_rows: valid values are "
               "FNET_EMPTY_ROWS_ERROR (0), FNET_EMPTY_ROWS_ABSORBING (1), FNET_EMPTY_ROWS_UNIFORM (2)");
  CHECK(chain == NULL);
  /* A valid enum value the function does not accept is named too. */
  CHECK_OK(fnet_exposure_create(&e, s, ecounts, exposure));
  CHECK_STATUS(fnet_ctmc_fit(&q, e, FNET_EMPTY_ROWS_UNIFORM), FNET_E_INVALID_ARGUMENT, "got uniform (2)");
  CHECK(q == NULL);
  CHECK_STATUS(fnet_ctmc_fit(&q, e, (fnet_empty_rows)9), FNET_E_INVALID_ARGUMENT, "empty_rows is 9");

  go.self_loops = (fnet_self_loops)5;
  CHECK_STATUS(fnet_graph_from_edges(&g, 2, src, dst, NULL, NULL, 0, NULL, &go), FNET_E_INVALID_ARGUMENT,
               "fnet_graph_options.self_loops is 5, not a valid fnet_self_loops: valid values are "
               "FNET_SELF_LOOPS_KEEP (0), FNET_SELF_LOOPS_DROP (1), FNET_SELF_LOOPS_REJECT (2)");
  CHECK(g == NULL);
  CHECK_OK(fnet_graph_from_edges(&g, 2, src, dst, NULL, NULL, 0, NULL, NULL));
  CHECK_STATUS(fnet_graph_degree(deg, 3, &needed, g, (fnet_degree_kind)3, 0), FNET_E_INVALID_ARGUMENT,
               "FNET_DEGREE_OUT (0), FNET_DEGREE_IN (1), FNET_DEGREE_TOTAL (2)");
  ps.kind = (fnet_probability_kind)9;
  CHECK_STATUS(fnet_graph_edge_probabilities(p, 2, &needed, g, &ps), FNET_E_INVALID_ARGUMENT,
               "fnet_probability_spec.kind is 9, not a valid fnet_probability_kind");
  ps.kind = FNET_PROB_CONSTANT;
  ps.constant = 0.5;
  CHECK_OK(fnet_graph_edge_probabilities(p, 2, &needed, g, &ps));
  so.model = (fnet_model)2;
  CHECK_STATUS(fnet_influence_spread(&mean, NULL, NULL, NULL, g, &seed, 1, p, &so), FNET_E_INVALID_ARGUMENT,
               "fnet_spread_options.model is 2, not a valid fnet_model: valid values are FNET_MODEL_IC (0), "
               "FNET_MODEL_LT (1)");
  CHECK_STATUS(fnet_influence_exact(&mean, g, &seed, 1, p, (fnet_model)-3), FNET_E_INVALID_ARGUMENT,
               "model is -3");
  CHECK_STATUS(fnet_repeat_create(&rm, (fnet_repeat_kind)3, params), FNET_E_INVALID_ARGUMENT,
               "kind is 3, not a valid fnet_repeat_kind: valid values are FNET_REPEAT_BETA_GEO (0), "
               "FNET_REPEAT_PARETO_NBD (1), FNET_REPEAT_BETA_GEO_BETA_BINOM (2)");
  CHECK(rm == NULL);

  fnet_graph_destroy(g);
  fnet_exposure_destroy(e);
  fnet_counts_destroy(c);
  fnet_stages_destroy(s);
}

static void test_sensitivity_handle(void) {
  /* Drunkard's walk 0..4 (0 lost, 4 won) from 2: h_i = i/4, expected visits from 2 are
   * (1, 2, 1) on the inner states, dF/dP[i][j] = u_i h_j (closed forms). */
  const char* dn[] = {"lost", "1", "2", "3", "won"};
  const unsigned char ab[] = {1, 0, 0, 0, 1};
  const double dp[25] = {1, 0, 0, 0, 0, .5, 0, .5, 0, 0, 0, .5, 0, .5, 0, 0, 0, .5, 0, .5, 0, 0, 0, 0, 1};
  const double start[5] = {0, 0, 1, 0, 0};
  const double values[5] = {0, 0, 0, 0, 1};
  const double bad_start[5] = {0, 0, 0.5, 0, 0};
  fnet_stages* s = NULL;
  fnet_chain* c = NULL;
  fnet_sensitivity* h = NULL;
  double value = 0, v1 = 0, grad[25], el[25], g1[25], e1[25], hv[5], u[5];
  size_t from[6], to[6], f1[6], t1[6], n = 0, nb = 0, needed = 0;
  double rel[6], r1[6], bp[6], bg[6];
  int i;
  CHECK_OK(fnet_stages_create(&s, 5, dn, ab));
  CHECK_OK(fnet_chain_create(&c, s, dp, 0));
  CHECK_OK(fnet_sensitivity_analyze(&h, c, start, values));
  CHECK_OK(fnet_sensitivity_sizes(&n, &nb, h));
  CHECK(n == 5 && nb == 6);
  CHECK_OK(fnet_sensitivity_value(&value, h));
  CHECK_NEAR(value, 0.5, 1e-14);
  CHECK_OK(fnet_sensitivity_state_values(hv, 5, &needed, h));
  for (i = 0; i < 5; ++i) CHECK_NEAR(hv[i], i / 4.0, 1e-14);
  CHECK_OK(fnet_sensitivity_visits(u, 5, &needed, h));
  CHECK_NEAR(u[1], 1, 1e-12);
  CHECK_NEAR(u[2], 2, 1e-12);
  CHECK_NEAR(u[3], 1, 1e-12);
  needed = 0;
  CHECK_OK(fnet_sensitivity_gradient(NULL, 0, &needed, h));
  CHECK(needed == 25);
  CHECK_OK(fnet_sensitivity_gradient(grad, 25, &needed, h));
  CHECK_NEAR(grad[3 * 5 + 4], 1.0 * 1.0, 1e-12);
  CHECK_NEAR(grad[2 * 5 + 3], 2.0 * 0.75, 1e-12);
  CHECK_NEAR(grad[1 * 5 + 2], 1.0 * 0.5, 1e-12);
  CHECK_OK(fnet_sensitivity_elasticity(el, 25, &needed, h));
  CHECK_NEAR(el[3 * 5 + 4], 0.125, 1e-12);
  CHECK_STATUS(fnet_sensitivity_elasticity(el, 24, &needed, h), FNET_E_BUFFER_TOO_SMALL,
               "24 elements, 25 needed");
  CHECK(needed == 25);
  CHECK_OK(fnet_sensitivity_bottleneck_from(from, 6, &needed, h));
  CHECK_OK(fnet_sensitivity_bottleneck_to(to, 6, &needed, h));
  CHECK_OK(fnet_sensitivity_bottleneck_elasticity(rel, 6, &needed, h));
  CHECK_OK(fnet_sensitivity_bottleneck_probability(bp, 6, &needed, h));
  CHECK_OK(fnet_sensitivity_bottleneck_gradient(bg, 6, &needed, h));
  CHECK_STATUS(fnet_sensitivity_bottleneck_to(to, 5, &needed, h), FNET_E_BUFFER_TOO_SMALL, "6 needed");
  /* The handle agrees exactly with the one-shot calls. */
  CHECK_OK(fnet_chain_sensitivity(&v1, g1, e1, 25, &needed, c, start, values));
  CHECK(v1 == value);
  CHECK(memcmp(g1, grad, sizeof grad) == 0 && memcmp(e1, el, sizeof el) == 0);
  CHECK_OK(fnet_chain_bottlenecks(f1, t1, r1, 6, &needed, c, start, values));
  CHECK(memcmp(f1, from, sizeof from) == 0 && memcmp(t1, to, sizeof to) == 0 &&
        memcmp(r1, rel, sizeof rel) == 0);
  for (i = 0; i < 6; ++i) {
    CHECK(bp[i] == dp[from[i] * 5 + to[i]]);
    CHECK(bg[i] == grad[from[i] * 5 + to[i]]);
  }
  fnet_sensitivity_destroy(h);
  h = NULL;
  CHECK_STATUS(fnet_sensitivity_analyze(&h, c, bad_start, values), FNET_E_INVALID_ARGUMENT, "sums to 0.5");
  CHECK(h == NULL);
  CHECK_STATUS(fnet_sensitivity_analyze(&h, NULL, start, values), FNET_E_NULL_ARGUMENT, "chain");
  CHECK_STATUS(fnet_sensitivity_value(&value, NULL), FNET_E_NULL_ARGUMENT, "analysis");
  fnet_sensitivity_destroy(NULL);
  fnet_chain_destroy(c);
  fnet_stages_destroy(s);
}

static void test_cascades_handle(void) {
  /* 10 -> 11, 10 -> 12, 10 -> 13, 11 -> 14: from 10 size 5, depth 2, breadth 3. */
  const int64_t src[] = {10, 10, 10, 11}, dst[] = {11, 12, 13, 14};
  fnet_graph* g = NULL;
  fnet_cascades* h = NULL;
  int64_t size[5], depth[5], breadth[5], s1[5], d1[5], b1[5];
  double vir[5], v1[5];
  size_t roots[5], count = 0, needed = 0, some[2] = {1, 0};
  int i;
  CHECK_OK(fnet_graph_from_edges(&g, 4, src, dst, NULL, NULL, 0, NULL, NULL));
  CHECK_OK(fnet_cascades_analyze(&h, g, NULL, 0, 1));
  CHECK_OK(fnet_cascades_count(&count, h));
  CHECK(count == 5);
  CHECK_OK(fnet_cascades_roots(roots, 5, &needed, h));
  for (i = 0; i < 5; ++i) CHECK(roots[i] == (size_t)i);
  CHECK_OK(fnet_cascades_sizes(size, 5, &needed, h));
  CHECK_OK(fnet_cascades_depths(depth, 5, &needed, h));
  CHECK_OK(fnet_cascades_breadths(breadth, 5, &needed, h));
  CHECK_OK(fnet_cascades_virality(vir, 5, &needed, h));
  CHECK(size[0] == 5 && depth[0] == 2 && breadth[0] == 3);
  CHECK(size[1] == 2 && depth[1] == 1 && size[4] == 1 && depth[4] == 0);
  CHECK_OK(fnet_graph_cascades(s1, d1, b1, v1, 5, &needed, g, NULL, 0, 4));
  CHECK(memcmp(s1, size, sizeof size) == 0 && memcmp(d1, depth, sizeof depth) == 0);
  CHECK(memcmp(b1, breadth, sizeof breadth) == 0 && memcmp(v1, vir, sizeof vir) == 0);
  CHECK_STATUS(fnet_cascades_sizes(size, 4, &needed, h), FNET_E_BUFFER_TOO_SMALL, "5 needed");
  fnet_cascades_destroy(h);
  h = NULL;
  CHECK_OK(fnet_cascades_analyze(&h, g, some, 2, 0));
  CHECK_OK(fnet_cascades_roots(roots, 5, &needed, h));
  CHECK(needed == 2 && roots[0] == 1 && roots[1] == 0);
  CHECK_OK(fnet_cascades_sizes(size, 5, &needed, h));
  CHECK(size[0] == 2 && size[1] == 5);
  fnet_cascades_destroy(h);
  h = NULL;
  some[0] = 5;
  CHECK_STATUS(fnet_cascades_analyze(&h, g, some, 2, 0), FNET_E_OUT_OF_RANGE, "roots[0] is node 5");
  CHECK(h == NULL);
  fnet_cascades_destroy(NULL);
  fnet_graph_destroy(g);
}

static void test_csr_hardening(void) {
  const char* names[] = {"email", "ads"};
  const double conv[2] = {1, 0};
  const int64_t decreasing[] = {0, 3, 2};
  const int64_t not_zero[] = {1, 2, 3};
  const int32_t ids[3] = {0, 1, 1};
  const int32_t neg[3] = {0, -1, 1};
  const int64_t ok_offsets[] = {0, 2, 3};
  fnet_paths* p = NULL;
  fnet_markov* m = NULL;
  double eff[2];
  size_t needed = 0;
  const int64_t seq_off[] = {0, 1, 2};
  const int32_t seq_bad[] = {0, 7};
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, decreasing, ids, conv, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT,
               "path 1: offsets must be non-decreasing, offsets[2] = 2 < offsets[1] = 3");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, not_zero, ids, conv, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "offsets[0] must be 0, got 1");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, ok_offsets, neg, conv, NULL, NULL, NULL),
               FNET_E_OUT_OF_RANGE, "path 0, touch 1: channel index -1 is outside [0, 2)");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, NULL, ids, conv, NULL, NULL, NULL), FNET_E_NULL_ARGUMENT,
               "offsets");
  CHECK(p == NULL);
  CHECK_OK(fnet_paths_create(&p, 2, names, 2, ok_offsets, ids, conv, NULL, NULL, NULL));
  CHECK_OK(fnet_attribution_markov_fit(&m, p, NULL));
  CHECK_STATUS(
      fnet_attribution_markov_sequence_removal_effects(eff, NULL, 2, &needed, m, 2, seq_off, seq_bad),
      FNET_E_OUT_OF_RANGE, "sequence 1, position 0: channel index 7 is outside [0, 2)");
  /* A size query is answered without computing. */
  needed = 0;
  CHECK_OK(fnet_attribution_markov_sequence_removal_effects(NULL, NULL, 0, &needed, m, 2, seq_off, ids));
  CHECK(needed == 2);
  CHECK_STATUS(fnet_attribution_markov_sequence_removal_effects(eff, NULL, 1, &needed, m, 2, seq_off, ids),
               FNET_E_BUFFER_TOO_SMALL, "1 elements, 2 needed");
  fnet_attribution_markov_destroy(m);
  fnet_paths_destroy(p);
}

int main(void) {
  test_enum_lookup();
  test_enum_out_of_range();
  test_sensitivity_handle();
  test_cascades_handle();
  test_csr_hardening();
  return check_report("rules_abi");
}
