/* Issue 14, the experiments of the scoring C ABI: seeded splits (K-fold, grouped,
 * time-ordered), DeLong's test against a brute-force placement-value computation, the
 * Nadeau-Bengio corrected t-test against closed forms of Student's t, the paired
 * bootstrap (determinism, thread independence), the logistic fit's penalty factors,
 * posterior covariance and Wald table against closed forms; the lift/gain table, the
 * calibration curve, the metric bootstrap and the logistic contributions against brute
 * force; bad input. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

#define N 240

static uint64_t lcg_state = 12345;
static double uniform01(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}

/* psi of the Mann-Whitney kernel: 1 if a positive outranks a negative, 1/2 on a tie. */
static double psi(double x, double y) {
  return x > y ? 1.0 : (x == y ? 0.5 : 0.0);
}

/* Sample covariance (ddof 1) of u and v (length m). */
static double cov(const double* u, const double* v, int m) {
  double mu = 0, mv = 0, c = 0;
  int i;
  for (i = 0; i < m; ++i) {
    mu += u[i];
    mv += v[i];
  }
  mu /= m;
  mv /= m;
  for (i = 0; i < m; ++i) c += (u[i] - mu) * (v[i] - mv);
  return c / (m - 1);
}

static void delong(void) {
  double y[N], a[N], b[N];
  double v10a[N], v10b[N], v01a[N], v01b[N];
  double xa[N], xb[N], ya[N], yb[N];
  int i, j, m = 0, k = 0;
  double auc_a = 0, auc_b = 0, se = 0, z = 0, p = 0, covm[4], var, ref_a = 0, ref_b = 0;
  for (i = 0; i < N; ++i) {
    y[i] = uniform01() < 0.35 ? 1.0 : 0.0;
    /* one decimal: many ties within and across classes */
    a[i] = floor(10.0 * (uniform01() + 0.4 * y[i])) / 10.0;
    b[i] = floor(10.0 * (uniform01() + 0.15 * y[i] + 0.3 * a[i])) / 10.0;
    if (y[i] == 1.0) {
      xa[m] = a[i];
      xb[m++] = b[i];
    } else {
      ya[k] = a[i];
      yb[k++] = b[i];
    }
  }
  /* brute force, O(m k): placement values of every positive and negative */
  for (i = 0; i < m; ++i) {
    v10a[i] = v10b[i] = 0;
    for (j = 0; j < k; ++j) {
      v10a[i] += psi(xa[i], ya[j]) / k;
      v10b[i] += psi(xb[i], yb[j]) / k;
    }
    ref_a += v10a[i] / m;
    ref_b += v10b[i] / m;
  }
  for (j = 0; j < k; ++j) {
    v01a[j] = v01b[j] = 0;
    for (i = 0; i < m; ++i) {
      v01a[j] += psi(xa[i], ya[j]) / m;
      v01b[j] += psi(xb[i], yb[j]) / m;
    }
  }
  CHECK_OK(fnet_scoring_delong(&auc_a, &auc_b, &se, &z, &p, covm, N, y, a, b));
  CHECK_NEAR(auc_a, ref_a, 1e-13);
  CHECK_NEAR(auc_b, ref_b, 1e-13);
  CHECK_NEAR(covm[0], cov(v10a, v10a, m) / m + cov(v01a, v01a, k) / k, 1e-14);
  CHECK_NEAR(covm[1], cov(v10a, v10b, m) / m + cov(v01a, v01b, k) / k, 1e-14);
  CHECK_NEAR(covm[2], covm[1], 0.0);
  CHECK_NEAR(covm[3], cov(v10b, v10b, m) / m + cov(v01b, v01b, k) / k, 1e-14);
  var = covm[0] + covm[3] - 2 * covm[1];
  CHECK_NEAR(se, sqrt(var), 1e-15);
  CHECK_NEAR(z, (ref_a - ref_b) / sqrt(var), 1e-10);
  CHECK_NEAR(p, erfc(fabs(z) / sqrt(2.0)), 1e-14);
  CHECK(p > 0.0 && p < 1.0);
  {
    double auc = 0;
    CHECK_OK(fnet_scoring_roc_auc(&auc, N, y, a, NULL)); /* same AUC as the metric */
    CHECK_NEAR(auc, auc_a, 1e-14);
  }
  /* identical scores: difference 0, z 0, p 1 */
  CHECK_OK(fnet_scoring_delong(&auc_a, &auc_b, &se, &z, &p, NULL, N, y, a, a));
  CHECK(auc_a == auc_b && z == 0.0 && p == 1.0);
  /* outputs may be NULL */
  CHECK_OK(fnet_scoring_delong(NULL, NULL, NULL, NULL, &p, NULL, N, y, a, b));
  /* bad input */
  {
    const double y4[4] = {1, 0, 1, 0}, yone[4] = {1, 1, 1, 1}, y3[4] = {1, 0, 0, 0}, ybad[4] = {1, 0, 2, 0};
    const double s4[4] = {0.1, 0.2, 0.3, 0.4}, snan[4] = {0.1, 0.2, NAN, 0.4};
    CHECK_STATUS(fnet_scoring_delong(&auc_a, NULL, NULL, NULL, NULL, NULL, 4, yone, s4, s4),
                 FNET_E_INVALID_ARGUMENT, "4 positive, 0 negative");
    CHECK_STATUS(fnet_scoring_delong(&auc_a, NULL, NULL, NULL, NULL, NULL, 4, y3, s4, s4),
                 FNET_E_INVALID_ARGUMENT, "at least 2 rows of each class");
    CHECK_STATUS(fnet_scoring_delong(&auc_a, NULL, NULL, NULL, NULL, NULL, 4, ybad, s4, s4),
                 FNET_E_INVALID_ARGUMENT, "y[2]");
    CHECK_STATUS(fnet_scoring_delong(&auc_a, NULL, NULL, NULL, NULL, NULL, 4, y4, s4, snan),
                 FNET_E_INVALID_ARGUMENT, "score_b[2]");
    CHECK_STATUS(fnet_scoring_delong(&auc_a, NULL, NULL, NULL, NULL, NULL, 4, y4, NULL, s4),
                 FNET_E_NULL_ARGUMENT, "score_a");
    CHECK_STATUS(fnet_scoring_delong(&auc_a, NULL, NULL, NULL, NULL, NULL, 0, y4, s4, s4), FNET_E_EMPTY_INPUT,
                 "n is 0");
  }
}

