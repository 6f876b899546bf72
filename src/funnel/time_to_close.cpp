// Time to close: phase-type moments, distribution functions and quantiles.
#include "funnelnet/funnel/time_to_close.hpp"

#include <algorithm>
#include <cmath>

#include "core/linalg.hpp"
#include "funnel/expm.hpp"
#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/solver.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {
void check_probs(std::span<const double> probs) {
  for (std::size_t k = 0; k < probs.size(); ++k)
    if (!(probs[k] > 0.0 && probs[k] < 1.0))
      fail(Errc::invalid_argument, "quantile level ", k, " must be in (0, 1), got ", probs[k]);
}
Matrix transient_block(const Matrix& m, const std::vector<std::int32_t>& t) {
  const auto nt = static_cast<Eigen::Index>(t.size());
  Matrix s(nt, nt);
  for (Eigen::Index a = 0; a < nt; ++a)
    for (Eigen::Index b = 0; b < nt; ++b) s(a, b) = m(t[a], t[b]);
  return s;
}
}  // namespace
}  // namespace detail

/// Discrete time to close: the number of steps until absorption.  Quantile p of stage i
/// is the smallest k with P(T <= k) >= p.  Throws not_absorbing if some stage cannot
/// close, not_converged if a quantile needs more than `max_steps` steps.
TimeToClose time_to_close(const MarkovChain& chain, std::span<const double> probs, std::size_t max_steps) {
  detail::check_probs(probs);
  const AbsorptionSummary s = summarize_absorption(chain);
  TimeToClose out;
  out.transient = s.transient;
  out.probs.assign(probs.begin(), probs.end());
  out.mean = s.expected_steps;
  out.variance = s.steps_variance;
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto np = static_cast<Eigen::Index>(probs.size());
  out.quantiles = Matrix::Constant(nt, np, -1.0);
  if (nt == 0 || np == 0) return out;
  const Matrix q = detail::transient_block(chain.matrix(), out.transient);
  Vector surv = Vector::Ones(nt);  // P(T > k)
  Eigen::Index missing = nt * np;
  for (std::size_t k = 0; missing > 0; ++k) {
    for (Eigen::Index i = 0; i < nt; ++i)
      for (Eigen::Index c = 0; c < np; ++c)
        if (out.quantiles(i, c) < 0.0 && 1.0 - surv(i) >= probs[static_cast<std::size_t>(c)] - 1e-12) {
          out.quantiles(i, c) = static_cast<double>(k);
          --missing;
        }
    if (missing == 0) break;
    if (k == max_steps)
      fail(Errc::not_converged, "a quantile of the time to close needs more than ", max_steps,
           " steps; raise max_steps");
    surv = q * surv;
  }
  return out;
}

/// P(T <= k) per transient stage for the discrete chain.
Vector close_time_cdf(const MarkovChain& chain, std::size_t k) {
  detail::require_absorbing(chain);
  const Matrix q = detail::transient_block(chain.matrix(), chain.space().transient());
  Vector surv = Vector::Ones(q.rows());
  // Step by step up to 1024 steps, stopping once every P(T > s) is below half an ulp of
  // 1 (the CDF is then exactly 1 in double and stays there); past that, Q^(k - s) by
  // repeated squaring: O(n^3 log k) for any k (issue 17: close_time_cdf(2**40) ran 21 h).
  constexpr double below_ulp = 0x1p-54;
  std::size_t s = 0;
  for (; s < k && s < 1024; ++s) {
    if (q.rows() == 0 || surv.maxCoeff() < below_ulp) return Vector::Ones(q.rows());
    surv = q * surv;
  }
  if (s < k && surv.maxCoeff() >= below_ulp) {
    std::size_t left = k - s;
    Matrix power = q;
    while (left > 0) {
      if (left & 1U) surv = power * surv;
      left >>= 1U;
      if (left > 0) power = (power * power).eval();
    }
  }
  return (Vector::Ones(q.rows()) - surv).cwiseMax(0.0);
}

/// P(T <= t) per transient stage for the continuous chain: 1 - exp(S t) 1.
Vector close_time_cdf(const ContinuousChain& chain, double t) {
  if (!(std::isfinite(t) && t >= 0.0))
    fail(Errc::invalid_argument, "time t must be finite and >= 0, got ", t);
  detail::require_absorbing(chain.jump_chain());
  const Matrix s = detail::transient_block(chain.generator(), chain.space().transient());
  Matrix st = s * t;
  const Matrix e = detail::expm_long_horizon(st);
  Vector surv = e.rowwise().sum();
  return (Vector::Ones(s.rows()) - surv).cwiseMax(0.0).cwiseMin(1.0);
}

/// Continuous time to close in the chain's time unit.  Quantiles are found by bisection
/// on the phase-type distribution function to a relative accuracy of 1e-10.
TimeToClose time_to_close(const ContinuousChain& chain, std::span<const double> probs) {
  detail::check_probs(probs);
  detail::require_absorbing(chain.jump_chain());
  TimeToClose out;
  out.transient = chain.space().transient();
  out.probs.assign(probs.begin(), probs.end());
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto np = static_cast<Eigen::Index>(probs.size());
  out.quantiles = Matrix::Zero(nt, np);
  if (nt == 0) return out;
  const Matrix s = detail::transient_block(chain.generator(), out.transient);
  const detail::DenseLU lu(Matrix(-s));
  out.mean = lu.solve_vector(Vector::Ones(nt));
  const Vector m2 = 2.0 * lu.solve_vector(out.mean);
  out.variance = m2 - out.mean.cwiseProduct(out.mean);
  auto survival = [&](double t, Eigen::Index i) {
    Matrix st = s * t;
    const Matrix e = detail::expm_long_horizon(st);
    return e.row(i).sum();
  };
  for (Eigen::Index i = 0; i < nt; ++i)
    for (Eigen::Index c = 0; c < np; ++c) {
      const double p = probs[static_cast<std::size_t>(c)];
      double lo = 0.0, hi = std::max(out.mean(i), 1e-300);
      int guard = 0;
      while (1.0 - survival(hi, i) < p) {
        lo = hi;
        hi *= 2.0;
        if (++guard > 2000) fail(Errc::not_converged, "time-to-close quantile ", p, " not bracketed");
      }
      for (int it = 0; it < 200 && hi - lo > 1e-10 * hi; ++it) {
        const double mid = 0.5 * (lo + hi);
        (1.0 - survival(mid, i) < p ? lo : hi) = mid;
      }
      out.quantiles(i, c) = 0.5 * (lo + hi);
    }
  return out;
}

FUNNELNET_END
