// Private to src/io: the JSON helpers every model-file reader and writer shares
// (nlohmann/json stays in src/io, out of the public headers).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/matrix.hpp"
#include "funnelnet/io/json.hpp"

FUNNELNET_BEGIN
class StageSpace;
namespace io::detail {

using json = nlohmann::json;

/// {"format": "funnelnet", "version": <the kind's version>, "kind": kind}.
json header(std::string_view kind);
/// The header plus "states" and "absorbing" of a stage space.
json header(std::string_view kind, const StageSpace& space);
/// Parse `text`, check format, version (1 to the kind's) and kind; Errc::format_error.
json parse(std::string_view text, std::string_view kind);
/// parse() and read the stage space ("states", "absorbing").
json parse(std::string_view text, std::string_view kind, StageSpace& space);

/// j[name], or format_error "missing field 'name'".
const json& field(const json& j, const char* name);
/// A JSON number as a double; format_error naming `what` otherwise.
double number(const json& v, const char* what);
/// A double that may be non-finite: a number, or the string "inf", "-inf" or "nan".
json real(double v);
double read_real(const json& j, const char* name);
/// An integer field within [lo, hi].
std::int64_t read_int(const json& j, const char* name,
                      std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                      std::int64_t hi = std::numeric_limits<std::int64_t>::max());
bool read_bool(const json& j, const char* name);
std::string read_string(const json& j, const char* name);
/// An array field of numbers (`size` entries unless size is npos).
std::vector<double> read_doubles(const json& j, const char* name, std::size_t size = std::string::npos);
/// An array field of integers within [lo, hi] (`size` entries unless npos).
std::vector<std::int64_t> read_ints(const json& j, const char* name, std::size_t size = std::string::npos,
                                    std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                    std::int64_t hi = std::numeric_limits<std::int64_t>::max());
std::vector<std::string> read_strings(const json& j, const char* name, std::size_t size = std::string::npos);

/// A matrix as an array of rows.
json matrix_json(const Matrix& m);
/// A rows x cols matrix field (rows = npos: any number of rows).
Matrix read_matrix(const json& j, const char* name, std::size_t rows, std::size_t cols);

/// Run `make`; a non-format error from the object's own validation becomes
/// format_error "model file has invalid contents: ...".
template <class F>
auto validated(F&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const Error& e) {
    if (e.code() == Errc::format_error) throw;
    fail(Errc::format_error, "model file has invalid contents: ", e.what());
  }
}

}  // namespace io::detail
FUNNELNET_END
