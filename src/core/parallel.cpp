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
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/threads.hpp"

#if defined(__linux__)
#include <sched.h>
#endif

FUNNELNET_BEGIN
namespace detail {
namespace {

thread_local bool in_pool_task = false;  // nested parallel_for runs inline
thread_local unsigned threads_peak = 0;  // see take_threads_peak

struct Job;
// The job whose task this thread is running (for task_should_stop), and, on the thread
// that called parallel_for, the job's progress callback for heartbeats.
struct Heartbeat {
  Job* job = nullptr;
  const Progress* progress = nullptr;
  bool* cancelled = nullptr;
  std::chrono::steady_clock::time_point last{};
};
thread_local Job* current_job = nullptr;
thread_local Heartbeat* caller_heartbeat = nullptr;
constexpr auto kHeartbeat = std::chrono::milliseconds(100);

// Sets the thread's current job for a scope (restored after: nested jobs).
class CurrentJob {
 public:
  explicit CurrentJob(Job* j) : saved_(current_job) { current_job = j; }
  ~CurrentJob() { current_job = saved_; }
  CurrentJob(const CurrentJob&) = delete;
  CurrentJob& operator=(const CurrentJob&) = delete;

 private:
  Job* saved_;
};

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
    CurrentJob scope(this);
    while (!stop.load(std::memory_order_relaxed)) {
      const std::size_t task = next.fetch_add(1, std::memory_order_relaxed);
      if (task >= n_tasks) break;
      run_one(task);
    }
  }
  void run_one(std::size_t task) {
    CurrentJob scope(this);
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
    Heartbeat beat{job.get(), progress ? &progress : nullptr, &cancelled, std::chrono::steady_clock::now()};
    Heartbeat* const saved_beat = caller_heartbeat;
    caller_heartbeat = &beat;
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
    caller_heartbeat = saved_beat;
    if (job->max_helpers > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      jobs_.erase(std::remove(jobs_.begin(), jobs_.end(), job), jobs_.end());
      // Workers may still be inside long tasks: keep reporting (heartbeats, outside the
      // lock) so that a cancel reaches them through task_should_stop.
      while (job->active != 0) {
        job->finished.wait_for(lock, kHeartbeat);
        if (job->active == 0 || !progress || cancelled || job->stop.load()) continue;
        lock.unlock();
        if (!job->report(progress, job->done.load())) {
          cancelled = true;
          job->stop.store(true);
        }
        lock.lock();
      }
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
  if (!in_pool_task) threads_peak = std::max(threads_peak, n_threads);
  if (n_threads <= 1 || in_pool_task) {
    // Serial: on one thread, or nested inside a task (no deadlock, no oversubscription).
    Job job;
    job.n_tasks = n_tasks;
    job.fn = fn;
    bool cancelled = false;
    // Heartbeats only for a top-level serial job (a nested one keeps its caller's).
    Heartbeat beat{&job, progress ? &progress : nullptr, &cancelled, std::chrono::steady_clock::now()};
    Heartbeat* const saved_beat = caller_heartbeat;
    if (!in_pool_task) caller_heartbeat = &beat;
    struct Restore {
      Heartbeat* saved;
      ~Restore() { caller_heartbeat = saved; }
    } restore{saved_beat};
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

}  // namespace detail

bool task_should_stop() noexcept {
  detail::Job* job = detail::current_job;
  if (job == nullptr) return false;
  if (job->stop.load(std::memory_order_relaxed)) return true;
  detail::Heartbeat* beat = detail::caller_heartbeat;
  if (beat == nullptr || beat->job != job || beat->progress == nullptr) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - beat->last < detail::kHeartbeat) return false;
  beat->last = now;
  if (!job->report(*beat->progress, job->done.load())) {
    *beat->cancelled = true;
    job->stop.store(true);
    return true;
  }
  return job->stop.load();
}

unsigned usable_cores() noexcept {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int c = CPU_COUNT(&set);
    if (c > 0) return static_cast<unsigned>(c);
  }
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1U : hw;
}

namespace detail {
unsigned take_threads_peak() noexcept {
  const unsigned peak = threads_peak;
  threads_peak = 0;
  return peak;
}

std::size_t pool_size() noexcept {
  try {
    return Pool::instance().size();
  } catch (...) {
    return 0;
  }
}

}  // namespace detail
SerialCheckpoint::SerialCheckpoint(const Progress& progress) noexcept
    : progress_(progress ? &progress : nullptr),
      next_(std::chrono::steady_clock::now() + detail::kHeartbeat) {}

void SerialCheckpoint::operator()(std::uint64_t done, std::uint64_t total) {
  done_ = done;
  total_ = total;
  (*this)();
}

void SerialCheckpoint::operator()() {
  if (progress_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_) return;
  next_ = now + detail::kHeartbeat;
  if (!(*progress_)(done_, total_)) fail(Errc::cancelled, "cancelled by the progress callback");
}

FUNNELNET_END
