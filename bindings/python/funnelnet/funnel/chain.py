"""Markov chains: a validated, row-stochastic chain over named states, with absorbing
analysis (win probabilities, expected steps), time to close, recurrent-chain figures,
bottlenecks, persistence and simulation (each concern in its own module)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import pick
from .._common.results import Result, result
from ..errors import FunnelnetError, InvalidArgumentError, ShapeError
from . import bottlenecks as _bottlenecks
from . import recurrent as _recurrent
from ._shared import unknown_state
from .bottlenecks import WhatIf
from .io import JsonModel
from .simulate import simulate_events
from .stages import Funnel
from .time_to_close import discrete_close_time_cdf, discrete_time_to_close
from .._common.checks import check_ints, float_matrix

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .counts import TransitionCounts

__all__ = ["MarkovChain", "WhatIf", "AbsorptionResult"]


def _str_list(states: Sequence[Any]) -> list[str]:
    """The state names as a list of str (a list of str is copied without a per-name loop)."""
    if type(states) is list and set(map(type, states)) == {str}:
        return list(states)
    return [str(s) for s in states]


_ARROW_STR: list[Any] = []


def _str_index(names: list[str]) -> pd.Index:
    """``pd.Index(names)`` for a list of str.  When pandas stores strings in Arrow (its
    default ``str`` dtype), the Arrow array is built directly: several times faster than
    pandas' per-element conversion for thousands of names, with the same dtype."""
    if not _ARROW_STR:
        probe = pd.Index(["a"])
        _ARROW_STR.append(probe.dtype if type(probe.array).__name__ == "ArrowStringArray" else None)
    dtype = _ARROW_STR[0]
    if dtype is not None and names:
        try:
            import pyarrow as pa

            from pandas.arrays import ArrowStringArray

            return pd.Index(ArrowStringArray(pa.chunked_array([pa.array(names, type=pa.large_string())]), dtype=dtype))  # type: ignore[call-arg]
        except Exception:  # another pandas layout: the public constructor
            pass
    return pd.Index(names)


# Label indexes of recent chains, by their names: rebuilding the Index of thousands of
# names costs more than a sparse funnel's absorbing analysis, and a notebook or a
# benchmark builds chain after chain over the same states.  pd.Index is immutable, and
# results take new (named) Index objects from it, so sharing one is safe.  Small chains
# only (the key holds the names), and a few of them.
_LABEL_CACHE: dict[tuple[str, ...], pd.Index] = {}
_LABEL_CACHE_SIZE = 8
_LABEL_CACHE_MAX_NAMES = 50_000


def _shared_str_index(names: list[str]) -> pd.Index:
    """``_str_index(names)``, shared between chains over the same names."""
    if len(names) > _LABEL_CACHE_MAX_NAMES:
        return _str_index(names)
    key = tuple(names)
    labels = _LABEL_CACHE.get(key)
    if labels is None:
        labels = _str_index(names)
        if len(_LABEL_CACHE) >= _LABEL_CACHE_SIZE:
            _LABEL_CACHE.pop(next(iter(_LABEL_CACHE)))
        _LABEL_CACHE[key] = labels
    return labels


def _is_scipy_sparse(obj: Any) -> bool:
    """True for a scipy.sparse matrix or array (without importing scipy)."""
    return type(obj).__module__.startswith("scipy.sparse")


@result
class AbsorptionResult(Result):
    """Result of :meth:`MarkovChain.absorption`: ``probabilities`` (DataFrame, stage x
    outcome), ``expected_steps`` and ``steps_variance`` (Series by stage).
    ``to_frame()``: one row per stage, columns ``P(<outcome>)`` for each outcome, then
    ``expected_steps`` and ``steps_variance``.

    Attributes
    ----------
    probabilities : DataFrame
        Stage x outcome: P(ending in the outcome | starting at the stage); rows sum to 1.
    expected_steps : Series
        Expected transitions before absorption, by stage.
    steps_variance : Series
        Variance of that number of transitions, by stage.
    """

    probabilities: pd.DataFrame
    expected_steps: pd.Series
    steps_variance: pd.Series

    def _table(self) -> pd.DataFrame:
        out = self.probabilities.rename(columns=lambda o: f"P({o})")
        out.columns.name = None
        out["expected_steps"] = self.expected_steps.to_numpy()
        out["steps_variance"] = self.steps_variance.to_numpy()
        return out


