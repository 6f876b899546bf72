// Influence maximisation (declared in include/funnelnet/graph/influence.hpp): IMM on
// reverse-reachable sets and CELF lazy greedy with Monte Carlo.
#include "funnelnet/graph/influence.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <queue>
#include <string>
#include <string_view>
#include <utility>

#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/math.hpp"
#include "funnelnet/core/random.hpp"
#include "graph/simulator.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {

/// RR sets stored flat: set i is nodes[offsets[i] .. offsets[i+1]).
struct RRSets {
  std::vector<node_t> nodes;
  std::vector<std::uint64_t> offsets{0};
  [[nodiscard]] std::size_t size() const { return offsets.size() - 1; }
};

constexpr std::size_t rr_batch = 256;

/// Half of the memory this process may use (usable_memory_bytes: physical memory or the
/// cgroup limit, whichever is smaller), the most IMM's RR sets may take; 8 GB where
/// neither can be read.
double memory_budget_bytes() {
  const std::uint64_t usable = usable_memory_bytes();
  if (usable == 0) return 8e9;
  return 0.5 * static_cast<double>(usable);
}

/// Generates RR sets in fixed batches: batch b draws from stream(seed, base + b), so
/// set i depends only on (seed, base, i), never on the thread count.
struct RRGenerator {
  const ReferralGraph& g;
  std::span<const double> p;
  Model model;
  std::vector<double> cum;            // cumulative root distribution (empty = uniform)
  std::vector<double> p_in;           // p in in-edge order (sequential access)
  std::vector<std::uint64_t> thr_in;  // IC thresholds in in-edge order
  std::uint64_t seed, base;
  int threads;

  void extend(RRSets& rr, std::size_t want, const Progress& progress) const {
    const std::size_t have_batches = rr.size() / rr_batch;
    const std::size_t want_batches = (want + rr_batch - 1) / rr_batch;
    if (want_batches <= have_batches) return;
    const std::size_t nb = want_batches - have_batches;
    std::vector<RRSets> parts(nb);
    const std::size_t n = g.num_nodes();
    // Each batch is rr_batch reverse searches of up to (n + m): one thread per 2^22 of that.
    const auto used = static_cast<int>(resolve_threads(
        threads, static_cast<std::uint64_t>(nb) * rr_batch * (n + g.num_edges()), std::uint64_t{1} << 22));
    parallel_for(
        nb, used,
        [&](std::size_t k) {
          Rng rng = stream(seed, base + have_batches + k);
          RRSets& out = parts[k];
          std::vector<char> seen(n, 0);
          const auto ioff = g.in_offsets();
          const auto isrc = g.in_sources();
          for (std::size_t j = 0; j < rr_batch; ++j) {
            if (j % 16 == 15 && task_should_stop()) return;  // cancelled: result discarded
            node_t root;
            if (cum.empty()) {
              root = static_cast<node_t>(rng.below(n));
            } else {
              const double r = rng.uniform() * cum.back();
              root = static_cast<node_t>(std::upper_bound(cum.begin(), cum.end(), r) - cum.begin());
              if (root >= n) root = static_cast<node_t>(n - 1);
            }
            const std::size_t first = out.nodes.size();
            out.nodes.push_back(root);
            seen[root] = 1;
            if (model == Model::ic) {
              for (std::size_t h = first; h < out.nodes.size(); ++h) {
                const node_t v = out.nodes[h];
                for (edge_t q = ioff[v]; q < ioff[v + 1]; ++q) {
                  const node_t u = isrc[q];
                  if (!seen[u] && (rng() >> 11) < thr_in[q]) {
                    seen[u] = 1;
                    out.nodes.push_back(u);
                  }
                }
              }
            } else {
              node_t v = root;
              while (true) {
                const double r = rng.uniform();
                double c = 0.0;
                node_t next = v;
                bool found = false;
                for (edge_t q = ioff[v]; q < ioff[v + 1]; ++q) {
                  c += p_in[q];
                  if (r < c) {
                    next = isrc[q];
                    found = true;
                    break;
                  }
                }
                if (!found || seen[next]) break;
                seen[next] = 1;
                out.nodes.push_back(next);
                v = next;
              }
            }
            for (std::size_t h = first; h < out.nodes.size(); ++h) seen[out.nodes[h]] = 0;
            out.offsets.push_back(out.nodes.size());
          }
        },
        progress);
    for (auto& part : parts) {
      const std::uint64_t shift = rr.nodes.size();
      rr.nodes.insert(rr.nodes.end(), part.nodes.begin(), part.nodes.end());
      for (std::size_t j = 1; j < part.offsets.size(); ++j) rr.offsets.push_back(part.offsets[j] + shift);
    }
  }
};

