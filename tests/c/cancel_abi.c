/* Issue 17: fnet_attribution_markov_simulate could not be stopped (2^62 journeys ran
 * for ever).  fnet_attribution_markov_simulate_progress takes a progress callback: a
 * non-zero return stops it with FNET_E_CANCELLED and nothing written; without a stop
 * it gives exactly fnet_attribution_markov_simulate's numbers. */
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "funnelnet.h"

typedef struct {
  int calls;
  int stop_after;
} counter;

static int stop_after(void* user_data, uint64_t done, uint64_t total) {
  counter* c = (counter*)user_data;
  (void)done;
  (void)total;
  return ++c->calls >= c->stop_after;
}

int main(void) {
  const char* names[] = {"email", "search", "social"};
  const int64_t offsets[] = {0, 2, 4, 6};
  const int32_t ids[] = {0, 1, 1, 2, 2, 0};
  const double conv[] = {3, 1, 2}, nulls[] = {1, 2, 1};
  fnet_paths* paths = NULL;
  fnet_attribution_markov* m = NULL;
  double est[3] = {-1, -1, -1}, lo[3], hi[3], est2[3], lo2[3], hi2[3];
  size_t needed = 0, c;
  counter k = {0, 2};
  clock_t start;
  double seconds;

  CHECK_OK(fnet_paths_create(&paths, 3, names, 3, offsets, ids, conv, nulls, NULL, NULL));
  CHECK_OK(fnet_attribution_markov_fit(&m, paths, NULL));

  /* 2^62 journeys: stopped by the callback's second call (about 0.2 s). */
  start = clock();
  CHECK_STATUS(fnet_attribution_markov_simulate_progress(est, lo, hi, 3, &needed, m, (uint64_t)1 << 62, 7, 1,
                                                         stop_after, &k),
               FNET_E_CANCELLED, "cancelled");
  seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
  CHECK(k.calls == 2);
  CHECK(seconds < 30.0);
  CHECK(est[0] == -1 && est[1] == -1 && est[2] == -1); /* nothing written */

  /* Not stopped: the same numbers as the plain function, at any thread count. */
  k.calls = 0;
  k.stop_after = 1 << 30;
  CHECK_OK(
      fnet_attribution_markov_simulate_progress(est, lo, hi, 3, &needed, m, 200000, 7, 2, stop_after, &k));
  CHECK(k.calls >= 1);
  CHECK_OK(fnet_attribution_markov_simulate(est2, lo2, hi2, 3, &needed, m, 200000, 7, 1));
  for (c = 0; c < 3; ++c) CHECK(est[c] == est2[c] && lo[c] == lo2[c] && hi[c] == hi2[c]);
  CHECK_OK(
      fnet_attribution_markov_simulate_progress(est, NULL, NULL, 3, &needed, m, 200000, 7, 0, NULL, NULL));
  for (c = 0; c < 3; ++c) CHECK(est[c] == est2[c]);

  fnet_attribution_markov_destroy(m);
  fnet_paths_destroy(paths);
  return check_report("cancel_abi");
}
