// Isotonic regression (pool adjacent violators) for calibrating scores.
#pragma once

#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// A non-decreasing step function fitted by weighted least squares: at each distinct
/// score x[k] (ascending) the fitted value y[k].  Rows with equal scores are pooled first
/// (their weighted mean), as scikit-learn's IsotonicRegression does.
struct IsotonicFit {
  std::vector<double> x, y;
};

/// Fit on scores x, targets y (any finite numbers, 0/1 labels for calibration) and
/// optional weights (finite, >= 0, not all 0).  Throws invalid_argument naming the row.
IsotonicFit isotonic_fit(std::span<const double> x, std::span<const double> y,
                         std::span<const double> weight = {});

FUNNELNET_END
