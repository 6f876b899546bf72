// Python bindings for the graph area (submodule funnelnet._core.graph).
#include "bindings.hpp"

namespace funnelnet::python {

void register_graph(py::module_& m) {
  (void)m;
}

}  // namespace funnelnet::python
