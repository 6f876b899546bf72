// The core path set (core/paths.hpp): the one parser against a brute-force tokenizer,
// flat names against strings, event-log paths against a brute-force stable sort,
// and every bad input named by path, position and label.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/paths.hpp"
#include "funnelnet/core/random.hpp"

using namespace funnelnet;

namespace test_paths {

// Brute force: split on every occurrence of sep, trim spaces and tabs.
std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < s.size();) {
    if (s.compare(i, sep.size(), sep) == 0) {
      out.push_back(cur);
      cur.clear();
      i += sep.size();
    } else {
      cur += s[i++];
    }
  }
  out.push_back(cur);
  for (auto& t : out) {
    const auto b = t.find_first_not_of(" \t");
    const auto e = t.find_last_not_of(" \t");
    t = b == std::string::npos ? "" : t.substr(b, e - b + 1);
  }
  return out;
}

std::vector<std::string> random_strings(std::size_t n, const std::string& sep, std::uint64_t seed) {
  Rng rng(seed);
  const std::vector<std::string> names{"fair", "web", "demo", "call", "mail", "x"};
  std::vector<std::string> out(n);
  for (auto& s : out) {
    const auto len = 1 + rng.below(6);
    for (std::uint64_t k = 0; k < len; ++k) {
      if (k) s += rng.bernoulli(0.5) ? " " + sep + " " : sep;
      s += names[rng.below(names.size())];
      if (rng.bernoulli(0.2)) s += "\t";
    }
  }
  return out;
}

TEST(CorePaths, ParseMatchesBruteForceTokenizer) {
  for (const std::string sep : {">", "::"}) {
    const auto strings = random_strings(500, sep, 11);
    std::vector<std::string_view> views(strings.begin(), strings.end());
    const LabelPaths p = LabelPaths::parse(views, sep, {}, {}, PathWords::channels());
    ASSERT_EQ(p.size(), strings.size());
    std::vector<std::string> first_seen;
    for (std::size_t i = 0; i < strings.size(); ++i) {
      const auto want = split(strings[i], sep);
      const auto got = p.path(i);
      ASSERT_EQ(got.size(), want.size()) << strings[i];
      for (std::size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(p.labels().name(static_cast<std::size_t>(got[k])), want[k]);
        if (std::find(first_seen.begin(), first_seen.end(), want[k]) == first_seen.end())
          first_seen.push_back(want[k]);
      }
    }
    EXPECT_EQ(p.labels().names(), first_seen);  // numbered by first appearance
    EXPECT_TRUE(p.weights().empty());
    EXPECT_EQ(p.weight(3), 1.0);
  }
}

