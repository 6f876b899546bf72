// Shared machinery of the C ABI implementation: the guard that turns exceptions into
// status codes, the thread-local last error, and the two-call buffer helper.
#pragma once

#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "funnelnet.h"
#include "funnelnet/core/error.hpp"
#include "funnelnet/io/json.hpp"

namespace funnelnet::capi {

/// The thread-local last-error message.
inline std::string& last_error() {
  thread_local std::string message;
  return message;
}

inline fnet_status set_error(fnet_status status, const char* message) noexcept {
  try {
    last_error() = message;
  } catch (...) {  // keep the status even if the message cannot be stored
  }
  return status;
}

/// The status of an exception caught by guard(), mapped out of line (compiled once, not in
/// every extern "C" body): funnelnet::Error's code, FNET_E_NO_MEMORY for std::bad_alloc,
/// FNET_E_INTERNAL for anything else, in the order of the catch clauses it replaces; the
/// message is stored as the last error.
[[gnu::cold, gnu::noinline]] inline fnet_status status_of(const std::exception& e) noexcept {
  if (const auto* error = dynamic_cast<const funnelnet::Error*>(&e))
    return set_error(static_cast<fnet_status>(error->code()), error->what());
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) return set_error(FNET_E_NO_MEMORY, "out of memory");
  return set_error(FNET_E_INTERNAL, e.what());
}

/// The status of an exception that is not a std::exception.
[[gnu::cold, gnu::noinline]] inline fnet_status status_of_unknown() noexcept {
  return set_error(FNET_E_INTERNAL, "unknown internal error");
}

/// Run `body` (which returns nothing and throws on failure) and map the outcome to a
/// status.  Every extern "C" function body goes through here: nothing crosses the ABI.
template <class Body>
fnet_status guard(Body&& body) noexcept {
  try {
    last_error().clear();
    body();
    return FNET_OK;
  } catch (const std::exception& e) {
    return status_of(e);
  } catch (...) {
    return status_of_unknown();
  }
}

/// Throw null_argument naming `what` if `p` is NULL.
template <class T>
void require_ptr(const T* p, const char* what) {
  if (p == nullptr) funnelnet::fail(funnelnet::Errc::null_argument, what, " must not be NULL");
}

/// A caller's element count n of an array of T: refused (out_of_range naming `what`) past
/// PTRDIFF_MAX / sizeof(T), the most elements any array of T can have, before a span is
/// formed or anything is allocated (issue 17: fnet_graph_from_edges with m = 2^62 made the
/// span's end overflow).  A count below the limit that still exceeds the caller's real
/// buffer cannot be detected in C.
template <class T = double>
std::size_t count_arg(std::size_t n, const char* what) {
  constexpr std::size_t limit = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(T);
  if (n > limit)
    funnelnet::fail(funnelnet::Errc::out_of_range, what, " = ", n,
                    " is more elements than any array can hold (at most ", limit, " of ", sizeof(T),
                    " bytes): a wrong size");
  return n;
}

/// The element count a * b of an a-by-b array of T (n * n matrices, n rows of k values):
/// refused naming `what` when the product overflows or passes count_arg's limit.
template <class T = double>
std::size_t count_product(std::size_t a, std::size_t b, const char* what) {
  constexpr std::size_t limit = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(T);
  if (a != 0 && b > limit / a)
    funnelnet::fail(funnelnet::Errc::out_of_range, what, " = ", a, " x ", b,
                    " is more elements than any array can hold (at most ", limit, " of ", sizeof(T),
                    " bytes): a wrong size");
  return a * b;
}

/// The caller's array p of n elements as a span: NULL refused when n > 0, n checked by
/// count_arg; an empty span for n = 0.
template <class T>
std::span<const T> array_arg(const T* p, std::size_t n, const char* what) {
  count_arg<T>(n, what);
  if (n == 0) return {};
  require_ptr(p, what);
  return {p, n};
}

