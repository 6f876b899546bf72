/* The funnel engine through the C ABI only (C99): period and continuous-time fits with
 * censoring, time to close, recurrent chains, bottlenecks, posterior intervals,
 * segments and model files, against closed forms; every bad input returns a status. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

static fnet_stages* engaging_won_lost(void) {
  const char* names[] = {"engaging", "won", "lost"};
  const unsigned char absorbing[] = {0, 1, 1};
  fnet_stages* s = NULL;
  CHECK_OK(fnet_stages_create(&s, 3, names, absorbing));
  return s;
}

static void test_periods(void) {
  /* Lead 1: engaging week 0, won week 3 (2 stays + move); lead 2: engaging week 1, open
   * at the cut-off (week 5): 3 stays; lead 3: engaging and lost in week 2. */
  const int64_t lead[] = {1, 2, 1, 3, 3};
  const double time[] = {0, 7, 21, 14, 16};
  const int32_t stage[] = {0, 0, 1, 0, 2};
  /* The same log with its rows shuffled: every event-log reader accepts any row order. */
  const int64_t shuf_lead[] = {3, 1, 3, 2, 1};
  const double shuf_time[] = {16, 21, 14, 7, 0};
  const int32_t shuf_stage[] = {2, 1, 0, 0, 0};
  const int64_t bad_lead[] = {1, 1};
  const double dup_time[] = {5, 5};
  const int32_t dup_stage[] = {0, 0};
  const int32_t leave_stage[] = {1, 0};
  const double leave_time[] = {1, 2};
  fnet_stages* s = engaging_won_lost();
  fnet_counts* c = NULL;
  fnet_period_options o = FNET_PERIOD_OPTIONS_INIT;
  double m[9], m2[9];
  size_t needed = 0;
  int k;
  o.period = 7;
  o.has_origin = 1;
  o.origin = 0;
  o.has_cutoff = 1;
  o.cutoff = 35;
  CHECK_OK(fnet_counts_from_periods(&c, s, 5, lead, time, stage, &o));
  CHECK_OK(fnet_counts_matrix(m, 9, &needed, c));
  CHECK(m[0] == 5 && m[1] == 1 && m[2] == 1);
  fnet_counts_destroy(c);
  c = NULL;

  CHECK_OK(fnet_counts_from_periods(&c, s, 5, shuf_lead, shuf_time, shuf_stage, &o));
  CHECK_OK(fnet_counts_matrix(m2, 9, &needed, c));
  for (k = 0; k < 9; ++k) CHECK(m2[k] == m[k]);
  fnet_counts_destroy(c);
  c = NULL;
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 2, bad_lead, dup_time, dup_stage, &o), FNET_E_INVALID_ARGUMENT,
               "duplicate event");
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 2, bad_lead, leave_time, leave_stage, &o),
               FNET_E_INVALID_ARGUMENT, "leaves absorbing stage 'won'");
  o.cutoff = 30;
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 5, lead, time, stage, &o), FNET_E_INVALID_ARGUMENT,
               "do not divide");
  o.cutoff = 14;
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 5, lead, time, stage, &o), FNET_E_INVALID_ARGUMENT,
               "censoring date is before an event");
  o.cutoff = 35;
  o.period = 0;
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 5, lead, time, stage, &o), FNET_E_INVALID_ARGUMENT, "period");
  o.version = 99;
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 5, lead, time, stage, &o), FNET_E_INVALID_ARGUMENT,
               "FNET_PERIOD_OPTIONS_INIT");
  CHECK_STATUS(fnet_counts_from_periods(&c, s, 5, lead, time, stage, NULL), FNET_E_NULL_ARGUMENT, "options");
  CHECK(c == NULL);
  fnet_stages_destroy(s);
}

