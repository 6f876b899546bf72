// The per-customer repeat-buying summary (see funnelnet/customers/summary.hpp): the
// transaction summariser and the validated CustomerSummary table.
#include "funnelnet/customers/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <ostream>
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {

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
void radix_sort(std::vector<KeyedTxn>& a, std::uint64_t max_key) {
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

}  // namespace
}  // namespace detail

TransactionSummary summarize_transactions(std::span<const std::int64_t> customer,
                                          std::span<const std::int64_t> time, std::span<const double> amount,
                                          const SummaryOptions& o) {
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

namespace detail {
namespace {
// "row 3" or, when the table has ids, "row 3 (customer 1042)".
struct RowName {
  std::size_t row;
  std::span<const std::int64_t> ids;
};
std::ostream& operator<<(std::ostream& os, const RowName& r) {
  os << "row " << r.row;
  if (!r.ids.empty()) os << " (customer " << r.ids[r.row] << ")";
  return os;
}
/// The checks of validate_rfm on rows [begin, end), each failure naming its row; returns
/// the rows' weight sum.
double validate_rfm_rows(std::span<const std::int64_t> ids, std::span<const double> x,
                         std::span<const double> tx, std::span<const double> T,
                         std::span<const double> monetary, std::span<const double> w, std::size_t begin,
                         std::size_t end) {
  double wsum = 0.0;
  for (std::size_t i = begin; i < end; ++i) {
    const RowName row{i, ids};
    if (!(std::isfinite(x[i]) && x[i] >= 0.0))
      fail(Errc::invalid_argument, "frequency: ", row, " is ", x[i], "; frequency must be finite and >= 0");
    if (x[i] != std::floor(x[i]))
      fail(Errc::invalid_argument, "frequency: ", row, " is ", x[i],
           "; frequency counts purchases (integer)");
    if (!(std::isfinite(tx[i]) && tx[i] >= 0.0))
      fail(Errc::invalid_argument, "recency: ", row, " is ", tx[i], "; recency must be finite and >= 0");
    if (!(std::isfinite(T[i]) && T[i] >= 0.0))
      fail(Errc::invalid_argument, "T: ", row, " is ", T[i], "; T (age) must be finite and >= 0");
    if (tx[i] > T[i])
      fail(Errc::invalid_argument, row, ": recency ", tx[i], " is larger than T ", T[i],
           " (the last purchase cannot be after the end of observation)");
    if (x[i] == 0.0 && tx[i] != 0.0)
      fail(Errc::invalid_argument, row, ": frequency is 0 but recency is ", tx[i],
           " (recency is 0 without repeat purchases)");
    if (!monetary.empty() &&
        (!(std::isfinite(monetary[i]) && monetary[i] >= 0.0) || (x[i] > 0.0 && monetary[i] == 0.0)))
      fail(Errc::invalid_argument, "monetary: ", row, " is ", monetary[i],
           "; mean repeat spend must be finite, and > 0 for repeat buyers");
    if (!w.empty()) {
      if (!(std::isfinite(w[i]) && w[i] >= 0.0))
        fail(Errc::invalid_argument, "weights: row ", i, " is ", w[i], "; weights must be finite and >= 0");
      wsum += w[i];
    }
  }
  return wsum;
}

}  // namespace

void validate_rfm(std::span<const std::int64_t> ids, std::span<const double> x, std::span<const double> tx,
                  std::span<const double> T, std::span<const double> monetary, std::span<const double> w,
                  bool need_rows) {
  require_size(tx.size(), x.size(), "recency");
  require_size(T.size(), x.size(), "T");
  if (!ids.empty()) require_size(ids.size(), x.size(), "ids");
  if (!monetary.empty()) require_size(monetary.size(), x.size(), "monetary");
  if (!w.empty()) require_size(w.size(), x.size(), "weights");
  if (need_rows && x.empty()) fail(Errc::empty_input, "no customers to fit");
  // Blocks of rows without monetary values or weights are checked first by one branch-free
  // test (it vectorises); only a block that fails it goes through the checks below, which
  // name the first bad row.  x is an integer if x >= 2^52 (every such double is) or x + 2^52
  // rounds back to x.
  constexpr double two52 = 4503599627370496.0;
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr std::size_t block = 1024;
  const bool plain = monetary.empty() && w.empty();
  double wsum = 0.0;
  for (std::size_t b = 0; b < x.size(); b += block) {
    const std::size_t e = std::min(x.size(), b + block);
    if (plain) {
      bool ok = true;
      for (std::size_t i = b; i < e; ++i) {
        const double xi = x[i], ti = tx[i], Ti = T[i];
        ok &= (xi >= 0.0) & (xi < inf) & ((xi >= two52) | ((xi + two52) - two52 == xi)) & (ti >= 0.0) &
              (Ti >= 0.0) & (Ti < inf) & (ti <= Ti) & ((xi != 0.0) | (ti == 0.0));
      }
      if (ok) continue;
    }
    wsum += validate_rfm_rows(ids, x, tx, T, monetary, w, b, e);
  }
  if (need_rows && !w.empty() && !(wsum > 0.0)) fail(Errc::invalid_argument, "weights are all zero");
}

void validate_weights(std::span<const double> w, std::size_t n) {
  if (w.empty()) return;
  require_size(w.size(), n, "weights");
  double wsum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (!(std::isfinite(w[i]) && w[i] >= 0.0))
      fail(Errc::invalid_argument, "weights: row ", i, " is ", w[i], "; weights must be finite and >= 0");
    wsum += w[i];
  }
  if (!(wsum > 0.0)) fail(Errc::invalid_argument, "weights are all zero");
}

}  // namespace detail

