/* funnelnet C ABI: the attribution area (fnet_* functions for attribution).  C99. */
#ifndef FUNNELNET_C_ATTRIBUTION_H
#define FUNNELNET_C_ATTRIBUTION_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_ATTRIBUTION_H */