static void test_continuous(void) {
  /* Three leads: won after 4 days, lost after 6, open for 10 days at the cut-off (day 10):
   * exposure 20 days, 2 exits: exit rate 0.1/day, P(won) 1/2. */
  const int64_t lead[] = {1, 1, 2, 2, 3};
  const double time[] = {0, 4, 2, 8, 0};
  const int32_t stage[] = {0, 1, 0, 2, 0};
  const int64_t shuf_lead[] = {3, 2, 1, 2, 1};
  const double shuf_time[] = {0, 8, 4, 2, 0};
  const int32_t shuf_stage[] = {0, 2, 1, 0, 0};
  const double probs[] = {0.5, 0.9};
  fnet_stages* s = engaging_won_lost();
  fnet_exposure* e = NULL;
  fnet_exposure* e2 = NULL;
  fnet_ctmc* q = NULL;
  fnet_chain* jump = NULL;
  double t[3], g[9], p[9], mean = 0, var = 0, quant[2];
  size_t needed = 0;
  const double neg[3] = {-1, 0, 0};
  const double zero_t[3] = {0, 0, 0};
  const double exits[9] = {0, 2, 1, 0, 0, 0, 0, 0, 0};
  CHECK_OK(fnet_exposure_from_events(&e, s, 5, shuf_lead, shuf_time, shuf_stage, 1, 10.0, 1.0));
  CHECK_OK(fnet_exposure_time(t, 3, &needed, e));
  CHECK_NEAR(t[0], 20, 1e-12);
  fnet_exposure_destroy(e);
  e = NULL;
  /* A cut-off equal to the last event is accepted (events at or before it are observed). */
  CHECK_OK(fnet_exposure_from_events(&e, s, 5, lead, time, stage, 1, 8.0, 1.0));
  fnet_exposure_destroy(e);
  e = NULL;
  CHECK_OK(fnet_exposure_from_events(&e, s, 5, lead, time, stage, 1, 10.0, 1.0));
  CHECK_OK(fnet_exposure_time(t, 3, &needed, e));
  CHECK_NEAR(t[0], 20, 1e-12);
  CHECK_OK(fnet_ctmc_fit(&q, e, FNET_EMPTY_ROWS_ERROR));
  CHECK_OK(fnet_ctmc_generator(g, 9, &needed, q));
  CHECK_NEAR(g[0], -0.1, 1e-15);
  CHECK_NEAR(g[1], 0.05, 1e-15);
  CHECK_OK(fnet_ctmc_transition_matrix(NULL, 0, &needed, q, 3.0));
  CHECK(needed == 9);
  CHECK_OK(fnet_ctmc_transition_matrix(p, 9, &needed, q, 3.0));
  CHECK_NEAR(p[0], exp(-0.3), 1e-12);
  CHECK_NEAR(p[1], 0.5 * (1 - exp(-0.3)), 1e-12);
  CHECK_OK(fnet_ctmc_time_to_close(&mean, &var, quant, 2, probs, q, 0));
  CHECK_NEAR(mean, 10, 1e-10);
  CHECK_NEAR(var, 100, 1e-8);
  CHECK_NEAR(quant[0], 10 * log(2.0), 1e-7);
  CHECK_NEAR(quant[1], 10 * log(10.0), 1e-7);
  CHECK_OK(fnet_ctmc_jump_chain(&jump, q));
  CHECK_OK(fnet_chain_time_to_close(&mean, &var, quant, 2, probs, jump, 0));
  CHECK(mean == 1 && quant[1] == 1);
  CHECK_STATUS(fnet_ctmc_time_to_close(&mean, &var, quant, 2, probs, q, 1), FNET_E_INVALID_ARGUMENT,
               "'won' is an outcome");
  CHECK_STATUS(fnet_ctmc_transition_matrix(p, 9, &needed, q, -1.0), FNET_E_INVALID_ARGUMENT, "horizon");
  CHECK_OK(fnet_exposure_merge(&e2, e, e));
  fnet_exposure_destroy(e2);
  e2 = NULL;
  CHECK_STATUS(fnet_exposure_create(&e2, s, exits, neg), FNET_E_INVALID_ARGUMENT,
               "exposure of stage 'engaging'");
  CHECK_OK(fnet_exposure_create(&e2, s, exits, zero_t));
  fnet_ctmc_destroy(q);
  q = NULL;
  CHECK_STATUS(fnet_ctmc_fit(&q, e2, FNET_EMPTY_ROWS_ERROR), FNET_E_INVALID_ARGUMENT, "zero exposure");
  CHECK(q == NULL);
  CHECK_STATUS(fnet_ctmc_fit(&q, e2, 7), FNET_E_INVALID_ARGUMENT, "empty_rows");
  CHECK_STATUS(fnet_exposure_from_events(&e2, s, 5, lead, time, stage, 1, 5.0, 1.0), FNET_E_INVALID_ARGUMENT,
               "censoring date is before an event");
  fnet_exposure_destroy(e2);
  fnet_chain_destroy(jump);
  fnet_exposure_destroy(e);
  fnet_stages_destroy(s);
}

