"""Section "bottlenecks": which step of the funnel, made 10 % more likely, wins the most
extra deals (derivatives of the win probability of a new lead)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .. import _figures
from .._shared import Context
from ..section import Section

__all__ = ["SECTION"]


def _compute(ctx: Context) -> dict[str, Any]:
    table = ctx.chain.bottlenecks(ctx.won).sort_values("gain_10pct", ascending=False, kind="stable")
    table = table.reset_index(drop=True)
    best = table.iloc[0]
    start = ctx.funnel.stages[0]
    w = ctx.chain.what_if(str(best["from"]), str(best["to"]), 10, ctx.won, start=start)
    whatif = pd.DataFrame([w.summary()])
    meaning = (f"The step to coach is '{best['from']} -> {best['to']}': making it 10 % more likely adds "
               f"{100 * w.gain:.2f} won deals per 100 new leads (P(won) {w.value_before:.3f} -> {w.value_after:.3f}), "
               "the most of any step.")
    notes = ["gain_10pct: change in P(won) of a new lead when the step's probability rises by 10 % and the "
             "other exits of its stage shrink in proportion; what_if recomputes the whole chain for the best step."]
    return {"meaning": meaning, "tables": {"steps": table, "what_if": whatif},
            "figures": {"bottlenecks": _figures.bottlenecks(table)}, "notes": notes}


SECTION = Section(id="bottlenecks", title="Bottlenecks", needs=("events",), compute=_compute)
