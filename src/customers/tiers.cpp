// Tier migration and Markov customer lifetime value (see funnelnet/customers/tiers.hpp).
#include "funnelnet/customers/tiers.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/markov/solver.hpp"

FUNNELNET_BEGIN

namespace {
void require_stochastic(const Matrix& p) {
  if (p.rows() != p.cols() || p.rows() == 0)
    fail(Errc::shape_mismatch, "transition matrix is ", p.rows(), "x", p.cols(),
         ", expected square and non-empty");
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    double s = 0.0;
    for (Eigen::Index j = 0; j < p.cols(); ++j) {
      if (!(p(i, j) >= 0.0 && p(i, j) <= 1.0))
        fail(Errc::invalid_argument, "P[", i, "][", j, "] must be a probability in [0, 1], got ", p(i, j));
      s += p(i, j);
    }
    if (std::abs(s - 1.0) > 1e-9) fail(Errc::invalid_argument, "row ", i, " of P sums to ", s, ", not 1");
  }
}
Matrix power(const Matrix& p, std::int64_t k) {
  Matrix result = Matrix::Identity(p.rows(), p.cols()), base = p;
  while (k > 0) {
    if (k & 1) result = result * base;
    base = base * base;
    k >>= 1;
  }
  return result;
}
}  // namespace

TierMigration fit_tier_migration(const StageSpace& space, std::span<const std::int64_t> customer,
                                 std::span<const std::int64_t> period, std::span<const std::int32_t> tier,
                                 std::span<const std::int32_t> segment, std::size_t n_segments,
                                 const TierMigrationOptions& options) {
  const std::size_t n = customer.size();
  require_size(period.size(), n, "period");
  require_size(tier.size(), n, "tier");
  if (n == 0) fail(Errc::empty_input, "no tier snapshots");
  if (!segment.empty()) require_size(segment.size(), n, "segment");
  if (segment.empty()) n_segments = 1;
  if (n_segments == 0) fail(Errc::invalid_argument, "n_segments must be >= 1");
  const auto ns = static_cast<std::int32_t>(space.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (tier[i] < 0 || tier[i] >= ns)
      fail(Errc::out_of_range, "tier: row ", i, " (customer ", customer[i], ") has tier index ", tier[i],
           ", outside [0, ", ns, ")");
    if (!segment.empty() && (segment[i] < 0 || static_cast<std::size_t>(segment[i]) >= n_segments))
      fail(Errc::out_of_range, "segment: row ", i, " is ", segment[i], ", outside [0, ", n_segments, ")");
  }
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return customer[a] != customer[b] ? customer[a] < customer[b] : period[a] < period[b];
  });
  TierMigration out;
  out.space = space;
  out.first_period = *std::min_element(period.begin(), period.end());
  out.last_period = *std::max_element(period.begin(), period.end());
  const auto m = static_cast<Eigen::Index>(space.size());
  std::vector<Matrix> c(n_segments, Matrix::Zero(m, m));
  out.customers.assign(n_segments, 0);
  out.late.assign(n_segments, 0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = idx[k];
    const std::size_t seg = segment.empty() ? 0 : static_cast<std::size_t>(segment[i]);
    if (k == 0 || customer[idx[k - 1]] != customer[i]) {
      ++out.customers[seg];
      if (period[i] > out.first_period) ++out.late[seg];
      continue;
    }
    const std::size_t h = idx[k - 1];
    const std::int64_t gap = period[i] - period[h];
    if (gap == 0)
      fail(Errc::duplicate_label, "customer ", customer[i], " has two snapshots in period ", period[i],
           " (rows ", h, " and ", i, ")");
    if (gap > 1) {
      if (options.gaps == SnapshotGaps::error)
        fail(Errc::invalid_argument, "snapshot gap: customer ", customer[i],
             " has no snapshot between periods ", period[h], " and ", period[i], " (rows ", h, " and ", i,
             "); fill the gap or skip gaps");
      continue;
    }
    const std::size_t hs = segment.empty() ? 0 : static_cast<std::size_t>(segment[h]);
    c[hs](tier[h], tier[i]) += 1.0;
  }
  FitOptions fo;
  fo.smoothing = options.smoothing;
  fo.empty_rows = options.empty_rows;
  for (std::size_t s = 0; s < n_segments; ++s) {
    out.counts.emplace_back(space, std::move(c[s]));
    out.chains.push_back(fit(out.counts.back(), fo));
  }
  return out;
}

TierRates tier_rates(const Matrix& p, const std::vector<std::int32_t>& churn_states) {
  require_stochastic(p);
  const auto n = p.rows();
  std::vector<char> lost(static_cast<std::size_t>(n), 0);
  for (auto s : churn_states) {
    if (s < 0 || s >= n) fail(Errc::out_of_range, "churn state ", s, " is outside [0, ", n, ")");
    lost[static_cast<std::size_t>(s)] = 1;
  }
  TierRates r{Vector::Zero(n), Vector::Zero(n), Vector::Zero(n), Vector::Zero(n)};
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = p(i, j);
      if (lost[static_cast<std::size_t>(j)])
        r.churn[i] += v;
      else if (j < i)
        r.promotion[i] += v;
      else if (j > i)
        r.demotion[i] += v;
      else
        r.stay[i] += v;
    }
  return r;
}

