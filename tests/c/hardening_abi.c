/* Issue 17 through the C ABI: values that were accepted silently (NaN tolerance,
 * negative thread counts, intervals asked for without the estimate, four NULL outputs),
 * horizons that gave NaN, and allocation failure as a status (an absurd size request,
 * then the same under a capped address space): each returns its status with a message,
 * and the library keeps working afterwards. */
#define FNET_NO_DEPRECATION_WARNINGS
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#if defined(__unix__) && !defined(UNDER_ASAN)
#include <sys/resource.h>
#define CAN_CAP_MEMORY 1
#endif

/* Under ASan a huge malloc returns NULL (std::bad_alloc) instead of aborting. */
const char* __asan_default_options(void);
const char* __asan_default_options(void) {
  return "allocator_may_return_null=1";
}

static void silent_values_are_refused(void) {
  const char* names[] = {"open", "won", "lost"};
  const unsigned char absorbing[] = {0, 1, 1};
  const double p[] = {0.5, 0.3, 0.2, 0, 1, 0, 0, 0, 1};
  fnet_stages* st = NULL;
  fnet_chain* chain = NULL;
  CHECK_OK(fnet_stages_create(&st, 3, names, absorbing));
  CHECK_STATUS(fnet_chain_create(&chain, st, p, NAN), FNET_E_INVALID_ARGUMENT, "tolerance must be finite");
  CHECK(chain == NULL);
  CHECK_OK(fnet_chain_create(&chain, st, p, 0.0)); /* 0 = the default */
  fnet_chain_destroy(chain);
  fnet_stages_destroy(st);

  {
    const int64_t src[] = {1, 2, 3}, dst[] = {2, 3, 1};
    fnet_graph* g = NULL;
    fnet_pagerank_options o = FNET_PAGERANK_OPTIONS_INIT;
    double pr[3];
    size_t needed = 0;
    CHECK_OK(fnet_graph_from_edges(&g, 3, src, dst, NULL, NULL, 0, NULL, NULL));
    o.threads = -1;
    CHECK_STATUS(fnet_graph_pagerank(pr, 3, &needed, g, &o), FNET_E_INVALID_ARGUMENT,
                 "threads must be >= 0 (0 = all cores), got -1");
    o.threads = 0;
    CHECK_OK(fnet_graph_pagerank(pr, 3, &needed, g, &o));
    CHECK_NEAR(pr[0] + pr[1] + pr[2], 1.0, 1e-12);
    fnet_graph_destroy(g);
  }
  {
    const char* ch[] = {"c1", "c2", "c3"};
    const int64_t offsets[] = {0, 3, 4, 6};
    const int32_t ids[] = {0, 1, 2, 0, 1, 2};
    const double conv[] = {1, 0, 0}, nulls[] = {0, 1, 1};
    fnet_paths* paths = NULL;
    fnet_attribution_markov* m = NULL;
    double est[3], lo[3] = {-7, -7, -7}, hi[3];
    size_t needed = 0;
    CHECK_OK(fnet_paths_create(&paths, 3, ch, 3, offsets, ids, conv, nulls, NULL, NULL));
    CHECK_OK(fnet_attribution_markov_fit(&m, paths, NULL));
    /* Was FNET_OK without writing lower (a size query). */
    CHECK_STATUS(fnet_attribution_markov_simulate(NULL, lo, hi, 3, &needed, m, 1000, 1, 1),
                 FNET_E_NULL_ARGUMENT, "lower/upper");
    CHECK(lo[0] == -7);
    CHECK_STATUS(fnet_attribution_markov_simulate(est, lo, hi, 3, &needed, m, 1000, 1, -2),
                 FNET_E_INVALID_ARGUMENT, "threads must be >= 0");
    CHECK_OK(fnet_attribution_markov_simulate(est, lo, hi, 3, &needed, m, 1000, 1, 1));
    CHECK(lo[0] <= est[0] && est[0] <= hi[0]);
    fnet_attribution_markov_destroy(m);
    fnet_paths_destroy(paths);
  }
  {
    const double p2[] = {0.9, 0.1, 0, 1};
    CHECK_STATUS(fnet_tier_rates(NULL, NULL, NULL, NULL, 2, p2, 0, NULL), FNET_E_NULL_ARGUMENT, "all NULL");
  }
}

