// Survival estimates with censoring, censored duration fits and the semi-Markov funnel
// (declared in funnelnet/funnel/semi_markov.hpp).
#include "funnelnet/funnel/semi_markov.hpp"

#include <LBFGS.h>

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "funnel/leads.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/math.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"

FUNNELNET_BEGIN

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_durations(std::span<const double> duration, bool positive) {
  for (std::size_t r = 0; r < duration.size(); ++r) {
    const double d = duration[r];
    if (!std::isfinite(d) || d < 0.0 || (positive && d == 0.0))
      fail(Errc::invalid_argument, "duration: row ", r, " is ", d,
           positive ? ", expected finite and > 0" : ", expected finite and >= 0");
  }
}

// Rows sorted by duration (stable).
std::vector<std::size_t> order_by(std::span<const double> duration) {
  std::vector<std::size_t> idx(duration.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return duration[a] < duration[b]; });
  return idx;
}

}  // namespace

// ------------------------------------------------------------------ Kaplan-Meier
double SurvivalCurve::at(double t) const {
  auto it = std::upper_bound(time.begin(), time.end(), t);
  if (it == time.begin()) return 1.0;
  return survival[static_cast<std::size_t>(it - time.begin()) - 1];
}

SurvivalCurve kaplan_meier(std::span<const double> duration, std::span<const std::uint8_t> observed) {
  require_size(observed.size(), duration.size(), "observed");
  if (duration.empty()) fail(Errc::empty_input, "kaplan_meier: no durations");
  check_durations(duration, false);
  for (std::size_t r = 0; r < observed.size(); ++r)
    if (observed[r] > 1)
      fail(Errc::invalid_argument, "observed: row ", r, " is ", int(observed[r]), ", expected 0 or 1");
  const auto idx = order_by(duration);
  SurvivalCurve c;
  double s = 1.0;
  double at_risk = static_cast<double>(duration.size());
  for (std::size_t k = 0; k < idx.size();) {
    const double t = duration[idx[k]];
    double d = 0, n = 0;
    for (; k < idx.size() && duration[idx[k]] == t; ++k) {
      n += 1;
      d += observed[idx[k]];
    }
    if (d > 0) {
      s *= 1.0 - d / at_risk;
      c.time.push_back(t);
      c.at_risk.push_back(at_risk);
      c.events.push_back(d);
      c.survival.push_back(s);
    }
    at_risk -= n;
  }
  return c;
}

// ------------------------------------------------------------------ Aalen-Johansen
Vector CumulativeIncidence::at(double t) const {
  auto it = std::upper_bound(time.begin(), time.end(), t);
  if (it == time.begin()) return Vector::Zero(incidence.cols());
  return incidence.row(static_cast<Eigen::Index>(it - time.begin()) - 1).transpose();
}