static void corrected_t(void) {
  /* df = 1 (two folds): P(T > t) = 1/2 - atan(t)/pi; df = 2: 1/2 - t / (2 sqrt(t^2 + 2)) */
  const double d2[2] = {0.03, 0.01}, d3[3] = {0.02, 0.05, 0.02}, same[3] = {0.01, 0.01, 0.01};
  double mean = 0, se = 0, t = 0, p = 0, s2, want_se, want_t;
  CHECK_OK(fnet_scoring_corrected_t(&mean, &se, &t, &p, 2, d2, 80.0, 20.0));
  s2 = (0.01 * 0.01 + 0.01 * 0.01) / 1.0;
  want_se = sqrt((0.5 + 20.0 / 80.0) * s2);
  want_t = 0.02 / want_se;
  CHECK_NEAR(mean, 0.02, 1e-16);
  CHECK_NEAR(se, want_se, 1e-15);
  CHECK_NEAR(t, want_t, 1e-12);
  CHECK_NEAR(p, 2.0 * (0.5 - atan(want_t) / acos(-1.0)), 1e-13);
  CHECK_OK(fnet_scoring_corrected_t(&mean, &se, &t, &p, 3, d3, 100.0, 50.0));
  s2 = (0.01 * 0.01 + 0.02 * 0.02 + 0.01 * 0.01) / 2.0;
  want_se = sqrt((1.0 / 3.0 + 0.5) * s2);
  want_t = 0.03 / want_se;
  CHECK_NEAR(t, want_t, 1e-12);
  CHECK_NEAR(p, 2.0 * (0.5 - want_t / (2.0 * sqrt(want_t * want_t + 2.0))), 1e-13);
  /* no spread: se 0, t 0 by convention, p 1 */
  CHECK_OK(fnet_scoring_corrected_t(&mean, &se, &t, &p, 3, same, 100.0, 50.0));
  CHECK(se == 0.0 && t == 0.0 && p == 1.0);
  CHECK_STATUS(fnet_scoring_corrected_t(&mean, &se, &t, &p, 1, d2, 80.0, 20.0), FNET_E_INVALID_ARGUMENT,
               "at least 2 folds, got 1");
  CHECK_STATUS(fnet_scoring_corrected_t(&mean, &se, &t, &p, 2, d2, 0.0, 20.0), FNET_E_INVALID_ARGUMENT,
               "n_train");
  CHECK_STATUS(fnet_scoring_corrected_t(&mean, &se, &t, &p, 2, NULL, 80.0, 20.0), FNET_E_NULL_ARGUMENT,
               "difference");
  {
    const double dn[2] = {0.1, NAN};
    CHECK_STATUS(fnet_scoring_corrected_t(&mean, &se, &t, &p, 2, dn, 80.0, 20.0), FNET_E_INVALID_ARGUMENT,
                 "difference[1]");
  }
}

