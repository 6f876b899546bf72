// Python bindings for Markov funnels (submodule funnelnet._core.funnel).  Thin: the
// public, pandas-friendly API lives in funnelnet/funnel.py.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bindings.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/io/json.hpp"
#include "funnelnet/markov/dense_lu.hpp"
#include "path_views.hpp"

namespace funnelnet::python {

namespace register_funnel_cpp {

// The chain's own copy of a transition matrix (huge pages for a large one: the copy of a
// 5,000-state matrix faults in 100 pages instead of 50,000).
Matrix owned_matrix(const Eigen::Ref<const Matrix>& p) {
  Matrix m = markov::dense::allocate_matrix(p.rows(), p.cols());
  m = p;
  return m;
}

template <class Time>
TransitionCounts counts_from_events(const StageSpace& space, const array<std::int64_t>& lead,
                                    const array<Time>& time, const array<std::int32_t>& stage, int repeats,
                                    int threads) {
  auto l = span_of(lead, "lead");
  auto t = span_of(time, "time");
  auto s = span_of(stage, "stage");
  py::gil_scoped_release release;
  return TransitionCounts::from_events<Time>(space, l, t, s, static_cast<Repeats>(repeats), threads);
}

// from_events with the stage column as raw integer codes of any width (int8 to int64, e.g.
// a Categorical's codes or integer stage ids) and the int32 map from code - base to
// stage index: the column is read where it is, without an int32 copy.
template <class Time, class Code>
TransitionCounts counts_from_codes_as(const StageSpace& space, std::span<const std::int64_t> l,
                                      std::span<const Time> t, const py::array& codes,
                                      std::span<const std::int32_t> map, std::int64_t base, int repeats,
                                      int threads) {
  const StageCodes<Code> s{
      {static_cast<const Code*>(codes.data()), static_cast<std::size_t>(codes.shape(0))}, map, base};
  py::gil_scoped_release release;
  return TransitionCounts::from_events<Time, Code>(space, l, t, s, static_cast<Repeats>(repeats), threads);
}

template <class Time>
TransitionCounts counts_from_codes(const StageSpace& space, const array<std::int64_t>& lead,
                                   const array<Time>& time, const py::array& codes,
                                   const array<std::int32_t>& map, std::int64_t base, int repeats,
                                   int threads) {
  auto l = span_of(lead, "lead");
  auto t = span_of(time, "time");
  auto m = span_of(map, "map");
  if (codes.ndim() != 1 || (codes.flags() & py::array::c_style) == 0)
    throw py::type_error("from_events_codes: stage codes must be a contiguous 1-D integer array");
  const auto dt = codes.dtype();
  if (dt.kind() == 'i' && dt.itemsize() == 1)
    return counts_from_codes_as<Time, std::int8_t>(space, l, t, codes, m, base, repeats, threads);
  if (dt.kind() == 'i' && dt.itemsize() == 2)
    return counts_from_codes_as<Time, std::int16_t>(space, l, t, codes, m, base, repeats, threads);
  if (dt.kind() == 'i' && dt.itemsize() == 4)
    return counts_from_codes_as<Time, std::int32_t>(space, l, t, codes, m, base, repeats, threads);
  if (dt.kind() == 'i' && dt.itemsize() == 8)
    return counts_from_codes_as<Time, std::int64_t>(space, l, t, codes, m, base, repeats, threads);
  throw py::type_error("from_events_codes: stage codes must be int8, int16, int32 or int64");
}

template <class Time>
TransitionCounts period_counts_py(const StageSpace& space, const array<std::int64_t>& lead,
                                  const array<Time>& time, const array<std::int32_t>& stage, Time period,
                                  std::optional<Time> origin, std::optional<Time> cutoff, int threads) {
  auto l = span_of(lead, "lead");
  auto t = span_of(time, "time");
  auto s = span_of(stage, "stage");
  PeriodOptions<Time> o;
  o.period = period;
  o.origin = origin;
  o.cutoff = cutoff;
  o.threads = threads;
  py::gil_scoped_release release;
  return period_counts<Time>(space, l, t, s, o);
}

template <class Time>
ExposureCounts exposure_from_events(const StageSpace& space, const array<std::int64_t>& lead,
                                    const array<Time>& time, const array<std::int32_t>& stage,
                                    std::optional<Time> cutoff, double time_unit, int threads) {
  auto l = span_of(lead, "lead");
  auto t = span_of(time, "time");
  auto s = span_of(stage, "stage");
  py::gil_scoped_release release;
  return ExposureCounts::from_events<Time>(space, l, t, s, cutoff, time_unit, threads);
}

std::span<const double> vec_span(const array<double>& a, const char* what) {
  return span_of(a, what);
}

// int32 codes of a 1-D object array of str against `labels`; strings not among them get
// codes len(labels), len(labels) + 1, ... in order of first appearance (returned after
// the labels), anything else (None, NaN, non-str objects) -1.  An event log's stage
// column repeats a few str objects millions of times, so a small cache keyed by the
// object's address answers most rows without hashing the text (the GIL is held: the
// objects are read, never kept).
py::tuple encode_object_labels(const py::array& values, const std::vector<std::string>& labels) {
  if (values.dtype().kind() != 'O' || values.ndim() != 1)
    throw py::type_error("encode_object_labels: expected a 1-D object array");
  const auto n = static_cast<std::size_t>(values.shape(0));
  const auto stride = static_cast<std::ptrdiff_t>(values.strides(0));
  const char* base = static_cast<const char*>(values.data());
  std::vector<std::string> names(labels.begin(), labels.end());
  std::unordered_map<std::string, std::int32_t> index;
  for (std::size_t k = 0; k < names.size(); ++k) index.emplace(names[k], static_cast<std::int32_t>(k));
  py::array_t<std::int32_t> codes(static_cast<py::ssize_t>(n));
  std::int32_t* out = codes.mutable_data();
  constexpr unsigned kBits = 10;
  struct Slot {
    const PyObject* obj = nullptr;
    std::int32_t code = -1;
  };
  std::vector<Slot> cache(std::size_t{1} << kBits);
  for (std::size_t r = 0; r < n; ++r) {
    PyObject* o = *reinterpret_cast<PyObject* const*>(base + static_cast<std::ptrdiff_t>(r) * stride);
    const std::size_t h =
        static_cast<std::size_t>((reinterpret_cast<std::uintptr_t>(o) >> 4) * 0x9E3779B97F4A7C15ULL) >>
        (64 - kBits);
    Slot& slot = cache[h];
    if (slot.obj == o && o != nullptr) {
      out[r] = slot.code;
      continue;
    }
    std::int32_t code = -1;
    if (o != nullptr && PyUnicode_Check(o)) {
      Py_ssize_t len = 0;
      const char* text = PyUnicode_AsUTF8AndSize(o, &len);
      if (text == nullptr) {
        PyErr_Clear();  // not encodable (lone surrogates): no label can equal it
      } else {
        std::string key(text, static_cast<std::size_t>(len));
        const auto [it, added] = index.emplace(std::move(key), static_cast<std::int32_t>(names.size()));
        if (added) names.push_back(it->first);
        code = it->second;
      }
    }
    slot = Slot{o, code};
    out[r] = code;
  }
  return py::make_tuple(codes, names);
}

// The same for Arrow string data (UTF-8 bytes and int32 or int64 offsets, as
// convert.arrow_buffers gives them), without the GIL, in parallel over fixed chunks of
// rows: in each chunk a slot table indexed by a hash of the text remembers the chunk's code
// of the last string seen there (the usual few distinct stages cost a hash and a
// comparison per row).  Each chunk starts from `labels`, so their codes are final; other
// names are merged in chunk order (order of first appearance whatever the thread count)
// and only chunks that met such names are renumbered.  The offsets are checked as the
// rows are read (no separate pass).  Codes of type Out: std::int8_t (then None instead of
// codes when more than 127 names turn up: the caller asks again for int32) or int32.
template <class Offset, class Out>
py::tuple encode_utf8_labels_as(std::span<const std::uint8_t> bytes, std::span<const Offset> off,
                                const std::vector<std::string>& labels, int threads) {
  constexpr std::size_t kMaxNames = static_cast<std::size_t>(std::numeric_limits<Out>::max()) + 1;
  if (off.empty()) throw py::value_error("encode_utf8_labels: offsets need n + 1 entries");
  const std::size_t n = off.size() - 1;
  std::vector<std::string> names(labels.begin(), labels.end());
  if (labels.size() > kMaxNames) return py::make_tuple(py::none(), names);
  py::array_t<Out> codes(static_cast<py::ssize_t>(n));
  Out* out = codes.mutable_data();
  bool bad_offsets = false, too_many = false;
  {
    py::gil_scoped_release release;
    const std::size_t n_chunks = std::clamp<std::size_t>(n >> 16, 1, 64);
    const std::size_t chunk = (n + n_chunks - 1) / n_chunks;
    const char* text = reinterpret_cast<const char*>(bytes.data());
    const std::size_t n_bytes = bytes.size();
    std::vector<std::vector<std::string>> local(n_chunks);  // each chunk's names, in order
    std::vector<unsigned char> chunk_bad(n_chunks, 0), chunk_full(n_chunks, 0);
    const unsigned n_threads = resolve_threads(threads, n, std::uint64_t{1} << 17);
    parallel_for(n_chunks, static_cast<int>(n_threads), [&](std::size_t c) {
      std::unordered_map<std::string, std::int32_t> index;
      std::vector<std::string>& mine = local[c];
      mine = labels;
      for (std::size_t k = 0; k < labels.size(); ++k) index.emplace(labels[k], static_cast<std::int32_t>(k));
      // The code of a name first seen in this chunk; false when Out has no room for it.
      auto add = [&](std::string_view sv, std::int32_t& code) {
        const auto [it, added] = index.emplace(std::string(sv), static_cast<std::int32_t>(mine.size()));
        if (added) {
          if (mine.size() == kMaxNames) return false;
          mine.push_back(it->first);
        }
        code = it->second;
        return true;
      };
      constexpr unsigned kBits = 8;
      std::vector<std::int32_t> slot(std::size_t{1} << kBits, -1);
      // Strings of at most 7 bytes (most stage names) are their own key: the length in the
      // top byte, the bytes below.  A second table maps such keys to codes, so a row costs
      // a load and a comparison of words (no string comparison); a slot's key of all ones
      // is no such key.
      struct ShortSlot {
        std::uint64_t key = ~std::uint64_t{0};
        std::int32_t code = -1;
      };
      std::vector<ShortSlot> short_slot(std::size_t{1} << kBits);
      const std::size_t r_end = std::min(n, c * chunk + chunk);
      std::size_t r = c * chunk;
      if (r >= r_end) return;
      // Each row's end offset is checked before its bytes are read: within [its start, the
      // data's end] (the chunk's first start is checked here; a chunk before checks it too).
      std::size_t b0 = static_cast<std::size_t>(off[r]);
      if (off[r] < 0 || b0 > n_bytes) {
        chunk_bad[c] = 1;
        return;
      }
      for (; r < r_end; ++r) {
        const auto e = static_cast<std::size_t>(off[r + 1]);
        if (off[r + 1] < static_cast<Offset>(b0) || e > n_bytes) [[unlikely]] {
          chunk_bad[c] = 1;
          return;
        }
        const std::size_t len = e - b0;
        const std::size_t start = b0;
        b0 = e;
        if constexpr (std::endian::native == std::endian::little) {
          if (len <= 7 && start + 8 <= n_bytes) {
            std::uint64_t word = 0;
            std::memcpy(&word, text + start, 8);          // one unaligned load ...
            word &= (std::uint64_t{1} << (8 * len)) - 1;  // ... cut to the string
            const std::uint64_t key = (static_cast<std::uint64_t>(len) << 56) | word;
            ShortSlot& s =
                short_slot[static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kBits))];
            if (s.key == key) {
              out[r] = static_cast<Out>(s.code);
              continue;
            }
            std::int32_t code = 0;
            if (!add(std::string_view(text + start, len), code)) {
              chunk_full[c] = 1;
              return;
            }
            s = ShortSlot{key, code};
            out[r] = static_cast<Out>(code);
            continue;
          }
        }
        const std::string_view sv(text + start, len);
        std::uint64_t key = sv.size();
        if (sv.size() <= 8) {
          std::uint64_t w = 0;
          std::memcpy(&w, sv.data(), sv.size());
          key = (key << 56) ^ w;
        } else {
          key ^= std::hash<std::string_view>{}(sv);
        }
        std::int32_t& cached = slot[static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kBits))];
        if (cached >= 0 && mine[static_cast<std::size_t>(cached)] == sv) {
          out[r] = static_cast<Out>(cached);
          continue;
        }
        std::int32_t code = 0;
        if (!add(sv, code)) {
          chunk_full[c] = 1;
          return;
        }
        cached = code;
        out[r] = static_cast<Out>(code);
      }
    });
    bad_offsets = std::find(chunk_bad.begin(), chunk_bad.end(), 1) != chunk_bad.end();
    too_many = std::find(chunk_full.begin(), chunk_full.end(), 1) != chunk_full.end();
    if (!bad_offsets && !too_many) {
      std::unordered_map<std::string, std::int32_t> index;
      for (std::size_t k = 0; k < names.size(); ++k) index.emplace(names[k], static_cast<std::int32_t>(k));
      std::vector<std::vector<Out>> renumber(n_chunks);
      for (std::size_t c = 0; c < n_chunks && !too_many; ++c) {
        if (local[c].size() == labels.size()) continue;  // labels only: the codes are final
        for (const std::string& name : local[c]) {
          const auto [it, added] = index.emplace(name, static_cast<std::int32_t>(names.size()));
          if (added) names.push_back(name);
          if (names.size() > kMaxNames) {
            too_many = true;
            break;
          }
          renumber[c].push_back(static_cast<Out>(it->second));
        }
      }
      if (!too_many)
        parallel_for(n_chunks, static_cast<int>(n_threads), [&](std::size_t c) {
          if (renumber[c].empty()) return;
          const Out* lut = renumber[c].data();
          for (std::size_t r = c * chunk, r1 = std::min(n, r + chunk); r < r1; ++r)
            out[r] = lut[static_cast<std::size_t>(out[r])];
        });
    }
  }
  if (bad_offsets)
    throw py::value_error("encode_utf8_labels: offsets are not non-decreasing within the data");
  if (too_many) return py::make_tuple(py::none(), std::vector<std::string>(labels.begin(), labels.end()));
  return py::make_tuple(codes, names);
}

