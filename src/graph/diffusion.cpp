// Diffusion (declared in include/funnelnet/graph/diffusion.hpp): edge probabilities,
// IC / LT Monte Carlo spread and the exact spread of tiny graphs.
#include "funnelnet/graph/diffusion.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/random.hpp"
#include "graph/access.hpp"
#include "graph/simulator.hpp"

FUNNELNET_BEGIN

// ---------------------------------------------------------------- EdgeProbabilities

EdgeProbabilities EdgeProbabilities::make(const ReferralGraph& g, std::vector<double> p) {
  require_size(p.size(), g.num_edges(), "edge probabilities");
  const auto src = g.sources();
  const auto tg = g.targets();
  for (std::size_t e = 0; e < p.size(); ++e)
    if (!(p[e] >= 0.0 && p[e] <= 1.0))
      fail(Errc::invalid_argument, "probability of edge ", e, " (", g.id(src[e]), " -> ", g.id(tg[e]),
           ") must be in [0, 1], got ", p[e]);
  EdgeProbabilities r;
  // As LT in-weights: the first node (in index order) whose in-sum exceeds 1.
  const auto ioff = g.in_offsets();
  const auto iedge = g.in_edges();
  for (std::size_t v = 0; v < g.num_nodes(); ++v) {
    double s = 0.0;
    for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) s += p[iedge[k]];
    if (s > 1.0 + 1e-9) {
      r.lt_ok_ = false;
      r.lt_node_ = g.id(static_cast<node_t>(v));
      r.lt_sum_ = s;
      break;
    }
  }
  auto owner = std::make_shared<const std::vector<double>>(std::move(p));
  r.values_ = *owner;
  r.owner_ = std::move(owner);
  r.graph_ = detail::CsrAccess::storage(g);
  return r;
}

EdgeProbabilities EdgeProbabilities::given(const ReferralGraph& g, std::span<const double> p) {
  require_size(p.size(), g.num_edges(), "edge probabilities");
  return make(g, std::vector<double>(p.begin(), p.end()));
}

EdgeProbabilities EdgeProbabilities::constant(const ReferralGraph& g, double p) {
  require_probability(p, "edge probability");
  return make(g, std::vector<double>(g.num_edges(), p));
}

EdgeProbabilities EdgeProbabilities::weighted_cascade(const ReferralGraph& g, bool use_weights) {
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
  return make(g, std::move(p));
}

EdgeProbabilities EdgeProbabilities::trivalency(const ReferralGraph& g, std::uint64_t seed) {
  static constexpr double levels[3] = {0.1, 0.01, 0.001};
  Rng rng = stream(seed, 0);
  std::vector<double> p(g.num_edges());
  for (double& x : p) x = levels[rng.below(3)];
  return make(g, std::move(p));
}

EdgeProbabilities EdgeProbabilities::learned(const ReferralGraph& g, std::span<const double> successes,
                                             std::span<const double> exposures, double prior_a,
                                             double prior_b) {
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
  return make(g, std::move(p));
}

bool EdgeProbabilities::belongs_to(const ReferralGraph& g) const noexcept {
  return graph_ != nullptr && graph_ == detail::CsrAccess::storage(g);
}

void EdgeProbabilities::require_graph(const ReferralGraph& g) const {
  if (belongs_to(g)) return;
  require_size(size(), g.num_edges(), "edge probabilities");
  fail(Errc::invalid_argument,
       "edge probabilities were built for another graph (with the same number of edges); build them "
       "from this graph");
}

void EdgeProbabilities::require_model(Model model) const {
  if (model == Model::lt) {
    if (!lt_ok_)
      fail(Errc::invalid_argument, "LT in-weights of node ", lt_node_, " sum to ", lt_sum_, ", above 1");
  } else if (model != Model::ic) {
    fail(Errc::invalid_argument, "unknown diffusion model ", static_cast<int>(model));
  }
}

namespace {
std::vector<double> values_of(const EdgeProbabilities& p) {
  return {p.values().begin(), p.values().end()};
}
}  // namespace

std::vector<double> constant_probabilities(const ReferralGraph& g, double p) {
  return values_of(EdgeProbabilities::constant(g, p));
}

std::vector<double> weighted_cascade(const ReferralGraph& g, bool use_weights) {
  return values_of(EdgeProbabilities::weighted_cascade(g, use_weights));
}

std::vector<double> trivalency(const ReferralGraph& g, std::uint64_t seed) {
  return values_of(EdgeProbabilities::trivalency(g, seed));
}

std::vector<double> given_probabilities(const ReferralGraph& g, std::span<const double> p) {
  return values_of(EdgeProbabilities::given(g, p));
}

