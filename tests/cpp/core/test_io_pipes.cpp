// Graph files read through a pipe (a FIFO standing for `cat edges.txt | ... /dev/stdin`):
// read in blocks, lines crossing block boundaries intact, and the max_file_bytes limit
// enforced exactly as for regular files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "expect_error.hpp"
#include "funnelnet/graph/io.hpp"
#include "funnelnet/io/file.hpp"

namespace fn = funnelnet;
namespace fs = std::filesystem;

namespace test_io_pipes {

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("funnelnet_pipes_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

struct Limit {
  std::uint64_t old;
  explicit Limit(std::uint64_t bytes) : old(fn::io::set_max_file_bytes(bytes)) {}
  ~Limit() { fn::io::set_max_file_bytes(old); }
  Limit(const Limit&) = delete;
  Limit& operator=(const Limit&) = delete;
};

/// Runs read(fifo) while a thread writes `text` into the FIFO (the writer stops quietly
/// when the reader closes early).
template <class Read>
auto through_fifo(const fs::path& dir, const std::string& text, Read&& read) {
  const fs::path fifo = dir / "pipe";
  fs::remove(fifo);
  if (::mkfifo(fifo.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
  ::signal(SIGPIPE, SIG_IGN);  // a reader that stops at the limit closes the pipe
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    std::size_t at = 0;
    while (at < text.size()) {
      const auto n = ::write(fd, text.data() + at, std::min<std::size_t>(text.size() - at, 4093));
      if (n <= 0) break;
      at += static_cast<std::size_t>(n);
    }
    ::close(fd);
  });
  struct Join {
    std::thread& t;
    ~Join() { t.join(); }
  } join{writer};
  return read(fifo.string());
}

/// (source id, target id) of every edge of g.
std::set<std::pair<std::int64_t, std::int64_t>> edge_set(const fn::ReferralGraph& g) {
  std::set<std::pair<std::int64_t, std::int64_t>> out;
  const auto ids = g.ids();
  const auto s = g.sources(), t = g.targets();
  for (std::size_t e = 0; e < s.size(); ++e) out.emplace(ids[s[e]], ids[t[e]]);
  return out;
}

}  // namespace test_io_pipes

TEST(IoPipes, EdgeListThroughAPipeCrossesBlocksIntact) {
  using namespace test_io_pipes;
  const fs::path dir = scratch("blocks");
  // About 600 KB: lines of varying width straddle every 64 KiB block boundary; a CRLF
  // line, a comment, a blank line and no newline after the last line.
  std::set<std::pair<std::int64_t, std::int64_t>> want;
  std::string text = "# a comment\n\n";
  for (std::int64_t i = 0; i < 40000; ++i) {
    const std::int64_t u = i * 7919 % 100003, v = u * 1000003 + i % 97 + 1;
    want.emplace(u, v);
    text += std::to_string(u) + (i % 3 == 0 ? "\t" : " ") + std::to_string(v);
    if (i + 1 < 40000) text += i == 12345 ? "\r\n" : "\n";
  }
  ASSERT_GT(text.size(), std::size_t{8} << 16);
  const auto g = through_fifo(dir, text, [](const std::string& p) { return fn::read_edge_list(p); });
  EXPECT_EQ(g.num_edges(), want.size());
  EXPECT_EQ(edge_set(g), want);
  fs::remove_all(dir);
}

TEST(IoPipes, PipeLimitIsExactLikeARegularFile) {
  using namespace test_io_pipes;
  const fs::path dir = scratch("limit");
  std::string text;
  for (int i = 0; i < 30000; ++i) text += std::to_string(i) + " " + std::to_string(i + 1) + "\n";
  const std::uint64_t size = text.size();
  {
    Limit limit(size);  // exactly the size: read whole
    const auto g = through_fifo(dir, text, [](const std::string& p) { return fn::read_edge_list(p); });
    EXPECT_EQ(g.num_edges(), 30000U);
  }
  {
    Limit limit(size - 1);  // one byte over: refused, naming the limit
    expect_error([&] { through_fifo(dir, text, [](const std::string& p) { return fn::read_edge_list(p); }); },
                 fn::Errc::io_error, "more than " + std::to_string(size - 1) + " bytes");
  }
  {
    Limit limit(100);  // far below one block
    expect_error([&] { through_fifo(dir, text, [](const std::string& p) { return fn::read_metis(p); }); },
                 fn::Errc::io_error, "more than 100 bytes, over the limit of 100");
  }
  // METIS through a pipe: a 3-cycle written as an undirected METIS file (6 arcs).
  const auto m =
      through_fifo(dir, "3 3\n2 3\n1 3\n1 2", [](const std::string& p) { return fn::read_metis(p); });
  EXPECT_EQ(m.num_edges(), 6U);
  fs::remove_all(dir);
}
