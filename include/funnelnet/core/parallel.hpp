// parallel_for over a fixed set of tasks, and the progress callback used by long jobs.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// Progress callback for long jobs: called with (work done, total work) from the
/// calling thread only; return false to cancel (the job then throws Errc::cancelled).
using Progress = std::function<bool(std::uint64_t done, std::uint64_t total)>;

/// Number of threads to use: `requested` if > 0, else the hardware concurrency.
inline unsigned resolve_threads(int requested) noexcept {
  if (requested > 0) return static_cast<unsigned>(requested);
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1U : hw;
}

namespace detail {
/// A type-erased loop body: `call(context, task)`.  Cheap to copy, never owns.
struct TaskFn {
  void* context;
  void (*call)(void* context, std::size_t task);
};

/// Runs `fn` for every task in [0, n_tasks) on the calling thread and up to
/// `n_threads - 1` workers of the process-wide persistent thread pool (created on first
/// use, grown on demand, never torn down while jobs run).  Defined in src/core/parallel.cpp.
void run_parallel(std::size_t n_tasks, unsigned n_threads, TaskFn fn, const Progress& progress);

/// Number of worker threads the pool holds now (for tests and diagnostics).
std::size_t pool_size() noexcept;
}  // namespace detail

/// Run body(task) for task in [0, n_tasks) on up to `threads` threads (0 = all cores).
/// Tasks are claimed dynamically, so results must depend only on the task index (draw
/// randomness from stream(seed, task)) to be independent of the thread count.  The
/// first exception thrown by a task is rethrown here after all threads stop.  If
/// `progress` is set it is called from this thread as tasks finish; returning false
/// stops the remaining tasks and throws Errc::cancelled.
///
/// The workers come from one persistent pool (no thread is spawned per call); a
/// parallel_for called from inside a task runs that inner loop on the calling thread.
template <class Body>
void parallel_for(std::size_t n_tasks, int threads, Body&& body, const Progress& progress = {}) {
  if (n_tasks == 0) return;
  const unsigned n_threads = static_cast<unsigned>(std::min<std::size_t>(resolve_threads(threads), n_tasks));
  using B = std::remove_reference_t<Body>;
  detail::TaskFn fn{const_cast<void*>(static_cast<const void*>(std::addressof(body))),
                    [](void* ctx, std::size_t task) { (*static_cast<B*>(ctx))(task); }};
  detail::run_parallel(n_tasks, n_threads, fn, progress);
}

FUNNELNET_END
