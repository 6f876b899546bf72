/* The semi-Markov funnel, CRM opportunity tables and pooled segments through the C ABI
 * only (C99), against hand-computed Kaplan-Meier / Aalen-Johansen values and closed
 * forms; every bad input returns a status naming the culprit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

static fnet_stages* stages_a_won_lost(void) {
  const char* names[] = {"a", "won", "lost"};
  const unsigned char absorbing[] = {0, 1, 1};
  fnet_stages* s = NULL;
  CHECK_OK(fnet_stages_create(&s, 3, names, absorbing));
  return s;
}

/* Five leads enter a at time 0: won after 2 and 4, lost after 6 and 8, one still open at
 * the cut-off 10.  Kaplan-Meier in a: S = 0.8, 0.6, 0.4, 0.2 after 2, 4, 6, 8; the last
 * 0.2 is unresolved (no exit seen after 8). */
static void test_semi_markov(void) {
  const int64_t lead[] = {5, 1, 2, 1, 3, 4, 2, 3, 4}; /* rows in any order */
  const double time[] = {0, 0, 0, 2, 0, 0, 4, 6, 8};
  const int32_t stage[] = {0, 0, 0, 1, 0, 0, 1, 2, 2};
  const int32_t soj_stage[] = {0, 0, 0, 0, 0};
  const double soj_duration[] = {2, 4, 6, 8, 10};
  const int32_t soj_next[] = {1, 1, 2, 2, -1};
  const double horizons[] = {1, 2, 5, 8, 100};
  const double horizons_old[] = {0.5, 1, 3, 5};
  const int32_t deal_stage[] = {0, 0, 0};
  const double deal_age[] = {3, 7, 9};
  const int32_t bad_stage[] = {0, 1};
  fnet_stages* s = stages_a_won_lost();
  fnet_semi_markov* m = NULL;
  fnet_semi_markov* m2 = NULL;
  fnet_semi_markov_options o = FNET_SEMI_MARKOV_OPTIONS_INIT;
  double win[3], cdf[5], jump[9], jump2[9], q = 0;
  unsigned char stale[3];
  size_t needed = 0, n = 0;
  int k;
  CHECK_OK(fnet_semi_markov_fit_events(&m, s, 9, lead, time, stage, 1, 10.0, 1.0, NULL));
  CHECK_OK(fnet_semi_markov_size(&n, m));
  CHECK(n == 3);
  /* From the sojourns directly: the same model. */
  CHECK_OK(fnet_semi_markov_fit(&m2, s, 5, soj_stage, soj_duration, soj_next, &o));
  CHECK_OK(fnet_semi_markov_jump_matrix(jump, 9, &needed, m));
  CHECK_OK(fnet_semi_markov_jump_matrix(jump2, 9, &needed, m2));
  CHECK(needed == 9);
  for (k = 0; k < 9; ++k) CHECK(jump[k] == jump2[k]);
  CHECK(jump[1] == 0.5 && jump[2] == 0.5); /* observed exit shares */

  /* Size query: no work, needed = outcomes + 1. */
  needed = 0;
  CHECK_OK(fnet_semi_markov_win_probabilities(NULL, 0, &needed, m, 0, 0.0, 1000, 1, 0));
  CHECK(needed == 3);
  CHECK_OK(fnet_semi_markov_win_probabilities(win, 3, &needed, m, 0, 0.0, 40000, 1, 0));
  CHECK_NEAR(win[0], 0.4, 0.015);
  CHECK_NEAR(win[1], 0.4, 0.015);
  CHECK_NEAR(win[2], 0.2, 0.015);
  /* Aged 5: only the exits at 6 (lost) and 8 (lost) are left, and the open lead. */
  CHECK_OK(fnet_semi_markov_win_probabilities(win, 3, &needed, m, 0, 5.0, 40000, 1, 0));
  CHECK(win[0] == 0.0);
  CHECK_NEAR(win[1], 2.0 / 3.0, 0.015);
  CHECK_NEAR(win[2], 1.0 / 3.0, 0.015);
  /* Same seed, same answer at any thread count. */
  {
    double w1[3], w4[3];
    CHECK_OK(fnet_semi_markov_win_probabilities(w1, 3, &needed, m, 0, 1.0, 9000, 7, 1));
    CHECK_OK(fnet_semi_markov_win_probabilities(w4, 3, &needed, m, 0, 1.0, 9000, 7, 4));
    for (k = 0; k < 3; ++k) CHECK(w1[k] == w4[k]);
  }
  CHECK_OK(fnet_semi_markov_close_time_cdf(cdf, 5, &needed, m, 0, 0.0, 5, horizons, 40000, 3, 0));
  CHECK(needed == 5);
  CHECK(cdf[0] == 0.0);
  CHECK_NEAR(cdf[1], 0.2, 0.015);
  CHECK_NEAR(cdf[2], 0.4, 0.015);
  CHECK_NEAR(cdf[3], 0.8, 0.015);
  CHECK_NEAR(cdf[4], 0.8, 0.015); /* the unresolved 0.2 never closes */
  /* Aged 3: remaining times 1, 3, 5 and never, mass 0.2 each out of 0.8. */
  CHECK_OK(fnet_semi_markov_close_time_cdf(cdf, 4, &needed, m, 0, 3.0, 4, horizons_old, 40000, 3, 0));
  CHECK(cdf[0] == 0.0);
  CHECK_NEAR(cdf[1], 0.25, 0.015);
  CHECK_NEAR(cdf[2], 0.5, 0.015);
  CHECK_NEAR(cdf[3], 0.75, 0.015);

  CHECK_OK(fnet_semi_markov_holding_quantile(&q, m, 0, 0.5));
  CHECK(q == 6.0); /* P(left by 6) = 0.6 >= 0.5, by 4 only 0.4 */
  CHECK_OK(fnet_semi_markov_holding_quantile(&q, m, 0, 0.9));
  CHECK(isinf(q));
  /* Stale at q = 0.5: beyond 6; at q = 0.9 (never reached): beyond the last exit, 8. */
  CHECK_OK(fnet_semi_markov_stale(stale, 3, &needed, m, 3, deal_stage, deal_age, 0.5));
  CHECK(stale[0] == 0 && stale[1] == 1 && stale[2] == 1);
  CHECK_OK(fnet_semi_markov_stale(stale, 3, &needed, m, 3, deal_stage, deal_age, 0.9));
  CHECK(stale[0] == 0 && stale[1] == 0 && stale[2] == 1);

  /* Bad input: a status naming the culprit, nothing allocated. */
  CHECK_STATUS(fnet_semi_markov_win_probabilities(win, 3, &needed, m, 1, 0.0, 100, 1, 0),
               FNET_E_INVALID_ARGUMENT, "stage 1 ('won') is an outcome");
  CHECK_STATUS(fnet_semi_markov_win_probabilities(win, 3, &needed, m, 7, 0.0, 100, 1, 0), FNET_E_OUT_OF_RANGE,
               "stage 7 is out of range");
  CHECK_STATUS(fnet_semi_markov_win_probabilities(win, 2, &needed, m, 0, 0.0, 100, 1, 0),
               FNET_E_BUFFER_TOO_SMALL, "3 needed");
  CHECK_STATUS(fnet_semi_markov_win_probabilities(win, 3, &needed, m, 0, -1.0, 100, 1, 0),
               FNET_E_INVALID_ARGUMENT, "age must be finite and >= 0, got -1");
  CHECK_STATUS(fnet_semi_markov_stale(stale, 3, &needed, m, 2, bad_stage, deal_age, 0.5),
               FNET_E_INVALID_ARGUMENT, "stage_ids: row 1 is the outcome 'won'");
  CHECK_STATUS(fnet_semi_markov_holding_quantile(&q, m, 0, 1.5), FNET_E_INVALID_ARGUMENT,
               "q must be in (0, 1)");
  CHECK_STATUS(fnet_semi_markov_fit_events(&m2, s, 9, lead, time, stage, 1, 7.0, 1.0, NULL),
               FNET_E_INVALID_ARGUMENT, "row 8");
  o.family = (fnet_holding_family)9;
  CHECK_STATUS(fnet_semi_markov_fit(&m2, s, 5, soj_stage, soj_duration, soj_next, &o),
               FNET_E_INVALID_ARGUMENT,
               "fnet_semi_markov_options.family is 9, not a valid fnet_holding_family");
  o = (fnet_semi_markov_options)FNET_SEMI_MARKOV_OPTIONS_INIT;
  o.version = 99;
  CHECK_STATUS(fnet_semi_markov_fit(&m2, s, 5, soj_stage, soj_duration, soj_next, &o),
               FNET_E_INVALID_ARGUMENT, "fnet_semi_markov_options");
  CHECK_STATUS(fnet_semi_markov_fit_events(NULL, s, 9, lead, time, stage, 0, 0.0, 1.0, NULL),
               FNET_E_NULL_ARGUMENT, "out");
  /* A parametric family: a Weibull fit of the same log; its jump chain is a distribution. */
  o = (fnet_semi_markov_options)FNET_SEMI_MARKOV_OPTIONS_INIT;
  o.family = FNET_HOLDING_WEIBULL;
  fnet_semi_markov_destroy(m2);
  m2 = NULL;
  CHECK_OK(fnet_semi_markov_fit_events(&m2, s, 9, lead, time, stage, 1, 10.0, 1.0, &o));
  CHECK_OK(fnet_semi_markov_jump_matrix(jump2, 9, &needed, m2));
  CHECK_NEAR(jump2[1] + jump2[2], 1.0, 1e-9);
  fnet_semi_markov_destroy(m2);
  fnet_semi_markov_destroy(m);
  fnet_semi_markov_destroy(NULL);
  fnet_stages_destroy(s);
}

