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

/// Cores this process may run on: the CPUs of its affinity mask (taskset, cgroup
/// cpusets, a container's limit), else std::thread::hardware_concurrency(); at least 1.
/// Defined in src/core/parallel.cpp.
unsigned usable_cores() noexcept;

/// The thread-count rule behind every `threads=` argument of the library (C++, C ABI and
/// Python say the same; the Python docstrings use the phrasing quoted here):
///
///   "threads : int, default 0.  Worker threads: 0 chooses from the size of the work
///   (one thread for small inputs, more only when each has enough work to gain from it,
///   never more than the usable cores); a positive number is an upper bound.  The
///   result is the same at any thread count."
///
/// `requested` > 0 is used as given (an upper bound: parallel_for never uses more threads
/// than tasks, and an area may use fewer where a split is known to lose).  `requested` <=
/// 0 is the work-based choice: with `work` units of work (the area's own measure: edges
/// per iteration, events, simulations x edges...) and `grain` units the least worth a
/// thread,
///   threads = 1                                  when work < 2 * grain,
///   threads = min(usable_cores(), work / grain)  otherwise.
/// An area measures its grain as the work below which a second thread does not pay for
/// waking it and for the barriers it adds when the other core is busy (one thread must
/// never lose to two), and names it next to the loop.  grain == 0 means every work size
/// is worth all cores.
inline unsigned resolve_threads(int requested, std::uint64_t work, std::uint64_t grain) noexcept {
  if (requested > 0) return static_cast<unsigned>(requested);
  const unsigned cores = usable_cores();
  if (grain == 0) return cores;
  const std::uint64_t by_work = work / grain;
  if (by_work < 2) return 1U;
  return static_cast<unsigned>(std::min<std::uint64_t>(cores, by_work));
}

/// Number of threads with no work estimate: `requested` if > 0, else usable_cores().
/// Prefer the three-argument form for `threads=` arguments (0 then depends on the work).
inline unsigned resolve_threads(int requested) noexcept {
  return requested > 0 ? static_cast<unsigned>(requested) : usable_cores();
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

/// Run body(task) for task in [0, n_tasks) on up to `threads` threads (0 = all usable
/// cores; pass resolve_threads(threads, work, grain) for a work-based default).
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