std::vector<double> learned_probabilities(const ReferralGraph& g, std::span<const double> successes,
                                          std::span<const double> exposures, double prior_a, double prior_b) {
  return values_of(EdgeProbabilities::learned(g, successes, exposures, prior_a, prior_b));
}

// ---------------------------------------------------------------- simulation

std::vector<SpreadPart> spread_parts(const ReferralGraph& g, std::span<const node_t> seeds,
                                     const EdgeProbabilities& probs, const SpreadOptions& o,
                                     std::size_t first_task, std::size_t last_task) {
  probs.require_graph(g);
  probs.require_model(o.model);
  const std::span<const double> p = probs.values();
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
  if (first_task > last_task)
    fail(Errc::invalid_argument, "first_task (", first_task, ") must be <= last_task (", last_task, ")");
  last_task = std::min(last_task, tasks);
  first_task = std::min(first_task, last_task);
  const auto thr = o.model == Model::ic ? detail::ic_thresholds(p) : std::vector<std::uint64_t>{};
  std::vector<SpreadPart> parts(last_task - first_task);
  // Simulations are independent tasks (no barrier); each may walk every edge: one thread
  // per 2^22 edge visits at most, so a handful of small cascades stays on this thread.
  const auto threads = static_cast<int>(resolve_threads(
      o.threads, static_cast<std::uint64_t>(last_task - first_task) * (g.num_nodes() + g.num_edges()),
      std::uint64_t{1} << 22));
  parallel_for(
      parts.size(), threads,
      [&](std::size_t k) {
        const std::size_t t = first_task + k;
        const std::size_t b = task_begin(o.n_sims, t, tasks), e = task_begin(o.n_sims, t + 1, tasks);
        detail::Simulator sim(g, p, o.model, o.node_values, thr);
        Rng rng = stream(o.seed, t);
        SpreadPart& part = parts[k];
        if (timed) {
          part.hist.assign(o.time_bins.size() - 1, 0.0);
          Rng trng = stream(o.seed ^ 0x7d1e5ULL, t);  // its own streams: run() results stay unchanged
          for (std::size_t i = b; i < e; ++i) {
            if ((i - b) % 64 == 63 && task_should_stop()) return;  // cancelled: result discarded
            sim.run_timed(s, trng, o.delays, o.time_bins, part.hist);
          }
        }
        for (std::size_t i = b; i < e; ++i) {
          if ((i - b) % 64 == 63 && task_should_stop()) return;  // cancelled: result discarded
          auto [c, v] = sim.run(s, rng, &part.rounds);
          part.sum += c;
          part.sq += c * c;
          part.vsum += v;
          part.vsq += v * v;
        }
      },
      o.progress);
  return parts;
}

SpreadResult combine_spread(std::span<const SpreadPart> parts, std::size_t n_sims) {
  if (n_sims == 0) fail(Errc::invalid_argument, "n_sims must be > 0");
  if (parts.size() != simulation_tasks(n_sims))
    fail(Errc::invalid_argument, "combine_spread needs the parts of all ", simulation_tasks(n_sims),
         " tasks of ", n_sims, " simulations, got ", parts.size());
  SpreadResult r;
  r.n_sims = n_sims;
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
  const double n = static_cast<double>(n_sims);
  r.mean = sum / n;
  r.value_mean = vsum / n;
  if (n_sims > 1) {
    r.stderr_ = std::sqrt(std::max(0.0, (sq - n * r.mean * r.mean) / (n - 1.0)) / n);
    r.value_stderr = std::sqrt(std::max(0.0, (vsq - n * r.value_mean * r.value_mean) / (n - 1.0)) / n);
  }
  for (double& x : r.by_round) x /= n;
  for (double& x : r.by_time) x /= n;
  return r;
}

SpreadResult spread(const ReferralGraph& g, std::span<const node_t> seeds, const EdgeProbabilities& probs,
                    const SpreadOptions& o) {
  const auto parts = spread_parts(g, seeds, probs, o, 0, simulation_tasks(o.n_sims));
  return combine_spread(parts, o.n_sims);
}

SpreadResult spread(const ReferralGraph& g, std::span<const node_t> seeds, std::span<const double> p,
                    const SpreadOptions& o) {
  return spread(g, seeds, EdgeProbabilities::given(g, p), o);
}

double exact_spread(const ReferralGraph& g, std::span<const node_t> seeds, const EdgeProbabilities& probs,
                    Model model) {
  probs.require_graph(g);
  probs.require_model(model);
  const std::span<const double> p = probs.values();
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

double exact_spread(const ReferralGraph& g, std::span<const node_t> seeds, std::span<const double> p,
                    Model model) {
  return exact_spread(g, seeds, EdgeProbabilities::given(g, p), model);
}

FUNNELNET_END
