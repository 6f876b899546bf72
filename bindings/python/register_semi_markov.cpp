// Python bindings for survival estimates and the semi-Markov funnel (added to the
// submodule funnelnet._core.funnel).  Thin: the public API is funnelnet/funnel/semi_markov.py.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <optional>
#include <vector>

#include "bindings.hpp"
#include "funnelnet/funnel/opportunities.hpp"
#include "funnelnet/funnel/semi_markov.hpp"

namespace funnelnet::python {

namespace register_semi_markov_cpp {

HoldingFamily family_of(int f) {
  if (f < 0 || f > 3) fail(Errc::invalid_argument, "family: unknown code ", f);
  return static_cast<HoldingFamily>(f);
}

}  // namespace register_semi_markov_cpp

void register_semi_markov(py::module_& m) {
  using namespace register_semi_markov_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  FUNNELNET_PY_DEFAULTS(SemiMarkovOptions, tol, max_iter);
  m.def(
      "kaplan_meier",
      [](const array<double>& duration, const array<std::uint8_t>& observed) {
        auto d = span_of(duration, "duration");
        auto o = span_of(observed, "observed");
        SurvivalCurve c;
        {
          py::gil_scoped_release release;
          c = kaplan_meier(d, o);
        }
        return py::make_tuple(to_numpy(std::move(c.time)), to_numpy(std::move(c.at_risk)),
                              to_numpy(std::move(c.events)), to_numpy(std::move(c.survival)));
      },
      py::arg("duration").noconvert(), py::arg("observed").noconvert(),
      "(time, at_risk, events, survival) of the Kaplan-Meier curve.");
  m.def(
      "aalen_johansen",
      [](const array<double>& duration, const array<std::int32_t>& cause, std::size_t n_causes) {
        auto d = span_of(duration, "duration");
        auto c = span_of(cause, "cause");
        CumulativeIncidence r;
        {
          py::gil_scoped_release release;
          r = aalen_johansen(d, c, n_causes);
        }
        return py::make_tuple(to_numpy(std::move(r.time)), to_numpy(std::move(r.at_risk)),
                              to_numpy(std::move(r.survival)), Matrix(std::move(r.incidence)));
      },
      py::arg("duration").noconvert(), py::arg("cause").noconvert(), py::arg("n_causes"),
      "(time, at_risk, survival, incidence) of the Aalen-Johansen estimate.");

  py::class_<DurationFit>(m, "DurationFit")
      .def_property_readonly("family",
                             [](const DurationFit& f) { return std::string(family_name(f.family)); })
      .def_readonly("shape", &DurationFit::shape)
      .def_readonly("scale", &DurationFit::scale)
      .def_readonly("log_likelihood", &DurationFit::log_likelihood)
      .def_readonly("gradient_norm", &DurationFit::gradient_norm)
      .def_readonly("iterations", &DurationFit::iterations)
      .def_readonly("converged", &DurationFit::converged)
      .def_readonly("events", &DurationFit::events)
      .def_readonly("censored", &DurationFit::censored)
      .def("survival", &DurationFit::survival, py::arg("t"));
  m.def(
      "fit_duration",
      [](int family, const array<double>& duration, const array<std::uint8_t>& observed, double tol,
         int max_iter) {
        auto d = span_of(duration, "duration");
        auto o = span_of(observed, "observed");
        const auto fam = family_of(family);
        py::gil_scoped_release release;
        return fit_duration(fam, d, o, tol, max_iter);
      },
      py::arg("family"), py::arg("duration").noconvert(), py::arg("observed").noconvert(), py::arg("tol"),
      py::arg("max_iter"));

  py::class_<SemiMarkovFunnel>(m, "SemiMarkovFunnel")
      .def_static(
          "fit",
          [](const StageSpace& space, const array<std::int32_t>& stage, const array<double>& duration,
             const array<std::int32_t>& next, int family, double tol, int max_iter) {
            auto s = span_of(stage, "stage");
            auto d = span_of(duration, "duration");
            auto n = span_of(next, "next");
            SemiMarkovOptions o{family_of(family), tol, max_iter};
            py::gil_scoped_release release;
            return SemiMarkovFunnel::fit(space, s, d, n, o);
          },
          py::arg("space"), py::arg("stage").noconvert(), py::arg("duration").noconvert(),
          py::arg("next").noconvert(), py::arg("family"), py::arg("tol"), py::arg("max_iter"))
      .def_property_readonly("space", &SemiMarkovFunnel::space)
      .def_property_readonly("family",
                             [](const SemiMarkovFunnel& m) { return std::string(family_name(m.family())); })
      .def_property_readonly("jump_matrix", &SemiMarkovFunnel::jump_matrix, py::return_value_policy::copy)
      .def_property_readonly("components",
                             [](const SemiMarkovFunnel& m) {
                               py::list out;
                               for (const auto& c : m.components())
                                 out.append(py::make_tuple(c.stage, c.destination, c.fit));
                               return out;
                             })
      .def(
          "holding_survival",
          [](const SemiMarkovFunnel& m, std::int32_t stage, const array<double>& t) {
            auto ts = span_of(t, "t");
            std::vector<double> out(ts.size());
            for (std::size_t k = 0; k < ts.size(); ++k) out[k] = m.holding_survival(stage, ts[k]);
            return to_numpy(std::move(out));
          },
          py::arg("stage"), py::arg("t").noconvert())
      .def("holding_quantile", &SemiMarkovFunnel::holding_quantile, py::arg("stage"), py::arg("q"))
      .def("stale_age", &SemiMarkovFunnel::stale_age, py::arg("stage"), py::arg("q"))
      .def(
          "simulate_close",
          [](const SemiMarkovFunnel& m, std::int32_t stage, double age, std::size_t draws, std::uint64_t seed,
             int threads) {
            CloseDraws d;
            {
              py::gil_scoped_release release;
              d = m.simulate_close(stage, age, draws, seed, threads);
            }
            return py::make_tuple(to_numpy(std::move(d.time)), to_numpy(std::move(d.outcome)));
          },
          py::arg("stage"), py::arg("age"), py::arg("draws"), py::arg("seed"), py::arg("threads") = 0);

  // The C++ reader of opportunity tables (the C ABI's): lead rows, stage codes, times, cut-off.
  m.def(
      "opportunity_events",
      [](const StageSpace& space, const array<std::int32_t>& current, const array<double>& dates,
         const array<double>& close, int missing, std::optional<double> cutoff) {
        if (missing < 0 || missing > 1) fail(Errc::invalid_argument, "missing: unknown code ", missing);
        auto ev = opportunity_events(space, span_of(current, "current"), span_of(dates, "dates"),
                                     span_of(close, "close"), static_cast<MissingDates>(missing), cutoff);
        return py::make_tuple(to_numpy(std::move(ev.lead)), to_numpy(std::move(ev.stage)),
                              to_numpy(std::move(ev.time)), ev.cutoff);
      },
      py::arg("space"), py::arg("current").noconvert(), py::arg("dates").noconvert(),
      py::arg("close").noconvert(), py::arg("missing"), py::arg("cutoff") = py::none());
}

}  // namespace funnelnet::python