/// Greedy maximum coverage over the first `t` RR sets: up to k seeds (or, with costs,
/// cost-effective greedy within the budget, compared with the best single node).
/// Returns seeds and the covered count after each seed.
std::pair<std::vector<node_t>, std::vector<std::size_t>> greedy_cover(const RRSets& rr, std::size_t t,
                                                                      std::size_t n, std::size_t k,
                                                                      std::span<const double> costs,
                                                                      double budget,
                                                                      const Progress& progress) {
  SerialCheckpoint checkpoint(progress);
  std::vector<std::uint64_t> noff(n + 1, 0);
  for (std::uint64_t i = 0; i < rr.offsets[t]; ++i) ++noff[rr.nodes[i] + 1];
  for (std::size_t v = 0; v < n; ++v) noff[v + 1] += noff[v];
  std::vector<std::uint32_t> sets(noff[n]);
  {
    std::vector<std::uint64_t> pos(noff.begin(), noff.end() - 1);
    for (std::size_t s = 0; s < t; ++s)
      for (std::uint64_t i = rr.offsets[s]; i < rr.offsets[s + 1]; ++i)
        sets[pos[rr.nodes[i]]++] = static_cast<std::uint32_t>(s);
  }
  std::vector<std::int64_t> count(n);
  for (std::size_t v = 0; v < n; ++v) count[v] = static_cast<std::int64_t>(noff[v + 1] - noff[v]);
  const std::vector<std::int64_t> initial = count;
  std::vector<char> covered(t, 0), chosen(n, 0);
  std::vector<node_t> seeds;
  std::vector<std::size_t> after;
  std::size_t total = 0;
  double spent = 0.0;
  const bool with_costs = budget > 0.0;
  while (seeds.size() < k) {
    checkpoint(seeds.size(), k);
    std::int64_t best = -1;
    double best_score = -1.0;
    for (std::size_t v = 0; v < n; ++v) {
      if (chosen[v]) continue;
      double score = static_cast<double>(count[v]);
      if (with_costs) {
        if (spent + costs[v] > budget * (1.0 + 1e-12)) continue;
        score = costs[v] > 0.0 ? score / costs[v] : (count[v] > 0 ? INFINITY : 0.0);
      }
      if (score > best_score) {
        best_score = score;
        best = static_cast<std::int64_t>(v);
      }
    }
    if (best < 0 || (with_costs && count[static_cast<std::size_t>(best)] == 0 && !seeds.empty())) break;
    const auto b = static_cast<std::size_t>(best);
    chosen[b] = 1;
    seeds.push_back(static_cast<node_t>(b));
    if (with_costs) spent += costs[b];
    for (std::uint64_t i = noff[b]; i < noff[b + 1]; ++i) {
      const std::uint32_t s = sets[i];
      if (covered[s]) continue;
      covered[s] = 1;
      ++total;
      for (std::uint64_t j = rr.offsets[s]; j < rr.offsets[s + 1]; ++j) --count[rr.nodes[j]];
    }
    after.push_back(total);
  }
  if (with_costs) {  // the better of cost-effective greedy and the best affordable single node
    std::int64_t single = -1;
    for (std::size_t v = 0; v < n; ++v)
      if (costs[v] <= budget * (1.0 + 1e-12) &&
          (single < 0 || initial[v] > initial[static_cast<std::size_t>(single)]))
        single = static_cast<std::int64_t>(v);
    if (single >= 0 && static_cast<std::size_t>(initial[static_cast<std::size_t>(single)]) > total)
      return {{static_cast<node_t>(single)},
              {static_cast<std::size_t>(initial[static_cast<std::size_t>(single)])}};
  }
  return {seeds, after};
}

