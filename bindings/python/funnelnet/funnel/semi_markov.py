"""Time in stage that is not memoryless: Kaplan-Meier and Aalen-Johansen estimates with
censoring, and a semi-Markov funnel whose holding times are fitted per stage.

A :class:`ContinuousChain` makes every holding time exponential (sd = mean), so how long
a deal has already waited says nothing about when it closes.  :class:`SemiMarkovFunnel`
fits, for each stage and each destination it was seen to move to, a latent time
(competing risks): non-parametric (``family="empirical"``, the Aalen-Johansen estimate,
open leads censored) or by censored maximum likelihood (``"weibull"``, ``"gamma"``,
``"exponential"``; the last is exactly the continuous chain).  Queries condition on the
age already spent in the current stage and are answered by seeded Monte Carlo.

>>> import pandas as pd, funnelnet as fn
>>> log = pd.DataFrame({"lead": [1, 1, 2, 2, 3, 3, 4],
...                     "day": [0.0, 10, 0, 30, 0, 12, 0],
...                     "stage": ["open", "won", "open", "lost", "open", "won", "open"]})
>>> m = fn.SemiMarkovFunnel("empirical", draws=20000, seed=1).fit(
...     log, lead="lead", stage="stage", time="day", absorbing=["won", "lost"], cutoff=40.0)
>>> m.holding_.loc[:, ["stage", "destination", "events", "censored"]]
  stage destination  events  censored
0  open         won       2         2
1  open        lost       1         3
>>> m.win_probabilities("open", age=15.0).round(1).to_dict()  # after day 15: one loss, one still open
{'won': 0.0, 'lost': 0.5, 'unresolved': 0.5}
"""
from __future__ import annotations

from typing import Any, Literal, Mapping, Self, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import as_array
from .._common.options import choice
from .._common.options import default as _default
from .._common.results import Result, result
from .._common.time import is_calendar, times_as_numbers
from ..errors import InvalidArgumentError
from ._shared import encode_events, unknown_state
from .continuous import ExposureCounts, TimeUnit
from .opportunities import Missing, opportunity_events
from .stages import Funnel

__all__ = ["SemiMarkovFunnel", "GoodnessOfFit", "CloseOutlook", "kaplan_meier", "cumulative_incidence"]

FAMILIES = {"empirical": 0, "exponential": 1, "weibull": 2, "gamma": 3}
#: ``family=`` values (keys of FAMILIES).
Family = Literal["empirical", "exponential", "weibull", "gamma"]


def kaplan_meier(duration: Any, observed: Any) -> pd.DataFrame:
    """Kaplan-Meier survival curve with right censoring.

    Parameters
    ----------
    duration : array-like of float
        Time to the event or to censoring (finite, >= 0).
    observed : array-like of bool
        True where the event was seen, False where the duration is censored.

    Returns
    -------
    DataFrame
        One row per distinct event time: ``time``, ``at_risk`` (just before),
        ``events`` and ``survival`` (S just after the time).

    Examples
    --------
    >>> from funnelnet.funnel.semi_markov import kaplan_meier
    >>> kaplan_meier([1, 2, 2, 3], [True, True, False, True])["survival"].tolist()
    [0.75, 0.5, 0.0]
    """
    d = as_array(duration, np.float64, "duration")
    o = as_array(observed, np.uint8, "observed")
    t, n, e, s = _core.funnel.kaplan_meier(d, o)
    return pd.DataFrame({"time": t, "at_risk": n, "events": e, "survival": s})


