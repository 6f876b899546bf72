// Continuous-time funnels: exposure counts (from an event log through SortedEventLog),
// the validated generator, P(t) = exp(Q t), and the maximum-likelihood fit.
#include "funnelnet/funnel/continuous.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "funnel/expm.hpp"
#include "funnel/leads.hpp"
#include "funnelnet/core/event_log.hpp"

FUNNELNET_BEGIN

ExposureCounts::ExposureCounts(StageSpace space, Matrix counts, Vector exposure) : space_(std::move(space)) {
  const auto n = static_cast<Eigen::Index>(space_.size());
  if (counts.rows() != n || counts.cols() != n)
    fail(Errc::shape_mismatch, "count matrix is ", counts.rows(), "x", counts.cols(), ", expected ", n, "x",
         n, " (one row and column per stage)");
  require_size(static_cast<std::size_t>(exposure.size()), space_.size(), "exposure");
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(std::isfinite(exposure(i)) && exposure(i) >= 0.0))
      fail(Errc::invalid_argument, "exposure of stage '", space_.name(i), "' must be finite and >= 0, got ",
           exposure(i));
    for (Eigen::Index j = 0; j < n; ++j) {
      const double c = counts(i, j);
      if (!(std::isfinite(c) && c >= 0.0))
        fail(Errc::invalid_argument, "count[", space_.name(i), "][", space_.name(j),
             "] must be finite and >= 0, got ", c);
      if (i == j && c != 0.0)
        fail(Errc::invalid_argument, "count[", space_.name(i), "][", space_.name(i), "] is ", c,
             "; in continuous time a stay is exposure, not a count (the diagonal must be 0)");
      if (c > 0.0 && space_.is_absorbing(i))
        fail(Errc::invalid_argument, "absorbing stage '", space_.name(i), "' has ", c, " exits to '",
             space_.name(j), "'; an absorbing stage has no exits");
    }
  }
  counts_ = std::move(counts);
  exposure_ = std::move(exposure);
}

template <class Time>
ExposureCounts ExposureCounts::from_events(StageSpace space, std::span<const std::int64_t> lead,
                                           std::span<const Time> time, std::span<const std::int32_t> stage,
                                           std::optional<Time> cutoff, double time_unit, int threads) {
  const auto log = SortedEventLog<Time>::borrow(lead, time, stage, static_cast<std::int32_t>(space.size()),
                                                "stage", "lead");
  if (!(std::isfinite(time_unit) && time_unit > 0.0))
    fail(Errc::invalid_argument, "time_unit must be finite and > 0, got ", time_unit);
  const Time cut = cutoff ? *cutoff : log.last_time();
  log.require_cutoff(cut);  // one rule: events at or before the cut-off are observed
  const double inv_unit = 1.0 / time_unit;
  const auto t_of = log.times();
  const auto s_of = log.codes();
  const auto off = log.offsets();
  const std::size_t n_groups = log.entities();
  const auto ns = static_cast<Eigen::Index>(space.size());
  struct Part {
    Matrix c;
    Vector t;
  };
  std::vector<Part> partial(std::max<std::size_t>(1, std::min<std::size_t>(64, n_groups)));
  detail::for_lead_tasks(n_groups, threads, [&](std::size_t task, std::size_t g0, std::size_t g1) {
    Part p{Matrix::Zero(ns, ns), Vector::Zero(ns)};
    for (std::size_t g = g0; g < g1; ++g) {
      detail::check_lead_sequence<Time>(space, log, g);
      std::int32_t cur = s_of[off[g]];
      Time entered = t_of[off[g]];
      for (std::size_t k = off[g] + 1; k < off[g + 1]; ++k) {
        const std::int32_t s = s_of[k];
        if (s == cur) continue;
        const Time t = t_of[k];
        p.t(cur) += static_cast<double>(t - entered) * inv_unit;
        p.c(cur, s) += 1.0;
        cur = s;
        entered = t;
      }
      if (!space.is_absorbing(static_cast<std::size_t>(cur)))
        p.t(cur) += static_cast<double>(cut - entered) * inv_unit;
    }
    partial[task] = std::move(p);
  });
  Matrix c = Matrix::Zero(ns, ns);
  Vector t = Vector::Zero(ns);
  for (const auto& p : partial)
    if (p.c.size() > 0) {
      c += p.c;
      t += p.t;
    }
  for (Eigen::Index a : space.absorbing()) t(a) = 0.0;
  return {std::move(space), std::move(c), std::move(t)};
}

template ExposureCounts ExposureCounts::from_events<std::int64_t>(StageSpace, std::span<const std::int64_t>,
                                                                  std::span<const std::int64_t>,
                                                                  std::span<const std::int32_t>,
                                                                  std::optional<std::int64_t>, double, int);
template ExposureCounts ExposureCounts::from_events<double>(StageSpace, std::span<const std::int64_t>,
                                                            std::span<const double>,
                                                            std::span<const std::int32_t>,
                                                            std::optional<double>, double, int);

