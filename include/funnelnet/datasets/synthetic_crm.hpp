// The synthetic CRM generator (issue 12, first part): a seeded B2B company with its
// accounts (attributes, grades, monthly A/B/C tier snapshots), one or more funnel leads
// per account moving through a declared semi-Markov funnel, and the repeat purchases
// of the accounts that were won (BG/NBD + Gamma-Gamma), together with the ground truth
// used to make them.  The numbers behind the defaults are DOMAIN.md's: funnel shape
// 6/3/1 (about 40 % of leads ever become "possible", about 10 % "target", under 30 %
// customers), tier mix A:B:C = 1:3:6, ~20 % of accounts re-graded a month, 10-30 % of A
// accounts lost a year, seasonal buying months (Mar-Jul, Sep-Nov), repurchase every 1.5
// to 3 years.
//
// Determinism: every account draws from its own streams, stream(seed ^ tag, account),
// so the same seed gives identical tables at any thread count and any block split.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "funnelnet/core/parallel.hpp"
#include "funnelnet/version.hpp"

FUNNELNET_BEGIN

namespace datasets {

/// Funnel stages of the generator, in code order: four transient stages then two ends.
enum CrmStage : std::int8_t { potential = 0, possible = 1, target = 2, effective = 3, won = 4, lost = 5 };
inline constexpr int kCrmStages = 6;
inline constexpr int kCrmTransient = 4;
/// Segments of the funnel truth: kind (individual, self-employed, organisation) x referred.
/// segment = 2 * kind + referred.
inline constexpr int kCrmSegments = 6;
/// Grading criteria columns (scores in [0, 1]), in order: credit, loyalty, dependence,
/// industry influence, expected value, difficulty, distance.
inline constexpr int kCrmCriteria = 7;
/// Marketing channels of the touches, in order: visit, exhibition, phone, email, web, advert.
inline constexpr int kCrmChannels = 6;

/// Knobs of synthetic_crm().  Every mix must sum to 1 and every probability lie in [0, 1];
/// validate_crm_options() names the knob and its value otherwise.
struct CrmOptions {
  std::int64_t n_accounts = 10000;  ///< number of accounts (>= 0)
  int months = 24;                  ///< length of the history in months (1 .. 1200)
  int start_month = 0;              ///< calendar month of month 0 (0 = January .. 11), for seasonality
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0: from the work (resolve_threads); >0: at most that many; same result at any count

  // accounts
  std::array<double, 3> kind_mix{0.25, 0.35, 0.40};      ///< individual, self-employed, organisation
  int n_industries = 12;                                 ///< industries (trades), >= 1
  int n_regions = 8;                                     ///< regions, >= 1
  double distributor_share = 0.4;                        ///< share sold through distributors (else direct)
  std::array<double, 3> possibility_mix{0.2, 0.3, 0.5};  ///< prospect possibility A, B, C
  std::array<double, 3> progress_mix{0.1, 0.3, 0.6};     ///< purchase progress Hot, Warm, Cold

  // tiers: a monthly reversible chain on A/B/C with stationary mix tier_mix
  std::array<double, 3> tier_mix{0.1, 0.3, 0.6};  ///< A:B:C = 1:3:6
  double regrade_rate = 0.2;                      ///< share of accounts changing tier a month
  double a_loss_rate = 0.2;                       ///< share of A accounts lost (to C) a year
  double a_to_b_share = 0.2;  ///< of the re-grade flow not due to A losses, the share between A and B

  // funnel: jump chain and dwell times (days) of the base segment (organisation, not referred)
  std::array<double, static_cast<std::size_t>(kCrmTransient) * kCrmStages> funnel_matrix{
      // potential possible target effective won lost
      0.0,  0.37, 0.03, 0.0,  0.0,  0.60,  // potential: forward, skip, lost
      0.13, 0.0,  0.22, 0.0,  0.0,  0.65,  // possible: fall back, forward, lost
      0.0,  0.15, 0.0,  0.50, 0.05, 0.30,  // target: fall back, forward, skip to won, lost
      0.0,  0.0,  0.05, 0.0,  0.80, 0.15,  // effective: fall back, won, lost
  };
  std::array<double, kCrmTransient> dwell_mean{30.0, 45.0, 60.0, 30.0};  ///< mean days in stage
  double dwell_shape = 2.0;  ///< Gamma shape of the dwell times (> 0)
  /// Forward-move multipliers by kind (individual, self-employed, organisation): forward
  /// entries (and won) are multiplied, then each row is renormalised to sum to 1.
  std::array<double, 3> kind_lift{0.9, 1.15, 1.0};
  /// Dwell-time multipliers by kind (organisations decide by committee: slower).
  std::array<double, 3> kind_pace{0.8, 0.9, 1.4};
  double referred_share = 0.0;        ///< share of first leads referred from outside the trade network
  double referred_lift = 1.5;         ///< forward-move multiplier of referred leads
  double referred_pace = 0.7;         ///< dwell multiplier of referred leads (they close faster)
  double reactivation_rate = 0.1;     ///< probability a lost lead is re-activated (a new lead)
  double reactivation_delay = 180.0;  ///< mean days before a re-activation (exponential)
  double seasonality = 0.3;           ///< lead-start weight 1 + s in Mar-Jul and Sep-Nov, 1 - s otherwise
  bool censor = true;                 ///< stop every lead at the end of the history (else run to the end)

