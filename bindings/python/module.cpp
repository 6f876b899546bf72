// funnelnet._core: exceptions, version, and one submodule per area.
#include <string>

#include "bindings.hpp"
#include "funnelnet/c/version.h"

namespace {

// Python exception classes, one per error code; each subclasses FunnelnetError and the
// matching builtin (ValueError, TypeError, ...), so `except ValueError` works.
struct ErrorClasses {
  PyObject* base = nullptr;
  PyObject* by_code[32] = {};
};
ErrorClasses& classes() {
  static ErrorClasses c;
  return c;
}

PyObject* make_class(py::module_& m, const char* name, PyObject* base1, PyObject* base2, const char* doc) {
  py::tuple bases = base2 != nullptr ? py::tuple(py::make_tuple(py::handle(base1), py::handle(base2)))
                                     : py::tuple(py::make_tuple(py::handle(base1)));
  const std::string full = std::string("funnelnet.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(full.c_str(), doc, bases.ptr(), nullptr);
  if (cls == nullptr) throw py::error_already_set();
  m.attr(name) = py::handle(cls);  // the module keeps a reference
  return cls;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  using funnelnet::Errc;
  m.doc() = "funnelnet's compiled core (private: use the funnelnet package)";
  m.attr("__version__") = std::to_string(FNET_VERSION_MAJOR) + "." + std::to_string(FNET_VERSION_MINOR) +
                          "." + std::to_string(FNET_VERSION_PATCH);
  m.attr("version_number") = FNET_VERSION_NUMBER;

  auto& c = classes();
  c.base = make_class(m, "FunnelnetError", PyExc_Exception, nullptr, "Base class of every funnelnet error.");
  PyObject* invalid = make_class(m, "InvalidArgumentError", c.base, PyExc_ValueError,
                                 "A value is out of its domain (NaN, negative, rows not summing to 1, ...).");
  auto code = [](Errc e) { return static_cast<int>(e); };
  c.by_code[code(Errc::invalid_argument)] = invalid;
  c.by_code[code(Errc::unknown_label)] =
      make_class(m, "UnknownLabelError", invalid, nullptr, "A name or id the object does not know.");
  c.by_code[code(Errc::duplicate_label)] =
      make_class(m, "DuplicateLabelError", invalid, nullptr, "The same name given twice.");
  c.by_code[code(Errc::shape_mismatch)] =
      make_class(m, "ShapeError", invalid, nullptr, "Arrays of different lengths or wrong shape.");
  c.by_code[code(Errc::empty_input)] =
      make_class(m, "EmptyInputError", invalid, nullptr, "Nothing to work on.");
  c.by_code[code(Errc::not_absorbing)] = make_class(m, "NotAbsorbingError", invalid, nullptr,
                                                    "No absorbing state is reachable from some state.");
  c.by_code[code(Errc::null_argument)] = invalid;
  c.by_code[code(Errc::buffer_too_small)] = invalid;
  c.by_code[code(Errc::out_of_range)] =
      make_class(m, "OutOfRangeError", invalid, PyExc_IndexError, "An index outside its range.");
  c.by_code[code(Errc::io_error)] =
      make_class(m, "FileError", c.base, PyExc_OSError, "A file could not be read or written.");
  c.by_code[code(Errc::format_error)] = make_class(m, "FormatError", invalid, nullptr,
                                                   "Corrupt file, malformed line or unknown model version.");
  c.by_code[code(Errc::not_converged)] =
      make_class(m, "ConvergenceError", c.base, PyExc_RuntimeError, "An iterative method did not converge.");
  c.by_code[code(Errc::no_memory)] = PyExc_MemoryError;
  c.by_code[code(Errc::internal)] =
      make_class(m, "InternalError", c.base, PyExc_RuntimeError, "A bug in funnelnet: please report it.");
  c.by_code[code(Errc::cancelled)] =
      make_class(m, "CancelledError", c.base, nullptr, "A progress callback or interrupt stopped the job.");
  c.by_code[code(Errc::type_error)] =
      make_class(m, "InputTypeError", c.base, PyExc_TypeError, "Wrong kind of input (dtype, object type).");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const funnelnet::Error& e) {
      const int k = static_cast<int>(e.code());
      PyObject* cls =
          (k >= 0 && k < 32 && classes().by_code[k] != nullptr) ? classes().by_code[k] : classes().base;
      PyErr_SetString(cls, e.what());
    }
  });

  auto funnel = m.def_submodule("funnel", "Markov funnels");
  funnelnet::python::register_funnel(funnel);
  auto attribution = m.def_submodule("attribution", "Channel attribution");
  funnelnet::python::register_attribution(attribution);
  auto graph = m.def_submodule("graph", "Referral networks");
  funnelnet::python::register_graph(graph);
  auto customers = m.def_submodule("customers", "Customers, tiers and repeat buying");
  funnelnet::python::register_customers(customers);
}
