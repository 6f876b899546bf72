// Isotonic regression and Platt scaling (see funnelnet/scoring/calibration.hpp).
#include "funnelnet/scoring/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "funnelnet/scoring/logistic.hpp"

FUNNELNET_BEGIN

IsotonicFit isotonic_fit(std::span<const double> x, std::span<const double> y,
                         std::span<const double> weight) {
  const std::size_t n = x.size();
  if (n == 0) fail(Errc::empty_input, "no rows: x is empty");
  require_size(y.size(), n, "y");
  if (!weight.empty()) require_size(weight.size(), n, "sample_weight");
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) fail(Errc::invalid_argument, "x[", i, "] must be finite, got ", x[i]);
    if (!std::isfinite(y[i])) fail(Errc::invalid_argument, "y[", i, "] must be finite, got ", y[i]);
    const double w = weight.empty() ? 1.0 : weight[i];
    if (!(std::isfinite(w) && w >= 0.0))
      fail(Errc::invalid_argument, "sample_weight[", i, "] must be finite and >= 0, got ", w);
    total += w;
  }
  if (!(total > 0.0)) fail(Errc::invalid_argument, "sample_weight sums to 0");
  std::vector<std::pair<double, std::uint32_t>> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = {x[i], static_cast<std::uint32_t>(i)};
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Pool equal scores, then pool adjacent violators (blocks on a stack).
  std::vector<double> bx, by, bw;  // distinct x, weighted mean y, weight
  for (std::size_t k = 0; k < n;) {
    const double xv = order[k].first;
    double sw = 0.0, swy = 0.0;
    for (; k < n && order[k].first == xv; ++k) {
      const auto i = order[k].second;
      const double w = weight.empty() ? 1.0 : weight[i];
      sw += w;
      swy += w * y[i];
    }
    if (sw > 0.0) {
      bx.push_back(xv);
      by.push_back(swy / sw);
      bw.push_back(sw);
    }
  }
  const std::size_t m = bx.size();
  std::vector<double> sv, sw;      // block values and weights
  std::vector<std::size_t> start;  // first distinct index of each block
  for (std::size_t k = 0; k < m; ++k) {
    sv.push_back(by[k]);
    sw.push_back(bw[k]);
    start.push_back(k);
    while (sv.size() > 1 && sv[sv.size() - 2] >= sv.back()) {
      const double w = sw[sw.size() - 2] + sw.back();
      const double v = (sv[sv.size() - 2] * sw[sw.size() - 2] + sv.back() * sw.back()) / w;
      sv.pop_back();
      sw.pop_back();
      start.pop_back();
      sv.back() = v;
      sw.back() = w;
    }
  }
  IsotonicFit out;
  out.x = bx;
  out.y.resize(m);
  for (std::size_t b = 0; b < sv.size(); ++b) {
    const std::size_t end = b + 1 < sv.size() ? start[b + 1] : m;
    for (std::size_t k = start[b]; k < end; ++k) out.y[k] = sv[b];
  }
  return out;
}

FUNNELNET_END

FUNNELNET_BEGIN

PlattFit platt_fit(std::span<const double> score, std::span<const double> y, std::span<const double> weight,
                   bool smooth) {
  const std::size_t n = score.size();
  if (n == 0) fail(Errc::empty_input, "no rows: score is empty");
  require_size(y.size(), n, "y");
  if (!weight.empty()) require_size(weight.size(), n, "sample_weight");
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(score[i]))
      fail(Errc::invalid_argument, "score[", i, "] must be finite, got ", score[i]);
  const auto [pos, neg] = detail::class_weights(y, weight);
  LogisticModel m;
  if (smooth) {
    const double t_pos = (pos + 1.0) / (pos + 2.0), t_neg = 1.0 / (neg + 2.0);
    Matrix X(static_cast<Eigen::Index>(2 * n), 1);
    std::vector<double> yy(2 * n), ww(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
      const double wi = weight.empty() ? 1.0 : weight[i], t = y[i] == 1.0 ? t_pos : t_neg;
      X(static_cast<Eigen::Index>(i), 0) = X(static_cast<Eigen::Index>(n + i), 0) = score[i];
      yy[i] = 1.0;
      yy[n + i] = 0.0;
      ww[i] = wi * t;
      ww[n + i] = wi * (1.0 - t);
    }
    m = fit_logistic(X, yy, ww);
  } else {
    const Eigen::Map<const Matrix> X(score.data(), static_cast<Eigen::Index>(n), 1);
    m = fit_logistic(X, y, weight);
  }
  return {m.intercept, m.coef[0], m.converged()};
}

FUNNELNET_END