CumulativeIncidence aalen_johansen(std::span<const double> duration, std::span<const std::int32_t> cause,
                                   std::size_t n_causes) {
  require_size(cause.size(), duration.size(), "cause");
  if (duration.empty()) fail(Errc::empty_input, "aalen_johansen: no durations");
  if (n_causes == 0) fail(Errc::invalid_argument, "aalen_johansen: n_causes must be >= 1");
  check_durations(duration, false);
  for (std::size_t r = 0; r < cause.size(); ++r)
    if (cause[r] < -1 || cause[r] >= static_cast<std::int32_t>(n_causes))
      fail(Errc::out_of_range, "cause: row ", r, " is ", cause[r], ", expected -1 (censored) or 0..",
           n_causes - 1);
  const auto idx = order_by(duration);
  CumulativeIncidence c;
  std::vector<std::vector<double>> rows;
  std::vector<double> f(n_causes, 0.0), d(n_causes);
  double s = 1.0;
  double at_risk = static_cast<double>(duration.size());
  for (std::size_t k = 0; k < idx.size();) {
    const double t = duration[idx[k]];
    std::fill(d.begin(), d.end(), 0.0);
    double n = 0, total = 0;
    for (; k < idx.size() && duration[idx[k]] == t; ++k) {
      n += 1;
      if (cause[idx[k]] >= 0) {
        d[static_cast<std::size_t>(cause[idx[k]])] += 1;
        total += 1;
      }
    }
    if (total > 0) {
      for (std::size_t j = 0; j < n_causes; ++j) f[j] += s * d[j] / at_risk;  // S(t-) * hazard of cause j
      s *= 1.0 - total / at_risk;
      c.time.push_back(t);
      c.at_risk.push_back(at_risk);
      c.survival.push_back(s);
      rows.push_back(f);
    }
    at_risk -= n;
  }
  c.incidence = Matrix::Zero(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(n_causes));
  for (std::size_t k = 0; k < rows.size(); ++k)
    for (std::size_t j = 0; j < n_causes; ++j)
      c.incidence(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = rows[k][j];
  return c;
}

// ------------------------------------------------------------------ duration fits
const char* family_name(HoldingFamily family) {
  switch (family) {
    case HoldingFamily::empirical: return "empirical";
    case HoldingFamily::exponential: return "exponential";
    case HoldingFamily::weibull: return "weibull";
    case HoldingFamily::gamma: return "gamma";
  }
  return "unknown";
}

double DurationFit::log_survival(double t) const {
  if (t <= 0) return 0.0;
  switch (family) {
    case HoldingFamily::exponential: return -t / scale;
    case HoldingFamily::weibull: return -std::pow(t / scale, shape);
    case HoldingFamily::gamma: {
      const double q = boost::math::gamma_q(shape, t / scale);
      return q > 0 ? std::log(q) : -kInf;
    }
    default: return kNaN;
  }
}

double DurationFit::survival(double t) const {
  if (t <= 0) return 1.0;
  if (family == HoldingFamily::gamma) return boost::math::gamma_q(shape, t / scale);
  return std::exp(log_survival(t));
}

double DurationFit::inverse_survival(double s) const {
  if (s >= 1.0) return 0.0;
  if (s <= 0.0) return kInf;
  switch (family) {
    case HoldingFamily::exponential: return -scale * std::log(s);
    case HoldingFamily::weibull: return scale * std::pow(-std::log(s), 1.0 / shape);
    case HoldingFamily::gamma: return scale * boost::math::gamma_q_inv(shape, s);
    default: return kNaN;
  }
}

namespace {

DurationFit fit_weibull(std::span<const double> t, std::span<const std::uint8_t> obs, double d, double tol,
                        int max_iter) {
  // Profile likelihood: for a shape k the scale is (sum t^k / d)^(1/k), and the shape
  // solves g(k) = sum t^k log t / sum t^k - 1/k - mean_events(log t) = 0, g increasing.
  // Times are divided by their maximum so that t^k stays in range.
  const double tmax = *std::max_element(t.begin(), t.end());
  std::vector<double> lx(t.size());
  double mean_log_events = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    lx[r] = std::log(t[r] / tmax);
    if (obs[r]) mean_log_events += lx[r];
  }
  mean_log_events /= d;
  auto g = [&](double k) {
    double a = 0, b = 0;
    for (double l : lx) {
      const double w = std::exp(k * l);
      a += w * l;
      b += w;
    }
    return a / b - 1.0 / k - mean_log_events;
  };
  DurationFit fit;
  fit.family = HoldingFamily::weibull;
  double lo = 1.0, hi = 1.0;
  int expand = 0;
  while (g(lo) > 0 && expand < 60) lo /= 2, ++expand;
  while (g(hi) < 0 && expand < 120) hi *= 2, ++expand;
  if (g(lo) > 0 || g(hi) < 0) {  // no root: the likelihood has no maximum (e.g. all events tied)
    fit.converged = false;
    fit.iterations = expand;
    return fit;
  }
  std::uintmax_t it = static_cast<std::uintmax_t>(std::max(1, max_iter));
  auto stop = [tol](double a, double b) { return std::abs(b - a) <= tol * std::max(1.0, std::abs(a)); };
  const auto r = boost::math::tools::toms748_solve(g, lo, hi, stop, it);
  const double k = 0.5 * (r.first + r.second);
  double sum = 0;
  for (double l : lx) sum += std::exp(k * l);
  const double scale = tmax * std::pow(sum / d, 1.0 / k);
  fit.shape = k;
  fit.scale = scale;
  fit.iterations = static_cast<int>(it) + expand;
  fit.converged = stop(r.first, r.second);
  fit.gradient_norm = std::abs(g(k));
  double ll = 0;
  for (std::size_t r2 = 0; r2 < t.size(); ++r2) {
    const double z = t[r2] / scale;
    if (obs[r2]) ll += std::log(k / scale) + (k - 1) * std::log(z);
    ll -= std::pow(z, k);
  }
  fit.log_likelihood = ll;
  return fit;
}

// Negative log-likelihood of a censored gamma sample in (log shape, log scale), on
// times divided by `unit`.
struct GammaNll {
  std::span<const double> t;
  std::span<const std::uint8_t> obs;
  double unit;

  double value(double a, double theta) const {
    double ll = 0;
    const double lg = detail::log_gamma(a);
    for (std::size_t r = 0; r < t.size(); ++r) {
      const double x = t[r] / unit / theta;
      if (obs[r]) {
        ll += (a - 1) * std::log(x) - x - lg - std::log(theta);
      } else {
        const double q = boost::math::gamma_q(a, x);
        ll += q > 0 ? std::log(q) : -1e300;
      }
    }
    return -ll;
  }

  double operator()(const Eigen::VectorXd& p, Eigen::VectorXd& grad) const {
    const double a = std::exp(p[0]), theta = std::exp(p[1]);
    double ll = 0, ga = 0, gt = 0;  // gradient in (a, log theta)
    const double lg = detail::log_gamma(a), dg = boost::math::digamma(a);
    const double h = 1e-6 * a;
    for (std::size_t r = 0; r < t.size(); ++r) {
      const double x = t[r] / unit / theta;
      if (obs[r]) {
        ll += (a - 1) * std::log(x) - x - lg - std::log(theta);
        ga += std::log(x) - dg;
        gt += -(a - 1) + x - 1;  // d/dlog(theta): x -> -x
      } else {
        const double q = boost::math::gamma_q(a, x);
        if (!(q > 0)) {
          ll += -1e300;
          continue;
        }
        ll += std::log(q);
        // d log Q / d log theta = x * density(x) / Q; d/da by central differences.
        gt += x * boost::math::gamma_p_derivative(a, x) / q;
        ga += (std::log(boost::math::gamma_q(a + h, x)) - std::log(boost::math::gamma_q(a - h, x))) / (2 * h);
      }
    }
    grad.resize(2);
    grad[0] = -ga * a;  // chain rule to log a
    grad[1] = -gt;
    return -ll;
  }
};

DurationFit fit_gamma(std::span<const double> t, std::span<const std::uint8_t> obs, double d, double tol,
                      int max_iter) {
  double total = 0;
  for (double x : t) total += x;
  const double unit = total / d;  // the exponential fit's mean: start at shape 1, scale 1
  GammaNll nll{t, obs, unit};
  LBFGSpp::LBFGSParam<double> param;
  // Stop on a small score per observation, or when the objective stops decreasing
  // (relative change below tol); converged means the score per observation is below
  // 1e-5 (the derivative in the shape is a central difference, good to about 1e-9).
  const double n_obs = static_cast<double>(t.size());
  param.epsilon = 1e-8 * n_obs;
  param.epsilon_rel = 0.0;
  param.past = 1;
  param.delta = tol;
  param.max_iterations = std::max(1, max_iter);
  LBFGSpp::LBFGSSolver<double> solver(param);
  Eigen::VectorXd p = Eigen::VectorXd::Zero(2);
  double fx = 0;
  DurationFit fit;
  fit.family = HoldingFamily::gamma;
  try {
    fit.iterations = solver.minimize(nll, p, fx);
    Eigen::VectorXd grad(2);
    nll(p, grad);
    fit.gradient_norm = grad.norm();
    fit.converged = fit.gradient_norm <= 1e-5 * n_obs;
  } catch (const std::exception&) {
    // The line search failed: accept the point only if it is stationary.
    Eigen::VectorXd grad(2);
    nll(p, grad);
    fit.gradient_norm = grad.norm();
    fit.iterations = param.max_iterations;
    fit.converged = fit.gradient_norm <= 1e-5 * n_obs;
  }
  fit.shape = std::exp(p[0]);
  fit.scale = std::exp(p[1]) * unit;
  // Log-likelihood in the user's units (the density scales by 1/unit per event).
  fit.log_likelihood = -nll.value(fit.shape, std::exp(p[1])) - d * std::log(unit);
  return fit;
}

// Hazard rate f(t) / S(t) of a parametric fit at t > 0.
double hazard(const DurationFit& f, double t) {
  switch (f.family) {
    case HoldingFamily::exponential: return 1.0 / f.scale;
    case HoldingFamily::weibull: return f.shape / f.scale * std::pow(t / f.scale, f.shape - 1.0);
    case HoldingFamily::gamma: {
      const double x = t / f.scale;
      const double q = boost::math::gamma_q(f.shape, x);
      if (q > 1e-300) return boost::math::gamma_p_derivative(f.shape, x) / f.scale / q;
      return 1.0 / f.scale;  // the gamma hazard tends to 1 / scale
    }
    default: return kNaN;
  }
}

}  // namespace

