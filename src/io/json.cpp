// Model files as versioned JSON (nlohmann/json stays in this file, out of the headers).
#include "funnelnet/io/json.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN
namespace io {

namespace {
using json = nlohmann::json;

json matrix_json(const Matrix& m) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

json header(std::string_view kind, const StageSpace& space) {
  json j;
  j["format"] = "funnelnet";
  j["version"] = model_version;
  j["kind"] = std::string(kind);
  j["states"] = space.names();
  std::vector<bool> flags = space.absorbing_flags();
  j["absorbing"] = flags;
  return j;
}

const json& field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) fail(Errc::format_error, "model file: missing field '", name, "'");
  return *it;
}

double number(const json& v, const char* what) {
  if (!v.is_number())
    fail(Errc::format_error, "model file: ", what, " must be a number, got ", v.type_name());
  return v.get<double>();
}

Matrix read_matrix(const json& j, const char* name, std::size_t n) {
  const json& rows = field(j, name);
  if (!rows.is_array() || rows.size() != n)
    fail(Errc::format_error, "model file: '", name, "' must be an array of ", n, " rows");
  Matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const json& row = rows[i];
    if (!row.is_array() || row.size() != n)
      fail(Errc::format_error, "model file: row ", i, " of '", name, "' must be an array of ", n, " numbers");
    for (std::size_t k = 0; k < n; ++k)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = number(row[k], name);
  }
  return m;
}

/// Parse, check format/version/kind, and read the stage space.
json parse(std::string_view text, std::string_view kind, StageSpace& space) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {  // parse errors, and numbers out of range (1e999)
    fail(Errc::format_error, "model file is not valid JSON: ", e.what());
  }
  if (!j.is_object()) fail(Errc::format_error, "model file must hold a JSON object, got ", j.type_name());
  const json& fmt = field(j, "format");
  if (!fmt.is_string() || fmt.get<std::string>() != "funnelnet")
    fail(Errc::format_error, "not a funnelnet model file (format is ", fmt.dump(), ")");
  const json& ver = field(j, "version");
  if (!ver.is_number_integer() || ver.get<std::int64_t>() < 1 || ver.get<std::int64_t>() > model_version)
    fail(Errc::format_error, "unsupported model file version ", ver.dump(),
         " (this build reads versions 1 to ", model_version, ")");
  const json& k = field(j, "kind");
  if (!k.is_string()) fail(Errc::format_error, "model file: 'kind' must be a string");
  if (k.get<std::string>() != kind)
    fail(Errc::format_error, "model file holds a '", k.get<std::string>(), "', expected a '", kind, "'");
  const json& st = field(j, "states");
  const json& ab = field(j, "absorbing");
  if (!st.is_array() || !ab.is_array() || st.size() != ab.size())
    fail(Errc::format_error, "model file: 'states' and 'absorbing' must be arrays of the same length");
  std::vector<std::string> names;
  std::vector<bool> flags;
  for (std::size_t i = 0; i < st.size(); ++i) {
    if (!st[i].is_string() || !ab[i].is_boolean())
      fail(Errc::format_error, "model file: state ", i, " must be a name with a true/false absorbing flag");
    names.push_back(st[i].get<std::string>());
    flags.push_back(ab[i].get<bool>());
  }
  try {
    space = StageSpace(std::move(names), std::move(flags));
  } catch (const Error& e) {
    fail(Errc::format_error, "model file has invalid states: ", e.what());
  }
  return j;
}

template <class F>
auto validated(F&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const Error& e) {
    if (e.code() == Errc::format_error) throw;
    fail(Errc::format_error, "model file has invalid contents: ", e.what());
  }
}
}  // namespace

/// JSON text of a chain.
std::string to_json(const MarkovChain& chain) {
  auto j = header("markov_chain", chain.space());
  j["matrix"] = matrix_json(chain.matrix());
  return j.dump();
}
/// JSON text of transition counts.
std::string to_json(const TransitionCounts& counts) {
  auto j = header("transition_counts", counts.space());
  j["counts"] = matrix_json(counts.matrix());
  return j.dump();
}
/// JSON text of exposure counts.
std::string to_json(const ExposureCounts& counts) {
  auto j = header("exposure_counts", counts.space());
  j["counts"] = matrix_json(counts.matrix());
  std::vector<double> t(counts.exposure().data(), counts.exposure().data() + counts.exposure().size());
  j["exposure"] = t;
  return j.dump();
}
/// JSON text of a continuous-time chain.
std::string to_json(const ContinuousChain& chain) {
  auto j = header("continuous_chain", chain.space());
  j["generator"] = matrix_json(chain.generator());
  return j.dump();
}

