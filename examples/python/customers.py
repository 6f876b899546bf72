"""funnelnet customers example: simulate a repeat-buying population, summarise its
transactions, fit BG/NBD and Gamma-Gamma back, grade the accounts A/B/C by predicted
value, and value the tiers with a Markov chain.  Runs on data it generates itself.

    .venv/bin/python examples/python/customers.py [--customers 5000] [--seed 1]
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import funnelnet as fn


def simulate(n: int, seed: int) -> pd.DataFrame:
    """BG/NBD buyers (r .25, alpha 4 days*7, a .8, b 2.5) over 2023-2024, gamma spends."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.25, 1 / 4.0, n) / 7.0  # purchases per day
    p = rng.beta(0.8, 2.5, n)
    start = rng.integers(0, 365, n)
    rows = []
    for i in range(n):  # a small simulation loop; the library itself never loops in Python
        t, d = float(start[i]), [start[i]]
        while True:
            t += rng.exponential(1 / lam[i])
            if t > 729:
                break
            d.append(int(t))
            if rng.random() < p[i]:
                break
        rows.append(pd.DataFrame({"customer": i, "day": d, "amount": rng.gamma(3.0, 15.0, len(d))}))
    tx = pd.concat(rows, ignore_index=True)
    tx["date"] = pd.Timestamp("2023-01-01") + pd.to_timedelta(tx["day"], unit="D")
    return tx


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    tx = simulate(args.customers, args.seed)
    s = fn.customers.summary_from_transactions(tx, customer="customer", time="date", amount="amount",
                                               calibration_end="2024-12-31", freq="D", freq_multiplier=7)
    print(f"{len(tx):,} transactions -> {len(s):,} customers; mean frequency {s['frequency'].mean():.2f}")
    bg = fn.customers.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    print("BG/NBD:", bg, "(true r .25, alpha 4, a .8, b 2.5)")
    rep = s[s["frequency"] > 0]
    gg = fn.customers.GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    print("Gamma-Gamma:", gg.params_.round(3).to_dict())
    s["clv"] = gg.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                          time=12, discount_rate=0.01, freq="W")
    grades = fn.customers.grade(s, mode="value", value="clv", cutoffs=(0.8, 0.95))
    print("ABC by predicted 12-month value:", grades["tier"].value_counts().sort_index().to_dict())
    P = np.array([[.7, .2, .05, .05], [.1, .7, .1, .1], [.02, .1, .7, .18], [0, 0, 0, 1]])
    v = fn.customers.markov_clv(P, [1000, 300, 50, 0], discount=0.01)
    print("Markov value per tier (A, B, C, lost):", v.round(0).tolist())


if __name__ == "__main__":
    main()
