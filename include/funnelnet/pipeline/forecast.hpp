// Per-opportunity win probabilities by period from a fitted chain: the input of the
// won-count and won-revenue distributions (distribution.hpp) of a forecast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"
#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/semi_markov.hpp"

FUNNELNET_BEGIN

/// P(deal i is won by the end of period k), row-major deals x periods, for deals in the
/// transient stages `stage` of a discrete chain taking one step per period:
/// (P^k)[stage[i], won] for k = 1 .. periods.  The chain is memoryless, so the time a deal
/// has already spent in its stage does not enter.  Errors: periods == 0, `won` not an
/// absorbing stage (InvalidArgumentError); a stage index out of range or absorbing
/// (InvalidArgumentError naming the deal and the stage).
std::vector<double> won_by_period(const MarkovChain& chain, std::span<const std::size_t> stage,
                                  std::size_t won, std::size_t periods);

/// The same for a continuous-time chain: exp(Q k period)[stage[i], won], k = 1 .. periods,
/// with `period` (> 0, finite) in the chain's time unit.
std::vector<double> won_by_period(const ContinuousChain& chain, std::span<const std::size_t> stage,
                                  std::size_t won, std::size_t periods, double period);

/// The same for a semi-Markov funnel, whose holding times are not memoryless: deal i is
/// conditioned on the time age[i] (finite, >= 0, in the model's time unit) it has already
/// spent in its stage, and P(won within k * period) is the share of `draws` (>= 1) seeded
/// Monte Carlo draws of its remaining path that end in `won` by then; one simulation per
/// distinct (stage, age), each with `seed`, so the table does not depend on `threads`.
/// Errors as above, and an age negative or NaN (naming the deal), draws == 0.
std::vector<double> won_by_period(const SemiMarkovFunnel& model, std::span<const std::size_t> stage,
                                  std::span<const double> age, std::size_t won, std::size_t periods,
                                  double period, std::size_t draws, std::uint64_t seed, int threads = 0);

/// Column `period` (0-based) of a deals x periods table of cumulative win probabilities:
/// P(won by its end) when `cumulative`, else P(won within it), the difference of
/// consecutive columns (clipped at 0).
std::vector<double> won_in_period(std::span<const double> won_by, std::size_t periods, std::size_t period,
                                  bool cumulative);

FUNNELNET_END
