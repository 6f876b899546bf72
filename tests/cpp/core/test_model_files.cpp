// Model files of every non-funnel kind (and the higher-order chain): exact round trips,
// with the original object's answers as the oracle, and corrupt files rejected with
// Errc::format_error naming the field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/attribution/markov.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/customers/repeat_buying.hpp"
#include "funnelnet/customers/tiers.hpp"
#include "funnelnet/funnel/higher_order.hpp"
#include "funnelnet/graph/referral_graph.hpp"
#include "funnelnet/io/json.hpp"

using namespace funnelnet;
namespace fs = std::filesystem;

namespace test_model_files {
fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("funnelnet_model_files_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}
template <class A, class B>
bool same_bits(const A& a, const B& b) {
  return a.size() == b.size() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(*a.data()) * a.size()) == 0);
}
bool same_matrix(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}
// Replace the first occurrence of `from` in `text` (the test fails if it is absent).
std::string edit(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ModelFiles, ReferralGraphRoundTripIsEdgeForEdge) {
  // Merged duplicates (weights summed, earliest time), a self-loop, an isolated node and
  // ids far apart: the rebuilt graph has the same arrays bit for bit.
  std::vector<std::int64_t> src{900, 5, 5, -7, 900, 5}, dst{5, 900, 900, -7, 5, -7}, nodes{42};
  std::vector<double> w{0.25, 1.0 / 3, 2.0, 1.5, 0.5, 7.0}, t{10.5, 3.0, 1.0, 2.0, 0.25, 9.0};
  GraphOptions opts;
  opts.duplicates = Duplicates::merge;
  const auto g = ReferralGraph::from_edges(src, dst, w, t, nodes, opts);
  ASSERT_EQ(g.num_edges(), 4u);  // 900->5 twice and 5->900 twice are merged
  const std::vector<std::string> labels{"seven", "five", "forty two", "nine \"hundred\""};
  std::vector<std::string> back_labels;
  const auto b = io::graph_from_json(io::to_json(g, labels), &back_labels);
  EXPECT_EQ(back_labels, labels);
  EXPECT_TRUE(same_bits(b.ids(), g.ids()));
  EXPECT_TRUE(same_bits(b.offsets(), g.offsets()));
  EXPECT_TRUE(same_bits(b.targets(), g.targets()));
  EXPECT_TRUE(same_bits(b.sources(), g.sources()));
  EXPECT_TRUE(same_bits(b.weights(), g.weights()));
  EXPECT_TRUE(same_bits(b.times(), g.times()));
  EXPECT_TRUE(same_bits(b.input_rows(), g.input_rows()));
  EXPECT_TRUE(same_bits(b.in_offsets(), g.in_offsets()));
  EXPECT_TRUE(same_bits(b.in_sources(), g.in_sources()));
  EXPECT_TRUE(same_bits(b.in_edges(), g.in_edges()));
  EXPECT_EQ(b.has_weights(), g.has_weights());
  EXPECT_EQ(b.has_times(), g.has_times());

  // Unweighted, no times, a multigraph (keep), no labels; through a file.
  GraphOptions keep;
  keep.duplicates = Duplicates::keep;
  const auto u = ReferralGraph::from_edges(std::vector<std::int64_t>{1, 1, 2},
                                           std::vector<std::int64_t>{2, 2, 1}, {}, {}, {}, keep);
  io::save(u, scratch("graph.json"));
  back_labels = {"stale"};
  const auto ub = io::load_graph(scratch("graph.json"), &back_labels);
  EXPECT_TRUE(back_labels.empty());
  EXPECT_FALSE(ub.has_weights());
  EXPECT_FALSE(ub.has_times());
  EXPECT_EQ(ub.num_edges(), 3u);
  EXPECT_TRUE(same_bits(ub.input_rows(), u.input_rows()));
  fs::remove_all(scratch("x").parent_path());
}

