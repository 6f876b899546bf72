// Python bindings for the scoring area (submodule funnelnet._core.scoring).  Thin: the
// public API (fn.scoring.metrics, fn.scoring.LeadScorer) lives in funnelnet/scoring/.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "funnelnet/scoring.hpp"

namespace funnelnet::python {

namespace register_scoring_cpp {

using Weights = std::optional<array<double>>;

std::span<const double> weights_of(const Weights& w) {
  return w ? span_of(*w, "sample_weight") : std::span<const double>{};
}

using MetricFn = double (*)(std::span<const double>, std::span<const double>, std::span<const double>);

void def_metric(py::module_& m, const char* name, MetricFn fn, const char* doc) {
  m.def(
      name,
      [fn](const array<double>& y, const array<double>& s, const Weights& w) {
        auto ys = span_of(y, "y");
        auto ss = span_of(s, "score");
        auto ws = weights_of(w);
        return nogil([&] { return fn(ys, ss, ws); });
      },
      py::arg("y").noconvert(), py::arg("score").noconvert(),
      py::arg("sample_weight").noconvert() = py::none(), doc);
}

LogisticModel model_from(double intercept, const array<double>& coef, const array<double>& mean) {
  LogisticModel model;
  auto c = span_of(coef, "coef");
  auto mu = span_of(mean, "mean");
  require_size(mu.size(), c.size(), "mean");
  model.intercept = intercept;
  model.coef.assign(c.begin(), c.end());
  model.mean.assign(mu.begin(), mu.end());
  return model;
}

// The parts of a PooledModel that predictions and intervals read, from fit_pooled's dict.
PooledModel pooled_from(const py::dict& d) {
  PooledModel m;
  auto vec = [&](const char* key) {
    const auto a = d[key].cast<array<double>>();
    auto s = span_of(a, key);
    return std::vector<double>(s.begin(), s.end());
  };
  m.n_features = d["n_features"].cast<std::size_t>();
  m.n_segments = d["n_segments"].cast<std::size_t>();
  m.mean = vec("mean");
  m.scale = vec("scale");
  m.theta = vec("theta");
  m.covariance = vec("covariance");
  m.segment_intercept = vec("segment_intercept");
  m.segment_coef = vec("segment_coef");
  const std::size_t p = m.n_features, S = m.n_segments, K = 1 + p * (S + 1) + S;
  require_size(m.mean.size(), p, "mean");
  require_size(m.scale.size(), p, "scale");
  require_size(m.theta.size(), K, "theta");
  require_size(m.covariance.size(), K * K, "covariance");
  require_size(m.segment_intercept.size(), S, "segment_intercept");
  require_size(m.segment_coef.size(), S * p, "segment_coef");
  return m;
}

// A bootstrap result (BootstrapInterval or PairedBootstrap) as the dict Python reads.
template <class Interval>
py::dict interval_dict(Interval&& r) {
  py::dict d;
  d["estimate"] = r.estimate;
  d["lower"] = r.lower;
  d["upper"] = r.upper;
  d["std_error"] = r.std_error;
  d["dropped"] = r.dropped;
  d["replicates"] = to_numpy(std::move(r.replicates));
  return d;
}

}  // namespace register_scoring_cpp

void register_scoring(py::module_& m) {
  using namespace register_scoring_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  def_metric(m, "roc_auc", &roc_auc, "ROC AUC (ties count half); funnelnet::roc_auc.");
  def_metric(m, "average_precision", &average_precision, "Average precision; funnelnet::average_precision.");
  def_metric(m, "log_loss", &log_loss, "Weighted mean log loss; funnelnet::log_loss.");
  def_metric(m, "brier", &brier, "Weighted Brier score; funnelnet::brier.");
  def_metric(m, "ks", &ks, "Kolmogorov-Smirnov statistic max |TPR - FPR|; funnelnet::ks.");

  m.def(
      "rank_table",
      [](const array<double>& y, const array<double>& s, int bins, const Weights& w) {
        auto ys = span_of(y, "y");
        auto ss = span_of(s, "score");
        auto ws = weights_of(w);
        RankTable t = nogil([&] { return rank_table(ys, ss, bins, ws); });
        py::dict d;
        d["rows"] = to_numpy(std::move(t.rows));
        d["weight"] = to_numpy(std::move(t.weight));
        d["positives"] = to_numpy(std::move(t.positives));
        d["score_min"] = to_numpy(std::move(t.score_min));
        d["score_max"] = to_numpy(std::move(t.score_max));
        d["rate"] = to_numpy(std::move(t.rate));
        d["lift"] = to_numpy(std::move(t.lift));
        d["cum_share"] = to_numpy(std::move(t.cum_share));
        d["cum_gain"] = to_numpy(std::move(t.cum_gain));
        d["cum_lift"] = to_numpy(std::move(t.cum_lift));
        return d;
      },
      py::arg("y").noconvert(), py::arg("score").noconvert(), py::arg("bins"),
      py::arg("sample_weight").noconvert() = py::none(), "Lift and gain by rank bin; funnelnet::rank_table.");

  m.def(
      "calibration_curve",
      [](const array<double>& y, const array<double>& p, int bins, int strategy, const Weights& w) {
        auto ys = span_of(y, "y");
        auto ps = span_of(p, "p");
        auto ws = weights_of(w);
        const auto st = enum_code<BinStrategy>(strategy, 1, "strategy");
        CalibrationCurve c = nogil([&] { return calibration_curve(ys, ps, bins, st, ws); });
        py::dict d;
        d["prob_true"] = to_numpy(std::move(c.prob_true));
        d["prob_pred"] = to_numpy(std::move(c.prob_pred));
        d["weight"] = to_numpy(std::move(c.weight));
        d["bin"] = to_numpy(std::move(c.bin));
        return d;
      },
      py::arg("y").noconvert(), py::arg("p").noconvert(), py::arg("bins"), py::arg("strategy"),
      py::arg("sample_weight").noconvert() = py::none(), "Calibration curve; funnelnet::calibration_curve.");

  m.def(
      "ece",
      [](const array<double>& y, const array<double>& p, int bins, int strategy, const Weights& w) {
        auto ys = span_of(y, "y");
        auto ps = span_of(p, "p");
        auto ws = weights_of(w);
        const auto st = enum_code<BinStrategy>(strategy, 1, "strategy");
        return nogil([&] { return ece(ys, ps, bins, st, ws); });
      },
      py::arg("y").noconvert(), py::arg("p").noconvert(), py::arg("bins"), py::arg("strategy"),
      py::arg("sample_weight").noconvert() = py::none(), "Expected calibration error; funnelnet::ece.");

  m.def(
      "bootstrap_metric",
      [](int metric, const array<double>& y, const array<double>& s, const Weights& w, int replicates,
         double level, std::uint64_t seed, int threads, int bins, int strategy, const py::object& progress) {
        auto ys = span_of(y, "y");
        auto ss = span_of(s, "score");
        auto ws = weights_of(w);
        BootstrapOptions o;
        o.replicates = replicates;
        o.level = level;
        o.seed = seed;
        o.threads = threads;
        o.bins = bins;
        o.strategy = enum_code<BinStrategy>(strategy, 1, "strategy");
        const auto mt = enum_code<Metric>(metric, 5, "metric");
        auto cb = progress_from_python(progress);
        BootstrapInterval r = nogil([&] { return bootstrap_metric(mt, ys, ss, ws, o, cb); });
        return interval_dict(std::move(r));
      },
      py::arg("metric"), py::arg("y").noconvert(), py::arg("score").noconvert(),
      py::arg("sample_weight").noconvert() = py::none(), py::arg("replicates") = 1000,
      py::arg("level") = 0.95, py::arg("seed") = 0, py::arg("threads") = 0, py::arg("bins") = 10,
      py::arg("strategy") = 0, py::arg("progress") = py::none(),
      "Percentile bootstrap interval of a metric (codes: 0 roc_auc, 1 average_precision, 2 log_loss, 3 "
      "brier, "
      "4 ks, 5 ece); funnelnet::bootstrap_metric.");

  m.def(
      "fit_logistic",
      [](const Eigen::Ref<const Matrix>& X, const array<double>& y, const Weights& w, double lambda,
         double l1_ratio, bool fit_intercept, bool standardize, int max_iterations, double tolerance,
         double separation_bound, int threads, const py::object& progress, const Weights& penalty_factor,
         bool posterior_covariance) {
        auto ys = span_of(y, "y");
        auto ws = weights_of(w);
        LogisticOptions o;
        if (penalty_factor) {
          auto pf = span_of(*penalty_factor, "penalty_factor");
          o.penalty_factor.assign(pf.begin(), pf.end());
        }
        o.posterior_covariance = posterior_covariance;
        o.lambda = lambda;
        o.l1_ratio = l1_ratio;
        o.fit_intercept = fit_intercept;
        o.standardize = standardize;
        o.max_iterations = max_iterations;
        o.tolerance = tolerance;
        o.separation_bound = separation_bound;
        o.threads = threads;
        auto cb = progress_from_python(progress);
        LogisticModel r = nogil([&] { return fit_logistic(X, ys, ws, o, cb); });
        py::dict d;
        d["intercept"] = r.intercept;
        d["coef"] = to_numpy(std::move(r.coef));
        d["mean"] = to_numpy(std::move(r.mean));
        d["scale"] = to_numpy(std::move(r.scale));
        d["status"] = fit_status_name(r.status);
        d["converged"] = r.converged();
        d["iterations"] = r.iterations;
        d["objective"] = r.objective;
        d["log_loss"] = r.log_loss;
        d["gradient_norm"] = r.gradient_norm;
        d["separated"] = r.separated;
        d["rank_deficient"] = r.rank_deficient;
        d["constant_columns"] = to_numpy(std::move(r.constant_columns));
        d["message"] = r.message;
        d["covariance"] = to_numpy(std::move(r.covariance));
        return d;
      },
      py::arg("X").noconvert(), py::arg("y").noconvert(), py::arg("sample_weight").noconvert() = py::none(),
      py::arg("lambda_") = LogisticOptions{}.lambda, py::arg("l1_ratio") = LogisticOptions{}.l1_ratio,
      py::arg("fit_intercept") = LogisticOptions{}.fit_intercept,
      py::arg("standardize") = LogisticOptions{}.standardize,
      py::arg("max_iterations") = LogisticOptions{}.max_iterations,
      py::arg("tolerance") = LogisticOptions{}.tolerance,
      py::arg("separation_bound") = LogisticOptions{}.separation_bound,
      py::arg("threads") = LogisticOptions{}.threads, py::arg("progress") = py::none(),
      py::arg("penalty_factor").noconvert() = py::none(), py::arg("posterior_covariance") = false,
      "Penalised logistic regression; funnelnet::fit_logistic.  Returns the model and its report as a dict.");

  m.def(
      "logistic_decision",
      [](double intercept, const array<double>& coef, const array<double>& mean,
         const Eigen::Ref<const Matrix>& X, bool proba, int threads) {
        const LogisticModel model = model_from(intercept, coef, mean);
        std::vector<double> out = nogil([&] {
          return proba ? logistic_predict(model, X, threads) : logistic_decision(model, X, threads);
        });
        return to_numpy(std::move(out));
      },
      py::arg("intercept"), py::arg("coef").noconvert(), py::arg("mean").noconvert(),
      py::arg("X").noconvert(), py::arg("proba") = false, py::arg("threads") = 0,
      "Linear predictor (or probability with proba=True) of a logistic model; funnelnet::logistic_decision.");

  m.def(
      "logistic_predict_proba",
      [](double intercept, const array<double>& coef, const array<double>& mean,
         const Eigen::Ref<const Matrix>& X, int threads) {
        const LogisticModel model = model_from(intercept, coef, mean);
        py::array_t<double> out({static_cast<py::ssize_t>(X.rows()), static_cast<py::ssize_t>(2)});
        std::span<double> o(out.mutable_data(), static_cast<std::size_t>(2 * X.rows()));
        nogil([&] { logistic_predict_proba(model, X, o, threads); });
        return out;
      },
      py::arg("intercept"), py::arg("coef").noconvert(), py::arg("mean").noconvert(),
      py::arg("X").noconvert(), py::arg("threads") = 0,
      "Both class probabilities (n x 2: 1 - p, p) in one pass; funnelnet::logistic_predict_proba.");

  m.def(
      "logistic_contributions",
      [](double intercept, const array<double>& coef, const array<double>& mean,
         const Eigen::Ref<const Matrix>& X) {
        const LogisticModel model = model_from(intercept, coef, mean);
        return nogil([&] { return logistic_contributions(model, X); });
      },
      py::arg("intercept"), py::arg("coef").noconvert(), py::arg("mean").noconvert(),
      py::arg("X").noconvert(),
      "Exact contributions coef_j (x_ij - mean_j); funnelnet::logistic_contributions.");

  m.def(
      "isotonic_fit",
      [](const array<double>& x, const array<double>& y, const Weights& w) {
        auto xs = span_of(x, "x");
        auto ys = span_of(y, "y");
        auto ws = weights_of(w);
        IsotonicFit f = nogil([&] { return isotonic_fit(xs, ys, ws); });
        return py::make_tuple(to_numpy(std::move(f.x)), to_numpy(std::move(f.y)));
      },
      py::arg("x").noconvert(), py::arg("y").noconvert(), py::arg("sample_weight").noconvert() = py::none(),
      "Isotonic regression by pool adjacent violators: (distinct x ascending, fitted y); "
      "funnelnet::isotonic_fit.");

  m.def(
      "platt_fit",
      [](const array<double>& s, const array<double>& y, const Weights& w, bool smooth) {
        auto ss = span_of(s, "scores");
        auto ys = span_of(y, "y");
        auto ws = weights_of(w);
        const PlattFit f = nogil([&] { return platt_fit(ss, ys, ws, smooth); });
        return py::make_tuple(f.a, f.b);
      },
      py::arg("scores").noconvert(), py::arg("y").noconvert(),
      py::arg("sample_weight").noconvert() = py::none(), py::arg("smooth") = true,
      "Platt scaling (a, b) of p = 1 / (1 + exp(-(a + b s))), Platt's smoothed targets with smooth; "
      "funnelnet::platt_fit.");

  // ---- experiments ------------------------------------------------------------------
  m.def(
      "kfold_split",
      [](std::size_t n, int folds, std::uint64_t seed) {
        return to_numpy(nogil([&] { return kfold_split(n, folds, seed); }));
      },
      py::arg("n"), py::arg("folds"), py::arg("seed"),
      "Fold of each row of a seeded K-fold split (numpy's default_rng permutation); funnelnet::kfold_split.");
  m.def(
      "group_kfold_split",
      [](const array<std::int64_t>& groups, int folds, std::uint64_t seed) {
        auto g = span_of(groups, "groups");
        return to_numpy(nogil([&] { return group_kfold_split(g, folds, seed); }));
      },
      py::arg("groups").noconvert(), py::arg("folds"), py::arg("seed"),
      "Fold of each row of a grouped K-fold split; funnelnet::group_kfold_split.");
  m.def(
      "time_split",
      [](const array<double>& time, int folds) {
        auto t = span_of(time, "time");
        return to_numpy(nogil([&] { return time_split(t, folds); }));
      },
      py::arg("time").noconvert(), py::arg("folds"),
      "Fold of each row of a time-ordered split (-1: the first block, training only); "
      "funnelnet::time_split.");
  m.def(
      "delong_test",
      [](const array<double>& y, const array<double>& a, const array<double>& b) {
        auto ys = span_of(y, "y");
        auto as = span_of(a, "score_a");
        auto bs = span_of(b, "score_b");
        const DeLongTest t = nogil([&] { return delong_test(ys, as, bs); });
        py::dict d;
        d["auc_a"] = t.auc_a;
        d["auc_b"] = t.auc_b;
        d["difference"] = t.difference;
        d["std_error"] = t.std_error;
        d["z"] = t.z;
        d["p_value"] = t.p_value;
        d["covariance"] = to_numpy(std::vector<double>(t.covariance.begin(), t.covariance.end()));
        return d;
      },
      py::arg("y").noconvert(), py::arg("score_a").noconvert(), py::arg("score_b").noconvert(),
      "DeLong's test of two correlated ROC AUCs; funnelnet::delong_test.");
  m.def(
      "corrected_t_test",
      [](const array<double>& difference, double n_train, double n_test) {
        auto ds = span_of(difference, "difference");
        const CorrectedTTest r = corrected_t_test(ds, n_train, n_test);
        py::dict d;
        d["mean"] = r.mean;
        d["std_error"] = r.std_error;
        d["t"] = r.t;
        d["p_value"] = r.p_value;
        d["df"] = r.df;
        return d;
      },
      py::arg("difference").noconvert(), py::arg("n_train"), py::arg("n_test"),
      "Nadeau-Bengio corrected resampled t-test; funnelnet::corrected_t_test.");
  m.def("student_t_sf", &student_t_sf, py::arg("t"), py::arg("df"),
        "P(T > t) for Student's t with integer df; funnelnet::student_t_sf.");
  m.def(
      "paired_bootstrap_auc",
      [](const array<double>& y, const array<double>& a, const array<double>& b, int replicates, double level,
         std::uint64_t seed, int threads) {
        auto ys = span_of(y, "y");
        auto as = span_of(a, "score_a");
        auto bs = span_of(b, "score_b");
        PairedBootstrap r =
            nogil([&] { return paired_bootstrap_auc(ys, as, bs, replicates, level, seed, threads); });
        return interval_dict(std::move(r));
      },
      py::arg("y").noconvert(), py::arg("score_a").noconvert(), py::arg("score_b").noconvert(),
      py::arg("replicates") = 1000, py::arg("level") = 0.95, py::arg("seed") = 0, py::arg("threads") = 0,
      "Paired percentile bootstrap of AUC(a) - AUC(b); funnelnet::paired_bootstrap_auc.");

  // ---- pooled prior, sales views ---------------------------------------------------------
  m.def(
      "fit_pooled",
      [](const Eigen::Ref<const Matrix>& X, const array<double>& y, const array<std::int64_t>& segment,
         std::size_t n_segments, const array<double>& taus, const Weights& w, double C, double tau_intercept,
         double tau_coef, int select, int folds, std::uint64_t seed, int max_iterations, double tolerance,
         int threads, const py::object& progress) {
        auto ys = span_of(y, "y");
        auto ss = span_of(segment, "segment");
        auto ws = weights_of(w);
        auto ts = span_of(taus, "taus");
        PooledOptions o;
        o.C = C;
        o.tau_intercept = tau_intercept;
        o.tau_coef = tau_coef;
        o.taus.assign(ts.begin(), ts.end());
        o.select = enum_code<TauSelect>(select, 1, "select");
        o.folds = folds;
        o.seed = seed;
        o.max_iterations = max_iterations;
        o.tolerance = tolerance;
        o.threads = threads;
        auto cb = progress_from_python(progress);
        PooledModel r = nogil([&] { return fit_pooled(X, ys, ss, n_segments, ws, o, cb); });
        py::dict d;
        d["n_features"] = r.n_features;
        d["n_segments"] = r.n_segments;
        d["tau_intercept"] = r.tau_intercept;
        d["tau_coef"] = r.tau_coef;
        d["mean"] = to_numpy(std::move(r.mean));
        d["scale"] = to_numpy(std::move(r.scale));
        d["theta"] = to_numpy(std::move(r.theta));
        d["covariance"] = to_numpy(std::move(r.covariance));
        d["intercept"] = r.intercept;
        d["coef"] = to_numpy(std::move(r.coef));
        d["segment_intercept"] = to_numpy(std::move(r.segment_intercept));
        d["segment_coef"] = to_numpy(std::move(r.segment_coef));
        d["grid_intercept"] = to_numpy(std::move(r.grid_intercept));
        d["grid_coef"] = to_numpy(std::move(r.grid_coef));
        d["grid_score"] = to_numpy(std::move(r.grid_score));
        d["status"] = fit_status_name(r.status);
        d["converged"] = r.converged();
        d["iterations"] = r.iterations;
        d["log_loss"] = r.log_loss;
        d["message"] = r.message;
        return d;
      },
      py::arg("X").noconvert(), py::arg("y").noconvert(), py::arg("segment").noconvert(),
      py::arg("n_segments"), py::arg("taus").noconvert(), py::arg("sample_weight").noconvert() = py::none(),
      py::arg("C") = PooledOptions{}.C, py::arg("tau_intercept") = PooledOptions{}.tau_intercept,
      py::arg("tau_coef") = PooledOptions{}.tau_coef, py::arg("select") = 0,
      py::arg("folds") = PooledOptions{}.folds, py::arg("seed") = PooledOptions{}.seed,
      py::arg("max_iterations") = PooledOptions{}.max_iterations,
      py::arg("tolerance") = PooledOptions{}.tolerance, py::arg("threads") = PooledOptions{}.threads,
      py::arg("progress") = py::none(),
      "Per-segment logistic scorers under a pooled prior (select: 0 evidence, 1 cv); funnelnet::fit_pooled.  "
      "Returns the model and its report as a dict.");

  m.def(
      "pooled_decision",
      [](const py::dict& model, const Eigen::Ref<const Matrix>& X, const array<std::int64_t>& segment) {
        const PooledModel pm = pooled_from(model);
        auto ss = span_of(segment, "segment");
        return to_numpy(nogil([&] { return pooled_decision(pm, X, ss); }));
      },
      py::arg("model"), py::arg("X").noconvert(), py::arg("segment").noconvert(),
      "Log-odds under each row's segment scorer (model: a fit_pooled dict); funnelnet::pooled_decision.");

  m.def(
      "pooled_intervals",
      [](const py::dict& model, double level) {
        const PooledModel pm = pooled_from(model);
        WaldTable t = pooled_intervals(pm, level);
        py::dict d;
        d["estimate"] = to_numpy(std::move(t.estimate));
        d["std_error"] = to_numpy(std::move(t.std_error));
        d["z"] = to_numpy(std::move(t.z));
        d["p_value"] = to_numpy(std::move(t.p_value));
        d["lower"] = to_numpy(std::move(t.lower));
        d["upper"] = to_numpy(std::move(t.upper));
        return d;
      },
      py::arg("model"), py::arg("level") = 0.95,
      "Posterior intervals of each segment's intercept and coefficients (segment-major); "
      "funnelnet::pooled_intervals.");

  m.def(
      "score_1_99",
      [](const array<double>& p) {
        auto ps = span_of(p, "p");
        return to_numpy(nogil([&] { return score_1_99(ps); }));
      },
      py::arg("p").noconvert(),
      "The CRM 1-99 lead score round(100 p) clipped to 1..99; funnelnet::score_1_99.");
  m.def(
      "priority_tiers",
      [](const array<double>& score, const array<double>& shares) {
        auto ss = span_of(score, "score");
        auto sh = span_of(shares, "shares");
        return to_numpy(nogil([&] { return priority_tiers(ss, sh); }));
      },
      py::arg("score").noconvert(), py::arg("shares").noconvert(),
      "Priority tier (0 = best) of each row by rank of its score; funnelnet::priority_tiers.");

  FUNNELNET_PY_DEFAULTS(PooledOptions, C, folds, seed, max_iterations, tolerance, threads);
  FUNNELNET_PY_DEFAULTS(LogisticOptions, lambda, l1_ratio, fit_intercept, standardize, max_iterations,
                        tolerance, separation_bound, threads);
  FUNNELNET_PY_DEFAULTS(BootstrapOptions, replicates, level, seed, threads, bins, strategy);
}

}  // namespace funnelnet::python
