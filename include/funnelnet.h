/*
 * funnelnet C ABI (C99).  One prefix: fnet_.
 *
 * Conventions (every area follows them):
 *  - Opaque handles only.  Every fnet_X_create / fnet_X_from_* has an fnet_X_destroy;
 *    destroying NULL does nothing.
 *  - Every fallible function returns fnet_status; FNET_OK (0) is success.  Outputs come
 *    through pointer arguments, outputs first.  On failure no output is written and no
 *    existing object changes.  No function throws or aborts.
 *  - fnet_last_error() gives a message for the last failure on the calling thread,
 *    valid until the next fnet_ call on that thread.  Read failure from the status,
 *    never from the message.
 *  - Caller-owned buffers, two calls: pass out = NULL to get the needed element count
 *    in *needed (returns FNET_OK); then pass a buffer of that capacity.  A buffer that is
 *    too small returns FNET_E_BUFFER_TOO_SMALL and still sets *needed.  A size query does
 *    no work; analyses with several outputs return a handle (fnet_X_analyze) whose
 *    getters only copy.
 *  - Enumerations are typed (funnelnet/c/enums.h, one table); an out-of-range value is
 *    FNET_E_INVALID_ARGUMENT naming the valid names.  0.1 names kept for compatibility are
 *    marked FNET_DEPRECATED (define FNET_NO_DEPRECATION_WARNINGS to silence them).
 *  - Option structs start with a version field; initialise them with their _INIT macro
 *    or their fnet_X_options_init() function (funnelnet/c/options.h).  Any version from 1
 *    to the library's is accepted.
 *  - Matrices are dense, row-major, double.
 */
#ifndef FUNNELNET_H
#define FUNNELNET_H

#include "funnelnet/c/attribution.h"
#include "funnelnet/c/core.h"
#include "funnelnet/c/customers.h"
#include "funnelnet/c/datasets.h"
#include "funnelnet/c/enums.h"
#include "funnelnet/c/funnel.h"
#include "funnelnet/c/graph.h"
#include "funnelnet/c/options.h"
#include "funnelnet/c/pipeline.h"
#include "funnelnet/c/scoring.h"
#include "funnelnet/c/version.h"

#endif /* FUNNELNET_H */
