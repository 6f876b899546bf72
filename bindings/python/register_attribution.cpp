// Python bindings for the attribution area (submodule funnelnet._core.attribution).
// Thin: the public, pandas-friendly API lives in funnelnet/attribution.py.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <string>
#include <string_view>
#include <vector>

#include "bindings.hpp"
#include "funnelnet/attribution.hpp"
#include "funnelnet/io/json.hpp"
#include "path_views.hpp"

namespace funnelnet::python {

namespace register_attribution_cpp {

std::vector<double> vec(const array<double>& a, const char* what) {
  auto s = span_of(a, what);
  return {s.begin(), s.end()};
}

template <class Time>
py::tuple journeys(const std::vector<std::string>& channels, const array<std::int64_t>& customer,
                   const array<Time>& time, const array<std::int32_t>& channel,
                   const array<std::uint8_t>& converted, const array<double>& value, bool conversion_is_touch,
                   const std::string& sep) {
  Labels labels(channels, "channel");
  auto cu = span_of(customer, "customer");
  auto t = span_of(time, "time");
  auto ch = span_of(channel, "channel");
  auto cv = span_of(converted, "converted");
  auto v = span_of(value, "value");
  auto j = nogil([&] {
    return journeys_from_events<Time>(labels, cu, t, ch, cv, v, JourneyOptions{conversion_is_touch, sep});
  });
  return py::make_tuple(std::move(j.paths), to_array(std::move(j.customer)), to_array(std::move(j.age)));
}

}  // namespace register_attribution_cpp

void register_attribution(py::module_& m) {
  using namespace register_attribution_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  FUNNELNET_PY_DEFAULTS(JourneyOptions, conversion_is_touch, sep);
  FUNNELNET_PY_DEFAULTS(HeuristicOptions, repeats, half_life, first_weight, last_weight);
  FUNNELNET_PY_DEFAULTS(MarkovOptions, order, repeats, threads);

  py::class_<PathSet>(m, "PathSet")
      .def(py::init([](std::vector<std::string> channels, const array<std::int32_t>& touches,
                       const array<std::int64_t>& offsets, const array<double>& conversions,
                       const array<double>& nulls, const array<double>& values, std::string sep) {
             auto t = span_of(touches, "touches");
             auto o = span_of(offsets, "offsets");
             return PathSet(Labels(std::move(channels), "channel"), {t.begin(), t.end()},
                            {o.begin(), o.end()}, vec(conversions, "conversions"), vec(nulls, "nulls"),
                            vec(values, "values"), std::move(sep));
           }),
           py::arg("channels"), py::arg("touches").noconvert(), py::arg("offsets").noconvert(),
           py::arg("conversions").noconvert(), py::arg("nulls").noconvert(), py::arg("values").noconvert(),
           py::arg("sep"))
      .def_static(
          "parse",
          [](const py::list& paths, const std::string& sep, const array<double>& conversions,
             const array<double>& nulls, const array<double>& values,
             const std::vector<std::string>& vocabulary) {
            // Views into the Python strings (kept alive by `paths`), gathered in C++.
            auto views = string_views(paths, "path");
            auto c = span_of(conversions, "conversions");
            auto nl = span_of(nulls, "nulls");
            auto v = span_of(values, "values");
            py::gil_scoped_release release;
            return PathSet::parse(views, sep, c, nl, v, vocabulary);
          },
          py::arg("paths"), py::arg("sep"), py::arg("conversions").noconvert(), py::arg("nulls").noconvert(),
          py::arg("values").noconvert(), py::arg("vocabulary"))
      .def_static(
          "parse_buffer",
          [](const array<std::uint8_t>& data, const array<std::int64_t>& offsets, const std::string& sep,
             const array<double>& conversions, const array<double>& nulls, const array<double>& values,
             const std::vector<std::string>& vocabulary) {
            // Arrow-style strings: string i is data[offsets[i] .. offsets[i+1]) (zero-copy views).
            auto d = span_of(data, "data");
            auto o = span_of(offsets, "offsets");
            auto c = span_of(conversions, "conversions");
            auto nl = span_of(nulls, "nulls");
            auto v = span_of(values, "values");
            py::gil_scoped_release release;
            const auto views = buffer_views(d, o);
            return PathSet::parse(views, sep, c, nl, v, vocabulary);
          },
          py::arg("data").noconvert(), py::arg("offsets").noconvert(), py::arg("sep"),
          py::arg("conversions").noconvert(), py::arg("nulls").noconvert(), py::arg("values").noconvert(),
          py::arg("vocabulary"))
      .def_property_readonly("channels", [](const PathSet& p) { return p.channels().names(); })
      .def_property_readonly("touches", [](const PathSet& p) { return to_array(p.touches()); })
      .def_property_readonly("offsets", [](const PathSet& p) { return to_array(p.offsets()); })
      .def_property_readonly("conversions", [](const PathSet& p) { return to_array(p.conversions()); })
      .def_property_readonly("nulls", [](const PathSet& p) { return to_array(p.nulls()); })
      .def_property_readonly("values", [](const PathSet& p) { return to_array(p.values()); })
      .def_property_readonly("has_values", &PathSet::has_values)
      .def_property_readonly("sep", &PathSet::sep)
      .def("__len__", &PathSet::size)
      .def("path_strings", [](const PathSet& p) {
        py::list out(p.size());
        std::string s;
        for (std::size_t i = 0; i < p.size(); ++i) {
          s.clear();
          for (auto c : p.path(i)) {
            if (!s.empty()) s += p.sep();
            s += p.channels().name(static_cast<std::size_t>(c));
          }
          out[i] = py::str(s);
        }
        return out;
      });

  m.def("journeys_i64", &journeys<std::int64_t>, py::arg("channels"), py::arg("customer").noconvert(),
        py::arg("time").noconvert(), py::arg("channel").noconvert(), py::arg("converted").noconvert(),
        py::arg("value").noconvert(), py::arg("conversion_is_touch"), py::arg("sep"));
  m.def("journeys_f64", &journeys<double>, py::arg("channels"), py::arg("customer").noconvert(),
        py::arg("time").noconvert(), py::arg("channel").noconvert(), py::arg("converted").noconvert(),
        py::arg("value").noconvert(), py::arg("conversion_is_touch"), py::arg("sep"));

  m.def(
      "heuristic",
      [](const PathSet& paths, int repeats, double half_life, double first_weight, double last_weight,
         const array<double>& age) {
        HeuristicOptions o;
        o.repeats = enum_code<Repeats>(repeats, 1, "repeats");
        o.half_life = half_life;
        o.first_weight = first_weight;
        o.last_weight = last_weight;
        auto a = span_of(age, "age");
        py::gil_scoped_release release;
        auto r = heuristic_attribution(paths, o, a);
        return std::make_pair(std::move(r.conversions), std::move(r.value));
      },
      py::arg("paths"), py::arg("repeats"), py::arg("half_life"), py::arg("first_weight"),
      py::arg("last_weight"), py::arg("age").noconvert());

  py::class_<MarkovAttribution>(m, "MarkovAttribution")
      .def_static(
          "fit",
          [](const PathSet& paths, int order, int repeats, int threads, const py::object& progress) {
            MarkovOptions o;
            o.order = order;
            o.repeats = enum_code<Repeats>(repeats, 1, "repeats");
            o.threads = threads;
            o.progress = progress_from_python(progress);
            py::gil_scoped_release release;
            return MarkovAttribution::fit(paths, o);
          },
          py::arg("paths"), py::arg("order"), py::arg("repeats"), py::arg("threads"), py::arg("progress"))
      .def_property_readonly("channels", [](const MarkovAttribution& a) { return a.channels().names(); })
      .def_property_readonly("order", &MarkovAttribution::order)
      .def_property_readonly("has_values", &MarkovAttribution::has_values)
      .def_property_readonly("repeats",
                             [](const MarkovAttribution& a) { return static_cast<int>(a.repeats()); })
      .def_property_readonly("sep", &MarkovAttribution::sep)
      .def_property_readonly("n_states", &MarkovAttribution::n_states)
      .def_property_readonly("conversion_probability", &MarkovAttribution::conversion_probability)
      .def_property_readonly("expected_value", &MarkovAttribution::expected_value)
      .def_property_readonly("removal_effects",
                             [](const MarkovAttribution& a) { return to_array(a.removal_effects()); })
      .def_property_readonly("value_removal_effects",
                             [](const MarkovAttribution& a) { return to_array(a.value_removal_effects()); })
      .def_property_readonly("attributed_conversions",
                             [](const MarkovAttribution& a) { return to_array(a.attributed_conversions()); })
      .def_property_readonly("attributed_value",
                             [](const MarkovAttribution& a) { return to_array(a.attributed_value()); })
      .def("state_names",
           [](const MarkovAttribution& a) {
             std::vector<std::string> n(a.n_states());
             for (std::size_t i = 0; i < n.size(); ++i) n[i] = a.state_name(i);
             return n;
           })
      .def("transitions",
           [](const MarkovAttribution& a) {
             auto t = a.transitions();
             std::vector<std::int32_t> from(t.size()), to(t.size());
             std::vector<double> p(t.size());
             for (std::size_t i = 0; i < t.size(); ++i)
               from[i] = t[i].from, to[i] = t[i].to, p[i] = t[i].probability;
             return py::make_tuple(to_array(std::move(from)), to_array(std::move(to)),
                                   to_array(std::move(p)));
           })
      .def(
          "sequence_removal_effects",
          [](const MarkovAttribution& a, const array<std::int64_t>& offsets, const array<std::int32_t>& seq,
             int threads) {
            auto o = span_of(offsets, "offsets");
            auto s = span_of(seq, "sequences");
            auto r = nogil([&] { return a.sequence_removal_effects(o, s, threads); });
            return py::make_tuple(to_array(std::move(r.first)), to_array(std::move(r.second)));
          },
          py::arg("offsets").noconvert(), py::arg("sequences").noconvert(), py::arg("threads") = 0)
      .def(
          "journey_shares",
          [](const MarkovAttribution& a, const PathSet& paths) {
            return to_numpy(nogil([&] { return a.journey_shares(paths); }));
          },
          py::arg("paths"))
      .def(
          "simulate",
          [](const MarkovAttribution& a, std::uint64_t n, std::uint64_t seed, int threads,
             const py::object& progress, std::size_t max_steps) {
            auto cb = progress_from_python(progress);
            auto r = nogil([&] { return a.simulate(n, seed, threads, cb, max_steps); });
            py::dict d;
            d["n_journeys"] = r.n_journeys;
            d["conversion_probability"] = r.conversion_probability;
            d["conversion_probability_lower"] = r.conversion_probability_lower;
            d["conversion_probability_upper"] = r.conversion_probability_upper;
            d["removal_effects"] = to_array(std::move(r.removal_effects));
            d["lower"] = to_array(std::move(r.lower));
            d["upper"] = to_array(std::move(r.upper));
            return d;
          },
          py::arg("n"), py::arg("seed"), py::arg("threads"), py::arg("progress"), py::arg("max_steps"));

  // ---- persistence (model files: io/json.hpp) -------------------------------------
  m.def("to_json", py::overload_cast<const MarkovAttribution&>(&io::to_json), py::arg("obj"));
  m.def("attribution_from_json", &io::attribution_from_json, py::arg("text"));
}

}  // namespace funnelnet::python
