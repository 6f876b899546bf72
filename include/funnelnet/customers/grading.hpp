// Customer table and ABC grading.
//
// The sales texts grade accounts A/B/C on credit standing, loyalty, dependence on us,
// industry influence, expected deal value, difficulty of closing and distance, with
// standards that differ by region and industry, and aim at a 1:3:6 mix.  Three modes:
//   grade_by_score  weighted score over chosen criteria, thresholds per group;
//   grade_by_mix    the same score, cut by quantiles into a target mix (1:3:6) per group;
//   grade_by_value  Pareto (ABC analysis) by cumulative share of a value.
// Each result carries the per-criterion contributions that add up to the score.
// Tier 0 is the best (A); any number of tiers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/labels.hpp"
#include "funnelnet/core/matrix.hpp"

FUNNELNET_BEGIN

/// The seven grading criteria of the sales texts (suggested column names).
const std::vector<std::string>& standard_criteria();

/// A columnar customer table: ids, numeric criteria (n x k, row-major) and categorical
/// columns (kind, industry, region, ...) as codes into their labels.
class CustomerTable {
 public:
  CustomerTable() = default;

  /// Ids must be unique; criteria names unique and non-empty; values finite, one row per
  /// id and one column per criterion.
  CustomerTable(std::vector<std::int64_t> ids, std::vector<std::string> criteria, Matrix values);

  /// Add a categorical column (kind, industry, region...): codes[i] indexes labels.
  void add_category(std::string name, std::vector<std::int32_t> codes, std::vector<std::string> labels);

  [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }
  [[nodiscard]] const std::vector<std::int64_t>& ids() const noexcept { return ids_; }
  [[nodiscard]] const std::vector<std::string>& criteria() const noexcept { return criteria_.names(); }
  [[nodiscard]] const Matrix& values() const noexcept { return values_; }
  /// Column index of a criterion; throws unknown_label naming the known ones.
  [[nodiscard]] std::size_t criterion(std::string_view name) const {
    return static_cast<std::size_t>(criteria_.at(name, "criterion"));
  }
  /// Codes and labels of a categorical column; throws unknown_label.
  [[nodiscard]] std::pair<const std::vector<std::int32_t>*, const Labels*> category(
      std::string_view name) const;

 private:
  struct Category {
    std::string name;
    std::vector<std::int32_t> codes;
    Labels labels;
  };
  std::vector<std::int64_t> ids_;
  Labels criteria_;
  Matrix values_;
  std::vector<Category> categories_;
};

/// How criterion values are put on a common scale before weighting.
enum class Normalize : int {
  none = 0,    ///< raw values
  minmax = 1,  ///< (v - min) / (max - min) over all customers (0 when constant)
  zscore = 2,  ///< (v - mean) / sd over all customers (population sd; 0 when constant)
};

/// One criterion of a weighted score: weight >= 0 and direction +1 (higher is better:
/// credit, loyalty, value) or -1 (lower is better: difficulty, distance).
struct Criterion {
  std::string name;
  double weight = 1.0;
  int direction = 1;
};

/// Result of a grading: tier per customer (0 = best), the score it was cut on, and the
/// per-criterion contributions (n x k) that add up to the score.
struct Grading {
  std::vector<std::int32_t> tier;
  Vector score;
  Matrix contributions;
  std::vector<std::string> columns;  ///< names of the contribution columns
  std::size_t n_tiers = 0;
  /// Number of customers in each tier.
  [[nodiscard]] std::vector<std::size_t> counts() const;
};

/// Grade on a weighted score: score = sum_j weight_j * direction-adjusted normalised
/// criterion j.  `thresholds` has one row per group (1 row when `group` is empty, else one
/// per label of the categorical column `group`) and n_tiers - 1 strictly decreasing
/// columns: tier 0 if score >= t[0], tier k if t[k] <= score < t[k-1], last tier below.
Grading grade_by_score(const CustomerTable& table, const std::vector<Criterion>& criteria,
                       const Matrix& thresholds, std::string_view group = {},
                       Normalize norm = Normalize::minmax);

/// Grade on the weighted score into a target mix: within each group, customers ranked by
/// score (ties by table order) fill tier 0 first; tier k gets round(n * cumulative share)
/// boundaries of the positive weights `mix` (e.g. {1, 3, 6} for A:B:C = 1:3:6).
Grading grade_by_mix(const CustomerTable& table, const std::vector<Criterion>& criteria,
                     const std::vector<double>& mix, std::string_view group = {},
                     Normalize norm = Normalize::minmax);

/// Pareto (ABC) grading by value: customers sorted by value, largest first (ties by
/// input order); a customer is in the first tier k whose cut-off exceeds the cumulative
/// share of the customers before it, so the customer that crosses the 80% line is still
/// an A.  `cutoffs` are strictly increasing in (0, 1) (e.g. {0.8, 0.95}: three tiers).
/// Contributions: one column "value" holding each customer's share of the total;
/// score: the cumulative share up to and including the customer.
Grading grade_by_value(std::span<const double> value, const std::vector<double>& cutoffs);

FUNNELNET_END
