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

#include "funnelnet/c/status.h"
#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

/// Stable error codes; the values equal the C ABI's fnet_status and are never reused.
/// The one table of codes and meanings is FNET_STATUS_TABLE in funnelnet/c/status.h.
enum class Errc : int {
/* NOLINTNEXTLINE(bugprone-macro-parentheses): X-macro arguments are names, not expressions */
#define FUNNELNET_ERRC_(c_suffix, value, cxx, py, parent, builtin, doc) cxx = value,
  FNET_STATUS_TABLE(FUNNELNET_ERRC_)
#undef FUNNELNET_ERRC_
};

/// Short, stable name of an error code ("invalid_argument", ...); "unknown" otherwise.
inline const char* errc_name(Errc c) noexcept {
  switch (c) {
#define FUNNELNET_ERRC_NAME_(c_suffix, value, cxx, py, parent, builtin, doc) \
  case Errc::cxx: return #cxx;
    FNET_STATUS_TABLE(FUNNELNET_ERRC_NAME_)
#undef FUNNELNET_ERRC_NAME_
  }
  return "unknown";
}

/// What an error code means, in words (from the same table).
inline const char* errc_meaning(Errc c) noexcept {
  switch (c) {
#define FUNNELNET_ERRC_DOC_(c_suffix, value, cxx, py, parent, builtin, doc) \
  case Errc::cxx: return doc;
    FNET_STATUS_TABLE(FUNNELNET_ERRC_DOC_)
#undef FUNNELNET_ERRC_DOC_
  }
  return "unknown status code";
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