static void paired_bootstrap(void) {
  double y[N], a[N], b[N], est = 0, lo = 0, hi = 0, se = 0, est2, lo2, hi2, se2, auc_a, auc_b;
  int i, dropped = -1, dropped2 = -1;
  for (i = 0; i < N; ++i) {
    y[i] = uniform01() < 0.4 ? 1.0 : 0.0;
    a[i] = uniform01() + 0.5 * y[i];
    b[i] = uniform01() + 0.2 * y[i];
  }
  CHECK_OK(fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, &se, &dropped, N, y, a, b, 400, 0.9, 7, 1));
  CHECK_OK(fnet_scoring_roc_auc(&auc_a, N, y, a, NULL));
  CHECK_OK(fnet_scoring_roc_auc(&auc_b, N, y, b, NULL));
  CHECK_NEAR(est, auc_a - auc_b, 1e-15);
  CHECK(lo < est && est < hi && dropped == 0 && se > 0.0);
  /* the percentile interval is close to the normal one from DeLong's standard error */
  {
    double dse = 0;
    CHECK_OK(fnet_scoring_delong(NULL, NULL, &dse, NULL, NULL, NULL, N, y, a, b));
    CHECK(fabs(se - dse) < 0.25 * dse);
  }
  /* same seed, any thread count: the same numbers */
  CHECK_OK(fnet_scoring_paired_bootstrap_auc(&est2, &lo2, &hi2, &se2, &dropped2, N, y, a, b, 400, 0.9, 7, 0));
  CHECK(est2 == est && lo2 == lo && hi2 == hi && se2 == se && dropped2 == dropped);
  CHECK_OK(fnet_scoring_paired_bootstrap_auc(NULL, &lo2, &hi2, NULL, NULL, N, y, a, b, 400, 0.9, 8, 3));
  CHECK(lo2 != lo || hi2 != hi); /* another seed, other resamples */
  /* a rare class: some resamples lack a positive and are dropped */
  {
    const double y5[5] = {1, 0, 0, 0, 0}, s5[5] = {0.9, 0.1, 0.2, 0.3, 0.4},
                 t5[5] = {0.1, 0.2, 0.3, 0.4, 0.5};
    CHECK_OK(
        fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, NULL, &dropped, 5, y5, s5, t5, 200, 0.95, 0, 0));
    /* P(no positive in 5 draws) = 0.8^5 = 0.33: about 66 of 200 */
    CHECK(dropped > 30 && dropped < 110);
    CHECK_NEAR(est, 1.0, 0.0);
  }
  {
    const double yone[4] = {1, 1, 1, 1}, s4[4] = {0.1, 0.2, 0.3, 0.4};
    CHECK_STATUS(
        fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, &se, &dropped, 4, yone, s4, s4, 10, 0.95, 0, 0),
        FNET_E_INVALID_ARGUMENT, "one class");
    CHECK_STATUS(fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, &se, &dropped, N, y, a, b, 0, 0.95, 0, 0),
                 FNET_E_INVALID_ARGUMENT, "replicates");
    CHECK_STATUS(fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, &se, &dropped, N, y, a, b, 10, 1.0, 0, 0),
                 FNET_E_INVALID_ARGUMENT, "level");
    CHECK_STATUS(fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, &se, &dropped, N, y, a, b, 10, 0.9, 0, -1),
                 FNET_E_INVALID_ARGUMENT, "threads");
    CHECK_STATUS(
        fnet_scoring_paired_bootstrap_auc(&est, &lo, &hi, &se, &dropped, N, NULL, a, b, 10, 0.9, 0, 0),
        FNET_E_NULL_ARGUMENT, "y");
  }
}

