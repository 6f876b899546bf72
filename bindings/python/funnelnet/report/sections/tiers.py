"""Section "tiers": the A/B/C mix against the 1:3:6 target, monthly tier migration
(fitted vs true), A accounts lost per year, the mix a year ahead, and how the grade
from the criteria agrees with the recorded tier."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context, pct
from ..section import Section

__all__ = ["SECTION"]

TARGET_MIX = {"A": 0.1, "B": 0.3, "C": 0.6}
# grading criteria the generator makes (higher is better unless marked lower)
CRITERIA: dict[str, Any] = {"credit": 1, "loyalty": 1, "dependence": 1, "industry_influence": 1,
                            "expected_value": 1, "difficulty": (1, "lower"), "distance": (1, "lower")}


def _a_loss_per_year(p: pd.DataFrame) -> float:
    """Yearly rate of A accounts lost: the monthly probability of falling from A straight
    to the lowest tier, compounded over 12 months (1 - (1 - p)^12)."""
    if "A" not in p.index:
        return float("nan")
    return float(1.0 - (1.0 - float(p.loc["A"].to_numpy(float)[-1])) ** 12)


def _grading(ctx: Context) -> pd.DataFrame | None:
    from ...customers import grade

    acc = ctx.inputs.accounts
    if acc is None or "tier" not in acc:
        return None
    crit = {c: w for c, w in CRITERIA.items() if c in acc}
    if len(crit) < 2:
        return None
    g = grade(acc, mode="mix", criteria=crit, mix=(1, 3, 6))
    tab = pd.crosstab(acc["tier"].astype(str).rename("recorded"), g["tier"].astype(str).rename("graded"))
    return tab


def _compute(ctx: Context) -> dict[str, Any]:
    from ...customers import TierMigration

    snaps = ctx.frame("tiers")
    tm = TierMigration().fit(snaps, customer="customer", period="period", tier="tier")
    fitted = tm.matrix()
    names = [str(t) for t in fitted.index]
    long = pd.Series(fitted.stack(), name="fitted").reset_index()
    long.columns = pd.Index(["from", "to", "fitted"])
    truth = getattr(ctx.truth, "tier_matrix", None) if ctx.truth is not None else None
    if isinstance(truth, pd.DataFrame):
        long["true"] = truth.reindex(index=names, columns=names).stack().to_numpy()
    last = snaps["period"].max()
    now = snaps.loc[snaps["period"] == last, "tier"].astype(str).value_counts(normalize=True).reindex(names, fill_value=0)
    ahead = tm.mix_ahead(now, 12)
    mix = pd.DataFrame({"now": now, "in_12_months": ahead.reindex(names),
                        "target": pd.Series(TARGET_MIX).reindex(names)})
    mix.index.name = "tier"
    rates = tm.rates()
    # no tier is declared lost here: churn is the 'A lost per year' figure below, not these zero columns
    rates = rates.drop(columns=[c for c in ("churn", "churn_per_year") if c in rates and not rates[c].any()])
    rates.index.name = "tier"
    churn = pd.DataFrame({"fitted": [_a_loss_per_year(fitted)]}, index=pd.Index(["A lost per year"], name="figure"))
    regraded = float((1 - np.diag(fitted.to_numpy(float))) @ now.to_numpy(float))
    churn.loc["re-graded per month", "fitted"] = regraded
    if isinstance(truth, pd.DataFrame):
        t = truth.reindex(index=names, columns=names)
        churn["true"] = [_a_loss_per_year(t), float((1 - np.diag(t.to_numpy(float))) @ now.to_numpy(float))]
    tables: dict[str, pd.DataFrame] = {"migration": long, "rates": rates, "mix": mix, "churn": churn}
    grading = _grading(ctx)
    notes = ["Tier migration: a Markov chain on the monthly snapshots; 'A lost per year' compounds the monthly "
             "probability of an A account falling straight to the lowest tier over 12 months."]
    if grading is not None:
        tables["grading"] = grading
        agree = float(np.trace(grading.reindex(index=grading.columns, fill_value=0).to_numpy())) / grading.to_numpy().sum()
        notes.append(f"grading: the grade from the criteria at the 1:3:6 mix vs the recorded tier; they agree on "
                     f"{pct(agree)} of accounts.")
    meaning = (f"About {pct(churn.loc['A lost per year', 'fitted'])} of A accounts are lost (fall to the lowest tier) "
               f"a year and {pct(regraded)} of accounts change tier each month; "
               f"the A share moves from {pct(now.get('A', np.nan))} to {pct(ahead.get('A', np.nan))} in 12 months "
               f"(target {pct(TARGET_MIX['A'])}).")
    return {"meaning": meaning, "tables": tables, "figures": {"migration": _figures.draw(plot.tier_migration, tm, size=(6.0, 4.6))}, "notes": notes}


SECTION = Section(id="tiers", title="ABC grades, tier migration and churn", needs=("tiers",), compute=_compute)
