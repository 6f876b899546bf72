/* funnelnet C ABI: pipeline forecasting (the exact won-count and won-revenue
 * distributions of an open pipeline, and its seeded Monte Carlo).  C99.  See
 * funnelnet.h for the conventions. */
#ifndef FUNNELNET_C_PIPELINE_H
#define FUNNELNET_C_PIPELINE_H

#include "funnelnet/c/core.h"
#include "funnelnet/c/funnel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A distribution on the lattice offset + k * resolution, k = 0 .. size - 1. */
typedef struct fnet_distribution fnet_distribution;

/* The won-count distribution of n deals won independently with probabilities p[i]
 * (each in [0, 1]; FNET_E_INVALID_ARGUMENT naming the deal otherwise): exact, by
 * divide-and-conquer convolution; support 0 .. n.  threads: 0 = from the work, never changes
 * the result. */
FNET_API fnet_status fnet_distribution_count(fnet_distribution** out, const double* p, size_t n, int threads);

/* The won-revenue distribution: deal i adds amount[i] when won.  Amounts are rounded to
 * multiples of `resolution` (> 0); a negative, NaN or infinite amount, or a positive
 * amount that rounds to zero cells (grid too coarse), is FNET_E_INVALID_ARGUMENT naming
 * the deal.  resolution == 0 picks the exact grid (the amounts' largest common divisor,
 * amounts with at most 6 decimals, at most 2^24 cells in all; FNET_E_INVALID_ARGUMENT
 * when there is none). */
FNET_API fnet_status fnet_distribution_revenue(fnet_distribution** out, const double* p, const double* amount,
                                               size_t n, double resolution, int threads);

FNET_API void fnet_distribution_destroy(fnet_distribution* distribution);

/* Number of lattice points, resolution and offset (the first support point). */
FNET_API fnet_status fnet_distribution_size(size_t* out, const fnet_distribution* distribution);
FNET_API fnet_status fnet_distribution_resolution(double* out, const fnet_distribution* distribution);
FNET_API fnet_status fnet_distribution_offset(double* out, const fnet_distribution* distribution);

/* The pmf and the support values (two-call pattern, size entries each). */
FNET_API fnet_status fnet_distribution_pmf(double* out, size_t capacity, size_t* needed,
                                           const fnet_distribution* distribution);
FNET_API fnet_status fnet_distribution_support(double* out, size_t capacity, size_t* needed,
                                               const fnet_distribution* distribution);

/* Mean; the smallest support value x with P(X <= x) >= q (q in [0, 1]); P(X >= target)
 * and E[max(target - X, 0)] (target >= 0; FNET_E_INVALID_ARGUMENT otherwise). */
FNET_API fnet_status fnet_distribution_mean(double* out, const fnet_distribution* distribution);
FNET_API fnet_status fnet_distribution_quantile(double* out, const fnet_distribution* distribution, double q);
FNET_API fnet_status fnet_distribution_prob_at_least(double* out, const fnet_distribution* distribution,
                                                     double target);
FNET_API fnet_status fnet_distribution_expected_shortfall(double* out, const fnet_distribution* distribution,
                                                          double target);

/* Seeded Monte Carlo of an open pipeline: p is the row-major n_deals x periods table of
 * P(deal won in that period) (rows sum to <= 1), amount the n_deals amounts.  In each of
 * `runs` futures every deal's log-odds of winning within the horizon moves by one common
 * z ~ N(0, shock_sd^2) and a won deal's close slips one period with probability `slip`.
 * Outputs: won count and won revenue per run and period (row-major runs x periods;
 * runs * periods entries each, two-call pattern; either may be NULL).  The same seed
 * gives the same result at any thread count.  Errors name the deal and period. */
FNET_API fnet_status fnet_forecast_simulate(double* count, double* revenue, size_t capacity, size_t* needed,
                                            const double* p, size_t n_deals, size_t periods,
                                            const double* amount, size_t runs, double shock_sd, double slip,
                                            uint64_t seed, int threads);

/* ---- forecasts straight from a fitted chain ---------------------------------------- */

/* P(deal i won by the end of period k), k = 1 .. periods, row-major n_deals x periods
 * (two-call pattern), for deals in the transient stages stage[i] (indices into the
 * chain's stages) of a discrete chain taking one step per period: (P^k)[stage[i], won].
 * Both chains are memoryless, so the time a deal has spent in its stage does not enter.
 * Errors (FNET_E_INVALID_ARGUMENT): periods == 0; `won` not an absorbing stage; a stage
 * out of range or absorbing (naming the deal). */
FNET_API fnet_status fnet_forecast_won_by(double* out, size_t capacity, size_t* needed,
                                          const fnet_chain* chain, const size_t* stage, size_t n_deals,
                                          size_t won, size_t periods);

/* The same from a continuous-time chain: exp(Q k period)[stage[i], won], with the
 * period length (finite, > 0) in the chain's time unit. */
FNET_API fnet_status fnet_forecast_won_by_ctmc(double* out, size_t capacity, size_t* needed,
                                               const fnet_ctmc* chain, const size_t* stage, size_t n_deals,
                                               size_t won, size_t periods, double period);

/* The same from a fitted semi-Markov funnel, whose holding times are not memoryless: deal
 * i is conditioned on the time age[i] (finite, >= 0, in the model's time unit) it has
 * already spent in its stage; P(won within k * period) is the share of `draws` (>= 1)
 * seeded Monte Carlo draws of its remaining path won by then, one simulation per
 * distinct (stage, age) with `seed` (the same table at any `threads`).  An age negative
 * or NaN is FNET_E_INVALID_ARGUMENT naming the deal. */
FNET_API fnet_status fnet_forecast_won_by_semi(double* out, size_t capacity, size_t* needed,
                                               const fnet_semi_markov* model, const size_t* stage,
                                               const double* age, size_t n_deals, size_t won, size_t periods,
                                               double period, size_t draws, uint64_t seed, int threads);

/* The forecast's distribution for one period of a discrete chain (one step per period):
 * the wins within period `period` (0-based: 0 is the first period after the snapshot),
 * or by its end when cumulative != 0, of deals in stages stage[i], from the per-deal
 * probabilities of fnet_forecast_won_by.  amount NULL: the won count; else the won
 * revenue on `resolution` as in fnet_distribution_revenue (0 = the exact grid). */
FNET_API fnet_status fnet_forecast_distribution(fnet_distribution** out, const fnet_chain* chain,
                                                const size_t* stage, const double* amount, size_t n_deals,
                                                size_t won, size_t period, int cumulative, double resolution,
                                                int threads);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_PIPELINE_H */
