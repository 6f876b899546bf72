"""The managers' reports of fn.pipeline (issue 13): rolling_plan, growth, strategy_matrix,
prioritise.  Oracles: brute-force subset enumeration (prioritise), explicit per-period
loops over dicts (growth), per-row if/else (strategy_matrix), pandas recomputations of
the actuals and of the accuracy measures, and fn.pipeline.backtest's expected counts
(rolling_plan), on small tables and on the synthetic company."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError, UnknownLabelError


@pytest.fixture(scope="module")
def crm() -> fn.datasets.SyntheticCRM:
    return fn.datasets.synthetic_crm(n_accounts=1500, months=24, seed=3)


# ---------------------------------------------------------------- prioritise
def _brute(gain: np.ndarray, effort: np.ndarray, capacity: int) -> float:
    best = 0.0
    n = len(gain)
    for k in range(n + 1):
        for s in itertools.combinations(range(n), k):
            if effort[list(s)].sum() <= capacity:
                best = max(best, float(gain[list(s)].sum()))
    return best


@pytest.mark.parametrize("unit", [True, False])
def test_prioritise_is_the_brute_force_best(unit: bool):
    rng = np.random.default_rng(7)
    for trial in range(25):
        n = int(rng.integers(1, 9))
        d = pd.DataFrame({"opportunity": [f"o{i}" for i in range(n)], "amount": rng.gamma(2.0, 100.0, n),
                          "p_won": rng.uniform(0, 1, n), "uplift": rng.uniform(0, 0.4, n),
                          "effort": rng.integers(1, 4, n)})
        cap = int(rng.integers(0, 8))
        r = fn.pipeline.prioritise(d, cap, effort=None if unit else "effort")
        eff = np.ones(n, dtype=np.int64) if unit else d["effort"].to_numpy()
        gain = d["amount"].to_numpy() * (np.minimum(1, d["p_won"] + d["uplift"]).to_numpy() - d["p_won"].to_numpy())
        assert r.gain == pytest.approx(_brute(gain, eff, cap), rel=1e-12, abs=1e-9), trial
        assert r.used <= cap and r.used == eff[r.table["chosen"].to_numpy()].sum()
        assert r.baseline_revenue == pytest.approx(float((d["amount"] * d["p_won"]).sum()))
        assert r.expected_revenue == pytest.approx(r.baseline_revenue + r.gain)
        assert r.method == ("greedy" if unit or (eff == 1).all() else "knapsack")


def test_prioritise_seeds_case_240_prospects_50_visits():
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"opportunity": np.arange(240), "amount": rng.gamma(2.0, 5e4, 240),
                      "p_won": rng.uniform(0.05, 0.6, 240), "uplift": 0.1})
    r = fn.pipeline.prioritise(d, 50)
    top = (d["amount"] * 0.1).nlargest(50)
    assert set(r.chosen) == set(top.index) and r.gain == pytest.approx(float(top.sum()))


def test_prioritise_bad_input_names_the_row():
    d = pd.DataFrame({"opportunity": ["a", "b"], "amount": [1.0, -2.0], "p_won": [0.5, 0.5], "uplift": 0.1})
    with pytest.raises(InvalidArgumentError, match=r"row 1 \(opportunity 'b'\): amount"):
        fn.pipeline.prioritise(d, 1)
    with pytest.raises(InvalidArgumentError, match=r"row 0 .*p_won"):
        fn.pipeline.prioritise(d.assign(amount=1.0, p_won=[1.5, 0.1]), 1)
    with pytest.raises(InvalidArgumentError, match=r"row 1 .*effort"):
        fn.pipeline.prioritise(d.assign(amount=1.0, e=[1, 0]), 1, effort="e")
    with pytest.raises(InvalidArgumentError, match="capacity"):
        fn.pipeline.prioritise(d.assign(amount=1.0), -1)
    with pytest.raises(UnknownLabelError, match="uplift"):
        fn.pipeline.prioritise(d.drop(columns="uplift"), 1)


# ---------------------------------------------------------------- growth
def _loop_growth(times: pd.Series, values: np.ndarray) -> dict[str, tuple[float, float]]:
    """Month totals and their pop / yoy rates by an explicit loop over a dict."""
    tot: dict[pd.Period, float] = {}
    for t, v in zip(times, values):
        p = pd.Timestamp(t).to_period("M")
        tot[p] = tot.get(p, 0.0) + float(v)
    lo, hi = min(tot), max(tot)
    out = {}
    p = lo
    while p <= hi:
        cur, prev, year = tot.get(p, 0.0), tot.get(p - 1, 0.0), tot.get(p - 12, 0.0)
        pop = cur / prev - 1 if p - 1 >= lo and prev != 0 else np.nan
        yoy = cur / year - 1 if p - 12 >= lo and year != 0 else np.nan
        out[str(p)] = (cur, pop, yoy)
        p += 1
    return out


def test_growth_of_order_totals_matches_a_loop(crm):
    tx = crm.transactions
    g = fn.pipeline.growth(tx, time="time", value="amount")
    ref = _loop_growth(tx["time"], tx["amount"].to_numpy())
    assert list(g.index) == list(ref)
    want = pd.DataFrame(ref, index=["total", "pop", "yoy"]).T
    np.testing.assert_allclose(g["total"], want["total"], rtol=1e-12)
    np.testing.assert_allclose(g["total_pop"], want["pop"], rtol=1e-10)
    np.testing.assert_allclose(g["total_yoy"], want["yoy"], rtol=1e-10)
    cnt = _loop_growth(tx["time"], np.ones(len(tx)))
    np.testing.assert_allclose(g["count_yoy"], pd.DataFrame(cnt).T[2], rtol=1e-10)


def test_growth_per_person_and_a_class_counts(crm):
    visits = crm.activities[crm.activities["kind"] == "visit"]
    g = fn.pipeline.growth(visits, time="time", person="owner", period="quarter")
    q = pd.to_datetime(visits["time"]).dt.to_period("Q")
    persons = visits.groupby(q)["owner"].nunique()
    counts = visits.groupby(q).size()
    np.testing.assert_array_equal(g["persons"].to_numpy(), persons.reindex(g.index.map(pd.Period)).to_numpy())
    np.testing.assert_allclose(g["per_person"], (counts / persons).reindex(g.index.map(pd.Period)).to_numpy())
    np.testing.assert_allclose(g["per_person_pop"].iloc[1:], (counts / persons).pct_change().iloc[1:].to_numpy())
    snaps = crm.tier_snapshots()
    a = snaps[snaps["tier"] == "A"]
    ga = fn.pipeline.growth(a, time="period")
    want = snaps.assign(a=snaps["tier"] == "A").groupby("period")["a"].sum()
    np.testing.assert_array_equal(ga["count"].to_numpy(), want.to_numpy())


def test_growth_by_group_fills_empty_periods_and_rejects_bad_rows():
    d = pd.DataFrame({"time": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-03-02"]), "p": ["a", "b", "a"],
                      "v": [10.0, 5.0, 30.0]})
    g = fn.pipeline.growth(d, value="v", by="p")
    assert g.loc[("a", "2024-02"), "total"] == 0 and g.loc[("a", "2024-03"), "total"] == 30
    assert np.isnan(g.loc[("a", "2024-03"), "total_pop"])        # the base month is zero
    assert np.isnan(g.loc[("b", "2024-01"), "total_pop"])        # no month before: NaN, never the other group's
    with pytest.raises(InvalidArgumentError, match=r"row 1: 'v'"):
        fn.pipeline.growth(d.assign(v=[1.0, np.nan, 2.0]), value="v")
    with pytest.raises(InvalidArgumentError, match=r"row 2: 'time'"):
        fn.pipeline.growth(d.assign(time=[d["time"][0], d["time"][1], pd.NaT]))
    with pytest.raises(InvalidArgumentError, match="period"):
        fn.pipeline.growth(d, period="fortnight")


# ---------------------------------------------------------------- strategy_matrix
def test_strategy_matrix_matches_per_row_rules():
    rng = np.random.default_rng(2)
    r = pd.DataFrame({"region": [f"r{i}" for i in range(11)], "market_growth": rng.normal(0.03, 0.05, 11),
                      "share": rng.uniform(0, 0.4, 11)})
    for gt, st in ((None, None), (0.0, 0.2)):
        m = fn.pipeline.strategy_matrix(r, growth_threshold=gt, share_threshold=st)
        g0 = np.median(r["market_growth"]) if gt is None else gt
        s0 = np.median(r["share"]) if st is None else st
        for _, row in r.iterrows():
            hi_g, hi_s = row["market_growth"] >= g0, row["share"] >= s0
            want = ("hold" if hi_s else "attack") if hi_g else ("maintain" if hi_s else "deepen")
            assert m.loc[row["region"], "stance"] == want
        assert m.attrs["growth_threshold"] == pytest.approx(g0)
    own = {(True, False): "A", (True, True): "B", (False, False): "C", (False, True): "D"}
    m = fn.pipeline.strategy_matrix(r, stances=own)
    assert set(m["stance"]) <= set("ABCD") and (m["stance"] == "A").sum() == (m["growth_high"] & ~m["share_high"]).sum()


def test_strategy_matrix_bad_input_names_the_row():
    r = pd.DataFrame({"region": ["x", "y"], "market_growth": [0.1, np.nan], "share": [0.1, 0.2]})
    with pytest.raises(InvalidArgumentError, match=r"row 1 \(region 'y'\)"):
        fn.pipeline.strategy_matrix(r)
    with pytest.raises(InvalidArgumentError, match=r"row 0 \(region 'x'\): 'share'"):
        fn.pipeline.strategy_matrix(r.assign(market_growth=0.1, share=[1.2, 0.1]))
    with pytest.raises(InvalidArgumentError, match="appears twice"):
        fn.pipeline.strategy_matrix(r.assign(region="x", market_growth=0.1))
    with pytest.raises(InvalidArgumentError, match="stances"):
        fn.pipeline.strategy_matrix(r.assign(market_growth=0.1), stances={(True, True): "hold"})


# ---------------------------------------------------------------- rolling_plan
@pytest.fixture(scope="module")
def plan(crm):
    opp = crm.opportunities.reset_index()
    snaps = pd.date_range("2024-10-01", "2025-06-01", freq="MS")
    return opp, snaps, fn.pipeline.rolling_plan(opp, snapshots=snaps, by="product", entered="entry",
                                                outcome="status", won="W", lost="L", horizon=3,
                                                tenders=["2025-03-15"])


def test_rolling_plan_actuals_recomputed_with_pandas(plan, crm):
    opp, snaps, r = plan
    p = r.plan
    assert set(p["issued"]) == set(snaps) and (p.groupby(["issued", "group"]).size() == 3).all()
    assert p.loc[p["period"] == "2025-03", "tender"].all() and not p.loc[p["period"] != "2025-03", "tender"].any()
    end = max(opp["entry"].max(), opp["closed"].max())
    for _, row in p.sample(25, random_state=0).iterrows():
        s = row["issued"]
        g = opp[(opp["product"] == row["group"]) & (opp["entry"] <= s) & ~(opp["closed"] <= s)]
        assert row["open_deals"] == len(g)
        month = pd.Period(row["period"], "M")
        lo = max(s, month.start_time)
        hit = g[(g["status"] == "W") & (g["closed"] > lo) & (g["closed"] < (month + 1).start_time)]
        if (month + 1).start_time <= end:
            assert row["actual_count"] == len(hit) and row["actual_revenue"] == pytest.approx(hit["amount"].sum())
        else:
            assert np.isnan(row["actual_count"]) and not row["observed"]


def test_rolling_plan_groups_sum_to_the_backtest_forecast(plan):
    opp, snaps, r = plan
    b = fn.pipeline.backtest(opp, snapshots=snaps[:3], entered="entry", outcome="status", won="W", lost="L",
                             horizon=3, model="continuous")
    tot = r.plan.groupby(["issued", "step"])[["expected_count", "expected_revenue"]].sum()
    bt = b.table.set_index(["snapshot", "step"])
    np.testing.assert_allclose(tot.loc[bt.index, "expected_count"], bt["expected_count"], rtol=1e-9)
    # the plan's revenue is exact (sum of amount x probability); the backtest's is the mean of the distribution
    # on its revenue grid (amounts rounded to the grid): equal to the grid's resolution
    np.testing.assert_allclose(tot.loc[bt.index, "expected_revenue"], bt["expected_revenue"], rtol=5e-3)


def test_rolling_plan_accuracy_recomputed(plan):
    _, _, r = plan
    for k, a in r.accuracy.iterrows():
        t = r.plan[(r.plan["step"] == k) & r.plan["observed"]]
        f, y = t["expected_count"].to_numpy(), t["actual_count"].to_numpy()
        assert a["rows"] == len(t)
        assert a["wape_count"] == pytest.approx(np.abs(f - y).sum() / y.sum())
        assert a["bias_count"] == pytest.approx((f - y).sum() / y.sum())
        assert a["mape_count"] == pytest.approx(np.mean(np.abs(f - y)[y > 0] / y[y > 0]))
        inside = (y >= t["count_p10"]) & (y <= t["count_p90"])
        assert a["coverage_count"] == pytest.approx(inside.mean())
        assert 0 <= a["slip_rate"] <= 1 and 0 <= a["commit_accuracy"] <= 1 or a["commit_deals"] == 0
    # deals independent given their stage (the synthetic truth): the monthly band is near nominal
    assert 0.6 <= r.accuracy.loc[1:, "coverage_count"].mean() <= 1.0


def test_rolling_plan_bad_input():
    d = pd.DataFrame({"opportunity": [1, 2], "entered": pd.to_datetime(["2024-01-05", "2024-02-01"]),
                      "closed": pd.to_datetime(["2024-01-01", None]), "outcome": ["won", "open"], "amount": 1.0})
    with pytest.raises(InvalidArgumentError, match=r"row 0 \(opportunity 1\): 'closed' is before"):
        fn.pipeline.rolling_plan(d, snapshots=["2024-03-01"])
    with pytest.raises(InvalidArgumentError, match="horizon"):
        fn.pipeline.rolling_plan(d, snapshots=["2024-03-01"], horizon=0)
    with pytest.raises(InvalidArgumentError, match="snapshots"):
        fn.pipeline.rolling_plan(d, snapshots=[])
    with pytest.raises(UnknownLabelError, match="region"):
        fn.pipeline.rolling_plan(d, snapshots=["2024-03-01"], by="region")
