// Private to the compiled core: order-preserving integer keys of doubles, for radix sorts
// (customers' make_rows) and integer comparisons of event times (funnel's counting).
#pragma once

#include <bit>
#include <cstdint>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace detail {

/// An unsigned 64-bit key of a double that is not NaN, in the same order: a < b exactly
/// when key(a) < key(b); equal values have equal keys (-0.0 and 0.0 share one).
inline std::uint64_t double_order_key(double v) noexcept {
  const auto u = std::bit_cast<std::uint64_t>(v + 0.0);
  return u ^ ((std::uint64_t{0} - (u >> 63)) | (std::uint64_t{1} << 63));
}

}  // namespace detail
FUNNELNET_END
