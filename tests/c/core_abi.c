/* The C ABI's shared parts: status names from the one table, options_init functions
 * agreeing with the _INIT macros, NULL handling. */
#include <string.h>

#include "check.h"
#include "funnelnet.h"

/* Each options_init sets the version the _INIT macro sets, over a garbage-filled struct,
 * and rejects NULL. */
#define CHECK_INIT_(type, prefix)                                     \
  do {                                                                \
    type from_macro = prefix##_INIT;                                  \
    type from_fn;                                                     \
    memset(&from_fn, 0xAB, sizeof from_fn);                           \
    CHECK(type##_init(&from_fn) == FNET_OK);                          \
    CHECK(from_fn.version == prefix##_VERSION);                       \
    CHECK(from_macro.version == prefix##_VERSION);                    \
    CHECK_STATUS(type##_init(NULL), FNET_E_NULL_ARGUMENT, "options"); \
  } while (0);

int main(void) {
  FNET_OPTIONS_TABLE(CHECK_INIT_)

  /* Names come from the one status table. */
  CHECK(strcmp(fnet_status_name(FNET_OK), "ok") == 0);
  CHECK(strcmp(fnet_status_name(FNET_E_INVALID_ARGUMENT), "invalid_argument") == 0);
  CHECK(strcmp(fnet_status_name(FNET_E_TYPE), "type_error") == 0);
  CHECK(strcmp(fnet_status_name((fnet_status)(FNET_STATUS_MAX + 1)), "unknown") == 0);

  return check_report("core_abi");
}
