/* funnelnet C ABI: data sets (the synthetic CRM generator with its ground truth).  C99.
 * See funnelnet.h for the conventions.
 *
 *   fnet_crm_options o = FNET_CRM_OPTIONS_INIT;
 *   fnet_crm* crm = NULL;
 *   o.n_accounts = 10000;
 *   if (fnet_crm_generate(&crm, &o) != FNET_OK) ... fnet_last_error() ...
 *   fnet_crm_event_lead(NULL, 0, &n, crm);  then allocate n and call again
 *   fnet_crm_destroy(crm);
 *
 * Times are days since the start of month 0 (months of 30.4375 days; before 0 for the
 * purchase history of existing customers).  Codes: kind 0 individual / 1 self-employed /
 * 2 organisation; stage 0 potential, 1 possible, 2 target, 3 effective, 4 won, 5 lost;
 * segment = 2 * kind + referred; grades 0 A (Hot), 1 B (Warm), 2 C (Cold); tiers 0 A,
 * 1 B, 2 C; outcome / status 0 open, 1 won, 2 lost; channel 0 visit, 1 exhibition,
 * 2 phone, 3 email, 4 web, 5 advert; activity kind 0 visit, 1 promotion.  Every knob
 * not in fnet_crm_options keeps the C++ default (datasets::CrmOptions). */
#ifndef FUNNELNET_C_DATASETS_H
#define FUNNELNET_C_DATASETS_H

#include "funnelnet/c/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fnet_crm fnet_crm; /* a generated company: its tables and truth */

/* Options of fnet_crm_generate; initialise with FNET_CRM_OPTIONS_INIT. */
typedef struct fnet_crm_options {
  unsigned version;            /* FNET_CRM_OPTIONS_VERSION */
  int64_t n_accounts;          /* number of accounts, >= 0 */
  int months;                  /* length of the history, 1 .. 1200 */
  int start_month;             /* calendar month of month 0, 0 (January) .. 11 */
  uint64_t seed;               /* the same seed gives the same tables at any thread count */
  int threads;                 /* 0: from the work; never changes the result */
  int censor;                  /* non-zero: stop every lead at the end of the history */
  double referred_share;       /* share of first leads referred from outside, [0, 1] */
  double referral_probability; /* mean IC edge probability of the trade network, [0, 1] */
  double region_spread;        /* log-sd of the region effects on conversion, >= 0 */
  double industry_spread;      /* log-sd of the industry effects on conversion, >= 0 */
  double touches_mean;         /* mean marketing touches per lead, >= 1 */
  double customer_share;       /* share of accounts already customers at month 0, [0, 1] */
  double customer_years;       /* years of purchase history before month 0, >= 0 */
} fnet_crm_options;
#define FNET_CRM_OPTIONS_VERSION 1
#define FNET_CRM_OPTIONS_INIT \
  { FNET_CRM_OPTIONS_VERSION, 10000, 24, 0, 0, 0, 1, 0.0, 0.1, 0.25, 0.25, 3.0, 0.2, 10.0 }

/* Generate a company (options may be NULL for the defaults).  Bad options:
 * FNET_E_INVALID_ARGUMENT naming the field and its value; *out is left unchanged. */
FNET_API fnet_status fnet_crm_generate(fnet_crm** out, const fnet_crm_options* options);
FNET_API void fnet_crm_destroy(fnet_crm* crm);
/* Table sizes (any pointer may be NULL): accounts, months (tier snapshots per account),
 * leads, funnel events, transactions, opportunities, referrals, touches, activities. */
FNET_API fnet_status fnet_crm_sizes(size_t* accounts, size_t* months, size_t* leads, size_t* events,
                                    size_t* transactions, size_t* opportunities, size_t* referrals,
                                    size_t* touches, size_t* activities, const fnet_crm* crm);
/* Days in the history (months x 30.4375). */
FNET_API fnet_status fnet_crm_horizon(double* out, const fnet_crm* crm);

/* Columns, two-call pattern: (out, capacity, needed, crm); out == NULL asks for the size.
 * accounts (one value per account): */
