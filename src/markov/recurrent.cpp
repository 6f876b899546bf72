// Communicating classes and stationary figures (declared in funnelnet/markov/recurrent.hpp).
#include "funnelnet/markov/recurrent.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <numeric>
#include <string>
#include <utility>

#include "core/linalg.hpp"
#include "funnelnet/core/error.hpp"
#include "funnelnet/core/scc.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/markov/solver.hpp"

FUNNELNET_BEGIN

namespace markov {

ClassStructure communicating_classes(const SparseRowMatrix& p) {
  const auto n = static_cast<std::int32_t>(p.rows());
  if (p.cols() != p.rows())
    fail(Errc::shape_mismatch, "transition matrix is ", p.rows(), "x", p.cols(), ", not square");
  // Adjacency (CSR, positive entries only).
  std::vector<std::int64_t> off(static_cast<std::size_t>(n) + 1, 0);
  std::vector<std::int32_t> adj;
  adj.reserve(static_cast<std::size_t>(p.nonZeros()));
  for (std::int32_t i = 0; i < n; ++i) {
    for (SparseRowMatrix::InnerIterator e(p, i); e; ++e)
      if (e.value() > 0.0) adj.push_back(static_cast<std::int32_t>(e.index()));
    off[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(adj.size());
  }
  auto begin = [&](std::int32_t v) { return static_cast<std::size_t>(off[static_cast<std::size_t>(v)]); };
  auto end = [&](std::int32_t v) { return static_cast<std::size_t>(off[static_cast<std::size_t>(v) + 1]); };
  std::vector<std::int64_t> comp64;
  const auto n_comp = static_cast<std::int32_t>(
      detail::strong_components_csr(static_cast<std::size_t>(n), off.data(), adj.data(), comp64));
  std::vector<std::int32_t> comp(comp64.begin(), comp64.end());
  // Renumber classes by smallest member.
  std::vector<std::int32_t> first(static_cast<std::size_t>(n_comp), n);
  for (std::int32_t i = 0; i < n; ++i)
    first[static_cast<std::size_t>(comp[static_cast<std::size_t>(i)])] =
        std::min(first[static_cast<std::size_t>(comp[static_cast<std::size_t>(i)])], i);
  std::vector<std::int32_t> order(static_cast<std::size_t>(n_comp));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return first[static_cast<std::size_t>(a)] < first[static_cast<std::size_t>(b)];
  });
  std::vector<std::int32_t> rename(static_cast<std::size_t>(n_comp));
  for (std::int32_t k = 0; k < n_comp; ++k)
    rename[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = k;
  ClassStructure out;
  out.class_of.resize(static_cast<std::size_t>(n));
  out.classes.resize(static_cast<std::size_t>(n_comp));
  for (std::int32_t i = 0; i < n; ++i) {
    const std::int32_t c = rename[static_cast<std::size_t>(comp[static_cast<std::size_t>(i)])];
    out.class_of[static_cast<std::size_t>(i)] = c;
    out.classes[static_cast<std::size_t>(c)].push_back(i);
  }
  out.closed.assign(static_cast<std::size_t>(n_comp), true);
  for (std::int32_t i = 0; i < n; ++i)
    for (std::size_t k = begin(i); k < end(i); ++k)
      if (out.class_of[static_cast<std::size_t>(adj[k])] != out.class_of[static_cast<std::size_t>(i)])
        out.closed[static_cast<std::size_t>(out.class_of[static_cast<std::size_t>(i)])] = false;
  // Period: BFS levels from the class's first state; gcd of level(i) + 1 - level(j) over
  // edges i -> j inside the class.
  out.period.assign(static_cast<std::size_t>(n_comp), 0);
  std::vector<std::int64_t> level(static_cast<std::size_t>(n), -1);
  for (std::int32_t c = 0; c < n_comp; ++c) {
    const auto& members = out.classes[static_cast<std::size_t>(c)];
    std::vector<std::int32_t> queue{members[0]};
    level[static_cast<std::size_t>(members[0])] = 0;
    std::int64_t g = 0;
    for (std::size_t h = 0; h < queue.size(); ++h) {
      const std::int32_t v = queue[h];
      for (std::size_t k = begin(v); k < end(v); ++k) {
        const std::int32_t w = adj[k];
        if (out.class_of[static_cast<std::size_t>(w)] != c) continue;
        if (level[static_cast<std::size_t>(w)] < 0) {
          level[static_cast<std::size_t>(w)] = level[static_cast<std::size_t>(v)] + 1;
          queue.push_back(w);
        } else {
          g = std::gcd(g,
                       std::abs(level[static_cast<std::size_t>(v)] + 1 - level[static_cast<std::size_t>(w)]));
        }
      }
    }
    out.period[static_cast<std::size_t>(c)] = static_cast<int>(g);  // 0: a single state without a self-loop
  }
  return out;
}

}  // namespace markov

