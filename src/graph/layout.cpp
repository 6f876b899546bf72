// Force-directed layout (declared in include/funnelnet/graph/layout.hpp).
#include "funnelnet/graph/layout.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/linalg.hpp"
#include "funnelnet/core/random.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {

/// Undirected adjacency (CSR) without self-loops: out- and in-neighbours of each node.
struct Undirected {
  std::vector<std::size_t> offsets;
  std::vector<node_t> nbrs;
};

Undirected undirected(const ReferralGraph& g) {
  const std::size_t n = g.num_nodes();
  const auto off = g.offsets();
  const auto tgt = g.targets();
  const auto ioff = g.in_offsets();
  const auto isrc = g.in_sources();
  Undirected u;
  u.offsets.assign(n + 1, 0);
  for (std::size_t v = 0; v < n; ++v) {
    std::size_t d = 0;
    for (edge_t e = off[v]; e < off[v + 1]; ++e) d += tgt[e] != v ? 1 : 0;
    for (edge_t e = ioff[v]; e < ioff[v + 1]; ++e) d += isrc[e] != v ? 1 : 0;
    u.offsets[v + 1] = u.offsets[v] + d;
  }
  u.nbrs.resize(u.offsets[n]);
  for (std::size_t v = 0; v < n; ++v) {
    std::size_t k = u.offsets[v];
    for (edge_t e = off[v]; e < off[v + 1]; ++e)
      if (tgt[e] != v) u.nbrs[k++] = tgt[e];
    for (edge_t e = ioff[v]; e < ioff[v + 1]; ++e)
      if (isrc[e] != v) u.nbrs[k++] = isrc[e];
  }
  return u;
}

/// Nodes bucketed into square cells of side `cell` (a counting sort).
struct Grid {
  double x0 = 0, y0 = 0, cell = 1;
  std::size_t nx = 1, ny = 1;
  std::vector<std::size_t> start;  // cell c holds order[start[c] .. start[c+1])
  std::vector<node_t> order;

  [[nodiscard]] std::size_t cx(double x) const {
    return std::min(nx - 1, static_cast<std::size_t>(std::max(0.0, (x - x0) / cell)));
  }
  [[nodiscard]] std::size_t cy(double y) const {
    return std::min(ny - 1, static_cast<std::size_t>(std::max(0.0, (y - y0) / cell)));
  }

  void build(const std::vector<double>& xy, double min_cell) {
    const std::size_t n = xy.size() / 2;
    double x1 = -std::numeric_limits<double>::infinity();
    double y1 = x1;
    x0 = std::numeric_limits<double>::infinity();
    y0 = x0;
    for (std::size_t v = 0; v < n; ++v) {
      x0 = std::min(x0, xy[2 * v]);
      x1 = std::max(x1, xy[2 * v]);
      y0 = std::min(y0, xy[2 * v + 1]);
      y1 = std::max(y1, xy[2 * v + 1]);
    }
    // At most about 4n cells: a spread-out layout gets coarser cells, never a huge grid.
    const double side = std::ceil(2.0 * std::sqrt(static_cast<double>(n))) + 1.0;
    cell = std::max({min_cell, (x1 - x0) / side, (y1 - y0) / side});
    nx = static_cast<std::size_t>((x1 - x0) / cell) + 1;
    ny = static_cast<std::size_t>((y1 - y0) / cell) + 1;
    start.assign(nx * ny + 1, 0);
    std::vector<std::size_t> cell_of(n);
    for (std::size_t v = 0; v < n; ++v) {
      cell_of[v] = cy(xy[2 * v + 1]) * nx + cx(xy[2 * v]);
      ++start[cell_of[v] + 1];
    }
    for (std::size_t c = 0; c < nx * ny; ++c) start[c + 1] += start[c];
    order.resize(n);
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t v = 0; v < n; ++v) order[fill[cell_of[v]]++] = static_cast<node_t>(v);
  }
};

/// Hop distances from `s` by BFS over the undirected adjacency, into `dist` (which must
/// hold -1 for every node of the component on entry); `queue` ends as the nodes reached,
/// in BFS order, so the caller can reset just those.
void bfs(const Undirected& adj, node_t s, std::vector<std::int32_t>& dist, std::vector<node_t>& queue) {
  queue.clear();
  queue.push_back(s);
  dist[s] = 0;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const node_t u = queue[head];
    for (std::size_t i = adj.offsets[u]; i < adj.offsets[u + 1]; ++i) {
      const node_t v = adj.nbrs[i];
      if (dist[v] < 0) {
        dist[v] = dist[u] + 1;
        queue.push_back(v);
      }
    }
  }
}