Vector churn_within(const Matrix& p, const std::vector<std::int32_t>& churn_states, std::int64_t k) {
  require_stochastic(p);
  if (k < 0) fail(Errc::invalid_argument, "number of periods must be >= 0, got ", k);
  if (churn_states.empty()) fail(Errc::invalid_argument, "name at least one lost (churn) state");
  // a state listed twice would be added twice
  std::vector<std::int32_t> u(churn_states);
  std::sort(u.begin(), u.end());
  if (std::adjacent_find(u.begin(), u.end()) != u.end())
    fail(Errc::duplicate_label, "a churn state is listed twice");
  Matrix q = p;
  for (auto s : churn_states) {
    if (s < 0 || s >= p.rows())
      fail(Errc::out_of_range, "churn state ", s, " is outside [0, ", p.rows(), ")");
    q.row(s).setZero();
    q(s, s) = 1.0;
  }
  const Matrix qk = power(q, k);
  Vector out = Vector::Zero(p.rows());
  for (auto s : churn_states) out += qk.col(s);
  return out;
}

Vector mix_ahead(const Matrix& p, const Vector& mix, std::int64_t k) {
  require_stochastic(p);
  if (k < 0) fail(Errc::invalid_argument, "number of periods must be >= 0, got ", k);
  require_size(static_cast<std::size_t>(mix.size()), static_cast<std::size_t>(p.rows()), "mix");
  for (Eigen::Index i = 0; i < mix.size(); ++i)
    if (!(std::isfinite(mix[i]) && mix[i] >= 0.0))
      fail(Errc::invalid_argument, "mix[", i, "] must be finite and >= 0, got ", mix[i]);
  return (mix.transpose() * power(p, k)).transpose();
}

Vector markov_clv_finite(const Matrix& p, const Vector& reward, double discount, std::int64_t horizon) {
  require_stochastic(p);
  require_size(static_cast<std::size_t>(reward.size()), static_cast<std::size_t>(p.rows()), "rewards");
  for (Eigen::Index i = 0; i < reward.size(); ++i)
    if (!std::isfinite(reward[i])) fail(Errc::invalid_argument, "reward[", i, "] is ", reward[i]);
  if (!(std::isfinite(discount) && discount > -1.0))
    fail(Errc::invalid_argument, "discount rate must be finite and > -1, got ", discount);
  if (horizon < 0) fail(Errc::invalid_argument, "horizon must be >= 0, got ", horizon);
  const Matrix q = p / (1.0 + discount);
  const Eigen::Index n = p.rows();
  Vector v = Vector::Zero(n);
  if (horizon <= std::max<std::int64_t>(64, n)) {
    // Term by term: horizon matrix-vector products (cheaper than n^3 squarings here).
    Vector term = reward;
    for (std::int64_t t = 0; t < horizon; ++t) {
      v += term;
      term = q * term;
    }
  } else {
    // By doubling over the bits of the horizon (issue 17: a term-by-term sum made
    // horizon = INT64_MAX run forever): with S_k = sum_{t<k} Q^t R and P_k = Q^k,
    // S_2k = S_k + P_k S_k, P_2k = P_k P_k, S_k+1 = R + Q S_k, P_k+1 = Q P_k; at most 63
    // steps of two n x n products each.
    int top = 62;
    while (((horizon >> top) & 1) == 0) --top;
    v = reward;  // k = 1
    Matrix pk = q;
    for (int bit = top - 1; bit >= 0; --bit) {
      v += pk * v;
      pk = pk * pk;
      if ((horizon >> bit) & 1) {
        v = reward + q * v;
        pk = q * pk;
      }
    }
  }
  for (Eigen::Index i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      fail(Errc::out_of_range, "the value of state ", i, " over a horizon of ", horizon,
           " periods at discount rate ", discount,
           " overflows a double: use a positive discount rate or a shorter horizon");
  return v;
}

Vector markov_clv(const Matrix& p, const Vector& reward, double discount) {
  require_stochastic(p);
  require_size(static_cast<std::size_t>(reward.size()), static_cast<std::size_t>(p.rows()), "rewards");
  for (Eigen::Index i = 0; i < reward.size(); ++i)
    if (!std::isfinite(reward[i])) fail(Errc::invalid_argument, "reward[", i, "] is ", reward[i]);
  if (!(std::isfinite(discount) && discount > 0.0))
    fail(Errc::invalid_argument, "the infinite-horizon value needs a discount rate > 0, got ", discount);
  // v = r + Q v with Q = P / (1 + d): one transient solve on the Markov engine.
  const Matrix q = p / (1.0 + discount);
  const Matrix b = reward;
  return markov::TransientSolver(q).solve(b).col(0);
}

FUNNELNET_END
