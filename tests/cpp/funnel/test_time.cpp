// Time-aware estimation: period chains with censoring (against a brute-force timeline
// expansion), continuous-time MLE with censoring (against direct sums, simulation and
// the likelihood), P(t) and time to close (against closed forms).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"

using namespace funnelnet;

namespace test_time {

struct Log {
  std::vector<std::int64_t> lead;
  std::vector<std::int64_t> time;
  std::vector<std::int32_t> stage;
};

// Random leads through {a, b, c, won, lost}, integer times, rows of leads interleaved
// (each lead's rows stay in order).  Some leads are still open at the end.
Log random_log(std::uint64_t seed, int n_leads, std::int64_t horizon) {
  Rng rng(seed);
  std::vector<Log> per(static_cast<std::size_t>(n_leads));
  for (int l = 0; l < n_leads; ++l) {
    std::int64_t t = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(horizon / 2)));
    std::int32_t s = static_cast<std::int32_t>(rng.below(3));
    for (int step = 0; step < 8; ++step) {
      if (t >= horizon) break;
      per[static_cast<std::size_t>(l)].lead.push_back(1000 + 7 * l);
      per[static_cast<std::size_t>(l)].time.push_back(t);
      per[static_cast<std::size_t>(l)].stage.push_back(s);
      if (s >= 3) break;
      t += static_cast<std::int64_t>(rng.below(25));  // may stay in the same period
      std::int32_t next = static_cast<std::int32_t>(rng.below(5));
      if (next == s) next = (s + 1) % 5;
      s = next;
    }
  }
  // Interleave: round robin over leads.
  Log out;
  for (std::size_t k = 0; k < 8; ++k)
    for (auto& p : per)
      if (k < p.lead.size()) {
        out.lead.push_back(p.lead[k]);
        out.time.push_back(p.time[k]);
        out.stage.push_back(p.stage[k]);
      }
  return out;
}

// Brute force: expand each lead into its per-period timeline and count consecutive pairs.
Matrix brute_period_counts(const StageSpace& sp, const Log& log, std::int64_t origin, std::int64_t period,
                           std::int64_t n_periods) {
  Matrix c = Matrix::Zero(static_cast<Eigen::Index>(sp.size()), static_cast<Eigen::Index>(sp.size()));
  std::vector<std::int64_t> ids = log.lead;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (auto id : ids) {
    std::vector<std::pair<std::int32_t, std::int64_t>> ev;  // (stage, period)
    for (std::size_t r = 0; r < log.lead.size(); ++r)
      if (log.lead[r] == id) {
        const std::int32_t s = log.stage[r];
        if (!ev.empty() && ev.back().first == s) continue;
        ev.emplace_back(s, (log.time[r] - origin) / period);
      }
    std::vector<std::int32_t> timeline;
    for (std::size_t k = 0; k < ev.size(); ++k) {
      std::int64_t until = k + 1 < ev.size() ? ev[k + 1].second : n_periods;
      if (sp.is_absorbing(static_cast<std::size_t>(ev[k].first))) until = ev[k].second + 1;
      const std::int64_t len = std::max<std::int64_t>(until - ev[k].second, 1);
      for (std::int64_t q = 0; q < len; ++q) timeline.push_back(ev[k].first);
    }
    for (std::size_t k = 1; k < timeline.size(); ++k) c(timeline[k - 1], timeline[k]) += 1;
  }
  return c;
}

const StageSpace kSpace = StageSpace::funnel({"a", "b", "c"}, {"won", "lost"});

TEST(Periods, StaysAndCensoringByHand) {
  auto sp = StageSpace::funnel({"engaging"}, {"won", "lost"});
  // Lead 1: engaging in week 0, won in week 3 -> 2 stays + 1 move.
  // Lead 2: engaging in week 1, still open at the cut-off (week 5) -> stays 1..4 = 3 stays.
  // Lead 3: engaging and lost within week 2 -> one move, no stays.
  std::vector<std::int64_t> lead{1, 2, 1, 3, 3};
  std::vector<std::int64_t> time{0, 7, 21, 14, 16};
  std::vector<std::int32_t> stage{0, 0, 1, 0, 2};
  PeriodOptions<std::int64_t> o;
  o.period = 7;
  o.origin = 0;
  o.cutoff = 35;
  auto c = period_counts<std::int64_t>(sp, lead, time, stage, o);
  EXPECT_EQ(c.matrix()(0, 0), 5.0);
  EXPECT_EQ(c.matrix()(0, 1), 1.0);
  EXPECT_EQ(c.matrix()(0, 2), 1.0);
  EXPECT_EQ(c.total(), 7.0);
  // The open lead is not counted as lost: P(won) from engaging is 1/2, not 1/3.
  auto chain = fit(c);
  EXPECT_NEAR(analyze_absorbing(chain).absorption(0, 0), 0.5, 1e-15);
}

