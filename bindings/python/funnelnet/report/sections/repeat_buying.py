"""Section "repeat_buying": BG/NBD and Gamma-Gamma fits on the customers' purchases
(fitted vs true parameters on a synthetic company), P(alive) and 12-month CLV."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context, caught, pct
from ..section import Section, Skip

__all__ = ["SECTION"]


def _compute(ctx: Context) -> dict[str, Any]:
    from ...customers import BetaGeo, GammaGamma, summary_from_transactions

    tx = ctx.frame("transactions")
    s = summary_from_transactions(tx, customer="customer", time="time", amount="amount")
    if int((s["frequency"] > 0).sum()) < 2:
        raise Skip("fewer than 2 customers bought more than once: nothing to fit")
    bg, notes = caught(lambda: BetaGeo().fit(s["frequency"], s["recency"], s["T"]))
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    gg, more = caught(lambda: GammaGamma().fit(rep["frequency"], rep["monetary_value"]))
    notes += more
    params = pd.DataFrame({"model": ["BG/NBD"] * 4 + ["Gamma-Gamma"] * 3,
                           "parameter": ["r", "alpha", "a", "b", "p", "q", "v"],
                           "fitted": [*bg.params_.to_numpy(float), *gg.params_.to_numpy(float)]})
    t = ctx.truth
    if t is not None and hasattr(t, "bg_r"):
        params["true"] = [t.bg_r, t.bg_alpha, t.bg_a, t.bg_b, t.gg_p, t.gg_q, t.gg_v]
    params = params.set_index(["model", "parameter"])
    alive = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    buys = bg.conditional_expected_number_of_purchases_up_to_time(365.0, s["frequency"], s["recency"], s["T"])
    clv, more = caught(lambda: gg.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"],
                                                          s["monetary_value"], time=12, discount_rate=0.01, freq="D"))
    notes += more
    cust = pd.DataFrame({"frequency": s["frequency"], "recency_days": s["recency"], "age_days": s["T"],
                         "p_alive": alive, "purchases_next_year": buys, "clv": clv})
    cust.index.name = "customer"
    cust = cust.sort_values("clv", ascending=False)
    v = cust["clv"].to_numpy(float)
    top = float(v[: max(1, len(v) // 5)].sum() / v.sum()) if v.sum() > 0 else float("nan")
    meaning = (f"{len(cust):,} customers are expected to buy {cust['purchases_next_year'].sum():,.0f} times in the "
               f"next year; the top 20 % hold {pct(top)} of next year's value, and "
               f"{pct(float((cust['p_alive'] < 0.5).mean()))} have probably stopped buying (P(alive) < 0.5).")
    notes.insert(0, f"{len(tx):,} purchases of {len(s):,} customers, times in days; CLV: 12 months, 1 % discount "
                    "a month (lifetimes' scheme).")
    if not bg.converged_:
        notes.append(f"BG/NBD did not converge: {bg.report_.get('status')}; read its figures with care.")
    return {"meaning": meaning, "tables": {"parameters": params, "customers": cust},
            "figures": {"p_alive": _figures.draw(
                plot.p_alive_matrix, bg, s, max_frequency=int(np.quantile(s["frequency"], 0.99)), size=(7.0, 5.0))}, "notes": notes}


SECTION = Section(id="repeat_buying", title="Repeat buying and customer lifetime value", needs=("transactions",),
                  compute=_compute)
