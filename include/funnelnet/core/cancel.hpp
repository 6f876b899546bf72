// Cancellation points inside long parallel_for tasks.
#pragma once

#include <chrono>
#include <cstdint>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

/// Call from inside a long parallel_for task every few thousand cheap steps (a
/// simulation, a journey, a sample): true means the job is stopping (its progress
/// callback said stop, e.g. Ctrl-C in Python, or another task failed) and the task
/// should return at once; its partial result is discarded, since the job then throws.
/// On the thread that called parallel_for it also calls the job's progress callback
/// about every 100 ms, so a job of a few long tasks still reacts to a cancel within a
/// fraction of a second.  Outside a parallel_for task it returns false.  Thread-safe and
/// cheap (one relaxed atomic load between heartbeats).
bool task_should_stop() noexcept;

/// The cancellation point of a long serial loop that runs outside parallel_for (CELF's
/// lazy-greedy rounds, IMM's greedy cover, a single-threaded sampler): each call costs
/// one clock read; about every 100 ms it calls `progress(done, total)` and throws
/// Errc::cancelled when that returns false (Ctrl-C in Python).  An empty progress makes
/// it a no-op.  The progress must outlive the checkpoint.
class SerialCheckpoint {
 public:
  explicit SerialCheckpoint(const Progress& progress) noexcept;
  void operator()(std::uint64_t done, std::uint64_t total);
  /// The same check, reporting the last (done, total) again (inside a long step).
  void operator()();

 private:
  const Progress* progress_;
  std::uint64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point next_;
};

FUNNELNET_END
