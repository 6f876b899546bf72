// Higher-order chains: the next stage depends on the last k stages (the stage history),
// with order selection by AIC, BIC and held-out log-likelihood.
//
// An order-k chain has one row per observed history (s_{t-k+1}, ..., s_t); its MLE row is
// the distribution of the next stage after that history.  To compare orders on the same
// data, every order is scored on the transitions at positions t >= max_order of each path
// (the first max_order - 1 transitions have too short a history for the largest order).
// Free parameters: sum over histories of (distinct next stages seen - 1).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// A fitted order-k chain: `histories` is H x k (stage indices, oldest first), `counts`
/// and `probabilities` are H x n (next stage), in order of first appearance.
struct HigherOrderChain {
  StageSpace space;
  int order = 1;
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> histories;
  Matrix counts;
  Matrix probabilities;
  double log_likelihood = 0.0;  ///< of the transitions it was fitted on
  double parameters = 0.0;      ///< free parameters
  double transitions = 0.0;     ///< number of transitions fitted
};

/// Scores of one order in select_order().
struct OrderScore {
  int order = 1;
  double log_likelihood = 0.0;  ///< training transitions at positions >= max_order
  double parameters = 0.0;
  double aic = 0.0;                     ///< 2 p - 2 LL
  double bic = 0.0;                     ///< p ln(N) - 2 LL
  double heldout_log_likelihood = 0.0;  ///< on the test paths (0 without test paths)
};

/// Fit an order-k chain (k >= 1) to paths in CSR form (as TransitionCounts::from_paths),
/// on the transitions at positions >= `start` (default k: every transition with a full
/// history).  `smoothing` is added to every entry of each observed history's row.
HigherOrderChain fit_higher_order(const StageSpace& space, std::span<const std::int32_t> stages,
                                  std::span<const std::int64_t> offsets, int order, double smoothing = 0.0,
                                  int start = -1);

/// Log-likelihood of the paths' transitions at positions >= `start` (default: the
/// chain's order) under `chain`; a history the chain never saw gives its next stage
/// probability 1/n (the smoothed estimate of an empty row).  A zero-probability move
/// gives -infinity.
double higher_order_log_likelihood(const HigherOrderChain& chain, std::span<const std::int32_t> stages,
                                   std::span<const std::int64_t> offsets, int start = -1);

/// Scores of orders 1..max_order fitted on the training paths (all scored on the
/// transitions at positions >= max_order), with the held-out log-likelihood of the test
/// paths (may be empty: offsets of size < 2) under each order fitted with `smoothing`.
std::vector<OrderScore> select_order(const StageSpace& space, std::span<const std::int32_t> train_stages,
                                     std::span<const std::int64_t> train_offsets, int max_order,
                                     std::span<const std::int32_t> test_stages = {},
                                     std::span<const std::int64_t> test_offsets = {}, double smoothing = 0.5);

FUNNELNET_END
