/* The synthetic CRM through the C ABI (pure C99): sizes agree with every column getter,
 * the same seed gives the same tables at 1 and 2 threads, the truth is consistent (rows
 * of the jump chain sum to 1), bad options are a status and a message naming the field,
 * NULL handles and short buffers are errors, destroy(NULL) is a no-op. */
#include <funnelnet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static double* doubles(fnet_status (*get)(double*, size_t, size_t*, const fnet_crm*), const fnet_crm* crm,
                       size_t* n) {
  double* out;
  *n = 0;
  if (get(NULL, 0, n, crm) != FNET_OK) return NULL;
  out = malloc((*n + 1) * sizeof *out);
  if (get(out, *n, n, crm) != FNET_OK) {
    free(out);
    return NULL;
  }
  return out;
}

static int64_t* ints(fnet_status (*get)(int64_t*, size_t, size_t*, const fnet_crm*), const fnet_crm* crm,
                     size_t* n) {
  int64_t* out;
  *n = 0;
  if (get(NULL, 0, n, crm) != FNET_OK) return NULL;
  out = malloc((*n + 1) * sizeof *out);
  if (get(out, *n, n, crm) != FNET_OK) {
    free(out);
    return NULL;
  }
  return out;
}

int main(void) {
  fnet_crm_options o = FNET_CRM_OPTIONS_INIT;
  fnet_crm *a = NULL, *b = NULL, *untouched = (fnet_crm*)&o;
  size_t accounts = 0, months = 0, leads = 0, events = 0, tx = 0, opps = 0, refs = 0, touches = 0, acts = 0;
  size_t n = 0, m = 0, i, j;
  double *ta, *tb, *tr, *conv;
  int64_t *la, *lb;
  int8_t small[2];
  fnet_crm_options defaults;

  CHECK_OK(fnet_crm_options_init(&defaults));
  CHECK(defaults.version == FNET_CRM_OPTIONS_VERSION && defaults.n_accounts == o.n_accounts);

  o.n_accounts = 3000;
  o.seed = 5;
  o.threads = 1;
  CHECK_OK(fnet_crm_generate(&a, &o));
  o.threads = 2;
  CHECK_OK(fnet_crm_generate(&b, &o));
  CHECK_OK(fnet_crm_sizes(&accounts, &months, &leads, &events, &tx, &opps, &refs, &touches, &acts, a));
  CHECK(accounts == 3000 && months == 24);
  CHECK(leads >= accounts && events > leads && tx > 0 && opps > 0 && touches >= leads && acts > 0);
  CHECK_OK(fnet_crm_sizes(NULL, NULL, NULL, &n, NULL, NULL, NULL, NULL, NULL, b));
  CHECK(n == events);

  /* every column's size agrees with the sizes */
  ta = doubles(fnet_crm_event_time, a, &n);
  CHECK(ta != NULL && n == events);
  tb = doubles(fnet_crm_event_time, b, &m);
  CHECK(tb != NULL && m == events && memcmp(ta, tb, n * sizeof *ta) == 0); /* 1 vs 2 threads */
  free(ta);
  free(tb);
  la = ints(fnet_crm_touch_lead, a, &n);
  lb = ints(fnet_crm_touch_lead, b, &m);
  CHECK(la != NULL && lb != NULL && n == touches && m == touches && memcmp(la, lb, n * sizeof *la) == 0);
  for (i = 1; i < n; ++i) CHECK(la[i - 1] <= la[i]);
  free(la);
  free(lb);
  la = ints(fnet_crm_lead_account, a, &n);
  CHECK(la != NULL && n == leads);
  for (i = 0; i < n; ++i) CHECK(la[i] >= 0 && (size_t)la[i] < accounts);
  free(la);
  CHECK_OK(fnet_crm_tiers(NULL, 0, &n, a));
  CHECK(n == accounts * months);
  CHECK_OK(fnet_crm_tx_amount(NULL, 0, &n, a));
  CHECK(n == tx);
  CHECK_OK(fnet_crm_activity_kind(NULL, 0, &n, a));
  CHECK(n == acts);
  CHECK_OK(fnet_crm_ref_referee(NULL, 0, &n, a));
  CHECK(n == refs);
  CHECK_OK(fnet_crm_opp_status(NULL, 0, &n, a));
  CHECK(n == opps);
  la = ints(fnet_crm_truth_tie_offsets, a, &n);
  CHECK(la != NULL && n == accounts + 1);
  CHECK_OK(fnet_crm_truth_tie_probability(NULL, 0, &m, a));
  CHECK(la != NULL && (size_t)la[accounts] == m);
  free(la);

  /* the truth: 6 segments x 4 stages x 6 stages, rows summing to 1; conversion in (0, 1) */
  tr = doubles(fnet_crm_truth_transition, a, &n);
  CHECK(tr != NULL && n == 6 * 4 * 6);
  for (i = 0; tr != NULL && i < 24; ++i) {
    double s = 0;
    for (j = 0; j < 6; ++j) s += tr[i * 6 + j];
    CHECK_NEAR(s, 1.0, 1e-12);
  }
  free(tr);
  conv = doubles(fnet_crm_truth_conversion, a, &n);
  CHECK(conv != NULL && n == 6);
  for (i = 0; conv != NULL && i < 6; ++i) CHECK(conv[i] > 0 && conv[i] < 1);
  free(conv);
  CHECK_OK(fnet_crm_truth_tier_matrix(NULL, 0, &n, a));
  CHECK(n == 9);
  {
    double h = 0;
    CHECK_OK(fnet_crm_horizon(&h, a));
    CHECK_NEAR(h, 24 * 30.4375, 1e-9);
  }

  /* errors: a status, a message naming the field, *out unchanged */
  o = defaults;
  o.n_accounts = -4;
  CHECK_STATUS(fnet_crm_generate(&untouched, &o), FNET_E_INVALID_ARGUMENT, "n_accounts must be >= 0, got -4");
  CHECK(untouched == (fnet_crm*)&o);
  o = defaults;
  o.customer_share = 1.5;
  CHECK_STATUS(fnet_crm_generate(&untouched, &o), FNET_E_INVALID_ARGUMENT,
               "customer_share must be in [0, 1]");
  o = defaults;
  o.touches_mean = 0;
  CHECK_STATUS(fnet_crm_generate(&untouched, &o), FNET_E_INVALID_ARGUMENT, "touches_mean");
  o = defaults;
  o.version = 99;
  CHECK_STATUS(fnet_crm_generate(&untouched, &o), FNET_E_INVALID_ARGUMENT, "FNET_CRM_OPTIONS_INIT");
  CHECK_STATUS(fnet_crm_generate(NULL, &defaults), FNET_E_NULL_ARGUMENT, "out");
  CHECK_STATUS(fnet_crm_event_time(NULL, 0, &n, NULL), FNET_E_NULL_ARGUMENT, "crm");
  CHECK_STATUS(fnet_crm_sizes(&n, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), FNET_E_NULL_ARGUMENT,
               "crm");
  CHECK_STATUS(fnet_crm_account_kind(small, 2, &n, a), FNET_E_BUFFER_TOO_SMALL, "needed");
  CHECK(n == accounts);
  CHECK_STATUS(fnet_crm_horizon(NULL, a), FNET_E_NULL_ARGUMENT, "out");
  CHECK(untouched == (fnet_crm*)&o);

  fnet_crm_destroy(a);
  fnet_crm_destroy(b);
  fnet_crm_destroy(NULL);
  return check_report("datasets_abi");
}