/// Pivot MDS (Brandes and Pich 2006) of one connected component (`members`, the BFS
/// order from its first node): hop distances to k max-min pivots, double-centred,
/// projected on the two leading right singular vectors, scaled to a mean edge length of
/// 1.  Writes the members' coordinates into `xy`; `dist` must be -1 on the component and
/// is left so; `local` (size n) is scratch.
void pivot_mds(const Undirected& adj, const std::vector<node_t>& members, std::size_t k, Rng& rng,
               std::vector<std::int32_t>& dist, std::vector<node_t>& queue, std::vector<node_t>& local,
               std::vector<double>& xy) {
  const std::size_t n = members.size();
  if (n == 1) {
    xy[2 * static_cast<std::size_t>(members[0])] = xy[2 * static_cast<std::size_t>(members[0]) + 1] = 0.0;
    return;
  }
  k = std::min(k, n);
  Eigen::MatrixXd c(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  std::vector<std::int64_t> mind(n, std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < n; ++i) local[members[i]] = static_cast<node_t>(i);
  auto index_of = [&](node_t v) -> std::size_t { return local[v]; };
  auto pivot =
      members[std::min<std::size_t>(n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)))];
  for (std::size_t j = 0; j < k; ++j) {
    bfs(adj, pivot, dist, queue);
    for (node_t v : queue) {
      const std::size_t i = index_of(v);
      const double d = dist[v];
      c(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = d * d;
      mind[i] = std::min<std::int64_t>(mind[i], dist[v]);
    }
    for (node_t v : queue) dist[v] = -1;
    std::size_t best = 0;  // the member farthest from every pivot so far (first such)
    for (std::size_t i = 1; i < n; ++i)
      if (mind[i] > mind[best]) best = i;
    pivot = members[best];
  }
  const Eigen::VectorXd col_mean = c.colwise().mean().transpose();
  const Eigen::VectorXd row_mean = c.rowwise().mean();
  const double grand = col_mean.mean();
  c.rowwise() -= col_mean.transpose();
  c.colwise() -= row_mean;
  c.array() += grand;
  c *= -0.5;
  Eigen::VectorXd x = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  Eigen::VectorXd y = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  if (k >= 2) {
    const Eigen::MatrixXd ctc = c.transpose() * c;
    Eigen::VectorXd values;
    Eigen::MatrixXd vectors;
    if (detail::symmetric_eigen(ctc, values, &vectors)) {
      const Eigen::Index last = static_cast<Eigen::Index>(k) - 1;  // eigenvalues ascend
      x = c * vectors.col(last);
      y = c * vectors.col(last - 1);
    }
  } else {  // two nodes
    x(1) = 1.0;
  }
  double total = 0;
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t e = adj.offsets[members[i]]; e < adj.offsets[members[i] + 1]; ++e) {
      const std::size_t j = index_of(adj.nbrs[e]);
      total += std::hypot(x(static_cast<Eigen::Index>(i)) - x(static_cast<Eigen::Index>(j)),
                          y(static_cast<Eigen::Index>(i)) - y(static_cast<Eigen::Index>(j)));
      ++m;
    }
  const double scale = m > 0 && total > 1e-12 ? static_cast<double>(m) / total : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    xy[2 * static_cast<std::size_t>(members[i])] = x(static_cast<Eigen::Index>(i)) * scale;
    xy[2 * static_cast<std::size_t>(members[i]) + 1] = y(static_cast<Eigen::Index>(i)) * scale;
  }
}

