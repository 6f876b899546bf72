/* funnelnet C ABI: the graph area (fnet_* functions for graph).  C99. */
#ifndef FUNNELNET_C_GRAPH_H
#define FUNNELNET_C_GRAPH_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_GRAPH_H */
