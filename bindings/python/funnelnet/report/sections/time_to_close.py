"""Section "time_to_close": days until a lead is won or lost, from each stage
(continuous-time chain with open leads censored), fitted vs true per segment."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...errors import FunnelnetError
from ... import plot
from .. import _figures
from .._shared import Context
from ..section import Section

__all__ = ["SECTION"]


def _true_days(truth: Any, segment: str, stages: list[str]) -> float:
    """Expected days to close from the first stage under the generator's semi-Markov truth:
    the fundamental matrix of the jump chain times the mean dwell days."""
    p = truth.transition.loc[segment]
    q = p.loc[stages, stages].to_numpy(float)
    n = np.linalg.inv(np.eye(len(stages)) - q)
    return float(n[0] @ truth.dwell_mean.loc[segment, stages].to_numpy(float))


def _segments(ctx: Context) -> pd.DataFrame | None:
    truth, leads = ctx.truth, ctx.inputs.leads
    if truth is None or leads is None or "segment" not in leads or not hasattr(truth, "dwell_mean"):
        return None
    from ...funnel import ExposureCounts

    ev = ctx.frame("events")
    stages = ctx.funnel.stages
    if list(truth.dwell_mean.columns) != list(stages):
        return None
    seg = leads["segment"].astype(str).reindex(ev["lead"].to_numpy()).to_numpy()
    rows = []
    for s in truth.dwell_mean.index:
        part = ev[seg == s]
        if part.empty:
            continue
        try:
            q = ExposureCounts.from_events(part, lead="lead", stage="stage", time="time", funnel=ctx.funnel,
                                           time_unit="D").fit()
            fitted = float(q.time_to_close(quantiles=[0.5])["mean"].reindex([stages[0]]).to_numpy(float)[0])
        except FunnelnetError:  # too few leads in the segment to fit: NaN
            fitted = float("nan")
        rows.append((s, int(part["lead"].nunique()), fitted, _true_days(truth, s, stages)))
    return pd.DataFrame(rows, columns=["segment", "leads", "mean_days", "true_mean_days"]).set_index("segment")


def _observed(ctx: Context) -> pd.DataFrame:
    """Days from entering each stage to the lead's close, over the closed leads only."""
    ev = ctx.frame("events")
    d = pd.DataFrame({"lead": ev["lead"].to_numpy(), "stage": ev["stage"].astype(str).to_numpy(),
                      "time": ev["time"].to_numpy()})
    outs = [str(o) for o in ctx.inputs.outcomes]
    close = d[d["stage"].isin(outs)].groupby("lead")["time"].max()
    d = d[~d["stage"].isin(outs)]
    d = d[d["lead"].isin(close.index)]
    first = d.groupby(["lead", "stage"], sort=False)["time"].min().reset_index()
    days = close.reindex(first["lead"].to_numpy()).to_numpy() - first["time"].to_numpy()
    days = pd.Series(days).dt.total_seconds().to_numpy() / 86400 if np.issubdtype(days.dtype, np.timedelta64) \
        else days.astype(float)
    g = pd.Series(days).groupby(first["stage"].to_numpy())
    out = pd.DataFrame({"mean": g.mean(), "q50": g.median(), "q90": g.quantile(0.9), "closed_leads": g.size()})
    return out.reindex([s for s in ctx.funnel.stages if s in out.index])


def _compute(ctx: Context) -> dict[str, Any]:
    from ...errors import InvalidArgumentError

    try:
        q = ctx.exposure.fit()
    except InvalidArgumentError as e:
        table = _observed(ctx)
        table.index.name = "stage"
        first = table.index[0]
        meaning = (f"Closed deals took {table.loc[first, 'mean']:.0f} days on average from '{first}' to their close "
                   f"(half within {table.loc[first, 'q50']:.0f} days, 90 % within {table.loc[first, 'q90']:.0f}).")
        notes = [f"The continuous-time chain could not be fitted ({e}); shown instead: days from entering each "
                 "stage to the close, over closed deals only (open deals left out, so these run short)."]
        notes.append("No chart: the time-to-close curves need the fitted chain.")
        return {"meaning": meaning, "tables": {"stages": table}, "figures": {}, "notes": notes}
    table = q.time_to_close(quantiles=[0.5, 0.9])
    table.index.name = "stage"
    tables: dict[str, pd.DataFrame] = {"stages": table}
    first = table.index[0]
    meaning = (f"A new lead takes {table.loc[first, 'mean']:.0f} days on average to be won or lost "
               f"(half within {table.loc[first, 'q50']:.0f} days, 90 % within {table.loc[first, 'q90']:.0f}); "
               f"a lead at '{table.index[-1]}' closes in {table.iloc[-1]['mean']:.0f} days.")
    notes = ["Continuous-time Markov chain fitted on the time spent in each stage; leads still open are censored "
             "at the end of the log.  Days are calendar days."]
    seg = _segments(ctx)
    if seg is not None:
        tables["segments"] = seg
        notes.append("segments: fitted mean days to close from the first stage vs the generator's truth "
                     "(fundamental matrix times true mean dwell days).")
    return {"meaning": meaning, "tables": tables, "figures": {"time_to_close": _figures.draw(plot.time_to_close, q, size=(8.0, 4.2))},
            "notes": notes}


SECTION = Section(id="time_to_close", title="Time to close", needs=("events",), compute=_compute)
