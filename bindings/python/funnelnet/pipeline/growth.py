"""Growth rates, the way sales managers run their business ("manage growth rates, not
exact figures"): order totals, counts, A-class counts, per-person results, collections,
visits, each period over the previous period and over the same period a year earlier.

:func:`growth` works on any activity or transaction table: one row per event (an order,
a payment, a visit, an A-class account in a monthly snapshot) with its time and,
optionally, a value, a grouping (product, region) and the person it is credited to.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._common.convert import require_columns
from ..errors import InvalidArgumentError

__all__ = ["growth", "YEAR_LAGS"]

#: Periods per year, the lag of the year-over-year rate.
YEAR_LAGS: dict[str, int] = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def growth(df: pd.DataFrame, *, time: str = "time", value: str | None = None, by: str | Sequence[str] | None = None,
           person: str | None = None, period: str = "month", start: Any = None, end: Any = None) -> pd.DataFrame:
    """Period-over-period and year-over-year growth of totals, counts and per-person results.

    Parameters
    ----------
    df : DataFrame
        One row per event (order, payment, visit, A-class account of a snapshot ...).
    time : str
        Column of event times (datetimes, UTC by the time rule).
    value : str, optional
        Column summed per period (order total, profit, collections); without it the
        ``total`` is the count.
    by : str or list of str, optional
        Grouping columns (product, region ...): one series per group.
    person : str, optional
        Column of the person credited (owner): adds ``persons`` (distinct persons with an
        event in the period) and ``per_person`` (total / persons) with their rates.
    period : {"day", "week", "month", "quarter", "year"}
        Calendar periods in UTC (ISO weeks from Monday).
    start, end : timestamp, optional
        The periods shown (default: the first and last event's); periods without events
        count as zero.

    Returns
    -------
    DataFrame
        Indexed by the groups and ``period``: ``total``, ``count``, (``persons``,
        ``per_person``), and for each of them ``<name>_pop`` (over the previous period)
        and ``<name>_yoy`` (over the same period a year earlier: ``YEAR_LAGS`` periods
        back), as rates (0.1 = +10 %); NaN where the base is zero or outside the data.

    Raises
    ------
    InvalidArgumentError
        Naming the row: a missing time, a NaN value; an unknown period.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> orders = pd.DataFrame({"time": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-02-20",
    ...                                                "2025-01-10", "2025-01-11", "2025-01-12"]),
    ...                        "amount": [100.0, 50.0, 50.0, 80.0, 40.0, 30.0]})
    >>> g = fn.pipeline.growth(orders, value="amount")
    >>> g.loc["2025-01", ["total", "count", "count_yoy", "total_yoy"]].tolist()
    [150.0, 3.0, 2.0, 0.5]
    """
    if period not in _FREQ:
        raise InvalidArgumentError(f"period must be one of {list(_FREQ)}, got {period!r}")
    groups = [] if by is None else ([by] if isinstance(by, str) else list(by))
    cols: dict[str, str | None] = {"time": time, **{f"by[{i}]": g for i, g in enumerate(groups)}}
    if value is not None:
        cols["value"] = value
    if person is not None:
        cols["person"] = person
    require_columns(df, cols)
    t = pd.to_datetime(df[time], utc=True)
    bad = np.flatnonzero(t.isna().to_numpy())
    if bad.size:
        raise InvalidArgumentError(f"row {int(bad[0])}: {time!r} is missing")
    v = np.ones(len(df)) if value is None else np.asarray(df[value], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r}: {value!r} must be finite, got {v[r]!r}")
    per = t.dt.tz_convert(None).dt.to_period(_FREQ[period])
    lo = pd.Period(start, _FREQ[period]) if start is not None else per.min()
    hi = pd.Period(end, _FREQ[period]) if end is not None else per.max()
    if len(df) == 0 and (start is None or end is None):
        raise InvalidArgumentError("df is empty: give start and end to show empty periods")
    span = pd.period_range(lo, hi, freq=_FREQ[period], name="period")
    d = pd.DataFrame({"period": per.to_numpy(), "total": v, "count": 1.0})
    for i, g in enumerate(groups):
        d[g] = df[g].to_numpy()
    keys = [*groups, "period"]
    agg = d.groupby(keys, observed=True, sort=False)[["total", "count"]].sum()
    if person is not None:
        d["person"] = df[person].to_numpy()
        agg["persons"] = d.groupby(keys, observed=True, sort=False)["person"].nunique().astype(np.float64)
    if groups:
        levels = [pd.Index(pd.unique(d[g]), name=g).sort_values() for g in groups]
        full: pd.Index = pd.MultiIndex.from_product([*levels, span], names=keys)
    else:
        full = span
    out = agg.reindex(full, fill_value=0.0)
    if person is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            out["per_person"] = np.where(out["persons"] > 0, out["total"] / out["persons"].replace(0, np.nan), np.nan)
    lag = YEAR_LAGS[period]
    names = list(out.columns)
    grouped = out.groupby(level=groups, sort=False) if groups else None
    for name in names:
        cur = out[name]
        prev = grouped[name].shift(1) if grouped is not None else cur.shift(1)
        year = grouped[name].shift(lag) if grouped is not None else cur.shift(lag)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{name}_pop"] = (cur / prev.where(prev != 0)) - 1.0
            out[f"{name}_yoy"] = (cur / year.where(year != 0)) - 1.0
    if groups:
        mi = out.index
        assert isinstance(mi, pd.MultiIndex)
        out.index = pd.MultiIndex.from_arrays(
            [mi.get_level_values(i) for i in range(mi.nlevels - 1)] + [mi.get_level_values(-1).astype(str)],
            names=mi.names)
    else:
        out.index = pd.Index(out.index.astype(str), name="period")
    return out
