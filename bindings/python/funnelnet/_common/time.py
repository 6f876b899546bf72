"""The one time rule of funnelnet, used by every area (funnel, attribution, graph,
customers) so that the same timestamps always fall in the same periods.

Time zones
    Time-zone-aware inputs are converted to UTC; naive inputs (datetime64 columns,
    ``pd.Timestamp``, strings without an offset) are taken as UTC.  Strings are parsed
    by ``pd.to_datetime(..., utc=True)``.  The only exception is an explicit
    ``timezone="local"`` where an API offers it (the 0.1 behaviour of the customers
    area: aware times read at their own wall-clock time).
Numbers
    Datetimes become int64 **nanoseconds since 1970-01-01 00:00 UTC**.  Numeric time
    columns (days, weeks, any unit of the user's) are used as they are.
Periods
    ``"hour"``, ``"day"`` (from 00:00 UTC), ``"week"`` (ISO weeks: Monday 00:00 UTC to
    the next Monday) and ``"month"`` (calendar months, from the 1st at 00:00 UTC).  A
    period index counts periods since the one holding the epoch: days since 1970-01-01,
    weeks since Monday 1969-12-29, months since January 1970.

>>> import pandas as pd
>>> t = times_as_ns(pd.Series(pd.to_datetime(["2024-01-07 23:00", "2024-01-08 01:00"])), "t")
>>> period_index(t, "week").tolist()  # Sunday, then Monday: two ISO weeks
[2818, 2819]
>>> readable(period_start(2819, "week"))
'2024-01-08'
>>> aware = pd.Series(pd.to_datetime(["2024-01-08 00:30"]).tz_localize("Europe/Paris"))
>>> readable(int(times_as_ns(aware, "t")[0]))  # 00:30 in Paris is 23:30 UTC the day before
'2024-01-07 23:30:00'
"""
from __future__ import annotations

from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from ..errors import InputTypeError, InvalidArgumentError

__all__ = [
    "PERIODS",
    "PERIOD_NS",
    "FREQ_PERIODS",
    "is_calendar",
    "times_as_ns",
    "times_as_numbers",
    "timestamp_ns",
    "period_index",
    "period_start",
    "floor_ns",
    "readable",
    "reject_yyyymmdd",
]

NS_PER_DAY = 86_400 * 10**9
#: Fixed-length periods in nanoseconds (months have no fixed length).
PERIOD_NS = {"hour": 3600 * 10**9, "day": NS_PER_DAY, "week": 7 * NS_PER_DAY}
#: Every named period.
PERIODS = ("hour", "day", "week", "month")
#: pandas-style frequency codes accepted where an API takes ``freq``.
FREQ_PERIODS = {"H": "hour", "D": "day", "W": "week", "M": "month"}
# 1970-01-01 was a Thursday: the ISO week holding it starts 3 days earlier.
_WEEK_SHIFT_DAYS = 3
_TIMEZONES = ("utc", "local")
#: ``timezone=`` values (_TIMEZONES).
Timezone = Literal["utc", "local"]


def is_calendar(values: Any) -> bool:
    """True when ``values`` hold datetimes (or strings read as datetimes)."""
    s = pd.Series(values, copy=False)
    return bool(pd.api.types.is_datetime64_any_dtype(s.dtype) or s.dtype == object or pd.api.types.is_string_dtype(s.dtype))


def _as_datetime_series(values: Any, name: str, timezone: str = "utc") -> pd.Series:
    if timezone not in _TIMEZONES:
        raise InvalidArgumentError(f"timezone must be one of {list(_TIMEZONES)}, got {timezone!r}")
    s = pd.Series(values, copy=False)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        try:
            s = pd.to_datetime(s, utc=timezone == "utc")
        except (ValueError, TypeError) as e:
            raise InputTypeError(f"{name}: cannot read as timestamps: {e}") from None
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None) if timezone == "utc" else s.dt.tz_localize(None)
    return s


def times_as_ns(values: Any, name: str, timezone: str = "utc") -> np.ndarray:
    """Datetimes (any resolution, aware or naive, or strings) as int64 nanoseconds since
    the epoch in UTC (see the module rule).  NaT raises InvalidArgumentError naming the
    row; non-datetimes raise InputTypeError."""
    s = _as_datetime_series(values, name, timezone)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        raise InputTypeError(f"{name} must hold datetimes, got dtype {s.dtype}")
    bad = np.flatnonzero(s.isna().to_numpy())
    if bad.size:
        raise InvalidArgumentError(f"{name}: row {int(bad[0])} is NaT (missing time)")
    return np.ascontiguousarray(s.to_numpy(dtype="datetime64[ns]").view(np.int64))