DurationFit fit_duration(HoldingFamily family, std::span<const double> duration,
                         std::span<const std::uint8_t> observed, double tol, int max_iter) {
  require_size(observed.size(), duration.size(), "observed");
  if (duration.empty()) fail(Errc::empty_input, "fit_duration: no durations");
  if (family == HoldingFamily::empirical)
    fail(Errc::invalid_argument, "fit_duration: family must be exponential, weibull or gamma, got empirical");
  if (!(tol > 0) || !std::isfinite(tol))
    fail(Errc::invalid_argument, "tol must be finite and > 0, got ", tol);
  if (max_iter < 1) fail(Errc::invalid_argument, "max_iter must be >= 1, got ", max_iter);
  check_durations(duration, family != HoldingFamily::exponential);
  double d = 0, total = 0;
  for (std::size_t r = 0; r < observed.size(); ++r) {
    if (observed[r] > 1)
      fail(Errc::invalid_argument, "observed: row ", r, " is ", int(observed[r]), ", expected 0 or 1");
    d += observed[r];
    total += duration[r];
  }
  if (d == 0) fail(Errc::empty_input, "fit_duration: no events (every duration is censored)");
  DurationFit fit;
  if (family == HoldingFamily::exponential) {
    fit.family = family;
    fit.shape = 1.0;
    if (!(total > 0))
      fail(Errc::invalid_argument, "fit_duration: the total duration is 0, the rate is unbounded");
    fit.scale = total / d;
    fit.log_likelihood = -d * std::log(fit.scale) - d;
    fit.converged = true;
  } else if (family == HoldingFamily::weibull) {
    fit = fit_weibull(duration, observed, d, tol, max_iter);
  } else {
    fit = fit_gamma(duration, observed, d, tol, max_iter);
  }
  fit.events = static_cast<std::size_t>(d);
  fit.censored = duration.size() - fit.events;
  return fit;
}

