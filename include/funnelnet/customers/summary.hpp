// From a transaction log (customer, time, amount) to the per-customer repeat-buying
// summary: frequency x, recency t_x, age T and mean repeat spend, with an optional
// calibration / holdout split.  Same definitions as lifetimes'
// summary_data_from_transaction_data and calibration_and_holdout_data: transactions in
// the same period count once (their amounts add up), the first purchase is not a repeat.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// What summarize_transactions() does with a transaction after the end of observation.
enum class FutureRows : int {
  error = 0,  ///< throw invalid_argument naming the row (default)
  drop = 1,   ///< ignore it (lifetimes' behaviour)
};

/// Options of summarize_transactions().  Times are integer periods (e.g. days since the
/// epoch); recency and T are reported in units of `period_length` periods (7 with daily
/// periods gives weeks at daily resolution).
struct SummaryOptions {
  std::int64_t calibration_end = 0;  ///< last period of the calibration window (inclusive)
  bool holdout = false;              ///< also summarise (calibration_end, holdout_end]
  std::int64_t holdout_end = 0;      ///< last period of the holdout window (inclusive)
  double period_length = 1.0;        ///< periods per reported time unit
  FutureRows future = FutureRows::error;
};

/// Per-customer summary, one row per customer with a purchase in the calibration window,
/// in increasing customer id.
struct TransactionSummary {
  std::vector<std::int64_t> customer;
  std::vector<double> frequency;               ///< repeat purchase periods in calibration
  std::vector<double> recency;                 ///< last minus first purchase period, in time units
  std::vector<double> T;                       ///< calibration end minus first purchase period
  std::vector<double> monetary_value;          ///< mean per-period spend over repeat periods (0 if none)
  std::vector<double> frequency_holdout;       ///< purchase periods in the holdout window
  std::vector<double> monetary_value_holdout;  ///< mean per-period spend in the holdout (0 if none)
  double duration_holdout = 0.0;               ///< holdout length in time units
  [[nodiscard]] std::size_t size() const noexcept { return customer.size(); }
};

/// Summarise a transaction log.  `amount` may be empty (monetary values are then 0).
/// Throws on mismatched lengths, non-finite amounts, a holdout end before the
/// calibration end, and (unless options.future is drop) rows after the end of
/// observation, naming the row.
inline TransactionSummary summarize_transactions(std::span<const std::int64_t> customer,
                                                 std::span<const std::int64_t> time,
                                                 std::span<const double> amount,
                                                 const SummaryOptions& o = {}) {
  require_size(time.size(), customer.size(), "time");
  if (!amount.empty()) require_size(amount.size(), customer.size(), "amount");
  if (!(std::isfinite(o.period_length) && o.period_length > 0.0))
    fail(Errc::invalid_argument, "period_length must be finite and > 0, got ", o.period_length);
  if (o.holdout && o.holdout_end <= o.calibration_end)
    fail(Errc::invalid_argument, "holdout end ", o.holdout_end, " must be after the calibration end ",
         o.calibration_end);
  const std::int64_t end = o.holdout ? o.holdout_end : o.calibration_end;
  const std::size_t n = customer.size();
  struct Tx {
    std::int64_t c, t;
    double a;
  };
  std::vector<Tx> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double a = amount.empty() ? 0.0 : amount[i];
    if (!std::isfinite(a))
      fail(Errc::invalid_argument, "amount: row ", i, " is ", a, "; amounts must be finite");
    if (time[i] > end) {
      if (o.future == FutureRows::error)
        fail(Errc::invalid_argument, "time: row ", i, " (customer ", customer[i], ") is period ", time[i],
             ", after the end of observation ", end, "; drop such rows or move the cut-off");
      continue;
    }
    rows.push_back({customer[i], time[i], a});
  }
  std::sort(rows.begin(), rows.end(),
            [](const Tx& x, const Tx& y) { return x.c != y.c ? x.c < y.c : x.t < y.t; });
  TransactionSummary s;
  const double L = o.period_length;
  s.duration_holdout = o.holdout ? static_cast<double>(o.holdout_end - o.calibration_end) / L : 0.0;
  std::size_t i = 0;
  while (i < rows.size()) {
    const std::int64_t c = rows[i].c;
    std::size_t j = i;
    while (j < rows.size() && rows[j].c == c) ++j;
    // rows[i, j) are this customer's, sorted by time
    if (rows[i].t <= o.calibration_end) {
      const std::int64_t first = rows[i].t;
      std::int64_t last = first;
      double cal_periods = 0, cal_spend = 0, hold_periods = 0, hold_spend = 0;
      std::size_t k = i;
      while (k < j) {
        const std::int64_t t = rows[k].t;
        double sum = 0;
        while (k < j && rows[k].t == t) sum += rows[k++].a;
        if (t <= o.calibration_end) {
          if (t != first) {
            cal_periods += 1;
            cal_spend += sum;
          }
          last = t;
        } else {
          hold_periods += 1;
          hold_spend += sum;
        }
      }
      s.customer.push_back(c);
      s.frequency.push_back(cal_periods);
      s.recency.push_back(static_cast<double>(last - first) / L);
      s.T.push_back(static_cast<double>(o.calibration_end - first) / L);
      s.monetary_value.push_back(cal_periods > 0 ? cal_spend / cal_periods : 0.0);
      if (o.holdout) {
        s.frequency_holdout.push_back(hold_periods);
        s.monetary_value_holdout.push_back(hold_periods > 0 ? hold_spend / hold_periods : 0.0);
      }
    }
    i = j;
  }
  return s;
}

FUNNELNET_END
