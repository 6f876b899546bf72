// Forwarding header: the solves with I - Q moved to the Markov engine,
// funnelnet/markov/solver.hpp (detail::TransientSolver, detail::absorbing_block) and
// funnelnet/markov/absorbing.hpp (AbsorptionSummary, summarize_absorption).
#pragma once

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/markov/absorbing.hpp"
#include "funnelnet/markov/solver.hpp"

FUNNELNET_BEGIN
using SparseMatrix = Eigen::SparseMatrix<double>;  // column-major, for Eigen's sparse solvers
FUNNELNET_END
