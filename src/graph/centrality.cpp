// Influence ranking (declared in include/funnelnet/graph/centrality.hpp).
#include "funnelnet/graph/centrality.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "funnelnet/core/random.hpp"

FUNNELNET_BEGIN

namespace detail {
IterativeResult pagerank_iterate(const ReferralGraph& g, const PageRankOptions& o,
                                 const std::vector<double>& p, const std::vector<double>& d,
                                 const std::vector<double>& inv);
namespace {

std::vector<double> normalised(std::span<const double> v, std::size_t n, const char* what) {
  require_size(v.size(), n, what);
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(std::isfinite(v[i]) && v[i] >= 0.0))
      fail(Errc::invalid_argument, what, " at node ", i, " must be finite and >= 0, got ", v[i]);
    s += v[i];
  }
  if (!(s > 0.0)) fail(Errc::invalid_argument, what, " sums to 0; it must have a positive entry");
  std::vector<double> out(v.begin(), v.end());
  for (double& x : out) x /= s;
  return out;
}

/// Split [0, n) into a fixed number of chunks independent of the thread count.
std::size_t chunk_count(std::size_t n, std::size_t per = 4096) {
  return std::max<std::size_t>(1, (n + per - 1) / per);
}

}  // namespace
}  // namespace detail

std::vector<double> degree(const ReferralGraph& g, DegreeKind kind, bool weighted) {
  const std::size_t n = g.num_nodes();
  std::vector<double> d(n, 0.0);
  const auto off = g.offsets();
  const auto tg = g.targets();
  const auto w = g.weights();
  for (std::size_t u = 0; u < n; ++u)
    for (edge_t e = off[u]; e < off[u + 1]; ++e) {
      const double x = weighted ? w[e] : 1.0;
      if (kind != DegreeKind::in) d[u] += x;
      if (kind != DegreeKind::out) d[tg[e]] += x;
    }
  return d;
}

IterativeResult pagerank(const ReferralGraph& g, const PageRankOptions& o) {
  const std::size_t n = g.num_nodes();
  if (n == 0) fail(Errc::empty_input, "pagerank on an empty graph");
  if (!(o.damping > 0.0 && o.damping <= 1.0))
    fail(Errc::invalid_argument, "damping must lie in (0, 1], got ", o.damping);
  if (!(o.tolerance > 0.0)) fail(Errc::invalid_argument, "tolerance must be > 0, got ", o.tolerance);
  std::vector<double> p = o.personalization.empty()
                              ? std::vector<double>(n, 1.0 / static_cast<double>(n))
                              : detail::normalised(o.personalization, n, "personalization");
  std::vector<double> d;
  if (o.dangling == Dangling::personalization)
    d = p;
  else if (o.dangling == Dangling::uniform)
    d.assign(n, 1.0 / static_cast<double>(n));
  else if (o.dangling == Dangling::custom)
    d = detail::normalised(o.dangling_weights, n, "dangling_weights");
  else
    fail(Errc::invalid_argument, "unknown dangling policy ", static_cast<int>(o.dangling));
  const auto off = g.offsets();
  const auto w = g.weights();
  std::vector<double> inv(n, 0.0);
  for (std::size_t u = 0; u < n; ++u) {
    double s = 0.0;
    if (o.weighted)
      for (edge_t e = off[u]; e < off[u + 1]; ++e) s += w[e];
    else
      s = static_cast<double>(off[u + 1] - off[u]);
    if (s > 0.0) inv[u] = 1.0 / s;
  }
  return detail::pagerank_iterate(g, o, p, d, inv);
}

