// Errors: one exception hierarchy for the whole core.  Every error carries a stable
// code (the same numbers as fnet_status in the C ABI) and a message that names what
// was wrong: the row, field and value.  Validation happens once, at the boundary,
// before anything is built, so a throwing constructor leaves nothing half-made.
#pragma once

#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

/// Stable error codes; the values equal the C ABI's fnet_status and are never reused.
enum class Errc : int {
  ok = 0,
  invalid_argument = 1,  ///< a value is out of its domain (NaN, negative, rows not summing to 1)
  unknown_label = 2,     ///< a name or id that the object does not know
  duplicate_label = 3,   ///< the same name given twice where names must be unique
  shape_mismatch = 4,    ///< arrays of different lengths, non-square matrices
  empty_input = 5,       ///< nothing to work on
  not_absorbing = 6,     ///< no absorbing state reachable from some transient state
  null_argument = 7,     ///< a NULL handle or pointer (C ABI only)
  buffer_too_small = 8,  ///< caller-owned output buffer too small (C ABI only)
  out_of_range = 9,      ///< an index outside its range
  io_error = 10,         ///< a file could not be read or written
  format_error = 11,     ///< corrupt file, malformed line, unknown model version
  not_converged = 12,    ///< an iterative method stopped before converging
  no_memory = 13,        ///< allocation failed
  internal = 14,         ///< a bug: please report it
  cancelled = 15,        ///< a progress callback asked to stop
  type_error = 16,       ///< wrong kind of input (dtype, object type)
};

/// Short, stable name of an error code ("invalid_argument", ...).
inline const char* errc_name(Errc c) noexcept {
  switch (c) {
    case Errc::ok: return "ok";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::unknown_label: return "unknown_label";
    case Errc::duplicate_label: return "duplicate_label";
    case Errc::shape_mismatch: return "shape_mismatch";
    case Errc::empty_input: return "empty_input";
    case Errc::not_absorbing: return "not_absorbing";
    case Errc::null_argument: return "null_argument";
    case Errc::buffer_too_small: return "buffer_too_small";
    case Errc::out_of_range: return "out_of_range";
    case Errc::io_error: return "io_error";
    case Errc::format_error: return "format_error";
    case Errc::not_converged: return "not_converged";
    case Errc::no_memory: return "no_memory";
    case Errc::internal: return "internal";
    case Errc::cancelled: return "cancelled";
    case Errc::type_error: return "type_error";
  }
  return "unknown";
}

/// Base of every exception the core throws.  `code()` says what kind of failure it
/// was; `what()` says exactly what was wrong.
class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

namespace detail {
template <class... Args>
std::string concat(Args&&... args) {
  std::ostringstream os;
  os.precision(12);
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

/// Throw an Error with `code` and a message built from `args` (streamed, like iostream).
template <class... Args>
[[noreturn]] void fail(Errc code, Args&&... args) {
  throw Error(code, detail::concat(std::forward<Args>(args)...));
}

/// Throw invalid_argument unless `value` is finite.
inline void require_finite(double value, std::string_view what) {
  if (!std::isfinite(value)) fail(Errc::invalid_argument, what, " must be finite, got ", value);
}

/// Throw invalid_argument unless `value` is finite and >= 0.
inline void require_nonnegative(double value, std::string_view what) {
  if (!(std::isfinite(value) && value >= 0.0))
    fail(Errc::invalid_argument, what, " must be finite and >= 0, got ", value);
}

/// Throw invalid_argument unless `value` lies in [0, 1].
inline void require_probability(double value, std::string_view what) {
  if (!(value >= 0.0 && value <= 1.0))
    fail(Errc::invalid_argument, what, " must be a probability in [0, 1], got ", value);
}

/// Throw shape_mismatch unless `got == expected`.
inline void require_size(std::size_t got, std::size_t expected, std::string_view what) {
  if (got != expected) fail(Errc::shape_mismatch, what, " has length ", got, ", expected ", expected);
}

FUNNELNET_END
