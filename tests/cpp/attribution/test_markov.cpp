// Markov removal effects: the issue's two worked cases, a brute force (independent
// counting with std::map and value iteration on each removed chain), the closed form
// P(conversion) = conversions / journeys of a first-order chain, sequences, per-journey
// shares, the simulation estimate and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/attribution.hpp"

using namespace funnelnet;

namespace test_markov {

PathSet parse(const std::vector<std::string>& paths, const std::vector<double>& conv,
              const std::vector<double>& nulls = {}, const std::vector<double>& values = {}) {
  std::vector<std::string_view> v(paths.begin(), paths.end());
  return PathSet::parse(v, ">", conv, nulls, values);
}

// Brute force: count k-gram transitions with std::map, then for each removed set run
// value iteration x <- Q x + b until it stops changing.
struct Brute {
  using State = std::vector<int>;
  std::map<State, std::map<State, double>> next;  // {} = start; {-1} conversion, {-2} null
  std::map<State, double> value;
  double p(const std::set<int>& removed_channels, const std::vector<int>& removed_seq, bool use_value) const {
    auto removed = [&](const State& s) {
      if (s.empty() || s[0] < 0) return false;
      for (int c : s)
        if (removed_channels.count(c)) return true;
      if (!removed_seq.empty())
        return std::search(s.begin(), s.end(), removed_seq.begin(), removed_seq.end()) != s.end();
      return false;
    };
    std::map<State, double> x;
    for (int it = 0; it < 20000; ++it) {
      double change = 0;
      for (const auto& [s, row] : next) {
        if (removed(s)) continue;
        double out = 0, acc = 0;
        for (const auto& [t, w] : row) out += w;
        for (const auto& [t, w] : row) {
          if (t == State{-1})
            acc += w * (use_value ? value.at(s) / row.at(State{-1}) : 1.0);
          else if (t != State{-2} && !removed(t))
            acc += w * x[t];
        }
        const double v = acc / out;
        change = std::max(change, std::abs(v - x[s]));
        x[s] = v;
      }
      if (change < 1e-15) break;
    }
    return x[State{}];
  }
  Brute(const PathSet& ps, int order, bool collapse) {
    for (std::size_t p = 0; p < ps.size(); ++p) {
      const double c = ps.conversions()[p], u = ps.nulls()[p];
      if (c + u == 0) continue;
      State prev, window;
      int last = -1;
      for (int ch : ps.path(p)) {
        if (collapse && ch == last) continue;
        last = ch;
        window.push_back(ch);
        if (static_cast<int>(window.size()) > order) window.erase(window.begin());
        next[prev][window] += c + u;
        prev = window;
      }
      if (c > 0) next[prev][State{-1}] += c;
      if (u > 0) next[prev][State{-2}] += u;
      value[prev] += ps.values()[p];
    }
  }
};

TEST(Markov, IssueCaseRepeatsCollapsed) {
  // A>B>A>B>B>A, A>B>B>A>A, A>A, one conversion each, no nulls: RE A 1, B 0.5; attribution A 2, B 1.
  auto ps = parse({"A>B>A>B>B>A", "A>B>B>A>A", "A>A"}, {1, 1, 1});
  auto m = MarkovAttribution::fit(ps);
  ASSERT_EQ(m.channels().names(), (std::vector<std::string>{"A", "B"}));
  EXPECT_NEAR(m.removal_effects()[0], 1.0, 1e-12);
  EXPECT_NEAR(m.removal_effects()[1], 0.5, 1e-12);
  EXPECT_NEAR(m.attributed_conversions()[0], 2.0, 1e-12);
  EXPECT_NEAR(m.attributed_conversions()[1], 1.0, 1e-12);
  EXPECT_NEAR(m.conversion_probability(), 1.0, 1e-12);
}

TEST(Markov, IssueCaseWithNulls) {
  // c1>c2>c3 (1 conversion), c1 (1 null), c2>c3 (1 null): RE 0.5, 1, 1; attribution 0.2, 0.4, 0.4.
  auto ps = parse({"c1>c2>c3", "c1", "c2>c3"}, {1, 0, 0}, {0, 1, 1});
  auto m = MarkovAttribution::fit(ps);
  const std::vector<double> re{0.5, 1, 1}, at{0.2, 0.4, 0.4};
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(m.removal_effects()[c], re[c], 1e-12);
    EXPECT_NEAR(m.attributed_conversions()[c], at[c], 1e-12);
  }
  EXPECT_NEAR(m.conversion_probability(), 1.0 / 3.0, 1e-12);
}

