"""Channel attribution: which channels and touches earn the conversions.

Two families of models, each from aggregated paths (one row per path such as
``"fair > visit > demo"`` with conversion, null and value counts) or from an event log
(customer, time, channel, converted, value rows in any order):

* :func:`heuristic` -- first touch, last touch, linear, time decay and position based.
* :func:`markov` -- Markov removal effects, computed **exactly** by linear solves (order
  1 or k), with the conversions and value split in proportion to them.
  :class:`MarkovAttribution` adds sequence removal effects, per-journey attribution,
  the fitted transitions and a seeded simulation estimate for comparison with tools
  that simulate.

Conventions: a journey starts in ``(start)`` and ends in ``(conversion)`` or ``(null)``;
removing a channel sends every journey that reaches it to ``(null)``; repeated
consecutive touches are collapsed (``repeats="collapse"``, the Markov default) or kept
(``repeats="keep"``, the heuristic default).  See docs/attribution.md.

>>> import pandas as pd, funnelnet as fn
>>> df = pd.DataFrame({"path": ["c1 > c2 > c3", "c1", "c2 > c3"],
...                    "conversions": [1, 0, 0], "nulls": [0, 1, 1]})
>>> fn.attribution.markov(df, path="path", conversions="conversions", nulls="nulls")
         removal_effect  conversions
channel                             
c1                  0.5          0.2
c2                  1.0          0.4
c3                  1.0          0.4
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._convert import progress_callback as _tqdm_callback
from ._convert import as_array, ids_as_int64, require_columns, times_as_numbers
from .errors import EmptyInputError, InputTypeError, InvalidArgumentError, ShapeError, UnknownLabelError

__all__ = [
    "MarkovAttribution",
    "heuristic",
    "heuristic_events",
    "journeys",
    "markov",
    "markov_events",
]

_REPEATS = {"keep": 0, "collapse": 1}
_MODELS = ["first_touch", "last_touch", "linear", "time_decay", "position_based"]


def _repeats(value: str) -> int:
    if value not in _REPEATS:
        raise InvalidArgumentError(f"repeats must be one of {sorted(_REPEATS)}, got {value!r}")
    return _REPEATS[value]


def _column(df: pd.DataFrame, col: str | None, name: str) -> np.ndarray:
    if col is None:
        return np.zeros(0, dtype=np.float64)
    return as_array(df[col].to_numpy(), np.float64, col)


def _paths_from_frame(df: pd.DataFrame, path: str, conversions: str, nulls: str | None, value: str | None,
                      sep: str, channels: Sequence[str] | None) -> Any:
    require_columns(df, {"path": path, "conversions": conversions, "nulls": nulls, "value": value})
    if len(df) == 0:
        raise EmptyInputError("no paths given (the DataFrame has no rows)")
    s = df[path]
    if s.isna().any():
        raise InvalidArgumentError(f"{path}: row {int(np.flatnonzero(s.isna().to_numpy())[0])} is missing (empty path)")
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        raise InputTypeError(f"{path} must hold strings joined by {sep!r}, got dtype {s.dtype}")
    vocab = [] if channels is None else [str(c) for c in channels]
    counts = (_column(df, conversions, "conversions"), _column(df, nulls, "nulls"), _column(df, value, "value"))
    buffers = _arrow_buffers(s)
    if buffers is not None:  # Arrow-backed strings (pandas' default str dtype): zero-copy
        return _core.attribution.PathSet.parse_buffer(buffers[0], buffers[1], sep, *counts, vocab)
    return _core.attribution.PathSet.parse(s.tolist(), sep, *counts, vocab)


def _arrow_buffers(s: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(UTF-8 bytes, int64 offsets) of an Arrow-backed string Series, without copying the
    text; None for other dtypes (they go through a list of str)."""
    arr = s.array
    if not hasattr(arr, "__arrow_array__"):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - Arrow strings imply pyarrow
        return None
    chunked = arr.__arrow_array__()
    if isinstance(chunked, pa.ChunkedArray):
        chunked = chunked.combine_chunks()
    if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
        return None
    if pa.types.is_string(chunked.type):
        chunked = chunked.cast(pa.large_string())
    _, off_buf, data_buf = chunked.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[chunked.offset:chunked.offset + len(chunked) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return data, np.ascontiguousarray(offsets)


def _journeys_core(events: pd.DataFrame, customer: str, time: str, channel: str, converted: str,
                   value: str | None, sep: str, conversion_is_touch: bool) -> tuple[Any, np.ndarray, np.ndarray, Any]:
    require_columns(events, {"customer": customer, "time": time, "channel": channel, "converted": converted,
                             "value": value})
    if len(events) == 0:
        raise EmptyInputError("the event log has no rows")
    ch = events[channel]
    missing = ch.isna().to_numpy()
    if missing.any():
        raise InvalidArgumentError(f"{channel}: row {int(np.flatnonzero(missing)[0])} is missing")
    codes, names = pd.factorize(ch.astype(str), sort=True)
    empty = np.flatnonzero(np.asarray(names) == "")
    if empty.size:
        raise InvalidArgumentError(f"{channel}: row {int(np.flatnonzero(codes == empty[0])[0])} has an empty channel name")
    conv = events[converted].to_numpy()
    if conv.dtype == bool:
        conv = conv.astype(np.uint8)
    conv = as_array(conv, np.float64, converted)
    bad = np.flatnonzero((conv != 0) & (conv != 1))
    if bad.size:
        raise InvalidArgumentError(f"{converted}: row {int(bad[0])} is {float(conv[bad[0]])!r}, expected 0 or 1")
    t = times_as_numbers(events[time], time)
    builder = _core.attribution.journeys_i64 if t.dtype == np.int64 else _core.attribution.journeys_f64
    paths, cust, age = builder([str(n) for n in names], ids_as_int64(events[customer], customer), t,
                               codes.astype(np.int32), conv.astype(np.uint8), _column(events, value, "value"),
                               bool(conversion_is_touch), sep)
    # Map dense customer ids back to the caller's ids.
    cvals = events[customer]
    if cvals.dtype.kind in "iu":
        labels = cust
    else:
        labels = pd.Series(pd.factorize(cvals)[1]).to_numpy()[cust]
    return paths, labels, age, t.dtype


def _frame(index: Sequence[str], data: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(data, index=pd.Index(list(index), name="channel"))


def _heuristic_frame(paths: Any, repeats: str, half_life: float, first_weight: float, last_weight: float,
                     age: np.ndarray) -> pd.DataFrame:
    conv, val = _core.attribution.heuristic(paths, _repeats(repeats), float(half_life), float(first_weight),
                                            float(last_weight), age)
    data = {m: conv[:, k] for k, m in enumerate(_MODELS)}
    if paths.has_values:
        data.update({f"{m}_value": val[:, k] for k, m in enumerate(_MODELS)})
    return _frame(paths.channels, data)


def heuristic(df: pd.DataFrame, path: str = "path", conversions: str = "total_conversions",
              value: str | None = None, *, sep: str = ">", repeats: str = "keep", half_life: float = 1.0,
              first_weight: float = 0.4, last_weight: float = 0.4,
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
    paths = _paths_from_frame(df, path, conversions, None, value, sep, channels)
    return _heuristic_frame(paths, repeats, half_life, first_weight, last_weight, np.zeros(0))


def _markov_frame(model: "MarkovAttribution") -> pd.DataFrame:
    c = model._core
    data = {"removal_effect": c.removal_effects, "conversions": c.attributed_conversions}
    if model._paths.has_values:
        data["value_removal_effect"] = c.value_removal_effects
        data["value"] = c.attributed_value
    return _frame(c.channels, data)


def markov(df: pd.DataFrame, path: str = "path", conversions: str = "total_conversions", nulls: str | None = None,
           value: str | None = None, order: int = 1, *, sep: str = ">", repeats: str = "collapse",
           threads: int = 0, progress: bool = False, channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Exact Markov removal effects of aggregated paths: one row per channel.

    Parameters
    ----------
    df : DataFrame
        One row per path (rows may repeat).
    path, conversions : str
        Columns of paths (names joined by ``sep``) and conversion counts.
    nulls : str, optional
        Column of non-converting journey counts.  Without it every path converts (the
        ``(null)`` state then only receives removed channels' journeys).
    value : str, optional
        Column of conversion value; adds value_removal_effect and value.
    order : int
        Markov order k: states are the last k channels.
    repeats : {"collapse", "keep"}
        Consecutive repeats collapsed (default, as ChannelAttribution) or kept as
        self-loops (same effects at order 1).
    threads : int
        Threads for the removal solves (0 = all cores); results do not depend on it.
    progress : bool
        Show a tqdm bar over the removals.

    Returns
    -------
    DataFrame indexed by channel: removal_effect, conversions (total conversions split
    by removal effect), and with ``value`` also value_removal_effect and value.
    ``df.attrs["conversion_probability"]`` holds P(conversion) of the fitted chain.
    """
    model = MarkovAttribution.fit(df, path=path, conversions=conversions, nulls=nulls, value=value, order=order,
                                  sep=sep, repeats=repeats, threads=threads, progress=progress, channels=channels)
    return model.channels()


def journeys(events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
             value: str | None = None, sep: str = ">", conversion_is_touch: bool = True) -> pd.DataFrame:
    """Journeys from an event log, as a path table for :func:`heuristic` / :func:`markov`.

    Rows may come in any order: per customer they are sorted by time (ties keep row
    order) and split after each conversion; touches after a customer's last conversion
    form a non-converting journey.  A conversion row's channel is the journey's last
    touch unless ``conversion_is_touch=False``.

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
    paths, cust, _, _ = _journeys_core(events, customer, time, channel, converted, value, sep, conversion_is_touch)
    out = pd.DataFrame({"customer": cust, "path": paths.path_strings(), "conversions": paths.conversions.astype(np.int64),
                        "nulls": paths.nulls.astype(np.int64)})
    if value is not None:
        out["value"] = paths.values
    out["path"] = out["path"].str.replace(sep, f" {sep} ", regex=False)
    return out


def _half_life_units(half_life: Any, time_dtype: Any) -> float:
    if isinstance(half_life, (pd.Timedelta, np.timedelta64, str)) or hasattr(half_life, "total_seconds"):
        if time_dtype != np.int64:
            raise InputTypeError("a timedelta half_life needs datetime times")
        return float(pd.Timedelta(half_life).value)
    return float(half_life)


def heuristic_events(events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                     value: str | None = None, repeats: str = "keep", half_life: Any = None,
                     first_weight: float = 0.4, last_weight: float = 0.4,
                     conversion_is_touch: bool = True) -> pd.DataFrame:
    """Heuristic attribution of an event log (journeys as in :func:`journeys`).

    ``half_life`` for time decay: None counts touches (as :func:`heuristic`); a
    timedelta (``"7D"``, ``pd.Timedelta``) or a number in the time column's unit weights
    each touch by 2^(-(conversion time - touch time) / half_life).
    """
    paths, _, age, tdtype = _journeys_core(events, customer, time, channel, converted, value, ">", conversion_is_touch)
    if half_life is None:
        return _heuristic_frame(paths, repeats, 1.0, first_weight, last_weight, np.zeros(0))
    return _heuristic_frame(paths, repeats, _half_life_units(half_life, tdtype), first_weight, last_weight, age)


def markov_events(events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                  value: str | None = None, order: int = 1, repeats: str = "collapse", threads: int = 0,
                  progress: bool = False, conversion_is_touch: bool = True) -> pd.DataFrame:
    """Exact Markov removal effects of an event log (journeys as in :func:`journeys`).
    Same columns as :func:`markov`; use :meth:`MarkovAttribution.fit_events` for the model."""
    return MarkovAttribution.fit_events(events, customer=customer, time=time, channel=channel, converted=converted,
                                        value=value, order=order, repeats=repeats, threads=threads,
                                        progress=progress, conversion_is_touch=conversion_is_touch).channels()




class MarkovAttribution:
    """A fitted Markov attribution model with exact removal effects.

    Build with :meth:`fit` (aggregated paths) or :meth:`fit_events` (an event log).

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> df = pd.DataFrame({"path": ["A>B>A>B>B>A", "A>B>B>A>A", "A>A"], "conv": [1, 1, 1]})
    >>> m = fn.attribution.MarkovAttribution.fit(df, path="path", conversions="conv")
    >>> m.channels()
             removal_effect  conversions
    channel                             
    A                   1.0          2.0
    B                   0.5          1.0
    """

    def __init__(self, core: Any, paths: Any, customers: np.ndarray | None = None) -> None:
        self._core = core
        self._paths = paths
        self._customers = customers

    @classmethod
    def fit(cls, df: pd.DataFrame, path: str = "path", conversions: str = "total_conversions",
            nulls: str | None = None, value: str | None = None, order: int = 1, *, sep: str = ">",
            repeats: str = "collapse", threads: int = 0, progress: bool = False,
            channels: Sequence[str] | None = None) -> "MarkovAttribution":
        """Fit from aggregated paths; arguments as :func:`markov`."""
        paths = _paths_from_frame(df, path, conversions, nulls, value, sep, channels)
        return cls._fit(paths, order, repeats, threads, progress, None)

    @classmethod
    def fit_events(cls, events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                   value: str | None = None, order: int = 1, repeats: str = "collapse", threads: int = 0,
                   progress: bool = False, conversion_is_touch: bool = True) -> "MarkovAttribution":
        """Fit from an event log; journeys as in :func:`journeys`, model as :func:`markov`."""
        paths, cust, _, _ = _journeys_core(events, customer, time, channel, converted, value, ">", conversion_is_touch)
        return cls._fit(paths, order, repeats, threads, progress, cust)

    @classmethod
    def _fit(cls, paths: Any, order: int, repeats: str, threads: int, progress: bool,
             customers: np.ndarray | None) -> "MarkovAttribution":
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
            raise InputTypeError(f"order must be an integer, got {order!r}")
        cb, bar = _tqdm_callback(progress, "removal effects")
        try:
            core = _core.attribution.MarkovAttribution.fit(paths, int(order), _repeats(repeats), int(threads), cb)
        finally:
            if bar is not None:
                bar.close()
        return cls(core, paths, customers)

    # ------------------------------------------------------------------ results
    @property
    def conversion_probability(self) -> float:
        """P(conversion) of a journey from ``(start)`` in the fitted chain."""
        return float(self._core.conversion_probability)

    @property
    def order(self) -> int:
        return int(self._core.order)

    def channels(self) -> pd.DataFrame:
        """One row per channel: removal_effect, conversions (and value_removal_effect, value)."""
        out = _markov_frame(self)
        out.attrs["conversion_probability"] = self.conversion_probability
        return out

    def sequences(self, sequences: Sequence[str | Sequence[str]], sep: str | None = None,
                  threads: int = 0) -> pd.DataFrame:
        """Removal effects of channel sequences (each at most ``order`` channels long):
        removing ``"a > b"`` sends every journey that touches a then b consecutively
        to ``(null)``.  Sequences are strings joined by ``sep`` (default: the model's) or lists."""
        sep = self._paths.sep if sep is None else sep
        names = list(self._core.channels)
        index = {n: i for i, n in enumerate(names)}
        flat: list[int] = []
        offsets = [0]
        labels = []
        for q, s in enumerate(sequences):  # a handful of user-given sequences, not data
            parts = [p.strip() for p in (s.split(sep) if isinstance(s, str) else s)]
            for p in parts:
                if p not in index:
                    raise UnknownLabelError(f"sequence {q}: unknown channel {p!r} (known: {', '.join(names)})")
                flat.append(index[p])
            offsets.append(len(flat))
            labels.append(" > ".join(parts))
        re, vre = self._core.sequence_removal_effects(np.asarray(offsets, dtype=np.int64),
                                                      np.asarray(flat, dtype=np.int32), int(threads))
        data = {"removal_effect": re}
        if self._paths.has_values:
            data["value_removal_effect"] = vre
        return pd.DataFrame(data, index=pd.Index(labels, name="sequence"))

    def journeys(self) -> pd.DataFrame:
        """Per-journey attribution: one row per (journey, channel) with the journey's
        conversions (and value) split over its channels in proportion to their removal
        effects.  ``journey`` is the row of the input (or the journey number for event
        logs, with its ``customer``)."""
        shares = self._core.journey_shares(self._paths)
        offsets = self._paths.offsets
        lengths = np.diff(offsets)
        journey = np.repeat(np.arange(len(lengths)), lengths)
        touches = self._paths.touches
        names = np.asarray(self._core.channels, dtype=object)
        df = pd.DataFrame({"journey": journey, "channel": touches, "share": shares})
        g = df.groupby(["journey", "channel"], sort=True, as_index=False)["share"].sum()
        j = g["journey"].to_numpy()
        out = pd.DataFrame({"journey": j})
        if self._customers is not None:
            out["customer"] = self._customers[j]
        out["channel"] = names[g["channel"].to_numpy()]
        out["share"] = g["share"].to_numpy()
        out["conversions"] = out["share"] * self._paths.conversions[j]
        if self._paths.has_values:
            out["value"] = out["share"] * self._paths.values[j]
        return out

    def transition_matrix(self) -> pd.DataFrame:
        """The fitted transitions (long format): from, to, probability; states are
        k-grams joined by the separator, plus (start), (conversion) and (null)."""
        f, t, p = self._core.transitions()
        names = np.asarray(self._core.state_names() + ["(null)", "(conversion)"], dtype=object)
        return pd.DataFrame({"from": names[f], "to": names[t], "probability": p})

    def simulate(self, n_journeys: int = 1_000_000, seed: int = 0, threads: int = 0, progress: bool = False,
                 max_steps: int = 1_000_000) -> pd.DataFrame:
        """Monte Carlo estimate of the channel removal effects with 95% confidence
        intervals (seeded; the same at any thread count), for comparison with tools that
        simulate.  Columns: removal_effect, lower, upper, exact."""
        if n_journeys < 2:
            raise InvalidArgumentError(f"n_journeys must be >= 2, got {n_journeys}")
        cb, bar = _tqdm_callback(progress, "simulation")
        try:
            r = self._core.simulate(int(n_journeys), int(seed), int(threads), cb, int(max_steps))
        finally:
            if bar is not None:
                bar.close()
        out = _frame(self._core.channels, {"removal_effect": r["removal_effects"], "lower": r["lower"],
                                           "upper": r["upper"], "exact": self._core.removal_effects})
        out.attrs["conversion_probability"] = r["conversion_probability"]
        return out

    def __repr__(self) -> str:
        return f"MarkovAttribution(channels={len(self._core.channels)}, order={self.order}, states={self._core.n_states})"
