// C ABI: referral networks (declared in include/funnelnet/c/graph.h).
#include "funnelnet/graph.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "c_api/common.hpp"
#include "funnelnet/io/json.hpp"

using funnelnet::Errc;
using funnelnet::fail;
using funnelnet::node_t;
using funnelnet::ReferralGraph;
using funnelnet::capi::copy_out;
using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct fnet_graph {
  ReferralGraph value;
};
struct fnet_cascades {
  std::vector<size_t> roots;
  funnelnet::Cascades value;
};

namespace {

template <class Opt>
void check_version(const Opt* o, unsigned current, const char* what) {
  if (o != nullptr) funnelnet::capi::check_options(o, current, what);
}

funnelnet::GraphOptions graph_options(const fnet_graph_options* o) {
  check_version(o, FNET_GRAPH_OPTIONS_VERSION, "fnet_graph_options");
  funnelnet::GraphOptions g;
  if (o == nullptr) return g;
  g.self_loops =
      funnelnet::capi::enum_to<funnelnet::SelfLoops>(o->self_loops, "fnet_graph_options.self_loops");
  g.duplicates =
      funnelnet::capi::enum_to<funnelnet::Duplicates>(o->duplicates, "fnet_graph_options.duplicates");
  return g;
}

const ReferralGraph& graph_of(const fnet_graph* g) {
  require_ptr(g, "graph");
  return g->value;
}

funnelnet::Model model_of(const fnet_model& model, const char* what) {
  return funnelnet::capi::enum_to<funnelnet::Model>(model, what);
}

std::span<const double> per_node(const double* p, const ReferralGraph& g) {
  return p == nullptr ? std::span<const double>{} : std::span<const double>{p, g.num_nodes()};
}

std::vector<node_t> nodes_of(const size_t* idx, size_t n, const ReferralGraph& g, const char* what) {
  funnelnet::capi::count_arg<size_t>(n, what);
  if (n > 0) require_ptr(idx, what);
  std::vector<node_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    if (idx[i] >= g.num_nodes())
      fail(Errc::out_of_range, what, "[", i, "] is node ", idx[i], ", outside [0, ", g.num_nodes(), ")");
    out[i] = static_cast<node_t>(idx[i]);
  }
  return out;
}

funnelnet::Progress progress_of(fnet_progress_fn fn, void* user_data) {
  if (fn == nullptr) return {};
  return [fn, user_data](std::uint64_t done, std::uint64_t total) { return fn(user_data, done, total) == 0; };
}

/// Two-call pattern over several parallel outputs of length n (all NULL = size query).
template <class... Ptr>
bool want_outputs(size_t n, size_t capacity, size_t* needed, Ptr... out) {
  if (needed != nullptr) *needed = n;
  const bool any = ((out != nullptr) || ...);
  const bool all = ((out != nullptr) && ...);
  if (!any) {
    if (needed == nullptr) fail(Errc::null_argument, "outputs and needed are all NULL");
    return false;
  }
  if (!all) fail(Errc::null_argument, "give all output buffers or none");
  if (capacity < n) fail(Errc::buffer_too_small, "buffers hold ", capacity, " elements, ", n, " needed");
  return true;
}

/// Chosen seeds into a caller buffer: *n_chosen = how many were chosen (the size needed);
/// the first min(capacity, chosen) are written; buffer_too_small when some did not fit.
/// seeds NULL is a size query (FNET_OK).
void put_seeds(size_t* seeds, size_t capacity, size_t* n_chosen, const std::vector<node_t>& chosen) {
  *n_chosen = chosen.size();
  if (seeds == nullptr) return;
  const size_t fit = std::min(capacity, chosen.size());
  for (size_t i = 0; i < fit; ++i) seeds[i] = chosen[i];
  if (fit < chosen.size())
    fail(Errc::buffer_too_small, "seeds buffer holds ", capacity, " entries, ", chosen.size(),
         " seeds were chosen (the first ", fit, " are written)");
}

}  // namespace

using funnelnet::capi::json_of_handle;
using funnelnet::capi::read_handle;
using funnelnet::capi::save_handle;

