"""Charts of a score against binary outcomes: ROC, cumulative gain and lift, calibration,
and the capacity curve (won value of a ranking as the team's capacity grows)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, cast

import numpy as np
import pandas as pd

from ..errors import EmptyInputError, InvalidArgumentError, ShapeError
from ._mpl import axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["roc", "roc_frame", "lift_gain", "lift_gain_frame", "calibration", "calibration_frame",
           "capacity_curve", "capacity_curve_frame"]


def _labels_scores(y: Any, score: Any, what: str = "score") -> tuple[np.ndarray, np.ndarray]:
    """(y as 0/1 int, score as float) with typed errors naming the bad row."""
    yy = np.asarray(y)
    s = np.asarray(score, dtype=np.float64)
    if yy.ndim != 1 or s.ndim != 1:
        raise ShapeError(f"y and {what} must be 1-d, got shapes {yy.shape} and {s.shape}")
    if len(yy) != len(s):
        raise ShapeError(f"y has {len(yy)} rows but {what} has {len(s)}")
    if len(yy) == 0:
        raise EmptyInputError(f"y and {what} are empty: nothing to plot")
    if yy.dtype == bool:
        yy = yy.astype(np.int64)
    try:
        yf = yy.astype(np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"y must hold 0/1 outcomes, got {yy[0].tolist()!r} at row 0") from None
    bad = np.flatnonzero((yf != 0) & (yf != 1))
    if bad.size:
        raise InvalidArgumentError(f"y must hold 0/1 outcomes, got {yy[bad[0]].tolist()!r} at row {int(bad[0])}")
    bad = np.flatnonzero(~np.isfinite(s))
    if bad.size:
        raise InvalidArgumentError(f"{what} must be finite, got {float(s[bad[0]])} at row {int(bad[0])}")
    return yf.astype(np.int64), s


def _both_classes(y: np.ndarray) -> None:
    if y.min() == y.max():
        raise InvalidArgumentError(f"y holds only {'positives' if y[0] else 'negatives'}: the curve needs both outcomes")


def roc_frame(y: Any, score: Any) -> pd.DataFrame:
    """The ROC curve: one row per distinct score threshold (highest first), after a
    first row at threshold +inf (nothing predicted positive).

    Columns ``threshold``, ``fpr``, ``tpr``; ``attrs["auc"]`` is the area under the
    curve (trapezoids).  The points are those of
    ``sklearn.metrics.roc_curve(y, score, drop_intermediate=False)``.

    Parameters
    ----------
    y : array-like
        The 0/1 outcomes.
    score : array-like
        The scores, higher meaning more likely positive.

    Returns
    -------
    DataFrame
        threshold, fpr, tpr, one row per distinct threshold after a first row at +inf;
        attrs['auc'].

    Examples
    --------
    >>> import funnelnet as fn
    >>> f = fn.plot.roc_frame([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> f[["fpr", "tpr"]].to_numpy().tolist(), f.attrs["auc"]
    ([[0.0, 0.0], [0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [1.0, 1.0]], 0.75)
    """
    yy, s = _labels_scores(y, score)
    _both_classes(yy)
    order = np.argsort(-s, kind="mergesort")
    s, yy = s[order], yy[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]  # last row of each distinct score
    tps = np.cumsum(yy)[last].astype(np.float64)
    fps = (last + 1) - tps
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    out = pd.DataFrame({"threshold": np.r_[np.inf, s[last]], "fpr": fpr, "tpr": tpr})
    out.attrs["auc"] = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return out


def roc(y: Any, score: Any, *, ax: Any = None, label: str | None = None, **kw: Any) -> "Axes":
    """Plot the ROC curve of ``score`` against the 0/1 outcomes ``y`` (see :func:`roc_frame`),
    with the chance diagonal; the legend gives the AUC.  Returns the Axes.

    Parameters
    ----------
    y : array-like
        The 0/1 outcomes.
    score : array-like
        The scores, higher meaning more likely positive.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    label : str, optional
        The curve's name in the legend.
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        The curve is ax.lines[0] (later curves on the same ax follow the chance line).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import funnelnet as fn
    >>> ax = fn.plot.roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> ax.lines[0].get_ydata().tolist()
    [0.0, 0.5, 0.5, 1.0, 1.0]
    """
    f = roc_frame(y, score)
    ax = axes(ax, (5.0, 5.0))
    name = f"{label or 'score'} (AUC = {f.attrs['auc']:.3f})"
    ax.plot(f["fpr"].to_numpy(), f["tpr"].to_numpy(), label=name, **kw)
    if not any(line.get_label() == "chance" for line in ax.lines):  # once when several scores share ax
        ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", xlim=(0, 1), ylim=(0, 1.01), title="ROC curve")
    ax.set_aspect("equal")
    ax.legend(loc="lower right")
    return cast("Axes", ax)


def _one_lift_gain(yy: np.ndarray, s: np.ndarray, bins: int) -> pd.DataFrame:
    bins = min(int(bins), len(yy))
    order = np.argsort(-s, kind="mergesort")
    yy = yy[order]
    edges = np.floor(np.linspace(0, len(yy), bins + 1)).astype(np.int64)
    cum = np.r_[0, np.cumsum(yy)]
    found = cum[edges[1:]].astype(np.float64)
    pop = edges[1:] / len(yy)
    gain = found / cum[-1]
    size = np.diff(edges)
    return pd.DataFrame({"population": pop, "gain": gain, "lift": gain / pop,
                         "response": np.diff(np.r_[0.0, found]) / size},
                        index=pd.RangeIndex(1, bins + 1, name="group"))


def lift_gain_frame(y: Any, score: Any, bins: int = 10) -> pd.DataFrame:
    """Cumulative gain and lift by score quantile.

    Rows sorted by score (highest first, ties in input order) are cut into ``bins``
    groups of (nearly) equal size.

    Parameters
    ----------
    y : array-like
        The 0/1 outcomes.
    score : array-like or mapping
        The scores (higher = more likely positive), or ``{name: scores}`` to compare
        several scorers on the same outcomes.
    bins : int
        Number of groups.

    Returns
    -------
    DataFrame
        One row per group (``group`` 1 = the best scored): ``population`` (share of
        rows in groups 1..g), ``gain`` (share of all positives found there), ``lift``
        (gain / population, 1 = no better than random) and ``response`` (positive rate
        within the group).  With a mapping the index is (``scorer``, ``group``).

    Examples
    --------
    >>> import funnelnet as fn
    >>> fn.plot.lift_gain_frame([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], bins=2)["gain"].tolist()
    [0.5, 1.0]
    """
    if int(bins) < 1:
        raise InvalidArgumentError(f"bins must be >= 1, got {bins}")
    if isinstance(score, Mapping):
        if not score:
            raise EmptyInputError("no scores given: nothing to plot")
        return pd.concat({str(k): lift_gain_frame(y, v, bins) for k, v in score.items()}, names=["scorer", "group"])
    yy, s = _labels_scores(y, score)
    if yy.sum() == 0:
        raise InvalidArgumentError("y has no positives: gain and lift are undefined")
    return _one_lift_gain(yy, s, int(bins))


def lift_gain(y: Any, score: Any, bins: int = 10, *, ax: Any = None, lift: bool = True, **kw: Any) -> "Axes":
    """Plot the cumulative gain curve and the lift per score quantile.

    Parameters
    ----------
    y : array-like
        The 0/1 outcomes.
    score : array-like or mapping
        The scores, or ``{name: scores}``: one gain (and lift) line per scorer.
    bins : int
        Number of score groups (:func:`lift_gain_frame`).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    lift : bool
        Draw the lift per group on a right axis (``ax.right_ax``).
    **kw
        Passed to the gain lines' ``plot``.

    Returns
    -------
    matplotlib Axes
        The Axes of the gain curves (``ax.lines[i]`` for the i-th scorer, then the
        random baseline); the lift is on ``ax.right_ax``.
    """
    f = lift_gain_frame(y, score, bins)
    frames = {str(k): f.loc[k] for k in f.index.get_level_values(0).unique()} if isinstance(score, Mapping) \
        else {"cumulative gain": f}
    ax = axes(ax)
    right = ax.twinx() if lift else None
    for name, g in frames.items():
        x = np.r_[0.0, g["population"].to_numpy()] * 100
        (line,) = ax.plot(x, np.r_[0.0, g["gain"].to_numpy()] * 100, marker="o", label=name, **kw)
        if right is not None:
            right.plot(x[1:], g["lift"].to_numpy(), marker="s", ls=":" if len(frames) > 1 else "-",
                       color=line.get_color() if len(frames) > 1 else "tab:orange",
                       label=f"lift ({name})" if len(frames) > 1 else "lift")
    ax.plot([0, 100], [0, 100], ls="--", color="grey", lw=1, label="random")
    ax.set(xlabel="rows worked, best scored first (%)", ylabel="positives found (%)", xlim=(0, 100),
           ylim=(0, 101), title="Cumulative gain and lift" if lift else "Cumulative gain")
    h1, l1 = ax.get_legend_handles_labels()
    if right is not None:
        right.axhline(1.0, color="grey", lw=0.8, ls=":")
        right.set_ylabel("lift (x random)")
        right.set_ylim(0, max(1.1, float(f["lift"].max()) * 1.1))
        h2, l2 = right.get_legend_handles_labels()
        h1, l1 = h1 + h2, l1 + l2
        ax.right_ax = right
    ax.legend(h1, l1, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)
    return cast("Axes", ax)


def calibration_frame(y: Any, prob: Any, n_bins: int = 10, strategy: str = "uniform") -> pd.DataFrame:
    """Reliability table: predicted probabilities cut into ``n_bins`` bins (``"uniform"``
    widths on [0, 1], or ``"quantile"`` bins of equal counts), one row per non-empty bin:
    ``mean_predicted``, ``fraction_positive`` and ``count``.  The points are those of
    ``sklearn.calibration.calibration_curve`` with the same arguments.

    Parameters
    ----------
    y : array-like
        The 0/1 outcomes.
    prob : array-like
        Predicted probabilities in [0, 1].
    n_bins : int
        Number of bins.
    strategy : {'uniform', 'quantile'}
        Bins of equal width on [0, 1] or of equal counts.

    Returns
    -------
    DataFrame
        One row per non-empty bin: mean_predicted, fraction_positive, count.
    """
    yy, p = _labels_scores(y, prob, "prob")
    bad = np.flatnonzero((p < 0) | (p > 1))
    if bad.size:
        raise InvalidArgumentError(f"prob must be in [0, 1], got {p[bad[0]]:g} at row {int(bad[0])}")
    if int(n_bins) < 1:
        raise InvalidArgumentError(f"n_bins must be >= 1, got {n_bins}")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    elif strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 100, int(n_bins) + 1))
    else:
        raise InvalidArgumentError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
    ids = np.searchsorted(edges[1:-1], p)
    count = np.bincount(ids, minlength=len(edges) - 1)
    psum = np.bincount(ids, weights=p, minlength=len(edges) - 1)
    tsum = np.bincount(ids, weights=yy, minlength=len(edges) - 1)
    keep = count > 0
    return pd.DataFrame({"mean_predicted": psum[keep] / count[keep], "fraction_positive": tsum[keep] / count[keep],
                         "count": count[keep]}, index=pd.Index(np.flatnonzero(keep), name="bin"))


def calibration(y: Any, prob: Any, n_bins: int = 10, strategy: str = "uniform", *, ax: Any = None,
                label: str | None = None, **kw: Any) -> "Axes":
    """Plot the reliability diagram of :func:`calibration_frame` (fraction of positives
    against the mean predicted probability per bin, with the diagonal of perfect
    calibration).  Returns the Axes.

    Parameters
    ----------
    y : array-like
        The 0/1 outcomes.
    prob : array-like
        Predicted probabilities in [0, 1].
    n_bins : int
        Number of bins.
    strategy : {'uniform', 'quantile'}
        Bins of equal width on [0, 1] or of equal counts.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    label : str, optional
        The curve's name in the legend.
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.lines[0] is the diagonal, ax.lines[1] the curve.
    """
    f = calibration_frame(y, prob, n_bins, strategy)
    ax = axes(ax, (5.0, 5.0))
    if not any(line.get_label() == "perfectly calibrated" for line in ax.lines):
        ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfectly calibrated")
    ax.plot(f["mean_predicted"].to_numpy(), f["fraction_positive"].to_numpy(), marker="o", label=label or "model", **kw)
    ax.set(xlabel="mean predicted probability", ylabel="fraction of positives", xlim=(0, 1), ylim=(0, 1.01),
           title="Calibration")
    ax.set_aspect("equal")
    ax.legend(loc="upper left")
    return cast("Axes", ax)


def capacity_curve_frame(scores: Mapping[str, Any], probability: Any, value: Any = None, *,
                         capacities: Any = None, decay: float = 0.0, periods: int = 1) -> pd.DataFrame:
    """Expected won value of each scorer's ranking, and of the oracle's, at each capacity
    (leads worked per period): :func:`funnelnet.scoring.capacity_value` once per capacity.

    Parameters
    ----------
    scores : mapping name -> array-like
        Each scorer's score per lead.
    probability : array-like
        True win probability per lead (the synthetic company's ground truth, or held-out
        0/1 outcomes).
    value : array-like, optional
        Deal value per lead (default 1: expected wins).
    capacities : array-like of int, optional
        Capacities to evaluate (default: 20 values from 1 to the number of leads).
    decay : float, default 0.0
        Share of the win probability lost per period of waiting.
    periods : int, default 1
        Periods simulated (1: the leads worked are the top ``capacity`` ones).

    Returns
    -------
    DataFrame
        Indexed by ``capacity``; one column per scorer, then ``oracle``.

    Examples
    --------
    >>> capacity_curve_frame({"s": [0.9, 0.1, 0.5]}, [0.8, 0.1, 0.4], capacities=[1, 2]).round(2).values.tolist()
    [[0.8, 0.8], [1.2, 1.2]]
    """
    from ..scoring.experiments import capacity_value

    n = int(np.asarray(probability).shape[0]) if np.ndim(probability) == 1 else 0
    if n == 0:
        raise EmptyInputError("probability is empty or not 1-d: nothing to plot")
    if capacities is None:
        caps = np.unique(np.linspace(1, n, 20).astype(np.int64))
    else:
        caps = np.asarray(capacities, dtype=np.int64).reshape(-1)
        if caps.size == 0:
            raise EmptyInputError("capacities is empty: nothing to plot")
    rows = [capacity_value(scores, probability, value, capacity=int(c), decay=decay, periods=periods)["won_value"]
            for c in caps]
    frame = pd.DataFrame(rows, index=pd.Index(caps, name="capacity"))
    frame.columns.name = None
    return frame


def capacity_curve(scores: Mapping[str, Any], probability: Any, value: Any = None, *, capacities: Any = None,
                   decay: float = 0.0, periods: int = 1, ax: Any = None, **kw: Any) -> "Axes":
    """Plot :func:`capacity_curve_frame`: won value against capacity, one line per scorer
    and a dashed line for the oracle ranking.  Returns the Axes.

    Parameters
    ----------
    scores : mapping name -> array-like
        Each scorer's score per lead.
    probability : array-like
        True win probability (or held-out 0/1 outcome) per lead.
    value : array-like, optional
        Deal value per lead (default 1).
    capacities : array-like of int, optional
        Capacities to evaluate (default: 20 values from 1 to the number of leads).
    decay : float, default 0.0
        Share of the win probability lost per period of waiting.
    periods : int, default 1
        Periods simulated.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to each scorer's line.

    Returns
    -------
    matplotlib Axes
        One line per scorer in the order given, then the oracle's.
    """
    f = capacity_curve_frame(scores, probability, value, capacities=capacities, decay=decay, periods=periods)
    ax = axes(ax, (6.0, 4.0))
    x = f.index.to_numpy()
    for name in f.columns:
        if name == "oracle":
            continue
        ax.plot(x, f[name].to_numpy(), marker=".", label=str(name), **kw)
    ax.plot(x, f["oracle"].to_numpy(), ls="--", color="grey", label="oracle (true probability)")
    ax.set(xlabel="leads worked per period", ylabel="expected won value", title="Capacity curve")
    ax.legend(loc="lower right")
    return cast("Axes", ax)

