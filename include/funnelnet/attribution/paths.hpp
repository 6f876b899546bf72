// PathSet: customer journeys for attribution.  One path per row, a sequence of channel
// touches (a core LabelPaths, funnelnet/core/paths.hpp: touches[offsets[p] .. offsets[p+1])), with how many
// times the path ended in a conversion, how many times it ended without one (nulls), and the conversion value
// it earned.  Rows may repeat.  Everything is validated once, here; the models assume a valid PathSet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/labels.hpp"
#include "funnelnet/core/paths.hpp"

FUNNELNET_BEGIN

/// Aggregated journeys over named channels: a core `LabelPaths` (the channel touches, in
/// CSR form, validated by the one path validator and parser of core/paths.hpp) plus, per
/// path, conversions, nulls and conversion value.  Build with the constructor (channel
/// ids in CSR form), `PathSet::parse` (strings such as "fair > visit > demo"), from a
/// core `LabelPaths` or with `journeys_from_events` (an event log).
class PathSet {
 public:
  PathSet() = default;

  /// Validating constructor.  `channels` names the channels (unique, non-empty, without
  /// `sep` inside: `sep` joins names when states and sequences are displayed).  Path p
  /// is touches[offsets[p] .. offsets[p+1]) (channel indices), observed with
  /// conversions[p] conversions, nulls[p] non-conversions (empty span: none) and
  /// values[p] total conversion value (empty span: none).  Errors: empty_input (no
  /// paths), shape_mismatch (lengths), out_of_range (a channel index), invalid_argument
  /// (a negative or non-finite count or value, value without conversions, an empty path,
  /// a channel that appears in no path, a separator inside a name).
  PathSet(Labels channels, std::vector<std::int32_t> touches, std::vector<std::int64_t> offsets,
          std::vector<double> conversions, std::vector<double> nulls = {}, std::vector<double> values = {},
          std::string sep = ">")
      : PathSet(LabelPaths(std::move(channels), std::move(touches), std::move(offsets), {},
                           PathWords::channels()),
                std::move(conversions), std::move(nulls), std::move(values), std::move(sep)) {}

  /// Journeys over validated core paths (their weights are not used: conversions and
  /// nulls count each path).  Same checks and errors as the constructor above.
  PathSet(LabelPaths paths, std::vector<double> conversions, std::vector<double> nulls = {},
          std::vector<double> values = {}, std::string sep = ">");

  /// Paths from strings: each is channel names joined by `sep` (names are stripped of
  /// spaces and tabs), parsed by `LabelPaths::parse` ("path 3, touch 1: unknown channel
  /// 'x'").  Channels are numbered in order of first appearance unless `vocabulary` is
  /// non-empty, in which case every name must be in it (unknown_label) and every
  /// vocabulary channel must appear in some path.  Counts as in the constructor.
  static PathSet parse(std::span<const std::string_view> paths, std::string_view sep,
                       std::span<const double> conversions, std::span<const double> nulls = {},
                       std::span<const double> values = {}, const std::vector<std::string>& vocabulary = {});

  [[nodiscard]] std::size_t size() const noexcept { return paths_.size(); }
  [[nodiscard]] std::size_t n_channels() const noexcept { return paths_.n_labels(); }
  [[nodiscard]] const Labels& channels() const noexcept { return paths_.labels(); }
  [[nodiscard]] const std::string& sep() const noexcept { return sep_; }
  /// The core path set underneath (channel codes and offsets).
  [[nodiscard]] const LabelPaths& paths() const noexcept { return paths_; }
  /// Channel indices of path p's touches, in order.
  [[nodiscard]] std::span<const std::int32_t> path(std::size_t p) const { return paths_.path(p); }
  [[nodiscard]] const std::vector<std::int32_t>& touches() const noexcept { return paths_.codes(); }
  [[nodiscard]] const std::vector<std::int64_t>& offsets() const noexcept { return paths_.offsets(); }
  [[nodiscard]] const std::vector<double>& conversions() const noexcept { return conversions_; }
  [[nodiscard]] const std::vector<double>& nulls() const noexcept { return nulls_; }
  [[nodiscard]] const std::vector<double>& values() const noexcept { return values_; }
  /// Whether conversion values were given.
  [[nodiscard]] bool has_values() const noexcept { return has_values_; }
  [[nodiscard]] double total_conversions() const {
    return std::accumulate(conversions_.begin(), conversions_.end(), 0.0);
  }
  [[nodiscard]] double total_value() const { return std::accumulate(values_.begin(), values_.end(), 0.0); }

 private:
  void validate() const;

  LabelPaths paths_;
  std::vector<double> conversions_, nulls_, values_;
  std::string sep_ = ">";
  bool has_values_ = false;
};

/// Journeys built from an event log: `paths` has one row per journey (conversions 1 for
/// a journey that ended in a conversion, nulls 1 for a customer's trailing journey that
/// did not), `customer[j]` is journey j's customer and `age[k]` is, for touch k, the
/// time from the touch to the journey's end (its conversion, or the customer's last
/// event), in the event log's time unit.
struct Journeys {
  PathSet paths;
  std::vector<std::int64_t> customer;
  std::vector<double> age;
};

/// Options for `journeys_from_events`.
struct JourneyOptions {
  /// A conversion event's own channel is the journey's last touch (true), or the
  /// conversion row only closes the journey (false; a conversion with no earlier touch
  /// is then an error).
  bool conversion_is_touch = true;
  std::string sep = ">";
};

/// Journeys from an event log of rows (customer, time, channel, converted, value) in any
/// order.  Per customer, rows are sorted by time (ties keep input order) and the
/// journey is split after each conversion; touches after the last conversion form a
/// non-converting journey.  `converted` must be 0 or 1; `value` (may be empty) must be
/// >= 0 and 0 on rows that are not conversions.  Errors name the row.  Time is one of
/// std::int32_t, std::int64_t, float, double (compiled in src/attribution/paths.cpp).
template <class Time>
Journeys journeys_from_events(const Labels& channels, std::span<const std::int64_t> customer,
                              std::span<const Time> time, std::span<const std::int32_t> channel,
                              std::span<const std::uint8_t> converted, std::span<const double> value = {},
                              const JourneyOptions& options = {});

extern template Journeys journeys_from_events<std::int32_t>(const Labels&, std::span<const std::int64_t>,
                                                            std::span<const std::int32_t>,
                                                            std::span<const std::int32_t>,
                                                            std::span<const std::uint8_t>,
                                                            std::span<const double>, const JourneyOptions&);
extern template Journeys journeys_from_events<std::int64_t>(const Labels&, std::span<const std::int64_t>,
                                                            std::span<const std::int64_t>,
                                                            std::span<const std::int32_t>,
                                                            std::span<const std::uint8_t>,
                                                            std::span<const double>, const JourneyOptions&);
extern template Journeys journeys_from_events<float>(const Labels&, std::span<const std::int64_t>,
                                                     std::span<const float>, std::span<const std::int32_t>,
                                                     std::span<const std::uint8_t>, std::span<const double>,
                                                     const JourneyOptions&);
extern template Journeys journeys_from_events<double>(const Labels&, std::span<const std::int64_t>,
                                                      std::span<const double>, std::span<const std::int32_t>,
                                                      std::span<const std::uint8_t>, std::span<const double>,
                                                      const JourneyOptions&);

FUNNELNET_END
