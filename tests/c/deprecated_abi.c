/* The deprecated 0.1 names of the C ABI (pure C99) still link, still work and agree
 * exactly with their replacements: fnet_markov_* (now fnet_attribution_markov_*) and the
 * tier functions without a capacity (now fnet_tier_transition_rates / churn_probability /
 * mix_forecast / clv).  Written the 0.1 way: int values for enums, old names. */
#define FNET_NO_DEPRECATION_WARNINGS
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

static void test_markov_names(void) {
  /* Three journeys: email > ads (converts), ads (null), email (converts). */
  const char* names[] = {"email", "ads"};
  const int64_t offsets[] = {0, 2, 3, 4};
  const int32_t ids[] = {0, 1, 1, 0};
  const double conv[] = {1, 0, 1}, nulls[] = {0, 1, 0}, values[] = {10, 0, 5};
  const int64_t seq_off[] = {0, 1, 2};
  const int32_t seq[] = {0, 1};
  fnet_paths* p = NULL;
  fnet_markov* old_m = NULL;
  fnet_attribution_markov* new_m = NULL;
  fnet_markov_options o = FNET_MARKOV_OPTIONS_INIT;
  fnet_attribution_markov_options o2 = FNET_ATTRIBUTION_MARKOV_OPTIONS_INIT;
  double a[4], b[4], c[4], d[4], e[4], f[4], pa = 0, pb = 0, ea = 0, eb = 0;
  size_t na = 0, nb = 0;
  o.repeats = 1; /* 0.1 code stored ints in the enum fields */
  CHECK(o.version == o2.version && o.order == o2.order && o.repeats == o2.repeats);
  CHECK_OK(fnet_paths_create(&p, 2, names, 3, offsets, ids, conv, nulls, values, NULL));
  CHECK_OK(fnet_markov_fit(&old_m, p, &o));
  CHECK_OK(fnet_attribution_markov_fit(&new_m, p, &o2));
  CHECK_OK(fnet_markov_conversion_probability(&pa, &ea, old_m));
  CHECK_OK(fnet_attribution_markov_conversion_probability(&pb, &eb, new_m));
  /* Closed form: start -> email 2/3, ads 1/3; email -> conv 1/2, ads 1/2; ads -> conv 1/2:
   * 2/3 (1/2 + 1/4) + 1/3 * 1/2 = 2/3. */
  CHECK(pa == pb && ea == eb);
  CHECK_NEAR(pa, 2.0 / 3.0, 1e-12);
  CHECK_OK(fnet_markov_removal_effects(a, 4, &na, old_m));
  CHECK_OK(fnet_attribution_markov_removal_effects(b, 4, &nb, new_m));
  CHECK(na == 2 && nb == 2 && memcmp(a, b, 2 * sizeof(double)) == 0);
  CHECK_OK(fnet_markov_value_removal_effects(a, 4, &na, old_m));
  CHECK_OK(fnet_attribution_markov_value_removal_effects(b, 4, &nb, new_m));
  CHECK(memcmp(a, b, 2 * sizeof(double)) == 0);
  CHECK_OK(fnet_markov_attributed_conversions(a, 4, &na, old_m));
  CHECK_OK(fnet_attribution_markov_attributed_conversions(b, 4, &nb, new_m));
  CHECK(memcmp(a, b, 2 * sizeof(double)) == 0);
  CHECK_NEAR(a[0] + a[1], 2.0, 1e-12); /* all conversions are attributed */
  CHECK_OK(fnet_markov_attributed_value(a, 4, &na, old_m));
  CHECK_OK(fnet_attribution_markov_attributed_value(b, 4, &nb, new_m));
  CHECK(memcmp(a, b, 2 * sizeof(double)) == 0);
  CHECK_NEAR(a[0] + a[1], 15.0, 1e-12);
  CHECK_OK(fnet_markov_sequence_removal_effects(a, c, 4, &na, old_m, 2, seq_off, seq));
  CHECK_OK(fnet_attribution_markov_sequence_removal_effects(b, d, 4, &nb, new_m, 2, seq_off, seq));
  CHECK(na == 2 && memcmp(a, b, 2 * sizeof(double)) == 0 && memcmp(c, d, 2 * sizeof(double)) == 0);
  CHECK_OK(fnet_markov_journey_shares(a, 4, &na, old_m, p));
  CHECK_OK(fnet_attribution_markov_journey_shares(b, 4, &nb, new_m, p));
  CHECK(na == 4 && memcmp(a, b, 4 * sizeof(double)) == 0);
  CHECK_OK(fnet_markov_simulate(a, c, e, 4, &na, old_m, 2000, 7, 1));
  CHECK_OK(fnet_attribution_markov_simulate(b, d, f, 4, &nb, new_m, 2000, 7, 3));
  CHECK(memcmp(a, b, 2 * sizeof(double)) == 0 && memcmp(c, d, 2 * sizeof(double)) == 0);
  CHECK(memcmp(e, f, 2 * sizeof(double)) == 0);
  /* Handles pass between old and new functions (one type). */
  CHECK_OK(fnet_attribution_markov_removal_effects(a, 4, &na, old_m));
  CHECK_STATUS(fnet_markov_removal_effects(a, 1, &na, new_m), FNET_E_BUFFER_TOO_SMALL, "2 needed");
  CHECK_STATUS(fnet_markov_fit(NULL, p, NULL), FNET_E_NULL_ARGUMENT, "out");
  fnet_markov_destroy(old_m);
  fnet_attribution_markov_destroy(new_m);
  fnet_markov_destroy(NULL);
  fnet_paths_destroy(p);
}

