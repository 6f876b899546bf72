"""Section "attribution": which channels earn the conversions, by exact Markov removal
effects beside the first- and last-touch rules (needs touches per lead)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context, caught, pct
from ..section import Section

__all__ = ["SECTION"]


def _compute(ctx: Context) -> dict[str, Any]:
    from ... import attribution as at

    touches = ctx.frame("touches")
    value = "value" if "value" in touches else None
    paths = at.journeys(touches, customer="customer", time="time", channel="channel", converted="converted",
                        value=value)
    (mk, hr), notes = caught(lambda: (
        at.markov(paths, path="path", conversions="conversions", nulls="nulls", value="value" if value else None),
        at.heuristic(paths, path="path", conversions="conversions", value="value" if value else None)))
    total = float(mk["conversions"].sum())
    table = pd.DataFrame({
        "markov_conversions": mk["conversions"],
        "markov_share": mk["conversions"] / total if total else mk["conversions"] * 0,
        "removal_effect": mk["removal_effect"],
        "last_touch_share": hr["last_touch"] / hr["last_touch"].sum(),
        "first_touch_share": hr["first_touch"] / hr["first_touch"].sum(),
    })
    truth_ch = getattr(ctx.truth, "channels", None) if ctx.truth is not None else None
    if isinstance(truth_ch, pd.DataFrame) and "removal_effect" in truth_ch:
        tr = truth_ch.copy()
        tr.index = tr.index.astype(str)
        table["true_removal_effect"] = tr["removal_effect"].reindex(table.index.astype(str)).to_numpy()
    table = table.sort_values("markov_share", ascending=False)
    table.index.name = "channel"
    top = table.index[0]
    gap = table["markov_share"] - table["last_touch_share"]
    under = gap.idxmax()
    meaning = (f"'{top}' earns the most conversions ({pct(table.loc[top, 'markov_share'])}); last-touch reporting "
               f"under-credits '{under}' by {pct(gap.max())} of conversions.")
    if "true_removal_effect" in table:
        same = list(table["removal_effect"].rank(ascending=False)) == list(
            table["true_removal_effect"].rank(ascending=False))
        meaning += (" The fitted removal effects rank the channels " + ("as the truth does." if same else
                    "differently from the truth (see the table)."))
    notes = [f"{len(paths):,} journeys from {len(touches):,} touches; Markov shares are removal effects scaled to "
             "the observed conversions (exact, no simulation).", *notes]
    return {"meaning": meaning, "tables": {"channels": table, "journeys": paths.head(5000)},
            "figures": {"attribution": _figures.draw(plot.attribution, mk, hr, size=(8.0, 4.4))}, "notes": notes}


SECTION = Section(id="attribution", title="Channel attribution", needs=("touches",), compute=_compute)
