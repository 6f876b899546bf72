// Internals of the repeat-buying fits (defined in src/customers/repeat_buying.cpp): the
// weighted unique rows a likelihood is evaluated on, the per-row log-likelihoods with
// their analytic gradients, and the thread-count-independent total.  Not part of the
// public API (no public header includes this one); the tests check the gradients and the
// parallel sums through it.  Light on purpose: no Eigen, Boost.Math or LBFGS++ here.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace detail {

/// Bounds on the log-parameters: every parameter lies in [1e-8, 1e8].
inline constexpr double log_param_bound = 18.420680743952367;

/// Weighted unique (x, t_x, T) rows, sorted by x then t_x then T.
struct RfmRows {
  std::vector<double> x, tx, T, w;
  [[nodiscard]] std::size_t size() const noexcept { return x.size(); }
};

/// Sort rows by (x, t_x, T) and merge equal ones, adding their weights.  Without
/// `merge` rows are only sorted (each keeps its weight).  Rows of weight 0 are dropped.
/// Expects validated input (frequency integer-valued and >= 0).
RfmRows make_rows(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                  std::span<const double> w, bool merge);

/// F(b; c; z) = 2F1(1, b; c; z) = sum_n (b)_n / (c)_n z^n for 0 <= z < 1 and 0 < b < c,
/// with its derivatives in b, c and z.  Every term is at most 1 and they decrease, so the
/// series neither overflows nor cancels.
struct Hyp1 {
  double f, fb, fc, fz;
};
/// Terms summed at most: exact to double precision for z <= 0.998.  Beyond (alpha / beta
/// extreme, on Pareto/NBD's Poisson ridge where r and alpha grow together) the sum is
/// truncated, which bounds the cost of an evaluation rather than its accuracy.
inline constexpr int hyp1_max_terms = 20000;
Hyp1 hyp1(double b, double c, double z);

/// Gauss 2F1(a, b; c; z) for 0 <= z < 1 by its power series (used with a large c).
double hyp2f1_series(double a, double b, double c, double z);

/// log Gamma(v) that does not write the global `signgam` (std::lgamma does, a data race
/// when likelihoods run on several threads): lgamma_r where the C library has it.
double log_gamma(double v) noexcept;

// ---------------------------------------------------------------- per-row likelihoods
// Each adds the gradient with respect to the raw parameters into g and returns the row's
// log-likelihood.  Rows come sorted by x, so x-dependent special functions are cached.

/// BG/NBD log-likelihood of one row (Fader, Hardie and Lee 2005, eq. 6).
struct BetaGeoRow {
  double r, alpha, a, b;
  double lg_r, lg_ab, lg_b, dg_r, dg_ab, dg_b, log_alpha;
  // cache for the current x
  double cx = -1, lg_rx = 0, lg_bx = 0, lg_abx = 0, dg_rx = 0, dg_bx = 0, dg_abx = 0;
  explicit BetaGeoRow(const double* p);
  double operator()(double x, double tx, double T, double w, double* g);
  /// Rows [begin, end) at once: runs of equal x with Eigen's vectorised log / exp (the
  /// same sums as operator(), several times faster on rows that do not compress).
  double block(const RfmRows& rows, std::size_t begin, std::size_t end, double* g);
};

/// log G(t) = log of the integral from t to infinity of (alpha+u)^-(r+x) (beta+u)^-(s+1) du,
/// with its gradient in (r, alpha, s, beta).  Closed form through F(b; c; z) on whichever
/// side keeps 0 <= z < 1.
double pareto_log_g(double r, double alpha, double s, double beta, double x, double t, double* d);

/// Pareto/NBD log-likelihood of one row: log of
///   Gamma(r+x) alpha^r beta^s / Gamma(r) [ (alpha+T)^-(r+x) (beta+T)^-s + s (G(t_x) - G(T)) ].
/// Also returns, through log_palive, log P(alive | x, t_x, T).
double pareto_row_core(double r, double alpha, double s, double beta, double x, double tx, double T,
                       double lg_term, double* d, double* log_palive, const double* cached_g_tx = nullptr,
                       const double* cached_d_tx = nullptr);

/// Pareto/NBD log-likelihood of one row, caching the x- and t_x-dependent terms.
struct ParetoRow {
  double r, alpha, s, beta, lg_r, dg_r, log_alpha, log_beta;
  double cx = -1, lg_rx = 0, dg_rx = 0;
  // log G(t_x) of the current (x, t_x): rows come sorted, so customers with the same
  // history and different T (all the x = 0 ones) share it
  double ctx = -1, g_tx = 0, d_tx[4] = {0, 0, 0, 0};
  explicit ParetoRow(const double* p);
  double operator()(double x, double tx, double T, double w, double* g);
};

/// Gamma-Gamma log-likelihood of one repeat buyer: x repeat purchases with mean spend m.
struct GammaGammaRow {
  double p, q, v, lg_q, dg_q, log_v;
  double cx = -1, lg_pxq = 0, lg_px = 0, dg_pxq = 0, dg_px = 0, log_x = 0;
  explicit GammaGammaRow(const double* par);
  double operator()(double x, double m, double /*unused*/, double w, double* g);
};

/// Total weighted log-likelihood and gradient (raw parameters) over rows, split into a
/// fixed number of tasks that does not depend on the thread count; partial sums are added
/// in task order, so the result is the same at any thread count.  Instantiated in the
/// compiled core for the three rows above.
template <class Row, std::size_t K>
double total_ll(const std::array<double, K>& p, const RfmRows& rows, int threads, std::array<double, K>& g);

extern template double total_ll<BetaGeoRow, 4>(const std::array<double, 4>&, const RfmRows&, int,
                                               std::array<double, 4>&);
extern template double total_ll<ParetoRow, 4>(const std::array<double, 4>&, const RfmRows&, int,
                                              std::array<double, 4>&);
extern template double total_ll<GammaGammaRow, 3>(const std::array<double, 3>&, const RfmRows&, int,
                                                  std::array<double, 3>&);

}  // namespace detail
FUNNELNET_END
