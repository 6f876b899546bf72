"""Continuous-time funnels: exposure (time spent in each stage) and exits from a
timestamped event log, with open leads right-censored, fitted to a generator matrix Q
by maximum likelihood (q_ij = n_ij / T_i).

>>> import pandas as pd, funnelnet as fn
>>> log = pd.DataFrame({"lead": [1, 1, 2, 2, 3], "day": [0.0, 4, 2, 8, 0],
...                     "stage": ["open", "won", "open", "lost", "open"]})
>>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
...                                   absorbing=["won", "lost"], cutoff=10.0)
>>> q = e.fit()
>>> q.generator().loc["open"].round(3).tolist()
[-0.1, 0.05, 0.05]
>>> q.time_to_close(quantiles=[0.5]).round(3)
       mean    sd    q50
stage                   
open   10.0  10.0  6.931
"""
from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.convert import require_columns
from .._common.messages import user_terms
from .._common.options import pick
from .._common.time import is_calendar, reject_yyyymmdd, times_as_numbers, timestamp_ns
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError, ShapeError
from ._shared import encode_events, unknown_state
from .chain import MarkovChain
from .io import JsonModel
from .opportunities import Missing, opportunity_events, opportunity_table_hint
from .posterior import continuous_figures
from .stages import Funnel
from .time_to_close import continuous_close_time_cdf, continuous_time_to_close
from .._common.checks import check_ints

# empty_rows in continuous time (the codes of EmptyRows that make sense there)
_CONTINUOUS_EMPTY_ROWS = {"error": 0, "absorbing": 1}
#: ``empty_rows=`` values of ExposureCounts.fit (keys of _CONTINUOUS_EMPTY_ROWS).
ContinuousEmptyRows = Literal["error", "absorbing"]

__all__ = ["ExposureCounts", "ContinuousChain"]

_UNITS = {"s": 10**9, "min": 60 * 10**9, "h": 3600 * 10**9, "D": 86_400 * 10**9, "W": 7 * 86_400 * 10**9}
#: ``time_unit=`` values (keys of _UNITS; pandas unit codes).
TimeUnit = Literal["s", "min", "h", "D", "W"]


