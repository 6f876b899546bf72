// Monte Carlo of the open pipeline (declared in include/funnelnet/pipeline/simulate.hpp).
#include "funnelnet/pipeline/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"

FUNNELNET_BEGIN

PipelineSimResult simulate_pipeline(std::span<const double> p, std::size_t periods,
                                    std::span<const double> amount, const PipelineSimOptions& options,
                                    const Progress& progress) {
  if (periods == 0) fail(Errc::invalid_argument, "horizon must be at least 1 period, got 0");
  if (options.runs == 0) fail(Errc::invalid_argument, "runs must be > 0");
  if (!(options.shock_sd >= 0.0) || !std::isfinite(options.shock_sd))
    fail(Errc::invalid_argument, "shock_sd must be finite and >= 0, got ", options.shock_sd);
  require_probability(options.slip, "slip");
  const std::size_t n = amount.size();
  require_size(p.size(), n * periods, "probability table (deals x periods)");
  std::vector<double> total(n, 0.0);
  std::vector<double> cum(n * periods, 0.0);  // conditional CDF of the period given a win
  for (std::size_t i = 0; i < n; ++i) {
    if (!(amount[i] >= 0.0) || !std::isfinite(amount[i]))
      fail(Errc::invalid_argument, "amount of deal ", i, " must be finite and >= 0, got ", amount[i]);
    double s = 0.0;
    for (std::size_t k = 0; k < periods; ++k) {
      const double x = p[i * periods + k];
      if (!(x >= 0.0 && x <= 1.0))
        fail(Errc::invalid_argument, "probability of deal ", i, " in period ", k, " must be in [0, 1], got ",
             x);
      s += x;
      cum[i * periods + k] = s;
    }
    if (s > 1.0 + 1e-9)
      fail(Errc::invalid_argument, "probabilities of deal ", i, " sum to ", s, " over the horizon (> 1)");
    total[i] = std::min(s, 1.0);
    if (s > 0.0)
      for (std::size_t k = 0; k < periods; ++k) cum[i * periods + k] /= s;
  }
  PipelineSimResult r;
  r.runs = options.runs;
  r.periods = periods;
  r.count.assign(options.runs * periods, 0.0);
  r.revenue.assign(options.runs * periods, 0.0);
  constexpr std::size_t kRunsPerTask = 16;
  const std::size_t tasks = (options.runs + kRunsPerTask - 1) / kRunsPerTask;
  // threads = 0: from the work, a few draws and a search of the periods per (run, deal).
  const auto work = static_cast<std::uint64_t>(options.runs) * (n + 1) * 4;
  parallel_for(
      tasks, static_cast<int>(resolve_threads(options.threads, work, step_grain)),
      [&](std::size_t t) {
        Rng rng = stream(options.seed, t);
        const std::size_t end = std::min(options.runs, (t + 1) * kRunsPerTask);
        for (std::size_t run = t * kRunsPerTask; run < end; ++run) {
          double z = 0.0;
          if (options.shock_sd > 0.0) {  // Box-Muller
            const double u1 = 1.0 - rng.uniform();
            const double u2 = rng.uniform();
            z = options.shock_sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
          }
          const double ez = std::exp(z);
          double* cnt = r.count.data() + run * periods;
          double* rev = r.revenue.data() + run * periods;
          for (std::size_t i = 0; i < n; ++i) {
            const double w = total[i];
            if (w <= 0.0) continue;
            const double ws = (w >= 1.0 || z == 0.0) ? w : w * ez / (1.0 - w + w * ez);
            if (!(rng.uniform() < ws)) continue;
            const double u = rng.uniform();
            const double* c = cum.data() + i * periods;
            std::size_t k = static_cast<std::size_t>(std::upper_bound(c, c + periods, u) - c);
            k = std::min(k, periods - 1);
            if (options.slip > 0.0 && rng.uniform() < options.slip) ++k;
            if (k >= periods) continue;
            cnt[k] += 1.0;
            rev[k] += amount[i];
          }
        }
      },
      progress);
  return r;
}

FUNNELNET_END
