"""Journeys: an event log (customer, time, channel, converted) cut into the path table
that :func:`~funnelnet.attribution.heuristic` and :func:`~funnelnet.attribution.markov` take."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._common.options import default as _default
from ._shared import journeys_core

__all__ = ["journeys"]


def journeys(events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
             value: str | None = None, sep: str = _default("JourneyOptions", "sep"),
             conversion_is_touch: bool = _default("JourneyOptions", "conversion_is_touch")) -> pd.DataFrame:
    """Journeys from an event log, as a path table for :func:`heuristic` / :func:`markov`.

    Rows may come in any order: per customer they are sorted by time (ties keep row
    order) and split after each conversion; touches after a customer's last conversion
    form a non-converting journey.  A conversion row's channel is the journey's last
    touch unless ``conversion_is_touch=False``.

    Parameters
    ----------
    events : DataFrame
        One row per touch or conversion.
    customer, time, channel, converted : str
        Columns of the customer id, the event time, the channel and the conversion flag.
    value : str, optional
        Column of the conversion value.
    sep : str
        Separator of the channel names in ``path``.
    conversion_is_touch : bool
        Whether a conversion row's channel is also the journey's last touch.

    Returns
    -------
    DataFrame with one row per journey: customer, path (names joined by ``sep``),
    conversions (0/1), nulls (0/1) and, with ``value``, value.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> log = pd.DataFrame({"id": [1, 1, 1, 2], "t": [3, 1, 2, 1], "ch": ["ad", "fair", "demo", "ad"],
    ...                     "won": [0, 0, 1, 0]})
    >>> fn.attribution.journeys(log, customer="id", time="t", channel="ch", converted="won")
       customer         path  conversions  nulls
    0         1  fair > demo            1      0
    1         1           ad            0      1
    2         2           ad            0      1
    """
    paths, cust, _, _ = journeys_core(events, customer, time, channel, converted, value, sep, conversion_is_touch)
    out = pd.DataFrame({"customer": cust, "path": paths.path_strings(), "conversions": paths.conversions.astype(np.int64),
                        "nulls": paths.nulls.astype(np.int64)})
    if value is not None:
        out["value"] = paths.values
    out["path"] = out["path"].str.replace(sep, f" {sep} ", regex=False)
    return out
