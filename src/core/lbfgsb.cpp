// LBFGS++'s L-BFGS-B solver (declared in src/core/lbfgsb.hpp), instantiated and compiled
// here, once, for the whole library: the models' fits call it through one objective type.
#include "core/lbfgsb.hpp"

#include <LBFGSB.h>

FUNNELNET_BEGIN
namespace detail {

int lbfgsb_minimize(const LBFGSpp::LBFGSBParam<double>& param, BoxObjective f, Eigen::VectorXd& x, double& fx,
                    const Eigen::VectorXd& lb, const Eigen::VectorXd& ub) {
  LBFGSpp::LBFGSBSolver<double> solver(param);
  return solver.minimize(f, x, fx, lb, ub);
}

}  // namespace detail
FUNNELNET_END
