/* Issue 17: a caller's element count that no array can have (more than PTRDIFF_MAX /
 * sizeof(element), or an n x k product that overflows) is refused with
 * FNET_E_OUT_OF_RANGE naming the size, before any span is formed or anything is read or
 * allocated (fnet_graph_from_edges with m = 2^62 made the span's end overflow, found by
 * tests/fuzz/c_abi_fuzzer.c).  The buffers passed are tiny: a call that believed the size
 * would read far outside them (ASan) or try to allocate exabytes. */
#define FNET_NO_DEPRECATION_WARNINGS
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

#define HUGE_COUNT (((size_t)1) << 62)           /* 2^62 elements of 8 bytes: 2^65 bytes */
#define HALF_WORD (((size_t)1) << 32)            /* 2^32 x 2^32 overflows size_t */
#define TOO_MANY (((size_t)PTRDIFF_MAX / 8) + 1) /* one past the limit for 8-byte elements */

static void graph_sizes(void) {
  const int64_t src[] = {1, 2}, dst[] = {2, 3};
  fnet_graph* g = NULL;
  size_t seeds[1] = {0};
  double p[2] = {0.5, 0.5}, mean = 0;
  CHECK_STATUS(fnet_graph_from_edges(&g, HUGE_COUNT, src, dst, NULL, NULL, 0, NULL, NULL),
               FNET_E_OUT_OF_RANGE, "m (src) = 4611686018427387904 is more elements than any array can hold");
  CHECK(g == NULL);
  CHECK_STATUS(fnet_graph_from_edges(&g, TOO_MANY, src, dst, NULL, NULL, 0, NULL, NULL), FNET_E_OUT_OF_RANGE,
               "m (src)");
  CHECK_STATUS(fnet_graph_from_edges(&g, 2, src, dst, NULL, NULL, SIZE_MAX, src, NULL), FNET_E_OUT_OF_RANGE,
               "n_nodes = 18446744073709551615");
  CHECK(g == NULL);
  /* The largest count that passes is checked on its own merits (here: the arrays are short,
   * so only a count that fits is given). */
  CHECK_OK(fnet_graph_from_edges(&g, 2, src, dst, NULL, NULL, 0, NULL, NULL));
  CHECK_STATUS(fnet_influence_spread(&mean, NULL, NULL, NULL, g, seeds, HUGE_COUNT, p, NULL),
               FNET_E_OUT_OF_RANGE, "seeds = 4611686018427387904");
  fnet_graph_destroy(g);
}

static void funnel_sizes(void) {
  const char* names[] = {"open", "won"};
  const unsigned char absorbing[] = {0, 1};
  const int64_t lead[] = {1}, offsets[] = {0, 1};
  const int64_t t[] = {0};
  const int32_t st[] = {0};
  fnet_stages* s = NULL;
  fnet_counts* c = NULL;
  CHECK_STATUS(fnet_stages_create(&s, HUGE_COUNT, names, absorbing), FNET_E_OUT_OF_RANGE,
               "n = 4611686018427387904");
  CHECK(s == NULL);
  CHECK_OK(fnet_stages_create(&s, 2, names, absorbing));
  CHECK_STATUS(fnet_counts_from_events(&c, s, HUGE_COUNT, lead, t, st, FNET_REPEATS_KEEP),
               FNET_E_OUT_OF_RANGE, "n = 4611686018427387904");
  CHECK(c == NULL);
  /* n_paths + 1 offsets: SIZE_MAX paths would wrap to 0 offsets. */
  CHECK_STATUS(fnet_counts_from_paths(&c, s, SIZE_MAX, offsets, st, NULL, FNET_REPEATS_KEEP),
               FNET_E_OUT_OF_RANGE, "n_paths");
  CHECK(c == NULL);
  fnet_stages_destroy(s);
}

static void attribution_sizes(void) {
  const char* names[] = {"a"};
  const int64_t offsets[] = {0, 1};
  const int32_t ids[] = {0};
  const double conv[] = {1};
  fnet_paths* p = NULL;
  CHECK_STATUS(fnet_paths_create(&p, 1, names, HUGE_COUNT, offsets, ids, conv, NULL, NULL, NULL),
               FNET_E_OUT_OF_RANGE, "number of rows");
  CHECK_STATUS(fnet_paths_create(&p, 1, names, SIZE_MAX, offsets, ids, conv, NULL, NULL, NULL),
               FNET_E_OUT_OF_RANGE, "number of rows");
  CHECK_STATUS(fnet_paths_create(&p, HUGE_COUNT, names, 1, offsets, ids, conv, NULL, NULL, NULL),
               FNET_E_OUT_OF_RANGE, "n_channels");
  CHECK(p == NULL);
}

