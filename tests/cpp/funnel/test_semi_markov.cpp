// Survival with censoring and the semi-Markov funnel: Kaplan-Meier against Efron's
// redistribute-to-the-right construction, Aalen-Johansen against its identities and the
// uncensored empirical fractions, censored Weibull/gamma fits against the likelihood's
// own optimality (a brute-force grid) and the truth of large simulated samples, and the
// exponential semi-Markov funnel against the ContinuousChain closed forms.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "expect_error.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/funnel/semi_markov.hpp"

using namespace funnelnet;

namespace test_semi_markov {

struct Sample {
  std::vector<double> t;
  std::vector<std::uint8_t> obs;
};

// Integer times (ties) with about a third censored.
Sample random_sample(std::uint64_t seed, int n) {
  Rng rng(seed);
  Sample s;
  for (int i = 0; i < n; ++i) {
    s.t.push_back(std::floor(rng.exponential(0.2)) + 1);
    s.obs.push_back(rng.uniform() < 0.66 ? 1 : 0);
  }
  return s;
}

// Efron's redistribute-to-the-right: every point starts with mass 1/n; in time order
// (events before censorings at ties) a censored point hands its mass equally to all
// later points.  The survival after t is 1 - the mass of events at or before t.
double redistribute_survival(const Sample& s, double at) {
  const std::size_t n = s.t.size();
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) {
    if (s.t[a] != s.t[b]) return s.t[a] < s.t[b];
    return s.obs[a] > s.obs[b];
  });
  std::vector<double> mass(n, 1.0 / static_cast<double>(n));
  for (std::size_t k = 0; k < n; ++k) {
    if (s.obs[idx[k]]) continue;
    std::size_t later = 0;
    for (std::size_t m = k + 1; m < n; ++m) later += s.t[idx[m]] > s.t[idx[k]] ? 1 : 0;
    if (later == 0) continue;  // the mass stays (the curve never reaches 0)
    for (std::size_t m = k + 1; m < n; ++m)
      if (s.t[idx[m]] > s.t[idx[k]]) mass[idx[m]] += mass[idx[k]] / static_cast<double>(later);
    mass[idx[k]] = 0;
  }
  double dead = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (s.obs[i] && s.t[i] <= at) dead += mass[i];
  return 1.0 - dead;
}

double weibull_loglik(const Sample& s, double k, double lam) {
  double ll = 0;
  for (std::size_t i = 0; i < s.t.size(); ++i) {
    const double z = s.t[i] / lam;
    if (s.obs[i]) ll += std::log(k / lam) + (k - 1) * std::log(z);
    ll -= std::pow(z, k);
  }
  return ll;
}

double gamma_loglik(const Sample& s, double a, double th) {
  double ll = 0;
  for (std::size_t i = 0; i < s.t.size(); ++i) {
    const double x = s.t[i] / th;
    if (s.obs[i]) {
      ll += (a - 1) * std::log(x) - x - std::lgamma(a) - std::log(th);
    } else {
      // Q(a, x) by direct numerical integration of the density (Simpson, far tail).
      const int m = 20000;
      const double hi = x + 60 * std::max(1.0, std::sqrt(a)) + 10 * a;
      const double h = (hi - x) / m;
      double sum = 0;
      for (int j = 0; j <= m; ++j) {
        const double u = x + j * h;
        const double f = std::exp((a - 1) * std::log(u) - u - std::lgamma(a));
        sum += f * (j == 0 || j == m ? 1 : (j % 2 ? 4 : 2));
      }
      ll += std::log(sum * h / 3);
    }
  }
  return ll;
}

TEST(KaplanMeier, MatchesRedistributeToTheRight) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Sample s = random_sample(seed, 60);
    const auto km = kaplan_meier(s.t, s.obs);
    for (double at : {0.5, 1.0, 2.0, 3.5, 5.0, 8.0, 13.0, 30.0})
      EXPECT_NEAR(km.at(at), redistribute_survival(s, at), 1e-12) << "seed " << seed << " t " << at;
  }
}

