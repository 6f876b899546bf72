// Python bindings for referral networks (submodule funnelnet._core.graph).  Thin: the
// labelled, pandas-friendly API lives in funnelnet/graph.py and funnelnet/influence.py.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "funnelnet/graph.hpp"
#include "funnelnet/io/json.hpp"

namespace funnelnet::python {

namespace register_graph_cpp {

/// Read-only numpy view of graph storage; the graph object stays alive as its base.
template <class T>
py::array_t<T> view(std::span<const T> s, py::handle owner) {
  py::array_t<T> a(static_cast<py::ssize_t>(s.size()), s.data(), owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

std::vector<node_t> as_nodes(const array<std::int64_t>& a, const ReferralGraph& g, const char* what) {
  auto s = span_of(a, what);
  std::vector<node_t> out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] < 0 || static_cast<std::uint64_t>(s[i]) >= g.num_nodes())
      fail(Errc::out_of_range, what, "[", i, "] is node index ", s[i], ", outside [0, ", g.num_nodes(), ")");
    out[i] = static_cast<node_t>(s[i]);
  }
  return out;
}

GraphOptions policies(int self_loops, int duplicates) {
  return {enum_code<SelfLoops>(self_loops, 2, "self_loops"),
          enum_code<Duplicates>(duplicates, 2, "duplicates")};
}

Model model_of(int m) {
  if (m != 0 && m != 1) fail(Errc::invalid_argument, "model code must be 0 (IC) or 1 (LT), got ", m);
  return static_cast<Model>(m);
}

// The options spread() and spread_parts() share, from their Python arguments (the spans
// view the arrays, which outlive the call).
SpreadOptions spread_options(int model, std::size_t n_sims, std::uint64_t seed, int threads,
                             const array<double>& values, const array<double>& delays,
                             const array<double>& time_bins) {
  SpreadOptions o;
  o.delays = span_of(delays, "delays");
  o.time_bins = span_of(time_bins, "time_bins");
  o.model = model_of(model);
  o.n_sims = n_sims;
  o.seed = seed;
  o.threads = threads;
  o.node_values = span_of(values, "values");
  return o;
}

// spread()'s result as the dict the Python layer reads (spread and combine_spread).
py::dict spread_dict(SpreadResult&& r) {
  py::dict d;
  d["mean"] = r.mean;
  d["stderr"] = r.stderr_;
  d["value_mean"] = r.value_mean;
  d["value_stderr"] = r.value_stderr;
  d["n_sims"] = r.n_sims;
  d["by_round"] = to_numpy(std::move(r.by_round));
  d["by_time"] = to_numpy(std::move(r.by_time));
  return d;
}

}  // namespace register_graph_cpp

