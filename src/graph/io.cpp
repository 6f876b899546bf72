// Readers for graph files (declared in include/funnelnet/graph/io.hpp).
#include "funnelnet/graph/io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string_view>
#include <vector>

#include "funnelnet/io/file.hpp"

FUNNELNET_BEGIN

namespace detail {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// Split on blanks (spaces, tabs, commas).
std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == ',' || s[j] == '\r')) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::int64_t parse_int(std::string_view f, const std::string& path, std::size_t line, const char* what) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size())
    fail(Errc::format_error, path, ":", line, ": ", what, " '", f, "' is not an integer");
  return v;
}

double parse_double(std::string_view f, const std::string& path, std::size_t line, const char* what) {
  std::string tmp(f);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size() || errno == ERANGE)
    fail(Errc::format_error, path, ":", line, ": ", what, " '", f, "' is not a number");
  return v;
}

std::ifstream open_or_fail(const std::string& path) {
  io::check_file_size(path, io::max_file_bytes());
  std::ifstream in(path);
  if (!in) fail(Errc::io_error, "cannot open '", path, "' for reading");
  return in;
}

/// Lines of a graph file within io::max_file_bytes(): a regular file was checked whole by
/// open_or_fail, so std::getline reads it; a pipe or device (/dev/zero, a FIFO, /dev/stdin)
/// is read in blocks of 64 KiB, never more than one byte past the limit, and refused with
/// io_error once it passes the limit, newline or not.
struct BoundedLines {
  static constexpr std::size_t kBlock = std::size_t{1} << 16;
  const std::string& path;
  std::uint64_t limit = io::max_file_bytes(), seen = 0;
  bool regular = is_regular(path);
  std::vector<char> block;      // the last block read from a pipe or device
  std::size_t at = 0, len = 0;  // block[at, len) not yet returned

  explicit BoundedLines(const std::string& file) : path(file) {}

  static bool is_regular(const std::string& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec);
  }

  // Reads the next block; false at the end of the stream.
  bool refill(std::istream& in) {
    if (block.empty()) block.resize(kBlock);
    // seen <= limit here, so limit - seen + 1 cannot wrap unless limit is the maximum.
    const std::uint64_t left = limit - seen;
    const auto want = static_cast<std::streamsize>(left >= kBlock ? kBlock : left + 1);
    const std::streamsize got = in.rdbuf()->sgetn(block.data(), want);
    at = 0;
    len = got > 0 ? static_cast<std::size_t>(got) : 0;
    seen += len;
    if (seen > limit)
      fail(Errc::io_error, "cannot read '", path, "': it is more than ", limit, " bytes, over the limit of ",
           limit, " bytes (raise it with set_max_file_bytes)");
    return len > 0;
  }

  bool getline(std::istream& in, std::string& line) {
    if (regular) return static_cast<bool>(std::getline(in, line));
    line.clear();
    for (;;) {
      if (at == len && !refill(in)) {
        in.setstate(std::ios::eofbit);
        return !line.empty();
      }
      const char* b = block.data() + at;
      const char* e = block.data() + len;
      const auto* nl = static_cast<const char*>(std::memchr(b, '\n', static_cast<std::size_t>(e - b)));
      line.append(b, nl != nullptr ? nl : e);
      if (nl != nullptr) {
        at = static_cast<std::size_t>(nl - block.data()) + 1;
        return true;
      }
      at = len;
    }
  }
};

/// A SNAP-style "n m" header read as an edge: the first data line (a, b) is a header
/// when a equals the number of distinct nodes on the other lines and b their number of
/// lines (or half or twice it, for lists that hold both directions).  Then format_error
/// naming the line and header_lines.
void reject_count_header(const std::string& path, std::size_t line, const std::string& text,
                         std::span<const std::int64_t> src, std::span<const std::int64_t> dst,
                         std::size_t first_entries, std::size_t data_lines) {
  if (data_lines < 2) return;
  const auto a = src[0], b = dst[0];
  const auto rest = static_cast<std::int64_t>(data_lines - 1);
  // 2 * b == rest written as rest / 2 (b comes from the file: doubling it can overflow).
  const bool half = rest % 2 == 0 && b == rest / 2;
  if (!(b == rest || half || b == 2 * rest) || a <= 0) return;
  std::vector<std::int64_t> ids;
  ids.reserve(2 * (src.size() - first_entries));
  ids.insert(ids.end(), src.begin() + static_cast<std::ptrdiff_t>(first_entries), src.end());
  ids.insert(ids.end(), dst.begin() + static_cast<std::ptrdiff_t>(first_entries), dst.end());
  std::sort(ids.begin(), ids.end());
  const auto nodes = static_cast<std::int64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  if (nodes != a) return;
  fail(Errc::format_error, path, ":", line, ": '", text,
       "' looks like a header, not an edge: the other lines hold ", nodes, " nodes and ", rest,
       " edges; skip it with header_lines=", line);
}

}  // namespace
}  // namespace detail

