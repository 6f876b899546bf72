// Metrics of binary scores (see funnelnet/scoring/metrics.hpp).
#include "funnelnet/scoring/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {

struct Checked {
  std::size_t n = 0;
  double positives = 0.0, negatives = 0.0;
};

// Validate labels, scores and weights once: same length, labels 0/1, finite scores
// (probabilities in [0, 1] when `probability`), weights finite and >= 0.
Checked check_inputs(std::span<const double> y, std::span<const double> s, std::span<const double> w,
                     bool probability, const char* score_name) {
  if (y.empty()) fail(Errc::empty_input, "no rows: y is empty");
  require_size(s.size(), y.size(), score_name);
  if (!w.empty()) require_size(w.size(), y.size(), "sample_weight");
  Checked c;
  c.n = y.size();
  for (std::size_t i = 0; i < c.n; ++i) {
    if (!(y[i] == 0.0 || y[i] == 1.0)) fail(Errc::invalid_argument, "y[", i, "] must be 0 or 1, got ", y[i]);
    if (!std::isfinite(s[i]))
      fail(Errc::invalid_argument, score_name, "[", i, "] must be finite, got ", s[i]);
    if (probability && !(s[i] >= 0.0 && s[i] <= 1.0))
      fail(Errc::invalid_argument, score_name, "[", i, "] must be a probability in [0, 1], got ", s[i]);
    const double wi = w.empty() ? 1.0 : w[i];
    if (!(std::isfinite(wi) && wi >= 0.0))
      fail(Errc::invalid_argument, "sample_weight[", i, "] must be finite and >= 0, got ", wi);
    (y[i] == 1.0 ? c.positives : c.negatives) += wi;
  }
  if (!(c.positives + c.negatives > 0.0)) fail(Errc::invalid_argument, "sample_weight sums to 0");
  return c;
}

void require_both(const Checked& c, const char* metric) {
  if (!(c.positives > 0.0) || !(c.negatives > 0.0))
    fail(Errc::invalid_argument, metric, " is undefined with only one class in y (",
         c.positives > 0.0 ? "all 1" : "all 0", ")");
}

// The weighted cumulative (fp, tp) at each distinct score, highest first (scikit-learn's
// _binary_clf_curve without dropping points).
struct Curve {
  std::vector<double> fps, tps;
};

Curve binary_curve(std::span<const double> y, std::span<const double> s, std::span<const double> w) {
  const std::size_t n = y.size();
  // Sort (score, row) pairs: contiguous keys sort several times faster than indices
  // compared through the score array.
  std::vector<std::pair<double, std::uint32_t>> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = {s[i], static_cast<std::uint32_t>(i)};
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  Curve c;
  double tp = 0.0, fp = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = order[k].second;
    const double wi = w.empty() ? 1.0 : w[i];
    if (y[i] == 1.0)
      tp += wi;
    else
      fp += wi;
    if (k + 1 == n || order[k + 1].first != order[k].first) {
      c.tps.push_back(tp);
      c.fps.push_back(fp);
    }
  }
  return c;
}

double auc_of(const Curve& c) {
  const double P = c.tps.back(), N = c.fps.back();
  double area = 0.0, tpr0 = 0.0, fpr0 = 0.0;
  for (std::size_t k = 0; k < c.tps.size(); ++k) {
    const double tpr = c.tps[k] / P, fpr = c.fps[k] / N;
    area += (fpr - fpr0) * (tpr + tpr0) * 0.5;
    tpr0 = tpr;
    fpr0 = fpr;
  }
  return area;
}

double ap_of(const Curve& c) {
  const double P = c.tps.back();
  double ap = 0.0, r0 = 0.0;
  for (std::size_t k = 0; k < c.tps.size(); ++k) {
    const double tot = c.tps[k] + c.fps[k];
    const double precision = tot > 0.0 ? c.tps[k] / tot : 0.0;
    const double recall = c.tps[k] / P;
    ap += (recall - r0) * precision;
    r0 = recall;
  }
  return ap;
}

double ks_of(const Curve& c) {
  const double P = c.tps.back(), N = c.fps.back();
  double d = 0.0;
  for (std::size_t k = 0; k < c.tps.size(); ++k) d = std::max(d, std::abs(c.tps[k] / P - c.fps[k] / N));
  return d;
}

// Inner edges of the calibration bins (bins - 1 of them).
std::vector<double> inner_edges(std::span<const double> p, int bins, BinStrategy strategy) {
  std::vector<double> edges;
  const double step = 1.0 / bins;
  if (strategy == BinStrategy::uniform) {
    for (int i = 1; i < bins; ++i) edges.push_back(i * step);
  } else {
    std::vector<double> sorted(p.begin(), p.end());
    std::sort(sorted.begin(), sorted.end());
    for (int i = 1; i < bins; ++i) edges.push_back(numpy_percentile(sorted, (i * step) * 100.0));
  }
  return edges;
}

void check_bins(int bins, const char* what) {
  if (bins < 1) fail(Errc::invalid_argument, what, " must be >= 1, got ", bins);
}

}  // namespace