/// The two-call buffer pattern: sets *needed; copies `src` into `out` when `out` is not
/// NULL and `capacity` suffices; throws buffer_too_small otherwise.
template <class T, class Src>
void copy_out(T* out, std::size_t capacity, std::size_t* needed, const Src& src) {
  const std::size_t n = static_cast<std::size_t>(src.size());
  if (needed != nullptr) *needed = n;
  if (out == nullptr) {
    if (needed == nullptr) funnelnet::fail(funnelnet::Errc::null_argument, "out and needed are both NULL");
    return;
  }
  if (capacity < n)
    funnelnet::fail(funnelnet::Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", n,
                    " needed");
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(src.data()[i]);
}

/// Start of the two-call pattern for parallel outputs of n elements each, any of which
/// may be NULL: sets *needed; returns false when every output is NULL (a size query: the
/// caller returns without computing; null_argument if needed is NULL too); throws
/// buffer_too_small when capacity < n.
template <class... Ptr>
bool begin_outputs(std::size_t n, std::size_t capacity, std::size_t* needed, const Ptr*... out) {
  if (needed != nullptr) *needed = n;
  if ((!out && ...)) {  // !out, not (out == nullptr): clang -Wparentheses-equality for one output
    if (needed == nullptr) funnelnet::fail(funnelnet::Errc::null_argument, "outputs and needed are all NULL");
    return false;
  }
  if (capacity < n)
    funnelnet::fail(funnelnet::Errc::buffer_too_small, "buffer holds ", capacity, " elements, ", n,
                    " needed");
  return true;
}

/// Check CSR offsets of n_rows rows (n_rows + 1 entries) before anything indexes with
/// them: offsets[0] == 0 and non-decreasing, so every row lies inside [0, offsets[n_rows]).
/// Errors name the row (`row` = "path", "sequence") and the offset.  Returns offsets[n_rows].
/// A thread count from the caller: 0 = all cores, > 0 that many; negative is refused
/// naming the field (issue 17: it silently meant all cores).
inline int threads_arg(int threads, const char* what) {
  if (threads < 0)
    funnelnet::fail(funnelnet::Errc::invalid_argument, what, " must be >= 0 (0 = all cores), got ", threads);
  return threads;
}

/// A finite tolerance (> 0 is used, <= 0 picks the default): NaN or infinity is refused.
inline double tolerance_arg(double tol, const char* what) {
  if (!std::isfinite(tol))
    funnelnet::fail(funnelnet::Errc::invalid_argument, what, " must be finite, got ", tol);
  return tol;
}

inline std::size_t check_offsets(const std::int64_t* offsets, std::size_t n_rows, const char* row) {
  count_arg<std::int64_t>(n_rows, "number of rows (offsets hold one more)");
  if (n_rows + 1 > static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(std::int64_t))
    funnelnet::fail(funnelnet::Errc::out_of_range, "number of rows ", n_rows,
                    " + 1 offsets is more than any array can hold: a wrong size");
  require_ptr(offsets, "offsets");
  if (offsets[0] != 0)
    funnelnet::fail(funnelnet::Errc::invalid_argument, "offsets[0] must be 0, got ", offsets[0]);
  for (std::size_t r = 0; r < n_rows; ++r)
    if (offsets[r + 1] < offsets[r])
      funnelnet::fail(funnelnet::Errc::invalid_argument, row, " ", r,
                      ": offsets must be non-decreasing, offsets[", r + 1, "] = ", offsets[r + 1],
                      " < offsets[", r, "] = ", offsets[r]);
  return static_cast<std::size_t>(offsets[n_rows]);
}

/// Every id of row r (ids[offsets[r] .. offsets[r+1]), offsets already checked) inside
/// [0, limit): out_of_range naming the row and the position within it ("path 1, touch 0:
/// channel index 5 is outside [0, 2)").
inline void check_ids(const std::int32_t* ids, const std::int64_t* offsets, std::size_t n_rows,
                      std::size_t limit, const char* row, const char* position, const char* id_name) {
  for (std::size_t r = 0; r < n_rows; ++r)
    for (auto k = offsets[r]; k < offsets[r + 1]; ++k) {
      const std::int32_t c = ids[k];
      if (c < 0 || static_cast<std::size_t>(c) >= limit)
        funnelnet::fail(funnelnet::Errc::out_of_range, row, " ", r, ", ", position, " ", k - offsets[r], ": ",
                        id_name, " ", c, " is outside [0, ", limit, ")");
    }
}

