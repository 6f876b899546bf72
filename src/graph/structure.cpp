// Structure of a referral graph (declared in include/funnelnet/graph/structure.hpp).
#include "funnelnet/graph/structure.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "funnelnet/core/scc.hpp"

FUNNELNET_BEGIN

std::vector<std::int64_t> Components::sizes() const {
  std::vector<std::int64_t> s(count, 0);
  for (auto l : label) ++s[static_cast<std::size_t>(l)];
  return s;
}

namespace detail {
namespace {
Components relabel(std::vector<std::int64_t> raw) {
  Components c;
  std::vector<std::int64_t> map(raw.size(), -1);
  c.label.resize(raw.size());
  for (std::size_t v = 0; v < raw.size(); ++v) {
    auto& m = map[static_cast<std::size_t>(raw[v])];
    if (m < 0) m = static_cast<std::int64_t>(c.count++);
    c.label[v] = m;
  }
  return c;
}
}  // namespace
}  // namespace detail

std::vector<std::int64_t> core_numbers(const ReferralGraph& g) {
  const std::size_t n = g.num_nodes();
  const auto off = g.offsets();
  const auto tg = g.targets();
  const auto ioff = g.in_offsets();
  const auto isrc = g.in_sources();
  for (std::size_t u = 0; u < n; ++u)
    for (edge_t e = off[u]; e < off[u + 1]; ++e)
      if (tg[e] == u)
        fail(Errc::invalid_argument, "core numbers are undefined with self-loops; node ",
             g.id(static_cast<node_t>(u)), " has one (build with self_loops 'drop')");
  std::vector<std::int64_t> deg(n);
  std::int64_t maxd = 0;
  for (std::size_t u = 0; u < n; ++u) {
    deg[u] = static_cast<std::int64_t>((off[u + 1] - off[u]) + (ioff[u + 1] - ioff[u]));
    maxd = std::max(maxd, deg[u]);
  }
  std::vector<std::size_t> bin(static_cast<std::size_t>(maxd) + 2, 0), pos(n), vert(n);
  for (std::size_t u = 0; u < n; ++u) ++bin[static_cast<std::size_t>(deg[u])];
  std::size_t start = 0;
  for (auto& b : bin) {
    const std::size_t c = b;
    b = start;
    start += c;
  }
  for (std::size_t u = 0; u < n; ++u) {
    pos[u] = bin[static_cast<std::size_t>(deg[u])]++;
    vert[pos[u]] = u;
  }
  for (std::size_t d = bin.size() - 1; d > 0; --d) bin[d] = bin[d - 1];
  bin[0] = 0;
  auto lower = [&](std::size_t v, std::size_t u) {
    if (deg[v] > deg[u]) {
      const auto dv = static_cast<std::size_t>(deg[v]);
      const std::size_t pw = bin[dv];
      const std::size_t w = vert[pw];
      if (w != v) {
        std::swap(vert[pos[v]], vert[pw]);
        pos[w] = pos[v];
        pos[v] = pw;
      }
      ++bin[dv];
      --deg[v];
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t u = vert[i];
    for (edge_t e = off[u]; e < off[u + 1]; ++e) lower(tg[e], u);
    for (edge_t e = ioff[u]; e < ioff[u + 1]; ++e) lower(isrc[e], u);
  }
  return deg;
}

Components weak_components(const ReferralGraph& g) {
  const std::size_t n = g.num_nodes();
  std::vector<std::int64_t> parent(n);
  std::iota(parent.begin(), parent.end(), std::int64_t{0});
  auto find = [&](std::int64_t x) {
    while (parent[static_cast<std::size_t>(x)] != x) {
      auto& p = parent[static_cast<std::size_t>(x)];
      p = parent[static_cast<std::size_t>(p)];
      x = p;
    }
    return x;
  };
  const auto off = g.offsets();
  const auto tg = g.targets();
  for (std::size_t u = 0; u < n; ++u)
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      auto a = find(static_cast<std::int64_t>(u)), b = find(tg[e]);
      if (a != b) parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
    }
  for (std::size_t v = 0; v < n; ++v) parent[v] = find(static_cast<std::int64_t>(v));
  return detail::relabel(std::move(parent));
}

Components strong_components(const ReferralGraph& g) {
  const std::size_t n = g.num_nodes();
  std::vector<std::int64_t> raw;
  detail::strong_components_csr(n, g.offsets().data(), g.targets().data(), raw);
  return detail::relabel(std::move(raw));
}

