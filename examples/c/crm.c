/* A synthetic company through the C ABI: generate 20,000 accounts, fit the funnel's
 * jump chain on the generated event log (organic organisation leads, one segment) and
 * print the fitted transition probabilities next to the true ones.  Plain C99; link
 * with -lfunnelnet. */
#include <funnelnet.h>
#include <stdio.h>
#include <stdlib.h>

#define TRY(call)                                                                               \
  do {                                                                                          \
    fnet_status st_ = (call);                                                                   \
    if (st_ != FNET_OK) {                                                                       \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, fnet_last_error(), fnet_status_name(st_)); \
      return 1;                                                                                 \
    }                                                                                           \
  } while (0)

int main(void) {
  const char* names[] = {"potential", "possible", "target", "effective", "won", "lost"};
  const unsigned char absorbing[] = {0, 0, 0, 0, 1, 1};
  const int segment = 4; /* organisation (kind 2) x organic: segment = 2 * kind + referred */
  fnet_crm_options o = FNET_CRM_OPTIONS_INIT;
  fnet_crm* crm = NULL;
  fnet_stages* space = NULL;
  fnet_counts* counts = NULL;
  fnet_chain* chain = NULL;
  size_t n_events = 0, n_leads = 0, n = 0, k = 0, i, j;
  int64_t *lead, *keep_lead;
  int8_t *stage, *lead_segment;
  double *time, *keep_time, *truth, fitted[36];
  int32_t* keep_stage;

  o.n_accounts = 20000;
  o.seed = 1;
  o.region_spread = 0; /* every lead of a segment follows the segment's matrix */
  o.industry_spread = 0;
  TRY(fnet_crm_generate(&crm, &o));
  TRY(fnet_crm_sizes(NULL, NULL, &n_leads, &n_events, NULL, NULL, NULL, NULL, NULL, crm));
  lead = malloc(n_events * sizeof *lead);
  stage = malloc(n_events * sizeof *stage);
  time = malloc(n_events * sizeof *time);
  lead_segment = malloc(n_leads * sizeof *lead_segment);
  keep_lead = malloc(n_events * sizeof *keep_lead);
  keep_stage = malloc(n_events * sizeof *keep_stage);
  keep_time = malloc(n_events * sizeof *keep_time);
  truth = malloc(6 * 24 * sizeof *truth);
  TRY(fnet_crm_event_lead(lead, n_events, &n, crm));
  TRY(fnet_crm_event_stage(stage, n_events, &n, crm));
  TRY(fnet_crm_event_time(time, n_events, &n, crm));
  TRY(fnet_crm_lead_segment(lead_segment, n_leads, &n, crm));
  TRY(fnet_crm_truth_transition(truth, 6 * 24, &n, crm));
  for (i = 0; i < n_events; ++i) { /* the events of one segment's leads */
    if (lead_segment[lead[i]] != segment) continue;
    keep_lead[k] = lead[i];
    keep_stage[k] = stage[i];
    keep_time[k] = time[i];
    ++k;
  }
  TRY(fnet_stages_create(&space, 6, names, absorbing));
  TRY(fnet_counts_from_events_f64(&counts, space, k, keep_lead, keep_time, keep_stage, FNET_REPEATS_KEEP));
  TRY(fnet_chain_fit(&chain, counts, NULL));
  TRY(fnet_chain_matrix(fitted, 36, &n, chain));
  printf("funnelnet %s: %zu accounts, %zu leads, %zu events (%zu in segment organisation/organic)\n",
         fnet_version_string(), (size_t)o.n_accounts, n_leads, n_events, k);
  printf("%-10s", "from\\to");
  for (j = 0; j < 6; ++j) printf(" %15s", names[j]);
  printf("\n");
  for (i = 0; i < 4; ++i) {
    printf("%-10s", names[i]);
    for (j = 0; j < 6; ++j) printf("   %5.3f (%5.3f)", fitted[i * 6 + j], truth[(segment * 4 + i) * 6 + j]);
    printf("\n");
  }
  printf("fitted (true)\n");
  free(lead);
  free(stage);
  free(time);
  free(lead_segment);
  free(keep_lead);
  free(keep_stage);
  free(keep_time);
  free(truth);
  fnet_chain_destroy(chain);
  fnet_counts_destroy(counts);
  fnet_stages_destroy(space);
  fnet_crm_destroy(crm);
  return 0;
}
