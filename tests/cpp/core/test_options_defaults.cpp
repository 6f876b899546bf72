// The C ABI's option defaults (the _INIT macros, which fnet_<x>_options_init() copies:
// src/c_api/core.cpp) agree field by field with the C++ options structs' default member
// initialisers, the one place the defaults are written (Python reads them through
// funnelnet._core.defaults()).
#include <gtest/gtest.h>

#include <cmath>

#include "funnelnet.h"
#include "funnelnet/attribution.hpp"
#include "funnelnet/customers.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/graph.hpp"
#include "funnelnet/scoring.hpp"

namespace fn = funnelnet;

namespace test_options_defaults {

template <class E>
int code(E e) {
  return static_cast<int>(e);
}

TEST(OptionsDefaults, FunnelCInitIsTheCxxDefault) {
  const fnet_fit_options f = FNET_FIT_OPTIONS_INIT;
  const fn::FitOptions fx{};
  EXPECT_EQ(f.smoothing, fx.smoothing);
  EXPECT_EQ(f.empty_rows, code(fx.empty_rows));

  const fnet_period_options p = FNET_PERIOD_OPTIONS_INIT;
  const fn::PeriodOptions<double> px{};
  EXPECT_EQ(p.period, px.period);
  EXPECT_EQ(p.has_origin != 0, px.origin.has_value());
  EXPECT_EQ(p.has_cutoff != 0, px.cutoff.has_value());
  EXPECT_EQ(p.threads, px.threads);

  const fnet_segment_options g = FNET_SEGMENT_OPTIONS_INIT;
  const fn::SegmentOptions gx{};
  EXPECT_EQ(g.has_concentration != 0, !std::isnan(gx.concentration));
  EXPECT_EQ(g.has_max_concentration != 0, !std::isinf(gx.max_concentration));

  const fnet_semi_markov_options s = FNET_SEMI_MARKOV_OPTIONS_INIT;
  const fn::SemiMarkovOptions sx{};
  EXPECT_EQ(s.family, code(sx.family));
  EXPECT_EQ(s.tol, sx.tol);
  EXPECT_EQ(s.max_iter, sx.max_iter);
}

TEST(OptionsDefaults, AttributionCInitIsTheCxxDefault) {
  const fnet_heuristic_options h = FNET_HEURISTIC_OPTIONS_INIT;
  const fn::HeuristicOptions hx{};
  EXPECT_EQ(h.repeats, code(hx.repeats));
  EXPECT_EQ(h.half_life, hx.half_life);
  EXPECT_EQ(h.first_weight, hx.first_weight);
  EXPECT_EQ(h.last_weight, hx.last_weight);

  const fnet_markov_options m = FNET_MARKOV_OPTIONS_INIT;
  const fn::MarkovOptions mx{};
  EXPECT_EQ(m.order, mx.order);
  EXPECT_EQ(m.repeats, code(mx.repeats));
  EXPECT_EQ(m.threads, mx.threads);
  EXPECT_EQ(m.progress == nullptr, !mx.progress);
}

TEST(OptionsDefaults, GraphCInitIsTheCxxDefault) {
  const fnet_graph_options g = FNET_GRAPH_OPTIONS_INIT;
  const fn::GraphOptions gx{};
  EXPECT_EQ(g.self_loops, code(gx.self_loops));
  EXPECT_EQ(g.duplicates, code(gx.duplicates));

  const fnet_edge_list_options e = FNET_EDGE_LIST_OPTIONS_INIT;
  const fn::EdgeListOptions ex{};
  EXPECT_EQ(e.header_lines, ex.header_lines);
  EXPECT_EQ(e.weighted != 0, ex.weighted);
  EXPECT_EQ(e.symmetric != 0, ex.symmetric);
  EXPECT_EQ(e.graph.self_loops, code(ex.graph.self_loops));
  EXPECT_EQ(e.graph.duplicates, code(ex.graph.duplicates));

  const fnet_pagerank_options p = FNET_PAGERANK_OPTIONS_INIT;
  const fn::PageRankOptions px{};
  EXPECT_EQ(p.damping, px.damping);
  EXPECT_EQ(p.weighted != 0, px.weighted);
  EXPECT_EQ(p.personalization == nullptr, px.personalization.empty());
  EXPECT_EQ(p.dangling, code(px.dangling));
  EXPECT_EQ(p.tolerance, px.tolerance);
  EXPECT_EQ(p.max_iter, px.max_iter);
  EXPECT_EQ(p.threads, px.threads);

  const fnet_katz_options k = FNET_KATZ_OPTIONS_INIT;
  const fn::KatzOptions kx{};
  EXPECT_EQ(k.alpha, kx.alpha);
  EXPECT_EQ(k.beta, kx.beta);
  EXPECT_EQ(k.betas == nullptr, kx.betas.empty());
  EXPECT_EQ(k.weighted != 0, kx.weighted);
  EXPECT_EQ(k.normalized != 0, kx.normalized);
  EXPECT_EQ(k.tolerance, kx.tolerance);
  EXPECT_EQ(k.max_iter, kx.max_iter);
  EXPECT_EQ(k.threads, kx.threads);

  const fnet_betweenness_options b = FNET_BETWEENNESS_OPTIONS_INIT;
  const fn::BetweennessOptions bx{};
  EXPECT_EQ(b.normalized != 0, bx.normalized);
  EXPECT_EQ(b.n_sources, bx.sources.size());
  EXPECT_EQ(b.samples, bx.samples);
  EXPECT_EQ(b.seed, bx.seed);
  EXPECT_EQ(b.threads, bx.threads);

  const fnet_spread_options s = FNET_SPREAD_OPTIONS_INIT;
  const fn::SpreadOptions sx{};
  EXPECT_EQ(s.model, code(sx.model));
  EXPECT_EQ(s.n_sims, sx.n_sims);
  EXPECT_EQ(s.seed, sx.seed);
  EXPECT_EQ(s.threads, sx.threads);

  const fnet_imm_options i = FNET_IMM_OPTIONS_INIT;
  const fn::ImmOptions ix{};
  EXPECT_EQ(i.model, code(ix.model));
  EXPECT_EQ(i.epsilon, ix.epsilon);
  EXPECT_EQ(i.ell, ix.ell);
  EXPECT_EQ(i.seed, ix.seed);
  EXPECT_EQ(i.threads, ix.threads);
  EXPECT_EQ(i.budget, ix.budget);

  const fnet_celf_options c = FNET_CELF_OPTIONS_INIT;
  const fn::CelfOptions cx{};
  EXPECT_EQ(c.model, code(cx.model));
  EXPECT_EQ(c.n_sims, cx.n_sims);
  EXPECT_EQ(c.seed, cx.seed);
  EXPECT_EQ(c.threads, cx.threads);
  EXPECT_EQ(c.budget, cx.budget);
}

TEST(OptionsDefaults, CustomersCInitIsTheCxxDefault) {
  const fnet_repeat_fit_options r = FNET_REPEAT_FIT_OPTIONS_INIT;
  const fn::RepeatFitOptions rx{};
  EXPECT_EQ(r.max_iterations, rx.max_iterations);
  EXPECT_EQ(r.tolerance, rx.tolerance);
  EXPECT_EQ(r.compress != 0, rx.compress);
  EXPECT_EQ(r.threads, rx.threads);
  EXPECT_EQ(r.initial == nullptr, rx.initial.empty());

  const fnet_summary_options s = FNET_SUMMARY_OPTIONS_INIT;
  const fn::SummaryOptions sx{};
  EXPECT_EQ(s.calibration_end, sx.calibration_end);
  EXPECT_EQ(s.holdout != 0, sx.holdout);
  EXPECT_EQ(s.holdout_end, sx.holdout_end);
  EXPECT_EQ(s.period_length, sx.period_length);
  EXPECT_EQ(s.future, code(sx.future));

  const fnet_tier_options t = FNET_TIER_OPTIONS_INIT;
  const fn::TierMigrationOptions tx{};
  EXPECT_EQ(t.gaps, code(tx.gaps));
  EXPECT_EQ(t.smoothing, tx.smoothing);
  EXPECT_EQ(t.empty_rows, code(tx.empty_rows));
}

TEST(OptionsDefaults, ScoringCInitIsTheCxxDefault) {
  const fnet_logistic_options l = FNET_LOGISTIC_OPTIONS_INIT;
  const fn::LogisticOptions lx{};
  EXPECT_EQ(l.lambda, lx.lambda);
  EXPECT_EQ(l.l1_ratio, lx.l1_ratio);
  EXPECT_EQ(l.fit_intercept != 0, lx.fit_intercept);
  EXPECT_EQ(l.standardize != 0, lx.standardize);
  EXPECT_EQ(l.max_iterations, lx.max_iterations);
  EXPECT_EQ(l.tolerance, lx.tolerance);
  EXPECT_EQ(l.separation_bound, lx.separation_bound);
  EXPECT_EQ(l.threads, lx.threads);
}

TEST(OptionsDefaults, PooledCInitIsTheCxxDefault) {
  const fnet_pooled_options o = FNET_POOLED_OPTIONS_INIT;
  const fn::PooledOptions ox{};
  EXPECT_EQ(o.C, ox.C);
  EXPECT_EQ(o.tau_intercept, ox.tau_intercept);
  EXPECT_EQ(o.tau_coef, ox.tau_coef);
  EXPECT_EQ(static_cast<int>(o.select), static_cast<int>(ox.select));
  EXPECT_EQ(o.folds, ox.folds);
  EXPECT_EQ(o.seed, ox.seed);
  EXPECT_EQ(o.max_iterations, ox.max_iterations);
  EXPECT_EQ(o.tolerance, ox.tolerance);
  EXPECT_EQ(o.threads, ox.threads);
}
}  // namespace test_options_defaults
