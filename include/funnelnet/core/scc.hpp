// Strongly connected components of a graph in CSR form: the one implementation used by
// the Markov engine (communicating classes) and by referral graphs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace detail {

/// Strongly connected components of the directed graph whose node v has the successors
/// targets[offsets[v] .. offsets[v + 1]) (v in [0, n)), by Tarjan's algorithm written
/// iteratively (no recursion, so it is safe on millions of nodes).  Fills comp[v] with
/// v's component and returns the number of components; components are numbered in the
/// order Tarjan completes them (a reverse topological order of the condensation).
/// Linear time and O(n) scratch.  Inputs are assumed valid (targets in [0, n)).
template <class Offset, class Target>
std::size_t strong_components_csr(std::size_t n, const Offset* offsets, const Target* targets,
                                  std::vector<std::int64_t>& comp) {
  comp.assign(n, -1);
  std::vector<std::int64_t> index(n, -1), low(n, 0);
  std::vector<char> on_stack(n, 0);
  std::vector<std::size_t> stack;
  std::vector<std::pair<std::size_t, std::size_t>> call;  // (node, next edge)
  std::int64_t counter = 0;
  std::size_t n_comp = 0;
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    call.emplace_back(root, static_cast<std::size_t>(offsets[root]));
    while (!call.empty()) {
      auto& [v, e] = call.back();
      if (index[v] < 0) {
        index[v] = low[v] = counter++;
        stack.push_back(v);
        on_stack[v] = 1;
      }
      if (e < static_cast<std::size_t>(offsets[v + 1])) {
        const auto w = static_cast<std::size_t>(targets[e++]);
        if (index[w] < 0) {
          call.emplace_back(w, static_cast<std::size_t>(offsets[w]));
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          comp[w] = static_cast<std::int64_t>(n_comp);
        } while (w != v);
        ++n_comp;
      }
      const std::size_t done = v;
      call.pop_back();
      if (!call.empty()) {
        const std::size_t parent = call.back().first;
        low[parent] = std::min(low[parent], low[done]);
      }
    }
  }
  return n_comp;
}

}  // namespace detail
FUNNELNET_END
