"""Markov attribution: exact removal effects (order 1 or k) by linear solves, sequence
removal effects, per-journey attribution and a seeded simulation estimate."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, Sequence, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.estimator import fit_method
from .._common.persist import JsonModel
from .._common.options import run_with_progress as _run_with_progress
from ..errors import InputTypeError, InvalidArgumentError, UnknownLabelError
from ._shared import REPEATS as _REPEATS
from ._shared import Repeats
from ._shared import channel_frame, journeys_core, paths_from_frame, repeats_code
from .._common.checks import check_ints

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MarkovAttribution", "markov", "markov_events"]


def _markov_frame(model: "MarkovAttribution") -> pd.DataFrame:
    c = model._fitted()
    data = {"removal_effect": c.removal_effects, "conversions": c.attributed_conversions}
    if c.has_values:
        data["value_removal_effect"] = c.value_removal_effects
        data["value"] = c.attributed_value
    return channel_frame(c.channels, data)


#: Column names read when ``conversions`` / ``nulls`` are not given, in order:
#: ChannelAttribution's spelling first, then the columns :func:`journeys` returns.
_CONVERSION_COLUMNS = ("total_conversions", "conversions")
_NULL_COLUMNS = ("total_null", "nulls")


def _count_columns(df: pd.DataFrame, conversions: str | None, nulls: str | None) -> tuple[str, str | None]:
    """The conversions and nulls columns: the given names, else the first present of the
    known spellings (so ``markov(journeys(...))`` reads journeys' columns as they are)."""
    cols = getattr(df, "columns", ())
    if conversions is None:
        conversions = next((c for c in _CONVERSION_COLUMNS if c in cols), _CONVERSION_COLUMNS[0])
    if nulls is None:
        nulls = next((c for c in _NULL_COLUMNS if c in cols and c != conversions), None)
    return conversions, nulls


def markov(df: pd.DataFrame, path: str = "path", conversions: str | None = None, nulls: str | None = None,
           value: str | None = None, order: int = _default("MarkovOptions", "order"), *, sep: str = ">",
           repeats: Repeats = _default_choice("MarkovOptions", "repeats", _REPEATS),
           threads: int = _default("MarkovOptions", "threads"), progress: bool = False, channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Exact Markov removal effects of aggregated paths: one row per channel.

    Parameters
    ----------
    df : DataFrame
        One row per path (rows may repeat).
    path : str
        Column of paths (channel names joined by ``sep``).
    conversions : str, optional
        Column of conversion counts.  Default: ``"total_conversions"`` (ChannelAttribution)
        if present, else ``"conversions"`` (what :func:`journeys` returns).
    nulls : str, optional
        Column of non-converting journey counts.  Default: ``"total_null"`` if present,
        else ``"nulls"`` (what :func:`journeys` returns), so ``markov(journeys(...))``
        reads the journeys table as it is.  With no such column every path converts
        (the ``(null)`` state then only receives removed channels' journeys).
    value : str, optional
        Column of conversion value; adds value_removal_effect and value.
    order : int
        Markov order k: states are the last k channels.
    sep : str
        Separator between channels in ``path``.
    repeats : {"collapse", "keep"}
        Consecutive repeats collapsed (default, as ChannelAttribution) or kept as
        self-loops (same effects at order 1).
    threads : int
        Worker threads for the removal solves: 0 chooses from the size of the work
        (one thread for small inputs, more only when each has enough work to gain
        from it, never more than the usable cores); a positive number is an upper
        bound.  The result is the same at any thread count.
    progress : bool
        Show a tqdm bar over the removals.
    channels : sequence of str, optional
        The known channels: an unknown name raises UnknownLabelError naming the row,
        and each listed channel must occur.

    Returns
    -------
    DataFrame indexed by channel: removal_effect, conversions (total conversions split
    by removal effect), and with ``value`` also value_removal_effect and value.
    ``df.attrs["conversion_probability"]`` holds P(conversion) of the fitted chain.
    """
    model = MarkovAttribution(order, repeats=repeats, threads=threads, progress=progress)
    return model.fit(df, path=path, conversions=conversions, nulls=nulls, value=value, sep=sep,
                     channels=channels).channels()


def markov_events(events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                  value: str | None = None, order: int = _default("MarkovOptions", "order"),
                  repeats: Repeats = _default_choice("MarkovOptions", "repeats", _REPEATS), threads: int = _default("MarkovOptions", "threads"),
                  progress: bool = False,
                  conversion_is_touch: bool = _default("JourneyOptions", "conversion_is_touch")) -> pd.DataFrame:
    """Exact Markov removal effects of an event log (journeys as in :func:`journeys`).
    Same columns as :func:`markov`; use :meth:`MarkovAttribution.fit_events` for the model.

    Rows may come in any order: each customer's events are sorted by time and split
    after each conversion; touches after a customer's last conversion form one
    non-converting journey (a ``(null)`` path).

    Parameters
    ----------
    events : DataFrame
        One row per touch or conversion.
    customer, time, channel, converted : str
        Columns of the customer id, the event time (numbers or datetimes), the channel
        name and the conversion flag (0/1 or bool).
    value : str, optional
        Column of the conversion value; adds value_removal_effect and value.
    order : int
        Markov order k: states are the last k channels.
    repeats : {"collapse", "keep"}
        Consecutive repeats collapsed (default, as ChannelAttribution) or kept as
        self-loops (same effects at order 1).
    threads : int
        Worker threads for the removal solves: 0 chooses from the size of the work
        (one thread for small inputs, more only when each has enough work to gain
        from it, never more than the usable cores); a positive number is an upper
        bound.  The result is the same at any thread count.
    progress : bool
        Show a tqdm bar over the removals.
    conversion_is_touch : bool
        Whether a conversion row's channel is also the journey's last touch.

    Returns
    -------
    DataFrame
        Indexed by channel: removal_effect, conversions (the converting journeys split
        by removal effect) and, with ``value``, value_removal_effect and value;
        ``df.attrs["conversion_probability"]`` is P(conversion) of the fitted chain.

    Examples
    --------
    Customer 2's ad touch never converts; the fair and the demo lie on customer 1's only
    converting path, so removing either loses every conversion:

    >>> import pandas as pd, funnelnet as fn
    >>> log = pd.DataFrame({"id": [1, 1, 1, 2], "t": [3, 1, 2, 1], "ch": ["ad", "fair", "demo", "ad"],
    ...                     "won": [0, 0, 1, 0]})
    >>> fn.attribution.markov_events(log, customer="id", time="t", channel="ch", converted="won")
             removal_effect  conversions
    channel                             
    ad                  0.0          0.0
    demo                1.0          0.5
    fair                1.0          0.5
    """
    model = MarkovAttribution(order, repeats=repeats, threads=threads, progress=progress)
    return model.fit_events(events, customer=customer, time=time, channel=channel, converted=converted,
                            value=value, conversion_is_touch=conversion_is_touch).channels()


def _legacy_fit(cls: type, df: pd.DataFrame, path: str = "path", conversions: str | None = None,
                nulls: str | None = None, value: str | None = None, order: int = 1, *, sep: str = ">",
                repeats: Repeats = "collapse", threads: int = 0, progress: bool = False,
                channels: Sequence[str] | None = None) -> "MarkovAttribution":
    """0.1's ``MarkovAttribution.fit(df, ..., order=...)`` class method (deprecated)."""
    model: MarkovAttribution = cls(order, repeats=repeats, threads=threads, progress=progress)
    return model.fit(
        df, path=path, conversions=conversions, nulls=nulls, value=value, sep=sep, channels=channels)


def _legacy_fit_events(cls: type, events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                       value: str | None = None, order: int = 1, repeats: Repeats = "collapse", threads: int = 0,
                       progress: bool = False, conversion_is_touch: bool = True) -> "MarkovAttribution":
    """0.1's ``MarkovAttribution.fit_events(events, ..., order=...)`` class method (deprecated)."""
    model: MarkovAttribution = cls(order, repeats=repeats, threads=threads, progress=progress)
    return model.fit_events(
        events, customer=customer, time=time, channel=channel, converted=converted, value=value,
        conversion_is_touch=conversion_is_touch)


class MarkovAttribution(JsonModel):
    """Markov attribution with exact removal effects (a scikit-learn style estimator).

    Parameters
    ----------
    order : int
        Markov order k: states are the last k channels.
    repeats : {"collapse", "keep"}
        Consecutive repeats collapsed (default, as ChannelAttribution) or kept as
        self-loops (same effects at order 1).
    threads : int
        Worker threads for the removal solves: 0 chooses from the size of the work
        (one thread for small inputs, more only when each has enough work to gain
        from it, never more than the usable cores); a positive number is an upper
        bound.  The result is the same at any thread count.
    progress : bool
        Show a tqdm bar over the removals.

    Notes
    -----
    Fit with :meth:`fit` (aggregated paths) or :meth:`fit_events` (an event log); both
    return the model.  ``MarkovAttribution.fit(df, ..., order=...)`` called on the class
    (0.1) still works, with a DeprecationWarning.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> df = pd.DataFrame({"path": ["A>B>A>B>B>A", "A>B>B>A>A", "A>A"], "conv": [1, 1, 1]})
    >>> m = fn.attribution.MarkovAttribution().fit(df, path="path", conversions="conv")
    >>> m.channels()
             removal_effect  conversions
    channel                             
    A                   1.0          2.0
    B                   0.5          1.0
    """

    def __init__(self, order: int = _default("MarkovOptions", "order"), *, repeats: Repeats = _default_choice("MarkovOptions", "repeats", _REPEATS),
                 threads: int = _default("MarkovOptions", "threads"), progress: bool = False) -> None:
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
            raise InputTypeError(f"order must be an integer, got {order!r}")
        repeats_code(repeats)  # checked here, used at fit
        self.order = int(order)
        self.repeats = repeats
        self.threads = int(threads)
        self.progress = bool(progress)
        self._core: Any = None
        self._paths: Any = None
        self._customers: np.ndarray | None = None

    # ------------------------------------------------------------------ pickling
    def __reduce__(self) -> Any:
        # The settings, the fitted model through its model file (the C++ JSON: exact, no
        # refit) and the validated training paths that journeys() reads (channels,
        # touches, offsets, counts, separator).
        settings = (self.order, self.repeats, self.threads, self.progress)
        if self._core is None:
            return (_restore_markov, (settings, None, None))
        p = self._paths
        state = None if p is None else (
            list(p.channels), np.asarray(p.touches, dtype=np.int32), np.asarray(p.offsets, dtype=np.int64),
            np.asarray(p.conversions, dtype=np.float64), np.asarray(p.nulls, dtype=np.float64),
            np.asarray(p.values if p.has_values else [], dtype=np.float64), str(p.sep))
        return (_restore_markov_json, (settings, self.to_json(), state, self._customers))

    # ------------------------------------------------------------------ model files
    def _to_json(self) -> str:
        return _core.attribution.to_json(self._fitted())

    @classmethod
    def from_json(cls, text: str) -> "MarkovAttribution":
        """A fitted model from JSON text written by :meth:`to_json` (channels, k-gram
        states, transitions, exits, values and removal effects; every result is the
        same, without refitting).  The training paths are not part of the file, so
        :meth:`journeys` needs a refit (a pickled model keeps them).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json` (or a file's contents; :meth:`load` reads
            the file).

        Returns
        -------
        MarkovAttribution
            A fitted model with the order and repeats setting it was saved with.

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or fails validation
            (the message names the field).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["A>B", "B", "A"], "conv": [2, 1, 1]})
        >>> m = fn.attribution.MarkovAttribution().fit(df, path="path", conversions="conv")
        >>> fn.attribution.MarkovAttribution.from_json(m.to_json()).channels().equals(m.channels())
        True
        """
        core = _core.attribution.attribution_from_json(text)
        names = {v: k for k, v in _REPEATS.items()}
        model = cls(int(core.order), repeats=cast(Repeats, names[int(core.repeats)]))
        model._core = core
        return model

    # ------------------------------------------------------------------ fitting
    @fit_method(_legacy_fit, "MarkovAttribution(order=..., repeats=...).fit(df, path=..., conversions=...)")
    def fit(self, df: pd.DataFrame, path: str = "path", conversions: str | None = None,
            nulls: str | None = None, value: str | None = None, *, sep: str = ">",
            channels: Sequence[str] | None = None) -> Self:
        """Fit from aggregated paths (columns and their defaults as :func:`markov`, so the
        table :func:`journeys` returns is read as it is); returns the model.

        Parameters
        ----------
        df : DataFrame
            One row per path (rows may repeat; their counts add up).
        path : str
            Column of paths, channel names joined by ``sep`` (spaces around names are
            stripped).
        conversions : str, optional
            Column of conversion counts.  Default: ``"total_conversions"``
            (ChannelAttribution) if present, else ``"conversions"`` (as :func:`journeys`
            returns it).
        nulls : str, optional
            Column of non-converting journey counts.  Default: ``"total_null"`` if
            present, else ``"nulls"``; with neither, every path converts.
        value : str, optional
            Column of total conversion value per path; adds value removal effects.
        sep : str
            Separator between channels in ``path``.
        channels : sequence of str, optional
            The known channels: an unknown name raises UnknownLabelError naming the row,
            and each listed channel must occur.

        Returns
        -------
        MarkovAttribution
            ``self``, fitted (read :meth:`channels`, :meth:`journeys`, ...).

        Raises
        ------
        InputTypeError, InvalidArgumentError
            A missing column, a negative or non-finite count, or an empty path (the
            message names the row and column).

        Examples
        --------
        Three journeys starting at a go on to b twice; b converts 3 of 4 times:

        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["a > b", "b", "a"], "conversions": [2, 1, 0], "nulls": [0, 1, 1]})
        >>> m = fn.attribution.MarkovAttribution().fit(df)
        >>> round(m.conversion_probability_, 6)  # 0.6 * 2/3 * 3/4 + 0.4 * 3/4
        0.6
        """
        conversions, nulls = _count_columns(df, conversions, nulls)
        paths = paths_from_frame(df, path, conversions, nulls, value, sep, channels)
        return self._fit_paths(paths, None)

    @fit_method(_legacy_fit_events, "MarkovAttribution(order=..., repeats=...).fit_events(events, customer=..., ...)")
    def fit_events(self, events: pd.DataFrame, *, customer: str, time: str, channel: str, converted: str,
                   value: str | None = None,
                   conversion_is_touch: bool = _default("JourneyOptions", "conversion_is_touch")) -> Self:
        """Fit from an event log (journeys as in :func:`journeys`); returns the model.

        Rows may come in any order: each customer's events are sorted by time and split
        after each conversion.  :meth:`journeys` then reports each journey with its
        customer.

        Parameters
        ----------
        events : DataFrame
            One row per touch or conversion.
        customer, time, channel, converted : str
            Columns of the customer id, the event time (numbers or datetimes), the
            channel name and the conversion flag (0/1 or bool).
        value : str, optional
            Column of the conversion value; adds value removal effects.
        conversion_is_touch : bool
            Whether a conversion row's channel is also the journey's last touch.

        Returns
        -------
        MarkovAttribution
            ``self``, fitted.
        """
        paths, cust, _, _ = journeys_core(events, customer, time, channel, converted, value, ">", conversion_is_touch)
        return self._fit_paths(paths, cust)

    def _fit_paths(self, paths: Any, customers: np.ndarray | None) -> Self:
        core = _run_with_progress(self.progress, "removal effects", lambda cb: _core.attribution.MarkovAttribution.fit(
            paths, self.order, repeats_code(self.repeats), self.threads, cb))
        self._core, self._paths, self._customers = core, paths, customers
        return self

    def _fitted(self) -> Any:
        if self._core is None:
            raise InvalidArgumentError("MarkovAttribution is not fitted: call fit() or fit_events()")
        return self._core

    # ------------------------------------------------------------------ results
    @property
    def conversion_probability_(self) -> float:
        """P(conversion) of a journey from ``(start)`` in the fitted chain."""
        return float(self._fitted().conversion_probability)

    @property
    def conversion_probability(self) -> float:
        """Same as :attr:`conversion_probability_` (0.1's name)."""
        return self.conversion_probability_

    @property
    def n_states_(self) -> int:
        """Number of states of the fitted chain (k-grams plus start, conversion, null)."""
        return int(self._fitted().n_states)

    def channels(self) -> pd.DataFrame:
        """One row per channel: removal_effect, conversions (and value_removal_effect, value).

        Returns
        -------
        DataFrame
            Indexed by channel.  ``removal_effect`` is the relative drop in
            P(conversion) when the channel's journeys go to ``(null)`` (0 to 1);
            ``conversions`` splits the total conversions over the channels in proportion
            to the removal effects.  With a value column, ``value_removal_effect`` and
            ``value`` do the same for value.  ``df.attrs["conversion_probability"]``
            holds P(conversion) of the fitted chain.

        Examples
        --------
        Removing a leaves only the journeys starting at b (0.4 * 3/4 = 0.3 of 0.6):

        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["a > b", "b", "a"], "conversions": [2, 1, 0], "nulls": [0, 1, 1]})
        >>> fn.attribution.MarkovAttribution().fit(df).channels()
                 removal_effect  conversions
        channel                             
        a                   0.5          1.0
        b                   1.0          2.0
        """
        out = _markov_frame(self)
        out.attrs["conversion_probability"] = self.conversion_probability
        return out

    def sequences(self, sequences: Sequence[str | Sequence[str]], sep: str | None = None,
                  threads: int = 0) -> pd.DataFrame:
        """Removal effects of channel sequences (each at most ``order`` channels long):
        removing ``"a > b"`` sends every journey that touches a then b consecutively
        to ``(null)``.  Sequences are strings joined by ``sep`` (default: the model's) or lists.

        Parameters
        ----------
        sequences : sequence of str or of lists of str
            The channel sequences, e.g. ``["a > b", ["b"]]``; each at most ``order``
            channels long.
        sep : str, optional
            Separator of the string sequences (default: the separator the model was
            fitted with).
        threads : int
            Worker threads for the removal solves: 0 chooses from the size of
            the work (one thread for small inputs, more only when each has
            enough work to gain from it, never more than the usable cores); a
            positive number is an upper bound.  The result is the same at any
            thread count.

        Returns
        -------
        DataFrame
            Indexed by ``sequence`` (names joined by ``" > "``): removal_effect (and
            value_removal_effect when the model has values).

        Raises
        ------
        UnknownLabelError
            A channel the model does not know (the message names the sequence and
            lists the known channels).
        InvalidArgumentError
            A sequence longer than the model's order.

        Examples
        --------
        At order 2, b converts every journey that came from a but half of those that
        start at b, so removing the step a > b costs 2/3 of the conversions:

        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["a > b", "b", "a"], "conversions": [2, 1, 0], "nulls": [0, 1, 1]})
        >>> fn.attribution.MarkovAttribution(order=2).fit(df).sequences(["a > b", ["b"]]).round(4)
                  removal_effect
        sequence                
        a > b             0.6667
        b                 1.0000
        """
        sep = self._fitted().sep if sep is None else sep
        names = list(self._fitted().channels)
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
        re, vre = self._fitted().sequence_removal_effects(np.asarray(offsets, dtype=np.int64),
                                                      np.asarray(flat, dtype=np.int32), int(threads))
        data = {"removal_effect": re}
        if self._fitted().has_values:
            data["value_removal_effect"] = vre
        return pd.DataFrame(data, index=pd.Index(labels, name="sequence"))

    def journeys(self) -> pd.DataFrame:
        """Per-journey attribution: one row per (journey, channel) with the journey's
        conversions (and value) split over its channels in proportion to their removal
        effects.  ``journey`` is the row of the input (or the journey number for event
        logs, with its ``customer``).

        Returns
        -------
        DataFrame
            One row per (journey, channel): journey, customer (event logs only),
            channel, share (the channel's share of the journey; the shares of a journey
            sum to 1) and conversions (share times the journey's conversions), plus
            value with a value column.

        Raises
        ------
        InvalidArgumentError
            The model was read from a model file, which holds no training paths.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["a > b", "b", "a"], "conversions": [2, 1, 0], "nulls": [0, 1, 1]})
        >>> fn.attribution.MarkovAttribution().fit(df).journeys().round(4)
           journey channel   share  conversions
        0        0       a  0.3333       0.6667
        1        0       b  0.6667       1.3333
        2        1       b  1.0000       1.0000
        3        2       a  1.0000       0.0000
        """
        if self._fitted() is not None and self._paths is None:
            raise InvalidArgumentError("journeys() needs the training paths, which a model file does not hold "
                                       "(this model was read with from_json/load): fit it again, or pickle it")
        shares = self._fitted().journey_shares(self._paths)
        offsets = self._paths.offsets
        lengths = np.diff(offsets)
        journey = np.repeat(np.arange(len(lengths)), lengths)
        touches = self._paths.touches
        names = np.asarray(self._fitted().channels, dtype=object)
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
        k-grams joined by the separator, plus (start), (conversion) and (null).

        Returns
        -------
        DataFrame
            One row per transition with a positive probability: from, to, probability
            (the probabilities out of each state sum to 1).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["a > b", "b", "a"], "conversions": [2, 1, 0], "nulls": [0, 1, 1]})
        >>> fn.attribution.MarkovAttribution().fit(df).transition_matrix().round(4)
              from            to  probability
        0  (start)             a       0.6000
        1  (start)             b       0.4000
        2        a             b       0.6667
        3        a        (null)       0.3333
        4        b  (conversion)       0.7500
        5        b        (null)       0.2500
        """
        f, t, p = self._fitted().transitions()
        names = np.asarray(self._fitted().state_names() + ["(null)", "(conversion)"], dtype=object)
        return pd.DataFrame({"from": names[f], "to": names[t], "probability": p})

    def simulate(self, n_journeys: int = 1_000_000, seed: int = 0, threads: int = 0, progress: bool = False,
                 max_steps: int = 1_000_000) -> pd.DataFrame:
        """Monte Carlo estimate of the channel removal effects with 95% confidence
        intervals (seeded; the same at any thread count), for comparison with tools that
        simulate.  Columns: removal_effect, lower, upper, exact.

        Parameters
        ----------
        n_journeys : int
            Journeys simulated from ``(start)`` (at least 2); the interval width
            shrinks as 1 / sqrt(n_journeys).
        seed : int
            Random seed; the same seed gives the same result at any thread count.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.
        progress : bool
            Show a tqdm bar.
        max_steps : int
            Longest simulated journey; a journey still open after it counts as null.

        Returns
        -------
        DataFrame
            Indexed by channel: removal_effect (simulated), lower and upper (95%
            interval) and exact (the linear-solve value of :meth:`channels`);
            ``df.attrs["conversion_probability"]`` is the simulated P(conversion).

        Raises
        ------
        InvalidArgumentError
            ``n_journeys`` below 2, or the model is not fitted.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"path": ["a > b", "b", "a"], "conversions": [2, 1, 0], "nulls": [0, 1, 1]})
        >>> sim = fn.attribution.MarkovAttribution().fit(df).simulate(n_journeys=100_000, seed=1)
        >>> bool(((sim["exact"] - sim["removal_effect"]).abs() < 0.01).all())
        True
        """
        check_ints(n_journeys=n_journeys, seed=seed, threads=threads, max_steps=max_steps)
        if n_journeys < 2:
            raise InvalidArgumentError(f"n_journeys must be >= 2, got {n_journeys}")
        r = _run_with_progress(progress, "simulation",
                               lambda cb: self._fitted().simulate(int(n_journeys), int(seed), int(threads), cb,
                                                                  int(max_steps)))
        out = channel_frame(self._fitted().channels, {"removal_effect": r["removal_effects"], "lower": r["lower"],
                                           "upper": r["upper"], "exact": self._fitted().removal_effects})
        out.attrs["conversion_probability"] = r["conversion_probability"]
        return out

    def plot(self, heuristics: pd.DataFrame | None = None, *, ax: Any = None, **kw: Any) -> "Axes":
        """Draw the attributed conversions per channel: :func:`funnelnet.plot.attribution`.

        Parameters
        ----------
        heuristics : DataFrame, optional
            The table of :func:`funnelnet.attribution.heuristic`, drawn beside the removal
            effects.
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        **kw
            Passed to the chart function.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (``ax``, or a new figure's).
        """
        from ..plot import attribution

        return attribution(self, heuristics, ax=ax, **kw)

    def _repr_html_(self) -> str:
        from .._common.display import html_block

        if self._core is None:
            return html_block("MarkovAttribution", {"order": self.order, "repeats": self.repeats, "fitted": False},
                              note="call fit() or fit_events()")
        ch = self.channels()
        return html_block("MarkovAttribution", {"order": self.order, "channels": len(ch),
                                                "P(conversion)": self.conversion_probability_},
                          ch, note=f"first 10 of {len(ch)} channels" if len(ch) > 10 else "")

    def __repr__(self) -> str:
        if self._core is None:
            return f"MarkovAttribution(order={self.order}, repeats={self.repeats!r})"
        return f"MarkovAttribution(channels={len(self._core.channels)}, order={self.order}, states={self._core.n_states})"


def _restore_markov_json(settings: tuple[Any, ...], text: str, state: tuple[Any, ...] | None,
                         customers: np.ndarray | None) -> MarkovAttribution:
    order, repeats, threads, progress = settings
    model = MarkovAttribution(order, repeats=repeats, threads=threads, progress=progress)
    model._core = _core.attribution.attribution_from_json(text)
    if state is not None:
        channels, touches, offsets, conversions, nulls, values, sep = state
        model._paths = _core.attribution.PathSet(channels, np.ascontiguousarray(touches, dtype=np.int32),
                                                 np.ascontiguousarray(offsets, dtype=np.int64),
                                                 np.ascontiguousarray(conversions, dtype=np.float64),
                                                 np.ascontiguousarray(nulls, dtype=np.float64),
                                                 np.ascontiguousarray(values, dtype=np.float64), sep)
        model._customers = customers
    return model


def _restore_markov(settings: tuple[Any, ...], state: tuple[Any, ...] | None, customers: np.ndarray | None) -> MarkovAttribution:
    order, repeats, threads, progress = settings
    model = MarkovAttribution(order, repeats=repeats, threads=threads, progress=progress)
    if state is None:
        return model
    channels, touches, offsets, conversions, nulls, values, sep = state
    paths = _core.attribution.PathSet(channels, np.ascontiguousarray(touches, dtype=np.int32),
                                      np.ascontiguousarray(offsets, dtype=np.int64),
                                      np.ascontiguousarray(conversions, dtype=np.float64),
                                      np.ascontiguousarray(nulls, dtype=np.float64),
                                      np.ascontiguousarray(values, dtype=np.float64), sep)
    return model._fit_paths(paths, customers)
