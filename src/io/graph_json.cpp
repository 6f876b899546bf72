// Model files of the graph area: the referral graph, edge for edge.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "funnelnet/graph/referral_graph.hpp"
#include "funnelnet/io/json.hpp"
#include "json_detail.hpp"

FUNNELNET_BEGIN
namespace io {
using namespace detail;

std::string to_json(const ReferralGraph& g, std::span<const std::string> labels) {
  if (!labels.empty() && labels.size() != g.num_nodes())
    fail(Errc::shape_mismatch, "labels have ", labels.size(), " entries for ", g.num_nodes(), " nodes");
  auto j = header("referral_graph");
  j["ids"] = std::vector<std::int64_t>(g.ids().begin(), g.ids().end());
  if (!labels.empty()) j["labels"] = std::vector<std::string>(labels.begin(), labels.end());
  j["sources"] = std::vector<std::uint32_t>(g.sources().begin(), g.sources().end());
  j["targets"] = std::vector<std::uint32_t>(g.targets().begin(), g.targets().end());
  j["weights"] = std::vector<double>(g.weights().begin(), g.weights().end());
  if (g.has_times()) j["times"] = std::vector<double>(g.times().begin(), g.times().end());
  j["input_rows"] = std::vector<std::int64_t>(g.input_rows().begin(), g.input_rows().end());
  j["has_weights"] = g.has_weights();
  return j.dump();
}

ReferralGraph graph_from_json(std::string_view text, std::vector<std::string>* labels) {
  const auto j = parse(text, "referral_graph");
  const auto ids = read_ints(j, "ids");
  const auto src = read_ints(j, "sources", std::string::npos, 0);
  const std::size_t m = src.size();
  const auto dst = read_ints(j, "targets", m, 0);
  const auto w = read_doubles(j, "weights", m);
  const auto t = j.contains("times") ? read_doubles(j, "times", m) : std::vector<double>{};
  const auto rows = read_ints(j, "input_rows", m, 0);
  const bool weighted = read_bool(j, "has_weights");
  std::vector<std::string> names;
  if (j.contains("labels")) {
    names = read_strings(j, "labels", ids.size());
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    if (auto it = std::adjacent_find(sorted.begin(), sorted.end()); it != sorted.end())
      fail(Errc::format_error, "model file: label '", *it, "' appears twice in 'labels'");
  }
  auto g = validated([&] { return ReferralGraph::from_csr_edges(ids, src, dst, w, t, rows, weighted); });
  if (labels) *labels = std::move(names);
  return g;
}

ReferralGraph load_graph(const std::filesystem::path& path, std::vector<std::string>* labels) {
  return graph_from_json(read_file(path), labels);
}

}  // namespace io
FUNNELNET_END
