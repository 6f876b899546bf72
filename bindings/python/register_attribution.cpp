// Python bindings for the attribution area (submodule funnelnet._core.attribution).
#include "bindings.hpp"

namespace funnelnet::python {

void register_attribution(py::module_& m) {
  (void)m;
}

}  // namespace funnelnet::python
