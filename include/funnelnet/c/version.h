/* funnelnet version: the single source of truth (CMake reads it too). C99. */
#ifndef FUNNELNET_C_VERSION_H
#define FUNNELNET_C_VERSION_H

#define FNET_VERSION_MAJOR 0
#define FNET_VERSION_MINOR 1
#define FNET_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH; compare with fnet_version_number() at run time. */
#define FNET_VERSION_NUMBER (FNET_VERSION_MAJOR * 10000 + FNET_VERSION_MINOR * 100 + FNET_VERSION_PATCH)

#endif
