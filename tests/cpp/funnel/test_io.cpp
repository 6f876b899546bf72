// Model files: exact round trips (bit for bit), atomic writes, and every kind of bad file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/io/json.hpp"

using namespace funnelnet;
namespace fs = std::filesystem;

namespace test_io {
fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("funnelnet_io_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}
bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}
MarkovChain awkward_chain() {
  // Rows of random doubles (full 53-bit mantissas) scaled to sum to 1.
  Rng rng(8);
  Matrix p = Matrix::Zero(5, 5);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 5; ++j) p(i, j) = rng.uniform() / 3.0;
    p.row(i) /= p.row(i).sum();
  }
  p(3, 3) = 1;
  p(4, 4) = 1;
  return MarkovChain(StageSpace::funnel({"a", "b \"quoted\"", "c\u00e9"}, {"won", "lost"}), p);
}

TEST(ModelFiles, RoundTripsAreExact) {
  const auto chain = awkward_chain();
  const auto back = io::chain_from_json(io::to_json(chain));
  EXPECT_EQ(back.space(), chain.space());
  EXPECT_TRUE(same_bits(back.matrix(), chain.matrix()));

  Matrix c = Matrix::Zero(5, 5);
  c(0, 1) = 3;
  c(1, 4) = 1e15 + 1;
  c(2, 2) = 0.1;
  TransitionCounts counts(chain.space(), c);
  EXPECT_TRUE(same_bits(io::counts_from_json(io::to_json(counts)).matrix(), c));

  Matrix ec = Matrix::Zero(5, 5);
  ec(0, 1) = 7;
  Vector t(5);
  t << 1.0 / 3, 2.5e-7, 0, 0, 0;
  ExposureCounts e(chain.space(), ec, t);
  auto eb = io::exposure_counts_from_json(io::to_json(e));
  EXPECT_TRUE(same_bits(eb.matrix(), ec));
  EXPECT_EQ(std::memcmp(eb.exposure().data(), t.data(), 5 * sizeof(double)), 0);

  auto q = fit_continuous(e, {EmptyRows::absorbing});
  auto qb = io::continuous_chain_from_json(io::to_json(q));
  EXPECT_TRUE(same_bits(qb.generator(), q.generator()));

  // Through files, atomically: nothing but the target is left behind.
  const fs::path path = scratch("chain.json");
  io::save(chain, path);
  io::save(chain, path);  // overwrite
  EXPECT_TRUE(same_bits(io::load_chain(path).matrix(), chain.matrix()));
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(path.parent_path())) files += entry.path() == path ? 0 : 1;
  EXPECT_EQ(files, 0u);
  io::save(counts, scratch("counts.json"));
  EXPECT_TRUE(same_bits(io::load_counts(scratch("counts.json")).matrix(), c));
  fs::remove_all(path.parent_path());
}

TEST(ModelFiles, BadFilesAreRejected) {
  const auto chain = awkward_chain();
  std::string text = io::to_json(chain);
  expect_error([&] { (void)io::chain_from_json(text.substr(0, text.size() / 2)); }, Errc::format_error,
               "not valid JSON");
  std::string v2 = text;
  v2.replace(v2.find("\"version\":1"), 11, "\"version\":7");
  expect_error([&] { (void)io::chain_from_json(v2); }, Errc::format_error,
               "unsupported model file version 7");
  expect_error([&] { (void)io::counts_from_json(text); }, Errc::format_error,
               "holds a 'markov_chain', expected a 'transition_counts'");
  expect_error([&] { (void)io::chain_from_json(R"({"format":"other","version":1})"); }, Errc::format_error,
               "not a funnelnet model file");
  expect_error(
      [&] {
        (void)io::chain_from_json(
            R"({"format":"funnelnet","version":1,"kind":"markov_chain","states":["a","won"],"absorbing":[false,true]})");
      },
      Errc::format_error, "missing field 'matrix'");
  expect_error(
      [&] {
        (void)io::chain_from_json(
            R"({"format":"funnelnet","version":1,"kind":"markov_chain","states":["a","won"],"absorbing":[false,true],"matrix":[[0.5,0.6],[0,1]]})");
      },
      Errc::format_error, "row 'a' sums to 1.1");
  expect_error(
      [&] {
        (void)io::chain_from_json(
            R"({"format":"funnelnet","version":1,"kind":"markov_chain","states":["a","a"],"absorbing":[false,true],"matrix":[[0,1],[0,1]]})");
      },
      Errc::format_error, "'a' appears twice");
  expect_error(
      [&] {
        (void)io::chain_from_json(
            R"({"format":"funnelnet","version":1,"kind":"markov_chain","states":["a","won"],"absorbing":[false,true],"matrix":[[0,"x"],[0,1]]})");
      },
      Errc::format_error, "must be a number");
  expect_error([&] { (void)io::load_chain("/nonexistent/dir/chain.json"); }, Errc::io_error,
               "cannot open '/nonexistent/dir/chain.json'");
  expect_error([&] { io::save(chain, "/nonexistent/dir/chain.json"); }, Errc::io_error, "cannot open");
  // A failed write leaves an existing file as it was.
  const fs::path path = scratch("keep.json");
  io::save(chain, path);
  const std::string before = io::read_file(path);
  fs::create_directories(path.string() + ".dir");
  expect_error([&] { io::save(chain, path.string() + ".dir"); }, Errc::io_error, "cannot rename");
  EXPECT_EQ(io::read_file(path), before);
  fs::remove_all(path.parent_path());
}

}  // namespace test_io