/// Start positions: each connected component by pivot MDS, the components packed in
/// rows (largest first, 2 apart) into a roughly square area.
std::vector<double> start_positions(const Undirected& adj, std::size_t n, std::size_t pivots,
                                    std::uint64_t seed) {
  std::vector<double> xy(2 * n, 0.0);
  std::vector<std::int32_t> dist(n, -1);
  std::vector<node_t> queue;
  queue.reserve(n);
  std::vector<bool> seen(n, false);
  std::vector<node_t> local(n);  // a node's index among its component's members
  struct Box {
    std::vector<node_t> members;
    double x0, y0, x1, y1;
  };
  std::vector<Box> boxes;
  Rng rng(seed, 0);
  for (std::size_t s = 0; s < n; ++s) {
    if (seen[s]) continue;
    bfs(adj, static_cast<node_t>(s), dist, queue);
    Box b{queue, 0, 0, 0, 0};
    for (node_t v : queue) {
      dist[v] = -1;
      seen[v] = true;
    }
    pivot_mds(adj, b.members, pivots, rng, dist, queue, local, xy);
    b.x0 = b.y0 = std::numeric_limits<double>::infinity();
    b.x1 = b.y1 = -std::numeric_limits<double>::infinity();
    for (node_t v : b.members) {
      b.x0 = std::min(b.x0, xy[2 * static_cast<std::size_t>(v)]);
      b.x1 = std::max(b.x1, xy[2 * static_cast<std::size_t>(v)]);
      b.y0 = std::min(b.y0, xy[2 * static_cast<std::size_t>(v) + 1]);
      b.y1 = std::max(b.y1, xy[2 * static_cast<std::size_t>(v) + 1]);
    }
    boxes.push_back(std::move(b));
  }
  std::stable_sort(boxes.begin(), boxes.end(),
                   [](const Box& a, const Box& b) { return a.members.size() > b.members.size(); });
  constexpr double gap = 2.0;
  double area = 0, widest = 0;
  for (const Box& b : boxes) {
    area += (b.x1 - b.x0 + gap) * (b.y1 - b.y0 + gap);
    widest = std::max(widest, b.x1 - b.x0 + gap);
  }
  const double row_width = std::max(widest, std::sqrt(area));
  double cx = 0, cy = 0, row_height = 0;
  for (const Box& b : boxes) {
    const double w = b.x1 - b.x0 + gap;
    const double h = b.y1 - b.y0 + gap;
    if (cx > 0 && cx + w > row_width) {
      cx = 0;
      cy -= row_height;
      row_height = 0;
    }
    for (node_t v : b.members) {
      xy[2 * static_cast<std::size_t>(v)] += cx - b.x0;
      xy[2 * static_cast<std::size_t>(v) + 1] += cy - b.y1;
    }
    cx += w;
    row_height = std::max(row_height, h);
  }
  return xy;
}

}  // namespace
}  // namespace detail

