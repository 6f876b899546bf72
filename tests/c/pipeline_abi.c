/* The pipeline area through the C ABI only (pure C99): the won-count and won-revenue
 * distributions against brute-force enumeration of all 2^n outcomes written here, the
 * lattice queries recomputed from the enumeration, the two-call pattern, the Monte Carlo
 * against the exact mean and across thread counts, and every bad-input path. */
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

#define N 10

static const double P[N] = {0.1, 0.35, 0.5, 0.92, 0.05, 0.7, 0.66, 0.2, 0.48, 0.81};
static const double A[N] = {100, 250, 50, 400, 1000, 150, 300, 50, 200, 600};

/* P(sum == v) by enumeration, with weights w (NULL = counts). */
static void enumerate(double* pmf, size_t len, const double* w, double unit) {
  unsigned mask;
  size_t i;
  for (i = 0; i < len; ++i) pmf[i] = 0;
  for (mask = 0; mask < (1u << N); ++mask) {
    double pr = 1, s = 0;
    for (i = 0; i < N; ++i) {
      if (mask & (1u << i)) {
        pr *= P[i];
        s += w ? w[i] / unit : 1;
      } else {
        pr *= 1 - P[i];
      }
    }
    pmf[(size_t)(s + 0.5)] += pr;
  }
}

static void test_count(void) {
  fnet_distribution* d = NULL;
  double pmf[N + 1], truth[N + 1], mean = 0, q = 0, pal = 0, es = 0, want = 0, c = 0, med = -1;
  size_t needed = 0, size = 0, k;
  CHECK_OK(fnet_distribution_count(&d, P, N, 0));
  CHECK_OK(fnet_distribution_size(&size, d));
  CHECK(size == N + 1);
  CHECK_OK(fnet_distribution_pmf(NULL, 0, &needed, d));
  CHECK(needed == N + 1);
  CHECK_STATUS(fnet_distribution_pmf(pmf, N, &needed, d), FNET_E_BUFFER_TOO_SMALL, "needed");
  CHECK_OK(fnet_distribution_pmf(pmf, N + 1, &needed, d));
  enumerate(truth, N + 1, NULL, 1);
  for (k = 0; k <= N; ++k) CHECK_NEAR(pmf[k], truth[k], 1e-14);
  for (k = 0; k < N; ++k) want += P[k];
  CHECK_OK(fnet_distribution_mean(&mean, d));
  CHECK_NEAR(mean, want, 1e-12);
  for (k = 0; k <= N; ++k) {
    c += truth[k];
    if (c >= 0.5 && med < 0) med = (double)k;
  }
  CHECK_OK(fnet_distribution_quantile(&q, d, 0.5));
  CHECK(q == med);
  want = 0;
  for (k = 6; k <= N; ++k) want += truth[k];
  CHECK_OK(fnet_distribution_prob_at_least(&pal, d, 6));
  CHECK_NEAR(pal, want, 1e-14);
  want = 0;
  for (k = 0; k < 6; ++k) want += (6.0 - (double)k) * truth[k];
  CHECK_OK(fnet_distribution_expected_shortfall(&es, d, 6));
  CHECK_NEAR(es, want, 1e-12);
  CHECK_STATUS(fnet_distribution_prob_at_least(&pal, d, -1), FNET_E_INVALID_ARGUMENT, "target");
  CHECK_STATUS(fnet_distribution_quantile(&q, d, 1.5), FNET_E_INVALID_ARGUMENT, "quantile");
  fnet_distribution_destroy(d);
}

static void test_revenue(void) {
  fnet_distribution* d = NULL;
  double truth[80], *pmf, *support, res = 0, off = 0;
  size_t size = 0, needed = 0, k;
  CHECK_OK(fnet_distribution_revenue(&d, P, A, N, 0.0, 1)); /* exact grid: 50 */
  CHECK_OK(fnet_distribution_resolution(&res, d));
  CHECK(res == 50.0);
  CHECK_OK(fnet_distribution_offset(&off, d));
  CHECK_OK(fnet_distribution_size(&size, d));
  pmf = (double*)malloc(size * sizeof(double));
  support = (double*)malloc(size * sizeof(double));
  CHECK_OK(fnet_distribution_pmf(pmf, size, &needed, d));
  CHECK_OK(fnet_distribution_support(support, size, &needed, d));
  enumerate(truth, 80, A, 50.0);
  for (k = 0; k < size; ++k) CHECK_NEAR(pmf[k], truth[(size_t)(support[k] / 50.0 + 0.5)], 1e-14);
  CHECK(support[0] == off);
  free(pmf);
  free(support);
  fnet_distribution_destroy(d);
}

