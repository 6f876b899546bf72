"""Counting transitions in an event log: funnelnet vs the idiomatic pandas way.

    .venv/bin/python benchmarks/python/bench_funnel.py [--events 10000000] [--repeat 3]

Prints the time of each, their ratio, and funnelnet's peak extra memory as a multiple
of the input arrays (measured in a fresh subprocess with ru_maxrss).  The pandas idiom is
the one a data scientist writes: sort by (lead, time), shift within lead, crosstab.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import funnelnet as fn

STATES = [f"s{i}" for i in range(8)] + ["won", "lost"]


def make_log(n: int, seed: int = 1, shuffled: bool = True) -> pd.DataFrame:
    """n events; leads of 2..18 events walking 8 stages, ending won or lost; shuffled rows."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(2, 19, size=n // 2 + 1)
    lens = lens[: np.searchsorted(np.cumsum(lens), n) + 1]
    lens[-1] -= lens.sum() - n
    lead = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    t = rng.integers(1, 86_400, size=n).cumsum()
    stage = rng.integers(0, 8, size=n).astype(np.int32)
    last = np.cumsum(lens) - 1
    stage[last] = 8 + rng.integers(0, 2, size=len(last))
    perm = rng.permutation(n) if shuffled else np.arange(n)
    return pd.DataFrame({
        "lead": lead[perm],
        "time": t[perm],
        "stage": pd.Categorical.from_codes(stage[perm], categories=STATES),
    })


def pandas_counts(df: pd.DataFrame) -> np.ndarray:
    d = df.sort_values(["lead", "time"])
    nxt = d.groupby("lead", sort=False)["stage"].shift(-1)
    ok = nxt.notna() & (nxt.astype(object) != d["stage"].astype(object))
    tab = pd.crosstab(d["stage"][ok], nxt[ok], dropna=False)
    return tab.reindex(index=STATES, columns=STATES, fill_value=0).to_numpy(dtype=float)


def best_of(f, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


MEMORY_CHILD = """
import resource, sys, numpy as np, funnelnet as fn
from funnelnet import _core
d = sys.argv[1]
lead, t, stage = (np.load(f"{d}/{k}.npy") for k in ("lead", "time", "stage"))
space = _core.funnel.StageSpace(STATES, [False] * 8 + [True, True])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
_core.funnel.TransitionCounts.from_events_i64(space, lead, t, stage, 1)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) * 1024, lead.nbytes + t.nbytes + stage.nbytes)
"""


def peak_memory_ratio(df: pd.DataFrame) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as d:
        np.save(Path(d) / "lead.npy", df["lead"].to_numpy())
        np.save(Path(d) / "time.npy", df["time"].to_numpy())
        np.save(Path(d) / "stage.npy", df["stage"].cat.codes.to_numpy().astype(np.int32))
        out = subprocess.run([sys.executable, "-c", MEMORY_CHILD.replace("STATES", repr(STATES)), d], capture_output=True, text=True, check=True)
    extra, inputs = (int(x) for x in out.stdout.split())
    return (inputs + extra) / inputs, inputs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    funnel = fn.Funnel(STATES[:8], outcomes=["won", "lost"])
    for shuffled in (True, False):
        df = make_log(args.events, shuffled=shuffled)
        t_fn, counts = best_of(lambda: fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel), args.repeat)
        t_pd, expected = best_of(lambda: pandas_counts(df), 1 if args.events > 2_000_000 else args.repeat)
        assert np.array_equal(counts.to_numpy(), expected), "funnelnet and pandas disagree"
        label = "shuffled rows" if shuffled else "rows sorted by lead, time"
        print(f"{args.events:,} events ({label}): funnelnet {t_fn * 1e3:8.1f} ms   pandas {t_pd * 1e3:8.1f} ms   ratio {t_pd / t_fn:5.1f}x")
    ratio, inputs = peak_memory_ratio(make_log(args.events))
    print(f"peak memory while counting: {ratio:.2f}x the input arrays ({inputs / 2**20:.0f} MiB of lead/time/stage)")


if __name__ == "__main__":
    main()
