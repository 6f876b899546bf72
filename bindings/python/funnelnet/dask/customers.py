"""Customers on Dask: per-customer summaries after a shuffle by customer, the
repeat-model log-likelihood summed across partitions, and fitting on the summary.

The C++ core exposes the per-customer log-likelihood but no gradient, so a fit does not
drive an optimiser over partitions: :func:`fit_repeat` collects the summary (three
float columns, one row per customer: small next to the transactions) and fits on the
driver with the single-machine optimiser."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..customers.summary import summary_from_transactions as _summary
from ..errors import EmptyInputError
from ._shared import check_frame, global_max, shuffle_by

__all__ = ["summary_from_transactions", "log_likelihood", "fit_repeat"]


def summary_from_transactions(ddf: Any, *, customer: str, time: str, amount: str | None = None,
                              calibration_end: Any = None, holdout_end: Any = None, freq: str = "D",
                              freq_multiplier: float = 1.0, future: str = "drop", timezone: str = "utc") -> Any:
    """:func:`funnelnet.customers.summary_from_transactions` on a Dask DataFrame: a Dask
    DataFrame, one row per customer (indexed by customer, sorted within partitions).
    Without ``calibration_end`` the latest transaction (one extra pass) is used, as on
    one machine.  Rows equal the single-machine summary's bit for bit.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The transaction log, one row per purchase.
    customer, time : str
        Its columns.
    amount : str, optional
        The amount column (monetary value).
    calibration_end, holdout_end : time, optional
        As in fn.customers.summary_from_transactions.
    freq : str
        Time unit of the summary.
    freq_multiplier : float
        Units per period.
    future : str
        What to do with purchases after the observation end.
    timezone : str
        How time zones of the times are handled.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per customer, the columns of the single-machine summary.
    """
    check_frame(ddf, {"customer": (customer, "label"), "time": (time, "time"), "amount": (amount, "number")})
    if calibration_end is None:
        calibration_end = global_max(ddf, time)
        if pd.isna(calibration_end):
            raise EmptyInputError("the transaction log has no rows")
        if not isinstance(calibration_end, pd.Timestamp):
            calibration_end = int(calibration_end)
    keep = [customer, time] + ([amount] if amount is not None else [])
    kw: dict[str, Any] = dict(customer=customer, time=time, amount=amount, calibration_end=calibration_end,
              holdout_end=holdout_end, freq=freq, freq_multiplier=freq_multiplier, future=future,
              timezone=timezone)
    head = ddf._meta[keep]
    sample = pd.DataFrame({c: head[c].array._from_sequence([], dtype=head[c].dtype) for c in keep})
    meta = _meta_summary(sample, kw)

    def one(part: pd.DataFrame) -> pd.DataFrame:
        if len(part) == 0:
            return meta
        return _summary(part, **kw).sort_index(kind="stable")

    return shuffle_by(ddf, customer, keep).map_partitions(one, meta=meta)


def _meta_summary(sample: pd.DataFrame, kw: dict[str, Any]) -> pd.DataFrame:
    cols = ["frequency", "recency", "T"]
    if kw["amount"] is not None:
        cols.append("monetary_value")
    if kw["holdout_end"] is not None:
        cols.append("frequency_holdout")
        if kw["amount"] is not None:
            cols.append("monetary_value_holdout")
        cols.append("duration_holdout")
    idx = pd.Index(sample[kw["customer"]], name=kw["customer"])
    return pd.DataFrame({c: np.empty(0, dtype=np.float64) for c in cols}, index=idx)


def log_likelihood(model: Any, summary: Any, *, frequency: str = "frequency", recency: str = "recency",
                   T: str = "T") -> float:
    """Total log-likelihood of a fitted (or ``from_params``) repeat model over a Dask
    summary: per-partition sums, added on the driver.  Equal to
    ``model.log_likelihood(...).sum()`` on one machine to 1e-12 relative.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or BetaGeoBetaBinom
        A fitted (or from_params) repeat model.
    summary : dask.dataframe.DataFrame
        One row per customer with the frequency, recency and T columns.
    frequency, recency, T : str
        The summary's columns.

    Returns
    -------
    float
        The sum over customers of the model's per-customer log-likelihood.
    """
    check_frame(summary, {"frequency": (frequency, "number"), "recency": (recency, "number"), "T": (T, "number")})

    def one(part: pd.DataFrame) -> pd.Series:
        if len(part) == 0:
            return pd.Series([0.0])
        ll = model.log_likelihood(part[frequency].to_numpy(np.float64), part[recency].to_numpy(np.float64),
                                  part[T].to_numpy(np.float64))
        return pd.Series([float(np.sum(np.asarray(ll)))])

    sums = summary.map_partitions(one, meta=pd.Series([], dtype=np.float64)).compute()
    return float(np.sum(sums.to_numpy()))


def fit_repeat(model: Any, summary: Any, *, frequency: str = "frequency", recency: str = "recency",
               T: str = "T") -> Any:
    """Fit a repeat model (``BetaGeo()``, ``ParetoNBD()``, ...) to a Dask summary: the
    three columns are collected (one row per customer), sorted by customer and fitted on
    the driver.  Equal to fitting the single-machine summary.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or BetaGeoBetaBinom
        An unfitted model with its options.
    summary : dask.dataframe.DataFrame
        One row per customer with the frequency, recency and T columns.
    frequency, recency, T : str
        The summary's columns.

    Returns
    -------
    model
        The same model object, fitted.
    """
    check_frame(summary, {"frequency": (frequency, "number"), "recency": (recency, "number"), "T": (T, "number")})
    rfm = summary[[frequency, recency, T]].compute().sort_index(kind="stable")
    if len(rfm) == 0:
        raise EmptyInputError("the summary has no customers")
    return model.fit(rfm[frequency], rfm[recency], rfm[T])
