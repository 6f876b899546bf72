"""Fitting a continuous-time funnel from 10^7 events with censoring: events per second and
peak memory.

    PYTHONPATH=bindings/python .venv/bin/python benchmarks/python/bench_funnel_ctmc.py [--events 10000000]

The log: leads of 2..8 events through 8 stages, a third still open at the cut-off
(censored), sparse lead ids in random order (the hash path), float
day times.  Each measurement runs in a fresh subprocess; the peak is the resident
high-water mark (VmHWM, reset through /proc/self/clear_refs just before the fit) and
"extra" is that peak minus the resident memory before the fit (inputs included there).  The log is generated once and handed to the children as .npy files.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np


def make_log(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lens = rng.integers(2, 9, size=n // 2 + 1)
    lens = lens[: np.searchsorted(np.cumsum(lens), n) + 1]
    lens[-1] -= lens.sum() - n
    m = len(lens)
    ids = rng.permutation(m).astype(np.int64) * 2654435761 % 1000000007
    lead = np.repeat(ids, lens)
    start = np.repeat(rng.random(m) * 365.0, lens)
    gaps = rng.exponential(20.0, size=n)
    first = np.cumsum(lens) - lens
    gaps[first] = 0.0
    t = start + np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], lens)
    step = rng.integers(1, 3, size=n)
    step[first] = 0
    stage = (np.cumsum(step) - np.repeat(np.cumsum(step)[first], lens)) % 8
    last = np.cumsum(lens) - 1
    closed = rng.random(m) >= 1 / 3
    stage[last[closed]] = 8 + rng.integers(0, 2, size=int(closed.sum()))
    return lead, t, stage.astype(np.int32)


def _vm(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def child(path: str, threads: int) -> None:
    import funnelnet as fn

    lead, t, stage = (np.load(f"{path}.{k}.npy") for k in ("lead", "t", "stage"))
    n = len(lead)
    space = fn._core.funnel.StageSpace([f"s{i}" for i in range(8)] + ["won", "lost"], [False] * 8 + [True, True])
    before = _vm("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:  # reset the high-water mark (Linux)
        f.write("5")
    cutoff = float(t.max())
    t0 = time.perf_counter()
    e = fn._core.funnel.ExposureCounts.from_events_f64(space, lead, t, stage, cutoff, 1.0, threads)
    q = fn._core.funnel.fit_continuous(e, 0)
    dt = time.perf_counter() - t0
    peak = _vm("VmHWM")
    assert q.generator.shape == (10, 10)
    del n
    print(json.dumps({"seconds": dt, "peak_kib": peak, "before_kib": before, "input_mib": (lead.nbytes + t.nbytes + stage.nbytes) / 2**20}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--data", default="")
    args = ap.parse_args()
    if args.child:
        child(args.data, args.threads)
        return
    import tempfile
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp()) / "log"
    lead, t, stage = make_log(args.events)
    for k, v in (("lead", lead), ("t", t), ("stage", stage)):
        np.save(f"{tmp}.{k}.npy", v)
    del lead, t, stage
    for threads in (1, 0):
        out = subprocess.run([sys.executable, __file__, "--child", "--data", str(tmp), "--threads", str(threads)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        label = "1 thread" if threads == 1 else "all cores"
        print(f"{args.events:,} events, {label}: {r['seconds']:.3f} s = {args.events / r['seconds'] / 1e6:.1f} M events/s; "
              f"peak RSS {r['peak_kib'] / 1024:.0f} MiB (inputs {r['input_mib']:.0f} MiB, "
              f"extra during the fit {(r['peak_kib'] - r['before_kib']) / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