extern "C" {

FNET_API fnet_status fnet_graph_from_edges(fnet_graph** out, size_t m, const int64_t* src, const int64_t* dst,
                                           const double* weight, const double* time, size_t n_nodes,
                                           const int64_t* nodes, const fnet_graph_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    using funnelnet::capi::array_arg;
    const auto s = array_arg(src, m, "m (src)"), d = array_arg(dst, m, "m (dst)");
    const auto w = weight ? array_arg(weight, m, "m (weight)") : std::span<const double>{};
    const auto t = time ? array_arg(time, m, "m (time)") : std::span<const double>{};
    auto g =
        ReferralGraph::from_edges(s, d, w, t, array_arg(nodes, n_nodes, "n_nodes"), graph_options(options));
    *out = new fnet_graph{std::move(g)};
  });
}

FNET_API fnet_status fnet_graph_read_edge_list(fnet_graph** out, const char* path,
                                               const fnet_edge_list_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(path, "path");
    check_version(options, FNET_EDGE_LIST_OPTIONS_VERSION, "fnet_edge_list_options");
    funnelnet::EdgeListOptions o;
    if (options != nullptr) {
      o.header_lines = options->header_lines;
      o.weighted = options->weighted != 0;
      o.symmetric = options->symmetric != 0;
      o.graph = graph_options(&options->graph);
    }
    *out = new fnet_graph{funnelnet::read_edge_list(path, o)};
  });
}

FNET_API fnet_status fnet_graph_read_metis(fnet_graph** out, const char* path,
                                           const fnet_graph_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    require_ptr(path, "path");
    *out = new fnet_graph{funnelnet::read_metis(path, graph_options(options))};
  });
}

FNET_DEFINE_DESTROY(fnet_graph_destroy, fnet_graph)

FNET_API fnet_status fnet_graph_sizes(size_t* n_nodes, size_t* n_edges, const fnet_graph* graph) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(n_nodes, "n_nodes");
    require_ptr(n_edges, "n_edges");
    *n_nodes = g.num_nodes();
    *n_edges = g.num_edges();
  });
}

FNET_API fnet_status fnet_graph_node_ids(int64_t* out, size_t capacity, size_t* needed,
                                         const fnet_graph* graph) {
  return guard([&] { copy_out(out, capacity, needed, graph_of(graph).ids()); });
}

FNET_API fnet_status fnet_graph_index_of(size_t* out, const fnet_graph* graph, int64_t id) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(out, "out");
    *out = g.index_of(id);
  });
}

FNET_API fnet_status fnet_graph_edges(size_t* src, size_t* dst, double* weight, size_t capacity,
                                      size_t* needed, const fnet_graph* graph) {
  return guard([&] {
    const auto& g = graph_of(graph);
    const size_t m = g.num_edges();
    if (!want_outputs(m, capacity, needed, src, dst, weight)) return;
    const auto s = g.sources();
    const auto t = g.targets();
    const auto w = g.weights();
    for (size_t e = 0; e < m; ++e) {
      src[e] = s[e];
      dst[e] = t[e];
      weight[e] = w[e];
    }
  });
}

FNET_API fnet_status fnet_graph_degree(double* out, size_t capacity, size_t* needed, const fnet_graph* graph,
                                       fnet_degree_kind kind, int weighted) {
  return guard([&] {
    const auto& g = graph_of(graph);
    const auto k = funnelnet::capi::enum_to<funnelnet::DegreeKind>(kind, "kind");
    if (out == nullptr && needed != nullptr) {  // size query: no work
      *needed = g.num_nodes();
      return;
    }
    copy_out(out, capacity, needed, funnelnet::degree(g, k, weighted != 0));
  });
}

FNET_API fnet_status fnet_graph_pagerank(double* out, size_t capacity, size_t* needed,
                                         const fnet_graph* graph, const fnet_pagerank_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    check_version(options, FNET_PAGERANK_OPTIONS_VERSION, "fnet_pagerank_options");
    funnelnet::PageRankOptions o;
    if (options != nullptr) {
      o.damping = options->damping;
      o.weighted = options->weighted != 0;
      o.personalization = per_node(options->personalization, g);
      o.dangling =
          funnelnet::capi::enum_to<funnelnet::Dangling>(options->dangling, "fnet_pagerank_options.dangling");
      if (o.dangling == funnelnet::Dangling::custom)
        require_ptr(options->dangling_weights, "dangling_weights");
      o.dangling_weights = per_node(options->dangling_weights, g);
      o.tolerance = options->tolerance;
      o.max_iter = options->max_iter;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
    }
    if (out == nullptr && needed != nullptr) {  // size query: no work
      *needed = g.num_nodes();
      return;
    }
    copy_out(out, capacity, needed, funnelnet::pagerank(g, o).values);
  });
}

