/* The scoring C ABI: metrics against closed forms, logistic regression against the
 * 2x2-table MLE (log odds ratio with its textbook standard error), bad input. */
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

int main(void) {
  /* metrics: y = (1, 0, 1, 0), p = (0.9, 0.2, 0.4, 0.4) */
  const double y[4] = {1, 0, 1, 0}, p[4] = {0.9, 0.2, 0.4, 0.4};
  double v = 0.0;
  CHECK_OK(fnet_scoring_roc_auc(&v, 4, y, p, NULL));
  CHECK_NEAR(v, 0.875, 1e-15); /* pairs: 1 + 1 + 1 + 1/2 of 4 */
  CHECK_OK(fnet_scoring_log_loss(&v, 4, y, p, NULL));
  CHECK_NEAR(v, -(log(0.9) + log(0.8) + log(0.4) + log(0.6)) / 4, 1e-15);
  CHECK_OK(fnet_scoring_brier(&v, 4, y, p, NULL));
  CHECK_NEAR(v, (0.01 + 0.04 + 0.36 + 0.16) / 4, 1e-15);
  CHECK_OK(fnet_scoring_ks(&v, 4, y, p, NULL));
  CHECK_NEAR(v, 0.5, 1e-15);
  CHECK_OK(fnet_scoring_average_precision(&v, 4, y, p, NULL));
  CHECK_NEAR(v, 0.5 * 1.0 + 0.5 * (2.0 / 3.0), 1e-15); /* recall 1/2 at P 1, then 1 at P 2/3 */
  {
    const double w[4] = {2, 1, 1, 1};
    CHECK_OK(fnet_scoring_brier(&v, 4, y, p, w));
    CHECK_NEAR(v, (0.02 + 0.04 + 0.36 + 0.16) / 5, 1e-15);
    CHECK_OK(fnet_scoring_ece(&v, 4, y, p, NULL, 2));
    /* bins [0, .5]: p .2 .4 .4, y 0 1 0 -> |1/3 - 1/3| = 0; (.5, 1]: p .9, y 1 -> .1 */
    CHECK_NEAR(v, 0.25 * 0.1, 1e-15);
  }
  /* bad input names the culprit */
  {
    const double ybad[4] = {1, 0, 2, 0}, pnan[4] = {0.1, NAN, 0.3, 0.4}, wneg[4] = {1, -1, 1, 1};
    const double yone[4] = {1, 1, 1, 1};
    CHECK_STATUS(fnet_scoring_roc_auc(&v, 4, ybad, p, NULL), FNET_E_INVALID_ARGUMENT, "y[2]");
    CHECK_STATUS(fnet_scoring_roc_auc(&v, 4, y, pnan, NULL), FNET_E_INVALID_ARGUMENT, "score[1]");
    CHECK_STATUS(fnet_scoring_roc_auc(&v, 4, y, p, wneg), FNET_E_INVALID_ARGUMENT, "sample_weight[1]");
    CHECK_STATUS(fnet_scoring_roc_auc(&v, 4, yone, p, NULL), FNET_E_INVALID_ARGUMENT, "one class");
    CHECK_STATUS(fnet_scoring_roc_auc(&v, 0, y, p, NULL), FNET_E_EMPTY_INPUT, "n is 0");
    CHECK_STATUS(fnet_scoring_roc_auc(NULL, 4, y, p, NULL), FNET_E_NULL_ARGUMENT, "out");
  }
  /* logistic regression on a 2x2 table: x=1: 25 yes 15 no; x=0: 20 yes 40 no */
  {
    double X[100], yy[100];
    int i;
    fnet_logistic* m = NULL;
    double coef[1], intercept = 0.0, cov[4], ll = 0.0, pred[2];
    size_t needed = 0;
    int status = -1, iterations = 0, separated = -1, rank_deficient = -1;
    const double Xp[2] = {0.0, 1.0};
    for (i = 0; i < 100; ++i) {
      X[i] = i < 40 ? 1.0 : 0.0;
      yy[i] = i < 40 ? (i < 25 ? 1.0 : 0.0) : (i < 60 ? 1.0 : 0.0);
    }
    CHECK_OK(fnet_logistic_fit(&m, 100, 1, X, yy, NULL, NULL));
    CHECK_OK(fnet_logistic_coef(NULL, 0, &needed, m));
    CHECK(needed == 1);
    CHECK_OK(fnet_logistic_coef(coef, 1, &needed, m));
    CHECK_OK(fnet_logistic_report(&intercept, &status, &iterations, &ll, &separated, &rank_deficient, m));
    CHECK(status == FNET_FIT_CONVERGED && separated == 0 && rank_deficient == 0);
    CHECK_NEAR(coef[0], log((25.0 / 15.0) / (20.0 / 40.0)), 1e-9);
    CHECK_NEAR(intercept, log(20.0 / 40.0), 1e-9);
    CHECK_OK(fnet_logistic_covariance(cov, 4, &needed, m));
    CHECK(needed == 4);
    CHECK_NEAR(sqrt(cov[3]), sqrt(1.0 / 25 + 1.0 / 15 + 1.0 / 20 + 1.0 / 40), 1e-8);
    CHECK_STATUS(fnet_logistic_covariance(cov, 2, &needed, m), FNET_E_BUFFER_TOO_SMALL, "4 needed");
    CHECK_OK(fnet_logistic_predict(pred, m, 2, 1, Xp));
    CHECK_NEAR(pred[0], 20.0 / 60.0, 1e-9);
    CHECK_NEAR(pred[1], 25.0 / 40.0, 1e-9);
    {
      const double X2[4] = {0, 0, 1, 1};
      CHECK_STATUS(fnet_logistic_predict(pred, m, 2, 2, X2), FNET_E_SHAPE_MISMATCH, "2 columns");
    }
    fnet_logistic_destroy(m);
    fnet_logistic_destroy(NULL);
  }
  /* logistic bad input and options */
  {
    fnet_logistic* m = NULL;
    const double X[4] = {0, 1, NAN, 3}, yb[4] = {0, 1, 0, 1}, Xok[4] = {0, 1, 2, 3};
    fnet_logistic_options o = FNET_LOGISTIC_OPTIONS_INIT;
    CHECK_STATUS(fnet_logistic_fit(&m, 4, 1, X, yb, NULL, NULL), FNET_E_INVALID_ARGUMENT, "X[2, 0]");
    o.l1_ratio = 2.0;
    CHECK_STATUS(fnet_logistic_fit(&m, 4, 1, Xok, yb, NULL, &o), FNET_E_INVALID_ARGUMENT, "l1_ratio");
    o = (fnet_logistic_options)FNET_LOGISTIC_OPTIONS_INIT;
    o.version = 99;
    CHECK_STATUS(fnet_logistic_fit(&m, 4, 1, Xok, yb, NULL, &o), FNET_E_INVALID_ARGUMENT,
                 "fnet_logistic_options");
    CHECK_STATUS(fnet_logistic_fit(&m, 0, 1, Xok, yb, NULL, NULL), FNET_E_EMPTY_INPUT, "n is 0");
    CHECK(m == NULL);
    CHECK_OK(fnet_logistic_options_init(&o));
    CHECK(o.max_iterations == 100 && o.fit_intercept == 1);
  }
  /* calibration: Platt and isotonic */
  {
    const double s6[6] = {-3, -2, -1, 1, 2, 3}, y6[6] = {0, 0, 0, 1, 1, 1};
    double a = 1.0, b = 0.0, r = 0.0, X[100], yy[100], xs[4], fit[4];
    const double xi[4] = {1, 2, 3, 4}, yi[4] = {1, 0, 1, 1}, yb[4] = {0, 1, 2, 1};
    size_t needed = 0;
    int i;
    /* separable scores stay finite with Platt's targets 4/5 and 1/5: a = 0 by symmetry
     * and b solves sum_s s (4/5 - sigmoid(b s)) = 0 over s = 1, 2, 3 */
    CHECK_OK(fnet_scoring_platt(&a, &b, 6, s6, y6, NULL, 1));
    CHECK_NEAR(a, 0.0, 1e-9);
    CHECK(b > 0.0 && b < 10.0);
    for (i = 1; i <= 3; ++i) r += i * (0.8 - 1.0 / (1.0 + exp(-b * i)));
    CHECK_NEAR(r, 0.0, 1e-9);
    /* without smoothing on a binary score: the 2x2 table's log odds */
    for (i = 0; i < 100; ++i) {
      X[i] = i < 40 ? 1.0 : 0.0;
      yy[i] = i < 40 ? (i < 25 ? 1.0 : 0.0) : (i < 60 ? 1.0 : 0.0);
    }
    CHECK_OK(fnet_scoring_platt(&a, &b, 100, X, yy, NULL, 0));
    CHECK_NEAR(a, log(20.0 / 40.0), 1e-9);
    CHECK_NEAR(b, log((25.0 / 15.0) / (20.0 / 40.0)), 1e-9);
    CHECK_STATUS(fnet_scoring_platt(&a, &b, 4, xi, yb, NULL, 1), FNET_E_INVALID_ARGUMENT, "y[2]");
    CHECK_STATUS(fnet_scoring_platt(&a, &b, 2, xi, yi + 2, NULL, 1), FNET_E_INVALID_ARGUMENT, "only class 1");
    CHECK_STATUS(fnet_scoring_platt(NULL, &b, 4, xi, yi, NULL, 1), FNET_E_NULL_ARGUMENT, "a");
    /* isotonic: (1, 0, 1, 1) pools the first two */
    CHECK_OK(fnet_scoring_isotonic(NULL, NULL, 0, &needed, 4, xi, yi, NULL));
    CHECK(needed == 4);
    CHECK_STATUS(fnet_scoring_isotonic(xs, fit, 2, &needed, 4, xi, yi, NULL), FNET_E_BUFFER_TOO_SMALL,
                 "4 needed");
    CHECK_OK(fnet_scoring_isotonic(xs, fit, 4, &needed, 4, xi, yi, NULL));
    CHECK_NEAR(xs[0], 1.0, 0.0);
    CHECK_NEAR(xs[3], 4.0, 0.0);
    CHECK_NEAR(fit[0], 0.5, 1e-15);
    CHECK_NEAR(fit[1], 0.5, 1e-15);
    CHECK_NEAR(fit[2], 1.0, 1e-15);
    CHECK_NEAR(fit[3], 1.0, 1e-15);
    CHECK_STATUS(fnet_scoring_isotonic(NULL, NULL, 0, NULL, 4, xi, yi, NULL), FNET_E_NULL_ARGUMENT, "NULL");
  }
  return check_report("scoring_abi");
}
