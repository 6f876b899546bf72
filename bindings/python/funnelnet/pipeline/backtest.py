"""Backtests of pipeline forecasts and the win/loss report.

:func:`backtest` replays history: from each snapshot it fits the funnel on what was known
then (open deals censored at the snapshot), forecasts the next periods' won count and
value of the deals open at the snapshot, and compares them with what those deals
actually won: coverage of the P10-P90 band, MAPE, WAPE, bias and the slip rate (deals
forecast to close within the horizon, P(won within the horizon) >= 0.5, that did not).
It works on opportunity tables with one open stage (entered, closed, outcome), as CRM
exports such as the Maven "sales_pipeline" data give them.

:func:`win_loss` is the manager's one-row-per-opportunity report: progress %, status W
(won), L (lost), C (continuing) or D (delayed: longer in its stage than a quantile of the
fitted time in stage), with the loss reasons as a Pareto table.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._common.convert import require_columns
from .._common.results import Result, result
from .._common.time import times_as_ns, timestamp_ns
from ..errors import InvalidArgumentError
from ._shared import fit_history, forecast_errors
from .forecast import PipelineForecast, forecast

__all__ = ["Backtest", "WinLoss", "backtest", "backtest_stages", "win_loss"]


@result
class Backtest(Result):
    """Accuracy of past forecasts.

    Attributes
    ----------
    table : DataFrame
        One row per (snapshot, step): the forecast's expected won count and revenue, its
        P10/P90, what was actually won by the deals open at the snapshot, and whether
        the actual fell inside the band.
    coverage_count, coverage_revenue : float
        Share of rows whose actual (won in that period) is inside [P10, P90] (nominal
        0.8).
    coverage_cumulative_count, coverage_cumulative_revenue : float
        The same for the totals from the snapshot to the end of each period.
    wape_cumulative_count : float
        WAPE of the expected count won over the whole horizon.
    mape_count, wape_count, bias_count : float
        Mean absolute percentage error (rows with a non-zero actual), weighted absolute
        percentage error (sum |error| / sum actual) and bias (sum (forecast - actual) /
        sum actual) of the expected count; the same for revenue.
    mape_revenue, wape_revenue, bias_revenue : float
    slip_rate : float
        Of the deals forecast to close within the horizon (P >= 0.5), the share that did
        not win within it.
    snapshots : int
    """

    table: pd.DataFrame
    coverage_count: float
    coverage_revenue: float
    coverage_cumulative_count: float
    coverage_cumulative_revenue: float
    wape_cumulative_count: float
    mape_count: float
    wape_count: float
    bias_count: float
    mape_revenue: float
    wape_revenue: float
    bias_revenue: float
    slip_rate: float
    snapshots: int

    def _table(self) -> pd.DataFrame:
        return self.table.copy()


def backtest(df: pd.DataFrame, *, snapshots: Sequence[Any], opportunity: str = "opportunity",
             entered: str = "entered", closed: str = "closed", outcome: str = "outcome", amount: str = "amount",
             value: str | None = None, won: Any = "won", lost: Any = "lost", horizon: int = 3, period: str = "month",
             model: str = "semi_markov", family: str = "empirical", grid: float | None = None, draws: int = 20000,
             shock_sd: float = 0.0, slip: float = 0.0, runs: int = 4000, seed: int = 0,
             threads: int = 0) -> Backtest:
    """Backtest pipeline forecasts from each snapshot.

    Parameters
    ----------
    df : DataFrame
        One row per opportunity: when it entered the pipeline (``entered``; NaT = never
        did, ignored), when it closed (``closed``, NaT while open), its ``outcome``
        (``won`` / ``lost``, anything else = still open), the ``amount`` the forecast
        uses and, optionally, the ``value`` actually won (default: the amount).
    snapshots : sequence of timestamps
        When to forecast from.
    opportunity, entered, closed, outcome, amount : str
        Column names of ``df``: the opportunity id, the entry and close datetimes, the
        outcome label and the amount the forecast weights each deal by.
    value : str, optional
        Column of the value actually won, what a win counts as actual revenue
        (default None: the ``amount``).
    won, lost : scalar, default "won", "lost"
        The ``outcome`` values of a won and of a lost deal; a deal closed with any other
        outcome counts as neither, and is not open at snapshots after its close.
    horizon, period : int, str
        Periods ahead (calendar periods; the first holds the snapshot).
    model : {"semi_markov", "continuous"}
        The funnel refitted at each snapshot: a SemiMarkovFunnel of ``family`` (deals
        conditioned on their age) or a ContinuousChain.
    family : {"empirical", "weibull", "gamma", "exponential"}, default "empirical"
        Holding-time family of the SemiMarkovFunnel (see :class:`SemiMarkovFunnel`);
        ignored when ``model="continuous"``.
    grid, draws, seed, threads
        As in :func:`forecast`.
    shock_sd, slip, runs : float, float, int
        With a common shock or slips (see :meth:`PipelineForecast.simulate`) the P10-P90
        bands come from ``runs`` seeded Monte Carlo futures instead of the exact
        independent-deal distribution (the expected values stay exact).

    Returns
    -------
    Backtest
    """
    require_columns(df, {"opportunity": opportunity, "entered": entered, "closed": closed, "outcome": outcome,
                         "amount": amount})
    if len(snapshots) == 0:
        raise InvalidArgumentError("snapshots is empty")
    ent = pd.to_datetime(df[entered])
    keep = ent.notna().to_numpy()
    d = df.loc[keep]
    ids = d[opportunity].to_numpy()
    t_in = times_as_ns(pd.to_datetime(d[entered]), entered)
    cl = pd.to_datetime(d[closed])
    has_close = cl.notna().to_numpy()
    t_out = np.where(has_close, cl.fillna(pd.Timestamp(0)).to_numpy(dtype="datetime64[ns]").astype(np.int64), np.iinfo(np.int64).max)
    out = d[outcome].to_numpy()
    is_won = (out == won) & has_close
    is_lost = (out == lost) & has_close
    bad = np.flatnonzero(has_close & (t_out < t_in))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (opportunity {ids[r]!r}): {closed!r} is before {entered!r}")
    amt = d[amount].to_numpy(dtype=np.float64)
    val = d[value].to_numpy(dtype=np.float64) if value is not None else amt
    rows = []
    slips = forecast_close = 0
    for snap in snapshots:
        cut = timestamp_ns(snap, "snapshot")
        seen = t_in <= cut
        done = seen & (t_out <= cut) & (is_won | is_lost)
        lead = np.concatenate([np.flatnonzero(seen), np.flatnonzero(done)])
        stage = np.concatenate([np.full(seen.sum(), "open", dtype=object),
                                np.where(is_won[done], "won", "lost").astype(object)])
        time = np.concatenate([t_in[seen], t_out[done]])
        hist = pd.DataFrame({"lead": lead, "stage": stage, "time": pd.to_datetime(time)})
        chain = fit_history(hist, cut, model, family, draws, seed, threads)
        open_ = seen & ~done & ~((t_out <= cut) & has_close)
        opn = pd.DataFrame({"opportunity": ids[open_], "stage": "open", "entered": pd.to_datetime(t_in[open_]),
                            "amount": amt[open_]})
        f = forecast(opn, chain, horizon=horizon, period=period, snapshot=pd.Timestamp(cut), grid=grid, draws=draws,
                     seed=seed, threads=threads)
        band = _band(f, shock_sd, slip, runs, seed, threads)
        w_open = is_won[open_]
        to = t_out[open_]
        rows.extend(_score(f, band, cut, period, horizon, w_open, to, val[open_]))
        s_, c_ = _slips(f, cut, period, horizon, w_open, to)
        slips += s_
        forecast_close += c_
    return _summary(rows, horizon, slips, forecast_close, len(snapshots))


def backtest_stages(events: pd.DataFrame, amounts: Any, *, snapshots: Sequence[Any], lead: str = "lead",
                    stage: str = "stage", time: str = "time", won: str = "won", lost: str = "lost",
                    fill_amount: float | None = None, horizon: int = 3, period: str = "month",
                    model: str = "semi_markov", family: str = "empirical", grid: float | None = None,
                    draws: int = 20000, shock_sd: float = 0.0, slip: float = 0.0, runs: int = 4000, seed: int = 0,
                    threads: int = 0) -> Backtest:
    """Backtest pipeline forecasts from multi-stage snapshots of a stage event log.

    At each snapshot the pipeline is rebuilt as it stood then, every stage included: each
    lead's last event at or before the snapshot gives its stage and when it entered it;
    leads whose last event is an outcome are closed.  The funnel is refitted on the events
    up to the snapshot (open leads censored there), the open leads are forecast from their
    own stages and ages, and the forecast is scored against the leads' later ``won``
    events as in :func:`backtest`.

    Parameters
    ----------
    events : DataFrame
        The stage event log: one row per stage a lead entered (``lead``, ``stage``,
        ``time``, datetimes), outcomes ``won`` and ``lost`` among the stages.
    amounts : Series or mapping
        Amount of each lead (indexed by lead id): what the forecast weights and what a
        win counts as actual revenue.
    snapshots : sequence of timestamps
        When to forecast from.
    lead, stage, time : str
        Column names of ``events``.
    won, lost : str
        The outcome stages.
    fill_amount : float, optional
        Amount of a lead missing from ``amounts`` (default: their mean).
    horizon, period, model, family, grid, draws, shock_sd, slip, runs, seed, threads
        As in :func:`backtest`.

    Returns
    -------
    Backtest
        ``table`` has one row per (snapshot, step) and ``open_deals`` counts the open
        leads of every stage.

    Raises
    ------
    InvalidArgumentError
        An empty ``snapshots``, a time that is not a datetime (naming the row), an
        amount negative or NaN (naming the lead).
    """
    require_columns(events, {"lead": lead, "stage": stage, "time": time})
    if len(snapshots) == 0:
        raise InvalidArgumentError("snapshots is empty")
    t_all = pd.to_datetime(events[time])
    bad = np.flatnonzero(t_all.isna().to_numpy())
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (lead {events[lead].iloc[r]!r}): {time!r} is missing")
    order = np.lexsort((times_as_ns(t_all, time), pd.factorize(events[lead])[0]))
    ev = events.iloc[order]
    ids, code = np.unique(ev[lead].to_numpy(), return_inverse=True)
    code = np.asarray(code).reshape(-1)
    st = ev[stage].astype(str).to_numpy()
    tt = times_as_ns(pd.to_datetime(ev[time]), time)
    amt_s = pd.Series(amounts, dtype=np.float64) if not isinstance(amounts, pd.Series) else amounts.astype(np.float64)
    badv = amt_s[~np.isfinite(amt_s.to_numpy()) | (amt_s.to_numpy() < 0)]
    if len(badv):
        raise InvalidArgumentError(f"amount of lead {badv.index[0]!r} must be finite and >= 0, got {badv.iloc[0]!r}")
    fill = float(amt_s.mean()) if fill_amount is None else float(fill_amount)
    amt = amt_s.reindex(ids).fillna(fill).to_numpy(dtype=np.float64)
    # when each lead won (the first won event), int64 max when never
    w_at = np.full(len(ids), np.iinfo(np.int64).max, dtype=np.int64)
    is_w = st == won
    np.minimum.at(w_at, code[is_w], tt[is_w])
    outcomes = {won, lost}
    rows: list[dict[str, Any]] = []
    slips = forecast_close = 0
    for snap in snapshots:
        cut = timestamp_ns(snap, "snapshot")
        seen = tt <= cut
        hist = pd.DataFrame({"lead": code[seen], "stage": st[seen], "time": pd.to_datetime(tt[seen])})
        chain = fit_history(hist, cut, model, family, draws, seed, threads, absorbing=(won, lost))
        # each lead's last event at or before the snapshot (events sorted by lead, time)
        idx = np.flatnonzero(seen)
        last = idx[np.r_[code[idx][1:] != code[idx][:-1], True]] if idx.size else idx
        last = last[~np.isin(st[last], list(outcomes))]
        who = code[last]
        opn = pd.DataFrame({"opportunity": ids[who], "stage": st[last], "entered": pd.to_datetime(tt[last]),
                            "amount": amt[who]})
        f = forecast(opn, chain, horizon=horizon, period=period, snapshot=pd.Timestamp(cut), won=won, grid=grid,
                     draws=draws, seed=seed, threads=threads)
        band = _band(f, shock_sd, slip, runs, seed, threads)
        w_open = w_at[who] < np.iinfo(np.int64).max
        rows.extend(_score(f, band, cut, period, horizon, w_open, w_at[who], amt[who]))
        s_, c_ = _slips(f, cut, period, horizon, w_open, w_at[who])
        slips += s_
        forecast_close += c_
    return _summary(rows, horizon, slips, forecast_close, len(snapshots))


def _period_bounds(cut: int, period: str, horizon: int) -> tuple[list[int], list[int]]:
    """Starts and ends (ns) of the ``horizon`` calendar periods from the one holding ``cut``."""
    first = pd.Timestamp(cut).to_period({"month": "M", "week": "W", "day": "D", "hour": "h"}[period])
    starts = [int((first + j).start_time.value) for j in range(horizon)]
    ends = [int((first + j + 1).start_time.value) for j in range(horizon)]
    return starts, ends


def _score(f: PipelineForecast, band: pd.DataFrame, cut: int, period: str, horizon: int, w_open: np.ndarray,
           to: np.ndarray, val: np.ndarray) -> list[dict[str, Any]]:
    """One row per period: the forecast's expectation and band against what the deals open
    at ``cut`` actually won (``w_open``: won at all, ``to``: when, ns; ``val``: value)."""
    starts, ends = _period_bounds(cut, period, horizon)
    rows = []
    n_open = len(w_open)
    for j in range(horizon):
        lo = cut if j == 0 else starts[j]
        hit = w_open & (to > lo) & (to < ends[j])
        upto = w_open & (to > cut) & (to < ends[j])
        p = band.iloc[j]
        rows.append({"snapshot": pd.Timestamp(cut), "step": j + 1, "period": f.periods.index[j],
                     "open_deals": int(n_open), "expected_count": p["expected_count"],
                     "count_p10": p["count_p10"], "count_p90": p["count_p90"], "actual_count": int(hit.sum()),
                     "expected_revenue": p["expected_revenue"], "revenue_p10": p["revenue_p10"],
                     "revenue_p90": p["revenue_p90"], "actual_revenue": float(val[hit].sum()),
                     "expected_cumulative_count": p["expected_cumulative_count"],
                     "cumulative_count_p10": p["cumulative_count_p10"],
                     "cumulative_count_p90": p["cumulative_count_p90"], "actual_cumulative_count": int(upto.sum()),
                     "expected_cumulative_revenue": p["expected_cumulative_revenue"],
                     "cumulative_revenue_p10": p["cumulative_revenue_p10"],
                     "cumulative_revenue_p90": p["cumulative_revenue_p90"],
                     "actual_cumulative_revenue": float(val[upto].sum())})
    return rows


def _slips(f: PipelineForecast, cut: int, period: str, horizon: int, w_open: np.ndarray,
           to: np.ndarray) -> tuple[int, int]:
    """(Deals forecast to close within the horizon, P >= 0.5, that did not win within it;
    deals forecast to close)."""
    _, ends = _period_bounds(cut, period, horizon)
    likely = f.opportunities["p_won_horizon"].to_numpy() >= 0.5
    won_in = w_open & (to < ends[-1])
    return int((likely & ~won_in).sum()), int(likely.sum())


def _band(f: PipelineForecast, shock_sd: float, slip: float, runs: int, seed: int, threads: int) -> pd.DataFrame:
    """The forecast's per-period table, with Monte Carlo P10/P90 when there is a shock or slips."""
    if shock_sd > 0 or slip > 0:
        sim = f.simulate(runs=runs, shock_sd=shock_sd, slip=slip, seed=seed, threads=threads)
        band = f.periods.copy()
        for c in sim.columns:
            if c.endswith(("_p10", "_p90")):
                band[c] = sim[c]
        return band
    return f.periods


