"""Per-customer repeat-buying summaries (frequency, recency, T, monetary value) from a
transaction log, as lifetimes' ``summary_data_from_transaction_data``."""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.convert import as_array, ids_as_int64, require_columns
from .._common.deprecation import renamed_parameters
from .._common.messages import user_terms
from .._common.time import FREQ_PERIODS, Timezone, is_calendar, period_index, period_start, readable, reject_yyyymmdd, times_as_ns
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError
from ._shared import f64

__all__ = ["summary_from_transactions"]

_c = _core.customers

# FutureRows codes
_FUTURE = {"error": 0, "drop": 1}
#: ``future=`` values (keys of _FUTURE).
Future = Literal["error", "drop"]
#: ``freq=`` values for calendar times.
Freq = Literal["D", "W", "H"]


def _periods(values: Any, freq: str, name: str, timezone: str = "utc") -> np.ndarray:
    """Integer period index of datetimes by the package's time rule (hours, days, or ISO
    weeks from Monday, as pandas' 'W' = 'W-SUN' periods ending on Sunday); integer
    periods are taken as they are."""
    s = pd.Series(values, copy=False)
    if is_calendar(s):
        if freq not in ("D", "W", "H"):
            raise InvalidArgumentError(f"freq must be 'D', 'W' or 'H' for dates, got {freq!r}")
        return period_index(times_as_ns(s, name, timezone), FREQ_PERIODS[freq])
    out = as_array(s.to_numpy(), np.int64, name)
    reject_yyyymmdd(out, name)
    return out


