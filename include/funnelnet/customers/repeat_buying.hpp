// Repeat-buying models fitted by maximum likelihood: BG/NBD (Fader, Hardie and Lee 2005),
// Pareto/NBD (Schmittlein, Morrison and Colombo 1987, in the likelihood form of Fader and
// Hardie's note 008) and Gamma-Gamma spend (Fader, Hardie and Lee 2005, note 025).
//
// Customers are summarised as (x, t_x, T): x repeat purchases, the last at t_x, observed
// for T since the first purchase (a CustomerSummary, e.g. built by
// CustomerSummary::from_transactions()).  Fitting
// works on weighted unique rows (so 10^6 customers with few distinct histories cost
// little), optimises in log-parameter space with analytic gradients (LBFGS++ with
// bounds), and reports how it stopped in a FitReport instead of throwing.
//
// Every fit and prediction takes a validated CustomerSummary (summary.hpp); the overloads
// taking loose (frequency, recency, T) arrays check them with the same rules and
// messages, then do the same work.  Bodies in src/customers/repeat_buying.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/parallel.hpp"
#include "funnelnet/customers/summary.hpp"

FUNNELNET_BEGIN

namespace detail {
/// A covariance computed on first use from the rows a model was fitted to (see
/// RepeatFitOptions::defer_covariance); defined in src/customers/repeat_buying.cpp.
struct DeferredCovariance;
}  // namespace detail

/// How a fit stopped.  Only `converged` means the gradient test was met.
enum class FitStatus : int {
  converged = 0,           ///< projected gradient below the tolerance
  max_iterations = 1,      ///< stopped at the iteration limit
  line_search_failed = 2,  ///< the line search could not improve; the best point is kept
  not_finite = 3,          ///< the log-likelihood was not finite at the start
};

/// Short, stable name of a fit status ("converged", ...).
const char* fit_status_name(FitStatus s) noexcept;

/// What a maximum-likelihood fit reports besides the parameters.
struct FitReport {
  FitStatus status = FitStatus::not_finite;
  int iterations = 0;           ///< LBFGS iterations
  int evaluations = 0;          ///< log-likelihood evaluations
  double log_likelihood = 0.0;  ///< total weighted log-likelihood at the parameters
  double gradient_norm = 0.0;   ///< inf-norm of the gradient of the mean LL in log-parameters
  std::size_t unique_rows = 0;  ///< rows the likelihood was evaluated on (after compression)
  bool at_bound = false;        ///< some log-parameter ended at its bound (|log p| = 18.42)
  std::string message;          ///< what happened, for people
  /// Covariance of the log-parameters (K x K, row-major): the inverse of the observed
  /// information, i.e. of the Hessian of the negative total weighted log-likelihood with
  /// respect to log p at the optimum (central differences of the analytic gradient).
  /// Standard errors of the parameters are p_k sqrt(cov_kk) (delta method).  Empty when
  /// the model was given rather than fitted, or when the Hessian is not positive definite
  /// (a parameter at its bound, a flat direction).
  std::vector<double> covariance;
  [[nodiscard]] bool converged() const noexcept { return status == FitStatus::converged; }
};

/// Options of the repeat-buying fits.
struct RepeatFitOptions {
  int max_iterations = 2000;  ///< LBFGS iteration limit
  /// Convergence when the inf-norm of the gradient of the mean log-likelihood with respect
  /// to the log-parameters is below this.
  double tolerance = 1e-9;
  bool compress = true;         ///< fit on weighted unique rows (same optimum, less work)
  int threads = 0;              ///< likelihood; 0: from the work (resolve_threads); same result
  std::vector<double> initial;  ///< starting parameters (empty: a data-based default)
  /// Leave report().covariance empty after a converged fit and compute the covariance on
  /// the first call of the model's covariance() instead (then cached; the model keeps the
  /// fitted rows until then).  The 2 K gradient evaluations it takes are about a quarter
  /// of a BG/NBD fit's.  A fit whose line search failed computes it at once either way
  /// (its status depends on it).  Default false: report().covariance is filled by the fit.
  bool defer_covariance = false;
  /// Called with (likelihood evaluations so far, 0 = total unknown) at the start and at
  /// most about every 100 ms; returning false cancels the fit (Errc::cancelled, nothing
  /// returned).
  Progress progress;
};

