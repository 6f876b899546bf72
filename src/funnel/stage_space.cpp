#include "funnelnet/funnel/stage_space.hpp"

FUNNELNET_BEGIN

StageSpace::StageSpace(std::vector<std::string> names, std::vector<bool> absorbing)
    : labels_(std::move(names), "stage"), absorbing_(std::move(absorbing)) {
  if (labels_.empty()) fail(Errc::empty_input, "a stage space needs at least one stage");
  require_size(absorbing_.size(), labels_.size(), "absorbing flags");
  // A NUL inside a name would be cut short by every C caller and model-file reader.
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (labels_.name(i).find('\0') != std::string::npos)
      fail(Errc::invalid_argument, "stage ", i, " name contains a NUL character");
  for (std::size_t i = 0; i < absorbing_.size(); ++i)
    (absorbing_[i] ? absorbing_idx_ : transient_idx_).push_back(static_cast<std::int32_t>(i));
}

StageSpace StageSpace::funnel(const std::vector<std::string>& stages,
                              const std::vector<std::string>& outcomes) {
  std::vector<std::string> names(stages);
  names.insert(names.end(), outcomes.begin(), outcomes.end());
  std::vector<bool> absorbing(stages.size(), false);
  absorbing.resize(names.size(), true);
  return {std::move(names), std::move(absorbing)};
}

FUNNELNET_END
