// PathSet validation and parsing, and journeys from event logs (declared in
// funnelnet/attribution/paths.hpp).
#include "funnelnet/attribution/paths.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

FUNNELNET_BEGIN

PathSet::PathSet(LabelPaths paths, std::vector<double> conversions, std::vector<double> nulls,
                 std::vector<double> values, std::string sep)
    : paths_(std::move(paths)),
      conversions_(std::move(conversions)),
      nulls_(std::move(nulls)),
      values_(std::move(values)),
      sep_(std::move(sep)) {
  validate();
  if (nulls_.empty()) nulls_.assign(size(), 0.0);
  has_values_ = !values_.empty();
  if (!has_values_) values_.assign(size(), 0.0);
}

PathSet PathSet::parse(std::span<const std::string_view> paths, std::string_view sep,
                       std::span<const double> conversions, std::span<const double> nulls,
                       std::span<const double> values, const std::vector<std::string>& vocabulary) {
  // Blank strings become empty paths here so that validate() names their conversions.
  return PathSet(LabelPaths::parse(paths, sep, vocabulary, {}, PathWords::channels(), /*allow_empty=*/true),
                 {conversions.begin(), conversions.end()}, {nulls.begin(), nulls.end()},
                 {values.begin(), values.end()}, std::string(sep));
}

// Offsets and channel indices were checked by LabelPaths; the rest is attribution's.
void PathSet::validate() const {
  if (sep_.empty()) fail(Errc::invalid_argument, "the separator must not be empty");
  const std::size_t n = paths_.size();
  if (n == 0) fail(Errc::empty_input, "no paths given (offsets needs n_paths + 1 entries)");
  require_size(conversions_.size(), n, "conversions");
  if (!nulls_.empty()) require_size(nulls_.size(), n, "nulls");
  if (!values_.empty()) require_size(values_.size(), n, "values");
  const Labels& channels = paths_.labels();
  if (channels.empty()) fail(Errc::empty_input, "no channels given");
  for (std::size_t c = 0; c < channels.size(); ++c)
    if (channels.name(c).find(sep_) != std::string::npos)
      fail(Errc::invalid_argument, "channel '", channels.name(c), "' contains the separator '", sep_, "'");
  const auto& offsets = paths_.offsets();
  for (std::size_t p = 0; p < n; ++p) {
    const double conv = conversions_[p];
    if (!(std::isfinite(conv) && conv >= 0.0))
      fail(Errc::invalid_argument, "path ", p, ": conversions must be finite and >= 0, got ", conv);
    if (!nulls_.empty() && !(std::isfinite(nulls_[p]) && nulls_[p] >= 0.0))
      fail(Errc::invalid_argument, "path ", p, ": nulls must be finite and >= 0, got ", nulls_[p]);
    if (!values_.empty()) {
      if (!(std::isfinite(values_[p]) && values_[p] >= 0.0))
        fail(Errc::invalid_argument, "path ", p, ": value must be finite and >= 0, got ", values_[p]);
      if (values_[p] > 0.0 && conv == 0.0)
        fail(Errc::invalid_argument, "path ", p, ": value ", values_[p], " with no conversions");
    }
    if (offsets[p + 1] == offsets[p]) {
      if (conv > 0.0) fail(Errc::invalid_argument, "path ", p, " has ", conv, " conversions but no touches");
      fail(Errc::invalid_argument, "path ", p, " is empty (no touches)");
    }
  }
  std::vector<char> seen(channels.size(), 0);
  for (const std::int32_t c : paths_.codes()) seen[static_cast<std::size_t>(c)] = 1;
  for (std::size_t c = 0; c < seen.size(); ++c)
    if (!seen[c]) fail(Errc::invalid_argument, "channel '", channels.name(c), "' appears in no path");
}

