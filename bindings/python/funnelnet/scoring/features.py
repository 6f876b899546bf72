"""Point-in-time lead features: everything known strictly before a cut-off.

:func:`features` joins, per open lead at its cut-off, the account's attributes, its
funnel state, referral features and recent activity, using only rows whose time is
strictly before the cut-off (nothing at or after it can leak in: the leakage audit in
``tests/python/test_scoring_features.py`` moves every later event and shows the features
unchanged).

Missing-value policy: a categorical value that is missing, or not in the vocabulary
(including values first seen at predict time), goes to the ``other`` bucket; a numeric
account attribute that is missing becomes 0 with ``<column>_missing`` = 1 (the indicator
columns are always present, so train and predict frames have the same columns).
Vocabularies are explicit: pass the ``vocabularies`` of the training frame
(``X.attrs["vocabularies"]``) when building the frame to score.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError, UnknownLabelError

__all__ = ["features", "DEFAULT_CATEGORICALS"]

#: Account columns one-hot encoded by default (when present).
DEFAULT_CATEGORICALS = ("kind", "industry", "region", "sales_mode", "possibility", "progress")
_LEAKY_ACCOUNT_COLUMNS = {"tier", "won"}  # current tier and won time: replaced by point-in-time versions
_DAY = np.timedelta64(1, "D")


def _frames(crm: Any) -> dict[str, pd.DataFrame | None]:
    get = (lambda k: crm.get(k)) if isinstance(crm, Mapping) else (lambda k: getattr(crm, k, None))
    out = {k: get(k) for k in ("leads", "events", "accounts", "referrals", "transactions", "tiers")}
    for k in ("leads", "events"):
        if out[k] is None:
            raise InvalidArgumentError(f"features needs a {k!r} frame (a SyntheticCRM or a mapping of frames)")
    return out


def _one_hot(values: pd.Series, vocab: Sequence[Any], prefix: str) -> pd.DataFrame:
    vocab = list(vocab)
    cat = pd.Categorical(values.astype(object).where(values.isin(vocab), "other"), categories=vocab + ["other"])
    codes = np.asarray(cat.codes)
    codes = np.where(codes < 0, len(vocab), codes)  # missing -> other
    m = np.zeros((len(values), len(vocab) + 1), dtype=np.float64)
    m[np.arange(len(values)), codes] = 1.0
    return pd.DataFrame(m, index=values.index, columns=[f"{prefix}={v}" for v in vocab] + [f"{prefix}=other"])


def features(crm: Any, cutoff: Any, *, leads: Any = None, categoricals: Sequence[str] = DEFAULT_CATEGORICALS,
             vocabularies: Mapping[str, Sequence[Any]] | None = None, windows: Sequence[int] = (30, 90),
             stages: Sequence[str] | None = None, absorbing: Sequence[str] = ("won", "lost")) -> pd.DataFrame:
    """Features of the leads open at ``cutoff``, from data strictly before it.

    Parameters
    ----------
    crm : SyntheticCRM or mapping of DataFrames
        ``leads`` (index ``lead``: ``account``, ``start``, ``referred``, ...), ``events``
        (``lead``, ``stage``, ``time``), and optionally ``accounts`` (index ``account``),
        ``referrals`` (``referrer``, ``referee``, ``time``), ``transactions``
        (``account``, ``time``, ``amount``), ``tiers`` (wide monthly snapshots).
    cutoff : timestamp or Series
        One cut-off for all leads, or a Series of cut-offs indexed by lead.
    leads : array-like, optional
        Restrict to these leads (default: every lead started before its cut-off and not
        yet won or lost by then).
    categoricals : sequence of str
        Account columns to one-hot encode.
    vocabularies : mapping, optional
        Column -> values; others go to ``other``.  Default: the sorted values seen in
        these rows (returned in ``attrs["vocabularies"]``).
    windows : sequence of int, default (30, 90)
        Days before the cut-off over which activity is counted.
    stages : sequence of str, optional
        Stage order for regressions (default: the stage column's categories).
    absorbing : sequence of str, default ("won", "lost")

    Returns
    -------
    DataFrame
        Indexed by ``lead``; numeric columns only: ``stage=<s>`` one-hot of the current
        stage, ``days_in_stage``, ``days_open``, ``n_moves``, ``n_regressions``,
        ``chain_win_probability`` (absorption in won from the current stage of a chain
        fitted on the transitions before the cut-off), ``referred``,
        ``referrals_made`` and ``pagerank`` of the account in the referral graph before
        the cut-off, ``is_customer`` (account won before),
        ``purchases_<w>d`` / ``spend_<w>d`` / ``events_<w>d`` per window, account numeric
        attributes with ``_missing`` flags, ``tier=<t>`` (last tier snapshot of a month
        that ended before the cut-off) and the one-hot categoricals.  ``attrs`` holds
        ``vocabularies`` and ``cutoff``.

    Examples
    --------
    >>> import funnelnet as fn
    >>> crm = fn.datasets.synthetic_crm(n_accounts=200, seed=1)
    >>> X = fn.scoring.features(crm, cutoff="2025-06-01")
    >>> bool((X["days_open"] > 0).all())
    True
    """
    from ..funnel import TransitionCounts
    from ..graph import ReferralGraph

    f = _frames(crm)
    L, E = f["leads"], f["events"]
    for col in ("account", "start"):
        if col not in L.columns:
            raise UnknownLabelError(f"leads has no {col!r} column (columns: {', '.join(map(str, L.columns))})")
    for col in ("lead", "stage", "time"):
        if col not in E.columns:
            raise UnknownLabelError(f"events has no {col!r} column (columns: {', '.join(map(str, E.columns))})")
    if isinstance(cutoff, pd.Series):
        cut = pd.to_datetime(cutoff).reindex(L.index)
        if cut.isna().all():
            raise InvalidArgumentError("cutoff Series shares no lead with leads' index")
    else:
        cut = pd.Series(pd.Timestamp(cutoff), index=L.index)
    if E["time"].dt.tz is not None or (cut.dt.tz is not None):
        raise InvalidArgumentError("features expects naive (UTC) times; convert with tz_convert(None)")
    global_cut = cut.max()
    vocab: dict[str, list[Any]] = {k: list(v) for k, v in (vocabularies or {}).items()}

    # ---- funnel state: events strictly before each lead's cut-off
    ev = E[["lead", "stage", "time"]].copy()
    ev["cut"] = cut.reindex(ev["lead"]).to_numpy()
    ev = ev[ev["time"] < ev["cut"]]
    order = list(stages) if stages is not None else (
        list(E["stage"].cat.categories) if isinstance(E["stage"].dtype, pd.CategoricalDtype)
        else sorted(pd.unique(E["stage"].astype(str))))
    rank = {s: i for i, s in enumerate(order)}
    ev = ev.sort_values(["lead", "time"], kind="stable")
    ev["rank"] = ev["stage"].astype(str).map(rank).astype(float)
    ev["back"] = (ev.groupby("lead")["rank"].diff() < 0) & ~ev["stage"].astype(str).isin(absorbing)
    last = ev.groupby("lead").tail(1).set_index("lead")
    open_leads = last.index[~last["stage"].astype(str).isin(absorbing)]
    started = L.index[L["start"] < cut]
    rows = open_leads.intersection(started)
    if leads is not None:
        rows = rows.intersection(pd.Index(leads))
    if len(rows) == 0:
        raise InvalidArgumentError(f"no lead is open at the cut-off (latest cut-off {global_cut}): every lead "
                                   "starts after it or has closed before it")
    rows = rows.sort_values()
    rows.name = "lead"
    out = pd.DataFrame(index=rows)
    stage_now = last.loc[rows, "stage"].astype(str)
    vocab.setdefault("stage", [s for s in order if s not in absorbing])
    out = out.join(_one_hot(stage_now, vocab["stage"], "stage"))
    c = cut.loc[rows]
    out["days_in_stage"] = (c - last.loc[rows, "time"]) / _DAY
    out["days_open"] = (c - L.loc[rows, "start"]) / _DAY
    g = ev.groupby("lead")
    out["n_moves"] = (g.size().reindex(rows).fillna(1) - 1).astype(float)
    out["n_regressions"] = g["back"].sum().reindex(rows).fillna(0).astype(float)

    # chain win probability from the current stage: a chain fitted on every transition
    # strictly before the (latest) cut-off -- per lead, the chain of its own cut-off
    # would cost one fit per distinct cut-off; with several, the earliest is used.
    chain_cut = cut.loc[rows].min()
    before = E[E["time"] < chain_cut]
    win = pd.Series(np.nan, index=rows)
    try:
        ap = TransitionCounts.from_events(before, lead="lead", stage="stage", time="time",
                                          absorbing=list(absorbing)).fit().absorption_probabilities()
        won = absorbing[0]
        win = stage_now.map(ap[won] if won in ap.columns else pd.Series(dtype=float))
    except Exception:  # noqa: BLE001 -- too little history for a chain: missing, flagged below
        pass
    out["chain_win_probability_missing"] = win.isna().astype(float).to_numpy()
    out["chain_win_probability"] = win.fillna(0.0).to_numpy()

    # ---- referrals before the cut-off
    acct = L.loc[rows, "account"]
    out["referred"] = L.loc[rows, "referred"].astype(float) if "referred" in L.columns else 0.0
    R = f["referrals"]
    if R is not None and len(R):
        r = R[R["time"] < chain_cut]
        made = r.groupby("referrer").size()
        out["referrals_made"] = acct.map(made).fillna(0).astype(float).to_numpy()
        if len(r):
            pr = ReferralGraph.from_edges(r["referrer"].to_numpy(), r["referee"].to_numpy()).pagerank()
            out["pagerank"] = acct.map(pr).fillna(0.0).astype(float).to_numpy()
        else:
            out["pagerank"] = 0.0
    else:
        out["referrals_made"] = 0.0
        out["pagerank"] = 0.0

    # ---- activity over windows
    ev_rows = ev[ev["lead"].isin(rows)]
    T = f["transactions"]
    A = f["accounts"]
    won_time = A["won"] if A is not None and "won" in A.columns else None
    out["is_customer"] = (acct.map(won_time) < c).astype(float).to_numpy() if won_time is not None else 0.0
    for w in windows:
        lo = ev_rows["cut"] - np.timedelta64(int(w), "D")
        out[f"events_{w}d"] = ev_rows[ev_rows["time"] >= lo].groupby("lead").size().reindex(rows).fillna(0).astype(
            float)
        if T is not None and len(T):
            t = T[["account", "time", "amount"]].merge(
                pd.DataFrame({"account": acct.to_numpy(), "lead": rows, "cut": c.to_numpy()}), on="account")
            t = t[(t["time"] < t["cut"]) & (t["time"] >= t["cut"] - np.timedelta64(int(w), "D"))]
            gt = t.groupby("lead")
            out[f"purchases_{w}d"] = gt.size().reindex(rows).fillna(0).astype(float)
            out[f"spend_{w}d"] = gt["amount"].sum().reindex(rows).fillna(0).astype(float)

    # ---- account attributes
    if A is not None:
        a = A.reindex(acct.to_numpy())
        a.index = rows
        numeric = [col for col in A.columns if col not in _LEAKY_ACCOUNT_COLUMNS and col not in categoricals
                   and pd.api.types.is_numeric_dtype(A[col]) and not pd.api.types.is_bool_dtype(A[col])]
        for col in numeric:
            v = a[col].astype(float)
            out[col] = v.fillna(0.0)
            out[f"{col}_missing"] = v.isna().astype(float)
        for col in categoricals:
            if col not in A.columns:
                continue
            vals = a[col]
            vocab.setdefault(col, sorted(pd.unique(A[col].dropna()).tolist(), key=str))
            out = out.join(_one_hot(vals, vocab[col], col))
    TS = f["tiers"]
    if TS is not None and len(TS.columns):
        periods = pd.DatetimeIndex(TS.columns)
        ends = periods + pd.offsets.MonthBegin(1)  # a month's snapshot is known once the month ended
        idx = np.searchsorted(ends.to_numpy(), c.to_numpy(), side="right") - 1  # last end <= cut-off
        tier = pd.Series(pd.NA, index=rows, dtype=object)
        has = idx >= 0
        if has.any():
            codes = TS.reindex(acct.to_numpy())
            vals = codes.to_numpy()[np.arange(len(rows))[has], idx[has]]
            tier[has] = vals
        vocab.setdefault("tier", sorted(pd.unique(pd.Series(np.asarray(TS.to_numpy()).ravel()).dropna()).tolist(),
                                        key=str))
        out = out.join(_one_hot(tier, vocab["tier"], "tier"))
    out = out.astype(np.float64)
    out.attrs["vocabularies"] = vocab
    out.attrs["cutoff"] = str(global_cut)
    return out
