// The grain of the one-shot parallel loops outside the graph area, and a diagnostic of
// the thread count a call chose (both for resolve_threads in core/parallel.hpp).
#pragma once

#include <cstdint>

#include "funnelnet/core/parallel.hpp"

FUNNELNET_BEGIN

/// The grain of the one-shot loops outside the graph area (one parallel_for, no barrier
/// per iteration: simulations, posterior draws, removal effects, per-lead passes,
/// likelihood sums), in elementary steps (a random draw with a table lookup, a
/// multiply-add, a cell of a convolution): 2^20, about 2.5 ms of one core on the 2-core
/// development machine, so threads = 0 runs work under 2^21 steps on one thread.  There,
/// shared and at load 10-12, two threads did not beat one at any size from 2^12 to 2^22
/// steps (benchmarks/bench_parallel.cpp: waking the second costs 0.1-5 ms), so the grain
/// is the graph area's measured one (PageRank's 2^20 edges per iteration), not lower.
inline constexpr std::uint64_t step_grain = std::uint64_t{1} << 20;

namespace detail {
/// The most threads any top-level parallel_for called from this thread has used since the
/// last call (then reset to 0): tests check with it which thread count a `threads = 0`
/// call chose.  Defined in src/core/parallel.cpp.
unsigned take_threads_peak() noexcept;
}  // namespace detail

FUNNELNET_END
