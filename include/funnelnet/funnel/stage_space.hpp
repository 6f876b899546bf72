// StageSpace: the states of a funnel, by name, each either transient (a stage a lead
// passes through) or absorbing (an outcome it ends in: won, lost, abandoned...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/labels.hpp"

FUNNELNET_BEGIN

class StageSpace {
 public:
  StageSpace() = default;

  /// States in the given order; absorbing[i] says whether state i is an end state.
  /// Throws on empty, duplicate or blank names and on mismatched lengths.
  StageSpace(std::vector<std::string> names, std::vector<bool> absorbing);

  /// A funnel: the transient stages in order, then the absorbing outcomes.
  static StageSpace funnel(const std::vector<std::string>& stages, const std::vector<std::string>& outcomes);

  [[nodiscard]] std::size_t size() const noexcept { return labels_.size(); }
  [[nodiscard]] const std::string& name(std::size_t i) const { return labels_.name(i); }
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return labels_.names(); }
  [[nodiscard]] const Labels& labels() const noexcept { return labels_; }
  [[nodiscard]] bool is_absorbing(std::size_t i) const { return absorbing_.at(i); }
  [[nodiscard]] const std::vector<bool>& absorbing_flags() const noexcept { return absorbing_; }
  /// Indices of the transient states, in state order.
  [[nodiscard]] const std::vector<std::int32_t>& transient() const noexcept { return transient_idx_; }
  /// Indices of the absorbing states, in state order.
  [[nodiscard]] const std::vector<std::int32_t>& absorbing() const noexcept { return absorbing_idx_; }
  /// Index of a stage by name; throws unknown_label.
  [[nodiscard]] std::int32_t index(std::string_view name) const { return labels_.at(name, "stage"); }

  friend bool operator==(const StageSpace& a, const StageSpace& b) {
    return a.labels_ == b.labels_ && a.absorbing_ == b.absorbing_;
  }

 private:
  Labels labels_;
  std::vector<bool> absorbing_;
  std::vector<std::int32_t> transient_idx_;
  std::vector<std::int32_t> absorbing_idx_;
};

FUNNELNET_END