/* The Python docstring's opportunity table: a open in Prospecting without dates, b open
 * in Engaging (engaged on day 5), c won (engaged 2, closed 12), d lost (engaged 3,
 * closed 7). */
static void test_opportunities(void) {
  const char* names[] = {"Prospecting", "Engaging", "Won", "Lost"};
  const unsigned char absorbing[] = {0, 0, 1, 1};
  const int32_t current[] = {0, 1, 2, 3};
  const double dates[] = {NAN, NAN, NAN, 5, NAN, 2, NAN, 3};
  const double close[] = {NAN, NAN, 12, 7};
  const double back[] = {NAN, NAN, NAN, 5, NAN, 2, NAN, 9};
  fnet_stages* s = NULL;
  fnet_counts* c = NULL;
  fnet_exposure* e = NULL;
  fnet_semi_markov* m = NULL;
  double counts[16], t[4], win[3];
  size_t needed = 0;
  CHECK_OK(fnet_stages_create(&s, 4, names, absorbing));
  /* untimed: Prospecting -> Engaging 3 times (b, c, d), Engaging -> Won and -> Lost once. */
  CHECK_OK(fnet_counts_from_opportunities(&c, s, 4, current, dates, close, FNET_MISSING_UNTIMED,
                                          FNET_REPEATS_COLLAPSE));
  CHECK_OK(fnet_counts_matrix(counts, 16, &needed, c));
  CHECK(counts[1] == 3 && counts[0] == 0 && counts[6] == 1 && counts[7] == 1);
  /* censor, cut-off 15: Engaging holds b 10 (open), c 10 and d 4 days = 24. */
  CHECK_OK(
      fnet_exposure_from_opportunities(&e, s, 4, current, dates, close, FNET_MISSING_CENSOR, 1, 15.0, 1.0));
  CHECK_OK(fnet_exposure_time(t, 4, &needed, e));
  CHECK(t[0] == 0 && t[1] == 24);
  /* Semi-Markov from the table (untimed): Engaging has d lost at 4, c won at 10 and b
   * open at 10: Aalen-Johansen 1/3 lost, 1/3 won, 1/3 unresolved. */
  CHECK_OK(fnet_semi_markov_fit_opportunities(&m, s, 4, current, dates, close, FNET_MISSING_UNTIMED, 1, 15.0,
                                              1.0, NULL));
  CHECK_OK(fnet_semi_markov_win_probabilities(win, 3, &needed, m, 1, 0.0, 60000, 5, 0));
  CHECK_NEAR(win[0], 1.0 / 3.0, 0.015);
  CHECK_NEAR(win[1], 1.0 / 3.0, 0.015);
  CHECK_NEAR(win[2], 1.0 / 3.0, 0.015);
  /* Bad input names the row and stage. */
  CHECK_STATUS(fnet_counts_from_opportunities(&c, s, 4, current, back, close, FNET_MISSING_CENSOR,
                                              FNET_REPEATS_COLLAPSE),
               FNET_E_INVALID_ARGUMENT, "opportunity row 3: the date of the close ('Lost') (7)");
  CHECK_STATUS(fnet_counts_from_opportunities(&c, s, 4, current, dates, close, (fnet_missing_dates)4,
                                              FNET_REPEATS_COLLAPSE),
               FNET_E_INVALID_ARGUMENT, "missing is 4, not a valid fnet_missing_dates");
  CHECK_STATUS(fnet_semi_markov_fit_opportunities(&m, s, 4, current, dates, close, FNET_MISSING_CENSOR, 1,
                                                  15.0, 1.0, NULL),
               FNET_E_EMPTY_INPUT, "stage 'Prospecting' has no observed exit");
  CHECK_STATUS(fnet_counts_from_opportunities(&c, s, 4, NULL, dates, close, FNET_MISSING_CENSOR,
                                              FNET_REPEATS_COLLAPSE),
               FNET_E_NULL_ARGUMENT, "current");
  fnet_semi_markov_destroy(m);
  fnet_exposure_destroy(e);
  fnet_counts_destroy(c);
  fnet_stages_destroy(s);
}

