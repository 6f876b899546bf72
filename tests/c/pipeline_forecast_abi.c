/* Forecasts straight from a fitted chain through the C ABI only (pure C99): per-deal
 * P(won by each period) of a discrete chain against the state distribution propagated
 * here row by row (e_s P^k) and the closed form of a one-stage funnel, of a
 * continuous-time chain against its closed form, the per-period distributions against
 * brute-force enumeration of all 2^n outcomes, and the bad-input paths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "funnelnet.h"

#define S 4 /* lead, deal, won, lost */
#define H 4 /* periods */
#define N 6 /* deals */

static const double PM[S * S] = {0.5, 0.3, 0.05, 0.15, 0.0, 0.6, 0.3, 0.1, 0, 0, 1, 0, 0, 0, 0, 1};
static const size_t STAGE[N] = {0, 1, 1, 0, 1, 0};
static const double AMOUNT[N] = {100, 250, 400, 50, 150, 300};

static fnet_stages* make_stages(void) {
  const char* names[S] = {"lead", "deal", "won", "lost"};
  const unsigned char absorbing[S] = {0, 0, 1, 1};
  fnet_stages* st = NULL;
  CHECK_OK(fnet_stages_create(&st, S, names, absorbing));
  return st;
}

/* P(won by the end of period k) from stage s: the row vector e_s P^k, propagated here. */
static double won_by(size_t s, int k) {
  double x[S] = {0, 0, 0, 0}, y[S];
  int step;
  size_t i, j;
  x[s] = 1;
  for (step = 0; step < k; ++step) {
    for (j = 0; j < S; ++j) {
      y[j] = 0;
      for (i = 0; i < S; ++i) y[j] += x[i] * PM[i * S + j];
    }
    for (j = 0; j < S; ++j) x[j] = y[j];
  }
  return x[2];
}

/* P(sum == v) over all 2^N outcomes, deal i won with p[i] (weights w, NULL = counts). */
static void enumerate(double* pmf, size_t len, const double* p, const double* w, double unit) {
  unsigned mask;
  size_t i;
  for (i = 0; i < len; ++i) pmf[i] = 0;
  for (mask = 0; mask < (1u << N); ++mask) {
    double pr = 1, s = 0;
    for (i = 0; i < N; ++i) {
      if (mask & (1u << i)) {
        pr *= p[i];
        s += w ? w[i] / unit : 1;
      } else {
        pr *= 1 - p[i];
      }
    }
    pmf[(size_t)(s + 0.5)] += pr;
  }
}