def _summary(rows: list[dict[str, Any]], horizon: int, slips: int, forecast_close: int, snapshots: int) -> Backtest:
    """The Backtest of the scored rows: coverage per band, errors and the slip rate."""
    t = pd.DataFrame(rows)
    for name in ("count", "revenue", "cumulative_count", "cumulative_revenue"):
        t[f"covered_{name}"] = (t[f"actual_{name}"] >= t[f"{name}_p10"]) & (t[f"actual_{name}"] <= t[f"{name}_p90"])
    mc, wc, bc = forecast_errors(t["expected_count"].to_numpy(), t["actual_count"].to_numpy(dtype=np.float64))
    mr, wr, br = forecast_errors(t["expected_revenue"].to_numpy(), t["actual_revenue"].to_numpy())
    last = t["step"] == horizon
    _, wcc, _ = forecast_errors(t.loc[last, "expected_cumulative_count"].to_numpy(),
                        t.loc[last, "actual_cumulative_count"].to_numpy(dtype=np.float64))
    return Backtest(table=t, coverage_count=float(t["covered_count"].mean()),
                    coverage_revenue=float(t["covered_revenue"].mean()),
                    coverage_cumulative_count=float(t["covered_cumulative_count"].mean()),
                    coverage_cumulative_revenue=float(t["covered_cumulative_revenue"].mean()),
                    wape_cumulative_count=wcc, mape_count=mc, wape_count=wc,
                    bias_count=bc, mape_revenue=mr, wape_revenue=wr, bias_revenue=br,
                    slip_rate=float(slips / forecast_close) if forecast_close else float("nan"),
                    snapshots=snapshots)


