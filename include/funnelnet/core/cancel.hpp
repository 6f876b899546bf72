// Cancellation points inside long parallel_for tasks.
#pragma once

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

FUNNELNET_END
