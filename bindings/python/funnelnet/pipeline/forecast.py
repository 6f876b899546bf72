"""Per-opportunity forecasts of an open pipeline from a fitted funnel, and the exact
distribution of the wins they bring per period.

A forecast takes an open-pipeline snapshot (one row per opportunity: its id, current
stage, the time it entered that stage and its amount) and a fitted chain:

- :class:`~funnelnet.MarkovChain` (discrete): one step is one period; memoryless, so the
  time already spent in the stage does not matter;
- :class:`~funnelnet.ContinuousChain`: P(won by t) = exp(Q t)[stage, won] at each period
  end, measured from the snapshot in the chain's time unit (memoryless too);
- :class:`~funnelnet.SemiMarkovFunnel`: the holding time is not memoryless, so each
  deal is conditioned on its age in the stage (rounded to whole time units), by the
  model's seeded Monte Carlo (``draws`` per distinct stage and age).

Per opportunity: P(won eventually), P(won by the end of each period), the expected close
period given a win within the horizon, the expected value and a forecast category.  Per
period: the exact won-count and won-revenue distributions (wins in that period, and
cumulative), as :class:`WonDistribution` objects.

>>> import numpy as np, pandas as pd, funnelnet as fn
>>> chain = fn.MarkovChain(np.array([[0.5, 0.3, 0.2], [0, 1, 0], [0, 0, 1]]),
...                        states=["deal", "won", "lost"], absorbing=["won", "lost"])
>>> deals = pd.DataFrame({"opportunity": ["a", "b"], "stage": ["deal", "deal"],
...                       "entered": [0.0, 0.0], "amount": [100.0, 300.0]})
>>> f = fn.pipeline.forecast(deals, chain, horizon=2, period=1.0, snapshot=0.0)
>>> f.opportunities["p_won"].round(2).tolist()
[0.6, 0.6]
>>> f.periods[["expected_count", "expected_revenue"]].round(2)
        expected_count  expected_revenue
period                                  
1                  0.6             120.0
2                  0.3              60.0
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import require_columns
from .._common.options import default as _default
from .._common.results import Result, result
from .._common.time import PERIODS, is_calendar, period_index, period_start, readable, timestamp_ns, times_as_numbers
from ..errors import InvalidArgumentError, UnknownLabelError
from .distribution import WonDistribution, won_distribution

__all__ = ["PipelineForecast", "Inflow", "forecast", "fit_inflow", "DEFAULT_CATEGORIES"]

#: Forecast categories: the smallest P(won within the horizon) of each, best first;
#: below the last one a deal is "omitted".
DEFAULT_CATEGORIES: dict[str, float] = {"commit": 0.8, "best_case": 0.5, "pipeline": 0.1}

_UNIT_NS = {"s": 10**9, "min": 60 * 10**9, "h": 3600 * 10**9, "D": 86400 * 10**9, "W": 7 * 86400 * 10**9}


def _unit_ns(unit: str) -> float:
    """Nanoseconds in one of the chain's time units (days when it has none)."""
    ns = _UNIT_NS.get(unit or "D")
    if ns is None:
        raise InvalidArgumentError(f"the chain's time unit {unit!r} is not one of {list(_UNIT_NS)}")
    return float(ns)


@result
class Inflow(Result):
    """New deals per period as Poisson arrivals.

    Attributes
    ----------
    rate : float
        Mean new deals per period over the history.
    seasonal : Series
        The factor on the rate per month of year 1..12 (all ones when not seasonal).
    period : str
        The period of the rate ("day", "week" or "month").
    periods : int
        How many periods of history the rate was fitted on.
    """

    rate: float
    seasonal: pd.Series
    period: str
    periods: int

    def _expected(self, starts: Any) -> np.ndarray:
        """Expected arrivals in the periods starting at ``starts`` (ns since the epoch)."""
        month = pd.DatetimeIndex(np.asarray(starts, dtype="datetime64[ns]")).month
        return self.rate * self.seasonal.reindex(month).fillna(1.0).to_numpy()

    def _table(self) -> pd.DataFrame:
        return self.seasonal.to_frame("factor")


