// Model files as versioned JSON (nlohmann/json stays in this file, out of the headers).
#include "funnelnet/io/json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/higher_order.hpp"
#include "funnelnet/funnel/stage_space.hpp"
#include "json_detail.hpp"

FUNNELNET_BEGIN
namespace io {

namespace detail {

json header(std::string_view kind) {
  json j;
  j["format"] = "funnelnet";
  j["version"] = model_version;
  j["kind"] = std::string(kind);
  return j;
}

json header(std::string_view kind, const StageSpace& space) {
  json j = header(kind);
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

json real(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

double read_real(const json& j, const char* name) {
  const json& v = field(j, name);
  if (v.is_string()) {
    const auto t = v.get<std::string>();
    if (t == "inf") return std::numeric_limits<double>::infinity();
    if (t == "-inf") return -std::numeric_limits<double>::infinity();
    if (t == "nan") return std::numeric_limits<double>::quiet_NaN();
    fail(Errc::format_error, "model file: '", name, "' must be a number, \"inf\", \"-inf\" or \"nan\", got ",
         v.dump());
  }
  return number(v, name);
}

std::int64_t read_int(const json& j, const char* name, std::int64_t lo, std::int64_t hi) {
  const json& v = field(j, name);
  if (!v.is_number_integer())
    fail(Errc::format_error, "model file: '", name, "' must be an integer, got ", v.dump());
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
    fail(Errc::format_error, "model file: '", name, "' is ", v.dump(), ", above ", hi);
  const auto x = v.get<std::int64_t>();
  if (x < lo || x > hi)
    fail(Errc::format_error, "model file: '", name, "' is ", x, ", outside [", lo, ", ", hi, "]");
  return x;
}

bool read_bool(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_boolean())
    fail(Errc::format_error, "model file: '", name, "' must be true or false, got ", v.dump());
  return v.get<bool>();
}

std::string read_string(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string())
    fail(Errc::format_error, "model file: '", name, "' must be a string, got ", v.type_name());
  return v.get<std::string>();
}

namespace {
const json& array_field(const json& j, const char* name, std::size_t size, const char* of) {
  const json& a = field(j, name);
  if (!a.is_array()) fail(Errc::format_error, "model file: '", name, "' must be an array of ", of);
  if (size != std::string::npos && a.size() != size)
    fail(Errc::format_error, "model file: '", name, "' must hold ", size, " ", of, ", got ", a.size());
  return a;
}
}  // namespace

std::vector<double> read_doubles(const json& j, const char* name, std::size_t size) {
  const json& a = array_field(j, name, size, "numbers");
  std::vector<double> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_number())
      fail(Errc::format_error, "model file: entry ", i, " of '", name, "' must be a number, got ",
           a[i].dump());
    out.push_back(a[i].get<double>());
  }
  return out;
}

std::vector<std::int64_t> read_ints(const json& j, const char* name, std::size_t size, std::int64_t lo,
                                    std::int64_t hi) {
  const json& a = array_field(j, name, size, "integers");
  std::vector<std::int64_t> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const json& v = a[i];
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) ||
        v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi)
      fail(Errc::format_error, "model file: entry ", i, " of '", name, "' must be an integer in [", lo, ", ",
           hi, "], got ", v.dump());
    out.push_back(v.get<std::int64_t>());
  }
  return out;
}

std::vector<std::string> read_strings(const json& j, const char* name, std::size_t size) {
  const json& a = array_field(j, name, size, "strings");
  std::vector<std::string> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string())
      fail(Errc::format_error, "model file: entry ", i, " of '", name, "' must be a string, got ",
           a[i].dump());
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

json matrix_json(const Matrix& m) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

Matrix read_matrix(const json& j, const char* name, std::size_t n_rows, std::size_t n) {
  const json& rows = field(j, name);
  if (!rows.is_array() || (n_rows != std::string::npos && rows.size() != n_rows))
    fail(Errc::format_error, "model file: '", name, "' must be an array of ", n_rows, " rows");
  Matrix m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    if (!row.is_array() || row.size() != n)
      fail(Errc::format_error, "model file: row ", i, " of '", name, "' must be an array of ", n, " numbers");
    for (std::size_t k = 0; k < n; ++k)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = number(row[k], name);
  }
  return m;
}

json parse(std::string_view text, std::string_view kind) {
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
  return j;
}

/// Parse, check format/version/kind, and read the stage space.
json parse(std::string_view text, std::string_view kind, StageSpace& space) {
  json j = parse(text, kind);
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

}  // namespace detail