void register_graph(py::module_& m) {
  using namespace register_graph_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  FUNNELNET_PY_DEFAULTS(GraphOptions, self_loops, duplicates);
  FUNNELNET_PY_DEFAULTS(EdgeListOptions, header_lines, comment_chars, weighted, symmetric);
  FUNNELNET_PY_DEFAULTS(PageRankOptions, damping, weighted, dangling, tolerance, max_iter, threads);
  FUNNELNET_PY_DEFAULTS(KatzOptions, alpha, beta, weighted, normalized, tolerance, max_iter, threads);
  FUNNELNET_PY_DEFAULTS(LayoutOptions, iterations, pivots, seed, gravity, threads);
  FUNNELNET_PY_DEFAULTS(BetweennessOptions, normalized, samples, seed, threads);
  FUNNELNET_PY_DEFAULTS(SpreadOptions, model, n_sims, seed, threads);
  FUNNELNET_PY_DEFAULTS(ImmOptions, model, epsilon, ell, seed, threads, budget);
  FUNNELNET_PY_DEFAULTS(CelfOptions, model, n_sims, seed, threads, budget);

  py::class_<ReferralGraph>(m, "Graph")
      .def_static(
          "from_csr_edges",
          [](const array<std::int64_t>& ids, const array<std::int64_t>& src, const array<std::int64_t>& dst,
             const array<double>& weight, const array<double>& time, const array<std::int64_t>& input_rows,
             bool weighted) {
            auto i = span_of(ids, "ids");
            auto s = span_of(src, "src");
            auto d = span_of(dst, "dst");
            auto w = span_of(weight, "weight");
            auto t = span_of(time, "time");
            auto r = span_of(input_rows, "input_rows");
            py::gil_scoped_release release;
            return ReferralGraph::from_csr_edges(i, s, d, w, t, r, weighted);
          },
          py::arg("ids").noconvert(), py::arg("src").noconvert(), py::arg("dst").noconvert(),
          py::arg("weight").noconvert(), py::arg("time").noconvert(), py::arg("input_rows").noconvert(),
          py::arg("weighted"))
      .def_static(
          "from_edges",
          [](const array<std::int64_t>& src, const array<std::int64_t>& dst, const array<double>& weight,
             const array<double>& time, const array<std::int64_t>& nodes, int self_loops, int duplicates) {
            auto s = span_of(src, "src");
            auto d = span_of(dst, "dst");
            auto w = span_of(weight, "weight");
            auto t = span_of(time, "time");
            auto n = span_of(nodes, "nodes");
            auto o = policies(self_loops, duplicates);
            py::gil_scoped_release release;
            return ReferralGraph::from_edges(s, d, w, t, n, o);
          },
          py::arg("src").noconvert(), py::arg("dst").noconvert(), py::arg("weight").noconvert(),
          py::arg("time").noconvert(), py::arg("nodes").noconvert(), py::arg("self_loops"),
          py::arg("duplicates"))
      .def_static(
          "from_indices",
          [](std::size_t n, const array<std::int64_t>& src, const array<std::int64_t>& dst,
             const array<double>& weight, const array<double>& time, int self_loops, int duplicates) {
            auto s = span_of(src, "src");
            auto d = span_of(dst, "dst");
            auto w = span_of(weight, "weight");
            auto t = span_of(time, "time");
            auto o = policies(self_loops, duplicates);
            py::gil_scoped_release release;
            return ReferralGraph::from_indices(n, s, d, w, t, o);
          },
          py::arg("n"), py::arg("src").noconvert(), py::arg("dst").noconvert(), py::arg("weight").noconvert(),
          py::arg("time").noconvert(), py::arg("self_loops"), py::arg("duplicates"))
      .def_static(
          "read_edge_list",
          [](const std::string& path, std::size_t header_lines, bool weighted, bool symmetric, int self_loops,
             int duplicates) {
            EdgeListOptions o;
            o.header_lines = header_lines;
            o.weighted = weighted;
            o.symmetric = symmetric;
            o.graph = policies(self_loops, duplicates);
            py::gil_scoped_release release;
            return read_edge_list(path, o);
          },
          py::arg("path"), py::arg("header_lines"), py::arg("weighted"), py::arg("symmetric"),
          py::arg("self_loops"), py::arg("duplicates"))
      .def_static(
          "read_metis",
          [](const std::string& path, int self_loops, int duplicates) {
            auto o = policies(self_loops, duplicates);
            py::gil_scoped_release release;
            return read_metis(path, o);
          },
          py::arg("path"), py::arg("self_loops"), py::arg("duplicates"))
      .def_property_readonly("num_nodes", &ReferralGraph::num_nodes)
      .def_property_readonly("num_edges", &ReferralGraph::num_edges)
      .def_property_readonly("has_weights", &ReferralGraph::has_weights)
      .def_property_readonly("has_times", &ReferralGraph::has_times)
      .def_property_readonly(
          "ids", [](py::object self) { return view(self.cast<const ReferralGraph&>().ids(), self); })
      .def_property_readonly(
          "sources", [](py::object self) { return view(self.cast<const ReferralGraph&>().sources(), self); })
      .def_property_readonly(
          "targets", [](py::object self) { return view(self.cast<const ReferralGraph&>().targets(), self); })
      .def_property_readonly(
          "weights", [](py::object self) { return view(self.cast<const ReferralGraph&>().weights(), self); })
      .def_property_readonly(
          "times", [](py::object self) { return view(self.cast<const ReferralGraph&>().times(), self); })
      .def_property_readonly("input_rows", [](py::object self) {
        return view(self.cast<const ReferralGraph&>().input_rows(), self);
      });

  m.def(
      "degree",
      [](const ReferralGraph& g, int kind, bool weighted) {
        return to_numpy(degree(g, enum_code<DegreeKind>(kind, 2, "degree kind"), weighted));
      },
      py::arg("g"), py::arg("kind"), py::arg("weighted"));

  m.def(
      "pagerank",
      [](const ReferralGraph& g, double damping, bool weighted, const array<double>& personalization,
         int dangling, const array<double>& dangling_weights, double tolerance, std::size_t max_iter,
         int threads) {
        PageRankOptions o;
        o.damping = damping;
        o.weighted = weighted;
        o.personalization = span_of(personalization, "personalization");
        o.dangling = enum_code<Dangling>(dangling, 2, "dangling");
        o.dangling_weights = span_of(dangling_weights, "dangling_weights");
        o.tolerance = tolerance;
        o.max_iter = max_iter;
        o.threads = threads;
        auto r = nogil([&] { return pagerank(g, o); });
        return py::make_tuple(to_numpy(std::move(r.values)), r.iterations);
      },
      py::arg("g"), py::arg("damping"), py::arg("weighted"), py::arg("personalization").noconvert(),
      py::arg("dangling"), py::arg("dangling_weights").noconvert(), py::arg("tolerance"), py::arg("max_iter"),
      py::arg("threads"));

  m.def(
      "katz",
      [](const ReferralGraph& g, double alpha, double beta, const array<double>& betas, bool weighted,
         bool normalized, double tolerance, std::size_t max_iter, int threads) {
        KatzOptions o;
        o.alpha = alpha;
        o.beta = beta;
        o.betas = span_of(betas, "betas");
        o.weighted = weighted;
        o.normalized = normalized;
        o.tolerance = tolerance;
        o.max_iter = max_iter;
        o.threads = threads;
        auto r = nogil([&] { return katz(g, o); });
        return py::make_tuple(to_numpy(std::move(r.values)), r.iterations);
      },
      py::arg("g"), py::arg("alpha"), py::arg("beta"), py::arg("betas").noconvert(), py::arg("weighted"),
      py::arg("normalized"), py::arg("tolerance"), py::arg("max_iter"), py::arg("threads"));

  m.def(
      "core_numbers", [](const ReferralGraph& g) { return to_numpy(nogil([&] { return core_numbers(g); })); },
      py::arg("g"));

  m.def(
      "components",
      [](const ReferralGraph& g, bool strong) {
        auto c = nogil([&] { return strong ? strong_components(g) : weak_components(g); });
        const std::size_t count = c.count;
        return py::make_tuple(to_numpy(std::move(c.label)), count);
      },
      py::arg("g"), py::arg("strong"));

  m.def(
      "betweenness",
      [](const ReferralGraph& g, bool normalized, const array<std::int64_t>& sources, std::size_t samples,
         std::uint64_t seed, int threads, const py::object& progress) {
        BetweennessOptions o;
        auto src = as_nodes(sources, g, "sources");
        o.normalized = normalized;
        o.sources = src;
        o.samples = samples;
        o.seed = seed;
        o.threads = threads;
        o.progress = progress_from_python(progress);
        return to_numpy(nogil([&] { return betweenness(g, o); }));
      },
      py::arg("g"), py::arg("normalized"), py::arg("sources").noconvert(), py::arg("samples"),
      py::arg("seed"), py::arg("threads"), py::arg("progress") = py::none());

  m.def(
      "layout",
      [](const ReferralGraph& g, std::size_t iterations, std::size_t pivots, std::uint64_t seed,
         double gravity, int threads, const py::object& progress) {
        LayoutOptions o;
        o.iterations = iterations;
        o.pivots = pivots;
        o.seed = seed;
        o.gravity = gravity;
        o.threads = threads;
        o.progress = progress_from_python(progress);
        return to_numpy(nogil([&] { return layout(g, o); }));
      },
      "Force-directed node positions, 2n values (x0, y0, x1, y1, ...); see funnelnet/graph/layout.hpp.",
      py::arg("g"), py::arg("iterations"), py::arg("pivots"), py::arg("seed"), py::arg("gravity"),
      py::arg("threads"), py::arg("progress") = py::none());

  m.def(
      "cascades",
      [](const ReferralGraph& g, const array<std::int64_t>& roots, int threads, const py::object& progress) {
        auto r = as_nodes(roots, g, "roots");
        auto p = progress_from_python(progress);
        auto c = nogil([&] { return cascades(g, r, threads, p); });
        std::vector<std::int64_t> rr(c.roots.begin(), c.roots.end());
        py::dict d;
        d["root"] = to_numpy(std::move(rr));
        d["size"] = to_numpy(std::move(c.size));
        d["depth"] = to_numpy(std::move(c.depth));
        d["breadth"] = to_numpy(std::move(c.breadth));
        d["virality"] = to_numpy(std::move(c.virality));
        return d;
      },
      py::arg("g"), py::arg("roots").noconvert(), py::arg("threads"), py::arg("progress") = py::none());

  m.def(
      "referral_conversion",
      [](const ReferralGraph& g, const array<double>& outcome) {
        auto r = referral_conversion(g, span_of(outcome, "outcome"));
        py::dict d;
        d["referred"] = to_numpy(std::move(r.referred));
        d["converted"] = to_numpy(std::move(r.converted));
        d["rate"] = to_numpy(std::move(r.rate));
        return d;
      },
      py::arg("g"), py::arg("outcome").noconvert());

  // ---------------------------------------------------------------- probabilities
  m.def(
      "constant_probabilities",
      [](const ReferralGraph& g, double p) { return to_numpy(constant_probabilities(g, p)); }, py::arg("g"),
      py::arg("p"));
  m.def(
      "weighted_cascade",
      [](const ReferralGraph& g, bool use_weights) { return to_numpy(weighted_cascade(g, use_weights)); },
      py::arg("g"), py::arg("use_weights") = false);
  m.def(
      "trivalency", [](const ReferralGraph& g, std::uint64_t seed) { return to_numpy(trivalency(g, seed)); },
      py::arg("g"), py::arg("seed"));
  m.def(
      "given_probabilities",
      [](const ReferralGraph& g, const array<double>& p) {
        return to_numpy(given_probabilities(g, span_of(p, "probabilities")));
      },
      py::arg("g"), py::arg("p").noconvert());
  m.def(
      "learned_probabilities",
      [](const ReferralGraph& g, const array<double>& s, const array<double>& x, double a, double b) {
        return to_numpy(learned_probabilities(g, span_of(s, "successes"), span_of(x, "exposures"), a, b));
      },
      py::arg("g"), py::arg("successes").noconvert(), py::arg("exposures").noconvert(), py::arg("prior_a"),
      py::arg("prior_b"));

  // ---------------------------------------------------------------- diffusion
  m.def(
      "spread",
      [](const ReferralGraph& g, const array<std::int64_t>& seeds, const array<double>& p, int model,
         std::size_t n_sims, std::uint64_t seed, int threads, const array<double>& values,
         const py::object& progress, const array<double>& delays, const array<double>& time_bins) {
        auto s = as_nodes(seeds, g, "seeds");
        auto ps = span_of(p, "probabilities");
        SpreadOptions o = spread_options(model, n_sims, seed, threads, values, delays, time_bins);
        o.progress = progress_from_python(progress);
        return spread_dict(nogil([&] { return spread(g, s, ps, o); }));
      },
      py::arg("g"), py::arg("seeds").noconvert(), py::arg("p").noconvert(), py::arg("model"),
      py::arg("n_sims"), py::arg("seed"), py::arg("threads"), py::arg("values").noconvert(),
      py::arg("progress") = py::none(), py::arg("delays").noconvert() = array<double>(0),
      py::arg("time_bins").noconvert() = array<double>(0));

  m.def(
      "simulation_tasks", [](std::size_t n_sims) { return simulation_tasks(n_sims); }, py::arg("n_sims"));
  m.def(
      "spread_parts",
      [](const ReferralGraph& g, const array<std::int64_t>& seeds, const array<double>& p, int model,
         std::size_t n_sims, std::uint64_t seed, int threads, const array<double>& values,
         const array<double>& delays, const array<double>& time_bins, std::size_t first_task,
         std::size_t last_task) {
        auto s = as_nodes(seeds, g, "seeds");
        auto ps = span_of(p, "probabilities");
        SpreadOptions o = spread_options(model, n_sims, seed, threads, values, delays, time_bins);
        auto parts = nogil(
            [&] { return spread_parts(g, s, EdgeProbabilities::given(g, ps), o, first_task, last_task); });
        py::list out;
        for (auto& q : parts)
          out.append(py::make_tuple(q.sum, q.sq, q.vsum, q.vsq, to_numpy(std::move(q.rounds)),
                                    to_numpy(std::move(q.hist))));
        return out;
      },
      py::arg("g"), py::arg("seeds").noconvert(), py::arg("p").noconvert(), py::arg("model"),
      py::arg("n_sims"), py::arg("seed"), py::arg("threads"), py::arg("values").noconvert(),
      py::arg("delays").noconvert(), py::arg("time_bins").noconvert(), py::arg("first_task"),
      py::arg("last_task"));
  m.def(
      "combine_spread",
      [](const py::list& parts, std::size_t n_sims) {
        std::vector<SpreadPart> ps;
        ps.reserve(parts.size());
        for (const auto& item : parts) {
          auto t = item.cast<py::tuple>();
          if (t.size() != 6)
            fail(Errc::invalid_argument, "a spread part is a 6-tuple, got ", t.size(), " items");
          SpreadPart q;
          q.sum = t[0].cast<double>();
          q.sq = t[1].cast<double>();
          q.vsum = t[2].cast<double>();
          q.vsq = t[3].cast<double>();
          q.rounds = t[4].cast<std::vector<double>>();
          q.hist = t[5].cast<std::vector<double>>();
          ps.push_back(std::move(q));
        }
        return spread_dict(combine_spread(ps, n_sims));
      },
      py::arg("parts"), py::arg("n_sims"));

  m.def(
      "exact_spread",
      [](const ReferralGraph& g, const array<std::int64_t>& seeds, const array<double>& p, int model) {
        auto s = as_nodes(seeds, g, "seeds");
        return exact_spread(g, s, span_of(p, "probabilities"), model_of(model));
      },
      py::arg("g"), py::arg("seeds").noconvert(), py::arg("p").noconvert(), py::arg("model"));

  auto result_dict = [](InfluenceResult&& r) {
    std::vector<std::int64_t> s(r.seeds.begin(), r.seeds.end());
    py::dict d;
    d["seeds"] = to_numpy(std::move(s));
    d["spread_after"] = to_numpy(std::move(r.spread_after));
    d["spread"] = r.spread;
    d["cost"] = r.cost;
    d["n_rr_sets"] = r.n_rr_sets;
    return d;
  };

  m.def(
      "imm",
      [result_dict](const ReferralGraph& g, std::size_t k, const array<double>& p, int model, double epsilon,
                    double ell, std::uint64_t seed, int threads, const array<double>& values,
                    const array<double>& costs, double budget, const py::object& progress) {
        ImmOptions o;
        auto ps = span_of(p, "probabilities");
        o.model = model_of(model);
        o.epsilon = epsilon;
        o.ell = ell;
        o.seed = seed;
        o.threads = threads;
        o.node_values = span_of(values, "values");
        o.costs = span_of(costs, "costs");
        o.budget = budget;
        o.progress = progress_from_python(progress);
        auto r = nogil([&] { return imm(g, k, ps, o); });
        return result_dict(std::move(r));
      },
      py::arg("g"), py::arg("k"), py::arg("p").noconvert(), py::arg("model"), py::arg("epsilon"),
      py::arg("ell"), py::arg("seed"), py::arg("threads"), py::arg("values").noconvert(),
      py::arg("costs").noconvert(), py::arg("budget"), py::arg("progress") = py::none());

  m.def(
      "celf",
      [result_dict](const ReferralGraph& g, std::size_t k, const array<double>& p, int model,
                    std::size_t n_sims, std::uint64_t seed, int threads, const array<double>& values,
                    const array<double>& costs, double budget, const py::object& progress) {
        CelfOptions o;
        auto ps = span_of(p, "probabilities");
        o.model = model_of(model);
        o.n_sims = n_sims;
        o.seed = seed;
        o.threads = threads;
        o.node_values = span_of(values, "values");
        o.costs = span_of(costs, "costs");
        o.budget = budget;
        o.progress = progress_from_python(progress);
        auto r = nogil([&] { return celf(g, k, ps, o); });
        return result_dict(std::move(r));
      },
      py::arg("g"), py::arg("k"), py::arg("p").noconvert(), py::arg("model"), py::arg("n_sims"),
      py::arg("seed"), py::arg("threads"), py::arg("values").noconvert(), py::arg("costs").noconvert(),
      py::arg("budget"), py::arg("progress") = py::none());

  // ---- persistence (model files: io/json.hpp) -------------------------------------
  m.def(
      "to_json",
      [](const ReferralGraph& g, const std::vector<std::string>& labels) { return io::to_json(g, labels); },
      py::arg("graph"), py::arg("labels"));
  m.def(
      "graph_from_json",
      [](const std::string& text) {
        std::vector<std::string> labels;
        ReferralGraph g = io::graph_from_json(text, &labels);
        return py::make_tuple(std::move(g), std::move(labels));
      },
      py::arg("text"));
}

}  // namespace funnelnet::python
