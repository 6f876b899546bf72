"""Referral networks in Python: who brought whom, who matters, and whom to cultivate.

A synthetic trade network (generated here): 400 customers, each referred by an earlier
customer with a preference for well-connected referrers, plus some peer ties.  Deal
sizes and win probabilities make referral reach into expected revenue.

    .venv/bin/python examples/python/graph.py
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import funnelnet as fn
from funnelnet import influence

rng = np.random.default_rng(7)
n = 400
names = np.array([f"cust{i:03d}" for i in range(n)])
# Preferential attachment referrals (customer i referred by an earlier one), plus peer links.
referrer = [0]
for i in range(1, n):
    referrer.append(int(rng.integers(0, i)) if rng.random() < 0.5 else referrer[int(rng.integers(0, i))])
df = pd.DataFrame({"referrer": names[referrer[1:]], "referee": names[1:]})
peers = pd.DataFrame({"referrer": names[rng.integers(0, n, 300)], "referee": names[rng.integers(0, n, 300)]})
df = pd.concat([df, peers], ignore_index=True)
g = fn.ReferralGraph.from_pandas(df, "referrer", "referee", self_loops="drop")
print(g)

ranking = pd.DataFrame({
    "pagerank": g.pagerank(),
    "katz": g.katz(alpha=0.05),
    "out_degree": g.degree("out"),
    "core": g.core_numbers(),
}).join(g.cascades())
print("\nTop referrers by cascade size:")
print(ranking.sort_values("size", ascending=False).head(5).round(4))

value = pd.Series(rng.uniform(0.1, 0.6, n) * rng.lognormal(10, 1, n), index=names)  # P(win) x deal size
best = influence.imm(g, 5, probabilities="wc", values=value, seed=1)
sim = influence.spread(g, best.seeds, probabilities="wc", values=value, n_sims=20000, seed=2)
print(f"\nCultivate {best.seeds}: expected referral revenue {sim.value_mean:,.0f} (+- {sim.value_stderr:,.0f}),"
      f" reach {sim.mean:.1f} customers")
by_count = influence.imm(g, 5, probabilities="wc", seed=1)
print(f"Top 5 by reach alone: {by_count.seeds} (estimated reach {by_count.spread:.1f})")
