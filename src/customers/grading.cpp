// Customer table and ABC grading (see funnelnet/customers/grading.hpp).
#include "funnelnet/customers/grading.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

const std::vector<std::string>& standard_criteria() {
  static const std::vector<std::string> names = {"credit",     "loyalty",    "dependence", "influence",
                                                 "deal_value", "difficulty", "distance"};
  return names;
}

CustomerTable::CustomerTable(std::vector<std::int64_t> ids, std::vector<std::string> criteria, Matrix values)
    : ids_(std::move(ids)), criteria_(std::move(criteria), "criterion"), values_(std::move(values)) {
  if (values_.rows() != static_cast<Eigen::Index>(ids_.size()) ||
      values_.cols() != static_cast<Eigen::Index>(criteria_.size()))
    fail(Errc::shape_mismatch, "criteria values are ", values_.rows(), "x", values_.cols(), ", expected ",
         ids_.size(), "x", criteria_.size(), " (one row per customer, one column per criterion)");
  std::unordered_set<std::int64_t> seen;
  for (std::size_t i = 0; i < ids_.size(); ++i)
    if (!seen.insert(ids_[i]).second)
      fail(Errc::duplicate_label, "customer id ", ids_[i], " appears twice (row ", i, ")");
  for (Eigen::Index i = 0; i < values_.rows(); ++i)
    for (Eigen::Index j = 0; j < values_.cols(); ++j)
      if (!std::isfinite(values_(i, j)))
        fail(Errc::invalid_argument, "criterion '", criteria_.name(static_cast<std::size_t>(j)), "': row ", i,
             " (customer ", ids_[static_cast<std::size_t>(i)], ") is ", values_(i, j),
             "; values must be finite");
}

void CustomerTable::add_category(std::string name, std::vector<std::int32_t> codes,
                                 std::vector<std::string> labels) {
  if (name.empty()) fail(Errc::invalid_argument, "a category needs a name");
  for (const auto& c : categories_)
    if (c.name == name) fail(Errc::duplicate_label, "category '", name, "' is already in the table");
  require_size(codes.size(), ids_.size(), "category codes");
  Labels l(std::move(labels), "category label");
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (codes[i] < 0 || static_cast<std::size_t>(codes[i]) >= l.size())
      fail(Errc::out_of_range, "category '", name, "': row ", i, " has code ", codes[i], ", outside [0, ",
           l.size(), ")");
  categories_.push_back({std::move(name), std::move(codes), std::move(l)});
}

std::pair<const std::vector<std::int32_t>*, const Labels*> CustomerTable::category(
    std::string_view name) const {
  for (const auto& c : categories_)
    if (c.name == name) return {&c.codes, &c.labels};
  std::string known;
  for (const auto& c : categories_) known += (known.empty() ? "" : ", ") + c.name;
  fail(Errc::unknown_label, "unknown category '", name, "' (known: ", known.empty() ? "none" : known, ")");
}

std::vector<std::size_t> Grading::counts() const {
  std::vector<std::size_t> c(n_tiers, 0);
  for (auto t : tier) ++c[static_cast<std::size_t>(t)];
  return c;
}

