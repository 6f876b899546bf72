"""Channel attribution chart: Markov attributed conversions (from removal effects)
against the heuristic models, per channel."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..errors import InputTypeError
from ._mpl import axes, require_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["attribution", "attribution_frame"]

_HEURISTICS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")


def attribution_frame(markov_result: Any, heuristics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The numbers behind :func:`attribution`: one row per channel, ``removal_effect``,
    ``markov`` (conversions attributed in proportion to the removal effects) and, with
    ``heuristics`` (the table of :func:`funnelnet.attribution.heuristic`), one column per
    heuristic model (first_touch, last_touch, linear, time_decay, position_based).

    ``markov_result`` is a fitted :class:`~funnelnet.attribution.MarkovAttribution` or the
    table of :func:`funnelnet.attribution.markov`.  An unfitted model raises
    InvalidArgumentError, an empty table EmptyInputError.

    Parameters
    ----------
    markov_result : MarkovAttribution or DataFrame
        The Markov attribution (fitted model or its channel table).
    heuristics : DataFrame, optional
        The table of :func:`funnelnet.attribution.heuristic`, drawn beside.

    Returns
    -------
    DataFrame
        One row per channel, the columns above.
    """
    from ..attribution import MarkovAttribution

    if isinstance(markov_result, MarkovAttribution):
        markov_result = markov_result.channels()
    m = require_frame(markov_result, "Markov attribution result")
    for c in ("removal_effect", "conversions"):
        if c not in m.columns:
            raise InputTypeError(f"Markov attribution result has no {c!r} column: pass fn.attribution.markov(...)")
    out = pd.DataFrame({"removal_effect": m["removal_effect"].to_numpy(dtype=np.float64),
                        "markov": m["conversions"].to_numpy(dtype=np.float64)}, index=m.index.copy())
    out.index.name = "channel"
    if heuristics is not None:
        h = require_frame(heuristics, "heuristics")
        cols = [c for c in _HEURISTICS if c in h.columns]
        if not cols:
            raise InputTypeError(f"heuristics has none of the columns {', '.join(_HEURISTICS)}: pass fn.attribution.heuristic(...)")
        out = out.join(h[cols].astype(np.float64), how="outer").fillna({c: 0.0 for c in ["markov", *cols]})
    return out


def attribution(markov_result: Any, heuristics: pd.DataFrame | None = None, *, ax: Any = None, **kw: Any) -> "Axes":
    """Plot :func:`attribution_frame`: grouped bars of attributed conversions per channel,
    one bar per model (Markov first, then each heuristic), and the Markov removal effect
    of each channel as a black marker on the right axis.

    Parameters
    ----------
    markov_result : MarkovAttribution or DataFrame
        As in :func:`attribution_frame`.
    heuristics : DataFrame, optional
        As in :func:`attribution_frame`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to every ``bar`` call.

    Returns
    -------
    matplotlib Axes
        Its ``containers`` hold one bar group per model in the frame's column order;
        the removal effects are on ``ax.right_ax``.
    """
    f = attribution_frame(markov_result, heuristics)
    models = [c for c in f.columns if c != "removal_effect"]
    ax = axes(ax, (max(6.0, 1.0 + 0.5 * len(f) * (1 + 0.4 * len(models))), 4.5))
    x = np.arange(len(f), dtype=np.float64)
    width = 0.8 / len(models)
    for k, mdl in enumerate(models):
        ax.bar(x - 0.4 + width * (k + 0.5), f[mdl].to_numpy(), width, label=mdl.replace("_", " "), **kw)
    ax.set_xticks(x, [str(c) for c in f.index], rotation=30 if len(f) > 6 else 0, ha="right" if len(f) > 6 else "center")
    ax.set(ylabel="attributed conversions", title="Attribution: Markov removal effects against heuristics")
    right = ax.twinx()
    re = f["removal_effect"].to_numpy()
    right.plot(x, re, ls="none", marker="D", color="black", label="removal effect (right)")
    right.set_ylim(0, max(1e-12, float(np.nanmax(re))) * 1.15)
    right.set_ylabel("removal effect")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False)
    ax.right_ax = right
    return cast("Axes", ax)