class ExposureCounts(JsonModel):
    """Sufficient statistics of a continuous-time funnel: exits n_ij between states and
    the exposure T_i (time spent in each stage, open leads up to the cut-off).  Counts
    add up (``a + b``), so logs can be processed per partition.

    Build with :meth:`from_events`, :meth:`from_opportunities` or :meth:`from_arrays`;
    fit a :class:`ContinuousChain` with :meth:`fit`.

    Parameters
    ----------
    core : funnelnet._core.funnel.ExposureCounts
        The C++ statistics (internal: use the ``from_*`` constructors).
    time_unit : str
        The unit of the exposure (``"D"``, ``"h"``, ...; empty for numeric times).

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> log = pd.DataFrame({"lead": ["x", "x", "x", "y", "y", "z"], "day": [0.0, 4, 10, 0, 3, 1],
    ...             "stage": ["lead", "demo", "won", "lead", "lost", "lead"]})
    >>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
    ...                   absorbing=["won", "lost"], cutoff=12)
    >>> e.exposure.tolist()  # x: 4 + 6 days; y: 3; z: open from day 1 to the cut-off
    [18.0, 6.0, 0.0, 0.0]
    """

    def __init__(self, core: Any, time_unit: str = "") -> None:
        self._core = core
        self.time_unit = time_unit

    @classmethod
    def from_events(
        cls,
        df: pd.DataFrame,
        *,
        lead: str,
        stage: str,
        time: str,
        cutoff: Any = None,
        time_unit: TimeUnit = "D",
        funnel: Funnel | None = None,
        absorbing: Sequence[str] | None = None,
        threads: int = 0,
    ) -> "ExposureCounts":
        """Exposure and exits from an event log (one row per lead entering a stage).

        Rows may come in any order (sorted by time per lead inside; ties keep row
        order).  A lead whose last stage is not an outcome is
        open: its time there runs to ``cutoff`` (default: the latest event) and no exit
        is counted.  Datetime times are measured in ``time_unit`` ("s", "min", "h", "D",
        "W"); numeric times are used as they are.  Events at or before the cut-off are
        observed (the package's one cut-off rule).  Errors name the lead and row:
        duplicate events, leaving an outcome, a cut-off before an event.

        Parameters
        ----------
        df : DataFrame
            One row per event: a lead entering a stage.
        lead, stage, time : str
            Columns of the lead id, the stage and the event time (datetimes or numbers).
        cutoff : time, optional
            End of observation; default: the latest event.
        time_unit : {"s", "min", "h", "D", "W"}
            Unit of exposure and rates for datetime times.
        funnel : Funnel, optional
            The states in order; default: order of first appearance.
        absorbing : sequence of str, optional
            Without ``funnel``: the outcomes.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.

        Returns
        -------
        ExposureCounts

        Raises
        ------
        InvalidArgumentError
            An event after the cut-off, a duplicate event or an exit from an outcome
            (naming the lead and time).
        InputTypeError
            YYYYMMDD integer times, or an opportunity table (the message names
            :meth:`from_opportunities`).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "x", "x", "y", "y", "z"], "day": [0.0, 4, 10, 0, 3, 1],
        ...                     "stage": ["lead", "demo", "won", "lead", "lost", "lead"]})
        >>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
        ...                                   absorbing=["won", "lost"], cutoff=12)
        >>> e.to_frame().loc[["lead", "demo"]]
        to    lead  demo  won  lost
        from                       
        lead   0.0   1.0  0.0   1.0
        demo   0.0   0.0  1.0   0.0
        """
        check_ints(threads=threads)
        with opportunity_table_hint(df, lead, time):
            require_columns(df, {"lead": lead, "stage": stage, "time": time})
            if len(df) == 0:
                raise EmptyInputError("the event log has no rows")
            t = times_as_numbers(df[time], time)
        f, codes, leads = encode_events(df, lead, stage, funnel, absorbing, int(threads))
        if is_calendar(df[time]):
            if time_unit not in _UNITS:
                raise InvalidArgumentError(f"time_unit must be one of {sorted(_UNITS)}, got {time_unit!r}")
            cut = None if cutoff is None else timestamp_ns(cutoff, "cutoff")
            with user_terms(ids=df[lead], entity="lead", times="ns"):
                core = _core.funnel.ExposureCounts.from_events_i64(f._space, leads, t, codes, cut, float(_UNITS[time_unit]), int(threads))
            return cls(core, time_unit)
        reject_yyyymmdd(t, time)
        if t.dtype == np.int64:
            t = t.astype(np.float64)
        cutf = None if cutoff is None else float(cutoff)
        with user_terms(ids=df[lead], entity="lead"):
            return cls(_core.funnel.ExposureCounts.from_events_f64(f._space, leads, t, codes, cutf, 1.0, int(threads)), "")

    @classmethod
    def from_opportunities(
        cls,
        df: pd.DataFrame,
        *,
        stage: str,
        stage_dates: Mapping[str, str | None],
        outcomes: Sequence[str],
        close: str | None,
        lead: str | None = None,
        missing: Missing = "censor",
        cutoff: Any = None,
        time_unit: TimeUnit = "D",
        threads: int = 0,
    ) -> "ExposureCounts":
        """Exposure and exits from a CRM opportunity table (one row per opportunity with
        its current stage and a date column per stage), open opportunities censored at
        ``cutoff`` (default: the latest date).

        Parameters are those of :meth:`TransitionCounts.from_opportunities` plus
        ``time_unit`` ("s", "min", "h", "D", "W") for datetime columns.  The result
        equals :meth:`from_events` on the reshaped event log.  With
        ``missing="untimed"`` an undated stage is a step with no time in it (a stage with
        exits but no exposure cannot be fitted).

        Parameters
        ----------
        df : DataFrame
            One row per opportunity.
        stage : str
            Column of the current stage.
        stage_dates : mapping of str to str or None
            The stages in funnel order, each with its entry-date column (or None).
        outcomes : sequence of str
            The closed stages.
        close : str or None
            Column of the close date.
        lead : str, optional
            Column of the opportunity id (named in errors).
        missing : {"censor", "untimed"}
            How stages without a date are read.
        cutoff : time, optional
            End of observation (default: the latest date).
        time_unit : {"s", "min", "h", "D", "W"}
            Unit of exposure for datetime columns.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.

        Returns
        -------
        ExposureCounts

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> deals = pd.DataFrame({"stage": ["Engaging", "Won", "Lost"], "engaged": [3.0, 1, 2],
        ...                       "closed": [None, 9.0, 5.0]})
        >>> e = fn.ExposureCounts.from_opportunities(
        ...     deals, stage="stage", stage_dates={"Engaging": "engaged"},
        ...     outcomes=["Won", "Lost"], close="closed", cutoff=10.0)
        >>> e.exposure.tolist()  # 7 (open) + 8 + 3
        [18.0, 0.0, 0.0]
        """
        log, funnel, cut = opportunity_events(df, stage=stage, stage_dates=stage_dates, outcomes=outcomes, close=close,
                                              lead=lead, missing=missing, cutoff=cutoff)
        return cls.from_events(log, lead="lead", stage="stage", time="time", cutoff=cut, time_unit=time_unit,
                               funnel=funnel, threads=threads)

    @classmethod
    def from_arrays(cls, counts: Any, exposure: Any, funnel: Funnel, time_unit: str = "") -> "ExposureCounts":
        """From an exit-count matrix (zero diagonal) and one exposure per state.

        Parameters
        ----------
        counts : array-like, shape (n, n)
            Exits n_ij from state i to state j (>= 0, zero diagonal).
        exposure : array-like, shape (n,)
            Total time spent in each state (>= 0).
        funnel : Funnel
            The states in order.
        time_unit : str
            The unit of ``exposure`` (kept for display).

        Returns
        -------
        ExposureCounts

        Raises
        ------
        ShapeError
            Shapes that do not match the funnel.
        InputTypeError
            ``funnel`` is not a Funnel.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "x", "x", "y", "y", "z"], "day": [0.0, 4, 10, 0, 3, 1],
        ...                     "stage": ["lead", "demo", "won", "lead", "lost", "lead"]})
        >>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
        ...                                   absorbing=["won", "lost"], cutoff=12)
        >>> fn.ExposureCounts.from_arrays(e.to_frame(), e.exposure, e.funnel) == e
        True
        """
        m = np.ascontiguousarray(np.asarray(counts, dtype=np.float64))
        t = np.ascontiguousarray(np.asarray(exposure, dtype=np.float64))
        if m.ndim != 2:
            raise ShapeError(f"counts must be 2-dimensional, got shape {m.shape}")
        if t.ndim != 1:
            raise ShapeError(f"exposure must be 1-dimensional, got shape {t.shape}")
        if not isinstance(funnel, Funnel):
            raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(funnel).__name__}")
        return cls(_core.funnel.ExposureCounts(funnel._space, m, t), time_unit)

    @property
    def funnel(self) -> Funnel:
        """The state space, as a :class:`Funnel`."""
        return Funnel._from_space(self._core.space)

    @property
    def states(self) -> list[str]:
        """All state names in order."""
        return list(self._core.space.names)

    def to_frame(self) -> pd.DataFrame:
        """Exit counts as a DataFrame (rows: from, columns: to).

        Returns
        -------
        DataFrame
            States by states (index ``from``, columns ``to``), zero diagonal.
        """
        return pd.DataFrame(self._core.matrix, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    @property
    def exposure(self) -> pd.Series:
        """Time spent in each state (in ``time_unit``)."""
        return pd.Series(self._core.exposure, index=pd.Index(self.states, name="state"), name="exposure")

    def __add__(self, other: "ExposureCounts") -> "ExposureCounts":
        if not isinstance(other, ExposureCounts):
            return NotImplemented
        return ExposureCounts(self._core.merged(other._core), self.time_unit)

    def fit(self, empty_rows: ContinuousEmptyRows = _default_choice("ContinuousFitOptions", "empty_rows", _CONTINUOUS_EMPTY_ROWS)) -> "ContinuousChain":
        """Maximum-likelihood generator q_ij = n_ij / T_i.  ``empty_rows="absorbing"``
        keeps leads in a stage with no exposure and no exits (default: error).

        Parameters
        ----------
        empty_rows : {"error", "absorbing"}
            A stage with no exposure and no exits: an error naming it, or it keeps its
            leads.

        Returns
        -------
        ContinuousChain
            Rates per ``time_unit``.

        Examples
        --------
        Lead was left twice in 18 days of exposure: rate 1/18 to demo and to lost:

        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "x", "x", "y", "y", "z"], "day": [0.0, 4, 10, 0, 3, 1],
        ...                     "stage": ["lead", "demo", "won", "lead", "lost", "lead"]})
        >>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
        ...                                   absorbing=["won", "lost"], cutoff=12)
        >>> e.fit().generator().loc["lead"].round(4).tolist()
        [-0.1111, 0.0556, 0.0, 0.0556]
        """
        codes = _CONTINUOUS_EMPTY_ROWS
        if empty_rows not in codes:
            raise InvalidArgumentError(f"empty_rows must be 'error' or 'absorbing', got {empty_rows!r}")
        return ContinuousChain._wrap(_core.funnel.fit_continuous(self._core, codes[empty_rows]), self.time_unit)

    def posterior_figures(
        self,
        *,
        prior_shape: float = _default("ContinuousPosteriorOptions", "prior_shape"),
        prior_rate: float = _default("ContinuousPosteriorOptions", "prior_rate"),
        level: float = _default("ContinuousPosteriorOptions", "level"),
        draws: int = _default("ContinuousPosteriorOptions", "draws"),
        seed: int = _default("ContinuousPosteriorOptions", "seed"),
        threads: int = _default("ContinuousPosteriorOptions", "threads"),
        progress: bool = False,
    ) -> pd.DataFrame:
        """Posterior means and intervals per stage of the outcome probabilities and the
        expected time to close (in ``time_unit``).  Each rate q_ij is drawn from its
        conjugate posterior Gamma(n_ij + prior_shape, T_i + prior_rate); seeded (the same
        at any thread count); ``progress=True`` shows a tqdm bar.

        Parameters
        ----------
        prior_shape, prior_rate : float
            Gamma prior of each rate.
        level : float
            Probability mass of the intervals.
        draws : int
            Chains drawn from the posterior.
        seed : int
            Random seed.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.
        progress : bool
            Show a tqdm bar.

        Returns
        -------
        DataFrame
            By stage: ``P(<outcome>)`` with ``lower`` / ``upper`` per outcome, then
            ``time``, ``time lower`` and ``time upper``.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "x", "x", "y", "y", "z"], "day": [0.0, 4, 10, 0, 3, 1],
        ...                     "stage": ["lead", "demo", "won", "lead", "lost", "lead"]})
        >>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
        ...                                   absorbing=["won", "lost"], cutoff=12)
        >>> figs = e.posterior_figures(draws=2000, seed=1)
        >>> list(figs.columns[-3:])
        ['time', 'time lower', 'time upper']
        """
        check_ints(draws=draws, seed=seed, threads=threads)
        return continuous_figures(self._core, prior_shape, prior_rate, level, draws, seed, threads, progress)


    @classmethod
    def from_json(cls, text: str) -> "ExposureCounts":
        """From JSON text written by :meth:`to_json` (FormatError if corrupt).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        ExposureCounts

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or fails validation.
        """
        return cls(_core.funnel.exposure_counts_from_json(text))


    def __reduce__(self) -> Any:
        return (_restore_exposure, (self.to_json(), self.time_unit))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExposureCounts) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ExposureCounts(states={self.states!r})"


