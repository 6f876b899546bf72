"""Section "bottlenecks": which step of the funnel, made 10 % more likely, wins the most
extra deals (derivatives of the win probability of a new lead)."""
from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context
from ..section import Section

__all__ = ["SECTION"]


def _steps(chain: Any, won: str, start: str) -> pd.DataFrame:
    """The bottleneck table (derivatives) with the exact gain of a 10 % rise of each step
    (``what_if``: the whole chain recomputed), best exact gain first."""
    t = chain.bottlenecks(won, start=start)
    t["gain_10pct_exact"] = [chain.what_if(str(a), str(b), 10, won, start=start).gain
                             for a, b in zip(t["from"], t["to"])]   # one solve per transition, not per lead
    return cast(pd.DataFrame, t.sort_values("gain_10pct_exact", ascending=False, kind="stable").reset_index(drop=True))


def _best_step(chain: Any, won: str, start: str) -> tuple[str, float]:
    """The transition whose 10 % rise adds the most to P(won) from ``start``, and that gain."""
    t = _steps(chain, won, start)
    return f"{t['from'].iloc[0]} -> {t['to'].iloc[0]}", float(t["gain_10pct_exact"].iloc[0])


def _segments(ctx: Context) -> pd.DataFrame | None:
    """Per segment: the best step to coach in the fitted chain and in the true one."""
    from ...errors import FunnelnetError
    from ...funnel import MarkovChain, TransitionCounts

    truth, leads = ctx.truth, ctx.inputs.leads
    if truth is None or leads is None or "segment" not in leads or not hasattr(truth, "transition"):
        return None
    states = ctx.funnel.states
    stages = ctx.funnel.stages
    tr = truth.transition
    if list(tr.columns) != list(states):
        return None
    ev = ctx.frame("events")
    seg = leads["segment"].astype(str).reindex(ev["lead"].to_numpy()).to_numpy()
    absorbing = np.zeros((len(states) - len(stages), len(states)))
    absorbing[:, len(stages):] = np.eye(len(states) - len(stages))
    rows = []
    for s in tr.index.get_level_values(0).unique():
        true_chain = MarkovChain(np.vstack([tr.loc[s].loc[stages].to_numpy(float), absorbing]), states=states)
        t_step, t_gain = _best_step(true_chain, ctx.won, stages[0])
        part = ev[seg == s]
        try:
            fitted = TransitionCounts.from_events(part, lead="lead", stage="stage", time="time",
                                                  funnel=ctx.funnel).fit()
            f_step, f_gain = _best_step(fitted, ctx.won, stages[0])
        except FunnelnetError:  # too few leads in the segment to fit
            f_step, f_gain = "", float("nan")
        rows.append((s, int(part["lead"].nunique()), f_step, f_gain, t_step, t_gain))
    return pd.DataFrame(rows, columns=["segment", "leads", "best_step", "gain_10pct_exact", "true_best_step",
                                       "true_gain_10pct_exact"]).set_index("segment")


def _compute(ctx: Context) -> dict[str, Any]:
    start = ctx.funnel.stages[0]
    table = _steps(ctx.chain, ctx.won, start)
    best = table.iloc[0]
    w = ctx.chain.what_if(str(best["from"]), str(best["to"]), 10, ctx.won, start=start)
    whatif = pd.DataFrame([w.summary()])
    meaning = (f"The step to coach is '{best['from']} -> {best['to']}': making it 10 % more likely adds "
               f"{100 * w.gain:.2f} won deals per 100 new leads (P(won) {w.value_before:.3f} -> {w.value_after:.3f}), "
               "the most of any step.")
    notes = ["gain_10pct_exact: change in P(won) of a new lead when the step's probability is raised by 10 % "
             "and its stage's row renormalised (the whole chain recomputed); gain_10pct is its "
             "first-order estimate from the derivatives."]
    tables = {"steps": table, "what_if": whatif}
    seg = _segments(ctx)
    if seg is not None:
        tables["segments"] = seg
        big = seg[seg["leads"] >= 1000]
        agree = int((big["best_step"] == big["true_best_step"]).sum())
        notes.append(f"segments: the best step in each segment's fitted chain vs in its true chain; they agree in "
                     f"{agree} of the {len(big)} segments with 1,000 leads or more.")
    return {"meaning": meaning, "tables": tables,
            "figures": {"bottlenecks": _figures.draw(plot.bottlenecks, table, 8, "gain_10pct_exact", size=(8.0, 4.0))}, "notes": notes}


SECTION = Section(id="bottlenecks", title="Bottlenecks", needs=("events",), compute=_compute)
