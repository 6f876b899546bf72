// Private to the compiled graph area: access to a ReferralGraph's shared CSR storage.
// (CsrStorage may stay incomplete here: copying and comparing the pointer is enough.)
#pragma once

#include <memory>

#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN
namespace detail {

struct CsrAccess {
  static const std::shared_ptr<const CsrStorage>& storage(const ReferralGraph& g) noexcept { return g.csr_; }
};

}  // namespace detail
FUNNELNET_END
