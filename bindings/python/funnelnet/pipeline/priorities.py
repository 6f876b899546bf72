"""Capacity-aware priorities: which opportunities to work this period.

The team can work ``capacity`` opportunities per period (the seeds' case: 240 prospects,
50 visits a week).  Working opportunity *i* raises its win probability from ``p_i`` to
``min(1, p_i + uplift_i)``, so it adds ``gain_i = amount_i x (min(1, p_i + uplift_i) -
p_i)`` of expected won revenue.  :func:`prioritise` picks the set that maximises the
expected won revenue:

- every opportunity takes one unit of capacity: the ``capacity`` largest gains (exact;
  ties broken by the input order);
- opportunities take an integer ``effort`` (visits each needs): a 0/1 knapsack solved
  exactly by dynamic programming over the capacity (``O(n x capacity)`` memory and time).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._common.convert import require_columns
from .._common.results import Result, result
from ..errors import InvalidArgumentError


def _label(v: Any) -> Any:
    """A numpy scalar as the Python value (for messages)."""
    return v.item() if isinstance(v, np.generic) else v


__all__ = ["Priorities", "prioritise"]


@result
class Priorities(Result):
    """The opportunities to work this period.

    Attributes
    ----------
    table : DataFrame
        One row per opportunity (indexed by its id): ``amount``, ``p_won``, ``uplift``,
        ``effort``, ``gain`` (expected won revenue added by working it), ``chosen`` and
        ``rank`` (1 = largest gain; ties by input order).
    chosen : Index
        The ids of the opportunities to work, by decreasing gain.
    expected_revenue : float
        Expected won revenue when the chosen ones are worked.
    baseline_revenue : float
        Expected won revenue when none is worked.
    gain : float
        ``expected_revenue - baseline_revenue``.
    capacity, used : int
        Capacity per period and the part the chosen set uses.
    method : str
        "greedy" (unit effort) or "knapsack".
    """

    table: pd.DataFrame
    chosen: pd.Index
    expected_revenue: float
    baseline_revenue: float
    gain: float
    capacity: int
    used: int
    method: str

    def _table(self) -> pd.DataFrame:
        return self.table.copy()


def _column_or_scalar(df: pd.DataFrame, x: Any, name: str) -> np.ndarray:
    if isinstance(x, str):
        require_columns(df, {name: x})
        return np.asarray(df[x], dtype=np.float64)
    return np.full(len(df), float(x), dtype=np.float64)


def _check(v: np.ndarray, ids: np.ndarray, name: str, lo: float, hi: float) -> None:
    bad = np.flatnonzero(~np.isfinite(v) | (v < lo) | (v > hi))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (opportunity {_label(ids[r])!r}): {name} must be in [{lo:g}, {hi:g}], "
                                   f"got {v[r]!r}")


def _knapsack(gain: np.ndarray, effort: np.ndarray, capacity: int) -> np.ndarray:
    """Exact 0/1 knapsack by dynamic programming: a boolean mask of the chosen items
    (vectorised over the capacity, one pass per item)."""
    n = len(gain)
    best = np.zeros(capacity + 1)
    take = np.zeros((n, capacity + 1), dtype=bool)
    for i in range(n):  # the items are sequential in the recursion; each pass is vectorised
        w = int(effort[i])
        if w > capacity or gain[i] <= 0:
            continue
        cand = np.full(capacity + 1, -np.inf)
        cand[w:] = best[:capacity + 1 - w] + gain[i]
        better = cand > best
        take[i] = better
        best = np.where(better, cand, best)
    chosen = np.zeros(n, dtype=bool)
    c = capacity
    for i in range(n - 1, -1, -1):  # trace back
        if take[i, c]:
            chosen[i] = True
            c -= int(effort[i])
    return chosen


def prioritise(df: pd.DataFrame, capacity: int, *, opportunity: str = "opportunity", amount: str = "amount",
               p_won: str = "p_won", uplift: str | float = "uplift", effort: str | int | None = None) -> Priorities:
    """Choose the opportunities to work this period to maximise expected won revenue.

    Parameters
    ----------
    df : DataFrame
        One row per opportunity: its id, ``amount``, ``p_won`` (P(won) if not worked,
        e.g. ``p_won_horizon`` of :func:`forecast`) and, if ``uplift`` names a column,
        the uplift of working it.
    capacity : int
        How many units of work the team has this period (>= 0).
    opportunity, amount, p_won : str
        Column names.
    uplift : str or float
        Column name, or one value for every opportunity: the rise in P(won) from
        working it (in [0, 1]; P(won) is capped at 1).
    effort : str or int, optional
        Column name (or one value) of the integer units of capacity an opportunity
        takes; default 1 each (then the largest gains are taken, exactly).

    Returns
    -------
    Priorities

    Raises
    ------
    InvalidArgumentError
        Naming the row: an amount negative or NaN, a probability or uplift outside
        [0, 1], an effort not a positive integer; a negative capacity.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> deals = pd.DataFrame({"opportunity": ["a", "b", "c"], "amount": [100.0, 500.0, 300.0],
    ...                       "p_won": [0.5, 0.2, 0.9], "uplift": [0.2, 0.1, 0.2]})
    >>> r = fn.pipeline.prioritise(deals, capacity=2)
    >>> list(r.chosen), round(r.gain, 1)
    (['b', 'c'], 80.0)
    """
    if not isinstance(capacity, (int, np.integer)) or isinstance(capacity, bool) or capacity < 0:
        raise InvalidArgumentError(f"capacity must be an integer >= 0, got {capacity!r}")
    capacity = int(capacity)
    require_columns(df, {"opportunity": opportunity, "amount": amount, "p_won": p_won})
    ids = df[opportunity].to_numpy()
    amt = np.asarray(df[amount], dtype=np.float64)
    p = np.asarray(df[p_won], dtype=np.float64)
    up = _column_or_scalar(df, uplift, "uplift")
    _check(amt, ids, "amount", 0.0, np.inf)
    _check(p, ids, "p_won", 0.0, 1.0)
    _check(up, ids, "uplift", 0.0, 1.0)
    unit = effort is None
    eff = np.ones(len(df)) if unit else _column_or_scalar(df, effort, "effort")
    bad = np.flatnonzero(~np.isfinite(eff) | (eff < 1) | (eff != np.round(eff)))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (opportunity {_label(ids[r])!r}): effort must be an integer >= 1, "
                                   f"got {eff[r]!r}")
    eff = eff.astype(np.int64)
    gain = amt * (np.minimum(1.0, p + up) - p)
    order = np.argsort(-gain, kind="stable")
    rank = np.empty(len(df), dtype=np.int64)
    rank[order] = np.arange(1, len(df) + 1)
    if unit or np.all(eff == 1):
        chosen = np.zeros(len(df), dtype=bool)
        chosen[order[:capacity]] = gain[order[:capacity]] > 0
        method = "greedy"
    else:
        chosen = _knapsack(gain, eff, capacity)
        method = "knapsack"
    table = pd.DataFrame({"amount": amt, "p_won": p, "uplift": up, "effort": eff, "gain": gain, "chosen": chosen,
                          "rank": rank}, index=pd.Index(ids, name=opportunity))
    picked = order[chosen[order]]
    base = float((amt * p).sum())
    g = float(gain[chosen].sum())
    return Priorities(table=table, chosen=pd.Index(ids[picked], name=opportunity), expected_revenue=base + g,
                      baseline_revenue=base, gain=g, capacity=capacity, used=int(eff[chosen].sum()), method=method)