namespace detail {
namespace {

Grading weighted_score(const CustomerTable& table, const std::vector<Criterion>& criteria, Normalize norm) {
  if (criteria.empty()) fail(Errc::empty_input, "choose at least one criterion to grade on");
  if (table.size() == 0) fail(Errc::empty_input, "the customer table is empty");
  if (norm != Normalize::none && norm != Normalize::minmax && norm != Normalize::zscore)
    fail(Errc::invalid_argument, "unknown normalisation ", static_cast<int>(norm));
  double wsum = 0.0;
  std::vector<std::size_t> cols;
  for (const auto& c : criteria) {
    cols.push_back(table.criterion(c.name));
    if (!(std::isfinite(c.weight) && c.weight >= 0.0))
      fail(Errc::invalid_argument, "criterion '", c.name, "': weight must be finite and >= 0, got ",
           c.weight);
    if (c.direction != 1 && c.direction != -1)
      fail(Errc::invalid_argument, "criterion '", c.name, "': direction must be +1 or -1, got ", c.direction);
    wsum += c.weight;
  }
  for (std::size_t a = 0; a < cols.size(); ++a)
    for (std::size_t b = a + 1; b < cols.size(); ++b)
      if (cols[a] == cols[b])
        fail(Errc::duplicate_label, "criterion '", criteria[a].name, "' is chosen twice");
  if (!(wsum > 0.0))
    fail(Errc::invalid_argument, "criterion weights are all zero; give at least one weight > 0");
  const auto n = static_cast<Eigen::Index>(table.size());
  const auto k = static_cast<Eigen::Index>(criteria.size());
  Grading g;
  g.contributions = Matrix(n, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const auto col = table.values().col(static_cast<Eigen::Index>(cols[static_cast<std::size_t>(j)]));
    double shift = 0.0, scale = 1.0;
    if (norm == Normalize::minmax) {
      shift = col.minCoeff();
      const double range = col.maxCoeff() - shift;
      scale = range > 0 ? 1.0 / range : 0.0;
    } else if (norm == Normalize::zscore) {
      shift = col.mean();
      const double sd = std::sqrt((col.array() - shift).square().mean());
      scale = sd > 0 ? 1.0 / sd : 0.0;
    }
    const Criterion& c = criteria[static_cast<std::size_t>(j)];
    for (Eigen::Index i = 0; i < n; ++i) {
      double v = (col[i] - shift) * scale;
      if (c.direction < 0) v = norm == Normalize::minmax ? 1.0 - v : -v;
      if (norm == Normalize::minmax && scale == 0.0) v = 0.0;
      g.contributions(i, j) = c.weight * v;
    }
    g.columns.push_back(c.name);
  }
  g.score = g.contributions.rowwise().sum();
  return g;
}

std::vector<std::int32_t> group_codes(const CustomerTable& table, std::string_view group,
                                      std::size_t* n_groups) {
  if (group.empty()) {
    *n_groups = 1;
    return std::vector<std::int32_t>(table.size(), 0);
  }
  auto [codes, labels] = table.category(group);
  *n_groups = labels->size();
  return *codes;
}

}  // namespace
}  // namespace detail

Grading grade_by_score(const CustomerTable& table, const std::vector<Criterion>& criteria,
                       const Matrix& thresholds, std::string_view group, Normalize norm) {
  std::size_t n_groups = 0;
  const auto codes = detail::group_codes(table, group, &n_groups);
  if (thresholds.cols() < 1) fail(Errc::invalid_argument, "thresholds need at least one column (two tiers)");
  if (thresholds.rows() != static_cast<Eigen::Index>(n_groups))
    fail(Errc::shape_mismatch, "thresholds have ", thresholds.rows(), " rows, expected ", n_groups,
         group.empty() ? " (no group column)" : " (one per group label)");
  for (Eigen::Index r = 0; r < thresholds.rows(); ++r)
    for (Eigen::Index c = 0; c < thresholds.cols(); ++c) {
      if (!std::isfinite(thresholds(r, c)))
        fail(Errc::invalid_argument, "threshold [", r, "][", c, "] is ", thresholds(r, c));
      if (c > 0 && !(thresholds(r, c) < thresholds(r, c - 1)))
        fail(Errc::invalid_argument, "tiers out of order: threshold [", r, "][", c, "] = ", thresholds(r, c),
             " is not below threshold [", r, "][", c - 1, "] = ", thresholds(r, c - 1),
             " (thresholds go from the best tier down)");
    }
  Grading g = detail::weighted_score(table, criteria, norm);
  g.n_tiers = static_cast<std::size_t>(thresholds.cols()) + 1;
  g.tier.resize(table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto row = thresholds.row(codes[i]);
    std::int32_t t = 0;
    while (t < row.size() && g.score[static_cast<Eigen::Index>(i)] < row[t]) ++t;
    g.tier[i] = t;
  }
  return g;
}