template <class Offset>
py::tuple encode_utf8_offsets(std::span<const std::uint8_t> bytes, std::span<const Offset> off,
                              const std::vector<std::string>& labels, int threads, bool narrow) {
  if (narrow) return encode_utf8_labels_as<Offset, std::int8_t>(bytes, off, labels, threads);
  return encode_utf8_labels_as<Offset, std::int32_t>(bytes, off, labels, threads);
}

py::tuple encode_utf8_labels(const array<std::uint8_t>& data, const py::array& offsets,
                             const std::vector<std::string>& labels, int threads, bool narrow) {
  const auto bytes = span_of(data, "data");
  if (offsets.ndim() != 1 || (offsets.flags() & py::array::c_style) == 0)
    throw py::type_error("encode_utf8_labels: offsets must be a contiguous 1-D array");
  const auto dt = offsets.dtype();
  const auto len = static_cast<std::size_t>(offsets.shape(0));
  if (dt.kind() == 'i' && dt.itemsize() == 4)
    return encode_utf8_offsets<std::int32_t>(bytes, {static_cast<const std::int32_t*>(offsets.data()), len},
                                             labels, threads, narrow);
  if (dt.kind() == 'i' && dt.itemsize() == 8)
    return encode_utf8_offsets<std::int64_t>(bytes, {static_cast<const std::int64_t*>(offsets.data()), len},
                                             labels, threads, narrow);
  throw py::type_error("encode_utf8_labels: offsets must be int32 or int64");
}
}  // namespace register_funnel_cpp

