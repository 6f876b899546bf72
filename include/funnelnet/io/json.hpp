// Model files: every persistent object as versioned JSON.
//
//   {"format": "funnelnet", "version": 1, "kind": "markov_chain",
//    "states": ["potential", ..., "won", "lost"], "absorbing": [false, ..., true, true],
//    "matrix": [[...], ...]}
// Kinds (the registry is model_kinds()): markov_chain ("matrix"), transition_counts
// ("counts"), exposure_counts ("counts", "exposure"), continuous_chain ("generator"),
// higher_order_chain, referral_graph, repeat_model (BG/NBD, Pareto/NBD, ...: the "model"
// field names the RepeatKind), gamma_gamma, tier_migration, markov_attribution.
// Non-finite numbers of fit reports are written as the strings "inf", "-inf", "nan".
// Numbers are written in the shortest form that reads back to the same double, so a
// round trip is exact.  Writes are crash-safe (io/file.hpp: unique temporary file, fsync,
// rename).  Reading rejects, with Errc::format_error and a message saying what was
// wrong: text that is not JSON, another format or kind, a version this build does not
// know, missing or mistyped fields, and contents that fail the object's own validation.
// Files that cannot be opened or written give Errc::io_error.  The JSON library stays
// in src/io/json.cpp: including this header costs nothing beyond the types it names.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/io/file.hpp"

FUNNELNET_BEGIN
class MarkovChain;
class TransitionCounts;
class ExposureCounts;
class ContinuousChain;
struct HigherOrderChain;
class ReferralGraph;
class RepeatModel;
class GammaGammaModel;
struct TierMigration;
class MarkovAttribution;

namespace io {

/// The model-file version this build writes (it reads every version from 1 to this).
inline constexpr int model_version = 1;

/// One kind of model file: its name in the "kind" field, the newest version this build
/// writes, the area it belongs to and what it holds.
struct ModelKind {
  std::string kind;
  int version = 0;
  std::string area;
  std::string description;
};

/// Every kind this build reads and writes (the kind registry).
const std::vector<ModelKind>& model_kinds();

/// The kind of the model file in `text` (checks it is JSON, a funnelnet file, a known
/// kind and a version this build reads; Errc::format_error otherwise).  Lets a generic
/// loader dispatch without knowing the kinds.
ModelKind model_kind(std::string_view text);

/// JSON text of a chain.
std::string to_json(const MarkovChain& chain);
/// JSON text of transition counts.
std::string to_json(const TransitionCounts& counts);
/// JSON text of exposure counts.
std::string to_json(const ExposureCounts& counts);
/// JSON text of a continuous-time chain.
std::string to_json(const ContinuousChain& chain);

/// Read a chain from JSON text (exact: rows are not rescaled).
MarkovChain chain_from_json(std::string_view text);
/// Read transition counts from JSON text.
TransitionCounts counts_from_json(std::string_view text);
/// Read exposure counts from JSON text.
ExposureCounts exposure_counts_from_json(std::string_view text);
/// Read a continuous-time chain from JSON text.
ContinuousChain continuous_chain_from_json(std::string_view text);

/// JSON text of a higher-order chain.
std::string to_json(const HigherOrderChain& chain);
/// JSON text of a referral graph: node ids, the CSR edges (sources and targets as node
/// indices, weights, times if any, input rows), has_weights, and optionally one label per
/// node (`labels`: empty, or num_nodes() unique strings; the Python layer's labels).
std::string to_json(const ReferralGraph& graph, std::span<const std::string> labels = {});
/// JSON text of a BG/NBD or Pareto/NBD model (any RepeatKind: the "model" field holds
/// repeat_kind_name()): parameters and fit report.
std::string to_json(const RepeatModel& model);
/// JSON text of a Gamma-Gamma spend model: parameters and fit report.
std::string to_json(const GammaGammaModel& model);
/// JSON text of a fitted tier migration: tiers, per-segment counts and chains, customers
/// and late entrants per segment, first and last period.
std::string to_json(const TierMigration& fit);
/// JSON text of a fitted Markov attribution (MarkovAttribution::to_state()).
std::string to_json(const MarkovAttribution& model);

/// Read a higher-order chain from JSON text.
HigherOrderChain higher_order_from_json(std::string_view text);
/// Read a referral graph from JSON text (rebuilt by ReferralGraph::from_csr_edges, edge
/// for edge); the labels, if the file has them, go to `*labels` (when not null; cleared
/// when the file has none).
ReferralGraph graph_from_json(std::string_view text, std::vector<std::string>* labels = nullptr);
/// Read a repeat-buying model from JSON text.
RepeatModel repeat_model_from_json(std::string_view text);
/// Read a Gamma-Gamma model from JSON text.
GammaGammaModel gamma_gamma_from_json(std::string_view text);
/// Read a tier migration from JSON text (counts and chains validated as the funnel's).
TierMigration tier_migration_from_json(std::string_view text);
/// Read a Markov attribution from JSON text (validated by MarkovAttribution::from_state).
MarkovAttribution attribution_from_json(std::string_view text);

/// Save any model object (MarkovChain, TransitionCounts, ExposureCounts,
/// ContinuousChain, HigherOrderChain, ReferralGraph, RepeatModel, GammaGammaModel,
/// TierMigration, MarkovAttribution) to `path`, crash-safely (see write_atomic).
template <class T>
void save(const T& object, const std::filesystem::path& path) {
  write_atomic(path, to_json(object));
}

/// Load a chain from a file written by save().
MarkovChain load_chain(const std::filesystem::path& path);
/// Load transition counts from a file written by save().
TransitionCounts load_counts(const std::filesystem::path& path);
/// Load exposure counts from a file written by save().
ExposureCounts load_exposure_counts(const std::filesystem::path& path);
/// Load a continuous-time chain from a file written by save().
ContinuousChain load_continuous_chain(const std::filesystem::path& path);
/// Load a higher-order chain from a file written by save().
HigherOrderChain load_higher_order(const std::filesystem::path& path);
/// Load a referral graph (and its labels, if any) from a file written by save().
ReferralGraph load_graph(const std::filesystem::path& path, std::vector<std::string>* labels = nullptr);
/// Load a repeat-buying model from a file written by save().
RepeatModel load_repeat_model(const std::filesystem::path& path);
/// Load a Gamma-Gamma model from a file written by save().
GammaGammaModel load_gamma_gamma(const std::filesystem::path& path);
/// Load a tier migration from a file written by save().
TierMigration load_tier_migration(const std::filesystem::path& path);
/// Load a Markov attribution from a file written by save().
MarkovAttribution load_attribution(const std::filesystem::path& path);

}  // namespace io
FUNNELNET_END
