// Choosing whom to cultivate: influence maximisation by IMM (Tang, Shi and Xiao,
// SIGMOD 2015) on reverse-reachable (RR) sets, and CELF lazy greedy with Monte Carlo
// as a reference.  Both support node values (maximise the expected activated value,
// e.g. win probability x deal size) and node costs with a budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/graph/diffusion.hpp"

FUNNELNET_BEGIN

/// Seeds chosen by an influence-maximisation method.
struct InfluenceResult {
  std::vector<node_t> seeds;         ///< in the order chosen
  std::vector<double> spread_after;  ///< estimated spread (or value) after each seed
  double spread = 0.0;               ///< estimated spread (or value) of all seeds
  double cost = 0.0;                 ///< total cost of the seeds (0 without costs)
  std::size_t n_rr_sets = 0;         ///< IMM: RR sets used for the final selection
};

struct ImmOptions {
  Model model = Model::ic;
  double epsilon = 0.5;  ///< approximation slack: (1 - 1/e - epsilon) with high probability
  double ell = 1.0;      ///< failure probability at most 1 / n^ell
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
  std::span<const double> node_values;  ///< maximise expected activated value instead of count
  std::span<const double> costs;        ///< per-node cost (with budget > 0)
  double budget = 0.0;  ///< > 0: choose seeds of total cost <= budget (k is then an upper bound)
  Progress progress;
};

/// IMM influence maximisation: at most k seeds maximising the expected spread (or
/// expected activated value with node_values) under `model` with edge probabilities
/// `p`.  Sampling phase as in Tang et al. (2015, Alg. 2, with l adjusted by
/// 1 + log 2 / log n), then a fresh set of theta RR sets for the final greedy selection
/// (Chen's 2018 correction).  The estimate is n (or total value) x covered fraction.
/// RR sets are generated in fixed batches with per-batch streams, so the same seed gives
/// the same seeds at any thread count.  Errors: out_of_range when k exceeds the nodes,
/// invalid_argument for epsilon outside (0, 1), ell <= 0, values or costs, LT
/// in-weights above 1; shape_mismatch for probabilities of another graph.
InfluenceResult imm(const ReferralGraph& g, std::size_t k, const EdgeProbabilities& p,
                    const ImmOptions& o = {});
/// As above with raw per-edge probabilities (validated into an EdgeProbabilities first,
/// after k and the costs).
InfluenceResult imm(const ReferralGraph& g, std::size_t k, std::span<const double> p,
                    const ImmOptions& o = {});

struct CelfOptions {
  Model model = Model::ic;
  std::size_t n_sims = 1000;  ///< simulations per spread evaluation (common random numbers)
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads in core/parallel.hpp); >0: at most that many
  std::span<const double> node_values;
  std::span<const double> costs;
  double budget = 0.0;
  Progress progress;
};

/// CELF lazy-forward greedy (Leskovec et al. 2007) with Monte Carlo spread estimates.
/// Every evaluation uses the same seed (common random numbers), so gains are
/// comparable and the result is reproducible at any thread count.  Cost: n + (lazy
/// re-evaluations) spread estimates of n_sims each: for small graphs and as a reference.
InfluenceResult celf(const ReferralGraph& g, std::size_t k, const EdgeProbabilities& p,
                     const CelfOptions& o = {});
/// As above with raw per-edge probabilities (validated into an EdgeProbabilities first,
/// after k and the costs).
InfluenceResult celf(const ReferralGraph& g, std::size_t k, std::span<const double> p,
                     const CelfOptions& o = {});

namespace detail {
/// The memory limit of this process's control group, in bytes: the smallest of the
/// cgroup v2 `memory.max` and v1 `memory.limit_in_bytes` files found in its group's
/// folder and every folder above it (a container that mounts its own group at the root
/// is covered by the root's file); "max" or an unreadable file is no limit.
/// `cgroup_root` is where the cgroup file systems are mounted ("/sys/fs/cgroup"; v2
/// directly or under unified/, v1's memory controller under memory/) and `proc_cgroup`
/// the text of /proc/self/cgroup: both are arguments so that a test can pass a fake tree.
/// UINT64_MAX when no limit is found.
std::uint64_t cgroup_memory_limit(const std::string& cgroup_root, const std::string& proc_cgroup);

/// The memory this process may use, in bytes: the smaller of the physical memory and
/// cgroup_memory_limit("/sys/fs/cgroup", /proc/self/cgroup); 0 when neither can be read.
/// IMM refuses RR sets whose estimated memory exceeds half of it.
std::uint64_t usable_memory_bytes();
}  // namespace detail

FUNNELNET_END
