"""Transition counts: the sufficient statistic of a Markov funnel, read from paths,
event logs (pandas or Dask), period-by-period logs or a matrix; mergeable (``a + b``)."""
from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence, TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.convert import as_array, ids_as_int64, require_columns
from .._common.messages import user_terms
from .._common.options import choice, unknown_column
from .._common.time import PERIOD_NS, floor_ns, is_calendar, period_index, period_start, reject_yyyymmdd, times_as_numbers, timestamp_ns
from ..errors import EmptyInputError, InvalidArgumentError, ShapeError
from ._shared import EMPTY_ROWS, REPEATS, EmptyRows, Repeats, encode_events, encode_paths, is_dask_frame, stage_code_map
from .io import JsonModel
from .opportunities import Missing, opportunity_events, opportunity_table_hint
from .posterior import discrete_figures, transition_intervals
from .stages import Funnel
from .._common.checks import check_ints

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .chain import MarkovChain

__all__ = ["TransitionCounts"]

_ALIGN = {"calendar": 0, "first_event": 1}
#: ``align=`` values (keys of _ALIGN).
Align = Literal["calendar", "first_event"]


class TransitionCounts(JsonModel):
    """How often leads moved from one state to another: the sufficient statistic of a
    Markov funnel.  Counts are mergeable: ``a + b`` equals counting the union, so logs
    can be counted per partition (or per Dask chunk) and added up.

    Build with :meth:`from_paths`, :meth:`from_events`, :meth:`from_periods`,
    :meth:`from_opportunities` or :meth:`from_matrix`; fit a chain with :meth:`fit`.

    Parameters
    ----------
    core : funnelnet._core.funnel.TransitionCounts
        The C++ counts (internal: use the ``from_*`` constructors).

    Examples
    --------
    >>> import funnelnet as fn
    >>> counts = fn.TransitionCounts.from_paths(
    ...     ["lead > demo > won", "lead > demo > lost", "lead > lost", "lead > demo > won"],
    ...     sep=">", absorbing=["won", "lost"])
    >>> counts
    TransitionCounts(states=['lead', 'demo', 'won', 'lost'], total=7)
    >>> counts + counts == fn.TransitionCounts.from_matrix(2 * counts.to_numpy(), counts.funnel)
    True
    """

    def __init__(self, core: Any) -> None:
        self._core = core

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_matrix(cls, counts: Any, funnel: Funnel) -> "TransitionCounts":
        """Counts from a square matrix (array or DataFrame in the funnel's state order).

        Parameters
        ----------
        counts : array-like or DataFrame, shape (n, n)
            counts[i, j] = transitions from state i to state j (finite, >= 0; rows of
            outcomes all 0).
        funnel : Funnel
            The states, in the matrix's order.

        Returns
        -------
        TransitionCounts

        Raises
        ------
        ShapeError
            The matrix is not n x n for the funnel's n states.
        InvalidArgumentError
            A negative or non-finite count, or an exit from an outcome (naming the cell).

        Examples
        --------
        >>> import funnelnet as fn
        >>> counts = fn.TransitionCounts.from_paths(
        ...     ["lead > demo > won", "lead > demo > lost", "lead > lost", "lead > demo > won"],
        ...     sep=">", absorbing=["won", "lost"])
        >>> fn.TransitionCounts.from_matrix(counts.to_numpy(), counts.funnel) == counts
        True
        """
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
        repeats: Repeats = "keep",
    ) -> "TransitionCounts":
        """Counts from paths: each path is a sequence of state names, walked in order.

        Parameters
        ----------
        paths : list of sequences of str, or strings joined by ``sep`` (list or Series)
            One entry per observed path, each walked in order (e.g. ``"lead > demo > won"``).
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
        absorbing : sequence of str, optional
            Without ``funnel``: the end states (outcomes).

        Returns
        -------
        TransitionCounts

        Raises
        ------
        UnknownLabelError
            A state not in ``funnel`` (naming the path and position).
        ShapeError
            ``counts`` of another length than ``paths``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> counts = fn.TransitionCounts.from_paths(
        ...     ["lead > demo > won", "lead > demo > lost", "lead > lost", "lead > demo > won"],
        ...     sep=">", absorbing=["won", "lost"])
        >>> counts.to_frame()
        to    lead  demo  won  lost
        from                       
        lead   0.0   3.0  0.0   1.0
        demo   0.0   0.0  2.0   1.0
        won    0.0   0.0  0.0   0.0
        lost   0.0   0.0  0.0   0.0
        """
        rep = choice(repeats, REPEATS, "repeats")
        f, codes, offsets = encode_paths(paths, funnel, absorbing, sep)
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
        repeats: Repeats = "collapse",
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

        Parameters
        ----------
        df : DataFrame or dask DataFrame
            One row per event: a lead entering a stage.
        lead, stage, time : str
            Columns of the lead id, the stage name and the event time.
        funnel : Funnel, optional
            The states in order; default: stages in order of first appearance, with
            ``absorbing`` as the outcomes.
        absorbing : sequence of str, optional
            Without ``funnel``: the outcomes.
        repeats : {"collapse", "keep"}
            A repeated stage is a status update (``"collapse"``) or a self-transition.
        threads : int
            Worker threads (0 = all cores).

        Returns
        -------
        TransitionCounts

        Raises
        ------
        InvalidArgumentError
            A lead leaving an outcome (naming the lead id and time).
        EmptyInputError
            No rows.
        InputTypeError
            YYYYMMDD integer times, or an opportunity table (the message names
            :meth:`from_opportunities`).

        Examples
        --------
        Rows in any order; lead x went lead -> demo -> won, y lead -> lost:

        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "y", "x", "y", "x"], "stage": ["demo", "lead", "lead", "lost", "won"],
        ...                     "time": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-20",
        ...                                             "2024-01-15"])})
        >>> c = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time",
        ...                                     funnel=fn.Funnel(["lead", "demo"], outcomes=["won", "lost"]))
        >>> c.to_frame().loc[["lead", "demo"]]
        to    lead  demo  won  lost
        from                       
        lead   0.0   1.0  0.0   1.0
        demo   0.0   0.0  1.0   0.0
        """
        check_ints(threads=threads)
        if is_dask_frame(df):
            return cls._from_dask_events(df, lead=lead, stage=stage, time=time, funnel=funnel, repeats=repeats)
        with opportunity_table_hint(df, lead, time):
            require_columns(df, {"lead": lead, "stage": stage, "time": time})
            if len(df) == 0:
                raise EmptyInputError("the event log has no rows")
            t = times_as_numbers(df[time], time)
        rep = choice(repeats, REPEATS, "repeats")
        core = _core.funnel.TransitionCounts
        terms: dict[str, Any] = {"ids": df[lead], "entity": "lead", "times": "ns" if is_calendar(df[time]) else None}
        direct = stage_code_map(df[stage], funnel)
        if direct is not None:
            # Integer or Categorical stages: C++ maps the column's own codes (no copy).  On a
            # bad value the general path below runs instead and raises its error, which
            # names the row and the value in the user's terms.
            try:
                leads = ids_as_int64(df[lead], lead)
                codes_builder = core.from_event_codes_i64 if t.dtype == np.int64 else core.from_event_codes_f64
                with user_terms(**terms):
                    return cls(codes_builder(cast(Funnel, funnel)._space, leads, t, *direct, rep, int(threads)))
            except InvalidArgumentError:
                pass
        f, codes, leads = encode_events(df, lead, stage, funnel, absorbing, int(threads), narrow=True)
        with user_terms(**terms):
            if codes.dtype == np.int8:
                # str stages as int8 stage indices (a quarter of int32 codes' memory): the
                # raw-code path above, through an identity map.
                identity = np.arange(len(f.states), dtype=np.int32)
                codes_builder = core.from_event_codes_i64 if t.dtype == np.int64 else core.from_event_codes_f64
                return cls(codes_builder(f._space, leads, t, codes, identity, 0, rep, int(threads)))
            builder = core.from_events_i64 if t.dtype == np.int64 else core.from_events_f64
            return cls(builder(f._space, leads, t, codes, rep, int(threads)))

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
        threads: int = 0,
    ) -> "TransitionCounts":
        """Counts from a CRM opportunity table: one row per opportunity with its current
        stage and a date column per stage (the shape CRMs export).

        Parameters
        ----------
        df : DataFrame
            One row per opportunity.
        stage : str
            Column with the current stage: a key of ``stage_dates`` (open) or an outcome.
        stage_dates : mapping of str to str or None
            The funnel's stages in order, each with the column holding the date the
            opportunity entered it (None: the CRM keeps no date for that stage).
        outcomes : sequence of str
            The closed stages (e.g. ``["Won", "Lost"]``); a closed opportunity enters its
            outcome on its ``close`` date.
        close : str or None
            Column with the close date.
        lead : str, optional
            Column with the opportunity id (named in errors); default the row index.
        missing : {"censor", "untimed"}
            A stage without a date: ``"censor"`` keeps the history up to the last dated
            step (leading undated stages are skipped); ``"untimed"`` keeps the step,
            ordered by the funnel.  See :mod:`funnelnet.funnel.opportunities`.
        cutoff : time, optional
            Time given to untimed steps of opportunities without any date.
        threads : int
            0 = all cores; never changes the result.

        Returns
        -------
        TransitionCounts
            Equal to :meth:`from_events` on the reshaped event log (one row per step).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> deals = pd.DataFrame({"stage": ["Engaging", "Won", "Lost"], "engaged": [3, 1, 2],
        ...                       "closed": [None, 9.0, 5.0]})
        >>> c = fn.TransitionCounts.from_opportunities(
        ...     deals, stage="stage", stage_dates={"Engaging": "engaged"},
        ...     outcomes=["Won", "Lost"], close="closed")
        >>> c.to_frame().loc["Engaging"].tolist()
        [0.0, 1.0, 1.0]
        """
        log, funnel, _ = opportunity_events(df, stage=stage, stage_dates=stage_dates, outcomes=outcomes, close=close,
                                            lead=lead, missing=missing, cutoff=cutoff)
        return cls.from_events(log, lead="lead", stage="stage", time="time", funnel=funnel, repeats="keep",
                               threads=threads)

    @classmethod
    def _from_dask_events(cls, ddf: Any, *, lead: str, stage: str, time: str, funnel: Funnel | None, repeats: Repeats) -> "TransitionCounts":
        """Count a Dask DataFrame: shuffle so each lead's events share a partition, count
        every partition in parallel, and add the counts (they are mergeable)."""
        import dask

        if funnel is None:
            raise InvalidArgumentError("a Dask event log needs funnel=Funnel(...): states cannot be inferred lazily")
        choice(repeats, REPEATS, "repeats")
        for role, col in {"lead": lead, "stage": stage, "time": time}.items():
            if col not in ddf.columns:
                raise unknown_column(role, col, list(ddf.columns))
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
        align: Align = "calendar",
    ) -> "TransitionCounts":
        """Period-by-period counts from a timestamped event log, open leads censored.

        Time is cut into periods (``"day"``, ``"week"``, ``"month"``, a ``pd.Timedelta``,
        or a number for numeric times).  A stage entered in period a and left in period
        b gives b - a - 1 stays (i -> i) and one move, so a lead that stays k periods
        contributes k - 1 stays.  A lead still in a stage at ``cutoff`` contributes its
        stays and no exit: it is censored, not lost.

        A repeated stage is a status update.  ``cutoff`` defaults to the end of the
        period holding the last event; ``origin`` (start of period 0) defaults to whole
        periods back from the cut-off.  ``cutoff - origin`` must be a whole number of
        periods.  Integer times that look like YYYYMMDD dates raise InputTypeError.

        Datetimes follow the package's time rule (aware times in UTC, naive taken as
        UTC).  With neither ``origin`` nor ``cutoff``, ``align`` places the period grid
        for ``"day"`` and ``"week"``: ``"calendar"`` (default) uses calendar periods,
        days from 00:00 UTC and ISO weeks from Monday 00:00 UTC, as every other area
        does; ``"first_event"`` counts periods from the first event (the 0.1
        behaviour).  Months are always calendar months; a given ``origin`` or
        ``cutoff`` anchors the grid itself.

        Rows may come in any order (sorted by time per lead inside; ties keep row
        order).  The cut-off rule is the package's one rule: events at or before the
        cut-off are observed, an event after it is an error.  Errors name the lead and
        row: duplicate events, leaving an outcome, events after the cut-off.

        Parameters
        ----------
        df : DataFrame
            One row per event: a lead entering a stage.
        lead, stage, time : str
            Columns of the lead id, the stage and the event time (datetimes or numbers).
        period : {"day", "week", "month"}, Timedelta or float
            Length of one period (a number for numeric times).
        origin, cutoff : time, optional
            Start of period 0 and end of observation (see above).
        funnel : Funnel, optional
            The states in order; default: order of first appearance.
        absorbing : sequence of str, optional
            Without ``funnel``: the outcomes.
        threads : int
            Worker threads (0 = all cores).
        align : {"calendar", "first_event"}
            Where the day/week grid starts when neither ``origin`` nor ``cutoff`` is given.

        Returns
        -------
        TransitionCounts
            Per-period counts: fit them for a chain whose step is one period.

        Raises
        ------
        InvalidArgumentError
            An event after the cut-off, a duplicate event, an exit from an outcome, or a
            cut-off not a whole number of periods after the origin.
        InputTypeError
            YYYYMMDD integer times, or a calendar period on numeric times.

        Examples
        --------
        Lead y stays in ``lead`` through ISO week 2 of 2024 and is lost in week 3: one
        stay and one exit:

        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": ["x", "y", "x", "y", "x"], "stage": ["demo", "lead", "lead", "lost", "won"],
        ...                     "time": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-20",
        ...                                             "2024-01-15"])})
        >>> c = fn.TransitionCounts.from_periods(log, lead="lead", stage="stage", time="time", period="week",
        ...                                      absorbing=["won", "lost"])
        >>> c.to_frame().loc["lead"].to_dict()
        {'demo': 1.0, 'lead': 1.0, 'won': 0.0, 'lost': 1.0}
        """
        check_ints(threads=threads)
        require_columns(df, {"lead": lead, "stage": stage, "time": time})
        if len(df) == 0:
            raise EmptyInputError("the event log has no rows")
        f, codes, leads = encode_events(df, lead, stage, funnel, absorbing, int(threads))
        t = times_as_numbers(df[time], time)
        choice(align, _ALIGN, "align")
        if is_calendar(df[time]):
            t, per, org, cut = _calendar_periods(t, period, origin, cutoff, align)
            shown = "month" if isinstance(period, str) and period == "month" else "ns"
            with user_terms(ids=df[lead], entity="lead", times=shown):
                return cls(_core.funnel.period_counts_i64(f._space, leads, t, codes, per, org, cut, int(threads)))
        if isinstance(period, str) or isinstance(period, pd.Timedelta):
            raise InvalidArgumentError(f"period {period!r} needs datetime times; {time!r} is numeric: give a number")
        reject_yyyymmdd(t, time)
        if t.dtype == np.int64:
            if float(period) != int(period):
                raise InvalidArgumentError(f"period {period!r} does not divide integer times: give a whole number")
            o = None if origin is None else int(origin)
            c = None if cutoff is None else int(cutoff)
            with user_terms(ids=df[lead], entity="lead"):
                return cls(_core.funnel.period_counts_i64(f._space, leads, t, codes, int(period), o, c, int(threads)))
        of = None if origin is None else float(origin)
        cf = None if cutoff is None else float(cutoff)
        with user_terms(ids=df[lead], entity="lead"):
            return cls(_core.funnel.period_counts_f64(f._space, leads, t, codes, float(period), of, cf, int(threads)))

    # ---------------------------------------------------------------- uncertainty
    def posterior_intervals(self, prior: float = _default("PosteriorOptions", "prior"),
                            level: float = _default("PosteriorOptions", "level")) -> pd.DataFrame:
        """Posterior mean and equal-tailed interval of every transition probability out
        of a stage, under a symmetric Dirichlet(``prior``) prior on each row's entries
        (exact Beta marginals).  One row per (from, to) pair; columns ``mean``,
        ``lower``, ``upper``.

        Parameters
        ----------
        prior : float
            Dirichlet concentration added to every entry of a row (0.5: Jeffreys).
        level : float
            Probability mass of the interval, in (0, 1).

        Returns
        -------
        DataFrame
            Indexed by (``from``, ``to``) over the stages' rows.

        Examples
        --------
        The lead row counts (0, 3, 0, 1); with prior 0.5 the mean of lead -> demo is
        (3 + 0.5) / (4 + 4 * 0.5):

        >>> import funnelnet as fn
        >>> counts = fn.TransitionCounts.from_paths(
        ...     ["lead > demo > won", "lead > demo > lost", "lead > lost", "lead > demo > won"],
        ...     sep=">", absorbing=["won", "lost"])
        >>> round(float(counts.posterior_intervals().loc[("lead", "demo"), "mean"]), 6) == round(3.5 / 6, 6)
        True
        """
        return transition_intervals(self._core, prior, level)

    def posterior_figures(
        self,
        *,
        prior: float = _default("PosteriorOptions", "prior"),
        level: float = _default("PosteriorOptions", "level"),
        draws: int = _default("PosteriorOptions", "draws"),
        seed: int = _default("PosteriorOptions", "seed"),
        threads: int = _default("PosteriorOptions", "threads"),
        progress: bool = False,
    ) -> pd.DataFrame:
        """Posterior means and intervals of the derived figures, per stage: the
        probability of each outcome and the expected steps to close.  Chains are drawn
        from the Dirichlet posterior (seeded: the same seed gives the same answer at any
        thread count); ``progress=True`` shows a tqdm bar.

        Parameters
        ----------
        prior : float
            Dirichlet concentration per entry.
        level : float
            Probability mass of the intervals.
        draws : int
            Chains drawn from the posterior.
        seed : int
            Random seed.
        threads : int
            Worker threads (0 = all cores); the result does not depend on it.
        progress : bool
            Show a tqdm bar.

        Returns
        -------
        DataFrame
            By stage: ``P(<outcome>)``, ``P(<outcome>) lower`` and ``upper`` per outcome,
            then ``steps``, ``steps lower`` and ``steps upper``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> counts = fn.TransitionCounts.from_paths(
        ...     ["lead > demo > won", "lead > demo > lost", "lead > lost", "lead > demo > won"],
        ...     sep=">", absorbing=["won", "lost"])
        >>> figs = counts.posterior_figures(draws=2000, seed=1)
        >>> list(figs.columns[:3])
        ['P(won)', 'P(won) lower', 'P(won) upper']
        """
        check_ints(draws=draws, seed=seed, threads=threads)
        return discrete_figures(self._core, prior, level, draws, seed, threads, progress)

    # ---------------------------------------------------------------- persistence

    @classmethod
    def from_json(cls, text: str) -> "TransitionCounts":
        """Counts from JSON text written by :meth:`to_json` (FormatError if corrupt).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        TransitionCounts
            Equal to the saved counts.

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or fails validation.
        """
        return cls(_core.funnel.counts_from_json(text))


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
        """All state names in order."""
        return list(self._core.space.names)

    def to_numpy(self) -> np.ndarray:
        """The count matrix (rows: from, columns: to).

        Returns
        -------
        ndarray, shape (n, n)
            In the order of :attr:`states`.
        """
        return cast("np.ndarray", self._core.matrix)

    def to_frame(self) -> pd.DataFrame:
        """The count matrix as a DataFrame labelled by state.

        Returns
        -------
        DataFrame
            States by states (index ``from``, columns ``to``).
        """
        return pd.DataFrame(self._core.matrix, index=pd.Index(self.states, name="from"), columns=pd.Index(self.states, name="to"))

    def _repr_html_(self) -> str:
        from .._common.display import html_block, matrix_corner

        n = len(self.states)
        f = self.funnel
        return html_block("TransitionCounts", {"transitions": f"{self.total:,.0f}", "stages": len(f.stages),
                                               "outcomes": ", ".join(f.outcomes) or "none"},
                          matrix_corner(self.to_numpy(), self.states),
                          note="" if n <= 10 else f"first 10 of {n} states")

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

    def plot(self, kind: str = "funnel", *, ax: Any = None, **kw: Any) -> "Axes":
        """Draw the counts.

        Parameters
        ----------
        kind : {"funnel", "sankey", "heatmap"}
            :func:`funnelnet.plot.funnel`, :func:`funnelnet.plot.sankey` (the flows
            between stages) or :func:`funnelnet.plot.transition_heatmap`.
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

        charts: dict[str, Any] = {"funnel": _plot.funnel, "sankey": _plot.sankey, "heatmap": _plot.transition_heatmap}
        if kind not in charts:
            raise InvalidArgumentError(f"kind must be one of {sorted(charts)}, got {kind!r}")
        return cast("Axes", charts[kind](self, ax=ax, **kw))

    # ---------------------------------------------------------------- fitting
    def fit(self, smoothing: float = _default("FitOptions", "smoothing"),
            empty_rows: EmptyRows = _default_choice("FitOptions", "empty_rows", EMPTY_ROWS)) -> "MarkovChain":
        """Fit a chain: maximum likelihood, or with ``smoothing`` > 0 the posterior mean
        under a symmetric Dirichlet prior (add ``smoothing`` to every entry of each
        transient row).

        ``empty_rows`` says what to do with a transient stage that has no observed
        exits: ``"error"`` (default), ``"absorbing"`` (leads stay there) or ``"uniform"``.

        Parameters
        ----------
        smoothing : float
            Pseudo-count added to every entry of each transient row (0: maximum
            likelihood).
        empty_rows : {"error", "absorbing", "uniform"}
            A stage without observed exits: error (naming it), stays put, or moves
            uniformly.

        Returns
        -------
        MarkovChain
            P[i, j] = (n_ij + smoothing) / (n_i + n * smoothing) on the stages' rows.

        Raises
        ------
        InvalidArgumentError
            A stage without exits under ``empty_rows="error"``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> counts = fn.TransitionCounts.from_paths(
        ...     ["lead > demo > won", "lead > demo > lost", "lead > lost", "lead > demo > won"],
        ...     sep=">", absorbing=["won", "lost"])
        >>> counts.fit().to_frame().loc["demo"].round(4).tolist()
        [0.0, 0.0, 0.6667, 0.3333]
        """
        code = choice(empty_rows, EMPTY_ROWS, "empty_rows")
        from .chain import MarkovChain

        return MarkovChain._wrap(_core.funnel.fit(self._core, float(smoothing), code))