TEST(KaplanMeier, UncensoredIsTheEmpiricalSurvival) {
  Sample s = random_sample(9, 40);
  std::fill(s.obs.begin(), s.obs.end(), 1);
  const auto km = kaplan_meier(s.t, s.obs);
  for (double at : {1.0, 2.0, 4.0, 7.0}) {
    const double above =
        static_cast<double>(std::count_if(s.t.begin(), s.t.end(), [&](double x) { return x > at; }));
    EXPECT_NEAR(km.at(at), above / 40.0, 1e-12);
  }
}

TEST(AalenJohansen, IdentitiesAndUncensoredFractions) {
  Rng rng(5);
  std::vector<double> t;
  std::vector<std::int32_t> cause;
  for (int i = 0; i < 80; ++i) {
    t.push_back(std::floor(rng.exponential(0.3)) + 1);
    const double u = rng.uniform();
    cause.push_back(u < 0.3 ? -1 : (u < 0.7 ? 0 : 1));
  }
  const auto aj = aalen_johansen(t, cause, 2);
  std::vector<std::uint8_t> obs(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) obs[i] = cause[i] >= 0;
  const auto km = kaplan_meier(t, obs);
  for (double at : {1.0, 2.0, 3.0, 6.0, 20.0}) EXPECT_NEAR(aj.at(at).sum(), 1.0 - km.at(at), 1e-12);
  // One cause only: the incidence of the single cause is 1 - KM.
  std::vector<std::int32_t> one(cause);
  for (auto& c : one) c = c >= 0 ? 0 : -1;
  const auto aj1 = aalen_johansen(t, one, 1);
  for (double at : {1.0, 4.0, 9.0}) EXPECT_NEAR(aj1.at(at)[0], 1.0 - km.at(at), 1e-12);
  // Without censoring, incidence = the fraction of that cause by t.
  for (auto& c : cause) c = c < 0 ? 1 : c;
  const auto aj0 = aalen_johansen(t, cause, 2);
  for (double at : {1.0, 3.0, 5.0}) {
    double n0 = 0;
    for (std::size_t i = 0; i < t.size(); ++i) n0 += (cause[i] == 0 && t[i] <= at) ? 1 : 0;
    EXPECT_NEAR(aj0.at(at)[0], n0 / 80.0, 1e-12);
  }
}

TEST(DurationFit, WeibullIsTheCensoredMaximum) {
  Rng rng(11);
  Sample s;
  for (int i = 0; i < 3000; ++i) {
    const double x = 30.0 * std::pow(-std::log1p(-rng.uniform()), 1.0 / 1.7);  // Weibull(1.7, 30)
    const double c = 60.0 * rng.uniform();
    s.t.push_back(std::min(x, c));
    s.obs.push_back(x <= c ? 1 : 0);
  }
  const auto f = fit_duration(HoldingFamily::weibull, s.t, s.obs);
  ASSERT_TRUE(f.converged);
  EXPECT_NEAR(f.shape, 1.7, 0.1);
  EXPECT_NEAR(f.scale, 30.0, 1.5);
  EXPECT_NEAR(f.log_likelihood, weibull_loglik(s, f.shape, f.scale), 1e-6 * std::abs(f.log_likelihood));
  // No neighbouring point on a fine grid is better.
  for (double dk : {-1e-3, 1e-3})
    for (double dl : {-1e-3, 0.0, 1e-3})
      EXPECT_LE(weibull_loglik(s, f.shape * (1 + dk), f.scale * (1 + dl)), f.log_likelihood + 1e-9);
}

