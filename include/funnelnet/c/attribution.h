/* funnelnet C ABI: channel attribution (journeys, heuristics, exact Markov removal
 * effects).  C99.  See funnelnet.h for the conventions and docs/attribution.md for the
 * models. */
#ifndef FUNNELNET_C_ATTRIBUTION_H
#define FUNNELNET_C_ATTRIBUTION_H

#include "funnelnet/c/core.h"
#include "funnelnet/c/funnel.h" /* FNET_REPEATS_KEEP / FNET_REPEATS_COLLAPSE */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fnet_paths fnet_paths;   /* validated journeys over named channels */
typedef struct fnet_markov fnet_markov; /* a fitted Markov attribution model */

/* ---- journeys -------------------------------------------------------------------- */

/* Paths over n_channels channels named names[c] (unique, non-empty, without sep inside).
 * Path p is channel_ids[offsets[p] .. offsets[p+1]) (offsets has n_paths + 1 entries),
 * observed with conversions[p] conversions, nulls[p] non-conversions (nulls may be NULL:
 * none) and values[p] conversion value (values may be NULL: none).  sep (NULL: ">")
 * joins channel names in state names.  Every channel must appear in some path; counts
 * and values must be finite and >= 0; a value needs conversions; no path may be empty. */
FNET_API fnet_status fnet_paths_create(fnet_paths** out, size_t n_channels, const char* const* names,
                                       size_t n_paths, const int64_t* offsets, const int32_t* channel_ids,
                                       const double* conversions, const double* nulls, const double* values,
                                       const char* sep);
/* Journeys from an event log of n rows (customer, time, channel, converted 0/1, value) in
 * any order: per customer sorted by time (ties keep row order) and split after each
 * conversion (whose channel is the journey's last touch); touches after a customer's last
 * conversion form a non-converting journey.  values may be NULL; a value must be 0 on a
 * row that is not a conversion.  Integer times (e.g. ns since the epoch). */
FNET_API fnet_status fnet_paths_from_events(fnet_paths** out, size_t n_channels, const char* const* names,
                                            size_t n, const int64_t* customer, const int64_t* time,
                                            const int32_t* channel_ids, const unsigned char* converted,
                                            const double* values);
FNET_API void fnet_paths_destroy(fnet_paths* paths);
/* Number of paths (journeys), touches and channels. */
FNET_API fnet_status fnet_paths_sizes(size_t* n_paths, size_t* n_touches, size_t* n_channels,
                                      const fnet_paths* paths);
/* The CSR arrays and counts (two-call pattern): offsets (n_paths + 1), channel ids
 * (n_touches), conversions / nulls / values (n_paths). */
FNET_API fnet_status fnet_paths_offsets(int64_t* out, size_t capacity, size_t* needed,
                                        const fnet_paths* paths);
FNET_API fnet_status fnet_paths_channel_ids(int32_t* out, size_t capacity, size_t* needed,
                                            const fnet_paths* paths);
FNET_API fnet_status fnet_paths_conversions(double* out, size_t capacity, size_t* needed,
                                            const fnet_paths* paths);
FNET_API fnet_status fnet_paths_nulls(double* out, size_t capacity, size_t* needed, const fnet_paths* paths);
FNET_API fnet_status fnet_paths_values(double* out, size_t capacity, size_t* needed, const fnet_paths* paths);
/* Journeys from an event log only: per touch, the time from the touch to the end of its
 * journey (n_touches; 0 entries for paths made by fnet_paths_create). */
FNET_API fnet_status fnet_paths_ages(double* out, size_t capacity, size_t* needed, const fnet_paths* paths);

/* ---- heuristics ------------------------------------------------------------------ */

/* Columns of the heuristic result, in order: fnet_heuristic_column, FNET_HEURISTIC_FIRST_TOUCH
 * ... FNET_HEURISTIC_POSITION_BASED, FNET_HEURISTIC_COUNT of them (funnelnet/c/enums.h). */

/* Heuristic options; initialise with FNET_HEURISTIC_OPTIONS_INIT. */
typedef struct fnet_heuristic_options {
  unsigned version;     /* FNET_HEURISTIC_OPTIONS_VERSION */
  fnet_repeats repeats; /* FNET_REPEATS_KEEP (default) or FNET_REPEATS_COLLAPSE */
  double half_life;     /* time decay half-life: in touches, or in time units with use_ages */
  double first_weight;  /* position based: share of the first touch (0.4) */
  double last_weight;   /* position based: share of the last touch (0.4) */
  int use_ages;         /* non-zero: time decay by the event-log ages (fnet_paths_ages) */
} fnet_heuristic_options;
#define FNET_HEURISTIC_OPTIONS_VERSION 1
#define FNET_HEURISTIC_OPTIONS_INIT \
  { FNET_HEURISTIC_OPTIONS_VERSION, FNET_REPEATS_KEEP, 1.0, 0.4, 0.4, 0 }