FNET_API fnet_status fnet_graph_katz(double* out, size_t capacity, size_t* needed, const fnet_graph* graph,
                                     const fnet_katz_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    check_version(options, FNET_KATZ_OPTIONS_VERSION, "fnet_katz_options");
    funnelnet::KatzOptions o;
    if (options != nullptr) {
      o.alpha = options->alpha;
      o.beta = options->beta;
      o.betas = per_node(options->betas, g);
      o.weighted = options->weighted != 0;
      o.normalized = options->normalized != 0;
      o.tolerance = options->tolerance;
      o.max_iter = options->max_iter;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
    }
    if (out == nullptr && needed != nullptr) {
      *needed = g.num_nodes();
      return;
    }
    copy_out(out, capacity, needed, funnelnet::katz(g, o).values);
  });
}

FNET_API fnet_status fnet_graph_core_numbers(int64_t* out, size_t capacity, size_t* needed,
                                             const fnet_graph* graph) {
  return guard([&] {
    const auto& g = graph_of(graph);
    if (!funnelnet::capi::begin_outputs(g.num_nodes(), capacity, needed, out)) return;
    copy_out(out, capacity, needed, funnelnet::core_numbers(g));
  });
}

FNET_API fnet_status fnet_graph_components(int64_t* out, size_t capacity, size_t* needed, size_t* count,
                                           const fnet_graph* graph, int strong) {
  return guard([&] {
    const auto& g = graph_of(graph);
    auto c = strong != 0 ? funnelnet::strong_components(g) : funnelnet::weak_components(g);
    copy_out(out, capacity, needed, c.label);
    if (count != nullptr) *count = c.count;
  });
}

FNET_API fnet_status fnet_graph_betweenness(double* out, size_t capacity, size_t* needed,
                                            const fnet_graph* graph,
                                            const fnet_betweenness_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    check_version(options, FNET_BETWEENNESS_OPTIONS_VERSION, "fnet_betweenness_options");
    funnelnet::BetweennessOptions o;
    std::vector<node_t> sources;
    if (options != nullptr) {
      o.normalized = options->normalized != 0;
      sources = nodes_of(options->sources, options->n_sources, g, "sources");
      o.sources = sources;
      o.samples = options->samples;
      o.seed = options->seed;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
      o.progress = progress_of(options->progress, options->user_data);
    }
    if (out == nullptr && needed != nullptr) {
      *needed = g.num_nodes();
      return;
    }
    copy_out(out, capacity, needed, funnelnet::betweenness(g, o));
  });
}

FNET_API fnet_status fnet_graph_cascades(int64_t* size, int64_t* depth, int64_t* breadth, double* virality,
                                         size_t capacity, size_t* needed, const fnet_graph* graph,
                                         const size_t* roots, size_t n_roots, int threads) {
  return guard([&] {
    const auto& g = graph_of(graph);
    auto r = nodes_of(roots, n_roots, g, "roots");
    const size_t count = n_roots == 0 ? g.num_nodes() : n_roots;
    if (!want_outputs(count, capacity, needed, size, depth, breadth, virality)) return;
    auto c = funnelnet::cascades(g, r, funnelnet::capi::threads_arg(threads, "threads"));
    for (size_t i = 0; i < count; ++i) {
      size[i] = c.size[i];
      depth[i] = c.depth[i];
      breadth[i] = c.breadth[i];
      virality[i] = c.virality[i];
    }
  });
}

FNET_API fnet_status fnet_cascades_analyze(fnet_cascades** out, const fnet_graph* graph, const size_t* roots,
                                           size_t n_roots, int threads) {
  return guard([&] {
    require_ptr(out, "out");
    const auto& g = graph_of(graph);
    auto r = nodes_of(roots, n_roots, g, "roots");
    auto h = std::make_unique<fnet_cascades>();
    h->value = funnelnet::cascades(g, r, funnelnet::capi::threads_arg(threads, "threads"));
    h->roots.resize(n_roots == 0 ? g.num_nodes() : n_roots);
    for (size_t i = 0; i < h->roots.size(); ++i) h->roots[i] = n_roots == 0 ? i : roots[i];
    *out = h.release();
  });
}

