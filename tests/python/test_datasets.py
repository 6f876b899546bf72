"""fn.datasets.synthetic_crm against its own declared truth, recovered by independent
estimators written here with numpy / pandas / scipy: empirical transition frequencies
(binomial standard errors), Gamma dwell means, won shares per segment, the tier mix and
re-grade rate, the BG/NBD closed-form expected repeat count (scipy's hyp2f1), the
Gamma-Gamma mean amount, the seasonal start months; determinism at any thread count;
typed errors naming the knob."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

import funnelnet as fn
from funnelnet.datasets import STAGES

Z = 4.5  # standard errors allowed


@pytest.fixture(scope="module")
def crm() -> fn.datasets.SyntheticCRM:
    # Uncensored: every lead runs to won or lost, so dwell means and won shares are unbiased.
    return fn.datasets.synthetic_crm(n_accounts=100_000, months=24, seed=5, censor=False, region_spread=0,
                                     industry_spread=0)


@pytest.fixture(scope="module")
def crm_censored() -> fn.datasets.SyntheticCRM:
    return fn.datasets.synthetic_crm(n_accounts=100_000, months=36, seed=9, region_spread=0, industry_spread=0)


def _steps(crm) -> pd.DataFrame:
    ev = crm.events
    same = ev["lead"].to_numpy()[1:] == ev["lead"].to_numpy()[:-1]
    codes = ev["stage"].cat.codes.to_numpy()
    t = ev["time"].to_numpy()
    lead = ev["lead"].to_numpy()[1:][same]
    return pd.DataFrame({
        "segment": crm.leads["segment"].to_numpy()[lead],
        "from": np.asarray(STAGES)[codes[:-1][same]],
        "to": np.asarray(STAGES)[codes[1:][same]],
        "days": (t[1:] - t[:-1])[same] / np.timedelta64(1, "D"),
    })


@pytest.mark.parametrize("which", ["crm", "crm_censored"])
def test_transition_frequencies_match_the_truth(which, request):
    crm = request.getfixturevalue(which)
    steps = _steps(crm)
    counts = steps.groupby(["segment", "from", "to"], observed=True).size().unstack("to", fill_value=0)
    truth = crm.truth.transition
    checked = 0
    for (seg, frm), row in counts.iterrows():
        n = row.sum()
        if n < 200:
            continue
        checked += 1
        p = truth.loc[(seg, frm)].reindex(row.index).to_numpy()
        phat = row.to_numpy() / n
        se = np.sqrt(np.maximum(p * (1 - p), 1e-12) / n)
        assert np.all(np.abs(phat - p) <= Z * se + 1e-12), (seg, frm, phat, p)
        # no transition the truth forbids
        assert truth.loc[(seg, frm)].drop(row.index).sum() >= 0
        assert np.all(p[row.to_numpy() > 0] > 0)
    assert checked >= 18


def test_dwell_means_match_the_gamma_truth(crm):
    steps = _steps(crm)
    g = steps.groupby(["segment", "from"], observed=True)["days"].agg(["mean", "size"])
    shape = crm.truth.dwell_shape
    for (seg, frm), r in g.iterrows():
        if r["size"] < 100:
            continue
        m = crm.truth.dwell_mean.loc[seg, frm]
        assert abs(r["mean"] - m) <= Z * m / np.sqrt(shape * r["size"]), (seg, frm, r["mean"], m)


def test_won_shares_match_each_leads_true_conversion_probability(crm):
    leads = crm.leads
    assert (leads["outcome"] != "open").all()
    g = leads.assign(won=leads["outcome"] == "won").groupby("segment", observed=True).agg(
        won=("won", "mean"), n=("won", "size"), p=("conversion_probability", "mean"))
    for seg, r in g.iterrows():
        p = crm.truth.conversion[seg]
        assert r["p"] == pytest.approx(p)
        assert abs(r["won"] - p) <= Z * np.sqrt(p * (1 - p) / r["n"]), (seg, r["won"], p)
    # DOMAIN.md: under 30 % of prospects become customers; referred leads convert more often and faster
    assert (leads["outcome"] == "won").mean() < 0.3
    by_ref = leads.groupby("referred")["outcome"].apply(lambda s: (s == "won").mean())
    assert by_ref[True] > by_ref[False]
    ev = crm.events
    won_time = ev[ev["stage"] == "won"].set_index("lead")["time"]
    won_leads = leads.loc[won_time.index]
    days = (won_time - won_leads["start"]) / pd.Timedelta(days=1)
    fast = days.groupby(won_leads["referred"]).mean()
    assert fast[True] < fast[False]


def test_tier_mix_and_regrade_rate(crm):
    codes = np.column_stack([crm.tiers[c].cat.codes.to_numpy() for c in crm.tiers.columns])
    n, m = codes.shape
    mix = np.bincount(codes[:, -1], minlength=3) / n
    target = np.array([0.1, 0.3, 0.6])
    assert np.all(np.abs(mix - target) <= Z * np.sqrt(target * (1 - target) / n)), mix
    regrade = (codes[:, 1:] != codes[:, :-1]).mean()
    assert abs(regrade - 0.2) < 0.005, regrade
    # empirical monthly A -> C (the A losses) compounds to ~20 % a year
    a = codes[:, :-1] == 0
    ac = (codes[:, 1:][a] == 2).mean()
    assert abs((1 - (1 - ac) ** 12) - 0.2) < 0.03, ac
    long = crm.tier_snapshots()
    assert len(long) == n * m and list(long.columns) == ["customer", "period", "tier"]
    assert (long.groupby("period")["tier"].size() == n).all()


def test_repeat_buying_matches_the_bgnbd_closed_form(crm_censored):
    crm = crm_censored
    tx = crm.transactions
    tr = crm.truth
    first = tx.groupby("account")["time"].min()
    x = tx.groupby("account").size() - 1  # repeat purchases
    T = (crm.end - first) / pd.Timedelta(days=1)
    assert len(x) > 3000
    r, alpha, a, b = tr.bg_r, tr.bg_alpha, tr.bg_a, tr.bg_b
    t = T.to_numpy()
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    se = x.std() / np.sqrt(len(x))
    assert abs(x.mean() - expected.mean()) <= Z * se, (x.mean(), expected.mean())
    # Gamma-Gamma: amounts ~ Gamma(p, rate nu), nu ~ Gamma(q, rate v): E[amount] = p v / (q - 1)
    first_amount = tx.drop_duplicates("account")["amount"]
    mean = tr.gg_p * tr.gg_v / (tr.gg_q - 1)
    assert abs(first_amount.mean() - mean) <= Z * first_amount.std() / np.sqrt(len(first_amount))
    # the per-customer truth is a sample of the declared priors
    lam = tr.customers["lambda"]
    assert abs(lam.mean() - r / alpha) <= Z * np.sqrt(r) / alpha / np.sqrt(len(lam))
    assert set(tr.customers.index) >= set(first.index)


def test_lead_starts_are_seasonal(crm):
    first = crm.leads[~crm.leads["reactivated"]]
    month = first["start"].dt.month
    season = month.isin([3, 4, 5, 6, 7, 9, 10, 11])
    # 24 months from January: 16 season months of weight 1.3, 8 off months of weight 0.7
    p = 16 * 1.3 / (16 * 1.3 + 8 * 0.7)
    n = len(first)
    # month boundaries are 30.4375-day months, not calendar months: allow a small slack
    assert abs(season.mean() - p) <= Z * np.sqrt(p * (1 - p) / n) + 0.01


def test_same_seed_same_frames_at_any_thread_count():
    a = fn.datasets.synthetic_crm(n_accounts=20_000, seed=3, threads=1)
    b = fn.datasets.synthetic_crm(n_accounts=20_000, seed=3, threads=2)
    for name in ("accounts", "tiers", "leads", "events", "transactions", "opportunities", "referrals", "touches",
                 "activities"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.truth.customers, b.truth.customers)
    pd.testing.assert_frame_equal(a.truth.ties, b.truth.ties)
    assert a == b
    c = fn.datasets.synthetic_crm(n_accounts=20_000, seed=4, threads=1)
    assert not a.events.equals(c.events)


def test_referrals_follow_the_independent_cascade_truth(crm):
    ref, tr = crm.referrals, crm.truth
    won = crm.accounts["won"].notna()
    # uncensored: each won account tries each of its ties once, with the tie's probability
    ties = tr.ties[won.to_numpy()[tr.ties["source"].to_numpy()]]
    p = ties["probability"].to_numpy()
    assert abs(len(ref) - p.sum()) <= Z * np.sqrt((p * (1 - p)).sum()), (len(ref), p.sum())
    assert ref["referrer"].isin(np.flatnonzero(won.to_numpy())).all()
    # every referral runs along a tie, after the referrer's win
    keyed = ref.merge(tr.ties, left_on=["referrer", "referee"], right_on=["source", "target"], how="left")
    assert keyed["probability"].notna().all()
    delay = (ref["time"] - crm.accounts["won"].to_numpy()[ref["referrer"].to_numpy()]) / pd.Timedelta(days=1)
    assert (delay > 0).all()
    assert abs(delay.mean() - tr.referral_delay) <= Z * tr.referral_delay / np.sqrt(len(delay))
    # influence is the expected referral count: the more influential referred more (rank check)
    made = ref.groupby("referrer").size().reindex(np.flatnonzero(won.to_numpy()), fill_value=0)
    infl = tr.influence[made.index]
    hi = infl > infl.median()
    assert made[hi].mean() > made[~hi].mean()
    assert abs(made.sum() - infl.sum()) <= Z * np.sqrt(infl.sum())
    # a referral opens one referred lead per account at most, starting at the referral
    opened = ref[ref["new_lead"]]
    assert opened["referee"].is_unique
    referred = crm.leads[crm.leads["referred"] & ~crm.leads["reactivated"]]
    assert sorted(referred["account"]) == sorted(opened["referee"])
    starts = referred.set_index("account")["start"].sort_index()
    np.testing.assert_array_equal(starts.to_numpy(), opened.set_index("referee")["time"].sort_index().to_numpy())
    # the network: at least 4 ties each, a Pareto tail of index 2 (P(ties >= 16) = 1/16), within industries
    deg = tr.ties.groupby("source").size().reindex(crm.accounts.index, fill_value=0)
    assert deg.min() >= 4
    share = (deg >= 16).mean()
    assert abs(share - 1 / 16) <= Z * np.sqrt(1 / 16 * 15 / 16 / len(deg))
    ind = crm.accounts["industry"].to_numpy()
    assert (ind[tr.ties["source"].to_numpy()] == ind[tr.ties["target"].to_numpy()]).all()
    # the referrals load into the library's referral graph
    g = fn.ReferralGraph.from_edges(ref["referrer"], ref["referee"], time=ref["time"])
    assert g.number_of_edges == len(ref.drop_duplicates(["referrer", "referee"]))


def test_opportunities_are_the_quoted_leads(crm_censored):
    crm = crm_censored
    opp, ev, leads = crm.opportunities, crm.events, crm.leads
    quoted = ev[ev["stage"] == "target"].groupby("lead")["time"].min()
    assert sorted(opp["lead"]) == sorted(quoted.index)
    np.testing.assert_array_equal(opp.set_index("lead")["entry"].sort_index().to_numpy(),
                                  quoted.sort_index().to_numpy())
    status = leads.loc[opp["lead"], "outcome"].map({"open": "C", "won": "W", "lost": "L"}).to_numpy()
    assert (opp["status"].astype(str).to_numpy() == status.astype(str)).all()
    assert (opp["closed"].isna() == (opp["status"] == "C")).all()
    assert (opp["reason"].notna() == (opp["status"] == "L")).all()
    lost = opp.loc[opp["status"] == "L", "reason"].value_counts(normalize=True)
    mix = pd.Series([0.35, 0.25, 0.15, 0.1, 0.08, 0.07], index=fn.datasets.LOSS_REASONS)
    n = (opp["status"] == "L").sum()
    assert (np.abs(lost.reindex(mix.index) - mix) <= Z * np.sqrt(mix * (1 - mix) / n)).all()
    kind = crm.accounts["kind"].to_numpy()[opp["account"].to_numpy()]
    means = opp.groupby(kind, observed=True)["amount"].agg(["mean", "size"])
    for k, m in zip(fn.datasets.KINDS, (20000.0, 40000.0, 120000.0)):
        assert abs(means.loc[k, "mean"] - m) <= Z * m / np.sqrt(2.0 * means.loc[k, "size"])
    region = crm.accounts["region"].to_numpy()[opp["account"].to_numpy()]
    assert (opp["owner"].to_numpy() // 5 == region).all()


@pytest.mark.parametrize("kwargs,error,needle", [
    ({"n_accounts": -5}, fn.InvalidArgumentError, "n_accounts must be >= 0, got -5"),
    ({"months": 0}, fn.InvalidArgumentError, "months must be in 1 .. 1200, got 0"),
    ({"referred_share": 1.5}, fn.InvalidArgumentError, "referred_share must be in [0, 1], got 1.5"),
    ({"tier_mix": [0.2, 0.3, 0.6]}, fn.InvalidArgumentError, "tier_mix must sum to 1"),
    ({"kind_mix": [0.5, 0.5]}, fn.InvalidArgumentError, "kind_mix must have 3 values, got 2"),
    ({"regrade_rate": -0.1}, fn.InvalidArgumentError, "regrade_rate must be in [0, 1], got -0.1"),
    ({"bg_r": 0}, fn.InvalidArgumentError, "bg_r must be positive"),
    ({"dwell_mean": [30, -1, 10, 10]}, fn.InvalidArgumentError, "dwell_mean must be positive"),
    ({"colour": 3}, fn.InvalidArgumentError, "unknown knob 'colour'"),
    ({"n_accounts": 2.5}, fn.InputTypeError, "n_accounts must be an integer"),
    ({"gg_q": "many"}, fn.InputTypeError, "gg_q must be a number"),
    ({"seed": -1}, fn.InvalidArgumentError, "seed must be >= 0, got -1"),
    ({"referral_probability": -0.5}, fn.InvalidArgumentError, "referral_probability must be in [0, 1], got -0.5"),
    ({"min_ties": 1.5}, fn.InputTypeError, "min_ties must be an integer"),
    ({"loss_reason_mix": [0.5, 0.5, 0.5, 0, 0, 0]}, fn.InvalidArgumentError, "loss_reason_mix must sum to 1"),
    ({"agents_per_region": 0}, fn.InvalidArgumentError, "agents_per_region must be in 1 .. 100000, got 0"),
    ({"channel_mix": [0.5] * 6}, fn.InvalidArgumentError, "channel_mix must sum to 1"),
    ({"channel_lift": [1, 1, 1, 1, 1]}, fn.InvalidArgumentError, "channel_lift must have 6 values, got 5"),
    ({"touches_mean": 0.5}, fn.InvalidArgumentError, "touches_mean must be >= 1 and finite, got 0.5"),
    ({"customer_share": 1.2}, fn.InvalidArgumentError, "customer_share must be in [0, 1], got 1.2"),
    ({"region_spread": -1}, fn.InvalidArgumentError, "region_spread must be >= 0 and finite, got -1"),
    ({"visit_rate": "often"}, fn.InputTypeError, "visit_rate must be a number"),
])
def test_bad_knobs_are_typed_errors_naming_the_knob(kwargs, error, needle):
    args = {"n_accounts": 10} | kwargs
    with pytest.raises(error) as e:
        fn.datasets.synthetic_crm(**args)
    assert needle in str(e.value)


def test_funnel_matrix_knob_changes_the_truth():
    P = fn.datasets.synthetic_crm(n_accounts=0).truth.transition.loc["organisation/organic"].to_numpy()
    Q = P.copy()
    Q[0] = [0, 0.5, 0, 0, 0, 0.5]
    crm = fn.datasets.synthetic_crm(n_accounts=0, funnel_matrix=Q)
    np.testing.assert_allclose(crm.truth.transition.loc["organisation/organic"].to_numpy(), Q)
    assert len(crm.accounts) == 0 and len(crm.events) == 0


def test_tier_migration_fit_recovers_the_tier_chain():
    crm = fn.datasets.synthetic_crm(n_accounts=30_000, months=12, seed=2)
    model = fn.customers.TierMigration(tiers=["A", "B", "C"], lost=[]).fit(crm.tier_snapshots())
    fitted = model.matrix().to_numpy()
    truth = crm.truth.tier_matrix.to_numpy()
    codes = np.column_stack([crm.tiers[c].cat.codes.to_numpy() for c in crm.tiers.columns])
    n_from = np.bincount(codes[:, :-1].ravel(), minlength=3)  # moves observed out of each tier
    se = np.sqrt(truth * (1 - truth) / n_from[:, None])
    assert np.all(np.abs(fitted - truth) <= Z * se + 1e-12), (fitted, truth)


def test_the_result_pickles_and_compares_by_value():
    import pickle

    crm = fn.datasets.synthetic_crm(n_accounts=3_000, seed=8)
    back = pickle.loads(pickle.dumps(crm))
    assert back == crm
    assert back.truth == crm.truth
    assert crm.to_frame().index.name == "account"
    assert "SyntheticCRM" in repr(crm)


def test_new_frames_touches_activities_and_grades():
    crm = fn.datasets.synthetic_crm(n_accounts=60_000, months=24, seed=13, region_spread=0.5, industry_spread=0.5)
    to, leads = crm.touches, crm.leads
    assert list(to.columns) == ["lead", "channel", "time", "converted"]
    assert list(crm.activities.columns) == ["account", "owner", "kind", "time"]
    # every lead has at least one touch inside its life; the last touch of a won lead converts
    assert to["lead"].nunique() == len(leads)
    start = leads["start"].to_numpy()[to["lead"].to_numpy()]
    end = leads["end"].to_numpy()[to["lead"].to_numpy()]
    assert ((to["time"].to_numpy() >= start) & (to["time"].to_numpy() <= end)).all()
    conv = to.groupby("lead")["converted"].sum()
    np.testing.assert_array_equal(conv.to_numpy(), (leads["outcome"] == "won").to_numpy().astype(int))
    # channel shares of won leads' touches: mix x lift, normalised (binomial standard errors)
    won_touch = to[(leads["outcome"].to_numpy() == "won")[to["lead"].to_numpy()]]
    share = won_touch["channel"].value_counts(normalize=True).reindex(fn.datasets.CHANNELS)
    w = crm.truth.channels["mix"] * crm.truth.channels["lift"]
    w = w / w.sum()
    np.testing.assert_allclose(crm.truth.channels["won_share"], w)
    assert (np.abs(share - w) <= Z * np.sqrt(w * (1 - w) / len(won_touch))).all(), (share, w)
    # visits are by the account's owner; owners serve the account's region
    act = crm.activities
    np.testing.assert_array_equal(act["owner"].to_numpy(), crm.accounts["owner"].to_numpy()[act["account"].to_numpy()])
    assert (crm.accounts["owner"] // 5 == crm.accounts["region"]).all()
    # grades are monotone in the true conversion probability of the account's first lead
    first = leads.drop_duplicates("account").set_index("account")["conversion_probability"]
    acc = crm.accounts.assign(c=first)
    by_grade = acc.groupby("possibility", observed=True)["c"].mean()
    assert by_grade["A"] > by_grade["B"] > by_grade["C"], by_grade
    by_progress = acc.groupby("progress", observed=True)["c"].mean()
    assert by_progress["Hot"] > by_progress["Warm"] > by_progress["Cold"], by_progress
    # region effects: per region, the won share of finished leads tracks the truth's
    # mean conversion probability (regions ordered the same way at the extremes)
    reg = crm.accounts["region"].to_numpy()[leads["account"].to_numpy()]
    eff = crm.truth.region_effect
    lo, hi = eff.idxmin(), eff.idxmax()
    p = leads.groupby(reg)["conversion_probability"].mean()
    assert p[hi] > p[lo]
    # existing customers: purchases before the start, about customer_share of the accounts
    since = crm.accounts["customer_since"]
    old = (since < crm.start).mean()
    assert abs(old - 0.2) <= Z * np.sqrt(0.2 * 0.8 / len(since))
