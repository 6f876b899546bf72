/* A sales funnel through the C ABI: fit a chain from paths and print the win
 * probability per stage.  Plain C99; link with -lfunnelnet. */
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
  const char* names[] = {"potential", "possible", "target", "won", "lost"};
  const unsigned char absorbing[] = {0, 0, 0, 1, 1};
  /* potential>possible>target>won x10, potential>possible>lost x25, potential>potential>lost x65 */
  const int32_t stages[] = {0, 1, 2, 3, 0, 1, 4, 0, 0, 4};
  const int64_t offsets[] = {0, 4, 7, 10};
  const double weights[] = {10, 25, 65};
  fnet_stages* space = NULL;
  fnet_counts* counts = NULL;
  fnet_chain* chain = NULL;
  fnet_absorbing* analysis = NULL;
  fnet_fit_options options = FNET_FIT_OPTIONS_INIT;
  size_t nt = 0, na = 0, needed = 0, i;
  double* b;
  size_t* rows;

  if (fnet_version_number() != FNET_VERSION_NUMBER) {
    fprintf(stderr, "header %d does not match library %d\n", FNET_VERSION_NUMBER, fnet_version_number());
    return 1;
  }
  TRY(fnet_stages_create(&space, 5, names, absorbing));
  TRY(fnet_counts_from_paths(&counts, space, 3, offsets, stages, weights, FNET_REPEATS_KEEP));
  TRY(fnet_chain_fit(&chain, counts, &options));
  TRY(fnet_absorbing_analyze(&analysis, chain));
  TRY(fnet_absorbing_sizes(&nt, &na, analysis));
  TRY(fnet_absorbing_probabilities(NULL, 0, &needed, analysis)); /* size query */
  b = malloc(needed * sizeof *b);
  rows = malloc(nt * sizeof *rows);
  TRY(fnet_absorbing_probabilities(b, needed, &needed, analysis));
  TRY(fnet_absorbing_transient(rows, nt, &needed, analysis));
  printf("funnelnet %s\n", fnet_version_string());
  for (i = 0; i < nt; ++i) printf("%-10s P(won) = %.3f\n", names[rows[i]], b[i * na]);
  free(b);
  free(rows);
  fnet_absorbing_destroy(analysis);
  fnet_chain_destroy(chain);
  fnet_counts_destroy(counts);
  fnet_stages_destroy(space);
  return 0;
}