FNET_DEFINE_DESTROY(fnet_cascades_destroy, fnet_cascades)
FNET_DEFINE_GETTER(fnet_cascades_count, size_t, fnet_cascades, cascades, cascades->roots.size())
FNET_DEFINE_ARRAY_GETTER(fnet_cascades_roots, size_t, fnet_cascades, cascades, cascades->roots)
FNET_DEFINE_ARRAY_GETTER(fnet_cascades_sizes, int64_t, fnet_cascades, cascades, cascades->value.size)
FNET_DEFINE_ARRAY_GETTER(fnet_cascades_depths, int64_t, fnet_cascades, cascades, cascades->value.depth)
FNET_DEFINE_ARRAY_GETTER(fnet_cascades_breadths, int64_t, fnet_cascades, cascades, cascades->value.breadth)
FNET_DEFINE_ARRAY_GETTER(fnet_cascades_virality, double, fnet_cascades, cascades, cascades->value.virality)

FNET_API fnet_status fnet_graph_referral_conversion(int64_t* referred, double* converted, double* rate,
                                                    size_t capacity, size_t* needed, const fnet_graph* graph,
                                                    const double* outcome) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(outcome, "outcome");
    if (!want_outputs(g.num_nodes(), capacity, needed, referred, converted, rate)) return;
    auto r = funnelnet::referral_conversion(g, {outcome, g.num_nodes()});
    for (size_t i = 0; i < g.num_nodes(); ++i) {
      referred[i] = r.referred[i];
      converted[i] = r.converted[i];
      rate[i] = r.rate[i];
    }
  });
}

FNET_API fnet_status fnet_graph_edge_probabilities(double* out, size_t capacity, size_t* needed,
                                                   const fnet_graph* graph,
                                                   const fnet_probability_spec* spec) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(spec, "spec");
    check_version(spec, FNET_PROBABILITY_SPEC_VERSION, "fnet_probability_spec");
    const size_t m = g.num_edges();
    if (out == nullptr && needed != nullptr) {
      *needed = m;
      return;
    }
    std::vector<double> p;
    switch (funnelnet::capi::enum_value(spec->kind, "fnet_probability_spec.kind")) {
      case FNET_PROB_CONSTANT: p = funnelnet::constant_probabilities(g, spec->constant); break;
      case FNET_PROB_WEIGHTED_CASCADE: p = funnelnet::weighted_cascade(g); break;
      case FNET_PROB_TRIVALENCY: p = funnelnet::trivalency(g, spec->seed); break;
      case FNET_PROB_GIVEN:
        require_ptr(spec->per_edge, "spec->per_edge");
        p = funnelnet::given_probabilities(g, {spec->per_edge, m});
        break;
      case FNET_PROB_LEARNED:
        require_ptr(spec->successes, "spec->successes");
        require_ptr(spec->exposures, "spec->exposures");
        p = funnelnet::learned_probabilities(g, {spec->successes, m}, {spec->exposures, m}, spec->prior_a,
                                             spec->prior_b);
        break;
      default: fail(Errc::internal, "unhandled fnet_probability_kind");
    }
    copy_out(out, capacity, needed, p);
  });
}

FNET_API fnet_status fnet_influence_spread(double* mean, double* std_error, double* value_mean,
                                           double* value_std_error, const fnet_graph* graph,
                                           const size_t* seeds, size_t n_seeds, const double* probabilities,
                                           const fnet_spread_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(mean, "mean");
    require_ptr(probabilities, "probabilities");
    check_version(options, FNET_SPREAD_OPTIONS_VERSION, "fnet_spread_options");
    auto s = nodes_of(seeds, n_seeds, g, "seeds");
    funnelnet::SpreadOptions o;
    if (options != nullptr) {
      o.model = model_of(options->model, "fnet_spread_options.model");
      o.n_sims = options->n_sims;
      o.seed = options->seed;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
      o.node_values = per_node(options->node_values, g);
      o.progress = progress_of(options->progress, options->user_data);
    }
    auto r = funnelnet::spread(g, s, {probabilities, g.num_edges()}, o);
    *mean = r.mean;
    if (std_error) *std_error = r.stderr_;
    if (value_mean) *value_mean = r.value_mean;
    if (value_std_error) *value_std_error = r.value_stderr;
  });
}

