// Version of the C++ core; the numbers come from the C header (one source of truth).
#pragma once

#include "funnelnet/c/version.h"

// Inline, versioned namespace: objects built against different major versions fail to
// link instead of misbehaving.  Use FUNNELNET_BEGIN / FUNNELNET_END around declarations.
#define FUNNELNET_ABI_NAMESPACE v0
#define FUNNELNET_BEGIN \
  namespace funnelnet { \
  inline namespace v0 {
#define FUNNELNET_END \
  }                   \
  }

FUNNELNET_BEGIN
/// Library version as MAJOR * 10000 + MINOR * 100 + PATCH.
inline constexpr int version_number = FNET_VERSION_NUMBER;
FUNNELNET_END
