// Maximum-likelihood IC edge probabilities (see include/funnelnet/graph/ic_learning.hpp).
#include "funnelnet/graph/ic_learning.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

IcEstimate learn_ic_probabilities(std::span<const std::int64_t> source, std::span<const std::int64_t> target,
                                  std::span<const std::int64_t> group, std::span<const std::uint8_t> active,
                                  std::span<const std::int64_t> ref_source,
                                  std::span<const std::int64_t> ref_target, const IcLearnOptions& options) {
  const std::size_t m = source.size();
  const auto n = static_cast<std::int64_t>(active.size());
  if (target.size() != m)
    fail(Errc::shape_mismatch, "learn_ic_probabilities: ", m, " edge sources but ", target.size(),
         " targets");
  if (!group.empty() && group.size() != m)
    fail(Errc::shape_mismatch, "learn_ic_probabilities: ", m, " edges but ", group.size(), " groups");
  if (ref_target.size() != ref_source.size())
    fail(Errc::shape_mismatch, "learn_ic_probabilities: ", ref_source.size(), " referrers but ",
         ref_target.size(), " referees");
  if (!(options.prior_a >= 0.0) || !std::isfinite(options.prior_a))
    fail(Errc::invalid_argument, "learn_ic_probabilities: prior_a must be >= 0, got ", options.prior_a);
  if (!(options.prior_b >= 0.0) || !std::isfinite(options.prior_b))
    fail(Errc::invalid_argument, "learn_ic_probabilities: prior_b must be >= 0, got ", options.prior_b);
  for (std::size_t i = 0; i < m; ++i) {
    if (source[i] < 0 || source[i] >= n || target[i] < 0 || target[i] >= n)
      fail(Errc::out_of_range, "learn_ic_probabilities: edge row ", i, " (", source[i], " -> ", target[i],
           ") names a node outside 0 .. ", n - 1);
    if (!group.empty() && group[i] < 0)
      fail(Errc::invalid_argument, "learn_ic_probabilities: edge row ", i, " has group ", group[i],
           " (must be >= 0)");
  }
  // Edges sorted by (source, target) to find each referral's edge.
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return source[a] != source[b] ? source[a] < source[b]
                                  : (target[a] != target[b] ? target[a] < target[b] : a < b);
  });
  for (std::size_t k = 1; k < m; ++k)
    if (source[order[k]] == source[order[k - 1]] && target[order[k]] == target[order[k - 1]])
      fail(Errc::invalid_argument, "learn_ic_probabilities: edge rows ", order[k - 1], " and ", order[k],
           " are both ", source[order[k]], " -> ", target[order[k]]);
  IcEstimate r;
  r.successes.assign(m, 0.0);
  r.exposures.assign(m, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    r.exposures[i] = active[static_cast<std::size_t>(source[i])] != 0 ? 1.0 : 0.0;
  for (std::size_t k = 0; k < ref_source.size(); ++k) {
    const std::int64_t u = ref_source[k], v = ref_target[k];
    const auto it = std::lower_bound(order.begin(), order.end(), k, [&](std::size_t e, std::size_t) {
      return source[e] != u ? source[e] < u : target[e] < v;
    });
    if (it == order.end() || source[*it] != u || target[*it] != v)
      fail(Errc::unknown_label, "learn_ic_probabilities: referral row ", k, " (", u, " -> ", v,
           ") is not an edge");
    if (r.exposures[*it] == 0.0)
      fail(Errc::invalid_argument, "learn_ic_probabilities: referral row ", k, " (", u, " -> ", v,
           ") comes from a source that was not active");
    r.successes[*it] = 1.0;
  }
  // Pool by group.
  std::vector<std::int64_t> g(m);
  if (group.empty())
    std::iota(g.begin(), g.end(), std::int64_t{0});
  else
    std::copy(group.begin(), group.end(), g.begin());
  const std::int64_t ng = m == 0 ? 0 : *std::max_element(g.begin(), g.end()) + 1;
  std::vector<double> s(static_cast<std::size_t>(ng), 0.0), x(static_cast<std::size_t>(ng), 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    s[static_cast<std::size_t>(g[i])] += r.successes[i];
    x[static_cast<std::size_t>(g[i])] += r.exposures[i];
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  r.probability.resize(m);
  r.std_error.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    const auto k = static_cast<std::size_t>(g[i]);
    const double den = x[k] + options.prior_a + options.prior_b;
    const double p = den > 0 ? (s[k] + options.prior_a) / den : kNaN;
    r.probability[i] = p;
    r.std_error[i] = x[k] > 0 ? std::sqrt(p * (1 - p) / x[k]) : kNaN;
  }
  return r;
}

FUNNELNET_END