CustomerSummary::CustomerSummary(std::vector<std::int64_t> ids, std::vector<double> frequency,
                                 std::vector<double> recency, std::vector<double> T,
                                 std::vector<double> monetary)
    : ids_(std::move(ids)),
      frequency_(std::move(frequency)),
      recency_(std::move(recency)),
      T_(std::move(T)),
      monetary_(std::move(monetary)) {
  detail::validate_rfm(ids_, frequency_, recency_, T_, monetary_, {}, false);
  if (ids_.empty()) {
    ids_.resize(frequency_.size());
    std::iota(ids_.begin(), ids_.end(), std::int64_t{0});
  } else {
    std::unordered_set<std::int64_t> seen;
    seen.reserve(ids_.size());
    for (std::size_t i = 0; i < ids_.size(); ++i)
      if (!seen.insert(ids_[i]).second)
        fail(Errc::duplicate_label, "customer id ", ids_[i], " appears twice (row ", i, ")");
  }
  repeat_buyers_ = static_cast<std::size_t>(
      std::count_if(frequency_.begin(), frequency_.end(), [](double v) { return v > 0.0; }));
}

CustomerSummary CustomerSummary::from_columns(std::span<const std::int64_t> ids,
                                              std::span<const double> frequency,
                                              std::span<const double> recency, std::span<const double> T,
                                              std::span<const double> monetary) {
  return CustomerSummary({ids.begin(), ids.end()}, {frequency.begin(), frequency.end()},
                         {recency.begin(), recency.end()}, {T.begin(), T.end()},
                         {monetary.begin(), monetary.end()});
}

CustomerSummary CustomerSummary::from_transactions(std::span<const std::int64_t> customer,
                                                   std::span<const std::int64_t> time,
                                                   std::span<const double> amount,
                                                   const SummaryOptions& options) {
  TransactionSummary s = summarize_transactions(customer, time, amount, options);
  if (amount.empty()) s.monetary_value.clear();
  return CustomerSummary(std::move(s.customer), std::move(s.frequency), std::move(s.recency), std::move(s.T),
                         std::move(s.monetary_value));
}

FUNNELNET_END