TEST(DurationFit, GammaIsTheCensoredMaximum) {
  Rng rng(12);
  Sample s;
  for (int i = 0; i < 300; ++i) {
    // Gamma(3, 10) as a sum of three exponentials of mean 10.
    const double x = rng.exponential(0.1) + rng.exponential(0.1) + rng.exponential(0.1);
    const double c = 70.0 * rng.uniform();
    s.t.push_back(std::min(x, c));
    s.obs.push_back(x <= c ? 1 : 0);
  }
  const auto f = fit_duration(HoldingFamily::gamma, s.t, s.obs);
  ASSERT_TRUE(f.converged);
  EXPECT_NEAR(f.shape, 3.0, 0.6);
  EXPECT_NEAR(f.scale, 10.0, 2.5);
  const double best = gamma_loglik(s, f.shape, f.scale);
  EXPECT_NEAR(f.log_likelihood, best, 1e-5 * std::abs(best));
  for (double da : {-2e-3, 2e-3})
    for (double dt : {-2e-3, 2e-3})
      EXPECT_LE(gamma_loglik(s, f.shape * (1 + da), f.scale * (1 + dt)), best + 1e-7);
}

TEST(DurationFit, ExponentialIsEventsOverExposure) {
  const Sample s = random_sample(4, 50);
  const auto f = fit_duration(HoldingFamily::exponential, s.t, s.obs);
  double total = 0, d = 0;
  for (std::size_t i = 0; i < s.t.size(); ++i) total += s.t[i], d += s.obs[i];
  EXPECT_NEAR(f.scale, total / d, 1e-12);
}

TEST(DurationFit, TiedEventsDoNotConvergeSilently) {
  std::vector<double> t(10, 5.0);
  std::vector<std::uint8_t> obs(10, 1);
  const auto f = fit_duration(HoldingFamily::weibull, t, obs);
  EXPECT_FALSE(f.converged);
  StageSpace sp({"a", "won"}, {false, true});
  std::vector<std::int32_t> st(10, 0), nx(10, 1);
  expect_error([&] { (void)SemiMarkovFunnel::fit(sp, st, t, nx, {HoldingFamily::weibull}); },
               Errc::not_converged, "from 'a' to 'won'");
}

// Sojourns of leads through a -> {b, won, lost}, b -> {a, won, lost} with exponential
// holding times (a CTMC); some are censored at a fixed horizon.
Sojourns ctmc_sojourns(std::uint64_t seed, int leads, double horizon) {
  const double q[2][4] = {{0, 0.10, 0.03, 0.05}, {0.02, 0, 0.08, 0.02}};  // to a, b, won, lost
  Rng rng(seed);
  Sojourns s;
  for (int l = 0; l < leads; ++l) {
    int at = 0;
    double now = 0;
    for (;;) {
      const double total = q[at][0] + q[at][1] + q[at][2] + q[at][3];
      const double hold = rng.exponential(total);
      if (now + hold > horizon) {
        s.stage.push_back(at), s.next.push_back(-1), s.duration.push_back(horizon - now);
        break;
      }
      double u = rng.uniform() * total;
      int to = 0;
      while (u >= q[at][to]) u -= q[at][to], ++to;
      s.stage.push_back(at), s.next.push_back(to), s.duration.push_back(hold);
      now += hold;
      if (to >= 2) break;
      at = to;
    }
  }
  return s;
}

