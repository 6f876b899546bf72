// The synthetic CRM generator: options validation, the truth, and the parallel,
// per-account-stream generation (see include/funnelnet/datasets/synthetic_crm.hpp).
#include "funnelnet/datasets/synthetic_crm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "funnelnet/core/error.hpp"
#include "funnelnet/core/math.hpp"
#include "funnelnet/core/random.hpp"
#include "funnelnet/core/threads.hpp"

FUNNELNET_BEGIN

namespace datasets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kBlock = 4096;  // accounts per task (fixed: never depends on threads)

// Stream tags: each sub-process of an account has its own stream, so changing the
// knobs of one (e.g. the funnel) leaves the draws of the others unchanged.
constexpr std::uint64_t kTagAccount = 0x1f3a5c7e9b2d4f61ULL;
constexpr std::uint64_t kTagFunnel = 0x7c15e3a9d2b84f07ULL;
constexpr std::uint64_t kTagBuying = 0xa4d2c6e8f1b3957bULL;
constexpr std::uint64_t kTagNetwork = 0x3b9e1d7a5c2f8e43ULL;
constexpr std::uint64_t kTagReferral = 0xd6f4a2c8e0b1937dULL;
constexpr std::uint64_t kTagReferredLead = 0x58c3e9b1f7a2d46bULL;
constexpr std::uint64_t kTagOpportunity = 0x91e7c3a5f2d8b46dULL;
constexpr std::uint64_t kTagReferredOpportunity = 0x2c8f6a4e1b9d7305ULL;
constexpr std::uint64_t kTagEffects = 0x6e2b9f4d1a7c3e85ULL;
constexpr std::uint64_t kTagTouch = 0xb7d1e5a3c9f2684bULL;
constexpr std::uint64_t kTagVisit = 0x4a8c2e6f0d3b95e1ULL;
constexpr std::uint64_t kTagPromotion = 0xe3f5b7d9a1c2468fULL;
constexpr std::uint64_t kTagCustomer = 0x1d9b5f3e7a2c6408ULL;

void check_prob(double v, const char* knob) {
  if (!(v >= 0.0 && v <= 1.0))
    fail(Errc::invalid_argument, "synthetic_crm: ", knob, " must be in [0, 1], got ", v);
}
void check_positive(double v, const char* knob) {
  if (!(v > 0.0) || !std::isfinite(v))
    fail(Errc::invalid_argument, "synthetic_crm: ", knob, " must be positive and finite, got ", v);
}
template <std::size_t N>
void check_mix(const std::array<double, N>& m, const char* knob) {
  double s = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (!(m[i] >= 0.0 && m[i] <= 1.0))
      fail(Errc::invalid_argument, "synthetic_crm: ", knob, "[", i, "] must be in [0, 1], got ", m[i]);
    s += m[i];
  }
  if (std::abs(s - 1.0) > 1e-6)
    fail(Errc::invalid_argument, "synthetic_crm: ", knob, " must sum to 1, sums to ", s);
}

template <std::size_t N>
int draw_mix(Rng& rng, const std::array<double, N>& m) {
  const double u = rng.uniform();
  double c = 0;
  for (std::size_t i = 0; i + 1 < N; ++i) {
    c += m[i];
    if (u < c) return static_cast<int>(i);
  }
  return static_cast<int>(N - 1);
}

int draw_row(Rng& rng, const double* row, int n) {
  const double u = rng.uniform();
  double c = 0;
  int last = 0;
  for (int j = 0; j < n; ++j) {
    if (row[j] <= 0) continue;
    c += row[j];
    last = j;
    if (u < c) return j;
  }
  return last;  // rounding: the last possible state
}

double gamma_draw(Rng& rng, double shape, double scale) {
  return std::gamma_distribution<double>(shape, scale)(rng);
}

/// A Poisson draw that is safe on worker threads.  libstdc++'s poisson_distribution
/// takes std::lgamma for means of 12 and more (its rejection method), which writes the
/// global `signgam`: a data race under parallel_for (ThreadSanitizer, issue 17's rule).
/// Below 12 it multiplies uniforms and computes no log Gamma, so those draws are kept
/// as they were; from 12 on, Hoermann's transformed rejection with squeeze (PTRS, 1993)
/// with detail::log_gamma.  Deterministic for a given rng state, like every draw here.
int poisson_draw(Rng& rng, double mean) {
  if (mean < 12.0) return std::poisson_distribution<int>(mean)(rng);
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = rng.uniform() - 0.5;
    const double v = rng.uniform();
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<int>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - detail::log_gamma(k + 1.0))
      return static_cast<int>(k);
  }
}

bool in_season(int calendar_month) {  // Mar-Jul, Sep-Nov (0 = January)
  return (calendar_month >= 2 && calendar_month <= 6) || (calendar_month >= 8 && calendar_month <= 10);
}

// Solves the absorption probability into `won` from each transient stage: (I - Q) x = R_won.
std::array<double, kCrmTransient> won_probability(const double* p) {
  constexpr int n = kCrmTransient;
  double a[n][n + 1];
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) a[i][j] = (i == j ? 1.0 : 0.0) - p[i * kCrmStages + j];
    a[i][n] = p[i * kCrmStages + won];
  }
  for (int c = 0; c < n; ++c) {  // Gaussian elimination with partial pivoting
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (std::abs(a[r][c]) > std::abs(a[piv][c])) piv = r;
    for (int k = 0; k <= n; ++k) std::swap(a[c][k], a[piv][k]);
    if (std::abs(a[c][c]) < 1e-14)
      fail(Errc::not_absorbing, "synthetic_crm: funnel_matrix never ends (stage ", c, ")");
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (int k = c; k <= n; ++k) a[r][k] -= f * a[c][k];
    }
  }
  std::array<double, n> x{};
  for (int i = 0; i < n; ++i) x[i] = a[i][n] / a[i][i];
  return x;
}