static void test_recurrent_and_bottlenecks(void) {
  const char* names[] = {"buy", "upkeep"};
  const unsigned char none[] = {0, 0};
  const double a = 0.3, b = 0.1;
  double p[4];
  double pi[2], m[4];
  int32_t cls[2];
  unsigned char closed[1];
  size_t needed = 0, n_classes = 0;
  fnet_stages* s = NULL;
  fnet_chain* c = NULL;
  p[0] = 1 - a;
  p[1] = a;
  p[2] = b;
  p[3] = 1 - b;
  CHECK_OK(fnet_stages_create(&s, 2, names, none));
  CHECK_OK(fnet_chain_create(&c, s, p, 0));
  CHECK_OK(fnet_chain_stationary(pi, 2, &needed, c));
  CHECK_NEAR(pi[0], b / (a + b), 1e-14);
  CHECK_OK(fnet_chain_first_passage(m, 4, &needed, c));
  CHECK_NEAR(m[1], 1 / a, 1e-12);
  CHECK_NEAR(m[0], (a + b) / b, 1e-12);
  CHECK_OK(fnet_chain_classes(cls, 2, &needed, &n_classes, c));
  CHECK(n_classes == 1 && cls[0] == 0 && cls[1] == 0);
  CHECK_OK(fnet_chain_class_closed(closed, 1, &needed, c));
  CHECK(closed[0] == 1);
  fnet_chain_destroy(c);
  fnet_stages_destroy(s);

  {
    /* Drunkard's walk 0..4 (0 lost, 4 won) from 2: win probability 1/2; the gradient of
     * P(won from 2) w.r.t. P[3][4] is N[2][3] * 1 = 1. */
    const char* dn[] = {"lost", "1", "2", "3", "won"};
    const unsigned char ab[] = {1, 0, 0, 0, 1};
    const double dp[25] = {1, 0, 0, 0, 0, .5, 0, .5, 0, 0, 0, .5, 0, .5, 0, 0, 0, .5, 0, .5, 0, 0, 0, 0, 1};
    const double start[5] = {0, 0, 1, 0, 0};
    const double values[5] = {0, 0, 0, 0, 1};
    const double bad_start[5] = {0, 0, 0.5, 0, 0};
    double value = 0, grad[25], el[25];
    size_t from[6], to[6];
    double rel[6];
    fnet_chain* raised = NULL;
    double rp[25];
    CHECK_OK(fnet_stages_create(&s, 5, dn, ab));
    CHECK_OK(fnet_chain_create(&c, s, dp, 0));
    CHECK_OK(fnet_chain_sensitivity(&value, grad, el, 25, &needed, c, start, values));
    CHECK_NEAR(value, 0.5, 1e-14);
    CHECK_NEAR(grad[3 * 5 + 4], 1.0, 1e-12);
    /* elasticity N[2][3] p (h_won - h_3) = 1 * 0.5 * (1 - 0.75) */
    CHECK_NEAR(el[3 * 5 + 4], 0.125, 1e-12);
    CHECK_OK(fnet_chain_bottlenecks(NULL, NULL, NULL, 0, &needed, c, start, values));
    CHECK(needed == 6);
    CHECK_OK(fnet_chain_bottlenecks(from, to, rel, 6, &needed, c, start, values));
    CHECK(fabs(rel[0]) >= fabs(rel[5]));
    CHECK_OK(fnet_chain_raise(&raised, c, 3, 4, 0.5));
    CHECK_OK(fnet_chain_matrix(rp, 25, &needed, raised));
    CHECK_NEAR(rp[3 * 5 + 4], 0.75 / 1.25, 1e-15);
    fnet_chain_destroy(raised);
    raised = NULL;
    CHECK_STATUS(fnet_chain_raise(&raised, c, 1, 3, 0.5), FNET_E_INVALID_ARGUMENT, "P[1][3] is 0");
    CHECK_STATUS(fnet_chain_raise(&raised, c, 0, 1, 0.5), FNET_E_INVALID_ARGUMENT, "'lost' is an outcome");
    CHECK_STATUS(fnet_chain_sensitivity(&value, grad, el, 25, &needed, c, bad_start, values),
                 FNET_E_INVALID_ARGUMENT, "sums to 0.5");
    CHECK_STATUS(fnet_chain_sensitivity(&value, grad, el, 3, &needed, c, start, values),
                 FNET_E_BUFFER_TOO_SMALL, "25 needed");
    CHECK(raised == NULL);
    fnet_chain_destroy(c);
    fnet_stages_destroy(s);
  }
}

