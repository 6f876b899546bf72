"""Real CRM data: fit the sales funnel with open deals censored, and report win
probability and time to close against the empirical closed-deal figures.

Data: ../shared/data/crm/sales_pipeline.csv beside the repository (Maven Analytics CRM
sample: 8,800 opportunities, Prospecting / Engaging / Won / Lost, engage and close
dates; 2,089 still open).  Set FUNNELNET_SHARED_DATA to read it from elsewhere.  Without
the file, the script says so and exits cleanly.

    .venv/bin/python examples/python/funnel_crm.py
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import funnelnet as fn

DATA = Path(os.environ.get("FUNNELNET_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))


def main() -> None:
    path = DATA / "crm" / "sales_pipeline.csv"
    if not path.is_file():
        print(f"{path} not found: this example needs the shared CRM data set (skipped).")
        return
    deals = pd.read_csv(path, parse_dates=["engage_date", "close_date"])
    n_open = int(deals["deal_stage"].isin(["Prospecting", "Engaging"]).sum())
    print(f"{len(deals):,} opportunities, {n_open:,} still open "
          f"({(deals.deal_stage == 'Prospecting').sum()} Prospecting without dates are left out of the timing).")

    # Event log: each engaged deal enters Engaging on its engage date and Won/Lost on its
    # close date.  Deals still Engaging are censored at the data's last date.
    engaged = deals[deals["engage_date"].notna()]
    closed = engaged[engaged["deal_stage"].isin(["Won", "Lost"])]
    log = pd.concat([
        pd.DataFrame({"deal": engaged["opportunity_id"], "at": engaged["engage_date"], "stage": "Engaging"}),
        pd.DataFrame({"deal": closed["opportunity_id"], "at": closed["close_date"], "stage": closed["deal_stage"]}),
    ], ignore_index=True)
    cutoff = deals[["engage_date", "close_date"]].max().max()
    funnel = fn.Funnel(["Engaging"], outcomes=["Won", "Lost"])

    # Empirical closed-deal figures (what a spreadsheet would say).
    won_rate = (closed["deal_stage"] == "Won").mean()
    cycle = (closed["close_date"] - closed["engage_date"]).dt.days
    print(f"\nClosed deals only: win rate {won_rate:.2%}, median cycle {cycle.median():.0f} days, mean {cycle.mean():.1f} days.")

    # Continuous time, days, open deals censored.
    exposure = fn.ExposureCounts.from_events(log, lead="deal", stage="stage", time="at", cutoff=cutoff, time_unit="D", funnel=funnel)
    ctmc = exposure.fit()
    ttc = ctmc.time_to_close(quantiles=[0.5, 0.9])
    print("\nContinuous-time fit (open deals censored at", cutoff.date(), "):")
    print(ctmc.generator().round(5).to_string())
    print(f"P(won | Engaging) = {ctmc.absorption_probabilities().loc['Engaging', 'Won']:.2%}")
    print("Time to close from Engaging (days):")
    print(ttc.round(1).to_string())
    print("Posterior (Gamma rates, 95%) for the win probability and mean days to close:")
    print(exposure.posterior_figures(draws=1000, seed=1).round(3).to_string())

    # Weekly periods: the same question in discrete time, with intervals.
    weekly = fn.TransitionCounts.from_periods(log, lead="deal", stage="stage", time="at", period="week",
                                              cutoff=cutoff + pd.Timedelta(days=1), funnel=funnel)
    chain = weekly.fit()
    print("\nWeekly chain:")
    print(chain.to_frame().round(4).to_string())
    print("Weeks to close from Engaging:")
    print(chain.time_to_close(quantiles=[0.5, 0.9]).round(1).to_string())
    print("Posterior (Dirichlet, 95%) for the win probability and weeks to close:")
    print(weekly.posterior_figures(draws=1000, seed=1).round(4).to_string())

    # Where do we lose deals?  What is a 10% better Engaging -> Won step worth?
    print("\nBottlenecks for P(won) from Engaging (weekly chain):")
    print(chain.bottlenecks("Won", start="Engaging").round(4).to_string(index=False))
    w = chain.what_if("Engaging", "Won", 10, "Won", start="Engaging")
    print(f"Raising Engaging -> Won by 10%: P(won) {w.value_before:.2%} -> {w.value_after:.2%}")

    # Segments: does conversion differ by product?
    by_product = {}
    prod = deals.set_index("opportunity_id")["product"]
    for name, part in log.groupby(log["deal"].map(prod), sort=True):
        by_product[name] = fn.TransitionCounts.from_periods(part, lead="deal", stage="stage", time="at", period="week",
                                                            cutoff=cutoff + pd.Timedelta(days=1), funnel=funnel)
    seg = fn.SegmentedFunnel(by_product)
    t = seg.test()
    print(f"\nBy product: likelihood-ratio G = {t.statistic:.1f} on {t.df:.0f} df, p = {t.p_value:.3g}")
    print(seg.win_probabilities("Won").round(4).to_string())
    sys.stdout.flush()


if __name__ == "__main__":
    np.set_printoptions(suppress=True)
    main()
