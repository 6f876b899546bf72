// exp(A) for generators times long horizons (private to src/funnel).
#pragma once

#include <cmath>

#include "core/linalg.hpp"
#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"

FUNNELNET_BEGIN
namespace detail {

/// exp(a) where `a` is a generator (or its transient block) times a horizon.  Eigen's
/// (detail::matrix_exp, compiled once in the core)
/// scaling and squaring gives NaN once the norm passes about 1e18 (issue 17: t >= 1e19);
/// past a norm of 1024 this scales by 2^-m itself (norm <= 1), exponentiates and squares
/// m times, which stays finite for any finite norm: the squares of a (sub)stochastic
/// matrix stay in [0, 1].
inline Matrix expm_long_horizon(const Matrix& a) {
  const double norm = a.rows() == 0 ? 0.0 : a.cwiseAbs().rowwise().sum().maxCoeff();
  if (!std::isfinite(norm)) fail(Errc::invalid_argument, "the generator times the horizon is not finite");
  if (norm <= 1024.0) return matrix_exp(a);
  const int m = static_cast<int>(std::ceil(std::log2(norm)));
  const Matrix scaled = a * std::ldexp(1.0, -m);
  Matrix e = matrix_exp(scaled);
  for (int i = 0; i < m; ++i) e = (e * e).eval();
  return e;
}

}  // namespace detail
FUNNELNET_END