  // referrals: an independent-cascade process over a latent trade network.  Each account
  // has ties to min_ties * U^(-1/tie_tail) (heavy-tailed, capped at max_ties) peers of its
  // industry; a won account refers each peer with probability
  // referral_probability * 2 * (its industry-influence score), after an exponential delay.
  // A referred account that had not been won and not referred before gets a referred lead.
  int min_ties = 4;                   ///< every customer influences at least ~4 peers in its trade
  double tie_tail = 2.0;              ///< Pareto tail index of the number of ties (> 0)
  int max_ties = 500;                 ///< cap on ties per account
  double referral_probability = 0.1;  ///< mean edge probability (scaled by industry influence)
  double referral_delay = 30.0;       ///< mean days from a win to each referral

  // opportunities: a lead that reaches `target` (a quote) becomes an opportunity
  std::array<double, 5> product_mix{0.35, 0.25, 0.2, 0.12, 0.08};  ///< product lines 0..4
  int agents_per_region = 5;  ///< owners: agent = region * agents_per_region + k
  /// Loss reasons (a Pareto): price, competitor, product, service, quality, channel.
  std::array<double, 6> loss_reason_mix{0.35, 0.25, 0.15, 0.1, 0.08, 0.07};
  std::array<double, 3> deal_value{20000.0, 40000.0, 120000.0};  ///< mean deal value by kind
  double deal_shape = 2.0;                                       ///< Gamma shape of deal values

  // repeat buying of won accounts (BG/NBD, days) and amounts (Gamma-Gamma)
  double bg_r = 2.0;         ///< purchase-rate shape
  double bg_alpha = 1600.0;  ///< purchase-rate scale (days): mean rate r/alpha = one every 800 days
  double bg_a = 2.0;         ///< drop-out Beta(a, b)
  double bg_b = 6.0;
  double gg_p = 6.0;      ///< amount shape per transaction
  double gg_q = 4.0;      ///< shape of the per-customer rate nu
  double gg_v = 25000.0;  ///< rate parameter of nu (mean amount p v / (q - 1) = 50,000)

  // region and industry effects on conversion: each region r (industry k) has a
  // forward-move multiplier exp(region_spread * z_r) (exp(industry_spread * z_k)), z standard
  // normal drawn from the seed; a lead's matrix is its segment's with forward moves (and won)
  // multiplied by region x industry effect, each row renormalised.  0 = no effect.
  double region_spread = 0.25;    ///< log-sd of the region effects (>= 0)
  double industry_spread = 0.25;  ///< log-sd of the industry effects (>= 0)
  /// Prospect grades tied to the true conversion probability c of the account's first
  /// (organic) lead: grade k is drawn with weight mix_k * (c / c_base)^(s_k * grade_strength),
  /// s = (+1, 0, -1) for A/Hot, B/Warm, C/Cold, c_base the base segment's conversion: the
  /// chance of A (Hot) rises with c, of C (Cold) falls.  0 = grades independent of c.
  double grade_strength = 1.5;

  // touches (attribution): each lead gets 1 + Poisson(touches_mean - 1) touches at uniform
  // times over its life; a touch of a lead that is won is on channel c with probability
  // proportional to channel_mix[c] * channel_lift[c], of any other lead to channel_mix[c].
  std::array<double, kCrmChannels> channel_mix{0.3, 0.2, 0.18, 0.14, 0.1, 0.08};
  std::array<double, kCrmChannels> channel_lift{2.5, 2.0, 1.4, 1.0, 0.7, 0.4};
  double touches_mean = 3.0;  ///< mean touches per lead (>= 1)

  // activities: the account's owner visits it during each lead at visit_rate a week, and
  // every account gets promotions at promotion_rate a year over the history (Poisson).
  double visit_rate = 0.2;      ///< visits a week while a lead is open (>= 0)
  double promotion_rate = 0.5;  ///< promotions a year per account (>= 0)

