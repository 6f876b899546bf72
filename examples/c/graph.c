/* A referral network through the C ABI: build, PageRank, and IMM seeds.  C99. */
#include <stdio.h>

#include "funnelnet.h"

int main(void) {
  const int64_t referrer[] = {100, 100, 100, 101, 101, 104, 200, 200, 103};
  const int64_t referee[] = {101, 102, 103, 104, 105, 106, 201, 202, 202};
  fnet_graph* g = NULL;
  fnet_pagerank_options po = FNET_PAGERANK_OPTIONS_INIT;
  fnet_probability_spec ps = FNET_PROBABILITY_SPEC_INIT; /* weighted cascade */
  fnet_imm_options io = FNET_IMM_OPTIONS_INIT;
  double pr[16], p[16], spread = 0;
  int64_t ids[16];
  size_t n = 0, m = 0, needed = 0, seeds[2], chosen = 0, rr = 0, i;
  if (fnet_graph_from_edges(&g, 9, referrer, referee, NULL, NULL, 0, NULL, NULL) != FNET_OK) {
    fprintf(stderr, "build failed: %s\n", fnet_last_error());
    return 1;
  }
  fnet_graph_sizes(&n, &m, g);
  fnet_graph_node_ids(ids, 16, &needed, g);
  if (fnet_graph_pagerank(pr, 16, &needed, g, &po) != FNET_OK) return 1;
  for (i = 0; i < n; ++i) printf("customer %lld pagerank %.4f\n", (long long)ids[i], pr[i]);
  fnet_graph_edge_probabilities(p, 16, &needed, g, &ps);
  io.seed = 1;
  if (fnet_influence_imm(seeds, 2, &chosen, &spread, &rr, g, 2, p, &io) != FNET_OK) {
    fprintf(stderr, "imm failed: %s\n", fnet_last_error());
    return 1;
  }
  printf("cultivate %lld and %lld: estimated reach %.2f (%zu RR sets)\n", (long long)ids[seeds[0]],
         (long long)ids[seeds[1]], spread, rr);
  fnet_graph_destroy(g);
  return 0;
}