// Everything one block of accounts produces that is not indexed by account.
struct Block {
  std::vector<std::int64_t> lead_account;
  std::vector<std::int8_t> lead_segment, lead_referred, lead_reactivated, lead_outcome;
  std::vector<double> lead_start, lead_conversion, lead_end;
  std::vector<std::int64_t> event_lead;  // local lead index
  std::vector<std::int8_t> event_stage;
  std::vector<double> event_time;
  std::vector<std::int64_t> tx_account;
  std::vector<double> tx_time, tx_amount;
  std::vector<std::int64_t> opp_lead, opp_account;  // opp_lead: local lead index
  std::vector<std::int8_t> opp_product, opp_stage, opp_status, opp_reason;
  std::vector<std::int32_t> opp_owner;
  std::vector<double> opp_entry, opp_close, opp_amount;
};

// Touches and activities of one block of leads (or accounts, for promotions).
struct TouchBlock {
  std::vector<std::int64_t> touch_lead;
  std::vector<std::int8_t> touch_channel, touch_converted;
  std::vector<double> touch_time;
  std::vector<std::int64_t> act_account;
  std::vector<std::int32_t> act_owner;
  std::vector<std::int8_t> act_kind;
  std::vector<double> act_time;
};

// The matrix of a lead whose region x industry effect is `e`: the segment's forward moves
// (and won) scaled by e, each row renormalised (e = 1 gives the segment's matrix).
void effect_matrix(const double* seg, double e, double* out) {
  for (int i = 0; i < kCrmTransient; ++i) {
    double sum = 0;
    for (int j = 0; j < kCrmStages; ++j) {
      double v = seg[i * kCrmStages + j];
      if (j > i && j != lost) v *= e;
      out[i * kCrmStages + j] = v;
      sum += v;
    }
    for (int j = 0; j < kCrmStages; ++j) out[i * kCrmStages + j] /= sum;
  }
}

template <class T>
void append(std::vector<T>& dst, const std::vector<T>& src) {
  dst.insert(dst.end(), src.begin(), src.end());
}

}  // namespace

void validate_crm_options(const CrmOptions& o) {
  if (o.n_accounts < 0)
    fail(Errc::invalid_argument, "synthetic_crm: n_accounts must be >= 0, got ", o.n_accounts);
  if (o.months < 1 || o.months > 1200)
    fail(Errc::invalid_argument, "synthetic_crm: months must be in 1 .. 1200, got ", o.months);
  if (o.start_month < 0 || o.start_month > 11)
    fail(Errc::invalid_argument, "synthetic_crm: start_month must be in 0 .. 11, got ", o.start_month);
  if (o.threads < 0) fail(Errc::invalid_argument, "synthetic_crm: threads must be >= 0, got ", o.threads);
  check_mix(o.kind_mix, "kind_mix");
  if (o.n_industries < 1 || o.n_industries > 32767)
    fail(Errc::invalid_argument, "synthetic_crm: n_industries must be in 1 .. 32767, got ", o.n_industries);
  if (o.n_regions < 1 || o.n_regions > 32767)
    fail(Errc::invalid_argument, "synthetic_crm: n_regions must be in 1 .. 32767, got ", o.n_regions);
  check_prob(o.distributor_share, "distributor_share");
  check_mix(o.possibility_mix, "possibility_mix");
  check_mix(o.progress_mix, "progress_mix");
  check_mix(o.tier_mix, "tier_mix");
  for (int i = 0; i < 3; ++i)
    if (!(o.tier_mix[static_cast<std::size_t>(i)] > 0))
      fail(Errc::invalid_argument, "synthetic_crm: tier_mix[", i, "] must be positive, got ",
           o.tier_mix[static_cast<std::size_t>(i)]);
  check_prob(o.regrade_rate, "regrade_rate");
  check_prob(o.a_loss_rate, "a_loss_rate");
  check_prob(o.a_to_b_share, "a_to_b_share");
  for (int i = 0; i < kCrmTransient; ++i) {
    double s = 0;
    for (int j = 0; j < kCrmStages; ++j) {
      const double v =
          o.funnel_matrix[static_cast<std::size_t>(i) * kCrmStages + static_cast<std::size_t>(j)];
      if (!(v >= 0.0 && v <= 1.0))
        fail(Errc::invalid_argument, "synthetic_crm: funnel_matrix[", i, "][", j, "] must be in [0, 1], got ",
             v);
      if (i == j && v != 0.0)
        fail(Errc::invalid_argument, "synthetic_crm: funnel_matrix[", i, "][", i,
             "] must be 0 (stalls are dwell times, not self-loops), got ", v);
      s += v;
    }
    if (std::abs(s - 1.0) > 1e-6)
      fail(Errc::invalid_argument, "synthetic_crm: funnel_matrix row ", i, " must sum to 1, sums to ", s);
    check_positive(o.dwell_mean[static_cast<std::size_t>(i)], "dwell_mean");
  }
  check_positive(o.dwell_shape, "dwell_shape");
  for (int k = 0; k < 3; ++k) {
    check_positive(o.kind_lift[static_cast<std::size_t>(k)], "kind_lift");
    check_positive(o.kind_pace[static_cast<std::size_t>(k)], "kind_pace");
  }
  check_prob(o.referred_share, "referred_share");
  check_positive(o.referred_lift, "referred_lift");
  check_positive(o.referred_pace, "referred_pace");
  check_prob(o.reactivation_rate, "reactivation_rate");
  if (o.reactivation_rate >= 1.0 && !o.censor)
    fail(Errc::invalid_argument, "synthetic_crm: reactivation_rate must be < 1 when censor is false, got ",
         o.reactivation_rate);
  check_positive(o.reactivation_delay, "reactivation_delay");
  if (!(o.seasonality >= 0.0 && o.seasonality < 1.0))
    fail(Errc::invalid_argument, "synthetic_crm: seasonality must be in [0, 1), got ", o.seasonality);
  if (o.min_ties < 0) fail(Errc::invalid_argument, "synthetic_crm: min_ties must be >= 0, got ", o.min_ties);
  if (o.max_ties < 0) fail(Errc::invalid_argument, "synthetic_crm: max_ties must be >= 0, got ", o.max_ties);
  check_positive(o.tie_tail, "tie_tail");
  check_prob(o.referral_probability, "referral_probability");
  check_positive(o.referral_delay, "referral_delay");
  check_mix(o.product_mix, "product_mix");
  check_mix(o.loss_reason_mix, "loss_reason_mix");
  if (o.agents_per_region < 1 || o.agents_per_region > 100000)
    fail(Errc::invalid_argument, "synthetic_crm: agents_per_region must be in 1 .. 100000, got ",
         o.agents_per_region);
  for (int k = 0; k < 3; ++k) check_positive(o.deal_value[static_cast<std::size_t>(k)], "deal_value");
  check_positive(o.deal_shape, "deal_shape");
  check_positive(o.bg_r, "bg_r");
  check_positive(o.bg_alpha, "bg_alpha");
  check_positive(o.bg_a, "bg_a");
  check_positive(o.bg_b, "bg_b");
  check_positive(o.gg_p, "gg_p");
  check_positive(o.gg_q, "gg_q");
  check_positive(o.gg_v, "gg_v");
  const auto check_nonneg = [](double v, const char* knob) {
    if (!(v >= 0.0) || !std::isfinite(v))
      fail(Errc::invalid_argument, "synthetic_crm: ", knob, " must be >= 0 and finite, got ", v);
  };
  check_nonneg(o.region_spread, "region_spread");
  check_nonneg(o.industry_spread, "industry_spread");
  check_nonneg(o.grade_strength, "grade_strength");
  check_mix(o.channel_mix, "channel_mix");
  for (int c = 0; c < kCrmChannels; ++c)
    check_positive(o.channel_lift[static_cast<std::size_t>(c)], "channel_lift");
  if (!(o.touches_mean >= 1.0) || !std::isfinite(o.touches_mean))
    fail(Errc::invalid_argument, "synthetic_crm: touches_mean must be >= 1 and finite, got ", o.touches_mean);
  check_nonneg(o.visit_rate, "visit_rate");
  check_nonneg(o.promotion_rate, "promotion_rate");
  check_prob(o.customer_share, "customer_share");
  check_nonneg(o.customer_years, "customer_years");
}