std::size_t affordable_count(std::span<const double> costs, double budget, std::size_t k) {
  std::vector<double> c(costs.begin(), costs.end());
  std::sort(c.begin(), c.end());
  double s = 0.0;
  std::size_t cnt = 0;
  for (double x : c) {
    if (cnt >= k || s + x > budget * (1.0 + 1e-12)) break;
    s += x;
    ++cnt;
  }
  return std::max<std::size_t>(cnt, 1);
}

void check_k_costs(const ReferralGraph& g, std::size_t k, std::span<const double> costs, double budget) {
  const std::size_t n = g.num_nodes();
  if (n == 0) fail(Errc::empty_input, "influence maximisation on an empty graph");
  if (k == 0) fail(Errc::invalid_argument, "k must be >= 1");
  if (k > n) fail(Errc::out_of_range, "k = ", k, " exceeds the ", n, " nodes of the graph");
  if (!(std::isfinite(budget) && budget >= 0.0))
    fail(Errc::invalid_argument, "budget must be finite and >= 0, got ", budget);
  if (budget > 0.0) {
    if (costs.empty()) fail(Errc::invalid_argument, "a budget needs per-node costs");
    require_size(costs.size(), n, "costs");
    for (std::size_t v = 0; v < n; ++v)
      if (!(std::isfinite(costs[v]) && costs[v] >= 0.0))
        fail(Errc::invalid_argument, "cost of node ", g.id(static_cast<node_t>(v)),
             " must be finite and >= 0, got ", costs[v]);
  } else if (!costs.empty()) {
    fail(Errc::invalid_argument, "costs given without a budget (> 0)");
  }
}

}  // namespace
}  // namespace detail

