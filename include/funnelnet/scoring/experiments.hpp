// Lead-scoring experiments: seeded splits and paired comparisons of two scorers.
//
// Splits assign each row a fold.  K-fold and grouped splits draw from numpy's default
// generator (PCG64 seeded through SeedSequence), so fold k here is the fold that
// numpy.random.default_rng(seed) gives in funnelnet.scoring.splits, bit for bit; the
// paired bootstrap draws its rows as default_rng(seed).integers(0, n, (replicates, n)).
// Comparisons: DeLong's test of two correlated ROC AUCs (DeLong, DeLong and
// Clarke-Pearson 1988, midranks after Sun and Xu 2014), the corrected resampled t-test
// of Nadeau and Bengio (2003) across folds, and a paired percentile bootstrap interval
// of the AUC difference.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "funnelnet/core/error.hpp"

FUNNELNET_BEGIN

/// K-fold: fold (0..folds-1) of each of n rows.  A seeded permutation of the rows cut
/// into `folds` near-equal parts (the first n % folds parts one row longer), as
/// numpy.array_split(default_rng(seed).permutation(n), folds).  Fold k tests on the rows
/// of fold k and trains on the others.  Throws invalid_argument for folds < 2 or
/// n < folds.
std::vector<std::int32_t> kfold_split(std::size_t n, int folds, std::uint64_t seed);

/// Grouped K-fold: every row of a group (an account) in one fold.  The distinct groups,
/// ascending, are permuted by default_rng(seed); the group at position i of the
/// permutation goes to fold i % folds.  Throws invalid_argument for folds < 2 or fewer
/// distinct groups than folds, empty_input for no rows.
std::vector<std::int32_t> group_kfold_split(std::span<const std::int64_t> groups, int folds,
                                            std::uint64_t seed);

/// Time-ordered split (expanding window): rows ordered by time (ties by row order) are
/// cut into folds + 1 near-equal blocks; a row of block b gets fold b - 1 (block 0,
/// the oldest, gets -1: never tested).  Fold k tests on the rows of fold k and trains
/// on the rows with fold < k, so it never trains on the future.  Throws
/// invalid_argument naming a NaN time, folds < 2 or n < folds + 1.
std::vector<std::int32_t> time_split(std::span<const double> time, int folds);

/// DeLong's test of AUC(a) - AUC(b) on the same rows (ties count half).
struct DeLongTest {
  double auc_a = 0.0, auc_b = 0.0, difference = 0.0;
  double std_error = 0.0;              ///< sqrt(var a + var b - 2 cov)
  double z = 0.0;                      ///< difference / std_error (0 when both are 0, +-inf when only se is)
  double p_value = 1.0;                ///< two-sided, normal approximation
  std::array<double, 4> covariance{};  ///< 2 x 2 covariance of (auc_a, auc_b), row-major
};

/// Throws shape_mismatch for lengths, invalid_argument naming the row for a label not
/// 0/1 or a non-finite score, and for fewer than 2 rows of either class.
DeLongTest delong_test(std::span<const double> y, std::span<const double> score_a,
                       std::span<const double> score_b);

/// The Nadeau-Bengio corrected resampled t-test of the mean of k per-fold differences:
/// se = sqrt((1 / k + n_test / n_train) s^2) with s^2 the sample variance, t = mean /
/// se (0 when se is 0), p two-sided from Student's t with k - 1 degrees of freedom.
struct CorrectedTTest {
  double mean = 0.0, std_error = 0.0, t = 0.0, p_value = 1.0;
  int df = 0;
};

/// `difference`: one value per fold (k >= 2, finite); n_train and n_test: the mean
/// training and test sizes (> 0).  Throws invalid_argument naming the bad value.
CorrectedTTest corrected_t_test(std::span<const double> difference, double n_train, double n_test);

/// P(T > t) for Student's t with df >= 1 degrees of freedom (the exact finite series of
/// Abramowitz and Stegun 26.7.3-4).
double student_t_sf(double t, int df);

/// Paired percentile bootstrap of AUC(a) - AUC(b): replicate b takes row b of
/// numpy.random.default_rng(seed).integers(0, n, (replicates, n)) (the same rows for
/// both scores); replicates with one class are dropped (NaN in `replicates`).
struct PairedBootstrap {
  double estimate = 0.0;   ///< AUC(a) - AUC(b) on the data
  double lower = 0.0;      ///< (1 - level) / 2 percentile of the kept replicates (NaN if none)
  double upper = 0.0;      ///< (1 + level) / 2 percentile
  double std_error = 0.0;  ///< standard deviation of the kept replicates (NaN if fewer than 2)
  int dropped = 0;
  std::vector<double> replicates;
};

/// Throws as roc_auc for bad labels or scores, shape_mismatch for lengths,
/// invalid_argument for replicates < 1 or level outside (0, 1).  The result does not
/// depend on `threads` (0: from the work, one thread for small inputs).
PairedBootstrap paired_bootstrap_auc(std::span<const double> y, std::span<const double> score_a,
                                     std::span<const double> score_b, int replicates = 1000,
                                     double level = 0.95, std::uint64_t seed = 0, int threads = 0);

namespace detail {
/// numpy's default generator: PCG64 (XSL-RR 128/64) seeded by SeedSequence(seed), with
/// the bounded draws of numpy.random.Generator (bit for bit).
class NumpyPcg64 {
 public:
  explicit NumpyPcg64(std::uint64_t seed) noexcept;
  std::uint64_t next64() noexcept;
  std::uint32_t next32() noexcept;
  /// Generator.shuffle's draw: uniform on [0, max] by masked rejection.
  std::uint64_t interval(std::uint64_t max) noexcept;
  /// Generator.integers' draw: uniform on [0, max] by Lemire's method.
  std::uint64_t bounded(std::uint64_t max) noexcept;
  /// Generator.permutation(n).
  std::vector<std::int64_t> permutation(std::size_t n);

 private:
  __uint128_t state_ = 0, inc_ = 0;
  bool has32_ = false;
  std::uint32_t buf32_ = 0;
};
}  // namespace detail

FUNNELNET_END
