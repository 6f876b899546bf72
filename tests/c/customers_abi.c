/* The customers area through the C ABI only (pure C99): closed forms (Pfeifer-Carraway,
 * BG/NBD P(alive), Gamma-Gamma spend), brute-force summaries and grades, optimality of
 * fits, the two-call pattern, and every bad-input path returning a status and message. */
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

/* 12 customers: frequency, recency, T (weeks). */
static const double X[12] = {0, 0, 1, 2, 3, 0, 15, 1, 25, 2, 0, 4};
static const double TX[12] = {0, 0, 5, 20, 30, 0, 35, 2, 38, 10, 0, 25};
static const double TT[12] = {39, 38, 39, 37, 39, 30, 38, 36, 39, 39, 20, 33};

static double total_ll(const fnet_repeat_model* m) {
  double ll[12], s = 0;
  int i;
  CHECK_OK(fnet_repeat_log_likelihood(ll, m, 12, X, TX, TT));
  for (i = 0; i < 12; ++i) s += ll[i];
  return s;
}

static void test_repeat_fit_is_optimal(int kind) {
  fnet_repeat_model* m = NULL;
  fnet_repeat_fit_options o = FNET_REPEAT_FIT_OPTIONS_INIT;
  double p[4], ll = 0, gn = 0, best;
  size_t needed = 0, rows = 0;
  int status = -1, k, sign;
  CHECK_OK(fnet_repeat_fit(&m, kind, 12, X, TX, TT, NULL, &o));
  CHECK_OK(fnet_repeat_report(&status, &ll, &gn, &rows, m));
  CHECK(status == FNET_FIT_CONVERGED);
  CHECK(rows == 12); /* no two customers share (x, t_x, T) */
  CHECK_OK(fnet_repeat_params(NULL, 0, &needed, m));
  CHECK(needed == 4);
  CHECK_STATUS(fnet_repeat_params(p, 3, &needed, m), FNET_E_BUFFER_TOO_SMALL, "4 needed");
  CHECK_OK(fnet_repeat_params(p, 4, &needed, m));
  best = total_ll(m);
  CHECK_NEAR(best, ll, 1e-9 * fabs(ll));
  /* every 1% move of a parameter lowers the likelihood (unless it sits at a bound) */
  for (k = 0; k < 4; ++k)
    for (sign = -1; sign <= 1; sign += 2) {
      double q[4];
      fnet_repeat_model* m2 = NULL;
      memcpy(q, p, sizeof q);
      q[k] *= 1.0 + 0.01 * sign;
      if (q[k] < 1e-7 || q[k] > 1e7) continue;
      CHECK_OK(fnet_repeat_create(&m2, kind, q));
      CHECK(total_ll(m2) <= best + 1e-9);
      fnet_repeat_destroy(m2);
    }
  fnet_repeat_destroy(m);
}

static void test_bg_closed_forms(void) {
  const double p[4] = {0.243, 4.414, 0.793, 2.426};
  const double x[2] = {0, 2}, tx[2] = {0, 30.43}, T[2] = {38.86, 38.86}, spend[2] = {0, 22.35};
  double pa[2], e[2], clv[2], e_new = 0;
  fnet_repeat_model* m = NULL;
  CHECK_OK(fnet_repeat_create(&m, FNET_REPEAT_BETA_GEO, p));
  CHECK_OK(fnet_repeat_p_alive(pa, m, 2, x, tx, T));
  CHECK_NEAR(pa[0], 1.0, 0);
  /* 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) */
  CHECK_NEAR(pa[1], 1.0 / (1.0 + 0.793 / (2.426 + 1) * pow((4.414 + 38.86) / (4.414 + 30.43), 2.243)), 1e-12);
  CHECK_OK(fnet_repeat_expected_purchases(e, m, 0.0, 2, x, tx, T));
  CHECK_NEAR(e[0], 0, 1e-15);
  CHECK_OK(fnet_repeat_expected_purchases_new(&e_new, m, 39.0));
  CHECK_NEAR(e_new, 1.1967231933208, 1e-9); /* scipy hyp2f1 in lifetimes' formula */
  CHECK_OK(fnet_repeat_clv(clv, m, 2, x, tx, T, spend, 12, 4.345, 0.01));
  CHECK(clv[0] == 0 && clv[1] > 0);
  CHECK_STATUS(fnet_repeat_p_alive(pa, m, 2, x, T, tx), FNET_E_INVALID_ARGUMENT, "larger than T");
  fnet_repeat_destroy(m);
}

