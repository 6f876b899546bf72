"""Target allocation: split a target over a hierarchy (product, region, month, ...) in
proportion to weights (past results x a seasonal index x a market index, or any other),
with integer-exact splits of counts that stay consistent at every level.

>>> import pandas as pd, funnelnet as fn
>>> w = pd.Series([5.0, 3.0, 2.0, 2.0], index=pd.MultiIndex.from_tuples(
...     [("A", "north"), ("A", "south"), ("B", "north"), ("B", "south")], names=["product", "region"]))
>>> fn.pipeline.allocate_target(10, w, integer=True).tolist()
[4, 3, 2, 1]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError

__all__ = ["allocate_target"]


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers summing to ``total``, each the floor or the ceiling of its quota
    total * w / sum(w) (Hamilton's method; ties to the earlier row)."""
    s = weights.sum()
    if s <= 0:
        raise InvalidArgumentError("weights sum to zero: nothing to split the target by")
    quota = total * weights / s
    base = np.floor(quota).astype(np.int64)
    left = int(total - base.sum())
    order = np.lexsort((np.arange(len(quota)), -(quota - base)))
    base[order[:left]] += 1
    out: np.ndarray = base
    return out


def allocate_target(target: float, weights: Any, *, integer: bool = False) -> pd.Series:
    """Split ``target`` over the rows of ``weights`` in proportion to them.

    Parameters
    ----------
    target : float
        The total to split (>= 0; an integer when ``integer``).
    weights : Series
        Non-negative weights, one per cell; a MultiIndex (e.g. product x region x month)
        makes the split hierarchical: each level's totals are split in turn, so every
        partial sum is itself a split of its parent.
    integer : bool
        Integer-exact split (counts): every level's parts are integers summing exactly
        to their parent, each the floor or ceiling of its proportional quota (largest
        remainder).  Otherwise the exact proportional split.

    Returns
    -------
    Series
        The allocation, labelled like ``weights``.

    Raises
    ------
    InvalidArgumentError
        A negative or NaN weight (naming the row), a negative target, a non-integer
        target with ``integer=True``, weights summing to zero.
    """
    w = pd.Series(weights, copy=False)
    vals = w.to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(vals) | (vals < 0))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"weight of row {r} ({w.index[r]!r}) must be finite and >= 0, got {vals[r]!r}")
    if not (np.isfinite(target) and target >= 0):
        raise InvalidArgumentError(f"target must be finite and >= 0, got {target!r}")
    if vals.sum() <= 0:
        raise InvalidArgumentError("weights sum to zero: nothing to split the target by")
    if not integer:
        return pd.Series(target * vals / vals.sum(), index=w.index, name="target")
    if float(target) != int(target):
        raise InvalidArgumentError(f"target must be an integer for an integer split, got {target!r}")
    nlev = w.index.nlevels
    codes = [pd.factorize(w.index.get_level_values(k))[0] for k in range(nlev)] if nlev > 1 else [np.arange(len(w))]
    out = np.zeros(len(w), dtype=np.int64)

    def split(rows: np.ndarray, total: int, level: int) -> None:
        if level == nlev - 1:
            out[rows] = _largest_remainder(total, vals[rows]) if vals[rows].sum() > 0 else 0
            return
        keys, grp = np.unique(codes[level][rows], return_inverse=True)
        sums = np.bincount(grp, weights=vals[rows], minlength=len(keys))
        parts = _largest_remainder(total, sums)
        for g in range(len(keys)):
            split(rows[grp == g], int(parts[g]), level + 1)

    split(np.arange(len(w)), int(target), 0)
    return pd.Series(out, index=w.index, name="target")