template <class Time>
Journeys journeys_from_events(const Labels& channels, std::span<const std::int64_t> customer,
                              std::span<const Time> time, std::span<const std::int32_t> channel,
                              std::span<const std::uint8_t> converted, std::span<const double> value,
                              const JourneyOptions& options) {
  static_assert(std::is_arithmetic_v<Time>, "event times must be integers or floating point");
  const std::size_t n = customer.size();
  if (n == 0) fail(Errc::empty_input, "the event log has no rows");
  require_size(time.size(), n, "time column");
  require_size(channel.size(), n, "channel column");
  require_size(converted.size(), n, "converted column");
  if (!value.empty()) require_size(value.size(), n, "value column");
  const auto n_ch = static_cast<std::int32_t>(channels.size());
  for (std::size_t r = 0; r < n; ++r) {
    if (channel[r] < 0 || channel[r] >= n_ch)
      fail(Errc::out_of_range, "row ", r, ": channel index ", channel[r], " is outside [0, ", n_ch, ")");
    if (converted[r] > 1)
      fail(Errc::invalid_argument, "row ", r, ": converted must be 0 or 1, got ", +converted[r]);
    if constexpr (std::is_floating_point_v<Time>)
      if (!std::isfinite(time[r]))
        fail(Errc::invalid_argument, "row ", r, ": time must be finite, got ", time[r]);
    if (!value.empty()) {
      if (!(std::isfinite(value[r]) && value[r] >= 0.0))
        fail(Errc::invalid_argument, "row ", r, ": value must be finite and >= 0, got ", value[r]);
      if (value[r] > 0.0 && converted[r] == 0)
        fail(Errc::invalid_argument, "row ", r, ": value ", value[r], " on a row that is not a conversion");
    }
  }
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (customer[a] != customer[b]) return customer[a] < customer[b];
    return time[a] < time[b];
  });
  std::vector<std::int32_t> touches;
  std::vector<std::int64_t> offsets{0};
  std::vector<double> conv, nulls, vals, age;
  std::vector<std::int64_t> cust;
  std::vector<double> touch_time;
  touches.reserve(n);
  auto close = [&](double c, double nl, double v, double end_time, std::int64_t who) {
    for (auto k = static_cast<std::size_t>(offsets.back()); k < touches.size(); ++k)
      age.push_back(end_time - touch_time[k]);
    offsets.push_back(static_cast<std::int64_t>(touches.size()));
    conv.push_back(c);
    nulls.push_back(nl);
    vals.push_back(v);
    cust.push_back(who);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t r = order[i];
    const bool last_of_customer = i + 1 == n || customer[order[i + 1]] != customer[r];
    const bool pending = touches.size() > static_cast<std::size_t>(offsets.back());
    if (converted[r]) {
      if (options.conversion_is_touch) {
        touches.push_back(channel[r]);
        touch_time.push_back(static_cast<double>(time[r]));
      } else if (!pending) {
        fail(Errc::invalid_argument, "row ", r, ": customer ", customer[r],
             " converts with no touches before");
      }
      close(1.0, 0.0, value.empty() ? 0.0 : value[r], static_cast<double>(time[r]), customer[r]);
    } else {
      touches.push_back(channel[r]);
      touch_time.push_back(static_cast<double>(time[r]));
      if (last_of_customer) close(0.0, 1.0, 0.0, static_cast<double>(time[r]), customer[r]);
    }
  }
  Journeys j{PathSet(channels, std::move(touches), std::move(offsets), std::move(conv), std::move(nulls),
                     value.empty() ? std::vector<double>{} : std::move(vals), options.sep),
             std::move(cust), std::move(age)};
  return j;
}

template Journeys journeys_from_events<std::int32_t>(const Labels&, std::span<const std::int64_t>,
                                                     std::span<const std::int32_t>,
                                                     std::span<const std::int32_t>,
                                                     std::span<const std::uint8_t>, std::span<const double>,
                                                     const JourneyOptions&);
template Journeys journeys_from_events<std::int64_t>(const Labels&, std::span<const std::int64_t>,
                                                     std::span<const std::int64_t>,
                                                     std::span<const std::int32_t>,
                                                     std::span<const std::uint8_t>, std::span<const double>,
                                                     const JourneyOptions&);
template Journeys journeys_from_events<float>(const Labels&, std::span<const std::int64_t>,
                                              std::span<const float>, std::span<const std::int32_t>,
                                              std::span<const std::uint8_t>, std::span<const double>,
                                              const JourneyOptions&);
template Journeys journeys_from_events<double>(const Labels&, std::span<const std::int64_t>,
                                               std::span<const double>, std::span<const std::int32_t>,
                                               std::span<const std::uint8_t>, std::span<const double>,
                                               const JourneyOptions&);

FUNNELNET_END
