// The persistent thread pool behind parallel_for.
//
// One process-wide pool of workers, created on first use and grown when a call asks for
// more threads than it holds.  A call publishes a Job; idle workers join it and claim
// tasks from the job's atomic counter, and so does the calling thread, which also
// reports progress.  The caller unpublishes the job when every task is claimed and then
// waits only for the workers still inside it, so a late worker never touches a finished
// job.  Tasks are claimed dynamically and results depend only on the task index, so the
// answer is the same at any thread count (see parallel.hpp).
#include "funnelnet/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

FUNNELNET_BEGIN
namespace detail {
namespace {

thread_local bool in_pool_task = false;  // nested parallel_for runs inline

struct Job {
  std::size_t n_tasks = 0;
  TaskFn fn{};
  unsigned max_helpers = 0;  // workers allowed to join (n_threads - 1)
  unsigned joined = 0;       // guarded by the pool mutex
  unsigned active = 0;       // workers inside the job; guarded by the pool mutex
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  std::condition_variable finished;  // signalled when `active` drops to 0

  // Claim and run tasks until none are left or the job is stopped.
  void work() {
    while (!stop.load(std::memory_order_relaxed)) {
      const std::size_t task = next.fetch_add(1, std::memory_order_relaxed);
      if (task >= n_tasks) break;
      run_one(task);
    }
  }
  void run_one(std::size_t task) {
    try {
      fn.call(fn.context, task);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      stop.store(true);
    }
    done.fetch_add(1, std::memory_order_release);
  }
  // Call the progress callback; an exception from it stops the job and is rethrown by
  // the caller after every worker has left (it never escapes with workers inside).
  bool report(const Progress& progress, std::size_t d) {
    try {
      return progress(d, n_tasks);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      stop.store(true);
      return true;
    }
  }
};

class Pool {
 public:
  static Pool& instance() {
    // Leaked on purpose: workers may still be parked at static destruction time.
    static Pool* pool = new Pool();
    return *pool;
  }

  void run(std::size_t n_tasks, unsigned n_threads, TaskFn fn, const Progress& progress) {
    auto job = std::make_shared<Job>();
    job->n_tasks = n_tasks;
    job->fn = fn;
    job->max_helpers = n_threads - 1;
    if (job->max_helpers > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      grow(job->max_helpers);
      jobs_.push_back(job);
    }
    if (job->max_helpers > 0) wake_.notify_all();

    bool cancelled = false;
    {
      const bool was = in_pool_task;
      in_pool_task = true;
      if (!progress) {
        job->work();
      } else {
        std::size_t reported = 0;
        while (!job->stop.load() && job->next.load() < n_tasks) {
          const std::size_t task = job->next.fetch_add(1);
          if (task >= n_tasks) break;
          job->run_one(task);
          const std::size_t d = job->done.load();
          if (d != reported) {
            reported = d;
            if (!job->report(progress, d)) {
              cancelled = true;
              job->stop.store(true);
            }
          }
        }
      }
      in_pool_task = was;
    }
    if (job->max_helpers > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      jobs_.erase(std::remove(jobs_.begin(), jobs_.end(), job), jobs_.end());
      job->finished.wait(lock, [&] { return job->active == 0; });
    }
    // The final report can still cancel: when workers claimed every task before the
    // caller's first report, this is the callback's only chance to say stop.
    if (progress && !cancelled && !job->first_error && !job->report(progress, n_tasks)) cancelled = true;
    if (job->first_error) std::rethrow_exception(job->first_error);
    if (cancelled) fail(Errc::cancelled, "cancelled by the progress callback");
  }

  std::size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return workers_.size();
  }

 private:
  Pool() = default;

  // Called with mutex_ held.
  void grow(unsigned wanted) {
    while (workers_.size() < wanted) {
      std::thread t([this] { worker_loop(); });
      workers_.push_back(std::move(t));
      workers_.back().detach();
    }
  }

  void worker_loop() {
    in_pool_task = true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      std::shared_ptr<Job> job;
      wake_.wait(lock, [&] {
        for (auto& j : jobs_)
          if (j->joined < j->max_helpers && !j->stop.load() && j->next.load() < j->n_tasks) {
            job = j;
            return true;
          }
        return false;
      });
      ++job->joined;
      ++job->active;
      lock.unlock();
      job->work();
      lock.lock();
      if (--job->active == 0) job->finished.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<Job>> jobs_;
  std::vector<std::thread> workers_;
};

}  // namespace

void run_parallel(std::size_t n_tasks, unsigned n_threads, TaskFn fn, const Progress& progress) {
  if (n_tasks == 0) return;
  if (n_threads <= 1 || in_pool_task) {
    // Serial: on one thread, or nested inside a task (no deadlock, no oversubscription).
    Job job;
    job.n_tasks = n_tasks;
    job.fn = fn;
    bool cancelled = false;
    if (!progress) {
      job.work();
    } else {
      for (std::size_t task = 0; task < n_tasks && !job.stop.load(); ++task) {
        job.next.store(task + 1);
        job.run_one(task);
        if (!job.stop.load() && !job.report(progress, task + 1)) {
          cancelled = true;
          break;
        }
      }
      if (!cancelled && !job.first_error && !job.report(progress, n_tasks)) cancelled = true;
    }
    if (job.first_error) std::rethrow_exception(job.first_error);
    if (cancelled) fail(Errc::cancelled, "cancelled by the progress callback");
    return;
  }
  Pool::instance().run(n_tasks, n_threads, fn, progress);
}

std::size_t pool_size() noexcept {
  try {
    return Pool::instance().size();
  } catch (...) {
    return 0;
  }
}

}  // namespace detail
FUNNELNET_END