static void kfold(void) {
  int32_t fold[103], again[103], other[103];
  int count[5] = {0, 0, 0, 0, 0};
  int i, differs = 0;
  CHECK_OK(fnet_scoring_kfold(fold, 103, 5, 11));
  for (i = 0; i < 103; ++i) {
    CHECK(fold[i] >= 0 && fold[i] < 5);
    if (fold[i] >= 0 && fold[i] < 5) ++count[fold[i]]; /* each row in exactly one test fold */
  }
  /* numpy.array_split of 103 into 5: 21 21 21 20 20 */
  CHECK(count[0] == 21 && count[1] == 21 && count[2] == 21 && count[3] == 20 && count[4] == 20);
  CHECK_OK(fnet_scoring_kfold(again, 103, 5, 11));
  CHECK(memcmp(fold, again, sizeof fold) == 0);
  CHECK_OK(fnet_scoring_kfold(other, 103, 5, 12));
  for (i = 0; i < 103; ++i) differs += other[i] != fold[i];
  CHECK(differs > 0);
  /* the oracle: numpy.random.default_rng(0).permutation(10) is [4 6 2 7 3 5 9 0 8 1]
   * (numpy 2.4), cut by array_split into [4 6 2 7] [3 5 9] [0 8 1] */
  {
    const int32_t want[10] = {2, 2, 0, 1, 0, 1, 0, 0, 2, 1};
    int32_t f10[10];
    CHECK_OK(fnet_scoring_kfold(f10, 10, 3, 0));
    CHECK(memcmp(f10, want, sizeof want) == 0);
  }
  CHECK_STATUS(fnet_scoring_kfold(fold, 103, 1, 0), FNET_E_INVALID_ARGUMENT, "folds must be >= 2, got 1");
  CHECK_STATUS(fnet_scoring_kfold(fold, 4, 5, 0), FNET_E_INVALID_ARGUMENT, "4 rows cannot make 5 folds");
  CHECK_STATUS(fnet_scoring_kfold(NULL, 4, 2, 0), FNET_E_NULL_ARGUMENT, "fold");
  CHECK_STATUS(fnet_scoring_kfold(fold, 0, 2, 0), FNET_E_EMPTY_INPUT, "n is 0");
}

static void group_kfold(void) {
  int64_t groups[200];
  int32_t fold[200], again[200], fold_of_group[37];
  int groups_in[4] = {0, 0, 0, 0};
  int i;
  for (i = 0; i < 200; ++i) groups[i] = 1000 - 7 * (int64_t)(uniform01() * 37); /* 37 accounts, any ids */
  CHECK_OK(fnet_scoring_group_kfold(fold, 200, groups, 4, 3));
  for (i = 0; i < 37; ++i) fold_of_group[i] = -1;
  for (i = 0; i < 200; ++i) {
    const int g = (int)((1000 - groups[i]) / 7);
    CHECK(fold[i] >= 0 && fold[i] < 4);
    if (fold_of_group[g] < 0) {
      fold_of_group[g] = fold[i];
      ++groups_in[fold[i]];
    }
    CHECK(fold_of_group[g] == fold[i]); /* a group is never split */
  }
  {
    int seen = 0;
    for (i = 0; i < 37; ++i) seen += fold_of_group[i] >= 0;
    /* groups dealt round-robin: 10 10 9 9 of the groups present */
    for (i = 0; i < 4; ++i) CHECK(groups_in[i] == seen / 4 || groups_in[i] == seen / 4 + 1);
  }
  CHECK_OK(fnet_scoring_group_kfold(again, 200, groups, 4, 3));
  CHECK(memcmp(fold, again, sizeof fold) == 0);
  {
    const int64_t two[4] = {5, 5, 9, 9};
    CHECK_STATUS(fnet_scoring_group_kfold(fold, 4, two, 3, 0), FNET_E_INVALID_ARGUMENT,
                 "2 groups cannot make 3 folds");
    CHECK_STATUS(fnet_scoring_group_kfold(fold, 4, NULL, 2, 0), FNET_E_NULL_ARGUMENT, "groups");
    CHECK_STATUS(fnet_scoring_group_kfold(fold, 4, two, 0, 0), FNET_E_INVALID_ARGUMENT, "folds must be >= 2");
  }
}

static void time_split(void) {
  double t[150];
  int32_t fold[150];
  int count[5] = {0, 0, 0, 0, 0};
  int i, k;
  for (i = 0; i < 150; ++i) t[i] = floor(uniform01() * 60.0); /* days, with ties */
  CHECK_OK(fnet_scoring_time_split(fold, 150, t, 4));
  for (i = 0; i < 150; ++i) {
    CHECK(fold[i] >= -1 && fold[i] < 4);
    if (fold[i] >= -1 && fold[i] < 4) ++count[fold[i] + 1];
  }
  for (i = 0; i < 5; ++i) CHECK(count[i] == 30); /* 5 blocks of 30 */
  /* fold k trains on fold < k: never a training row later than a test row */
  for (k = 0; k < 4; ++k) {
    double train_max = -1, test_min = 1e300;
    for (i = 0; i < 150; ++i) {
      if (fold[i] < k && t[i] > train_max) train_max = t[i];
      if (fold[i] == k && t[i] < test_min) test_min = t[i];
    }
    CHECK(train_max <= test_min);
  }
  /* ties are kept in row order: equal times never go to an earlier block for a later row */
  {
    const double tt[6] = {5, 5, 5, 5, 5, 5};
    const int32_t want[6] = {-1, -1, 0, 0, 1, 1};
    int32_t f6[6];
    CHECK_OK(fnet_scoring_time_split(f6, 6, tt, 2));
    CHECK(memcmp(f6, want, sizeof want) == 0);
  }
  {
    const double tn[3] = {1, NAN, 2};
    CHECK_STATUS(fnet_scoring_time_split(fold, 3, tn, 2), FNET_E_INVALID_ARGUMENT, "time[1] is NaN");
    CHECK_STATUS(fnet_scoring_time_split(fold, 2, t, 2), FNET_E_INVALID_ARGUMENT, "2 rows cannot make 2");
    CHECK_STATUS(fnet_scoring_time_split(fold, 3, NULL, 2), FNET_E_NULL_ARGUMENT, "time");
  }
}