  // existing customers: a share of accounts already buy at month 0; their first purchase
  // is uniform over the customer_years before month 0 (negative times), so the
  // transactions carry a longer repeat-buying history (BG/NBD needs it).
  double customer_share = 0.2;   ///< share of accounts that are customers at month 0, in [0, 1]
  double customer_years = 10.0;  ///< years of purchase history before month 0 (>= 0)
};

/// Throws Errc::invalid_argument naming the knob and its value when `o` is invalid.
void validate_crm_options(const CrmOptions& o);

/// The truth used to generate (all of it a function of the options only, except the
/// per-account draws).
struct CrmTruth {
  /// Per segment, the jump chain, kCrmSegments x (kCrmTransient x kCrmStages), row-major.
  std::vector<double> transition;
  /// Per segment, mean dwell days per transient stage, kCrmSegments x kCrmTransient.
  std::vector<double> dwell_mean;
  double dwell_shape = 0;
  /// Per segment, the probability that a lead starting at `potential` is won.
  std::vector<double> conversion;
  /// Monthly tier chain on A/B/C (3 x 3, row-major).
  std::array<double, 9> tier_matrix{};
  /// The latent trade network (CSR by referrer): ties of account i are
  /// tie_target[tie_offsets[i] .. tie_offsets[i + 1]) with IC probabilities tie_probability.
  std::vector<std::int64_t> tie_offsets, tie_target;
  std::vector<double> tie_probability;
  /// Per account: its true influence, the expected number of referrals once won (sum of
  /// its tie probabilities).
  std::vector<double> influence;
  /// Per account: the repeat-buying draws of won accounts (NaN for the others).
  std::vector<double> purchase_rate;  ///< lambda, per day
  std::vector<double> dropout;        ///< p
  std::vector<double> spend_rate;     ///< nu (amount ~ Gamma(gg_p, rate nu))
  /// Forward-move multipliers per region and per industry (see CrmOptions::region_spread).
  std::vector<double> region_effect, industry_effect;
  /// Per channel: the probability that a won lead's touch is on it (channel_mix x
  /// channel_lift, normalised) and its path-level removal effect, the share of won leads
  /// with at least one touch on it: 1 - (1 - w) exp(-(touches_mean - 1) w).  Markov
  /// attribution's removal effects rank channels in this order.
  std::vector<double> channel_won_share, channel_removal;
};

/// The generated tables as columns.  Times are days since the start of month 0.
struct CrmData {
  // accounts (row = account id)
  std::vector<std::int8_t> kind, sales_mode, possibility, progress;
  std::vector<std::int16_t> industry, region;
  std::vector<float> criteria;         ///< n_accounts x kCrmCriteria, row-major
  std::vector<std::int8_t> tiers;      ///< n_accounts x months, row-major: 0 = A, 1 = B, 2 = C
  std::vector<double> won_time;        ///< first won time (NaN if never won)
  std::vector<std::int32_t> owner;     ///< the account's owner agent (region * agents_per_region + k)
  std::vector<double> customer_since;  ///< first purchase (negative: before month 0; NaN if none)

  // leads (row = lead id)
  std::vector<std::int64_t> lead_account;
  std::vector<std::int8_t> lead_segment, lead_referred, lead_reactivated;
  std::vector<std::int8_t> lead_outcome;  ///< 0 open, 1 won, 2 lost
  std::vector<double> lead_start;
  std::vector<double> lead_conversion;  ///< true conversion probability
  std::vector<double> lead_end;         ///< last event (or the end of the history while open)

  // funnel events (sorted by lead, then time)
  std::vector<std::int64_t> event_lead;
  std::vector<std::int8_t> event_stage;
  std::vector<double> event_time;

  // transactions (sorted by account, then time); the first is the won purchase
  std::vector<std::int64_t> tx_account;
  std::vector<double> tx_time;
  std::vector<double> tx_amount;

  // opportunities (in lead order): leads that reached `target`
  std::vector<std::int64_t> opp_lead, opp_account;
  std::vector<std::int8_t> opp_product;
  std::vector<std::int32_t> opp_owner;
  std::vector<std::int8_t> opp_stage;   ///< last transient stage reached
  std::vector<std::int8_t> opp_status;  ///< 0 continuing, 1 won, 2 lost
  std::vector<std::int8_t> opp_reason;  ///< loss reason (index into loss_reason_mix), -1 unless lost
  std::vector<double> opp_entry, opp_close, opp_amount;  ///< quote time, close time (NaN if open), value

  // referrals (in cascade round order, then referrer, then tie order)
  std::vector<std::int64_t> ref_referrer, ref_referee;
  std::vector<double> ref_time;
  std::vector<std::int8_t> ref_new_lead;  ///< 1 if the referral opened a referred lead
  std::vector<std::int16_t> ref_round;    ///< cascade generation (1 = referred by an organic win)

  // touches (sorted by lead, then time); converted = the last touch of a won lead
  std::vector<std::int64_t> touch_lead;
  std::vector<std::int8_t> touch_channel, touch_converted;
  std::vector<double> touch_time;

  // activities: visits during leads (in lead order), then promotions (in account order)
  std::vector<std::int64_t> act_account;
  std::vector<std::int32_t> act_owner;
  std::vector<std::int8_t> act_kind;  ///< 0 visit, 1 promotion
  std::vector<double> act_time;

  double horizon = 0;  ///< days in the history
  CrmTruth truth;
};

/// Days in a generator month (365.25 / 12).
inline constexpr double kCrmMonthDays = 30.4375;

/// The funnel truth of `o` (no draws): transition, dwell_mean, dwell_shape, conversion,
/// tier_matrix.  Validates `o`.
CrmTruth crm_truth(const CrmOptions& o);

/// Generates the synthetic CRM.  Parallel over blocks of accounts; the same seed gives
/// the same data at any thread count.  `progress` is called with (blocks done, blocks).
CrmData synthetic_crm(const CrmOptions& o, const Progress& progress = {});

}  // namespace datasets

FUNNELNET_END
