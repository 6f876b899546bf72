// Labels: an ordered set of unique, non-empty names with a fast name -> index map.
// Used for stages, channels, tiers and anything else addressed by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

class Labels {
 public:
  Labels() = default;

  /// Validates that every name is non-empty and unique; `what` names the list in
  /// error messages ("stage", "channel", ...).
  explicit Labels(std::vector<std::string> names, std::string_view what = "label")
      : names_(std::move(names)) {
    index_.reserve(names_.size());
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (names_[i].empty()) fail(Errc::invalid_argument, what, " ", i, " has an empty name");
      auto [it, inserted] = index_.emplace(names_[i], static_cast<std::int32_t>(i));
      if (!inserted)
        fail(Errc::duplicate_label, what, " name '", names_[i], "' appears twice (positions ", it->second,
             " and ", i, ")");
    }
  }

  [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }
  [[nodiscard]] bool empty() const noexcept { return names_.empty(); }
  [[nodiscard]] const std::string& name(std::size_t i) const { return names_.at(i); }
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

  /// Index of `name`, or -1 if unknown.
  [[nodiscard]] std::int32_t find(std::string_view name) const {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? -1 : it->second;
  }

  /// Index of `name`; throws unknown_label naming `what` and the name if unknown.
  [[nodiscard]] std::int32_t at(std::string_view name, std::string_view what = "label") const {
    const std::int32_t i = find(name);
    if (i < 0) fail(Errc::unknown_label, "unknown ", what, " '", name, "'");
    return i;
  }

  friend bool operator==(const Labels& a, const Labels& b) { return a.names_ == b.names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::int32_t> index_;
};

FUNNELNET_END