def _restore_exposure(text: str, unit: str) -> ExposureCounts:
    e = ExposureCounts.from_json(text)
    e.time_unit = unit
    return e


def _restore_chain(text: str, unit: str) -> "ContinuousChain":
    c = ContinuousChain.from_json(text)
    c.time_unit = unit
    return c


class ContinuousChain(JsonModel):
    """A continuous-time Markov chain: generator Q (rates per time unit) over named
    states.

    Parameters
    ----------
    q : array-like or DataFrame (n, n)
        Off-diagonal rates >= 0; the diagonal must be minus the row's rate sum.
    states : sequence of str, optional
        State names (default: the DataFrame's index, or "s0", "s1", ...).
    absorbing : sequence of str, optional
        Outcomes; default: every state with no exits.
    tol : float
        Tolerance on the row sums of Q (0 within ``tol``).

    Examples
    --------
    >>> import funnelnet as fn
    >>> chain = fn.ContinuousChain([[-0.4, 0.2, 0, 0.2], [0, -0.1, 0.05, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]],
    ...                            states=["lead", "demo", "won", "lost"])
    >>> chain.transient_states
    ['lead', 'demo']
    """

    def __init__(self, q: Any, states: Sequence[str] | None = None, absorbing: Sequence[str] | None = None, tol: float = 1e-9) -> None:
        if isinstance(q, pd.DataFrame) and states is None:
            states = [str(s) for s in q.index]
        m = np.ascontiguousarray(np.asarray(q, dtype=np.float64))
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ShapeError(f"generator must be square, got shape {m.shape}")
        states = [f"s{i}" for i in range(m.shape[0])] if states is None else [str(s) for s in states]
        if len(states) != m.shape[0]:
            raise ShapeError(f"{len(states)} state names for a {m.shape[0]}x{m.shape[0]} generator")
        if absorbing is None:
            off = np.abs(m).sum(axis=1) - np.abs(np.diag(m))
            flags = [bool(x == 0) for x in off]
        else:
            for a in absorbing:
                if str(a) not in states:
                    raise unknown_state(a, states)
            flags = [s in {str(a) for a in absorbing} for s in states]
        self._core = _core.funnel.ContinuousChain(_core.funnel.StageSpace(states, flags), m, float(tol))
        self.time_unit = ""

    @classmethod
    def _wrap(cls, core: Any, time_unit: str = "") -> "ContinuousChain":
        c = cls.__new__(cls)
        c._core = core
        c.time_unit = time_unit
        return c

    @property
    def states(self) -> list[str]:
        """All state names in order."""
        return list(self._core.space.names)

    @property
    def transient_states(self) -> list[str]:
        """The transient states (stages)."""
        return pick(self._core.space.names, self._core.space.transient)

    def generator(self) -> pd.DataFrame:
        """Q as a DataFrame (rates per time unit).

        Returns
        -------
        DataFrame
            States by states (index ``from``, columns ``to``); rows sum to 0.
        """
        return pd.DataFrame(self._core.generator, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    def transition_matrix(self, t: float) -> pd.DataFrame:
        """P(t) = exp(Q t): where a lead in each state (rows) is t time units later.

        Parameters
        ----------
        t : float
            Elapsed time (>= 0), in the chain's time unit.

        Returns
        -------
        DataFrame
            States by states, rows summing to 1.

        Examples
        --------
        A lead stays in ``lead`` for 10 days with probability exp(-0.4 * 10):

        >>> import funnelnet as fn
        >>> chain = fn.ContinuousChain([[-0.4, 0.2, 0, 0.2], [0, -0.1, 0.05, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]],
        ...                            states=["lead", "demo", "won", "lost"])
        >>> chain.transition_matrix(10).round(4)
        to      lead    demo     won    lost
        from                                
        lead  0.0183  0.2330  0.1289  0.6197
        demo  0.0000  0.3679  0.3161  0.3161
        won   0.0000  0.0000  1.0000  0.0000
        lost  0.0000  0.0000  0.0000  1.0000
        """
        return pd.DataFrame(self._core.transition_matrix(float(t)), index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    def jump_chain(self) -> MarkovChain:
        """The embedded discrete chain: where a lead goes when it leaves a stage.

        Returns
        -------
        MarkovChain
            P[i, j] = q_ij / q_i on the stages' rows (outcomes absorbing).

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.ContinuousChain([[-0.4, 0.2, 0, 0.2], [0, -0.1, 0.05, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]],
        ...                            states=["lead", "demo", "won", "lost"])
        >>> chain.jump_chain().to_frame().loc["lead"].tolist()
        [0.0, 0.5, 0.0, 0.5]
        """
        return MarkovChain._wrap(self._core.jump_chain())

    def absorption_probabilities(self) -> pd.DataFrame:
        """P(ending in each outcome) from each stage (that of the jump chain).

        Returns
        -------
        DataFrame
            Stage x outcome (index ``stage``, columns ``outcome``); rows sum to 1.

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.ContinuousChain([[-0.4, 0.2, 0, 0.2], [0, -0.1, 0.05, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]],
        ...                            states=["lead", "demo", "won", "lost"])
        >>> chain.absorption_probabilities()
        outcome   won  lost
        stage              
        lead     0.25  0.75
        demo     0.50  0.50
        """
        return self.jump_chain().absorption_probabilities()

    def time_to_close(self, quantiles: Sequence[float] = (0.5, 0.9)) -> pd.DataFrame:
        """Time until won or lost per stage (phase-type): ``mean``, ``sd`` and
        quantiles, in the chain's time unit.

        Parameters
        ----------
        quantiles : sequence of float
            Probabilities in (0, 1) of the quantile columns.

        Returns
        -------
        DataFrame
            By stage: ``mean``, ``sd`` and ``q<100 q>`` per quantile.

        Examples
        --------
        From demo the time to close is exponential with rate 0.1: mean and sd 10, median
        10 ln 2:

        >>> import funnelnet as fn
        >>> chain = fn.ContinuousChain([[-0.4, 0.2, 0, 0.2], [0, -0.1, 0.05, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]],
        ...                            states=["lead", "demo", "won", "lost"])
        >>> chain.time_to_close().round(3)
               mean      sd    q50     q90
        stage                             
        lead    7.5   9.014  4.202  18.988
        demo   10.0  10.000  6.931  23.026
        """
        return continuous_time_to_close(self._core, self.states, quantiles)

    def close_time_cdf(self, t: Any) -> pd.Series | pd.DataFrame:
        """P(closed within time t), per stage, t in the chain's time unit.

        ``t`` is one time (a Series named ``P(T<=t)``) or a list of times (a DataFrame
        with one column per horizon).  A non-numeric ``t`` raises InputTypeError, a
        negative one InvalidArgumentError.

        Parameters
        ----------
        t : float or sequence of float
            Horizon(s).

        Returns
        -------
        Series or DataFrame
            By stage: P(closed within t).

        Examples
        --------
        >>> import funnelnet as fn
        >>> chain = fn.ContinuousChain([[-0.4, 0.2, 0, 0.2], [0, -0.1, 0.05, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]],
        ...                            states=["lead", "demo", "won", "lost"])
        >>> chain.close_time_cdf([7, 30]).round(4)
        horizon       7      30
        stage                  
        lead     0.6487  0.9668
        demo     0.5034  0.9502
        """
        return continuous_close_time_cdf(self._core, self.transient_states, t)

    def log_likelihood(self, counts: ExposureCounts) -> float:
        """sum n_ij log q_ij - q_i T_i.

        Parameters
        ----------
        counts : ExposureCounts
            Exits and exposure over the same states.

        Returns
        -------
        float
            The log-likelihood of the observed exits and exposure under this chain
            (largest at ``counts.fit()``).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "x", "x", "y", "y", "z"], "day": [0.0, 4, 10, 0, 3, 1],
        ...                     "stage": ["lead", "demo", "won", "lead", "lost", "lead"]})
        >>> e = fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day",
        ...                                   absorbing=["won", "lost"], cutoff=12)
        >>> e.fit().log_likelihood(e) > fn.ContinuousChain(e.fit().generator() * 2).log_likelihood(e)
        True
        """
        return float(self._core.log_likelihood(counts._core))


    @classmethod
    def from_json(cls, text: str) -> "ContinuousChain":
        """From JSON text written by :meth:`to_json` (FormatError if corrupt).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        ContinuousChain

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or fails validation.
        """
        return cls._wrap(_core.funnel.continuous_chain_from_json(text))


    def __reduce__(self) -> Any:
        return (_restore_chain, (self.to_json(), self.time_unit))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ContinuousChain) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ContinuousChain(states={self.states!r}, time_unit={self.time_unit!r})"