static void huge_horizons_are_the_limit(void) {
  const char* names[] = {"open", "won"};
  const unsigned char absorbing[] = {0, 1};
  const double q[] = {-1, 1, 0, 0};
  fnet_stages* st = NULL;
  fnet_ctmc* c = NULL;
  double p[4];
  size_t needed = 0;
  CHECK_OK(fnet_stages_create(&st, 2, names, absorbing));
  CHECK_OK(fnet_ctmc_create(&c, st, q, 0.0));
  CHECK_OK(fnet_ctmc_transition_matrix(p, 4, &needed, c, 1e19)); /* was all NaN */
  CHECK_NEAR(p[0], 0.0, 1e-12);
  CHECK_NEAR(p[1], 1.0, 1e-12);
  CHECK_OK(fnet_ctmc_transition_matrix(p, 4, &needed, c, 1e300));
  CHECK_NEAR(p[1], 1.0, 1e-12);
  CHECK_OK(fnet_ctmc_transition_matrix(p, 4, &needed, c, 2.0));
  CHECK_NEAR(p[0], exp(-2.0), 1e-12);
  fnet_ctmc_destroy(c);
  fnet_stages_destroy(st);
}

static void allocation_failure_is_a_status(void) {
  const double p[] = {0.5, 0.5, 0, 1}, reward[] = {1, 0};
  double out[2];
  size_t needed = 0;
  /* n = 2^33 states: an n x n matrix of 2^66 doubles cannot exist; refused before
   * allocating (sizes_abi.c checks every size parameter). */
  const size_t huge = (size_t)1 << 33, big = (size_t)1 << 29;
  CHECK_STATUS(fnet_tier_clv(out, huge, &needed, huge, p, reward, 0.1, -1), FNET_E_OUT_OF_RANGE,
               "n (p is n x n) = 8589934592 x 8589934592 is more elements than any array can hold");
  /* n = 2^29: 2^58 doubles could be an array, but no machine has 2^61 bytes. */
  CHECK_STATUS(fnet_tier_clv(out, big, &needed, big, p, reward, 0.1, -1), FNET_E_NO_MEMORY, "");
  CHECK(fnet_last_error()[0] != '\0');
  /* Still usable afterwards. */
  CHECK_OK(fnet_tier_clv(out, 2, &needed, 2, p, reward, 0.1, -1));
  CHECK_NEAR(out[1], 0.0, 1e-12);
#ifdef CAN_CAP_MEMORY
  {
    /* A 2 GiB address space, then a 20000 x 20000 matrix (3.2 GB): FNET_E_NO_MEMORY. */
    struct rlimit old, cap;
    double* big_p;
    double* big_r;
    double* big_out;
    const size_t n = 20000;
    CHECK(getrlimit(RLIMIT_AS, &old) == 0);
    cap = old;
    cap.rlim_cur = (rlim_t)2 << 30;
    if (setrlimit(RLIMIT_AS, &cap) == 0) {
      big_p = (double*)calloc(4, sizeof(double)); /* never read: the allocation fails first */
      big_r = (double*)calloc(n, sizeof(double));
      big_out = (double*)calloc(n, sizeof(double));
      CHECK(big_p != NULL && big_r != NULL && big_out != NULL);
      CHECK_STATUS(fnet_tier_clv(big_out, n, &needed, n, big_p, big_r, 0.1, -1), FNET_E_NO_MEMORY, "");
      CHECK_OK(fnet_tier_clv(out, 2, &needed, 2, p, reward, 0.1, -1));
      free(big_p);
      free(big_r);
      free(big_out);
      CHECK(setrlimit(RLIMIT_AS, &old) == 0);
    }
  }
#endif
}

int main(void) {
  silent_values_are_refused();
  huge_horizons_are_the_limit();
  allocation_failure_is_a_status();
  return check_report("hardening_abi");
}