static void test_gamma_gamma(void) {
  const double p[3] = {6.25, 3.74, 15.44}, x[2] = {2, 0}, m[2] = {22.35, 0};
  const double fx[4] = {1, 2, 3, 1}, fm[4] = {10, 20, 15, -1};
  const double zx[1] = {3}, zm[1] = {0};
  double e[2];
  fnet_gamma_gamma* g = NULL;
  CHECK_OK(fnet_gamma_gamma_create(&g, p));
  CHECK_OK(fnet_gamma_gamma_expected_spend(e, g, 2, x, m));
  CHECK_NEAR(e[0], 6.25 * (15.44 + 2 * 22.35) / (2 * 6.25 + 3.74 - 1), 1e-12);
  CHECK_NEAR(e[1], 6.25 * 15.44 / 2.74, 1e-12);
  /* a repeat buyer without repeat spend gets the population mean too */
  CHECK_OK(fnet_gamma_gamma_expected_spend(e, g, 1, zx, zm));
  CHECK_NEAR(e[0], 6.25 * 15.44 / 2.74, 1e-12);
  fnet_gamma_gamma_destroy(g);
  g = NULL;
  CHECK_STATUS(fnet_gamma_gamma_fit(&g, 4, fx, fm, NULL, NULL), FNET_E_INVALID_ARGUMENT,
               "spend: row 3 is -1");
  CHECK(g == NULL);
}

/* BG/BB: a new customer's expected purchases in n periods against Fader, Hardie and
 * Shang (2010), eq. 8, written out with lgamma. */
static void test_bgbb_closed_form(void) {
  const double p[4] = {1.204, 0.750, 0.657, 2.783};
  const double a = p[0], b = p[1], g = p[2], d = p[3];
  const double x[1] = {7}, tx[1] = {6}, n[1] = {6};
  double e = 0, pa[1];
  fnet_repeat_model* m = NULL;
  CHECK_OK(fnet_repeat_create(&m, FNET_REPEAT_BETA_GEO_BETA_BINOM, p));
  CHECK_OK(fnet_repeat_expected_purchases_new(&e, m, 6.0));
  CHECK_NEAR(e,
             a / (a + b) * d / (g - 1) *
                 (1 - exp(lgamma(g + d) - lgamma(g + d + 6) + lgamma(1 + d + 6) - lgamma(1 + d))),
             1e-12);
  CHECK_STATUS(fnet_repeat_p_alive(pa, m, 1, x, tx, n), FNET_E_INVALID_ARGUMENT, "larger than recency");
  fnet_repeat_destroy(m);
}

static void test_repeat_bad_input(void) {
  fnet_repeat_model* m = NULL;
  fnet_repeat_fit_options o = FNET_REPEAT_FIT_OPTIONS_INIT;
  const double neg[2] = {-1, 0}, tx[2] = {0, 0}, T[2] = {5, 5}, big[2] = {1, 9}, f[2] = {1, 1};
  CHECK_STATUS(fnet_repeat_fit(&m, 0, 2, neg, tx, T, NULL, NULL), FNET_E_INVALID_ARGUMENT,
               "frequency: row 0");
  CHECK_STATUS(fnet_repeat_fit(&m, 0, 2, f, big, T, NULL, NULL), FNET_E_INVALID_ARGUMENT, "larger than T");
  CHECK_STATUS(fnet_repeat_fit(&m, 7, 2, f, tx, T, NULL, NULL), FNET_E_INVALID_ARGUMENT, "kind");
  CHECK_STATUS(fnet_repeat_fit(&m, 0, 2, NULL, tx, T, NULL, NULL), FNET_E_NULL_ARGUMENT, "frequency");
  o.version = 99;
  CHECK_STATUS(fnet_repeat_fit(&m, 0, 2, f, tx, T, NULL, &o), FNET_E_INVALID_ARGUMENT, "version");
  CHECK(m == NULL);
  fnet_repeat_destroy(NULL);
}

