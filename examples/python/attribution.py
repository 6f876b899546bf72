"""Which channels earn the conversions?  Heuristic and exact Markov attribution of real
journeys (an event log and a wide journey table from ../shared/data/journeys when that
folder is beside the checkout; a generated log otherwise).

    .venv/bin/python examples/python/attribution.py
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import funnelnet as fn

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "journeys"


def event_log() -> tuple[pd.DataFrame, str]:
    f = DATA / "Si05_attribution_data.csv"
    if f.exists():
        return pd.read_csv(f), f"{f.name} (Si05/graphical-network-analysis)"
    # Generated stand-in: 2,000 customers, 4 channels, conversions likelier after a demo.
    rng = np.random.default_rng(7)
    n = 12_000
    log = pd.DataFrame({"customer_id": rng.integers(0, 2000, n), "time": rng.uniform(0, 90, n),
                        "channel": rng.choice(["fair", "visit", "referral", "demo"], n, p=[.3, .3, .25, .15])})
    log["conversion"] = (rng.random(n) < np.where(log.channel == "demo", 0.25, 0.03)).astype(int)
    log["conversion_value"] = log.conversion * rng.gamma(2, 5000, n)
    return log, "a generated log"


def main() -> None:
    log, source = event_log()
    kw = dict(customer="customer_id", time="time", channel="channel", converted="conversion", value="conversion_value")
    journeys = fn.attribution.journeys(log, **kw)
    print(f"Event log: {len(log):,} events from {source} -> {len(journeys):,} journeys, "
          f"{journeys.conversions.sum():,} conversions.\n")
    print(journeys.head(5).to_string(index=False), "\n")

    h = fn.attribution.heuristic(journeys, path="path", conversions="conversions", value="value")
    m = fn.attribution.MarkovAttribution().fit(journeys, path="path", conversions="conversions", nulls="nulls",
                                               value="value")
    table = h[["first_touch", "last_touch", "linear", "position_based"]].join(m.channels())
    print("Attributed conversions by model (Markov removal effects are exact):")
    print(table.round(3).to_string(), "\n")

    sim = m.simulate(200_000, seed=1)
    print("Simulation estimate of the removal effects (200,000 journeys) against the exact values:")
    print(sim.round(4).to_string(), "\n")

    m2 = fn.attribution.MarkovAttribution(order=2).fit(journeys, path="path", conversions="conversions",
                                                       nulls="nulls")
    chans = list(m2.channels().index[:3])
    pairs = [f"{a} > {b}" for a in chans for b in chans if a != b]
    print("Order-2 removal effects of channel pairs (a journey touching a then b is lost):")
    print(m2.sequences(pairs).round(4).to_string(), "\n")

    per = m.journeys()
    print("Per-journey attribution (first converting journeys):")
    print(per[per.conversions > 0].head(6).round(3).to_string(index=False), "\n")

    wide_file = DATA / "jakebenn_channel_attribution.csv"
    if wide_file.exists():
        # Wide format: touch k in column k, channel codes 1..20, 21 = conversion; converting journeys only.
        wide = pd.read_csv(wide_file)
        long = wide.reset_index().melt(id_vars="index", var_name="col", value_name="ch").dropna()
        long = long[long.ch != 21]
        long["pos"] = long.col.map({c: i for i, c in enumerate(wide.columns)})
        paths = (long.sort_values(["index", "pos"]).groupby("index")["ch"]
                 .agg(lambda s: " > ".join(f"ch{int(x)}" for x in s)).reset_index(name="path"))
        paths["conversions"] = 1
        r = fn.attribution.markov(paths, path="path", conversions="conversions")
        print(f"{wide_file.name}: {len(paths):,} converting journeys; top channels by Markov attribution:")
        print(r.sort_values("conversions", ascending=False).head(5).round(3).to_string())


if __name__ == "__main__":
    main()
