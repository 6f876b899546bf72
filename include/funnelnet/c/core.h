/* funnelnet C ABI: status codes, errors, version, progress callbacks.  C99. */
#ifndef FUNNELNET_C_CORE_H
#define FUNNELNET_C_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "funnelnet/c/enums.h"
#include "funnelnet/c/status.h"
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

/* Marks a 0.1 name kept for compatibility (it still works; the message names the
 * replacement).  Define FNET_NO_DEPRECATION_WARNINGS before including funnelnet.h to
 * silence the warnings. */
#if defined(FNET_NO_DEPRECATION_WARNINGS)
#define FNET_DEPRECATED(message)
#elif defined(__GNUC__) || defined(__clang__)
#define FNET_DEPRECATED(message) __attribute__((deprecated(message)))
#elif defined(_MSC_VER)
#define FNET_DEPRECATED(message) __declspec(deprecated(message))
#else
#define FNET_DEPRECATED(message)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: stable, never reused (they equal funnelnet::Errc in C++).  FNET_OK is 0;
 * every code, its value and its meaning is listed once, in funnelnet/c/status.h
 * (FNET_E_INVALID_ARGUMENT, FNET_E_UNKNOWN_LABEL, ..., FNET_E_TYPE). */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): X-macro arguments are names, not expressions */
#define FNET_STATUS_ENUMERATOR_(c_suffix, value, cxx, py, parent, builtin, doc) FNET_##c_suffix = value,
/* A fixed underlying type in C++, as for the enums of enums.h: an unknown status is a
 * value of the type, not undefined behaviour. */
#ifdef __cplusplus
typedef enum fnet_status : unsigned int { FNET_STATUS_TABLE(FNET_STATUS_ENUMERATOR_) } fnet_status;
#else
typedef enum fnet_status { FNET_STATUS_TABLE(FNET_STATUS_ENUMERATOR_) } fnet_status;
#endif
#undef FNET_STATUS_ENUMERATOR_

/* Version of the library at run time; equals FNET_VERSION_NUMBER of a matching header. */
FNET_API int fnet_version_number(void);
/* Version as "MAJOR.MINOR.PATCH" (static storage). */
FNET_API const char* fnet_version_string(void);
/* Message of the last failure on this thread ("" if none); valid until the next fnet_ call. */
FNET_API const char* fnet_last_error(void);
/* Stable short name of a status code ("invalid_argument", ...), static storage. */
FNET_API const char* fnet_status_name(fnet_status status);

/* Enumerations by name (funnelnet/c/enums.h): *out gets the short name ("keep",
 * "collapse", ...; static storage) of `value` in the enum called enum_type
 * ("fnet_repeats", ...).  FNET_E_UNKNOWN_LABEL for an unknown enum type,
 * FNET_E_INVALID_ARGUMENT (listing the valid names) for a value outside the enum. */
FNET_API fnet_status fnet_enum_name(const char** out, const char* enum_type, int value);
/* The value of `name` (short name "keep" or C name "FNET_REPEATS_KEEP") in enum_type;
 * FNET_E_UNKNOWN_LABEL (listing the valid names) if it is not one of them. */
FNET_API fnet_status fnet_enum_value(int* out, const char* enum_type, const char* name);

/* The largest file, in bytes, that the loaders read (fnet_*_load, fnet_graph_read_edge_list,
 * fnet_graph_read_metis): process-wide, 2 GiB (2^31) by default.  A larger file is refused
 * before it is read with FNET_E_IO, the message naming its size and the limit; a pipe or
 * device is cut off once it passes the limit, so memory stays bounded. */
FNET_API fnet_status fnet_max_file_bytes(uint64_t* out);
/* Change that limit for the whole process (thread-safe; loads already under way keep the
 * limit they started with).  *previous (may be NULL) gets the old limit.
 * FNET_E_INVALID_ARGUMENT for 0. */
FNET_API fnet_status fnet_set_max_file_bytes(uint64_t* previous, uint64_t bytes);

/* Progress callback for long jobs: called with work done and total from the calling
 * thread; return non-zero to cancel (the call then returns FNET_E_CANCELLED). */
typedef int (*fnet_progress_fn)(void* user_data, uint64_t done, uint64_t total);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_CORE_H */
