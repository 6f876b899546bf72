// Private to the compiled core: an open-addressing map from sparse 64-bit ids (leads,
// entities) to dense ids 0..m-1 in order of first appearance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN
namespace detail {

// Open-addressing map from sparse 64-bit lead ids to dense ids 0..m-1.
class DenseIds {
 public:
  explicit DenseIds(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < 2 * expected) cap <<= 1;
    keys_.assign(cap, 0);
    vals_.assign(cap, kEmpty);
  }
  std::uint32_t get(std::int64_t key) {
    std::size_t mask = keys_.size() - 1;
    std::uint64_t h = static_cast<std::uint64_t>(key);
    std::size_t i = splitmix(h) & mask;
    while (vals_[i] != kEmpty) {
      if (keys_[i] == key) return vals_[i];
      i = (i + 1) & mask;
    }
    keys_[i] = key;
    vals_[i] = next_;
    ids_.push_back(key);
    if (2 * static_cast<std::size_t>(++next_) > keys_.size()) grow();
    return next_ - 1;
  }
  [[nodiscard]] std::int64_t original(std::uint32_t id) const { return ids_[id]; }
  [[nodiscard]] std::uint32_t size() const { return next_; }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffU;
  static std::uint64_t splitmix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  void grow() {
    std::vector<std::int64_t> keys(keys_.size() * 2, 0);
    std::vector<std::uint32_t> vals(vals_.size() * 2, kEmpty);
    const std::size_t mask = keys.size() - 1;
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (vals_[i] != kEmpty) {
        std::size_t j = splitmix(static_cast<std::uint64_t>(keys_[i])) & mask;
        while (vals[j] != kEmpty) j = (j + 1) & mask;
        keys[j] = keys_[i];
        vals[j] = vals_[i];
      }
    keys_.swap(keys);
    vals_.swap(vals);
  }
  std::vector<std::int64_t> keys_;
  std::vector<std::uint32_t> vals_;
  std::vector<std::int64_t> ids_;
  std::uint32_t next_ = 0;
};

}  // namespace detail
FUNNELNET_END