/* Attributed conversions and value, n_channels x FNET_HEURISTIC_COUNT row-major each
 * (two-call pattern on capacity; value may be NULL).  options may be NULL. */
FNET_API fnet_status fnet_attribution_heuristic(double* conversions, double* value, size_t capacity,
                                                size_t* needed, const fnet_paths* paths,
                                                const fnet_heuristic_options* options);

/* ---- Markov removal effects ------------------------------------------------------ */

/* The fitted Markov attribution model (fnet_attribution_markov_*).  fnet_markov is its
 * 0.1 name: the same type, so handles pass between old and new functions. */
typedef struct fnet_markov fnet_attribution_markov;

/* Markov options; initialise with FNET_ATTRIBUTION_MARKOV_OPTIONS_INIT (0.1 names:
 * fnet_markov_options, FNET_MARKOV_OPTIONS_INIT; the same struct). */
typedef struct fnet_markov_options {
  unsigned version;          /* FNET_MARKOV_OPTIONS_VERSION */
  int order;                 /* k >= 1: states are the last k channels */
  fnet_repeats repeats;      /* FNET_REPEATS_COLLAPSE (default) or FNET_REPEATS_KEEP (self-loops) */
  int threads;               /* 0: from the work; results do not depend on it */
  fnet_progress_fn progress; /* may be NULL */
  void* user_data;           /* passed to progress */
} fnet_markov_options;
#define FNET_MARKOV_OPTIONS_VERSION 1
#define FNET_MARKOV_OPTIONS_INIT \
  { FNET_MARKOV_OPTIONS_VERSION, 1, FNET_REPEATS_COLLAPSE, 0, NULL, NULL }
typedef fnet_markov_options fnet_attribution_markov_options;
#define FNET_ATTRIBUTION_MARKOV_OPTIONS_VERSION FNET_MARKOV_OPTIONS_VERSION
#define FNET_ATTRIBUTION_MARKOV_OPTIONS_INIT FNET_MARKOV_OPTIONS_INIT

/* Fit the chain and compute every channel's exact removal effect (options may be NULL). */
FNET_API fnet_status fnet_attribution_markov_fit(fnet_attribution_markov** out, const fnet_paths* paths,
                                                 const fnet_attribution_markov_options* options);
FNET_API void fnet_attribution_markov_destroy(fnet_attribution_markov* model);
/* P(conversion) from the start, and the expected conversion value (either may be NULL). */
FNET_API fnet_status fnet_attribution_markov_conversion_probability(double* probability,
                                                                    double* expected_value,
                                                                    const fnet_attribution_markov* model);
/* Per channel (two-call pattern, n_channels): removal effects for conversions and for
 * value, and the total conversions / value split in proportion to them. */
FNET_API fnet_status fnet_attribution_markov_removal_effects(double* out, size_t capacity, size_t* needed,
                                                             const fnet_attribution_markov* model);
FNET_API fnet_status fnet_attribution_markov_value_removal_effects(double* out, size_t capacity,
                                                                   size_t* needed,
                                                                   const fnet_attribution_markov* model);
FNET_API fnet_status fnet_attribution_markov_attributed_conversions(double* out, size_t capacity,
                                                                    size_t* needed,
                                                                    const fnet_attribution_markov* model);
FNET_API fnet_status fnet_attribution_markov_attributed_value(double* out, size_t capacity, size_t* needed,
                                                              const fnet_attribution_markov* model);
/* Removal effects of n_sequences channel sequences, sequence q being
 * channel_ids[offsets[q] .. offsets[q+1]) (1 to order channels).  out and value_out
 * (either may be NULL) get n_sequences entries (two-call pattern on capacity; a size
 * query does not compute). */
FNET_API fnet_status fnet_attribution_markov_sequence_removal_effects(
    double* out, double* value_out, size_t capacity, size_t* needed, const fnet_attribution_markov* model,
    size_t n_sequences, const int64_t* offsets, const int32_t* channel_ids);
/* Per-journey attribution: for each touch of paths (fitted channels), its share of the
 * journey's conversions (n_touches, two-call pattern; a size query does not compute). */
FNET_API fnet_status fnet_attribution_markov_journey_shares(double* out, size_t capacity, size_t* needed,
                                                            const fnet_attribution_markov* model,
                                                            const fnet_paths* paths);
/* Monte Carlo estimate of the channel removal effects with 95% confidence bounds, from
 * n_journeys simulated journeys (seeded; independent of threads).  estimate, lower and
 * upper get n_channels entries (lower / upper may be NULL; two-call on capacity; a size
 * query does not simulate). */