TEST(Markov, KeepingRepeatsLeavesFirstOrderEffectsUnchanged) {
  auto ps = parse({"A>B>A>B>B>A", "A>B>B>A>A", "A>A"}, {1, 1, 1});
  MarkovOptions o;
  o.repeats = Repeats::keep;
  auto m = MarkovAttribution::fit(ps, o);
  EXPECT_NEAR(m.removal_effects()[1], 0.5, 1e-12);
}

TEST(Markov, RandomPathsMatchBruteForce) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    Rng rng(seed);
    const int nc = 3 + static_cast<int>(rng.below(4));
    std::vector<std::string> paths;
    std::vector<double> conv, nulls, vals;
    for (int p = 0; p < 60; ++p) {
      std::string s;
      const int len = 1 + static_cast<int>(rng.below(6));
      for (int k = 0; k < len; ++k)
        s += (k ? ">" : "") + std::string(1, static_cast<char>('a' + rng.below(nc)));
      paths.push_back(s);
      conv.push_back(static_cast<double>(rng.below(3)));
      nulls.push_back(static_cast<double>(rng.below(4)));
      vals.push_back(conv.back() * (1.0 + static_cast<double>(rng.below(50))));
    }
    conv[0] = 1;
    vals[0] = 3;
    auto ps = parse(paths, conv, nulls, vals);
    for (int order : {1, 2, 3}) {
      for (bool collapse : {true, false}) {
        MarkovOptions o;
        o.order = order;
        o.repeats = collapse ? Repeats::collapse : Repeats::keep;
        o.threads = 1 + static_cast<int>(seed % 3);
        auto m = MarkovAttribution::fit(ps, o);
        Brute b(ps, order, collapse);
        const double p0 = b.p({}, {}, false), v0 = b.p({}, {}, true);
        EXPECT_NEAR(m.conversion_probability(), p0, 1e-10);
        EXPECT_NEAR(m.expected_value(), v0, 1e-9);
        for (int c = 0; c < static_cast<int>(ps.n_channels()); ++c) {
          EXPECT_NEAR(m.removal_effects()[c], 1 - b.p({c}, {}, false) / p0, 1e-9) << seed << " " << order;
          EXPECT_NEAR(m.value_removal_effects()[c], 1 - b.p({c}, {}, true) / v0, 1e-9)
              << seed << " " << order;
        }
        if (order >= 2) {
          const std::vector<std::int64_t> off{0, 2, 3};
          const std::vector<std::int32_t> seq{0, 1, 2};
          auto [re, vre] = m.sequence_removal_effects(off, seq);
          EXPECT_NEAR(re[0], 1 - b.p({}, {0, 1}, false) / p0, 1e-9);
          EXPECT_NEAR(re[1], m.removal_effects()[2], 1e-12);  // a one-channel sequence is the channel
          EXPECT_NEAR(vre[0], 1 - b.p({}, {0, 1}, true) / v0, 1e-9);
        }
        if (order == 1) {
          // Closed form for a first-order chain fitted to the paths: flow balance gives
          // P(conversion) = conversions / journeys and E[value] = value / journeys.
          double tc = 0, tn = 0, tv = 0;
          for (std::size_t p = 0; p < ps.size(); ++p) tc += conv[p], tn += nulls[p], tv += vals[p];
          EXPECT_NEAR(m.conversion_probability(), tc / (tc + tn), 1e-12);
          EXPECT_NEAR(m.expected_value(), tv / (tc + tn), 1e-10);
        }
      }
    }
  }
}

