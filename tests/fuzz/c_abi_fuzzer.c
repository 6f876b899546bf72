/* libFuzzer: random sequences of C ABI calls with random arguments (NULL handles and
 * outputs, zero and short buffers, huge counts, destroyed-and-recreated handles).  Every
 * call must return a status; a crash, a sanitizer report or a leak is a finding.  An
 * error status must come with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "funnelnet.h"

#define SLOTS 4

typedef struct {
  const uint8_t* p;
  size_t left;
} reader;

static unsigned take(reader* r) {
  if (r->left == 0) return 0;
  r->left--;
  return *r->p++;
}

static void check(fnet_status s) {
  if (s != FNET_OK) {
    const char* m = fnet_last_error();
    if (m == NULL || m[0] == '\0') abort(); /* an error without a message */
  }
}

/* A buffer of a chosen capacity: NULL, 0, 1, 3 or 64 doubles. */
static size_t cap_of(unsigned c) {
  static const size_t caps[] = {0, 1, 3, 64};
  return caps[c % 4];
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  reader r = {data, size};
  fnet_stages* stages[SLOTS] = {0};
  fnet_counts* counts[SLOTS] = {0};
  fnet_chain* chains[SLOTS] = {0};
  fnet_graph* graphs[SLOTS] = {0};
  double buf[64];
  size_t needed = 0;
  int steps = 0;
  while (r.left > 0 && steps++ < 64) {
    const unsigned op = take(&r) % 12;
    const unsigned s = take(&r) % SLOTS;
    const unsigned a = take(&r);
    const unsigned b = take(&r);
    double* out = (a & 1) ? buf : NULL;
    const size_t cap = (a & 1) ? cap_of(a >> 1) : 0;
    size_t* need = (a & 8) ? NULL : &needed;
    switch (op) {
      case 0: { /* stages: 2..5 states, the last one or two absorbing; sometimes a duplicate name */
        static const char* const names[] = {"new", "qualified", "won", "lost", "won"};
        const unsigned char absorbing[] = {0, 0, 1, 1, 1};
        const size_t n = 2 + b % 4;
        fnet_stages_destroy(stages[s]);
        stages[s] = NULL;
        check(fnet_stages_create((a & 16) ? NULL : &stages[s], n, (a & 32) ? NULL : names, absorbing));
        break;
      }
      case 1:
        fnet_stages_destroy(stages[s]);
        stages[s] = NULL;
        break;
      case 2: { /* counts from a small event log read from the input */
        int64_t lead[16], t[16];
        int32_t st[16];
        const size_t n = (b % 17);
        size_t i;
        for (i = 0; i < n; ++i) {
          lead[i] = (int64_t)(take(&r) % 4);
          t[i] = (int64_t)take(&r) - 100;
          st[i] = (int32_t)(take(&r) % 7) - 1;
        }
        fnet_counts_destroy(counts[s]);
        counts[s] = NULL;
        check(fnet_counts_from_events(&counts[s], stages[take(&r) % SLOTS], (a & 64) ? (size_t)-1 : n,
                                      n ? lead : NULL, n ? t : NULL, n ? st : NULL,
                                      /* -1 .. 2: out-of-range values must be refused
                                         (the C++ view of the enum has a fixed underlying
                                         type, so they are values, not UB) */
                                      (fnet_repeats)((int)(b % 4) - 1)));
        break;
      }
      case 3:
        fnet_chain_destroy(chains[s]);
        chains[s] = NULL;
        check(fnet_chain_fit((a & 16) ? NULL : &chains[s], counts[take(&r) % SLOTS], NULL));
        break;
      case 4: check(fnet_chain_matrix(out, cap, need, chains[s])); break;
      case 5: {
        fnet_absorbing* h = NULL;
        check(fnet_absorbing_analyze(&h, chains[s]));
        check(fnet_absorbing_probabilities(out, cap, need, h));
        check(fnet_absorbing_expected_steps(out, cap, need, h));
        fnet_absorbing_destroy(h);
        break;
      }
      case 6: {
        char text[256];
        const size_t n = take(&r) % sizeof text;
        size_t i;
        for (i = 0; i < n; ++i) text[i] = (char)take(&r);
        text[n] = '\0';
        fnet_chain_destroy(chains[s]);
        chains[s] = NULL;
        check(fnet_chain_from_json(&chains[s], (a & 16) ? NULL : text));
        break;
      }
      case 7: {
        char text[512];
        check(fnet_chain_to_json((a & 1) ? text : NULL, (a & 1) ? (size_t)(b % 2 ? sizeof text : b % 8) : 0,
                                 need, chains[s]));
        break;
      }
      case 8: { /* graph from a few edges */
        int64_t src[8], dst[8];
        const size_t m = b % 9;
        size_t i;
        for (i = 0; i < m; ++i) {
          src[i] = (int64_t)(take(&r) % 6) - 1;
          dst[i] = (int64_t)(take(&r) % 6) - 1;
        }
        fnet_graph_destroy(graphs[s]);
        graphs[s] = NULL;
        check(fnet_graph_from_edges((a & 16) ? NULL : &graphs[s], (a & 64) ? (size_t)1 << 62 : m,
                                    m ? src : NULL, m ? dst : NULL, NULL, NULL, 0, NULL, NULL));
        break;
      }
      case 9: {
        fnet_pagerank_options o = FNET_PAGERANK_OPTIONS_INIT;
        if (b & 1) o.damping = (double)(b % 7) / 3.0;
        if (b & 2) o.max_iter = (size_t)(b % 3);
        if (b & 4) o.threads = (int)(b % 5) - 2;
        if (b & 8) o.version = b;
        check(fnet_graph_pagerank(out, cap, need, graphs[s], (b & 16) ? NULL : &o));
        break;
      }
      case 10:
        fnet_graph_destroy(graphs[s]);
        graphs[s] = NULL;
        break;
      default: {
        size_t n = 0;
        check(fnet_chain_size((a & 16) ? NULL : &n, chains[s]));
        check(fnet_counts_matrix(out, cap, need, counts[s]));
        break;
      }
    }
  }
  {
    int i;
    for (i = 0; i < SLOTS; ++i) {
      fnet_stages_destroy(stages[i]);
      fnet_counts_destroy(counts[i]);
      fnet_chain_destroy(chains[i]);
      fnet_graph_destroy(graphs[i]);
    }
  }
  return 0;
}