using namespace detail;

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
  Matrix p = read_matrix(j, "matrix", space.size(), space.size());
  return validated([&] { return MarkovChain::exact(space, std::move(p)); });
}
/// Read transition counts from JSON text.
TransitionCounts counts_from_json(std::string_view text) {
  StageSpace space;
  const auto j = parse(text, "transition_counts", space);
  Matrix c = read_matrix(j, "counts", space.size(), space.size());
  return validated([&] { return TransitionCounts(space, std::move(c)); });
}
/// Read exposure counts from JSON text.
ExposureCounts exposure_counts_from_json(std::string_view text) {
  StageSpace space;
  const auto j = parse(text, "exposure_counts", space);
  Matrix c = read_matrix(j, "counts", space.size(), space.size());
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
  Matrix q = read_matrix(j, "generator", space.size(), space.size());
  return validated([&] { return ContinuousChain(space, std::move(q), 1e-9); });
}

/// JSON text of a higher-order chain.
std::string to_json(const HigherOrderChain& chain) {
  auto j = header("higher_order_chain", chain.space);
  j["order"] = chain.order;
  json h = json::array();
  for (Eigen::Index i = 0; i < chain.histories.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index k = 0; k < chain.histories.cols(); ++k) row.push_back(chain.histories(i, k));
    h.push_back(std::move(row));
  }
  j["histories"] = std::move(h);
  j["counts"] = matrix_json(chain.counts);
  j["probabilities"] = matrix_json(chain.probabilities);
  j["log_likelihood"] = real(chain.log_likelihood);
  j["parameters"] = chain.parameters;
  j["transitions"] = chain.transitions;
  return j.dump();
}

/// Read a higher-order chain from JSON text; checks every history is `order` valid
/// stage indices, seen once, with non-negative counts and a probability row summing to 1.
HigherOrderChain higher_order_from_json(std::string_view text) {
  HigherOrderChain c;
  const auto j = parse(text, "higher_order_chain", c.space);
  const std::size_t n = c.space.size();
  c.order = static_cast<int>(read_int(j, "order", 1, 64));
  const json& h = field(j, "histories");
  if (!h.is_array()) fail(Errc::format_error, "model file: 'histories' must be an array of rows");
  const auto H = h.size();
  c.histories.resize(static_cast<Eigen::Index>(H), c.order);
  std::set<std::vector<std::int32_t>> seen;
  for (std::size_t i = 0; i < H; ++i) {
    if (!h[i].is_array() || h[i].size() != static_cast<std::size_t>(c.order))
      fail(Errc::format_error, "model file: history ", i, " must hold ", c.order, " stage indices");
    std::vector<std::int32_t> row;
    for (std::size_t k = 0; k < h[i].size(); ++k) {
      const json& v = h[i][k];
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
          v.get<std::int64_t>() >= static_cast<std::int64_t>(n))
        fail(Errc::format_error, "model file: history ", i, " has stage ", v.dump(), ", outside [0, ", n,
             ")");
      row.push_back(v.get<std::int32_t>());
      c.histories(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = row.back();
    }
    if (!seen.insert(row).second) fail(Errc::format_error, "model file: history ", i, " appears twice");
  }
  c.counts = read_matrix(j, "counts", H, n);
  c.probabilities = read_matrix(j, "probabilities", H, n);
  for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(H); ++i) {
    for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(n); ++k) {
      if (!(std::isfinite(c.counts(i, k)) && c.counts(i, k) >= 0.0))
        fail(Errc::format_error, "model file: 'counts' of history ", i, " has ", c.counts(i, k),
             " (must be >= 0)");
      if (!(c.probabilities(i, k) >= 0.0 && c.probabilities(i, k) <= 1.0))
        fail(Errc::format_error, "model file: 'probabilities' of history ", i, " has ", c.probabilities(i, k),
             " (outside [0, 1])");
    }
    if (std::abs(c.probabilities.row(i).sum() - 1.0) > 1e-9)
      fail(Errc::format_error, "model file: 'probabilities' of history ", i, " sum to ",
           c.probabilities.row(i).sum(), ", not 1");
  }
  c.log_likelihood = read_real(j, "log_likelihood");
  c.parameters = number(field(j, "parameters"), "parameters");
  c.transitions = number(field(j, "transitions"), "transitions");
  if (!(c.parameters >= 0.0 && c.transitions >= 0.0))
    fail(Errc::format_error, "model file: 'parameters' and 'transitions' must be >= 0");
  return c;
}

HigherOrderChain load_higher_order(const std::filesystem::path& path) {
  return higher_order_from_json(read_file(path));
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
      {"higher_order_chain", model_version, "funnel",
       "HigherOrderChain: states, order, histories with next-stage counts and probabilities, fit scores"},
      {"referral_graph", model_version, "graph",
       "ReferralGraph: node ids (and labels), CSR edges with weights, times and input rows"},
      {"repeat_model", model_version, "customers",
       "RepeatModel: model kind (beta_geo, pareto_nbd, ...), parameters and fit report"},
      {"gamma_gamma", model_version, "customers", "GammaGammaModel: parameters (p, q, v) and fit report"},
      {"tier_migration", model_version, "customers",
       "TierMigration: tiers, per-segment counts and chains, customers seen, late entrants, periods"},
      {"markov_attribution", model_version, "attribution",
       "MarkovAttribution: channels, k-gram states, transient block, exits, values and removal effects"},
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