static void test_uncertainty_segments_files(void) {
  /* Row s: 12 moves to won; prior 1 on each of the three entries. */
  const char* names[] = {"s", "won", "lost"};
  const unsigned char ab[] = {0, 1, 1};
  const double c1[9] = {0, 12, 0, 0, 0, 0, 0, 0, 0};
  const double ref[9] = {1, 40, 10, 0, 0, 0, 0, 0, 0};
  const double cold[9] = {1, 30, 45, 0, 0, 0, 0, 0, 0};
  const double zero[9] = {0};
  double lo[9], hi[9], stat = 0, df = 0, pv = 0, m1[9], m2[9];
  size_t needed = 0;
  int i;
  fnet_stages* s = NULL;
  fnet_counts* c = NULL;
  fnet_counts* segs[2] = {NULL, NULL};
  const char* seg_names[] = {"referral", "cold"};
  fnet_chain* shrunk[2] = {NULL, NULL};
  fnet_chain* loaded = NULL;
  fnet_counts* loaded_counts = NULL;
  char path[256], cpath[256], json[4096];
  FILE* f;
  CHECK_OK(fnet_stages_create(&s, 3, names, ab));
  CHECK_OK(fnet_counts_from_matrix(&c, s, c1));
  CHECK_OK(fnet_counts_posterior_intervals(lo, hi, 9, &needed, c, 1.0, 0.9));
  /* The lost entry only has its prior: P[s][lost] ~ Beta(1, 14): 1 - (1 - q)^(1/14). */
  CHECK_NEAR(lo[2], 1 - pow(0.95, 1.0 / 14), 1e-12);
  CHECK_NEAR(hi[2], 1 - pow(0.05, 1.0 / 14), 1e-12);
  CHECK_STATUS(fnet_counts_posterior_intervals(lo, hi, 9, &needed, c, 1.0, 2.0), FNET_E_INVALID_ARGUMENT,
               "level");

  CHECK_OK(fnet_counts_from_matrix(&segs[0], s, ref));
  CHECK_OK(fnet_counts_from_matrix(&segs[1], s, cold));
  CHECK_OK(fnet_segments_fit(shrunk, &stat, &df, &pv, 2, (const fnet_counts* const*)segs, seg_names));
  CHECK(df == 2);
  CHECK_NEAR(pv, exp(-stat / 2), 1e-12);
  CHECK(shrunk[0] != NULL && shrunk[1] != NULL);
  fnet_chain_destroy(shrunk[0]);
  fnet_chain_destroy(shrunk[1]);
  shrunk[0] = shrunk[1] = NULL;
  fnet_counts_destroy(segs[1]);
  segs[1] = NULL;
  CHECK_OK(fnet_counts_from_matrix(&segs[1], s, zero));
  /* A segment without transitions is pooled: its chain is the pooled one (here ref's MLE). */
  CHECK_OK(fnet_segments_fit(shrunk, &stat, &df, &pv, 2, (const fnet_counts* const*)segs, seg_names));
  CHECK(df == 0 && pv == 1.0);
  CHECK_OK(fnet_chain_matrix(m1, 9, &needed, shrunk[1]));
  CHECK_NEAR(m1[1], ref[1] / (ref[0] + ref[1] + ref[2]), 1e-12);
  fnet_chain_destroy(shrunk[0]);
  fnet_chain_destroy(shrunk[1]);
  shrunk[0] = shrunk[1] = NULL;
  /* No segment with data: an error, nothing allocated. */
  {
    const fnet_counts* both_empty[2];
    both_empty[0] = segs[1];
    both_empty[1] = segs[1];
    CHECK_STATUS(fnet_segments_fit(shrunk, &stat, &df, &pv, 2, both_empty, seg_names), FNET_E_EMPTY_INPUT,
                 "no segment has data");
  }
  CHECK(shrunk[0] == NULL);

  /* Model files: exact round trip, then bad files. */
  sprintf(path, "/tmp/fnet_c_abi_chain_%ld.json", (long)rand());
  sprintf(cpath, "/tmp/fnet_c_abi_counts_%ld.json", (long)rand());
  {
    fnet_chain* chain = NULL;
    CHECK_OK(fnet_chain_fit(&chain, segs[0], NULL));
    CHECK_OK(fnet_chain_save(chain, path));
    CHECK_OK(fnet_chain_load(&loaded, path));
    CHECK_OK(fnet_chain_matrix(m1, 9, &needed, chain));
    CHECK_OK(fnet_chain_matrix(m2, 9, &needed, loaded));
    for (i = 0; i < 9; ++i) CHECK(m1[i] == m2[i]);
    CHECK_OK(fnet_chain_to_json(NULL, 0, &needed, chain));
    CHECK(needed < sizeof json);
    CHECK_OK(fnet_chain_to_json(json, sizeof json, &needed, chain));
    CHECK(strstr(json, "\"version\":1") != NULL);
    fnet_chain_destroy(loaded);
    loaded = NULL;
    CHECK_OK(fnet_chain_from_json(&loaded, json));
    fnet_chain_destroy(loaded);
    loaded = NULL;
    CHECK_OK(fnet_counts_save(segs[0], cpath));
    CHECK_OK(fnet_counts_load(&loaded_counts, cpath));
    CHECK_OK(fnet_counts_matrix(m2, 9, &needed, loaded_counts));
    for (i = 0; i < 9; ++i) CHECK(m2[i] == ref[i]);
    CHECK_STATUS(fnet_chain_load(&loaded, cpath), FNET_E_FORMAT, "expected a 'markov_chain'");
    f = fopen(path, "w");
    fputs("{\"format\":\"funnelnet\",\"version\":2,\"kind\":\"markov_chain\"}", f);
    fclose(f);
    CHECK_STATUS(fnet_chain_load(&loaded, path), FNET_E_FORMAT, "unsupported model file version 2");
    f = fopen(path, "w");
    fputs("{\"format\":\"funnel", f);
    fclose(f);
    CHECK_STATUS(fnet_chain_load(&loaded, path), FNET_E_FORMAT, "not valid JSON");
    CHECK_STATUS(fnet_chain_load(&loaded, "/nonexistent/x.json"), FNET_E_IO, "/nonexistent/x.json");
    CHECK_STATUS(fnet_chain_save(chain, "/nonexistent/x.json"), FNET_E_IO, "cannot open");
    CHECK_STATUS(fnet_chain_from_json(&loaded, "[1, 2]"), FNET_E_FORMAT, "JSON object");
    CHECK(loaded == NULL);
    fnet_chain_destroy(chain);
    remove(path);
    remove(cpath);
  }
  fnet_counts_destroy(loaded_counts);
  fnet_counts_destroy(segs[0]);
  fnet_counts_destroy(segs[1]);
  fnet_counts_destroy(c);
  fnet_stages_destroy(s);
}

int main(void) {
  test_periods();
  test_continuous();
  test_recurrent_and_bottlenecks();
  test_uncertainty_segments_files();
  return check_report("funnel_time_abi");
}