static void logistic_ex(void) {
  /* the 2x2 table of scoring_abi.c: x=1: 25 yes 15 no; x=0: 20 yes 40 no */
  double X[100], yy[100], coef = 0, intercept = 0, cov[4], est[2], se[2], z[2], pv[2], lo[2], hi[2];
  double coef_pf = 0, coef_2l = 0;
  size_t needed = 0;
  int i;
  fnet_logistic *m = NULL, *m2 = NULL;
  fnet_logistic_options o = FNET_LOGISTIC_OPTIONS_INIT;
  const double zero[1] = {0.0}, two[1] = {2.0}, neg[1] = {-1.0};
  for (i = 0; i < 100; ++i) {
    X[i] = i < 40 ? 1.0 : 0.0;
    yy[i] = i < 40 ? (i < 25 ? 1.0 : 0.0) : (i < 60 ? 1.0 : 0.0);
  }
  /* a zero penalty factor: the unpenalised MLE whatever lambda */
  o.lambda = 0.5;
  CHECK_OK(fnet_logistic_fit_ex(&m, 100, 1, X, yy, NULL, &o, zero, 0));
  CHECK_OK(fnet_logistic_coef(&coef, 1, &needed, m));
  CHECK_NEAR(coef, log((25.0 / 15.0) / (20.0 / 40.0)), 1e-9);
  fnet_logistic_destroy(m);
  m = NULL;
  /* the factor scales the coefficient inside the penalty, (lambda / 2) (f b)^2: factor 2
   * at lambda = 0.05 is lambda 0.2 without factors */
  o.lambda = 0.05;
  CHECK_OK(fnet_logistic_fit_ex(&m, 100, 1, X, yy, NULL, &o, two, 0));
  CHECK_OK(fnet_logistic_coef(&coef_pf, 1, &needed, m));
  fnet_logistic_destroy(m);
  m = NULL;
  o.lambda = 0.2;
  CHECK_OK(fnet_logistic_fit(&m2, 100, 1, X, yy, NULL, &o));
  CHECK_OK(fnet_logistic_coef(&coef_2l, 1, &needed, m2));
  CHECK_NEAR(coef_pf, coef_2l, 1e-10);
  CHECK(coef_2l < 0.9 * log((25.0 / 15.0) / (20.0 / 40.0))); /* shrunk */
  /* penalised without posterior_covariance: no covariance, no Wald table */
  CHECK_OK(fnet_logistic_wald(est, NULL, NULL, NULL, NULL, NULL, 2, &needed, m2, 0.95));
  CHECK(needed == 0);
  fnet_logistic_destroy(m2);
  /* posterior covariance of the L2 fit: the inverse of the penalised Hessian of the
   * summed log-likelihood, sum_i p_i (1 - p_i) (1, x_i)(1, x_i)' + n lambda diag(0, 1) */
  CHECK_OK(fnet_logistic_fit_ex(&m, 100, 1, X, yy, NULL, &o, NULL, 1));
  CHECK_OK(fnet_logistic_covariance(cov, 4, &needed, m));
  CHECK(needed == 4);
  CHECK_OK(fnet_logistic_coef(&coef, 1, &needed, m));
  CHECK_OK(fnet_logistic_report(&intercept, NULL, NULL, NULL, NULL, NULL, m));
  {
    const double p1 = 1.0 / (1.0 + exp(-(intercept + coef))), p0 = 1.0 / (1.0 + exp(-intercept));
    const double h00 = 40 * p1 * (1 - p1) + 60 * p0 * (1 - p0), h01 = 40 * p1 * (1 - p1),
                 h11 = 40 * p1 * (1 - p1) + 100 * 0.2;
    const double det = h00 * h11 - h01 * h01;
    CHECK_NEAR(cov[0], h11 / det, 1e-9);
    CHECK_NEAR(cov[1], -h01 / det, 1e-9);
    CHECK_NEAR(cov[3], h00 / det, 1e-9);
  }
  fnet_logistic_destroy(m);
  m = NULL;
  /* Wald table of the unpenalised fit: the log odds ratio with its textbook standard error */
  CHECK_OK(fnet_logistic_fit_ex(&m, 100, 1, X, yy, NULL, NULL, NULL, 0));
  CHECK_OK(fnet_logistic_wald(NULL, NULL, NULL, NULL, NULL, NULL, 0, &needed, m, 0.95));
  CHECK(needed == 2);
  CHECK_STATUS(fnet_logistic_wald(est, se, z, pv, lo, hi, 1, &needed, m, 0.95), FNET_E_BUFFER_TOO_SMALL,
               "2 needed");
  CHECK_OK(fnet_logistic_wald(est, se, z, pv, lo, hi, 2, &needed, m, 0.95));
  {
    const double b = log((25.0 / 15.0) / (20.0 / 40.0)), s = sqrt(1.0 / 25 + 1.0 / 15 + 1.0 / 20 + 1.0 / 40);
    const double s0 = sqrt(1.0 / 20 + 1.0 / 40), q = 1.959963984540054;
    CHECK_NEAR(est[0], log(20.0 / 40.0), 1e-9);
    CHECK_NEAR(se[0], s0, 1e-8);
    CHECK_NEAR(est[1], b, 1e-9);
    CHECK_NEAR(se[1], s, 1e-8);
    CHECK_NEAR(z[1], b / s, 1e-7);
    CHECK_NEAR(pv[1], erfc(fabs(b / s) / sqrt(2.0)), 1e-8);
    CHECK_NEAR(lo[1], b - q * s, 1e-8);
    CHECK_NEAR(hi[1], b + q * s, 1e-8);
  }
  CHECK_STATUS(fnet_logistic_wald(est, se, z, pv, lo, hi, 2, &needed, m, 1.5), FNET_E_INVALID_ARGUMENT,
               "level");
  CHECK_STATUS(fnet_logistic_wald(est, NULL, NULL, NULL, NULL, NULL, 2, &needed, NULL, 0.95),
               FNET_E_NULL_ARGUMENT, "model");
  fnet_logistic_destroy(m);
  m = NULL;
  CHECK_STATUS(fnet_logistic_fit_ex(&m, 100, 1, X, yy, NULL, &o, neg, 0), FNET_E_INVALID_ARGUMENT,
               "penalty_factor[0]");
  CHECK(m == NULL);
  CHECK_STATUS(fnet_logistic_fit_ex(NULL, 100, 1, X, yy, NULL, &o, NULL, 0), FNET_E_NULL_ARGUMENT, "out");
}

