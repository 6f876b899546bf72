"""ABC grading of customers: weighted scores with thresholds, quantile mixes, or Pareto
value shares."""
from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import require_columns
from ..errors import InputTypeError, InvalidArgumentError, ShapeError, UnknownLabelError
from ._shared import f64

__all__ = ["grade", "STANDARD_CRITERIA"]

_c = _core.customers

#: The seven grading criteria of the sales texts (suggested column names).
STANDARD_CRITERIA = ("credit", "loyalty", "dependence", "influence", "deal_value", "difficulty", "distance")

_NORMALIZE = {"none": 0, "minmax": 1, "zscore": 2}
#: ``normalize=`` values (keys of _NORMALIZE).
Normalize = Literal["none", "minmax", "zscore"]
#: ``grade(mode=)`` values.
GradeMode = Literal["score", "mix", "value"]


def _criteria_spec(criteria: Any) -> list[tuple[str, float, int]]:
    if criteria is None:
        raise InvalidArgumentError("give criteria: a list of column names or {name: weight or (weight, direction)}")
    items = criteria.items() if isinstance(criteria, Mapping) else ((c, 1.0) for c in criteria)
    spec = []
    for name, w in items:
        direction = 1
        if isinstance(w, tuple):
            w, direction = w
        if isinstance(direction, str):
            if direction not in ("higher", "lower"):
                raise InvalidArgumentError(f"criterion {name!r}: direction must be 'higher' or 'lower', got {direction!r}")
            direction = 1 if direction == "higher" else -1
        try:
            w = float(w)
        except (ValueError, TypeError):
            raise InputTypeError(f"criterion {name!r}: the weight must be a number, got {w!r}") from None
        spec.append((str(name), w, int(direction)))
    return spec


