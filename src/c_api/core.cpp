// C ABI: version, errors.
#include "c_api/common.hpp"

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

}  // extern "C"

// fnet_<x>_options_init: one per row of FNET_OPTIONS_TABLE (funnelnet/c/options.h).
extern "C" {
#define FNET_OPTIONS_INIT_DEF_(type, prefix)            \
  FNET_API fnet_status type##_init(type* options) {     \
    return funnelnet::capi::guard([&] {                 \
      funnelnet::capi::require_ptr(options, "options"); \
      *options = type prefix##_INIT;                    \
    });                                                 \
  }
FNET_OPTIONS_TABLE(FNET_OPTIONS_INIT_DEF_)
#undef FNET_OPTIONS_INIT_DEF_
}  // extern "C"