TEST(ModelFiles, ReferralGraphCorruptFieldsAreNamed) {
  const auto g = ReferralGraph::from_edges(std::vector<std::int64_t>{1, 2}, std::vector<std::int64_t>{2, 3});
  const std::string text = io::to_json(g);
  expect_error([&] { (void)io::graph_from_json(edit(text, "\"ids\":[1,2,3]", "\"ids\":[1,3,2]")); },
               Errc::format_error, "strictly ascending");
  expect_error([&] { (void)io::graph_from_json(edit(text, "\"targets\":[1,2]", "\"targets\":[1,9]")); },
               Errc::format_error, "target of edge 1 is 9");
  expect_error(
      [&] { (void)io::graph_from_json(edit(text, "\"weights\":[1.0,1.0]", "\"weights\":[1.0,-1.0]")); },
      Errc::format_error, "weight at row 1");
  expect_error([&] { (void)io::graph_from_json(edit(text, "\"weights\":[1.0,1.0]", "\"weights\":[1.0]")); },
               Errc::format_error, "'weights' must hold 2 numbers");
  expect_error([&] { (void)io::graph_from_json(edit(text, "\"has_weights\":false", "\"has_weights\":0")); },
               Errc::format_error, "'has_weights' must be true or false");
  expect_error([&] { (void)io::graph_from_json(edit(text, "\"sources\"", "\"sourcez\"")); },
               Errc::format_error, "missing field 'sources'");
  expect_error([&] { (void)io::graph_from_json(edit(text, "\"version\":1", "\"version\":2")); },
               Errc::format_error, "unsupported model file version 2");
  expect_error([&] { (void)io::to_json(g, std::vector<std::string>{"a"}); }, Errc::shape_mismatch,
               "labels have 1 entries for 3 nodes");
  expect_error(
      [&] {
        (void)io::graph_from_json(
            edit(text, "\"ids\":[1,2,3]", "\"ids\":[1,2,3],\"labels\":[\"a\",\"b\",\"a\"]"));
      },
      Errc::format_error, "label 'a' appears twice");
}

