// Shared helpers of the pybind11 module: array views, and the per-area entry points.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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

/// The exception a signal handler raised (KeyboardInterrupt for Ctrl-C) while a C++ job
/// ran, kept on the calling thread until the job's CancelledError reaches the exception
/// translator (module.cpp), which raises it instead: Ctrl-C surfaces as KeyboardInterrupt.
struct PendingSignal {
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;
};
inline PendingSignal& pending_signal() {
  static thread_local PendingSignal p;
  return p;
}

/// Adapt an optional Python callable(done, total) -> bool to a C++ Progress callback that
/// takes the GIL to call it.  Nothing may be thrown through parallel_for's reporting
/// loop, so a pending KeyboardInterrupt, a false return or an exception in the callable
/// cancels the job (the C++ side then raises CancelledError; for a signal, the module's
/// translator re-raises the signal's exception).  Without a callable the job still
/// checks for signals as tasks finish (issue 17: Ctrl-C works whether or not
/// progress=True).
inline funnelnet::Progress progress_from_python(const py::object& cb) {
  const bool has_cb = !cb.is_none();
  return [cb, has_cb](std::uint64_t done, std::uint64_t total) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PendingSignal& p = pending_signal();
      Py_XDECREF(p.type);
      Py_XDECREF(p.value);
      Py_XDECREF(p.traceback);
      PyErr_Fetch(&p.type, &p.value, &p.traceback);
      return false;
    }
    if (!has_cb) return true;
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

/// A 1-d numpy array that takes ownership of a C++ vector (no copy of an rvalue: a capsule
/// owns the moved vector and is the array's base object; an lvalue is copied once).
template <class T>
py::array_t<T> to_numpy(std::vector<T> v) {
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(heap->size()), heap->data(), owner);
}
/// The same under the name some register_*.cpp use.
template <class T>
py::array_t<T> to_array(std::vector<T> v) {
  return to_numpy(std::move(v));
}

/// Bind a function whose arguments are all C++ objects so it runs with the GIL released:
/// m.def("f", &f, py::arg("x"), nogil_call()).  (Arguments are converted before, the
/// result after the release.)
using nogil_call = py::call_guard<py::gil_scoped_release>;

/// Run `f()` with the GIL released and return its result.  Extract every span and convert
/// every argument before calling: `f` must not touch Python objects.
template <class F>
auto nogil(F&& f) -> decltype(f()) {
  py::gil_scoped_release release;
  return std::forward<F>(f)();
}

/// An enum from its integer code in [0, max]; InvalidArgumentError naming `what` otherwise.
template <class E>
E enum_code(int code, int max, const char* what) {
  if (code < 0 || code > max)
    funnelnet::fail(funnelnet::Errc::invalid_argument, what, " code must be 0..", max, ", got ", code);
  return static_cast<E>(code);
}

// ---- defaults of the C++ options structs ------------------------------------------
// Each register_<area>() lists its options structs once with FUNNELNET_PY_DEFAULTS; the
// values are read from a default-constructed struct (enums as their integer codes,
// empty optionals as None, vectors as lists) each time Python calls
// funnelnet._core.defaults().

/// The Python value of one option field.
template <class T>
py::object option_value(const T& v) {
  if constexpr (std::is_enum_v<T>) {
    return py::int_(static_cast<int>(v));
  } else if constexpr (requires {
                         v.has_value();
                         *v;
                       }) {
    return v ? option_value(*v) : py::none();
  } else {
    return py::cast(v);
  }
}

/// Struct name -> a function building {field: default} from a default-constructed struct.
inline std::map<std::string, py::dict (*)()>& option_defaults() {
  static std::map<std::string, py::dict (*)()> registry;
  return registry;
}

#define FUNNELNET_PY_PARENS_ ()
// (FOR_EACH by __VA_OPT__ recursion: each rescan of the EXPAND chain handles one field;
// 4 x 4 x 4 rescans, so up to 64 fields.)
#define FUNNELNET_PY_EXPAND_(...) \
  FUNNELNET_PY_EXPAND1_(FUNNELNET_PY_EXPAND1_(FUNNELNET_PY_EXPAND1_(FUNNELNET_PY_EXPAND1_(__VA_ARGS__))))
#define FUNNELNET_PY_EXPAND1_(...) \
  FUNNELNET_PY_EXPAND2_(FUNNELNET_PY_EXPAND2_(FUNNELNET_PY_EXPAND2_(FUNNELNET_PY_EXPAND2_(__VA_ARGS__))))
#define FUNNELNET_PY_EXPAND2_(...) \
  FUNNELNET_PY_EXPAND3_(FUNNELNET_PY_EXPAND3_(FUNNELNET_PY_EXPAND3_(FUNNELNET_PY_EXPAND3_(__VA_ARGS__))))
#define FUNNELNET_PY_EXPAND3_(...) __VA_ARGS__
#define FUNNELNET_PY_FIELDS_(s, d, f, ...)        \
  d[#f] = ::funnelnet::python::option_value(s.f); \
  __VA_OPT__(FUNNELNET_PY_FIELDS_AGAIN_ FUNNELNET_PY_PARENS_(s, d, __VA_ARGS__))
#define FUNNELNET_PY_FIELDS_AGAIN_() FUNNELNET_PY_FIELDS_

/// Publish the defaults of options struct `S` (fields listed by name) under the key
/// `name`: FUNNELNET_PY_DEFAULTS_AS("PeriodOptions", PeriodOptions<double>, period, threads).
#define FUNNELNET_PY_DEFAULTS_AS(name, S, ...)                                                         \
  ::funnelnet::python::option_defaults()[name] = []() -> py::dict {                                    \
    const S fnet_py_s_{};                                                                              \
    py::dict fnet_py_d_;                                                                               \
    FUNNELNET_PY_EXPAND_(FUNNELNET_PY_FIELDS_(fnet_py_s_, fnet_py_d_, __VA_ARGS__)) return fnet_py_d_; \
  }
/// The same under the struct's own name: FUNNELNET_PY_DEFAULTS(FitOptions, smoothing, empty_rows).
#define FUNNELNET_PY_DEFAULTS(S, ...) FUNNELNET_PY_DEFAULTS_AS(#S, S, __VA_ARGS__)

void register_funnel(py::module_& m);
void register_semi_markov(py::module_& m);  // also into funnelnet._core.funnel
void register_attribution(py::module_& m);
void register_graph(py::module_& m);
void register_customers(py::module_& m);
void register_datasets(py::module_& m);
void register_ic_learning(py::module_& m);  // also into funnelnet._core.graph
void register_pipeline(py::module_& m);
void register_scoring(py::module_& m);

}  // namespace funnelnet::python
