"""The forecast fan chart: the cumulative won revenue (or count) of a pipeline forecast,
period by period, as a P10-P90 band around the median and the mean, beside a target."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..errors import InputTypeError, InvalidArgumentError
from ._mpl import axes, require_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["forecast_fan", "forecast_fan_frame"]

_WHAT = {"revenue": "won revenue", "count": "won deals"}


def forecast_fan_frame(forecast: Any, what: str = "revenue", target: Any = None, cumulative: bool = True) -> pd.DataFrame:
    """The numbers behind :func:`forecast_fan`: one row per period.

    Parameters
    ----------
    forecast : PipelineForecast or DataFrame
        The result of :func:`funnelnet.pipeline.forecast`, or a table with its
        ``periods`` columns (``expected_cumulative_<what>``,
        ``cumulative_<what>_p10`` / ``_p50`` / ``_p90``).
    what : {"revenue", "count"}
        Won revenue or the number of won deals.
    target : array-like, optional
        A target per period (e.g. last year's same months), drawn beside.
    cumulative : bool
        Cumulative figures (default) or each period's own (``expected_<what>``,
        ``<what>_p10`` ...).

    Returns
    -------
    DataFrame
        Indexed by period: ``mean``, ``p10``, ``p50``, ``p90`` and ``target`` when
        given.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> t = pd.DataFrame({"expected_cumulative_count": [1.0, 2.5], "cumulative_count_p10": [0, 1],
    ...                   "cumulative_count_p50": [1, 2], "cumulative_count_p90": [2, 4]}, index=["Jan", "Feb"])
    >>> fn.plot.forecast_fan_frame(t, what="count")["p90"].tolist()
    [2.0, 4.0]
    """
    if what not in _WHAT:
        raise InvalidArgumentError(f"what must be one of {sorted(_WHAT)}, got {what!r}")
    table = getattr(forecast, "periods", forecast)
    table = require_frame(table, "forecast periods")
    col = ("cumulative_" if cumulative else "") + what
    cols = {"mean": f"expected_{col}", "p10": f"{col}_p10", "p50": f"{col}_p50", "p90": f"{col}_p90"}
    miss = [c for c in cols.values() if c not in table.columns]
    if miss:
        raise InputTypeError(f"forecast periods have no {', '.join(repr(c) for c in miss)} column: pass the "
                             "result of fn.pipeline.forecast(...)")
    out = pd.DataFrame({k: table[c].to_numpy(dtype=np.float64) for k, c in cols.items()}, index=table.index.copy())
    out.index.name = "period"
    if target is not None:
        t = np.asarray(target, dtype=np.float64)
        if t.shape != (len(out),):
            raise InvalidArgumentError(f"target must have one value per period ({len(out)}), got shape {t.shape}")
        out["target"] = t
    return out


def forecast_fan(forecast: Any, what: str = "revenue", target: Any = None, *, cumulative: bool = True,
                 ax: Any = None, target_label: str = "target", **kw: Any) -> "Axes":
    """Plot the fan chart of a pipeline forecast: the P10-P90 band of the cumulative won
    revenue (or count), the median and the mean, and a target when given.

    Parameters
    ----------
    forecast : PipelineForecast or DataFrame
        As in :func:`forecast_fan_frame`.
    what : {"revenue", "count"}
        Won revenue or the number of won deals.
    target : array-like, optional
        A target per period.
    cumulative : bool
        Cumulative figures (default) or each period's own.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    target_label : str
        The target's name in the legend.
    **kw
        Passed to the median line's ``plot``.

    Returns
    -------
    matplotlib Axes
        ``ax.collections[0]`` is the band; ``ax.lines`` are the median, the mean and
        the target, in that order.
    """
    f = forecast_fan_frame(forecast, what, target, cumulative)
    ax = axes(ax)
    x = np.arange(1, len(f) + 1)
    top = float(np.nanmax(f.to_numpy())) if len(f) else 0.0
    scale, unit = (1e6, " (millions)") if top >= 1e6 else ((1e3, " (thousands)") if top >= 1e4 else (1.0, ""))
    if what == "count":
        scale, unit = 1.0, ""
    ax.fill_between(x, f["p10"] / scale, f["p90"] / scale, alpha=0.25, color="tab:blue", label="P10-P90")
    kw.setdefault("color", "tab:blue")
    ax.plot(x, f["p50"] / scale, marker="o", label="P50", **kw)
    ax.plot(x, f["mean"] / scale, color=kw["color"], ls="--", label="mean")
    if "target" in f:
        ax.plot(x, f["target"] / scale, color="tab:orange", marker="s", ls=":", label=target_label)
    ax.set_xticks(x, [str(p) for p in f.index])
    ax.set(ylabel=f"{_WHAT[what]}{', cumulative' if cumulative else ' per period'}{unit}",
           title="Forecast: what the open deals bring, period by period")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.fan_scale = scale
    return cast("Axes", ax)
