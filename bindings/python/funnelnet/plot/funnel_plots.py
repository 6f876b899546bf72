"""Funnel charts: stages with their conversion rates and losses, the transition heatmap,
a Sankey of counted flows, time to close, and the bottleneck ranking."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, cast

import numpy as np
import pandas as pd

from ..errors import EmptyInputError, InputTypeError, UnknownLabelError
from ._mpl import axes, heatmap, pyplot, require_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["funnel", "funnel_frame", "transition_heatmap", "transition_heatmap_frame", "sankey", "sankey_frame",
           "time_to_close", "time_to_close_frame", "bottlenecks", "bottlenecks_frame"]

_UNIT_WORDS = {"s": "seconds", "min": "minutes", "h": "hours", "D": "days", "W": "weeks"}
_OUTCOME_COLOURS = ["tab:green", "tab:red", "tab:grey", "tab:purple", "tab:brown"]


def _kind(obj: Any) -> str:
    from ..funnel import ContinuousChain, MarkovChain, TransitionCounts

    if isinstance(obj, TransitionCounts):
        return "counts"
    if isinstance(obj, MarkovChain):
        return "chain"
    if isinstance(obj, ContinuousChain):
        return "continuous"
    raise InputTypeError(f"expected a TransitionCounts or MarkovChain, got {type(obj).__name__}")


def funnel_frame(obj: Any, start: str | None = None) -> pd.DataFrame:
    """The funnel behind :func:`funnel`: one row per stage (in funnel order).

    For :class:`~funnelnet.TransitionCounts`: ``entered`` = counted exits from the stage
    (visits), ``to_<outcome>`` = moves from the stage straight to each outcome, and the
    rates ``rate_<outcome>`` = to_<outcome> / entered, ``next_rate`` = share moving on to
    the next stage.  For a :class:`~funnelnet.MarkovChain`: the same for one lead entering
    at ``start`` (default: the first stage): ``entered`` = expected visits (the
    fundamental matrix's row), ``to_<outcome>`` = expected visits x P[stage, outcome],
    the rates are the transition probabilities.

    Parameters
    ----------
    obj : TransitionCounts, MarkovChain or ContinuousChain
        The counts or the fitted chain.
    start : str, optional
        For a chain: the stage a lead enters at (default: the first stage).

    Returns
    -------
    DataFrame
        One row per stage in funnel order: entered, to_<outcome>, rate_<outcome> and
        next_rate; attrs['outcomes'] and attrs['units'].

    Examples
    --------
    >>> import funnelnet as fn
    >>> c = fn.TransitionCounts.from_paths(["a>b>won", "a>lost", "a>b>lost"],
    ...                                    funnel=fn.Funnel(["a", "b"], ["won", "lost"]), sep=">")
    >>> fn.plot.funnel_frame(c)[["entered", "to_won", "to_lost", "next_rate"]]
           entered  to_won  to_lost  next_rate
    stage                                     
    a          3.0     0.0      1.0   0.666667
    b          2.0     1.0      1.0        NaN
    """
    kind = _kind(obj)
    if kind == "continuous":
        obj = obj.jump_chain()
        kind = "chain"
    states = list(obj.states)
    absorbing = [s for s in states if s in set(obj.funnel.outcomes)]
    stages = [s for s in states if s not in set(absorbing)]
    if not stages:
        raise EmptyInputError("the funnel has no transient stages: nothing to plot")
    m = obj.to_frame()
    if kind == "counts":
        visits = m.loc[stages].sum(axis=1).to_numpy(dtype=np.float64)
        if not visits.sum() > 0:
            raise EmptyInputError("the counts hold no transitions out of any stage: nothing to plot")
        flows = m.loc[stages].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = flows / visits[:, None]
    else:
        start = stages[0] if start is None else str(start)
        if start not in stages:
            raise UnknownLabelError(f"start {start!r} is not a stage of the chain ({', '.join(stages)})")
        n = obj.fundamental_matrix()
        visits = n.loc[start, stages].to_numpy(dtype=np.float64)
        rates = m.loc[stages].to_numpy(dtype=np.float64)
        flows = rates * visits[:, None]
    cols = [states.index(s) for s in stages]
    out = pd.DataFrame({"entered": visits}, index=pd.Index(stages, name="stage"))
    for o in absorbing:
        out[f"to_{o}"] = flows[:, states.index(o)]
    for o in absorbing:
        out[f"rate_{o}"] = rates[:, states.index(o)]
    nxt = [rates[i, cols[i + 1]] if i + 1 < len(stages) else np.nan for i in range(len(stages))]
    out["next_rate"] = np.asarray(nxt, dtype=np.float64)
    out.attrs["outcomes"] = absorbing
    out.attrs["units"] = "transitions counted" if kind == "counts" else f"expected visits per lead entering at {start}"
    return out


def _volume_label(x: float) -> str:
    """A stage's volume as a person reads it: 54,780 leads, not 5.478e+04 (4 significant
    digits below 1,000, where the volume can be an expected number of visits such as 1.43)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"