static void test_summary(void) {
  /* customer 7: days 0, 0, 3, 10 (amounts 1, 2, 4, 8); customer 9: day 12 (holdout only);
   * customer 5: day 2 then 15 (holdout). Calibration ends day 10, holdout day 20. */
  const int64_t c[7] = {7, 9, 7, 5, 7, 5, 7};
  const int64_t t[7] = {0, 12, 0, 2, 3, 15, 10};
  const double a[7] = {1, 100, 2, 5, 4, 6, 8};
  fnet_summary_options o = FNET_SUMMARY_OPTIONS_INIT;
  fnet_txn_summary* s = NULL;
  size_t n = 0, needed = 0;
  int64_t ids[2];
  double col[2], dur = 0;
  o.calibration_end = 10;
  o.holdout = 1;
  o.holdout_end = 20;
  o.period_length = 2;
  CHECK_OK(fnet_txn_summary_create(&s, 7, c, t, a, &o));
  CHECK_OK(fnet_txn_summary_size(&n, s));
  CHECK(n == 2);
  CHECK_OK(fnet_txn_summary_customers(ids, 2, &needed, s));
  CHECK(ids[0] == 5 && ids[1] == 7);
  CHECK_OK(fnet_txn_summary_column(col, 2, &needed, s, FNET_SUMMARY_FREQUENCY));
  CHECK(col[0] == 0 && col[1] == 2);
  CHECK_OK(fnet_txn_summary_column(col, 2, &needed, s, FNET_SUMMARY_RECENCY));
  CHECK(col[0] == 0 && col[1] == 5);
  CHECK_OK(fnet_txn_summary_column(col, 2, &needed, s, FNET_SUMMARY_T));
  CHECK(col[0] == 4 && col[1] == 5);
  CHECK_OK(fnet_txn_summary_column(col, 2, &needed, s, FNET_SUMMARY_MONETARY_VALUE));
  CHECK(col[0] == 0 && col[1] == 6);
  CHECK_OK(fnet_txn_summary_column(col, 2, &needed, s, FNET_SUMMARY_FREQUENCY_HOLDOUT));
  CHECK(col[0] == 1 && col[1] == 0);
  CHECK_OK(fnet_txn_summary_column(col, 2, &needed, s, FNET_SUMMARY_MONETARY_VALUE_HOLDOUT));
  CHECK(col[0] == 6 && col[1] == 0);
  CHECK_OK(fnet_txn_summary_duration_holdout(&dur, s));
  CHECK(dur == 5);
  CHECK_STATUS(fnet_txn_summary_column(col, 2, &needed, s, 9), FNET_E_OUT_OF_RANGE, "summary column 9");
  fnet_txn_summary_destroy(s);
  s = NULL;
  o.holdout_end = 12;
  CHECK_STATUS(fnet_txn_summary_create(&s, 7, c, t, a, &o), FNET_E_INVALID_ARGUMENT,
               "customer 5) is period 15");
  CHECK(s == NULL);
}

