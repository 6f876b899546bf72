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

/// BG/BB log-likelihood of one row (Fader, Hardie and Shang 2010, eq. 5): x purchases in
/// n = T opportunities, the last at t_x.
struct BetaGeoBetaBinomRow {
  double al, be, ga, de, lb_ab, lb_gd, dab_a, dab_b, dgd_g, dgd_d;
  explicit BetaGeoBetaBinomRow(const double* p);
  double operator()(double x, double tx, double n, double w, double* g);
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
extern template double total_ll<BetaGeoBetaBinomRow, 4>(const std::array<double, 4>&, const RfmRows&, int,
                                                        std::array<double, 4>&);
extern template double total_ll<GammaGammaRow, 3>(const std::array<double, 3>&, const RfmRows&, int,
                                                  std::array<double, 3>&);

}  // namespace detail
FUNNELNET_END
