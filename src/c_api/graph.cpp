// C ABI: the graph area (declared in include/funnelnet/c/graph.h).
#include "c_api/common.hpp"