/// Check an option struct's version: any version from 1 to `current` (the one this
/// library was built with) is accepted, so programs built against an older header keep
/// working; 0 (an uninitialised struct) or a newer version is invalid_argument naming
/// the struct.
template <class Options>
void check_options(const Options* o, unsigned current, const char* type_name) {
  if (o->version < 1 || o->version > current) {
    std::string macro(type_name);  // fnet_fit_options -> FNET_FIT_OPTIONS_INIT
    for (char& ch : macro) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    funnelnet::fail(funnelnet::Errc::invalid_argument, type_name, ".version is ", o->version,
                    ": initialise it with ", macro, "_INIT or ", type_name,
                    "_init() (this library reads versions 1 to ", current, ")");
  }
}

// ---- enumerations (one table: FNET_ENUM_TABLE in funnelnet/c/enums.h) ----------------

/// One value of a C ABI enum: its number, C name and short name.
struct EnumRow {
  int value;
  const char* c_name;
  const char* name;
};

/// The rows of the C enum E (specialised for every row of FNET_ENUM_TABLE).
template <class E>
struct EnumInfo;

#define FNET_ENUM_ROW_(c_name, value, name, doc) EnumRow{value, #c_name, #name},
#define FNET_ENUM_INFO_(type, values)                                     \
  static_assert(sizeof(type) == sizeof(int), #type " must be int-sized"); \
  template <>                                                             \
  struct EnumInfo<type> {                                                 \
    static constexpr const char* type_name = #type;                       \
    static constexpr EnumRow rows[] = {values(FNET_ENUM_ROW_)};           \
  };
FNET_ENUM_TABLE(FNET_ENUM_INFO_)
#undef FNET_ENUM_INFO_

/// Every enum of the table by type name (for fnet_enum_name / fnet_enum_value).
struct EnumTable {
  const char* type_name;
  std::span<const EnumRow> rows;
};
#define FNET_ENUM_TABLE_ROW_(type, values) EnumTable{#type, EnumInfo<type>::rows},
inline constexpr EnumTable kEnumTables[] = {FNET_ENUM_TABLE(FNET_ENUM_TABLE_ROW_)};
#undef FNET_ENUM_TABLE_ROW_
#undef FNET_ENUM_ROW_

/// "FNET_REPEATS_KEEP (0), FNET_REPEATS_COLLAPSE (1)" for error messages.
inline std::string enum_valid_names(std::span<const EnumRow> rows) {
  std::string s;
  for (const auto& r : rows) {
    if (!s.empty()) s += ", ";
    s += r.c_name;
    s += " (";
    s += std::to_string(r.value);
    s += ")";
  }
  return s;
}

/// The row of `value` in `rows`, or nullptr.
inline const EnumRow* enum_row(std::span<const EnumRow> rows, int value) {
  for (const auto& r : rows)
    if (r.value == value) return &r;
  return nullptr;
}

/// The raw integer in an enum object written by C code.  Read through its bytes: a C
/// caller may store any int there, and loading an out-of-range value as the C++ enum type
/// would be undefined (and trips -fsanitize=enum).
template <class E>
int enum_raw(const E& e) noexcept {
  static_assert(sizeof(E) == sizeof(int));
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

/// Validate the C enum value `e` of the field or parameter `what` and return it as an
/// int: invalid_argument naming `what`, the value and every valid name otherwise.
template <class E>
int enum_value(const E& e, const char* what) {
  const int v = enum_raw(e);
  if (enum_row(EnumInfo<E>::rows, v) == nullptr)
    funnelnet::fail(funnelnet::Errc::invalid_argument, what, " is ", v, ", not a valid ",
                    EnumInfo<E>::type_name, ": valid values are ", enum_valid_names(EnumInfo<E>::rows));
  return v;
}

/// enum_value() converted to the C++ enum T with the same numbering.
template <class T, class E>
T enum_to(const E& e, const char* what) {
  return static_cast<T>(enum_value(e, what));
}

/// Short name ("keep") of a valid value of E; nullptr if it is not one.
template <class E>
const char* enum_name(const E& e) noexcept {
  const EnumRow* r = enum_row(EnumInfo<E>::rows, enum_raw(e));
  return r == nullptr ? nullptr : r->name;
}

/// The value of E called `name` (short or C name); unknown_label listing the valid names.
template <class E>
E enum_parse(std::string_view name) {
  for (const auto& r : EnumInfo<E>::rows)
    if (name == r.name || name == r.c_name) return static_cast<E>(r.value);
  funnelnet::fail(funnelnet::Errc::unknown_label, "'", name, "' is not a ", EnumInfo<E>::type_name,
                  ": valid names are ", enum_valid_names(EnumInfo<E>::rows));
}

// Model files (io/json.hpp) for any handle whose `value` has io::save / io::to_json:
// save, load (through `read`), to_json (two-call pattern, NUL included), from_json.
template <class Handle>
fnet_status save_handle(const Handle* h, const char* path) noexcept {
  return guard([&] {
    require_ptr(h, "object");
    require_ptr(path, "path");
    io::save(h->value, path);
  });
}
template <class Handle, class Read>
fnet_status read_handle(Handle** out, const char* arg, const char* what, Read read) noexcept {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(arg, what);
    // NOLINTNEXTLINE(bugprone-unhandled-exception-at-new): guard() maps std::bad_alloc to FNET_E_NO_MEMORY
    *out = new Handle{read(arg)};
  });
}
template <class Handle>
fnet_status json_of_handle(char* buf, std::size_t capacity, std::size_t* needed, const Handle* h) noexcept {
  return guard([&] {
    require_ptr(h, "object");
    const std::string text = io::to_json(h->value);
    copy_out(buf, capacity, needed, std::string_view(text.c_str(), text.size() + 1));
  });
}

}  // namespace funnelnet::capi