/// Which transaction model a RepeatModel holds.
enum class RepeatKind : int {
  beta_geo = 0,    ///< BG/NBD: parameters (r, alpha, a, b)
  pareto_nbd = 1,  ///< Pareto/NBD: parameters (r, alpha, s, beta)
  /// BG/BB (Fader, Hardie and Shang 2010), discrete time: parameters (alpha, beta, gamma,
  /// delta); frequency x = periods with a purchase, recency t_x = the last such period,
  /// T = n, the number of transaction opportunities (all integers, 0 <= x <= t_x <= n).
  beta_geo_beta_binom = 2,
};

/// Short, stable name of a repeat-buying model kind ("beta_geo", "pareto_nbd", "beta_geo_beta_binom"; the
/// "model" field of a repeat_model file), or "unknown".
const char* repeat_kind_name(RepeatKind k) noexcept;
/// Every RepeatKind this build knows, in enum order (model files and loaders iterate it,
/// so a new kind only needs its enum value, its name and its parameter checks).
std::span<const RepeatKind> repeat_kinds() noexcept;

/// A fitted (or given) BG/NBD, Pareto/NBD or BG/BB model and its predictions.  Parameters
/// are (r, alpha, a, b) for BG/NBD and (r, alpha, s, beta) for Pareto/NBD, in the time unit
/// of the data (recency and T); (alpha, beta, gamma, delta) for BG/BB, whose recency and T
/// count transaction opportunities (periods) and whose prediction horizons are numbers of
/// future periods.  For BG/BB, p_alive() is the probability of being alive at
/// opportunity n + 1 (Fader, Hardie and Shang 2010, eq. 11; see p_alive_at()).
class RepeatModel {
 public:
  RepeatModel() = default;

  /// A model with given parameters (all finite and > 0).
  RepeatModel(RepeatKind kind, std::span<const double> params);

  /// A model with given parameters and the report of the fit that produced them (how a
  /// model file is read back: io::repeat_model_from_json).  Same checks on the
  /// parameters; the report must hold finite counts (invalid_argument otherwise).
  RepeatModel(RepeatKind kind, std::span<const double> params, FitReport report);

  /// Fit by maximum likelihood to the customers of a summary, optionally weighted
  /// (weights[i] customers share row i; finite, >= 0, not all zero).  Throws on an empty
  /// summary or bad options; a fit that does not converge is reported in report().
  static RepeatModel fit(RepeatKind kind, const CustomerSummary& customers,
                         std::span<const double> weights = {}, const RepeatFitOptions& options = {});

  /// Fit by maximum likelihood to per-customer (frequency, recency, T), optionally
  /// weighted (weights[i] customers share row i).  Throws on invalid input (negative
  /// frequency, recency > T, ...: the checks of CustomerSummary); a fit that does not
  /// converge is reported in report().
  static RepeatModel fit(RepeatKind kind, std::span<const double> frequency, std::span<const double> recency,
                         std::span<const double> T, std::span<const double> weights = {},
                         const RepeatFitOptions& options = {});

  [[nodiscard]] RepeatKind kind() const noexcept { return kind_; }
  [[nodiscard]] const std::array<double, 4>& params() const noexcept { return p_; }
  [[nodiscard]] const FitReport& report() const noexcept { return report_; }
  /// Covariance of the log-parameters (K x K, row-major, as FitReport::covariance):
  /// report().covariance when the fit computed it; for a fit with
  /// RepeatFitOptions::defer_covariance, computed on the first call from the fitted rows
  /// and cached (thread-safe; copies of the model share the cache).  Empty when the model
  /// was given rather than fitted or the Hessian is not positive definite.
  [[nodiscard]] const std::vector<double>& covariance() const;