/// Read a chain from JSON text (exact: rows are not rescaled).
MarkovChain chain_from_json(std::string_view text) {
  StageSpace space;
  const auto j = parse(text, "markov_chain", space);
  Matrix p = read_matrix(j, "matrix", space.size());
  return validated([&] { return MarkovChain::exact(space, std::move(p)); });
}
/// Read transition counts from JSON text.
TransitionCounts counts_from_json(std::string_view text) {
  StageSpace space;
  const auto j = parse(text, "transition_counts", space);
  Matrix c = read_matrix(j, "counts", space.size());
  return validated([&] { return TransitionCounts(space, std::move(c)); });
}
/// Read exposure counts from JSON text.
ExposureCounts exposure_counts_from_json(std::string_view text) {
  StageSpace space;
  const auto j = parse(text, "exposure_counts", space);
  Matrix c = read_matrix(j, "counts", space.size());
  const auto& e = field(j, "exposure");
  if (!e.is_array() || e.size() != space.size())
    fail(Errc::format_error, "model file: 'exposure' must be an array of ", space.size(), " numbers");
  Vector t(static_cast<Eigen::Index>(space.size()));
  for (std::size_t i = 0; i < space.size(); ++i) t(static_cast<Eigen::Index>(i)) = number(e[i], "exposure");
  return validated([&] { return ExposureCounts(space, std::move(c), std::move(t)); });
}
/// Read a continuous-time chain from JSON text.
ContinuousChain continuous_chain_from_json(std::string_view text) {
  StageSpace space;
  const auto j = parse(text, "continuous_chain", space);
  Matrix q = read_matrix(j, "generator", space.size());
  return validated([&] { return ContinuousChain(space, std::move(q), 1e-9); });
}

MarkovChain load_chain(const std::filesystem::path& path) {
  return chain_from_json(read_file(path));
}
TransitionCounts load_counts(const std::filesystem::path& path) {
  return counts_from_json(read_file(path));
}
ExposureCounts load_exposure_counts(const std::filesystem::path& path) {
  return exposure_counts_from_json(read_file(path));
}
ContinuousChain load_continuous_chain(const std::filesystem::path& path) {
  return continuous_chain_from_json(read_file(path));
}

const std::vector<ModelKind>& model_kinds() {
  // The registry of every kind of model file this build reads and writes.  A new kind
  // is added here with its reader and writer above.
  static const std::vector<ModelKind> kinds = {
      {"markov_chain", model_version, "funnel", "MarkovChain: states and transition matrix"},
      {"transition_counts", model_version, "funnel", "TransitionCounts: states and count matrix"},
      {"exposure_counts", model_version, "funnel", "ExposureCounts: counts and time at risk per state"},
      {"continuous_chain", model_version, "funnel", "ContinuousChain: states and generator matrix"},
  };
  return kinds;
}

ModelKind model_kind(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end(), nullptr, true, false);
  } catch (const json::exception& e) {
    fail(Errc::format_error, "model file is not valid JSON: ", e.what());
  }
  if (!j.is_object()) fail(Errc::format_error, "model file must hold a JSON object, got ", j.type_name());
  auto fmt = j.find("format");
  if (fmt == j.end() || !fmt->is_string() || fmt->get<std::string>() != "funnelnet")
    fail(Errc::format_error, "not a funnelnet model file (no \"format\": \"funnelnet\" field)");
  auto k = j.find("kind");
  if (k == j.end() || !k->is_string()) fail(Errc::format_error, "model file: missing or non-string 'kind'");
  const std::string kind = k->get<std::string>();
  for (const ModelKind& m : model_kinds()) {
    if (m.kind != kind) continue;
    auto v = j.find("version");
    if (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() < 1 ||
        v->get<std::int64_t>() > m.version)
      fail(Errc::format_error, "unsupported model file version ", v == j.end() ? "(none)" : v->dump(),
           " for '", kind, "' (this build reads versions 1 to ", m.version, ")");
    return m;
  }
  std::string known;
  for (const ModelKind& m : model_kinds()) known += (known.empty() ? "" : ", ") + m.kind;
  fail(Errc::format_error, "model file holds a '", kind, "', a kind this build does not know (known: ", known,
       ")");
}

}  // namespace io
FUNNELNET_END