TEST(ModelFiles, RepeatModelsRoundTripWithTheirReports) {
  // A fitted BG/NBD and Pareto/NBD on a small cohort; predictions after the round trip
  // equal the original model's bit for bit.
  Rng rng(3);
  std::vector<double> x, tx, T;
  for (int i = 0; i < 300; ++i) {
    const double Ti = 20 + 20 * rng.uniform();
    const double xi = std::floor(6 * rng.uniform() * rng.uniform());
    x.push_back(xi);
    tx.push_back(xi > 0 ? Ti * rng.uniform() : 0.0);
    T.push_back(Ti);
  }
  for (RepeatKind kind : repeat_kinds()) {
    if (kind == RepeatKind::beta_geo_beta_binom) continue;  // discrete time: below
    const auto m = RepeatModel::fit(kind, x, tx, T);
    const auto text = io::to_json(m);
    EXPECT_NE(text.find(std::string("\"model\":\"") + repeat_kind_name(kind) + "\""), std::string::npos);
    const auto b = io::repeat_model_from_json(text);
    EXPECT_EQ(b.kind(), kind);
    EXPECT_TRUE(same_bits(b.params(), m.params()));
    EXPECT_EQ(b.report().status, m.report().status);
    EXPECT_EQ(b.report().iterations, m.report().iterations);
    EXPECT_EQ(b.report().evaluations, m.report().evaluations);
    EXPECT_EQ(std::memcmp(&b.report().log_likelihood, &m.report().log_likelihood, sizeof(double)), 0);
    EXPECT_EQ(b.report().gradient_norm, m.report().gradient_norm);
    EXPECT_EQ(b.report().unique_rows, m.report().unique_rows);
    EXPECT_EQ(b.report().at_bound, m.report().at_bound);
    EXPECT_EQ(b.report().message, m.report().message);
    EXPECT_TRUE(same_bits(b.report().covariance, m.report().covariance));
    std::vector<double> pa(x.size()), pb(x.size()), ea(x.size()), eb(x.size());
    m.p_alive(x, tx, T, pa);
    b.p_alive(x, tx, T, pb);
    m.expected_purchases(10.0, x, tx, T, ea);
    b.expected_purchases(10.0, x, tx, T, eb);
    EXPECT_TRUE(same_bits(pa, pb));
    EXPECT_TRUE(same_bits(ea, eb));
    const double na = m.expected_purchases_new(7.5), nb = b.expected_purchases_new(7.5);
    EXPECT_EQ(std::memcmp(&na, &nb, sizeof(double)), 0);  // bit for bit (NaN included)
  }
  // BG/BB (discrete time) with given parameters: the kind and its predictions survive.
  {
    const std::vector<double> bbp{1.204, 0.750, 0.657, 2.783};
    const RepeatModel bb(RepeatKind::beta_geo_beta_binom, bbp);
    const auto text = io::to_json(bb);
    EXPECT_NE(text.find("\"model\":\"beta_geo_beta_binom\""), std::string::npos);
    const auto b = io::repeat_model_from_json(text);
    EXPECT_EQ(b.kind(), RepeatKind::beta_geo_beta_binom);
    const std::vector<double> bx{0, 1, 3, 6}, btx{0, 2, 5, 6}, bn{6, 6, 6, 6};
    std::vector<double> pa(4), pb(4);
    bb.p_alive(bx, btx, bn, pa);
    b.p_alive(bx, btx, bn, pb);
    EXPECT_TRUE(same_bits(pa, pb));
  }
  // A report with non-finite numbers (a fit that never started) survives as "inf"/"nan".
  FitReport bad;
  bad.status = FitStatus::not_finite;
  bad.log_likelihood = -std::numeric_limits<double>::infinity();
  bad.gradient_norm = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> p{1, 2, 3, 4};
  const auto nf = io::repeat_model_from_json(io::to_json(RepeatModel(RepeatKind::pareto_nbd, p, bad)));
  EXPECT_EQ(nf.report().status, FitStatus::not_finite);
  EXPECT_FALSE(nf.report().converged());
  EXPECT_EQ(nf.report().log_likelihood, -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(nf.report().gradient_norm));

  // Gamma-Gamma, through a file.
  std::vector<double> fx, spend;
  for (int i = 0; i < 200; ++i) {
    fx.push_back(1 + std::floor(5 * rng.uniform()));
    spend.push_back(10 + 40 * rng.uniform());
  }
  const auto gg = GammaGammaModel::fit(fx, spend);
  io::save(gg, scratch("gg.json"));
  const auto gb = io::load_gamma_gamma(scratch("gg.json"));
  EXPECT_TRUE(same_bits(gb.params(), gg.params()));
  EXPECT_EQ(gb.report().message, gg.report().message);
  EXPECT_TRUE(same_bits(gb.report().covariance, gg.report().covariance));
  std::vector<double> sa(fx.size()), sb(fx.size());
  gg.expected_spend(fx, spend, sa);
  gb.expected_spend(fx, spend, sb);
  EXPECT_TRUE(same_bits(sa, sb));
  fs::remove_all(scratch("x").parent_path());
}

TEST(ModelFiles, RepeatModelCorruptFieldsAreNamed) {
  const std::vector<double> p{0.5, 2.0, 0.75, 1.5};
  const std::string text = io::to_json(RepeatModel(RepeatKind::beta_geo, p));
  expect_error([&] { (void)io::repeat_model_from_json(edit(text, "\"beta_geo\"", "\"beta_geo_beta\"")); },
               Errc::format_error,
               "'model' is 'beta_geo_beta', a repeat-buying model this build does not know");
  expect_error(
      [&] { (void)io::repeat_model_from_json(edit(text, "[0.5,2.0,0.75,1.5]", "[0.5,-2.0,0.75,1.5]")); },
      Errc::format_error, "alpha");
  expect_error([&] { (void)io::repeat_model_from_json(edit(text, "[0.5,2.0,0.75,1.5]", "[0.5,2.0,0.75]")); },
               Errc::format_error, "'params' must hold 4 numbers");
  expect_error([&] { (void)io::repeat_model_from_json(edit(text, "\"converged\"", "\"happy\"")); },
               Errc::format_error, "unknown fit status 'happy'");
  expect_error([&] { (void)io::repeat_model_from_json(edit(text, "\"iterations\":0", "\"iterations\":-3")); },
               Errc::format_error, "'iterations' is -3");
  expect_error([&] { (void)io::gamma_gamma_from_json(text); }, Errc::format_error,
               "holds a 'repeat_model', expected a 'gamma_gamma'");
}