CrmTruth crm_truth(const CrmOptions& o) {
  validate_crm_options(o);
  CrmTruth t;
  t.dwell_shape = o.dwell_shape;
  t.transition.assign(static_cast<std::size_t>(kCrmSegments) * kCrmTransient * kCrmStages, 0.0);
  t.dwell_mean.assign(static_cast<std::size_t>(kCrmSegments) * kCrmTransient, 0.0);
  t.conversion.assign(kCrmSegments, 0.0);
  for (int s = 0; s < kCrmSegments; ++s) {
    const auto kind = static_cast<std::size_t>(s / 2);
    const bool referred = (s % 2) == 1;
    const double lift = o.kind_lift[kind] * (referred ? o.referred_lift : 1.0);
    const double pace = o.kind_pace[kind] * (referred ? o.referred_pace : 1.0);
    double* p = t.transition.data() + static_cast<std::ptrdiff_t>(s * kCrmTransient * kCrmStages);
    for (int i = 0; i < kCrmTransient; ++i) {
      // Forward moves (and won) are scaled by the lift, then the row is renormalised:
      // an odds-style effect that keeps every row a distribution.
      double sum = 0;
      for (int j = 0; j < kCrmStages; ++j) {
        double v = o.funnel_matrix[static_cast<std::size_t>(i) * kCrmStages + static_cast<std::size_t>(j)];
        if (j > i && j != lost) v *= lift;
        p[i * kCrmStages + j] = v;
        sum += v;
      }
      for (int j = 0; j < kCrmStages; ++j) p[i * kCrmStages + j] /= sum;
      t.dwell_mean[static_cast<std::size_t>(s) * kCrmTransient + static_cast<std::size_t>(i)] =
          o.dwell_mean[static_cast<std::size_t>(i)] * pace;
    }
    t.conversion[static_cast<std::size_t>(s)] = won_probability(p)[potential];
  }
  // Tier chain: reversible, stationary at tier_mix, with regrade_rate of accounts moving
  // a month; the A -> C flow is the A losses.
  const auto& pi = o.tier_mix;
  const double half = o.regrade_rate / 2.0;
  const double loss = 1.0 - std::pow(1.0 - o.a_loss_rate, 1.0 / 12.0);
  const double f_ac = pi[0] * loss;
  if (f_ac > half)
    fail(Errc::invalid_argument, "synthetic_crm: a_loss_rate = ", o.a_loss_rate,
         " needs more re-grading than regrade_rate = ", o.regrade_rate, " allows");
  const double f_ab = o.a_to_b_share * (half - f_ac);
  const double f_bc = half - f_ac - f_ab;
  const double flow[3][3] = {{0, f_ab, f_ac}, {f_ab, 0, f_bc}, {f_ac, f_bc, 0}};
  for (int i = 0; i < 3; ++i) {
    double off = 0;
    for (int j = 0; j < 3; ++j) {
      if (i == j) continue;
      const double m = flow[i][j] / pi[static_cast<std::size_t>(i)];
      t.tier_matrix[static_cast<std::size_t>(i) * 3 + static_cast<std::size_t>(j)] = m;
      off += m;
    }
    if (off > 1.0)
      fail(Errc::invalid_argument, "synthetic_crm: regrade_rate = ", o.regrade_rate, " with tier_mix[", i,
           "] = ", pi[static_cast<std::size_t>(i)], " moves more than all of tier ", "ABC"[i], " each month");
    t.tier_matrix[static_cast<std::size_t>(i) * 4] = 1.0 - off;
  }
  // Region and industry effects, one draw each from the seed.
  t.region_effect.resize(static_cast<std::size_t>(o.n_regions));
  t.industry_effect.resize(static_cast<std::size_t>(o.n_industries));
  {
    Rng re(o.seed ^ kTagEffects, 0);
    std::normal_distribution<double> z(0.0, 1.0);
    for (auto& e : t.region_effect) e = std::exp(o.region_spread * z(re));
    Rng ri(o.seed ^ kTagEffects, 1);
    for (auto& e : t.industry_effect) e = std::exp(o.industry_spread * z(ri));
  }
  // Channels: won leads' touch shares and path-level removal effects (K = 1 + Poisson(m - 1)
  // touches each: P(no touch on c) = E[(1 - w)^K] = (1 - w) exp(-(m - 1) w)).
  double wsum = 0;
  for (int c = 0; c < kCrmChannels; ++c)
    wsum += o.channel_mix[static_cast<std::size_t>(c)] * o.channel_lift[static_cast<std::size_t>(c)];
  t.channel_won_share.resize(kCrmChannels);
  t.channel_removal.resize(kCrmChannels);
  for (int c = 0; c < kCrmChannels; ++c) {
    const auto k = static_cast<std::size_t>(c);
    const double w = o.channel_mix[k] * o.channel_lift[k] / wsum;
    t.channel_won_share[k] = w;
    t.channel_removal[k] = 1.0 - (1.0 - w) * std::exp(-(o.touches_mean - 1.0) * w);
  }
  return t;
}