TEST(Markov, LargeChainUsesTheCertifiedIterativeSolveAndAgreesWithBruteForce) {
  // 12 channels, order 3: more than dense_limit states, so the iterative path runs.
  Rng rng(99);
  std::vector<std::string> paths;
  std::vector<double> conv, nulls;
  for (int p = 0; p < 600; ++p) {
    std::string s;
    const int len = 1 + static_cast<int>(rng.below(5));
    for (int k = 0; k < len; ++k)
      s += (k ? ">" : "") + std::string(1, static_cast<char>('a' + rng.below(12)));
    paths.push_back(s);
    conv.push_back(static_cast<double>(rng.below(2)));
    nulls.push_back(1.0);
  }
  auto ps = parse(paths, conv, nulls);
  MarkovOptions o;
  o.order = 3;
  auto m = MarkovAttribution::fit(ps, o);
  ASSERT_GT(m.n_states(), MarkovAttribution::dense_limit);
  Brute b(ps, 3, true);
  const double p0 = b.p({}, {}, false);
  EXPECT_NEAR(m.conversion_probability(), p0, 1e-12);
  for (int c : {0, 5, 11}) EXPECT_NEAR(m.removal_effects()[c], 1 - b.p({c}, {}, false) / p0, 1e-11);
}

TEST(Markov, JourneySharesSplitEachJourneyByRemovalEffects) {
  auto ps = parse({"c1>c2>c3", "c1", "c2>c3>c3"}, {1, 0, 2}, {0, 1, 1});
  auto m = MarkovAttribution::fit(ps);
  auto s = m.journey_shares(ps);
  ASSERT_EQ(s.size(), ps.touches().size());
  const auto& re = m.removal_effects();
  const double sum0 = re[0] + re[1] + re[2];
  EXPECT_NEAR(s[0], re[0] / sum0, 1e-12);
  EXPECT_NEAR(s[3], 1.0, 1e-12);  // single touch
  const double sum2 = re[1] + re[2];
  EXPECT_NEAR(s[4], re[1] / sum2, 1e-12);
  EXPECT_NEAR(s[5] + s[6], re[2] / sum2, 1e-12);
  EXPECT_NEAR(s[5], s[6], 1e-15);
}

TEST(Markov, SimulationCoversTheExactValueAndIgnoresThreads) {
  auto ps = parse({"c1>c2>c3", "c1", "c2>c3", "c3>c1"}, {1, 0, 0, 1}, {0, 1, 1, 2});
  auto m = MarkovAttribution::fit(ps);
  auto a = m.simulate(200000, 7, 1);
  auto b = m.simulate(200000, 7, 3);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(a.removal_effects[c], b.removal_effects[c]);
    const double half = (a.upper[c] - a.lower[c]) / 2;
    EXPECT_GT(half, 0.0);
    EXPECT_LT(std::abs(a.removal_effects[c] - m.removal_effects()[c]), 4 * half / 1.96 + 1e-12) << c;
  }
  EXPECT_NEAR(a.conversion_probability, m.conversion_probability(), 0.01);
}

TEST(Markov, BadInput) {
  auto ps = parse({"a>b", "b"}, {1, 0}, {0, 1});
  MarkovOptions o;
  o.order = 0;
  expect_error([&] { MarkovAttribution::fit(ps, o); }, Errc::invalid_argument, "order must be >= 1");
  auto none = parse({"a>b", "b"}, {0, 0}, {1, 1});
  expect_error([&] { MarkovAttribution::fit(none); }, Errc::invalid_argument, "no path has a conversion");
  auto m = MarkovAttribution::fit(ps);
  const std::vector<std::int64_t> off{0, 2};
  const std::vector<std::int32_t> two{0, 1};
  expect_error([&] { (void)m.sequence_removal_effects(off, two); }, Errc::invalid_argument, "at most 1");
  const std::vector<std::int64_t> off1{0, 1};
  const std::vector<std::int32_t> bad{7};
  expect_error([&] { (void)m.sequence_removal_effects(off1, bad); }, Errc::out_of_range, "channel index 7");
  auto other = parse({"x"}, {1});
  expect_error([&] { (void)m.journey_shares(other); }, Errc::invalid_argument, "channels differ");
  expect_error([&] { (void)m.simulate(1, 0); }, Errc::invalid_argument, "n_journeys");
  o.order = 1;
  o.progress = [](std::uint64_t, std::uint64_t) { return false; };
  expect_error([&] { MarkovAttribution::fit(ps, o); }, Errc::cancelled, "cancelled");
}

}  // namespace test_markov