static void test_discrete(void) {
  fnet_stages* st = make_stages();
  fnet_chain* chain = NULL;
  fnet_distribution* d = NULL;
  double by[N * H], p[N], truth[1300], pmf[1300], off = -1, res = 0;
  size_t needed = 0, i, size = 0, lead_stage[1] = {0};
  int k;
  CHECK_OK(fnet_chain_create(&chain, st, PM, 0));
  CHECK_OK(fnet_forecast_won_by(NULL, 0, &needed, chain, STAGE, N, 2, H));
  CHECK(needed == N * H);
  CHECK_STATUS(fnet_forecast_won_by(by, N * H - 1, &needed, chain, STAGE, N, 2, H), FNET_E_BUFFER_TOO_SMALL,
               "needed");
  CHECK_OK(fnet_forecast_won_by(by, N * H, &needed, chain, STAGE, N, 2, H));
  for (i = 0; i < N; ++i)
    for (k = 1; k <= H; ++k) {
      CHECK_NEAR(by[i * H + (size_t)(k - 1)], won_by(STAGE[i], k), 1e-15);
      if (STAGE[i] == 1) CHECK_NEAR(by[i * H + (size_t)(k - 1)], 0.3 * (1 - pow(0.6, k)) / 0.4, 1e-15);
    }
  /* period index 2 (the third), within it and cumulative: count and revenue */
  for (i = 0; i < N; ++i) p[i] = won_by(STAGE[i], 3) - won_by(STAGE[i], 2);
  CHECK_OK(fnet_forecast_distribution(&d, chain, STAGE, NULL, N, 2, 2, 0, 0, 1));
  CHECK_OK(fnet_distribution_pmf(pmf, N + 1, &needed, d));
  CHECK(needed == N + 1);
  enumerate(truth, N + 1, p, NULL, 1);
  for (i = 0; i <= N; ++i) CHECK_NEAR(pmf[i], truth[i], 1e-14);
  fnet_distribution_destroy(d);
  d = NULL;
  for (i = 0; i < N; ++i) p[i] = won_by(STAGE[i], 3);
  CHECK_OK(fnet_forecast_distribution(&d, chain, STAGE, AMOUNT, N, 2, 2, 1, 0, 0));
  CHECK_OK(fnet_distribution_resolution(&res, d));
  CHECK(res == 50);
  CHECK_OK(fnet_distribution_offset(&off, d));
  CHECK_OK(fnet_distribution_size(&size, d));
  enumerate(truth, 1250 / 50 + 1, p, AMOUNT, 50);
  CHECK_OK(fnet_distribution_pmf(pmf, 1300, &needed, d));
  for (i = 0; i <= 1250 / 50; ++i) {
    const double v = (double)i * 50, at = (v - off) / 50;
    const double got = at >= 0 && at < (double)size ? pmf[(size_t)(at + 0.5)] : 0.0;
    CHECK_NEAR(got, truth[i], 1e-14);
  }
  fnet_distribution_destroy(d);
  d = NULL;
  /* bad input: typed errors naming the deal, nothing allocated */
  CHECK_STATUS(fnet_forecast_won_by(by, N * H, &needed, chain, STAGE, N, 2, 0), FNET_E_INVALID_ARGUMENT,
               "horizon");
  CHECK_STATUS(fnet_forecast_won_by(by, N * H, &needed, chain, STAGE, N, 1, H), FNET_E_INVALID_ARGUMENT,
               "absorbing");
  {
    size_t bad[N] = {0, 1, 3, 0, 1, 0};
    CHECK_STATUS(fnet_forecast_won_by(by, N * H, &needed, chain, bad, N, 2, H), FNET_E_INVALID_ARGUMENT,
                 "deal 2");
    bad[2] = 9;
    CHECK_STATUS(fnet_forecast_distribution(&d, chain, bad, AMOUNT, N, 2, 0, 0, 0, 0),
                 FNET_E_INVALID_ARGUMENT, "deal 2");
    CHECK(d == NULL);
  }
  {
    double neg[N] = {100, 250, 400, -50, 150, 300};
    CHECK_STATUS(fnet_forecast_distribution(&d, chain, STAGE, neg, N, 2, 0, 0, 10, 0),
                 FNET_E_INVALID_ARGUMENT, "deal 3");
    CHECK(d == NULL);
  }
  CHECK_STATUS(fnet_forecast_won_by(by, N * H, &needed, NULL, STAGE, N, 2, H), FNET_E_NULL_ARGUMENT, "chain");
  CHECK_STATUS(fnet_forecast_won_by(by, N * H, &needed, chain, NULL, N, 2, H), FNET_E_NULL_ARGUMENT, "stage");
  CHECK_STATUS(fnet_forecast_distribution(&d, chain, STAGE, NULL, N, 2, 0, 0, 0, -1), FNET_E_INVALID_ARGUMENT,
               "threads");
  /* no deals: the count is 0 surely */
  CHECK_OK(fnet_forecast_distribution(&d, chain, lead_stage, NULL, 0, 2, 1, 1, 0, 0));
  CHECK_OK(fnet_distribution_size(&size, d));
  CHECK(size == 1);
  fnet_distribution_destroy(d);
  fnet_chain_destroy(chain);
  fnet_stages_destroy(st);
}

