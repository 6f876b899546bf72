/* funnelnet's one table of status codes.  C99.
 *
 * Every place that needs the list (the C enum fnet_status, the C++ enum
 * funnelnet::Errc and its names, the Python exception classes) expands this one
 * X-macro, so a code is added here once and nowhere else.  Codes are stable and never
 * reused.  Columns:
 *   X(C_SUFFIX, value, cxx_name, python_class, python_parent, python_builtin, "meaning")
 * C_SUFFIX gives the C name (FNET_<C_SUFFIX>); cxx_name is the Errc enumerator and the
 * short name returned by fnet_status_name(); python_class is the funnelnet exception
 * class raised for the code (a class named twice is one class), python_parent its
 * funnelnet base class, python_builtin the builtin it also derives from (or none). */
#ifndef FUNNELNET_C_STATUS_H
#define FUNNELNET_C_STATUS_H

/* clang-format off */
#define FNET_STATUS_TABLE(X) \
  X(OK,                  0, ok,               none,                 none,                 none,         "success") \
  X(E_INVALID_ARGUMENT,  1, invalid_argument, InvalidArgumentError, FunnelnetError,       ValueError,   "a value is out of its domain (NaN, negative, rows not summing to 1)") \
  X(E_UNKNOWN_LABEL,     2, unknown_label,    UnknownLabelError,    InvalidArgumentError, none,         "a name or id that the object does not know") \
  X(E_DUPLICATE_LABEL,   3, duplicate_label,  DuplicateLabelError,  InvalidArgumentError, none,         "the same name given twice where names must be unique") \
  X(E_SHAPE_MISMATCH,    4, shape_mismatch,   ShapeError,           InvalidArgumentError, none,         "arrays of different lengths, non-square matrices") \
  X(E_EMPTY_INPUT,       5, empty_input,      EmptyInputError,      InvalidArgumentError, none,         "nothing to work on") \
  X(E_NOT_ABSORBING,     6, not_absorbing,    NotAbsorbingError,    InvalidArgumentError, none,         "no absorbing state reachable from some transient state") \
  X(E_NULL_ARGUMENT,     7, null_argument,    InvalidArgumentError, FunnelnetError,       ValueError,   "a required pointer or handle is NULL (C ABI only)") \
  X(E_BUFFER_TOO_SMALL,  8, buffer_too_small, InvalidArgumentError, FunnelnetError,       ValueError,   "caller-owned output buffer too small; *needed says how big (C ABI only)") \
  X(E_OUT_OF_RANGE,      9, out_of_range,     OutOfRangeError,      InvalidArgumentError, IndexError,   "an index outside its range") \
  X(E_IO,               10, io_error,         FileError,            FunnelnetError,       OSError,      "a file could not be read or written") \
  X(E_FORMAT,           11, format_error,     FormatError,          InvalidArgumentError, none,         "corrupt file, malformed line, unknown model version") \
  X(E_NOT_CONVERGED,    12, not_converged,    ConvergenceError,     FunnelnetError,       RuntimeError, "an iterative method stopped before converging") \
  X(E_NO_MEMORY,        13, no_memory,        MemoryError,          none,                 MemoryError,  "allocation failed") \
  X(E_INTERNAL,         14, internal,         InternalError,        FunnelnetError,       RuntimeError, "a bug in funnelnet: please report it") \
  X(E_CANCELLED,        15, cancelled,        CancelledError,       FunnelnetError,       none,         "a progress callback or interrupt asked to stop") \
  X(E_TYPE,             16, type_error,       InputTypeError,       FunnelnetError,       TypeError,    "wrong kind of input (dtype, object type)")
/* clang-format on */

/* The largest status code in use (for tables indexed by code). */
#define FNET_STATUS_MAX 16

#endif /* FUNNELNET_C_STATUS_H */
