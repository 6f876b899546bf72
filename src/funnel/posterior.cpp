// Posterior intervals (exact Beta marginals) and seeded posterior draws of the derived
// figures, for discrete and continuous funnels.
#include "funnelnet/funnel/posterior.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <cmath>
#include <memory>
#include <span>

#include "core/linalg.hpp"
#include "funnelnet/core/cancel.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"
#include "funnelnet/funnel/absorbing.hpp"
#include "funnelnet/funnel/solver.hpp"

FUNNELNET_BEGIN

TransitionIntervals posterior_intervals(const TransitionCounts& counts, double prior, double level) {
  require_nonnegative(prior, "prior");
  if (!(level > 0.0 && level < 1.0)) fail(Errc::invalid_argument, "level must be in (0, 1), got ", level);
  const StageSpace& space = counts.space();
  const auto n = static_cast<Eigen::Index>(space.size());
  TransitionIntervals out;
  out.level = level;
  out.mean = Matrix::Zero(n, n);
  out.lower = Matrix::Zero(n, n);
  out.upper = Matrix::Zero(n, n);
  const double lo_q = (1.0 - level) / 2.0, hi_q = 1.0 - lo_q;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (space.is_absorbing(i)) {
      out.mean(i, i) = out.lower(i, i) = out.upper(i, i) = 1.0;
      continue;
    }
    const double total = counts.matrix().row(i).sum() + prior * static_cast<double>(n);
    if (total <= 0.0)
      fail(Errc::invalid_argument, "stage '", space.name(i), "' has no observed exits and the prior is 0");
    for (Eigen::Index j = 0; j < n; ++j) {
      const double a = counts.matrix()(i, j) + prior, b = total - a;
      out.mean(i, j) = a / total;
      if (a <= 0.0) continue;  // [0, 0]
      if (b <= 0.0) {
        out.lower(i, j) = out.upper(i, j) = 1.0;
        continue;
      }
      boost::math::beta_distribution<double> beta(a, b);
      out.lower(i, j) = boost::math::quantile(beta, lo_q);
      out.upper(i, j) = boost::math::quantile(beta, hi_q);
    }
  }
  return out;
}

