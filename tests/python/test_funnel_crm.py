"""Real data: crm/sales_pipeline.csv from ../shared/data (Maven Analytics CRM sample).

Open deals are censored, not lost.  Oracles: the published closed-deal figures (win
rate 63.15%, median cycle 45 days) recomputed here with pandas, and the censored
exposure summed directly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn


@pytest.fixture(scope="module")
def pipeline(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "crm" / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])


def event_log(deals: pd.DataFrame) -> pd.DataFrame:
    engaged = deals[deals["engage_date"].notna()]
    closed = engaged[engaged["deal_stage"].isin(["Won", "Lost"])]
    return pd.concat([
        pd.DataFrame({"deal": engaged["opportunity_id"], "at": engaged["engage_date"], "stage": "Engaging"}),
        pd.DataFrame({"deal": closed["opportunity_id"], "at": closed["close_date"], "stage": closed["deal_stage"]}),
    ], ignore_index=True)


def test_win_probability_and_time_to_close(pipeline):
    deals = pipeline
    assert len(deals) == 8800
    assert deals["deal_stage"].isin(["Prospecting", "Engaging"]).sum() == 2089
    closed = deals[deals["deal_stage"].isin(["Won", "Lost"])]
    win_rate = (closed["deal_stage"] == "Won").mean()
    cycle = (closed["close_date"] - closed["engage_date"]).dt.days
    assert round(win_rate * 100, 2) == 63.15  # published closed win rate
    assert cycle.median() == 45  # published median cycle

    cutoff = deals[["engage_date", "close_date"]].max().max()
    funnel = fn.Funnel(["Engaging"], outcomes=["Won", "Lost"])
    log = event_log(deals)
    e = fn.ExposureCounts.from_events(log, lead="deal", stage="stage", time="at", cutoff=cutoff, funnel=funnel)
    q = e.fit()
    # Censored exposure, summed directly.
    open_ = deals[deals["deal_stage"] == "Engaging"]
    exposure = cycle.sum() + (cutoff - open_["engage_date"]).dt.days.sum()
    assert e.exposure["Engaging"] == pytest.approx(exposure)
    assert q.absorption_probabilities().loc["Engaging", "Won"] == pytest.approx(win_rate, abs=1e-12)
    ttc = q.time_to_close(quantiles=[0.5])
    assert ttc.loc["Engaging", "mean"] == pytest.approx(exposure / len(closed), rel=1e-10)
    assert ttc.loc["Engaging", "q50"] == pytest.approx(np.log(2) * exposure / len(closed), rel=1e-8)
    # Open deals have been open a long time: ignoring them understates the cycle.
    assert ttc.loc["Engaging", "mean"] > cycle.mean()

    weekly = fn.TransitionCounts.from_periods(log, lead="deal", stage="stage", time="at", period="week", cutoff=cutoff + pd.Timedelta(days=1), funnel=funnel)
    chain = weekly.fit()
    assert chain.absorption_probabilities().loc["Engaging", "Won"] == pytest.approx(win_rate, abs=1e-12)
    # Every engaged deal contributes one week per week engaged (less one) as stays.
    iv = weekly.posterior_intervals(prior=0.5)
    lo, hi = iv.loc[("Engaging", "Won"), ["lower", "upper"]]
    assert lo < chain.to_frame().loc["Engaging", "Won"] < hi
