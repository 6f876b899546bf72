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

namespace detail {

struct Txn {
  std::int64_t c, t;
  double a;
};
struct KeyedTxn {
  std::uint64_t key;
  double a;
};

/// LSD radix sort on keys <= max_key: 16-bit digits for large inputs (8-bit for small),
/// as many passes as max_key has digits.
inline void radix_sort(std::vector<KeyedTxn>& a, std::uint64_t max_key) {
  const int bits = a.size() > (std::size_t{1} << 18) ? 16 : 8;
  const std::size_t buckets = std::size_t{1} << bits;
  std::vector<KeyedTxn> b(a.size());
  std::vector<std::size_t> count(buckets + 1);
  for (int shift = 0; shift < 64 && (max_key >> shift) != 0; shift += bits) {
    std::fill(count.begin(), count.end(), 0);
    for (const auto& r : a) ++count[((r.key >> shift) & (buckets - 1)) + 1];
    for (std::size_t k = 1; k <= buckets; ++k) count[k] += count[k - 1];
    for (const auto& r : a) b[count[(r.key >> shift) & (buckets - 1)]++] = r;
    a.swap(b);
  }
}

/// Summarise m transactions sorted by (customer, time); get(i) returns Txn i.
template <class Get>
void summarise_sorted(std::size_t m, Get get, const SummaryOptions& o, TransactionSummary& s) {
  const double L = o.period_length;
  std::size_t i = 0;
  Txn cur = m > 0 ? get(0) : Txn{};
  while (i < m) {
    const std::int64_t c = cur.c, first = cur.t;
    std::int64_t last = first;
    double cal_periods = 0, cal_spend = 0, hold_periods = 0, hold_spend = 0;
    // walk this customer's periods
    while (i < m && cur.c == c) {
      const std::int64_t t = cur.t;
      double sum = 0;
      while (i < m && cur.c == c && cur.t == t) {
        sum += cur.a;
        if (++i < m) cur = get(i);
      }
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
    if (first > o.calibration_end) continue;  // first purchase in the holdout: not summarised
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
}

}  // namespace detail

/// Summarise a transaction log.  `amount` may be empty (monetary values are then 0).
/// Throws on mismatched lengths, non-finite amounts, a holdout end before the
/// calibration end, and (unless options.future is drop) rows after the end of
/// observation, naming the row.  Linear time when (customer id range) x (time range)
/// fits in 62 bits (a packed-key radix sort), else O(n log n).
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
  // validate, and find the ranges of the rows kept
  std::size_t kept = 0;
  std::int64_t cmin = 0, cmax = 0, tmin = 0, tmax = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!amount.empty() && !std::isfinite(amount[i]))
      fail(Errc::invalid_argument, "amount: row ", i, " is ", amount[i], "; amounts must be finite");
    if (time[i] > end) {
      if (o.future == FutureRows::error)
        fail(Errc::invalid_argument, "time: row ", i, " (customer ", customer[i], ") is period ", time[i],
             ", after the end of observation ", end, "; drop such rows or move the cut-off");
      continue;
    }
    if (kept++ == 0) {
      cmin = cmax = customer[i];
      tmin = tmax = time[i];
    } else {
      cmin = std::min(cmin, customer[i]);
      cmax = std::max(cmax, customer[i]);
      tmin = std::min(tmin, time[i]);
      tmax = std::max(tmax, time[i]);
    }
  }
  TransactionSummary s;
  s.duration_holdout =
      o.holdout ? static_cast<double>(o.holdout_end - o.calibration_end) / o.period_length : 0.0;
  if (kept == 0) return s;
  const auto ucmin = static_cast<std::uint64_t>(cmin), utmin = static_cast<std::uint64_t>(tmin);
  const std::uint64_t cspan = static_cast<std::uint64_t>(cmax) - ucmin,
                      tspan = static_cast<std::uint64_t>(tmax) - utmin;
  constexpr std::uint64_t limit = std::uint64_t{1} << 62;
  if (cspan < limit && tspan < limit && cspan + 1 <= (limit - 1) / (tspan + 1)) {
    const std::uint64_t tr = tspan + 1;
    std::vector<detail::KeyedTxn> rows;
    rows.reserve(kept);
    for (std::size_t i = 0; i < n; ++i)
      if (time[i] <= end)
        rows.push_back({(static_cast<std::uint64_t>(customer[i]) - ucmin) * tr +
                            (static_cast<std::uint64_t>(time[i]) - utmin),
                        amount.empty() ? 0.0 : amount[i]});
    detail::radix_sort(rows, (cspan + 1) * tr - 1);
    detail::summarise_sorted(
        rows.size(),
        [&](std::size_t i) {
          const std::uint64_t k = rows[i].key;
          return detail::Txn{static_cast<std::int64_t>(k / tr + ucmin),
                             static_cast<std::int64_t>(k % tr + utmin), rows[i].a};
        },
        o, s);
    return s;
  }
  std::vector<detail::Txn> rows;
  rows.reserve(kept);
  for (std::size_t i = 0; i < n; ++i)
    if (time[i] <= end) rows.push_back({customer[i], time[i], amount.empty() ? 0.0 : amount[i]});
  std::sort(rows.begin(), rows.end(),
            [](const detail::Txn& x, const detail::Txn& y) { return x.c != y.c ? x.c < y.c : x.t < y.t; });
  detail::summarise_sorted(
      rows.size(), [&](std::size_t i) { return rows[i]; }, o, s);
  return s;
}

FUNNELNET_END
