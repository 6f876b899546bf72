"""Sales views of any score vector: the CRM-style 1-99 lead score and priority tiers.

Both are C++ (``funnelnet::score_1_99``, ``funnelnet::priority_tiers``; C ABI
``fnet_scoring_score_1_99`` / ``fnet_scoring_priority_tiers``), so every binding gives the
same numbers; :meth:`LeadScorer.score_1_99` and :meth:`LeadScorer.tiers` call them.

>>> import numpy as np, funnelnet as fn
>>> fn.scoring.score_1_99([0.0, 0.004, 0.125, 0.5, 1.0]).tolist()
[1, 1, 12, 50, 99]
>>> fn.scoring.priority_tiers([0.9, 0.2, 0.5, 0.5, 0.1], shares=(0.2, 0.4, 0.4)).tolist()
['A', 'C', 'B', 'B', 'C']
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from ..errors import InvalidArgumentError
from ._shared import as_vector

__all__ = ["score_1_99", "priority_tiers"]


def _index(values: Any, n: int, index: Any) -> pd.Index:
    """The index of the result: ``index``, a Series' index, else row numbers."""
    if index is None:
        index = values.index if isinstance(values, pd.Series) else pd.RangeIndex(n)
    out: pd.Index = pd.Index(index)
    return out


def score_1_99(p: Any, *, index: Any = None) -> pd.Series:
    """The CRM-style lead score of probabilities: ``round(100 p)`` clipped to 1..99.

    Halves round to even (numpy's ``rint``): 0.125 scores 12, 0.135 scores 14.

    Parameters
    ----------
    p : array-like or Series of shape (n,)
        Probabilities, each finite and in [0, 1].
    index : array-like, optional
        Index of the result (default: ``p``'s index when a Series, else row numbers).

    Returns
    -------
    Series of int64
        Named ``score``.

    Raises
    ------
    InvalidArgumentError
        A probability outside [0, 1] or NaN, naming its row.

    Examples
    --------
    >>> score_1_99([0.2, 0.996]).tolist()
    [20, 99]
    """
    v = as_vector(p, "p")
    return pd.Series(_core.scoring.score_1_99(v).astype(np.int64), index=_index(p, v.shape[0], index), name="score")


def priority_tiers(score: Any, shares: Sequence[float] = (0.1, 0.3, 0.6),
                   labels: Sequence[str] = ("A", "B", "C"), *, index: Any = None) -> pd.Series:
    """Priority tiers by rank of a score: the top ``shares[0]`` of the rows get
    ``labels[0]``, the next ``shares[1]`` ``labels[1]``, and so on.

    With ``n`` rows ranked by score (highest first, ties by row order), the rows at ranks
    ``[round(n S_{t-1}), round(n S_t))`` get tier ``t``, ``S_t`` the cumulative shares
    (halves to even).  A/B/C 10/30/60 % by default; quartiles are
    ``shares=(0.25,) * 4, labels=("Q1", "Q2", "Q3", "Q4")``.

    Parameters
    ----------
    score : array-like or Series of shape (n,)
        Any score (probability, log-odds, 1-99 score); NaN refused.
    shares : sequence of float, default (0.1, 0.3, 0.6)
        Share of the rows in each tier, best first: each >= 0, summing to 1.
    labels : sequence of str, default ("A", "B", "C")
        Tier names, best first, one per share.
    index : array-like, optional
        Index of the result (default: ``score``'s index when a Series, else row numbers).

    Returns
    -------
    Series
        Named ``tier``: an ordered categorical, best tier first.

    Raises
    ------
    InvalidArgumentError
        Shares and labels of different lengths, a negative share, shares not summing to
        1, a NaN score.

    Examples
    --------
    >>> priority_tiers([3.0, 1.0, 2.0, 0.0], shares=(0.25,) * 4, labels=("Q1", "Q2", "Q3", "Q4")).tolist()
    ['Q1', 'Q3', 'Q2', 'Q4']
    """
    s = as_vector(score, "score")
    sh = np.ascontiguousarray(shares, dtype=np.float64)
    names = list(labels)
    if sh.ndim != 1 or sh.shape[0] != len(names):
        raise InvalidArgumentError(f"shares ({sh.size} values) and labels ({len(names)} names) must have one "
                                   f"entry per tier, got shares {tuple(np.atleast_1d(sh).tolist())}")
    codes = _core.scoring.priority_tiers(s, sh)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(names), ordered=True),
                     index=_index(score, s.shape[0], index), name="tier")
