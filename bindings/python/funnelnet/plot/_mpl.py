"""matplotlib, imported only when a chart is drawn (importing funnelnet never imports
it), and the small helpers every chart shares."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import EmptyInputError, InputTypeError

__all__ = ["pyplot", "axes", "require_frame", "heatmap"]

_HINT = "funnelnet.plot needs matplotlib, an optional dependency: pip install funnelnet[plot]"


def pyplot() -> Any:
    """``matplotlib.pyplot``; ImportError naming ``pip install funnelnet[plot]`` when missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - exercised by blocking the import in a test
        raise ImportError(_HINT) from e
    return plt


def axes(ax: Any, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    """``ax`` itself, or the Axes of a new figure."""
    plt = pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def require_frame(df: Any, what: str) -> pd.DataFrame:
    """``df`` as a non-empty DataFrame (EmptyInputError / InputTypeError naming ``what``)."""
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"{what} must be a DataFrame, got {type(df).__name__}")
    if df.empty:
        raise EmptyInputError(f"{what} is empty: nothing to plot")
    return df


def heatmap(ax: Any, frame: pd.DataFrame, *, cmap: str = "Blues", fmt: str = "{:.2f}", vmin: float | None = 0.0,
            vmax: float | None = None, colorbar: str = "", annotate: bool | None = None, **kw: Any) -> Any:
    """Draw ``frame`` (rows top to bottom) as an image with labelled ticks; the cells are
    annotated with their values when ``annotate`` (default: at most 15 x 15 cells)."""
    z = frame.to_numpy(dtype=np.float64)
    kw.setdefault("interpolation", "none")
    kw.setdefault("aspect", "auto")
    im = ax.imshow(z, cmap=cmap, vmin=vmin, vmax=vmax, **kw)
    ax.set_xticks(np.arange(z.shape[1]), [str(c) for c in frame.columns], rotation=45, ha="right")
    ax.set_yticks(np.arange(z.shape[0]), [str(i) for i in frame.index])
    if frame.columns.name:
        ax.set_xlabel(str(frame.columns.name))
    if frame.index.name:
        ax.set_ylabel(str(frame.index.name))
    ax.figure.colorbar(im, ax=ax, label=colorbar)
    if annotate is None:
        annotate = max(z.shape) <= 15
    if annotate:
        hi = np.nanmax(z) if z.size and np.isfinite(z).any() else 1.0
        lo = np.nanmin(z) if vmin is None and z.size and np.isfinite(z).any() else (vmin or 0.0)
        mid = lo + 0.6 * ((vmax if vmax is not None else hi) - lo)
        for (i, j), v in np.ndenumerate(z):
            if np.isfinite(v) and v != 0:
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                        color="white" if v > mid else "black")
    return im