namespace detail {
namespace {

/// The pull iteration over the reverse CSR, one fused pass per iteration: node v sums
/// the contributions x[u] / out(u) of its in-neighbours, and the same pass writes v's
/// own next contribution, its change and (for dangling v) its rank for the next
/// iteration's dangling sum, summed per fixed chunk then in chunk order, so the result
/// does not depend on the thread count.  `Off` is a 32-bit copy of the offsets when the
/// graph has fewer than 2^32 edges.
///
/// Unweighted graphs gather the contributions as floats (half the random-access bytes)
/// while the L1 change is at least `kFloatPhase`.  Float rounding moves an iterate by at
/// most damping * 2^-24 < 5.1e-8 in L1 (the contributions sum to at most 1), so the
/// fixed point by at most 3.4e-7 at damping 0.85: 30x below kFloatPhase.  When the
/// stopping threshold n * tolerance is below kFloatPhase the last iterations run in
/// double, and the result is a double power iteration's meeting the same stopping
/// rule; otherwise the float iterate is returned (rescaled to sum 1), off by far less
/// than the threshold.
constexpr double kFloatPhase = 1e-5;

/// Work (edges + nodes per iteration) worth one thread in the iterative rankings
/// (PageRank, Katz), for threads = 0: see resolve_threads.
constexpr std::uint64_t kIterationGrain = std::uint64_t{1} << 20;

/// How many in-edges ahead the power iteration's gathers prefetch: 128 was the fastest
/// of 16, 32, 64, 128 and 256 on 10^6 nodes / 10^7 random edges (1 thread, load 12).
constexpr std::size_t kPrefetchEdges = 128;

template <class Off>
IterativeResult pull_iterations(const ReferralGraph& g, const PageRankOptions& o,
                                const std::vector<double>& p, const std::vector<double>& d,
                                const std::vector<double>& inv, const Off* ioff) {
  const std::size_t n = g.num_nodes();
  const node_t* isrc = g.in_sources().data();
  const edge_t* iedge = g.in_edges().data();
  const double* w = g.weights().data();
  const bool weighted = o.weighted;
  const double a = o.damping;
  // Uniform teleport and dangling distributions are constants (two arrays less to read).
  const bool uniform = o.personalization.empty() && o.dangling != Dangling::custom;
  // The double contributions are allocated when a double pass needs them (weighted, or
  // leaving the float phase), the float ones only for unweighted graphs: a run that ends
  // in the float phase never touches 16 bytes a node of them.
  std::vector<double> x(n, 1.0 / static_cast<double>(n)), next(n), contrib, ncontrib;
  std::vector<float> fcontrib, nfcontrib;
  double dsum = 0.0;
  if (weighted) {
    contrib.resize(n);
    ncontrib.resize(n);
    for (std::size_t u = 0; u < n; ++u) contrib[u] = x[u] * inv[u];
  } else {
    fcontrib.resize(n);
    nfcontrib.resize(n);
    for (std::size_t u = 0; u < n; ++u) fcontrib[u] = static_cast<float>(x[u] * inv[u]);
  }
  for (std::size_t u = 0; u < n; ++u)
    if (inv[u] == 0.0) dsum += x[u];
  // Float rounding also leaks mass (a double iteration keeps sum x = 1 up to rounding):
  // leaving the float phase rescales x to sum 1 and, to go on in double, recomputes what
  // depends on it.
  auto renormalise = [&](bool go_on) {
    double total = 0.0;
    for (double v : x) total += v;
    for (double& v : x) v /= total;
    if (!go_on) return;
    contrib.resize(n);
    ncontrib.resize(n);
    dsum = 0.0;
    for (std::size_t u = 0; u < n; ++u) {
      contrib[u] = x[u] * inv[u];
      if (inv[u] == 0.0) dsum += x[u];
    }
  };
  const std::size_t chunks = chunk_count(n);
  const std::size_t per = (n + chunks - 1) / chunks;
  std::vector<double> err(chunks), dang(chunks);
  const double target = static_cast<double>(n) * o.tolerance;
  bool float_now = !weighted;  // the first iterations gather floats (unweighted only)
  // threads = 0: one thread under 2 * kIterationGrain (edges + nodes) per iteration.  A
  // pass over 2^21 edges takes about a millisecond: handing chunks to a second thread
  // cost more than it saved below that (0.57x on the Epinions-sized graph at load 3).
  // Chunks are fixed, so the result is the same at any thread count.
  const int threads = static_cast<int>(resolve_threads(o.threads, g.num_edges() + n, kIterationGrain));
  const std::size_t m_in = ioff[n];
  enum Mode { float_gather, double_gather, weighted_gather };
  // One chunk of a pass.  A float pass writes the float contributions only, the others
  // the double ones only (each phase reads what it wrote).  The gathers prefetch the
  // contribution kPrefetchEdges in-edges ahead: the gathered array (4 bytes a node in
  // the float phase) outgrows the L2 cache on large graphs, and a random gather then
  // waits on the L3; prefetching overlaps those waits (8.0 -> 6.6 ns per edge on 10^7
  // random edges, 1 thread).  It does not change what is summed.
  auto pass = [&](auto mode_c, auto uniform_c, std::size_t c, const double* cx, const double* cc,
                  const float* fc, double* nx, double* nc, float* nfc, double ds) {
    constexpr Mode mode = decltype(mode_c)::value;
    constexpr bool uni = decltype(uniform_c)::value;
    const double pu = 1.0 / static_cast<double>(n);
    const std::size_t b = c * per, e = std::min(n, b + per);
    double local = 0.0, dl = 0.0;
    for (std::size_t v = b; v < e; ++v) {
      double s = 0.0;
      const std::size_t k0 = ioff[v], k1 = ioff[v + 1];
      const bool ahead = k1 + kPrefetchEdges <= m_in;  // every prefetched index exists
      if constexpr (mode == weighted_gather) {
        if (ahead)
          for (std::size_t k = k0; k < k1; ++k) {
            __builtin_prefetch(cc + isrc[k + kPrefetchEdges]);
            s += cc[isrc[k]] * w[iedge[k]];
          }
        else
          for (std::size_t k = k0; k < k1; ++k) s += cc[isrc[k]] * w[iedge[k]];
      } else if constexpr (mode == float_gather) {
        if (ahead)
          for (std::size_t k = k0; k < k1; ++k) {
            __builtin_prefetch(fc + isrc[k + kPrefetchEdges]);
            s += static_cast<double>(fc[isrc[k]]);
          }
        else
          for (std::size_t k = k0; k < k1; ++k) s += static_cast<double>(fc[isrc[k]]);
      } else {
        if (ahead)
          for (std::size_t k = k0; k < k1; ++k) {
            __builtin_prefetch(cc + isrc[k + kPrefetchEdges]);
            s += cc[isrc[k]];
          }
        else
          for (std::size_t k = k0; k < k1; ++k) s += cc[isrc[k]];
      }
      const double pv = uni ? pu : p[v], dv = uni ? pu : d[v];
      const double nv = a * (s + ds * dv) + (1.0 - a) * pv;
      local += std::abs(nv - cx[v]);
      nx[v] = nv;
      const double q = nv * inv[v];
      if constexpr (mode == float_gather)
        nfc[v] = static_cast<float>(q);
      else
        nc[v] = q;
      dl += inv[v] == 0.0 ? nv : 0.0;
    }
    err[c] = local;
    dang[c] = dl;
  };
  for (std::size_t it = 1; it <= o.max_iter; ++it) {
    const double* cx = x.data();
    const double* cc = contrib.data();
    const float* fc = fcontrib.data();
    double* nx = next.data();
    double* nc = ncontrib.data();
    float* nfc = nfcontrib.data();
    const double ds = dsum;
    const Mode mode = weighted ? weighted_gather : float_now ? float_gather : double_gather;
    parallel_for(chunks, threads, [&, cx, cc, fc, nx, nc, nfc, ds, mode](std::size_t c) {
      using FG = std::integral_constant<Mode, float_gather>;
      using DG = std::integral_constant<Mode, double_gather>;
      using WG = std::integral_constant<Mode, weighted_gather>;
      using U = std::true_type;
      using NU = std::false_type;
      if (uniform) {
        if (mode == float_gather) return pass(FG{}, U{}, c, cx, cc, fc, nx, nc, nfc, ds);
        if (mode == double_gather) return pass(DG{}, U{}, c, cx, cc, fc, nx, nc, nfc, ds);
        return pass(WG{}, U{}, c, cx, cc, fc, nx, nc, nfc, ds);
      }
      if (mode == float_gather) return pass(FG{}, NU{}, c, cx, cc, fc, nx, nc, nfc, ds);
      if (mode == double_gather) return pass(DG{}, NU{}, c, cx, cc, fc, nx, nc, nfc, ds);
      return pass(WG{}, NU{}, c, cx, cc, fc, nx, nc, nfc, ds);
    });
    x.swap(next);
    contrib.swap(ncontrib);
    fcontrib.swap(nfcontrib);
    double total = 0.0;
    dsum = 0.0;
    for (std::size_t c = 0; c < chunks; ++c) {
      total += err[c];
      dsum += dang[c];
    }
    if (total < target && (!float_now || target >= kFloatPhase)) {
      if (float_now) renormalise(false);
      return {std::move(x), it};
    }
    if (float_now && total < kFloatPhase) {
      float_now = false;
      renormalise(true);
    }
  }
  fail(Errc::not_converged, "pagerank did not converge in ", o.max_iter, " iterations (tolerance ",
       o.tolerance, ")");
}

/// Gauss-Seidel sweeps for graphs below 2 * kIterationGrain (edges + nodes), where one
/// thread does the work anyway: the same fixed point as the power iteration in fewer
/// passes (10 instead of 17 on the Epinions-sized benchmark graph).  A sweep updates node
/// v in place from the current contributions of its in-neighbours (already swept ones
/// new, the rest old), in node order, so the result does not depend on the thread
/// count.  Floats are gathered while a sweep's L1 change is at least kFloatPhase
/// (unweighted only), doubles after.
///
/// The sweeps solve x = G x for the Google matrix G = alpha (W^T + d 1_dangling^T) +
/// (1 - alpha) p 1^T, whose Perron vector scaled to sum 1 is the PageRank: x is kept up
/// to a scale, sigma = sum x and the dangling sum are updated with every node, and the
/// teleport term is (1 - alpha) sigma p.  Rescaling x after each sweep instead costs a
/// pass; not rescaling at all (teleport (1 - alpha) p) leaves a mass error that decays
/// only at rate alpha (22 passes instead of 11 on that graph, checking at 2 n tol).
///
/// The stopping rule is networkx's, tested on the returned vector itself: once a sweep
/// changes x / sigma by less than kCheckRatio * n * tolerance, x is rescaled to sum 1 and
/// one power-iteration step y = G(x) is taken in double; if sum |y - x| < n * tolerance,
/// y is returned (exactly the test a power iteration's last step passes, so the same
/// bound |y - x*| <= alpha / (1 - alpha) * n * tolerance holds), else the sweeps go on
/// from y.  Every sweep and every check step counts as one iteration.
// 5: fewest passes over Epinions-sized, wiki-Vote and 1.5M-edge power-law and uniform
// graphs at tolerances 1e-8 to 1e-12 (116 in all; 129 at 1, 119 at 8, 126 at 20): a
// check that fails still advances x by one power-iteration step.
constexpr double kCheckRatio = 5.0;

template <class Off>
IterativeResult gauss_seidel_iterations(const ReferralGraph& g, const PageRankOptions& o,
                                        const std::vector<double>& p, const std::vector<double>& d,
                                        const std::vector<double>& inv, const Off* ioff) {
  const std::size_t n = g.num_nodes();
  const node_t* isrc = g.in_sources().data();
  const edge_t* iedge = g.in_edges().data();
  const double* w = g.weights().data();
  const double a = o.damping;
  // Uniform teleport and dangling distributions are constants (two arrays less to read).
  const bool uniform = o.personalization.empty() && o.dangling != Dangling::custom;
  // x: sigma times the iterate (sigma = sum x); c: x * inv (double sweeps, the check
  // step), fc: x * inv as float (float sweeps); dsum: x over dangling nodes.
  std::vector<double> x(n, 1.0 / static_cast<double>(n)), c(n), y(n);
  std::vector<float> fc(n);
  double dsum = 0.0, sigma = 1.0;
  auto refresh = [&](double scale) {
    dsum = 0.0;
    for (std::size_t u = 0; u < n; ++u) {
      x[u] *= scale;
      c[u] = x[u] * inv[u];
      fc[u] = static_cast<float>(c[u]);
      if (inv[u] == 0.0) dsum += x[u];
    }
  };
  enum Mode { float_gather, double_gather, weighted_gather };
  // One sweep; returns its L1 change.  A float sweep writes fc only, the others c only.
  auto sweep = [&](auto mode_c, auto uniform_c) {
    constexpr Mode mode = decltype(mode_c)::value;
    constexpr bool uni = decltype(uniform_c)::value;
    const double pu = 1.0 / static_cast<double>(n), tele = 1.0 - a;
    double change = 0.0;
    for (std::size_t v = 0; v < n; ++v) {
      double s = 0.0;
      const std::size_t k0 = ioff[v], k1 = ioff[v + 1];
      if constexpr (mode == weighted_gather) {
        for (std::size_t k = k0; k < k1; ++k) s += c[isrc[k]] * w[iedge[k]];
      } else if constexpr (mode == float_gather) {
        for (std::size_t k = k0; k < k1; ++k) s += static_cast<double>(fc[isrc[k]]);
      } else {
        for (std::size_t k = k0; k < k1; ++k) s += c[isrc[k]];
      }
      const double pv = uni ? pu : p[v], dv = uni ? pu : d[v];
      const double nv = a * (s + dsum * dv) + tele * sigma * pv;
      const double old = x[v];
      change += std::abs(nv - old);
      sigma += nv - old;
      x[v] = nv;
      const double iv = inv[v];
      if constexpr (mode == float_gather)
        fc[v] = static_cast<float>(nv * iv);
      else
        c[v] = nv * iv;
      if (iv == 0.0) dsum += nv - old;
    }
    return change;
  };
  auto run_sweep = [&](Mode m) {
    using FG = std::integral_constant<Mode, float_gather>;
    using DG = std::integral_constant<Mode, double_gather>;
    using WG = std::integral_constant<Mode, weighted_gather>;
    if (uniform) {
      if (m == float_gather) return sweep(FG{}, std::true_type{});
      if (m == double_gather) return sweep(DG{}, std::true_type{});
      return sweep(WG{}, std::true_type{});
    }
    if (m == float_gather) return sweep(FG{}, std::false_type{});
    if (m == double_gather) return sweep(DG{}, std::false_type{});
    return sweep(WG{}, std::false_type{});
  };
  refresh(1.0);
  const double target = static_cast<double>(n) * o.tolerance;
  Mode mode = o.weighted ? weighted_gather : float_gather;
  std::size_t it = 0;
  while (it < o.max_iter) {
    ++it;
    const double change = run_sweep(mode) / sigma;
    // A float sweep switches to doubles below kFloatPhase.  The check step is in double
    // either way (a float sweep that reaches kCheckRatio * target has target above
    // kFloatPhase / kCheckRatio = 2e-6, above the float rounding of the fixed point, 3.4e-7).
    if (mode == float_gather && change < kFloatPhase) {
      mode = double_gather;
      for (std::size_t u = 0; u < n; ++u) c[u] = x[u] * inv[u];
    }
    if (change >= kCheckRatio * target || it == o.max_iter) continue;
    // The check step: one power iteration in double from x rescaled to sum 1 (summed
    // anew: sigma carries the rounding of its updates).
    double total = 0.0;
    for (const double v : x) total += v;
    refresh(1.0 / total);
    ++it;
    double err = 0.0;
    for (std::size_t v = 0; v < n; ++v) {
      double s = 0.0;
      const std::size_t k0 = ioff[v], k1 = ioff[v + 1];
      if (o.weighted)
        for (std::size_t k = k0; k < k1; ++k) s += c[isrc[k]] * w[iedge[k]];
      else
        for (std::size_t k = k0; k < k1; ++k) s += c[isrc[k]];
      y[v] = a * (s + dsum * d[v]) + (1.0 - a) * p[v];
      err += std::abs(y[v] - x[v]);
    }
    x.swap(y);
    if (err < target) return {std::move(x), it};
    refresh(1.0);
    sigma = 1.0;
  }
  fail(Errc::not_converged, "pagerank did not converge in ", o.max_iter, " iterations (tolerance ",
       o.tolerance, ")");
}

}  // namespace

IterativeResult pagerank_iterate(const ReferralGraph& g, const PageRankOptions& o,
                                 const std::vector<double>& p, const std::vector<double>& d,
                                 const std::vector<double>& inv) {
  const auto ioff = g.in_offsets();
  // Below 2 * kIterationGrain one thread does the work at threads = 0: Gauss-Seidel
  // (sequential, fewer passes); above, the parallel power iteration.  Chosen by size
  // only, so the result does not depend on the thread count.
  const bool sweep = g.num_edges() + g.num_nodes() < 2 * kIterationGrain;
  if (g.num_edges() < std::numeric_limits<std::uint32_t>::max()) {
    std::vector<std::uint32_t> off32(ioff.begin(), ioff.end());
    return sweep ? gauss_seidel_iterations(g, o, p, d, inv, off32.data())
                 : pull_iterations(g, o, p, d, inv, off32.data());
  }
  return pull_iterations(g, o, p, d, inv, ioff.data());
}
}  // namespace detail

