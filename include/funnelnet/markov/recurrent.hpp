// Recurrent chains (the customer development cycle loops from upkeep back to purchase):
// communicating classes, which are closed (recurrent) or open (transient), their periods,
// the stationary distribution, mean first-passage and recurrence times.
// (Kemeny and Snell, Finite Markov Chains, 1960, ch. IV-V.)
//
// The engine's one strongly-connected-component routine (iterative Tarjan, linear in the
// number of positive entries) is markov::communicating_classes(); the MarkovChain
// overloads adapt the funnel's dense chains.  Bodies are in src/markov/recurrent.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "funnelnet/core/matrix.hpp"
#include "funnelnet/markov/sparse.hpp"

FUNNELNET_BEGIN

class MarkovChain;  // funnelnet/funnel/chain.hpp

/// The communicating classes of a chain: states i and j share a class when each can
/// reach the other (edges are transitions with p > 0).  Classes are numbered by their
/// smallest state index.
struct ClassStructure {
  std::vector<std::int32_t> class_of;              ///< class of each state
  std::vector<std::vector<std::int32_t>> classes;  ///< states of each class, ascending
  std::vector<bool> closed;  ///< no transition leaves the class: its states are recurrent
  std::vector<int> period;   ///< gcd of the cycle lengths in the class (1 = aperiodic)
};

namespace markov {
/// Communicating classes, closed/open classification and periods of the square
/// transition matrix `p` (CSR; entries > 0 are edges): Tarjan's strongly connected
/// components, linear in the number of positive entries.
[[nodiscard]] ClassStructure communicating_classes(const SparseRowMatrix& p);
}  // namespace markov

/// Communicating classes, closed/open classification and periods of `chain`.
ClassStructure communicating_classes(const MarkovChain& chain);

/// The stationary distribution pi (pi P = pi, sum pi = 1).  It is unique when the chain
/// has exactly one closed class; states outside that class get 0.  Throws
/// invalid_argument naming the closed classes otherwise.
Vector stationary_distribution(const MarkovChain& chain);

/// Mean first-passage times of an irreducible chain: M[i][j] = expected steps to reach j
/// from i (for i != j), and M[j][j] = the mean recurrence time 1 / pi_j.  Uses the
/// fundamental matrix Z = (I - P + 1 pi^T)^-1: M[i][j] = (Z[j][j] - Z[i][j]) / pi_j.
/// Throws invalid_argument unless the chain is a single communicating class.
Matrix first_passage_times(const MarkovChain& chain);

/// Mean recurrence time of each state of an irreducible chain: 1 / pi_j.
Vector recurrence_times(const MarkovChain& chain);

FUNNELNET_END
