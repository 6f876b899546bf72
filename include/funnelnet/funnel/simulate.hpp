// Simulating leads through a chain: seeded, parallel, and independent of the thread
// count (leads are simulated in fixed blocks, block b drawing from stream(seed, b)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/funnel/chain.hpp"

FUNNELNET_BEGIN

/// A simulated event log in columns: lead[r] entered stage[r] at time[r].
struct EventLog {
  std::vector<std::int64_t> lead;
  std::vector<double> time;
  std::vector<std::int32_t> stage;
};

/// Options for simulate_events().
struct SimulateOptions {
  std::uint64_t seed = 0;
  /// Mean time spent in each stage per step (exponential dwell times); empty = 1 for
  /// every stage.  Must have one finite, positive entry per stage when given.
  std::vector<double> mean_dwell;
  /// Stop a lead after this many steps even if it has not been absorbed.
  std::size_t max_steps = 1000;
  int threads = 0;  ///< 0: from the work (resolve_threads); >0: at most that many; same result at any count
  /// Simulate leads [first_lead, first_lead + n_leads) of the seeded stream (lead ids
  /// count from first_lead): the runs of disjoint ranges, concatenated, are exactly the
  /// log of one run over their union.  Must be a multiple of simulate_block (each block
  /// of leads draws from its own random stream).
  std::size_t first_lead = 0;
  /// Called as blocks of leads finish; returning false cancels (Errc::cancelled).
  Progress progress;
};

/// Leads per random stream in simulate_events (first_lead must be a multiple of it).
inline constexpr std::size_t simulate_block = 4096;

/// Simulate `n_leads` leads starting in stage `start`; each lead records one event per
/// step (self-transitions of transient stages included) until it is absorbed.
EventLog simulate_events(const MarkovChain& chain, std::size_t start, std::size_t n_leads,
                         const SimulateOptions& options = {});

FUNNELNET_END