Grading grade_by_mix(const CustomerTable& table, const std::vector<Criterion>& criteria,
                     const std::vector<double>& mix, std::string_view group, Normalize norm) {
  if (mix.size() < 2) fail(Errc::invalid_argument, "a target mix needs at least two tiers, got ", mix.size());
  double total = 0.0;
  for (std::size_t k = 0; k < mix.size(); ++k) {
    if (!(std::isfinite(mix[k]) && mix[k] > 0.0))
      fail(Errc::invalid_argument, "mix[", k, "] must be finite and > 0, got ", mix[k]);
    total += mix[k];
  }
  std::size_t n_groups = 0;
  const auto codes = detail::group_codes(table, group, &n_groups);
  Grading g = detail::weighted_score(table, criteria, norm);
  g.n_tiers = mix.size();
  g.tier.assign(table.size(), 0);
  std::vector<std::vector<std::size_t>> members(n_groups);
  for (std::size_t i = 0; i < table.size(); ++i) members[static_cast<std::size_t>(codes[i])].push_back(i);
  for (auto& m : members) {
    std::stable_sort(m.begin(), m.end(), [&](std::size_t a, std::size_t b) {
      return g.score[static_cast<Eigen::Index>(a)] > g.score[static_cast<Eigen::Index>(b)];
    });
    const double n = static_cast<double>(m.size());
    double cum = 0.0;
    std::size_t begin = 0;
    for (std::size_t k = 0; k < mix.size(); ++k) {
      cum += mix[k];
      const std::size_t end =
          k + 1 == mix.size() ? m.size() : static_cast<std::size_t>(std::llround(n * cum / total));
      for (std::size_t r = begin; r < std::max(begin, end); ++r) g.tier[m[r]] = static_cast<std::int32_t>(k);
      begin = std::max(begin, end);
    }
  }
  return g;
}

Grading grade_by_value(std::span<const double> value, const std::vector<double>& cutoffs) {
  if (value.empty()) fail(Errc::empty_input, "no customers to grade");
  if (cutoffs.empty()) fail(Errc::invalid_argument, "give at least one cumulative-share cut-off (two tiers)");
  for (std::size_t k = 0; k < cutoffs.size(); ++k) {
    if (!(cutoffs[k] > 0.0 && cutoffs[k] < 1.0))
      fail(Errc::invalid_argument, "cut-off ", k, " must be in (0, 1), got ", cutoffs[k]);
    if (k > 0 && !(cutoffs[k] > cutoffs[k - 1]))
      fail(Errc::invalid_argument, "tiers out of order: cut-off ", k, " = ", cutoffs[k],
           " is not above cut-off ", k - 1, " = ", cutoffs[k - 1]);
  }
  double total = 0.0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!(std::isfinite(value[i]) && value[i] >= 0.0))
      fail(Errc::invalid_argument, "value: row ", i, " is ", value[i], "; values must be finite and >= 0");
    total += value[i];
  }
  if (!(total > 0.0)) fail(Errc::invalid_argument, "values are all zero; nothing to rank by");
  const std::size_t n = value.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return value[a] > value[b]; });
  Grading g;
  g.n_tiers = cutoffs.size() + 1;
  g.tier.resize(n);
  g.score = Vector(static_cast<Eigen::Index>(n));
  g.contributions = Matrix(static_cast<Eigen::Index>(n), 1);
  g.columns = {"value"};
  double before = 0.0;
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = order[r];
    std::int32_t t = 0;
    while (static_cast<std::size_t>(t) < cutoffs.size() && before >= cutoffs[static_cast<std::size_t>(t)])
      ++t;
    g.tier[i] = t;
    const double share = value[i] / total;
    before += share;
    g.score[static_cast<Eigen::Index>(i)] = before;
    g.contributions(static_cast<Eigen::Index>(i), 0) = share;
  }
  return g;
}

FUNNELNET_END
