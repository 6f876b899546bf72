/* Time in stage that is not memoryless, through the C ABI: fit a semi-Markov funnel from
 * a CRM opportunity table (one row per deal, a date per stage, NaN = no date), then ask
 * for an open deal's win probability given how long it has already waited, and flag
 * stale deals.  Plain C99; link with -lfunnelnet -lm. */
#include <funnelnet.h>
#include <math.h>
#include <stdio.h>

#define TRY(call)                                                                               \
  do {                                                                                          \
    fnet_status st_ = (call);                                                                   \
    if (st_ != FNET_OK) {                                                                       \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, fnet_last_error(), fnet_status_name(st_)); \
      return 1;                                                                                 \
    }                                                                                           \
  } while (0)

int main(void) {
  const char* names[] = {"engaging", "won", "lost"};
  const unsigned char absorbing[] = {0, 1, 1};
  /* Eight deals: their current state, the day they were engaged and the day they closed. */
  const int32_t current[] = {1, 1, 2, 1, 2, 0, 0, 2};
  const double engaged[] = {0, 3, 1, 10, 4, 20, 2, 6};
  const double closed[] = {12, 40, 9, 25, 60, NAN, NAN, 30};
  const double horizons[] = {30, 60, 90};
  const int32_t open_stage[] = {0, 0};
  const double open_age[] = {15, 60};
  fnet_stages* space = NULL;
  fnet_semi_markov* model = NULL;
  fnet_semi_markov_options options = FNET_SEMI_MARKOV_OPTIONS_INIT;
  double win[3], cdf[3];
  unsigned char stale[2];
  size_t needed = 0;

  TRY(fnet_stages_create(&space, 3, names, absorbing));
  /* Open deals are censored at the cut-off, day 70. */
  TRY(fnet_semi_markov_fit_opportunities(&model, space, 8, current, engaged, closed, FNET_MISSING_CENSOR, 1,
                                         70.0, 1.0, &options));
  TRY(fnet_semi_markov_win_probabilities(win, 3, &needed, model, 0, 0.0, 100000, 42, 0));
  printf("new deal:         P(won) %.3f  P(lost) %.3f  unresolved %.3f\n", win[0], win[1], win[2]);
  TRY(fnet_semi_markov_win_probabilities(win, 3, &needed, model, 0, 20.0, 100000, 42, 0));
  printf("waiting 20 days:  P(won) %.3f  P(lost) %.3f  unresolved %.3f\n", win[0], win[1], win[2]);
  TRY(fnet_semi_markov_close_time_cdf(cdf, 3, &needed, model, 0, 0.0, 3, horizons, 100000, 42, 0));
  printf("P(closed by 30 / 60 / 90 days): %.3f / %.3f / %.3f\n", cdf[0], cdf[1], cdf[2]);
  TRY(fnet_semi_markov_stale(stale, 2, &needed, model, 2, open_stage, open_age, 0.9));
  printf("open deals aged 15 and 60 days stale: %d %d\n", stale[0], stale[1]);
  fnet_semi_markov_destroy(model);
  fnet_stages_destroy(space);
  return 0;
}
