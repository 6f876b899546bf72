// Diffusion on a referral graph: edge probabilities, independent cascade (IC) and
// linear threshold (LT) Monte Carlo with seeded per-task streams, and the exact spread
// of tiny graphs by enumerating live-edge worlds (a test oracle).
//
// Edge probabilities are one double per CSR edge (ReferralGraph edge order).  For IC
// they are activation probabilities in [0, 1]; for LT they are the in-weights b_uv,
// which must also sum to at most 1 over each node's in-edges.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

/// Diffusion model.
enum class Model : int { ic = 0, lt = 1 };

// ---------------------------------------------------------------- edge probabilities

/// The same probability p on every edge.
inline std::vector<double> constant_probabilities(const ReferralGraph& g, double p) {
  require_probability(p, "edge probability");
  return std::vector<double>(g.num_edges(), p);
}

/// Weighted cascade: p(u -> v) = 1 / in-degree(v) (or w_uv / total in-weight of v when
/// `use_weights`).  As LT weights these sum to exactly 1 per node.
inline std::vector<double> weighted_cascade(const ReferralGraph& g, bool use_weights = false) {
  const std::size_t n = g.num_nodes();
  std::vector<double> p(g.num_edges(), 0.0);
  const auto ioff = g.in_offsets();
  const auto iedge = g.in_edges();
  const auto w = g.weights();
  for (std::size_t v = 0; v < n; ++v) {
    double total = 0.0;
    for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) total += use_weights ? w[iedge[k]] : 1.0;
    if (total <= 0.0) continue;
    for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) p[iedge[k]] = (use_weights ? w[iedge[k]] : 1.0) / total;
  }
  return p;
}

/// Trivalency: each edge draws 0.1, 0.01 or 0.001 uniformly (seeded; edge e uses its own
/// draw from stream(seed, 0) in edge order).
inline std::vector<double> trivalency(const ReferralGraph& g, std::uint64_t seed) {
  static constexpr double levels[3] = {0.1, 0.01, 0.001};
  Rng rng = stream(seed, 0);
  std::vector<double> p(g.num_edges());
  for (double& x : p) x = levels[rng.below(3)];
  return p;
}

/// Probabilities given per edge (CSR order); each must lie in [0, 1].
inline std::vector<double> given_probabilities(const ReferralGraph& g, std::span<const double> p) {
  require_size(p.size(), g.num_edges(), "edge probabilities");
  for (std::size_t e = 0; e < p.size(); ++e)
    if (!(p[e] >= 0.0 && p[e] <= 1.0))
      fail(Errc::invalid_argument, "probability of edge ", e, " (", g.id(g.sources()[e]), " -> ",
           g.id(g.targets()[e]), ") must be in [0, 1], got ", p[e]);
  return {p.begin(), p.end()};
}

/// Probabilities learned from observed referral outcomes: edge e was exposed
/// exposures[e] times and succeeded successes[e] times; with a Beta(a, b) prior the
/// posterior mean is (successes + a) / (exposures + a + b).
inline std::vector<double> learned_probabilities(const ReferralGraph& g, std::span<const double> successes,
                                                 std::span<const double> exposures, double prior_a = 1.0,
                                                 double prior_b = 1.0) {
  require_size(successes.size(), g.num_edges(), "successes");
  require_size(exposures.size(), g.num_edges(), "exposures");
  if (!(std::isfinite(prior_a) && prior_a > 0.0 && std::isfinite(prior_b) && prior_b > 0.0))
    fail(Errc::invalid_argument, "prior a and b must be finite and > 0, got ", prior_a, " and ", prior_b);
  std::vector<double> p(g.num_edges());
  for (std::size_t e = 0; e < p.size(); ++e) {
    const double s = successes[e], x = exposures[e];
    if (!(std::isfinite(s) && s >= 0.0 && std::isfinite(x) && s <= x))
      fail(Errc::invalid_argument, "edge ", e, " has ", s, " successes over ", x,
           " exposures; need 0 <= successes <= exposures");
    p[e] = (s + prior_a) / (x + prior_a + prior_b);
  }
  return p;
}

