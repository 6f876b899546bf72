// Segments: empirical-Bayes shrinkage toward the pooled chain and the likelihood-ratio test.
#include "funnelnet/funnel/segments.hpp"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>

#include "funnelnet/core/labels.hpp"
#include "funnelnet/core/math.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {
/// Dirichlet-multinomial log marginal of the row counts `c` (segments x states) under
/// Dirichlet(alpha p), up to terms free of alpha.
double dm_log_marginal(const std::vector<Vector>& rows, const Vector& p, double alpha) {
  double ll = 0.0;
  for (const Vector& c : rows) {
    const double nsum = c.sum();
    ll += detail::log_gamma(alpha) - detail::log_gamma(nsum + alpha);
    for (Eigen::Index j = 0; j < c.size(); ++j)
      if (p(j) > 0.0) ll += detail::log_gamma(c(j) + alpha * p(j)) - detail::log_gamma(alpha * p(j));
  }
  return ll;
}

/// Golden-section search for the alpha maximising the marginal, on log(alpha) in
/// [log 1e-3, log 1e7] (a concentration at the upper end means the segments look alike).
double best_concentration(const std::vector<Vector>& rows, const Vector& p) {
  double a = std::log(1e-3), b = std::log(1e7);
  const double g = 0.5 * (std::sqrt(5.0) - 1.0);
  double x1 = b - g * (b - a), x2 = a + g * (b - a);
  double f1 = dm_log_marginal(rows, p, std::exp(x1)), f2 = dm_log_marginal(rows, p, std::exp(x2));
  for (int it = 0; it < 200 && b - a > 1e-8; ++it) {
    if (f1 < f2) {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = dm_log_marginal(rows, p, std::exp(x2));
    } else {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = dm_log_marginal(rows, p, std::exp(x1));
    }
  }
  return std::exp(0.5 * (a + b));
}
}  // namespace
}  // namespace detail

SegmentFit fit_segments(const std::vector<TransitionCounts>& segments, const std::vector<std::string>& names,
                        const SegmentOptions& options) {
  if (segments.empty()) fail(Errc::empty_input, "no segments given");
  require_size(names.size(), segments.size(), "segment names");
  const Labels labels(names, "segment");
  const StageSpace& space = segments[0].space();
  bool any = false;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (!(segments[s].space() == space))
      fail(Errc::invalid_argument, "segment '", names[s], "' has a different stage space from segment '",
           names[0], "'");
    any = any || segments[s].total() > 0.0;
  }
  if (!any) {
    std::string all;
    for (const auto& nm : names) all += (all.empty() ? "'" : ", '") + nm + "'";
    fail(Errc::empty_input, "no segment has data (no transitions counted in ", all, ")");
  }
  const double set = options.concentration, cap = options.max_concentration;
  if (!std::isnan(set) && !(std::isfinite(set) && set >= 0.0))
    fail(Errc::invalid_argument, "concentration must be finite and >= 0 (or NaN to fit it), got ", set);
  if (!(cap >= 0.0)) fail(Errc::invalid_argument, "max_concentration must be >= 0, got ", cap);
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix pooled_counts = Matrix::Zero(n, n);
  for (const auto& c : segments) pooled_counts += c.matrix();
  SegmentFit out;
  out.names = names;
  out.pooled = fit(TransitionCounts(space, pooled_counts), {0.0, EmptyRows::absorbing});
  out.concentration = Vector::Zero(n);
  const Matrix& pp = out.pooled.matrix();
  std::vector<Matrix> shrunk(segments.size(), Matrix::Zero(n, n));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (auto& m : shrunk) {
      if (space.is_absorbing(i) || pooled_counts.row(i).sum() <= 0.0) m.row(i) = pp.row(i);
    }
    if (space.is_absorbing(i) || pooled_counts.row(i).sum() <= 0.0) continue;
    std::vector<Vector> rows;
    double s_i = 0.0, k_i = 0.0;
    for (const auto& c : segments) {
      const Vector r = c.matrix().row(i).transpose();
      if (r.sum() > 0.0) {
        rows.push_back(r);
        s_i += 1.0;
      }
    }
    const Vector p = pp.row(i).transpose();
    for (Eigen::Index j = 0; j < n; ++j) k_i += pooled_counts(i, j) > 0.0 ? 1.0 : 0.0;
    double alpha = std::isnan(set) ? (rows.size() >= 2 ? detail::best_concentration(rows, p) : 1e7) : set;
    alpha = std::min(alpha, cap);
    out.concentration(i) = alpha;
    for (std::size_t s = 0; s < segments.size(); ++s) {
      const Vector c = segments[s].matrix().row(i).transpose();
      const double ns = c.sum();
      // No data and no prior weight (alpha = 0): nothing to estimate from, the pooled row.
      if (ns + alpha > 0.0)
        shrunk[s].row(i) = ((c + alpha * p) / (ns + alpha)).transpose();
      else
        shrunk[s].row(i) = p.transpose();
      for (Eigen::Index j = 0; j < n; ++j)
        if (c(j) > 0.0) out.statistic += 2.0 * c(j) * std::log(c(j) / (ns * p(j)));
    }
    out.df += (s_i - 1.0) * (k_i - 1.0);
  }
  out.statistic = std::max(0.0, out.statistic);
  out.p_value = out.df > 0.0 ? boost::math::cdf(boost::math::complement(
                                   boost::math::chi_squared_distribution<double>(out.df), out.statistic))
                             : 1.0;
  for (auto& m : shrunk) out.shrunk.emplace_back(space, std::move(m), 1e-9);
  return out;
}

FUNNELNET_END
