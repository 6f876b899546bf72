// Private to the compiled graph area: seed and value checks and the IC / LT simulator
// shared by diffusion.cpp and influence.cpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <queue>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "funnelnet/core/random.hpp"
#include "funnelnet/graph/diffusion.hpp"

FUNNELNET_BEGIN
namespace detail {

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
FUNNELNET_END