def _require_numeric(col: pd.Series, what: str) -> None:
    """InputTypeError naming the first row (by ``df``'s index label) that is not a number."""
    if col.dtype.kind in "biuf":
        return
    num = pd.to_numeric(col, errors="coerce")
    bad = np.flatnonzero(num.isna().to_numpy() & col.notna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise InputTypeError(f"{what}: row {col.index[i]!r} is {col.iloc[i]!r}, not a number "
                             f"(criteria must be numeric columns; got dtype {col.dtype})")


def grade(df: pd.DataFrame, *, mode: GradeMode = "score", criteria: Any = None, thresholds: Any = None,
          mix: Sequence[float] = (1, 3, 6), value: str | None = None, cutoffs: Sequence[float] = (0.8, 0.95),
          tiers: Sequence[str] | None = None, group: str | None = None, normalize: Normalize = "minmax") -> pd.DataFrame:
    """ABC-grade customers (one row each of ``df``).

    Modes:

    - ``"score"``: weighted score over ``criteria`` (``{column: weight}`` or
      ``{column: (weight, "higher" | "lower")}``), normalised per ``normalize``
      ('minmax', 'zscore', 'none'); ``thresholds`` lists the score cut-offs from the best
      tier down, or ``{group label: [...]}`` with ``group`` naming a column (region,
      industry) whose standards differ.
    - ``"mix"``: the same score, cut into quantile groups of relative sizes ``mix``
      (1:3:6 by default), within each ``group`` if given.
    - ``"value"``: Pareto grading by cumulative share of the ``value`` column at
      ``cutoffs`` (0.8, 0.95).

    Parameters
    ----------
    df : DataFrame
        One row per customer, with the criteria (and ``value`` / ``group``) columns.
    mode : {"score", "mix", "value"}
        How tiers are cut (see above).
    criteria : mapping, optional
        ``{column: weight}`` or ``{column: (weight, "higher" | "lower")}`` (modes
        ``"score"`` and ``"mix"``); "lower" means a smaller value is better (distance,
        days overdue).  Criteria columns must be numeric.
    thresholds : sequence of float or mapping, optional
        Mode ``"score"``: score cut-offs from the best tier down (k cut-offs give k + 1
        tiers; a score >= the first cut-off is tier A), or ``{group label: [...]}`` with
        ``group``.
    mix : sequence of float
        Mode ``"mix"``: relative tier sizes, best tier first.
    value : str, optional
        Mode ``"value"``: the column whose cumulative share grades (revenue, margin).
    cutoffs : sequence of float
        Mode ``"value"``: cumulative-share cut-offs in (0, 1], increasing.
    tiers : sequence of str, optional
        Tier names, best first (default ``"A"``, ``"B"``, ...).
    group : str, optional
        Column whose groups are graded separately (thresholds or mix per group).
    normalize : {"minmax", "zscore", "none"}
        How each criterion is scaled before weighting: to [0, 1], to mean 0 and sd 1,
        or as it is.

    Returns
    -------
    DataFrame
        On ``df``'s index: ``tier`` (ordered categorical, best first), ``score``, and
        one ``<criterion>_contribution`` column per criterion (they add up to the score;
        for ``"value"`` the score is the cumulative share and the single
        ``value_contribution`` is the customer's share of the total).

    Raises
    ------
    InvalidArgumentError
        An unknown mode or normalize, a mode without what it needs (thresholds, value),
        or a missing group value (the message names the row).
    UnknownLabelError
        A criterion that is not a column, or a group without thresholds.
    InputTypeError
        A criterion column that is not numeric (the message names it).

    Examples
    --------
    >>> import funnelnet as fn, pandas as pd
    >>> df = pd.DataFrame({"credit": [9, 5, 1, 7], "distance": [1, 5, 9, 2]})
    >>> g = fn.customers.grade(df, criteria={"credit": 1, "distance": (1, "lower")},
    ...                        thresholds=[1.5, 0.8])
    >>> g["tier"].tolist()
    ['A', 'B', 'C', 'A']

    Pareto grading: the customers making the first 80 % of revenue are A:

    >>> fn.customers.grade(pd.DataFrame({"rev": [50, 30, 10, 5, 5]}), mode="value", value="rev")
      tier  score  value_contribution
    0    A   0.50                0.50
    1    A   0.80                0.30
    2    B   0.90                0.10
    3    B   0.95                0.05
    4    C   1.00                0.05
    """
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if mode not in ("score", "mix", "value"):
        raise InvalidArgumentError(f"mode must be 'score', 'mix' or 'value', got {mode!r}")
    if normalize not in _NORMALIZE:
        raise InvalidArgumentError(f"normalize must be one of {sorted(_NORMALIZE)}, got {normalize!r}")
    if mode == "value":
        if value is None:
            raise InvalidArgumentError("mode='value' needs value=<column>")
        require_columns(df, {"value": value})
        tier, score, contrib, cols, n_tiers = _c.grade_value(f64(df[value].to_numpy(), value),
                                                            [float(c) for c in cutoffs])
    else:
        spec = _criteria_spec(criteria)
        for name, _, _ in spec:
            if name not in df.columns:
                raise UnknownLabelError(f"unknown criterion {name!r}: not a column "
                                        f"(columns: {', '.join(map(str, df.columns))})")
        names = [s[0] for s in spec]
        for name in names:
            _require_numeric(df[name], f"criterion {name!r}")
        values = np.ascontiguousarray(df[names].to_numpy(dtype=np.float64))
        ids = np.arange(len(df), dtype=np.int64)
        cats = []
        labels: list[str] = []
        if group is not None:
            require_columns(df, {"group": group})
            codes, uniq = pd.factorize(df[group], sort=True)
            if (codes < 0).any():
                raise InvalidArgumentError(f"{group}: row {int(np.flatnonzero(codes < 0)[0])} is missing")
            labels = [str(u) for u in uniq]
            cats = [(group, codes.astype(np.int32).tolist(), labels)]
        if mode == "score":
            if thresholds is None:
                raise InvalidArgumentError("mode='score' needs thresholds (score cut-offs from the best tier down)")
            if isinstance(thresholds, Mapping):
                if group is None:
                    raise InvalidArgumentError("thresholds per group need group=<column>")
                missing = [lab for lab in labels if lab not in {str(k) for k in thresholds}]
                if missing:
                    raise UnknownLabelError(f"thresholds: no entry for {group} {missing[0]!r}")
                by = {str(k): v for k, v in thresholds.items()}
                th = np.array([by[lab] for lab in labels], dtype=np.float64)
            else:
                th = np.atleast_2d(np.asarray(thresholds, dtype=np.float64))
                if group is not None:
                    th = np.repeat(th, len(labels), axis=0)
            tier, score, contrib, cols, n_tiers = _c.grade_score(ids, names, values, cats, spec,
                                                                np.ascontiguousarray(th), group or "",
                                                                _NORMALIZE[normalize])
        else:
            tier, score, contrib, cols, n_tiers = _c.grade_mix(ids, names, values, cats, spec,
                                                              [float(m) for m in mix], group or "",
                                                              _NORMALIZE[normalize])
    if tiers is None:
        tiers = [chr(ord("A") + k) for k in range(n_tiers)] if n_tiers <= 26 else [str(k) for k in range(n_tiers)]
    tiers = [str(t) for t in tiers]
    if len(tiers) != n_tiers:
        raise ShapeError(f"{len(tiers)} tier names given for {n_tiers} tiers")
    out = pd.DataFrame(index=df.index)
    out["tier"] = pd.Categorical.from_codes(np.asarray(tier), categories=pd.Index(tiers), ordered=False)
    out["tier"] = out["tier"].cat.as_ordered()
    out["score"] = np.asarray(score)
    contrib = np.asarray(contrib)
    for j, c in enumerate(cols):
        out[f"{c}_contribution"] = contrib[:, j]
    return out