def funnel(obj: Any, start: str | None = None, *, ax: Any = None, **kw: Any) -> "Axes":
    """Plot the funnel of :func:`funnel_frame`: one centred bar per stage (its width =
    ``entered``), the share going to each outcome from that stage coloured at the bar's
    right end, and the rate of moving on to the next stage between the bars.  Returns the
    Axes; ``ax.containers[0]`` holds the stage bars.

    Parameters
    ----------
    obj : TransitionCounts, MarkovChain or ContinuousChain
        The counts or the fitted chain.
    start : str, optional
        For a chain: the stage a lead enters at (default: the first stage).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.containers[0] holds the stage bars.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import funnelnet as fn
    >>> c = fn.TransitionCounts.from_paths(["a>b>won", "a>lost", "a>b>lost"],
    ...                                    funnel=fn.Funnel(["a", "b"], ["won", "lost"]), sep=">")
    >>> ax = fn.plot.funnel(c)
    >>> [float(bar.get_width()) for bar in ax.containers[0]]
    [3.0, 2.0]
    """
    f = funnel_frame(obj, start)
    ax = axes(ax, (8.0, 1.0 + 0.8 * len(f)))
    y = np.arange(len(f))[::-1].astype(np.float64)
    w = f["entered"].to_numpy()
    kw.setdefault("color", "tab:blue")
    kw.setdefault("alpha", 0.35)
    ax.barh(y, w, left=-w / 2, height=0.6, label="entered", **kw)
    outcomes = f.attrs["outcomes"]
    right = w / 2
    for k, o in enumerate(outcomes):
        part = f[f"to_{o}"].to_numpy()
        ax.barh(y, part, left=right - part, height=0.6, color=_OUTCOME_COLOURS[k % len(_OUTCOME_COLOURS)],
                alpha=0.85, label=o)
        right = right - part
    wmax = float(w.max())
    for i, stage in enumerate(f.index):
        notes = ", ".join(f"{o} {f[f'rate_{o}'].iloc[i]:.0%}" for o in outcomes if f[f"rate_{o}"].iloc[i] > 0)
        label = _volume_label(w[i]) + (f"  ({notes})" if notes else "")
        ax.text(wmax / 2 + 0.02 * wmax, y[i], label, va="center", fontsize=9)
        nr = f["next_rate"].iloc[i]
        if np.isfinite(nr):
            ax.text(0, y[i] - 0.5, f"\u2193 {nr:.0%} move on", ha="center", va="center", fontsize=8, color="dimgrey")
    ax.set_yticks(y, [str(s) for s in f.index])
    ax.set_xlim(-0.55 * wmax, 1.15 * wmax)
    ax.set_ylim(-0.7, len(f) - 0.4)
    ax.set_xticks([])
    ax.set_title(f.attrs["units"], fontsize=9, loc="right", color="dimgrey")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title("Funnel: volume per stage and where deals end", loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=1 + len(outcomes), fontsize=8, frameon=False)
    return cast("Axes", ax)


def transition_heatmap_frame(obj: Any) -> pd.DataFrame:
    """The matrix behind :func:`transition_heatmap`: transition probabilities of a chain
    (or counts of :class:`~funnelnet.TransitionCounts`), rows ``from``, columns ``to``.

    Parameters
    ----------
    obj : TransitionCounts, MarkovChain or ContinuousChain
        The counts or the fitted chain.

    Returns
    -------
    DataFrame
        The matrix, rows from, columns to (a continuous chain: its generator).
    """
    kind = _kind(obj)
    if kind == "continuous":
        return cast(pd.DataFrame, obj.generator())
    m = obj.to_frame()
    if m.empty:
        raise EmptyInputError("the chain has no states: nothing to plot")
    return cast(pd.DataFrame, m)