  /// Per-customer log-likelihood at the model's parameters (out: one per customer).
  void log_likelihood(const CustomerSummary& customers, std::span<double> out) const;
  void log_likelihood(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                      std::span<double> out) const;

  /// P(alive | x, t_x, T): the probability that each customer has not dropped out.
  void p_alive(const CustomerSummary& customers, std::span<double> out) const;
  void p_alive(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
               std::span<double> out) const;

  /// BG/BB only: P(alive at opportunity n + m | x, t_x, n) for m >= 0 future periods
  /// (lifetimes' conditional_probability_alive(m, ...)).  Throws invalid_argument for
  /// the continuous-time models.
  void p_alive_at(double m, std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                  std::span<double> out) const;

  /// Expected number of purchases in (T, T + t] for each customer given (x, t_x, T).
  void expected_purchases(double t, const CustomerSummary& customers, std::span<double> out) const;
  void expected_purchases(double t, std::span<const double> x, std::span<const double> tx,
                          std::span<const double> T, std::span<double> out) const;

  /// Expected number of repeat purchases in (0, t] of a new, randomly chosen customer.
  [[nodiscard]] double expected_purchases_new(double t) const;

  /// Discounted lifetime value (the scheme of lifetimes' customer_lifetime_value): the sum
  /// over periods k = 1..n_periods of spend * (E[purchases by k L] - E[purchases by
  /// (k-1) L]) / (1 + discount)^k, where L = period_length in the data's time unit.
  /// `spend` is each customer's expected spend per purchase (finite; e.g. from
  /// GammaGammaModel::expected_spend).
  void clv(const CustomerSummary& customers, std::span<const double> spend, int n_periods,
           double period_length, double discount, std::span<double> out) const;
  void clv(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
           std::span<const double> spend, int n_periods, double period_length, double discount,
           std::span<double> out) const;

 private:
  static RepeatModel fit_valid(RepeatKind kind, std::span<const double> x, std::span<const double> tx,
                               std::span<const double> T, std::span<const double> w,
                               const RepeatFitOptions& options);
  void log_likelihood_valid(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                            std::span<double> out) const;
  void p_alive_valid(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                     std::span<double> out) const;
  void expected_purchases_valid(double t, std::span<const double> x, std::span<const double> tx,
                                std::span<const double> T, std::span<double> out) const;
  void clv_valid(std::span<const double> x, std::span<const double> tx, std::span<const double> T,
                 std::span<const double> spend, int n_periods, double period_length, double discount,
                 std::span<double> out) const;
  [[nodiscard]] double log_p_alive(double x, double tx, double T) const;
  [[nodiscard]] double bgbb_conditional(double t, double x, double tx, double n) const;
  [[nodiscard]] double conditional(double t, double x, double tx, double T) const;

  RepeatKind kind_ = RepeatKind::beta_geo;
  std::array<double, 4> p_{};
  FitReport report_;
  std::shared_ptr<detail::DeferredCovariance> deferred_;  ///< set by a fit with defer_covariance
};

/// Customers drawn from a repeat-buying model: one (x, t_x, T) per customer.
struct SimulatedCustomers {
  std::vector<double> frequency, recency, T;
};

/// Draw one customer per entry of `T` (its age, or for BG/BB its number of transaction
/// opportunities, an integer) from the model with parameters `params` (the order of
/// RepeatModel): BG/NBD draws lambda ~ Gamma(r, alpha) and p ~ Beta(a, b), purchases at
/// rate lambda after the first, a drop-out with probability p after each; Pareto/NBD
/// draws lambda ~ Gamma(r, alpha) and a lifetime ~ Exp(mu), mu ~ Gamma(s, beta); BG/BB
/// draws p ~ Beta(alpha, beta) and theta ~ Beta(gamma, delta), and in each period a
/// living customer first drops out with probability theta, then buys with probability p.
/// Customers are split into blocks of 4096, block k drawing from stream(seed, k): the same
/// seed gives the same customers at any thread count.  Throws on bad parameters or T.
SimulatedCustomers simulate_repeat(RepeatKind kind, std::span<const double> params, std::span<const double> T,
                                   std::uint64_t seed, int threads = 0);

