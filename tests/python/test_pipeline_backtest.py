"""Backtests of pipeline forecasts on the real CRM export and on the synthetic company
(where the generator, not our model, decides the outcomes), and the win/loss report
against counts recomputed here.

Real data: ``crm/sales_pipeline.csv`` and ``crm/products.csv`` (Maven Analytics' CRM
sales opportunities; see the data README).  Stated tolerances: the nominal coverage of a
P10-P90 band is 0.8; with n rows a binomial count of hits has SE sqrt(0.16 / n), and
we accept |coverage - 0.8| <= 0.15 (about 3 SE for the 72 synthetic rows, 2 SE for the
21 real 3-month rows)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError, UnknownLabelError


@pytest.fixture(scope="module")
def crm(shared_data):
    d = pd.read_csv(shared_data / "crm" / "sales_pipeline.csv")
    prod = pd.read_csv(shared_data / "crm" / "products.csv")
    price = dict(zip(prod["product"].str.replace(" ", ""), prod["sales_price"]))
    d["amount"] = d["product"].str.replace(" ", "").map(price)  # list price: open deals have no value yet
    d["outcome"] = d["deal_stage"].str.lower()
    return d


SNAPS = pd.date_range("2017-04-01", "2017-10-01", freq="MS")  # closes start in 2017-03, end 2017-12


def run(d, **kw):
    return fn.pipeline.backtest(d, snapshots=SNAPS, opportunity="opportunity_id", entered="engage_date",
                                closed="close_date", outcome="outcome", amount="amount", value="close_value",
                                draws=5000, **kw)


def test_real_crm_backtest(crm):
    b = run(crm)
    t = b.table
    assert len(t) == 3 * len(SNAPS) and b.snapshots == len(SNAPS)
    # actuals recomputed here for one snapshot: deals open on 2017-06-01 that won in June
    snap = pd.Timestamp("2017-06-01")
    e, c = pd.to_datetime(crm["engage_date"]), pd.to_datetime(crm["close_date"])
    open_ = (e <= snap) & ~(c <= snap)
    won_june = open_ & (crm["outcome"] == "won") & (c < pd.Timestamp("2017-07-01"))
    row = t[(t["snapshot"] == snap) & (t["step"] == 1)].iloc[0]
    assert row["open_deals"] == int(open_.sum())
    assert row["actual_count"] == int(won_june.sum())
    assert row["actual_revenue"] == pytest.approx(crm.loc[won_june, "close_value"].sum())
    # Deals in this export close in cohorts (some months get no wins from a snapshot's open
    # deals at all), so bands that assume independent deals are far too narrow ...
    assert b.coverage_cumulative_count < 0.3
    # ... while the expected 3-month total is within 40% (WAPE) ...
    assert b.wape_cumulative_count < 0.4
    # ... and a common shock (sd 1 on the log-odds) brings the 3-month band to nominal.
    shocked = run(crm, shock_sd=1.0, runs=2000)
    assert abs(shocked.coverage_cumulative_count - 0.8) <= 0.15
    assert shocked.wape_cumulative_count == pytest.approx(b.wape_cumulative_count)  # means stay exact


def test_synthetic_company_backtest():
    c = fn.datasets.synthetic_crm(n_accounts=4000, months=36, seed=3)
    o = c.opportunities.reset_index()
    o["outcome"] = o["status"].map({"W": "won", "L": "lost"}).fillna("open")
    snaps = pd.date_range("2024-07-01", "2026-06-01", freq="MS")
    b = fn.pipeline.backtest(o, snapshots=snaps, entered="entry", closed="closed", outcome="outcome",
                             amount="amount", draws=5000)
    assert len(b.table) == 72
    assert abs(b.coverage_count - 0.8) <= 0.15
    assert abs(b.bias_count) < 0.25
    # the won counts recomputed here for one snapshot and month
    snap, end = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")
    open_ = (o["entry"] <= snap) & ~(o["closed"] <= snap)
    hit = open_ & (o["outcome"] == "won") & (o["closed"] < end)
    row = b.table[(b.table["snapshot"] == snap) & (b.table["step"] == 1)].iloc[0]
    assert row["actual_count"] == int(hit.sum())


def test_backtest_bad_input_names_the_row(crm):
    bad = crm.copy()
    i = int(np.flatnonzero(bad["close_date"].notna().to_numpy())[3])
    bad.loc[i, "close_date"] = "2016-01-01"
    with pytest.raises(InvalidArgumentError, match=f"row {i} .*before"):
        run(bad)
    with pytest.raises(InvalidArgumentError, match="snapshots"):
        fn.pipeline.backtest(crm, snapshots=[], opportunity="opportunity_id", entered="engage_date",
                             closed="close_date", outcome="outcome")


def semi_model():
    rng = np.random.default_rng(0)
    n = 400
    dur = rng.gamma(4.0, 5.0, n)  # days in stage "deal"
    out = np.where(rng.uniform(size=n) < 0.4, "won", "lost")
    log = pd.DataFrame({"lead": np.repeat(np.arange(n), 2), "t": np.column_stack([np.zeros(n), dur]).ravel(),
                        "stage": np.column_stack([np.full(n, "deal"), out]).ravel()})
    return fn.SemiMarkovFunnel("empirical", draws=2000).fit(log, lead="lead", stage="stage", time="t",
                                                            absorbing=["won", "lost"]), dur


def test_win_loss_report():
    m, dur = semi_model()
    limit = float(np.quantile(dur, 0.9))
    opp = pd.DataFrame({"opportunity": list("abcdefg"), "stage": ["won", "lost", "lost", "deal", "deal", "lost", "deal"],
                        "entered": [90.0, 95, 80, 99, 100 - limit - 5, 70, 100 - limit + 5],
                        "reason": [None, "price", "competitor", None, None, "price", None]})
    r = fn.pipeline.win_loss(opp, m, snapshot=100.0, reason="reason")
    assert r.table["status"].tolist() == ["W", "L", "L", "C", "D", "L", "C"]
    assert (r.won, r.lost, r.continuing, r.delayed) == (1, 3, 2, 1)
    assert r.table.loc["a", "progress"] == 100 and r.table.loc["b", "progress"] == 0
    assert r.table.loc["d", "progress"] == 50  # one open stage: halfway
    assert r.reasons.index.tolist() == ["price", "competitor"]
    assert r.reasons["count"].tolist() == [2, 1]
    assert r.reasons["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    custom = fn.pipeline.win_loss(opp, m, snapshot=100.0, percent={"deal": 60})
    assert custom.table.loc["d", "progress"] == 60


def test_win_loss_bad_input():
    m, _ = semi_model()
    opp = pd.DataFrame({"opportunity": [1, 2], "stage": ["deal", "nowhere"], "entered": [1.0, 2.0]})
    with pytest.raises(UnknownLabelError, match=r"row 1 .*'nowhere'"):
        fn.pipeline.win_loss(opp, m, snapshot=10.0)
    opp = pd.DataFrame({"opportunity": [1, 2], "stage": ["deal", "deal"], "entered": [1.0, 20.0]})
    with pytest.raises(InvalidArgumentError, match=r"row 1 .*after the snapshot"):
        fn.pipeline.win_loss(opp, m, snapshot=10.0)


def test_synthetic_company_multi_stage_backtest():
    # Snapshots of every stage (potential ... effective) rebuilt from the stage event log;
    # the generator decides the outcomes, so the band's coverage is checked against the
    # truth, with the tolerance stated in the module docstring (72 rows).
    c = fn.datasets.synthetic_crm(n_accounts=4000, months=36, seed=3)
    o = c.opportunities
    amounts = pd.Series(o["amount"].to_numpy(), index=o["lead"].to_numpy())
    snaps = pd.date_range("2024-07-01", "2026-06-01", freq="MS")
    b = fn.pipeline.backtest_stages(c.events, amounts, snapshots=snaps, draws=5000)
    assert len(b.table) == 72 and b.snapshots == 24
    assert abs(b.coverage_count - 0.8) <= 0.15
    assert abs(b.coverage_cumulative_count - 0.8) <= 0.15
    assert abs(b.bias_count) < 0.25
    # the open pipeline and the actual wins recomputed here with pandas for one snapshot
    snap, end = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")
    ev = c.events.sort_values(["lead", "time"], kind="stable")
    last = ev[ev["time"] <= snap].groupby("lead").tail(1)
    open_ = last[~last["stage"].isin(["won", "lost"])]
    assert open_["stage"].nunique() >= 3  # a multi-stage snapshot
    won_at = ev[ev["stage"] == "won"].groupby("lead")["time"].min()
    w = won_at.reindex(open_["lead"])
    hit = (w > snap) & (w < end)
    row = b.table[(b.table["snapshot"] == snap) & (b.table["step"] == 1)].iloc[0]
    assert row["open_deals"] == len(open_)
    assert row["actual_count"] == int(hit.sum())
    fill = amounts.mean()
    assert row["actual_revenue"] == pytest.approx(amounts.reindex(w.index[hit.to_numpy()]).fillna(fill).sum())


def test_multi_stage_backtest_bad_input():
    ev = pd.DataFrame({"lead": [1, 1, 2], "stage": ["a", "won", "a"],
                       "time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"])})
    with pytest.raises(InvalidArgumentError, match="snapshots is empty"):
        fn.pipeline.backtest_stages(ev, {1: 10.0, 2: 5.0}, snapshots=[])
    with pytest.raises(InvalidArgumentError, match="lead 2"):
        fn.pipeline.backtest_stages(ev, {1: 10.0, 2: -5.0}, snapshots=[pd.Timestamp("2024-03-01")])
    bad = ev.assign(time=[pd.Timestamp("2024-01-01"), pd.NaT, pd.Timestamp("2024-01-05")])
    with pytest.raises(InvalidArgumentError, match="row 1"):
        fn.pipeline.backtest_stages(bad, {1: 10.0, 2: 5.0}, snapshots=[pd.Timestamp("2024-03-01")])
