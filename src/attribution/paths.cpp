// PathSet validation and parsing, and journeys from event logs (declared in
// funnelnet/attribution/paths.hpp).
#include "funnelnet/attribution/paths.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

FUNNELNET_BEGIN

namespace {
std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

PathSet PathSet::parse(std::span<const std::string_view> paths, std::string_view sep,
                       std::span<const double> conversions, std::span<const double> nulls,
                       std::span<const double> values, const std::vector<std::string>& vocabulary) {
  if (sep.empty()) fail(Errc::invalid_argument, "the separator must not be empty");
  if (paths.empty()) fail(Errc::empty_input, "no paths given");
  std::unordered_map<std::string_view, std::int32_t> index;
  std::vector<std::string> names;
  if (!vocabulary.empty()) {
    Labels check(vocabulary, "channel");
    names = vocabulary;
    // Keys view the caller's strings (vocabulary, then paths), which outlive this call.
    for (std::size_t i = 0; i < vocabulary.size(); ++i)
      index.emplace(vocabulary[i], static_cast<std::int32_t>(i));
  }
  std::vector<std::int32_t> touches;
  std::vector<std::int64_t> offsets;
  offsets.reserve(paths.size() + 1);
  offsets.push_back(0);
  touches.reserve(paths.size() * 4);
  for (std::size_t p = 0; p < paths.size(); ++p) {
    const std::string_view s = paths[p];
    std::size_t pos = 0;
    std::size_t k = 0;
    if (strip(s).empty()) {
      if (p < conversions.size() && conversions[p] > 0)
        fail(Errc::invalid_argument, "path ", p, " has ", conversions[p], " conversions but no touches");
      fail(Errc::invalid_argument, "path ", p, " is empty (no touches)");
    }
    while (true) {
      const std::size_t next = s.find(sep, pos);
      const std::string_view name =
          strip(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
      if (name.empty())
        fail(Errc::invalid_argument, "path ", p, ", touch ", k, ": empty channel name in '", s, "'");
      auto it = index.find(name);
      if (it == index.end()) {
        if (!vocabulary.empty())
          fail(Errc::unknown_label, "path ", p, ", touch ", k, ": unknown channel '", name, "'");
        names.emplace_back(name);
        it = index.emplace(name, static_cast<std::int32_t>(names.size() - 1)).first;
      }
      touches.push_back(it->second);
      ++k;
      if (next == std::string_view::npos) break;
      pos = next + sep.size();
    }
    offsets.push_back(static_cast<std::int64_t>(touches.size()));
  }
  return PathSet(Labels(std::move(names), "channel"), std::move(touches), std::move(offsets),
                 std::vector<double>(conversions.begin(), conversions.end()),
                 std::vector<double>(nulls.begin(), nulls.end()),
                 std::vector<double>(values.begin(), values.end()), std::string(sep));
}

void PathSet::validate() const {
  if (sep_.empty()) fail(Errc::invalid_argument, "the separator must not be empty");
  if (offsets_.size() < 2) fail(Errc::empty_input, "no paths given (offsets needs n_paths + 1 entries)");
  const std::size_t n = offsets_.size() - 1;
  require_size(conversions_.size(), n, "conversions");
  if (!nulls_.empty()) require_size(nulls_.size(), n, "nulls");
  if (!values_.empty()) require_size(values_.size(), n, "values");
  if (offsets_[0] != 0) fail(Errc::invalid_argument, "offsets[0] must be 0, got ", offsets_[0]);
  if (offsets_[n] != static_cast<std::int64_t>(touches_.size()))
    fail(Errc::shape_mismatch, "offsets end at ", offsets_[n], " but there are ", touches_.size(),
         " touches");
  if (channels_.empty()) fail(Errc::empty_input, "no channels given");
  for (std::size_t c = 0; c < channels_.size(); ++c)
    if (channels_.name(c).find(sep_) != std::string::npos)
      fail(Errc::invalid_argument, "channel '", channels_.name(c), "' contains the separator '", sep_, "'");
  const auto n_ch = static_cast<std::int32_t>(channels_.size());
  std::vector<char> seen(channels_.size(), 0);
  for (std::size_t p = 0; p < n; ++p) {
    if (offsets_[p + 1] < offsets_[p])
      fail(Errc::invalid_argument, "offsets must be non-decreasing: offsets[", p + 1, "] = ", offsets_[p + 1],
           " < offsets[", p, "] = ", offsets_[p]);
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
    if (offsets_[p + 1] == offsets_[p]) {
      if (conv > 0.0) fail(Errc::invalid_argument, "path ", p, " has ", conv, " conversions but no touches");
      fail(Errc::invalid_argument, "path ", p, " is empty (no touches)");
    }
    for (auto k = offsets_[p]; k < offsets_[p + 1]; ++k) {
      const std::int32_t c = touches_[static_cast<std::size_t>(k)];
      if (c < 0 || c >= n_ch)
        fail(Errc::out_of_range, "path ", p, ", touch ", k - offsets_[p], ": channel index ", c,
             " is outside [0, ", n_ch, ")");
      seen[static_cast<std::size_t>(c)] = 1;
    }
  }
  for (std::size_t c = 0; c < seen.size(); ++c)
    if (!seen[c]) fail(Errc::invalid_argument, "channel '", channels_.name(c), "' appears in no path");
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