// numpy.percentile(sorted, q) with the default linear method, bit for bit: virtual
// index q (n - 1), then numpy's two-sided lerp.
double numpy_percentile(const std::vector<double>& sorted, double q_percent) {
  const std::size_t n = sorted.size();
  const double q = q_percent / 100.0;
  const double virt = q * static_cast<double>(n - 1);
  double prev = std::floor(virt);
  double gamma = virt - prev;
  if (prev < 0.0) {
    prev = 0.0;
    gamma = 0.0;
  }
  if (prev >= static_cast<double>(n - 1)) return sorted[n - 1];
  const auto i = static_cast<std::size_t>(prev);
  const double a = sorted[i], b = sorted[i + 1];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

ReplicateSummary summarize_replicates(const std::vector<double>& replicates, double level) {
  ReplicateSummary out;
  std::vector<double> ok;
  ok.reserve(replicates.size());
  for (double v : replicates)
    if (std::isnan(v))
      ++out.dropped;
    else
      ok.push_back(v);
  out.kept = ok.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.lower = out.upper = out.std_error = nan;
  if (ok.empty()) return out;
  std::sort(ok.begin(), ok.end());
  out.lower = numpy_percentile(ok, 50.0 * (1.0 - level));
  out.upper = numpy_percentile(ok, 50.0 * (1.0 + level));
  if (ok.size() < 2) return out;
  const double mean = std::accumulate(ok.begin(), ok.end(), 0.0) / static_cast<double>(ok.size());
  double ss = 0.0;
  for (double v : ok) ss += (v - mean) * (v - mean);
  out.std_error = std::sqrt(ss / static_cast<double>(ok.size() - 1));
  return out;
}

}  // namespace detail

double roc_auc(std::span<const double> y, std::span<const double> score, std::span<const double> weight) {
  const auto c = detail::check_inputs(y, score, weight, false, "score");
  detail::require_both(c, "roc_auc");
  return detail::auc_of(detail::binary_curve(y, score, weight));
}

double average_precision(std::span<const double> y, std::span<const double> score,
                         std::span<const double> weight) {
  const auto c = detail::check_inputs(y, score, weight, false, "score");
  if (!(c.positives > 0.0))
    fail(Errc::invalid_argument, "average_precision is undefined without a positive in y");
  return detail::ap_of(detail::binary_curve(y, score, weight));
}

double ks(std::span<const double> y, std::span<const double> score, std::span<const double> weight) {
  const auto c = detail::check_inputs(y, score, weight, false, "score");
  detail::require_both(c, "ks");
  return detail::ks_of(detail::binary_curve(y, score, weight));
}

double log_loss(std::span<const double> y, std::span<const double> p, std::span<const double> weight) {
  const auto c = detail::check_inputs(y, p, weight, true, "p");
  const double eps = std::numeric_limits<double>::epsilon();
  double total = 0.0;
  for (std::size_t i = 0; i < c.n; ++i) {
    const double q = std::clamp(p[i], eps, 1.0 - eps);
    const double li = y[i] == 1.0 ? -std::log(q) : -std::log(1.0 - q);
    total += (weight.empty() ? 1.0 : weight[i]) * li;
  }
  return total / (c.positives + c.negatives);
}

double brier(std::span<const double> y, std::span<const double> p, std::span<const double> weight) {
  const auto c = detail::check_inputs(y, p, weight, true, "p");
  double total = 0.0;
  for (std::size_t i = 0; i < c.n; ++i) {
    const double d = y[i] - p[i];
    total += (weight.empty() ? 1.0 : weight[i]) * d * d;
  }
  return total / (c.positives + c.negatives);
}

RankTable rank_table(std::span<const double> y, std::span<const double> score, int bins,
                     std::span<const double> weight) {
  detail::check_bins(bins, "bins");
  const auto c = detail::check_inputs(y, score, weight, false, "score");
  if (!(c.positives > 0.0)) fail(Errc::invalid_argument, "rank_table needs a positive in y");
  const std::size_t n = c.n;
  if (static_cast<std::size_t>(bins) > n)
    fail(Errc::invalid_argument, "bins (", bins, ") exceeds the number of rows (", n, ")");
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return score[a] > score[b]; });
  RankTable t;
  const auto B = static_cast<std::size_t>(bins);
  for (auto* v : {&t.rows, &t.weight, &t.positives, &t.rate, &t.lift, &t.cum_share, &t.cum_gain, &t.cum_lift})
    v->assign(B, 0.0);
  t.score_min.assign(B, std::numeric_limits<double>::infinity());
  t.score_max.assign(B, -std::numeric_limits<double>::infinity());
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t b = r * B / n;
    const std::uint32_t i = order[r];
    const double wi = weight.empty() ? 1.0 : weight[i];
    t.rows[b] += 1.0;
    t.weight[b] += wi;
    t.positives[b] += wi * y[i];
    t.score_min[b] = std::min(t.score_min[b], score[i]);
    t.score_max[b] = std::max(t.score_max[b], score[i]);
  }
  const double W = c.positives + c.negatives, overall = c.positives / W;
  double cw = 0.0, cp = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    t.rate[b] = t.weight[b] > 0.0 ? t.positives[b] / t.weight[b] : 0.0;
    t.lift[b] = t.rate[b] / overall;
    cw += t.weight[b];
    cp += t.positives[b];
    t.cum_share[b] = cw / W;
    t.cum_gain[b] = cp / c.positives;
    t.cum_lift[b] = cw > 0.0 ? (cp / cw) / overall : 0.0;
  }
  return t;
}

