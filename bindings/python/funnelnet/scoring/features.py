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

import warnings

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError, UnknownLabelError

__all__ = ["features", "DEFAULT_CATEGORICALS"]

#: Account columns one-hot encoded by default (when present).
DEFAULT_CATEGORICALS = ("kind", "industry", "region", "sales_mode", "possibility", "progress")
_LEAKY_ACCOUNT_COLUMNS = {"tier", "won"}  # current tier and won time: replaced by point-in-time versions
_DAY = np.timedelta64(1, "D")


def _frames(crm: Any) -> dict[str, pd.DataFrame | None]:
    def get(k: str) -> pd.DataFrame | None:
        return crm.get(k) if isinstance(crm, Mapping) else getattr(crm, k, None)

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


def _tier_at(TS: pd.DataFrame, accounts: np.ndarray, cuts: np.ndarray) -> pd.Series:
    """Each account's tier in the last monthly snapshot of a month that ended at or
    before its cut-off (missing when none).

    Parameters
    ----------
    TS : DataFrame
        Wide monthly snapshots (one column per month's first day).
    accounts, cuts : ndarray
        One account and one cut-off per row.

    Returns
    -------
    Series of object, positional index
    """
    periods = pd.DatetimeIndex(TS.columns)
    ends = periods + pd.offsets.MonthBegin(1)  # a month's snapshot is known once the month ended
    idx = np.searchsorted(ends.to_numpy(), cuts, side="right") - 1  # last end <= cut-off
    tier = pd.Series(pd.NA, index=pd.RangeIndex(len(accounts)), dtype=object)
    has = (idx >= 0) & pd.Index(accounts).isin(TS.index)
    if has.any():
        codes = TS.reindex(accounts).to_numpy()
        tier[has] = codes[np.arange(len(accounts))[has], idx[has]]
    return tier


def _rfm_days(T: pd.DataFrame, accounts: np.ndarray, cuts: np.ndarray) -> pd.DataFrame:
    """Repeat-buying summary in days per row (account, cut-off) from purchases strictly
    before the cut-off, as lifetimes' daily summary: ``frequency`` (distinct purchase
    days - 1), ``recency`` (last - first purchase day) and ``T`` (cut-off day - first).

    Parameters
    ----------
    T : DataFrame
        Transactions ``account``, ``time``.
    accounts, cuts : ndarray
        One account and one cut-off per row.

    Returns
    -------
    DataFrame
        Indexed by row position; only rows with a purchase before their cut-off.
    """
    rows = pd.DataFrame({"account": accounts, "row": np.arange(len(accounts)), "cut": cuts})
    t = T[["account", "time"]].merge(rows, on="account")
    t = t[t["time"] < t["cut"]]
    t = t.assign(day=t["time"].dt.floor("D")).drop_duplicates(["row", "day"])
    g = t.groupby("row")
    first, last = g["day"].min(), g["day"].max()
    cut_day = pd.Series(pd.DatetimeIndex(cuts).floor("D"), index=rows["row"]).reindex(first.index)
    return pd.DataFrame({"frequency": (g.size() - 1).astype(float), "recency": (last - first).dt.days.astype(float),
                         "T": (cut_day - first).dt.days.astype(float)})