TEST(SemiMarkov, ExponentialEqualsTheContinuousChain) {
  const Sojourns s = ctmc_sojourns(21, 4000, 40.0);
  StageSpace sp({"a", "b", "won", "lost"}, {false, false, true, true});
  const auto m = SemiMarkovFunnel::fit(sp, s.stage, s.duration, s.next, {HoldingFamily::exponential});
  // The MLE generator q_ij = n_ij / T_i, computed here directly.
  Matrix Q = Matrix::Zero(4, 4);
  Vector T = Vector::Zero(4);
  for (std::size_t r = 0; r < s.stage.size(); ++r) {
    T[s.stage[r]] += s.duration[r];
    if (s.next[r] >= 0) Q(s.stage[r], s.next[r]) += 1;
  }
  for (int i = 0; i < 2; ++i) {
    Q.row(i) /= T[i];
    Q(i, i) = -Q.row(i).sum();
  }
  const ContinuousChain chain(sp, Q);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      if (j != i) {
        EXPECT_NEAR(m.jump_matrix()(i, j), Q(i, j) / -Q(i, i), 1e-6) << i << "," << j;
      }
  // Holding survival exp(q_i t) and the time-to-close distribution by simulation.
  EXPECT_NEAR(m.holding_survival(0, 7.0), std::exp(Q(0, 0) * 7.0), 1e-12);
  const std::size_t n = 200000;
  const auto draws = m.simulate_close(0, 12.0, n, 7, 0);  // memoryless: age does not matter
  for (double t : {5.0, 15.0, 40.0}) {
    const double p = close_time_cdf(chain, t)[0];
    const double mc = static_cast<double>(std::count_if(draws.time.begin(), draws.time.end(),
                                                        [&](double x) { return x <= t; })) /
                      n;
    EXPECT_NEAR(mc, p, 4 * std::sqrt(p * (1 - p) / n) + 1e-9) << t;
  }
  const double won = static_cast<double>(std::count(draws.outcome.begin(), draws.outcome.end(), 2)) / n;
  // Absorption from the jump chain: B = (I - P_TT)^-1 P_TA.
  Matrix P = m.jump_matrix();
  Matrix B = (Matrix::Identity(2, 2) - P.topLeftCorner(2, 2)).inverse() * P.topRightCorner(2, 2);
  EXPECT_NEAR(won, B(0, 0), 4 * std::sqrt(B(0, 0) * (1 - B(0, 0)) / n));
}

TEST(SemiMarkov, EmpiricalAgeConditioningMatchesCounting) {
  // One stage, no censoring: P(won | age a) is the share of won among exits after a.
  Rng rng(3);
  std::vector<std::int32_t> st, nx;
  std::vector<double> du;
  for (int i = 0; i < 500; ++i) {
    const bool won = rng.uniform() < 0.5;
    st.push_back(0);
    nx.push_back(won ? 1 : 2);
    du.push_back(std::floor(won ? rng.exponential(0.1) : 3 * rng.exponential(0.1)) +
                 1);  // lost ones are slower
  }
  StageSpace sp({"open", "won", "lost"}, {false, true, true});
  const auto m = SemiMarkovFunnel::fit(sp, st, du, nx);
  for (double age : {0.0, 10.0, 30.0}) {
    double w = 0, all = 0;
    for (std::size_t i = 0; i < du.size(); ++i)
      if (du[i] > age) all += 1, w += nx[i] == 1;
    const std::size_t n = 100000;
    const auto d = m.simulate_close(0, age, n, 1, 0);
    const double mc = static_cast<double>(std::count(d.outcome.begin(), d.outcome.end(), 1)) / n;
    const double p = w / all;
    EXPECT_NEAR(mc, p, 4 * std::sqrt(p * (1 - p) / n) + 1e-9) << age;
  }
  EXPECT_NEAR(
      m.holding_quantile(0, 0.5),
      [&] {
        std::vector<double> v(du);
        std::sort(v.begin(), v.end());
        return v[249];  // smallest t with at least half gone (ties: the KM step)
      }(),
      1e-12);
}

TEST(SemiMarkov, SameSeedSameDrawsAtAnyThreadCount) {
  const Sojourns s = ctmc_sojourns(8, 500, 30.0);
  StageSpace sp({"a", "b", "won", "lost"}, {false, false, true, true});
  for (auto fam : {HoldingFamily::empirical, HoldingFamily::weibull}) {
    const auto m = SemiMarkovFunnel::fit(sp, s.stage, s.duration, s.next, {fam});
    const auto a = m.simulate_close(1, 3.0, 20000, 42, 1);
    const auto b = m.simulate_close(1, 3.0, 20000, 42, 4);
    EXPECT_EQ(a.time, b.time);
    EXPECT_EQ(a.outcome, b.outcome);
  }
}

