// C ABI: the attribution area (declared in include/funnelnet/c/attribution.h).
#include "c_api/common.hpp"
