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

from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._convert import as_array, encode_labels, ids_as_int64, require_columns, times_as_numbers
from .errors import EmptyInputError, InputTypeError, InvalidArgumentError, ShapeError

__all__ = ["Funnel", "TransitionCounts", "MarkovChain"]

_REPEATS = {"keep": 0, "collapse": 1}
_EMPTY_ROWS = {"error": 0, "absorbing": 1, "uniform": 2}


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
        return [self._space.names[i] for i in self._space.transient]

    @property
    def outcomes(self) -> list[str]:
        """The absorbing outcomes."""
        return [self._space.names[i] for i in self._space.absorbing]

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
        s = pd.Series(paths, copy=False) if not isinstance(paths, pd.Series) else paths.reset_index(drop=True)
        if len(s) == 0:
            raise EmptyInputError("no paths given")
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
            raise InvalidArgumentError(f"path {p} is empty or has an empty stage name: {paths[p]!r}")
        f = _resolve_funnel(funnel, exploded.astype(str).unique(), absorbing)
        codes = encode_labels(exploded.astype(str).to_numpy(), f.states, "paths")
        lengths = np.bincount(exploded.index.to_numpy(), minlength=len(s))
        offsets = np.zeros(len(s) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if counts is None:
            weights = np.ones(len(s), dtype=np.float64)
        else:
            weights = as_array(counts, np.float64, "counts")
            if len(weights) != len(s):
                raise ShapeError(f"counts has length {len(weights)}, expected {len(s)} (one per path)")
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
        return [self._core.space.names[i] for i in self._core.space.absorbing]

    @property
    def transient_states(self) -> list[str]:
        return [self._core.space.names[i] for i in self._core.space.transient]

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
        return pd.Index([self.states[i] for i in self._absorbing().transient], name="stage")

    def fundamental_matrix(self) -> pd.DataFrame:
        """N = (I - Q)^-1: expected visits to each transient stage (columns) starting from
        each transient stage (rows).  Raises NotAbsorbingError when some stage cannot
        reach an absorbing state."""
        a = self._absorbing()
        idx = self._tindex()
        return pd.DataFrame(a.fundamental, index=idx, columns=pd.Index(idx.tolist(), name="visits"))

    expected_visits = fundamental_matrix

    def absorption_probabilities(self) -> pd.DataFrame:
        """B = N R: probability of ending in each absorbing state (columns) from each
        transient stage (rows), e.g. the win probability per stage."""
        a = self._absorbing()
        cols = pd.Index([self.states[i] for i in a.absorbing], name="outcome")
        return pd.DataFrame(a.absorption, index=self._tindex(), columns=cols)

    def expected_steps(self) -> pd.Series:
        """Expected number of steps (transitions) before absorption, per transient stage."""
        return pd.Series(self._absorbing().expected_steps, index=self._tindex(), name="expected_steps")

    def steps_variance(self) -> pd.Series:
        """Variance of the number of steps before absorption, per transient stage."""
        return pd.Series(self._absorbing().steps_variance, index=self._tindex(), name="steps_variance")

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
