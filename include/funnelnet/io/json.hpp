// Model files: chains and counts as versioned JSON (nlohmann/json).
//
//   {"format": "funnelnet", "version": 1, "kind": "markov_chain",
//    "states": ["potential", ..., "won", "lost"], "absorbing": [false, ..., true, true],
//    "matrix": [[...], ...]}
// Kinds: markov_chain ("matrix"), transition_counts ("counts"), exposure_counts
// ("counts", "exposure"), continuous_chain ("generator").  Numbers are written in the
// shortest form that reads back to the same double, so a round trip is exact.  Writes
// are atomic (a temporary file in the same folder, then rename).  Reading rejects, with
// Errc::format_error and a message saying what was wrong: text that is not JSON, another
// format or kind, a version this build does not know, missing or mistyped fields, and
// contents that fail the object's own validation.  Files that cannot be opened or
// written give Errc::io_error.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN
namespace io {

/// The model-file version this build writes (and the only one it reads).
inline constexpr int model_version = 1;

namespace detail {
using json = nlohmann::json;

inline json matrix_json(const Matrix& m) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

inline json header(std::string_view kind, const StageSpace& space) {
  json j;
  j["format"] = "funnelnet";
  j["version"] = model_version;
  j["kind"] = std::string(kind);
  j["states"] = space.names();
  std::vector<bool> flags = space.absorbing_flags();
  j["absorbing"] = flags;
  return j;
}

inline const json& field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) fail(Errc::format_error, "model file: missing field '", name, "'");
  return *it;
}

inline double number(const json& v, const char* what) {
  if (!v.is_number())
    fail(Errc::format_error, "model file: ", what, " must be a number, got ", v.type_name());
  return v.get<double>();
}

inline Matrix read_matrix(const json& j, const char* name, std::size_t n) {
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
inline json parse(std::string_view text, std::string_view kind, StageSpace& space) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    fail(Errc::format_error, "model file is not valid JSON: ", e.what());
  }
  if (!j.is_object()) fail(Errc::format_error, "model file must hold a JSON object, got ", j.type_name());
  const json& fmt = field(j, "format");
  if (!fmt.is_string() || fmt.get<std::string>() != "funnelnet")
    fail(Errc::format_error, "not a funnelnet model file (format is ", fmt.dump(), ")");
  const json& ver = field(j, "version");
  if (!ver.is_number_integer() || ver.get<std::int64_t>() != model_version)
    fail(Errc::format_error, "unsupported model file version ", ver.dump(), " (this build reads version ",
         model_version, ")");
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
}  // namespace detail

/// JSON text of a chain.
inline std::string to_json(const MarkovChain& chain) {
  auto j = detail::header("markov_chain", chain.space());
  j["matrix"] = detail::matrix_json(chain.matrix());
  return j.dump();
}
/// JSON text of transition counts.
inline std::string to_json(const TransitionCounts& counts) {
  auto j = detail::header("transition_counts", counts.space());
  j["counts"] = detail::matrix_json(counts.matrix());
  return j.dump();
}
/// JSON text of exposure counts.
inline std::string to_json(const ExposureCounts& counts) {
  auto j = detail::header("exposure_counts", counts.space());
  j["counts"] = detail::matrix_json(counts.matrix());
  std::vector<double> t(counts.exposure().data(), counts.exposure().data() + counts.exposure().size());
  j["exposure"] = t;
  return j.dump();
}
/// JSON text of a continuous-time chain.
inline std::string to_json(const ContinuousChain& chain) {
  auto j = detail::header("continuous_chain", chain.space());
  j["generator"] = detail::matrix_json(chain.generator());
  return j.dump();
}

/// Read a chain from JSON text (exact: rows are not rescaled).
inline MarkovChain chain_from_json(std::string_view text) {
  StageSpace space;
  const auto j = detail::parse(text, "markov_chain", space);
  Matrix p = detail::read_matrix(j, "matrix", space.size());
  return detail::validated([&] { return MarkovChain::exact(space, std::move(p)); });
}
/// Read transition counts from JSON text.
inline TransitionCounts counts_from_json(std::string_view text) {
  StageSpace space;
  const auto j = detail::parse(text, "transition_counts", space);
  Matrix c = detail::read_matrix(j, "counts", space.size());
  return detail::validated([&] { return TransitionCounts(space, std::move(c)); });
}
/// Read exposure counts from JSON text.
inline ExposureCounts exposure_counts_from_json(std::string_view text) {
  StageSpace space;
  const auto j = detail::parse(text, "exposure_counts", space);
  Matrix c = detail::read_matrix(j, "counts", space.size());
  const auto& e = detail::field(j, "exposure");
  if (!e.is_array() || e.size() != space.size())
    fail(Errc::format_error, "model file: 'exposure' must be an array of ", space.size(), " numbers");
  Vector t(static_cast<Eigen::Index>(space.size()));
  for (std::size_t i = 0; i < space.size(); ++i)
    t(static_cast<Eigen::Index>(i)) = detail::number(e[i], "exposure");
  return detail::validated([&] { return ExposureCounts(space, std::move(c), std::move(t)); });
}
/// Read a continuous-time chain from JSON text.
inline ContinuousChain continuous_chain_from_json(std::string_view text) {
  StageSpace space;
  const auto j = detail::parse(text, "continuous_chain", space);
  Matrix q = detail::read_matrix(j, "generator", space.size());
  return detail::validated([&] { return ContinuousChain(space, std::move(q), 1e-9); });
}

/// Write `text` to `path` atomically: a temporary file beside it, then rename.  Throws
/// io_error naming the path on failure (the target is then untouched).
inline void write_atomic(const std::filesystem::path& path, std::string_view text) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp-" +
         std::to_string(static_cast<unsigned long long>(std::hash<std::string>{}(path.string()) & 0xffff)) +
         "-" + std::to_string(counter.fetch_add(1));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(Errc::io_error, "cannot open '", tmp.string(), "' for writing: ", std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      fail(Errc::io_error, "cannot write '", tmp.string(), "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignore;
    std::filesystem::remove(tmp, ignore);
    fail(Errc::io_error, "cannot rename '", tmp.string(), "' to '", path.string(), "': ", ec.message());
  }
}

/// The whole file as text; io_error naming the path if it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(Errc::io_error, "cannot open '", path.string(), "' for reading: ", std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(Errc::io_error, "cannot read '", path.string(), "'");
  return ss.str();
}

/// Save any model object (MarkovChain, TransitionCounts, ExposureCounts,
/// ContinuousChain) to `path`, atomically.
template <class T>
void save(const T& object, const std::filesystem::path& path) {
  write_atomic(path, to_json(object));
}

inline MarkovChain load_chain(const std::filesystem::path& path) {
  return chain_from_json(read_file(path));
}
inline TransitionCounts load_counts(const std::filesystem::path& path) {
  return counts_from_json(read_file(path));
}
inline ExposureCounts load_exposure_counts(const std::filesystem::path& path) {
  return exposure_counts_from_json(read_file(path));
}
inline ContinuousChain load_continuous_chain(const std::filesystem::path& path) {
  return continuous_chain_from_json(read_file(path));
}

}  // namespace io
FUNNELNET_END
