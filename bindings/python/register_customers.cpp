// Python bindings for the customers area (submodule funnelnet._core.customers).  Thin:
// the public, pandas-friendly API lives in funnelnet/customers.py.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <tuple>

#include "bindings.hpp"
#include "funnelnet/customers.hpp"
#include "funnelnet/io/json.hpp"

namespace funnelnet::python {

namespace register_customers_cpp {

py::array_t<double> empty_out(std::size_t n) {
  return py::array_t<double>(static_cast<py::ssize_t>(n));
}

std::span<double> span_out(py::array_t<double>& a) {
  return {a.mutable_data(), static_cast<std::size_t>(a.shape(0))};
}

/// The fit report without the covariance (cheap: a deferred covariance stays deferred).
py::dict brief_report_dict(const FitReport& r) {
  py::dict d;
  d["status"] = fit_status_name(r.status);
  d["converged"] = r.converged();
  d["iterations"] = r.iterations;
  d["evaluations"] = r.evaluations;
  d["log_likelihood"] = r.log_likelihood;
  d["gradient_norm"] = r.gradient_norm;
  d["unique_rows"] = r.unique_rows;
  d["at_bound"] = r.at_bound;
  d["message"] = r.message;
  return d;
}

/// The full fit report of a model: with its covariance, computed now (GIL released) when
/// the fit deferred it.
template <class Model>
py::dict report_dict(const Model& m) {
  std::vector<double> cov;
  {
    py::gil_scoped_release release;
    cov = m.covariance();
  }
  py::dict d = brief_report_dict(m.report());
  d["covariance"] = std::move(cov);
  return d;
}

RepeatFitOptions fit_options(int max_iterations, double tolerance, bool compress, int threads,
                             std::vector<double> initial) {
  RepeatFitOptions o;
  o.max_iterations = max_iterations;
  o.tolerance = tolerance;
  o.compress = compress;
  o.threads = threads;
  o.initial = std::move(initial);
  o.defer_covariance = true;  // computed when the report (standard errors, summary) is first read
  return o;
}

using Rfm = std::tuple<std::span<const double>, std::span<const double>, std::span<const double>>;
Rfm rfm(const array<double>& x, const array<double>& tx, const array<double>& T) {
  return {span_of(x, "frequency"), span_of(tx, "recency"), span_of(T, "T")};
}

CustomerTable make_table(
    const array<std::int64_t>& ids, std::vector<std::string> names, const Eigen::Ref<const Matrix>& values,
    const std::vector<std::tuple<std::string, std::vector<std::int32_t>, std::vector<std::string>>>&
        categories) {
  auto id = span_of(ids, "ids");
  CustomerTable t(std::vector<std::int64_t>(id.begin(), id.end()), std::move(names), Matrix(values));
  for (const auto& [name, codes, labels] : categories) t.add_category(name, codes, labels);
  return t;
}

py::tuple grading_tuple(Grading&& g) {
  return py::make_tuple(to_array(std::move(g.tier)), g.score, g.contributions, g.columns, g.n_tiers);
}

}  // namespace register_customers_cpp

void register_customers(py::module_& m) {
  using namespace register_customers_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  FUNNELNET_PY_DEFAULTS(RepeatFitOptions, max_iterations, tolerance, compress, threads, initial);
  FUNNELNET_PY_DEFAULTS(SummaryOptions, calibration_end, holdout, holdout_end, period_length, future);
  FUNNELNET_PY_DEFAULTS(TierMigrationOptions, gaps, smoothing, empty_rows);

  py::class_<RepeatModel>(m, "RepeatModel")
      .def(py::init([](int kind, std::vector<double> params) {
             if (kind < 0 || kind > 2)
               fail(Errc::invalid_argument, "kind must be 0 (BG/NBD), 1 (Pareto/NBD) or 2 (BG/BB)");
             return RepeatModel(static_cast<RepeatKind>(kind), params);
           }),
           py::arg("kind"), py::arg("params"))
      .def_static(
          "fit",
          [](int kind, const array<double>& x, const array<double>& tx, const array<double>& T,
             const array<double>& w, int max_iterations, double tolerance, bool compress, int threads,
             std::vector<double> initial, const py::object& progress) {
            if (kind < 0 || kind > 2)
              fail(Errc::invalid_argument, "kind must be 0 (BG/NBD), 1 (Pareto/NBD) or 2 (BG/BB)");
            auto [xs, txs, Ts] = rfm(x, tx, T);
            auto ws = span_of(w, "weights");
            auto o = fit_options(max_iterations, tolerance, compress, threads, std::move(initial));
            o.progress = progress_from_python(progress);
            py::gil_scoped_release release;
            return RepeatModel::fit(static_cast<RepeatKind>(kind), xs, txs, Ts, ws, o);
          },
          py::arg("kind"), py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert(), py::arg("weights").noconvert(), py::arg("max_iterations"),
          py::arg("tolerance"), py::arg("compress"), py::arg("threads"), py::arg("initial"),
          py::arg("progress") = py::none())
      .def_property_readonly(
          "params",
          [](const RepeatModel& r) { return std::vector<double>(r.params().begin(), r.params().end()); })
      .def_property_readonly("report", [](const RepeatModel& r) { return report_dict(r); })
      .def_property_readonly("brief_report", [](const RepeatModel& r) { return brief_report_dict(r.report()); })
      .def_property_readonly("kind", [](const RepeatModel& r) { return static_cast<int>(r.kind()); })
      .def(
          "log_likelihood",
          [](const RepeatModel& r, const array<double>& x, const array<double>& tx, const array<double>& T) {
            auto [xs, txs, Ts] = rfm(x, tx, T);
            auto out = empty_out(xs.size());
            auto o = span_out(out);
            py::gil_scoped_release release;
            r.log_likelihood(xs, txs, Ts, o);
            return out;
          },
          py::arg("frequency").noconvert(), py::arg("recency").noconvert(), py::arg("T").noconvert())
      .def(
          "p_alive",
          [](const RepeatModel& r, const array<double>& x, const array<double>& tx, const array<double>& T) {
            auto [xs, txs, Ts] = rfm(x, tx, T);
            auto out = empty_out(xs.size());
            auto o = span_out(out);
            py::gil_scoped_release release;
            r.p_alive(xs, txs, Ts, o);
            return out;
          },
          py::arg("frequency").noconvert(), py::arg("recency").noconvert(), py::arg("T").noconvert())
      .def(
          "expected_purchases",
          [](const RepeatModel& r, double t, const array<double>& x, const array<double>& tx,
             const array<double>& T) {
            auto [xs, txs, Ts] = rfm(x, tx, T);
            auto out = empty_out(xs.size());
            auto o = span_out(out);
            py::gil_scoped_release release;
            r.expected_purchases(t, xs, txs, Ts, o);
            return out;
          },
          py::arg("t"), py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert())
      .def("expected_purchases_new", &RepeatModel::expected_purchases_new, py::arg("t"))
      .def(
          "p_alive_at",
          [](const RepeatModel& r, double m, const array<double>& x, const array<double>& tx,
             const array<double>& T) {
            auto [xs, txs, Ts] = rfm(x, tx, T);
            auto out = empty_out(xs.size());
            auto o = span_out(out);
            py::gil_scoped_release release;
            r.p_alive_at(m, xs, txs, Ts, o);
            return out;
          },
          py::arg("m"), py::arg("frequency").noconvert(), py::arg("recency").noconvert(),
          py::arg("T").noconvert())
      .def(
          "clv",
          [](const RepeatModel& r, const array<double>& x, const array<double>& tx, const array<double>& T,
             const array<double>& spend, int n_periods, double period_length, double discount) {
            auto [xs, txs, Ts] = rfm(x, tx, T);
            auto sp = span_of(spend, "spend");
            auto out = empty_out(xs.size());
            auto o = span_out(out);
            py::gil_scoped_release release;
            r.clv(xs, txs, Ts, sp, n_periods, period_length, discount, o);
            return out;
          },
          py::arg("frequency").noconvert(), py::arg("recency").noconvert(), py::arg("T").noconvert(),
          py::arg("spend").noconvert(), py::arg("n_periods"), py::arg("period_length"), py::arg("discount"));

  py::class_<GammaGammaModel>(m, "GammaGammaModel")
      .def(py::init([](std::vector<double> params) { return GammaGammaModel(params); }), py::arg("params"))
      .def_static(
          "fit",
          [](const array<double>& x, const array<double>& spend, const array<double>& w, int max_iterations,
             double tolerance, bool compress, int threads, std::vector<double> initial,
             const py::object& progress) {
            auto xs = span_of(x, "frequency");
            auto ms = span_of(spend, "spend");
            auto ws = span_of(w, "weights");
            auto o = fit_options(max_iterations, tolerance, compress, threads, std::move(initial));
            o.progress = progress_from_python(progress);
            py::gil_scoped_release release;
            return GammaGammaModel::fit(xs, ms, ws, o);
          },
          py::arg("frequency").noconvert(), py::arg("spend").noconvert(), py::arg("weights").noconvert(),
          py::arg("max_iterations"), py::arg("tolerance"), py::arg("compress"), py::arg("threads"),
          py::arg("initial"), py::arg("progress") = py::none())
      .def_property_readonly(
          "params",
          [](const GammaGammaModel& g) { return std::vector<double>(g.params().begin(), g.params().end()); })
      .def_property_readonly("report", [](const GammaGammaModel& g) { return report_dict(g); })
      .def_property_readonly("brief_report", [](const GammaGammaModel& g) { return brief_report_dict(g.report()); })
      .def(
          "expected_spend",
          [](const GammaGammaModel& g, const array<double>& x, const array<double>& spend) {
            auto xs = span_of(x, "frequency");
            auto ms = span_of(spend, "spend");
            auto out = empty_out(xs.size());
            g.expected_spend(xs, ms, span_out(out));
            return out;
          },
          py::arg("frequency").noconvert(), py::arg("spend").noconvert());

  m.def(
      "summarize_transactions",
      [](const array<std::int64_t>& customer, const array<std::int64_t>& time, const array<double>& amount,
         std::int64_t calibration_end, bool holdout, std::int64_t holdout_end, double period_length,
         int future) {
        auto c = span_of(customer, "customer");
        auto t = span_of(time, "time");
        auto a = span_of(amount, "amount");
        if (future != 0 && future != 1) fail(Errc::invalid_argument, "future must be 0 (error) or 1 (drop)");
        SummaryOptions o;
        o.calibration_end = calibration_end;
        o.holdout = holdout;
        o.holdout_end = holdout_end;
        o.period_length = period_length;
        o.future = static_cast<FutureRows>(future);
        auto s = nogil([&] { return summarize_transactions(c, t, a, o); });
        py::dict d;
        d["customer"] = to_array(std::move(s.customer));
        d["frequency"] = to_array(std::move(s.frequency));
        d["recency"] = to_array(std::move(s.recency));
        d["T"] = to_array(std::move(s.T));
        d["monetary_value"] = to_array(std::move(s.monetary_value));
        d["frequency_holdout"] = to_array(std::move(s.frequency_holdout));
        d["monetary_value_holdout"] = to_array(std::move(s.monetary_value_holdout));
        d["duration_holdout"] = s.duration_holdout;
        return d;
      },
      py::arg("customer").noconvert(), py::arg("time").noconvert(), py::arg("amount").noconvert(),
      py::arg("calibration_end"), py::arg("holdout"), py::arg("holdout_end"), py::arg("period_length"),
      py::arg("future"));

  using Categories =
      std::vector<std::tuple<std::string, std::vector<std::int32_t>, std::vector<std::string>>>;
  using Crit = std::vector<std::tuple<std::string, double, int>>;
  auto to_criteria = [](const Crit& c) {
    std::vector<Criterion> out;
    for (const auto& [n, w, d] : c) out.push_back({n, w, d});
    return out;
  };
  auto to_norm = [](int v) {
    if (v < 0 || v > 2) fail(Errc::invalid_argument, "normalize code must be 0, 1 or 2, got ", v);
    return static_cast<Normalize>(v);
  };
  m.def(
      "grade_score",
      [=](const array<std::int64_t>& ids, std::vector<std::string> names,
          const Eigen::Ref<const Matrix>& values, const Categories& categories, const Crit& criteria,
          const Eigen::Ref<const Matrix>& thresholds, const std::string& group, int normalize) {
        const CustomerTable t = make_table(ids, std::move(names), values, categories);
        return grading_tuple(
            grade_by_score(t, to_criteria(criteria), Matrix(thresholds), group, to_norm(normalize)));
      },
      py::arg("ids"), py::arg("names"), py::arg("values"), py::arg("categories"), py::arg("criteria"),
      py::arg("thresholds"), py::arg("group"), py::arg("normalize"));
  m.def(
      "grade_mix",
      [=](const array<std::int64_t>& ids, std::vector<std::string> names,
          const Eigen::Ref<const Matrix>& values, const Categories& categories, const Crit& criteria,
          std::vector<double> mix, const std::string& group, int normalize) {
        const CustomerTable t = make_table(ids, std::move(names), values, categories);
        return grading_tuple(grade_by_mix(t, to_criteria(criteria), mix, group, to_norm(normalize)));
      },
      py::arg("ids"), py::arg("names"), py::arg("values"), py::arg("categories"), py::arg("criteria"),
      py::arg("mix"), py::arg("group"), py::arg("normalize"));
  m.def(
      "grade_value",
      [](const array<double>& value, std::vector<double> cutoffs) {
        return grading_tuple(grade_by_value(span_of(value, "value"), cutoffs));
      },
      py::arg("value").noconvert(), py::arg("cutoffs"));

  m.def(
      "fit_tier_migration",
      [](std::vector<std::string> names, std::vector<bool> absorbing, const array<std::int64_t>& customer,
         const array<std::int64_t>& period, const array<std::int32_t>& tier,
         const array<std::int32_t>& segment, std::size_t n_segments, int gaps, double smoothing,
         int empty_rows) {
        if (gaps != 0 && gaps != 1) fail(Errc::invalid_argument, "gaps code must be 0 (error) or 1 (skip)");
        if (empty_rows < 0 || empty_rows > 2)
          fail(Errc::invalid_argument, "empty_rows code must be 0, 1 or 2");
        const StageSpace space(std::move(names), std::move(absorbing));
        TierMigrationOptions o;
        o.gaps = static_cast<SnapshotGaps>(gaps);
        o.smoothing = smoothing;
        o.empty_rows = static_cast<EmptyRows>(empty_rows);
        auto c = span_of(customer, "customer");
        auto p = span_of(period, "period");
        auto t = span_of(tier, "tier");
        auto s = span_of(segment, "segment");
        auto tm = nogil([&] { return fit_tier_migration(space, c, p, t, s, n_segments, o); });
        std::vector<Matrix> counts, chains;
        for (const auto& x : tm.counts) counts.push_back(x.matrix());
        for (const auto& x : tm.chains) chains.push_back(x.matrix());
        return py::make_tuple(counts, chains, tm.customers, tm.late, tm.first_period, tm.last_period);
      },
      py::arg("names"), py::arg("absorbing"), py::arg("customer").noconvert(), py::arg("period").noconvert(),
      py::arg("tier").noconvert(), py::arg("segment").noconvert(), py::arg("n_segments"), py::arg("gaps"),
      py::arg("smoothing"), py::arg("empty_rows"));

  m.def(
      "tier_rates",
      [](const Eigen::Ref<const Matrix>& p, std::vector<std::int32_t> churn) {
        const TierRates r = tier_rates(Matrix(p), churn);
        return py::make_tuple(r.promotion, r.demotion, r.stay, r.churn);
      },
      py::arg("p"), py::arg("churn"));
  m.def(
      "churn_within",
      [](const Eigen::Ref<const Matrix>& p, std::vector<std::int32_t> churn, std::int64_t k) {
        return churn_within(Matrix(p), churn, k);
      },
      py::arg("p"), py::arg("churn"), py::arg("k"));
  m.def(
      "mix_ahead",
      [](const Eigen::Ref<const Matrix>& p, const Eigen::Ref<const Vector>& mix, std::int64_t k) {
        return mix_ahead(Matrix(p), Vector(mix), k);
      },
      py::arg("p"), py::arg("mix"), py::arg("k"));
  m.def(
      "markov_clv",
      [](const Eigen::Ref<const Matrix>& p, const Eigen::Ref<const Vector>& reward, double discount,
         std::int64_t horizon) {
        return horizon < 0 ? markov_clv(Matrix(p), Vector(reward), discount)
                           : markov_clv_finite(Matrix(p), Vector(reward), discount, horizon);
      },
      py::arg("p"), py::arg("reward"), py::arg("discount"), py::arg("horizon"));
  m.def(
      "simulate_repeat",
      [](int kind, std::vector<double> params, const array<double>& T, std::uint64_t seed, int threads) {
        if (kind < 0 || kind > 2)
          fail(Errc::invalid_argument, "kind must be 0 (BG/NBD), 1 (Pareto/NBD) or 2 (BG/BB)");
        auto ts = span_of(T, "T");
        SimulatedCustomers c;
        {
          py::gil_scoped_release release;
          c = simulate_repeat(static_cast<RepeatKind>(kind), params, ts, seed, threads);
        }
        return py::make_tuple(to_array(std::move(c.frequency)), to_array(std::move(c.recency)),
                              to_array(std::move(c.T)));
      },
      py::arg("kind"), py::arg("params"), py::arg("T").noconvert(), py::arg("seed"), py::arg("threads"));
  m.def(
      "simulate_spend",
      [](std::vector<double> params, const array<double>& frequency, std::uint64_t seed, int threads) {
        auto xs = span_of(frequency, "frequency");
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = simulate_spend(params, xs, seed, threads);
        }
        return to_array(std::move(out));
      },
      py::arg("params"), py::arg("frequency").noconvert(), py::arg("seed"), py::arg("threads"));

  // ---- persistence (model files: io/json.hpp) -------------------------------------
  m.def("to_json", py::overload_cast<const RepeatModel&>(&io::to_json), py::arg("obj"));
  m.def("to_json", py::overload_cast<const GammaGammaModel&>(&io::to_json), py::arg("obj"));
  m.def("repeat_model_from_json", &io::repeat_model_from_json, py::arg("text"));
  m.def("gamma_gamma_from_json", &io::gamma_gamma_from_json, py::arg("text"));
}

}  // namespace funnelnet::python