FNET_API fnet_status fnet_attribution_markov_simulate(double* estimate, double* lower, double* upper,
                                                      size_t capacity, size_t* needed,
                                                      const fnet_attribution_markov* model,
                                                      uint64_t n_journeys, uint64_t seed, int threads);
/* fnet_attribution_markov_simulate that can be stopped: progress (may be NULL) is called
 * from the calling thread about every 100 ms with (tasks done, tasks); a non-zero return
 * stops the simulation within a fraction of a second with FNET_E_CANCELLED and nothing
 * written.  The results equal fnet_attribution_markov_simulate's. */
FNET_API fnet_status fnet_attribution_markov_simulate_progress(double* estimate, double* lower, double* upper,
                                                               size_t capacity, size_t* needed,
                                                               const fnet_attribution_markov* model,
                                                               uint64_t n_journeys, uint64_t seed,
                                                               int threads, fnet_progress_fn progress,
                                                               void* user_data);

/* Deprecated 0.1 names (fnet_markov_* reads as customer value elsewhere): thin wrappers
 * over the fnet_attribution_markov_* function of the same suffix. */
FNET_DEPRECATED("use fnet_attribution_markov_fit")
FNET_API fnet_status fnet_markov_fit(fnet_markov** out, const fnet_paths* paths,
                                     const fnet_markov_options* options);
FNET_DEPRECATED("use fnet_attribution_markov_destroy")
FNET_API void fnet_markov_destroy(fnet_markov* model);
FNET_DEPRECATED("use fnet_attribution_markov_conversion_probability")
FNET_API fnet_status fnet_markov_conversion_probability(double* probability, double* expected_value,
                                                        const fnet_markov* model);
FNET_DEPRECATED("use fnet_attribution_markov_removal_effects")
FNET_API fnet_status fnet_markov_removal_effects(double* out, size_t capacity, size_t* needed,
                                                 const fnet_markov* model);
FNET_DEPRECATED("use fnet_attribution_markov_value_removal_effects")
FNET_API fnet_status fnet_markov_value_removal_effects(double* out, size_t capacity, size_t* needed,
                                                       const fnet_markov* model);
FNET_DEPRECATED("use fnet_attribution_markov_attributed_conversions")
FNET_API fnet_status fnet_markov_attributed_conversions(double* out, size_t capacity, size_t* needed,
                                                        const fnet_markov* model);
FNET_DEPRECATED("use fnet_attribution_markov_attributed_value")
FNET_API fnet_status fnet_markov_attributed_value(double* out, size_t capacity, size_t* needed,
                                                  const fnet_markov* model);
FNET_DEPRECATED("use fnet_attribution_markov_sequence_removal_effects")
FNET_API fnet_status fnet_markov_sequence_removal_effects(double* out, double* value_out, size_t capacity,
                                                          size_t* needed, const fnet_markov* model,
                                                          size_t n_sequences, const int64_t* offsets,
                                                          const int32_t* channel_ids);
FNET_DEPRECATED("use fnet_attribution_markov_journey_shares")
FNET_API fnet_status fnet_markov_journey_shares(double* out, size_t capacity, size_t* needed,
                                                const fnet_markov* model, const fnet_paths* paths);
FNET_DEPRECATED("use fnet_attribution_markov_simulate")
FNET_API fnet_status fnet_markov_simulate(double* estimate, double* lower, double* upper, size_t capacity,
                                          size_t* needed, const fnet_markov* model, uint64_t n_journeys,
                                          uint64_t seed, int threads);

/* ---- model files (versioned JSON, as the funnel's fnet_chain_save ...) ------------ */
/* Save the fitted Markov attribution (every query answers as the fitted model) atomically (temporary file,
 * then rename); FNET_E_IO naming the path. */
FNET_API fnet_status fnet_attribution_markov_save(const fnet_attribution_markov* object, const char* path);
/* Load a file written by fnet_attribution_markov_save: FNET_E_IO if unreadable, FNET_E_FORMAT for a
 * corrupt file, another kind, an unknown version or invalid contents (the message names
 * the field).  On failure *out is untouched. */
FNET_API fnet_status fnet_attribution_markov_load(fnet_attribution_markov** out, const char* path);
/* The fitted Markov attribution (every query answers as the fitted model) as JSON text (two-call pattern, NUL
 * included), and back. */
FNET_API fnet_status fnet_attribution_markov_to_json(char* buf, size_t capacity, size_t* needed,
                                                     const fnet_attribution_markov* object);
FNET_API fnet_status fnet_attribution_markov_from_json(fnet_attribution_markov** out, const char* json);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_ATTRIBUTION_H */