namespace detail {

/// Check probabilities for `model`: one per edge, in [0, 1]; for LT in-sums <= 1.
inline void check_probabilities(const ReferralGraph& g, std::span<const double> p, Model model) {
  require_size(p.size(), g.num_edges(), "edge probabilities");
  for (std::size_t e = 0; e < p.size(); ++e)
    if (!(p[e] >= 0.0 && p[e] <= 1.0))
      fail(Errc::invalid_argument, "probability of edge ", e, " (", g.id(g.sources()[e]), " -> ",
           g.id(g.targets()[e]), ") must be in [0, 1], got ", p[e]);
  if (model == Model::lt) {
    const auto ioff = g.in_offsets();
    const auto iedge = g.in_edges();
    for (std::size_t v = 0; v < g.num_nodes(); ++v) {
      double s = 0.0;
      for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) s += p[iedge[k]];
      if (s > 1.0 + 1e-9)
        fail(Errc::invalid_argument, "LT in-weights of node ", g.id(static_cast<node_t>(v)), " sum to ", s,
             ", above 1");
    }
  } else if (model != Model::ic) {
    fail(Errc::invalid_argument, "unknown diffusion model ", static_cast<int>(model));
  }
}

inline std::vector<node_t> check_seeds(const ReferralGraph& g, std::span<const node_t> seeds) {
  std::vector<node_t> s(seeds.begin(), seeds.end());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] >= g.num_nodes())
      fail(Errc::out_of_range, "seed ", i, " is node ", s[i], ", outside [0, ", g.num_nodes(), ")");
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

inline void check_values(std::span<const double> values, std::size_t n, const char* what) {
  if (values.empty()) return;
  require_size(values.size(), n, what);
  for (std::size_t v = 0; v < n; ++v)
    if (!(std::isfinite(values[v]) && values[v] >= 0.0))
      fail(Errc::invalid_argument, what, " of node ", v, " must be finite and >= 0, got ", values[v]);
}

/// IC thresholds: rng() >> 11 < ceil(p * 2^53) exactly when uniform() < p, without
/// the floating-point conversion in the inner loop.
inline std::vector<std::uint64_t> ic_thresholds(std::span<const double> p) {
  std::vector<std::uint64_t> t(p.size());
  for (std::size_t e = 0; e < p.size(); ++e) t[e] = static_cast<std::uint64_t>(std::ceil(p[e] * 0x1.0p53));
  return t;
}

/// One simulation: activates nodes from `seeds`, returns (count, value) and records
/// newly activated per round into `rounds` (if not null).  `stamp`/`mark` implement an
/// O(1)-reset visited set; `acc`/`theta` are LT scratch.
struct Simulator {
  const ReferralGraph& g;
  std::span<const double> p;
  Model model;
  std::span<const double> values;
  std::span<const std::uint64_t> thr;  // IC: ic_thresholds(p)
  std::vector<std::uint32_t> stamp;
  std::vector<std::uint32_t> touched;  // LT: threshold drawn in this run
  std::vector<double> acc, theta;
  std::vector<node_t> frontier;
  std::uint32_t mark = 0;

  Simulator(const ReferralGraph& graph, std::span<const double> probs, Model m, std::span<const double> vals,
            std::span<const std::uint64_t> thresholds)
      : g(graph), p(probs), model(m), values(vals), thr(thresholds), stamp(graph.num_nodes(), 0) {
    if (model == Model::lt) {
      touched.assign(graph.num_nodes(), 0);
      acc.assign(graph.num_nodes(), 0.0);
      theta.assign(graph.num_nodes(), 0.0);
    }
  }