namespace detail {
namespace {
/// Largest eigenvalue (spectral radius) of the (weighted) adjacency matrix, for Katz's
/// bound alpha < 1 / lambda_max: power iteration on A^T + I (non-negative, so its
/// spectral radius is lambda_max + 1 and the shift removes the oscillation of periodic
/// graphs), up to 10,000 steps or a relative change below 1e-10.
double spectral_radius(const ReferralGraph& g, bool weighted) {
  const std::size_t n = g.num_nodes();
  const auto ioff = g.in_offsets();
  const auto isrc = g.in_sources();
  const auto iedge = g.in_edges();
  const auto w = g.weights();
  std::vector<double> x(n, 1.0 / std::sqrt(static_cast<double>(n))), y(n);
  double lambda = 0.0;
  for (int it = 0; it < 10000; ++it) {
    double norm = 0.0;
    for (std::size_t v = 0; v < n; ++v) {
      double s = x[v];
      for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) s += x[isrc[k]] * (weighted ? w[iedge[k]] : 1.0);
      y[v] = s;
      norm += s * s;
    }
    norm = std::sqrt(norm);
    if (!(norm > 0.0) || !std::isfinite(norm)) break;
    for (std::size_t v = 0; v < n; ++v) x[v] = y[v] / norm;
    const bool done = std::abs(norm - lambda) <= 1e-10 * norm;
    lambda = norm;
    if (done) break;
  }
  return std::max(0.0, lambda - 1.0);
}

[[noreturn]] void katz_failed(const ReferralGraph& g, const KatzOptions& o, bool diverged) {
  const double lambda = spectral_radius(g, o.weighted);
  const double bound = lambda > 0.0 ? 1.0 / lambda : std::numeric_limits<double>::infinity();
  if (o.alpha >= bound || diverged)
    fail(Errc::not_converged, "katz diverged: alpha ", o.alpha, " is at or above 1 / lambda_max = ", bound,
         " (lambda_max = ", lambda, ", the largest eigenvalue of the ", o.weighted ? "weighted " : "",
         "adjacency matrix); use alpha < ", bound);
  fail(Errc::not_converged, "katz did not converge in ", o.max_iter, " iterations (tolerance ", o.tolerance,
       "); alpha ", o.alpha, " is below 1 / lambda_max = ", bound, ": raise max_iter or loosen tol");
}
}  // namespace
}  // namespace detail