namespace {
std::string class_names(const MarkovChain& chain, const ClassStructure& cs, bool closed_only) {
  std::string s;
  std::size_t shown = 0;
  for (std::size_t c = 0; c < cs.classes.size(); ++c) {
    if (closed_only && !cs.closed[c]) continue;
    if (shown++ == 4) {
      s += ", ...";
      break;
    }
    s += shown > 1 ? ", {" : "{";
    for (std::size_t k = 0; k < cs.classes[c].size() && k < 5; ++k)
      s += (k ? ", '" : "'") + chain.space().name(static_cast<std::size_t>(cs.classes[c][k])) + "'";
    if (cs.classes[c].size() > 5) s += ", ...";
    s += "}";
  }
  return s;
}
}  // namespace

ClassStructure communicating_classes(const MarkovChain& chain) {
  std::vector<std::int32_t> all(chain.size());
  std::iota(all.begin(), all.end(), 0);
  markov::SparseRowMatrix p;
  markov::sparse_block(chain.matrix(), all, all, p);
  return markov::communicating_classes(p);
}

Vector stationary_distribution(const MarkovChain& chain) {
  const ClassStructure cs = communicating_classes(chain);
  const auto n_closed = std::count(cs.closed.begin(), cs.closed.end(), true);
  if (n_closed != 1)
    fail(Errc::invalid_argument, "the chain has ", n_closed,
         " closed classes, so its stationary distribution is not unique: ", class_names(chain, cs, true),
         "; analyse each closed class on its own (or use absorbing analysis)");
  const std::size_t c =
      static_cast<std::size_t>(std::find(cs.closed.begin(), cs.closed.end(), true) - cs.closed.begin());
  const auto& members = cs.classes[c];
  const auto m = static_cast<Eigen::Index>(members.size());
  // Solve (P_C^T - I) pi = 0 with the last equation replaced by sum pi = 1.
  Matrix a(m, m);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < m; ++j)
      a(i, j) = chain.matrix()(members[j], members[i]) - (i == j ? 1.0 : 0.0);
  a.row(m - 1).setOnes();
  Vector b = Vector::Zero(m);
  b(m - 1) = 1.0;
  const Vector pic = detail::DenseLU(a).solve_vector(b);
  Vector pi = Vector::Zero(static_cast<Eigen::Index>(chain.size()));
  for (Eigen::Index k = 0; k < m; ++k) pi(members[k]) = std::max(0.0, pic(k));
  pi /= pi.sum();
  return pi;
}

Matrix first_passage_times(const MarkovChain& chain) {
  const ClassStructure cs = communicating_classes(chain);
  if (cs.classes.size() != 1)
    fail(Errc::invalid_argument,
         "first-passage times need an irreducible chain (one communicating class), got ", cs.classes.size(),
         " classes: ", class_names(chain, cs, false));
  const Vector pi = stationary_distribution(chain);
  const auto n = static_cast<Eigen::Index>(chain.size());
  Matrix a = Matrix::Identity(n, n) - chain.matrix();
  a.rowwise() += pi.transpose();
  const Matrix z = detail::DenseLU(a).inverse();
  Matrix m(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) m(i, j) = i == j ? 1.0 / pi(j) : (z(j, j) - z(i, j)) / pi(j);
  return m;
}

Vector recurrence_times(const MarkovChain& chain) {
  return first_passage_times(chain).diagonal();
}

FUNNELNET_END
