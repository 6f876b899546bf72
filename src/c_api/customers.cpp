// C ABI: the customers area (declared in include/funnelnet/c/customers.h).
#include "c_api/common.hpp"
