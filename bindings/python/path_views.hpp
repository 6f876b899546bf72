// Python path input for every area (private to the bindings): views of Python strings
// or of Arrow string buffers, handed to the one C++ path parser (core/paths.hpp), and a
// parsed core LabelPaths handed back as (labels, codes, offsets) arrays.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bindings.hpp"
#include "funnelnet/core/paths.hpp"

namespace funnelnet::python {

/// Views of the str items of a list (kept alive by the list), gathered in C++ with the
/// GIL held; a non-str item is a type_error naming its position ("path 3 is not a
/// string (int)").
inline std::vector<std::string_view> string_views(const py::list& items, const char* what) {
  std::vector<std::string_view> views;
  const auto n = static_cast<py::ssize_t>(py::len(items));
  views.reserve(static_cast<std::size_t>(n));
  for (py::ssize_t i = 0; i < n; ++i) {
    PyObject* o = PyList_GET_ITEM(items.ptr(), i);
    if (!PyUnicode_Check(o))
      fail(Errc::type_error, what, " ", i, " is not a string (", Py_TYPE(o)->tp_name, ")");
    Py_ssize_t len = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &len);
    if (data == nullptr) throw py::error_already_set();
    views.emplace_back(data, static_cast<std::size_t>(len));
  }
  return views;
}

/// Views of Arrow-style strings: string i is data[offsets[i] .. offsets[i+1]) (zero-copy).
inline std::vector<std::string_view> buffer_views(std::span<const std::uint8_t> d,
                                                  std::span<const std::int64_t> o) {
  if (o.empty()) fail(Errc::empty_input, "no paths given");
  std::vector<std::string_view> views(o.size() - 1);
  for (std::size_t i = 0; i + 1 < o.size(); ++i) {
    if (o[i] < 0 || o[i + 1] < o[i] || static_cast<std::size_t>(o[i + 1]) > d.size())
      fail(Errc::invalid_argument, "string offsets are inconsistent at path ", i);
    views[i] = std::string_view(reinterpret_cast<const char*>(d.data()) + o[i],
                                static_cast<std::size_t>(o[i + 1] - o[i]));
  }
  return views;
}

/// A vector moved into a NumPy array that owns it.
template <class T>
py::array_t<T> owned_array(std::vector<T> v) {
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(heap->size()), heap->data(), owner);
}

/// (label names, int32 codes, int64 offsets) of a parsed path set.
inline py::tuple paths_tuple(const LabelPaths& p) {
  return py::make_tuple(p.labels().names(), owned_array(p.codes()), owned_array(p.offsets()));
}

}  // namespace funnelnet::python
