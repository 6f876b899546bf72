"""Peak extra memory of counting transitions: funnelnet against duckdb, each run in a fresh
child process so that one tool's allocations cannot hide the other's.

    .venv/bin/python benchmarks/python/counting_memory.py [--events 10000000 100000000]
        [--threads 1 2] [--encodings "integer codes" Categorical strings] [--tools funnelnet duckdb pandas]

The child builds the event log of ``compare.make_events`` (shuffled events, random int64
lead ids) as a DataFrame, resets the kernel's peak-RSS mark (``/proc/self/clear_refs``),
counts once (checking the result against numpy's lexsort + bincount idiom, computed once
per size by the parent and handed to the children in a .npy file), and reports VmHWM -
VmRSS before the count: the memory the count itself needed at its peak, including the
stage encoding, with the count's CPU and wall seconds.  Each line gives both tools' time
and memory, the time ratio (duckdb / funnelnet, CPU and wall) and the memory ratio
(funnelnet / duckdb), and the load average when the line was printed.  Linux only.
``--tools funnelnet pandas`` times compare.py's pandas idiom (sort, groupby shift,
crosstab) the same way and prints its ratio to funnelnet: the 20x goal at 10^8.

10^8 events for every encoding, one thread and two (several GB of RAM per child; the
check's lexsort runs once per size, in the parent):

    .venv/bin/python benchmarks/python/counting_memory.py --events 1e8 --threads 1 2
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(tool: str, encoding: str, n: int, threads: int, want_file: str) -> dict:
    import gc

    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from compare import STATES, make_events, pandas_idiom

    lead, t, code = make_events(n)
    want = np.load(want_file)
    if encoding == "integer codes":
        stage = code.astype(np.int64)
    elif encoding == "Categorical":
        stage = pd.Categorical.from_codes(code, categories=STATES)
    else:
        stage = np.asarray(STATES, dtype=object)[code]
    df = pd.DataFrame({"lead": lead, "time": t, "stage": stage})
    del stage, code, lead, t
    k = len(STATES)
    if tool == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads={threads}")
        con.register("df_view", df)
        sql = ("SELECT prev, stage, count(*) AS c FROM (SELECT stage, lag(stage) OVER "
               "(PARTITION BY lead ORDER BY time) AS prev FROM df_view) WHERE prev IS NOT NULL AND prev <> stage "
               "GROUP BY ALL")
    elif tool == "funnelnet":
        import funnelnet as fn

        funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark (VmHWM)
    before = _status_kib("VmRSS")
    w0, c0 = time.perf_counter(), time.process_time()
    if tool == "pandas":  # the idiom compare.py times (sort, groupby shift, crosstab)
        got = pandas_idiom(df)
    elif tool == "duckdb":
        res = con.execute(sql).fetchnumpy()
        got = np.zeros((k, k))
        pos = {s: i for i, s in enumerate(STATES)}
        got[[pos[str(x)] for x in res["prev"]], [pos[str(x)] for x in res["stage"]]] = res["c"]
    else:
        c = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel,
                                            threads=threads)
        got = c.to_frame().reindex(index=STATES, columns=STATES).to_numpy()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak = _status_kib("VmHWM")
    assert np.array_equal(got, want), f"{tool} counts differ ({encoding})"
    return {"extra_mib": (peak - before) / 1024, "wall": wall, "cpu": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, nargs="*", default=[1e7])
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--encodings", nargs="*", default=["integer codes", "Categorical", "strings"])
    ap.add_argument("--tools", nargs="*", default=["funnelnet", "duckdb"])
    ap.add_argument("--child", nargs=5, metavar=("TOOL", "ENCODING", "N", "THREADS", "WANT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        tool, enc, n, th, want_file = args.child
        print(json.dumps(child(tool, enc, int(float(n)), int(th), want_file)))
        return
    import tempfile

    import numpy as np

    sys.path.insert(0, str(HERE))
    from compare import make_events, numpy_idiom

    print(f"peak extra memory and time of one count (fresh process each; load {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.events:
            want_file = str(Path(tmp) / f"want_{int(n)}.npy")
            lead, t, code = make_events(int(n))
            np.save(want_file, numpy_idiom(lead, t, code))  # the check's oracle, once per size
            del lead, t, code
            for enc in args.encodings:
                for th in args.threads:
                    res = {}
                    for tool in args.tools:
                        out = subprocess.run([sys.executable, __file__, "--child", tool, enc, str(int(n)), str(th),
                                              want_file], check=True, capture_output=True, text=True).stdout
                        res[tool] = json.loads(out.strip().splitlines()[-1])
                    line = f"  {int(n):>11,} events, {enc:<13}, {th} thr: " + " | ".join(
                        f"{tool} +{r['extra_mib']:7.0f} MiB ({r['wall']:.2f} s wall, {r['cpu']:.2f} s cpu)"
                        for tool, r in res.items())
                    if "funnelnet" in res and "duckdb" in res:
                        f, d = res["funnelnet"], res["duckdb"]
                        line += (f" | time ratio {d['cpu'] / f['cpu']:.2f}x cpu, {d['wall'] / f['wall']:.2f}x wall"
                                 f" | memory ratio {f['extra_mib'] / d['extra_mib']:.2f}")
                    if "funnelnet" in res and "pandas" in res:
                        f, p = res["funnelnet"], res["pandas"]
                        line += f" | pandas idiom / funnelnet {p['cpu'] / f['cpu']:.2f}x cpu, {p['wall'] / f['wall']:.2f}x wall"
                    print(line + f" | load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
