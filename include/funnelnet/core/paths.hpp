// LabelPaths (the core path set): one immutable, validated set of label sequences, shared by the funnel (a
// path of stages, counted into TransitionCounts) and attribution (a journey of channel touches, the base of
// PathSet).
//
// Storage is CSR: path p is codes()[offsets()[p] .. offsets()[p+1]), each code an index
// into labels(); every path may carry a weight (how many times it was observed).  Build
// it from arrays (the validating constructor), from strings joined by a separator
// (`parse`), from a flat column of names with path offsets (`from_names`, e.g. exploded
// lists), or from an event log grouped by entity (`from_event_log`: one path per entity,
// in time order).  Every builder validates everything before building anything, and its
// errors name the path, the position inside it and the offending label, in the words
// of the caller (`PathWords`: "path 3, touch 1: unknown channel 'x'", "path 0, step 2:
// empty stage name in 'a>>b'").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/event_log.hpp"
#include "funnelnet/core/labels.hpp"

FUNNELNET_BEGIN

/// The words a path set uses in its error messages.
struct PathWords {
  std::string label = "label";    ///< what a code names: "stage", "channel"
  std::string step = "position";  ///< one element of a path: "step", "touch"
  std::string steps = "positions";

  static PathWords stages() { return {"stage", "step", "steps"}; }
  static PathWords channels() { return {"channel", "touch", "touches"}; }
};

class LabelPaths {
 public:
  LabelPaths() = default;

  /// Validating constructor.  Path p is codes[offsets[p] .. offsets[p+1]) (indices into
  /// `labels`), observed weights[p] times (empty: once each).  Errors: empty_input (no
  /// paths: `offsets` needs n_paths + 1 entries), shape_mismatch (offsets do not end at
  /// codes.size(), or weights of the wrong length), invalid_argument (offsets[0] != 0,
  /// decreasing offsets, a negative or non-finite weight: "weight of path 3 must be
  /// finite and >= 0"), out_of_range (a code: "path 2, step 0: stage index 9 is outside
  /// [0, 5)").  Empty paths are allowed here; `parse` and `from_names` reject them.
  LabelPaths(Labels labels, std::vector<std::int32_t> codes, std::vector<std::int64_t> offsets,
             std::vector<double> weights = {}, PathWords words = {});

  /// Paths from strings: each is label names joined by `sep`, names stripped of spaces
  /// and tabs.  Without a `vocabulary`, labels are numbered in order of first appearance;
  /// with one, every name must be in it (unknown_label: "path 4, touch 2: unknown channel
  /// 'x'") and the labels are the vocabulary in its order (labels that occur in no path
  /// are kept).  Errors name the path and position: an empty string ("path 1 is empty (no
  /// touches)"), an empty name ("path 0, touch 1: empty channel name in 'a>>b'"), an
  /// empty `sep` (invalid_argument), no strings at all (empty_input).  `weights` as in
  /// the constructor.  With `allow_empty`, a blank string is an empty path (for callers
  /// that check empty paths themselves with more context).
  static LabelPaths parse(std::span<const std::string_view> strings, std::string_view sep,
                          const std::vector<std::string>& vocabulary = {},
                          std::span<const double> weights = {}, PathWords words = {},
                          bool allow_empty = false);

  /// Paths from a flat column of names: path p is names[offsets[p] .. offsets[p+1])
  /// (names are taken as they are, not stripped).  Labels and errors as in `parse`; an
  /// empty path is an error here.
  static LabelPaths from_names(std::span<const std::string_view> names, std::span<const std::int64_t> offsets,
                               const std::vector<std::string>& vocabulary = {},
                               std::span<const double> weights = {}, PathWords words = {});

  /// One path per entity of a sorted event log (in the log's group order), its codes in
  /// time order (ties in input order), each observed once.  `labels` names the log's
  /// codes; a code outside it is out_of_range naming the input row.  `entity()` gives
  /// each path's entity id.
  template <class Time>
  static LabelPaths from_event_log(const SortedEventLog<Time>& log, Labels labels, PathWords words = {});

  /// Number of paths.
  [[nodiscard]] std::size_t size() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  [[nodiscard]] std::size_t n_labels() const noexcept { return labels_.size(); }
  [[nodiscard]] const Labels& labels() const noexcept { return labels_; }
  [[nodiscard]] const PathWords& words() const noexcept { return words_; }
  /// Codes of path p, in order.
  [[nodiscard]] std::span<const std::int32_t> path(std::size_t p) const {
    return {codes_.data() + offsets_[p], static_cast<std::size_t>(offsets_[p + 1] - offsets_[p])};
  }
  [[nodiscard]] const std::vector<std::int32_t>& codes() const noexcept { return codes_; }
  [[nodiscard]] const std::vector<std::int64_t>& offsets() const noexcept { return offsets_; }
  /// Per-path weights; empty when none were given (each path counts once).
  [[nodiscard]] const std::vector<double>& weights() const noexcept { return weights_; }
  [[nodiscard]] double weight(std::size_t p) const noexcept { return weights_.empty() ? 1.0 : weights_[p]; }
  /// Entity id of each path (from_event_log only; empty otherwise).
  [[nodiscard]] const std::vector<std::int64_t>& entity() const noexcept { return entity_; }

 private:
  void validate() const;

  Labels labels_;
  std::vector<std::int32_t> codes_;
  std::vector<std::int64_t> offsets_;
  std::vector<double> weights_;
  std::vector<std::int64_t> entity_;
  PathWords words_;
};

extern template LabelPaths LabelPaths::from_event_log<std::int64_t>(const SortedEventLog<std::int64_t>&,
                                                                    Labels, PathWords);
extern template LabelPaths LabelPaths::from_event_log<double>(const SortedEventLog<double>&, Labels,
                                                              PathWords);

FUNNELNET_END
