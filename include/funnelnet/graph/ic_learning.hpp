// Learning independent-cascade edge probabilities from observed cascades: the maximum-
// likelihood estimate of each edge's (or each group of edges') probability from which
// sources were activated (exposures) and which referrals they made (successes).
//
// Under IC an activated node u tries each out-edge (u, v) once and succeeds with p_uv, so
// an edge is a Bernoulli trial when u was active; with the edges pooled into groups g
// sharing one probability (e.g. all out-edges of u), the likelihood is binomial and the
// estimate (S_g + a) / (X_g + a + b) (a = b = 0: the MLE; a, b > 0: the posterior mean under
// a Beta(a, b) prior), with the binomial standard error sqrt(p (1 - p) / X_g).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

/// Settings of learn_ic_probabilities().
struct IcLearnOptions {
  double prior_a = 0.0;  ///< Beta prior pseudo-successes (>= 0)
  double prior_b = 0.0;  ///< Beta prior pseudo-failures (>= 0)
};

/// Per-edge result of learn_ic_probabilities() (in the input edge order).
struct IcEstimate {
  std::vector<double> successes;  ///< 1 when a referral ran along the edge
  std::vector<double> exposures;  ///< 1 when the edge's source was active
  std::vector<double>
      probability;                ///< the estimate of the edge's group (NaN when never exposed and no prior)
  std::vector<double> std_error;  ///< sqrt(p (1 - p) / X_g) of its group (NaN when X_g = 0)
};

/// Learns IC edge probabilities.  Nodes are 0 .. n - 1 with n = active.size(); edge i runs
/// source[i] -> target[i] and belongs to group[i] (group empty: each edge its own group;
/// otherwise ids >= 0); active[u] != 0 when u was activated (so tried each out-edge once);
/// referral k ran ref_source[k] -> ref_target[k] (a repeated referral along one edge counts
/// once).  Throws (naming the row and ids) for ids out of range, duplicate edges, a referral
/// that is not an edge or comes from an inactive source, arrays of different lengths, or a
/// negative prior.
IcEstimate learn_ic_probabilities(std::span<const std::int64_t> source, std::span<const std::int64_t> target,
                                  std::span<const std::int64_t> group, std::span<const std::uint8_t> active,
                                  std::span<const std::int64_t> ref_source,
                                  std::span<const std::int64_t> ref_target,
                                  const IcLearnOptions& options = {});

FUNNELNET_END