FNET_API fnet_status fnet_crm_account_kind(int8_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_account_industry(int16_t* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_account_region(int16_t* out, size_t capacity, size_t* needed,
                                             const fnet_crm* crm);
FNET_API fnet_status fnet_crm_account_possibility(int8_t* out, size_t capacity, size_t* needed,
                                                  const fnet_crm* crm);
FNET_API fnet_status fnet_crm_account_progress(int8_t* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_account_owner(int32_t* out, size_t capacity, size_t* needed,
                                            const fnet_crm* crm);
/* First won time (NaN if never won) and first purchase (NaN if none). */
FNET_API fnet_status fnet_crm_account_won_time(double* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_account_customer_since(double* out, size_t capacity, size_t* needed,
                                                     const fnet_crm* crm);
/* Monthly tiers, accounts x months row-major. */
FNET_API fnet_status fnet_crm_tiers(int8_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* leads: */
FNET_API fnet_status fnet_crm_lead_account(int64_t* out, size_t capacity, size_t* needed,
                                           const fnet_crm* crm);
FNET_API fnet_status fnet_crm_lead_segment(int8_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_lead_outcome(int8_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_lead_start(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* The lead's true conversion probability (its region and industry effects included). */
FNET_API fnet_status fnet_crm_lead_conversion(double* out, size_t capacity, size_t* needed,
                                              const fnet_crm* crm);
/* funnel events (sorted by lead, then time): */
FNET_API fnet_status fnet_crm_event_lead(int64_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_event_stage(int8_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_event_time(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* transactions (sorted by account, then time): */
FNET_API fnet_status fnet_crm_tx_account(int64_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_tx_time(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_tx_amount(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* opportunities (leads that reached target): */
FNET_API fnet_status fnet_crm_opp_lead(int64_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_opp_owner(int32_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_opp_status(int8_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_opp_amount(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* referrals: */
FNET_API fnet_status fnet_crm_ref_referrer(int64_t* out, size_t capacity, size_t* needed,
                                           const fnet_crm* crm);
FNET_API fnet_status fnet_crm_ref_referee(int64_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_ref_time(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* touches (sorted by lead, then time): */
FNET_API fnet_status fnet_crm_touch_lead(int64_t* out, size_t capacity, size_t* needed, const fnet_crm* crm);
FNET_API fnet_status fnet_crm_touch_channel(int8_t* out, size_t capacity, size_t* needed,
                                            const fnet_crm* crm);
FNET_API fnet_status fnet_crm_touch_time(double* out, size_t capacity, size_t* needed, const fnet_crm* crm);
/* activities: */
FNET_API fnet_status fnet_crm_activity_account(int64_t* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_activity_kind(int8_t* out, size_t capacity, size_t* needed,
                                            const fnet_crm* crm);
FNET_API fnet_status fnet_crm_activity_time(double* out, size_t capacity, size_t* needed,
                                            const fnet_crm* crm);

/* The truth.  Jump chain per segment: 6 segments x 4 transient stages x 6 stages,
 * row-major (at unit region / industry effect); conversion per segment (6); mean dwell
 * days per segment and transient stage (6 x 4); the monthly tier chain (3 x 3). */
FNET_API fnet_status fnet_crm_truth_transition(double* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_truth_conversion(double* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_truth_dwell_mean(double* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_truth_tier_matrix(double* out, size_t capacity, size_t* needed,
                                                const fnet_crm* crm);
/* The latent trade network in CSR by referrer: offsets (accounts + 1), targets and IC
 * probabilities (one per tie); the influence of each account (sum of its probabilities). */
FNET_API fnet_status fnet_crm_truth_tie_offsets(int64_t* out, size_t capacity, size_t* needed,
                                                const fnet_crm* crm);
FNET_API fnet_status fnet_crm_truth_tie_target(int64_t* out, size_t capacity, size_t* needed,
                                               const fnet_crm* crm);
FNET_API fnet_status fnet_crm_truth_tie_probability(double* out, size_t capacity, size_t* needed,
                                                    const fnet_crm* crm);
FNET_API fnet_status fnet_crm_truth_influence(double* out, size_t capacity, size_t* needed,
                                              const fnet_crm* crm);

#ifdef __cplusplus
}
#endif

#endif /* FUNNELNET_C_DATASETS_H */