static void test_bad_input(void) {
  fnet_distribution* d = NULL;
  double bad_p[3] = {0.5, 1.5, 0.1};
  double amounts[3] = {100, -1, 5};
  double tiny[3] = {1000, 3, 5000};
  double p3[3] = {0.5, 0.5, 0.5};
  CHECK_STATUS(fnet_distribution_count(&d, bad_p, 3, 0), FNET_E_INVALID_ARGUMENT, "deal 1");
  CHECK(d == NULL);
  CHECK_STATUS(fnet_distribution_count(NULL, p3, 3, 0), FNET_E_NULL_ARGUMENT, "out");
  CHECK_STATUS(fnet_distribution_count(&d, NULL, 3, 0), FNET_E_NULL_ARGUMENT, "p");
  CHECK_STATUS(fnet_distribution_revenue(&d, p3, amounts, 3, 1.0, 0), FNET_E_INVALID_ARGUMENT, "deal 1");
  CHECK_STATUS(fnet_distribution_revenue(&d, p3, amounts, 3, 0.0, 0), FNET_E_INVALID_ARGUMENT, "deal 1");
  CHECK_STATUS(fnet_distribution_revenue(&d, p3, tiny, 3, 100.0, 0), FNET_E_INVALID_ARGUMENT, "too coarse");
  CHECK_STATUS(fnet_distribution_revenue(&d, p3, tiny, 3, -2.0, 0), FNET_E_INVALID_ARGUMENT, "resolution");
  CHECK_STATUS(fnet_distribution_mean(NULL, d), FNET_E_NULL_ARGUMENT, "out");
  {
    double m = 0;
    CHECK_STATUS(fnet_distribution_mean(&m, NULL), FNET_E_NULL_ARGUMENT, "distribution");
  }
  fnet_distribution_destroy(NULL);
}

static void test_simulate(void) {
  enum { H = 2, RUNS = 4000 };
  double p[N * H], *c1, *c2, *r1, sum[H] = {0, 0}, sq[H] = {0, 0}, want[H] = {0, 0};
  size_t needed = 0, i, k;
  for (i = 0; i < N; ++i) {
    p[i * H] = 0.6 * P[i];
    p[i * H + 1] = 0.3 * P[i];
    want[0] += p[i * H];
    want[1] += p[i * H + 1];
  }
  CHECK_OK(fnet_forecast_simulate(NULL, NULL, 0, &needed, p, N, H, A, RUNS, 0.0, 0.0, 7, 0));
  CHECK(needed == RUNS * H);
  c1 = (double*)malloc(needed * sizeof(double));
  c2 = (double*)malloc(needed * sizeof(double));
  r1 = (double*)malloc(needed * sizeof(double));
  CHECK_OK(fnet_forecast_simulate(c1, r1, needed, &needed, p, N, H, A, RUNS, 0.0, 0.0, 7, 1));
  CHECK_OK(fnet_forecast_simulate(c2, NULL, needed, &needed, p, N, H, A, RUNS, 0.0, 0.0, 7, 4));
  CHECK(memcmp(c1, c2, needed * sizeof(double)) == 0);
  for (i = 0; i < RUNS; ++i)
    for (k = 0; k < H; ++k) {
      sum[k] += c1[i * H + k];
      sq[k] += c1[i * H + k] * c1[i * H + k];
    }
  for (k = 0; k < H; ++k) {
    double m = sum[k] / RUNS, se = sqrt((sq[k] / RUNS - m * m) / RUNS);
    CHECK(fabs(m - want[k]) < 4 * se);
  }
  CHECK_STATUS(fnet_forecast_simulate(c1, r1, needed, &needed, p, N, 0, A, RUNS, 0.0, 0.0, 7, 0),
               FNET_E_INVALID_ARGUMENT, "horizon");
  p[3 * H + 1] = 0.9;
  CHECK_STATUS(fnet_forecast_simulate(c1, r1, needed, &needed, p, N, H, A, RUNS, 0.0, 0.0, 7, 0),
               FNET_E_INVALID_ARGUMENT, "deal 3");
  free(c1);
  free(c2);
  free(r1);
}

int main(void) {
  test_count();
  test_revenue();
  test_bad_input();
  test_simulate();
  return check_report("pipeline_abi");
}