def fit_inflow(created: Any, *, period: str = "month", start: Any = None, end: Any = None,
               seasonal: bool = False) -> Inflow:
    """Fit the new-deal arrival rate per period from the creation times of past deals.

    Parameters
    ----------
    created : array-like of datetimes
        When each past deal was created.
    period : {"day", "week", "month"}
        The period of the rate.
    start, end : timestamp, optional
        The observation window (default: the first and last creation time); only whole
        periods inside it count.
    seasonal : bool
        With ``period="month"``: a factor per month of year (its mean count over the
        overall mean), else all ones.

    Returns
    -------
    Inflow

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> t = pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-05", "2024-03-09", "2024-03-10", "2024-03-30"])
    >>> fn.pipeline.fit_inflow(t).rate
    2.0
    """
    ns = times_as_numbers(pd.Series(created), "created")
    if not is_calendar(pd.Series(created)):
        raise InvalidArgumentError("created must hold datetimes")
    if ns.size == 0:
        raise InvalidArgumentError("created is empty: no history to fit an inflow rate from")
    if seasonal and period != "month":
        raise InvalidArgumentError("seasonal=True needs period='month'")
    lo = int(period_index(np.int64(timestamp_ns(start, "start") if start is not None else ns.min()), period))
    hi = int(period_index(np.int64(timestamp_ns(end, "end") if end is not None else ns.max()), period))
    idx = period_index(ns, period)
    idx = idx[(idx >= lo) & (idx <= hi)]
    counts = np.bincount(idx - lo, minlength=hi - lo + 1).astype(np.float64)
    rate = float(counts.mean())
    factor = pd.Series(1.0, index=pd.Index(range(1, 13), name="month"), name="factor")
    if seasonal and rate > 0:
        months = pd.DatetimeIndex(np.asarray(period_start(np.arange(lo, hi + 1), period), dtype="datetime64[ns]")).month
        by = pd.Series(counts).groupby(np.asarray(months)).mean() / rate
        factor.loc[by.index] = by.to_numpy()
    return Inflow(rate=rate, seasonal=factor, period=period, periods=int(hi - lo + 1))