CrmData synthetic_crm(const CrmOptions& o, const Progress& progress) {
  CrmData d;
  d.truth = crm_truth(o);  // validates
  const auto n = static_cast<std::size_t>(o.n_accounts);
  const auto months = static_cast<std::size_t>(o.months);
  const double horizon = static_cast<double>(o.months) * kCrmMonthDays;
  d.horizon = horizon;
  const CrmTruth& truth = d.truth;

  d.kind.resize(n);
  d.sales_mode.resize(n);
  d.possibility.resize(n);
  d.progress.resize(n);
  d.industry.resize(n);
  d.region.resize(n);
  d.criteria.resize(n * kCrmCriteria);
  d.tiers.resize(n * months);
  d.won_time.assign(n, kNaN);
  d.owner.resize(n);
  d.customer_since.assign(n, kNaN);
  d.truth.purchase_rate.assign(n, kNaN);
  d.truth.dropout.assign(n, kNaN);
  d.truth.spend_rate.assign(n, kNaN);

  // Lead-start months: cumulative seasonal weights.
  std::vector<double> month_cdf(months);
  {
    double c = 0;
    for (std::size_t m = 0; m < months; ++m) {
      const int cal = static_cast<int>((static_cast<std::size_t>(o.start_month) + m) % 12);
      c += in_season(cal) ? 1.0 + o.seasonality : 1.0 - o.seasonality;
      month_cdf[m] = c;
    }
    for (auto& v : month_cdf) v /= c;
  }
  // Criteria means by tier (A, B, C): higher is better except difficulty and distance.
  constexpr double kGood[3] = {0.75, 0.55, 0.35};
  constexpr int kInfluence = 3;  // the industry-influence criterion
  const double* tm = truth.tier_matrix.data();

  // One lead of account i (and its re-activations) into `out`; returns the won time or NaN.
  // The opportunity of a lead that reached `target` (a quote): product, owner, value and,
  // once closed, its status and loss reason; drawn from `ro`.
  const auto add_opportunity = [&](Rng& ro, Block& out, std::size_t i, std::int64_t lead, double entry,
                                   int last, std::int8_t outcome, double close) {
    out.opp_lead.push_back(lead);
    out.opp_account.push_back(static_cast<std::int64_t>(i));
    out.opp_product.push_back(static_cast<std::int8_t>(draw_mix(ro, o.product_mix)));
    out.opp_owner.push_back(
        static_cast<std::int32_t>(d.region[i]) * o.agents_per_region +
        static_cast<std::int32_t>(ro.below(static_cast<std::uint64_t>(o.agents_per_region))));
    out.opp_entry.push_back(entry);
    out.opp_stage.push_back(static_cast<std::int8_t>(last));
    out.opp_status.push_back(outcome);
    out.opp_close.push_back(outcome == 0 ? kNaN : close);
    out.opp_reason.push_back(outcome == 2 ? static_cast<std::int8_t>(draw_mix(ro, o.loss_reason_mix))
                                          : static_cast<std::int8_t>(-1));
    const double mean = o.deal_value[static_cast<unsigned char>(d.kind[i])];
    out.opp_amount.push_back(gamma_draw(ro, o.deal_shape, mean / o.deal_shape));
  };

  const auto effect_of = [&](std::size_t i) {
    return truth.region_effect[static_cast<std::size_t>(d.region[i])] *
           truth.industry_effect[static_cast<std::size_t>(d.industry[i])];
  };
  // The jump chain and conversion probability of a lead of segment `seg` of account i:
  // cached per (segment, region, industry) when there are few combinations, else built
  // into `scratch`.
  const auto n_reg = static_cast<std::size_t>(o.n_regions), n_ind = static_cast<std::size_t>(o.n_industries);
  const std::size_t n_combo = static_cast<std::size_t>(kCrmSegments) * n_reg * n_ind;
  constexpr std::size_t kCell = static_cast<std::size_t>(kCrmTransient) * kCrmStages;
  std::vector<double> combo_p, combo_c;
  if (n_combo <= (std::size_t{1} << 16)) {
    combo_p.resize(n_combo * kCell);
    combo_c.resize(n_combo);
    for (std::size_t c = 0; c < n_combo; ++c) {
      const std::size_t seg = c / (n_reg * n_ind), r = (c / n_ind) % n_reg, k = c % n_ind;
      const double e = truth.region_effect[r] * truth.industry_effect[k];
      double* dst = combo_p.data() + c * kCell;
      effect_matrix(truth.transition.data() + seg * kCell, e, dst);
      combo_c[c] = e == 1.0 ? truth.conversion[seg] : won_probability(dst)[potential];
      if (e == 1.0) std::copy_n(truth.transition.data() + seg * kCell, kCell, dst);
    }
  }
  const auto chain_of = [&](int seg, std::size_t i, double* scratch, double& conversion) -> const double* {
    const auto r = static_cast<std::size_t>(d.region[i]), k = static_cast<std::size_t>(d.industry[i]);
    if (!combo_p.empty()) {
      const std::size_t c = (static_cast<std::size_t>(seg) * n_reg + r) * n_ind + k;
      conversion = combo_c[c];
      return combo_p.data() + c * kCell;
    }
    const double* p = truth.transition.data() + static_cast<std::size_t>(seg) * kCell;
    conversion = truth.conversion[static_cast<std::size_t>(seg)];
    const double e = effect_of(i);
    if (e == 1.0) return p;
    effect_matrix(p, e, scratch);
    conversion = won_probability(scratch)[potential];
    return scratch;
  };
  // Grade k drawn (one uniform) with weight mix_k * (c / c_base)^(s_k * grade_strength).
  const double c_base = truth.conversion[static_cast<std::size_t>(2) * 2];  // organisation, organic
  const auto draw_grade = [&](Rng& r, const std::array<double, 3>& mix, double c) {
    const double tilt = std::pow(std::max(c, 1e-12) / c_base, o.grade_strength);
    const std::array<double, 3> w{mix[0] * tilt, mix[1], mix[2] / tilt};
    const double u = r.uniform() * (w[0] + w[1] + w[2]);
    if (u < w[0]) return 0;
    return u < w[0] + w[1] || w[2] <= 0 ? 1 : 2;
  };
  const auto run_lead = [&](Rng& rf, Rng& ro, Block& out, std::size_t i, int referred, double start) {
    const int kind = static_cast<unsigned char>(d.kind[i]);
    int reactivated = 0;
    double lead_p[kCrmTransient * kCrmStages];
    while (true) {
      const int seg = 2 * kind + referred;
      double conversion = 0;
      const double* p = chain_of(seg, i, lead_p, conversion);
      const double* dm = truth.dwell_mean.data() + static_cast<std::ptrdiff_t>(seg * kCrmTransient);
      const auto lead = static_cast<std::int64_t>(out.lead_account.size());
      out.lead_account.push_back(static_cast<std::int64_t>(i));
      out.lead_segment.push_back(static_cast<std::int8_t>(seg));
      out.lead_referred.push_back(static_cast<std::int8_t>(referred));
      out.lead_reactivated.push_back(static_cast<std::int8_t>(reactivated));
      out.lead_start.push_back(start);
      out.lead_conversion.push_back(conversion);
      int state = potential;
      double t = start;
      out.event_lead.push_back(lead);
      out.event_stage.push_back(static_cast<std::int8_t>(state));
      out.event_time.push_back(t);
      std::int8_t outcome = 0;
      double quoted = kNaN;  // first time at `target` (or a skip to won from before it)
      int last = state;
      while (true) {
        t += gamma_draw(rf, o.dwell_shape, dm[state] / o.dwell_shape);
        if (o.censor && t > horizon) break;
        state = draw_row(rf, p + static_cast<std::ptrdiff_t>(state) * kCrmStages, kCrmStages);
        if (state == target && std::isnan(quoted)) quoted = t;
        if (state < kCrmTransient) last = state;
        out.event_lead.push_back(lead);
        out.event_stage.push_back(static_cast<std::int8_t>(state));
        out.event_time.push_back(t);
        if (state == won) {
          outcome = 1;
          break;
        }
        if (state == lost) {
          outcome = 2;
          break;
        }
      }
      out.lead_outcome.push_back(outcome);
      out.lead_end.push_back(o.censor ? std::min(t, horizon) : t);
      if (!std::isnan(quoted)) add_opportunity(ro, out, i, lead, quoted, last, outcome, t);
      if (outcome == 1) return t;
      if (outcome != 2 || !rf.bernoulli(o.reactivation_rate)) return kNaN;
      start = t + rf.exponential(1.0 / o.reactivation_delay);
      if (o.censor && start > horizon) return kNaN;
      referred = 0;
      reactivated = 1;
    }
  };

  const std::size_t n_blocks = (n + kBlock - 1) / kBlock;
  std::vector<Block> blocks(n_blocks);
  const std::size_t total_work = 2 * n_blocks;
  // threads = 0: from the work, an account-month taken as 8 steps (its tier snapshot,
  // its share of leads, stage moves and purchases).
  const auto threads = static_cast<int>(
      resolve_threads(o.threads, static_cast<std::uint64_t>(n) * (months + 1) * 8, step_grain));

  // ---- phase 1: account attributes, tier snapshots, organic leads
  parallel_for(
      n_blocks, threads,
      [&](std::size_t b) {
        Block& out = blocks[b];
        const std::size_t lo = b * kBlock;
        const std::size_t hi = std::min(n, lo + kBlock);
        for (std::size_t i = lo; i < hi; ++i) {
          Rng ra(o.seed ^ kTagAccount, i);
          const int kind = draw_mix(ra, o.kind_mix);
          d.kind[i] = static_cast<std::int8_t>(kind);
          d.industry[i] = static_cast<std::int16_t>(ra.below(static_cast<std::uint64_t>(o.n_industries)));
          d.region[i] = static_cast<std::int16_t>(ra.below(static_cast<std::uint64_t>(o.n_regions)));
          d.sales_mode[i] = static_cast<std::int8_t>(ra.bernoulli(o.distributor_share) ? 1 : 0);
          {  // grades tied to the true conversion of the account's organic lead
            double m[kCrmTransient * kCrmStages];
            double c = 0;
            chain_of(2 * kind, i, m, c);
            d.possibility[i] = static_cast<std::int8_t>(draw_grade(ra, o.possibility_mix, c));
            d.progress[i] = static_cast<std::int8_t>(draw_grade(ra, o.progress_mix, c));
          }
          int tier = draw_mix(ra, o.tier_mix);
          std::normal_distribution<double> noise(0.0, 0.12);
          for (int c = 0; c < kCrmCriteria; ++c) {
            const double mean = (c >= 5) ? 1.0 - kGood[tier] : kGood[tier];
            d.criteria[i * kCrmCriteria + static_cast<std::size_t>(c)] =
                static_cast<float>(std::clamp(mean + noise(ra), 0.0, 1.0));
          }
          std::int8_t* row = d.tiers.data() + i * months;
          row[0] = static_cast<std::int8_t>(tier);
          for (std::size_t m = 1; m < months; ++m) {
            tier = draw_row(ra, tm + static_cast<std::ptrdiff_t>(tier) * 3, 3);
            row[m] = static_cast<std::int8_t>(tier);
          }
          d.owner[i] = static_cast<std::int32_t>(d.region[i]) * o.agents_per_region +
                       static_cast<std::int32_t>(ra.below(static_cast<std::uint64_t>(o.agents_per_region)));

          Rng rf(o.seed ^ kTagFunnel, i);
          const double u = rf.uniform();
          const auto month = static_cast<std::size_t>(
              std::lower_bound(month_cdf.begin(), month_cdf.end(), u) - month_cdf.begin());
          const double start =
              (static_cast<double>(std::min(month, months - 1)) + rf.uniform()) * kCrmMonthDays;
          const int referred = rf.bernoulli(o.referred_share) ? 1 : 0;
          Rng ro(o.seed ^ kTagOpportunity, i);
          d.won_time[i] = run_lead(rf, ro, out, i, referred, start);
        }
      },
      progress ? Progress([&](std::uint64_t done, std::uint64_t) { return progress(done, total_work); })
               : Progress{});

  // ---- phase 2: the latent trade network (ties within an industry)
  std::vector<std::int64_t> by_industry_off(static_cast<std::size_t>(o.n_industries) + 1, 0);
  std::vector<std::int64_t> by_industry(n);
  for (std::size_t i = 0; i < n; ++i) ++by_industry_off[static_cast<std::size_t>(d.industry[i]) + 1];
  for (std::size_t k = 0; k < static_cast<std::size_t>(o.n_industries); ++k)
    by_industry_off[k + 1] += by_industry_off[k];
  {
    std::vector<std::int64_t> fill(by_industry_off.begin(), by_industry_off.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      by_industry[static_cast<std::size_t>(fill[static_cast<std::size_t>(d.industry[i])]++)] =
          static_cast<std::int64_t>(i);
  }
  const auto ties_of = [&](Rng& rn, std::size_t i) {
    const auto k = static_cast<std::size_t>(d.industry[i]);
    const std::int64_t peers = by_industry_off[k + 1] - by_industry_off[k] - 1;
    const double draw = static_cast<double>(o.min_ties) * std::pow(1.0 - rn.uniform(), -1.0 / o.tie_tail);
    const double cap = std::min<double>(o.max_ties, static_cast<double>(std::max<std::int64_t>(peers, 0)));
    return static_cast<std::int64_t>(std::min(std::floor(draw), cap));
  };
  auto& off = d.truth.tie_offsets;
  off.assign(n + 1, 0);
  parallel_for(n_blocks, threads, [&](std::size_t b) {
    for (std::size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
      Rng rn(o.seed ^ kTagNetwork, i);
      off[i + 1] = ties_of(rn, i);
    }
  });
  for (std::size_t i = 0; i < n; ++i) off[i + 1] += off[i];
  d.truth.tie_target.resize(static_cast<std::size_t>(off[n]));
  d.truth.tie_probability.resize(static_cast<std::size_t>(off[n]));
  d.truth.influence.assign(n, 0.0);
  parallel_for(n_blocks, threads, [&](std::size_t b) {
    for (std::size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
      Rng rn(o.seed ^ kTagNetwork, i);
      const std::int64_t deg = ties_of(rn, i);
      const auto k = static_cast<std::size_t>(d.industry[i]);
      const std::int64_t lo = by_industry_off[k];
      const std::int64_t size = by_industry_off[k + 1] - lo;
      const double p =
          std::min(1.0, o.referral_probability * 2.0 * d.criteria[i * kCrmCriteria + kInfluence]);
      const auto at = static_cast<std::size_t>(off[i]);
      double sum = 0;
      for (std::int64_t e = 0; e < deg; ++e) {
        std::int64_t j;
        bool fresh;
        do {  // a distinct peer other than i (deg < size, so this ends)
          j = by_industry[static_cast<std::size_t>(
              lo + static_cast<std::int64_t>(rn.below(static_cast<std::uint64_t>(size))))];
          fresh = j != static_cast<std::int64_t>(i);
          for (std::int64_t f = 0; fresh && f < e; ++f)
            fresh = d.truth.tie_target[at + static_cast<std::size_t>(f)] != j;
        } while (!fresh);
        d.truth.tie_target[at + static_cast<std::size_t>(e)] = j;
        d.truth.tie_probability[at + static_cast<std::size_t>(e)] = p;
        sum += p;
      }
      d.truth.influence[i] = sum;
    }
  });

  // ---- phase 3: the referral cascade, round by round from the organic wins
  std::vector<std::int64_t> frontier;
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isnan(d.won_time[i])) frontier.push_back(static_cast<std::int64_t>(i));
  std::vector<std::uint8_t> referred_before(n, 0);
  constexpr std::size_t kChunk = 1024;
  for (int round = 1; !frontier.empty(); ++round) {
    struct Fired {
      std::int64_t referrer, referee;
      double time;
    };
    const std::size_t n_chunks = (frontier.size() + kChunk - 1) / kChunk;
    std::vector<std::vector<Fired>> fired(n_chunks);
    parallel_for(n_chunks, threads, [&](std::size_t c) {
      for (std::size_t f = c * kChunk; f < std::min(frontier.size(), (c + 1) * kChunk); ++f) {
        const auto i = static_cast<std::size_t>(frontier[f]);
        Rng rr(o.seed ^ kTagReferral, i);  // an account wins (and refers) at most once
        for (auto e = static_cast<std::size_t>(off[i]); e < static_cast<std::size_t>(off[i + 1]); ++e) {
          if (!rr.bernoulli(d.truth.tie_probability[e])) continue;
          const double t = d.won_time[i] + rr.exponential(1.0 / o.referral_delay);
          if (o.censor && t > horizon) continue;
          fired[c].push_back({static_cast<std::int64_t>(i), d.truth.tie_target[e], t});
        }
      }
    });
    // The earliest referral of each account neither won nor referred before opens a lead.
    std::vector<Fired> all;
    for (auto& v : fired) all.insert(all.end(), v.begin(), v.end());
    std::vector<std::size_t> order(all.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (all[a].referee != all[b].referee) return all[a].referee < all[b].referee;
      if (all[a].time != all[b].time) return all[a].time < all[b].time;
      return a < b;
    });
    std::vector<std::size_t> opens;  // indices into `all`
    std::vector<std::int8_t> new_lead(all.size(), 0);
    for (std::size_t k = 0; k < order.size(); ++k) {
      const Fired& r = all[order[k]];
      const auto j = static_cast<std::size_t>(r.referee);
      if (k > 0 && all[order[k - 1]].referee == r.referee) continue;
      if (!std::isnan(d.won_time[j]) || referred_before[j]) continue;
      referred_before[j] = 1;
      new_lead[order[k]] = 1;
      opens.push_back(order[k]);
    }
    for (std::size_t k = 0; k < all.size(); ++k) {
      d.ref_referrer.push_back(all[k].referrer);
      d.ref_referee.push_back(all[k].referee);
      d.ref_time.push_back(all[k].time);
      d.ref_new_lead.push_back(new_lead[k]);
      d.ref_round.push_back(static_cast<std::int16_t>(std::min(round, 32767)));
    }
    // Referred leads, in referee order (opens is sorted by referee).
    const std::size_t n_lead_chunks = (opens.size() + kChunk - 1) / kChunk;
    const std::size_t first = blocks.size();
    blocks.resize(first + n_lead_chunks);
    std::vector<double> won_at(opens.size(), kNaN);
    parallel_for(n_lead_chunks, threads, [&](std::size_t c) {
      for (std::size_t k = c * kChunk; k < std::min(opens.size(), (c + 1) * kChunk); ++k) {
        const Fired& r = all[opens[k]];
        const auto j = static_cast<std::size_t>(r.referee);
        Rng rf(o.seed ^ kTagReferredLead, j);  // an account is referred into a lead at most once
        Rng ro(o.seed ^ kTagReferredOpportunity, j);
        won_at[k] = run_lead(rf, ro, blocks[first + c], j, 1, r.time);
      }
    });
    frontier.clear();
    for (std::size_t k = 0; k < opens.size(); ++k) {
      if (std::isnan(won_at[k])) continue;
      const auto j = static_cast<std::size_t>(all[opens[k]].referee);
      d.won_time[j] = won_at[k];
      frontier.push_back(static_cast<std::int64_t>(j));
    }
  }

  // ---- phase 4: repeat buying of the won accounts
  std::vector<Block> buying(n_blocks);
  parallel_for(
      n_blocks, threads,
      [&](std::size_t b) {
        Block& out = buying[b];
        for (std::size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
          Rng rc(o.seed ^ kTagCustomer, i);
          double won_at = d.won_time[i];
          if (rc.bernoulli(o.customer_share)) won_at = -rc.uniform() * o.customer_years * 365.25;
          if (std::isnan(won_at)) continue;
          if (won_at <= horizon) d.customer_since[i] = won_at;
          Rng rt(o.seed ^ kTagBuying, i);
          const double lambda = gamma_draw(rt, o.bg_r, 1.0 / o.bg_alpha);
          const double ga = gamma_draw(rt, o.bg_a, 1.0);
          const double gb = gamma_draw(rt, o.bg_b, 1.0);
          const double drop = ga / (ga + gb);
          const double nu = gamma_draw(rt, o.gg_q, 1.0 / o.gg_v);
          d.truth.purchase_rate[i] = lambda;
          d.truth.dropout[i] = drop;
          d.truth.spend_rate[i] = nu;
          if (won_at > horizon) continue;
          double t = won_at;
          while (true) {
            out.tx_account.push_back(static_cast<std::int64_t>(i));
            out.tx_time.push_back(t);
            out.tx_amount.push_back(gamma_draw(rt, o.gg_p, 1.0 / nu));
            if (t > won_at && rt.bernoulli(drop)) break;  // drop-out after a repeat purchase
            t += rt.exponential(lambda);
            if (t > horizon) break;
          }
        }
      },
      progress
          ? Progress([&](std::uint64_t done, std::uint64_t) { return progress(n_blocks + done, total_work); })
          : Progress{});

  // ---- merge the blocks in order
  const std::size_t nb = blocks.size();
  std::vector<std::size_t> lead_off(nb + 1, 0), ev_off(nb + 1, 0), opp_off(nb + 1, 0),
      tx_off(n_blocks + 1, 0);
  for (std::size_t b = 0; b < nb; ++b) {
    lead_off[b + 1] = lead_off[b] + blocks[b].lead_account.size();
    ev_off[b + 1] = ev_off[b] + blocks[b].event_lead.size();
    opp_off[b + 1] = opp_off[b] + blocks[b].opp_lead.size();
  }
  for (auto* v : {&d.opp_lead, &d.opp_account}) v->resize(opp_off[nb]);
  for (auto* v : {&d.opp_product, &d.opp_stage, &d.opp_status, &d.opp_reason}) v->resize(opp_off[nb]);
  for (auto* v : {&d.opp_entry, &d.opp_close, &d.opp_amount}) v->resize(opp_off[nb]);
  d.opp_owner.resize(opp_off[nb]);
  for (std::size_t b = 0; b < n_blocks; ++b) tx_off[b + 1] = tx_off[b] + buying[b].tx_account.size();
  d.lead_account.resize(lead_off[nb]);
  d.lead_segment.resize(lead_off[nb]);
  d.lead_referred.resize(lead_off[nb]);
  d.lead_reactivated.resize(lead_off[nb]);
  d.lead_outcome.resize(lead_off[nb]);
  d.lead_start.resize(lead_off[nb]);
  d.lead_conversion.resize(lead_off[nb]);
  d.lead_end.resize(lead_off[nb]);
  d.event_lead.resize(ev_off[nb]);
  d.event_stage.resize(ev_off[nb]);
  d.event_time.resize(ev_off[nb]);
  d.tx_account.resize(tx_off[n_blocks]);
  d.tx_time.resize(tx_off[n_blocks]);
  d.tx_amount.resize(tx_off[n_blocks]);
  const auto copy = [](const auto& src, auto& dst, std::size_t at) {
    std::copy(src.begin(), src.end(), dst.begin() + static_cast<std::ptrdiff_t>(at));
  };
  parallel_for(nb, threads, [&](std::size_t b) {
    Block& in = blocks[b];
    copy(in.lead_account, d.lead_account, lead_off[b]);
    copy(in.lead_segment, d.lead_segment, lead_off[b]);
    copy(in.lead_referred, d.lead_referred, lead_off[b]);
    copy(in.lead_reactivated, d.lead_reactivated, lead_off[b]);
    copy(in.lead_outcome, d.lead_outcome, lead_off[b]);
    copy(in.lead_start, d.lead_start, lead_off[b]);
    copy(in.lead_conversion, d.lead_conversion, lead_off[b]);
    copy(in.lead_end, d.lead_end, lead_off[b]);
    const auto base = static_cast<std::int64_t>(lead_off[b]);
    for (std::size_t k = 0; k < in.event_lead.size(); ++k)
      d.event_lead[ev_off[b] + k] = in.event_lead[k] + base;
    copy(in.event_stage, d.event_stage, ev_off[b]);
    copy(in.event_time, d.event_time, ev_off[b]);
    for (std::size_t k = 0; k < in.opp_lead.size(); ++k) d.opp_lead[opp_off[b] + k] = in.opp_lead[k] + base;
    copy(in.opp_account, d.opp_account, opp_off[b]);
    copy(in.opp_product, d.opp_product, opp_off[b]);
    copy(in.opp_owner, d.opp_owner, opp_off[b]);
    copy(in.opp_stage, d.opp_stage, opp_off[b]);
    copy(in.opp_status, d.opp_status, opp_off[b]);
    copy(in.opp_reason, d.opp_reason, opp_off[b]);
    copy(in.opp_entry, d.opp_entry, opp_off[b]);
    copy(in.opp_close, d.opp_close, opp_off[b]);
    copy(in.opp_amount, d.opp_amount, opp_off[b]);
    in = Block{};  // free as we go
  });
  parallel_for(n_blocks, threads, [&](std::size_t b) {
    Block& in = buying[b];
    copy(in.tx_account, d.tx_account, tx_off[b]);
    copy(in.tx_time, d.tx_time, tx_off[b]);
    copy(in.tx_amount, d.tx_amount, tx_off[b]);
    in = Block{};
  });

  // ---- touches and visits per lead, promotions per account
  const std::size_t n_leads = d.lead_account.size();
  const std::size_t n_lead_blocks = (n_leads + kBlock - 1) / kBlock;
  std::vector<TouchBlock> tb(n_lead_blocks + n_blocks);
  std::array<double, kCrmChannels> won_mix{};
  for (std::size_t c = 0; c < won_mix.size(); ++c) won_mix[c] = truth.channel_won_share[c];
  parallel_for(n_lead_blocks + n_blocks, threads, [&](std::size_t b) {
    TouchBlock& out = tb[b];
    if (b < n_lead_blocks) {
      std::vector<double> times;
      for (std::size_t l = b * kBlock; l < std::min(n_leads, (b + 1) * kBlock); ++l) {
        const double start = d.lead_start[l];
        const double span = std::max(0.0, d.lead_end[l] - start);
        const bool won_lead = d.lead_outcome[l] == 1;
        Rng rt(o.seed ^ kTagTouch, l);
        const int k = 1 + (o.touches_mean > 1.0 ? poisson_draw(rt, o.touches_mean - 1.0) : 0);
        times.resize(static_cast<std::size_t>(k));
        for (auto& t : times) t = start + rt.uniform() * span;
        std::sort(times.begin(), times.end());
        for (int j = 0; j < k; ++j) {
          out.touch_lead.push_back(static_cast<std::int64_t>(l));
          out.touch_channel.push_back(
              static_cast<std::int8_t>(won_lead ? draw_mix(rt, won_mix) : draw_mix(rt, o.channel_mix)));
          out.touch_converted.push_back(static_cast<std::int8_t>(won_lead && j == k - 1));
          out.touch_time.push_back(times[static_cast<std::size_t>(j)]);
        }
        if (o.visit_rate > 0 && span > 0) {
          Rng rv(o.seed ^ kTagVisit, l);
          const auto acc = static_cast<std::size_t>(d.lead_account[l]);
          const int v = poisson_draw(rv, o.visit_rate * span / 7.0);
          times.resize(static_cast<std::size_t>(v));
          for (auto& t : times) t = start + rv.uniform() * span;
          std::sort(times.begin(), times.end());
          for (const double t : times) {
            out.act_account.push_back(static_cast<std::int64_t>(acc));
            out.act_owner.push_back(d.owner[acc]);
            out.act_kind.push_back(0);
            out.act_time.push_back(t);
          }
        }
      }
    } else if (o.promotion_rate > 0) {
      const std::size_t a = b - n_lead_blocks;
      std::vector<double> times;
      for (std::size_t i = a * kBlock; i < std::min(n, (a + 1) * kBlock); ++i) {
        Rng rp(o.seed ^ kTagPromotion, i);
        const int v = poisson_draw(rp, o.promotion_rate * horizon / 365.25);
        times.resize(static_cast<std::size_t>(v));
        for (auto& t : times) t = rp.uniform() * horizon;
        std::sort(times.begin(), times.end());
        for (const double t : times) {
          out.act_account.push_back(static_cast<std::int64_t>(i));
          out.act_owner.push_back(d.owner[i]);
          out.act_kind.push_back(1);
          out.act_time.push_back(t);
        }
      }
    }
  });
  for (auto& in : tb) {
    append(d.touch_lead, in.touch_lead);
    append(d.touch_channel, in.touch_channel);
    append(d.touch_converted, in.touch_converted);
    append(d.touch_time, in.touch_time);
    append(d.act_account, in.act_account);
    append(d.act_owner, in.act_owner);
    append(d.act_kind, in.act_kind);
    append(d.act_time, in.act_time);
    in = TouchBlock{};
  }
  return d;
}

}  // namespace datasets

FUNNELNET_END
