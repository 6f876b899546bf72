// From a transaction log (customer, time, amount) to the per-customer repeat-buying
// summary: frequency x, recency t_x, age T and mean repeat spend, with an optional
// calibration / holdout split.  Same definitions as lifetimes'
// summary_data_from_transaction_data and calibration_and_holdout_data: transactions in
// the same period count once (their amounts add up), the first purchase is not a repeat.
// CustomerSummary is that summary as an immutable, validated table: the input of every
// repeat-buying model (repeat_buying.hpp).  Bodies in src/customers/summary.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
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
/// observation, naming the row.  Linear time when (customer id range) x (time range)
/// fits in 62 bits (a packed-key radix sort), else O(n log n).
TransactionSummary summarize_transactions(std::span<const std::int64_t> customer,
                                          std::span<const std::int64_t> time, std::span<const double> amount,
                                          const SummaryOptions& o = {});

/// An immutable, validated per-customer repeat-buying (RFM) table: one row per customer
/// with its id, frequency x (repeat purchases), recency t_x (time of the last repeat
/// purchase since the first), age T (end of observation since the first purchase) and,
/// optionally, monetary value (mean spend per repeat purchase).  Checked once, here; the
/// repeat-buying models (BG/NBD, Pareto/NBD, Gamma-Gamma, CLV) take it without checking
/// again.  The rules, each failure naming the row (and the customer id):
///   - ids unique (duplicate_label); every column as long as frequency (shape_mismatch);
///   - frequency finite, >= 0 and integer-valued; recency and T finite and >= 0;
///   - recency <= T, and recency == 0 when frequency == 0;
///   - monetary (when given) finite and >= 0, and > 0 for repeat buyers (frequency > 0).
class CustomerSummary {
 public:
  /// An empty table (no customers).
  CustomerSummary() = default;

  /// Validates and takes the columns.  `ids` may be empty (rows are then numbered
  /// 0..n-1); `monetary` may be empty (no spend column: Gamma-Gamma cannot use it).
  CustomerSummary(std::vector<std::int64_t> ids, std::vector<double> frequency, std::vector<double> recency,
                  std::vector<double> T, std::vector<double> monetary = {});

  /// Copies and validates columns held elsewhere (numpy arrays, C buffers).
  static CustomerSummary from_columns(std::span<const std::int64_t> ids, std::span<const double> frequency,
                                      std::span<const double> recency, std::span<const double> T,
                                      std::span<const double> monetary = {});

  /// The calibration-window summary of a transaction log (summarize_transactions(), the
  /// holdout columns left out).  Without amounts the table has no monetary column; with
  /// them, a repeat buyer whose mean repeat spend is not > 0 is an error naming the
  /// customer (summarise without amounts to fit the transaction models only).
  static CustomerSummary from_transactions(std::span<const std::int64_t> customer,
                                           std::span<const std::int64_t> time, std::span<const double> amount,
                                           const SummaryOptions& options = {});

  [[nodiscard]] std::size_t size() const noexcept { return frequency_.size(); }
  [[nodiscard]] bool empty() const noexcept { return frequency_.empty(); }
  [[nodiscard]] std::span<const std::int64_t> ids() const noexcept { return ids_; }
  [[nodiscard]] std::span<const double> frequency() const noexcept { return frequency_; }
  [[nodiscard]] std::span<const double> recency() const noexcept { return recency_; }
  [[nodiscard]] std::span<const double> T() const noexcept { return T_; }
  /// Mean repeat spend per customer; empty when the table has no monetary column.
  [[nodiscard]] std::span<const double> monetary() const noexcept { return monetary_; }
  [[nodiscard]] bool has_monetary() const noexcept { return !monetary_.empty(); }
  /// Number of repeat buyers (frequency > 0): the rows Gamma-Gamma is fitted on.
  [[nodiscard]] std::size_t repeat_buyers() const noexcept { return repeat_buyers_; }

 private:
  std::vector<std::int64_t> ids_;
  std::vector<double> frequency_, recency_, T_, monetary_;
  std::size_t repeat_buyers_ = 0;
};

namespace detail {
/// The checks of CustomerSummary on columns held elsewhere (ids and monetary may be
/// empty, weights too); `need_rows` makes an empty table an error (fits).  Used by the
/// loose-array overloads of the models, so both paths say the same thing.
void validate_rfm(std::span<const std::int64_t> ids, std::span<const double> x, std::span<const double> tx,
                  std::span<const double> T, std::span<const double> monetary, std::span<const double> w,
                  bool need_rows);
/// Fit weights (may be empty: all 1): n of them, finite, >= 0 and not all zero.
void validate_weights(std::span<const double> w, std::size_t n);
}  // namespace detail

FUNNELNET_END