ReferralGraph read_edge_list(const std::string& path, const EdgeListOptions& options) {
  auto in = detail::open_or_fail(path);
  std::vector<std::int64_t> src, dst;
  std::vector<double> w;
  std::string line;
  std::size_t lineno = 0;
  std::size_t data_lines = 0, first_line = 0, first_entries = 0;
  std::string first_text;
  detail::BoundedLines lines{path};
  while (lines.getline(in, line)) {
    ++lineno;
    if (lineno <= options.header_lines) continue;
    const std::string_view s = detail::trim(line);
    if (s.empty() || options.comment_chars.find(s.front()) != std::string::npos) continue;
    const auto f = detail::fields(s);
    const std::size_t want = options.weighted ? 3 : 2;
    if (f.size() != want)
      fail(Errc::format_error, path, ":", lineno, ": expected ", want, " fields (",
           options.weighted ? "u v w" : "u v", "), got ", f.size(), ": '", s, "'");
    const auto u = detail::parse_int(f[0], path, lineno, "source");
    const auto v = detail::parse_int(f[1], path, lineno, "target");
    double wt = 1.0;
    if (options.weighted) {
      wt = detail::parse_double(f[2], path, lineno, "weight");
      if (!(std::isfinite(wt) && wt >= 0.0))
        fail(Errc::format_error, path, ":", lineno, ": weight ", wt, " must be finite and >= 0");
    }
    if (data_lines++ == 0) {
      first_line = lineno;
      first_text = std::string(f[0]) + " " + std::string(f[1]);
    }
    src.push_back(u);
    dst.push_back(v);
    if (options.weighted) w.push_back(wt);
    if (options.symmetric && u != v) {
      src.push_back(v);
      dst.push_back(u);
      if (options.weighted) w.push_back(wt);
    }
    if (data_lines == 1) first_entries = src.size();
  }
  if (in.bad()) fail(Errc::io_error, "error while reading '", path, "'");
  if (src.empty()) fail(Errc::empty_input, path, ": no edges found");
  if (!options.weighted)
    detail::reject_count_header(path, first_line, first_text, src, dst, first_entries, data_lines);
  return ReferralGraph::from_edges(src, dst, w, {}, {}, options.graph);
}

ReferralGraph read_metis(const std::string& path, const GraphOptions& options) {
  auto in = detail::open_or_fail(path);
  std::string line;
  std::size_t lineno = 0;
  std::int64_t n = -1, m = -1, fmt = 0;
  std::vector<std::int64_t> src, dst;
  std::vector<double> w;
  std::int64_t node = 0;
  detail::BoundedLines lines{path};
  while (lines.getline(in, line)) {
    ++lineno;
    const std::string_view s = detail::trim(line);
    if (!s.empty() && s.front() == '%') continue;
    const auto f = detail::fields(s);
    if (n < 0) {
      if (f.size() < 2 || f.size() > 4)
        fail(Errc::format_error, path, ":", lineno, ": METIS header must be 'n m [fmt]', got '", s, "'");
      n = detail::parse_int(f[0], path, lineno, "node count");
      m = detail::parse_int(f[1], path, lineno, "edge count");
      if (f.size() >= 3) fmt = detail::parse_int(f[2], path, lineno, "fmt");
      // m > INT64_MAX / 2: the edge-count check below doubles it.
      if (n <= 0 || m < 0 || m > INT64_MAX / 2)
        fail(Errc::format_error, path, ":", lineno, ": bad header counts n=", n, " m=", m);
      if (fmt != 0 && fmt != 1)
        fail(Errc::format_error, path, ":", lineno, ": METIS fmt ", fmt, " is not supported (0 or 1)");
      continue;
    }
    ++node;
    if (node > n) {
      if (f.empty()) continue;  // trailing blank lines
      fail(Errc::format_error, path, ":", lineno, ": more node lines than the ", n, " in the header");
    }
    const std::size_t step = fmt == 1 ? 2 : 1;
    if (f.size() % step != 0)
      fail(Errc::format_error, path, ":", lineno, ": node ", node,
           " has an odd number of fields (fmt 1 wants pairs)");
    for (std::size_t k = 0; k < f.size(); k += step) {
      const auto v = detail::parse_int(f[k], path, lineno, "neighbour");
      if (v < 1 || v > n)
        fail(Errc::format_error, path, ":", lineno, ": neighbour ", v, " of node ", node, " is outside [1, ",
             n, "]");
      src.push_back(node);
      dst.push_back(v);
      if (fmt == 1) w.push_back(detail::parse_double(f[k + 1], path, lineno, "edge weight"));
    }
  }
  if (in.bad()) fail(Errc::io_error, "error while reading '", path, "'");
  if (n < 0) fail(Errc::format_error, path, ": empty METIS file (no header)");
  if (node < n) fail(Errc::format_error, path, ": header says ", n, " nodes, file has ", node, " node lines");
  if (static_cast<std::int64_t>(src.size()) != 2 * m)
    fail(Errc::format_error, path, ": header says ", m, " undirected edges (", 2 * m,
         " entries), file lists ", src.size());
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i + 1;
  return ReferralGraph::from_edges(src, dst, w, {}, all, options);
}

FUNNELNET_END
