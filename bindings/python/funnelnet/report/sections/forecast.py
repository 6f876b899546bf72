"""Section "forecast": what the deals open today will bring, month by month, as a
distribution (expected wins and won revenue with P10/P50/P90), the chance of reaching
last year's same months, and the forecast-category roll-up CRMs show.

The open deals are the opportunities with status ``C``; each is forecast from the stage
it is in, by the continuous-time chain fitted on the events (memoryless, time unit days;
:func:`funnelnet.pipeline.forecast`).  The target of a month is what was won in the same
month a year earlier (opportunities with status ``W`` closed then).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context
from ..section import Section, Skip

__all__ = ["SECTION", "HORIZON"]

#: Months forecast.
HORIZON = 6


def _open_deals(ctx: Context) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The open opportunities with the time each entered its current stage, and the snapshot."""
    opp = ctx.frame("opportunities")
    miss = [c for c in ("status", "stage", "amount") if c not in opp]
    if miss:
        raise Skip(f"the opportunities table has no {', '.join(miss)} column")
    ev = ctx.frame("events")
    snap = pd.Timestamp(ev["time"].max())
    transient = set(ctx.funnel.stages)
    is_open = (opp["status"].astype(str) == "C").to_numpy() & opp["stage"].astype(str).isin(transient).to_numpy()
    deals = opp.loc[is_open]
    if deals.empty:
        raise Skip("no open opportunities (status C) in a stage of the funnel")
    if "entered" in deals:
        entered = pd.to_datetime(deals["entered"]).to_numpy()
    elif "lead" in deals:  # when the lead entered its current stage: its last event in that stage
        last = ev.groupby([ev["lead"].to_numpy(), ev["stage"].astype(str).to_numpy()], sort=False)["time"].max()
        key = pd.MultiIndex.from_arrays([deals["lead"].to_numpy(), deals["stage"].astype(str).to_numpy()])
        entered = last.reindex(key).to_numpy()
    else:
        raise Skip("the opportunities table needs an 'entered' or a 'lead' column")
    out = pd.DataFrame({"opportunity": deals.index.to_numpy(), "stage": deals["stage"].astype(str).to_numpy(),
                        "entered": entered, "amount": deals["amount"].to_numpy(float)})
    out = out[pd.notna(out["entered"]).to_numpy()]
    if out.empty:
        raise Skip("no open opportunity has an event in its current stage")
    return out, snap


def _targets(opp: pd.DataFrame, months: pd.Index) -> pd.Series:
    """Won revenue of the same month a year earlier (status W, by the close month)."""
    won = opp[(opp["status"].astype(str) == "W").to_numpy() & pd.notna(opp["closed"]).to_numpy()] \
        if "closed" in opp else opp.iloc[:0]
    by = won["amount"].groupby(pd.DatetimeIndex(won["closed"]).to_period("M")).sum()
    last_year = pd.PeriodIndex(months, freq="M") - 12
    return pd.Series(by.reindex(last_year).fillna(0.0).to_numpy(float), index=months, name="target")


def _compute(ctx: Context) -> dict[str, Any]:
    from ...errors import FunnelnetError
    from ...pipeline import forecast

    deals, snap = _open_deals(ctx)
    try:
        chain = ctx.exposure.fit()
    except FunnelnetError as e:
        raise Skip(f"the continuous-time chain could not be fitted: {e}") from e
    # a snapshot inside a month leaves a stub: it is forecast too (in the cumulative figures) but the
    # table shows the next HORIZON whole months
    stub = int(snap != snap.to_period("M").start_time)
    f = forecast(deals, chain, horizon=HORIZON + stub, period="month", snapshot=snap, won=ctx.won,
                 threads=ctx.threads)
    t = f.periods.iloc[stub:]
    target = _targets(ctx.frame("opportunities"), t.index)
    rev, cum_rev = f.revenue[stub:], f.cumulative_revenue[stub:]
    months = pd.DataFrame({
        "expected_wins": t["expected_count"], "wins_p10": t["count_p10"], "wins_p50": t["count_p50"],
        "wins_p90": t["count_p90"], "expected_revenue": t["expected_revenue"], "revenue_p10": t["revenue_p10"],
        "revenue_p50": t["revenue_p50"], "revenue_p90": t["revenue_p90"],
        "expected_cumulative_wins": t["expected_cumulative_count"],
        "expected_cumulative_revenue": t["expected_cumulative_revenue"],
        "cumulative_revenue_p10": t["cumulative_revenue_p10"], "cumulative_revenue_p50": t["cumulative_revenue_p50"],
        "cumulative_revenue_p90": t["cumulative_revenue_p90"],
        "target": target, "cumulative_target": target.cumsum(),
        "p_reach_target": [d.prob_at_least(x) for d, x in zip(rev, target.to_numpy())],
        "p_reach_cumulative_target": [d.prob_at_least(x) for d, x in zip(cum_rev, target.cumsum().to_numpy())],
    }, index=t.index)
    months.index.name = "month"
    cats = f.categories.copy()
    cats.index = cats.index.astype(str)
    cats.index.name = "category"
    opps = f.opportunities[["stage", "amount", "p_won", "p_won_horizon", "expected_close_period",
                            "expected_value", "category"]].sort_values("expected_value", ascending=False)
    last = months.iloc[-1]
    cover = last["expected_cumulative_revenue"] / last["cumulative_target"] if last["cumulative_target"] > 0 \
        else float("nan")
    meaning = (f"The {len(deals):,} deals open today should bring {last['expected_cumulative_wins']:.0f} wins and "
               f"{last['expected_cumulative_revenue']:,.0f} by the end of {months.index[-1]} (80 % between "
               f"{last['cumulative_revenue_p10']:,.0f} and {last['cumulative_revenue_p90']:,.0f}): "
               f"{'n/a' if not np.isfinite(cover) else f'{100 * cover:.0f} %'} of what the same months won last "
               f"year, reached with probability {100 * last['p_reach_cumulative_target']:.0f} % from these deals "
               "alone; new deals must make up the rest.")
    notes = [f"Snapshot {pd.Timestamp(f.snapshot):%Y-%m-%d %H:%M}" + (f"; the rest of {f.periods.index[0]} is counted in the cumulative figures only"
                                        if stub else "") + ".  Each open deal (status C) is "
             "forecast from its stage by the continuous-time chain fitted on the events (memoryless: the time "
             "already spent in the stage is not used); wins are independent, their count and revenue "
             "distributions are exact (FFT convolution, revenue on a grid).",
             "target: won revenue of the same month a year earlier (opportunities won, by close month); "
             "p_reach: P(won revenue >= target) from the open deals only, new deals not counted.",
             "categories: commit P(won by the end of the last month) >= 0.8, best case >= 0.5, pipeline >= 0.1, else omitted."]
    return {"meaning": meaning, "tables": {"months": months, "categories": cats, "deals": opps},
            "figures": {"forecast": _figures.draw(plot.forecast_fan, months, "revenue", months["cumulative_target"],
                                                  target_label="last year, same months")}, "notes": notes}


SECTION = Section(id="forecast", title="Pipeline forecast", needs=("events", "opportunities"), compute=_compute)