// Generic definitions of the C ABI's boilerplate shapes: one line per function instead
// of a hand-written body.  Each expands to an extern "C" function (use them inside an
// extern "C" block); `var` names the handle parameter (and appears in NULL messages),
// the trailing expression may use it.
//   FNET_DEFINE_DESTROY(fnet_chain_destroy, fnet_chain)              delete; NULL is a no-op
//   FNET_DEFINE_GETTER(fnet_chain_size, size_t, fnet_chain, chain, chain->value.size())
//   FNET_DEFINE_ARRAY_GETTER(fnet_chain_matrix, double, fnet_chain, chain, chain->value.matrix())
//                                              two-call buffer pattern through copy_out
// NOLINTBEGIN(bugprone-macro-parentheses): handle_type is a type name, not an expression
#define FNET_DEFINE_DESTROY(name, handle_type) \
  FNET_API void name(handle_type* handle) {    \
    delete handle;                             \
  }
// NOLINTEND(bugprone-macro-parentheses)
#define FNET_DEFINE_GETTER(name, out_type, handle_type, var, ...)    \
  FNET_API fnet_status name(out_type* out, const handle_type* var) { \
    return ::funnelnet::capi::guard([&] {                            \
      ::funnelnet::capi::require_ptr(out, "out");                    \
      ::funnelnet::capi::require_ptr(var, #var);                     \
      *out = (__VA_ARGS__);                                          \
    });                                                              \
  }
#define FNET_DEFINE_ARRAY_GETTER(name, out_type, handle_type, var, ...)                               \
  FNET_API fnet_status name(out_type* out, size_t capacity, size_t* needed, const handle_type* var) { \
    return ::funnelnet::capi::guard([&] {                                                             \
      ::funnelnet::capi::require_ptr(var, #var);                                                      \
      ::funnelnet::capi::copy_out(out, capacity, needed, __VA_ARGS__);                                \
    });                                                                                               \
  }