def _calendar_periods(t: np.ndarray, period: Any, origin: Any, cutoff: Any,
                      align: str) -> tuple[np.ndarray, int, int | None, int | None]:
    """Event times (int64 ns, UTC) as (times, period, origin, cutoff) in one integer unit,
    by the package's time rule (see ``funnelnet._common.time``)."""
    if isinstance(period, str) and period == "month":
        months = period_index(t, "month")

        def month_index(x: Any, name: str) -> int:
            ns = timestamp_ns(x, name)
            m = int(period_index(np.int64(ns), "month"))
            if period_start(m, "month") != ns:
                raise InvalidArgumentError(f"the periods do not divide the observation window: {name} {pd.Timestamp(ns)} is not the start of a month")
            return m

        o = None if origin is None else month_index(origin, "origin")
        c = None if cutoff is None else month_index(cutoff, "cutoff")
        return np.ascontiguousarray(months), 1, o, c
    if isinstance(period, str) and period in ("day", "week"):
        per = PERIOD_NS[period]
        if origin is None and cutoff is None and align == "calendar" and len(t):
            # Calendar grid: from the start of the first event's period to the end of the last's.
            return t, per, floor_ns(int(t.min()), period), floor_ns(int(t.max()), period) + per
    else:
        try:
            per = int(pd.Timedelta(period).value)
        except (ValueError, TypeError):
            raise InvalidArgumentError(f"period must be 'day', 'week', 'month' or a Timedelta, got {period!r}") from None
    if per <= 0:
        raise InvalidArgumentError(f"period must be > 0, got {period!r}")
    o = None if origin is None else timestamp_ns(origin, "origin")
    c = None if cutoff is None else timestamp_ns(cutoff, "cutoff")
    return t, per, o, c