TEST(SemiMarkov, BadInputNamesTheRow) {
  StageSpace sp({"a", "won"}, {false, true});
  std::vector<std::int32_t> st{0, 1}, nx{1, -1};
  std::vector<double> du{1.0, 2.0};
  expect_error([&] { (void)SemiMarkovFunnel::fit(sp, st, du, nx); }, Errc::invalid_argument,
               "row 1 is the outcome 'won'");
  st = {0, 0};
  nx = {1, 0};
  expect_error([&] { (void)SemiMarkovFunnel::fit(sp, st, du, nx); }, Errc::invalid_argument,
               "row 1 moves from 'a' to itself");
  nx = {-1, -1};
  expect_error([&] { (void)SemiMarkovFunnel::fit(sp, st, du, nx); }, Errc::empty_input,
               "stage 'a' has no observed exit");
  nx = {1, 1};
  du = {1.0, -2.0};
  expect_error([&] { (void)SemiMarkovFunnel::fit(sp, st, du, nx); }, Errc::invalid_argument,
               "duration: row 1 is -2");
  du = {1.0, 0.0};
  expect_error([&] { (void)SemiMarkovFunnel::fit(sp, st, du, nx, {HoldingFamily::gamma}); },
               Errc::invalid_argument, "duration: row 1 is 0");
  std::vector<std::uint8_t> obs{1, 2};
  expect_error([&] { (void)kaplan_meier(du, obs); }, Errc::invalid_argument, "observed: row 1 is 2");
  std::vector<std::int32_t> cause{0, 3};
  expect_error([&] { (void)aalen_johansen(du, cause, 2); }, Errc::out_of_range, "cause: row 1 is 3");
}

TEST(SemiMarkov, SojournsFromAShuffledEventLog) {
  // Stages a, b; outcomes won, lost.  Lead 7: a@0, a@2 (a status update), b@5, won@9;
  // lead 3: b@1, open at the cut-off 10; lead 5: a@4, lost@4.5.  Rows shuffled.
  auto sp = StageSpace::funnel({"a", "b"}, {"won", "lost"});
  const std::vector<std::int64_t> lead = {3, 7, 5, 7, 7, 5, 7};
  const std::vector<double> time = {1, 9, 4.5, 2, 0, 4, 5};
  const std::vector<std::int32_t> stage = {1, 2, 3, 0, 0, 0, 1};
  const auto s = sojourns_from_events<double>(sp, lead, time, stage, 10.0, 0.5);
  // Leads in order of first appearance (3, 7, 5); durations in units of 0.5.
  EXPECT_EQ(s.stage, (std::vector<std::int32_t>{1, 0, 1, 0}));
  EXPECT_EQ(s.next, (std::vector<std::int32_t>{-1, 1, 2, 3}));
  EXPECT_EQ(s.duration, (std::vector<double>{18, 10, 8, 1}));
  // Default cut-off: the latest event (9).
  EXPECT_EQ(sojourns_from_events<double>(sp, lead, time, stage).duration[0], 8.0);  // (9 - 1) / 1
  // The same rules and messages as every event-log reader.
  expect_error([&] { (void)sojourns_from_events<double>(sp, lead, time, stage, 8.0); },
               Errc::invalid_argument, "row 1");
  const std::vector<std::int64_t> lead2 = {5, 5};
  const std::vector<double> time2 = {1, 2};
  const std::vector<std::int32_t> stage2 = {3, 0};
  expect_error([&] { (void)sojourns_from_events<double>(sp, lead2, time2, stage2); }, Errc::invalid_argument,
               "lead 5 leaves absorbing stage 'lost' for 'a' (row 1)");
  expect_error([&] { (void)sojourns_from_events<double>(sp, lead, time, stage, 10.0, 0.0); },
               Errc::invalid_argument, "time_unit must be finite and > 0");
  // The fitted model's stale rule: the holding quantile, else the longest exit seen.
  const auto m = SemiMarkovFunnel::fit(sp, s.stage, s.duration, s.next);
  EXPECT_EQ(m.last_exit(0), 10.0);
  EXPECT_EQ(m.last_exit(1), 8.0);
  EXPECT_EQ(m.stale_age(0, 0.5), m.holding_quantile(0, 0.5));
  EXPECT_TRUE(std::isinf(m.holding_quantile(1, 0.9)));  // b: one exit, one censored longer
  EXPECT_EQ(m.stale_age(1, 0.9), 8.0);
}