@result
class PipelineForecast(Result):
    """The forecast of an open pipeline.

    Attributes
    ----------
    opportunities : DataFrame
        One row per opportunity (indexed by its id): ``stage``, ``amount``, ``age``,
        ``p_won`` (eventually), ``p_won_horizon``, ``expected_close_period`` (given a win
        within the horizon), ``expected_value`` (amount x p_won_horizon),
        ``weighted_pipeline`` (amount x p_won), ``category``.
    won_by_period : DataFrame
        P(won by the end of each period), opportunities x periods.
    periods : DataFrame
        One row per period: expected won count and revenue, their P10/P50/P90, the same
        cumulative, and with an inflow ``expected_new`` arrivals and
        ``expected_new_wins`` (wins of deals not yet created, reported apart).
    categories : DataFrame
        The CRM roll-up: deals, amount and expected value per category.
    count, revenue, cumulative_count, cumulative_revenue : list of WonDistribution
        Per period.
    horizon : int
    snapshot : str
    """

    opportunities: pd.DataFrame
    won_by_period: pd.DataFrame
    periods: pd.DataFrame
    categories: pd.DataFrame
    count: list[WonDistribution]
    revenue: list[WonDistribution]
    cumulative_count: list[WonDistribution]
    cumulative_revenue: list[WonDistribution]
    horizon: int
    snapshot: str

    def _table(self) -> pd.DataFrame:
        return self.periods.copy()

    def _per_period(self) -> np.ndarray:
        cum = self.won_by_period.to_numpy()
        return np.diff(np.concatenate([np.zeros((cum.shape[0], 1)), cum], axis=1), axis=1).clip(min=0.0)

    def simulate(self, runs: int = _default("PipelineSimOptions", "runs"),
                 shock_sd: float = _default("PipelineSimOptions", "shock_sd"),
                 slip: float = _default("PipelineSimOptions", "slip"), *, seed: int = 0, threads: int = 0,
                 progress: bool = False) -> pd.DataFrame:
        """Seeded Monte Carlo of the same deals with what the exact method cannot
        express: a common shock and slips of close dates.

        Parameters
        ----------
        runs : int
            Number of simulated futures.
        shock_sd : float
            Standard deviation of the common shock: in each run every deal's log-odds of
            winning within the horizon moves by the same z ~ N(0, shock_sd^2).
        slip : float
            Probability that a won deal's close moves one period later.
        seed : int
            Seed of the runs.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.
        progress : bool
            Show a progress bar (tqdm).

        Returns
        -------
        DataFrame
            One row per period: mean and P10/P50/P90 of the won count and revenue in the
            period and cumulative.  The same seed gives the same table at any thread
            count.
        """
        from .._common.options import progress_callback

        p = np.ascontiguousarray(self._per_period())
        a = np.ascontiguousarray(self.opportunities["amount"].to_numpy(dtype=np.float64))
        cb, bar = progress_callback(progress, "pipeline Monte Carlo")
        try:
            cnt, rev = _core.pipeline.simulate(p, a, int(runs), float(shock_sd), float(slip), int(seed), int(threads), cb)
        finally:
            if bar is not None:
                bar.close()
        cnt, rev = np.asarray(cnt), np.asarray(rev)
        rows = {}
        for name, x in (("count", cnt), ("revenue", rev), ("cumulative_count", np.cumsum(cnt, axis=1)),
                        ("cumulative_revenue", np.cumsum(rev, axis=1))):
            rows[f"{name}_mean"] = x.mean(axis=0)
            for q in (10, 50, 90):
                rows[f"{name}_p{q}"] = np.quantile(x, q / 100, axis=0, method="inverted_cdf")
        return pd.DataFrame(rows, index=self.periods.index)

    def plot(self, ax: Any = None, what: str = "revenue", cumulative: bool = True) -> Any:
        """Fan chart: the P10-P90 band, the P50 and the mean per period; the same
        drawing as :func:`funnelnet.plot.forecast_fan`.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        what : {"revenue", "count"}
            Which distribution to chart.
        cumulative : bool
            Totals from the snapshot to each period's end, or each period alone.

        Returns
        -------
        matplotlib Axes
        """
        from ..plot import forecast_fan

        return forecast_fan(self, what, ax=ax, cumulative=cumulative)


def _chain_kind(chain: Any) -> str:
    from ..funnel.chain import MarkovChain
    from ..funnel.continuous import ContinuousChain
    from ..funnel.semi_markov import SemiMarkovFunnel

    if isinstance(chain, MarkovChain):
        return "discrete"
    if isinstance(chain, ContinuousChain):
        return "continuous"
    if isinstance(chain, SemiMarkovFunnel):
        if not hasattr(chain, "_core"):
            raise InvalidArgumentError("SemiMarkovFunnel is not fitted: call fit(...) first")
        return "semi_markov"
    raise InvalidArgumentError(f"chain must be a MarkovChain, ContinuousChain or SemiMarkovFunnel, got {type(chain).__name__}")


def _states(chain: Any, kind: str) -> tuple[list[str], list[str]]:
    if kind == "semi_markov":
        return list(chain.funnel_.states), list(chain.funnel_.outcomes)
    if kind == "discrete":
        return list(chain.states), list(chain.absorbing_states)
    states = list(chain.states)
    transient = set(chain.transient_states)
    return states, [s for s in states if s not in transient]