TEST(ModelFiles, TierMigrationRoundTrip) {
  // Two segments of customers moving between tiers A, B, C and lost.
  const auto space = StageSpace::funnel({"A", "B", "C"}, {"lost"});
  std::vector<std::int64_t> cust, period;
  std::vector<std::int32_t> tier, seg;
  Rng rng(11);
  for (std::int64_t c = 0; c < 60; ++c) {
    std::int32_t t = static_cast<std::int32_t>(rng.uniform() * 3);
    for (std::int64_t p = c % 3; p < 6; ++p) {
      cust.push_back(c);
      period.push_back(p);
      tier.push_back(t);
      seg.push_back(static_cast<std::int32_t>(c % 2));
      if (t == 3) break;
      t = static_cast<std::int32_t>(rng.uniform() * 4);
    }
  }
  const auto fit = fit_tier_migration(space, cust, period, tier, seg, 2);
  const auto b = io::tier_migration_from_json(io::to_json(fit));
  EXPECT_EQ(b.space, fit.space);
  ASSERT_EQ(b.chains.size(), 2u);
  for (std::size_t s = 0; s < 2; ++s) {
    EXPECT_TRUE(same_matrix(b.counts[s].matrix(), fit.counts[s].matrix()));
    EXPECT_TRUE(same_matrix(b.chains[s].matrix(), fit.chains[s].matrix()));
  }
  EXPECT_EQ(b.customers, fit.customers);
  EXPECT_EQ(b.late, fit.late);
  EXPECT_EQ(b.first_period, fit.first_period);
  EXPECT_EQ(b.last_period, fit.last_period);
  const std::string text = io::to_json(fit);
  expect_error([&] { (void)io::tier_migration_from_json(edit(text, "\"late\":", "\"late\":1e3,\"x\":")); },
               Errc::format_error, "'late' must be an integer");
  expect_error([&] { (void)io::tier_migration_from_json(edit(text, "\"segments\":[", "\"segments\":[{},")); },
               Errc::format_error, "missing field 'counts'");
  std::string bad_chain = text;  // the first entry of segment 0's chain becomes 7
  const auto at = bad_chain.find("\"chain\":[[") + 10;
  bad_chain.replace(at, bad_chain.find(',', at) - at, "7");
  expect_error([&] { (void)io::tier_migration_from_json(bad_chain); }, Errc::format_error,
               "segment 0 has invalid contents");
}

TEST(ModelFiles, HigherOrderChainRoundTrip) {
  const auto space = StageSpace::funnel({"a", "b", "c"}, {"won", "lost"});
  const std::vector<std::int32_t> stages{0, 1, 2, 3, 0, 2, 1, 2, 4, 0, 1, 1, 2, 3, 1, 2, 0, 2, 4};
  const std::vector<std::int64_t> offsets{0, 4, 9, 14, 19};
  const auto c = fit_higher_order(space, stages, offsets, 2, 0.25);
  const auto b = io::higher_order_from_json(io::to_json(c));
  EXPECT_EQ(b.space, c.space);
  EXPECT_EQ(b.order, c.order);
  EXPECT_TRUE(b.histories == c.histories);
  EXPECT_TRUE(same_matrix(b.counts, c.counts));
  EXPECT_TRUE(same_matrix(b.probabilities, c.probabilities));
  EXPECT_EQ(b.log_likelihood, c.log_likelihood);
  EXPECT_EQ(b.parameters, c.parameters);
  EXPECT_EQ(b.transitions, c.transitions);
  EXPECT_EQ(higher_order_log_likelihood(b, stages, offsets), higher_order_log_likelihood(c, stages, offsets));
  const std::string text = io::to_json(c);
  expect_error(
      [&] { (void)io::higher_order_from_json(edit(text, "\"histories\":[[", "\"histories\":[[9,")); },
      Errc::format_error, "history 0 must hold 2 stage indices");
  expect_error([&] { (void)io::higher_order_from_json(edit(text, "\"order\":2", "\"order\":0")); },
               Errc::format_error, "'order' is 0");
}

