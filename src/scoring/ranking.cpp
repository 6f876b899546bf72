// The 1-99 lead score and priority tiers (see funnelnet/scoring/ranking.hpp).
#include "funnelnet/scoring/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

FUNNELNET_BEGIN

std::vector<std::int32_t> score_1_99(std::span<const double> p) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      fail(Errc::invalid_argument, "p[", i, "] must be a probability in [0, 1], got ", p[i]);
  std::vector<std::int32_t> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)  // nearbyint: the default mode rounds halves to even
    out[i] = static_cast<std::int32_t>(std::clamp(std::nearbyint(100.0 * p[i]), 1.0, 99.0));
  return out;
}

std::vector<std::int32_t> priority_tiers(std::span<const double> score, std::span<const double> shares) {
  if (shares.empty()) fail(Errc::invalid_argument, "shares is empty: give at least one tier share");
  double total = 0.0;
  for (std::size_t t = 0; t < shares.size(); ++t) {
    if (!(std::isfinite(shares[t]) && shares[t] >= 0.0))
      fail(Errc::invalid_argument, "shares[", t, "] must be finite and >= 0, got ", shares[t]);
    total += shares[t];
  }
  if (!(std::abs(total - 1.0) <= 1e-8 + 1e-5))
    fail(Errc::invalid_argument, "shares must sum to 1, got ", total);
  for (std::size_t i = 0; i < score.size(); ++i)
    if (std::isnan(score[i])) fail(Errc::invalid_argument, "score[", i, "] is NaN");
  const std::size_t n = score.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  // bounds as numpy: rint(cumsum(shares) * n)
  std::vector<double> bound(shares.size());
  double cum = 0.0;
  for (std::size_t t = 0; t < shares.size(); ++t) {
    cum += shares[t];
    bound[t] = std::nearbyint(cum * static_cast<double>(n));
  }
  const auto last = static_cast<std::int32_t>(shares.size() - 1);
  std::vector<std::int32_t> tier(n);
  std::size_t t = 0;
  for (std::size_t r = 0; r < n; ++r) {
    while (t < bound.size() && bound[t] <= static_cast<double>(r)) ++t;  // searchsorted(..., side="right")
    tier[order[r]] = std::min(static_cast<std::int32_t>(t), last);
  }
  return tier;
}

FUNNELNET_END
