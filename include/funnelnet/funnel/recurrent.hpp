// Forwarding header: communicating classes, stationary distribution and first-passage
// times moved to the Markov engine, funnelnet/markov/recurrent.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/markov/recurrent.hpp"