std::vector<double> layout(const ReferralGraph& g, const LayoutOptions& o) {
  if (!(std::isfinite(o.gravity) && o.gravity >= 0.0))
    fail(Errc::invalid_argument, "layout gravity must be finite and >= 0, got ", o.gravity);
  if (o.pivots < 2) fail(Errc::invalid_argument, "layout needs at least 2 pivots, got ", o.pivots);
  const std::size_t n = g.num_nodes();
  if (n == 0) return {};
  const detail::Undirected adj = detail::undirected(g);
  std::vector<double> xy = detail::start_positions(adj, n, o.pivots, o.seed);
  // A small seeded jitter separates nodes that pivot MDS put on one point (leaves of a hub).
  Rng jitter(o.seed, 1);
  for (double& c : xy) c += (jitter.uniform() - 0.5) * 0.1;
  if (n == 1 || o.iterations == 0) return xy;

  constexpr double k = 1.0;            // ideal edge length
  constexpr double reach = 2.0 * k;    // repulsion cut-off
  constexpr std::size_t crowded = 48;  // a cell with more nodes repels as one mass at its centroid
  constexpr std::size_t per_task = 2048;
  const std::size_t n_tasks = (n + per_task - 1) / per_task;
  std::vector<double> next(2 * n);
  detail::Grid grid;
  std::vector<double> cell_x, cell_y;
  constexpr double t0 = 1.0;  // the start has the shape: only local moves are needed
  // A barrier per iteration, of about 16 n + m work (neighbouring cells and edges): one
  // thread per 2^20 of it, as for PageRank.
  const auto threads =
      static_cast<int>(resolve_threads(o.threads, 16 * n + g.num_edges(), std::uint64_t{1} << 20));
  for (std::size_t it = 0; it < o.iterations; ++it) {
    const double temp =
        std::max(t0 * (1.0 - static_cast<double>(it) / static_cast<double>(o.iterations)), 1e-3);
    grid.build(xy, reach);
    const std::size_t n_cells = grid.nx * grid.ny;
    cell_x.assign(n_cells, 0.0);
    cell_y.assign(n_cells, 0.0);
    for (std::size_t c = 0; c < n_cells; ++c) {
      const std::size_t cnt = grid.start[c + 1] - grid.start[c];
      if (cnt <= crowded) continue;
      for (std::size_t i = grid.start[c]; i < grid.start[c + 1]; ++i) {
        cell_x[c] += xy[2 * static_cast<std::size_t>(grid.order[i])];
        cell_y[c] += xy[2 * static_cast<std::size_t>(grid.order[i]) + 1];
      }
      cell_x[c] /= static_cast<double>(cnt);
      cell_y[c] /= static_cast<double>(cnt);
    }
    double mx = 0, my = 0;
    for (std::size_t v = 0; v < n; ++v) {
      mx += xy[2 * v];
      my += xy[2 * v + 1];
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    parallel_for(n_tasks, threads, [&](std::size_t task) {
      const std::size_t lo = task * per_task;
      const std::size_t hi = std::min(n, lo + per_task);
      for (std::size_t v = lo; v < hi; ++v) {
        const double x = xy[2 * v];
        const double y = xy[2 * v + 1];
        double fx = 0, fy = 0;
        const std::size_t cx = grid.cx(x);
        const std::size_t cy = grid.cy(y);
        for (std::size_t gy = cy > 0 ? cy - 1 : 0; gy <= std::min(grid.ny - 1, cy + 1); ++gy) {
          for (std::size_t gx = cx > 0 ? cx - 1 : 0; gx <= std::min(grid.nx - 1, cx + 1); ++gx) {
            const std::size_t c = gy * grid.nx + gx;
            const std::size_t cnt = grid.start[c + 1] - grid.start[c];
            if (cnt > crowded) {  // the whole cell as one mass (less this node when it is inside)
              const bool own = gx == cx && gy == cy;
              const double w = static_cast<double>(cnt) - (own ? 1.0 : 0.0);
              double px = cell_x[c], py = cell_y[c];
              if (own) {
                px = (px * static_cast<double>(cnt) - x) / w;
                py = (py * static_cast<double>(cnt) - y) / w;
              }
              double dx = x - px, dy = y - py;
              double d2 = dx * dx + dy * dy;
              if (d2 < 1e-6) {  // at the centroid: a fixed direction per node
                const double a = static_cast<double>((v * 2654435761ULL) % 6283) / 1000.0;
                dx = std::cos(a) * 1e-3;
                dy = std::sin(a) * 1e-3;
                d2 = 1e-6;
              }
              const double f = w * k * k / d2;
              fx += dx * f;
              fy += dy * f;
              continue;
            }
            for (std::size_t i = grid.start[c]; i < grid.start[c + 1]; ++i) {
              const node_t u = grid.order[i];
              if (u == v) continue;
              double dx = x - xy[2 * static_cast<std::size_t>(u)];
              double dy = y - xy[2 * static_cast<std::size_t>(u) + 1];
              double d2 = dx * dx + dy * dy;
              if (d2 >= reach * reach) continue;
              if (d2 < 1e-18) {  // coincident nodes: push apart along a direction fixed by the pair
                const double a = static_cast<double>((v * 2654435761ULL + u) % 6283) / 1000.0;
                dx = std::cos(a) * 1e-6;
                dy = std::sin(a) * 1e-6;
                d2 = 1e-12;
              }
              const double f = k * k / d2;  // (k^2 / d) along the unit vector (dx, dy) / d
              fx += dx * f;
              fy += dy * f;
            }
          }
        }
        for (std::size_t i = adj.offsets[v]; i < adj.offsets[v + 1]; ++i) {
          const node_t u = adj.nbrs[i];
          const double dx = x - xy[2 * static_cast<std::size_t>(u)];
          const double dy = y - xy[2 * static_cast<std::size_t>(u) + 1];
          const double d = std::sqrt(dx * dx + dy * dy);
          const double f = d / k;  // (d^2 / k) along the unit vector
          fx -= dx * f;
          fy -= dy * f;
        }
        fx += o.gravity * (mx - x);
        fy += o.gravity * (my - y);
        const double len = std::sqrt(fx * fx + fy * fy);
        const double step = len > temp ? temp / len : 1.0;
        next[2 * v] = x + fx * step;
        next[2 * v + 1] = y + fy * step;
      }
    });
    xy.swap(next);
    if (o.progress && !o.progress(it + 1, o.iterations))
      fail(Errc::cancelled, "layout cancelled by the progress callback");
  }
  return xy;
}

FUNNELNET_END