static void test_grading(void) {
  const int64_t ids[6] = {1, 2, 3, 4, 5, 6};
  const char* names[2] = {"credit", "distance"};
  const double v[12] = {10, 0, 8, 5, 6, 10, 4, 0, 2, 5, 0, 10};
  const char* crit[2] = {"credit", "distance"};
  const double w[2] = {1, 1}, w0[2] = {0, 0};
  const int dir[2] = {1, -1};
  const double th[2] = {1.5, 0.8}, bad_th[2] = {0.8, 1.5}, mix[3] = {1, 2, 3};
  const int32_t region[6] = {0, 0, 0, 1, 1, 1};
  const char* regions[2] = {"north", "south"};
  const double value[4] = {70, 10, 15, 5}, cut[2] = {0.7, 0.9};
  fnet_customer_table* t = NULL;
  fnet_grading* g = NULL;
  int32_t tiers[6];
  double contrib[12], score[6];
  size_t needed = 0, n = 0, nt = 0, nc = 0;
  const char* unknown[1] = {"revenue"};
  int i;
  CHECK_OK(fnet_customer_table_create(&t, 6, ids, 2, names, v));
  CHECK_OK(fnet_customer_table_add_category(t, "region", region, 2, regions));
  CHECK_OK(fnet_grade_score(&g, t, 2, crit, w, dir, FNET_NORMALIZE_MINMAX, NULL, 1, 3, th));
  CHECK_OK(fnet_grading_sizes(&n, &nt, &nc, g));
  CHECK(n == 6 && nt == 3 && nc == 2);
  CHECK_OK(fnet_grading_tiers(tiers, 6, &needed, g));
  CHECK_OK(fnet_grading_scores(score, 6, &needed, g));
  CHECK_OK(fnet_grading_contributions(contrib, 12, &needed, g));
  for (i = 0; i < 6; ++i) {
    const double s = v[2 * i] / 10.0 + (1.0 - v[2 * i + 1] / 10.0);
    CHECK_NEAR(contrib[2 * i], v[2 * i] / 10.0, 1e-12);
    CHECK_NEAR(score[i], s, 1e-12);
    CHECK(tiers[i] == (s >= 1.5 ? 0 : s >= 0.8 ? 1 : 2));
  }
  fnet_grading_destroy(g);
  CHECK_OK(fnet_grade_mix(&g, t, 2, crit, w, dir, FNET_NORMALIZE_MINMAX, "region", 3, mix));
  CHECK_OK(fnet_grading_tiers(tiers, 6, &needed, g));
  /* per region of 3: 1:2:3 of 3 -> round(0.5)=1 (llround), round(1.5)=2 -> one A, one B, one C */
  CHECK(tiers[0] == 0 && tiers[3] == 0);
  fnet_grading_destroy(g);
  CHECK_OK(fnet_grade_value(&g, 4, value, 3, cut));
  CHECK_OK(fnet_grading_tiers(tiers, 4, &needed, g));
  CHECK(tiers[0] == 0 && tiers[2] == 1 && tiers[1] == 1 && tiers[3] == 2); /* 70 | 15 10 | 5 */
  fnet_grading_destroy(g);
  g = NULL;
  CHECK_STATUS(fnet_grade_score(&g, t, 2, crit, w0, dir, 1, NULL, 1, 3, th), FNET_E_INVALID_ARGUMENT,
               "all zero");
  CHECK_STATUS(fnet_grade_score(&g, t, 1, unknown, w, dir, 1, NULL, 1, 3, th), FNET_E_UNKNOWN_LABEL,
               "revenue");
  CHECK_STATUS(fnet_grade_score(&g, t, 2, crit, w, dir, 1, NULL, 1, 3, bad_th), FNET_E_INVALID_ARGUMENT,
               "tiers out of order");
  CHECK_STATUS(fnet_grade_value(&g, 4, value, 3, bad_th), FNET_E_INVALID_ARGUMENT,
               "cut-off 1 must be in (0, 1)");
  CHECK(g == NULL);
  fnet_customer_table_destroy(t);
}

