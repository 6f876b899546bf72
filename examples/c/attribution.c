/* Exact Markov attribution through the C ABI: three journeys over trade fair, visit and
 * demo, the removal effect of each channel and the conversions it earns.
 *   ./example_c_attribution */
#include <stdio.h>

#include "funnelnet.h"

int main(void) {
  const char* names[] = {"fair", "visit", "demo"};
  /* fair > visit > demo (1 won), fair (1 lost), visit > demo (1 lost) */
  const int64_t offsets[] = {0, 3, 4, 6};
  const int32_t channel_ids[] = {0, 1, 2, 0, 1, 2};
  const double won[] = {1, 0, 0}, lost[] = {0, 1, 1};
  fnet_paths* paths = NULL;
  fnet_attribution_markov* model = NULL;
  double effect[3], credit[3], p = 0;
  size_t needed = 0, c;
  if (fnet_paths_create(&paths, 3, names, 3, offsets, channel_ids, won, lost, NULL, ">") != FNET_OK ||
      fnet_attribution_markov_fit(&model, paths, NULL) != FNET_OK) {
    fprintf(stderr, "error: %s\n", fnet_last_error());
    fnet_paths_destroy(paths);
    return 1;
  }
  fnet_attribution_markov_conversion_probability(&p, NULL, model);
  fnet_attribution_markov_removal_effects(effect, 3, &needed, model);
  fnet_attribution_markov_attributed_conversions(credit, 3, &needed, model);
  printf("P(won) = %.4f\n%-6s %14s %12s\n", p, "channel", "removal effect", "conversions");
  for (c = 0; c < 3; ++c) printf("%-6s %14.4f %12.4f\n", names[c], effect[c], credit[c]);
  fnet_attribution_markov_destroy(model);
  fnet_paths_destroy(paths);
  return 0;
}