TEST(Periods, MatchesBruteForceTimeline) {
  const Log log = random_log(11, 400, 200);
  for (std::int64_t period : {1, 5, 7}) {
    PeriodOptions<std::int64_t> o;
    o.period = period;
    o.origin = 0;
    o.cutoff = (200 / period + 1) * period;
    auto c = period_counts<std::int64_t>(kSpace, log.lead, log.time, log.stage, o);
    const Matrix expected = brute_period_counts(kSpace, log, 0, period, *o.cutoff / period);
    EXPECT_EQ(c.matrix(), expected) << "period " << period;
    // Same counts at any thread count, and with float times.
    o.threads = 1;
    EXPECT_EQ(period_counts<std::int64_t>(kSpace, log.lead, log.time, log.stage, o).matrix(), expected);
    std::vector<double> tf(log.time.begin(), log.time.end());
    PeriodOptions<double> of;
    of.period = static_cast<double>(period);
    of.origin = 0.0;
    of.cutoff = static_cast<double>(*o.cutoff);
    EXPECT_EQ(period_counts<double>(kSpace, log.lead, tf, log.stage, of).matrix(), expected);
  }
  // Defaults: origin at the first event, cut-off at the end of the last event's period.
  PeriodOptions<std::int64_t> d;
  d.period = 10;
  auto c = period_counts<std::int64_t>(kSpace, log.lead, log.time, log.stage, d);
  const std::int64_t t0 = *std::min_element(log.time.begin(), log.time.end());
  const std::int64_t t1 = *std::max_element(log.time.begin(), log.time.end());
  const std::int64_t k = (t1 - t0) / 10 + 1;
  Log shifted = log;
  EXPECT_EQ(c.matrix(), brute_period_counts(kSpace, shifted, t0, 10, k));
}

TEST(Periods, BadInput) {
  auto sp = StageSpace::funnel({"a", "b"}, {"won"});
  using V64 = std::vector<std::int64_t>;
  using V32 = std::vector<std::int32_t>;
  PeriodOptions<std::int64_t> o;
  o.period = 7;
  // Rows of one lead out of time order are sorted, not rejected (issue 11).
  EXPECT_EQ(period_counts<std::int64_t>(sp, V64{1, 1}, V64{5, 3}, V32{0, 1}, o).matrix(),
            period_counts<std::int64_t>(sp, V64{1, 1}, V64{3, 5}, V32{1, 0}, o).matrix());
  expect_error(
      [&] {
        period_counts<std::int64_t>(sp, V64{1, 1}, V64{5, 5}, V32{0, 0}, o);
      },
      Errc::invalid_argument, "duplicate event");
  expect_error(
      [&] {
        period_counts<std::int64_t>(sp, V64{4, 4}, V64{1, 9}, V32{2, 0}, o);
      },
      Errc::invalid_argument, "lead 4 leaves absorbing stage 'won'");
  PeriodOptions<std::int64_t> zero;
  zero.period = 0;
  expect_error([&] { period_counts<std::int64_t>(sp, V64{1}, V64{1}, V32{0}, zero); }, Errc::invalid_argument,
               "period must be > 0");
  PeriodOptions<std::int64_t> nodiv;
  nodiv.period = 7;
  nodiv.origin = 0;
  nodiv.cutoff = 30;
  expect_error([&] { period_counts<std::int64_t>(sp, V64{1}, V64{1}, V32{0}, nodiv); },
               Errc::invalid_argument, "do not divide");
  PeriodOptions<std::int64_t> early;
  early.period = 7;
  early.origin = 0;
  early.cutoff = 14;
  expect_error(
      [&] {
        period_counts<std::int64_t>(sp, V64{1, 2}, V64{3, 15}, V32{0, 0}, early);
      },
      Errc::invalid_argument, "censoring date is before an event: row 1 (lead 2, time 15)");
  // The one cut-off rule: an event at the cut-off is observed (in the last period).
  {
    const Matrix at = period_counts<std::int64_t>(sp, V64{1, 2}, V64{3, 14}, V32{0, 0}, early).matrix();
    EXPECT_EQ(at(0, 0), 1.0);  // lead 1: periods 0..1 in 'a' (1 stay); lead 2 enters in period 1
    EXPECT_EQ(at.sum(), 1.0);
  }
  PeriodOptions<std::int64_t> late_origin;
  late_origin.period = 7;
  late_origin.origin = 7;
  expect_error([&] { period_counts<std::int64_t>(sp, V64{1}, V64{3}, V32{0}, late_origin); },
               Errc::invalid_argument, "before the origin");
  PeriodOptions<double> nan;
  nan.period = std::nan("");
  expect_error([&] { period_counts<double>(sp, V64{1}, std::vector<double>{1.0}, V32{0}, nan); },
               Errc::invalid_argument, "period must be finite");
  expect_error([&] { period_counts<std::int64_t>(sp, V64{}, V64{}, V32{}, o); }, Errc::empty_input,
               "no rows");
  expect_error([&] { period_counts<std::int64_t>(sp, V64{1}, V64{1}, V32{3}, o); }, Errc::out_of_range,
               "row 0");
}

