/* CPU seconds of a few hot C ABI calls, for changes to the C ABI's own code (src/c_api:
 * its compile flags, guard(), copy_out): the calls whose time is mostly the wrapper's
 * (stage name and index look-ups, a failing call) next to calls that do real work in the
 * core (counting, a small chain and its absorbing analysis, a graph build, PageRank).
 * Build with -DFUNNELNET_BUILD_BENCHMARKS=ON; run against two libfunnelnet.so builds
 * alternately (LD_LIBRARY_PATH), e.g. docs/benchmarks.md "Build cost", branch build8:
 *   LD_LIBRARY_PATH=/tmp/a ./benchmarks/bench_c_abi; LD_LIBRARY_PATH=/tmp/b ./benchmarks/bench_c_abi
 * Prints one line: CPU seconds (CLOCK_PROCESS_CPUTIME_ID) per group of calls. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "funnelnet.h"

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define OK(x)                                                                               \
  do {                                                                                      \
    if ((x) != FNET_OK) {                                                                   \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #x, fnet_last_error()); \
      exit(1);                                                                              \
    }                                                                                       \
  } while (0)

static uint64_t rng_state = 12345; /* xorshift64: the same inputs every run */
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

int main(void) {
  const char* names[7] = {"lead", "mql", "sql", "opp", "neg", "won", "lost"};
  const unsigned char absorbing[7] = {0, 0, 0, 0, 0, 1, 1};
  fnet_stages* st;
  OK(fnet_stages_create(&st, 7, names, absorbing));
  double sink = 0;
  double t0;

  /* 60 x counting 10^6 events (leads of 10 events: 9 stages, then an outcome) */
  const size_t n = 1000000;
  int64_t* lead = malloc(n * sizeof *lead);
  int64_t* when = malloc(n * sizeof *when);
  int32_t* stage = malloc(n * sizeof *stage);
  if (!lead || !when || !stage) return 1;
  for (size_t i = 0; i < n; ++i) {
    lead[i] = (int64_t)(i / 10);
    when[i] = (int64_t)(i % 10);
    stage[i] = (int32_t)(i % 10 < 9 ? rng() % 5 : 5 + rng() % 2);
  }
  t0 = cpu_seconds();
  for (int r = 0; r < 60; ++r) {
    fnet_counts* c;
    OK(fnet_counts_from_events(&c, st, n, lead, when, stage, FNET_REPEATS_KEEP));
    fnet_counts_destroy(c);
  }
  const double t_count = cpu_seconds() - t0;

  /* 200,000 x a 7-state chain from its matrix, its absorbing analysis, N copied out */
  double p[49] = {0};
  double fundamental[25];
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 7; ++j) p[i * 7 + j] = 1.0 / 7;
  p[5 * 7 + 5] = 1;
  p[6 * 7 + 6] = 1;
  t0 = cpu_seconds();
  for (int r = 0; r < 200000; ++r) {
    fnet_chain* chain;
    fnet_absorbing* analysis;
    size_t needed;
    OK(fnet_chain_create(&chain, st, p, 0));
    OK(fnet_absorbing_analyze(&analysis, chain));
    OK(fnet_absorbing_fundamental(fundamental, 25, &needed, analysis));
    sink += fundamental[r % 25];
    fnet_absorbing_destroy(analysis);
    fnet_chain_destroy(chain);
  }
  const double t_chain = cpu_seconds() - t0;

  /* 5 x 10^6 stage name and index look-ups (the wrapper is most of each call) */
  t0 = cpu_seconds();
  for (int r = 0; r < 5000000; ++r) {
    char buf[16];
    size_t needed, index;
    OK(fnet_stages_name(buf, sizeof buf, &needed, st, (size_t)(r % 7)));
    OK(fnet_stages_index(&index, st, buf));
    sink += (double)index;
  }
  const double t_names = cpu_seconds() - t0;

  /* 200,000 failing calls (an unknown stage name: the error path, message included) */
  t0 = cpu_seconds();
  for (int r = 0; r < 200000; ++r) {
    size_t index;
    if (fnet_stages_index(&index, st, "nope") == FNET_OK) return 1;
  }
  const double t_errors = cpu_seconds() - t0;

  /* 12 x a graph of 10^6 random edges on 10^5 nodes; 20 x its PageRank at 1 thread */
  const size_t m = 1000000;
  int64_t* src = malloc(m * sizeof *src);
  int64_t* dst = malloc(m * sizeof *dst);
  double* rank = malloc(100000 * sizeof *rank);
  if (!src || !dst || !rank) return 1;
  for (size_t i = 0; i < m; ++i) {
    src[i] = (int64_t)(rng() % 100000);
    dst[i] = (int64_t)(rng() % 100000);
  }
  fnet_graph* g = NULL;
  t0 = cpu_seconds();
  for (int r = 0; r < 12; ++r) {
    fnet_graph_destroy(g);
    OK(fnet_graph_from_edges(&g, m, src, dst, NULL, NULL, 0, NULL, NULL));
  }
  const double t_graph = cpu_seconds() - t0;
  fnet_pagerank_options po = FNET_PAGERANK_OPTIONS_INIT;
  po.threads = 1;
  t0 = cpu_seconds();
  for (int r = 0; r < 20; ++r) {
    size_t needed;
    OK(fnet_graph_pagerank(rank, 100000, &needed, g, &po));
    sink += rank[r];
  }
  const double t_pagerank = cpu_seconds() - t0;

  printf(
      "CPU s: count 60x1e6 %.3f | chain+absorbing 200k %.3f | names+index 5e6 %.3f | errors 200k %.3f | "
      "graph 12x1e6 %.3f | pagerank 20 %.3f (check %g)\n",
      t_count, t_chain, t_names, t_errors, t_graph, t_pagerank, sink);
  fnet_graph_destroy(g);
  fnet_stages_destroy(st);
  free(lead);
  free(when);
  free(stage);
  free(src);
  free(dst);
  free(rank);
  return 0;
}
