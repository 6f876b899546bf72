// Simulating leads through a chain, seeded and independent of the thread count.
#include "funnelnet/funnel/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"

FUNNELNET_BEGIN

EventLog simulate_events(const MarkovChain& chain, std::size_t start, std::size_t n_leads,
                         const SimulateOptions& options) {
  const std::size_t n = chain.size();
  if (start >= n) fail(Errc::out_of_range, "start stage index ", start, " is outside [0, ", n, ")");
  std::vector<double> dwell = options.mean_dwell;
  if (dwell.empty()) dwell.assign(n, 1.0);
  require_size(dwell.size(), n, "mean_dwell");
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::isfinite(dwell[i]) && dwell[i] > 0.0))
      fail(Errc::invalid_argument, "mean_dwell for stage '", chain.space().name(i),
           "' must be finite and > 0, got ", dwell[i]);
  if (options.first_lead % simulate_block != 0)
    fail(Errc::invalid_argument, "first_lead must be a multiple of ", simulate_block, ", got ",
         options.first_lead);
  if (n_leads > std::numeric_limits<std::size_t>::max() - options.first_lead)
    fail(Errc::out_of_range, "first_lead + n_leads overflows: ", options.first_lead, " + ", n_leads);
  // Cumulative rows for inverse-CDF sampling.
  Matrix cum = chain.matrix();
  for (Eigen::Index i = 0; i < cum.rows(); ++i)
    for (Eigen::Index j = 1; j < cum.cols(); ++j) cum(i, j) += cum(i, j - 1);

  constexpr std::size_t block = simulate_block;
  const std::size_t n_blocks = (n_leads + block - 1) / block;
  const std::size_t first_block = options.first_lead / block;
  std::vector<EventLog> parts(n_blocks);
  // threads = 0: from the work, a lead taken as one draw and row scan per stage.
  const auto work = static_cast<std::uint64_t>(n_leads) * (n + 1);
  parallel_for(
      n_blocks, static_cast<int>(resolve_threads(options.threads, work, step_grain)),
      [&](std::size_t b) {
        Rng rng = stream(options.seed, first_block + b);
        EventLog& out = parts[b];
        const std::size_t first = options.first_lead + b * block;
        const std::size_t last = options.first_lead + std::min(n_leads, b * block + block);
        for (std::size_t l = first; l < last; ++l) {
          if ((l - first) % 256 == 255 && task_should_stop()) return;  // cancelled: result discarded
          std::size_t s = start;
          double t = 0.0;
          out.lead.push_back(static_cast<std::int64_t>(l));
          out.time.push_back(t);
          out.stage.push_back(static_cast<std::int32_t>(s));
          for (std::size_t step = 0; step < options.max_steps && !chain.space().is_absorbing(s); ++step) {
            t += rng.exponential(1.0 / dwell[s]);
            const double u = rng.uniform();
            std::size_t next = 0;
            const auto row = static_cast<Eigen::Index>(s);
            while (next + 1 < n && cum(row, static_cast<Eigen::Index>(next)) <= u) ++next;
            s = next;
            out.lead.push_back(static_cast<std::int64_t>(l));
            out.time.push_back(t);
            out.stage.push_back(static_cast<std::int32_t>(s));
          }
        }
      },
      options.progress);
  EventLog all;
  std::size_t total = 0;
  for (const auto& p : parts) total += p.lead.size();
  all.lead.reserve(total);
  all.time.reserve(total);
  all.stage.reserve(total);
  for (const auto& p : parts) {
    all.lead.insert(all.lead.end(), p.lead.begin(), p.lead.end());
    all.time.insert(all.time.end(), p.time.begin(), p.time.end());
    all.stage.insert(all.stage.end(), p.stage.begin(), p.stage.end());
  }
  return all;
}

FUNNELNET_END