static void test_tier_names(void) {
  /* Pfeifer and Carraway (2000): V = [231.08, 57.29, 21.01, 0]. */
  const double p[16] = {.5, .5, 0, 0, .2, 0, .8, 0, .1, 0, 0, .9, 0, 0, 0, 1};
  const double r[4] = {100, 0, 0, 0};
  const double mix0[4] = {10, 0, 0, 0};
  const int32_t lost[1] = {3};
  double a[4][4], b[4][4], v[4], w[4];
  size_t needed = 0;
  CHECK_OK(fnet_markov_clv(v, 4, p, r, 0.1, -1));
  CHECK_OK(fnet_tier_clv(w, 4, &needed, 4, p, r, 0.1, -1));
  CHECK(memcmp(v, w, sizeof v) == 0);
  CHECK_NEAR(v[0], 231.08, 5e-3);
  CHECK_STATUS(fnet_markov_clv(NULL, 4, p, r, 0.1, -1), FNET_E_NULL_ARGUMENT, "out");
  CHECK_STATUS(fnet_markov_clv(v, 4, p, r, 0.0, -1), FNET_E_INVALID_ARGUMENT, "discount rate > 0");
  CHECK_OK(fnet_tier_rates(a[0], a[1], a[2], a[3], 4, p, 1, lost));
  CHECK_OK(fnet_tier_transition_rates(b[0], b[1], b[2], b[3], 4, &needed, 4, p, 1, lost));
  CHECK(memcmp(a, b, sizeof a) == 0);
  CHECK_NEAR(a[3][2], .9, 1e-15);
  CHECK_OK(fnet_tier_rates(NULL, a[1], NULL, NULL, 4, p, 1, lost)); /* any output may be NULL */
  CHECK_OK(fnet_tier_churn_within(v, 4, p, 1, lost, 2));
  CHECK_OK(fnet_tier_churn_probability(w, 4, &needed, 4, p, 1, lost, 2));
  CHECK(memcmp(v, w, sizeof v) == 0);
  CHECK_NEAR(v[1], .8 * .9, 1e-15);
  CHECK_OK(fnet_tier_mix_ahead(v, 4, p, mix0, 1));
  CHECK_OK(fnet_tier_mix_forecast(w, 4, &needed, 4, p, mix0, 1));
  CHECK(memcmp(v, w, sizeof v) == 0);
  CHECK_NEAR(v[0], 5, 1e-15);
  CHECK_STATUS(fnet_tier_mix_ahead(NULL, 4, p, mix0, 1), FNET_E_NULL_ARGUMENT, "out");
}

static void test_int_enums(void) {
  /* 0.1 callers pass plain ints where the enums now are. */
  const char* names[] = {"a", "won"};
  const unsigned char absorbing[] = {0, 1};
  const int64_t offsets[] = {0, 2};
  const int32_t ids[] = {0, 1};
  fnet_stages* s = NULL;
  fnet_counts* c = NULL;
  fnet_fit_options fo = FNET_FIT_OPTIONS_INIT;
  fnet_chain* chain = NULL;
  double m[4];
  size_t needed = 0;
  int repeats = 1;
  CHECK_OK(fnet_stages_create(&s, 2, names, absorbing));
  CHECK_OK(fnet_counts_from_paths(&c, s, 1, offsets, ids, NULL, repeats));
  fo.empty_rows = 1;
  CHECK_OK(fnet_chain_fit(&chain, c, &fo));
  CHECK_OK(fnet_chain_matrix(m, 4, &needed, chain));
  CHECK(m[1] == 1.0 && m[3] == 1.0);
  fnet_chain_destroy(chain);
  fnet_counts_destroy(c);
  fnet_stages_destroy(s);
}

int main(void) {
  test_markov_names();
  test_tier_names();
  test_int_enums();
  return check_report("deprecated_abi");
}
