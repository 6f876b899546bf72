"""Section "funnel": how many leads reach each stage, how likely each stage is to win,
where deals are lost (and why, when the opportunities carry a loss reason)."""
from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from ...errors import FunnelnetError
from ... import plot
from .. import _figures
from .._shared import Context, pct
from ..section import Section

__all__ = ["SECTION"]


def _stage_table(ctx: Context) -> pd.DataFrame:
    ev = ctx.frame("events")
    stages = ctx.funnel.stages
    stage = ev["stage"].astype(str)
    n_leads = ev["lead"].nunique()
    reached = ev.groupby(stage.to_numpy())["lead"].nunique().reindex(stages, fill_value=0)
    # the stage a lead was in when it was lost: the event just before its loss
    d = pd.DataFrame({"lead": ev["lead"].to_numpy(), "stage": stage.to_numpy(), "time": ev["time"].to_numpy()})
    d = d.sort_values(["lead", "time"], kind="stable")
    prev = d.groupby("lead", sort=False)["stage"].shift(1)
    lost_outcome = str(ctx.inputs.outcomes[-1])
    lost_from = prev[d["stage"].eq(lost_outcome)].value_counts().reindex(stages, fill_value=0)
    win = ctx.chain.absorption_probabilities()[ctx.won].reindex(stages)
    out = pd.DataFrame({
        "reached": reached.astype(np.int64),
        "reached_share": reached / n_leads,
        "step_conversion": reached / reached.shift(1),
        "win_probability": win,
        "lost_from_here": lost_from.astype(np.int64),
    })
    out.index.name = "stage"
    return out


def _segments(ctx: Context) -> pd.DataFrame | None:
    truth, leads = ctx.truth, ctx.inputs.leads
    if truth is None or leads is None or "segment" not in leads or not hasattr(truth, "conversion"):
        return None
    from ...funnel import TransitionCounts

    ev = ctx.frame("events")
    seg = leads["segment"].astype(str).reindex(ev["lead"].to_numpy()).to_numpy()
    rows = []
    start = ctx.funnel.stages[0]
    for s in truth.conversion.index:
        part = ev[seg == s]
        if part.empty:
            continue
        try:
            chain = TransitionCounts.from_events(part, lead="lead", stage="stage", time="time",
                                                 funnel=ctx.funnel).fit()
            fitted = float(chain.absorption_probabilities()[ctx.won].reindex([start]).to_numpy(float)[0])
        except FunnelnetError:  # too few leads in the segment to fit (a stage without exits): NaN
            fitted = float("nan")
        rows.append((s, int(part["lead"].nunique()), fitted, float(truth.conversion[s])))
    return pd.DataFrame(rows, columns=["segment", "leads", "win_probability", "true_win_probability"]).set_index("segment")


def _transitions(ctx: Context) -> pd.DataFrame:
    fitted = ctx.chain.to_frame().loc[ctx.funnel.stages]
    long = fitted.stack().rename("probability").reset_index()
    long.columns = ["from", "to", "probability"]
    counts = ctx.counts.to_frame().loc[ctx.funnel.stages].stack().to_numpy()
    long["count"] = counts.astype(np.int64)
    return cast(pd.DataFrame, long[long["count"] > 0].reset_index(drop=True))


def _loss_reasons(ctx: Context) -> pd.DataFrame | None:
    opp = ctx.inputs.opportunities
    if opp is None or "reason" not in opp or "status" not in opp:
        return None
    lost = opp[opp["status"].astype(str).eq("L")]
    if lost.empty:
        return None
    reason = lost["reason"].astype(str)
    out = pd.DataFrame({"deals": reason.value_counts()})
    out["share"] = out["deals"] / out["deals"].sum()
    if "amount" in lost:
        out["amount_lost"] = lost["amount"].groupby(reason.to_numpy()).sum().reindex(out.index)
    out.index.name = "reason"
    return out


def _compute(ctx: Context) -> dict[str, Any]:
    """The funnel section's tables, chart and headline."""
    stages = _stage_table(ctx)
    tables: dict[str, pd.DataFrame] = {"stages": stages, "transitions": _transitions(ctx)}
    first = stages.index[0]
    lost = stages["lost_from_here"].to_numpy(float)
    worst = str(stages.index[int(np.argmax(lost))])
    lost_total = float(lost.sum())
    meaning = (f"Of every 100 new leads about {100 * stages.loc[first, 'win_probability']:.1f} are won; "
               f"most deals are lost at '{worst}' ({pct(lost.max() / max(lost_total, 1.0))} "
               f"of all losses).")
    seg = _segments(ctx)
    if seg is not None:
        tables["segments"] = seg
    reasons = _loss_reasons(ctx)
    if reasons is not None:
        tables["loss_reasons"] = reasons
        meaning += f" The main loss reason is {reasons.index[0]} ({pct(reasons['share'].iloc[0])} of lost deals)."
    notes = [f"{int(ctx.frame('events')['lead'].nunique()):,} leads, {len(ctx.frame('events')):,} events; "
             "win probability: the fitted Markov chain's probability of ending won from each stage."]
    if seg is not None:
        notes.append("segments: the chain fitted on each segment's leads vs the generator's true win probability.")
    return {"meaning": meaning, "tables": tables, "figures": {"funnel": _figures.draw(plot.funnel, ctx.counts, size=(8.0, 1.2 + 0.8 * len(stages)))}, "notes": notes}


SECTION = Section(id="funnel", title="Funnel: stage conversion and where deals are lost", needs=("events",),
                  compute=_compute)
