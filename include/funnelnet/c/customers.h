/* funnelnet C ABI: the customers area (fnet_* functions for customers).  C99. */
#ifndef FUNNELNET_C_CUSTOMERS_H
#define FUNNELNET_C_CUSTOMERS_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_CUSTOMERS_H */