@result
class WinLoss(Result):
    """The win/loss report.

    Attributes
    ----------
    table : DataFrame
        One row per opportunity: stage, progress %, status W/L/C/D, age in stage, the
        Delayed limit and the reason.
    reasons : DataFrame
        The loss reasons as a Pareto table: count, share, cumulative share, most
        frequent first.
    q : float
        The quantile of the fitted time in stage that defines Delayed.
    won, lost, continuing, delayed : int
        How many opportunities have each status.
    """

    table: pd.DataFrame
    reasons: pd.DataFrame
    q: float
    won: int
    lost: int
    continuing: int
    delayed: int

    def _table(self) -> pd.DataFrame:
        return self.table.copy()


def win_loss(df: pd.DataFrame, model: Any, *, snapshot: Any, opportunity: str = "opportunity", stage: str = "stage",
             entered: str = "entered", reason: str | None = None, won: str = "won", lost: str = "lost",
             percent: Mapping[str, float] | None = None, q: float = 0.9) -> WinLoss:
    """One row per opportunity with progress %, status W/L/C/D and reason, and the loss
    reasons as a Pareto table.

    Parameters
    ----------
    df : DataFrame
        One row per opportunity: its current ``stage`` (an outcome for closed deals),
        when it entered that stage, and optionally the loss ``reason``.
    model : SemiMarkovFunnel
        The fitted funnel; Delayed = open for longer in its stage than the
        ``q``-quantile of the fitted time in that stage (``model.stale``).
    snapshot : timestamp or float
        The report date (ages are measured to it, in the model's time unit).
    opportunity, stage, entered : str
        Column names of ``df``: the opportunity id (the index of ``table``), its current
        stage (one of the model's states) and when it entered that stage (datetimes, or
        floats in the model's time unit); an entry after ``snapshot`` raises.
    reason : str, optional
        Column of the loss reason, copied to ``table`` and counted over the ``lost``
        deals for ``reasons`` (default None: no reason column, an empty Pareto table).
    won, lost : str, default "won", "lost"
        The outcome stages of a won deal (status W, progress 100) and a lost one
        (progress 0; its reason is counted).  Deals in any other outcome are L too.
    percent : mapping of stage to progress percent, optional
        Default: the position of the stage among the open stages,
        100 * (i + 1) / (stages + 1); won deals are 100, lost 0.
    q : float, default 0.9
        Quantile of the fitted time in stage beyond which an open deal is Delayed (D),
        in (0, 1); a higher ``q`` flags fewer deals.

    Returns
    -------
    WinLoss

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0.0, 5, 0, 9], "stage": ["a", "won", "a", "lost"]})
    >>> m = fn.SemiMarkovFunnel(draws=1000).fit(log, lead="lead", stage="stage", time="t", absorbing=["won", "lost"])
    >>> opp = pd.DataFrame({"opportunity": [1, 2, 3, 4], "stage": ["won", "lost", "a", "a"],
    ...                     "entered": [5.0, 9.0, 8.0, 0.5], "reason": [None, "price", None, None]})
    >>> fn.pipeline.win_loss(opp, m, snapshot=10.0, reason="reason").table["status"].tolist()
    ['W', 'L', 'C', 'D']
    """
    require_columns(df, {"opportunity": opportunity, "stage": stage, "entered": entered})
    if not 0 < q < 1:
        raise InvalidArgumentError(f"q must be in (0, 1), got {q!r}")
    states = list(model.funnel_.states)
    outcomes = set(model.funnel_.outcomes)
    st = df[stage].astype(str).to_numpy()
    ids = df[opportunity].to_numpy()
    unknown = np.flatnonzero(~np.isin(st, states))
    if unknown.size:
        from ..errors import UnknownLabelError

        r = int(unknown[0])
        raise UnknownLabelError(f"row {r} (opportunity {ids[r]!r}): unknown stage {st[r]!r} (known: {', '.join(states)})")
    calendar = pd.api.types.is_datetime64_any_dtype(df[entered])
    if calendar:
        unit = pd.Timedelta(1, unit=model.time_unit_ or "D").value
        age = (timestamp_ns(snapshot, "snapshot") - times_as_ns(df[entered], entered)) / unit
    else:
        age = float(snapshot) - df[entered].to_numpy(dtype=np.float64)
    late = np.flatnonzero(age < 0)
    if late.size:
        r = int(late[0])
        raise InvalidArgumentError(f"row {r} (opportunity {ids[r]!r}): entered {entered!r} after the snapshot")
    transient = [s for s in states if s not in outcomes]
    pct = {s: 100.0 * (i + 1) / (len(transient) + 1) for i, s in enumerate(transient)}
    if percent is not None:
        pct.update({str(k): float(v) for k, v in percent.items()})
    pct[won] = 100.0
    pct[lost] = 0.0
    is_open = ~np.isin(st, list(outcomes))
    status = np.where(st == won, "W", np.where(np.isin(st, list(outcomes)), "L", "C")).astype(object)
    limit = np.full(len(st), np.nan)
    if is_open.any():
        stale = model.stale(pd.Series(st[is_open]), age[is_open], q=q).to_numpy()
        status[np.flatnonzero(is_open)[stale]] = "D"
        lims = {s: model.holding_quantile(s, q) for s in pd.unique(st[is_open])}
        limit[is_open] = pd.Series(st[is_open]).map(lims).to_numpy(dtype=np.float64)
    table = pd.DataFrame({"stage": st, "progress": pd.Series(st).map(pct).to_numpy(dtype=np.float64),
                          "status": status, "age": np.where(is_open, age, np.nan), "delayed_after": limit},
                         index=pd.Index(ids, name=opportunity))
    if reason is not None:
        table["reason"] = df[reason].to_numpy()
        lost_reasons = df.loc[st == lost, reason].dropna().astype(str)
    else:
        lost_reasons = pd.Series([], dtype=str)
    counts = lost_reasons.value_counts()
    reasons = pd.DataFrame({"count": counts, "share": counts / max(counts.sum(), 1)})
    reasons["cumulative_share"] = reasons["share"].cumsum()
    reasons.index.name = "reason"
    s = pd.Series(status)
    return WinLoss(table=table, reasons=reasons, q=float(q), won=int((s == "W").sum()), lost=int((s == "L").sum()),
                   continuing=int((s == "C").sum()), delayed=int((s == "D").sum()))
