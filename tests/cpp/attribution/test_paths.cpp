// Path sets, journeys from event logs and heuristic attribution, against hand-worked
// values and brute force; every bad input named in the issue.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/attribution/heuristic.hpp"
#include "funnelnet/attribution/paths.hpp"
#include "funnelnet/core/random.hpp"

using namespace funnelnet;

namespace test_paths {
PathSet parse(const std::vector<std::string>& paths, const std::vector<double>& conv,
              const std::vector<double>& nulls = {}, const std::vector<double>& values = {},
              const std::vector<std::string>& vocab = {}, const std::string& sep = ">") {
  std::vector<std::string_view> v(paths.begin(), paths.end());
  return PathSet::parse(v, sep, conv, nulls, values, vocab);
}

TEST(Paths, ParseStripsSpacesAndNumbersChannelsByFirstAppearance) {
  auto ps = parse({" fair > visit >demo", "visit", "demo > fair"}, {1, 0, 2}, {0, 1, 0});
  EXPECT_EQ(ps.channels().names(), (std::vector<std::string>{"fair", "visit", "demo"}));
  EXPECT_EQ(ps.touches(), (std::vector<std::int32_t>{0, 1, 2, 1, 2, 0}));
  EXPECT_EQ(ps.offsets(), (std::vector<std::int64_t>{0, 3, 4, 6}));
  EXPECT_EQ(ps.total_conversions(), 3.0);
  auto multi = parse({"a::b", "b"}, {1, 1}, {}, {}, {}, "::");
  EXPECT_EQ(multi.path(0).size(), 2U);
  auto vocab = parse({"b>a"}, {1}, {}, {}, {"a", "b"});
  EXPECT_EQ(vocab.touches(), (std::vector<std::int32_t>{1, 0}));
}

TEST(Paths, BadInput) {
  expect_error([] { parse({}, {}); }, Errc::empty_input, "no paths");
  expect_error([] { parse({"a", ""}, {1, 0}); }, Errc::invalid_argument, "path 1 is empty");
  expect_error([] { parse({"a>>b"}, {1}); }, Errc::invalid_argument, "path 0, touch 1: empty channel name");
  expect_error([] { parse({"a>c"}, {1}, {}, {}, {"a", "b"}); }, Errc::unknown_label, "unknown channel 'c'");
  expect_error(
      [] {
        parse({"a"}, {1}, {}, {}, {"a", "b"});
      },
      Errc::invalid_argument, "channel 'b' appears in no path");
  expect_error([] { parse({"a", "b"}, {1, -1}); }, Errc::invalid_argument, "path 1: conversions");
  expect_error([] { parse({"a", "b"}, {1, 1}, {0, -2}); }, Errc::invalid_argument, "path 1: nulls");
  expect_error([] { parse({"a", "b"}, {1, 1}, {}, {1, -3}); }, Errc::invalid_argument, "path 1: value");
  expect_error(
      [] {
        parse({"a", "b"}, {1, 0}, {0, 1}, {1, 4});
      },
      Errc::invalid_argument, "value 4 with no conversions");
  expect_error([] { parse({"a", "b"}, {1}); }, Errc::shape_mismatch, "conversions");
  // Channel ids: a path with conversions but no touches, ids out of range, separators in names.
  expect_error(
      [] {
        PathSet(Labels({"a"}), {0}, {0, 1, 1}, {1, 2});
      },
      Errc::invalid_argument, "path 1 has 2 conversions but no touches");
  expect_error([] { PathSet(Labels({"a"}), {0, 3}, {0, 2}, {1}); }, Errc::out_of_range, "channel index 3");
  expect_error(
      [] {
        PathSet(Labels({"a>b", "c"}), {0, 1}, {0, 2}, {1});
      },
      Errc::invalid_argument, "channel 'a>b' contains the separator");
  expect_error([] { PathSet(Labels({"a", ""}), {0}, {0, 1}, {1}); }, Errc::invalid_argument, "empty name");
}

TEST(Journeys, SortsByTimeAndSplitsAtConversions) {
  // Customer 7: b(t=3) a(t=1) conv via c (t=5, value 9) then d (t=8); customer 2: a (t=4).
  Labels ch({"a", "b", "c", "d"});
  std::vector<std::int64_t> cust{7, 7, 2, 7, 7};
  std::vector<double> t{3, 1, 4, 5, 8};
  std::vector<std::int32_t> c{1, 0, 0, 2, 3};
  std::vector<std::uint8_t> conv{0, 0, 0, 1, 0};
  std::vector<double> val{0, 0, 0, 9, 0};
  auto j = journeys_from_events<double>(ch, cust, t, c, conv, val);
  ASSERT_EQ(j.paths.size(), 3U);
  EXPECT_EQ(j.customer, (std::vector<std::int64_t>{2, 7, 7}));
  EXPECT_EQ(j.paths.touches(), (std::vector<std::int32_t>{0, 0, 1, 2, 3}));
  EXPECT_EQ(j.paths.offsets(), (std::vector<std::int64_t>{0, 1, 4, 5}));
  EXPECT_EQ(j.paths.conversions(), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(j.paths.nulls(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(j.paths.values(), (std::vector<double>{0, 9, 0}));
  EXPECT_EQ(j.age, (std::vector<double>{0, 4, 2, 0, 0}));
  JourneyOptions o;
  o.conversion_is_touch = false;
  {
    // Without the conversion's own touch: a(1) b(2) conversion-row a(3) b(4) -> [a, b] converts, [b] does
    // not.
    const std::vector<std::int64_t> cu{1, 1, 1, 1};
    const std::vector<double> ti{1, 2, 3, 4};
    const std::vector<std::int32_t> chn{0, 1, 0, 1};
    const std::vector<std::uint8_t> cv{0, 0, 1, 0};
    auto k = journeys_from_events<double>(Labels({"a", "b"}), cu, ti, chn, cv, {}, o);
    EXPECT_EQ(k.paths.touches(), (std::vector<std::int32_t>{0, 1, 1}));
    EXPECT_EQ(k.paths.offsets(), (std::vector<std::int64_t>{0, 2, 3}));
    EXPECT_EQ(k.age, (std::vector<double>{2, 1, 0}));
  }
  // Bad input names the row.
  std::vector<std::uint8_t> two{0, 0, 2, 1, 0};
  expect_error([&] { journeys_from_events<double>(ch, cust, t, c, two, val); }, Errc::invalid_argument,
               "row 2: converted must be 0 or 1");
  std::vector<double> stray{0, 5, 0, 9, 0};
  expect_error([&] { journeys_from_events<double>(ch, cust, t, c, conv, stray); }, Errc::invalid_argument,
               "row 1: value 5 on a row that is not a conversion");
  std::vector<std::int32_t> bad{1, 0, 9, 2, 3};
  expect_error([&] { journeys_from_events<double>(ch, cust, t, bad, conv, val); }, Errc::out_of_range,
               "row 2");
  std::vector<std::uint8_t> early{0, 1, 0, 0, 0};
  std::vector<double> tt{3, 0, 4, 5, 8};
  expect_error([&] { journeys_from_events<double>(ch, cust, tt, c, early, {}, o); }, Errc::invalid_argument,
               "row 1: customer 7 converts with no touches before");
  std::vector<double> nan_t{3, 1, NAN, 5, 8};
  expect_error([&] { journeys_from_events<double>(ch, cust, nan_t, c, conv, val); }, Errc::invalid_argument,
               "row 2: time must be finite");
  expect_error(
      [&] {
        journeys_from_events<double>(Labels({"a", "b", "c", "d", "e"}), cust, t, c, conv, val);
      },
      Errc::invalid_argument, "channel 'e' appears in no path");
  expect_error([&] { journeys_from_events<double>(ch, {}, {}, {}, {}); }, Errc::empty_input, "no rows");
}

TEST(Heuristic, HandWorkedPath) {
  // a>b>c with 2 conversions and value 10.
  auto ps = parse({"a>b>c"}, {2}, {}, {10});
  auto r = heuristic_attribution(ps);
  const double w = 0.25 + 0.5 + 1.0;  // half-life 1 touch: ages 2, 1, 0
  const double expect[3][5] = {{2, 0, 2.0 / 3, 2 * 0.25 / w, 0.8},
                               {0, 0, 2.0 / 3, 2 * 0.5 / w, 0.4},
                               {0, 2, 2.0 / 3, 2 * 1.0 / w, 0.8}};
  for (int c = 0; c < 3; ++c)
    for (int m = 0; m < 5; ++m) {
      EXPECT_NEAR(r.conversions(c, m), expect[c][m], 1e-12) << c << " " << m;
      EXPECT_NEAR(r.value(c, m), 5 * expect[c][m], 1e-12) << c << " " << m;
    }
}

TEST(Heuristic, RepeatsAgesAndShortPaths) {
  auto ps = parse({"a>a>b", "a", "b>a"}, {1, 1, 1});
  auto keep = heuristic_attribution(ps);
  EXPECT_NEAR(keep.conversions(0, 2), 2.0 / 3 + 1 + 0.5, 1e-12);  // repeats counted
  HeuristicOptions o;
  o.repeats = Repeats::collapse;
  auto col = heuristic_attribution(ps, o);
  EXPECT_NEAR(col.conversions(0, 2), 0.5 + 1 + 0.5, 1e-12);
  EXPECT_NEAR(col.conversions(0, 4), 0.5 + 1 + 0.5, 1e-12);  // two touches split 40:40
  // Explicit ages: half-life 10 time units, ages 20, 10, 0 -> weights 1/4, 1/2, 1.
  auto one = parse({"a>b>c"}, {1});
  HeuristicOptions h;
  h.half_life = 10;
  const std::vector<double> age{20, 10, 0};
  auto td = heuristic_attribution(one, h, age);
  EXPECT_NEAR(td.conversions(0, 3), 0.25 / 1.75, 1e-12);
  // Conservation on random paths: every model hands out exactly the conversions.
  Rng rng(5);
  std::vector<std::string> paths;
  std::vector<double> conv;
  double total = 0;
  for (int p = 0; p < 200; ++p) {
    std::string s;
    for (int k = 0, len = 1 + static_cast<int>(rng.below(6)); k < len; ++k)
      s += (k ? ">" : "") + std::string(1, static_cast<char>('a' + rng.below(5)));
    paths.push_back(s);
    conv.push_back(static_cast<double>(rng.below(4)));
    total += conv.back();
  }
  auto r = heuristic_attribution(parse(paths, conv), o);
  for (int m = 0; m < 5; ++m) EXPECT_NEAR(r.conversions.col(m).sum(), total, 1e-9);
}

TEST(Heuristic, BadOptions) {
  auto ps = parse({"a>b"}, {1});
  HeuristicOptions o;
  o.half_life = 0;
  expect_error([&] { heuristic_attribution(ps, o); }, Errc::invalid_argument, "half_life");
  o = {};
  o.first_weight = 0.7;
  expect_error([&] { heuristic_attribution(ps, o); }, Errc::invalid_argument, "first_weight + last_weight");
  o = {};
  const std::vector<double> age{1};
  expect_error([&] { heuristic_attribution(ps, o, age); }, Errc::shape_mismatch, "age");
  const std::vector<double> neg{1, -1};
  expect_error([&] { heuristic_attribution(ps, o, neg); }, Errc::invalid_argument, "touch 1: age");
}

}  // namespace test_paths
