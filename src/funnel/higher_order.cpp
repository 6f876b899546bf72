// Higher-order chains: fitting, held-out likelihood and order selection.
#include "funnelnet/funnel/higher_order.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

FUNNELNET_BEGIN

namespace detail {
namespace {
struct PathsView {
  std::span<const std::int32_t> stages;
  std::span<const std::int64_t> offsets;
};

void check_paths(const StageSpace& space, PathsView p) {
  // Reuse the first-order validation (indices, offsets, continuing after an outcome).
  (void)TransitionCounts::from_paths(space, p.stages, p.offsets);
}

std::uint64_t history_key(const std::int32_t* s, int k, std::size_t n) {
  std::uint64_t key = 0;
  for (int q = 0; q < k; ++q) key = key * n + static_cast<std::uint64_t>(s[q]);
  return key;
}

// Call f(history pointer, next) for each transition at positions >= start (>= k) of each
// path; absorbing self-repeats are skipped.
template <class F>
void for_each_transition(const StageSpace& space, PathsView p, int k, int start, F&& f) {
  const std::size_t n_paths = p.offsets.size() - 1;
  for (std::size_t i = 0; i < n_paths; ++i) {
    const auto b = p.offsets[i], e = p.offsets[i + 1];
    for (auto t = b + start; t < e; ++t) {
      const std::int32_t prev = p.stages[static_cast<std::size_t>(t - 1)];
      const std::int32_t next = p.stages[static_cast<std::size_t>(t)];
      if (prev == next && space.is_absorbing(static_cast<std::size_t>(prev))) continue;
      f(p.stages.data() + (t - k), next);
    }
  }
}
}  // namespace
}  // namespace detail

HigherOrderChain fit_higher_order(const StageSpace& space, std::span<const std::int32_t> stages,
                                  std::span<const std::int64_t> offsets, int order, double smoothing,
                                  int start) {
  if (order < 1 || order > 16) fail(Errc::invalid_argument, "order must be in [1, 16], got ", order);
  require_nonnegative(smoothing, "smoothing");
  if (start < 0) start = order;
  if (start < order) fail(Errc::invalid_argument, "start (", start, ") must be >= order (", order, ")");
  detail::check_paths(space, {stages, offsets});
  const std::size_t n = space.size();
  if (std::pow(static_cast<double>(n), order) > 1.8e19)
    fail(Errc::invalid_argument, "order ", order, " is too large for ", n, " stages");
  std::unordered_map<std::uint64_t, std::size_t> row_of;
  std::vector<std::int32_t> hist;
  std::vector<double> cnt;
  double total = 0.0;
  detail::for_each_transition(space, {stages, offsets}, order, start,
                              [&](const std::int32_t* h, std::int32_t next) {
                                const std::uint64_t key = detail::history_key(h, order, n);
                                auto [it, inserted] = row_of.emplace(key, row_of.size());
                                if (inserted) {
                                  hist.insert(hist.end(), h, h + order);
                                  cnt.resize(cnt.size() + n, 0.0);
                                }
                                cnt[it->second * n + static_cast<std::size_t>(next)] += 1.0;
                                total += 1.0;
                              });
  if (total == 0.0) fail(Errc::empty_input, "no transition has a history of ", order, " stages");
  HigherOrderChain out;
  out.space = space;
  out.order = order;
  const auto h = static_cast<Eigen::Index>(row_of.size());
  out.histories.resize(h, order);
  for (Eigen::Index r = 0; r < h; ++r)
    for (int q = 0; q < order; ++q) out.histories(r, q) = hist[static_cast<std::size_t>(r * order + q)];
  out.counts = Eigen::Map<const Matrix>(cnt.data(), h, static_cast<Eigen::Index>(n));
  out.probabilities.resize(h, static_cast<Eigen::Index>(n));
  out.transitions = total;
  for (Eigen::Index r = 0; r < h; ++r) {
    const double rs = out.counts.row(r).sum();
    out.probabilities.row(r) =
        (out.counts.row(r).array() + smoothing) / (rs + smoothing * static_cast<double>(n));
    double seen = 0.0;
    for (Eigen::Index j = 0; j < out.counts.cols(); ++j)
      if (out.counts(r, j) > 0.0) {
        seen += 1.0;
        out.log_likelihood += out.counts(r, j) * std::log(out.probabilities(r, j));
      }
    out.parameters += seen - 1.0;
  }
  return out;
}

/// Log-likelihood of the paths' transitions at positions >= `start` (default: the
/// chain's order) under `chain`; a history the chain never saw gives its next stage
/// probability 1/n (the smoothed estimate of an empty row).  A zero-probability move
/// gives -infinity.
double higher_order_log_likelihood(const HigherOrderChain& chain, std::span<const std::int32_t> stages,
                                   std::span<const std::int64_t> offsets, int start) {
  if (start < 0) start = chain.order;
  detail::check_paths(chain.space, {stages, offsets});
  const std::size_t n = chain.space.size();
  std::unordered_map<std::uint64_t, Eigen::Index> row_of;
  for (Eigen::Index r = 0; r < chain.histories.rows(); ++r)
    row_of.emplace(detail::history_key(chain.histories.row(r).data(), chain.order, n), r);
  double ll = 0.0;
  detail::for_each_transition(chain.space, {stages, offsets}, chain.order, start,
                              [&](const std::int32_t* h, std::int32_t next) {
                                auto it = row_of.find(detail::history_key(h, chain.order, n));
                                ll += it == row_of.end() ? -std::log(static_cast<double>(n))
                                                         : std::log(chain.probabilities(it->second, next));
                              });
  return ll;
}

/// Scores of orders 1..max_order fitted on the training paths (all scored on the
/// transitions at positions >= max_order), with the held-out log-likelihood of the test
/// paths (may be empty: offsets of size < 2) under each order fitted with `smoothing`.
std::vector<OrderScore> select_order(const StageSpace& space, std::span<const std::int32_t> train_stages,
                                     std::span<const std::int64_t> train_offsets, int max_order,
                                     std::span<const std::int32_t> test_stages,
                                     std::span<const std::int64_t> test_offsets, double smoothing) {
  if (max_order < 1 || max_order > 16)
    fail(Errc::invalid_argument, "max_order must be in [1, 16], got ", max_order);
  const bool has_test = test_offsets.size() >= 2;
  std::vector<OrderScore> out;
  for (int k = 1; k <= max_order; ++k) {
    const HigherOrderChain mle = fit_higher_order(space, train_stages, train_offsets, k, 0.0, max_order);
    OrderScore s;
    s.order = k;
    s.log_likelihood = mle.log_likelihood;
    s.parameters = mle.parameters;
    s.aic = 2.0 * s.parameters - 2.0 * s.log_likelihood;
    s.bic = s.parameters * std::log(mle.transitions) - 2.0 * s.log_likelihood;
    if (has_test) {
      const HigherOrderChain sm =
          fit_higher_order(space, train_stages, train_offsets, k, smoothing, max_order);
      s.heldout_log_likelihood = higher_order_log_likelihood(sm, test_stages, test_offsets, max_order);
    }
    out.push_back(s);
  }
  return out;
}

FUNNELNET_END