InfluenceResult imm(const ReferralGraph& g, std::size_t k, const EdgeProbabilities& probs,
                    const ImmOptions& o) {
  detail::check_k_costs(g, k, o.costs, o.budget);
  probs.require_graph(g);
  probs.require_model(o.model);
  const std::span<const double> p = probs.values();
  detail::check_values(o.node_values, g.num_nodes(), "node value");
  if (!(o.epsilon > 0.0 && o.epsilon < 1.0))
    fail(Errc::invalid_argument, "epsilon must lie in (0, 1), got ", o.epsilon);
  if (!(o.ell > 0.0 && std::isfinite(o.ell))) fail(Errc::invalid_argument, "ell must be > 0, got ", o.ell);
  const std::size_t n = g.num_nodes();
  detail::RRGenerator gen{g, p, o.model, {}, {}, {}, o.seed, 0, o.threads};
  {
    const auto iedge = g.in_edges();
    gen.p_in.resize(iedge.size());
    for (std::size_t q = 0; q < iedge.size(); ++q) gen.p_in[q] = p[iedge[q]];
    if (o.model == Model::ic) gen.thr_in = detail::ic_thresholds(gen.p_in);
  }
  double W = static_cast<double>(n);
  if (!o.node_values.empty()) {
    gen.cum.resize(n);
    std::partial_sum(o.node_values.begin(), o.node_values.end(), gen.cum.begin());
    W = gen.cum.back();
    if (!(W > 0.0)) fail(Errc::invalid_argument, "node values sum to 0");
  }
  const std::size_t keff = o.budget > 0.0 ? detail::affordable_count(o.costs, o.budget, k) : k;
  const double dn = static_cast<double>(n);
  const double logn = std::log(std::max(dn, 2.0));
  const double ell = o.ell * (1.0 + std::log(2.0) / logn);
  const double logcnk = detail::log_gamma(dn + 1) - detail::log_gamma(static_cast<double>(keff) + 1) -
                        detail::log_gamma(dn - static_cast<double>(keff) + 1);
  const double eps2 = std::sqrt(2.0) * o.epsilon;
  const double lambda1 = (2.0 + 2.0 / 3.0 * eps2) *
                         (logcnk + ell * logn + std::log(std::max(std::log2(std::max(dn, 2.0)), 1.0))) * W /
                         (eps2 * eps2);
  // RR sets are the memory of IMM (issue 17: eps = 0.001 on wiki-Vote grew to 12 GB
  // before failing).  Before each batch of sets, estimate their memory from the mean set
  // size seen so far (1 node before any) and refuse, naming the eps that would fit, when
  // it exceeds half of the memory this process may use (physical or its cgroup limit).  The number of sets
  // grows as 1 / eps^2.
  const double budget_bytes = detail::memory_budget_bytes();
  // Peak, measured against ru_maxrss (benchmarks/python/imm_memory.py, 1.9 to 2.4 times
  // the old estimate of one copy of the sets plus the cover index): while a batch is
  // merged, the per-task parts and the growing rr (up to twice its size) hold about three
  // copies of offsets + node ids, and the cover index adds one node id per entry.
  auto check_memory = [&](double sets, double mean_size) {
    const double one_copy =
        static_cast<double>(sizeof(std::uint64_t)) + mean_size * static_cast<double>(sizeof(node_t));
    const double bytes = sets * (3.0 * one_copy + mean_size * static_cast<double>(sizeof(std::uint32_t)));
    if (bytes > budget_bytes)
      fail(Errc::no_memory, "IMM with eps=", o.epsilon, " needs about ", std::ceil(bytes / 1e9), " GB for ",
           sets, " RR sets of ", mean_size, " nodes on average, more than the ",
           std::floor(budget_bytes / 1e9),
           " GB it may use (half of the memory this process may use: physical memory or its cgroup limit); "
           "use eps >= ",
           std::ceil(o.epsilon * std::sqrt(bytes / budget_bytes) * 1000.0) / 1000.0);
    // The cover index numbers sets with 32 bits (reached on a machine with memory for more).
    if (sets > static_cast<double>(UINT32_MAX))
      fail(Errc::no_memory, "IMM with eps=", o.epsilon, " needs ", sets,
           " RR sets, more than the 2^32 it can index; use a larger eps");
  };
  double lb = 1.0;
  double mean_size = 1.0;
  {
    detail::RRSets rr;
    const int rounds = std::max(1, static_cast<int>(std::log2(std::max(dn, 2.0))) - 1);
    for (int i = 1; i <= rounds; ++i) {
      const double x = W / std::pow(2.0, i);
      check_memory(std::ceil(lambda1 / x), mean_size);
      const auto theta_i = static_cast<std::size_t>(std::ceil(lambda1 / x));
      gen.extend(rr, theta_i, o.progress);
      if (rr.size() > 0) mean_size = static_cast<double>(rr.nodes.size()) / static_cast<double>(rr.size());
      auto [seeds, after] = detail::greedy_cover(rr, theta_i, n, k, o.costs, o.budget, o.progress);
      const double f = after.empty() ? 0.0 : static_cast<double>(after.back()) / static_cast<double>(theta_i);
      if (W * f >= (1.0 + eps2) * x) {
        lb = W * f / (1.0 + eps2);
        break;
      }
    }
  }
  const double e1 = 1.0 - 1.0 / std::exp(1.0);
  const double alpha = std::sqrt(ell * logn + std::log(2.0));
  const double beta = std::sqrt(e1 * (logcnk + ell * logn + std::log(2.0)));
  const double lambda_star = 2.0 * W * std::pow(e1 * alpha + beta, 2.0) / (o.epsilon * o.epsilon);
  check_memory(std::ceil(lambda_star / lb), mean_size);
  const auto theta = static_cast<std::size_t>(std::ceil(lambda_star / lb));
  detail::RRSets rr;
  gen.base = std::uint64_t{1} << 40;  // fresh sets for the final phase
  gen.extend(rr, theta, o.progress);
  auto [seeds, after] = detail::greedy_cover(rr, theta, n, k, o.costs, o.budget, o.progress);
  InfluenceResult r;
  r.seeds = std::move(seeds);
  for (std::size_t c : after)
    r.spread_after.push_back(W * static_cast<double>(c) / static_cast<double>(theta));
  r.spread = r.spread_after.empty() ? 0.0 : r.spread_after.back();
  r.n_rr_sets = theta;
  if (!o.costs.empty())
    for (node_t s : r.seeds) r.cost += o.costs[s];
  return r;
}