def _won_by(chain: Any, kind: str, codes: np.ndarray, ages: np.ndarray, ends: np.ndarray, won_i: int,
            draws: int, seed: int, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """(P(won by each end) as deals x periods, P(won eventually))."""
    n, h = len(codes), len(ends)
    if kind == "discrete":
        P = chain.to_numpy()
        out = np.empty((n, h))
        Pk = np.eye(P.shape[0])
        for k in range(h):  # one step per period
            Pk = Pk @ P
            out[:, k] = Pk[codes, won_i]
        ab = chain.absorption_probabilities()
        return out, ab[chain.states[won_i]].reindex([chain.states[c] for c in codes]).to_numpy()
    if kind == "continuous":
        out = np.empty((n, h))
        for k, t in enumerate(ends):
            out[:, k] = np.asarray(chain._core.transition_matrix(float(t)))[codes, won_i]
        ab = chain.absorption_probabilities()
        return out, ab[chain.states[won_i]].reindex([chain.states[c] for c in codes]).to_numpy()
    # semi-Markov: condition on the age, one Monte Carlo per distinct (stage, whole-unit age)
    age_r = np.floor(ages)
    uniq, inv = np.unique(np.stack([codes, age_r], axis=1), axis=0, return_inverse=True)
    inv = np.asarray(inv).reshape(-1)
    by = np.empty((len(uniq), h))
    ever = np.empty(len(uniq))
    for j, (c, a) in enumerate(uniq):
        times, outc = chain._core.simulate_close(int(c), float(a), int(draws), int(seed), int(threads))
        times, outc = np.asarray(times), np.asarray(outc)
        win = outc == won_i
        ever[j] = win.mean()
        by[j] = (win[None, :] & (times[None, :] <= ends[:, None])).mean(axis=1)
    return by[inv], ever[inv]


def _new_won_by(chain: Any, kind: str, entry_i: int, won_i: int, starts: np.ndarray, ends: np.ndarray,
                draws: int, seed: int, threads: int) -> np.ndarray:
    """G[j, k]: P(a deal arriving in period j, uniformly between starts[j] and ends[j], is
    won by ends[k]), periods x periods (zero for k < j); times from the snapshot in the
    chain's unit.  A discrete chain's new deal takes its first step at the end of the
    period it arrives in."""
    h = len(ends)
    g = np.zeros((h, h))
    if kind == "discrete":
        P = chain.to_numpy()
        col = np.zeros(P.shape[0])
        col[won_i] = 1.0
        f = np.empty(h)
        for m in range(h):  # f[m] = (P^(m+1))[entry, won]
            col = P @ col
            f[m] = col[entry_i]
        for j in range(h):
            g[j, j:] = f[: h - j]
        return g
    # arrival times by 8-point Gauss-Legendre quadrature over each period
    x, w = np.polynomial.legendre.leggauss(8)
    if kind == "semi_markov":
        times, outc = chain._core.simulate_close(int(entry_i), 0.0, int(draws), int(seed), int(threads))
        wt = np.sort(np.asarray(times)[np.asarray(outc) == won_i])
        n_draws = len(np.asarray(outc))

        def cdf(t: np.ndarray) -> np.ndarray:
            return np.searchsorted(wt, t, side="right") / n_draws
    else:
        def cdf(t: np.ndarray) -> np.ndarray:
            return np.array([np.asarray(chain._core.transition_matrix(float(v)))[entry_i, won_i] if v > 0 else 0.0
                             for v in t.ravel()]).reshape(t.shape)
    for j in range(h):
        a, b = starts[j], ends[j]
        tau = 0.5 * (b - a) * x + 0.5 * (a + b)
        for k in range(j, h):
            g[j, k] = 0.5 * float(np.dot(w, cdf(np.maximum(ends[k] - tau, 0.0))))
    return g


def _poisson_quantile(lam: np.ndarray, q: float) -> np.ndarray:
    """The smallest k with P(Poisson(lam) <= k) >= q, for each lam."""
    lam = np.asarray(lam, dtype=np.float64)
    kmax = int(np.max(lam + 12 * np.sqrt(lam) + 12)) if lam.size else 0
    k = np.arange(kmax + 1, dtype=np.float64)
    from math import lgamma

    logfact = np.array([lgamma(x + 1) for x in k])
    with np.errstate(divide="ignore", invalid="ignore"):
        logpmf = k[None, :] * np.log(lam[:, None]) - lam[:, None] - logfact[None, :]
    logpmf[lam == 0] = np.where(k == 0, 0.0, -np.inf)  # Poisson(0) is 0 surely
    cdf = np.cumsum(np.exp(logpmf), axis=1)
    out: np.ndarray = (cdf < q - 1e-12).sum(axis=1).astype(np.float64)
    return out


def forecast(open_df: pd.DataFrame, chain: Any, *, horizon: int = 3, period: str | float = "month",
             snapshot: Any = None, opportunity: str = "opportunity", stage: str = "stage", entered: str = "entered",
             amount: str = "amount", won: str = "won", categories: Mapping[str, float] | None = None,
             grid: float | None = None, inflow: Inflow | None = None, entry: str | None = None, draws: int = 20000,
             seed: int = 0, threads: int = 0) -> PipelineForecast:
    """Forecast an open pipeline: per-opportunity win probabilities by period and the
    exact distribution of the won count and revenue per period.

    Parameters
    ----------
    open_df : DataFrame
        The open pipeline at ``snapshot``, one row per opportunity.
    chain : MarkovChain, ContinuousChain or SemiMarkovFunnel
        The fitted funnel (see the module docstring for what each one conditions on).
    horizon : int
        Number of periods ahead (>= 1).
    period : {"day", "week", "month"} or float
        Calendar periods (the first is the one holding the snapshot; its end is the
        first period boundary after the snapshot), or a period length in the chain's
        time unit for numeric times.  A discrete chain takes one step per period.
    snapshot : timestamp or float, optional
        When the pipeline was read (default: the latest ``entered``).
    opportunity, stage, entered, amount : str
        Column names: the id, the current stage, when the deal entered it, its amount.
    won : str
        The outcome that counts as a win.
    categories : mapping of str to float, optional
        Forecast categories: the smallest P(won within the horizon) of each, best first
        (default :data:`DEFAULT_CATEGORIES`); lower deals are "omitted".
    grid : float, optional
        Revenue grid (see :func:`won_distribution`).
    inflow : Inflow, optional
        New-deal arrivals (from :func:`fit_inflow`), reported apart in ``periods``:
        ``expected_new`` arrivals and ``expected_new_wins``, the wins they bring within
        the horizon (Poisson, with ``new_wins_p10`` / ``new_wins_p90`` and the
        cumulative ``expected_cumulative_new_wins``), apart from the wins of existing
        deals.  New deals arrive evenly over each period (in the first, only after the
        snapshot), enter the chain at ``entry`` and take the chain's path from there.
    entry : str, optional
        The stage new deals enter (default: the chain's first open stage).
    draws : int
        Monte Carlo draws per distinct (stage, age) for a SemiMarkovFunnel.
    seed, threads : int
        Seed of those draws; threads never change a result.

    Returns
    -------
    PipelineForecast

    Raises
    ------
    InvalidArgumentError
        Naming the row: an opportunity in an outcome stage, an amount negative or NaN,
        an entry after the snapshot; a horizon below 1.
    UnknownLabelError
        Naming the row: a stage the chain does not know.
    """
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise InvalidArgumentError(f"horizon must be an integer >= 1, got {horizon!r}")
    horizon = int(horizon)
    require_columns(open_df, {"opportunity": opportunity, "stage": stage, "entered": entered, "amount": amount})
    kind = _chain_kind(chain)
    states, outcomes = _states(chain, kind)
    if won not in outcomes:
        raise UnknownLabelError(f"won={won!r} is not an outcome of the chain (outcomes: {', '.join(outcomes)})")
    won_i = states.index(won)
    # --- validate every row before computing anything
    st = open_df[stage].astype(str).to_numpy()
    pos = {s: i for i, s in enumerate(states)}
    codes = np.array([pos.get(s, -1) for s in pd.unique(st)], dtype=np.int64)
    uniq = pd.unique(st)
    lookup = dict(zip(uniq, codes))
    code = np.asarray(pd.Series(st).map(lookup), dtype=np.int64)
    ids = open_df[opportunity].to_numpy()
    bad = np.flatnonzero(code < 0)
    if bad.size:
        r = int(bad[0])
        raise UnknownLabelError(f"row {r} (opportunity {ids[r]!r}): unknown stage {st[r]!r} "
                                f"(known: {', '.join(states)})")
    absorbing = np.isin(code, [pos[o] for o in outcomes])
    if absorbing.any():
        r = int(np.flatnonzero(absorbing)[0])
        raise InvalidArgumentError(f"row {r} (opportunity {ids[r]!r}): stage {st[r]!r} is an outcome, "
                                   "not an open opportunity")
    amt = np.asarray(open_df[amount], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(amt) | (amt < 0))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (opportunity {ids[r]!r}): amount must be finite and >= 0, got {amt[r]!r}")
    calendar = is_calendar(open_df[entered])
    t_in = times_as_numbers(open_df[entered], entered).astype(np.float64)
    if snapshot is None:
        snap = float(t_in.max()) if len(t_in) else 0.0
    else:
        snap = float(timestamp_ns(snapshot, "snapshot")) if calendar else float(snapshot)
    late = np.flatnonzero(t_in > snap)
    if late.size:
        r = int(late[0])
        when = readable(int(t_in[r])) if calendar else t_in[r]
        raise InvalidArgumentError(f"row {r} (opportunity {ids[r]!r}): entered {entered!r} at {when}, "
                                   f"after the snapshot")
    # --- period ends, in the chain's time unit, from the snapshot
    if kind == "semi_markov":
        unit = chain.time_unit_ or ""
    elif kind == "continuous":
        unit = chain.time_unit or ""
    else:
        unit = ""
    if isinstance(period, str):
        if period not in PERIODS:
            raise InvalidArgumentError(f"period must be one of {list(PERIODS)} or a number, got {period!r}")
        if not calendar:
            raise InvalidArgumentError(f"period={period!r} needs datetime {entered!r} times; give a number for numeric times")
        first = int(period_index(np.int64(int(snap)), period))
        starts = np.asarray(period_start(np.arange(first, first + horizon + 1), period), dtype=np.int64)
        scale = _unit_ns(unit)
        ends = (starts[1:] - snap) / scale
        ages = (snap - t_in) / scale
        labels = pd.Index([str(pd.Timestamp(int(s)).to_period({"month": "M", "week": "W", "day": "D", "hour": "h"}[period]))
                           for s in starts[:-1]], name="period")
        period_starts = starts[:-1]
    else:
        length = float(period)
        if not length > 0:
            raise InvalidArgumentError(f"period must be > 0, got {period!r}")
        ends = length * np.arange(1, horizon + 1, dtype=np.float64)
        ages = snap - t_in
        if calendar:
            scale = _unit_ns(unit)
            ages = ages / scale
        labels = pd.Index(np.arange(1, horizon + 1), name="period")  # type: ignore[assignment]
        period_starts = None
    cum, ever = _won_by(chain, kind, code, ages, ends, won_i, draws, seed, threads)
    cum = np.maximum.accumulate(np.clip(cum, 0.0, 1.0), axis=1)
    per = np.diff(np.concatenate([np.zeros((len(code), 1)), cum], axis=1), axis=1).clip(min=0.0)
    p_h = cum[:, -1]
    k = np.arange(1, horizon + 1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        close = np.where(p_h > 0, (per * k).sum(axis=1) / p_h, np.nan)
    cats = dict(DEFAULT_CATEGORIES if categories is None else categories)
    cat = np.full(len(code), "omitted", dtype=object)
    for name, cut in sorted(cats.items(), key=lambda kv: kv[1]):
        cat[p_h >= cut] = name
    opp = pd.DataFrame({"stage": st, "amount": amt, "age": ages, "p_won": ever, "p_won_horizon": p_h,
                        "expected_close_period": close, "expected_value": amt * p_h,
                        "weighted_pipeline": amt * ever,
                        "category": pd.Categorical(cat, categories=list(cats) + ["omitted"])},
                       index=pd.Index(ids, name=opportunity))
    won_by = pd.DataFrame(cum, index=opp.index, columns=labels)
    res = grid
    if res is None and len(amt):
        from .distribution import choose_grid

        res = choose_grid(np.ascontiguousarray(amt), cum[:, -1])
    count_d, rev_d, ccount_d, crev_d = [], [], [], []
    for j in range(horizon):
        count_d.append(won_distribution(per[:, j], threads=threads))
        ccount_d.append(won_distribution(cum[:, j], threads=threads))
        rev_d.append(won_distribution(per[:, j], amt, grid=res, threads=threads))
        crev_d.append(won_distribution(cum[:, j], amt, grid=res, threads=threads))
    rows: dict[str, list[float]] = {}
    for name, ds in (("count", count_d), ("revenue", rev_d), ("cumulative_count", ccount_d),
                     ("cumulative_revenue", crev_d)):
        rows[f"expected_{name}"] = [d.mean for d in ds]
        qs = np.array([d.quantiles([0.1, 0.5, 0.9]).to_numpy() for d in ds])
        for i, q in enumerate((10, 50, 90)):
            rows[f"{name}_p{q}"] = list(qs[:, i])
    periods = pd.DataFrame(rows, index=labels)
    if inflow is not None:
        if period_starts is None:
            expected_new = np.full(horizon, inflow.rate)
        else:
            expected_new = inflow._expected(period_starts)
        periods["expected_new"] = expected_new
        periods["new_p10"] = _poisson_quantile(expected_new, 0.1)
        periods["new_p90"] = _poisson_quantile(expected_new, 0.9)
        open_states = [s for s in states if s not in outcomes]
        entry_s = open_states[0] if entry is None else entry
        if entry_s not in open_states:
            raise UnknownLabelError(f"entry={entry_s!r} is not an open stage of the chain "
                                    f"(open stages: {', '.join(open_states)})")
        begins = np.concatenate([[0.0], ends[:-1]])
        if period_starts is not None:  # the first calendar period: arrivals after the snapshot only
            full = ends[0] + (snap - period_starts[0]) / scale
            rates = expected_new * np.r_[ends[0] / max(full, 1e-300), np.ones(horizon - 1)]
        else:
            rates = expected_new
        g = _new_won_by(chain, kind, states.index(entry_s), won_i, begins, ends, draws, seed, threads)
        new_cum = rates @ g
        new_per = np.diff(np.r_[0.0, new_cum]).clip(min=0.0)
        periods["expected_new_wins"] = new_per
        periods["new_wins_p10"] = _poisson_quantile(new_per, 0.1)
        periods["new_wins_p90"] = _poisson_quantile(new_per, 0.9)
        periods["expected_cumulative_new_wins"] = new_cum
    roll = opp.groupby("category", observed=False).agg(deals=("amount", "size"), amount=("amount", "sum"),
                                                       expected_value=("expected_value", "sum"))
    return PipelineForecast(opportunities=opp, won_by_period=won_by, periods=periods, categories=roll,
                            count=count_d, revenue=rev_d, cumulative_count=ccount_d, cumulative_revenue=crev_d,
                            horizon=horizon, snapshot=readable(int(snap)) if calendar else str(snap))