TEST(Continuous, ExposureMatchesDirectSums) {
  // Float times in days; rows of each lead in order.
  const Log log = random_log(5, 300, 300);
  std::vector<double> t(log.time.begin(), log.time.end());
  const double cutoff = 400.0;
  auto e = ExposureCounts::from_events<double>(kSpace, log.lead, t, log.stage, cutoff, 2.0);
  // Direct: per lead, time in each stage (units of 2 days) and moves.
  Matrix n = Matrix::Zero(5, 5);
  Vector T = Vector::Zero(5);
  std::vector<std::int64_t> ids = log.lead;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (auto id : ids) {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < log.lead.size(); ++r)
      if (log.lead[r] == id) rows.push_back(r);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const std::int32_t s = log.stage[rows[k]];
      if (s >= 3) break;
      const double end = k + 1 < rows.size() ? t[rows[k + 1]] : cutoff;
      T(s) += (end - t[rows[k]]) / 2.0;
      if (k + 1 < rows.size()) n(s, log.stage[rows[k + 1]]) += 1;
    }
  }
  EXPECT_EQ(e.matrix(), n);
  EXPECT_TRUE(e.exposure().isApprox(T, 1e-12));
  auto q = fit_continuous(e);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j)
      if (i != j) {
        EXPECT_NEAR(q.generator()(i, j), n(i, j) / T(i), 1e-12);
      }
  // It is the maximum: perturbing one rate lowers the log-likelihood.
  const double ll = q.log_likelihood(e);
  for (double f : {0.97, 1.03}) {
    Matrix g = q.generator();
    g(0, 1) *= f;
    g(0, 0) = 0;
    g(0, 0) = -g.row(0).sum();
    EXPECT_LT(ContinuousChain(kSpace, g).log_likelihood(e), ll);
  }
  // Thread count does not change the result; merging two halves by lead adds up.
  auto e1 = ExposureCounts::from_events<double>(kSpace, log.lead, t, log.stage, cutoff, 2.0, 1);
  EXPECT_EQ(e1.matrix(), e.matrix());
  EXPECT_EQ(e1.exposure(), e.exposure());
}

TEST(Continuous, CensoringIsUnbiased) {
  // Leads enter uniformly over [0, 100] days, leave 'open' at rate 0.05/day (60% won).
  // Cut-off at day 100: many are still open.  The censored MLE recovers the rates; the
  // closed-only estimate (dropping open leads) does not.
  auto sp = StageSpace::funnel({"open"}, {"won", "lost"});
  Rng rng(99);
  std::vector<std::int64_t> lead;
  std::vector<double> time;
  std::vector<std::int32_t> stage;
  double closed_time = 0, closed = 0, n_open = 0;
  for (int l = 0; l < 20000; ++l) {
    const double t0 = 100.0 * rng.uniform();
    const double d = rng.exponential(0.05);
    lead.push_back(l);
    time.push_back(t0);
    stage.push_back(0);
    if (t0 + d <= 100.0) {
      lead.push_back(l);
      time.push_back(t0 + d);
      stage.push_back(rng.bernoulli(0.6) ? 1 : 2);
      closed_time += d;
      closed += 1;
    } else {
      n_open += 1;
    }
  }
  EXPECT_GT(n_open, 3000);  // expected 20000 (1 - e^-5) / 5 = 3973
  auto q = fit_continuous(ExposureCounts::from_events<double>(sp, lead, time, stage, 100.0));
  const double rate = -q.generator()(0, 0);
  const double se = rate / std::sqrt(closed);
  EXPECT_NEAR(rate, 0.05, 4 * se);
  EXPECT_GT(closed / closed_time, 0.05 + 10 * se);  // the naive estimate is biased upwards
  EXPECT_NEAR(q.generator()(0, 1) / rate, 0.6, 0.02);
}

