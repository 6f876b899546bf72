// Python bindings for the datasets area (submodule funnelnet._core.datasets).  Thin: the
// public API (DataFrames, labels, timestamps) lives in funnelnet/datasets/synthetic.py.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.hpp"
#include "funnelnet/datasets.hpp"

namespace funnelnet::python {

namespace register_datasets_cpp {

template <class T>
py::array_t<T> to_array_2d(std::vector<T>&& v, std::size_t cols) {
  const auto rows = static_cast<py::ssize_t>(cols == 0 ? 0 : v.size() / cols);
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({rows, static_cast<py::ssize_t>(cols)}, heap->data(), owner);
}

template <std::size_t N>
void set_array(std::array<double, N>& dst, const py::handle& v, const std::string& key) {
  const auto xs = v.cast<std::vector<double>>();
  if (xs.size() != N)
    fail(Errc::shape_mismatch, "synthetic_crm: ", key, " must have ", N, " values, got ", xs.size());
  std::copy(xs.begin(), xs.end(), dst.begin());
}

// Knobs by name (the names of datasets::CrmOptions' fields).
datasets::CrmOptions options_from(const py::dict& knobs) {
  datasets::CrmOptions o;
  for (const auto& [k, v] : knobs) {
    const auto key = k.cast<std::string>();
    if (key == "n_accounts")
      o.n_accounts = v.cast<std::int64_t>();
    else if (key == "months")
      o.months = v.cast<int>();
    else if (key == "start_month")
      o.start_month = v.cast<int>();
    else if (key == "seed")
      o.seed = v.cast<std::uint64_t>();
    else if (key == "threads")
      o.threads = v.cast<int>();
    else if (key == "kind_mix")
      set_array(o.kind_mix, v, key);
    else if (key == "n_industries")
      o.n_industries = v.cast<int>();
    else if (key == "n_regions")
      o.n_regions = v.cast<int>();
    else if (key == "distributor_share")
      o.distributor_share = v.cast<double>();
    else if (key == "possibility_mix")
      set_array(o.possibility_mix, v, key);
    else if (key == "progress_mix")
      set_array(o.progress_mix, v, key);
    else if (key == "tier_mix")
      set_array(o.tier_mix, v, key);
    else if (key == "regrade_rate")
      o.regrade_rate = v.cast<double>();
    else if (key == "a_loss_rate")
      o.a_loss_rate = v.cast<double>();
    else if (key == "a_to_b_share")
      o.a_to_b_share = v.cast<double>();
    else if (key == "funnel_matrix")
      set_array(o.funnel_matrix, v, key);
    else if (key == "dwell_mean")
      set_array(o.dwell_mean, v, key);
    else if (key == "dwell_shape")
      o.dwell_shape = v.cast<double>();
    else if (key == "kind_lift")
      set_array(o.kind_lift, v, key);
    else if (key == "kind_pace")
      set_array(o.kind_pace, v, key);
    else if (key == "referred_share")
      o.referred_share = v.cast<double>();
    else if (key == "referred_lift")
      o.referred_lift = v.cast<double>();
    else if (key == "referred_pace")
      o.referred_pace = v.cast<double>();
    else if (key == "reactivation_rate")
      o.reactivation_rate = v.cast<double>();
    else if (key == "reactivation_delay")
      o.reactivation_delay = v.cast<double>();
    else if (key == "seasonality")
      o.seasonality = v.cast<double>();
    else if (key == "censor")
      o.censor = v.cast<bool>();
    else if (key == "min_ties")
      o.min_ties = v.cast<int>();
    else if (key == "tie_tail")
      o.tie_tail = v.cast<double>();
    else if (key == "max_ties")
      o.max_ties = v.cast<int>();
    else if (key == "referral_probability")
      o.referral_probability = v.cast<double>();
    else if (key == "referral_delay")
      o.referral_delay = v.cast<double>();
    else if (key == "product_mix")
      set_array(o.product_mix, v, key);
    else if (key == "agents_per_region")
      o.agents_per_region = v.cast<int>();
    else if (key == "loss_reason_mix")
      set_array(o.loss_reason_mix, v, key);
    else if (key == "deal_value")
      set_array(o.deal_value, v, key);
    else if (key == "deal_shape")
      o.deal_shape = v.cast<double>();
    else if (key == "bg_r")
      o.bg_r = v.cast<double>();
    else if (key == "bg_alpha")
      o.bg_alpha = v.cast<double>();
    else if (key == "bg_a")
      o.bg_a = v.cast<double>();
    else if (key == "bg_b")
      o.bg_b = v.cast<double>();
    else if (key == "gg_p")
      o.gg_p = v.cast<double>();
    else if (key == "gg_q")
      o.gg_q = v.cast<double>();
    else if (key == "gg_v")
      o.gg_v = v.cast<double>();
    else if (key == "region_spread")
      o.region_spread = v.cast<double>();
    else if (key == "industry_spread")
      o.industry_spread = v.cast<double>();
    else if (key == "grade_strength")
      o.grade_strength = v.cast<double>();
    else if (key == "channel_mix")
      set_array(o.channel_mix, v, key);
    else if (key == "channel_lift")
      set_array(o.channel_lift, v, key);
    else if (key == "touches_mean")
      o.touches_mean = v.cast<double>();
    else if (key == "visit_rate")
      o.visit_rate = v.cast<double>();
    else if (key == "promotion_rate")
      o.promotion_rate = v.cast<double>();
    else if (key == "customer_share")
      o.customer_share = v.cast<double>();
    else if (key == "customer_years")
      o.customer_years = v.cast<double>();
    else
      fail(Errc::invalid_argument, "synthetic_crm: unknown knob ", key);
  }
  return o;
}

py::dict truth_dict(datasets::CrmTruth& t, const datasets::CrmOptions& o) {
  py::dict d;
  d["bg_r"] = o.bg_r;
  d["bg_alpha"] = o.bg_alpha;
  d["bg_a"] = o.bg_a;
  d["bg_b"] = o.bg_b;
  d["gg_p"] = o.gg_p;
  d["gg_q"] = o.gg_q;
  d["gg_v"] = o.gg_v;
  d["transition"] = to_array(std::move(t.transition));
  d["dwell_mean"] = to_array(std::move(t.dwell_mean));
  d["dwell_shape"] = t.dwell_shape;
  d["conversion"] = to_array(std::move(t.conversion));
  d["tier_matrix"] = to_array(std::vector<double>(t.tier_matrix.begin(), t.tier_matrix.end()));
  d["tie_offsets"] = to_array(std::move(t.tie_offsets));
  d["tie_target"] = to_array(std::move(t.tie_target));
  d["tie_probability"] = to_array(std::move(t.tie_probability));
  d["influence"] = to_array(std::move(t.influence));
  d["referral_delay"] = o.referral_delay;
  d["purchase_rate"] = to_array(std::move(t.purchase_rate));
  d["dropout"] = to_array(std::move(t.dropout));
  d["spend_rate"] = to_array(std::move(t.spend_rate));
  d["region_effect"] = to_array(std::move(t.region_effect));
  d["industry_effect"] = to_array(std::move(t.industry_effect));
  d["channel_mix"] = to_array(std::vector<double>(o.channel_mix.begin(), o.channel_mix.end()));
  d["channel_lift"] = to_array(std::vector<double>(o.channel_lift.begin(), o.channel_lift.end()));
  d["channel_won_share"] = to_array(std::move(t.channel_won_share));
  d["channel_removal"] = to_array(std::move(t.channel_removal));
  d["touches_mean"] = o.touches_mean;
  d["grade_strength"] = o.grade_strength;
  d["customer_share"] = o.customer_share;
  return d;
}

}  // namespace register_datasets_cpp

void register_datasets(py::module_& m) {
  using namespace register_datasets_cpp;  // NOLINT(google-build-using-namespace): this file's helpers
  FUNNELNET_PY_DEFAULTS_AS("CrmOptions", datasets::CrmOptions, n_accounts, months, seed, threads);
  m.def(
      "synthetic_crm",
      [](const py::dict& knobs, const py::object& progress) {
        const datasets::CrmOptions o = options_from(knobs);
        const Progress cb = progress_from_python(progress);
        datasets::CrmData d;
        {
          py::gil_scoped_release release;
          d = datasets::synthetic_crm(o, cb);
        }
        const auto months = static_cast<std::size_t>(o.months);
        py::dict out;
        out["kind"] = to_array(std::move(d.kind));
        out["industry"] = to_array(std::move(d.industry));
        out["region"] = to_array(std::move(d.region));
        out["sales_mode"] = to_array(std::move(d.sales_mode));
        out["possibility"] = to_array(std::move(d.possibility));
        out["progress"] = to_array(std::move(d.progress));
        out["criteria"] = to_array_2d(std::move(d.criteria), datasets::kCrmCriteria);
        out["tiers"] = to_array_2d(std::move(d.tiers), months);
        out["won_time"] = to_array(std::move(d.won_time));
        out["owner"] = to_array(std::move(d.owner));
        out["customer_since"] = to_array(std::move(d.customer_since));
        out["lead_end"] = to_array(std::move(d.lead_end));
        out["touch_lead"] = to_array(std::move(d.touch_lead));
        out["touch_channel"] = to_array(std::move(d.touch_channel));
        out["touch_converted"] = to_array(std::move(d.touch_converted));
        out["touch_time"] = to_array(std::move(d.touch_time));
        out["act_account"] = to_array(std::move(d.act_account));
        out["act_owner"] = to_array(std::move(d.act_owner));
        out["act_kind"] = to_array(std::move(d.act_kind));
        out["act_time"] = to_array(std::move(d.act_time));
        out["lead_account"] = to_array(std::move(d.lead_account));
        out["lead_segment"] = to_array(std::move(d.lead_segment));
        out["lead_referred"] = to_array(std::move(d.lead_referred));
        out["lead_reactivated"] = to_array(std::move(d.lead_reactivated));
        out["lead_outcome"] = to_array(std::move(d.lead_outcome));
        out["lead_start"] = to_array(std::move(d.lead_start));
        out["lead_conversion"] = to_array(std::move(d.lead_conversion));
        out["event_lead"] = to_array(std::move(d.event_lead));
        out["event_stage"] = to_array(std::move(d.event_stage));
        out["event_time"] = to_array(std::move(d.event_time));
        out["tx_account"] = to_array(std::move(d.tx_account));
        out["tx_time"] = to_array(std::move(d.tx_time));
        out["tx_amount"] = to_array(std::move(d.tx_amount));
        out["opp_lead"] = to_array(std::move(d.opp_lead));
        out["opp_account"] = to_array(std::move(d.opp_account));
        out["opp_product"] = to_array(std::move(d.opp_product));
        out["opp_owner"] = to_array(std::move(d.opp_owner));
        out["opp_stage"] = to_array(std::move(d.opp_stage));
        out["opp_status"] = to_array(std::move(d.opp_status));
        out["opp_reason"] = to_array(std::move(d.opp_reason));
        out["opp_entry"] = to_array(std::move(d.opp_entry));
        out["opp_close"] = to_array(std::move(d.opp_close));
        out["opp_amount"] = to_array(std::move(d.opp_amount));
        out["ref_referrer"] = to_array(std::move(d.ref_referrer));
        out["ref_referee"] = to_array(std::move(d.ref_referee));
        out["ref_time"] = to_array(std::move(d.ref_time));
        out["ref_new_lead"] = to_array(std::move(d.ref_new_lead));
        out["ref_round"] = to_array(std::move(d.ref_round));
        out["horizon"] = d.horizon;
        out["truth"] = truth_dict(d.truth, o);
        return out;
      },
      py::arg("knobs"), py::arg("progress") = py::none(),
      "Generate the synthetic CRM (see datasets/synthetic_crm.hpp); knobs by CrmOptions field name.\n"
      "Returns a dict of numpy columns, the horizon in days and the truth (a dict).");
}

}  // namespace funnelnet::python