InfluenceResult imm(const ReferralGraph& g, std::size_t k, std::span<const double> p, const ImmOptions& o) {
  detail::check_k_costs(g, k, o.costs, o.budget);
  return imm(g, k, EdgeProbabilities::given(g, p), o);
}

namespace detail {
namespace {
/// MC estimate with the same task split and streams as spread(), on one simulator.
/// Cancellation: inside a parallel_for task (checkpoint NULL) through task_should_stop
/// (the partial result is discarded); on the calling thread through `checkpoint`.
double mc_estimate(Simulator& sim, std::span<const node_t> seeds, std::size_t n_sims, std::uint64_t seed,
                   bool value, SerialCheckpoint* checkpoint = nullptr) {
  const std::size_t tasks = simulation_tasks(n_sims);
  double sum = 0.0;
  for (std::size_t t = 0; t < tasks; ++t) {
    Rng rng = stream(seed, t);
    double part = 0.0;
    for (std::size_t i = task_begin(n_sims, t, tasks); i < task_begin(n_sims, t + 1, tasks); ++i) {
      if ((i & 63) == 63) {
        if (checkpoint != nullptr)
          (*checkpoint)();
        else if (task_should_stop())
          return 0.0;  // cancelled: result discarded
      }
      auto [c, v] = sim.run(seeds, rng, nullptr);
      part += value ? v : c;
    }
    sum += part;
  }
  return sum / static_cast<double>(n_sims);
}
}  // namespace
}  // namespace detail

InfluenceResult celf(const ReferralGraph& g, std::size_t k, const EdgeProbabilities& probs,
                     const CelfOptions& o) {
  detail::check_k_costs(g, k, o.costs, o.budget);
  probs.require_graph(g);
  probs.require_model(o.model);
  const std::span<const double> p = probs.values();
  detail::check_values(o.node_values, g.num_nodes(), "node value");
  if (o.n_sims == 0) fail(Errc::invalid_argument, "n_sims must be > 0");
  const std::size_t n = g.num_nodes();
  const bool value = !o.node_values.empty();
  const bool with_costs = o.budget > 0.0;
  const auto thr = o.model == Model::ic ? detail::ic_thresholds(p) : std::vector<std::uint64_t>{};
  std::vector<double> gain(n);
  const std::size_t chunks = std::min<std::size_t>(n, 64);
  // n candidates x n_sims simulations, each up to (n + m): one thread per 2^22 of that.
  const auto threads = static_cast<int>(resolve_threads(
      o.threads, static_cast<std::uint64_t>(n) * o.n_sims * (n + g.num_edges()), std::uint64_t{1} << 22));
  parallel_for(
      chunks, threads,
      [&](std::size_t c) {
        detail::Simulator sim(g, p, o.model, o.node_values, thr);
        for (std::size_t v = c; v < n; v += chunks) {
          if (task_should_stop()) return;  // cancelled: result discarded
          const node_t s = static_cast<node_t>(v);
          gain[v] = detail::mc_estimate(sim, {&s, 1}, o.n_sims, o.seed, value);
        }
      },
      o.progress);
  auto score = [&](double gn, node_t v) {
    if (!with_costs) return gn;
    return o.costs[v] > 0.0 ? gn / o.costs[v] : (gn > 0.0 ? INFINITY : 0.0);
  };
  struct Item {
    double score;
    node_t v;
    std::size_t round;
    bool operator<(const Item& b) const { return score != b.score ? score < b.score : v > b.v; }
  };
  std::priority_queue<Item> heap;
  for (std::size_t v = 0; v < n; ++v)
    heap.push({score(gain[v], static_cast<node_t>(v)), static_cast<node_t>(v), 0});
  detail::Simulator sim(g, p, o.model, o.node_values, thr);
  InfluenceResult r;
  double current = 0.0, spent = 0.0;
  SerialCheckpoint checkpoint(o.progress);  // the lazy-greedy rounds run on this thread
  while (r.seeds.size() < k && !heap.empty()) {
    checkpoint(r.seeds.size(), k);
    Item top = heap.top();
    heap.pop();
    if (with_costs && spent + o.costs[top.v] > o.budget * (1.0 + 1e-12)) continue;
    if (top.round == r.seeds.size()) {
      r.seeds.push_back(top.v);
      current += gain[top.v];
      r.spread_after.push_back(current);
      if (with_costs) spent += o.costs[top.v];
      continue;
    }
    std::vector<node_t> s = r.seeds;
    s.push_back(top.v);
    const double f = detail::mc_estimate(sim, s, o.n_sims, o.seed, value, &checkpoint);
    gain[top.v] = f - current;
    heap.push({score(gain[top.v], top.v), top.v, r.seeds.size()});
  }
  if (with_costs) {
    r.cost = spent;
    // The better of cost-effective greedy and the best affordable single node.
    std::int64_t single = -1;
    detail::Simulator s1(g, p, o.model, o.node_values, thr);
    double best = -1.0;
    for (std::size_t v = 0; v < n; ++v) {
      checkpoint(v, n);
      if (o.costs[v] > o.budget * (1.0 + 1e-12)) continue;
      const node_t x = static_cast<node_t>(v);
      const double f = detail::mc_estimate(s1, {&x, 1}, o.n_sims, o.seed, value, &checkpoint);
      if (f > best) {
        best = f;
        single = static_cast<std::int64_t>(v);
      }
    }
    if (single >= 0 && best > current) {
      r.seeds = {static_cast<node_t>(single)};
      r.spread_after = {best};
      current = best;
      r.cost = o.costs[static_cast<std::size_t>(single)];
    }
  }
  r.spread = current;
  return r;
}

