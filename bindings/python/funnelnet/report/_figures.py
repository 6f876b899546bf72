"""The report's charts (private): each helper draws one section's chart with the
matching :mod:`funnelnet.plot` function on an Axes of a fixed-size, off-screen figure
and returns PNG bytes.

There is one drawing code path: the report never draws by itself, so a chart looks the
same in a notebook (``fn.plot.<chart>(...)``) and in the report.  Sections never import
matplotlib themselves; pyplot is not used (no global figure state, safe in threads).
"""
from __future__ import annotations

import io
from typing import Any, Callable

__all__ = ["available", "draw"]


def available() -> bool:
    """Whether charts can be drawn (matplotlib is installed).

    Returns
    -------
    bool
        True when matplotlib imports.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def draw(chart: Callable[..., Any], *args: Any, size: tuple[float, float] = (8.0, 3.6),
         extra: Callable[[Any], None] | None = None, **kw: Any) -> bytes:
    """Draw ``chart(*args, ax=ax, **kw)`` (a :mod:`funnelnet.plot` function) on a new
    off-screen figure of ``size`` inches and return it as PNG bytes.

    Parameters
    ----------
    chart : callable
        A ``funnelnet.plot`` chart function (takes ``ax=``).
    *args, **kw
        Its arguments.
    size : tuple of float
        Figure width and height in inches (96 dpi).
    extra : callable, optional
        Called with the Axes after ``chart``: more ``funnelnet.plot`` charts on the same
        Axes (a comparison curve), never hand-drawn data.

    Returns
    -------
    bytes
        The PNG.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=96, layout="constrained")
    ax = chart(*args, ax=fig.add_subplot(), **kw)
    if extra is not None:
        extra(ax)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
