// Metrics of binary scores: ranking (ROC AUC, average precision, KS, lift and gain by
// bin), probability quality (log loss, Brier, calibration curve, expected calibration
// error) and seeded bootstrap intervals.
//
// Labels are 0 or 1 (as doubles), scores any finite numbers (probabilities in [0, 1]
// where a metric needs them), weights finite and >= 0 (an empty span means all 1).
// Every metric equals scikit-learn's where scikit-learn has it (roc_auc_score,
// average_precision_score, log_loss, brier_score_loss, calibration_curve), ties
// included: tied scores form one threshold (half credit in the AUC).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/parallel.hpp"

FUNNELNET_BEGIN

/// Area under the ROC curve (trapezoids over distinct thresholds: ties count half).
/// Needs both classes with positive weight.
double roc_auc(std::span<const double> y, std::span<const double> score, std::span<const double> weight = {});

/// Average precision: sum over distinct thresholds (descending) of (R_k - R_{k-1}) P_k,
/// scikit-learn's step rule (no interpolation).  Needs a positive.
double average_precision(std::span<const double> y, std::span<const double> score,
                         std::span<const double> weight = {});

/// Mean weighted negative log-likelihood; p is clipped to [eps, 1 - eps] with eps the
/// double machine epsilon (scikit-learn's rule).
double log_loss(std::span<const double> y, std::span<const double> p, std::span<const double> weight = {});

/// Mean weighted squared error of p against y.
double brier(std::span<const double> y, std::span<const double> p, std::span<const double> weight = {});

/// Kolmogorov-Smirnov statistic: max over thresholds of |TPR - FPR| (the two-sample KS
/// distance between the scores of positives and negatives).  Needs both classes.
double ks(std::span<const double> y, std::span<const double> score, std::span<const double> weight = {});

/// Lift and cumulative gain by rank bin.  Rows are ordered by score, highest first (ties
/// by row order); sorted position r falls in bin floor(r * bins / n), so bins differ in
/// size by at most one row.  Per bin (0 = highest scores): rows, weight, weighted
/// positives, lowest and highest score, response rate (positives / weight), lift (rate /
/// overall rate), cumulative share of weight, cumulative gain (share of all positives
/// in bins 0..b) and cumulative lift (gain / cumulative share).
struct RankTable {
  std::vector<double> rows, weight, positives, score_min, score_max, rate, lift, cum_share, cum_gain,
      cum_lift;
  [[nodiscard]] std::size_t size() const noexcept { return rows.size(); }
};
RankTable rank_table(std::span<const double> y, std::span<const double> score, int bins = 10,
                     std::span<const double> weight = {});

/// How calibration bins are cut: equal width on [0, 1], or at quantiles of p
/// (numpy's linear percentile, as scikit-learn's calibration_curve).
enum class BinStrategy : int { uniform = 0, quantile = 1 };

/// Calibration curve: the non-empty bins' weighted mean outcome (prob_true) and mean
/// prediction (prob_pred), with their weight and bin index.  Bin of p: the number of
/// inner edges strictly below p (numpy.searchsorted, side left), as scikit-learn.
struct CalibrationCurve {
  std::vector<double> prob_true, prob_pred, weight;
  std::vector<std::int32_t> bin;
  [[nodiscard]] std::size_t size() const noexcept { return bin.size(); }
};
CalibrationCurve calibration_curve(std::span<const double> y, std::span<const double> p, int bins = 10,
                                   BinStrategy strategy = BinStrategy::uniform,
                                   std::span<const double> weight = {});

/// Expected calibration error: sum over bins of (bin weight / total) |prob_pred - prob_true|.
double ece(std::span<const double> y, std::span<const double> p, int bins = 10,
           BinStrategy strategy = BinStrategy::uniform, std::span<const double> weight = {});

/// Metrics the bootstrap can resample.
enum class Metric : int { roc_auc = 0, average_precision = 1, log_loss = 2, brier = 3, ks = 4, ece = 5 };

/// Options of bootstrap_metric.
struct BootstrapOptions {
  int replicates = 1000;  ///< resamples
  double level = 0.95;    ///< two-sided confidence level of the percentile interval
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (one thread for small inputs); results do not depend on it
  int bins = 10;    ///< bins of ece
  BinStrategy strategy = BinStrategy::uniform;
};

/// A statistic with its percentile bootstrap interval.  Replicate b resamples n rows
/// with replacement from stream(seed, b); replicates where the metric is undefined (one
/// class only) are dropped and counted in `dropped`.
struct BootstrapInterval {
  double estimate = 0.0;   ///< the metric on the data
  double lower = 0.0;      ///< (1 - level) / 2 percentile of the replicates
  double upper = 0.0;      ///< (1 + level) / 2 percentile
  double std_error = 0.0;  ///< standard deviation of the replicates
  int dropped = 0;
  std::vector<double> replicates;  ///< in replicate order (NaN where dropped)
};
BootstrapInterval bootstrap_metric(Metric metric, std::span<const double> y, std::span<const double> score,
                                   std::span<const double> weight = {}, const BootstrapOptions& options = {},
                                   const Progress& progress = {});

/// The metric by name on (y, score, weight); `bins`/`strategy` for ece.
double metric_value(Metric metric, std::span<const double> y, std::span<const double> score,
                    std::span<const double> weight = {}, int bins = 10,
                    BinStrategy strategy = BinStrategy::uniform);

namespace detail {
/// numpy.percentile(sorted, q_percent) with numpy's default linear method, bit for bit
/// (`sorted` ascending, not empty).
double numpy_percentile(const std::vector<double>& sorted, double q_percent);

/// What a percentile bootstrap reports from its replicates: NaN replicates (resamples
/// with one class) are counted in `dropped`; the others give numpy's percentile interval
/// at `level` (NaN when none is left) and their sample standard deviation (NaN below 2).
struct ReplicateSummary {
  double lower = 0.0, upper = 0.0, std_error = 0.0;
  int dropped = 0;
  std::size_t kept = 0;
};
ReplicateSummary summarize_replicates(const std::vector<double>& replicates, double level);
}  // namespace detail

FUNNELNET_END