InfluenceResult celf(const ReferralGraph& g, std::size_t k, std::span<const double> p, const CelfOptions& o) {
  detail::check_k_costs(g, k, o.costs, o.budget);
  return celf(g, k, EdgeProbabilities::given(g, p), o);
}

namespace detail {
namespace {
// The limit in one cgroup file (a decimal byte count); UINT64_MAX (no limit) for "max",
// a missing file or anything unreadable.
std::uint64_t read_limit_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!in || !(in >> text)) return UINT64_MAX;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return UINT64_MAX;  // "max" or garbage
  return v;
}

// The smallest limit in `file_name` at `mount / group` and each folder above it, up to
// and including `mount` itself.
std::uint64_t limit_along(const std::filesystem::path& mount, std::string_view group, const char* file_name) {
  std::uint64_t best = UINT64_MAX;
  std::filesystem::path rel = std::filesystem::path(std::string(group)).relative_path().lexically_normal();
  for (;;) {
    // A group path with ".." would leave the mount: only the mount's own file is read.
    if (!rel.empty() && *rel.begin() == "..") rel.clear();
    best = std::min(best, read_limit_file(mount / rel / file_name));
    if (rel.empty() || rel == ".") break;
    rel = rel.parent_path();
  }
  return best;
}
}  // namespace

std::uint64_t cgroup_memory_limit(const std::string& cgroup_root, const std::string& proc_cgroup) {
  const std::filesystem::path root(cgroup_root);
  std::uint64_t best = UINT64_MAX;
  std::string_view text(proc_cgroup);
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    // "hierarchy-id:controllers:path"; v2 is "0::path".
    const auto c1 = line.find(':');
    const auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    const std::string_view group = line.substr(c2 + 1);
    if (controllers.empty()) {  // v2: mounted at the root (pure v2) or at unified/ (hybrid)
      best = std::min(best, limit_along(root, group, "memory.max"));
      best = std::min(best, limit_along(root / "unified", group, "memory.max"));
      continue;
    }
    bool memory = false;  // v1: the hierarchy that holds the memory controller
    for (std::string_view rest = controllers; !rest.empty();) {
      const auto comma = rest.find(',');
      memory = memory || rest.substr(0, comma) == "memory";
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (memory) best = std::min(best, limit_along(root / "memory", group, "memory.limit_in_bytes"));
  }
  return best;
}

std::uint64_t usable_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  std::uint64_t physical = UINT64_MAX;
  if (pages > 0 && page > 0) physical = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  std::string proc;
  {
    std::ifstream in("/proc/self/cgroup");
    proc.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::uint64_t usable = std::min(physical, cgroup_memory_limit("/sys/fs/cgroup", proc));
  return usable == UINT64_MAX ? 0 : usable;
}
}  // namespace detail

FUNNELNET_END
