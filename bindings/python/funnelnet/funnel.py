"""Markov funnels: declare stages, count transitions, fit a chain, analyse absorption.

>>> import funnelnet as fn
>>> f = fn.Funnel(["potential", "possible", "target"], outcomes=["won", "lost"])
>>> counts = fn.TransitionCounts.from_paths(
...     ["potential>possible>target>won", "potential>lost", "potential>possible>lost"],
...     funnel=f, sep=">")
>>> chain = counts.fit()
>>> print(chain.absorption_probabilities().round(3))
outcome      won   lost
stage                  
potential  0.333  0.667
possible   0.500  0.500
target     1.000  0.000
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._convert import progress_callback as _progress_callback
from ._convert import as_array, encode_labels, ids_as_int64, require_columns, times_as_numbers
from .errors import EmptyInputError, FileError, FormatError, InputTypeError, InvalidArgumentError, ShapeError

__all__ = ["Funnel", "TransitionCounts", "MarkovChain", "WhatIf", "load_model"]

_REPEATS = {"keep": 0, "collapse": 1}
_EMPTY_ROWS = {"error": 0, "absorbing": 1, "uniform": 2}


def _pick(names: Sequence[str], idx: Iterable[int]) -> list[str]:
    """names[i] for i in idx (names converted from C++ once, not per element)."""
    names = list(names)
    return [names[i] for i in idx]


def _choice(value: str, options: dict[str, int], name: str) -> int:
    if value not in options:
        raise InvalidArgumentError(f"{name} must be one of {sorted(options)}, got {value!r}")
    return options[value]


class Funnel:
    """The states of a funnel: transient ``stages`` in order, then absorbing ``outcomes``.

    Any stage sequence works (loops and skips are allowed in the data); names must be
    unique and non-empty.

    Parameters
    ----------
    stages : sequence of str
        Transient stages, e.g. ``["potential", "possible", "target"]``.
    outcomes : sequence of str
        Absorbing end states, e.g. ``["won", "lost"]``.  May be empty for recurrent
        processes (a customer cycle), but then absorbing analysis is unavailable.
    """

    def __init__(self, stages: Sequence[str], outcomes: Sequence[str] = ()) -> None:
        stages, outcomes = [str(s) for s in stages], [str(s) for s in outcomes]
        self._space = _core.funnel.StageSpace(stages + outcomes, [False] * len(stages) + [True] * len(outcomes))

    @classmethod
    def _from_space(cls, space: Any) -> "Funnel":
        f = cls.__new__(cls)
        f._space = space
        return f

    @property
    def states(self) -> list[str]:
        """All state names in order (stages, then outcomes)."""
        return list(self._space.names)

    @property
    def stages(self) -> list[str]:
        """The transient stages."""
        return _pick(self._space.names, self._space.transient)

    @property
    def outcomes(self) -> list[str]:
        """The absorbing outcomes."""
        return _pick(self._space.names, self._space.absorbing)

    def __len__(self) -> int:
        return len(self._space)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Funnel) and self._space == other._space

    def __repr__(self) -> str:
        return f"Funnel(stages={self.stages!r}, outcomes={self.outcomes!r})"


def _resolve_funnel(funnel: Funnel | None, names_in_order: Iterable[Any], absorbing: Sequence[str] | None) -> Funnel:
    if funnel is not None:
        if not isinstance(funnel, Funnel):
            raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(funnel).__name__}")
        return funnel
    if absorbing is None:
        raise InvalidArgumentError("give either funnel=Funnel(...) or absorbing=[...] naming the end states")
    seen = list(dict.fromkeys(str(x) for x in names_in_order))
    outcomes = [str(a) for a in absorbing]
    for a in outcomes:
        if a not in seen:
            seen.append(a)
    return Funnel([s for s in seen if s not in outcomes], outcomes)


class TransitionCounts:
    """How often leads moved from one state to another: the sufficient statistic of a
    Markov funnel.  Counts are mergeable: ``a + b`` equals counting the union, so logs
    can be counted per partition (or per Dask chunk) and added up.

    Build with :meth:`from_paths`, :meth:`from_events` or :meth:`from_matrix`.
    """

    def __init__(self, core: Any) -> None:
        self._core = core

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_matrix(cls, counts: Any, funnel: Funnel) -> "TransitionCounts":
        """Counts from a square matrix (array or DataFrame in the funnel's state order)."""
        m = np.ascontiguousarray(np.asarray(counts, dtype=np.float64))
        if m.ndim != 2:
            raise ShapeError(f"counts must be 2-dimensional, got shape {m.shape}")
        return cls(_core.funnel.TransitionCounts(funnel._space, m))

    @classmethod
    def from_paths(
        cls,
        paths: Any,
        counts: Any = None,
        *,
        funnel: Funnel | None = None,
        absorbing: Sequence[str] | None = None,
        sep: str | None = None,
        repeats: str = "keep",
    ) -> "TransitionCounts":
        """Counts from paths: each path is a sequence of state names, walked in order.

        Parameters
        ----------
        paths : list of sequences of str, or strings joined by ``sep`` (list or Series)
        counts : array-like, optional
            How many times each path was observed (default 1 each).
        funnel : Funnel, optional
            The state space.  Without it, states are taken in order of first appearance
            and ``absorbing`` names the end states.
        sep : str, optional
            Separator when paths are strings, e.g. ``">"``; names are stripped of spaces.
        repeats : {"keep", "collapse"}
            ``"keep"`` counts a repeated state as a self-transition (a lead that stays);
            ``"collapse"`` ignores repeats.
        """
        rep = _choice(repeats, _REPEATS, "repeats")
        f, codes, offsets = _encode_paths(paths, funnel, absorbing, sep)
        n_paths = len(offsets) - 1
        if counts is None:
            weights = np.ones(n_paths, dtype=np.float64)
        else:
            weights = as_array(counts, np.float64, "counts")
            if len(weights) != n_paths:
                raise ShapeError(f"counts has length {len(weights)}, expected {n_paths} (one per path)")
        return cls(_core.funnel.TransitionCounts.from_paths(f._space, codes, offsets, weights, rep))

    @classmethod
    def from_events(
        cls,
        df: pd.DataFrame,
        *,
        lead: str,
        stage: str,
        time: str,
        funnel: Funnel | None = None,
        absorbing: Sequence[str] | None = None,
        repeats: str = "collapse",
        threads: int = 0,
    ) -> "TransitionCounts":
        """Counts from an event log: one row per (lead, time, stage) in any order.

        Per lead, events are ordered by time (ties keep row order) and each consecutive
        pair is a transition.  By default (``repeats="collapse"``) an event that repeats
        the lead's current stage is a status update, not a transition; use
        ``repeats="keep"`` to count it as a self-transition.

        Times may be datetimes (any resolution, tz-aware ok), integers or floats.  Lead
        ids may be of any type.  A lead that leaves an absorbing stage raises.
        ``threads`` (0 = all cores) does not change the result.  A Dask DataFrame is
        counted partition by partition (``funnel`` required).
        """
        if _is_dask_frame(df):
            return cls._from_dask_events(df, lead=lead, stage=stage, time=time, funnel=funnel, repeats=repeats)
        require_columns(df, {"lead": lead, "stage": stage, "time": time})
        if len(df) == 0:
            raise EmptyInputError("the event log has no rows")
        rep = _choice(repeats, _REPEATS, "repeats")
        stage_col = df[stage]
        missing = stage_col.isna().to_numpy()
        if missing.any():
            raise InvalidArgumentError(f"{stage}: row {int(np.flatnonzero(missing)[0])} is missing")
        f = funnel if funnel is not None else _resolve_funnel(None, (str(x) for x in pd.unique(stage_col)), absorbing)
        if not isinstance(f, Funnel):
            raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(f).__name__}")
        codes = encode_labels(stage_col, f.states, stage)
        leads = ids_as_int64(df[lead], lead)
        t = times_as_numbers(df[time], time)
        builder = _core.funnel.TransitionCounts.from_events_i64 if t.dtype == np.int64 else _core.funnel.TransitionCounts.from_events_f64
        return cls(builder(f._space, leads, t, codes, rep, int(threads)))

    @classmethod
    def _from_dask_events(cls, ddf: Any, *, lead: str, stage: str, time: str, funnel: Funnel | None, repeats: str) -> "TransitionCounts":
        """Count a Dask DataFrame: shuffle so each lead's events share a partition, count
        every partition in parallel, and add the counts (they are mergeable)."""
        import dask

        if funnel is None:
            raise InvalidArgumentError("a Dask event log needs funnel=Funnel(...): states cannot be inferred lazily")
        _choice(repeats, _REPEATS, "repeats")
        for role, col in {"lead": lead, "stage": stage, "time": time}.items():
            if col not in ddf.columns:
                raise fn_unknown_column(role, col, list(ddf.columns))
        n = len(funnel)

        def count(part: pd.DataFrame) -> tuple[np.ndarray, int]:
            if len(part) == 0:
                return np.zeros((n, n)), 0
            c = cls.from_events(part, lead=lead, stage=stage, time=time, funnel=funnel, repeats=repeats)
            return c.to_numpy(), len(part)

        parts = ddf.shuffle(on=lead).to_delayed()
        results = dask.compute(*[dask.delayed(count)(p) for p in parts])
        if sum(rows for _, rows in results) == 0:
            raise EmptyInputError("the event log has no rows")
        total = np.sum([m for m, _ in results], axis=0)
        return cls.from_matrix(total, funnel)

    @classmethod
    def from_periods(
        cls,
        df: pd.DataFrame,
        *,
        lead: str,
        stage: str,
        time: str,
        period: Any = "week",
        origin: Any = None,
        cutoff: Any = None,
        funnel: Funnel | None = None,
        absorbing: Sequence[str] | None = None,
        threads: int = 0,
    ) -> "TransitionCounts":
        """Period-by-period counts from a timestamped event log, open leads censored.

        Time is cut into periods (``"day"``, ``"week"``, ``"month"``, a ``pd.Timedelta``,
        or a number for numeric times).  A stage entered in period a and left in period
        b gives b - a - 1 stays (i -> i) and one move, so a lead that stays k periods
        contributes k - 1 stays.  A lead still in a stage at ``cutoff`` contributes its
        stays and no exit: it is censored, not lost.

        Rows of one lead must be in the order the events happened (row order breaks ties
        between equal timestamps; sort with ``df.sort_values([lead, time],
        kind="stable")`` if needed); leads may be interleaved.  A repeated stage is a
        status update.  ``cutoff`` (exclusive: every event must be earlier) defaults to
        the end of the period holding the last event; ``origin`` (start of period 0)
        defaults to whole periods back from the cut-off.  ``cutoff - origin`` must be a
        whole number of periods.  Errors name the lead and row: timestamps out of order,
        duplicate events, leaving an outcome, events at or after the cut-off.
        """
        require_columns(df, {"lead": lead, "stage": stage, "time": time})
        if len(df) == 0:
            raise EmptyInputError("the event log has no rows")
        f, codes, leads = _encode_events(df, lead, stage, funnel, absorbing)
        t = times_as_numbers(df[time], time)
        if _is_calendar(df[time]):
            t, per, org, cut = _calendar_periods(t, period, origin, cutoff)
            return cls(_core.funnel.period_counts_i64(f._space, leads, t, codes, per, org, cut, int(threads)))
        if isinstance(period, str) or isinstance(period, pd.Timedelta):
            raise InvalidArgumentError(f"period {period!r} needs datetime times; {time!r} is numeric: give a number")
        if t.dtype == np.int64:
            if float(period) != int(period):
                raise InvalidArgumentError(f"period {period!r} does not divide integer times: give a whole number")
            o = None if origin is None else int(origin)
            c = None if cutoff is None else int(cutoff)
            return cls(_core.funnel.period_counts_i64(f._space, leads, t, codes, int(period), o, c, int(threads)))
        o = None if origin is None else float(origin)
        c = None if cutoff is None else float(cutoff)
        return cls(_core.funnel.period_counts_f64(f._space, leads, t, codes, float(period), o, c, int(threads)))

    # ---------------------------------------------------------------- uncertainty
    def posterior_intervals(self, prior: float = 0.5, level: float = 0.95) -> pd.DataFrame:
        """Posterior mean and equal-tailed interval of every transition probability out
        of a stage, under a symmetric Dirichlet(``prior``) prior on each row's entries
        (exact Beta marginals).  One row per (from, to) pair; columns ``mean``,
        ``lower``, ``upper``."""
        iv = _core.funnel.posterior_intervals(self._core, float(prior), float(level))
        states = self.states
        rows = [i for i, a in enumerate(self._core.space.absorbing_flags) if not a]
        idx = pd.MultiIndex.from_product([[states[i] for i in rows], states], names=["from", "to"])
        return pd.DataFrame(
            {"mean": iv.mean[rows].ravel(), "lower": iv.lower[rows].ravel(), "upper": iv.upper[rows].ravel()}, index=idx
        )

    def posterior_figures(
        self,
        *,
        prior: float = 0.5,
        level: float = 0.95,
        draws: int = 2000,
        seed: int = 0,
        threads: int = 0,
        progress: bool = False,
    ) -> pd.DataFrame:
        """Posterior means and intervals of the derived figures, per stage: the
        probability of each outcome and the expected steps to close.  Chains are drawn
        from the Dirichlet posterior (seeded: the same seed gives the same answer at any
        thread count); ``progress=True`` shows a tqdm bar."""
        cb, bar = _progress_callback(progress, "posterior draws")
        try:
            r = _core.funnel.posterior_figures(self._core, float(prior), float(level), int(draws), int(seed), int(threads), cb)
        finally:
            if bar is not None:
                bar.close()
        return _posterior_frame(r, self.states, "steps", r.steps_mean, r.steps_lower, r.steps_upper)

    # ---------------------------------------------------------------- persistence
    def to_json(self) -> str:
        """The counts as versioned JSON text (exact round trip)."""
        return _core.funnel.to_json(self._core)

    @classmethod
    def from_json(cls, text: str) -> "TransitionCounts":
        """Counts from JSON text written by :meth:`to_json` (FormatError if corrupt)."""
        return cls(_core.funnel.counts_from_json(text))

    def save(self, path: Any) -> None:
        """Write the counts to ``path`` as versioned JSON, atomically."""
        _core.funnel.write_atomic(str(path), self.to_json())

    def __reduce__(self) -> Any:
        return (TransitionCounts.from_json, (self.to_json(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TransitionCounts) and self.funnel == other.funnel and np.array_equal(self.to_numpy(), other.to_numpy())

    __hash__ = None  # type: ignore[assignment]

    # ---------------------------------------------------------------- access
    @property
    def funnel(self) -> Funnel:
        """The state space the counts are over."""
        return Funnel._from_space(self._core.space)

    @property
    def states(self) -> list[str]:
        return list(self._core.space.names)

    def to_numpy(self) -> np.ndarray:
        """The count matrix (rows: from, columns: to)."""
        return self._core.matrix

    def to_frame(self) -> pd.DataFrame:
        """The count matrix as a DataFrame labelled by state."""
        return pd.DataFrame(self._core.matrix, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    @property
    def total(self) -> float:
        """Total number of counted transitions."""
        return float(self._core.total())

    def __add__(self, other: "TransitionCounts") -> "TransitionCounts":
        if not isinstance(other, TransitionCounts):
            return NotImplemented
        return TransitionCounts(self._core.merged(other._core))

    def __repr__(self) -> str:
        return f"TransitionCounts(states={self.states!r}, total={self.total:g})"

    # ---------------------------------------------------------------- fitting
    def fit(self, smoothing: float = 0.0, empty_rows: str = "error") -> "MarkovChain":
        """Fit a chain: maximum likelihood, or with ``smoothing`` > 0 the posterior mean
        under a symmetric Dirichlet prior (add ``smoothing`` to every entry of each
        transient row).

        ``empty_rows`` says what to do with a transient stage that has no observed
        exits: ``"error"`` (default), ``"absorbing"`` (leads stay there) or ``"uniform"``.
        """
        code = _choice(empty_rows, _EMPTY_ROWS, "empty_rows")
        return MarkovChain._wrap(_core.funnel.fit(self._core, float(smoothing), code))


class MarkovChain:
    """A validated, row-stochastic Markov chain over named states.

    Parameters
    ----------
    matrix : array-like or DataFrame, shape (n, n)
        Transition probabilities; rows must sum to 1 within ``tol``.  A DataFrame
        supplies state names from its index (columns must match).
    states : sequence of str, optional
        State names (default: DataFrame index, or "s0", "s1", ...).
    absorbing : sequence of str, optional
        Names of the absorbing states; by default every state with P[i, i] = 1.
    tol : float
        Tolerance on row sums (default 1e-9).

    Examples
    --------
    >>> import funnelnet as fn
    >>> p = [[1, 0, 0, 0, 0], [.5, 0, .5, 0, 0], [0, .5, 0, .5, 0], [0, 0, .5, 0, .5], [0, 0, 0, 0, 1]]
    >>> chain = fn.MarkovChain(p, states=["0", "1", "2", "3", "4"])
    >>> chain.expected_steps().round(12).tolist()
    [3.0, 4.0, 3.0]
    """

    def __init__(self, matrix: Any, states: Sequence[str] | None = None, absorbing: Sequence[str] | None = None, tol: float = 1e-9) -> None:
        if isinstance(matrix, pd.DataFrame):
            if states is None:
                states = [str(s) for s in matrix.index]
            if [str(c) for c in matrix.columns] != [str(s) for s in matrix.index]:
                raise InvalidArgumentError("DataFrame columns must equal its index (the same states in the same order)")
        p = np.ascontiguousarray(np.asarray(matrix, dtype=np.float64))
        if p.ndim != 2 or p.shape[0] != p.shape[1]:
            raise ShapeError(f"transition matrix must be square, got shape {p.shape}")
        if states is None:
            states = [f"s{i}" for i in range(p.shape[0])]
        states = [str(s) for s in states]
        if len(states) != p.shape[0]:
            raise ShapeError(f"{len(states)} state names for a {p.shape[0]}x{p.shape[0]} matrix")
        if absorbing is None:
            core = _core.funnel.MarkovChain.from_matrix(states, p, float(tol))
        else:
            names = set(states)
            for a in absorbing:
                if str(a) not in names:
                    raise fn_unknown(a, states)
            flags = [s in {str(a) for a in absorbing} for s in states]
            core = _core.funnel.MarkovChain(_core.funnel.StageSpace(states, flags), p, float(tol))
        self._core = core
        self._analysis: Any = None

    @classmethod
    def _wrap(cls, core: Any) -> "MarkovChain":
        c = cls.__new__(cls)
        c._core = core
        c._analysis = None
        return c

    # ---------------------------------------------------------------- access
    @property
    def states(self) -> list[str]:
        return list(self._core.space.names)

    @property
    def absorbing_states(self) -> list[str]:
        return _pick(self._core.space.names, self._core.space.absorbing)

    @property
    def transient_states(self) -> list[str]:
        return _pick(self._core.space.names, self._core.space.transient)

    @property
    def funnel(self) -> Funnel:
        return Funnel._from_space(self._core.space)

    def to_numpy(self) -> np.ndarray:
        """The transition matrix."""
        return self._core.matrix

    def to_frame(self) -> pd.DataFrame:
        """The transition matrix as a DataFrame labelled by state."""
        return pd.DataFrame(self._core.matrix, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    def __repr__(self) -> str:
        return f"MarkovChain(states={self.states!r}, absorbing={self.absorbing_states!r})"

    def log_likelihood(self, counts: TransitionCounts) -> float:
        """Log-likelihood of ``counts`` under this chain (-inf if a counted move has p = 0)."""
        return float(self._core.log_likelihood(counts._core))

    # ---------------------------------------------------------------- absorbing analysis
    def _absorbing(self) -> Any:
        if self._analysis is None:
            self._analysis = _core.funnel.analyze_absorbing(self._core)
        return self._analysis

    def _tindex(self) -> pd.Index:
        return pd.Index(_pick(self.states, self._absorbing().transient), name="stage")

    def fundamental_matrix(self) -> pd.DataFrame:
        """N = (I - Q)^-1: expected visits to each transient stage (columns) starting from
        each transient stage (rows).  Raises NotAbsorbingError when some stage cannot
        reach an absorbing state."""
        a = self._absorbing()
        idx = self._tindex()
        return pd.DataFrame(a.fundamental, index=idx, columns=pd.Index(idx.tolist(), name="visits"))

    expected_visits = fundamental_matrix

    def _summary(self) -> Any:
        # Absorption figures without the fundamental matrix (sparse solver for large chains).
        if getattr(self, "_summary_cache", None) is None:
            self._summary_cache = self._analysis if self._analysis is not None else _core.funnel.summarize_absorption(self._core)
        return self._summary_cache

    def absorption_probabilities(self) -> pd.DataFrame:
        """B = N R: probability of ending in each absorbing state (columns) from each
        transient stage (rows), e.g. the win probability per stage."""
        a = self._summary()
        cols = pd.Index(_pick(self.states, a.absorbing), name="outcome")
        idx = pd.Index(_pick(self.states, a.transient), name="stage")
        return pd.DataFrame(a.absorption, index=idx, columns=cols)

    def expected_steps(self) -> pd.Series:
        """Expected number of steps (transitions) before absorption, per transient stage."""
        a = self._summary()
        return pd.Series(a.expected_steps, index=pd.Index(_pick(self.states, a.transient), name="stage"), name="expected_steps")

    def steps_variance(self) -> pd.Series:
        """Variance of the number of steps before absorption, per transient stage."""
        a = self._summary()
        return pd.Series(a.steps_variance, index=pd.Index(_pick(self.states, a.transient), name="stage"), name="steps_variance")

    # ---------------------------------------------------------------- time to close
    def time_to_close(self, quantiles: Sequence[float] = (0.5, 0.9), max_steps: int = 1_000_000) -> pd.DataFrame:
        """Number of steps (periods, for a chain fitted by ``from_periods``) until won or
        lost, per stage: ``mean``, ``sd`` and the requested quantiles (``q50``, ``q90``,
        ...; the smallest k with P(T <= k) >= q).  The distribution is discrete
        phase-type."""
        q = [float(x) for x in quantiles]
        r = _core.funnel.time_to_close_discrete(self._core, q, int(max_steps))
        return _time_frame(r, self.states, q)

    def close_time_cdf(self, k: int) -> pd.Series:
        """P(closed within k steps), per stage."""
        if int(k) < 0:
            raise InvalidArgumentError(f"k must be >= 0, got {k}")
        v = _core.funnel.close_time_cdf_discrete(self._core, int(k))
        return pd.Series(v, index=pd.Index(self.transient_states, name="stage"), name=f"P(T<={int(k)})")

    # ---------------------------------------------------------------- recurrent chains
    def communicating_classes(self) -> pd.DataFrame:
        """Communicating class of each state, whether the class is closed (recurrent) and
        its period (1 = aperiodic).  Classes are numbered by their first state."""
        cs = _core.funnel.communicating_classes(self._core)
        cls = np.asarray(cs.class_of)
        return pd.DataFrame(
            {"class": cls, "closed": np.asarray(cs.closed)[cls], "period": np.asarray(cs.period)[cls]},
            index=pd.Index(self.states, name="state"),
        )

    def stationary_distribution(self) -> pd.Series:
        """Long-run share of time in each state (pi P = pi).  Needs exactly one closed
        class (InvalidArgumentError names them otherwise)."""
        return pd.Series(_core.funnel.stationary_distribution(self._core), index=pd.Index(self.states, name="state"), name="pi")

    def first_passage_times(self) -> pd.DataFrame:
        """Mean number of steps to first reach each state (columns) from each state
        (rows); the diagonal holds the mean recurrence times.  Irreducible chains only."""
        m = _core.funnel.first_passage_times(self._core)
        return pd.DataFrame(m, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    def recurrence_times(self) -> pd.Series:
        """Mean steps between visits to each state (1 / pi), irreducible chains only."""
        return pd.Series(np.diag(_core.funnel.first_passage_times(self._core)), index=pd.Index(self.states, name="state"), name="recurrence")

    # ---------------------------------------------------------------- bottlenecks
    def _figure_args(self, outcome: str | None, values: dict[str, float] | None, start: Any) -> tuple[np.ndarray, np.ndarray]:
        states = self.states
        absorbing = self.absorbing_states
        if not absorbing:
            raise fn_not_absorbing()
        v = np.zeros(len(states))
        if values is not None:
            for k, x in values.items():
                if str(k) not in absorbing:
                    raise fn_unknown(k, absorbing)
                v[states.index(str(k))] = float(x)
        else:
            o = absorbing[0] if outcome is None else str(outcome)
            if o not in absorbing:
                raise fn_unknown(o, absorbing)
            v[states.index(o)] = 1.0
        a = np.zeros(len(states))
        if start is None:
            a[self._core.space.transient[0] if self._core.space.transient else 0] = 1.0
        elif isinstance(start, dict):
            for k, x in start.items():
                if str(k) not in states:
                    raise fn_unknown(k, states)
                a[states.index(str(k))] = float(x)
        else:
            if str(start) not in states:
                raise fn_unknown(start, states)
            a[states.index(str(start))] = 1.0
        return a, v

    def sensitivity(self, outcome: str | None = None, *, values: dict[str, float] | None = None, start: Any = None) -> pd.DataFrame:
        """How the win probability from ``start`` (default: the first stage) responds to
        each transition.  ``outcome`` names the outcome whose probability is the figure
        (default: the first outcome); ``values`` ({outcome: value}, e.g. deal values)
        makes it the expected value instead.  One row per (from, to) with
        ``gradient`` = dF/dP[from][to] and ``elasticity`` = dF/dx for raising P[from][to]
        by a fraction x with the row renormalised (so 0.1 * elasticity is about the
        effect of a 10% better step)."""
        a, v = self._figure_args(outcome, values, start)
        sn = _core.funnel.sensitivity(self._core, a, v)
        states = self.states
        rows = list(self._core.space.transient)
        idx = pd.MultiIndex.from_product([[states[i] for i in rows], states], names=["from", "to"])
        return pd.DataFrame({"probability": self._core.matrix[rows].ravel(), "gradient": sn.gradient[rows].ravel(), "elasticity": sn.elasticity[rows].ravel()}, index=idx)

    def bottlenecks(self, outcome: str | None = None, *, values: dict[str, float] | None = None, start: Any = None) -> pd.DataFrame:
        """Transitions ranked by their impact on the figure (see :meth:`sensitivity`):
        largest |elasticity| first.  Columns ``from``, ``to``, ``probability``,
        ``gradient``, ``elasticity`` and ``gain_10pct`` (0.1 * elasticity, the first-order
        effect of raising that step by 10%)."""
        a, v = self._figure_args(outcome, values, start)
        sn = _core.funnel.sensitivity(self._core, a, v)
        f, t, p, g, e = _core.funnel.rank_bottlenecks(self._core, sn)
        states = np.asarray(self.states, dtype=object)
        return pd.DataFrame({"from": states[f], "to": states[t], "probability": p, "gradient": g, "elasticity": e, "gain_10pct": 0.1 * e})

    def what_if(self, from_: str, to: str, pct: float, outcome: str | None = None, *, values: dict[str, float] | None = None, start: Any = None) -> "WhatIf":
        """Raise P[from_][to] by ``pct`` percent (renormalising the row) and report the
        figure and, per stage, the win probability (or value) and expected steps before
        and after.  Returns a :class:`WhatIf` with the changed chain."""
        states = self.states
        for x in (from_, to):
            if str(x) not in states:
                raise fn_unknown(x, states)
        a, v = self._figure_args(outcome, values, start)
        new = MarkovChain._wrap(_core.funnel.raise_transition(self._core, states.index(str(from_)), states.index(str(to)), float(pct) / 100.0))
        before = _core.funnel.sensitivity(self._core, a, v)
        after = _core.funnel.sensitivity(new._core, a, v)
        tr = list(self._core.space.transient)
        idx = pd.Index([states[i] for i in tr], name="stage")
        table = pd.DataFrame({
            "value before": before.state_values[tr],
            "value after": after.state_values[tr],
            "steps before": _core.funnel.summarize_absorption(self._core).expected_steps,
            "steps after": _core.funnel.summarize_absorption(new._core).expected_steps,
        }, index=idx)
        return WhatIf(chain=new, value_before=float(before.value), value_after=float(after.value), table=table)

    # ---------------------------------------------------------------- persistence
    def to_json(self) -> str:
        """The chain as versioned JSON text (exact round trip)."""
        return _core.funnel.to_json(self._core)

    @classmethod
    def from_json(cls, text: str) -> "MarkovChain":
        """A chain from JSON text written by :meth:`to_json` (FormatError if corrupt)."""
        return cls._wrap(_core.funnel.chain_from_json(text))

    def save(self, path: Any) -> None:
        """Write the chain to ``path`` as versioned JSON, atomically (temporary file, then
        rename); read it back with :func:`funnelnet.load_model`."""
        _core.funnel.write_atomic(str(path), self.to_json())

    def __reduce__(self) -> Any:
        return (MarkovChain.from_json, (self.to_json(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MarkovChain) and self.funnel == other.funnel and np.array_equal(self.to_numpy(), other.to_numpy())

    __hash__ = None  # type: ignore[assignment]

    # ---------------------------------------------------------------- simulation
    def simulate(
        self,
        n_leads: int,
        start: str | None = None,
        *,
        seed: int = 0,
        mean_dwell: dict[str, float] | Sequence[float] | None = None,
        max_steps: int = 1000,
        threads: int = 0,
    ) -> pd.DataFrame:
        """Simulate ``n_leads`` leads from ``start`` (default: the first state) as an event
        log with columns ``lead``, ``time``, ``stage`` (categorical).  Each step waits an
        exponential time with mean ``mean_dwell[stage]`` (default 1).  Seeded: the same
        seed gives the same log at any thread count."""
        states = self.states
        start = states[0] if start is None else str(start)
        if start not in states:
            raise fn_unknown(start, states)
        if n_leads < 0:
            raise InvalidArgumentError(f"n_leads must be >= 0, got {n_leads}")
        if mean_dwell is None:
            dwell: list[float] = []
        elif isinstance(mean_dwell, dict):
            for k in mean_dwell:
                if k not in states:
                    raise fn_unknown(k, states)
            dwell = [float(mean_dwell.get(s, 1.0)) for s in states]
        else:
            dwell = [float(x) for x in mean_dwell]
        lead, t, st = _core.funnel.simulate_events(self._core, states.index(start), int(n_leads), int(seed), dwell, int(max_steps), int(threads))
        return pd.DataFrame({"lead": lead, "time": t, "stage": pd.Categorical.from_codes(st, categories=states)})


def _is_dask_frame(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "to_delayed")


def fn_unknown_column(role: str, col: str, columns: Sequence[Any]) -> Exception:
    from .errors import UnknownLabelError

    return UnknownLabelError(f"{role} column {col!r} is not in the DataFrame (columns: {', '.join(map(str, columns))})")


def fn_unknown(name: Any, states: Sequence[str]) -> Exception:
    from .errors import UnknownLabelError

    return UnknownLabelError(f"unknown state {name!r} (known: {', '.join(states)})")


@dataclass
class WhatIf:
    """Result of :meth:`MarkovChain.what_if`: the changed ``chain``, the figure before
    and after, and a per-stage ``table`` (value and expected steps, before and after)."""

    chain: MarkovChain
    value_before: float
    value_after: float
    table: pd.DataFrame

    @property
    def gain(self) -> float:
        """value_after - value_before."""
        return self.value_after - self.value_before


def load_model(path: Any) -> Any:
    """Read a model file written by any ``save`` method (chains, counts, exposure
    counts, continuous chains).  FileError if it cannot be read; FormatError if it is
    corrupt, of an unknown version or kind, or fails validation.

    >>> import funnelnet as fn, tempfile, os
    >>> chain = fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["open", "won"])
    >>> path = os.path.join(tempfile.mkdtemp(), "chain.json")
    >>> chain.save(path)
    >>> fn.load_model(path) == chain
    True
    """
    import json

    text = _core.funnel.read_file(str(path))
    try:
        kind = json.loads(text).get("kind")
    except (ValueError, AttributeError):
        kind = None
    from .continuous import ContinuousChain, ExposureCounts

    readers = {
        "markov_chain": MarkovChain.from_json,
        "transition_counts": TransitionCounts.from_json,
        "exposure_counts": ExposureCounts.from_json,
        "continuous_chain": ContinuousChain.from_json,
    }
    if kind not in readers:
        # Let the C++ reader produce the precise error (not JSON, wrong format, version...).
        return MarkovChain.from_json(text)
    return readers[kind](text)


def _is_calendar(col: Any) -> bool:
    s = pd.Series(col, copy=False)
    return bool(pd.api.types.is_datetime64_any_dtype(s.dtype) or s.dtype == object or pd.api.types.is_string_dtype(s.dtype))


def _encode_events(df: pd.DataFrame, lead: str, stage: str, funnel: Funnel | None, absorbing: Sequence[str] | None) -> tuple[Funnel, np.ndarray, np.ndarray]:
    stage_col = df[stage]
    missing = stage_col.isna().to_numpy()
    if missing.any():
        raise InvalidArgumentError(f"{stage}: row {int(np.flatnonzero(missing)[0])} is missing")
    f = funnel if funnel is not None else _resolve_funnel(None, (str(x) for x in pd.unique(stage_col)), absorbing)
    if not isinstance(f, Funnel):
        raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(f).__name__}")
    codes = encode_labels(stage_col, f.states, stage)
    leads = ids_as_int64(df[lead], lead)
    return f, codes, leads


_NS = {"day": 86_400 * 10**9, "week": 7 * 86_400 * 10**9}


def _timestamp_ns(x: Any, name: str) -> int:
    try:
        ts = pd.Timestamp(x)
    except (ValueError, TypeError) as e:
        raise InputTypeError(f"{name}: cannot read {x!r} as a timestamp: {e}") from None
    if ts is pd.NaT:
        raise InvalidArgumentError(f"{name} is NaT")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.as_unit("ns").value)


def _calendar_periods(t: np.ndarray, period: Any, origin: Any, cutoff: Any) -> tuple[np.ndarray, int, int | None, int | None]:
    """Event times (int64 ns) as (times, period, origin, cutoff) in one integer unit."""
    if isinstance(period, str) and period == "month":
        months = t.view("datetime64[ns]").astype("datetime64[M]").astype(np.int64)

        def month_index(x: Any, name: str) -> int:
            ns = _timestamp_ns(x, name)
            m = np.datetime64(ns, "ns").astype("datetime64[M]")
            if m.astype("datetime64[ns]").astype(np.int64) != ns:
                raise InvalidArgumentError(f"the periods do not divide the observation window: {name} {pd.Timestamp(ns)} is not the start of a month")
            return int(m.astype(np.int64))

        o = None if origin is None else month_index(origin, "origin")
        c = None if cutoff is None else month_index(cutoff, "cutoff")
        return np.ascontiguousarray(months), 1, o, c
    if isinstance(period, str) and period in _NS:
        per = _NS[period]
    else:
        try:
            per = int(pd.Timedelta(period).value)
        except (ValueError, TypeError):
            raise InvalidArgumentError(f"period must be 'day', 'week', 'month' or a Timedelta, got {period!r}") from None
    if per <= 0:
        raise InvalidArgumentError(f"period must be > 0, got {period!r}")
    o = None if origin is None else _timestamp_ns(origin, "origin")
    c = None if cutoff is None else _timestamp_ns(cutoff, "cutoff")
    return t, per, o, c




def _time_frame(r: Any, states: Sequence[str], q: Sequence[float]) -> pd.DataFrame:
    out: dict[str, Any] = {"mean": r.mean, "sd": np.sqrt(np.maximum(r.variance, 0.0))}
    for k, p in enumerate(q):
        out[f"q{100 * p:g}"] = r.quantiles[:, k]
    return pd.DataFrame(out, index=pd.Index([states[i] for i in r.transient], name="stage"))


def fn_not_absorbing() -> Exception:
    from .errors import NotAbsorbingError

    return NotAbsorbingError("the chain has no absorbing state (outcome), so win probabilities are undefined")


def _encode_paths(paths: Any, funnel: "Funnel | None", absorbing: Sequence[str] | None,
                  sep: str | None) -> tuple["Funnel", np.ndarray, np.ndarray]:
    """Paths (sequences of stage names, or strings joined by ``sep``) as state codes plus
    path offsets, vectorised (explode, strip, encode); empty names name their path."""
    s = pd.Series(paths, copy=False) if not isinstance(paths, pd.Series) else paths.reset_index(drop=True)
    if len(s) == 0:
        raise EmptyInputError("no paths given")
    original = s
    if sep is not None:
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            raise InputTypeError(f"with sep={sep!r} paths must be strings, got dtype {s.dtype}")
        s = s.str.split(sep, regex=False)
    exploded = s.explode()
    if sep is not None:
        exploded = exploded.str.strip()
    bad = exploded.isna() | (exploded.astype(str) == "")
    if bad.any():
        p = int(exploded.index[np.flatnonzero(bad.to_numpy())[0]])
        raise InvalidArgumentError(f"path {p} is empty or has an empty stage name: {original.iloc[p]!r}")
    names = exploded.astype(str)
    f = _resolve_funnel(funnel, names.unique(), absorbing)
    codes = encode_labels(names.to_numpy(), f.states, "paths")
    lengths = np.bincount(exploded.index.to_numpy(), minlength=len(s))
    offsets = np.zeros(len(s) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return f, codes, offsets


def _posterior_frame(r: Any, states: Sequence[str], figure: str, mean: np.ndarray, lower: np.ndarray,
                     upper: np.ndarray) -> pd.DataFrame:
    """One row per transient stage: P(outcome) mean/lower/upper for each absorbing state,
    then the figure to close (``figure``, e.g. steps or time) with its interval."""
    out: dict[str, np.ndarray] = {}
    for k, a in enumerate(r.absorbing):
        out[f"P({states[a]})"] = r.absorption_mean[:, k]
        out[f"P({states[a]}) lower"] = r.absorption_lower[:, k]
        out[f"P({states[a]}) upper"] = r.absorption_upper[:, k]
    out[figure] = mean
    out[f"{figure} lower"] = lower
    out[f"{figure} upper"] = upper
    return pd.DataFrame(out, index=pd.Index([states[i] for i in r.transient], name="stage"))
