"""Opportunity tables, survival with censoring and the semi-Markov funnel.

Oracles: the reader against ``from_events`` on an event log this test reshapes by hand
(reads ../shared/data/crm/sales_pipeline.csv); Kaplan-Meier against
``scipy.stats.ecdf`` on ``CensoredData``; censored Weibull/gamma fits against
``scipy.stats.weibull_min.fit`` / ``gamma.fit``; the exponential semi-Markov funnel
against the ContinuousChain closed forms; conditional win probabilities against direct
counting.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError, UnknownLabelError

STAGES = {"Prospecting": None, "Engaging": "engage_date"}


@pytest.fixture(scope="module")
def deals(shared_data):
    return pd.read_csv(shared_data / "crm" / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])


def _hand_log(deals: pd.DataFrame, untimed: bool) -> pd.DataFrame:
    """The event log built by hand (the oracle): engaged deals enter Engaging on their
    engage date and Won/Lost on their close date; with untimed Prospecting steps every
    deal first enters Prospecting (at its engage date, or alone when it has none)."""
    engaged = deals[deals["engage_date"].notna()]
    closed = engaged[engaged["deal_stage"].isin(["Won", "Lost"])]
    parts = []
    if untimed:
        at = deals["engage_date"].fillna(pd.Timestamp("2017-12-31"))
        parts.append(pd.DataFrame({"deal": deals["opportunity_id"], "at": at, "stage": "Prospecting", "k": 0}))
    parts.append(pd.DataFrame({"deal": engaged["opportunity_id"], "at": engaged["engage_date"], "stage": "Engaging", "k": 1}))
    parts.append(pd.DataFrame({"deal": closed["opportunity_id"], "at": closed["close_date"], "stage": closed["deal_stage"], "k": 2}))
    return pd.concat(parts, ignore_index=True).sort_values(["deal", "k"], kind="stable")


@pytest.mark.parametrize("missing", ["censor", "untimed"])
def test_opportunities_match_hand_reshaped_log(deals, missing):
    f = fn.Funnel(["Prospecting", "Engaging"], outcomes=["Won", "Lost"])
    log = _hand_log(deals, missing == "untimed")
    kw = dict(lead="opportunity_id", stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"],
              close="close_date", missing=missing)
    got = fn.TransitionCounts.from_opportunities(deals, **kw)
    want = fn.TransitionCounts.from_events(log, lead="deal", stage="stage", time="at", funnel=f, repeats="keep")
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert got.to_frame().loc["Engaging", "Won"] == (deals["deal_stage"] == "Won").sum()
    if missing == "censor":
        e = fn.ExposureCounts.from_opportunities(deals, cutoff="2017-12-31", **kw)
        w = fn.ExposureCounts.from_events(log, lead="deal", stage="stage", time="at", funnel=f, cutoff="2017-12-31")
        np.testing.assert_allclose(e.exposure.to_numpy(), w.exposure.to_numpy(), rtol=1e-12)
        # Independent sum: closed cycles plus open ages at the cut-off, in days.
        end = deals["close_date"].fillna(pd.Timestamp("2017-12-31"))
        days = (end - deals["engage_date"]).dt.days.sum()
        assert e.exposure["Engaging"] == pytest.approx(days)


def test_opportunities_censor_cuts_at_a_gap():
    # b has a Proposal date but no Qualified date: its history stops at Lead (censored);
    # c has no Lead date: its history starts at Qualified.
    df = pd.DataFrame({"id": ["a", "b", "c"], "stage": ["Won", "Proposal", "Lost"],
                       "lead_d": [0.0, 1.0, np.nan], "qual_d": [2.0, np.nan, 3.0], "prop_d": [4.0, 5.0, 6.0],
                       "close_d": [9.0, np.nan, 8.0]})
    sd = {"Lead": "lead_d", "Qualified": "qual_d", "Proposal": "prop_d"}
    e = fn.ExposureCounts.from_opportunities(df, lead="id", stage="stage", stage_dates=sd, outcomes=["Won", "Lost"],
                                             close="close_d", cutoff=10.0)
    m = e.to_frame()
    assert m.loc["Lead", "Qualified"] == 1 and m.loc["Qualified", "Proposal"] == 2
    assert m.loc["Proposal", "Won"] == 1 and m.loc["Proposal", "Lost"] == 1
    # Lead: a 2 days, b 9 days (open to the cut-off); Qualified: a 2, c 3; Proposal: a 5, c 2.
    assert e.exposure.loc[["Lead", "Qualified", "Proposal"]].tolist() == [11.0, 5.0, 7.0]
    u = fn.TransitionCounts.from_opportunities(df, lead="id", stage="stage", stage_dates=sd, outcomes=["Won", "Lost"],
                                               close="close_d", missing="untimed")
    # Untimed: every deal walks Lead > Qualified > Proposal (c enters Lead untimed).
    assert u.to_frame().loc["Lead", "Qualified"] == 3 and u.to_frame().loc["Qualified", "Proposal"] == 3


def test_raw_opportunity_table_in_from_events_says_what_to_call(deals):
    with pytest.raises(InvalidArgumentError, match="from_opportunities") as e:
        fn.TransitionCounts.from_events(deals, lead="opportunity_id", stage="deal_stage", time="engage_date")
    assert "row 8300" in str(e.value)
    with pytest.raises(UnknownLabelError, match="ExposureCounts.from_opportunities"):
        fn.ExposureCounts.from_events(deals, lead="opportunity_id", stage="deal_stage", time="date")


def test_opportunities_bad_input_names_the_row(deals):
    bad = deals.copy()
    bad.loc[17, "deal_stage"] = "Negotiating"
    with pytest.raises(UnknownLabelError, match="row 17 has stage 'Negotiating'"):
        fn.TransitionCounts.from_opportunities(bad, stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"],
                                               close="close_date")
    with pytest.raises(UnknownLabelError, match="stage_dates\\['Engaging'\\] column 'engaged'"):
        fn.TransitionCounts.from_opportunities(deals, stage="deal_stage", stage_dates={"Engaging": "engaged"},
                                               outcomes=["Won", "Lost"], close="close_date")
    with pytest.raises(InvalidArgumentError, match="missing"):
        fn.TransitionCounts.from_opportunities(deals, stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"],
                                               close="close_date", missing="drop")
    back = deals.head(3).copy()
    back.loc[1, "close_date"] = back.loc[1, "engage_date"] - pd.Timedelta(days=3)
    with pytest.raises(InvalidArgumentError, match="opportunity .Z063OYW0. \\(row 1\\): close_date"):
        fn.TransitionCounts.from_opportunities(back, lead="opportunity_id", stage="deal_stage", stage_dates=STAGES,
                                               outcomes=["Won", "Lost"], close="close_date")