static void test_continuous(void) {
  /* lead -> deal at rate c, lead -> lost at d; deal -> won at a, deal -> lost at b */
  const double a = 0.4, b = 0.2, c = 0.5, dd = 0.3, r = a + b, m = c + dd, period = 1.5;
  const double Q[S * S] = {-m, c, 0, dd, 0, -r, a, b, 0, 0, 0, 0, 0, 0, 0, 0};
  fnet_stages* st = make_stages();
  fnet_ctmc* chain = NULL;
  double by[N * H];
  size_t needed = 0, i;
  int k;
  CHECK_OK(fnet_ctmc_create(&chain, st, Q, 0));
  CHECK_OK(fnet_forecast_won_by_ctmc(by, N * H, &needed, chain, STAGE, N, 2, H, period));
  CHECK(needed == N * H);
  for (i = 0; i < N; ++i)
    for (k = 1; k <= H; ++k) {
      const double t = period * k;
      const double deal = a / r * (1 - exp(-r * t));
      const double lead =
          c * a / r * ((1 - exp(-m * t)) / m - exp(-r * t) * (exp((r - m) * t) - 1) / (r - m));
      CHECK_NEAR(by[i * H + (size_t)(k - 1)], STAGE[i] == 1 ? deal : lead, 1e-12);
    }
  CHECK_STATUS(fnet_forecast_won_by_ctmc(by, N * H, &needed, chain, STAGE, N, 2, H, 0.0),
               FNET_E_INVALID_ARGUMENT, "period");
  CHECK_STATUS(fnet_forecast_won_by_ctmc(by, N * H, &needed, chain, STAGE, N, 2, H, NAN),
               FNET_E_INVALID_ARGUMENT, "period");
  fnet_ctmc_destroy(chain);
  fnet_stages_destroy(st);
}

static void test_semi_markov(void) {
  /* Ten deals left stage "deal" for "won" after 4, 5, ..., 13 time units (empirical
   * holding time): a deal aged a is won within t with probability
   * #(a < d <= a + t) / #(d > a), counted here; the Monte Carlo within 4.5 SE. */
  enum { M = 10, D = 4, K = 3, DRAWS = 20000 };
  const char* names[3] = {"deal", "won", "lost"};
  const unsigned char absorbing[3] = {0, 1, 1};
  fnet_stages* st = NULL;
  fnet_semi_markov* model = NULL;
  int32_t ids[M], next[M];
  double dur[M], by[D * K], by4[D * K];
  const size_t stage[D] = {0, 0, 0, 0};
  const double age[D] = {0.0, 6.0, 6.0, 11.5}, period = 2.0;
  size_t needed = 0, i, j;
  int k;
  CHECK_OK(fnet_stages_create(&st, 3, names, absorbing));
  for (i = 0; i < M; ++i) {
    ids[i] = 0;
    dur[i] = 4.0 + (double)i;
    next[i] = 1;
  }
  CHECK_OK(fnet_semi_markov_fit(&model, st, M, ids, dur, next, NULL));
  CHECK_OK(fnet_forecast_won_by_semi(by, D * K, &needed, model, stage, age, D, 1, K, period, DRAWS, 5, 1));
  CHECK(needed == D * K);
  for (i = 0; i < D; ++i)
    for (k = 1; k <= K; ++k) {
      double alive = 0, hit = 0, p, se;
      for (j = 0; j < M; ++j) {
        alive += dur[j] > age[i];
        hit += dur[j] > age[i] && dur[j] <= age[i] + period * k;
      }
      p = hit / alive;
      se = sqrt(p * (1 - p) / DRAWS);
      CHECK(fabs(by[i * K + (size_t)(k - 1)] - p) <= 4.5 * se + 1e-12);
    }
  CHECK(memcmp(by + K, by + 2 * K, K * sizeof(double)) == 0); /* same (stage, age): same draws */
  CHECK_OK(fnet_forecast_won_by_semi(by4, D * K, &needed, model, stage, age, D, 1, K, period, DRAWS, 5, 4));
  CHECK(memcmp(by, by4, sizeof by) == 0); /* threads never change the table */
  {
    const double bad_age[D] = {0.0, 6.0, -1.0, 1.0};
    CHECK_STATUS(
        fnet_forecast_won_by_semi(by, D * K, &needed, model, stage, bad_age, D, 1, K, period, DRAWS, 5, 0),
        FNET_E_INVALID_ARGUMENT, "deal 2");
  }
  CHECK_STATUS(fnet_forecast_won_by_semi(by, D * K, &needed, model, stage, age, D, 1, K, period, 0, 5, 0),
               FNET_E_INVALID_ARGUMENT, "draws");
  CHECK_STATUS(
      fnet_forecast_won_by_semi(by, D * K, &needed, model, stage, NULL, D, 1, K, period, DRAWS, 5, 0),
      FNET_E_NULL_ARGUMENT, "age");
  fnet_semi_markov_destroy(model);
  fnet_stages_destroy(st);
}

int main(void) {
  test_discrete();
  test_continuous();
  test_semi_markov();
  return check_report("pipeline_forecast_abi");
}
