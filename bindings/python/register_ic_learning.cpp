// Python bindings of learn_ic_probabilities (into funnelnet._core.graph).  Thin: the public
// API (labels, DataFrames) is funnelnet/graph/learning.py.
#include "bindings.hpp"
#include "funnelnet/graph/ic_learning.hpp"

namespace funnelnet::python {

void register_ic_learning(py::module_& m) {
  m.def(
      "learn_ic_probabilities",
      [](const array<std::int64_t>& source, const array<std::int64_t>& target,
         const array<std::int64_t>& group, const array<std::uint8_t>& active,
         const array<std::int64_t>& ref_source, const array<std::int64_t>& ref_target, double prior_a,
         double prior_b) {
        const auto s = span_of(source, "source");
        const auto t = span_of(target, "target");
        const auto g = span_of(group, "group");
        const auto a = span_of(active, "active");
        const auto rs = span_of(ref_source, "referrer");
        const auto rt = span_of(ref_target, "referee");
        IcEstimate e = nogil([&] { return learn_ic_probabilities(s, t, g, a, rs, rt, {prior_a, prior_b}); });
        py::dict out;
        out["successes"] = to_numpy(std::move(e.successes));
        out["exposures"] = to_numpy(std::move(e.exposures));
        out["probability"] = to_numpy(std::move(e.probability));
        out["std_error"] = to_numpy(std::move(e.std_error));
        return out;
      },
      py::arg("source").noconvert(), py::arg("target").noconvert(), py::arg("group").noconvert(),
      py::arg("active").noconvert(), py::arg("ref_source").noconvert(), py::arg("ref_target").noconvert(),
      py::arg("prior_a"), py::arg("prior_b"),
      "IC edge probabilities from exposures and referrals (graph/ic_learning.hpp); node ids 0 .. n - 1,\n"
      "group empty = per edge.  Returns a dict of per-edge arrays.");
}

}  // namespace funnelnet::python
