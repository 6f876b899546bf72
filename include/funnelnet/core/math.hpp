// Small numeric helpers shared by every area.
#pragma once

#include <cmath>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace detail {

/// log Gamma(v) that does not write the global `signgam` (std::lgamma does: a data race
/// when likelihoods or samplers run on several threads, issue 17): lgamma_r where the C
/// library has it.
inline double log_gamma(double v) noexcept {
#if defined(__GLIBC__) || defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__OpenBSD__) || defined(__sun)
  int sign = 0;
  return ::lgamma_r(v, &sign);
#else
  return std::lgamma(v);  // MSVC's CRT keeps no global sign
#endif
}

}  // namespace detail
FUNNELNET_END
