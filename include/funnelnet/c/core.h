/* funnelnet C ABI: status codes, errors, version, progress callbacks.  C99. */
#ifndef FUNNELNET_C_CORE_H
#define FUNNELNET_C_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "funnelnet/c/version.h"

#if defined(_WIN32)
#if defined(FNET_BUILDING_LIBRARY)
#define FNET_API __declspec(dllexport)
#else
#define FNET_API __declspec(dllimport)
#endif
#else
#define FNET_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: stable, never reused (they equal funnelnet::Errc in C++). */
typedef enum fnet_status {
  FNET_OK = 0,
  FNET_E_INVALID_ARGUMENT = 1, /* a value out of its domain (NaN, negative, rows not summing to 1) */
  FNET_E_UNKNOWN_LABEL = 2,    /* a name or id the object does not know */
  FNET_E_DUPLICATE_LABEL = 3,  /* the same name twice where names must be unique */
  FNET_E_SHAPE_MISMATCH = 4,   /* arrays of different lengths, non-square matrices */
  FNET_E_EMPTY_INPUT = 5,      /* nothing to work on */
  FNET_E_NOT_ABSORBING = 6,    /* no absorbing state reachable from some transient state */
  FNET_E_NULL_ARGUMENT = 7,    /* a required pointer or handle is NULL */
  FNET_E_BUFFER_TOO_SMALL = 8, /* caller-owned buffer too small; *needed says how big */
  FNET_E_OUT_OF_RANGE = 9,     /* an index outside its range */
  FNET_E_IO = 10,              /* a file could not be read or written */
  FNET_E_FORMAT = 11,          /* corrupt file, malformed line, unknown model version */
  FNET_E_NOT_CONVERGED = 12,   /* an iterative method stopped before converging */
  FNET_E_NO_MEMORY = 13,       /* allocation failed */
  FNET_E_INTERNAL = 14,        /* a bug in funnelnet: please report it */
  FNET_E_CANCELLED = 15,       /* a progress callback asked to stop */
  FNET_E_TYPE = 16             /* wrong kind of input */
} fnet_status;

/* Version of the library at run time; equals FNET_VERSION_NUMBER of a matching header. */
FNET_API int fnet_version_number(void);
/* Version as "MAJOR.MINOR.PATCH" (static storage). */
FNET_API const char* fnet_version_string(void);
/* Message of the last failure on this thread ("" if none); valid until the next fnet_ call. */
FNET_API const char* fnet_last_error(void);
/* Stable short name of a status code ("invalid_argument", ...), static storage. */
FNET_API const char* fnet_status_name(fnet_status status);

/* Progress callback for long jobs: called with work done and total from the calling
 * thread; return non-zero to cancel (the call then returns FNET_E_CANCELLED). */
typedef int (*fnet_progress_fn)(void* user_data, uint64_t done, uint64_t total);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_CORE_H */