def _repeat_features(T: pd.DataFrame | None, acct: np.ndarray, cuts: np.ndarray, fit_cut: pd.Timestamp,
                     horizon: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(alive) and expected purchases in the next ``horizon`` days from a BG/NBD model
    fitted on every account's purchases strictly before ``fit_cut``; each lead's own
    summary is taken at its own cut-off.

    Parameters
    ----------
    T : DataFrame or None
    acct, cuts : ndarray
        Per lead: account and cut-off.
    fit_cut : Timestamp
        The model sees purchases strictly before it (the earliest cut-off).
    horizon : float
        Days ahead for the expected purchases.

    Returns
    -------
    (p_alive, expected_purchases, missing) : three ndarrays
        0 for accounts without a purchase before the cut-off; ``missing`` is 1 for every
        lead when no model could be fitted (too little purchase history, no convergence)
        and for a lead whose prediction is not finite.
    """
    n = len(acct)
    zeros = np.zeros(n)
    if T is None or not len(T):
        return zeros, zeros.copy(), np.ones(n)
    from ..customers import BetaGeo

    hist = T[T["time"] < fit_cut]
    customers = pd.unique(hist["account"])
    if len(customers) < 10:
        return zeros, zeros.copy(), np.ones(n)
    s = _rfm_days(hist, np.asarray(customers), np.full(len(customers), np.datetime64(fit_cut, "ns")))
    s = s[s["T"] > 0]
    week = 7.0  # fitted in weeks: daily units push the BG/NBD's a and b to their bounds
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = BetaGeo().fit(s["frequency"].to_numpy(), s["recency"].to_numpy() / week,
                                  s["T"].to_numpy() / week)
    except Exception:  # noqa: BLE001 -- a history the model cannot fit: flagged as missing
        return zeros, zeros.copy(), np.ones(n)
    if not model.converged_:
        return zeros, zeros.copy(), np.ones(n)
    own = _rfm_days(T, acct, cuts)
    p_alive, expected, missing = zeros.copy(), zeros.copy(), np.zeros(n)
    if len(own):
        idx = own.index.to_numpy()
        f, r, t = (own[c].to_numpy() for c in ("frequency", "recency", "T"))
        pa = np.asarray(model.conditional_probability_alive(f, r / week, t / week), dtype=np.float64)
        ep = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(horizon / week, f, r / week,
                                                                                  t / week), dtype=np.float64)
        # a prediction numerically out of reach (parameters at their bounds): 0, flagged
        p_alive[idx] = np.where(np.isfinite(pa), pa, 0.0)
        expected[idx] = np.where(np.isfinite(ep), ep, 0.0)
        missing[idx] = (~(np.isfinite(pa) & np.isfinite(ep))).astype(np.float64)
    return p_alive, expected, missing


def features(crm: Any, cutoff: Any, *, leads: Any = None, categoricals: Sequence[str] = DEFAULT_CATEGORICALS,
             vocabularies: Mapping[str, Sequence[Any]] | None = None, windows: Sequence[int] = (30, 90),
             stages: Sequence[str] | None = None, absorbing: Sequence[str] = ("won", "lost"),
             repeat_horizon: float = 90.0) -> pd.DataFrame:
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
        The outcome stages, the first being the win (``chain_win_probability`` is the
        absorption in it): a lead whose last event before its cut-off is one of them is
        closed and left out, and they get no ``stage=`` column.
    repeat_horizon : float, default 90.0
        Days ahead for ``expected_purchases``.

    Returns
    -------
    DataFrame
        Indexed by ``lead``; numeric columns only: ``stage=<s>`` one-hot of the current
        stage, ``days_in_stage``, ``days_open``, ``n_moves``, ``n_regressions``,
        ``chain_win_probability`` (absorption in won from the current stage of a chain
        fitted on the transitions before the cut-off), ``referred``,
        ``referrals_made`` and ``pagerank`` of the account in the referral graph before
        the cut-off, ``referrer_pagerank`` (the PageRank of the account that referred
        it first before its cut-off, in that graph; 0 when none), ``referrer_conversion``
        (of the accounts that referrer referred before the lead's cut-off, the share
        that were customers before it; 0 when none), ``referrer_tier=<t>`` (one-hot
        tier, at the lead's cut-off, of that referrer; ``other`` when none),
        ``is_customer`` (account won before), ``p_alive`` and ``expected_purchases``
        (next ``repeat_horizon`` days) from a BG/NBD model fitted on the purchases
        before the earliest cut-off, each lead's own purchase summary taken at its
        cut-off (0 without purchases; ``repeat_model_missing`` = 1 when no model could
        be fitted or its prediction is not finite),
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
    if L is None or E is None:  # checked by _frames; narrows the types
        raise InvalidArgumentError("features needs 'leads' and 'events' frames")
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
    A = f["accounts"]
    won_time = A["won"] if A is not None and "won" in A.columns else None
    pr = pd.Series(dtype=float)
    if R is not None and len(R):
        r = R[R["time"] < chain_cut]
        made = r.groupby("referrer").size()
        out["referrals_made"] = acct.map(made).fillna(0).astype(float).to_numpy()
        if len(r):
            pr = ReferralGraph.from_edges(r["referrer"].to_numpy(), r["referee"].to_numpy()).pagerank()
        out["pagerank"] = acct.map(pr).fillna(0.0).astype(float).to_numpy()
    else:
        out["referrals_made"] = 0.0
        out["pagerank"] = 0.0
    # the lead's referrer: the first referral of the lead's account before its cut-off
    first_ref = pd.DataFrame({"lead": pd.Series(dtype=rows.dtype), "referrer": pd.Series(dtype=object),
                              "cut": pd.Series(dtype=c.dtype)})
    if R is not None and len(R):
        m = R[["referrer", "referee", "time"]].merge(
            pd.DataFrame({"referee": acct.to_numpy(), "lead": rows, "cut": c.to_numpy()}), on="referee")
        first_ref = m[m["time"] < m["cut"]].sort_values(["lead", "time"], kind="stable").drop_duplicates("lead")
    referrer = pd.Series(first_ref["referrer"].to_numpy(), index=first_ref["lead"].to_numpy()).reindex(rows)
    out["referrer_pagerank"] = referrer.map(pr).fillna(0.0).astype(float).to_numpy()
    # the referrer's past referral conversion: of the accounts it referred before the
    # lead's cut-off, the share that became customers before that cut-off (0 when none)
    conv = pd.Series(0.0, index=rows)
    if R is not None and len(first_ref) and won_time is not None:
        past = first_ref[["lead", "referrer", "cut"]].merge(R[["referrer", "referee", "time"]], on="referrer")
        past = past[past["time"] < past["cut"]]
        converted = (past["referee"].map(won_time) < past["cut"]).astype(float)
        conv.loc[:] = converted.groupby(past["lead"].to_numpy()).mean().reindex(rows).fillna(0.0).to_numpy()
    out["referrer_conversion"] = conv.to_numpy()

    # ---- activity over windows
    ev_rows = ev[ev["lead"].isin(rows)]
    T = f["transactions"]
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

    # ---- repeat buying (BG/NBD)
    pa, ep, miss = _repeat_features(T, acct.to_numpy(), c.to_numpy(), chain_cut, float(repeat_horizon))
    out["p_alive"] = pa
    out["expected_purchases"] = ep
    out["repeat_model_missing"] = miss

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
        tier = _tier_at(TS, acct.to_numpy(), c.to_numpy())
        tier.index = rows
        vocab.setdefault("tier", sorted(pd.unique(pd.Series(np.asarray(TS.to_numpy()).ravel()).dropna()).tolist(),
                                        key=str))
        out = out.join(_one_hot(tier, vocab["tier"], "tier"))
        # the referrer's tier: the first referral of the lead's account before its cut-off
        ref_tier = pd.Series(pd.NA, index=rows, dtype=object)
        if len(first_ref):
            t2 = _tier_at(TS, first_ref["referrer"].to_numpy(), first_ref["cut"].to_numpy())
            ref_tier.loc[first_ref["lead"].to_numpy()] = t2.to_numpy()
        vocab.setdefault("referrer_tier", vocab["tier"])
        out = out.join(_one_hot(ref_tier, vocab["referrer_tier"], "referrer_tier"))
    out = out.astype(np.float64)
    out.attrs["vocabularies"] = vocab
    out.attrs["cutoff"] = str(global_cut)
    return out
