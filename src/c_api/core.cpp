// C ABI: version, errors.
#include "c_api/common.hpp"
#include "funnelnet/io/file.hpp"

namespace {

// The enum table called type_name (outside the extern "C" block: it returns a C++
// reference, which clang's -Wreturn-type-c-linkage flags inside one); unknown_label listing the enum types
// otherwise.
const funnelnet::capi::EnumTable& enum_table(const char* type_name) {
  funnelnet::capi::require_ptr(type_name, "enum_type");
  std::string known;
  for (const auto& t : funnelnet::capi::kEnumTables) {
    if (std::strcmp(t.type_name, type_name) == 0) return t;
    known += known.empty() ? "" : ", ";
    known += t.type_name;
  }
  funnelnet::fail(funnelnet::Errc::unknown_label, "'", type_name,
                  "' is not a funnelnet enum: known enums are ", known);
}

}  // namespace

extern "C" {

FNET_API int fnet_version_number(void) {
  return FNET_VERSION_NUMBER;
}

FNET_API const char* fnet_version_string(void) {
#define FNET_STR2(x) #x
#define FNET_STR(x) FNET_STR2(x)
  return FNET_STR(FNET_VERSION_MAJOR) "." FNET_STR(FNET_VERSION_MINOR) "." FNET_STR(FNET_VERSION_PATCH);
#undef FNET_STR
#undef FNET_STR2
}

FNET_API const char* fnet_last_error(void) {
  return funnelnet::capi::last_error().c_str();
}

FNET_API const char* fnet_status_name(fnet_status status) {
  return funnelnet::errc_name(static_cast<funnelnet::Errc>(status));
}

FNET_API fnet_status fnet_enum_name(const char** out, const char* enum_type, int value) {
  return funnelnet::capi::guard([&] {
    funnelnet::capi::require_ptr(out, "out");
    const auto& t = enum_table(enum_type);
    const auto* row = funnelnet::capi::enum_row(t.rows, value);
    if (row != nullptr) {
      *out = row->name;
      return;
    }
    funnelnet::fail(funnelnet::Errc::invalid_argument, value, " is not a valid ", t.type_name,
                    ": valid values are ", funnelnet::capi::enum_valid_names(t.rows));
  });
}

FNET_API fnet_status fnet_enum_value(int* out, const char* enum_type, const char* name) {
  return funnelnet::capi::guard([&] {
    funnelnet::capi::require_ptr(out, "out");
    funnelnet::capi::require_ptr(name, "name");
    const auto& t = enum_table(enum_type);
    for (const auto& r : t.rows) {
      if (std::strcmp(name, r.name) == 0 || std::strcmp(name, r.c_name) == 0) {
        *out = r.value;
        return;
      }
    }
    funnelnet::fail(funnelnet::Errc::unknown_label, "'", name, "' is not a ", t.type_name,
                    ": valid names are ", funnelnet::capi::enum_valid_names(t.rows));
  });
}

}  // extern "C"

// fnet_<x>_options_init: one per row of FNET_OPTIONS_TABLE (funnelnet/c/options.h).
extern "C" {
// NOLINTBEGIN(bugprone-macro-parentheses): type and prefix are names pasted into a type and a macro
#define FNET_OPTIONS_INIT_DEF_(type, prefix)            \
  FNET_API fnet_status type##_init(type* options) {     \
    return funnelnet::capi::guard([&] {                 \
      funnelnet::capi::require_ptr(options, "options"); \
      *options = type prefix##_INIT;                    \
    });                                                 \
  }
FNET_OPTIONS_TABLE(FNET_OPTIONS_INIT_DEF_)
// NOLINTEND(bugprone-macro-parentheses)
#undef FNET_OPTIONS_INIT_DEF_
FNET_API fnet_status fnet_max_file_bytes(uint64_t* out) {
  return funnelnet::capi::guard([&] {
    funnelnet::capi::require_ptr(out, "out");
    *out = funnelnet::io::max_file_bytes();
  });
}

FNET_API fnet_status fnet_set_max_file_bytes(uint64_t* previous, uint64_t bytes) {
  return funnelnet::capi::guard([&] {
    const auto old = funnelnet::io::set_max_file_bytes(bytes);
    if (previous != nullptr) *previous = old;
  });
}

}  // extern "C"
