// Seeded Monte Carlo of the open pipeline for what the exact distribution cannot
// express: a common shock (a market factor moving every deal's odds together) and slips
// of close dates into the next period.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/parallel.hpp"

FUNNELNET_BEGIN

/// Settings of simulate_pipeline.
struct PipelineSimOptions {
  /// Number of simulated futures (> 0).
  std::size_t runs = 10000;
  /// Standard deviation of the common shock on the log-odds scale: in each run every
  /// deal's probability of winning within the horizon is logistic(logit(w) + z) with the
  /// same z ~ N(0, shock_sd^2); 0 = independent deals (>= 0).
  double shock_sd = 0.0;
  /// Probability that a won deal's close slips by one period (past the horizon: not won
  /// within it), in [0, 1].
  double slip = 0.0;
  /// Seed; the same seed gives the same result at any thread count.
  std::uint64_t seed = 0;
  /// Threads (0: from the work, resolve_threads in core/parallel.hpp); never changes a result.
  int threads = 0;
};

/// Won count and won revenue per run and period (row-major runs x periods: won *in*
/// that period, not cumulative).
struct PipelineSimResult {
  std::size_t runs = 0;
  std::size_t periods = 0;
  std::vector<double> count;
  std::vector<double> revenue;
};

/// Simulate `options.runs` futures of n deals: `p` holds P(deal i won in period k) as a
/// row-major n x periods table (row sums <= 1 + 1e-9), `amount` the n deal amounts.
/// Errors name the deal (row) and the value: probabilities outside [0, 1], rows summing
/// past 1, amounts negative or NaN; shape errors for mismatched lengths.  Runs are split
/// into fixed tasks of 16 runs, task t drawing from stream(seed, t).
PipelineSimResult simulate_pipeline(std::span<const double> p, std::size_t periods,
                                    std::span<const double> amount, const PipelineSimOptions& options = {},
                                    const Progress& progress = {});

FUNNELNET_END
