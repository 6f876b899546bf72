// parallel_for over a fixed set of tasks, and the progress callback used by long jobs.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
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

/// Run body(task) for task in [0, n_tasks) on up to `threads` threads (0 = all cores).
/// Tasks are claimed dynamically, so results must depend only on the task index (draw
/// randomness from stream(seed, task)) to be independent of the thread count.  The
/// first exception thrown by a task is rethrown here after all threads stop.  If
/// `progress` is set it is called from this thread as tasks finish; returning false
/// stops the remaining tasks and throws Errc::cancelled.
template <class Body>
void parallel_for(std::size_t n_tasks, int threads, Body&& body, const Progress& progress = {}) {
  if (n_tasks == 0) return;
  const unsigned n_threads = static_cast<unsigned>(std::min<std::size_t>(resolve_threads(threads), n_tasks));
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;

  auto worker = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      const std::size_t task = next.fetch_add(1, std::memory_order_relaxed);
      if (task >= n_tasks) break;
      try {
        body(task);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        stop.store(true);
      }
      done.fetch_add(1, std::memory_order_release);
    }
  };

  bool cancelled = false;
  if (n_threads <= 1 && !progress) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(n_threads);
    for (unsigned t = 1; t < n_threads; ++t) pool.emplace_back(worker);
    if (progress) {
      // The calling thread reports progress and works between reports.
      std::size_t reported = 0;
      while (!stop.load() && next.load() < n_tasks) {
        const std::size_t task = next.fetch_add(1);
        if (task >= n_tasks) break;
        try {
          body(task);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!first_error) first_error = std::current_exception();
          stop.store(true);
        }
        const std::size_t d = done.fetch_add(1) + 1;
        if (d != reported) {
          reported = d;
          if (!progress(d, n_tasks)) {
            cancelled = true;
            stop.store(true);
          }
        }
      }
      for (auto& th : pool) th.join();
      if (!cancelled && !first_error) progress(n_tasks, n_tasks);
    } else {
      worker();
      for (auto& th : pool) th.join();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  if (cancelled) fail(Errc::cancelled, "cancelled by the progress callback");
}

FUNNELNET_END