// ------------------------------------------------------------------ semi-Markov funnel
SemiMarkovFunnel SemiMarkovFunnel::fit(StageSpace space, std::span<const std::int32_t> stage,
                                       std::span<const double> duration, std::span<const std::int32_t> next,
                                       const SemiMarkovOptions& options) {
  const std::size_t n = space.size();
  require_size(duration.size(), stage.size(), "duration");
  require_size(next.size(), stage.size(), "next");
  if (stage.empty()) fail(Errc::empty_input, "the sojourn table has no rows");
  if (static_cast<int>(options.family) < 0 || static_cast<int>(options.family) > 3)
    fail(Errc::invalid_argument, "family: unknown value ", static_cast<int>(options.family));
  const bool parametric = options.family != HoldingFamily::empirical;
  check_durations(duration, parametric && options.family != HoldingFamily::exponential);
  Matrix exits = Matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t r = 0; r < stage.size(); ++r) {
    const auto i = stage[r], j = next[r];
    if (i < 0 || static_cast<std::size_t>(i) >= n)
      fail(Errc::out_of_range, "stage: row ", r, " is ", i, ", expected 0..", n - 1);
    if (space.is_absorbing(static_cast<std::size_t>(i)))
      fail(Errc::invalid_argument, "stage: row ", r, " is the outcome '",
           space.name(static_cast<std::size_t>(i)), "'; sojourns are spent in stages");
    if (j < -1 || (j >= 0 && static_cast<std::size_t>(j) >= n))
      fail(Errc::out_of_range, "next: row ", r, " is ", j, ", expected -1 (still there) or 0..", n - 1);
    if (j == i)
      fail(Errc::invalid_argument, "next: row ", r, " moves from '", space.name(static_cast<std::size_t>(i)),
           "' to itself");
    if (j >= 0) exits(i, j) += 1;
  }
  for (auto i : space.transient())
    if (exits.row(i).sum() == 0)
      fail(Errc::empty_input, "stage '", space.name(static_cast<std::size_t>(i)),
           "' has no observed exit, so its holding time cannot be fitted");

  SemiMarkovFunnel m;
  m.family_ = options.family;
  m.last_exit_.assign(n, kNaN);
  for (std::size_t r = 0; r < stage.size(); ++r)
    if (next[r] >= 0) {
      double& v = m.last_exit_[static_cast<std::size_t>(stage[r])];
      v = std::isnan(v) ? duration[r] : std::max(v, duration[r]);
    }
  m.jump_ = Matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  m.models_.resize(n);
  // Rows of each stage.
  std::vector<std::vector<std::size_t>> rows(n);
  for (std::size_t r = 0; r < stage.size(); ++r) rows[static_cast<std::size_t>(stage[r])].push_back(r);
  for (std::size_t i = 0; i < n; ++i) {
    if (space.is_absorbing(i)) {
      m.jump_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)) = 1.0;
      continue;
    }
    StageModel& sm = m.models_[i];
    for (std::size_t j = 0; j < n; ++j)
      if (exits(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) > 0)
        sm.dest.push_back(static_cast<std::int32_t>(j));
    std::vector<double> dur;
    std::vector<std::int32_t> cause;
    for (auto r : rows[i]) {
      dur.push_back(duration[r]);
      const auto it = std::find(sm.dest.begin(), sm.dest.end(), next[r]);
      cause.push_back(next[r] < 0 ? -1 : static_cast<std::int32_t>(it - sm.dest.begin()));
    }
    if (!parametric) {
      const auto aj = aalen_johansen(dur, cause, sm.dest.size());
      double prev_total = 0;
      for (std::size_t k = 0; k < aj.time.size(); ++k) {
        for (std::size_t c = 0; c < sm.dest.size(); ++c) {
          const double before =
              k == 0 ? 0.0 : aj.incidence(static_cast<Eigen::Index>(k - 1), static_cast<Eigen::Index>(c));
          const double mass =
              aj.incidence(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)) - before;
          if (mass <= 0) continue;
          prev_total += mass;
          sm.time.push_back(aj.time[k]);
          sm.to.push_back(sm.dest[c]);
          sm.cum.push_back(prev_total);
        }
      }
      const double total = exits.row(static_cast<Eigen::Index>(i)).sum();
      for (const auto dest : sm.dest) {
        const auto j = static_cast<Eigen::Index>(dest);
        m.jump_(static_cast<Eigen::Index>(i), j) = exits(static_cast<Eigen::Index>(i), j) / total;
        DurationFit f;
        f.family = HoldingFamily::empirical;
        f.converged = true;
        f.events = static_cast<std::size_t>(exits(static_cast<Eigen::Index>(i), j));
        f.censored = dur.size() - f.events;
        m.components_.push_back({static_cast<std::int32_t>(i), dest, f});
      }
      continue;
    }
    std::vector<std::uint8_t> obs(dur.size());
    for (std::size_t c = 0; c < sm.dest.size(); ++c) {
      for (std::size_t r = 0; r < dur.size(); ++r) obs[r] = cause[r] == static_cast<std::int32_t>(c);
      DurationFit f = fit_duration(options.family, dur, obs, options.tol, options.max_iter);
      if (!f.converged)
        fail(Errc::not_converged, "the ", family_name(options.family), " fit of the time from '",
             space.name(i), "' to '", space.name(static_cast<std::size_t>(sm.dest[c])),
             "' did not converge in ", f.iterations, " iterations (score ", f.gradient_norm, "; ", f.events,
             " exits, ", f.censored, " censored); try family='empirical' or a larger max_iter");
      sm.fits.push_back(f);
      m.components_.push_back({static_cast<std::int32_t>(i), sm.dest[c], f});
    }
  }
  // Parametric jump chain: P_ij = integral_0^inf f_ij(t) prod_{k != j} S_ik(t) dt, by the
  // exact competing-risks identity for exponential, and by quadrature otherwise.
  if (parametric) {
    for (std::size_t i = 0; i < n; ++i) {
      if (space.is_absorbing(i)) continue;
      const StageModel& sm = m.models_[i];
      const std::size_t nd = sm.dest.size();
      if (nd == 1) {
        m.jump_(static_cast<Eigen::Index>(i), sm.dest[0]) = 1.0;
        continue;
      }
      // P_ij = integral of h_ij / sum_k h_ik over u = P(left by t) in (0, 1): the
      // midpoint rule on `grid` quantiles of the overall holding time (t(u) by bisection).
      const int grid = 4000;
      std::vector<double> acc(nd, 0.0), h(nd);
      auto logs = [&](double t) {
        double v = 0;
        for (const auto& f : sm.fits) v += f.log_survival(t);
        return v;
      };
      double t_prev = 0.0;
      for (int g = 0; g < grid; ++g) {
        const double target = std::log1p(-(g + 0.5) / grid);
        double lo = t_prev, hi = std::max(1e-300, t_prev);
        while (logs(hi) > target && hi < 1e300) hi = hi * 2 + 1e-12;
        for (int it = 0; it < 80 && hi - lo > 1e-13 * hi; ++it) {
          const double mid = 0.5 * (lo + hi);
          (logs(mid) > target ? lo : hi) = mid;
        }
        const double t = 0.5 * (lo + hi);
        double sum = 0;
        for (std::size_t c = 0; c < nd; ++c) sum += h[c] = hazard(sm.fits[c], t);
        for (std::size_t c = 0; c < nd; ++c)
          acc[c] += (sum > 0 ? h[c] / sum : 1.0 / static_cast<double>(nd)) / grid;
        t_prev = t;
      }
      for (std::size_t c = 0; c < nd; ++c) m.jump_(static_cast<Eigen::Index>(i), sm.dest[c]) = acc[c];
    }
  }
  m.space_ = std::move(space);
  return m;
}