namespace detail {
namespace {
/// draws x per doubles must be an array that can exist (issue 17: the product wrapped).
void require_draws_fit(std::size_t draws, std::size_t per) {
  if (per != 0 && draws > static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(double) / per)
    fail(Errc::out_of_range, "draws = ", draws, " x ", per,
         " figures per draw is more than any array can hold");
}
/// Gamma(shape, 1) variate (Marsaglia and Tsang 2000; shape < 1 by boosting), drawn only
/// from our own generator so results are the same on every platform.
double gamma_variate(Rng& rng, double shape) {
  if (shape < 1.0) {
    const double u = rng.uniform();
    return gamma_variate(rng, shape + 1.0) * std::pow(u > 0.0 ? u : 1e-300, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      // Standard normal by Box-Muller (one of the pair).
      const double u1 = rng.uniform(), u2 = rng.uniform();
      x = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(6.283185307179586 * u2);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u > 0.0 ? u : 1e-300) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double quantile_sorted(const std::vector<double>& v, double q) {
  // Linear interpolation between order statistics (numpy's default).
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto k = static_cast<std::size_t>(std::floor(pos));
  const double f = pos - static_cast<double>(k);
  return k + 1 < v.size() ? v[k] * (1.0 - f) + v[k + 1] * f : v[k];
}

/// Means and equal-tailed `level` intervals of posterior draws stored draw-major, each
/// draw an nt x (na + 1) row-major block: the first na columns are outcome probabilities
/// (into the *_mean/lower/upper matrices), the last is the figure to close (steps or
/// time, into the vectors).
void summarize_draws(std::span<const double> samples, std::size_t draws, Eigen::Index nt, Eigen::Index na,
                     double level, Matrix& p_mean, Matrix& p_lower, Matrix& p_upper, Vector& f_mean,
                     Vector& f_lower, Vector& f_upper) {
  const std::size_t per = static_cast<std::size_t>(nt * (na + 1));
  p_mean.resize(nt, na);
  p_lower.resize(nt, na);
  p_upper.resize(nt, na);
  f_mean.resize(nt);
  f_lower.resize(nt);
  f_upper.resize(nt);
  const double lo_q = (1.0 - level) / 2.0, hi_q = 1.0 - lo_q;
  std::vector<double> v(draws);
  for (Eigen::Index r = 0; r < nt; ++r)
    for (Eigen::Index c = 0; c <= na; ++c) {
      double sum = 0.0;
      for (std::size_t d = 0; d < draws; ++d)
        sum += (v[d] = samples[d * per + static_cast<std::size_t>(r * (na + 1) + c)]);
      std::sort(v.begin(), v.end());
      const double mean = sum / static_cast<double>(draws);
      const double lo = quantile_sorted(v, lo_q), hi = quantile_sorted(v, hi_q);
      if (c < na) {
        p_mean(r, c) = mean;
        p_lower(r, c) = lo;
        p_upper(r, c) = hi;
      } else {
        f_mean(r) = mean;
        f_lower(r) = lo;
        f_upper(r) = hi;
      }
    }
}
}  // namespace
}  // namespace detail

PosteriorFigures posterior_figures(const TransitionCounts& counts, const PosteriorOptions& options) {
  require_nonnegative(options.prior, "prior");
  if (!(options.level > 0.0 && options.level < 1.0))
    fail(Errc::invalid_argument, "level must be in (0, 1), got ", options.level);
  if (options.draws < 2) fail(Errc::invalid_argument, "draws must be >= 2, got ", options.draws);
  const StageSpace& space = counts.space();
  const auto n = static_cast<Eigen::Index>(space.size());
  for (auto i : space.transient())
    if (counts.matrix().row(i).sum() + options.prior * static_cast<double>(n) <= 0.0)
      fail(Errc::invalid_argument, "stage '", space.name(i), "' has no observed exits and the prior is 0");
  // The posterior mean must be absorbing; otherwise figures are undefined.
  const MarkovChain mean_chain = fit(counts, {options.prior, EmptyRows::error});
  detail::require_absorbing(mean_chain);
  PosteriorFigures out;
  out.transient = space.transient();
  out.absorbing = space.absorbing();
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto na = static_cast<Eigen::Index>(out.absorbing.size());
  const std::size_t per = static_cast<std::size_t>(nt * na + nt);
  detail::require_draws_fit(options.draws, per);
  // Every entry is written by its draw before it is read; left uninitialised so that a
  // large run (10^6 draws: 1.4 GB) does not zero-fill pages first and a cancelled one
  // stops without touching them.
  const std::unique_ptr<double[]> samples(new double[options.draws * per]);
  constexpr std::size_t block = 64;
  const std::size_t n_blocks = (options.draws + block - 1) / block;
  // threads = 0: from the work, a draw taken as a dense solve of the transient block.
  const auto work = static_cast<std::uint64_t>(options.draws) * per * static_cast<std::uint64_t>(nt);
  parallel_for(
      n_blocks, static_cast<int>(resolve_threads(options.threads, work, step_grain)),
      [&](std::size_t b) {
        Rng rng = stream(options.seed, b);
        Matrix p = Matrix::Zero(n, n);
        for (auto a : out.absorbing) p(a, a) = 1.0;
        for (std::size_t d = b * block; d < std::min(options.draws, (b + 1) * block); ++d) {
          if (task_should_stop()) return;  // cancelled: result discarded
          for (auto i : out.transient) {
            double sum = 0.0;
            for (Eigen::Index j = 0; j < n; ++j) {
              const double a = counts.matrix()(i, j) + options.prior;
              p(i, j) = a > 0.0 ? detail::gamma_variate(rng, a) : 0.0;
              sum += p(i, j);
            }
            p.row(i) /= sum;
          }
          detail::TransientSolver solver(p, out.transient);
          Matrix rhs(nt, na + 1);
          rhs.leftCols(na) = detail::absorbing_block(p, out.transient, out.absorbing);
          rhs.col(na).setOnes();
          const Matrix x = solver.solve(rhs);
          double* dst = samples.get() + d * per;
          for (Eigen::Index r = 0; r < nt; ++r)
            for (Eigen::Index c = 0; c <= na; ++c) dst[r * (na + 1) + c] = x(r, c);
        }
      },
      options.progress);
  detail::summarize_draws({samples.get(), options.draws * per}, options.draws, nt, na, options.level,
                          out.absorption_mean, out.absorption_lower, out.absorption_upper, out.steps_mean,
                          out.steps_lower, out.steps_upper);
  return out;
}

ContinuousPosteriorFigures posterior_figures(const ExposureCounts& counts,
                                             const ContinuousPosteriorOptions& options) {
  require_nonnegative(options.prior_shape, "prior_shape");
  require_nonnegative(options.prior_rate, "prior_rate");
  if (!(options.level > 0.0 && options.level < 1.0))
    fail(Errc::invalid_argument, "level must be in (0, 1), got ", options.level);
  if (options.draws < 2) fail(Errc::invalid_argument, "draws must be >= 2, got ", options.draws);
  const StageSpace& space = counts.space();
  const auto n = static_cast<Eigen::Index>(space.size());
  for (auto i : space.transient()) {
    if (counts.exposure()(i) + options.prior_rate <= 0.0)
      fail(Errc::invalid_argument, "stage '", space.name(i), "' has no exposure and the prior rate is 0");
    if (counts.matrix().row(i).sum() + options.prior_shape <= 0.0)
      fail(Errc::invalid_argument, "stage '", space.name(i),
           "' has no observed exits and the prior shape is 0");
  }
  // The posterior-mean chain must be able to close from every stage.
  {
    Matrix q = Matrix::Zero(n, n);
    for (auto i : space.transient()) {
      for (Eigen::Index j = 0; j < n; ++j)
        if (j != i)
          q(i, j) =
              (counts.matrix()(i, j) + options.prior_shape) / (counts.exposure()(i) + options.prior_rate);
      q(i, i) = -q.row(i).sum();
    }
    detail::require_absorbing(ContinuousChain(space, q, 1e-9).jump_chain());
  }
  ContinuousPosteriorFigures out;
  out.transient = space.transient();
  out.absorbing = space.absorbing();
  const auto nt = static_cast<Eigen::Index>(out.transient.size());
  const auto na = static_cast<Eigen::Index>(out.absorbing.size());
  const std::size_t per = static_cast<std::size_t>(nt * (na + 1));
  detail::require_draws_fit(options.draws, per);
  // Every entry is written by its draw before it is read; left uninitialised so that a
  // large run (10^6 draws: 1.4 GB) does not zero-fill pages first and a cancelled one
  // stops without touching them.
  const std::unique_ptr<double[]> samples(new double[options.draws * per]);
  constexpr std::size_t block = 64;
  const std::size_t n_blocks = (options.draws + block - 1) / block;
  // threads = 0: from the work, a draw taken as a dense solve of the transient block.
  const auto work = static_cast<std::uint64_t>(options.draws) * per * static_cast<std::uint64_t>(nt);
  parallel_for(
      n_blocks, static_cast<int>(resolve_threads(options.threads, work, step_grain)),
      [&](std::size_t b) {
        Rng rng = stream(options.seed, b);
        Matrix s(nt, nt), rhs(nt, na + 1);
        for (std::size_t d = b * block; d < std::min(options.draws, (b + 1) * block); ++d) {
          if (task_should_stop()) return;  // cancelled: result discarded
          s.setZero();
          rhs.setZero();
          for (Eigen::Index r = 0; r < nt; ++r) {
            const auto i = out.transient[static_cast<std::size_t>(r)];
            const double rate = counts.exposure()(i) + options.prior_rate;
            double total = 0.0;
            for (Eigen::Index j = 0; j < n; ++j) {
              if (j == i) continue;
              const double shape = counts.matrix()(i, j) + options.prior_shape;
              const double q = shape > 0.0 ? detail::gamma_variate(rng, shape) / rate : 0.0;
              total += q;
              if (space.is_absorbing(j)) {
                const auto c =
                    std::find(out.absorbing.begin(), out.absorbing.end(), j) - out.absorbing.begin();
                rhs(r, c) = q;
              } else {
                const auto c =
                    std::find(out.transient.begin(), out.transient.end(), j) - out.transient.begin();
                s(r, c) = -q;
              }
            }
            s(r, r) += total;  // -S
          }
          rhs.col(na).setOnes();
          const Matrix x = detail::DenseLU(s).solve(rhs);
          double* dst = samples.get() + d * per;
          for (Eigen::Index r = 0; r < nt; ++r)
            for (Eigen::Index c = 0; c <= na; ++c) dst[r * (na + 1) + c] = x(r, c);
        }
      },
      options.progress);
  detail::summarize_draws({samples.get(), options.draws * per}, options.draws, nt, na, options.level,
                          out.absorption_mean, out.absorption_lower, out.absorption_upper, out.time_mean,
                          out.time_lower, out.time_upper);
  return out;
}

FUNNELNET_END