def cumulative_incidence(duration: Any, cause: Any, causes: Sequence[str]) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of competing causes with right censoring.

    Parameters
    ----------
    duration : array-like of float
        Time to the event or to censoring.
    cause : array-like of int
        Index into ``causes`` of the event seen, -1 where censored.
    causes : sequence of str
        Names of the causes (columns of the result).

    Returns
    -------
    DataFrame
        Indexed by the distinct event times: one column per cause, P(event of that
        cause by t), and ``survival`` (the overall Kaplan-Meier curve).

    Examples
    --------
    >>> from funnelnet.funnel.semi_markov import cumulative_incidence
    >>> cumulative_incidence([1, 2, 3, 4], [0, -1, 1, 0], ["won", "lost"]).round(3)
            won   lost  survival
    time                        
    1.0   0.250  0.000     0.750
    3.0   0.250  0.375     0.375
    4.0   0.625  0.375     0.000
    """
    d = as_array(duration, np.float64, "duration")
    c = as_array(cause, np.int32, "cause")
    t, _, s, inc = _core.funnel.aalen_johansen(d, c, len(causes))
    df = pd.DataFrame(np.asarray(inc), columns=list(causes), index=pd.Index(t, name="time"))
    df["survival"] = s
    return df


@result
class GoodnessOfFit(Result):
    """P(closed by each horizon) from entering ``start``: the Aalen-Johansen estimate from
    the data (open leads censored) against the Markov (exponential holding times) and the
    semi-Markov model.

    Attributes
    ----------
    start : str
        The entry stage.
    table : DataFrame
        One row per horizon: ``aalen_johansen``, ``markov``, ``semi_markov``.
    max_error_markov, max_error_semi_markov : float
        Largest absolute difference from the Aalen-Johansen column.
    leads : int
        Leads that entered ``start``.
    """

    start: str
    table: pd.DataFrame
    max_error_markov: float
    max_error_semi_markov: float
    leads: int

    def _table(self) -> pd.DataFrame:
        return self.table.copy()


@result
class CloseOutlook(Result):
    """The outlook of a lead in ``stage`` that has already spent ``age`` there: outcome
    probabilities (``win``: a Series over the outcomes and ``unresolved``, the mass the
    data cannot place), ``quantiles`` of the remaining time to close (inf where not
    reached), and ``cdf``, P(closed within each horizon).

    Attributes
    ----------
    stage : str
        The stage.
    age : float
        Time already spent there.
    win : Series
        P(each outcome) and ``unresolved``.
    quantiles : Series
        Remaining time to close at each level.
    cdf : Series
        P(closed within each horizon).
    draws : int
        Monte Carlo draws behind the figures.
    """

    stage: str
    age: float
    win: pd.Series
    quantiles: pd.Series
    cdf: pd.Series
    draws: int

    def _table(self) -> pd.DataFrame:
        return self.cdf.to_frame()


class SemiMarkovFunnel:
    """A funnel whose holding times are fitted per stage (semi-Markov), with open leads
    censored.

    Parameters
    ----------
    family : {"empirical", "weibull", "gamma", "exponential"}
        Holding-time model of each (stage, destination): the Aalen-Johansen estimate, or
        censored maximum likelihood of that family (scipy's ``weibull_min(c, scale)`` /
        ``gamma(a, scale)`` parameters).  ``"exponential"`` equals the ContinuousChain.
    tol : float
        Convergence tolerance of the parametric fits.  A fit that does not converge
        raises ConvergenceError naming the stage and destination.
    max_iter : int
        Iteration limit of the parametric fits.
    draws : int
        Monte Carlo draws per query.
    seed : int
        Seed of the draws; the same seed gives the same answer at any thread count.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small
        inputs, more only when each has enough work to gain from it, never more than
        the usable cores); a positive number is an upper bound.  The result is the
        same at any thread count.

    Attributes
    ----------
    funnel_ : Funnel
    holding_ : DataFrame
        One row per (stage, destination): counts of exits (``events``) and other
        sojourns (``censored``), ``shape``, ``scale``, ``log_likelihood``,
        ``iterations``, ``converged``.
    jump_matrix_ : DataFrame
        The embedded chain: where a lead goes when it leaves each stage.
    markov_ : ContinuousChain
        The exponential (Markov) fit of the same log, for comparison.
    converged_ : bool
        True when every parametric fit converged (always true when fitted: a failed fit raises).
    """

    def __init__(self, family: Family = "empirical", *, tol: float = _default("SemiMarkovOptions", "tol"),
                 max_iter: int = _default("SemiMarkovOptions", "max_iter"), draws: int = 100_000,
                 seed: int = 0, threads: int = 0) -> None:
        choice(family, FAMILIES, "family")
        if int(draws) < 1:
            raise InvalidArgumentError(f"draws must be >= 1, got {draws}")
        self.family = family
        self.tol = float(tol)
        self.max_iter = int(max_iter)
        self.draws = int(draws)
        self.seed = int(seed)
        self.threads = int(threads)

    # ---------------------------------------------------------------- fitting
    def fit(self, df: pd.DataFrame, *, lead: str, stage: str, time: str, cutoff: Any = None, time_unit: TimeUnit = "D",
            funnel: Funnel | None = None, absorbing: Sequence[str] | None = None) -> Self:
        """Fit from an event log (one row per lead entering a stage), open leads
        censored at ``cutoff`` (default: the latest event).

        The log is read and checked exactly as :meth:`ExposureCounts.from_events` reads
        it (the same errors, naming the lead and row); repeated stages are status
        updates.  Datetime times are measured in ``time_unit``.

        Parameters
        ----------
        df : DataFrame
            The event log: one row per lead entering a stage, rows in any order.
        lead, stage, time : str
            Column names of the lead id, the stage and the time of each event.
        cutoff : datetime-like or float, optional
            End of observation; open leads are censored there (default: the latest event).
        time_unit : {"s", "min", "h", "D", "W"}
            Unit of the holding times when ``time`` holds datetimes.
        funnel : Funnel, optional
            The stages and outcomes (default: read from the log with ``absorbing``).
        absorbing : sequence of str, optional
            The outcome stages when ``funnel`` is not given.

        Returns
        -------
        SemiMarkovFunnel
            ``self``, fitted.

        Raises
        ------
        InvalidArgumentError
            Duplicate events, a lead leaving an outcome, events after the cut-off (naming
            the lead and row); a transient stage without any observed exit (EmptyInputError).
        ConvergenceError
            A parametric fit that did not converge, naming the stage and destination.
        """
        exposure = ExposureCounts.from_events(df, lead=lead, stage=stage, time=time, cutoff=cutoff,
                                              time_unit=time_unit, funnel=funnel, absorbing=absorbing,
                                              threads=self.threads)
        f = exposure.funnel
        _, codes, leads = encode_events(df, lead, stage, f, None)
        t = times_as_numbers(df[time], time).astype(np.float64)
        calendar = is_calendar(df[time])
        unit = float(pd.Timedelta(1, unit=time_unit).value) if calendar else 1.0
        if cutoff is None:
            cut = float(t.max())
        elif calendar:
            from .._common.time import timestamp_ns

            cut = float(timestamp_ns(cutoff, "cutoff"))
        else:
            cut = float(cutoff)
        self._set_sojourns(f, leads, t / unit, codes, cut / unit, time_unit if calendar else "")
        self.markov_ = exposure.fit()
        return self

    def fit_opportunities(self, df: pd.DataFrame, *, stage: str, stage_dates: Mapping[str, str | None],
                          outcomes: Sequence[str], close: str | None, lead: str | None = None,
                          missing: Missing = "censor", cutoff: Any = None, time_unit: TimeUnit = "D") -> Self:
        """Fit from a CRM opportunity table (one row per opportunity, a date column per
        stage), read as :meth:`ExposureCounts.from_opportunities` reads it (the C ABI's
        ``fnet_semi_markov_fit_opportunities`` applies the same rules).

        Parameters
        ----------
        df : DataFrame
            One row per opportunity.
        stage : str
            Column of each opportunity's current stage (a stage or an outcome).
        stage_dates : mapping of str to str or None
            Each stage, in funnel order, to its date column (None: no date column).
        outcomes : sequence of str
            The outcome stages (e.g. ``["Won", "Lost"]``).
        close : str or None
            Column of the close date of closed opportunities.
        lead : str, optional
            Column of the opportunity id (default: the index), used in messages.
        missing : {"censor", "untimed"}
            What a stage without a date means (see :mod:`funnelnet.funnel.opportunities`).
        cutoff : datetime-like or float, optional
            End of observation (default: the latest date).
        time_unit : {"s", "min", "h", "D", "W"}
            Unit of the holding times.

        Returns
        -------
        SemiMarkovFunnel
            ``self``, fitted.
        """
        log, funnel, cut = opportunity_events(df, stage=stage, stage_dates=stage_dates, outcomes=outcomes,
                                              close=close, lead=lead, missing=missing, cutoff=cutoff)
        return self.fit(log, lead="lead", stage="stage", time="time", cutoff=cut, time_unit=time_unit,
                        funnel=funnel)

    def _set_sojourns(self, f: Funnel, leads: np.ndarray, t: np.ndarray, codes: np.ndarray, cut: float,
                      unit: str) -> None:
        # Per lead in time order (ties keep row order); repeats are status updates.
        order = np.lexsort((np.arange(len(t)), t, leads))
        lead_s, t_s, c_s = leads[order], t[order], codes[order]
        first = np.ones(len(t_s), dtype=bool)
        first[1:] = lead_s[1:] != lead_s[:-1]
        keep = first.copy()
        keep[1:] |= c_s[1:] != c_s[:-1]
        lead_s, t_s, c_s, first = lead_s[keep], t_s[keep], c_s[keep], first[keep]
        last = np.ones(len(t_s), dtype=bool)
        last[:-1] = lead_s[:-1] != lead_s[1:]
        absorbing = np.asarray([f.states[i] in f.outcomes for i in range(len(f.states))])
        transient = ~absorbing[c_s]
        nxt = np.where(last, -1, np.roll(c_s, -1)).astype(np.int32)
        end = np.where(last, cut, np.roll(t_s, -1))
        rows = transient
        stage = np.ascontiguousarray(c_s[rows], dtype=np.int32)
        duration = np.ascontiguousarray(end[rows] - t_s[rows], dtype=np.float64)
        nxt = np.ascontiguousarray(nxt[rows])
        self._sojourns = (stage, duration, nxt)
        exited = nxt >= 0
        last_exit = np.full(len(f.states), np.nan)
        np.fmax.at(last_exit, stage[exited], duration[exited])
        self._last_exit = last_exit
        self._core = _core.funnel.SemiMarkovFunnel.fit(f._space, stage, duration, nxt, FAMILIES[self.family],
                                                      self.tol, self.max_iter)
        self.funnel_ = f
        self.time_unit_ = unit
        # The lead-level time to close from each lead's first stage (for goodness_of_fit).
        entry_t = t_s[first]
        entry_c = c_s[first]
        out_t = t_s[last]
        out_c = c_s[last]
        closed = absorbing[out_c]
        self._leads = (entry_c, np.where(closed, out_t, cut) - entry_t, np.where(closed, out_c, -1))
        states = f.states
        rows_ = []
        for s, d, fit in self._core.components:
            rows_.append({"stage": states[s], "destination": states[d], "family": fit.family, "shape": fit.shape,
                          "scale": fit.scale, "events": int(fit.events), "censored": int(fit.censored),
                          "log_likelihood": fit.log_likelihood, "iterations": int(fit.iterations),
                          "converged": bool(fit.converged)})
        self.holding_ = pd.DataFrame(rows_)
        self.jump_matrix_ = pd.DataFrame(np.asarray(self._core.jump_matrix), index=pd.Index(states, name="from"),
                                         columns=pd.Index(states, name="to"))
        self.converged_ = bool(self.holding_["converged"].all())

    # ---------------------------------------------------------------- queries
    def _stage(self, stage: str) -> int:
        if not hasattr(self, "_core"):
            raise InvalidArgumentError("SemiMarkovFunnel is not fitted: call fit(...) first")
        states = self.funnel_.states
        if stage not in states:
            raise unknown_state(stage, states)
        if stage in self.funnel_.outcomes:
            raise InvalidArgumentError(f"stage {stage!r} is an outcome: nothing left to close")
        return states.index(stage)

    def _draws(self, stage: str, age: float) -> tuple[np.ndarray, np.ndarray]:
        i = self._stage(stage)
        return self._core.simulate_close(i, float(age), self.draws, self.seed, self.threads)

    def win_probabilities(self, stage: str, age: float = 0.0) -> pd.Series:
        """P(each outcome) for a lead in ``stage`` that has spent ``age`` there, plus
        ``unresolved``: the probability the data cannot place (the empirical model past
        its last observed exit).

        Parameters
        ----------
        stage : str
            A transient stage.
        age : float
            Time already spent in ``stage`` (in the model's time unit), >= 0.

        Returns
        -------
        Series
            P(each outcome) and ``unresolved``, indexed by ``outcome``; sums to 1
            (Monte Carlo with ``draws`` seeded draws).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0.0, 5, 0, 9], "stage": ["a", "won", "a", "lost"]})
        >>> fn.SemiMarkovFunnel(draws=1000).fit(log, lead="lead", stage="stage", time="t",
        ...     absorbing=["won", "lost"]).win_probabilities("a", age=6.0).tolist()
        [0.0, 1.0, 0.0]
        """
        _, out = self._draws(stage, age)
        states = self.funnel_.states
        names = list(self.funnel_.outcomes)
        p = [float(np.mean(out == states.index(o))) for o in names] + [float(np.mean(out < 0))]
        return pd.Series(p, index=pd.Index(names + ["unresolved"], name="outcome"), name="probability")

    def close_time_cdf(self, t: Any, stage: str, age: float = 0.0) -> pd.Series:
        """P(closed within t more time units) for a lead in ``stage`` aged ``age``, for
        each t (Monte Carlo).

        Parameters
        ----------
        t : float or array-like
            Horizons, in the model's time unit.
        stage : str
            A transient stage.
        age : float
            Time already spent in ``stage``.

        Returns
        -------
        Series
            P(closed within t), indexed by ``t``.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0.0, 5, 0, 9], "stage": ["a", "won", "a", "lost"]})
        >>> m = fn.SemiMarkovFunnel(draws=1000).fit(log, lead="lead", stage="stage", time="t", absorbing=["won", "lost"])
        >>> m.close_time_cdf([4, 5, 9], "a").round(1).tolist()
        [0.0, 0.5, 1.0]
        """
        h = np.atleast_1d(np.asarray(t, dtype=np.float64))
        times, _ = self._draws(stage, age)
        srt = np.sort(times)
        p = np.searchsorted(srt, h, side="right") / len(srt)
        return pd.Series(p, index=pd.Index(h, name="t"), name="p_closed")

    def outlook(self, stage: str, age: float = 0.0, horizons: Sequence[float] = (30.0, 60.0, 90.0),
                quantiles: Sequence[float] = (0.5, 0.9)) -> CloseOutlook:
        """Win probabilities, quantiles of the remaining time to close and P(closed within
        each horizon) for a lead in ``stage`` that has already spent ``age`` there.

        Parameters
        ----------
        stage : str
            A transient stage.
        age : float
            Time already spent in ``stage``.
        horizons : sequence of float
            Horizons of the closing probabilities.
        quantiles : sequence of float
            Levels (in (0, 1)) of the remaining time to close.

        Returns
        -------
        CloseOutlook
            ``win``, ``quantiles`` and ``cdf`` (Series) from one set of draws.
        """
        i = self._stage(stage)
        times, out = self._core.simulate_close(i, float(age), self.draws, self.seed, self.threads)
        states = self.funnel_.states
        names = list(self.funnel_.outcomes)
        win = pd.Series([float(np.mean(out == states.index(o))) for o in names] + [float(np.mean(out < 0))],
                        index=pd.Index(names + ["unresolved"], name="outcome"), name="probability")
        srt = np.sort(times)
        qs = np.asarray(quantiles, dtype=np.float64)
        k = np.minimum(np.ceil(qs * len(srt)).astype(np.int64) - 1, len(srt) - 1)
        qv = srt[np.maximum(k, 0)]
        h = np.asarray(horizons, dtype=np.float64)
        cdf = np.searchsorted(srt, h, side="right") / len(srt)
        return CloseOutlook(stage=stage, age=float(age), win=win,
                            quantiles=pd.Series(qv, index=pd.Index(qs, name="quantile"), name="time"),
                            cdf=pd.Series(cdf, index=pd.Index(h, name="horizon"), name="p_closed"),
                            draws=self.draws)

    def holding_quantile(self, stage: str, q: float = 0.9) -> float:
        """The q-quantile of the time spent in ``stage`` (inf when the empirical curve
        never reaches it).

        Parameters
        ----------
        stage : str
            A transient stage.
        q : float
            The level, in (0, 1).

        Returns
        -------
        float
            The smallest t with P(left the stage by t) >= q, in the model's time unit.
        """
        return float(self._core.holding_quantile(self._stage(stage), float(q)))

    def stale(self, stage: Any, age: Any, q: float = 0.9) -> pd.Series:
        """Flag stale deals: True where a deal's age in its stage is beyond the
        q-quantile of that stage's holding time (for the empirical model, where the
        Kaplan-Meier curve never reaches q, beyond the longest time in which a lead was
        seen to leave the stage: the data has no deal that closed after waiting longer).

        Parameters
        ----------
        stage, age : array-like or Series
            Each deal's current stage and the time it has spent there (in the model's
            time unit).
        q : float
            The quantile (0 < q < 1).

        Returns
        -------
        Series
            ``stale`` (bool), one per deal, with the index of ``stage``.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0.0, 5, 0, 9], "stage": ["a", "won", "a", "lost"]})
        >>> m = fn.SemiMarkovFunnel(draws=1000).fit(log, lead="lead", stage="stage", time="t", absorbing=["won", "lost"])
        >>> m.stale(["a", "a"], [3.0, 12.0], q=0.9).tolist()
        [False, True]
        """
        s = pd.Series(stage, copy=False)
        a = pd.Series(np.asarray(age, dtype=np.float64), index=s.index)
        # The rule lives in C++ (SemiMarkovFunnel::stale_age, also the C ABI's): the
        # q-quantile, or the last exit seen where the curve never reaches q.
        limits = {name: float(self._core.stale_age(self._stage(name), float(q))) for name in pd.unique(s.astype(str))}
        lim = s.astype(str).map(limits).to_numpy(dtype=np.float64)
        return pd.Series(a.to_numpy() > lim, index=s.index, name="stale")

    def goodness_of_fit(self, horizons: Sequence[float] = (30.0, 60.0, 90.0), start: str | None = None) -> GoodnessOfFit:
        """P(closed by each horizon) from entering ``start`` (default: the stage most
        leads start in): Aalen-Johansen from the leads' own times (open leads
        censored) against the Markov and the semi-Markov model.

        Parameters
        ----------
        horizons : sequence of float
            Horizons, in the model's time unit.
        start : str, optional
            The entry stage (default: the stage most leads start in).

        Returns
        -------
        GoodnessOfFit
            The table (one row per horizon: ``aalen_johansen``, ``markov``,
            ``semi_markov``) and the largest error of each model.

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0.0, 5, 0, 9], "stage": ["a", "won", "a", "lost"]})
        >>> m = fn.SemiMarkovFunnel(draws=1000).fit(log, lead="lead", stage="stage", time="t", absorbing=["won", "lost"])
        >>> m.goodness_of_fit([5, 9]).table.round(2)
                 aalen_johansen  markov  semi_markov
        horizon                                     
        5.0                 0.5    0.51         0.51
        9.0                 1.0    0.72         1.00
        """
        entry, dur, out = self._leads
        states = self.funnel_.states
        if start is None:
            counts = np.bincount(entry, minlength=len(states))
            start = states[int(np.argmax(counts))]
        i = self._stage(start)
        sel = entry == i
        h = np.asarray(horizons, dtype=np.float64)
        cause = np.where(out[sel] >= 0, 0, -1).astype(np.int32)
        t, _, _, inc = _core.funnel.aalen_johansen(np.ascontiguousarray(dur[sel]), cause, 1)
        inc = np.asarray(inc)[:, 0]
        k = np.searchsorted(t, h, side="right") - 1
        aj = np.where(k >= 0, inc[np.maximum(k, 0)], 0.0)
        markov = np.asarray([float(self.markov_.close_time_cdf(float(x)).loc[start]) for x in h])  # type: ignore[arg-type]
        semi = self.close_time_cdf(h, start).to_numpy()
        table = pd.DataFrame({"aalen_johansen": aj, "markov": markov, "semi_markov": semi},
                             index=pd.Index(h, name="horizon"))
        return GoodnessOfFit(start=start, table=table, max_error_markov=float(np.max(np.abs(markov - aj))),
                             max_error_semi_markov=float(np.max(np.abs(semi - aj))), leads=int(sel.sum()))

    # ---------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_core", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "_sojourns" in state:
            stage, duration, nxt = state["_sojourns"]
            self._core = _core.funnel.SemiMarkovFunnel.fit(self.funnel_._space, stage, duration, nxt,
                                                          FAMILIES[self.family], self.tol, self.max_iter)

    def __repr__(self) -> str:
        fitted = f", fitted on {len(self.funnel_.states)} states" if hasattr(self, "funnel_") else ""
        return f"SemiMarkovFunnel(family={self.family!r}, draws={self.draws}, seed={self.seed}{fitted})"