def times_as_numbers(values: Any, name: str) -> np.ndarray:
    """Times as int64 nanoseconds (datetimes, by the module rule) or as the numbers they
    are (int64 or float64); rejects NaT/NaN naming the row."""
    s = pd.Series(values, copy=False)
    if is_calendar(s):
        return times_as_ns(s, name)
    if s.dtype.kind in "iu":
        from .convert import int64_column

        return int64_column(s, name)
    if s.dtype.kind == "f":
        arr = np.ascontiguousarray(s.to_numpy(), dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InvalidArgumentError(f"{name}: row {int(bad[0])} is {float(arr[bad[0]])!r}, times must be finite")
        return arr
    raise InputTypeError(f"{name} must hold datetimes or numbers, got dtype {s.dtype}")


def timestamp_ns(x: Any, name: str, timezone: str = "utc") -> int:
    """One time argument (``pd.Timestamp``, ``datetime``, ``np.datetime64`` or a string)
    as nanoseconds since the epoch in UTC (naive = UTC, aware converted)."""
    try:
        ts = pd.Timestamp(x)
    except (ValueError, TypeError) as e:
        raise InputTypeError(f"{name}: cannot read {x!r} as a timestamp: {e}") from None
    if ts is pd.NaT:
        raise InvalidArgumentError(f"{name} is NaT")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None) if timezone == "utc" else ts.tz_localize(None)
    return int(ts.as_unit("ns").value)


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise InvalidArgumentError(f"period must be one of {list(PERIODS)}, got {period!r}")


def period_index(ns: Any, period: str) -> np.ndarray:
    """Index (int64) of the period holding each time (ns since the epoch, UTC)."""
    _check_period(period)
    t = np.asarray(ns, dtype=np.int64)
    if period == "month":
        return t.view("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    if period == "week":
        return cast("np.ndarray", np.floor_divide(np.floor_divide(t, NS_PER_DAY) + _WEEK_SHIFT_DAYS, 7))
    return np.floor_divide(t, PERIOD_NS[period])


def period_start(index: Any, period: str) -> Any:
    """Start (ns since the epoch, UTC) of period ``index``; an int for an int."""
    _check_period(period)
    k = np.asarray(index, dtype=np.int64)
    if period == "month":
        out = k.astype("datetime64[M]").astype("datetime64[ns]").astype(np.int64)
    elif period == "week":
        out = (k * 7 - _WEEK_SHIFT_DAYS) * NS_PER_DAY
    else:
        out = k * PERIOD_NS[period]
    return int(out) if out.ndim == 0 else out


def floor_ns(ns: int, period: str) -> int:
    """Start of the period holding time ``ns``."""
    return int(period_start(int(period_index(np.int64(ns), period)), period))


def readable(ns: int) -> str:
    """A time in ns for messages: ``2024-01-08`` at midnight, else ``2024-01-08 13:05:00``."""
    ts = pd.Timestamp(int(ns))
    return str(ts.date()) if ts == ts.normalize() else str(ts)


def reject_yyyymmdd(values: Any, name: str) -> None:
    """Raise InputTypeError when integer times look like YYYYMMDD dates (every value a
    valid-looking date between 1900-01-01 and 2100-12-31, e.g. CDNOW's 19970101): read
    as numbers they would be periods 19,970,101 and 19,970,201, 100 apart for one month.

    >>> try:
    ...     reject_yyyymmdd(np.array([19970101, 19970225]), "date")
    ... except InputTypeError as e:
    ...     print(str(e)[:72])
    date holds integers that look like YYYYMMDD dates (19970101 to 19970225)
    """
    a = np.asarray(values)
    if a.dtype.kind not in "iu" or a.size == 0:
        return
    lo, hi = int(a.min()), int(a.max())
    if lo < 19000101 or hi > 21001231:
        return
    month, day = (a // 100) % 100, a % 100
    if ((month < 1) | (month > 12) | (day < 1) | (day > 31)).any():
        return
    raise InputTypeError(
        f"{name} holds integers that look like YYYYMMDD dates ({lo} to {hi}) and would be read as "
        f"numbers ({lo} and {lo + 100} a month apart would be 100 periods apart): convert them with "
        f"pd.to_datetime(df[{name!r}].astype(str), format='%Y%m%d')")
