"""Heuristic attribution: first touch, last touch, linear, time decay and position based,
from aggregated paths or an event log."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from ..errors import InputTypeError
from ._shared import REPEATS as _REPEATS
from ._shared import Repeats
from ._shared import channel_frame, journeys_core, paths_from_frame, repeats_code

__all__ = ["heuristic", "heuristic_events"]

_MODELS = ["first_touch", "last_touch", "linear", "time_decay", "position_based"]


def _heuristic_frame(paths: Any, repeats: str, half_life: float, first_weight: float, last_weight: float,
                     age: np.ndarray) -> pd.DataFrame:
    conv, val = _core.attribution.heuristic(paths, repeats_code(repeats), float(half_life), float(first_weight),
                                            float(last_weight), age)
    data = {m: conv[:, k] for k, m in enumerate(_MODELS)}
    if paths.has_values:
        data.update({f"{m}_value": val[:, k] for k, m in enumerate(_MODELS)})
    return channel_frame(paths.channels, data)


def heuristic(df: pd.DataFrame, path: str = "path", conversions: str = "total_conversions",
              value: str | None = None, *, sep: str = ">",
              repeats: Repeats = _default_choice("HeuristicOptions", "repeats", _REPEATS),
              half_life: float = _default("HeuristicOptions", "half_life"),
              first_weight: float = _default("HeuristicOptions", "first_weight"),
              last_weight: float = _default("HeuristicOptions", "last_weight"),
              channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Heuristic attribution of aggregated paths: one row per channel.

    Parameters
    ----------
    df : DataFrame
        One row per path (rows may repeat).
    path : str
        Column of paths, channel names joined by ``sep`` (spaces around names are stripped).
    conversions : str
        Column of conversion counts per path.
    value : str, optional
        Column of total conversion value per path; adds ``<model>_value`` columns.
    sep : str
        Separator between channels.
    repeats : {"keep", "collapse"}
        ``"keep"`` (default, as ChannelAttribution's linear touch) counts every touch;
        ``"collapse"`` treats a run of the same channel as one touch.
    half_life : float
        Time-decay half-life in touches: a touch k steps before the last gets weight 2^(-k / half_life).
    first_weight, last_weight : float
        Position-based shares of the first and last touch (middle touches share the rest).
    channels : sequence of str, optional
        The known channels: an unknown name raises UnknownLabelError, and each must occur.

    Returns
    -------
    DataFrame indexed by channel with columns first_touch, last_touch, linear,
    time_decay, position_based (attributed conversions), and their ``_value`` twins.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> df = pd.DataFrame({"path": ["a > b > c"], "total_conversions": [2]})
    >>> fn.attribution.heuristic(df)[["first_touch", "linear", "position_based"]].round(3)
             first_touch  linear  position_based
    channel                                     
    a                2.0   0.667             0.8
    b                0.0   0.667             0.4
    c                0.0   0.667             0.8
    """
    paths = paths_from_frame(df, path, conversions, None, value, sep, channels)
    return _heuristic_frame(paths, repeats, half_life, first_weight, last_weight, np.zeros(0))


def _half_life_units(half_life: Any, time_dtype: Any) -> float:
    if isinstance(half_life, (pd.Timedelta, np.timedelta64, str)) or hasattr(half_life, "total_seconds"):
        if time_dtype != np.int64:
            raise InputTypeError("a timedelta half_life needs datetime times")
        return float(pd.Timedelta(half_life).value)
    return float(half_life)


def heuristic_events(events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                     value: str | None = None,
                     repeats: Repeats = _default_choice("HeuristicOptions", "repeats", _REPEATS), half_life: Any = None,
                     first_weight: float = _default("HeuristicOptions", "first_weight"),
                     last_weight: float = _default("HeuristicOptions", "last_weight"),
                     conversion_is_touch: bool = _default("JourneyOptions", "conversion_is_touch")) -> pd.DataFrame:
    """Heuristic attribution of an event log (journeys as in :func:`journeys`).

    Rows may come in any order; each customer's events are sorted by time and split
    into journeys after each conversion, exactly as :func:`journeys` does, so
    ``heuristic_events(log, ...)`` equals ``heuristic(journeys(log, ...), "path",
    "conversions")`` except for time decay, which here can use real elapsed time.

    Parameters
    ----------
    events : DataFrame
        One row per touch or conversion.
    customer, time, channel, converted : str
        Columns of the customer id, the event time (numbers or datetimes), the channel
        name and the conversion flag (0/1 or bool).
    value : str, optional
        Column of the conversion value; adds ``<model>_value`` columns.
    repeats : {"keep", "collapse"}
        ``"keep"`` counts every touch; ``"collapse"`` treats a run of the same channel
        as one touch.
    half_life : None, timedelta-like or float, optional
        Time decay: None counts touches (a touch k steps before the last weighs
        2^(-k), as :func:`heuristic` with ``half_life=1``); a timedelta (``"7D"``,
        ``pd.Timedelta``; needs datetime times) or a number in the time column's unit
        weights each touch by 2^(-(conversion time - touch time) / half_life).
    first_weight, last_weight : float
        Position-based shares of the first and last touch (middle touches share the rest).
    conversion_is_touch : bool
        Whether a conversion row's channel is also the journey's last touch.

    Returns
    -------
    DataFrame
        Indexed by channel, with columns first_touch, last_touch, linear, time_decay
        and position_based (attributed conversions; each column sums to the number of
        converting journeys), and their ``_value`` twins with ``value``.

    Raises
    ------
    InputTypeError
        A timedelta ``half_life`` with numeric times, or a column of the wrong type
        (the message names the column).

    Examples
    --------
    Customer 1 touched the fair at t=1 and converted through a demo at t=2; with a
    half-life of one time unit the fair weighs 2^(-1), so it gets 0.5 / 1.5 of the sale:

    >>> import pandas as pd, funnelnet as fn
    >>> log = pd.DataFrame({"id": [1, 1, 1, 2], "t": [3, 1, 2, 1], "ch": ["ad", "fair", "demo", "ad"],
    ...                     "won": [0, 0, 1, 0]})
    >>> fn.attribution.heuristic_events(log, customer="id", time="t", channel="ch", converted="won",
    ...                                 half_life=1)[["last_touch", "linear", "time_decay"]].round(3)
             last_touch  linear  time_decay
    channel                                
    ad              0.0     0.0       0.000
    demo            1.0     0.5       0.667
    fair            0.0     0.5       0.333
    """
    paths, _, age, tdtype = journeys_core(events, customer, time, channel, converted, value, ">", conversion_is_touch)
    if half_life is None:
        return _heuristic_frame(paths, repeats, 1.0, first_weight, last_weight, np.zeros(0))
    return _heuristic_frame(paths, repeats, _half_life_units(half_life, tdtype), first_weight, last_weight, age)