/// Mean repeat spend of customers with the given frequencies under Gamma-Gamma (p, q, v):
/// nu ~ Gamma(q, v) per customer, then the mean of x spends ~ Gamma(p, nu) (a Gamma(p x,
/// nu) total over x).  Frequency 0 gives 0 (no repeat spend).  Seeded as simulate_repeat.
std::vector<double> simulate_spend(std::span<const double> params, std::span<const double> frequency,
                                   std::uint64_t seed, int threads = 0);

/// Gamma-Gamma model of spend per transaction (p, q, v = "gamma"), fitted on repeat
/// buyers: x repeat purchases with mean spend m.  Assumes spend independent of frequency.
class GammaGammaModel {
 public:
  GammaGammaModel() = default;

  /// A model with given parameters (finite and > 0).
  explicit GammaGammaModel(std::span<const double> params);

  /// A model with given parameters and the report of the fit that produced them (how a
  /// model file is read back: io::gamma_gamma_from_json).
  GammaGammaModel(std::span<const double> params, FitReport report);

  /// Fit to the repeat buyers (frequency > 0) of a summary with a monetary column;
  /// `weights` (may be empty) has one entry per row of the summary.  Throws empty_input
  /// when the summary has no repeat buyers, invalid_argument when it has no monetary
  /// column.
  static GammaGammaModel fit(const CustomerSummary& customers, std::span<const double> weights = {},
                             const RepeatFitOptions& options = {});

  /// Fit to repeat buyers: frequency x > 0 and mean repeat spend m >= 0 for every row.
  /// Rows with m = 0 (repeat purchases that cost nothing: samples, returns netted out)
  /// carry no information on a Gamma spend and are left out of the fit (the report's
  /// message counts them); an error when no row with m > 0 is left.
  static GammaGammaModel fit(std::span<const double> frequency, std::span<const double> spend,
                             std::span<const double> weights = {}, const RepeatFitOptions& options = {});

  [[nodiscard]] const std::array<double, 3>& params() const noexcept { return p_; }
  [[nodiscard]] const FitReport& report() const noexcept { return report_; }
  /// Covariance of the log-parameters (3 x 3, row-major, as FitReport::covariance):
  /// report().covariance when the fit computed it; for a fit with
  /// RepeatFitOptions::defer_covariance, computed on the first call from the fitted rows
  /// and cached (thread-safe; copies of the model share the cache).  Empty when the model
  /// was given rather than fitted or the Hessian is not positive definite.
  [[nodiscard]] const std::vector<double>& covariance() const;

  /// E[spend per transaction | x, m] = (p (v + x m)) / (p x + q - 1); customers with
  /// x = 0 (no repeat purchase) or m = 0 (repeat purchases without spend) get the
  /// population mean p v / (q - 1), as lifetimes does for x = 0, so they keep a lifetime
  /// value.  Needs q > 1, and the summary a monetary column.
  void expected_spend(const CustomerSummary& customers, std::span<double> out) const;
  void expected_spend(std::span<const double> frequency, std::span<const double> spend,
                      std::span<double> out) const;

 private:
  static GammaGammaModel fit_valid(std::span<const double> frequency, std::span<const double> spend,
                                   std::span<const double> weights, const RepeatFitOptions& options);
  void expected_spend_valid(std::span<const double> frequency, std::span<const double> spend,
                            std::span<double> out) const;

  std::array<double, 3> p_{};
  FitReport report_;
  std::shared_ptr<detail::DeferredCovariance> deferred_;  ///< set by a fit with defer_covariance
};

FUNNELNET_END