@renamed_parameters({"date": "time"})
def summary_from_transactions(df: pd.DataFrame, *, customer: str, time: str, amount: str | None = None,
                              calibration_end: Any = None, holdout_end: Any = None, freq: Freq = "D",
                              freq_multiplier: float = _default("SummaryOptions", "period_length"),
                              future: Future = "drop",
                              timezone: Timezone = "utc") -> pd.DataFrame:
    """Per-customer repeat-buying summary from a transaction log.

    Dates are floored to ``freq`` periods ('D', 'W' Monday-start weeks, 'H'; or integer
    periods already); several purchases in one period count once with their amounts
    added.  ``frequency`` counts repeat periods, ``recency`` and ``T`` are in units of
    ``freq_multiplier`` periods (``freq='D', freq_multiplier=7`` gives weeks), and
    ``monetary_value`` is the mean per-period spend over repeat periods (as lifetimes'
    ``summary_data_from_transaction_data``).  With ``holdout_end`` the columns
    ``frequency_holdout``, ``monetary_value_holdout`` and ``duration_holdout`` describe
    (calibration_end, holdout_end], and only customers with a purchase by
    ``calibration_end`` are kept.  The last cut-off cuts, as lifetimes'
    ``observation_period_end`` does: rows after it are left out (``future='drop'``, the
    default); ``future='error'`` raises InvalidArgumentError naming the first such row
    and customer instead.  Integer times that look like YYYYMMDD dates (19970101) raise
    InputTypeError: convert them to datetimes first.

    ``time`` names the column of purchase times (``date=`` is its deprecated 0.1 name).
    Times follow the package's time rule: time-zone-aware times are converted to UTC
    and naive ones taken as UTC (``timezone="utc"``, the default); ``timezone="local"``
    reads aware times at their own wall-clock time, the 0.1 behaviour.  The cut-offs
    (``calibration_end``, ``holdout_end``) follow the same rule.

    Parameters
    ----------
    df : DataFrame
        One row per purchase, in any order.
    customer : str
        Column of customer ids (strings or integers).
    time : str
        Column of purchase times: datetimes, or integer period numbers.
    amount : str, optional
        Column of purchase amounts; adds ``monetary_value`` (and
        ``monetary_value_holdout``).
    calibration_end : date-like or int, optional
        End of the calibration period (inclusive); default: the last purchase.  A
        period number when ``time`` holds integers.
    holdout_end : date-like or int, optional
        End of the holdout period; adds the holdout columns.
    freq : {"D", "W", "H"} or None
        Period of the flooring: days, Monday-start weeks or hours.
    freq_multiplier : float
        Periods per output time unit (``freq="D", freq_multiplier=7``: weeks).
    future : {"drop", "error"}
        What happens to rows after the last cut-off: left out, or InvalidArgumentError.
    timezone : {"utc", "local"}
        How time-zone-aware times are read (see above).

    Returns
    -------
    DataFrame
        Indexed by customer: ``frequency``, ``recency``, ``T``, and with ``amount``
        ``monetary_value``; with ``holdout_end`` also ``frequency_holdout``,
        ``duration_holdout`` (and ``monetary_value_holdout``).  Ready for
        :meth:`BetaGeo.fit` and :meth:`GammaGamma.fit`.

    Raises
    ------
    InvalidArgumentError
        A row after the cut-off with ``future="error"`` (naming the row and customer), a
        cut-off before the first purchase, or a missing value.
    InputTypeError
        YYYYMMDD integers, a date cut-off on integer periods, or an unreadable date.
    EmptyInputError
        No transactions.

    Examples
    --------
    Two purchases by ``a`` on 1 January count as one period; ``c``'s February purchase is
    after the calibration end, so it is dropped here and counted in the holdout:

    >>> import funnelnet as fn, pandas as pd
    >>> tx = pd.DataFrame({"id": ["a", "a", "a", "b", "c", "c"],
    ...                    "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05",
    ...                                           "2024-01-02", "2024-02-20"]),
    ...                    "amount": [10.0, 5.0, 20.0, 7.0, 3.0, 4.0]})
    >>> fn.customers.summary_from_transactions(tx, customer="id", time="day", amount="amount",
    ...                                        calibration_end="2024-01-31")
        frequency  recency     T  monetary_value
    id                                          
    a         1.0     10.0  30.0            20.0
    b         0.0      0.0  26.0             0.0
    c         0.0      0.0  29.0             0.0
    >>> fn.customers.summary_from_transactions(tx, customer="id", time="day", calibration_end="2024-01-31",
    ...                                        holdout_end="2024-02-29")["frequency_holdout"].tolist()
    [0.0, 0.0, 1.0]
    """
    require_columns(df, {"customer": customer, "time": time, "amount": amount})
    if future not in ("error", "drop"):
        raise InvalidArgumentError(f"future must be 'error' or 'drop', got {future!r}")
    if len(df) == 0:
        raise EmptyInputError("summary_from_transactions: the DataFrame has no transactions")
    periods = _periods(df[time], freq, time, timezone)
    cust_col = df[customer]
    ids = ids_as_int64(cust_col, customer)
    amt = np.empty(0) if amount is None else f64(df[amount].to_numpy(), amount)

    def cut(v: Any, name: str) -> int:
        numeric = not is_calendar(df[time])
        if isinstance(v, (int, np.integer)) and numeric:
            return int(v)
        if numeric:
            raise InputTypeError(f"{name} is {v!r}, a date, but {time!r} holds numbered periods: "
                                 f"give {name} as a period number, or give {time!r} as datetimes")
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError) as e:
            raise InputTypeError(f"{name}: cannot read {v!r} as a date: {e}") from None
        if ts is pd.NaT:
            raise InvalidArgumentError(f"{name} is NaT")
        return int(_periods(pd.Series([ts]), freq, name, timezone)[0])

    cal = int(periods.max()) if calibration_end is None else cut(calibration_end, "calibration_end")
    hold = holdout_end is not None
    hend = cut(holdout_end, "holdout_end") if hold else 0
    shown = None
    if is_calendar(df[time]):
        unit = FREQ_PERIODS.get(freq, "day")
        shown = lambda k: readable(period_start(int(k), unit))  # noqa: E731
    with user_terms(ids=cust_col, entity="customer", times=shown, words=("is period",)):
        out = _c.summarize_transactions(ids, np.ascontiguousarray(periods, dtype=np.int64), amt, cal, hold, hend,
                                        float(freq_multiplier), _FUTURE[future])
    if cust_col.dtype.kind in "iu":
        index = pd.Index(out["customer"], name=customer)
    else:
        _, uniques = pd.factorize(cust_col)
        index = pd.Index(np.asarray(uniques)[out["customer"]], name=customer)
    cols = {"frequency": out["frequency"], "recency": out["recency"], "T": out["T"]}
    if amount is not None:
        cols["monetary_value"] = out["monetary_value"]
    if hold:
        cols["frequency_holdout"] = out["frequency_holdout"]
        if amount is not None:
            cols["monetary_value_holdout"] = out["monetary_value_holdout"]
        cols["duration_holdout"] = np.full(len(index), out["duration_holdout"])
    return pd.DataFrame(cols, index=index)