ExposureCounts ExposureCounts::merged(const ExposureCounts& other) const {
  if (!(space_ == other.space_))
    fail(Errc::invalid_argument, "cannot merge counts over different stage spaces");
  ExposureCounts c = *this;
  c.counts_ += other.counts_;
  c.exposure_ += other.exposure_;
  return c;
}

ContinuousChain::ContinuousChain(StageSpace space, Matrix q, double tolerance) : space_(std::move(space)) {
  const auto n = static_cast<Eigen::Index>(space_.size());
  if (q.rows() != n || q.cols() != n)
    fail(Errc::shape_mismatch, "generator is ", q.rows(), "x", q.cols(), ", expected ", n, "x", n,
         " (one row and column per stage)");
  if (!(tolerance >= 0.0)) fail(Errc::invalid_argument, "tolerance must be >= 0, got ", tolerance);
  for (Eigen::Index i = 0; i < n; ++i) {
    double out = 0.0;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (i == j) continue;
      const double v = q(i, j);
      if (!(std::isfinite(v) && v >= 0.0))
        fail(Errc::invalid_argument, "rate Q[", space_.name(i), "][", space_.name(j),
             "] must be finite and >= 0, got ", v);
      out += v;
    }
    if (!std::isfinite(q(i, i)) || std::abs(q(i, i) + out) > tolerance * std::max(1.0, out))
      fail(Errc::invalid_argument, "row '", space_.name(i), "' of the generator sums to ", q(i, i) + out,
           ", not 0 (Q[i][i] must be minus the sum of the row's rates)");
    if (space_.is_absorbing(i) && out > 0.0)
      fail(Errc::invalid_argument, "stage '", space_.name(i), "' is declared absorbing but has exit rate ",
           out);
    q(i, i) = out > 0.0 ? -out : 0.0;  // no -0.0 on rows without exits
  }
  q_ = std::move(q);
}

Matrix ContinuousChain::transition_matrix(double t) const {
  if (!(std::isfinite(t) && t >= 0.0))
    fail(Errc::invalid_argument, "horizon t must be finite and >= 0, got ", t);
  Matrix qt = q_ * t;
  Matrix p = detail::expm_long_horizon(qt);
  // Clean rounding: entries in [0, 1], rows summing to 1.
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    p.row(i) = p.row(i).cwiseMax(0.0).cwiseMin(1.0);
    p.row(i) /= p.row(i).sum();
  }
  return p;
}

MarkovChain ContinuousChain::at(double t) const {
  Matrix p = transition_matrix(t);
  for (Eigen::Index a : space_.absorbing()) {
    p.row(a).setZero();
    p(a, a) = 1.0;
  }
  return {space_, std::move(p), 1e-8};
}

MarkovChain ContinuousChain::jump_chain() const {
  const auto n = q_.rows();
  Matrix p = Matrix::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double out = -q_(i, i);
    if (space_.is_absorbing(i) || out <= 0.0) {
      p(i, i) = 1.0;
      continue;
    }
    for (Eigen::Index j = 0; j < n; ++j)
      if (j != i) p(i, j) = q_(i, j) / out;
  }
  return {space_, std::move(p), 1e-12};
}

double ContinuousChain::log_likelihood(const ExposureCounts& counts) const {
  if (!(counts.space() == space_))
    fail(Errc::invalid_argument, "counts and chain have different stage spaces");
  double ll = 0.0;
  const Matrix& c = counts.matrix();
  for (Eigen::Index i = 0; i < c.rows(); ++i) {
    for (Eigen::Index j = 0; j < c.cols(); ++j)
      if (i != j && c(i, j) > 0.0) {
        if (q_(i, j) <= 0.0) return -std::numeric_limits<double>::infinity();
        ll += c(i, j) * std::log(q_(i, j));
      }
    ll += q_(i, i) * counts.exposure()(i);
  }
  return ll;
}

ContinuousChain fit_continuous(const ExposureCounts& counts, const ContinuousFitOptions& options) {
  if (options.empty_rows == EmptyRows::uniform)
    fail(Errc::invalid_argument,
         "empty_rows = uniform has no meaning in continuous time; use error or absorbing");
  const StageSpace& space = counts.space();
  const auto n = static_cast<Eigen::Index>(space.size());
  Matrix q = Matrix::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (space.is_absorbing(i)) continue;
    const double exits = counts.matrix().row(i).sum();
    const double t = counts.exposure()(i);
    if (t <= 0.0) {
      if (exits > 0.0)
        fail(Errc::invalid_argument, "stage '", space.name(i), "' has ", exits,
             " exits but zero exposure: its rate would be infinite (are the times in the right unit?)");
      if (options.empty_rows == EmptyRows::error)
        fail(Errc::invalid_argument, "stage '", space.name(i),
             "' has no exposure and no exits; declare it absorbing or choose empty_rows = absorbing");
      continue;
    }
    for (Eigen::Index j = 0; j < n; ++j)
      if (j != i) q(i, j) = counts.matrix()(i, j) / t;
    q(i, i) = -exits / t;
  }
  return {space, std::move(q), 1e-9};
}

FUNNELNET_END
