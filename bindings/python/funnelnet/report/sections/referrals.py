"""Section "referrals": the referral network's top influencers and the best k accounts
to cultivate (IMM) with their expected referred revenue; on a synthetic company the
chosen accounts' spread on the true network beside the best the truth allows."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ... import plot
from .. import _figures
from .._shared import Context
from ..section import Section

__all__ = ["SECTION"]

K = 10


def _deal_value(ctx: Context) -> tuple[float, str]:
    opp = ctx.inputs.opportunities
    if opp is not None and "amount" in opp and "status" in opp:
        won = opp.loc[opp["status"].astype(str).eq("W"), "amount"]
        if len(won):
            return float(won.mean()), "the mean won deal"
    tx = ctx.inputs.transactions
    if tx is not None and len(tx):
        return float(tx["amount"].mean()), "the mean purchase"
    return 1.0, "one unit per account (no amounts given)"


def _true_network(ctx: Context) -> Any:
    from ...graph import ReferralGraph

    ties = getattr(ctx.truth, "ties", None)
    if not isinstance(ties, pd.DataFrame) or len(ties) == 0 or len(ties) > 5_000_000:
        return None
    g = ReferralGraph.from_pandas(ties, source="source", target="target")
    e = g.edges()
    p = ties.set_index(["source", "target"])["probability"]
    p = p[~p.index.duplicated()]
    probs = p.reindex(pd.MultiIndex.from_arrays([e["source"], e["target"]])).to_numpy(float)
    return g, np.ascontiguousarray(probs)


def _compute(ctx: Context) -> dict[str, Any]:
    from ...graph import ReferralGraph, influence

    ref = ctx.frame("referrals")
    g = ReferralGraph.from_pandas(ref, source="referrer", target="referee")
    made = g.degree("out")
    casc = g.cascades()
    top = made.nlargest(15)
    inf = pd.DataFrame({"referrals_made": top.astype(np.int64)})
    inf["cascade_size"] = casc["size"].reindex(top.index)
    true_inf = getattr(ctx.truth, "influence", None) if ctx.truth is not None else None
    if isinstance(true_inf, pd.Series):
        inf["true_influence"] = true_inf.reindex(top.index)
    inf.index.name = "account"

    k = min(K, g.number_of_nodes)
    value, value_note = _deal_value(ctx)
    best = influence.imm(g, k, model="IC", probabilities="wc", eps=0.3, seed=ctx.seed, threads=ctx.threads)
    seeds = best.to_frame().reset_index()
    seeds.columns = pd.Index(["account", *seeds.columns[1:]])
    seeds.insert(0, "k", np.arange(1, len(seeds) + 1))
    seeds["referred_accounts"] = seeds["spread"] - seeds["k"]
    seeds["referred_revenue"] = value * seeds["referred_accounts"]
    notes = [f"{g.number_of_nodes:,} accounts and {g.number_of_edges:,} referrals.  Seeds chosen by IMM "
             f"(independent cascade, weighted-cascade probabilities on the observed referrals, eps 0.3); "
             f"revenue values each referred account at {value_note} ({value:,.0f})."]
    tn = _true_network(ctx)
    if tn is not None:
        gt, pt = tn
        truth_best = influence.imm(gt, k, model="IC", probabilities=pt, eps=0.3, seed=ctx.seed, threads=ctx.threads)
        ours = plot.spread_curve_frame(gt, list(seeds["account"]), probabilities=pt, n_sims=2000, seed=ctx.seed,
                                       threads=ctx.threads)
        seeds["true_spread"] = ours["spread"].to_numpy()
        seeds["true_referred_revenue"] = value * (seeds["true_spread"] - seeds["k"])
        tb = truth_best.to_frame()["spread"].to_numpy(float)
        seeds["true_best_spread"] = tb
        seeds["true_best_revenue"] = value * (tb - seeds["k"].to_numpy())
        notes.append("true_*: the chosen accounts' expected spread on the generator's true trade network "
                     "(Monte Carlo, 2,000 runs), beside IMM run on the true network: the best the truth allows.  "
                     "The referral log only shows the ties of accounts already won, so influential accounts not "
                     "yet won are invisible to the data: the gap is what cultivating beyond the current "
                     "referrers could add.")
    last = seeds.iloc[-1]
    meaning = (f"Cultivating the {k} accounts listed below is expected to bring "
               f"{last['referred_accounts']:.0f} referred accounts, worth about {last['referred_revenue']:,.0f}; "
               f"the top referrer, account {top.index[0]}, has made {int(top.iloc[0])} referrals.")
    if "true_spread" in seeds:
        share = (last["true_spread"] - k) / max(last["true_best_spread"] - k, 1e-12)
        meaning += f" On the true network they reach {100 * share:.0f} % of the best possible."
    curve = pd.DataFrame({"spread": seeds["spread"].to_numpy(float)}, index=pd.RangeIndex(1, k + 1, name="k"))

    def on_the_truth(ax: Any) -> None:
        if "true_spread" in seeds:
            plot.spread_curve(ours, ax=ax, ls=":", label="the same accounts on the true network")
            best_curve = pd.DataFrame({"spread": seeds["true_best_spread"].to_numpy(float)}, index=curve.index)
            plot.spread_curve(best_curve, ax=ax, marker="s", ls="--", label="best by the true network")

    figure = _figures.draw(plot.spread_curve, curve, label="chosen from the data (IMM on the observed referrals)",
                           extra=on_the_truth, size=(8.0, 4.0))
    return {"meaning": meaning, "tables": {"influencers": inf, "cultivate": seeds},
            "figures": {"cultivate": figure}, "notes": notes}


SECTION = Section(id="referrals", title="Referral network: top influencers and accounts to cultivate",
                  needs=("referrals",), compute=_compute)