def transition_heatmap(obj: Any, *, ax: Any = None, annotate: bool | None = None, **kw: Any) -> "Axes":
    """Plot :func:`transition_heatmap_frame` as a heatmap (cells annotated up to 15
    states).  Returns the Axes; ``ax.images[0].get_array()`` is the matrix.

    Parameters
    ----------
    obj : TransitionCounts, MarkovChain or ContinuousChain
        The counts or the fitted chain.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    annotate : bool, optional
        Write the values in the cells (default: for at most 15 x 15 states).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.images[0].get_array() is the matrix.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import funnelnet as fn
    >>> chain = fn.MarkovChain([[0, .5, .5], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
    >>> fn.plot.transition_heatmap(chain).images[0].get_array()[0].tolist()
    [0.0, 0.5, 0.5]
    """
    f = transition_heatmap_frame(obj)
    counts = _kind(obj) == "counts"
    continuous = _kind(obj) == "continuous"
    ax = axes(ax, (1.5 + 0.55 * f.shape[1], 1.2 + 0.5 * f.shape[0]))
    heatmap(ax, f, vmin=None if continuous else 0.0, vmax=None if counts or continuous else 1.0,
            fmt="{:,.0f}" if counts else "{:.2f}", cmap="RdBu_r" if continuous else "Blues",
            colorbar="transitions" if counts else ("rate" if continuous else "probability"), annotate=annotate, **kw)
    ax.set_title("Transition counts" if counts else ("Transition rates" if continuous else "Transition probabilities"))
    return cast("Axes", ax)


def sankey_frame(counts: Any) -> pd.DataFrame:
    """The flows behind :func:`sankey`: one row per counted move between two different
    states (``from``, ``to``, ``count``), in matrix order; staying put is left out.

    Parameters
    ----------
    counts : TransitionCounts
        Counted transitions.

    Returns
    -------
    DataFrame
        One row per move between two different states: from, to, count.
    """
    from ..funnel import TransitionCounts

    if not isinstance(counts, TransitionCounts):
        raise InputTypeError(f"sankey needs TransitionCounts, got {type(counts).__name__}")
    m = counts.to_numpy()
    states = counts.states
    i, j = np.nonzero((m > 0) & ~np.eye(len(states), dtype=bool))
    if len(i) == 0:
        raise EmptyInputError("the counts hold no moves between states: nothing to plot")
    names = np.asarray(states, dtype=object)
    return pd.DataFrame({"from": names[i], "to": names[j], "count": m[i, j].astype(np.float64)})


def _band(x0: float, y0: float, x1: float, y1: float, h: float) -> Any:
    """A flow band of thickness h from (x0, y0..y0+h) to (x1, y1..y1+h) with cubic edges."""
    from matplotlib.path import Path

    xm = (x0 + x1) / 2
    verts = [(x0, y0 + h), (xm, y0 + h), (xm, y1 + h), (x1, y1 + h), (x1, y1), (xm, y1), (xm, y0), (x0, y0),
             (x0, y0 + h)]
    codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.LINETO, Path.CURVE4, Path.CURVE4, Path.CURVE4,
             Path.CLOSEPOLY]
    return Path(verts, codes)


