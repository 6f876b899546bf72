// Python bindings for Markov funnels (submodule funnelnet._core.funnel).  Thin: the
// public, pandas-friendly API lives in funnelnet/funnel.py.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "funnelnet/funnel.hpp"

namespace funnelnet::python {

namespace {

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

}  // namespace

void register_funnel(py::module_& m) {
  py::class_<StageSpace>(m, "StageSpace")
      .def(py::init<std::vector<std::string>, std::vector<bool>>(), py::arg("names"), py::arg("absorbing"))
      .def_property_readonly("names", &StageSpace::names)
      .def_property_readonly("absorbing_flags", &StageSpace::absorbing_flags)
      .def_property_readonly("transient", &StageSpace::transient)
      .def_property_readonly("absorbing", &StageSpace::absorbing)
      .def("__len__", &StageSpace::size)
      .def("index", &StageSpace::index, py::arg("name"))
      .def("__eq__", [](const StageSpace& a, const StageSpace& b) { return a == b; });

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
      .def("merged", &TransitionCounts::merged, py::arg("other"))
      .def_property_readonly("space", &TransitionCounts::space)
      .def_property_readonly("matrix", &TransitionCounts::matrix, py::return_value_policy::copy)
      .def("total", &TransitionCounts::total);

  py::class_<MarkovChain>(m, "MarkovChain")
      .def(py::init([](const StageSpace& space, const Eigen::Ref<const Matrix>& p, double tol) {
             return MarkovChain(space, Matrix(p), tol);
           }),
           py::arg("space"), py::arg("p"), py::arg("tolerance") = default_row_tolerance)
      .def_static(
          "from_matrix",
          [](std::vector<std::string> names, const Eigen::Ref<const Matrix>& p, double tol) {
            return MarkovChain::from_matrix(std::move(names), Matrix(p), tol);
          },
          py::arg("names"), py::arg("p"), py::arg("tolerance") = default_row_tolerance)
      .def_property_readonly("space", &MarkovChain::space)
      .def_property_readonly("matrix", &MarkovChain::matrix, py::return_value_policy::copy)
      .def("log_likelihood", &MarkovChain::log_likelihood, py::arg("counts"));

  m.def(
      "fit",
      [](const TransitionCounts& counts, double smoothing, int empty_rows) {
        FitOptions o;
        o.smoothing = smoothing;
        if (empty_rows < 0 || empty_rows > 2)
          fail(Errc::invalid_argument, "empty_rows code must be 0, 1 or 2, got ", empty_rows);
        o.empty_rows = static_cast<EmptyRows>(empty_rows);
        return fit(counts, o);
      },
      py::arg("counts"), py::arg("smoothing") = 0.0, py::arg("empty_rows") = 0);

  py::class_<AbsorbingAnalysis>(m, "AbsorbingAnalysis")
      .def_readonly("transient", &AbsorbingAnalysis::transient)
      .def_readonly("absorbing", &AbsorbingAnalysis::absorbing)
      .def_readonly("fundamental", &AbsorbingAnalysis::fundamental)
      .def_readonly("absorption", &AbsorbingAnalysis::absorption)
      .def_readonly("expected_steps", &AbsorbingAnalysis::expected_steps)
      .def_readonly("steps_variance", &AbsorbingAnalysis::steps_variance);

  m.def(
      "analyze_absorbing",
      [](const MarkovChain& chain) {
        py::gil_scoped_release release;
        return analyze_absorbing(chain);
      },
      py::arg("chain"));

  m.def(
      "simulate_events",
      [](const MarkovChain& chain, std::size_t start, std::size_t n_leads, std::uint64_t seed,
         std::vector<double> mean_dwell, std::size_t max_steps, int threads) {
        SimulateOptions o;
        o.seed = seed;
        o.mean_dwell = std::move(mean_dwell);
        o.max_steps = max_steps;
        o.threads = threads;
        EventLog log;
        {
          py::gil_scoped_release release;
          log = simulate_events(chain, start, n_leads, o);
        }
        auto to_array = [](auto&& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          auto* heap = new std::vector<T>(std::move(v));
          py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
          return py::array_t<T>(static_cast<py::ssize_t>(heap->size()), heap->data(), owner);
        };
        return py::make_tuple(to_array(std::move(log.lead)), to_array(std::move(log.time)),
                              to_array(std::move(log.stage)));
      },
      py::arg("chain"), py::arg("start"), py::arg("n_leads"), py::arg("seed"), py::arg("mean_dwell"),
      py::arg("max_steps"), py::arg("threads"));
}

}  // namespace funnelnet::python