TEST(CorePaths, FromNamesEqualsParseAndVocabularyOrders) {
  const auto strings = random_strings(300, ">", 5);
  std::vector<std::string> flat;
  std::vector<std::int64_t> offsets{0};
  for (const auto& s : strings) {
    for (auto& t : split(s, ">")) flat.push_back(t);
    offsets.push_back(static_cast<std::int64_t>(flat.size()));
  }
  std::vector<std::string_view> views(strings.begin(), strings.end()), names(flat.begin(), flat.end());
  std::vector<double> w(strings.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>(i % 3);
  const std::vector<std::string> vocab{"x", "mail", "call", "demo", "web", "fair", "unused"};
  const LabelPaths a = LabelPaths::parse(views, ">", vocab, w);
  const LabelPaths b = LabelPaths::from_names(names, offsets, vocab, w);
  EXPECT_EQ(a.codes(), b.codes());
  EXPECT_EQ(a.offsets(), b.offsets());
  EXPECT_EQ(a.weights(), w);
  EXPECT_EQ(a.labels().names(), vocab);  // vocabulary order, unused labels kept
  for (std::size_t k = 0; k < flat.size(); ++k)
    EXPECT_EQ(vocab[static_cast<std::size_t>(a.codes()[k])], flat[k]);
}

TEST(CorePaths, FromEventLogMatchesBruteForceStableSort) {
  Rng rng(7);
  const std::size_t n = 2000;
  std::vector<std::int64_t> entity(n);
  std::vector<double> time(n);
  std::vector<std::int32_t> code(n);
  for (std::size_t r = 0; r < n; ++r) {
    entity[r] = static_cast<std::int64_t>(rng.below(150)) * 1000 - 7;  // sparse, negative ids
    time[r] = static_cast<double>(rng.below(20));                      // many ties
    code[r] = static_cast<std::int32_t>(rng.below(4));
  }
  const SortedEventLog<double> log(entity, time, code, 4, "stage", "lead");
  const LabelPaths p =
      LabelPaths::from_event_log(log, Labels({"a", "b", "c", "d"}, "stage"), PathWords::stages());
  // Brute force: per entity (in order of first row), a stable sort by time.
  std::vector<std::int64_t> order;
  std::map<std::int64_t, std::vector<std::tuple<double, std::size_t, std::int32_t>>> groups;
  for (std::size_t r = 0; r < n; ++r) {
    if (!groups.count(entity[r])) order.push_back(entity[r]);
    groups[entity[r]].emplace_back(time[r], r, code[r]);
  }
  ASSERT_EQ(p.size(), order.size());
  ASSERT_EQ(p.entity(), order);
  for (std::size_t g = 0; g < order.size(); ++g) {
    auto ev = groups[order[g]];
    std::sort(ev.begin(), ev.end());  // (time, row): ties keep input order
    const auto got = p.path(g);
    ASSERT_EQ(got.size(), ev.size());
    for (std::size_t k = 0; k < ev.size(); ++k) EXPECT_EQ(got[k], std::get<2>(ev[k]));
  }
}

TEST(CorePaths, ErrorsNamePathPositionAndLabel) {
  auto parse = [](std::vector<std::string> s, std::vector<std::string> vocab = {},
                  std::vector<double> w = {}) {
    std::vector<std::string_view> v(s.begin(), s.end());
    return LabelPaths::parse(v, ">", vocab, w, PathWords::channels());
  };
  expect_error([&] { parse({}); }, Errc::empty_input, "no paths given");
  expect_error([&] { parse({"a", " \t"}); }, Errc::invalid_argument, "path 1 is empty (no touches)");
  expect_error(
      [&] {
        parse({"a", "a > > b"});
      },
      Errc::invalid_argument, "path 1, touch 1: empty channel name in 'a > > b'");
  expect_error(
      [&] {
        parse({"a", "b>zz"}, {"a", "b"});
      },
      Errc::unknown_label, "path 1, touch 1: unknown channel 'zz'");
  expect_error(
      [&] {
        parse({"a", "b"}, {}, {1, -2});
      },
      Errc::invalid_argument, "weight of path 1 must be finite");
  expect_error([&] { parse({"a", "b"}, {}, {1}); }, Errc::shape_mismatch, "weights");
  expect_error([&] { parse({"a"}, {"a", "a"}); }, Errc::duplicate_label, "channel name 'a' appears twice");
  expect_error([] { (void)LabelPaths::parse(std::vector<std::string_view>{"a"}, ""); },
               Errc::invalid_argument, "separator");
  // Arrays, in the funnel's words.
  const Labels st({"lead", "won"}, "stage");
  expect_error(
      [&] {
        LabelPaths(st, {0, 5}, {0, 2}, {}, PathWords::stages());
      },
      Errc::out_of_range, "path 0, step 1: stage index 5 is outside [0, 2)");
  expect_error(
      [&] {
        LabelPaths(st, {0, 1}, {0, 2, 1, 2}, {}, PathWords::stages());
      },
      Errc::invalid_argument, "offsets must be non-decreasing");
  expect_error(
      [&] {
        LabelPaths(st, {0, 1}, {1, 2}, {}, PathWords::stages());
      },
      Errc::invalid_argument, "offsets[0] must be 0");
  expect_error(
      [&] {
        LabelPaths(st, {0, 1}, {0, 3}, {}, PathWords::stages());
      },
      Errc::shape_mismatch, "offsets end at 3 but there are 2 stage entries");
  expect_error([&] { LabelPaths(st, {}, {0}); }, Errc::empty_input, "no paths");
  // Flat names.
  const std::vector<std::string_view> names{"a", "", "b"};
  const std::vector<std::int64_t> off{0, 1, 3}, off_empty{0, 1, 1, 3};
  expect_error([&] { (void)LabelPaths::from_names(names, off, {}, {}, PathWords::stages()); },
               Errc::invalid_argument, "path 1, step 0: empty stage name");
  expect_error([&] { (void)LabelPaths::from_names(names, off_empty, {}, {}, PathWords::stages()); },
               Errc::invalid_argument, "path 1 is empty (no steps)");
  // Event log: a code outside the labels names the input row.
  const std::vector<std::int64_t> e{1, 1, 2};
  const std::vector<std::int64_t> t{5, 1, 0};
  const std::vector<std::int32_t> c{0, 2, 1};
  const SortedEventLog<std::int64_t> log(e, t, c, 3, "stage", "lead");
  expect_error([&] { (void)LabelPaths::from_event_log(log, st, PathWords::stages()); }, Errc::out_of_range,
               "row 1: stage index 2 is outside [0, 2)");
}

}  // namespace test_paths