static void rank_and_calibration(void) {
  enum { M = 23, B = 4 };
  double y[M], s[M], w[M], table[B * 10], prob_true[B], prob_pred[B], bw[B];
  int32_t bins[B];
  int order[M], i, j, b;
  size_t needed = 0;
  double total_w = 0, total_pos = 0, cum_w = 0, cum_pos = 0;
  for (i = 0; i < M; ++i) {
    s[i] = floor(uniform01() * 8.0) / 8.0; /* ties */
    y[i] = uniform01() < s[i] ? 1.0 : 0.0;
    w[i] = 0.5 + uniform01();
    total_w += w[i];
    total_pos += w[i] * y[i];
    order[i] = i;
  }
  if (total_pos == 0) y[0] = 1.0, total_pos = w[0];
  /* insertion sort by score descending, ties by row order (stable) */
  for (i = 1; i < M; ++i)
    for (j = i; j > 0 && s[order[j]] > s[order[j - 1]]; --j) {
      const int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  CHECK_OK(fnet_scoring_rank_table(NULL, 0, &needed, M, y, s, w, B));
  CHECK(needed == B * 10);
  CHECK_STATUS(fnet_scoring_rank_table(table, 10, &needed, M, y, s, w, B), FNET_E_BUFFER_TOO_SMALL,
               "40 needed");
  CHECK_OK(fnet_scoring_rank_table(table, B * 10, &needed, M, y, s, w, B));
  for (b = 0; b < B; ++b) {
    double rows = 0, wt = 0, pos = 0;
    for (i = 0; i < M; ++i)
      if ((i * B) / M == b) {
        rows += 1;
        wt += w[order[i]];
        pos += w[order[i]] * y[order[i]];
      }
    cum_w += wt;
    cum_pos += pos;
    CHECK_NEAR(table[b * 10 + 0], rows, 0.0);
    CHECK_NEAR(table[b * 10 + 1], wt, 1e-13);
    CHECK_NEAR(table[b * 10 + 2], pos, 1e-13);
    CHECK_NEAR(table[b * 10 + 5], pos / wt, 1e-13);
    CHECK_NEAR(table[b * 10 + 6], (pos / wt) / (total_pos / total_w), 1e-12);
    CHECK_NEAR(table[b * 10 + 7], cum_w / total_w, 1e-13);
    CHECK_NEAR(table[b * 10 + 8], cum_pos / total_pos, 1e-13);
  }
  CHECK_STATUS(fnet_scoring_rank_table(table, B * 10, &needed, M, y, s, w, 0), FNET_E_INVALID_ARGUMENT,
               "bins");
  /* calibration curve, uniform bins: bin = number of inner edges k/B strictly below p */
  CHECK_OK(
      fnet_scoring_calibration_curve(NULL, NULL, NULL, NULL, 0, &needed, M, y, s, w, B, FNET_BIN_UNIFORM));
  CHECK(needed >= 1 && needed <= B);
  CHECK_OK(fnet_scoring_calibration_curve(bins, prob_true, prob_pred, bw, B, &needed, M, y, s, w, B,
                                          FNET_BIN_UNIFORM));
  for (j = 0; j < (int)needed; ++j) {
    double sw = 0, sy = 0, sp = 0;
    for (i = 0; i < M; ++i) {
      int k, bi = 0;
      for (k = 1; k < B; ++k) bi += (double)k / B < s[i];
      if (bi == bins[j]) {
        sw += w[i];
        sy += w[i] * y[i];
        sp += w[i] * s[i];
      }
    }
    CHECK(sw > 0);
    CHECK_NEAR(bw[j], sw, 1e-13);
    CHECK_NEAR(prob_true[j], sy / sw, 1e-13);
    CHECK_NEAR(prob_pred[j], sp / sw, 1e-13);
  }
  CHECK_STATUS(
      fnet_scoring_calibration_curve(bins, NULL, NULL, NULL, B, &needed, M, y, s, w, B, (fnet_bin_strategy)7),
      FNET_E_INVALID_ARGUMENT, "strategy");
}

static void metric_bootstrap(void) {
  double y[N], s[N], est = 0, lo = 0, hi = 0, se = 0, est1, lo1, hi1, se1, auc = 0, ece = 0;
  int i, dropped = -1, dropped1 = -1;
  for (i = 0; i < N; ++i) {
    s[i] = uniform01();
    y[i] = uniform01() < s[i] ? 1.0 : 0.0;
  }
  CHECK_OK(fnet_scoring_bootstrap(&est, &lo, &hi, &se, &dropped, FNET_METRIC_ROC_AUC, N, y, s, NULL, 300, 0.9,
                                  3, 0, 10, FNET_BIN_UNIFORM));
  CHECK_OK(fnet_scoring_roc_auc(&auc, N, y, s, NULL));
  CHECK_NEAR(est, auc, 0.0);
  CHECK(lo < est && est < hi && dropped == 0);
  /* the paired bootstrap of a score against itself: every difference is 0 */
  {
    double dse = -1;
    CHECK_OK(fnet_scoring_paired_bootstrap_auc(NULL, NULL, NULL, &dse, NULL, N, y, s, s, 10, 0.9, 0, 0));
    CHECK(dse == 0.0);
  }
  CHECK_OK(fnet_scoring_bootstrap(&est1, &lo1, &hi1, &se1, &dropped1, FNET_METRIC_ROC_AUC, N, y, s, NULL, 300,
                                  0.9, 3, 1, 10, FNET_BIN_UNIFORM));
  CHECK(est1 == est && lo1 == lo && hi1 == hi && se1 == se && dropped1 == dropped);
  CHECK_OK(fnet_scoring_bootstrap(&est, NULL, NULL, NULL, NULL, FNET_METRIC_ECE, N, y, s, NULL, 50, 0.9, 3, 0,
                                  5, FNET_BIN_UNIFORM));
  CHECK_OK(fnet_scoring_ece(&ece, N, y, s, NULL, 5));
  CHECK_NEAR(est, ece, 0.0);
  CHECK_OK(fnet_scoring_bootstrap(&est, &lo, &hi, NULL, NULL, FNET_METRIC_ECE, N, y, s, NULL, 50, 0.9, 3, 0,
                                  5, FNET_BIN_QUANTILE));
  CHECK(est >= 0.0 && lo <= hi);
  CHECK_STATUS(fnet_scoring_bootstrap(&est, NULL, NULL, NULL, NULL, (fnet_metric)9, N, y, s, NULL, 50, 0.9, 3,
                                      0, 5, FNET_BIN_UNIFORM),
               FNET_E_INVALID_ARGUMENT, "metric");
  CHECK_STATUS(fnet_scoring_bootstrap(&est, NULL, NULL, NULL, NULL, FNET_METRIC_BRIER, N, y, s, NULL, 1, 0.9,
                                      3, 0, 5, FNET_BIN_UNIFORM),
               FNET_E_INVALID_ARGUMENT, "replicates");
}

static void contributions(void) {
  enum { R = 60, P = 3 };
  double X[R * P], yy[R], C[R * P], coef[P], mean[P] = {0, 0, 0}, base = 0, intercept = 0, pred[R];
  size_t needed = 0;
  int i, j;
  fnet_logistic* m = NULL;
  for (i = 0; i < R; ++i) {
    for (j = 0; j < P; ++j) {
      X[i * P + j] = uniform01() * (j + 1);
      mean[j] += X[i * P + j] / R;
    }
    yy[i] = uniform01() < 1.0 / (1.0 + exp(-(X[i * P] - X[i * P + 2]))) ? 1.0 : 0.0;
  }
  CHECK_OK(fnet_logistic_fit(&m, R, P, X, yy, NULL, NULL));
  CHECK_OK(fnet_logistic_coef(coef, P, &needed, m));
  CHECK_OK(fnet_logistic_report(&intercept, NULL, NULL, NULL, NULL, NULL, m));
  CHECK_OK(fnet_logistic_contributions(C, m, R, P, X));
  CHECK_OK(fnet_logistic_baseline(&base, m));
  CHECK_OK(fnet_logistic_predict(pred, m, R, P, X));
  CHECK_NEAR(base, intercept + coef[0] * mean[0] + coef[1] * mean[1] + coef[2] * mean[2], 1e-12);
  for (i = 0; i < R; ++i) {
    double eta = base;
    for (j = 0; j < P; ++j) {
      CHECK_NEAR(C[i * P + j], coef[j] * (X[i * P + j] - mean[j]), 1e-12);
      eta += C[i * P + j];
    }
    CHECK_NEAR(1.0 / (1.0 + exp(-eta)), pred[i], 1e-13);
  }
  CHECK_STATUS(fnet_logistic_contributions(C, m, R, P - 1, X), FNET_E_SHAPE_MISMATCH, "columns");
  CHECK_STATUS(fnet_logistic_contributions(NULL, m, R, P, X), FNET_E_NULL_ARGUMENT, "out");
  CHECK_STATUS(fnet_logistic_baseline(&base, NULL), FNET_E_NULL_ARGUMENT, "model");
  fnet_logistic_destroy(m);
}

/* The bad input for the logistic fit through the C ABI: one class, a negative
 * weight, an infinite cell, a constant column (documented handling: coefficient 0). */
static void logistic_bad_input(void) {
  const double X[8] = {0, 5, 1, 5, 2, 5, 3, 5}, ones[4] = {1, 1, 1, 1}, zeros[4] = {0, 0, 0, 0};
  const double y[4] = {0, 1, 0, 1}, wneg[4] = {1, 1, -2, 1}, Xinf[8] = {0, 5, 1, 5, INFINITY, 5, 3, 5};
  double coef[2] = {-1, -1}, pred[4];
  size_t needed = 0;
  int status = -1;
  fnet_logistic* m = NULL;
  CHECK_STATUS(fnet_logistic_fit(&m, 4, 2, X, ones, NULL, NULL), FNET_E_INVALID_ARGUMENT, "only class 1");
  CHECK_STATUS(fnet_logistic_fit(&m, 4, 2, X, zeros, NULL, NULL), FNET_E_INVALID_ARGUMENT, "only class 0");
  CHECK_STATUS(fnet_logistic_fit(&m, 4, 2, X, y, wneg, NULL), FNET_E_INVALID_ARGUMENT, "[2]");
  CHECK_STATUS(fnet_logistic_fit(&m, 4, 2, Xinf, y, NULL, NULL), FNET_E_INVALID_ARGUMENT, "X[2, 0]");
  CHECK(m == NULL);
  /* column 1 is constant: coefficient 0, the fit otherwise as without it */
  CHECK_OK(fnet_logistic_fit(&m, 4, 2, X, y, NULL, NULL));
  CHECK_OK(fnet_logistic_coef(coef, 2, &needed, m));
  CHECK_OK(fnet_logistic_report(NULL, &status, NULL, NULL, NULL, NULL, m));
  CHECK(coef[1] == 0.0 && isfinite(coef[0]));
  CHECK_OK(fnet_logistic_predict(pred, m, 4, 2, X));
  CHECK(pred[0] > 0.0 && pred[3] < 1.0 && pred[0] < pred[3]);
  fnet_logistic_destroy(m);
}

int main(void) {
  delong();
  corrected_t();
  paired_bootstrap();
  kfold();
  group_kfold();
  time_split();
  logistic_ex();
  rank_and_calibration();
  metric_bootstrap();
  contributions();
  logistic_bad_input();
  return check_report("scoring_experiments_abi");
}
