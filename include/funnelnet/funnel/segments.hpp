// Segments (customer kind, industry, region, lead source...): one chain per segment,
// shrunk toward the pooled chain by empirical Bayes, and a likelihood-ratio test of
// whether the segments differ at all.
//
// Row i of segment s gets the prior Dirichlet(alpha_i p_i), p_i the pooled MLE row; the
// concentration alpha_i maximises the Dirichlet-multinomial marginal likelihood of all
// segments' row-i counts, and the segment's chain is the posterior mean
//   (c_si + alpha_i p_i) / (n_si + alpha_i),
// so a small segment borrows strength from the pool and a large one keeps its own data.
// The test compares the per-segment MLE chains with the pooled one:
//   G = 2 sum_s sum_ij c_sij log(c_sij / (n_si p_ij)),
//   df = sum_i (S_i - 1)(K_i - 1)   (S_i segments with data in row i, K_i destinations seen),
// G ~ chi-squared(df) when all segments share one chain.
//
// A segment without transitions (e.g. one whose leads are all still open) is pooled:
// with no counts of its own its posterior mean is the pooled row, so it gets the pooled
// chain; it adds nothing to G or df.  One rule for C++, C and Python.  Only when no
// segment has any transition is it an error.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/counts.hpp"

FUNNELNET_BEGIN

/// Result of fit_segments().
struct SegmentFit {
  std::vector<std::string> names;   ///< segment names
  MarkovChain pooled;               ///< MLE of all segments together
  std::vector<MarkovChain> shrunk;  ///< per segment, empirical-Bayes posterior mean
  Vector concentration;             ///< alpha_i per state (0 for outcomes and unseen rows)
  double statistic = 0.0;           ///< likelihood-ratio statistic G
  double df = 0.0;                  ///< its degrees of freedom
  double p_value = 1.0;             ///< P(chi2(df) >= G)
};

/// How far segments are shrunk toward the pool.
struct SegmentOptions {
  /// alpha_i for every transient stage with pooled data instead of the fitted one
  /// (0 = each segment's own estimate where it has data; large = the pool).  NaN = fit.
  double concentration = std::numeric_limits<double>::quiet_NaN();
  /// Cap on alpha_i (fitted or set); infinity = no cap.
  double max_concentration = std::numeric_limits<double>::infinity();
};

/// Fit one chain per segment with shrinkage toward the pooled chain, and test whether
/// the segments differ.  All counts must share one stage space; names must be unique.
/// A segment with no transitions gets the pooled chain (see the top of this file);
/// empty_input when no segment has any.  `concentration` and `max_concentration` must
/// be NaN / infinity or finite and >= 0 (invalid_argument naming the field).
SegmentFit fit_segments(const std::vector<TransitionCounts>& segments, const std::vector<std::string>& names,
                        const SegmentOptions& options = {});

FUNNELNET_END