double SemiMarkovFunnel::holding_survival(std::int32_t stage, double t) const {
  if (stage < 0 || static_cast<std::size_t>(stage) >= space_.size() ||
      space_.is_absorbing(static_cast<std::size_t>(stage)))
    fail(Errc::invalid_argument, "holding_survival: stage ", stage, " is not a transient stage");
  const StageModel& sm = models_[static_cast<std::size_t>(stage)];
  if (family_ != HoldingFamily::empirical) {
    double v = 0;
    for (const auto& f : sm.fits) v += f.log_survival(t);
    return std::exp(v);
  }
  auto it = std::upper_bound(sm.time.begin(), sm.time.end(), t);
  if (it == sm.time.begin()) return 1.0;
  return 1.0 - sm.cum[static_cast<std::size_t>(it - sm.time.begin()) - 1];
}

double SemiMarkovFunnel::holding_quantile(std::int32_t stage, double q) const {
  if (!(q > 0 && q < 1)) fail(Errc::invalid_argument, "holding_quantile: q must be in (0, 1), got ", q);
  const double s = 1.0 - q;
  if (family_ == HoldingFamily::empirical) {
    (void)holding_survival(stage, 0.0);  // validates the stage
    const StageModel& sm = models_[static_cast<std::size_t>(stage)];
    for (std::size_t k = 0; k < sm.time.size(); ++k)
      if (1.0 - sm.cum[k] <= s + 1e-12) return sm.time[k];
    return kInf;
  }
  double lo = 0, hi = 1;
  while (holding_survival(stage, hi) > s) hi *= 2;
  for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (holding_survival(stage, mid) > s ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double SemiMarkovFunnel::last_exit(std::int32_t stage) const {
  (void)holding_survival(stage, 0.0);  // validates the stage
  return last_exit_.empty() ? kNaN : last_exit_[static_cast<std::size_t>(stage)];
}

double SemiMarkovFunnel::stale_age(std::int32_t stage, double q) const {
  const double v = holding_quantile(stage, q);
  return std::isinf(v) ? last_exit(stage) : v;
}

template <class Time>
Sojourns sojourns_from_events(const StageSpace& space, std::span<const std::int64_t> lead,
                              std::span<const Time> time, std::span<const std::int32_t> stage,
                              std::optional<Time> cutoff, double time_unit) {
  const SortedEventLog<Time> log(lead, time, stage, static_cast<std::int32_t>(space.size()), "stage", "lead");
  if (!(std::isfinite(time_unit) && time_unit > 0.0))
    fail(Errc::invalid_argument, "time_unit must be finite and > 0, got ", time_unit);
  const Time cut = cutoff ? *cutoff : log.last_time();
  log.require_cutoff(cut);  // one rule: events at or before the cut-off are observed
  const auto t_of = log.times();
  const auto s_of = log.codes();
  const auto off = log.offsets();
  Sojourns out;
  for (std::size_t g = 0; g < log.entities(); ++g) {
    detail::check_lead_sequence<Time>(space, log, g);
    std::int32_t cur = s_of[off[g]];
    Time entered = t_of[off[g]];
    auto stay = [&](Time until, std::int32_t next) {
      if (space.is_absorbing(static_cast<std::size_t>(cur))) return;
      out.stage.push_back(cur);
      out.duration.push_back(static_cast<double>(until - entered) / time_unit);
      out.next.push_back(next);
    };
    for (std::size_t k = off[g] + 1; k < off[g + 1]; ++k) {
      if (s_of[k] == cur) continue;  // a status update
      stay(t_of[k], s_of[k]);
      cur = s_of[k];
      entered = t_of[k];
    }
    stay(cut, -1);
  }
  return out;
}

template Sojourns sojourns_from_events<std::int64_t>(const StageSpace&, std::span<const std::int64_t>,
                                                     std::span<const std::int64_t>,
                                                     std::span<const std::int32_t>,
                                                     std::optional<std::int64_t>, double);
template Sojourns sojourns_from_events<double>(const StageSpace&, std::span<const std::int64_t>,
                                               std::span<const double>, std::span<const std::int32_t>,
                                               std::optional<double>, double);

namespace {

// The remaining time in stage model `sm` for a lead that has spent `age` there, and its
// destination (`to` = -1: unresolved, infinite time).
double draw_sojourn(const SemiMarkovFunnel::StageModel& sm, HoldingFamily family, double age,
                    std::int32_t& to, Rng& rng) {
  if (family != HoldingFamily::empirical) {
    double best = kInf;
    to = -1;
    for (std::size_t c = 0; c < sm.fits.size(); ++c) {
      const auto& f = sm.fits[c];
      // T | T > age: survival(T) = survival(age) * U, U uniform in (0, 1].
      const double u = 1.0 - rng.uniform();
      double t = kInf;
      if (f.family == HoldingFamily::weibull || f.family == HoldingFamily::exponential) {
        // log S(T) = log S(age) + log U, exact in log space for old ages.
        const double ls = f.log_survival(age) + std::log(u);
        t = f.family == HoldingFamily::exponential ? -f.scale * ls : f.scale * std::pow(-ls, 1.0 / f.shape);
      } else {
        const double s = f.survival(age) * u;
        t = s > 0 ? f.inverse_survival(s) : kInf;
      }
      if (t < best) {
        best = t;
        to = sm.dest[c];
      }
    }
    return best - age;
  }
  // Empirical: exits strictly after `age`, each with its Aalen-Johansen mass.
  const auto first =
      static_cast<std::size_t>(std::upper_bound(sm.time.begin(), sm.time.end(), age) - sm.time.begin());
  const double base = first == 0 ? 0.0 : sm.cum[first - 1];
  const double target = base + rng.uniform() * (1.0 - base);
  const auto k = static_cast<std::size_t>(
      std::upper_bound(sm.cum.begin() + static_cast<std::ptrdiff_t>(first), sm.cum.end(), target) -
      sm.cum.begin());
  if (k >= sm.cum.size()) {
    to = -1;
    return kInf;
  }
  to = sm.to[k];
  return sm.time[k] - age;
}

}  // namespace

CloseDraws SemiMarkovFunnel::simulate_close(std::int32_t stage, double age, std::size_t draws,
                                            std::uint64_t seed, int threads, std::size_t max_steps) const {
  if (stage < 0 || static_cast<std::size_t>(stage) >= space_.size())
    fail(Errc::out_of_range, "stage ", stage, " is outside 0..", space_.size() - 1);
  if (space_.is_absorbing(static_cast<std::size_t>(stage)))
    fail(Errc::invalid_argument, "stage '", space_.name(static_cast<std::size_t>(stage)),
         "' is an outcome: nothing left to close");
  if (!std::isfinite(age) || age < 0) fail(Errc::invalid_argument, "age must be finite and >= 0, got ", age);
  if (draws == 0) fail(Errc::invalid_argument, "draws must be >= 1");
  CloseDraws out;
  out.time.assign(draws, kInf);
  out.outcome.assign(draws, -1);
  constexpr std::size_t kBlock = 4096;
  const std::size_t tasks = (draws + kBlock - 1) / kBlock;
  // threads = 0: from the work, a draw taken as one holding time and move per stage.
  const auto work = static_cast<std::uint64_t>(draws) * (space_.size() + 1) * 4;
  parallel_for(tasks, static_cast<int>(resolve_threads(threads, work, step_grain)), [&](std::size_t task) {
    Rng rng = stream(seed, task);
    const std::size_t end = std::min(draws, (task + 1) * kBlock);
    for (std::size_t d = task * kBlock; d < end; ++d) {
      std::int32_t s = stage;
      double a = age, total = 0;
      for (std::size_t step = 0; step < max_steps; ++step) {
        std::int32_t to = -1;
        total += draw_sojourn(models_[static_cast<std::size_t>(s)], family_, a, to, rng);
        if (to < 0) break;
        if (space_.is_absorbing(static_cast<std::size_t>(to))) {
          out.time[d] = total;
          out.outcome[d] = to;
          break;
        }
        s = to;
        a = 0;
      }
    }
  });
  return out;
}

FUNNELNET_END
