// Sales views of any score vector: the CRM-style 1-99 lead score and priority tiers by
// rank (A/B/C, quartiles, any shares).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// The CRM-style lead score of probabilities p (each finite, in [0, 1]):
/// round(100 p) clipped to 1..99, halves rounded to even (numpy's rint).  invalid_argument
/// naming the first row outside [0, 1] or not finite.
std::vector<std::int32_t> score_1_99(std::span<const double> p);

/// Priority tier of each row by rank of its score (highest first, ties by row order):
/// with cumulative bounds B_t = round(n (shares_0 + ... + shares_t)) (halves to even),
/// the rows at ranks [B_{t-1}, B_t) get tier t (0 = best); the last tier also takes any
/// rank past the last bound.  shares: at least one, each finite and >= 0, summing to 1
/// (within 1e-5, numpy's isclose).  invalid_argument naming a bad share or a NaN score.
std::vector<std::int32_t> priority_tiers(std::span<const double> score, std::span<const double> shares);

FUNNELNET_END