  std::pair<double, double> run(std::span<const node_t> seeds, Rng& rng, std::vector<double>* rounds) {
    if (++mark == 0) {  // wrapped: clear
      std::fill(stamp.begin(), stamp.end(), 0);
      std::fill(touched.begin(), touched.end(), 0);
      mark = 1;
    }
    const auto off = g.offsets();
    const auto tg = g.targets();
    frontier.clear();
    double value = 0.0;
    for (node_t s : seeds) {
      stamp[s] = mark;
      frontier.push_back(s);
      if (!values.empty()) value += values[s];
    }
    std::size_t head = 0, round_end = frontier.size(), round = 0;
    if (rounds) {
      if (rounds->empty()) rounds->push_back(0.0);
      (*rounds)[0] += static_cast<double>(frontier.size());
    }
    while (head < frontier.size()) {
      const node_t u = frontier[head++];
      for (edge_t e = off[u]; e < off[u + 1]; ++e) {
        const node_t v = tg[e];
        if (stamp[v] == mark) continue;
        bool activate;
        if (model == Model::ic) {
          activate = (rng() >> 11) < thr[e];
        } else {
          if (touched[v] != mark) {
            touched[v] = mark;
            acc[v] = 0.0;
            theta[v] = rng.uniform();
          }
          acc[v] += p[e];
          activate = acc[v] > theta[v];  // P(theta < acc) = acc
        }
        if (activate) {
          stamp[v] = mark;
          frontier.push_back(v);
          if (!values.empty()) value += values[v];
        }
      }
      if (head == round_end && head < frontier.size()) {
        ++round;
        if (rounds) {
          if (rounds->size() <= round) rounds->resize(round + 1, 0.0);
          (*rounds)[round] += static_cast<double>(frontier.size() - round_end);
        }
        round_end = frontier.size();
      }
    }
    return {static_cast<double>(frontier.size()), value};
  }

  /// Continuous-time run: u activating at time t reaches v over edge e at t + delay[e];
  /// arrivals are processed in time order (ties by arrival sequence), the IC coin / LT
  /// weight applies at arrival.  The final active set has the same distribution as
  /// run(); activation times go into `hist` (bins [edges[i], edges[i+1])).
  double run_timed(std::span<const node_t> seeds, Rng& rng, std::span<const double> delay,
                   std::span<const double> edges, std::vector<double>& hist) {
    if (++mark == 0) {
      std::fill(stamp.begin(), stamp.end(), 0);
      std::fill(touched.begin(), touched.end(), 0);
      mark = 1;
    }
    const auto off = g.offsets();
    const auto tg = g.targets();
    using Event = std::tuple<double, std::uint64_t, edge_t>;  // time, sequence, edge
    std::priority_queue<Event, std::vector<Event>, std::greater<>> q;
    std::uint64_t seq = 0, count = 0;
    auto activate = [&](node_t u, double t) {
      stamp[u] = mark;
      ++count;
      const auto it = std::upper_bound(edges.begin(), edges.end(), t);
      if (it != edges.begin() && it != edges.end())
        hist[static_cast<std::size_t>(it - edges.begin()) - 1] += 1.0;
      for (edge_t e = off[u]; e < off[u + 1]; ++e)
        if (stamp[tg[e]] != mark) q.emplace(t + delay[e], seq++, e);
    };
    for (node_t x : seeds) activate(x, 0.0);
    while (!q.empty()) {
      const auto [t, sq, e] = q.top();
      q.pop();
      const node_t v = tg[e];
      if (stamp[v] == mark) continue;
      bool on;
      if (model == Model::ic) {
        on = (rng() >> 11) < thr[e];
      } else {
        if (touched[v] != mark) {
          touched[v] = mark;
          acc[v] = 0.0;
          theta[v] = rng.uniform();
        }
        acc[v] += p[e];
        on = acc[v] > theta[v];
      }
      if (on) activate(v, t);
    }
    return static_cast<double>(count);
  }
};

}  // namespace detail

struct SpreadOptions {
  Model model = Model::ic;
  std::size_t n_sims = 10000;
  std::uint64_t seed = 0;
  int threads = 0;
  /// Optional per-node value (e.g. win probability x deal size): also report the
  /// expected total value of the activated nodes.
  std::span<const double> node_values;
  /// Optional per-edge delays (finite, >= 0; CSR order) with `time_bins` (>= 2
  /// increasing bin edges; the last may be +inf): also report the expected number of
  /// activations per time bin (seeds activate at time 0).
  std::span<const double> delays;
  std::span<const double> time_bins;
  Progress progress;
};

/// Monte Carlo estimate of the expected spread.
struct SpreadResult {
  double mean = 0.0;        ///< expected number of activated nodes (seeds included)
  double stderr_ = 0.0;     ///< standard error of `mean`
  double value_mean = 0.0;  ///< expected activated value (0 without node values)
  double value_stderr = 0.0;
  std::size_t n_sims = 0;
  std::vector<double> by_round;  ///< mean newly activated per round (round 0 = the seeds)
  std::vector<double> by_time;   ///< with delays: mean activations per time bin
};

