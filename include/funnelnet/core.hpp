// Umbrella header for the core utilities.
#pragma once

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/labels.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/version.hpp"
