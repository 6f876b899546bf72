// Python bindings for the pipeline area (submodule funnelnet._core.pipeline).  Thin: the
// public API (labels, DataFrames, plots) lives in funnelnet/pipeline/.
#include <pybind11/stl.h>

#include <vector>

#include "bindings.hpp"
#include "funnelnet/pipeline.hpp"

namespace funnelnet::python {

namespace register_pipeline_cpp {
py::array_t<double> table(std::vector<double>&& v, std::size_t rows, std::size_t cols) {
  auto* heap = new std::vector<double>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)}, heap->data(),
                             owner);
}
}  // namespace register_pipeline_cpp

void register_pipeline(py::module_& m) {
  using namespace register_pipeline_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  FUNNELNET_PY_DEFAULTS(PipelineSimOptions, runs, shock_sd, slip, seed, threads);

  py::class_<LatticeDistribution>(m, "LatticeDistribution",
                                  "A pmf on offset + k * resolution (won count or won revenue).")
      .def(py::init([](const array<double>& pmf, double resolution, double offset) {
             const auto s = span_of(pmf, "pmf");
             return LatticeDistribution(std::vector<double>(s.begin(), s.end()), resolution, offset);
           }),
           py::arg("pmf").noconvert(), py::arg("resolution") = 1.0, py::arg("offset") = 0.0)
      .def_property_readonly(
          "pmf", [](const LatticeDistribution& d) { return to_numpy(std::vector<double>(d.pmf())); })
      .def_property_readonly("resolution", &LatticeDistribution::resolution)
      .def_property_readonly("offset", &LatticeDistribution::offset)
      .def("mean", &LatticeDistribution::mean)
      .def("variance", &LatticeDistribution::variance)
      .def(
          "quantiles",
          [](const LatticeDistribution& d, const array<double>& q) {
            const auto s = span_of(q, "q");
            std::vector<double> out(s.size());
            for (std::size_t i = 0; i < s.size(); ++i) out[i] = d.quantile(s[i]);
            return to_numpy(std::move(out));
          },
          py::arg("q").noconvert())
      .def("prob_at_least", &LatticeDistribution::prob_at_least, py::arg("target"))
      .def("expected_shortfall", &LatticeDistribution::expected_shortfall, py::arg("target"));

  m.def(
      "poisson_binomial",
      [](const array<double>& p, int threads) {
        const auto s = span_of(p, "probabilities");
        return to_numpy(nogil([&] { return poisson_binomial_pmf(s, threads); }));
      },
      py::arg("p").noconvert(), py::arg("threads") = 0, "P(number of successes = k), k = 0..n.");
  m.def(
      "count_distribution",
      [](const array<double>& p, int threads) {
        const auto s = span_of(p, "probabilities");
        return nogil([&] { return won_count_distribution(s, threads); });
      },
      py::arg("p").noconvert(), py::arg("threads") = 0);
  m.def(
      "revenue_distribution",
      [](const array<double>& p, const array<double>& amount, double resolution, int threads) {
        const auto sp = span_of(p, "probabilities");
        const auto sa = span_of(amount, "amounts");
        return nogil([&] { return won_revenue_distribution(sp, sa, resolution, threads); });
      },
      py::arg("p").noconvert(), py::arg("amount").noconvert(), py::arg("resolution"), py::arg("threads") = 0);
  m.def(
      "exact_grid",
      [](const array<double>& amount, std::int64_t max_cells) {
        return exact_grid(span_of(amount, "amounts"), max_cells);
      },
      py::arg("amount").noconvert(), py::arg("max_cells") = std::int64_t{1} << 24);
  m.def(
      "simulate",
      [](const py::array_t<double, py::array::c_style>& p, const array<double>& amount, std::size_t runs,
         double shock_sd, double slip, std::uint64_t seed, int threads, const py::object& progress) {
        if (p.ndim() != 2)
          fail(Errc::shape_mismatch, "probabilities must be 2-dimensional (deals x periods), got ", p.ndim(),
               " dimensions");
        const auto periods = static_cast<std::size_t>(p.shape(1));
        const std::span<const double> sp(p.data(), static_cast<std::size_t>(p.size()));
        const auto sa = span_of(amount, "amounts");
        PipelineSimOptions o;
        o.runs = runs;
        o.shock_sd = shock_sd;
        o.slip = slip;
        o.seed = seed;
        o.threads = threads;
        auto cb = progress_from_python(progress);
        auto r = nogil([&] { return simulate_pipeline(sp, periods, sa, o, cb); });
        return py::make_tuple(table(std::move(r.count), r.runs, r.periods),
                              table(std::move(r.revenue), r.runs, r.periods));
      },
      py::arg("p").noconvert(), py::arg("amount").noconvert(), py::arg("runs"), py::arg("shock_sd"),
      py::arg("slip"), py::arg("seed"), py::arg("threads"), py::arg("progress") = py::none(),
      "Won count and revenue per run and period (runs x periods each).");
}

}  // namespace funnelnet::python