def sankey(counts: Any, *, ax: Any = None, node_width: float = 0.06, gap: float = 0.04, **kw: Any) -> "Axes":
    """Plot the counted flows of :func:`sankey_frame` as a Sankey diagram: stages in
    funnel order from left to right, the outcomes in the last column, band thickness
    proportional to the count; moves back to an earlier stage are arcs under the nodes.
    Each band (or arc) is a patch whose ``gid`` is ``"from->to"`` (each node rectangle
    ``"node:<state>"``); ``ax.sankey_scale`` is the height of one count.  Returns the Axes.

    Parameters
    ----------
    counts : TransitionCounts
        Counted transitions.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    node_width : float
        Width of a stage's box (axes units).
    gap : float
        Vertical gap between boxes (axes units).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        The node boxes and flow bands are ``ax.patches`` (gids as above);
        ``ax.sankey_scale`` is the height of one count.
    """
    from matplotlib.patches import FancyArrowPatch, PathPatch, Rectangle

    f = sankey_frame(counts)
    states = counts.states
    outcomes = set(counts.funnel.outcomes)
    stages = [s for s in states if s not in outcomes]
    col = {s: i for i, s in enumerate(stages)}
    last = len(stages)
    for s in states:
        if s in outcomes:
            col[s] = last
    inflow = f.groupby("to")["count"].sum()
    outflow = f.groupby("from")["count"].sum()
    size = {s: max(float(inflow.get(s, 0.0)), float(outflow.get(s, 0.0))) for s in states}
    used = [s for s in states if size[s] > 0]
    columns: dict[int, list[str]] = {}
    for s in used:
        columns.setdefault(col[s], []).append(s)
    scale = min((1.0 - gap * (len(v) - 1)) / sum(size[s] for s in v) for v in columns.values())
    top: dict[str, float] = {}
    for c, names in columns.items():
        total = sum(size[s] for s in names) * scale + gap * (len(names) - 1)
        y = 1.0 - (1.0 - total) / 2
        for s in names:
            top[s] = y
            y -= size[s] * scale + gap
    ax = axes(ax, (2.0 + 1.6 * (last + 1), 5.0))
    cmap = pyplot().get_cmap("tab10")
    colour = {s: cmap(k % 10) for k, s in enumerate(states)}
    xpos = {s: col[s] / max(last, 1) * (1 - node_width) for s in used}
    for s in used:
        h = size[s] * scale
        ax.add_patch(Rectangle((xpos[s], top[s] - h), node_width, h, color=colour[s], gid=f"node:{s}"))
        if col[s] == last:
            ax.text(xpos[s] + node_width * 1.3, top[s] - h / 2, f"{s}\n{size[s]:,.0f}", ha="left", va="center",
                    fontsize=9)
        else:
            ax.text(xpos[s] + node_width / 2, top[s] + 0.01, f"{s} ({size[s]:,.0f})", ha="center", va="bottom",
                    fontsize=9)
    out_y = {s: top[s] for s in used}
    in_y = {s: top[s] for s in used}
    kw.setdefault("alpha", 0.45)
    # Bands leave a node in the vertical order of their targets and enter in the order of
    # their sources, so they cross as little as possible.  A few dozen flows at most.
    forward = f[[col[b] > col[a] for a, b in zip(f["from"], f["to"])]]
    back = f[[col[b] <= col[a] for a, b in zip(f["from"], f["to"])]]
    key_out = sorted(forward.itertuples(index=False), key=lambda r: (r[0], -top[r[1]]))
    start_y: dict[tuple[str, str], float] = {}
    for a, b, n in key_out:
        out_y[a] -= n * scale
        start_y[(a, b)] = out_y[a]
    for a, b, n in sorted(forward.itertuples(index=False), key=lambda r: (r[1], -top[r[0]])):
        h = n * scale
        in_y[b] -= h
        ax.add_patch(PathPatch(_band(xpos[a] + node_width, start_y[(a, b)], xpos[b], in_y[b], h), facecolor=colour[a],
                               lw=0, gid=f"{a}->{b}", **kw))
    for a, b, n in back.itertuples(index=False):  # moves back to an earlier stage: an arc under the nodes
        ax.add_patch(FancyArrowPatch((xpos[a] + node_width / 2, top[a] - size[a] * scale),
                                     (xpos[b] + node_width / 2, top[b] - size[b] * scale),
                                     connectionstyle="arc3,rad=-0.35", arrowstyle="-|>", mutation_scale=12,
                                     lw=max(0.8, 40 * n * scale), color=colour[a], alpha=0.6, gid=f"{a}->{b}"))
        ax.text((xpos[a] + xpos[b] + node_width) / 2, min(top[a] - size[a] * scale, top[b] - size[b] * scale) - 0.06,
                f"back {n:,.0f}", ha="center", va="top", fontsize=8, color="dimgrey")
    ax.set_xlim(-0.05, 1.12)
    ax.set_ylim(-0.12 if len(back) else -0.02, 1.07)
    ax.set_axis_off()
    ax.set_title("Flows between stages (counted transitions)")
    ax.sankey_scale = scale
    return cast("Axes", ax)


