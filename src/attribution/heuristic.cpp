// Heuristic attribution (declared in funnelnet/attribution/heuristic.hpp).
#include "funnelnet/attribution/heuristic.hpp"

#include <algorithm>
#include <cmath>

FUNNELNET_BEGIN

HeuristicResult heuristic_attribution(const PathSet& paths, const HeuristicOptions& options,
                                      std::span<const double> age) {
  if (!(std::isfinite(options.half_life) && options.half_life > 0.0))
    fail(Errc::invalid_argument, "half_life must be finite and > 0, got ", options.half_life);
  require_probability(options.first_weight, "first_weight");
  require_probability(options.last_weight, "last_weight");
  if (options.first_weight + options.last_weight > 1.0 + 1e-12)
    fail(Errc::invalid_argument, "first_weight + last_weight must be <= 1, got ",
         options.first_weight + options.last_weight);
  if (options.repeats != Repeats::keep && options.repeats != Repeats::collapse)
    fail(Errc::invalid_argument, "repeats must be keep (0) or collapse (1), got ",
         static_cast<int>(options.repeats));
  if (!age.empty()) {
    require_size(age.size(), paths.touches().size(), "age");
    for (std::size_t k = 0; k < age.size(); ++k)
      if (!(std::isfinite(age[k]) && age[k] >= 0.0))
        fail(Errc::invalid_argument, "touch ", k, ": age must be finite and >= 0, got ", age[k]);
  }
  const auto nc = static_cast<Eigen::Index>(paths.n_channels());
  HeuristicResult res{Matrix::Zero(nc, n_heuristics), Matrix::Zero(nc, n_heuristics)};
  std::vector<std::int32_t> ch;
  std::vector<double> ag, w;
  const double ln2 = std::log(2.0);
  for (std::size_t p = 0; p < paths.size(); ++p) {
    const double conv = paths.conversions()[p];
    const double val = paths.values()[p];
    if (conv == 0.0 && val == 0.0) continue;
    const auto touches = paths.path(p);
    const auto first = static_cast<std::size_t>(paths.offsets()[p]);
    ch.clear();
    ag.clear();
    for (std::size_t k = 0; k < touches.size(); ++k) {
      const double a = age.empty() ? static_cast<double>(touches.size() - 1 - k) : age[first + k];
      if (options.repeats == Repeats::collapse && !ch.empty() && ch.back() == touches[k]) {
        ag.back() = a;  // the run's most recent touch
        continue;
      }
      ch.push_back(touches[k]);
      ag.push_back(a);
    }
    if (age.empty() && options.repeats == Repeats::collapse)
      for (std::size_t k = 0; k < ch.size(); ++k) ag[k] = static_cast<double>(ch.size() - 1 - k);
    const std::size_t m = ch.size();
    auto add = [&](int model, std::int32_t c, double share) {
      res.conversions(c, model) += share * conv;
      res.value(c, model) += share * val;
    };
    add(0, ch.front(), 1.0);
    add(1, ch.back(), 1.0);
    // Time decay: weights relative to the most recent touch, so no underflow to 0/0.
    double amin = ag[0];
    for (double a : ag) amin = std::min(amin, a);
    w.assign(m, 0.0);
    double wsum = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      w[k] = std::exp(-(ag[k] - amin) * ln2 / options.half_life);
      wsum += w[k];
    }
    for (std::size_t k = 0; k < m; ++k) {
      add(2, ch[k], 1.0 / static_cast<double>(m));
      add(3, ch[k], w[k] / wsum);
    }
    if (m == 1) {
      add(4, ch[0], 1.0);
    } else if (m == 2) {
      const double s = options.first_weight + options.last_weight;
      const double f = s > 0.0 ? options.first_weight / s : 0.5;
      add(4, ch[0], f);
      add(4, ch[1], 1.0 - f);
    } else {
      add(4, ch[0], options.first_weight);
      add(4, ch[m - 1], options.last_weight);
      const double mid = (1.0 - options.first_weight - options.last_weight) / static_cast<double>(m - 2);
      for (std::size_t k = 1; k + 1 < m; ++k) add(4, ch[k], mid);
    }
  }
  return res;
}

FUNNELNET_END
