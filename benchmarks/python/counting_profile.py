"""Where the time of ``TransitionCounts.from_events`` goes, per stage encoding and thread
count: the Python-side conversion (times, stage codes, lead ids), the C++ count, and the
result frame, in CPU seconds (``time.process_time``: all threads) and wall seconds.

    .venv/bin/python benchmarks/python/counting_profile.py [--events 1e7] [--threads 1 2]
        [--repeat 3] [--only-core ENCODING THREADS SECONDS]

The data are ``compare.make_events`` (shuffled events, random int64 lead ids).  With
``--only-core`` the script calls only the C++ count in a loop for SECONDS (for ``perf
record -g`` of the C++ passes: ``perf report --no-children``).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import STATES, make_events  # noqa: E402

import funnelnet as fn  # noqa: E402
from funnelnet import _core  # noqa: E402
from funnelnet._common.time import times_as_numbers  # noqa: E402
from funnelnet.funnel._shared import encode_events  # noqa: E402


def frames(n: int) -> dict[str, pd.DataFrame]:
    lead, t, code = make_events(n)
    return {
        "integer codes": pd.DataFrame({"lead": lead, "time": t, "stage": code.astype(np.int64)}),
        "Categorical": pd.DataFrame({"lead": lead, "time": t, "stage": pd.Categorical.from_codes(code, categories=STATES)}),
        "strings": pd.DataFrame({"lead": lead, "time": t, "stage": np.asarray(STATES, dtype=object)[code]}),
    }


def med(f: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median CPU s, median wall s) of ``repeat`` calls after one warm-up call."""
    f()
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        f()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, default=1e7)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only-core", nargs=3, metavar=("ENCODING", "THREADS", "SECONDS"))
    args = ap.parse_args()
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    dfs = frames(int(args.events))
    if args.only_core:
        enc, th, secs = args.only_core
        df = dfs[enc]
        f, codes, leads = encode_events(df, "lead", "stage", funnel, None)
        t = times_as_numbers(df["time"], "time")
        end = time.perf_counter() + float(secs)
        while time.perf_counter() < end:
            _core.funnel.TransitionCounts.from_events_i64(f._space, leads, t, codes, 1, int(th))
        return
    import os
    print(f"{int(args.events):,} events, load {os.getloadavg()[0]:.1f}; median CPU s (wall s) of {args.repeat}")
    for enc, df in dfs.items():
        f, codes, leads = encode_events(df, "lead", "stage", funnel, None)
        t = times_as_numbers(df["time"], "time")
        parts: dict[str, Callable[[], Any]] = {
            "times_as_numbers": lambda: times_as_numbers(df["time"], "time"),
            "encode_events (stage codes + lead ids)": lambda: encode_events(df, "lead", "stage", funnel, None),
        }
        for th in args.threads:
            parts[f"C++ count, {th} thread(s)"] = (
                lambda th=th: _core.funnel.TransitionCounts.from_events_i64(f._space, leads, t, codes, 1, th))
            parts[f"whole from_events + to_frame, {th} thread(s)"] = (
                lambda th=th: fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time",
                                                              funnel=funnel, threads=th).to_frame())
        c = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel)
        parts["to_frame"] = c.to_frame
        print(f"\n{enc} (dtype {df['stage'].dtype}; codes {codes.dtype})")
        for name, g in parts.items():
            cpu, wall = med(g, args.repeat)
            print(f"  {name:<45} {cpu:7.3f} CPU s ({wall:6.3f} s wall)", flush=True)


if __name__ == "__main__":
    main()
