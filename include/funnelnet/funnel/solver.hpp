// Forwarding header: the solves with I - Q moved to the Markov engine,
// funnelnet/markov/solver.hpp (detail::TransientSolver, detail::absorbing_block) and
// funnelnet/markov/absorbing.hpp (AbsorptionSummary, summarize_absorption).
#pragma once

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
#include "funnelnet/markov/sparse.hpp"

FUNNELNET_BEGIN
/// Column-major sparse matrix (Eigen::SparseMatrix<double>), for Eigen's sparse solvers.
/// Declared only: code that builds or reads one includes <Eigen/SparseCore> itself.
using SparseMatrix = markov::SparseColMatrix;
FUNNELNET_END
