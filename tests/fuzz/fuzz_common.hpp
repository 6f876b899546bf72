// Shared by the libFuzzer targets: a typed funnelnet::Error is the expected answer to a
// bad input; anything else (another exception, a crash, a sanitizer report, a leak)
// is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "funnelnet/core/error.hpp"

namespace fuzz {

template <class F>
void expect_typed(F&& f) {
  try {
    f();
  } catch (const funnelnet::Error&) {  // the documented answer to bad input
  }
}

/// Reads fixed-size values from the front of the input, zeros once it runs out.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), left_(size) {}
  template <class T>
  T take() {
    T v{};
    const std::size_t n = left_ < sizeof(T) ? left_ : sizeof(T);
    std::memcpy(&v, p_, n);
    p_ += n;
    left_ -= n;
    return v;
  }
  std::string_view rest() const { return {reinterpret_cast<const char*>(p_), left_}; }
  std::size_t left() const { return left_; }

 private:
  const std::uint8_t* p_;
  std::size_t left_;
};

}  // namespace fuzz