class MarkovChain(JsonModel):
    """A validated, row-stochastic Markov chain over named states.

    Parameters
    ----------
    matrix : array-like, DataFrame or scipy.sparse matrix, shape (n, n)
        Transition probabilities; rows must sum to 1 within ``tol``.  A DataFrame
        supplies state names from its index (columns must match).  A scipy.sparse
        matrix is kept sparse and checked in O(nnz): :meth:`absorption`,
        :meth:`absorption_probabilities`, :meth:`expected_steps` and
        :meth:`steps_variance` then work on it without a dense copy (sparse LU), and
        the other methods build the dense chain on first use.
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
        self._analysis: Any = None
        self._csr: Any = None
        if _is_scipy_sparse(matrix):
            self._init_sparse(matrix, states, absorbing, float(tol))
            return
        if isinstance(matrix, pd.DataFrame):
            if states is None:
                states = [str(s) for s in matrix.index]
            if [str(c) for c in matrix.columns] != [str(s) for s in matrix.index]:
                raise InvalidArgumentError("DataFrame columns must equal its index (the same states in the same order)")
        p = float_matrix(matrix, "matrix")
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
                    raise unknown_state(a, states)
            flags = [s in {str(a) for a in absorbing} for s in states]
            core = _core.funnel.MarkovChain(_core.funnel.StageSpace(states, flags), p, float(tol))
        self._core = core

    def _init_sparse(self, matrix: Any, states: Sequence[str] | None, absorbing: Sequence[str] | None, tol: float) -> None:
        # A scipy.sparse matrix is kept as CSR and validated in O(nnz) (the checks of the
        # dense constructor); the absorbing analysis runs on it without a dense copy.  The
        # dense chain is built on first use by the methods that need it.
        import scipy.sparse as sp  # type: ignore[import-untyped]

        p = sp.csr_array(matrix)
        if p.ndim != 2 or p.shape[0] != p.shape[1]:
            raise ShapeError(f"transition matrix must be square, got shape {p.shape}")
        n = p.shape[0]
        if not p.has_canonical_format:
            p = p.copy()
            p.sum_duplicates()
        names = [f"s{i}" for i in range(n)] if states is None else _str_list(states)
        if len(names) != n:
            raise ShapeError(f"{len(names)} state names for a {n}x{n} matrix")
        data = np.ascontiguousarray(p.data, dtype=np.float64)
        indptr = np.ascontiguousarray(p.indptr, dtype=np.int64)
        indices = np.ascontiguousarray(p.indices, dtype=np.int32)
        wanted = [] if absorbing is None else [str(a) for a in absorbing]
        given = np.zeros(0, dtype=np.uint8) if absorbing is None else \
            np.isin(np.asarray(names, dtype=object), wanted).astype(np.uint8)
        # One O(nnz) pass in C++ (entries, then row sums as numpy sums them, then the
        # absorbing diagonals); the messages are formatted here, with the names.
        kind, i, k, value, flags = _core.funnel.check_csr_entries(n, indptr, indices, data, tol, given)
        if kind == 1:
            raise InvalidArgumentError(f"P[{names[i]!r}, {names[int(indices[k])]!r}] must be a probability in [0, 1], got {np.float64(value)!r}")
        if kind == 2:
            raise InvalidArgumentError(f"row {names[i]!r} sums to {np.float64(value)!r}, not 1 (tolerance {tol})")
        if absorbing is not None:
            known = set(names)
            for a in absorbing:
                if str(a) not in known:
                    raise unknown_state(a, names)
        if kind == 3:
            raise InvalidArgumentError(f"absorbing state {names[i]!r} has P[{names[i]!r}, {names[i]!r}] = {np.float64(value)!r}, not 1")
        self._csr = (n, indptr, indices, data, flags, names, tol)

    @property
    def _space(self) -> Any:
        # The stage space of a sparse chain, built on first use (converting thousands of
        # names to C++ costs more than the absorbing analysis).
        space = self.__dict__.get("_sparse_space")
        if space is None:
            n, indptr, indices, data, flags, names, tol = self._csr
            space = _core.funnel.StageSpace(names, flags.astype(bool).tolist())
            self.__dict__["_sparse_space"] = space
        return space

    def _labels(self) -> pd.Index:
        # All state names as one Index, built once per chain; results take from it.
        labels = self.__dict__.get("_label_index")
        if labels is None:
            labels = _shared_str_index(self._csr[5] if getattr(self, "_csr", None) is not None else self.states)
            self.__dict__["_label_index"] = labels
        return labels

    def _take(self, idx: Any, name: str) -> pd.Index:
        # labels[idx] as a named Index: a slice when idx is a run of states (the usual
        # funnel: transient stages first, then outcomes).
        # (idx is strictly increasing, so first and last tell whether it is a run.)
        idx = np.asarray(idx, dtype=np.intp)
        labels = self._labels()
        if idx.size and int(idx[-1]) - int(idx[0]) == idx.size - 1:
            out = labels[int(idx[0]):int(idx[-1]) + 1]
        else:
            out = labels.take(idx)
        out.name = name  # a new Index: the cached labels keep no name
        return out

    @property
    def _core(self) -> Any:
        core = self.__dict__.get("_dense_core")
        if core is None:  # a sparse chain, densified on first use by a dense-only method
            n, indptr, indices, data, flags, names, tol = self._csr
            import scipy.sparse as sp

            dense = sp.csr_array((data, indices, indptr), shape=(n, n)).toarray()
            core = _core.funnel.MarkovChain(self._space, dense, tol)
            self.__dict__["_dense_core"] = core
        return core

    @_core.setter
    def _core(self, core: Any) -> None:
        self.__dict__["_dense_core"] = core

    @property
    def _stage_space(self) -> Any:
        return self._space if getattr(self, "_csr", None) is not None else self._core.space

    @classmethod
    def _wrap(cls, core: Any) -> "MarkovChain":
        c = cls.__new__(cls)
        c._core = core
        c._analysis = None
        c._csr = None
        return c

    # ---------------------------------------------------------------- access
    @property
    def states(self) -> list[str]:
        """All state names in order."""
        if getattr(self, "_csr", None) is not None:
            return list(self._csr[5])
        return list(self._stage_space.names)

    @property
    def absorbing_states(self) -> list[str]:
        """The absorbing states (outcomes)."""
        return pick(self._stage_space.names, self._stage_space.absorbing)

    @property
    def transient_states(self) -> list[str]:
        """The transient states (stages)."""
        return pick(self._stage_space.names, self._stage_space.transient)

    @property
    def funnel(self) -> Funnel:
        """The state space, as a :class:`Funnel`."""
        return Funnel._from_space(self._stage_space)

    def to_numpy(self) -> np.ndarray:
        """The transition matrix.

        Returns
        -------
        ndarray, shape (n, n)
            P[i, j] = P(next state j | state i), in the order of :attr:`states` (rows
            sum to 1).  A sparse chain is made dense.
        """
        return cast("np.ndarray", self._core.matrix)

    def to_frame(self) -> pd.DataFrame:
        """The transition matrix as a DataFrame labelled by state.

        Returns
        -------
        DataFrame
            States by states (index ``from``, columns ``to``), rows summing to 1.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.to_frame()
        to    lead  demo  won  lost
        from                       
        lead   0.0   0.5  0.0   0.5
        demo   0.2   0.0  0.5   0.3
        won    0.0   0.0  1.0   0.0
        lost   0.0   0.0  0.0   1.0
        """
        return pd.DataFrame(self._core.matrix, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    def __repr__(self) -> str:
        return f"MarkovChain(states={self.states!r}, absorbing={self.absorbing_states!r})"

    def _repr_html_(self) -> str:
        from .._common.display import html_block, matrix_corner

        n = len(self.states)
        return html_block("MarkovChain", {"states": n, "stages": len(self.transient_states),
                                          "outcomes": ", ".join(self.absorbing_states) or "none"},
                          matrix_corner(self.to_numpy(), self.states),
                          note="" if n <= 10 else f"first 10 of {n} states")

    def log_likelihood(self, counts: "TransitionCounts") -> float:
        """Log-likelihood of ``counts`` under this chain (-inf if a counted move has p = 0).

        Parameters
        ----------
        counts : TransitionCounts
            Observed transitions over the same states.

        Returns
        -------
        float
            sum over (i, j) of counts[i, j] * log P[i, j]; compare chains (or a chain
            against the counts' own fit, the maximum) on the same counts.

        Raises
        ------
        InvalidArgumentError
            The counts' states differ from the chain's.
        """
        return float(self._core.log_likelihood(counts._core))

    # ---------------------------------------------------------------- absorbing analysis
    def _absorbing(self) -> Any:
        if self._analysis is None:
            self._analysis = _core.funnel.analyze_absorbing(self._core)
        return self._analysis

    def _tindex(self) -> pd.Index:
        return pd.Index(pick(self.states, self._absorbing().transient), name="stage")

    def fundamental_matrix(self) -> pd.DataFrame:
        """N = (I - Q)^-1: expected visits to each transient stage (columns) starting from
        each transient stage (rows).  Raises NotAbsorbingError when some stage cannot
        reach an absorbing state.

        Returns
        -------
        DataFrame
            Stage x stage (index ``stage``, columns ``visits``): expected number of
            visits, the start counting as one.

        Raises
        ------
        NotAbsorbingError
            A stage cannot reach an outcome (the message names it).

        Examples
        --------
        A lead goes back from demo to lead with probability 0.2 * 0.5 per round, so it
        visits lead 1 / (1 - 0.1) times:

        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.fundamental_matrix().round(4)
        visits    lead    demo
        stage                 
        lead    1.1111  0.5556
        demo    0.2222  1.1111
        """
        a = self._absorbing()
        idx = self._tindex()
        return pd.DataFrame(a.fundamental, index=idx, columns=pd.Index(idx.tolist(), name="visits"))

    expected_visits = fundamental_matrix

    def _summary(self) -> Any:
        # Absorption figures without the fundamental matrix (sparse solver for large chains).
        if getattr(self, "_summary_cache", None) is None:
            if self._analysis is not None:
                self._summary_cache = self._analysis
            elif getattr(self, "_csr", None) is not None and "_dense_core" not in self.__dict__:
                n, indptr, indices, data, flags, names, tol = self._csr
                try:  # without the names (converting them costs more than the solve) ...
                    self._summary_cache = _core.funnel.absorption_csr(n, indptr, indices, data, tol, flags, [])
                except FunnelnetError:  # ... which the error message then names
                    self._summary_cache = _core.funnel.absorption_csr(n, indptr, indices, data, tol, flags, names)
            else:
                self._summary_cache = _core.funnel.summarize_absorption(self._core)
        return self._summary_cache

    def _split(self) -> tuple[np.ndarray, np.ndarray]:
        # (transient, absorbing) state indices of the absorbing analysis: from the flags
        # of a sparse chain (what absorption_csr used), else from the summary.
        if getattr(self, "_csr", None) is not None and "_dense_core" not in self.__dict__:
            flags = self._csr[4]
            return np.flatnonzero(flags == 0), np.flatnonzero(flags)
        a = self._summary()
        return np.asarray(a.transient, dtype=np.intp), np.asarray(a.absorbing, dtype=np.intp)

    def absorption_probabilities(self) -> pd.DataFrame:
        """B = N R: probability of ending in each absorbing state (columns) from each
        transient stage (rows), e.g. the win probability per stage.

        Returns
        -------
        DataFrame
            Stage x outcome (index ``stage``, columns ``outcome``); rows sum to 1.

        Raises
        ------
        NotAbsorbingError
            A stage cannot reach an outcome.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.absorption_probabilities().round(4)
        outcome     won    lost
        stage                  
        lead     0.2778  0.7222
        demo     0.5556  0.4444
        """
        a = self._summary()
        transient, absorbing = self._split()
        return pd.DataFrame(a.absorption, index=self._take(transient, "stage"), columns=self._take(absorbing, "outcome"))

    def expected_steps(self) -> pd.Series:
        """Expected number of steps (transitions) before absorption, per transient stage.

        Returns
        -------
        Series
            By stage, named ``expected_steps``: the row sums of the fundamental matrix.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.expected_steps().round(4).tolist()
        [1.6667, 1.3333]
        """
        a = self._summary()
        return pd.Series(a.expected_steps, index=self._take(self._split()[0], "stage"), name="expected_steps")

    def steps_variance(self) -> pd.Series:
        """Variance of the number of steps before absorption, per transient stage.

        Returns
        -------
        Series
            By stage, named ``steps_variance``: (2N - I) t - t^2 with t the expected
            steps.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.steps_variance().round(4).tolist()
        [0.7407, 0.5926]
        """
        a = self._summary()
        return pd.Series(a.steps_variance, index=self._take(self._split()[0], "stage"), name="steps_variance")

    def absorption(self) -> "AbsorptionResult":
        """The absorbing analysis in one result: :meth:`absorption_probabilities`,
        :meth:`expected_steps` and :meth:`steps_variance` as attributes of an
        :class:`AbsorptionResult`, whose ``to_frame()`` has one row per stage.

        Returns
        -------
        AbsorptionResult
            ``probabilities``, ``expected_steps`` and ``steps_variance``.

        Raises
        ------
        NotAbsorbingError
            A stage cannot reach an outcome.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, .5], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
        >>> chain.absorption().to_frame()
               P(won)  P(lost)  expected_steps  steps_variance
        stage                                                 
        open      0.5      0.5             1.0             0.0
        """
        a = self._summary()
        transient, absorbing = self._split()
        stage = self._take(transient, "stage")
        return AbsorptionResult(
            probabilities=pd.DataFrame(a.absorption, index=stage, columns=self._take(absorbing, "outcome")),
            expected_steps=pd.Series(a.expected_steps, index=stage, name="expected_steps"),
            steps_variance=pd.Series(a.steps_variance, index=stage, name="steps_variance"))

    # ---------------------------------------------------------------- plots
    def plot(self, kind: str = "funnel", *, ax: Any = None, **kw: Any) -> "Axes":
        """Draw the chain.

        Parameters
        ----------
        kind : {"funnel", "heatmap", "time_to_close", "bottlenecks"}
            :func:`funnelnet.plot.funnel` (stages with conversion rates),
            :func:`funnelnet.plot.transition_heatmap`, :func:`funnelnet.plot.time_to_close`
            or :func:`funnelnet.plot.bottlenecks`.
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        **kw
            Passed to the chart function.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (``ax``, or a new figure's).

        Raises
        ------
        InvalidArgumentError
            For an unknown ``kind``.
        """
        from .. import plot as _plot

        charts: dict[str, Any] = {"funnel": _plot.funnel, "heatmap": _plot.transition_heatmap, "time_to_close": _plot.time_to_close,
                  "bottlenecks": _plot.bottlenecks}
        if kind not in charts:
            raise InvalidArgumentError(f"kind must be one of {sorted(charts)}, got {kind!r}")
        return cast("Axes", charts[kind](self, ax=ax, **kw))

    # ---------------------------------------------------------------- time to close
    def time_to_close(self, quantiles: Sequence[float] = (0.5, 0.9), max_steps: int = 1_000_000) -> pd.DataFrame:
        """Number of steps (periods, for a chain fitted by ``from_periods``) until won or
        lost, per stage: ``mean``, ``sd`` and the requested quantiles (``q50``, ``q90``,
        ...; the smallest k with P(T <= k) >= q).  The distribution is discrete
        phase-type.

        Parameters
        ----------
        quantiles : sequence of float
            Probabilities in (0, 1) of the quantile columns.
        max_steps : int
            Most steps summed when a quantile is searched for.

        Returns
        -------
        DataFrame
            By stage: ``mean``, ``sd`` and one ``q<100 q>`` column per quantile, in steps.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.time_to_close().round(4)
                 mean      sd  q50  q90
        stage                          
        lead   1.6667  0.8607  1.0  2.0
        demo   1.3333  0.7698  1.0  2.0
        """
        return discrete_time_to_close(self._core, self.states, quantiles, max_steps)

    def close_time_cdf(self, k: Any) -> pd.Series | pd.DataFrame:
        """P(closed within k steps), per stage.

        ``k`` is a whole number of steps (a Series named ``P(T<=k)``) or a list of them
        (a DataFrame with one column per horizon).  A non-numeric ``k`` raises
        InputTypeError, a negative or fractional one InvalidArgumentError.

        Parameters
        ----------
        k : int or sequence of int
            Horizon(s) in steps.

        Returns
        -------
        Series or DataFrame
            By stage: P(won or lost within k steps), a Series named ``P(T<=k)`` for one
            horizon, a DataFrame with one column per horizon for a list.

        Raises
        ------
        InputTypeError
            A non-numeric ``k``.
        InvalidArgumentError
            A negative or fractional ``k``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.close_time_cdf([1, 2, 4]).round(4)
        horizon    1    2     4
        stage                  
        lead     0.5  0.9  0.99
        demo     0.8  0.9  0.99
        """
        return discrete_close_time_cdf(self._core, self.transient_states, k)

    # ---------------------------------------------------------------- recurrent chains
    def communicating_classes(self) -> pd.DataFrame:
        """Communicating class of each state, whether the class is closed (recurrent) and
        its period (1 = aperiodic).  Classes are numbered by their first state.

        Returns
        -------
        DataFrame
            By state: ``class`` (int), ``closed`` (bool: a closed class is recurrent; an
            absorbing state is a closed class of its own) and ``period``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.communicating_classes()
               class  closed  period
        state                       
        lead       0   False       2
        demo       0   False       2
        won        1    True       1
        lost       2    True       1
        """
        return _recurrent.communicating_classes(self._core)

    def stationary_distribution(self) -> pd.Series:
        """Long-run share of time in each state (pi P = pi).  Needs exactly one closed
        class (InvalidArgumentError names them otherwise).

        Returns
        -------
        Series
            By state, named ``pi``, summing to 1 (0 on transient states).

        Raises
        ------
        InvalidArgumentError
            The chain has more than one closed class (the message lists them).

        Examples
        --------
        pi = (0.5, 0.1) / 0.6 solves pi P = pi:

        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0.9, 0.1], [0.5, 0.5]], states=["active", "idle"])
        >>> chain.stationary_distribution().round(4).tolist()
        [0.8333, 0.1667]
        """
        return _recurrent.stationary_distribution(self._core)

    def first_passage_times(self) -> pd.DataFrame:
        """Mean number of steps to first reach each state (columns) from each state
        (rows); the diagonal holds the mean recurrence times.  Irreducible chains only.

        Returns
        -------
        DataFrame
            State x state (index ``from``, columns ``to``), in steps.

        Raises
        ------
        InvalidArgumentError
            The chain is not irreducible.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0.9, 0.1], [0.5, 0.5]], states=["active", "idle"])
        >>> chain.first_passage_times()
        to      active  idle
        from                
        active     1.2  10.0
        idle       2.0   6.0
        """
        return _recurrent.first_passage_times(self._core)

    def recurrence_times(self) -> pd.Series:
        """Mean steps between visits to each state (1 / pi), irreducible chains only.

        Returns
        -------
        Series
            By state, named ``recurrence``, in steps.

        Raises
        ------
        InvalidArgumentError
            The chain is not irreducible.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0.9, 0.1], [0.5, 0.5]], states=["active", "idle"])
        >>> chain.recurrence_times().round(12).tolist()
        [1.2, 6.0]
        """
        return _recurrent.recurrence_times(self._core)

    # ---------------------------------------------------------------- bottlenecks
    def sensitivity(self, outcome: str | None = None, *, values: dict[str, float] | None = None, start: Any = None) -> pd.DataFrame:
        """How the win probability from ``start`` (default: the first stage) responds to
        each transition.  ``outcome`` names the outcome whose probability is the figure
        (default: the first outcome); ``values`` ({outcome: value}, e.g. deal values)
        makes it the expected value instead.  One row per (from, to) with
        ``gradient`` = dF/dP[from][to] and ``elasticity`` = dF/dx for raising P[from][to]
        by a fraction x with the row renormalised (so 0.1 * elasticity is about the
        effect of a 10% better step).

        Parameters
        ----------
        outcome : str, optional
            The outcome whose probability is the figure (default: the first outcome).
        values : dict of str to float, optional
            ``{outcome: value}`` (e.g. deal values): the figure becomes the expected
            value instead of a probability.
        start : str or dict, optional
            The starting stage, or a distribution ``{stage: share}`` (default: the first
            stage).

        Returns
        -------
        DataFrame
            Indexed by (``from``, ``to``) over the transient rows: ``probability``,
            ``gradient`` and ``elasticity``.

        Raises
        ------
        UnknownLabelError
            An unknown outcome or start stage.

        Examples
        --------
        The gradient of P(won from lead) in P[demo][won] is the expected visits to demo
        from lead, N[lead, demo] = 5/9:

        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> round(float(chain.sensitivity().loc[("demo", "won"), "gradient"]), 4)
        0.5556
        """
        return _bottlenecks.sensitivity(self, outcome, values, start)

    def bottlenecks(self, outcome: str | None = None, *, values: dict[str, float] | None = None, start: Any = None) -> pd.DataFrame:
        """Transitions ranked by their impact on the figure (see :meth:`sensitivity`):
        largest |elasticity| first.  Columns ``from``, ``to``, ``probability``,
        ``gradient``, ``elasticity`` and ``gain_10pct`` (0.1 * elasticity, the first-order
        effect of raising that step by 10%).

        Parameters
        ----------
        outcome : str, optional
            The outcome whose probability is the figure (default: the first outcome).
        values : dict of str to float, optional
            ``{outcome: value}`` (e.g. deal values): the figure becomes the expected
            value instead of a probability.
        start : str or dict, optional
            The starting stage, or a distribution ``{stage: share}`` (default: the first
            stage).

        Returns
        -------
        DataFrame
            One row per transition with a positive probability, largest |elasticity|
            first.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> chain.bottlenecks().round(4)
           from    to  probability  gradient  elasticity  gain_10pct
        0  lead  demo          0.5    0.6173      0.1543      0.0154
        1  lead  lost          0.5    0.0000     -0.1543     -0.0154
        2  demo   won          0.5    0.5556      0.1235      0.0123
        3  demo  lost          0.3    0.0000     -0.0926     -0.0093
        4  demo  lead          0.2    0.1543     -0.0309     -0.0031
        """
        return _bottlenecks.bottlenecks(self, outcome, values, start)

    def what_if(self, from_: str, to: str, pct: float, outcome: str | None = None, *, values: dict[str, float] | None = None, start: Any = None) -> "WhatIf":
        """Raise P[from_][to] by ``pct`` percent (renormalising the row) and report the
        figure and, per stage, the win probability (or value) and expected steps before
        and after.  Returns a :class:`WhatIf` with the changed chain.

        Parameters
        ----------
        from_, to : str
            The transition to raise.
        pct : float
            Percent change of P[from_][to] (10 = 10 % more; negative lowers it); the
            rest of the row is scaled so it still sums to 1.
        outcome : str, optional
            The outcome whose probability is the figure (default: the first outcome).
        values : dict of str to float, optional
            ``{outcome: value}`` (e.g. deal values): the figure becomes the expected
            value instead of a probability.
        start : str or dict, optional
            The starting stage, or a distribution ``{stage: share}`` (default: the first
            stage).

        Returns
        -------
        WhatIf
            ``chain`` (the changed chain), ``value_before``, ``value_after``, ``gain``
            and the per-stage ``table``.

        Raises
        ------
        UnknownLabelError
            An unknown state (the message lists the states).

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> w = chain.what_if("demo", "won", 10)
        >>> round(w.value_before, 4), round(w.value_after, 4)
        (0.2778, 0.2895)
        """
        return _bottlenecks.what_if(self, from_, to, pct, outcome, values, start)

    # ---------------------------------------------------------------- persistence

    @classmethod
    def from_json(cls, text: str) -> "MarkovChain":
        """A chain from JSON text written by :meth:`to_json` (FormatError if corrupt).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        MarkovChain
            Equal to the saved chain (states, outcomes and matrix bit for bit).

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or not a valid chain.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> fn.MarkovChain.from_json(chain.to_json()) == chain
        True
        """
        return cls._wrap(_core.funnel.chain_from_json(text))


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
        seed: int = _default("SimulateOptions", "seed"),
        mean_dwell: dict[str, float] | Sequence[float] | None = None,
        max_steps: int = _default("SimulateOptions", "max_steps"),
        threads: int = _default("SimulateOptions", "threads"),
        progress: bool = False,
    ) -> pd.DataFrame:
        """Simulate ``n_leads`` leads from ``start`` (default: the first state) as an event
        log with columns ``lead``, ``time``, ``stage`` (categorical).  Each step waits an
        exponential time with mean ``mean_dwell[stage]`` (default 1).  Seeded: the same
        seed gives the same log at any thread count.  Split across Dask workers by :func:`funnelnet.dask.simulate_events`.

        Parameters
        ----------
        n_leads : int
            Number of leads.
        start : str, optional
            The stage every lead starts in (default: the first state).
        seed : int
            Random seed.
        mean_dwell : dict or sequence of float, optional
            Mean time spent in each stage per visit (by stage name, or in state order).
        max_steps : int
            Most transitions per lead; a lead still open after them stops there.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.
        progress : bool, default False
            Show a ``tqdm.auto`` bar of simulated leads.  Ctrl-C stops with
            KeyboardInterrupt.

        Returns
        -------
        DataFrame
            One row per visit: ``lead`` (0 .. n_leads - 1), ``time`` (from the lead's
            start) and ``stage``, ready for :meth:`TransitionCounts.from_events`.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.MarkovChain([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                        states=["lead", "demo", "won", "lost"])
        >>> log = chain.simulate(20_000, seed=1)
        >>> counts = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time",
        ...                                          funnel=chain.funnel)
        >>> bool(abs(counts.fit().to_frame().loc["demo", "won"] - 0.5) < 0.02)
        True
        """
        check_ints(n_leads=n_leads, seed=seed, max_steps=max_steps, threads=threads)
        return simulate_events(self._core, n_leads, start, seed, mean_dwell, max_steps, threads, progress)