TEST(Continuous, TransitionMatrixClosedForm) {
  // a -> b at rate l, b -> won at rate m.
  const double l = 0.3, m = 0.7;
  auto sp = StageSpace::funnel({"a", "b"}, {"won"});
  Matrix q = Matrix::Zero(3, 3);
  q(0, 1) = l;
  q(0, 0) = -l;
  q(1, 2) = m;
  q(1, 1) = -m;
  ContinuousChain c(sp, q);
  for (double t : {0.0, 0.5, 2.0, 10.0}) {
    const Matrix p = c.transition_matrix(t);
    EXPECT_NEAR(p(0, 0), std::exp(-l * t), 1e-12);
    EXPECT_NEAR(p(0, 1), l / (m - l) * (std::exp(-l * t) - std::exp(-m * t)), 1e-12);
    EXPECT_NEAR(p(1, 2), 1 - std::exp(-m * t), 1e-12);
    EXPECT_NEAR(p(2, 2), 1.0, 1e-15);
  }
  // Chapman-Kolmogorov.
  EXPECT_TRUE(c.transition_matrix(3.0).isApprox(c.transition_matrix(1.0) * c.transition_matrix(2.0), 1e-12));
  // Hypoexponential time to close from a: mean 1/l + 1/m, variance 1/l^2 + 1/m^2.
  const std::vector<double> probs{0.1, 0.5, 0.9};
  auto ttc = time_to_close(c, probs);
  EXPECT_NEAR(ttc.mean(0), 1 / l + 1 / m, 1e-10);
  EXPECT_NEAR(ttc.variance(0), 1 / (l * l) + 1 / (m * m), 1e-9);
  EXPECT_NEAR(ttc.mean(1), 1 / m, 1e-12);
  for (std::size_t k = 0; k < probs.size(); ++k) {
    const double t = ttc.quantiles(0, static_cast<Eigen::Index>(k));
    const double cdf = 1 - (m * std::exp(-l * t) - l * std::exp(-m * t)) / (m - l);
    EXPECT_NEAR(cdf, probs[k], 1e-8);
    EXPECT_NEAR(ttc.quantiles(1, static_cast<Eigen::Index>(k)), -std::log(1 - probs[k]) / m, 1e-8);
  }
  EXPECT_NEAR(close_time_cdf(c, 2.0)(1), 1 - std::exp(-1.4), 1e-12);
  // Embedded jump chain and bad input.
  EXPECT_NEAR(c.jump_chain().matrix()(0, 1), 1.0, 1e-15);
  expect_error([&] { (void)c.transition_matrix(-1); }, Errc::invalid_argument, "horizon");
  Matrix bad = q;
  bad(0, 0) = -0.5;
  expect_error([&] { ContinuousChain(sp, bad); }, Errc::invalid_argument, "row 'a' of the generator");
  bad = q;
  bad(0, 1) = -0.1;
  expect_error([&] { ContinuousChain(sp, bad); }, Errc::invalid_argument, "Q[a][b]");
}

TEST(Continuous, BadInput) {
  auto sp = StageSpace::funnel({"a"}, {"won"});
  using V64 = std::vector<std::int64_t>;
  using V32 = std::vector<std::int32_t>;
  expect_error([&] { ExposureCounts(sp, Matrix::Zero(2, 2), Vector::Constant(2, -1.0)); },
               Errc::invalid_argument, "exposure of stage 'a' must be finite and >= 0, got -1");
  Matrix c = Matrix::Zero(2, 2);
  c(0, 1) = 3;
  Vector t = Vector::Zero(2);
  expect_error([&] { (void)fit_continuous(ExposureCounts(sp, c, t)); }, Errc::invalid_argument,
               "stage 'a' has 3 exits but zero exposure");
  expect_error([&] { (void)fit_continuous(ExposureCounts(sp, Matrix::Zero(2, 2), t)); },
               Errc::invalid_argument, "no exposure and no exits");
  EXPECT_EQ(
      fit_continuous(ExposureCounts(sp, Matrix::Zero(2, 2), t), {EmptyRows::absorbing}).generator()(0, 0),
      0.0);
  Matrix diag = Matrix::Zero(2, 2);
  diag(0, 0) = 1;
  expect_error([&] { ExposureCounts(sp, diag, t); }, Errc::invalid_argument, "diagonal must be 0");
  // Rows of one lead out of time order are sorted, not rejected (issue 11).
  {
    const auto shuffled = ExposureCounts::from_events<std::int64_t>(sp, V64{1, 1}, V64{5, 2}, V32{1, 0});
    const auto sorted = ExposureCounts::from_events<std::int64_t>(sp, V64{1, 1}, V64{2, 5}, V32{0, 1});
    EXPECT_EQ(shuffled.matrix(), sorted.matrix());
    EXPECT_EQ(shuffled.exposure(), sorted.exposure());
    EXPECT_EQ(sorted.exposure()(0), 3.0);
  }
  expect_error(
      [&] {
        ExposureCounts::from_events<std::int64_t>(sp, V64{1, 1}, V64{5, 2}, V32{0, 1});
      },
      Errc::invalid_argument, "lead 1 leaves absorbing stage 'won' for 'a' (row 0)");
  expect_error(
      [&] {
        ExposureCounts::from_events<std::int64_t>(sp, V64{1, 1}, V64{2, 2}, V32{0, 0});
      },
      Errc::invalid_argument, "duplicate event");
  expect_error(
      [&] {
        ExposureCounts::from_events<std::int64_t>(sp, V64{1, 1}, V64{2, 3}, V32{1, 0});
      },
      Errc::invalid_argument, "leaves absorbing stage 'won'");
  expect_error(
      [&] {
        ExposureCounts::from_events<std::int64_t>(sp, V64{1, 2}, V64{2, 9}, V32{0, 0}, 5);
      },
      Errc::invalid_argument, "censoring date is before an event: row 1");
  expect_error([&] { ExposureCounts::from_events<std::int64_t>(sp, V64{1}, V64{2}, V32{0}, 5, 0.0); },
               Errc::invalid_argument, "time_unit");
  auto other = StageSpace::funnel({"b"}, {"won"});
  expect_error(
      [&] {
        (void)ExposureCounts(sp, Matrix::Zero(2, 2), t).merged(ExposureCounts(other, Matrix::Zero(2, 2), t));
      },
      Errc::invalid_argument, "different stage spaces");
}

