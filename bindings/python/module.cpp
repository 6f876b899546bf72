// funnelnet._core: exceptions, version, and one submodule per area.
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include "bindings.hpp"
#include "funnelnet/c/version.h"

namespace {

// Python exception classes, one per error code, built from the one status table
// (FNET_STATUS_TABLE in funnelnet/c/status.h).  Each subclasses FunnelnetError and the
// matching builtin (ValueError, TypeError, ...), so `except ValueError` works.
struct ErrorClasses {
  PyObject* base = nullptr;
  PyObject* by_code[FNET_STATUS_MAX + 1] = {};
};
ErrorClasses& classes() {
  static ErrorClasses c;
  return c;
}

PyObject* builtin_named(std::string_view name) {
  if (name == "ValueError") return PyExc_ValueError;
  if (name == "TypeError") return PyExc_TypeError;
  if (name == "IndexError") return PyExc_IndexError;
  if (name == "OSError") return PyExc_OSError;
  if (name == "RuntimeError") return PyExc_RuntimeError;
  if (name == "MemoryError") return PyExc_MemoryError;
  return nullptr;  // "none"
}

struct StatusRow {
  int code;
  const char* cls;
  const char* parent;
  const char* builtin;
  const char* doc;
};
#define FUNNELNET_PY_ROW_(c_suffix, value, cxx, py, parent, builtin, doc) \
  {value, #py, #parent, #builtin, doc},
constexpr StatusRow kStatusRows[] = {FNET_STATUS_TABLE(FUNNELNET_PY_ROW_)};
#undef FUNNELNET_PY_ROW_

void make_error_classes(py::module_& m) {
  auto& c = classes();
  std::map<std::string, PyObject*> made;
  auto make = [&](const std::string& name, PyObject* base1, PyObject* base2, const std::string& doc) {
    py::tuple bases = base2 != nullptr ? py::tuple(py::make_tuple(py::handle(base1), py::handle(base2)))
                                       : py::tuple(py::make_tuple(py::handle(base1)));
    const std::string full = "funnelnet." + name;
    PyObject* cls = PyErr_NewExceptionWithDoc(full.c_str(), doc.c_str(), bases.ptr(), nullptr);
    if (cls == nullptr) throw py::error_already_set();
    m.attr(name.c_str()) = py::handle(cls);  // the module keeps a reference
    made[name] = cls;
    return cls;
  };
  c.base = make("FunnelnetError", PyExc_Exception, nullptr, "Base class of every funnelnet error.");
  py::dict codes;
  for (const StatusRow& row : kStatusRows) {
    if (row.code == 0) continue;
    const std::string name = row.cls;
    PyObject* builtin = builtin_named(row.builtin);
    PyObject* cls = nullptr;
    if (auto it = made.find(name); it != made.end()) {
      cls = it->second;  // one class for several codes
    } else if (std::string_view(row.parent) == "none") {
      cls = builtin;  // e.g. MemoryError: the builtin itself
    } else {
      std::string doc = row.doc;
      if (!doc.empty()) doc[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(doc[0])));
      cls = make(name, made.at(row.parent), builtin, doc + ".");
    }
    c.by_code[row.code] = cls;
    codes[py::int_(row.code)] = py::handle(cls);
  }
  m.attr("error_classes_by_code") = codes;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "funnelnet's compiled core (private: use the funnelnet package)";
  m.attr("__version__") = std::to_string(FNET_VERSION_MAJOR) + "." + std::to_string(FNET_VERSION_MINOR) +
                          "." + std::to_string(FNET_VERSION_PATCH);
  m.attr("version_number") = FNET_VERSION_NUMBER;

  make_error_classes(m);

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const funnelnet::Error& e) {
      funnelnet::python::PendingSignal& sig = funnelnet::python::pending_signal();
      if (e.code() == funnelnet::Errc::cancelled && sig.type != nullptr) {
        PyErr_Restore(sig.type, sig.value, sig.traceback);  // Ctrl-C: KeyboardInterrupt
        sig = {};
        return;
      }
      const int k = static_cast<int>(e.code());
      PyObject* cls = (k >= 0 && k <= FNET_STATUS_MAX && classes().by_code[k] != nullptr)
                          ? classes().by_code[k]
                          : classes().base;
      // Messages quote the user's bytes (a line of a file): never fail decoding them.
      const std::string_view what = e.what();
      PyObject* msg =
          PyUnicode_DecodeUTF8(what.data(), static_cast<Py_ssize_t>(what.size()), "backslashreplace");
      if (msg == nullptr) {
        PyErr_Clear();
        PyErr_SetString(cls, "(undecodable message)");
        return;
      }
      PyErr_SetObject(cls, msg);
      Py_DECREF(msg);
    }
  });

  auto funnel = m.def_submodule("funnel", "Markov funnels");
  funnelnet::python::register_funnel(funnel);
  funnelnet::python::register_semi_markov(funnel);
  auto attribution = m.def_submodule("attribution", "Channel attribution");
  funnelnet::python::register_attribution(attribution);
  auto graph = m.def_submodule("graph", "Referral networks");
  funnelnet::python::register_graph(graph);
  funnelnet::python::register_ic_learning(graph);
  auto customers = m.def_submodule("customers", "Customers, tiers and repeat buying");
  funnelnet::python::register_customers(customers);
  auto datasets = m.def_submodule("datasets", "Synthetic data sets with their truth");
  funnelnet::python::register_datasets(datasets);
  auto pipeline = m.def_submodule("pipeline", "Pipeline forecasts and their distributions");
  funnelnet::python::register_pipeline(pipeline);
  auto scoring = m.def_submodule("scoring", "Lead scoring: metrics and the logistic scorer");
  funnelnet::python::register_scoring(scoring);

  m.def(
      "defaults",
      []() {
        py::dict out;
        for (const auto& [name, read] : funnelnet::python::option_defaults()) out[py::str(name)] = read();
        return out;
      },
      "The defaults of the C++ options structs, read from default-constructed structs (listed by "
      "FUNNELNET_PY_DEFAULTS in register_*.cpp): {struct name: {field: value}}, enums as their integer "
      "codes, unset optionals as None.  A fresh dict on every call.");
}
