// The exact distribution of what an open pipeline brings: the number of won deals (a
// Poisson-binomial count) and the won revenue on a value grid, as the sum of independent
// per-opportunity outcomes, computed by divide-and-conquer convolution (direct for small
// blocks, a radix-2 FFT above a crossover).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// Probability mass function of the number of successes among independent Bernoulli
/// trials with success probabilities `p` (each in [0, 1]; InvalidArgumentError naming the
/// index otherwise): a vector of p.size() + 1 entries, never negative, summing to 1
/// within 1e-12.  Small blocks are multiplied out exactly; larger products use an FFT
/// after which entries below its round-off bound (8 eps log2(n) |a|_2 |b|_2, at least
/// 1e-15 of the peak) are set to zero and the mass renormalised.  `threads`: 0 = from the work;
/// never changes the result.
std::vector<double> poisson_binomial_pmf(std::span<const double> p, int threads = 0);

/// Probability mass function of sum_i units[i] * B_i with B_i ~ Bernoulli(p[i])
/// independent and units[i] >= 0 integers (grid cells): entry k is P(sum == k), for k in
/// [0, sum(units)].  Same accuracy and errors as poisson_binomial_pmf; a negative unit
/// is InvalidArgumentError naming the index.
std::vector<double> weighted_bernoulli_pmf(std::span<const double> p, std::span<const std::int64_t> units,
                                           int threads = 0);

/// A distribution on the lattice offset + k * resolution, k = 0 .. pmf.size() - 1 (a
/// count: offset 0, resolution 1; revenue: resolution = the grid's cell).
class LatticeDistribution {
 public:
  LatticeDistribution() = default;
  /// Takes the pmf as given (checked: finite, >= 0, sums to 1 within 1e-9; resolution > 0).
  LatticeDistribution(std::vector<double> pmf, double resolution = 1.0, double offset = 0.0);

  const std::vector<double>& pmf() const noexcept { return pmf_; }
  double resolution() const noexcept { return resolution_; }
  double offset() const noexcept { return offset_; }
  std::size_t size() const noexcept { return pmf_.size(); }
  /// Value of lattice point k.
  double value(std::size_t k) const noexcept { return offset_ + resolution_ * static_cast<double>(k); }

  double mean() const;
  double variance() const;
  /// The smallest lattice value x with P(X <= x) >= q, q in [0, 1] (InvalidArgumentError
  /// otherwise).
  double quantile(double q) const;
  /// P(X >= target); a negative or NaN target is InvalidArgumentError.
  double prob_at_least(double target) const;
  /// E[max(target - X, 0)], the expected shortfall below a target (>= 0).
  double expected_shortfall(double target) const;

 private:
  std::vector<double> pmf_;
  std::vector<double> cdf_;
  double resolution_ = 1.0;
  double offset_ = 0.0;
};

/// Deal amounts as the distributions take them: Errc::invalid_argument naming the first
/// deal (row) and its value when an amount is negative, NaN or infinite.
void check_amounts(std::span<const double> amount);

/// Amounts on a value grid: units[i] = round(amount[i] / resolution).  Errors (naming
/// the row and the value): an amount negative, NaN or infinite; resolution <= 0 or not
/// finite; a positive amount that rounds to zero cells (the grid is too coarse for it).
std::vector<std::int64_t> amounts_to_grid(std::span<const double> amount, double resolution);

/// A grid on which the amounts are exact, when there is one of at most `max_cells`
/// total cells: the largest resolution that divides every amount (amounts with at most
/// 6 decimals); 0 when none exists.
double exact_grid(std::span<const double> amount, std::int64_t max_cells = std::int64_t{1} << 24);

/// The won count distribution of deals won with probabilities `p`.
LatticeDistribution won_count_distribution(std::span<const double> p, int threads = 0);

/// The won revenue distribution on a grid of `resolution` (amounts rounded to it; see
/// amounts_to_grid), stored from its smallest possible value (offset) to its largest
/// (entries below the FFT round-off at either end dropped).  p and amount have the same length (ShapeError
/// otherwise).
LatticeDistribution won_revenue_distribution(std::span<const double> p, std::span<const double> amount,
                                             double resolution, int threads = 0);

FUNNELNET_END
