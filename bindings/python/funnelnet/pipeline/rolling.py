"""The rolling plan: per product (or any grouping), the won count and revenue of each of
the next N months, re-issued from every monthly snapshot, with tender months marked; and
the accuracy of the past plans by horizon.

From each snapshot the funnel is refitted on what was known then (deals still open are
censored at the snapshot), the deals open at the snapshot are forecast
(:func:`forecast`), and their per-month win probabilities are summed per group; the
P10/P90 of each (group, month) are exact (:func:`won_distribution` of that group's
deals).  Where the month is over in the data, what those deals actually won is set
beside it.  Accuracy per step ahead (1 = the snapshot's own month):

- MAPE (over rows with a non-zero actual), WAPE (sum |forecast - actual| / sum actual)
  and bias (sum (forecast - actual) / sum actual), for count and revenue;
- coverage: share of rows whose actual lies in [P10, P90] (nominal 0.8);
- slip rate: of the deals forecast to be won by the end of the step (P >= 0.5), the share
  that were not;
- commit accuracy: of the deals in the commit category by then (P >= the commit cut-off),
  the share won by the end of the step.

Like :func:`backtest`, it works on opportunity tables with one open stage (entered,
closed, outcome).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._common.convert import require_columns
from ._shared import fit_history, forecast_errors
from .._common.results import Result, result
from .._common.time import times_as_ns, timestamp_ns
from ..errors import InvalidArgumentError
from .distribution import won_distribution
from .forecast import DEFAULT_CATEGORIES, forecast


def _label(v: Any) -> Any:
    """A numpy scalar as the Python value (for messages)."""
    return v.item() if isinstance(v, np.generic) else v


__all__ = ["RollingPlan", "rolling_plan"]

_FREQ = {"month": "M", "week": "W", "day": "D"}


@result
class RollingPlan(Result):
    """Rolling plans and their accuracy.

    Attributes
    ----------
    plan : DataFrame
        One row per (issued, group, step): ``period``, ``tender``, ``open_deals``,
        ``expected_count``, ``count_p10``, ``count_p90``, ``expected_revenue``,
        ``revenue_p10``, ``revenue_p90``, and where the period is over in the data
        ``actual_count``, ``actual_revenue`` (NaN otherwise) and ``observed``.
    accuracy : DataFrame
        One row per step ahead: ``rows`` (observed), ``mape_count``, ``wape_count``,
        ``bias_count``, ``mape_revenue``, ``wape_revenue``, ``bias_revenue``,
        ``coverage_count``, ``coverage_revenue``, ``slip_rate``, ``forecast_to_close``,
        ``commit_accuracy``, ``commit_deals``.
    by : str
        The grouping column ("" for one total).
    horizon, snapshots : int
    """

    plan: pd.DataFrame
    accuracy: pd.DataFrame
    by: str
    horizon: int
    snapshots: int

    def _table(self) -> pd.DataFrame:
        return self.plan.copy()


def rolling_plan(df: pd.DataFrame, *, snapshots: Sequence[Any], by: str | None = None,
                 opportunity: str = "opportunity", entered: str = "entered", closed: str = "closed",
                 outcome: str = "outcome", amount: str = "amount", value: str | None = None, won: Any = "won",
                 lost: Any = "lost", horizon: int = 6, period: str = "month", model: str = "continuous",
                 family: str = "empirical", tenders: Sequence[Any] = (), commit: float | None = None,
                 grid: float | None = None, draws: int = 20000, seed: int = 0, threads: int = 0) -> RollingPlan:
    """Issue a rolling plan from each snapshot and measure the accuracy of the past ones.

    Parameters
    ----------
    df : DataFrame
        One row per opportunity: ``entered`` (NaT = never entered, ignored), ``closed``
        (NaT while open), ``outcome`` (``won`` / ``lost``, anything else = open),
        ``amount`` (what the forecast uses), optionally ``value`` (what was actually won;
        default the amount) and the ``by`` column.
    snapshots : sequence of timestamps
        When each plan is issued (e.g. every month start).
    by : str, optional
        Grouping column (product, region ...); default one total.
    opportunity, entered, closed, outcome, amount : str
        Column names of ``df``: the opportunity id, the entry and close datetimes, the
        outcome label and the amount the forecast weights each deal by.
    value : str, optional
        Column of the value actually won, what a win counts as actual revenue
        (default None: the ``amount``).
    won, lost : scalar, default "won", "lost"
        The ``outcome`` values of a won and of a lost deal; a deal closed with any other
        outcome counts as neither, and is not open at snapshots after its close.
    horizon : int
        Periods per plan (>= 1; the first is the snapshot's own period).
    period : {"month", "week", "day"}
        Calendar length of each plan period (default "month"); the plan's periods
        are labelled in it (e.g. "2024-02").
    model, family : str
        The funnel refitted at each snapshot: "continuous" (ContinuousChain) or
        "semi_markov" (SemiMarkovFunnel of ``family``, deals conditioned on their age).
    tenders : sequence of timestamps
        Periods holding a tender (marked ``tender`` in the plan).
    commit : float, optional
        Commit cut-off on P(won by the end of the step) (default
        ``DEFAULT_CATEGORIES["commit"]``).
    grid, draws, seed, threads
        As in :func:`forecast`.

    Returns
    -------
    RollingPlan

    Raises
    ------
    InvalidArgumentError
        Naming the row: a close before the entry; no snapshots; a horizon below 1.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> d = pd.DataFrame({"opportunity": range(6), "product": ["a", "a", "b", "b", "a", "b"],
    ...     "entered": pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-15", "2024-02-01", "2024-02-10", "2024-02-12"]),
    ...     "closed": pd.to_datetime(["2024-02-01", "2024-03-05", "2024-02-20", None, "2024-03-10", "2024-04-01"]),
    ...     "outcome": ["won", "lost", "won", "open", "won", "won"], "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]})
    >>> r = fn.pipeline.rolling_plan(d, snapshots=["2024-02-15"], by="product", horizon=2)
    >>> r.plan[["group", "period", "open_deals", "actual_count"]].values.tolist()
    [['a', '2024-02', 2, 0.0], ['a', '2024-03', 2, 1.0], ['b', '2024-02', 3, 1.0], ['b', '2024-03', 3, 0.0]]
    """
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise InvalidArgumentError(f"horizon must be an integer >= 1, got {horizon!r}")
    if period not in _FREQ:
        raise InvalidArgumentError(f"period must be one of {list(_FREQ)}, got {period!r}")
    if model not in ("continuous", "semi_markov"):
        raise InvalidArgumentError(f"model must be 'semi_markov' or 'continuous', got {model!r}")
    cols: dict[str, str | None] = {"opportunity": opportunity, "entered": entered, "closed": closed,
                                   "outcome": outcome, "amount": amount}
    if by is not None:
        cols["by"] = by
    require_columns(df, cols)
    if len(snapshots) == 0:
        raise InvalidArgumentError("snapshots is empty")
    cut_commit = float(DEFAULT_CATEGORIES["commit"] if commit is None else commit)
    ent = pd.to_datetime(df[entered])
    d = df.loc[ent.notna().to_numpy()]
    ids = d[opportunity].to_numpy()
    t_in = times_as_ns(pd.to_datetime(d[entered]), entered)
    cl = pd.to_datetime(d[closed])
    has_close = cl.notna().to_numpy()
    t_out = np.where(has_close, cl.fillna(pd.Timestamp(0)).to_numpy(dtype="datetime64[ns]").astype(np.int64),
                     np.iinfo(np.int64).max)
    bad = np.flatnonzero(has_close & (t_out < t_in))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (opportunity {_label(ids[r])!r}): {closed!r} is before {entered!r}")
    out = d[outcome].to_numpy()
    is_won = (out == won) & has_close
    is_lost = (out == lost) & has_close
    amt = d[amount].to_numpy(dtype=np.float64)
    val = d[value].to_numpy(dtype=np.float64) if value is not None else amt
    grp = d[by].to_numpy() if by is not None else np.full(len(d), "all", dtype=object)
    as_of = int(max(t_in.max(), t_out[has_close].max() if has_close.any() else t_in.max()))
    freq = _FREQ[period]
    tender_p = {pd.Timestamp(x).to_period(freq) for x in tenders}
    rows: list[dict[str, Any]] = []
    acc_rows: list[pd.DataFrame] = []
    for snap in snapshots:
        cut = timestamp_ns(snap, "snapshot")
        seen = t_in <= cut
        done = seen & (t_out <= cut) & (is_won | is_lost)
        lead = np.concatenate([np.flatnonzero(seen), np.flatnonzero(done)])
        stage = np.concatenate([np.full(seen.sum(), "open", dtype=object),
                                np.where(is_won[done], "won", "lost").astype(object)])
        hist = pd.DataFrame({"lead": lead, "stage": stage,
                             "time": pd.to_datetime(np.concatenate([t_in[seen], t_out[done]]))})
        chain = fit_history(hist, cut, model, family, draws, seed, threads)
        open_ = seen & ~(has_close & (t_out <= cut))
        if not open_.any():
            continue
        opn = pd.DataFrame({"opportunity": ids[open_], "stage": "open", "entered": pd.to_datetime(t_in[open_]),
                            "amount": amt[open_]})
        f = forecast(opn, chain, horizon=int(horizon), period=period, snapshot=pd.Timestamp(cut), grid=grid,
                     draws=draws, seed=seed, threads=threads)
        cum = f.won_by_period.to_numpy()
        per = f._per_period()
        first = pd.Timestamp(cut).to_period(freq)
        starts = np.array([cut] + [(first + j).start_time.value for j in range(1, horizon)], dtype=np.int64)
        ends = np.array([(first + j + 1).start_time.value for j in range(horizon)], dtype=np.int64)
        w, to, g_open, a_open, v_open = is_won[open_], t_out[open_], grp[open_], amt[open_], val[open_]
        hit = w[:, None] & (to[:, None] > starts[None, :]) & (to[:, None] < ends[None, :])
        won_by = w[:, None] & (to[:, None] > cut) & (to[:, None] < ends[None, :])
        observed = ends <= as_of
        # slips and commits, per step
        likely = cum >= 0.5
        committed = cum >= cut_commit
        acc_rows.append(pd.DataFrame({
            "step": np.arange(1, horizon + 1), "observed": observed,
            "likely": likely.sum(axis=0), "slipped": (likely & ~won_by).sum(axis=0),
            "committed": committed.sum(axis=0), "commit_won": (committed & won_by).sum(axis=0)}))
        labels = [str(first + j) for j in range(horizon)]
        for gv in pd.unique(g_open):
            m = g_open == gv
            act_c = hit[m].sum(axis=0).astype(np.float64)
            act_r = (v_open[m][:, None] * hit[m]).sum(axis=0)
            for j in range(horizon):
                dc = won_distribution(per[m, j], threads=threads)
                dr = won_distribution(per[m, j], a_open[m], grid=grid, threads=threads)
                qc = dc.quantiles([0.1, 0.9]).to_numpy()
                qr = dr.quantiles([0.1, 0.9]).to_numpy()
                rows.append({"issued": pd.Timestamp(cut), "group": gv, "step": j + 1, "period": labels[j],
                             "tender": (first + j) in tender_p, "open_deals": int(m.sum()),
                             "expected_count": float(per[m, j].sum()), "count_p10": qc[0], "count_p90": qc[1],
                             "expected_revenue": float((per[m, j] * a_open[m]).sum()),
                             "revenue_p10": qr[0], "revenue_p90": qr[1], "observed": bool(observed[j]),
                             "actual_count": act_c[j] if observed[j] else np.nan,
                             "actual_revenue": act_r[j] if observed[j] else np.nan})
    plan = pd.DataFrame(rows)
    plan.index.name = "row"
    if plan.empty:
        raise InvalidArgumentError("no snapshot has an open opportunity: nothing to plan")
    acc = pd.concat(acc_rows, ignore_index=True)
    acc = acc[acc["observed"]].groupby("step")[["likely", "slipped", "committed", "commit_won"]].sum()
    out_rows = []
    for k in range(1, horizon + 1):
        t = plan[(plan["step"] == k) & plan["observed"]]
        mc, wc, bc = forecast_errors(t["expected_count"].to_numpy(), t["actual_count"].to_numpy())
        mr, wr, br = forecast_errors(t["expected_revenue"].to_numpy(), t["actual_revenue"].to_numpy())
        cov_c = ((t["actual_count"] >= t["count_p10"]) & (t["actual_count"] <= t["count_p90"])).mean() \
            if len(t) else np.nan
        cov_r = ((t["actual_revenue"] >= t["revenue_p10"]) & (t["actual_revenue"] <= t["revenue_p90"])).mean() \
            if len(t) else np.nan
        a = (acc.loc[k] if k in acc.index else pd.Series({"likely": 0, "slipped": 0, "committed": 0,
                                                          "commit_won": 0})).to_dict()
        out_rows.append({"step": k, "rows": len(t), "mape_count": mc, "wape_count": wc, "bias_count": bc,
                         "mape_revenue": mr, "wape_revenue": wr, "bias_revenue": br,
                         "coverage_count": float(cov_c), "coverage_revenue": float(cov_r),
                         "slip_rate": a["slipped"] / a["likely"] if a["likely"] else np.nan,
                         "forecast_to_close": int(a["likely"]),
                         "commit_accuracy": a["commit_won"] / a["committed"] if a["committed"] else np.nan,
                         "commit_deals": int(a["committed"])})
    accuracy = pd.DataFrame(out_rows).set_index("step")
    return RollingPlan(plan=plan, accuracy=accuracy, by=by or "", horizon=int(horizon), snapshots=len(snapshots))
