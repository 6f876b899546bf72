"""funnelnet demo: simulate a seeded sales funnel, fit it back from the event log, and
report what was recovered.  Runs on data the project generates itself.

    .venv/bin/python examples/python/demo.py --leads 5000

The whole-system demo (a generated company, every analysis, the report) is
`bash scripts/demo.sh` / `python -m funnelnet demo`; see examples/python/report.py.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import funnelnet as fn

STAGES = ["potential", "possible", "target", "effective"]
OUTCOMES = ["won", "lost"]

# The "true" funnel: leads stall (self-loops), skip, fall back and drop out.
TRUE_P = np.array([
    # potential possible target effective  won   lost
    [0.40,      0.30,    0.05,  0.00,      0.00, 0.25],  # potential
    [0.10,      0.35,    0.35,  0.00,      0.00, 0.20],  # possible
    [0.00,      0.10,    0.35,  0.35,      0.05, 0.15],  # target
    [0.00,      0.00,    0.05,  0.35,      0.45, 0.15],  # effective
    [0.00,      0.00,    0.00,  0.00,      1.00, 0.00],  # won
    [0.00,      0.00,    0.00,  0.00,      0.00, 1.00],  # lost
])
# Mean days a lead spends in a stage per step (exponential), by stage.
DWELL_DAYS = {"potential": 14.0, "possible": 21.0, "target": 30.0, "effective": 20.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leads", type=int, default=5000, help="number of simulated leads (default 5000)")
    ap.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    args = ap.parse_args()

    funnel = fn.Funnel(STAGES, outcomes=OUTCOMES)
    truth = fn.MarkovChain(TRUE_P, states=funnel.states)

    # 1. Simulate an event log (lead, timestamp, stage), as a CRM export would give it.
    log = truth.simulate(args.leads, start="potential", seed=args.seed, mean_dwell=DWELL_DAYS)
    rng = np.random.default_rng(args.seed)
    opened = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, args.leads), unit="D")
    log["time"] = opened[log["lead"].to_numpy()] + pd.to_timedelta(log["time"], unit="D")
    log = log.sample(frac=1.0, random_state=args.seed).reset_index(drop=True)  # CRM exports are unordered
    print(f"Simulated {args.leads:,} leads -> {len(log):,} events (seed {args.seed}).\n")

    # 2. Count transitions from the log and fit the chain.
    counts = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time", funnel=funnel, repeats="keep")
    fitted = counts.fit()

    # 3. Recovered vs true transition probabilities, transient rows only.
    rows = []
    for i, a in enumerate(STAGES):
        for j, b in enumerate(funnel.states):
            if TRUE_P[i, j] > 0 or fitted.to_frame().loc[a, b] > 0:
                rows.append((a, b, TRUE_P[i, j], fitted.to_frame().loc[a, b], int(counts.to_frame().loc[a, b])))
    table = pd.DataFrame(rows, columns=["from", "to", "true", "fitted", "count"])
    print("Transition probabilities (true vs fitted from the event log):")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

    # 4. Win probability and expected time to close per stage.
    # Mean days per visit, estimated from the log: time to the lead's next event.
    d = log.sort_values(["lead", "time"], kind="stable")
    gap = d.groupby("lead")["time"].shift(-1) - d["time"]
    dwell = (gap.dt.total_seconds() / 86400).groupby(d["stage"].astype(str)).mean().reindex(STAGES)
    visits = fitted.fundamental_matrix()
    report = pd.DataFrame({
        "P(won) true": truth.absorption_probabilities()["won"],
        "P(won) fitted": fitted.absorption_probabilities()["won"],
        "steps to close": fitted.expected_steps(),
        "sd steps": np.sqrt(fitted.steps_variance()),
        "days to close": visits.to_numpy() @ dwell.to_numpy(),
        "days true": truth.fundamental_matrix().to_numpy() @ np.array([DWELL_DAYS[s] for s in STAGES]),
    })
    print("\nPer stage: win probability, expected steps and days until won or lost:")
    print(report.to_string(float_format=lambda x: f"{x:.3f}"))
    err = np.abs(fitted.to_numpy() - TRUE_P).max()
    print(f"\nLargest error in a fitted transition probability: {err:.3f}")


if __name__ == "__main__":
    main()
