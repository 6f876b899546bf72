// Private to the compiled graph area: access to a ReferralGraph's shared CSR storage.
#pragma once

#include <memory>

#include "funnelnet/graph/boost.hpp"

FUNNELNET_BEGIN
namespace detail {

struct CsrAccess {
  static const std::shared_ptr<const CsrStorage>& storage(const ReferralGraph& g) noexcept { return g.csr_; }
};

}  // namespace detail
FUNNELNET_END
