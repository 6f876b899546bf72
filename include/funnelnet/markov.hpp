// Umbrella header for the Markov engine: sparse-capable solves with I - Q, absorbing
// analysis, masked chains, communicating classes and stationary figures.
#pragma once

#include "funnelnet/markov/absorbing.hpp"
#include "funnelnet/markov/dense_lu.hpp"
#include "funnelnet/markov/recurrent.hpp"
#include "funnelnet/markov/solver.hpp"
#include "funnelnet/markov/sparse.hpp"
