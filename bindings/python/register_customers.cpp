// Python bindings for the customers area (submodule funnelnet._core.customers).
#include "bindings.hpp"

namespace funnelnet::python {

void register_customers(py::module_& m) {
  (void)m;
}

}  // namespace funnelnet::python