def time_to_close_frame(chain: Any, stages: Sequence[str] | None = None, quantiles: Sequence[float] = (0.5, 0.9),
                        horizon: float | None = None) -> pd.DataFrame:
    """The CDFs behind :func:`time_to_close`: P(closed within k steps) (a
    :class:`~funnelnet.MarkovChain`) or within time t (a
    :class:`~funnelnet.ContinuousChain`), one row per (stage, k).  The horizon runs to
    ``horizon`` (default: the largest 99% quantile of the stages shown).  Columns
    ``stage``, ``k`` (or ``t``), ``cdf``; ``attrs["quantiles"]`` holds
    ``{stage: {"q50": ..., ...}}`` from the chain's ``time_to_close(quantiles)``.

    Parameters
    ----------
    chain : MarkovChain or ContinuousChain
        A fitted chain (steps, or time for a continuous chain).
    stages : sequence of str, optional
        The stages shown (default: every transient stage).
    quantiles : sequence of float
        Quantiles of the time to close marked on each curve.
    horizon : float, optional
        Where the curves end (default: the largest 99 % quantile).

    Returns
    -------
    DataFrame
        One row per (stage, k or t): stage, k (or t), cdf; attrs['quantiles'] maps each
        stage to its quantiles.
    """
    kind = _kind(chain)
    if kind == "counts":
        raise InputTypeError("time_to_close needs a fitted chain: call counts.fit() first")
    transient = list(chain.transient_states)
    if not transient:
        raise EmptyInputError("the chain has no transient stages: nothing to plot")
    stages = transient if stages is None else [str(s) for s in stages]
    for s in stages:
        if s not in transient:
            raise UnknownLabelError(f"stage {s!r} is not a transient stage of the chain ({', '.join(transient)})")
    if not stages:
        raise EmptyInputError("no stages to plot")
    q = sorted({float(x) for x in quantiles} | {0.99})
    ttc = chain.time_to_close(q).loc[stages]
    qcols = [f"q{100 * p:g}" for p in quantiles]
    if horizon is None:
        horizon = float(ttc["q99"].max())
    grid: np.ndarray
    if kind == "chain":
        grid = np.arange(int(np.ceil(horizon)) + 1)
        name = "k"
    else:
        grid = np.linspace(0.0, float(horizon), 201)
        name = "t"
    cdf = chain.close_time_cdf(list(grid))
    cdf = cdf.loc[stages].to_numpy(dtype=np.float64)
    out = pd.DataFrame({"stage": np.repeat(np.asarray(stages, dtype=object), len(grid)),
                        name: np.tile(grid, len(stages)), "cdf": cdf.ravel()})
    out.attrs["quantiles"] = {s: {c: float(ttc.loc[s, c]) for c in qcols} for s in stages}
    out.attrs["unit"] = "steps" if kind == "chain" else (getattr(chain, "time_unit", "") or "time")
    return out