static void customer_sizes(void) {
  const double params[4] = {1, 1, 1, 1}, x[1] = {1}, m2[4] = {1, 0, 0, 1}, r2[2] = {1, 1};
  const int64_t ids[1] = {1};
  const char* crit[1] = {"spend"};
  double out[2];
  size_t needed = 0;
  fnet_repeat_model* rm = NULL;
  fnet_customer_table* tab = NULL;
  CHECK_OK(fnet_repeat_create(&rm, FNET_REPEAT_BETA_GEO, params));
  CHECK_STATUS(fnet_repeat_p_alive(out, rm, HUGE_COUNT, x, x, x), FNET_E_OUT_OF_RANGE, "frequency");
  fnet_repeat_destroy(rm);
  /* n x n matrices: 2^32 squared wraps to 0 in size_t; 2^31 squared passes size_t but not
   * the array limit. */
  CHECK_STATUS(fnet_tier_clv(out, HALF_WORD, &needed, HALF_WORD, m2, r2, 0.1, 3), FNET_E_OUT_OF_RANGE,
               "n (p is n x n) = 4294967296 x 4294967296");
  CHECK_STATUS(fnet_markov_clv(out, HALF_WORD / 2, m2, r2, 0.1, 3), FNET_E_OUT_OF_RANGE, "n (p is n x n)");
  CHECK_STATUS(fnet_customer_table_create(&tab, HALF_WORD, ids, HALF_WORD, crit, x), FNET_E_OUT_OF_RANGE,
               "n x k (values)");
  CHECK(tab == NULL);
}

static void other_sizes(void) {
  const double y[2] = {0, 1}, s[2] = {0.2, 0.7};
  double out = 0, count[4], revenue[4];
  size_t needed = 0;
  fnet_logistic* lg = NULL;
  fnet_distribution* d = NULL;
  CHECK_STATUS(fnet_scoring_roc_auc(&out, HUGE_COUNT, y, s, NULL), FNET_E_OUT_OF_RANGE,
               "n = 4611686018427387904");
  CHECK_STATUS(fnet_logistic_fit(&lg, HALF_WORD, HALF_WORD, s, y, NULL, NULL), FNET_E_OUT_OF_RANGE,
               "rows x p (X)");
  CHECK(lg == NULL);
  CHECK_STATUS(fnet_distribution_count(&d, s, HUGE_COUNT, 1), FNET_E_OUT_OF_RANGE, "p = 4611686018427387904");
  CHECK(d == NULL);
  CHECK_STATUS(fnet_forecast_simulate(count, revenue, 4, &needed, s, 1, HALF_WORD, s, HALF_WORD, 0, 0, 1, 1),
               FNET_E_OUT_OF_RANGE, "runs x periods");
}

/* An out-of-range enum passed by value and handed on inside the library (here to the
 * event-log template) was a load of an invalid enum value in C++: clang's
 * -fsanitize=enum aborted ("load of value 2, which is not a valid value for type
 * 'fnet_repeats'", src/c_api/funnel.cpp, found by c_abi_fuzzer).  With the fixed underlying
 * type it is a value, refused by name. */
static void enum_values_handed_on(void) {
  const char* names[] = {"open", "won"};
  const unsigned char absorbing[] = {0, 1};
  const int64_t lead[] = {1, 1}, t[] = {0, 1};
  const double tf[] = {0, 1};
  const int32_t st[] = {0, 1};
  fnet_stages* s = NULL;
  fnet_counts* c = NULL;
  CHECK_OK(fnet_stages_create(&s, 2, names, absorbing));
  CHECK_STATUS(fnet_counts_from_events(&c, s, 2, lead, t, st, (fnet_repeats)2), FNET_E_INVALID_ARGUMENT,
               "repeats is 2, not a valid fnet_repeats");
  CHECK_STATUS(fnet_counts_from_events_f64(&c, s, 2, lead, tf, st, (fnet_repeats)-1), FNET_E_INVALID_ARGUMENT,
               "repeats is -1");
  CHECK(c == NULL);
  fnet_stages_destroy(s);
}

int main(void) {
  enum_values_handed_on();
  graph_sizes();
  funnel_sizes();
  attribution_sizes();
  customer_sizes();
  other_sizes();
  return check_report("sizes_abi");
}