TEST(TimeToClose, DiscreteGeometric) {
  // Stay with probability s, else win: T ~ geometric on {1, 2, ...}.
  const double s = 0.8;
  auto chain = MarkovChain::from_matrix({"a", "won"}, (Matrix(2, 2) << s, 1 - s, 0, 1).finished());
  const std::vector<double> probs{0.25, 0.5, 0.9, 0.99};
  auto t = time_to_close(chain, probs);
  EXPECT_NEAR(t.mean(0), 1 / (1 - s), 1e-12);
  EXPECT_NEAR(t.variance(0), s / ((1 - s) * (1 - s)), 1e-10);
  for (std::size_t k = 0; k < probs.size(); ++k)
    EXPECT_EQ(t.quantiles(0, static_cast<Eigen::Index>(k)),
              std::ceil(std::log(1 - probs[k]) / std::log(s) - 1e-9));
  EXPECT_NEAR(close_time_cdf(chain, 3)(0), 1 - s * s * s, 1e-15);
  expect_error([&] { (void)time_to_close(chain, std::vector<double>{1.0}); }, Errc::invalid_argument,
               "(0, 1)");
  expect_error([&] { (void)time_to_close(chain, std::vector<double>{0.999999}, 10); }, Errc::not_converged,
               "max_steps");
}

TEST(Sparse, SummaryMatchesDenseAnalysis) {
  // A 600-state banded funnel (sparse) and its dense analysis agree.
  const int nt = 600;
  Matrix p = Matrix::Zero(nt + 2, nt + 2);
  Rng rng(3);
  for (int i = 0; i < nt; ++i) {
    const double stay = 0.2 * rng.uniform(), back = i > 0 ? 0.1 * rng.uniform() : 0.0;
    const double win = 0.02 * rng.uniform(), lose = 0.05 * rng.uniform();
    p(i, i) = stay;
    if (i > 0) p(i, i - 1) = back;
    p(i, nt) = win;
    p(i, nt + 1) = lose;
    p(i, i + 1 < nt ? i + 1 : nt) += 1 - stay - back - win - lose;
  }
  p(nt, nt) = 1;
  p(nt + 1, nt + 1) = 1;
  std::vector<std::string> names;
  for (int i = 0; i < nt + 2; ++i) names.push_back("s" + std::to_string(i));
  auto chain = MarkovChain::from_matrix(names, p);
  detail::TransientSolver solver(chain.matrix(), chain.space().transient());
  EXPECT_TRUE(solver.sparse());
  auto dense = analyze_absorbing(chain);
  auto sum = summarize_absorption(chain);
  EXPECT_TRUE(sum.absorption.isApprox(dense.absorption, 1e-10));
  EXPECT_TRUE(sum.expected_steps.isApprox(dense.expected_steps, 1e-10));
  EXPECT_TRUE(sum.steps_variance.isApprox(dense.steps_variance, 1e-9));
}

}  // namespace test_time