CalibrationCurve calibration_curve(std::span<const double> y, std::span<const double> p, int bins,
                                   BinStrategy strategy, std::span<const double> weight) {
  detail::check_bins(bins, "bins");
  if (strategy != BinStrategy::uniform && strategy != BinStrategy::quantile)
    fail(Errc::invalid_argument, "strategy must be uniform (0) or quantile (1), got ",
         static_cast<int>(strategy));
  const auto c = detail::check_inputs(y, p, weight, true, "p");
  const auto edges = detail::inner_edges(p, bins, strategy);
  const auto B = static_cast<std::size_t>(bins);
  std::vector<double> sum_p(B, 0.0), sum_y(B, 0.0), sum_w(B, 0.0);
  std::vector<std::size_t> count(B, 0);
  for (std::size_t i = 0; i < c.n; ++i) {
    const auto b =
        static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), p[i]) - edges.begin());
    const double wi = weight.empty() ? 1.0 : weight[i];
    sum_p[b] += wi * p[i];
    sum_y[b] += wi * y[i];
    sum_w[b] += wi;
    ++count[b];
  }
  CalibrationCurve out;
  for (std::size_t b = 0; b < B; ++b) {
    if (!(sum_w[b] > 0.0)) continue;
    out.prob_true.push_back(sum_y[b] / sum_w[b]);
    out.prob_pred.push_back(sum_p[b] / sum_w[b]);
    out.weight.push_back(sum_w[b]);
    out.bin.push_back(static_cast<std::int32_t>(b));
  }
  return out;
}

double ece(std::span<const double> y, std::span<const double> p, int bins, BinStrategy strategy,
           std::span<const double> weight) {
  const auto cc = calibration_curve(y, p, bins, strategy, weight);
  double total = 0.0, e = 0.0;
  for (std::size_t b = 0; b < cc.size(); ++b) total += cc.weight[b];
  for (std::size_t b = 0; b < cc.size(); ++b)
    e += cc.weight[b] / total * std::abs(cc.prob_pred[b] - cc.prob_true[b]);
  return e;
}

double metric_value(Metric metric, std::span<const double> y, std::span<const double> score,
                    std::span<const double> weight, int bins, BinStrategy strategy) {
  switch (metric) {
    case Metric::roc_auc: return roc_auc(y, score, weight);
    case Metric::average_precision: return average_precision(y, score, weight);
    case Metric::log_loss: return log_loss(y, score, weight);
    case Metric::brier: return brier(y, score, weight);
    case Metric::ks: return ks(y, score, weight);
    case Metric::ece: return ece(y, score, bins, strategy, weight);
  }
  fail(Errc::invalid_argument, "unknown metric code ", static_cast<int>(metric));
}

BootstrapInterval bootstrap_metric(Metric metric, std::span<const double> y, std::span<const double> score,
                                   std::span<const double> weight, const BootstrapOptions& options,
                                   const Progress& progress) {
  if (options.replicates < 2)
    fail(Errc::invalid_argument, "replicates must be >= 2, got ", options.replicates);
  if (!(options.level > 0.0 && options.level < 1.0))
    fail(Errc::invalid_argument, "level must lie in (0, 1), got ", options.level);
  BootstrapInterval out;
  out.estimate = metric_value(metric, y, score, weight, options.bins, options.strategy);  // validates
  const std::size_t n = y.size();
  const auto R = static_cast<std::size_t>(options.replicates);
  out.replicates.assign(R, std::numeric_limits<double>::quiet_NaN());
  parallel_for(
      R, static_cast<int>(resolve_threads(options.threads, std::uint64_t{R} * n, step_grain)),
      [&](std::size_t b) {
        Rng rng = stream(options.seed, b);
        std::vector<double> yb(n), sb(n), wb(weight.empty() ? 0 : n);
        for (std::size_t k = 0; k < n; ++k) {
          const auto i = static_cast<std::size_t>(rng.below(n));
          yb[k] = y[i];
          sb[k] = score[i];
          if (!weight.empty()) wb[k] = weight[i];
        }
        try {
          out.replicates[b] = metric_value(metric, yb, sb, wb, options.bins, options.strategy);
        } catch (const Error&) {  // one class in the resample: dropped
        }
      },
      progress);
  const detail::ReplicateSummary sum = detail::summarize_replicates(out.replicates, options.level);
  if (sum.kept < 2) fail(Errc::invalid_argument, "fewer than 2 bootstrap replicates had both classes");
  out.dropped = sum.dropped;
  out.lower = sum.lower;
  out.upper = sum.upper;
  out.std_error = sum.std_error;
  return out;
}

FUNNELNET_END
