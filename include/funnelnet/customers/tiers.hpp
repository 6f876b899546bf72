// Tier migration and Markov customer lifetime value.
//
// From periodic tier snapshots (customer, period, tier) count the moves between
// consecutive periods and fit a Markov chain over the tiers (A, B, C, prospect, lost...)
// with the funnel area's TransitionCounts / fit().  Customers who enter late, or leave
// early, only contribute the periods they were observed in (censoring).  On a chain:
// promotion / demotion / churn rates, churn within k periods (a year), the tier mix k
// periods ahead, and Markov lifetime value (Pfeifer and Carraway 2000):
//   finite horizon  V_H = sum_{t=0}^{H-1} (P / (1+d))^t R
//   infinite        V   = (I - P / (1+d))^-1 R.
// Bodies in src/customers/tiers.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

/// What fit_tier_migration() does when a customer misses a period between two snapshots.
enum class SnapshotGaps : int {
  error = 0,  ///< throw invalid_argument naming the customer and the periods (default)
  skip = 1,   ///< count no move across the gap (the customer is censored there)
};

/// Options of fit_tier_migration().
struct TierMigrationOptions {
  SnapshotGaps gaps = SnapshotGaps::error;
  double smoothing = 0.0;                       ///< additive pseudo-count (see funnel fit())
  EmptyRows empty_rows = EmptyRows::absorbing;  ///< tiers with no observed exits stay put
};

/// A fitted tier-migration model: counts and chain per segment.
struct TierMigration {
  StageSpace space;
  std::vector<TransitionCounts> counts;  ///< one per segment
  std::vector<MarkovChain> chains;       ///< one per segment
  std::vector<std::size_t> customers;    ///< customers seen per segment (by their first snapshot)
  std::vector<std::size_t> late;         ///< of those, how many entered after the first period
  std::int64_t first_period = 0, last_period = 0;
};

/// Fit the tier-migration chain.  Rows are snapshots (customer, period, tier index into
/// `space`) in any order; `segment` (may be empty: one segment) gives each row's segment
/// in [0, n_segments), and a move is counted in the segment of its origin snapshot.
/// Throws duplicate_label for two snapshots of one customer in one period, and (unless
/// options.gaps is skip) invalid_argument for a missing period between snapshots.
TierMigration fit_tier_migration(const StageSpace& space, std::span<const std::int64_t> customer,
                                 std::span<const std::int64_t> period, std::span<const std::int32_t> tier,
                                 std::span<const std::int32_t> segment = {}, std::size_t n_segments = 1,
                                 const TierMigrationOptions& options = {});

/// Per-tier movement rates of a chain whose states are ordered best first.  `churn`
/// lists the states that count as lost.  promotion[i] = sum of P[i][j] over non-lost
/// j < i, demotion[i] over non-lost j > i, stay[i] = P[i][i], churn[i] over lost j.
struct TierRates {
  Vector promotion, demotion, stay, churn;
};

TierRates tier_rates(const Matrix& p, const std::vector<std::int32_t>& churn_states);

/// Probability of reaching a lost state within k periods, per starting state (the lost
/// states are made absorbing first, so a customer won back still counts as churned).
Vector churn_within(const Matrix& p, const std::vector<std::int32_t>& churn_states, std::int64_t k);

/// Tier mix k periods ahead: mix^T P^k (mix: non-negative, any total).
Vector mix_ahead(const Matrix& p, const Vector& mix, std::int64_t k);

/// Markov lifetime value over a finite horizon of `horizon` periods (rewards at
/// t = 0 .. horizon-1, each discounted by (1+d)^-t): V = sum_t (P/(1+d))^t R.
Vector markov_clv_finite(const Matrix& p, const Vector& reward, double discount, std::int64_t horizon);

/// Markov lifetime value over an infinite horizon: V = (I - P/(1+d))^-1 R.  Needs d > 0.
Vector markov_clv(const Matrix& p, const Vector& reward, double discount);

FUNNELNET_END
