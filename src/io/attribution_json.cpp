// Model files of the attribution area: the fitted Markov attribution (its full state,
// so every query answers as the fitted model did).
#include <cstdint>
#include <string>
#include <vector>

#include "funnelnet/attribution/markov.hpp"
#include "funnelnet/io/json.hpp"
#include "json_detail.hpp"

FUNNELNET_BEGIN
namespace io {
using namespace detail;

std::string to_json(const MarkovAttribution& model) {
  const MarkovAttributionState s = model.to_state();
  auto j = header("markov_attribution");
  j["channels"] = s.channels;
  j["sep"] = s.sep;
  j["order"] = s.order;
  j["repeats"] = s.repeats == Repeats::keep ? "keep" : "collapse";
  j["has_values"] = s.has_values;
  j["total_conversions"] = s.total_conversions;
  j["total_value"] = s.total_value;
  j["state_channels"] = s.state_seq;
  j["state_offsets"] = s.state_off;
  j["q_offsets"] = s.q_offsets;
  j["q_targets"] = s.q_col;
  j["q_probabilities"] = s.q_value;
  j["p_conversion"] = s.p_conv;
  j["p_null"] = s.p_null;
  j["reward"] = s.reward;
  j["removal_effects"] = s.removal_effects;
  j["value_removal_effects"] = s.value_removal_effects;
  return j.dump();
}

MarkovAttribution attribution_from_json(std::string_view text) {
  const auto j = parse(text, "markov_attribution");
  MarkovAttributionState s;
  s.channels = read_strings(j, "channels");
  s.sep = read_string(j, "sep");
  s.order = static_cast<int>(read_int(j, "order", 1, 62));
  const std::string rep = read_string(j, "repeats");
  if (rep != "keep" && rep != "collapse")
    fail(Errc::format_error, "model file: 'repeats' must be \"keep\" or \"collapse\", got '", rep, "'");
  s.repeats = rep == "keep" ? Repeats::keep : Repeats::collapse;
  s.has_values = read_bool(j, "has_values");
  s.total_conversions = number(field(j, "total_conversions"), "total_conversions");
  s.total_value = number(field(j, "total_value"), "total_value");
  for (auto v : read_ints(j, "state_channels", std::string::npos, 0, INT32_MAX))
    s.state_seq.push_back(static_cast<std::int32_t>(v));
  s.state_off = read_ints(j, "state_offsets", std::string::npos, 0);
  s.q_offsets = read_ints(j, "q_offsets", std::string::npos, 0, INT32_MAX);
  for (auto v : read_ints(j, "q_targets", std::string::npos, 0, INT32_MAX))
    s.q_col.push_back(static_cast<std::int32_t>(v));
  s.q_value = read_doubles(j, "q_probabilities", s.q_col.size());
  s.p_conv = read_doubles(j, "p_conversion");
  s.p_null = read_doubles(j, "p_null");
  s.reward = read_doubles(j, "reward");
  s.removal_effects = read_doubles(j, "removal_effects", s.channels.size());
  s.value_removal_effects = read_doubles(j, "value_removal_effects", s.channels.size());
  return validated([&] { return MarkovAttribution::from_state(s); });
}

MarkovAttribution load_attribution(const std::filesystem::path& path) {
  return attribution_from_json(read_file(path));
}

}  // namespace io
FUNNELNET_END