Cascades cascades(const ReferralGraph& g, std::span<const node_t> roots, int threads,
                  const Progress& progress) {
  const std::size_t n = g.num_nodes();
  Cascades c;
  if (roots.empty()) {
    c.roots.resize(n);
    std::iota(c.roots.begin(), c.roots.end(), node_t{0});
  } else {
    for (std::size_t i = 0; i < roots.size(); ++i)
      if (roots[i] >= n)
        fail(Errc::out_of_range, "root ", i, " is node ", roots[i], ", outside [0, ", n, ")");
    c.roots.assign(roots.begin(), roots.end());
  }
  const std::size_t r = c.roots.size();
  c.size.resize(r);
  c.depth.resize(r);
  c.breadth.resize(r);
  c.virality.resize(r);
  const auto off = g.offsets();
  const auto tg = g.targets();
  const std::size_t n_tasks = std::min<std::size_t>(r, 64);
  // Searches from r roots, (n + m) at most together when the cascades do not overlap:
  // one thread per 2^20 of it.
  const auto used =
      static_cast<int>(resolve_threads(threads, g.num_nodes() + g.num_edges(), std::uint64_t{1} << 20));
  parallel_for(
      n_tasks, used,
      [&](std::size_t task) {
        std::vector<std::int64_t> dist(n, -1);
        std::vector<node_t> order, parent(n);
        std::vector<double> sub(n);
        for (std::size_t k = task; k < r; k += n_tasks) {
          const node_t s = c.roots[k];
          order.clear();
          order.push_back(s);
          dist[s] = 0;
          for (std::size_t h = 0; h < order.size(); ++h) {
            const node_t u = order[h];
            for (edge_t e = off[u]; e < off[u + 1]; ++e) {
              const node_t v = tg[e];
              if (dist[v] < 0) {
                dist[v] = dist[u] + 1;
                parent[v] = u;
                order.push_back(v);
              }
            }
          }
          const std::size_t size = order.size();
          std::int64_t depth = 0, breadth = 0, level_count = 0, level = 0;
          for (node_t u : order) {
            if (dist[u] != level) {
              breadth = std::max(breadth, level_count);
              level = dist[u];
              level_count = 0;
            }
            ++level_count;
            depth = std::max(depth, dist[u]);
          }
          breadth = std::max(breadth, level_count);
          double wiener = 0.0;
          for (node_t u : order) sub[u] = 1.0;
          for (std::size_t h = size; h-- > 1;) {
            const node_t u = order[h];
            wiener += sub[u] * (static_cast<double>(size) - sub[u]);
            sub[parent[u]] += sub[u];
          }
          c.size[k] = static_cast<std::int64_t>(size);
          c.depth[k] = depth;
          c.breadth[k] = breadth;
          c.virality[k] = size > 1
                              ? wiener / (static_cast<double>(size) * static_cast<double>(size - 1) / 2.0)
                              : std::numeric_limits<double>::quiet_NaN();
          for (node_t u : order) dist[u] = -1;
        }
      },
      progress);
  return c;
}

ReferralConversion referral_conversion(const ReferralGraph& g, std::span<const double> outcome) {
  const std::size_t n = g.num_nodes();
  require_size(outcome.size(), n, "outcome");
  for (std::size_t v = 0; v < n; ++v)
    if (!std::isnan(outcome[v]) && !(outcome[v] >= 0.0 && outcome[v] <= 1.0))
      fail(Errc::invalid_argument, "outcome of node ", g.id(static_cast<node_t>(v)),
           " must be in [0, 1] or NaN (unknown), got ", outcome[v]);
  ReferralConversion r;
  r.referred.assign(n, 0);
  r.converted.assign(n, 0.0);
  r.rate.assign(n, std::numeric_limits<double>::quiet_NaN());
  const auto off = g.offsets();
  const auto tg = g.targets();
  for (std::size_t u = 0; u < n; ++u) {
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      const double y = outcome[tg[e]];
      if (std::isnan(y)) continue;
      ++r.referred[u];
      r.converted[u] += y;
    }
    if (r.referred[u] > 0) r.rate[u] = r.converted[u] / static_cast<double>(r.referred[u]);
  }
  return r;
}

FUNNELNET_END
