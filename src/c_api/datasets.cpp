// C ABI: data sets (declared in include/funnelnet/c/datasets.h).
#include "funnelnet/datasets.hpp"

#include <array>
#include <memory>
#include <utility>
#include <vector>

#include "c_api/common.hpp"

using funnelnet::capi::guard;
using funnelnet::capi::require_ptr;

struct fnet_crm {
  funnelnet::datasets::CrmData value;
  int months = 0;
  std::vector<double> tier_matrix;
};

extern "C" {

FNET_API fnet_status fnet_crm_generate(fnet_crm** out, const fnet_crm_options* options) {
  return guard([&] {
    require_ptr(out, "out");
    funnelnet::datasets::CrmOptions o;
    if (options != nullptr) {
      funnelnet::capi::check_options(options, FNET_CRM_OPTIONS_VERSION, "fnet_crm_options");
      o.n_accounts = options->n_accounts;
      o.months = options->months;
      o.start_month = options->start_month;
      o.seed = options->seed;
      o.threads = options->threads;
      o.censor = options->censor != 0;
      o.referred_share = options->referred_share;
      o.referral_probability = options->referral_probability;
      o.region_spread = options->region_spread;
      o.industry_spread = options->industry_spread;
      o.touches_mean = options->touches_mean;
      o.customer_share = options->customer_share;
      o.customer_years = options->customer_years;
    }
    auto h = std::make_unique<fnet_crm>();
    h->value = funnelnet::datasets::synthetic_crm(o);  // validates before drawing anything
    h->months = o.months;
    h->tier_matrix.assign(h->value.truth.tier_matrix.begin(), h->value.truth.tier_matrix.end());
    *out = h.release();
  });
}

FNET_DEFINE_DESTROY(fnet_crm_destroy, fnet_crm)

FNET_API fnet_status fnet_crm_sizes(size_t* accounts, size_t* months, size_t* leads, size_t* events,
                                    size_t* transactions, size_t* opportunities, size_t* referrals,
                                    size_t* touches, size_t* activities, const fnet_crm* crm) {
  return guard([&] {
    require_ptr(crm, "crm");
    const auto& d = crm->value;
    const std::array<std::pair<size_t*, size_t>, 9> outs{{
        {accounts, d.kind.size()},
        {months, static_cast<size_t>(crm->months)},
        {leads, d.lead_account.size()},
        {events, d.event_lead.size()},
        {transactions, d.tx_account.size()},
        {opportunities, d.opp_lead.size()},
        {referrals, d.ref_referrer.size()},
        {touches, d.touch_lead.size()},
        {activities, d.act_account.size()},
    }};
    for (const auto& [p, v] : outs)
      if (p != nullptr) *p = v;
  });
}

FNET_DEFINE_GETTER(fnet_crm_horizon, double, fnet_crm, crm, crm->value.horizon)

// NOLINTBEGIN(bugprone-macro-parentheses): X-macro arguments are names
#define FNET_CRM_COLUMN(name, type, field) \
  FNET_DEFINE_ARRAY_GETTER(fnet_crm_##name, type, fnet_crm, crm, crm->value.field)
FNET_CRM_COLUMN(account_kind, int8_t, kind)
FNET_CRM_COLUMN(account_industry, int16_t, industry)
FNET_CRM_COLUMN(account_region, int16_t, region)
FNET_CRM_COLUMN(account_possibility, int8_t, possibility)
FNET_CRM_COLUMN(account_progress, int8_t, progress)
FNET_CRM_COLUMN(account_owner, int32_t, owner)
FNET_CRM_COLUMN(account_won_time, double, won_time)
FNET_CRM_COLUMN(account_customer_since, double, customer_since)
FNET_CRM_COLUMN(tiers, int8_t, tiers)
FNET_CRM_COLUMN(lead_account, int64_t, lead_account)
FNET_CRM_COLUMN(lead_segment, int8_t, lead_segment)
FNET_CRM_COLUMN(lead_outcome, int8_t, lead_outcome)
FNET_CRM_COLUMN(lead_start, double, lead_start)
FNET_CRM_COLUMN(lead_conversion, double, lead_conversion)
FNET_CRM_COLUMN(event_lead, int64_t, event_lead)
FNET_CRM_COLUMN(event_stage, int8_t, event_stage)
FNET_CRM_COLUMN(event_time, double, event_time)
FNET_CRM_COLUMN(tx_account, int64_t, tx_account)
FNET_CRM_COLUMN(tx_time, double, tx_time)
FNET_CRM_COLUMN(tx_amount, double, tx_amount)
FNET_CRM_COLUMN(opp_lead, int64_t, opp_lead)
FNET_CRM_COLUMN(opp_owner, int32_t, opp_owner)
FNET_CRM_COLUMN(opp_status, int8_t, opp_status)
FNET_CRM_COLUMN(opp_amount, double, opp_amount)
FNET_CRM_COLUMN(ref_referrer, int64_t, ref_referrer)
FNET_CRM_COLUMN(ref_referee, int64_t, ref_referee)
FNET_CRM_COLUMN(ref_time, double, ref_time)
FNET_CRM_COLUMN(touch_lead, int64_t, touch_lead)
FNET_CRM_COLUMN(touch_channel, int8_t, touch_channel)
FNET_CRM_COLUMN(touch_time, double, touch_time)
FNET_CRM_COLUMN(activity_account, int64_t, act_account)
FNET_CRM_COLUMN(activity_kind, int8_t, act_kind)
FNET_CRM_COLUMN(activity_time, double, act_time)
FNET_CRM_COLUMN(truth_transition, double, truth.transition)
FNET_CRM_COLUMN(truth_conversion, double, truth.conversion)
FNET_CRM_COLUMN(truth_dwell_mean, double, truth.dwell_mean)
FNET_CRM_COLUMN(truth_tie_offsets, int64_t, truth.tie_offsets)
FNET_CRM_COLUMN(truth_tie_target, int64_t, truth.tie_target)
FNET_CRM_COLUMN(truth_tie_probability, double, truth.tie_probability)
FNET_CRM_COLUMN(truth_influence, double, truth.influence)
#undef FNET_CRM_COLUMN
// NOLINTEND(bugprone-macro-parentheses)
FNET_DEFINE_ARRAY_GETTER(fnet_crm_truth_tier_matrix, double, fnet_crm, crm, crm->tier_matrix)

}  // extern "C"
