"""Section "lead_scores": which open leads to work first.  A penalised logistic lead
score fitted on the leads open at one cut-off (features strictly before it) is checked
on the leads that opened later, against the funnel stage alone: AUC, the share of wins
found in the top 10 %, the A/B/C tiers and the won deals a team of fixed weekly capacity
gets by working leads in each order."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context, pct
from ..section import Section, Skip

__all__ = ["SECTION"]

#: Where the two cut-offs fall in the event log's time span (training, then later leads).
CUTOFFS = (0.45, 0.7)
#: Leads a team works per week (capacity) and the share of a waiting lead's chance lost a week.
CAPACITY_SHARE, DECAY = 0.05, 0.10


def _frames(ctx: Context) -> dict[str, Any]:
    inp = ctx.inputs
    leads = inp.leads
    if leads is None or not {"account", "start", "outcome"} <= set(leads.columns):
        raise Skip("needs the leads table (account, start, outcome): the synthetic company has it; "
                   "a CRM export gives it as one row per lead")
    tx = inp.transactions.rename(columns={"customer": "account"}) if inp.transactions is not None else None
    return {"leads": leads, "events": ctx.frame("events"), "accounts": inp.accounts,
            "referrals": inp.referrals, "transactions": tx}


def _labels(leads: pd.DataFrame, index: pd.Index, won: str) -> tuple[pd.Index, np.ndarray]:
    """Leads whose outcome is known by the end of the log, and 1 where it was a win."""
    out = leads.loc[index, "outcome"].astype(str)
    keep = out.index[out.ne("open").to_numpy()]
    return keep, out.loc[keep].eq(won).to_numpy().astype(int)


def _compute(ctx: Context) -> dict[str, Any]:
    from ...scoring import LeadScorer, capacity_value, features
    from ...scoring import metrics as m

    frames = _frames(ctx)
    t = pd.to_datetime(frames["events"]["time"])
    t0, t1 = t.min(), t.max()
    train_cut, test_cut = (t0 + f * (t1 - t0) for f in CUTOFFS)
    X = features(frames, cutoff=train_cut)
    X_new = features(frames, cutoff=test_cut, vocabularies=X.attrs["vocabularies"])
    X_new = X_new.loc[~X_new.index.isin(X.index)]  # later leads only: none seen in training
    train, y = _labels(frames["leads"], X.index, ctx.won)
    test, y_new = _labels(frames["leads"], X_new.index, ctx.won)
    if len(np.unique(y)) < 2 or len(np.unique(y_new)) < 2 or len(test) < 50:
        raise Skip(f"too few closed leads to score ({len(train)} for training, {len(test)} later)")
    X, X_new = X.loc[train], X_new.loc[test]
    stage_cols = [c for c in X.columns if c.startswith("stage=")] + ["chain_win_probability"]
    model = LeadScorer(C=0.1, standardize=True).fit(X, y)
    stage_model = LeadScorer(C=0.1, standardize=True).fit(X[stage_cols], y)
    scores = {"lead score": model.predict_proba(X_new)[:, 1],
              "funnel stage": stage_model.predict_proba(X_new[stage_cols])[:, 1]}
    metrics = pd.DataFrame({name: {"roc_auc": m.roc_auc(y_new, p), "average_precision": m.average_precision(y_new, p),
                                   "log_loss": m.log_loss(y_new, p), "brier": m.brier(y_new, p)}
                            for name, p in scores.items()}).T
    metrics.index.name = "scorer"
    gains = {name: m.gain_table(y_new, p, bins=10) for name, p in scores.items()}
    gain = pd.concat({k: g[["cum_share", "cum_gain"]] for k, g in gains.items()}, names=["scorer", "decile"])
    leads = pd.DataFrame({"score": model.score_1_99(X_new), "tier": model.tiers(X_new),
                          "p_lead_score": scores["lead score"], "p_funnel_stage": scores["funnel stage"],
                          "won": y_new}, index=X_new.index).sort_values("p_lead_score", ascending=False, kind="stable")
    tiers = leads.groupby("tier", observed=True)["won"].agg(leads="size", win_rate="mean")
    capacity = max(1, int(round(CAPACITY_SHARE * len(test))))
    rng = np.random.default_rng(ctx.seed)
    value = capacity_value({**scores, "random order": rng.random(len(test))}, y_new.astype(float),
                           capacity=capacity, decay=DECAY)
    top10 = {k: float(g["cum_gain"].iloc[0]) for k, g in gains.items()}
    meaning = (f"Working the top 10 % of later leads by the lead score finds {pct(top10['lead score'])} of their "
               f"wins ({pct(top10['funnel stage'])} by funnel stage alone); at {capacity} leads a week the score's "
               f"order wins {pct(value.loc['lead score', 'share_of_oracle'])} of what hindsight could "
               f"(funnel stage {pct(value.loc['funnel stage', 'share_of_oracle'])}, random "
               f"{pct(value.loc['random order', 'share_of_oracle'])}).")
    notes = [f"Fitted on the {len(train):,} leads open on {train_cut.date()} whose outcome is known; checked on "
             f"the {len(test):,} other leads open on {test_cut.date()} (features strictly before each cut-off). "
             "Leads still open at the end of the log are left out (their label is unknown).",
             f"Capacity: {capacity} leads a week worked in score order; a waiting lead loses {DECAY:.0%} of its "
             "chance a week; 'oracle' works them in hindsight order (the outcomes)."]
    return {"meaning": meaning, "tables": {"metrics": metrics, "gain": gain, "tiers": tiers, "capacity": value, "leads": leads},
            "figures": {"gain": _figures.draw(plot.lift_gain, y_new, scores, size=(8.0, 4.4))}, "notes": notes}


SECTION = Section(id="lead_scores", title="Lead scores", needs=("events",), compute=_compute)