/// Number of fixed tasks for n_sims simulations (independent of the thread count).
inline std::size_t simulation_tasks(std::size_t n_sims) {
  return std::min<std::size_t>(n_sims, 256);
}

/// Expected spread of `seeds` under `model` with edge probabilities `p`, by Monte Carlo.
/// Simulations are split into a fixed set of tasks (simulation_tasks); task k draws
/// from stream(seed, k), and task results are combined in task order, so the same seed
/// gives the same answer at any thread count.  Duplicate seeds count once.  Errors:
/// out_of_range for a seed outside the graph, invalid_argument for bad probabilities
/// (NaN, outside [0, 1], LT in-weights above 1), zero n_sims or bad node values.
inline SpreadResult spread(const ReferralGraph& g, std::span<const node_t> seeds, std::span<const double> p,
                           const SpreadOptions& o = {}) {
  detail::check_probabilities(g, p, o.model);
  const auto s = detail::check_seeds(g, seeds);
  detail::check_values(o.node_values, g.num_nodes(), "node value");
  if (o.n_sims == 0) fail(Errc::invalid_argument, "n_sims must be > 0");
  const bool timed = !o.delays.empty() || !o.time_bins.empty();
  if (timed) {
    require_size(o.delays.size(), g.num_edges(), "delays");
    for (std::size_t e = 0; e < o.delays.size(); ++e)
      if (!(std::isfinite(o.delays[e]) && o.delays[e] >= 0.0))
        fail(Errc::invalid_argument, "delay of edge ", e, " must be finite and >= 0, got ", o.delays[e]);
    if (o.time_bins.size() < 2)
      fail(Errc::invalid_argument, "time_bins needs at least 2 bin edges, got ", o.time_bins.size());
    for (std::size_t i = 0; i < o.time_bins.size(); ++i) {
      if (std::isnan(o.time_bins[i]) || (i > 0 && !(o.time_bins[i] > o.time_bins[i - 1])))
        fail(Errc::invalid_argument, "time_bins must be strictly increasing; entry ", i, " is ",
             o.time_bins[i]);
    }
  }
  const std::size_t tasks = simulation_tasks(o.n_sims);
  const auto thr = o.model == Model::ic ? detail::ic_thresholds(p) : std::vector<std::uint64_t>{};
  struct Part {
    double sum = 0, sq = 0, vsum = 0, vsq = 0;
    std::vector<double> rounds, hist;
  };
  std::vector<Part> parts(tasks);
  parallel_for(
      tasks, o.threads,
      [&](std::size_t t) {
        const std::size_t b = o.n_sims * t / tasks, e = o.n_sims * (t + 1) / tasks;
        detail::Simulator sim(g, p, o.model, o.node_values, thr);
        Rng rng = stream(o.seed, t);
        Part& part = parts[t];
        if (timed) {
          part.hist.assign(o.time_bins.size() - 1, 0.0);
          Rng trng = stream(o.seed ^ 0x7d1e5ULL, t);  // its own streams: run() results stay unchanged
          for (std::size_t i = b; i < e; ++i) sim.run_timed(s, trng, o.delays, o.time_bins, part.hist);
        }
        for (std::size_t i = b; i < e; ++i) {
          auto [c, v] = sim.run(s, rng, &part.rounds);
          part.sum += c;
          part.sq += c * c;
          part.vsum += v;
          part.vsq += v * v;
        }
      },
      o.progress);
  SpreadResult r;
  r.n_sims = o.n_sims;
  double sum = 0, sq = 0, vsum = 0, vsq = 0;
  for (const auto& part : parts) {
    sum += part.sum;
    sq += part.sq;
    vsum += part.vsum;
    vsq += part.vsq;
    if (part.hist.size() > r.by_time.size()) r.by_time.resize(part.hist.size(), 0.0);
    for (std::size_t k = 0; k < part.hist.size(); ++k) r.by_time[k] += part.hist[k];
    if (part.rounds.size() > r.by_round.size()) r.by_round.resize(part.rounds.size(), 0.0);
    for (std::size_t k = 0; k < part.rounds.size(); ++k) r.by_round[k] += part.rounds[k];
  }
  const double n = static_cast<double>(o.n_sims);
  r.mean = sum / n;
  r.value_mean = vsum / n;
  if (o.n_sims > 1) {
    r.stderr_ = std::sqrt(std::max(0.0, (sq - n * r.mean * r.mean) / (n - 1.0)) / n);
    r.value_stderr = std::sqrt(std::max(0.0, (vsq - n * r.value_mean * r.value_mean) / (n - 1.0)) / n);
  }
  for (double& x : r.by_round) x /= n;
  for (double& x : r.by_time) x /= n;
  return r;
}

