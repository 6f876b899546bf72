"""Attribution journeys from a Dask event log: shuffle by customer (original row order
kept inside each partition), cut journeys per partition."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._common.options import default as _default
from ..attribution.journeys import journeys as _journeys
from ._shared import check_frame, shuffle_by

__all__ = ["journeys"]


def journeys(ddf: Any, *, customer: str, time: str, channel: str, converted: str, value: str | None = None,
             sep: str = _default("JourneyOptions", "sep"),
             conversion_is_touch: bool = _default("JourneyOptions", "conversion_is_touch")) -> Any:
    """:func:`funnelnet.attribution.journeys` on a Dask DataFrame: a Dask DataFrame of
    journeys (customer, path, conversions, nulls[, value]).  Each customer's journeys are
    those of the single-machine call, in the same order; customers come in partition
    order.  Aggregate with ``.groupby("path")[["conversions", "nulls"]].sum()`` for
    :func:`funnelnet.attribution.markov`.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The touches, one row per touch.
    customer, time, channel, converted : str
        Its columns.
    value : str, optional
        A conversion value column.
    sep : str
        Separator of the channels in a path.
    conversion_is_touch : bool
        Whether the converting row is itself a touch.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per journey, as fn.attribution.journeys gives it per customer.
    """
    check_frame(ddf, {"customer": (customer, "label"), "time": (time, "time"), "channel": (channel, "label"),
                      "converted": (converted, "number"), "value": (value, "number")})
    keep = [customer, time, channel, converted] + ([value] if value is not None else [])
    kw: dict[str, Any] = dict(customer=customer, time=time, channel=channel, converted=converted, value=value, sep=sep,
              conversion_is_touch=conversion_is_touch)
    cols = {"customer": ddf._meta[customer].dtype, "path": object, "conversions": np.int64, "nulls": np.int64}
    meta = pd.DataFrame({k: pd.Series([], dtype=v) for k, v in cols.items()})
    if value is not None:
        meta["value"] = pd.Series([], dtype=np.float64)

    def one(part: pd.DataFrame) -> pd.DataFrame:
        if len(part) == 0:
            return meta
        out = _journeys(part, **kw)
        return out.astype({c: meta[c].dtype for c in meta.columns if c != "customer"})

    return shuffle_by(ddf, customer, keep).map_partitions(one, meta=meta)
