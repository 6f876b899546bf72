/* The pooled-prior scorer and the sales views through the C ABI: per-segment 2x2 tables
 * whose maximum-likelihood log odds are closed forms (a flat prior, tau large, gives each
 * segment's own table; tau tiny gives the pooled table), the evidence choice, predictions
 * and intervals consistent with the coefficients, the 1-99 score and tiers against brute
 * force, and bad input naming the culprit. */
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

/* Two segments of 100 rows each, x in {0, 1}: segment s, x = 1: yes1[s] of 40 won; x = 0:
 * yes0[s] of 60 won. */
static const int yes1[2] = {25, 30}, yes0[2] = {20, 10};

static void tables(double* X, double* y, int64_t* seg) {
  int s, i;
  for (s = 0; s < 2; ++s)
    for (i = 0; i < 100; ++i) {
      const int r = 100 * s + i;
      X[r] = i < 40 ? 1.0 : 0.0;
      y[r] = i < 40 ? (i < yes1[s] ? 1.0 : 0.0) : (i - 40 < yes0[s] ? 1.0 : 0.0);
      seg[r] = s;
    }
}

static double logit(double p) {
  return log(p / (1.0 - p));
}

int main(void) {
  double X[200], y[200];
  int64_t seg[200];
  tables(X, y, seg);
  /* flat priors: each segment's intercept and log odds ratio are its own table's */
  {
    fnet_pooled* m = NULL;
    fnet_pooled_options o = FNET_POOLED_OPTIONS_INIT;
    double si[2], sc[2], est[4], se[4], lo[4], up[4], pr[2], tau_i = 0, tau_c = 0, icpt = 0, ll = 0;
    size_t needed = 0, p = 0, S = 0, G = 9;
    int status = -1, iterations = 0, s;
    o.C = 1e8;
    o.tau_intercept = 1e4;
    o.tau_coef = 1e4;
    CHECK_OK(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o));
    CHECK_OK(fnet_pooled_sizes(&p, &S, &G, m));
    CHECK(p == 1 && S == 2 && G == 0);
    CHECK_OK(fnet_pooled_report(&tau_i, &tau_c, &icpt, &status, &iterations, &ll, m));
    CHECK(status == FNET_FIT_CONVERGED && tau_i == 1e4 && tau_c == 1e4);
    CHECK_OK(fnet_pooled_segment_intercept(NULL, 0, &needed, m));
    CHECK(needed == 2);
    CHECK_STATUS(fnet_pooled_segment_intercept(si, 1, &needed, m), FNET_E_BUFFER_TOO_SMALL, "2 needed");
    CHECK_OK(fnet_pooled_segment_intercept(si, 2, &needed, m));
    CHECK_OK(fnet_pooled_segment_coef(sc, 2, &needed, m));
    for (s = 0; s < 2; ++s) {
      CHECK_NEAR(si[s], logit(yes0[s] / 60.0), 1e-5);
      CHECK_NEAR(sc[s], logit(yes1[s] / 40.0) - logit(yes0[s] / 60.0), 1e-5);
    }
    /* predictions: the segment's rate of x */
    {
      const double Xq[2] = {1.0, 0.0};
      const int64_t sq[2] = {1, 0};
      CHECK_OK(fnet_pooled_predict(pr, m, 2, 1, Xq, sq));
      CHECK_NEAR(pr[0], 30.0 / 40.0, 1e-6);
      CHECK_NEAR(pr[1], 20.0 / 60.0, 1e-6);
    }
    /* intervals: segment-major (intercept, x); se of a log odds ratio 1/a + 1/b + 1/c + 1/d */
    CHECK_OK(fnet_pooled_intervals(NULL, NULL, NULL, NULL, NULL, NULL, 0, &needed, m, 0.95));
    CHECK(needed == 4);
    CHECK_OK(fnet_pooled_intervals(est, se, NULL, NULL, lo, up, 4, &needed, m, 0.95));
    for (s = 0; s < 2; ++s) {
      const double a = yes1[s], b = 40.0 - yes1[s], c = yes0[s], d = 60.0 - yes0[s];
      CHECK_NEAR(est[2 * s], si[s], 1e-12);
      CHECK_NEAR(est[2 * s + 1], sc[s], 1e-12);
      CHECK_NEAR(se[2 * s], sqrt(1.0 / c + 1.0 / d), 1e-4);
      CHECK_NEAR(se[2 * s + 1], sqrt(1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d), 1e-4);
      CHECK_NEAR(up[2 * s + 1] - est[2 * s + 1], 1.959963984540054 * se[2 * s + 1], 1e-9);
      CHECK_NEAR(est[2 * s + 1] - lo[2 * s + 1], 1.959963984540054 * se[2 * s + 1], 1e-9);
    }
    /* bad input at predict time */
    {
      const double Xq[2] = {1.0, NAN};
      const int64_t sq[2] = {0, 2};
      CHECK_STATUS(fnet_pooled_predict(pr, m, 2, 1, Xq, sq), FNET_E_OUT_OF_RANGE, "segment[1] = 2");
      CHECK_STATUS(fnet_pooled_predict(pr, m, 1, 2, Xq, sq), FNET_E_SHAPE_MISMATCH, "fitted on 1");
      CHECK_STATUS(fnet_pooled_intervals(est, se, NULL, NULL, lo, up, 4, &needed, m, 1.0),
                   FNET_E_INVALID_ARGUMENT, "level");
    }
    fnet_pooled_destroy(m);
  }
  /* tau tiny: every segment gets the pooled table's log odds */
  {
    fnet_pooled* m = NULL;
    fnet_pooled_options o = FNET_POOLED_OPTIONS_INIT;
    double si[2], sc[2], coef = 0, icpt = 0;
    size_t needed = 0;
    o.C = 1e8;
    int status = -1;
    o.tau_intercept = 1e-4; /* tinier priors make the Hessian too ill-conditioned to converge */
    o.tau_coef = 1e-4;
    CHECK_OK(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o));
    CHECK_OK(fnet_pooled_segment_intercept(si, 2, &needed, m));
    CHECK_OK(fnet_pooled_segment_coef(sc, 2, &needed, m));
    CHECK_OK(fnet_pooled_coef(&coef, 1, &needed, m));
    CHECK_OK(fnet_pooled_report(NULL, NULL, &icpt, &status, NULL, NULL, m));
    CHECK(status == FNET_FIT_CONVERGED);
    CHECK_NEAR(icpt, logit(30.0 / 120.0), 1e-6);
    CHECK_NEAR(coef, logit(55.0 / 80.0) - logit(30.0 / 120.0), 1e-6);
    CHECK_NEAR(si[0], icpt, 1e-6);
    CHECK_NEAR(si[1], icpt, 1e-6);
    CHECK_NEAR(sc[0], coef, 1e-6);
    CHECK_NEAR(sc[1], coef, 1e-6);
    fnet_pooled_destroy(m);
  }
  /* tau chosen by the evidence among the candidates: the chosen pair has the largest score */
  {
    fnet_pooled* m = NULL;
    const double taus[3] = {0.05, 0.5, 2.0};
    double ti[9], tc[9], sc[9], tau_i = 0, tau_c = 0;
    size_t needed = 0, G = 0, g, best = 0;
    double cov[16];
    CHECK_OK(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, taus, 3, NULL));
    CHECK_OK(fnet_pooled_sizes(NULL, NULL, &G, m));
    CHECK(G == 9);
    CHECK_OK(fnet_pooled_candidates(ti, tc, sc, 9, &needed, m));
    for (g = 0; g < 9; ++g) {
      CHECK(ti[g] == taus[g / 3] && tc[g] == taus[g % 3] && isfinite(sc[g]));
      if (sc[g] > sc[best]) best = g;
    }
    CHECK_OK(fnet_pooled_report(&tau_i, &tau_c, NULL, NULL, NULL, NULL, m));
    CHECK(tau_i == ti[best] && tau_c == tc[best]);
    /* K = 1 + p (S + 1) + S = 6 parameters */
    CHECK_OK(fnet_pooled_covariance(NULL, 0, &needed, m));
    CHECK(needed == 36);
    CHECK_STATUS(fnet_pooled_covariance(cov, 16, &needed, m), FNET_E_BUFFER_TOO_SMALL, "36 needed");
    fnet_pooled_destroy(m);
  }
  /* bad input: each names the culprit and leaves *out alone */
  {
    fnet_pooled* m = NULL;
    fnet_pooled_options o = FNET_POOLED_OPTIONS_INIT;
    double Xb[200], yb[200];
    int64_t sb[200];
    const double zero_tau[2] = {0.1, 0.0};
    int i;
    for (i = 0; i < 200; ++i) {
      Xb[i] = X[i];
      yb[i] = y[i];
      sb[i] = seg[i];
    }
    Xb[7] = NAN;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, Xb, y, seg, 2, NULL, NULL, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "X[7, 0]");
    yb[3] = 2.0;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, yb, seg, 2, NULL, NULL, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "y[3]");
    for (i = 0; i < 200; ++i) yb[i] = 1.0;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, yb, seg, 2, NULL, NULL, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "class");
    for (i = 0; i < 200; ++i) yb[i] = 0.0;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, yb, seg, 2, NULL, NULL, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "only class 0");
    sb[150] = 5;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, sb, 2, NULL, NULL, 0, NULL), FNET_E_OUT_OF_RANGE,
                 "segment[150] = 5");
    {
      double w[200];
      for (i = 0; i < 200; ++i) w[i] = 1.0;
      w[9] = -1.0;
      CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, w, NULL, 0, NULL), FNET_E_INVALID_ARGUMENT,
                   "sample_weight[9]");
    }
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, zero_tau, 2, NULL), FNET_E_INVALID_ARGUMENT,
                 "taus[1]");
    o.tau_intercept = 0.3; /* tau_coef left 0 */
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o), FNET_E_INVALID_ARGUMENT,
                 "tau_coef");
    o = (fnet_pooled_options)FNET_POOLED_OPTIONS_INIT;
    o.C = -1.0;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o), FNET_E_INVALID_ARGUMENT,
                 "C must");
    o = (fnet_pooled_options)FNET_POOLED_OPTIONS_INIT;
    o.select = (fnet_tau_select)7;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o), FNET_E_INVALID_ARGUMENT,
                 "FNET_TAU_CV");
    o = (fnet_pooled_options)FNET_POOLED_OPTIONS_INIT;
    o.select = FNET_TAU_CV;
    o.folds = 1;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o), FNET_E_INVALID_ARGUMENT,
                 "folds");
    o.version = 0;
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, seg, 2, NULL, NULL, 0, &o), FNET_E_INVALID_ARGUMENT,
                 "FNET_POOLED_OPTIONS_INIT");
    CHECK_STATUS(fnet_pooled_fit(&m, 0, 1, X, y, seg, 2, NULL, NULL, 0, NULL), FNET_E_EMPTY_INPUT, "n is 0");
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 0, X, y, seg, 2, NULL, NULL, 0, NULL), FNET_E_EMPTY_INPUT,
                 "p is 0");
    CHECK_STATUS(fnet_pooled_fit(&m, 200, 1, X, y, NULL, 2, NULL, NULL, 0, NULL), FNET_E_NULL_ARGUMENT,
                 "segment");
    CHECK_STATUS(fnet_pooled_fit(NULL, 200, 1, X, y, seg, 2, NULL, NULL, 0, NULL), FNET_E_NULL_ARGUMENT,
                 "out");
    CHECK(m == NULL);
    CHECK_STATUS(fnet_pooled_sizes(NULL, NULL, NULL, NULL), FNET_E_NULL_ARGUMENT, "model");
    fnet_pooled_destroy(NULL);
  }
  /* CV selection runs, and gives the same answer at 1 and 2 threads */
  {
    fnet_pooled *a = NULL, *b = NULL;
    fnet_pooled_options o = FNET_POOLED_OPTIONS_INIT;
    const double taus[2] = {0.1, 1.0};
    double sa[4], sb[4];
    size_t needed = 0;
    int k;
    o.select = FNET_TAU_CV;
    o.folds = 4;
    o.seed = 3;
    o.threads = 1;
    CHECK_OK(fnet_pooled_fit(&a, 200, 1, X, y, seg, 2, NULL, taus, 2, &o));
    o.threads = 2;
    CHECK_OK(fnet_pooled_fit(&b, 200, 1, X, y, seg, 2, NULL, taus, 2, &o));
    CHECK_OK(fnet_pooled_candidates(NULL, NULL, sa, 4, &needed, a));
    CHECK_OK(fnet_pooled_candidates(NULL, NULL, sb, 4, &needed, b));
    for (k = 0; k < 4; ++k) CHECK(sa[k] == sb[k] && sa[k] > 0.0 && sa[k] < log(2.0));
    fnet_pooled_destroy(a);
    fnet_pooled_destroy(b);
  }
  /* the 1-99 score and tiers against brute force */
  {
    const double pr[6] = {0.0, 0.004, 0.125, 0.135, 0.5, 1.0};
    const int want[6] = {1, 1, 12, 14, 50, 99};
    int32_t out[6], tier[10];
    const double score[10] = {0.3, 0.9, 0.3, 0.1, 0.3, 0.5, 0.2, 0.9, 0.0, 0.3};
    const double shares[3] = {0.25, 0.25, 0.5}; /* bounds rint(2.5) = 2, 5, 10 */
    /* ranks: 0.9 (1), 0.9 (7) | 0.5 (5), 0.3 (0), 0.3 (2) | 0.3 (4), 0.3 (9), 0.2, 0.1, 0.0 */
    const int32_t want_tier[10] = {1, 0, 1, 2, 2, 1, 2, 0, 2, 2};
    const double bad_shares[2] = {0.5, 0.6};
    int i;
    CHECK_OK(fnet_scoring_score_1_99(out, 6, pr));
    for (i = 0; i < 6; ++i) CHECK(out[i] == want[i]);
    CHECK_OK(fnet_scoring_priority_tiers(tier, 10, score, shares, 3));
    for (i = 0; i < 10; ++i) CHECK(tier[i] == want_tier[i]);
    {
      const double pbad[2] = {0.5, -0.1};
      CHECK_STATUS(fnet_scoring_score_1_99(out, 2, pbad), FNET_E_INVALID_ARGUMENT, "p[1]");
    }
    CHECK_STATUS(fnet_scoring_priority_tiers(tier, 10, score, bad_shares, 2), FNET_E_INVALID_ARGUMENT,
                 "sum to 1");
    CHECK_STATUS(fnet_scoring_priority_tiers(tier, 10, score, NULL, 0), FNET_E_INVALID_ARGUMENT,
                 "shares is empty");
    CHECK_STATUS(fnet_scoring_priority_tiers(tier, 10, NULL, shares, 3), FNET_E_NULL_ARGUMENT, "score");
  }
  return check_report("scoring_pooled_abi");
}