void register_funnel(py::module_& m) {
  using namespace register_funnel_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  m.def("encode_utf8_labels", &encode_utf8_labels, py::arg("data").noconvert(),
        py::arg("offsets").noconvert(), py::arg("labels"), py::arg("threads") = 0, py::arg("narrow") = false,
        "(int32 codes, names) of Arrow string data (UTF-8 bytes, n + 1 int32 or int64 offsets), as "
        "encode_object_labels; the GIL is released; threads (0 = all cores) bounds the workers. "
        "narrow=True: int8 codes, or None for codes when there are more than 128 names.");
  m.def("encode_object_labels", &encode_object_labels, py::arg("values"), py::arg("labels"),
        "(int32 codes, names) of a 1-D object array of str: codes index `labels` followed by the "
        "other strings in order of first appearance (names); -1 for anything that is not a str.");
  FUNNELNET_PY_DEFAULTS(FitOptions, smoothing, empty_rows);
  FUNNELNET_PY_DEFAULTS(ContinuousFitOptions, empty_rows);
  FUNNELNET_PY_DEFAULTS_AS("PeriodOptions", PeriodOptions<double>, period, origin, cutoff, threads);
  FUNNELNET_PY_DEFAULTS(PosteriorOptions, prior, level, draws, seed, threads);
  FUNNELNET_PY_DEFAULTS(ContinuousPosteriorOptions, prior_shape, prior_rate, level, draws, seed, threads);
  FUNNELNET_PY_DEFAULTS(SimulateOptions, seed, mean_dwell, max_steps, threads);
  FUNNELNET_PY_DEFAULTS_AS("SolverOptions", markov::SolverOptions, method, dense_limit, steps_bound,
                           tolerance);

  py::class_<StageSpace>(m, "StageSpace")
      .def(py::init<std::vector<std::string>, std::vector<bool>>(), py::arg("names"), py::arg("absorbing"))
      .def_property_readonly("names", &StageSpace::names)
      .def_property_readonly("absorbing_flags", &StageSpace::absorbing_flags)
      .def_property_readonly("transient", &StageSpace::transient)
      .def_property_readonly("absorbing", &StageSpace::absorbing)
      .def("__len__", &StageSpace::size)
      .def("index", &StageSpace::index, py::arg("name"))
      .def("__eq__", [](const StageSpace& a, const StageSpace& b) { return a == b; });

  // Paths of stage names through the one C++ path parser (core/paths.hpp): each returns
  // (stage names, int32 codes, int64 offsets); errors name the path, step and stage.
  m.def(
      "parse_paths",
      [](const py::list& paths, const std::string& sep, const std::vector<std::string>& vocabulary) {
        auto views = string_views(paths, "path");
        LabelPaths p;
        {
          py::gil_scoped_release release;
          p = LabelPaths::parse(views, sep, vocabulary, {}, PathWords::stages());
        }
        return paths_tuple(p);
      },
      py::arg("paths"), py::arg("sep"), py::arg("vocabulary"));
  m.def(
      "parse_path_buffer",
      [](const array<std::uint8_t>& data, const array<std::int64_t>& offsets, const std::string& sep,
         const std::vector<std::string>& vocabulary) {
        auto d = span_of(data, "data");
        auto o = span_of(offsets, "offsets");
        LabelPaths p;
        {
          py::gil_scoped_release release;
          p = LabelPaths::parse(buffer_views(d, o), sep, vocabulary, {}, PathWords::stages());
        }
        return paths_tuple(p);
      },
      py::arg("data").noconvert(), py::arg("offsets").noconvert(), py::arg("sep"), py::arg("vocabulary"));
  m.def(
      "path_names",
      [](const py::list& names, const array<std::int64_t>& offsets,
         const std::vector<std::string>& vocabulary) {
        auto views = string_views(names, "stage name");
        auto o = span_of(offsets, "offsets");
        LabelPaths p;
        {
          py::gil_scoped_release release;
          p = LabelPaths::from_names(views, o, vocabulary, {}, PathWords::stages());
        }
        return paths_tuple(p);
      },
      py::arg("names"), py::arg("offsets").noconvert(), py::arg("vocabulary"));

  py::class_<TransitionCounts>(m, "TransitionCounts")
      .def(py::init([](const StageSpace& space, const Eigen::Ref<const Matrix>& counts) {
             return TransitionCounts(space, Matrix(counts));
           }),
           py::arg("space"), py::arg("counts"))
      .def_static(
          "from_paths",
          [](const StageSpace& space, const array<std::int32_t>& stages, const array<std::int64_t>& offsets,
             const array<double>& weights, int repeats) {
            auto s = span_of(stages, "stages");
            auto o = span_of(offsets, "offsets");
            auto w = span_of(weights, "weights");
            py::gil_scoped_release release;
            return TransitionCounts::from_paths(space, s, o, w, static_cast<Repeats>(repeats));
          },
          py::arg("space"), py::arg("stages").noconvert(), py::arg("offsets").noconvert(),
          py::arg("weights").noconvert(), py::arg("repeats"))
      .def_static("from_events_i64", &counts_from_events<std::int64_t>, py::arg("space"),
                  py::arg("lead").noconvert(), py::arg("time").noconvert(), py::arg("stage").noconvert(),
                  py::arg("repeats"), py::arg("threads") = 0)
      .def_static("from_events_f64", &counts_from_events<double>, py::arg("space"),
                  py::arg("lead").noconvert(), py::arg("time").noconvert(), py::arg("stage").noconvert(),
                  py::arg("repeats"), py::arg("threads") = 0)
      .def_static("from_event_codes_i64", &counts_from_codes<std::int64_t>, py::arg("space"),
                  py::arg("lead").noconvert(), py::arg("time").noconvert(), py::arg("codes"),
                  py::arg("map").noconvert(), py::arg("base"), py::arg("repeats"), py::arg("threads") = 0,
                  "from_events_i64 with the stages as raw integer codes (int8/16/32/64) mapped to stage "
                  "indices by map[code - base]; a code without a stage raises UnknownLabelError.")
      .def_static("from_event_codes_f64", &counts_from_codes<double>, py::arg("space"),
                  py::arg("lead").noconvert(), py::arg("time").noconvert(), py::arg("codes"),
                  py::arg("map").noconvert(), py::arg("base"), py::arg("repeats"), py::arg("threads") = 0,
                  "from_event_codes_i64 for float64 times.")
      .def("merged", &TransitionCounts::merged, py::arg("other"))
      .def_property_readonly("space", &TransitionCounts::space)
      .def_property_readonly("matrix", &TransitionCounts::matrix, py::return_value_policy::copy)
      .def("total", &TransitionCounts::total);

  py::class_<MarkovChain>(m, "MarkovChain")
      .def(py::init([](const StageSpace& space, const Eigen::Ref<const Matrix>& p, double tol) {
             return MarkovChain(space, owned_matrix(p), tol);
           }),
           py::arg("space"), py::arg("p"), py::arg("tolerance") = default_row_tolerance)
      .def_static(
          "from_matrix",
          [](std::vector<std::string> names, const Eigen::Ref<const Matrix>& p, double tol) {
            return MarkovChain::from_matrix(std::move(names), owned_matrix(p), tol);
          },
          py::arg("names"), py::arg("p"), py::arg("tolerance") = default_row_tolerance)
      .def_property_readonly("space", &MarkovChain::space)
      .def_property_readonly("matrix", &MarkovChain::matrix, py::return_value_policy::copy)
      .def("log_likelihood", &MarkovChain::log_likelihood, py::arg("counts"));

  m.def(
      "fit",
      [](const TransitionCounts& counts, double smoothing, int empty_rows) {
        return fit(counts,
                   {.smoothing = smoothing, .empty_rows = enum_code<EmptyRows>(empty_rows, 2, "empty_rows")});
      },
      py::arg("counts"), py::arg("smoothing") = FitOptions{}.smoothing,
      py::arg("empty_rows") = static_cast<int>(FitOptions{}.empty_rows));

  py::class_<AbsorbingAnalysis>(m, "AbsorbingAnalysis")
      .def_readonly("transient", &AbsorbingAnalysis::transient)
      .def_readonly("absorbing", &AbsorbingAnalysis::absorbing)
      .def_readonly("fundamental", &AbsorbingAnalysis::fundamental)
      .def_readonly("absorption", &AbsorbingAnalysis::absorption)
      .def_readonly("expected_steps", &AbsorbingAnalysis::expected_steps)
      .def_readonly("steps_variance", &AbsorbingAnalysis::steps_variance);

  m.def("analyze_absorbing", &analyze_absorbing, py::arg("chain"), nogil_call());

  m.def(
      "simulate_events",
      [](const MarkovChain& chain, std::size_t start, std::size_t n_leads, std::uint64_t seed,
         std::vector<double> mean_dwell, std::size_t max_steps, int threads, std::size_t first_lead,
         const py::object& progress) {
        SimulateOptions o;
        o.seed = seed;
        o.mean_dwell = std::move(mean_dwell);
        o.max_steps = max_steps;
        o.threads = threads;
        o.first_lead = first_lead;
        o.progress = progress_from_python(progress);
        auto log = nogil([&] { return simulate_events(chain, start, n_leads, o); });
        return py::make_tuple(to_numpy(std::move(log.lead)), to_numpy(std::move(log.time)),
                              to_numpy(std::move(log.stage)));
      },
      py::arg("chain"), py::arg("start"), py::arg("n_leads"), py::arg("seed"), py::arg("mean_dwell"),
      py::arg("max_steps"), py::arg("threads"), py::arg("first_lead") = 0, py::arg("progress") = py::none());
  m.attr("SIMULATE_BLOCK") = simulate_block;

  // ---- time ----------------------------------------------------------------------
  m.def("period_counts_i64", &period_counts_py<std::int64_t>, py::arg("space"), py::arg("lead").noconvert(),
        py::arg("time").noconvert(), py::arg("stage").noconvert(), py::arg("period"), py::arg("origin"),
        py::arg("cutoff"), py::arg("threads") = 0);
  m.def("period_counts_f64", &period_counts_py<double>, py::arg("space"), py::arg("lead").noconvert(),
        py::arg("time").noconvert(), py::arg("stage").noconvert(), py::arg("period"), py::arg("origin"),
        py::arg("cutoff"), py::arg("threads") = 0);

  py::class_<ExposureCounts>(m, "ExposureCounts")
      .def(py::init([](const StageSpace& space, const Eigen::Ref<const Matrix>& counts,
                       const Eigen::Ref<const Vector>& exposure) {
             return ExposureCounts(space, Matrix(counts), Vector(exposure));
           }),
           py::arg("space"), py::arg("counts"), py::arg("exposure"))
      .def_static("from_events_i64", &exposure_from_events<std::int64_t>, py::arg("space"),
                  py::arg("lead").noconvert(), py::arg("time").noconvert(), py::arg("stage").noconvert(),
                  py::arg("cutoff"), py::arg("time_unit"), py::arg("threads") = 0)
      .def_static("from_events_f64", &exposure_from_events<double>, py::arg("space"),
                  py::arg("lead").noconvert(), py::arg("time").noconvert(), py::arg("stage").noconvert(),
                  py::arg("cutoff"), py::arg("time_unit"), py::arg("threads") = 0)
      .def("merged", &ExposureCounts::merged, py::arg("other"))
      .def_property_readonly("space", &ExposureCounts::space)
      .def_property_readonly("matrix", &ExposureCounts::matrix, py::return_value_policy::copy)
      .def_property_readonly("exposure", &ExposureCounts::exposure, py::return_value_policy::copy);

  py::class_<ContinuousChain>(m, "ContinuousChain")
      .def(py::init([](const StageSpace& space, const Eigen::Ref<const Matrix>& q, double tol) {
             return ContinuousChain(space, Matrix(q), tol);
           }),
           py::arg("space"), py::arg("q"), py::arg("tolerance") = 1e-9)
      .def_property_readonly("space", &ContinuousChain::space)
      .def_property_readonly("generator", &ContinuousChain::generator, py::return_value_policy::copy)
      .def("transition_matrix", &ContinuousChain::transition_matrix, py::arg("t"))
      .def("jump_chain", &ContinuousChain::jump_chain)
      .def("log_likelihood", &ContinuousChain::log_likelihood, py::arg("counts"));

  m.def(
      "fit_continuous",
      [](const ExposureCounts& counts, int empty_rows) {
        if (empty_rows != 0 && empty_rows != 1)
          fail(Errc::invalid_argument, "empty_rows must be 'error' or 'absorbing' in continuous time");
        return fit_continuous(counts, {static_cast<EmptyRows>(empty_rows)});
      },
      py::arg("counts"), py::arg("empty_rows") = static_cast<int>(ContinuousFitOptions{}.empty_rows));

  py::class_<TimeToClose>(m, "TimeToClose")
      .def_readonly("transient", &TimeToClose::transient)
      .def_readonly("probs", &TimeToClose::probs)
      .def_readonly("mean", &TimeToClose::mean)
      .def_readonly("variance", &TimeToClose::variance)
      .def_readonly("quantiles", &TimeToClose::quantiles);
  m.def(
      "time_to_close_discrete",
      [](const MarkovChain& chain, std::vector<double> probs, std::size_t max_steps) {
        py::gil_scoped_release release;
        return time_to_close(chain, probs, max_steps);
      },
      py::arg("chain"), py::arg("probs"), py::arg("max_steps") = 1000000);
  m.def(
      "time_to_close_continuous",
      [](const ContinuousChain& chain, std::vector<double> probs) {
        py::gil_scoped_release release;
        return time_to_close(chain, probs);
      },
      py::arg("chain"), py::arg("probs"));
  m.def("close_time_cdf_discrete", py::overload_cast<const MarkovChain&, std::size_t>(&close_time_cdf),
        py::arg("chain"), py::arg("k"));
  m.def("close_time_cdf_continuous", py::overload_cast<const ContinuousChain&, double>(&close_time_cdf),
        py::arg("chain"), py::arg("t"));

  py::class_<AbsorptionSummary>(m, "AbsorptionSummary")
      .def_readonly("transient", &AbsorptionSummary::transient)
      .def_readonly("absorbing", &AbsorptionSummary::absorbing)
      .def_readonly("absorption", &AbsorptionSummary::absorption)
      .def_readonly("expected_steps", &AbsorptionSummary::expected_steps)
      .def_readonly("steps_variance", &AbsorptionSummary::steps_variance);
  m.def("summarize_absorption", &summarize_absorption, py::arg("chain"), nogil_call());
  m.def(
      "check_csr_entries",
      [](std::size_t n, const array<std::int64_t>& offsets, const array<std::int32_t>& columns,
         const array<double>& values, double tol, const array<std::uint8_t>& absorbing) {
        markov::CsrChain p{n, span_of(offsets, "offsets"), span_of(columns, "columns"),
                           span_of(values, "values")};
        const auto flags = span_of(absorbing, "absorbing");
        auto c = nogil([&] { return markov::check_entries(p, tol, flags); });
        py::array_t<std::uint8_t> abs(static_cast<py::ssize_t>(c.absorbing.size()));
        std::copy(c.absorbing.begin(), c.absorbing.end(), abs.mutable_data());
        return py::make_tuple(c.kind, c.row, c.entry, c.value, abs);
      },
      py::arg("n"), py::arg("offsets").noconvert(), py::arg("columns").noconvert(),
      py::arg("values").noconvert(), py::arg("tol"), py::arg("absorbing").noconvert(),
      "(kind, row, entry, value, absorbing flags) of markov::check_entries: the first bad entry (1), row "
      "sum (2) or absorbing diagonal (3), 0 if none.");
  m.def(
      "absorption_csr",
      [](std::size_t n, const array<std::int64_t>& offsets, const array<std::int32_t>& columns,
         const array<double>& values, double tol, const array<std::uint8_t>& absorbing,
         std::vector<std::string> names) {
        markov::CsrChain p{n, span_of(offsets, "offsets"), span_of(columns, "columns"),
                           span_of(values, "values")};
        const auto flags = span_of(absorbing, "absorbing");
        return nogil([&] { return markov::absorption(p, tol, flags, names); });
      },
      py::arg("n"), py::arg("offsets").noconvert(), py::arg("columns").noconvert(),
      py::arg("values").noconvert(), py::arg("tol"), py::arg("absorbing").noconvert(), py::arg("names"));

  // ---- recurrent chains ------------------------------------------------------------
  py::class_<ClassStructure>(m, "ClassStructure")
      .def_readonly("class_of", &ClassStructure::class_of)
      .def_readonly("classes", &ClassStructure::classes)
      .def_readonly("closed", &ClassStructure::closed)
      .def_readonly("period", &ClassStructure::period);
  m.def("communicating_classes", &communicating_classes, py::arg("chain"));
  m.def("stationary_distribution", &stationary_distribution, py::arg("chain"));
  m.def("first_passage_times", &first_passage_times, py::arg("chain"));

  // ---- bottlenecks -----------------------------------------------------------------
  py::class_<Sensitivity>(m, "Sensitivity")
      .def_readonly("value", &Sensitivity::value)
      .def_readonly("state_values", &Sensitivity::state_values)
      .def_readonly("visits", &Sensitivity::visits)
      .def_readonly("gradient", &Sensitivity::gradient)
      .def_readonly("elasticity", &Sensitivity::elasticity);
  m.def(
      "sensitivity",
      [](const MarkovChain& chain, const array<double>& start, const array<double>& values) {
        auto s = vec_span(start, "start");
        auto v = vec_span(values, "values");
        py::gil_scoped_release release;
        return sensitivity(chain, s, v);
      },
      py::arg("chain"), py::arg("start").noconvert(), py::arg("values").noconvert());
  m.def("raise_transition", &raise_transition, py::arg("chain"), py::arg("from_"), py::arg("to"),
        py::arg("fraction"));
  m.def(
      "rank_bottlenecks",
      [](const MarkovChain& chain, const Sensitivity& s) {
        auto r = rank_bottlenecks(chain, s);
        const auto k = static_cast<py::ssize_t>(r.size());
        py::array_t<std::int32_t> from(k), to(k);
        py::array_t<double> p(k), g(k), e(k);
        for (py::ssize_t i = 0; i < k; ++i) {
          const auto& b = r[static_cast<std::size_t>(i)];
          from.mutable_at(i) = b.from;
          to.mutable_at(i) = b.to;
          p.mutable_at(i) = b.probability;
          g.mutable_at(i) = b.gradient;
          e.mutable_at(i) = b.elasticity;
        }
        return py::make_tuple(from, to, p, g, e);
      },
      py::arg("chain"), py::arg("sensitivity"));

  // ---- uncertainty and segments ----------------------------------------------------
  py::class_<TransitionIntervals>(m, "TransitionIntervals")
      .def_readonly("level", &TransitionIntervals::level)
      .def_readonly("mean", &TransitionIntervals::mean)
      .def_readonly("lower", &TransitionIntervals::lower)
      .def_readonly("upper", &TransitionIntervals::upper);
  m.def("posterior_intervals", &posterior_intervals, py::arg("counts"), py::arg("prior"), py::arg("level"));
  py::class_<PosteriorFigures>(m, "PosteriorFigures")
      .def_readonly("transient", &PosteriorFigures::transient)
      .def_readonly("absorbing", &PosteriorFigures::absorbing)
      .def_readonly("absorption_mean", &PosteriorFigures::absorption_mean)
      .def_readonly("absorption_lower", &PosteriorFigures::absorption_lower)
      .def_readonly("absorption_upper", &PosteriorFigures::absorption_upper)
      .def_readonly("steps_mean", &PosteriorFigures::steps_mean)
      .def_readonly("steps_lower", &PosteriorFigures::steps_lower)
      .def_readonly("steps_upper", &PosteriorFigures::steps_upper);
  m.def(
      "posterior_figures",
      [](const TransitionCounts& counts, double prior, double level, std::size_t draws, std::uint64_t seed,
         int threads, const py::object& progress) {
        PosteriorOptions o;
        o.prior = prior;
        o.level = level;
        o.draws = draws;
        o.seed = seed;
        o.threads = threads;
        o.progress = progress_from_python(progress);
        return nogil([&] { return posterior_figures(counts, o); });
      },
      py::arg("counts"), py::arg("prior"), py::arg("level"), py::arg("draws"), py::arg("seed"),
      py::arg("threads"), py::arg("progress"));
  py::class_<ContinuousPosteriorFigures>(m, "ContinuousPosteriorFigures")
      .def_readonly("transient", &ContinuousPosteriorFigures::transient)
      .def_readonly("absorbing", &ContinuousPosteriorFigures::absorbing)
      .def_readonly("absorption_mean", &ContinuousPosteriorFigures::absorption_mean)
      .def_readonly("absorption_lower", &ContinuousPosteriorFigures::absorption_lower)
      .def_readonly("absorption_upper", &ContinuousPosteriorFigures::absorption_upper)
      .def_readonly("time_mean", &ContinuousPosteriorFigures::time_mean)
      .def_readonly("time_lower", &ContinuousPosteriorFigures::time_lower)
      .def_readonly("time_upper", &ContinuousPosteriorFigures::time_upper);
  m.def(
      "posterior_figures_continuous",
      [](const ExposureCounts& counts, double prior_shape, double prior_rate, double level, std::size_t draws,
         std::uint64_t seed, int threads, const py::object& progress) {
        ContinuousPosteriorOptions o;
        o.prior_shape = prior_shape;
        o.prior_rate = prior_rate;
        o.level = level;
        o.draws = draws;
        o.seed = seed;
        o.threads = threads;
        o.progress = progress_from_python(progress);
        return nogil([&] { return posterior_figures(counts, o); });
      },
      py::arg("counts"), py::arg("prior_shape"), py::arg("prior_rate"), py::arg("level"), py::arg("draws"),
      py::arg("seed"), py::arg("threads"), py::arg("progress"));
  py::class_<SegmentFit>(m, "SegmentFit")
      .def_readonly("names", &SegmentFit::names)
      .def_readonly("pooled", &SegmentFit::pooled)
      .def_readonly("shrunk", &SegmentFit::shrunk)
      .def_readonly("concentration", &SegmentFit::concentration)
      .def_readonly("statistic", &SegmentFit::statistic)
      .def_readonly("df", &SegmentFit::df)
      .def_readonly("p_value", &SegmentFit::p_value);
  m.def(
      "fit_segments",
      [](const std::vector<TransitionCounts>& segments, const std::vector<std::string>& names,
         double concentration, double max_concentration) {
        return fit_segments(segments, names, SegmentOptions{concentration, max_concentration});
      },
      py::arg("segments"), py::arg("names"), py::arg("concentration") = SegmentOptions{}.concentration,
      py::arg("max_concentration") = SegmentOptions{}.max_concentration);

  // ---- persistence -----------------------------------------------------------------
  m.def("to_json", py::overload_cast<const MarkovChain&>(&io::to_json), py::arg("obj"));
  m.def("to_json", py::overload_cast<const TransitionCounts&>(&io::to_json), py::arg("obj"));
  m.def("to_json", py::overload_cast<const ExposureCounts&>(&io::to_json), py::arg("obj"));
  m.def("to_json", py::overload_cast<const ContinuousChain&>(&io::to_json), py::arg("obj"));
  m.def("chain_from_json", &io::chain_from_json, py::arg("text"));
  m.def("counts_from_json", &io::counts_from_json, py::arg("text"));
  m.def("exposure_counts_from_json", &io::exposure_counts_from_json, py::arg("text"));
  m.def("continuous_chain_from_json", &io::continuous_chain_from_json, py::arg("text"));
  m.def(
      "write_atomic", [](const std::string& path, const std::string& text) { io::write_atomic(path, text); },
      py::arg("path"), py::arg("text"));
  m.def(
      "read_file", [](const std::string& path) { return io::read_file(path); }, py::arg("path"));
  m.def("max_file_bytes", &io::max_file_bytes,
        "The largest file, in bytes, that the loaders read (process-wide; 2 GiB by default).");
  m.def("set_max_file_bytes", &io::set_max_file_bytes, py::arg("bytes"),
        "Change the largest file the loaders read (process-wide); returns the previous limit.");
  m.def(
      "model_kind", [](const std::string& text) { return io::model_kind(text).kind; }, py::arg("text"),
      "The kind of a model file's text (the C++ kind registry); FormatError if it is not a funnelnet "
      "model file, of an unknown kind or a version this build does not read.");

  // ---- higher-order chains ---------------------------------------------------------
  py::class_<HigherOrderChain>(m, "HigherOrderChain")
      .def_readonly("space", &HigherOrderChain::space)
      .def_readonly("order", &HigherOrderChain::order)
      .def_readonly("histories", &HigherOrderChain::histories)
      .def_readonly("counts", &HigherOrderChain::counts)
      .def_readonly("probabilities", &HigherOrderChain::probabilities)
      .def_readonly("log_likelihood", &HigherOrderChain::log_likelihood)
      .def_readonly("parameters", &HigherOrderChain::parameters)
      .def_readonly("transitions", &HigherOrderChain::transitions);
  m.def(
      "fit_higher_order",
      [](const StageSpace& space, const array<std::int32_t>& stages, const array<std::int64_t>& offsets,
         int order, double smoothing) {
        auto s = span_of(stages, "stages");
        auto o = span_of(offsets, "offsets");
        py::gil_scoped_release release;
        return fit_higher_order(space, s, o, order, smoothing);
      },
      py::arg("space"), py::arg("stages").noconvert(), py::arg("offsets").noconvert(), py::arg("order"),
      py::arg("smoothing"));
  m.def(
      "higher_order_log_likelihood",
      [](const HigherOrderChain& chain, const array<std::int32_t>& stages,
         const array<std::int64_t>& offsets) {
        auto s = span_of(stages, "stages");
        auto o = span_of(offsets, "offsets");
        py::gil_scoped_release release;
        return higher_order_log_likelihood(chain, s, o);
      },
      py::arg("chain"), py::arg("stages").noconvert(), py::arg("offsets").noconvert());
  m.def(
      "select_order",
      [](const StageSpace& space, const array<std::int32_t>& stages, const array<std::int64_t>& offsets,
         int max_order, const array<std::int32_t>& test_stages, const array<std::int64_t>& test_offsets,
         double smoothing) {
        auto s = span_of(stages, "stages");
        auto o = span_of(offsets, "offsets");
        auto ts = span_of(test_stages, "test stages");
        auto to = span_of(test_offsets, "test offsets");
        auto r = nogil([&] { return select_order(space, s, o, max_order, ts, to, smoothing); });
        py::dict out;
        std::vector<int> order;
        std::vector<double> ll, p, aic, bic, held;
        for (const auto& x : r) {
          order.push_back(x.order);
          ll.push_back(x.log_likelihood);
          p.push_back(x.parameters);
          aic.push_back(x.aic);
          bic.push_back(x.bic);
          held.push_back(x.heldout_log_likelihood);
        }
        out["order"] = order;
        out["log_likelihood"] = ll;
        out["parameters"] = p;
        out["aic"] = aic;
        out["bic"] = bic;
        out["heldout_log_likelihood"] = held;
        return out;
      },
      py::arg("space"), py::arg("stages").noconvert(), py::arg("offsets").noconvert(), py::arg("max_order"),
      py::arg("test_stages").noconvert(), py::arg("test_offsets").noconvert(), py::arg("smoothing"));

  m.def("to_json", py::overload_cast<const HigherOrderChain&>(&io::to_json), py::arg("obj"));
  m.def("higher_order_from_json", &io::higher_order_from_json, py::arg("text"));
}

}  // namespace funnelnet::python