/* Segments: one without transitions is pooled (the pooled chain; the test as without it). */
static void test_segments(void) {
  const double ref[9] = {1, 40, 10, 0, 0, 0, 0, 0, 0};
  const double cold[9] = {1, 30, 45, 0, 0, 0, 0, 0, 0};
  const double none[9] = {0};
  const char* names3[] = {"referral", "web", "cold"};
  const char* names2[] = {"referral", "cold"};
  fnet_stages* s = stages_a_won_lost();
  fnet_counts* c[3] = {NULL, NULL, NULL};
  const fnet_counts* three[3];
  const fnet_counts* two[2];
  const fnet_counts* empty2[2];
  fnet_chain* shrunk[3] = {NULL, NULL, NULL};
  fnet_segment_options o = FNET_SEGMENT_OPTIONS_INIT;
  double g3, df3, p3, g2, df2, p2, row[9], g = 0;
  const double pooled[3] = {2.0 / 127, 70.0 / 127, 55.0 / 127};
  size_t needed = 0;
  int j;
  CHECK_OK(fnet_counts_from_matrix(&c[0], s, ref));
  CHECK_OK(fnet_counts_from_matrix(&c[1], s, none));
  CHECK_OK(fnet_counts_from_matrix(&c[2], s, cold));
  three[0] = c[0], three[1] = c[1], three[2] = c[2];
  two[0] = c[0], two[1] = c[2];
  empty2[0] = c[1], empty2[1] = c[1];
  CHECK_OK(fnet_segments_fit(shrunk, &g3, &df3, &p3, 3, three, names3));
  CHECK_OK(fnet_segments_fit(NULL, &g2, &df2, &p2, 2, two, names2));
  CHECK(g3 == g2 && df3 == df2 && p3 == p2);
  /* G by hand: expected n_s * pooled_j. */
  for (j = 0; j < 3; ++j) {
    g += 2 * ref[j] * log(ref[j] / (51 * pooled[j]));
    g += 2 * cold[j] * log(cold[j] / (76 * pooled[j]));
  }
  CHECK_NEAR(g3, g, 1e-10);
  CHECK_OK(fnet_chain_matrix(row, 9, &needed, shrunk[1]));
  for (j = 0; j < 3; ++j) CHECK_NEAR(row[j], pooled[j], 1e-12);
  for (j = 0; j < 3; ++j) fnet_chain_destroy(shrunk[j]);
  /* A set concentration: (c + a p) / (n + a). */
  o.has_concentration = 1;
  o.concentration = 10;
  CHECK_OK(fnet_segments_fit_with(shrunk, &g3, &df3, &p3, 3, three, names3, &o));
  CHECK_OK(fnet_chain_matrix(row, 9, &needed, shrunk[0]));
  CHECK_NEAR(row[1], (40 + 10 * pooled[1]) / (51 + 10), 1e-12);
  for (j = 0; j < 3; ++j) fnet_chain_destroy(shrunk[j]);
  o.concentration = -1;
  CHECK_STATUS(fnet_segments_fit_with(shrunk, &g3, &df3, &p3, 3, three, names3, &o), FNET_E_INVALID_ARGUMENT,
               "concentration must be finite and >= 0");
  CHECK_STATUS(fnet_segments_fit(shrunk, &g3, &df3, &p3, 2, empty2, names2), FNET_E_EMPTY_INPUT,
               "no segment has data (no transitions counted in 'referral', 'cold')");
  for (j = 0; j < 3; ++j) fnet_counts_destroy(c[j]);
  fnet_stages_destroy(s);
}

int main(void) {
  test_semi_markov();
  test_opportunities();
  test_segments();
  return check_report("funnel_semi_abi");
}