/// Largest number of live-edge worlds exact_spread enumerates.
inline constexpr std::uint64_t max_exact_worlds = std::uint64_t{1} << 24;

/// Exact expected spread (number of activated nodes, seeds included) by enumerating
/// every live-edge world: for IC each edge is live with probability p_e (2^m worlds);
/// for LT each node keeps at most one in-edge, edge e with probability p_e (the
/// product of (in-degree + 1) worlds).  For tiny graphs only: out_of_range when there
/// are more than max_exact_worlds worlds.
inline double exact_spread(const ReferralGraph& g, std::span<const node_t> seeds, std::span<const double> p,
                           Model model = Model::ic) {
  detail::check_probabilities(g, p, model);
  const auto s = detail::check_seeds(g, seeds);
  const std::size_t n = g.num_nodes(), m = g.num_edges();
  const auto off = g.offsets();
  const auto tg = g.targets();
  std::vector<char> live(m, 0), seen(n, 0);
  std::vector<node_t> q;
  auto reach = [&]() {
    std::fill(seen.begin(), seen.end(), 0);
    q.assign(s.begin(), s.end());
    for (node_t x : s) seen[x] = 1;
    for (std::size_t h = 0; h < q.size(); ++h)
      for (edge_t e = off[q[h]]; e < off[q[h] + 1]; ++e)
        if (live[e] && !seen[tg[e]]) {
          seen[tg[e]] = 1;
          q.push_back(tg[e]);
        }
    return static_cast<double>(q.size());
  };
  double total = 0.0;
  if (model == Model::ic) {
    if (m >= 63 || (std::uint64_t{1} << m) > max_exact_worlds)
      fail(Errc::out_of_range, "exact IC spread needs 2^", m, " worlds; at most ", max_exact_worlds,
           " allowed");
    for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << m); ++mask) {
      double pr = 1.0;
      for (std::size_t e = 0; e < m; ++e) {
        live[e] = static_cast<char>((mask >> e) & 1U);
        pr *= live[e] ? p[e] : 1.0 - p[e];
      }
      if (pr > 0.0) total += pr * reach();
    }
    return total;
  }
  // LT: node v chooses in-edge k of its in-list, or none (choice == in-degree).
  const auto ioff = g.in_offsets();
  const auto iedge = g.in_edges();
  double worlds = 1.0;
  for (std::size_t v = 0; v < n; ++v) worlds *= static_cast<double>(ioff[v + 1] - ioff[v] + 1);
  if (worlds > static_cast<double>(max_exact_worlds))
    fail(Errc::out_of_range, "exact LT spread needs ", worlds, " worlds; at most ", max_exact_worlds,
         " allowed");
  std::vector<std::size_t> choice(n, 0);
  while (true) {
    double pr = 1.0;
    std::fill(live.begin(), live.end(), 0);
    for (std::size_t v = 0; v < n && pr > 0.0; ++v) {
      const std::size_t deg = ioff[v + 1] - ioff[v];
      if (choice[v] == deg) {
        double sum = 0.0;
        for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) sum += p[iedge[k]];
        pr *= std::max(0.0, 1.0 - sum);
      } else {
        const edge_t e = iedge[ioff[v] + choice[v]];
        pr *= p[e];
        live[e] = 1;
      }
    }
    if (pr > 0.0) total += pr * reach();
    std::size_t v = 0;
    for (; v < n; ++v) {
      if (++choice[v] <= ioff[v + 1] - ioff[v]) break;
      choice[v] = 0;
    }
    if (v == n) break;
  }
  return total;
}

FUNNELNET_END