static void test_tiers(void) {
  /* Pfeifer and Carraway (2000): V = [231.08, 57.29, 21.01, 0]. */
  const double p[16] = {.5, .5, 0, 0, .2, 0, .8, 0, .1, 0, 0, .9, 0, 0, 0, 1};
  const double r[4] = {100, 0, 0, 0};
  double v[4], vf[4], promo[4], demo[4], stay[4], churn[4], within[4], mix[4];
  const double mix0[4] = {10, 0, 0, 0};
  const int32_t lost[1] = {3};
  /* panel: customer 1: A A B lost; customer 2 (late): B A */
  const char* names[3] = {"A", "B", "lost"};
  const unsigned char abs_[3] = {0, 0, 1};
  const int64_t c[6] = {1, 1, 1, 1, 2, 2}, per[6] = {0, 1, 2, 3, 2, 3}, gap_per[6] = {0, 1, 2, 4, 2, 3};
  const int32_t tier[6] = {0, 0, 1, 2, 1, 0};
  fnet_tier_migration* tm = NULL;
  fnet_tier_options o = FNET_TIER_OPTIONS_INIT;
  double counts[9], P[9];
  size_t needed = 0, ns = 0, nseg = 0, cust = 0, late = 0;
  int i;
  CHECK_OK(fnet_tier_clv(v, 4, &needed, 4, p, r, 0.1, -1));
  CHECK(needed == 4);
  CHECK_NEAR(v[0], 231.08, 5e-3);
  CHECK_NEAR(v[1], 57.29, 5e-3);
  CHECK_NEAR(v[2], 21.01, 5e-3);
  CHECK_NEAR(v[3], 0, 1e-12);
  CHECK_OK(fnet_tier_clv(vf, 4, NULL, 4, p, r, 0.1, 1));
  for (i = 0; i < 4; ++i) CHECK_NEAR(vf[i], r[i], 0);
  CHECK_STATUS(fnet_tier_clv(v, 4, NULL, 4, p, r, 0.0, -1), FNET_E_INVALID_ARGUMENT, "discount rate > 0");
  /* capacity: a size query computes nothing (bad discount not seen), a short buffer says how big */
  needed = 0;
  CHECK_OK(fnet_tier_clv(NULL, 0, &needed, 4, p, r, 0.0, -1));
  CHECK(needed == 4);
  needed = 0;
  CHECK_STATUS(fnet_tier_clv(v, 3, &needed, 4, p, r, 0.1, -1), FNET_E_BUFFER_TOO_SMALL,
               "3 elements, 4 needed");
  CHECK(needed == 4);
  CHECK_STATUS(fnet_tier_clv(NULL, 0, NULL, 4, p, r, 0.1, -1), FNET_E_NULL_ARGUMENT, "needed");
  CHECK_OK(fnet_tier_transition_rates(promo, demo, stay, churn, 4, &needed, 4, p, 1, lost));
  CHECK_NEAR(promo[1], .2, 1e-15);
  CHECK_NEAR(demo[1], .8, 1e-15);
  CHECK_NEAR(churn[2], .9, 1e-15);
  CHECK_NEAR(stay[0], .5, 1e-15);
  CHECK_STATUS(fnet_tier_transition_rates(promo, NULL, NULL, NULL, 2, &needed, 4, p, 1, lost),
               FNET_E_BUFFER_TOO_SMALL, "2 elements, 4 needed");
  /* n = 0 with NULL p (was a memcpy from NULL, undefined): a clear error, needed = 0 */
  needed = 9;
  CHECK_STATUS(fnet_tier_transition_rates(promo, demo, stay, churn, 0, &needed, 0, NULL, 0, NULL),
               FNET_E_SHAPE_MISMATCH, "expected square and non-empty");
  CHECK(needed == 0);
  CHECK_STATUS(fnet_tier_clv(v, 0, &needed, 0, NULL, NULL, 0.1, -1), FNET_E_SHAPE_MISMATCH, "non-empty");
  CHECK_STATUS(fnet_tier_mix_forecast(mix, 0, &needed, 0, NULL, NULL, 1), FNET_E_SHAPE_MISMATCH, "non-empty");
  CHECK_OK(fnet_tier_churn_probability(within, 4, &needed, 4, p, 1, lost, 2));
  CHECK_NEAR(within[1], .8 * .9, 1e-15); /* 2 -> 3 -> 4 */
  CHECK_STATUS(fnet_tier_churn_probability(within, 1, &needed, 4, p, 1, lost, 2), FNET_E_BUFFER_TOO_SMALL,
               "4 needed");
  CHECK_OK(fnet_tier_mix_forecast(mix, 4, &needed, 4, p, mix0, 1));
  CHECK_NEAR(mix[0], 5, 1e-15);
  CHECK_NEAR(mix[1], 5, 1e-15);

  CHECK_OK(fnet_tier_migration_fit(&tm, 3, names, abs_, 6, c, per, tier, NULL, 1, &o));
  CHECK_OK(fnet_tier_migration_sizes(&ns, &nseg, tm));
  CHECK(ns == 3 && nseg == 1);
  CHECK_OK(fnet_tier_migration_counts(counts, 9, &needed, tm, 0));
  /* A->A 1, A->B 1, B->lost 1, B->A 1 */
  CHECK(counts[0] == 1 && counts[1] == 1 && counts[5] == 1 && counts[3] == 1 && counts[4] == 0);
  CHECK_OK(fnet_tier_migration_matrix(P, 9, &needed, tm, 0));
  CHECK_NEAR(P[0], 0.5, 1e-15);
  CHECK_NEAR(P[8], 1.0, 1e-15);
  CHECK_OK(fnet_tier_migration_customers(&cust, &late, tm, 0));
  CHECK(cust == 2 && late == 1);
  CHECK_STATUS(fnet_tier_migration_counts(counts, 9, &needed, tm, 1), FNET_E_OUT_OF_RANGE, "segment 1");
  fnet_tier_migration_destroy(tm);
  tm = NULL;
  CHECK_STATUS(fnet_tier_migration_fit(&tm, 3, names, abs_, 6, c, gap_per, tier, NULL, 1, &o),
               FNET_E_INVALID_ARGUMENT, "customer 1 has no snapshot between periods 2 and 4");
  CHECK(tm == NULL);
  fnet_tier_migration_destroy(NULL);
}

int main(void) {
  test_repeat_fit_is_optimal(FNET_REPEAT_BETA_GEO);
  test_repeat_fit_is_optimal(FNET_REPEAT_PARETO_NBD);
  test_bg_closed_forms();
  test_bgbb_closed_form();
  test_gamma_gamma();
  test_repeat_bad_input();
  test_summary();
  test_grading();
  test_tiers();
  return check_report("customers_abi");
}