def time_to_close(chain: Any, stages: Sequence[str] | None = None, quantiles: Sequence[float] = (0.5, 0.9),
                  horizon: float | None = None, *, ax: Any = None, **kw: Any) -> "Axes":
    """Plot P(closed within k) per stage (:func:`time_to_close_frame`), one line per stage
    (``ax.lines[i]`` for the i-th stage shown), with the quantiles marked.  Returns the Axes.

    Parameters
    ----------
    chain : MarkovChain or ContinuousChain
        A fitted chain (steps, or time for a continuous chain).
    stages : sequence of str, optional
        The stages shown (default: every transient stage).
    quantiles : sequence of float
        Quantiles of the time to close marked on each curve.
    horizon : float, optional
        Where the curves end (default: the largest 99 % quantile).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.lines[i] is the i-th stage's CDF.
    """
    f = time_to_close_frame(chain, stages, quantiles, horizon)
    ax = axes(ax)
    xname = "k" if "k" in f.columns else "t"
    qs = f.attrs["quantiles"]
    lines = []
    for s, part in f.groupby("stage", sort=False):
        (line,) = ax.plot(part[xname].to_numpy(), part["cdf"].to_numpy(), label=str(s),
                          drawstyle="steps-post" if xname == "k" else "default", **kw)
        lines.append(line)
    for line, s in zip(lines, qs):
        for c, v in qs[s].items():
            ax.plot([v], [float(c[1:]) / 100], marker="o", ms=4, color=line.get_color(), ls="none")
    for c in next(iter(qs.values())):
        ax.axhline(float(c[1:]) / 100, color="grey", lw=0.6, ls=":")
    unit = _UNIT_WORDS.get(f.attrs["unit"], f.attrs["unit"])
    ax.set(xlabel=f"{unit} until won or lost", ylabel="P(closed)", ylim=(0, 1.02),
           title="Time to close (dots: quantiles " + ", ".join(c[1:] + "%" for c in next(iter(qs.values()))) + ")")
    ax.legend(title="from stage", fontsize=8)
    return cast("Axes", ax)


def bottlenecks_frame(result: Any, top: int = 10, value: str = "gain_10pct") -> pd.DataFrame:
    """The ranking behind :func:`bottlenecks`.

    Parameters
    ----------
    result : DataFrame or MarkovChain
        A chain's ``bottlenecks()`` table (columns ``from``, ``to`` and ``value``), or
        the chain itself.
    top : int
        Number of rows kept (the table's first ``top``).
    value : str
        The column ranked and drawn: ``"gain_10pct"`` (the first-order change when the
        step gets 10 % better) or another column of the table, e.g. the exact
        ``what_if`` gain a report adds.

    Returns
    -------
    DataFrame
        Indexed by a ``transition`` label ``"from -> to"``: ``from``, ``to``,
        ``probability``, ``elasticity``, ``gain_10pct`` (those present) and ``value``.
    """
    from ..funnel import MarkovChain

    if isinstance(result, MarkovChain):
        result = result.bottlenecks()
    df = require_frame(result, "bottlenecks result")
    for c in ("from", "to", value):
        if c not in df.columns:
            raise InputTypeError(f"bottlenecks result has no {c!r} column: pass chain.bottlenecks()")
    df = df.head(int(top))
    labels = [f"{a} -> {b}" for a, b in zip(df["from"], df["to"])]  # the top rows only
    out = df.set_index(pd.Index(labels, name="transition"))
    return out[list(dict.fromkeys(c for c in ("from", "to", "probability", "elasticity", "gain_10pct", value)
                                  if c in out.columns))]


def bottlenecks(result: Any, top: int = 10, value: str = "gain_10pct", *, ax: Any = None, **kw: Any) -> "Axes":
    """Plot the bottleneck ranking: one horizontal bar per transition, largest first.

    Parameters
    ----------
    result : DataFrame or MarkovChain
        As in :func:`bottlenecks_frame`.
    top : int
        Number of transitions drawn.
    value : str
        The column drawn (default ``"gain_10pct"``, the first-order change of the
        figure when that step gets 10 % better).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to ``barh``.

    Returns
    -------
    matplotlib Axes
        ``ax.containers[0]`` holds the bars, in the table's order.
    """
    f = bottlenecks_frame(result, top, value)
    ax = axes(ax, (7.0, 1.0 + 0.4 * len(f)))
    g = f[value].to_numpy(dtype=np.float64)
    kw.setdefault("color", np.where(g >= 0, "tab:green", "tab:red"))
    y = np.arange(len(f))[::-1]
    ax.barh(y, g, **kw)
    ax.set_yticks(y, list(f.index))
    ax.axvline(0, color="black", lw=0.8)
    for yi, gi in zip(y, g):
        ax.text(gi, yi, f" {gi:+.3g} ", va="center", ha="left" if gi >= 0 else "right", fontsize=8)
    lo, hi = min(0.0, float(g.min())), max(0.0, float(g.max()))
    pad = 0.25 * (hi - lo or 1.0)
    ax.set_xlim(lo - (pad if lo < 0 else 0), hi + pad)
    ax.set(xlabel="change in the figure if the step gets 10% better", title="Bottlenecks")
    return cast("Axes", ax)
