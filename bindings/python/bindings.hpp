// Shared helpers of the pybind11 module: array views, and the per-area entry points.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <span>

#include "funnelnet/core/error.hpp"

namespace py = pybind11;

namespace funnelnet::python {

/// A C-contiguous numpy array of exactly T (no silent conversion: mark the argument
/// .noconvert() so a mismatched dtype raises TypeError and the Python layer casts).
template <class T>
using array = py::array_t<T, py::array::c_style>;

/// Read-only span over a 1-d array (no copy).
template <class T>
std::span<const T> span_of(const array<T>& a, const char* what) {
  if (a.ndim() != 1)
    funnelnet::fail(funnelnet::Errc::shape_mismatch, what, " must be 1-dimensional, got ", a.ndim(),
                    " dimensions");
  return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

void register_funnel(py::module_& m);
void register_attribution(py::module_& m);
void register_graph(py::module_& m);
void register_customers(py::module_& m);

}  // namespace funnelnet::python
