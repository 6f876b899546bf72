// Seeded random streams.  Every randomised algorithm takes a 64-bit seed and splits
// its work into a fixed number of tasks; task k draws from stream(seed, k).  Because the
// split does not depend on the thread count, the same seed gives the same answer with
// any number of threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

/// SplitMix64 step: a good 64-bit mixer, used to seed the generators.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna): fast, 256-bit state, passes BigCrush.
/// Satisfies UniformRandomBitGenerator, so it works with <random> distributions.
class Rng {
 public:
  using result_type = std::uint64_t;

  /// Generator for stream `stream` of `seed`; distinct (seed, stream) pairs give
  /// statistically independent sequences.
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept {
    std::uint64_t sm = seed ^ (0x6a09e667f3bcc909ULL * (stream + 1));
    std::uint64_t mixed = splitmix64(sm) ^ stream;
    for (auto& s : s_) s = splitmix64(mixed);
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  result_type operator()() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// Uniform integer in [0, n) (Lemire's nearly divisionless method); n > 0.
  std::uint64_t below(std::uint64_t n) noexcept {
    __uint128_t m = static_cast<__uint128_t>((*this)()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>((*this)()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  /// True with probability p.
  bool bernoulli(double p) noexcept { return uniform() < p; }

  /// Exponential variate with the given rate (> 0).
  double exponential(double rate) noexcept { return -std::log1p(-uniform()) / rate; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

/// The generator for task `task` of a run seeded with `seed`.
inline Rng stream(std::uint64_t seed, std::uint64_t task) noexcept {
  return Rng(seed, task);
}

FUNNELNET_END
