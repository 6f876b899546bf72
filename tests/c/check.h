/* Tiny assertion helpers for the pure-C ABI tests (C99). */
#ifndef FUNNELNET_TESTS_C_CHECK_H
#define FUNNELNET_TESTS_C_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    ++g_checks;                                                            \
    if (!(cond)) {                                                         \
      ++g_failures;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

/* The call returns `status` and the last error mentions `needle`. */
#define CHECK_STATUS(call, status, needle)                                         \
  do {                                                                             \
    fnet_status st_ = (call);                                                      \
    ++g_checks;                                                                    \
    if (st_ != (status) || strstr(fnet_last_error(), (needle)) == NULL) {          \
      ++g_failures;                                                                \
      fprintf(stderr, "%s:%d: %s returned %d (%s) \"%s\", expected %d with \"%s\"\n", \
              __FILE__, __LINE__, #call, (int)st_, fnet_status_name(st_),          \
              fnet_last_error(), (int)(status), (needle));                         \
    }                                                                              \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, FNET_OK, "")

static int check_report(const char* name) {
  printf("%s: %d passed, %d failed\n", name, g_checks - g_failures, g_failures);
  return g_failures == 0 ? 0 : 1;
}

#endif