IterativeResult katz(const ReferralGraph& g, const KatzOptions& o) {
  const std::size_t n = g.num_nodes();
  if (n == 0) fail(Errc::empty_input, "katz on an empty graph");
  require_finite(o.alpha, "alpha");
  require_finite(o.beta, "beta");
  if (!o.betas.empty()) {
    require_size(o.betas.size(), n, "betas");
    for (std::size_t i = 0; i < n; ++i) require_finite(o.betas[i], "betas entry");
  }
  const auto ioff = g.in_offsets();
  const auto isrc = g.in_sources();
  const auto iedge = g.in_edges();
  const auto w = g.weights();
  std::vector<double> x(n, 0.0), next(n);
  const std::size_t chunks = detail::chunk_count(n);
  const std::size_t per = (n + chunks - 1) / chunks;
  std::vector<double> err(chunks);
  const int threads =
      static_cast<int>(resolve_threads(o.threads, g.num_edges() + n, detail::kIterationGrain));
  for (std::size_t it = 1; it <= o.max_iter; ++it) {
    parallel_for(chunks, threads, [&](std::size_t c) {
      const std::size_t b = c * per, e = std::min(n, b + per);
      double local = 0.0;
      for (std::size_t v = b; v < e; ++v) {
        double s = 0.0;
        for (edge_t k = ioff[v]; k < ioff[v + 1]; ++k) s += x[isrc[k]] * (o.weighted ? w[iedge[k]] : 1.0);
        const double nv = o.alpha * s + (o.betas.empty() ? o.beta : o.betas[v]);
        local += std::abs(nv - x[v]);
        next[v] = nv;
      }
      err[c] = local;
    });
    x.swap(next);
    double total = 0.0;
    for (double e : err) total += e;
    if (!std::isfinite(total)) detail::katz_failed(g, o, true);
    if (total < static_cast<double>(n) * o.tolerance) {
      if (o.normalized) {
        double s = 0.0;
        for (double v : x) s += v * v;
        s = std::sqrt(s);
        if (s > 0.0)
          for (double& v : x) v /= s;
      }
      return {std::move(x), it};
    }
  }
  detail::katz_failed(g, o, false);
}

