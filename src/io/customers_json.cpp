// Model files of the customers area: repeat-buying models (generic over RepeatKind),
// Gamma-Gamma and tier migration.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "funnelnet/customers/repeat_buying.hpp"
#include "funnelnet/customers/tiers.hpp"
#include "funnelnet/io/json.hpp"
#include "json_detail.hpp"

FUNNELNET_BEGIN
namespace io {
using namespace detail;

namespace {
/// The report with the model's covariance (computed now if the fit deferred it).
json report_json(const FitReport& r, const std::vector<double>& covariance) {
  json j;
  j["status"] = fit_status_name(r.status);
  j["iterations"] = r.iterations;
  j["evaluations"] = r.evaluations;
  j["log_likelihood"] = real(r.log_likelihood);
  j["gradient_norm"] = real(r.gradient_norm);
  j["unique_rows"] = static_cast<std::uint64_t>(r.unique_rows);
  j["at_bound"] = r.at_bound;
  j["message"] = r.message;
  json cov = json::array();
  for (double v : covariance) cov.push_back(real(v));
  j["covariance"] = std::move(cov);
  return j;
}

FitReport read_report(const json& j, std::size_t n_params) {
  const json& r = field(j, "report");
  if (!r.is_object()) fail(Errc::format_error, "model file: 'report' must be an object");
  FitReport out;
  const std::string status = read_string(r, "status");
  bool known = false;
  for (FitStatus s : {FitStatus::converged, FitStatus::max_iterations, FitStatus::line_search_failed,
                      FitStatus::not_finite})
    if (status == fit_status_name(s)) {
      out.status = s;
      known = true;
    }
  if (!known) fail(Errc::format_error, "model file: unknown fit status '", status, "' in 'report'");
  out.iterations = static_cast<int>(read_int(r, "iterations", 0, INT32_MAX));
  out.evaluations = static_cast<int>(read_int(r, "evaluations", 0, INT32_MAX));
  out.log_likelihood = read_real(r, "log_likelihood");
  out.gradient_norm = read_real(r, "gradient_norm");
  out.unique_rows = static_cast<std::size_t>(read_int(r, "unique_rows", 0));
  out.at_bound = read_bool(r, "at_bound");
  out.message = read_string(r, "message");
  if (r.contains("covariance")) {  // empty, or n_params x n_params row-major
    const json& c = r["covariance"];
    if (!c.is_array() || (!c.empty() && c.size() != n_params * n_params))
      fail(Errc::format_error, "model file: 'covariance' in 'report' must be empty or ", n_params * n_params,
           " numbers");
    for (const auto& value : c) {
      json one;
      one["covariance"] = value;
      out.covariance.push_back(read_real(one, "covariance"));
    }
  }
  return out;
}
}  // namespace

std::string to_json(const RepeatModel& model) {
  auto j = header("repeat_model");
  j["model"] = repeat_kind_name(model.kind());
  j["params"] = std::vector<double>(model.params().begin(), model.params().end());
  j["report"] = report_json(model.report(), model.covariance());
  return j.dump();
}

RepeatModel repeat_model_from_json(std::string_view text) {
  const auto j = parse(text, "repeat_model");
  const std::string name = read_string(j, "model");
  std::string known;
  for (RepeatKind k : repeat_kinds()) {
    if (name != repeat_kind_name(k)) {
      known += (known.empty() ? "" : ", ") + std::string(repeat_kind_name(k));
      continue;
    }
    const auto params = read_doubles(j, "params", 4);
    FitReport report = read_report(j, 4);
    return validated([&] { return RepeatModel(k, params, std::move(report)); });
  }
  fail(Errc::format_error, "model file: 'model' is '", name,
       "', a repeat-buying model this build does not know (known: ", known, ")");
}

std::string to_json(const GammaGammaModel& model) {
  auto j = header("gamma_gamma");
  j["params"] = std::vector<double>(model.params().begin(), model.params().end());
  j["report"] = report_json(model.report(), model.covariance());
  return j.dump();
}

GammaGammaModel gamma_gamma_from_json(std::string_view text) {
  const auto j = parse(text, "gamma_gamma");
  const auto params = read_doubles(j, "params", 3);
  FitReport report = read_report(j, 3);
  return validated([&] { return GammaGammaModel(params, std::move(report)); });
}

std::string to_json(const TierMigration& fit) {
  auto j = header("tier_migration", fit.space);
  json segs = json::array();
  for (std::size_t s = 0; s < fit.chains.size(); ++s) {
    json seg;
    seg["counts"] = matrix_json(fit.counts[s].matrix());
    seg["chain"] = matrix_json(fit.chains[s].matrix());
    seg["customers"] = static_cast<std::uint64_t>(fit.customers[s]);
    seg["late"] = static_cast<std::uint64_t>(fit.late[s]);
    segs.push_back(std::move(seg));
  }
  j["segments"] = std::move(segs);
  j["first_period"] = fit.first_period;
  j["last_period"] = fit.last_period;
  return j.dump();
}

TierMigration tier_migration_from_json(std::string_view text) {
  TierMigration fit;
  const auto j = parse(text, "tier_migration", fit.space);
  const std::size_t n = fit.space.size();
  const json& segs = field(j, "segments");
  if (!segs.is_array() || segs.empty())
    fail(Errc::format_error, "model file: 'segments' must be a non-empty array of segments");
  for (std::size_t s = 0; s < segs.size(); ++s) {
    const json& seg = segs[s];
    if (!seg.is_object()) fail(Errc::format_error, "model file: segment ", s, " must be an object");
    Matrix c = read_matrix(seg, "counts", n, n);
    Matrix p = read_matrix(seg, "chain", n, n);
    const auto customers = read_int(seg, "customers", 0);
    const auto late = read_int(seg, "late", 0, customers);
    try {
      fit.counts.emplace_back(fit.space, std::move(c));
      fit.chains.push_back(MarkovChain::exact(fit.space, std::move(p)));
    } catch (const Error& e) {
      fail(Errc::format_error, "model file: segment ", s, " has invalid contents: ", e.what());
    }
    fit.customers.push_back(static_cast<std::size_t>(customers));
    fit.late.push_back(static_cast<std::size_t>(late));
  }
  fit.first_period = read_int(j, "first_period");
  fit.last_period = read_int(j, "last_period", fit.first_period);
  return fit;
}

RepeatModel load_repeat_model(const std::filesystem::path& path) {
  return repeat_model_from_json(read_file(path));
}
GammaGammaModel load_gamma_gamma(const std::filesystem::path& path) {
  return gamma_gamma_from_json(read_file(path));
}
TierMigration load_tier_migration(const std::filesystem::path& path) {
  return tier_migration_from_json(read_file(path));
}

}  // namespace io
FUNNELNET_END