TEST(Opportunities, TheCrmShapeAsAnEventLog) {
  // The Python docstring's table: a open in Prospecting without dates, b open in Engaging
  // (engaged day 5), c won (engaged 2, closed 12), d lost (engaged 3, closed 7).
  auto sp = StageSpace::funnel({"Prospecting", "Engaging"}, {"Won", "Lost"});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::int32_t> current = {0, 1, 2, 3};
  const std::vector<double> dates = {nan, nan, nan, 5, nan, 2, nan, 3};
  const std::vector<double> close = {nan, nan, 12, 7};
  const auto u = opportunity_events(sp, current, dates, close, MissingDates::untimed, 15.0);
  // untimed: every step kept; an undated step takes the next date on its path.
  EXPECT_EQ(u.lead, (std::vector<std::int64_t>{0, 1, 1, 2, 2, 2, 3, 3, 3}));
  EXPECT_EQ(u.stage, (std::vector<std::int32_t>{0, 0, 1, 0, 1, 2, 0, 1, 3}));
  EXPECT_EQ(u.time, (std::vector<double>{15, 5, 5, 2, 2, 12, 3, 3, 7}));
  const auto counts = TransitionCounts::from_events<double>(sp, u.lead, u.time, u.stage, Repeats::collapse);
  EXPECT_EQ(counts.matrix()(0, 1), 3.0);  // as the Python docstring: [[3, 0], [0, 1]]
  EXPECT_EQ(counts.matrix()(1, 2), 1.0);
  // censor: leading undated steps skipped; a has no date and is left out.
  const auto c = opportunity_events(sp, current, dates, close, MissingDates::censor, 15.0);
  EXPECT_EQ(c.lead, (std::vector<std::int64_t>{1, 2, 2, 3, 3}));
  EXPECT_EQ(c.stage, (std::vector<std::int32_t>{1, 1, 2, 1, 3}));
  // Exposure in Engaging: 10 (b, to the cut-off) + 10 (c) + 4 (d) = 24, as in Python.
  const auto e = ExposureCounts::from_events<double>(sp, c.lead, c.time, c.stage, c.cutoff);
  EXPECT_EQ(e.exposure()(1), 24.0);
  EXPECT_EQ(opportunity_events(sp, current, dates, close).cutoff, 12.0);  // the latest date
  // A gap after a dated stage cuts the history there (censor).
  const std::vector<double> gap = {1, nan};
  const auto g =
      opportunity_events(sp, std::vector<std::int32_t>{2}, gap, std::vector<double>{4}, MissingDates::censor);
  EXPECT_EQ(g.stage, (std::vector<std::int32_t>{0, 2}));  // Prospecting, then won on 4 (last dated stage)
  // Errors name the row and stage.
  const std::vector<double> back = {nan, nan, nan, 5, nan, 2, nan, 9};
  expect_error(
      [&] { (void)opportunity_events(sp, current, back, close, MissingDates::censor); },
      Errc::invalid_argument,
      "opportunity row 3: the date of the close ('Lost') (7) is before the date of stage 'Engaging' (9)");
  expect_error(
      [&] {
        (void)opportunity_events(sp, std::vector<std::int32_t>{0, 4}, std::vector<double>(4, 1.0), {});
      },
      Errc::out_of_range, "current: row 1 is 4");
  expect_error(
      [&] {
        (void)opportunity_events(sp, std::vector<std::int32_t>{0}, std::vector<double>{nan, nan}, {});
      },
      Errc::empty_input, "no opportunity has a dated step");
}

}  // namespace test_semi_markov
