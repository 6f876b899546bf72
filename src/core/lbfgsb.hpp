// Private to the compiled core: LBFGS++'s box-constrained L-BFGS-B solver compiled once
// (src/core/lbfgsb.cpp) for every objective, instead of instantiated and optimised again
// in each model's fit (issue 11, build cost).
#pragma once

#include <LBFGSpp/Param.h>

#include <Eigen/Core>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace detail {

/// A non-owning reference to an objective `double f(const VectorXd& x, VectorXd& grad)`
/// (value at `x`, gradient written to `grad`): one concrete type, so the solver behind
/// lbfgsb_minimize is compiled once whatever the caller's function object is.
class BoxObjective {
 public:
  /// Refer to `f` (not copied: it must outlive this object and every call through it).
  template <class F>
  explicit BoxObjective(F& f) noexcept : ctx_(&f), eval_(&call<F>) {}

  /// Evaluate the objective at `x`; the gradient goes to `grad` (sized like `x`).
  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd& grad) const { return eval_(ctx_, x, grad); }

 private:
  template <class F>
  static double call(void* ctx, const Eigen::VectorXd& x, Eigen::VectorXd& grad) {
    return (*static_cast<F*>(ctx))(x, grad);
  }
  void* ctx_;
  double (*eval_)(void*, const Eigen::VectorXd&, Eigen::VectorXd&);
};

/// Minimise `f` over the box [lb, ub] with LBFGS++'s
/// `LBFGSBSolver<double>(param).minimize(f, x, fx, lb, ub)`.
///
/// Parameters
/// ----------
/// param : the solver's settings (checked by the solver: `std::invalid_argument`).
/// f : the objective; whatever it throws propagates.
/// x : in, the starting point; out, the solver's last point.
/// fx : out, the objective at `x`.
/// lb, ub : the bounds, sized like `x`.
///
/// Returns
/// -------
/// The number of iterations; throws `std::runtime_error` (LBFGS++) when the line search
/// fails, as the solver does.
int lbfgsb_minimize(const LBFGSpp::LBFGSBParam<double>& param, BoxObjective f, Eigen::VectorXd& x, double& fx,
                    const Eigen::VectorXd& lb, const Eigen::VectorXd& ub);

}  // namespace detail
FUNNELNET_END
