// Shared helpers of the pybind11 module: array views, and the per-area entry points.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <span>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/parallel.hpp"

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

/// Adapt an optional Python callable(done, total) -> bool to a C++ Progress callback that
/// takes the GIL to call it.  Nothing may be thrown through parallel_for's reporting
/// loop, so a pending KeyboardInterrupt, a false return or an exception in the callable
/// cancels the job (the C++ side then raises CancelledError).
inline funnelnet::Progress progress_from_python(const py::object& cb) {
  if (cb.is_none()) return {};
  return [cb](std::uint64_t done, std::uint64_t total) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();
      return false;
    }
    try {
      return cb(done, total).cast<bool>();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("funnelnet progress callback");
      return false;
    } catch (...) {
      return false;
    }
  };
}

void register_funnel(py::module_& m);
void register_semi_markov(py::module_& m);  // also into funnelnet._core.funnel
void register_attribution(py::module_& m);
void register_graph(py::module_& m);
void register_customers(py::module_& m);

}  // namespace funnelnet::python