std::vector<double> betweenness(const ReferralGraph& g, const BetweennessOptions& o) {
  const std::size_t n = g.num_nodes();
  if (n == 0) fail(Errc::empty_input, "betweenness on an empty graph");
  std::vector<node_t> src;
  bool subset = false;
  if (!o.sources.empty()) {
    if (o.samples > 0) fail(Errc::invalid_argument, "give either sources or samples, not both");
    for (std::size_t i = 0; i < o.sources.size(); ++i)
      if (o.sources[i] >= n)
        fail(Errc::out_of_range, "source ", i, " is node ", o.sources[i], ", outside [0, ", n, ")");
    src.assign(o.sources.begin(), o.sources.end());
    std::sort(src.begin(), src.end());
    src.erase(std::unique(src.begin(), src.end()), src.end());
    subset = true;
  } else if (o.samples > 0) {
    if (o.samples > n) fail(Errc::out_of_range, "samples ", o.samples, " exceeds the ", n, " nodes");
    std::vector<node_t> all(n);
    std::iota(all.begin(), all.end(), node_t{0});
    Rng rng = stream(o.seed, 0);
    for (std::size_t i = 0; i < o.samples; ++i) std::swap(all[i], all[i + rng.below(n - i)]);
    src.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(o.samples));
    subset = true;
  } else {
    src.resize(n);
    std::iota(src.begin(), src.end(), node_t{0});
  }
  const std::size_t n_tasks = std::min<std::size_t>(src.size(), 32);
  std::vector<std::vector<double>> partial(n_tasks);
  const auto off = g.offsets();
  const auto tg = g.targets();
  // A breadth-first search from every source: (n + m) per source; 2^22 is worth a thread.
  const auto threads = static_cast<int>(resolve_threads(
      o.threads, static_cast<std::uint64_t>(src.size()) * (n + g.num_edges()), std::uint64_t{1} << 22));
  parallel_for(
      n_tasks, threads,
      [&](std::size_t task) {
        std::vector<double> acc(n, 0.0), sigma(n, 0.0), delta(n, 0.0);
        std::vector<std::int64_t> dist(n, -1);
        std::vector<node_t> order;
        order.reserve(n);
        for (std::size_t k = task; k < src.size(); k += n_tasks) {
          const node_t s = src[k];
          order.clear();
          sigma[s] = 1.0;
          dist[s] = 0;
          order.push_back(s);
          for (std::size_t h = 0; h < order.size(); ++h) {
            const node_t u = order[h];
            for (edge_t e = off[u]; e < off[u + 1]; ++e) {
              const node_t v = tg[e];
              if (dist[v] < 0) {
                dist[v] = dist[u] + 1;
                order.push_back(v);
              }
              if (dist[v] == dist[u] + 1) sigma[v] += sigma[u];
            }
          }
          for (std::size_t h = order.size(); h-- > 0;) {
            const node_t u = order[h];
            for (edge_t e = off[u]; e < off[u + 1]; ++e) {
              const node_t v = tg[e];
              if (dist[v] == dist[u] + 1) delta[u] += sigma[u] / sigma[v] * (1.0 + delta[v]);
            }
            if (u != s) acc[u] += delta[u];
          }
          for (node_t u : order) {
            sigma[u] = 0.0;
            delta[u] = 0.0;
            dist[u] = -1;
          }
        }
        partial[task] = std::move(acc);
      },
      o.progress);
  std::vector<double> bc(n, 0.0);
  for (const auto& p : partial)
    for (std::size_t v = 0; v < n; ++v) bc[v] += p[v];
  if (n <= 2) return bc;
  const double norm = o.normalized ? 1.0 / (static_cast<double>(n - 1) * static_cast<double>(n - 2)) : 1.0;
  if (!subset || src.size() == n) {
    if (norm != 1.0)
      for (double& v : bc) v *= norm;
    return bc;
  }
  // Sampled sources (networkx >= 3.5 estimator): a non-source node is averaged over k
  // sources, a source node over the k - 1 others (its own source adds nothing).
  const double k = static_cast<double>(src.size());
  const double nm1 = static_cast<double>(n - 1);
  const double non_source = nm1 / k * norm;
  const double source = k > 1 ? nm1 / (k - 1) * norm : std::numeric_limits<double>::quiet_NaN();
  std::vector<char> is_source(n, 0);
  for (node_t s : src) is_source[s] = 1;
  for (std::size_t v = 0; v < n; ++v) bc[v] *= is_source[v] ? source : non_source;
  return bc;
}

FUNNELNET_END
