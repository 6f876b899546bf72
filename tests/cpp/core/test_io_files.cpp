// Crash-safe model files: unique temporaries, concurrent writers, killed writers, the
// kind registry and the version rule.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/graph/io.hpp"
#include "funnelnet/io/file.hpp"
#include "funnelnet/io/json.hpp"

namespace fn = funnelnet;
namespace fs = std::filesystem;

namespace test_io_files {
fs::path scratch_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("funnelnet_io_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
std::size_t count_temporaries(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().find(".tmp-") != std::string::npos;
  return n;
}

TEST(IoFiles, ConcurrentWritersLeaveOneWholeVersionAndNoTemporaries) {
  const fs::path dir = scratch_dir("concurrent");
  const fs::path path = dir / "model.json";
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w)
    writers.emplace_back([&, w] {
      const std::string text(100'000 + static_cast<std::size_t>(w), static_cast<char>('a' + w));
      for (int rep = 0; rep < 20; ++rep) fn::io::write_atomic(path, text);
    });
  for (auto& t : writers) t.join();
  const std::string got = fn::io::read_file(path);
  ASSERT_GE(got.size(), 100'000U);
  const int w = static_cast<int>(got.size() - 100'000);
  ASSERT_LT(w, 8);
  EXPECT_EQ(got, std::string(got.size(), static_cast<char>('a' + w)));  // one writer's whole text
  EXPECT_EQ(count_temporaries(dir), 0U);
  fs::remove_all(dir);
}

TEST(IoFiles, KilledWriterNeverLeavesAPartialFile) {
  const fs::path dir = scratch_dir("killed");
  const fs::path path = dir / "model.json";
  const std::string old_text(1 << 20, 'o');
  const std::string new_text(1 << 20, 'n');
  fn::io::write_atomic(path, old_text);
  for (int attempt = 0; attempt < 5; ++attempt) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (;;) fn::io::write_atomic(path, new_text);  // killed from outside
    }
    ::usleep(static_cast<useconds_t>(2000 + 3000 * attempt));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    const std::string got = fn::io::read_file(path);
    EXPECT_TRUE(got == old_text || got == new_text) << "partial file of " << got.size() << " bytes";
  }
  fs::remove_all(dir);
}

TEST(IoFiles, UnwritableAndUnreadablePathsAreIoErrors) {
  expect_error([] { fn::io::write_atomic("/nonexistent-folder/x/model.json", "{}"); }, fn::Errc::io_error,
               "/nonexistent-folder/x/model.json");
  expect_error([] { fn::io::read_file("/nonexistent-folder/model.json"); }, fn::Errc::io_error,
               "/nonexistent-folder/model.json");
  expect_error([] { fn::io::read_file(fs::temp_directory_path()); }, fn::Errc::io_error, "folder");
}

TEST(IoFiles, KindRegistryDispatchesAndChecksVersions) {
  fn::StageSpace space({"open", "won", "lost"}, {false, true, true});
  fn::Matrix p(3, 3);
  p << 0.5, 0.3, 0.2, 0, 1, 0, 0, 0, 1;
  const std::string text = fn::io::to_json(fn::MarkovChain::exact(space, p));
  const fn::io::ModelKind kind = fn::io::model_kind(text);
  EXPECT_EQ(kind.kind, "markov_chain");
  EXPECT_EQ(kind.area, "funnel");
  bool listed = false;
  for (const auto& k : fn::io::model_kinds()) listed |= k.kind == kind.kind;
  EXPECT_TRUE(listed);

  std::string v2 = text;
  v2.replace(v2.find("\"version\":1"), 11, "\"version\":2");
  expect_error([&] { fn::io::model_kind(v2); }, fn::Errc::format_error,
               "unsupported model file version 2 for 'markov_chain' (this build reads versions 1 to 1)");
  expect_error([&] { fn::io::chain_from_json(v2); }, fn::Errc::format_error, "version 2");
  std::string other = text;
  other.replace(other.find("markov_chain"), 12, "pizza_recipe");
  expect_error([&] { fn::io::model_kind(other); }, fn::Errc::format_error,
               "holds a 'pizza_recipe', a kind this build does not know");
  expect_error([] { fn::io::model_kind("[1, 2"); }, fn::Errc::format_error, "not valid JSON");
  expect_error([] { fn::io::model_kind("{\"format\": \"other\"}"); }, fn::Errc::format_error,
               "not a funnelnet");
}

TEST(IoFiles, HugeNumbersAreFormatErrorsNotInternal) {
  const std::string text =
      "{\"format\":\"funnelnet\",\"version\":1,\"kind\":\"markov_chain\",\"states\":[\"a\",\"won\"],"
      "\"absorbing\":[false,true],\"matrix\":[[1e999,0],[0,1]]}";
  expect_error([&] { fn::io::chain_from_json(text); }, fn::Errc::format_error, "");
}

// Sets the loaders' size limit for one test and puts the old one back.
struct FileLimit {
  std::uint64_t old;
  explicit FileLimit(std::uint64_t bytes) : old(fn::io::set_max_file_bytes(bytes)) {}
  ~FileLimit() { fn::io::set_max_file_bytes(old); }
  FileLimit(const FileLimit&) = delete;
  FileLimit& operator=(const FileLimit&) = delete;
};
void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(IoFiles, OversizedFilesAreRefusedBeforeReadingWithTheSizeAndTheLimit) {
  EXPECT_EQ(fn::io::max_file_bytes(), std::uint64_t{1} << 31);
  EXPECT_EQ(fn::io::default_max_file_bytes, std::uint64_t{1} << 31);
  const fs::path dir = scratch_dir("limit");
  fn::StageSpace space({"open", "won", "lost"}, {false, true, true});
  fn::Matrix p(3, 3);
  p << 0.5, 0.3, 0.2, 0, 1, 0, 0, 0, 1;
  const std::string model = fn::io::to_json(fn::MarkovChain::exact(space, p));
  write_text(dir / "chain.json", model);
  write_text(dir / "edges.txt", "1 2\n2 3\n3 1\n");         // 12 bytes
  write_text(dir / "graph.metis", "3 3\n2 3\n1 3\n1 2\n");  // 16 bytes
  const std::uint64_t size = model.size();
  {
    // At the limit: read.  One byte over: refused, naming the size and the limit.
    FileLimit limit(size);
    EXPECT_EQ(fn::io::read_file(dir / "chain.json"), model);
    EXPECT_EQ(fn::io::load_chain(dir / "chain.json").size(), 3u);
    fn::io::set_max_file_bytes(size - 1);
    const std::string want = std::to_string(size) + " bytes, over the limit of " + std::to_string(size - 1);
    expect_error([&] { fn::io::read_file(dir / "chain.json"); }, fn::Errc::io_error, want);
    expect_error([&] { fn::io::load_chain(dir / "chain.json"); }, fn::Errc::io_error, want);
  }
  {
    FileLimit limit(12);
    EXPECT_EQ(fn::read_edge_list((dir / "edges.txt").string()).num_edges(), 3u);
    fn::io::set_max_file_bytes(11);
    expect_error([&] { fn::read_edge_list((dir / "edges.txt").string()); }, fn::Errc::io_error,
                 "12 bytes, over the limit of 11");
    fn::io::set_max_file_bytes(16);
    EXPECT_EQ(fn::read_metis((dir / "graph.metis").string()).num_edges(), 6u);
    fn::io::set_max_file_bytes(15);
    expect_error([&] { fn::read_metis((dir / "graph.metis").string()); }, fn::Errc::io_error,
                 "16 bytes, over the limit of 15");
  }
  EXPECT_EQ(fn::io::max_file_bytes(), std::uint64_t{1} << 31);
  // 0 is refused and leaves the limit as it was.
  expect_error([] { fn::io::set_max_file_bytes(0); }, fn::Errc::invalid_argument, "got 0");
  EXPECT_EQ(fn::io::max_file_bytes(), std::uint64_t{1} << 31);
  fs::remove_all(dir);
}

TEST(IoFiles, EndlessDevicesStopAtTheLimitWithBoundedMemory) {
  // /dev/zero has no size and no newline: without the byte count, read_file and the
  // graph readers' getline would grow a string until memory ran out.
  if (!fs::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  FileLimit limit(1 << 20);
  expect_error([] { fn::io::read_file("/dev/zero"); }, fn::Errc::io_error,
               "more than 1048576 bytes, over the limit of 1048576");
  expect_error([] { fn::read_edge_list("/dev/zero"); }, fn::Errc::io_error, "more than 1048576 bytes");
  expect_error([] { fn::read_metis("/dev/zero"); }, fn::Errc::io_error, "more than 1048576 bytes");
}

}  // namespace test_io_files