TEST(ModelFiles, MarkovAttributionRoundTripAnswersEveryQuery) {
  const std::vector<std::string> raw{"search>display>search", "email>search", "display",
                                     "email>email>display", "search>email"};
  std::vector<std::string_view> paths(raw.begin(), raw.end());
  const std::vector<double> conv{3, 2, 0, 1, 4}, nulls{1, 5, 7, 2, 0}, value{30.5, 20, 0, 7.25, 41};
  for (int order : {1, 2}) {
    const auto ps = PathSet::parse(paths, ">", conv, nulls, value);
    MarkovOptions o;
    o.order = order;
    o.threads = 1;
    const auto m = MarkovAttribution::fit(ps, o);
    const auto b = io::attribution_from_json(io::to_json(m));
    EXPECT_EQ(b.channels().names(), m.channels().names());
    EXPECT_EQ(b.order(), m.order());
    EXPECT_EQ(b.n_states(), m.n_states());
    for (std::size_t i = 0; i < m.n_states(); ++i) EXPECT_EQ(b.state_name(i), m.state_name(i));
    EXPECT_EQ(b.conversion_probability(), m.conversion_probability());
    EXPECT_EQ(b.expected_value(), m.expected_value());
    EXPECT_EQ(b.removal_effects(), m.removal_effects());
    EXPECT_EQ(b.value_removal_effects(), m.value_removal_effects());
    EXPECT_EQ(b.attributed_conversions(), m.attributed_conversions());
    EXPECT_EQ(b.attributed_value(), m.attributed_value());
    EXPECT_EQ(b.journey_shares(ps), m.journey_shares(ps));
    const std::vector<std::int64_t> off{0, 1, 2};
    const std::vector<std::int32_t> seq{0, 1};
    EXPECT_EQ(b.sequence_removal_effects(off, seq, 1), m.sequence_removal_effects(off, seq, 1));
    const auto ta = m.transitions(), tb = b.transitions();
    ASSERT_EQ(ta.size(), tb.size());
    for (std::size_t k = 0; k < ta.size(); ++k) {
      EXPECT_EQ(ta[k].from, tb[k].from);
      EXPECT_EQ(ta[k].to, tb[k].to);
      EXPECT_EQ(ta[k].probability, tb[k].probability);
    }
    const auto sa = m.simulate(5000, 7, 1), sb = b.simulate(5000, 7, 2);
    EXPECT_EQ(sa.removal_effects, sb.removal_effects);
  }
  const auto ps = PathSet::parse(paths, ">", conv, nulls);
  const auto text = io::to_json(MarkovAttribution::fit(ps));
  expect_error(
      [&] { (void)io::attribution_from_json(edit(text, "\"repeats\":\"collapse\"", "\"repeats\":\"x\"")); },
      Errc::format_error, "'repeats' must be \"keep\" or \"collapse\"");
  expect_error(
      [&] {
        (void)io::attribution_from_json(edit(text, "\"channels\":[\"search\"", "\"channels\":[\"email\""));
      },
      Errc::format_error, "'email' appears twice");
  expect_error(
      [&] {
        (void)io::attribution_from_json(edit(text, "\"p_conversion\":[0.0,", "\"p_conversion\":[0.5,"));
      },
      Errc::format_error, "state 0: transitions and exits sum to 1.5");
  expect_error(
      [&] {
        (void)io::attribution_from_json(edit(text, "\"removal_effects\":[", "\"removal_effects\":[1,"));
      },
      Errc::format_error, "'removal_effects' must hold 3 numbers");
}

TEST(ModelFiles, RegistryKnowsEveryKind) {
  const std::vector<std::string> expected{
      "markov_chain",   "transition_counts", "exposure_counts", "continuous_chain", "higher_order_chain",
      "referral_graph", "repeat_model",      "gamma_gamma",     "tier_migration",   "markov_attribution"};
  std::vector<std::string> kinds;
  for (const auto& k : io::model_kinds()) kinds.push_back(k.kind);
  EXPECT_EQ(kinds, expected);
  const auto g = ReferralGraph::from_edges(std::vector<std::int64_t>{1}, std::vector<std::int64_t>{2});
  EXPECT_EQ(io::model_kind(io::to_json(g)).kind, "referral_graph");
  EXPECT_EQ(io::model_kind(io::to_json(GammaGammaModel(std::vector<double>{1, 2, 3}))).area, "customers");
}

}  // namespace test_model_files
