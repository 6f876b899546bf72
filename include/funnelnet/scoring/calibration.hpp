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

/// Platt scaling: p = 1 / (1 + exp(-(a + b s))) fitted by maximum likelihood to 0/1
/// labels y on scores s (optional weights).  With `smooth` (Platt 1999) the targets are
/// (N+ + 1) / (N+ + 2) for positives and 1 / (N- + 2) for negatives (N+/N- the weighted
/// class totals), fitted exactly (each row once as a positive with weight w t and once
/// as a negative with weight w (1 - t)).  Throws invalid_argument naming the row for a
/// non-finite score, a label not 0/1, a negative weight, or one class.
struct PlattFit {
  double a = 0.0, b = 0.0;
  bool converged = true;
};
PlattFit platt_fit(std::span<const double> score, std::span<const double> y,
                   std::span<const double> weight = {}, bool smooth = true);

FUNNELNET_END