FNET_API fnet_status fnet_influence_activation_times(double* out, size_t capacity, size_t* needed,
                                                     const fnet_graph* graph, const size_t* seeds,
                                                     size_t n_seeds, const double* probabilities,
                                                     const double* delays, const double* time_bins,
                                                     size_t n_bins, const fnet_spread_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(probabilities, "probabilities");
    require_ptr(delays, "delays");
    require_ptr(time_bins, "time_bins");
    check_version(options, FNET_SPREAD_OPTIONS_VERSION, "fnet_spread_options");
    if (n_bins < 2) fail(Errc::invalid_argument, "time_bins needs at least 2 bin edges, got ", n_bins);
    funnelnet::capi::count_arg(n_bins, "n_bins");
    if (out == nullptr && needed != nullptr) {
      *needed = n_bins - 1;
      return;
    }
    auto s = nodes_of(seeds, n_seeds, g, "seeds");
    funnelnet::SpreadOptions o;
    if (options != nullptr) {
      o.model = model_of(options->model, "fnet_spread_options.model");
      o.n_sims = options->n_sims;
      o.seed = options->seed;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
      o.node_values = per_node(options->node_values, g);
      o.progress = progress_of(options->progress, options->user_data);
    }
    o.delays = {delays, g.num_edges()};
    o.time_bins = {time_bins, n_bins};
    copy_out(out, capacity, needed, funnelnet::spread(g, s, {probabilities, g.num_edges()}, o).by_time);
  });
}

FNET_API fnet_status fnet_influence_exact(double* out, const fnet_graph* graph, const size_t* seeds,
                                          size_t n_seeds, const double* probabilities, fnet_model model) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(out, "out");
    require_ptr(probabilities, "probabilities");
    auto s = nodes_of(seeds, n_seeds, g, "seeds");
    *out = funnelnet::exact_spread(g, s, {probabilities, g.num_edges()}, model_of(model, "model"));
  });
}

FNET_API fnet_status fnet_influence_imm(size_t* seeds, size_t capacity, size_t* n_chosen, double* spread,
                                        size_t* n_rr_sets, const fnet_graph* graph, size_t k,
                                        const double* probabilities, const fnet_imm_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(n_chosen, "n_chosen");
    require_ptr(probabilities, "probabilities");
    check_version(options, FNET_IMM_OPTIONS_VERSION, "fnet_imm_options");
    funnelnet::ImmOptions o;
    if (options != nullptr) {
      o.model = model_of(options->model, "fnet_imm_options.model");
      o.epsilon = options->epsilon;
      o.ell = options->ell;
      o.seed = options->seed;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
      o.node_values = per_node(options->node_values, g);
      o.costs = per_node(options->costs, g);
      o.budget = options->budget;
      o.progress = progress_of(options->progress, options->user_data);
    }
    auto r = funnelnet::imm(g, k, {probabilities, g.num_edges()}, o);
    if (spread) *spread = r.spread;
    if (n_rr_sets) *n_rr_sets = r.n_rr_sets;
    put_seeds(seeds, capacity, n_chosen, r.seeds);
  });
}

FNET_API fnet_status fnet_influence_celf(size_t* seeds, size_t capacity, size_t* n_chosen, double* spread,
                                         const fnet_graph* graph, size_t k, const double* probabilities,
                                         const fnet_celf_options* options) {
  return guard([&] {
    const auto& g = graph_of(graph);
    require_ptr(n_chosen, "n_chosen");
    require_ptr(probabilities, "probabilities");
    check_version(options, FNET_CELF_OPTIONS_VERSION, "fnet_celf_options");
    funnelnet::CelfOptions o;
    if (options != nullptr) {
      o.model = model_of(options->model, "fnet_celf_options.model");
      o.n_sims = options->n_sims;
      o.seed = options->seed;
      o.threads = funnelnet::capi::threads_arg(options->threads, "threads");
      o.node_values = per_node(options->node_values, g);
      o.costs = per_node(options->costs, g);
      o.budget = options->budget;
      o.progress = progress_of(options->progress, options->user_data);
    }
    auto r = funnelnet::celf(g, k, {probabilities, g.num_edges()}, o);
    if (spread) *spread = r.spread;
    put_seeds(seeds, capacity, n_chosen, r.seeds);
  });
}

FNET_API fnet_status fnet_graph_save(const fnet_graph* object, const char* path) {
  return save_handle(object, path);
}
FNET_API fnet_status fnet_graph_load(fnet_graph** out, const char* path) {
  return read_handle(out, path, "path", [](const char* p) {
    return funnelnet::io::graph_from_json(funnelnet::io::read_file(p));
  });
}
FNET_API fnet_status fnet_graph_to_json(char* buf, size_t capacity, size_t* needed,
                                        const fnet_graph* object) {
  return json_of_handle(buf, capacity, needed, object);
}
FNET_API fnet_status fnet_graph_from_json(fnet_graph** out, const char* json) {
  return read_handle(out, json, "json", [](const char* t) { return funnelnet::io::graph_from_json(t); });
}

}  // extern "C"
