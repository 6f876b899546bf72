"""The demo's wall time: ``python -m funnelnet demo`` at the default size (50,000
accounts, 24 months), end to end in a fresh process (import, generation, every section,
charts, writing the folder), plus the time of each section of the report.

    .venv/bin/python benchmarks/python/bench_report.py                  # default size, 3 runs
    .venv/bin/python benchmarks/python/bench_report.py --size 100000 --runs 1
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time


def sections(size: int, seed: int) -> None:
    import funnelnet as fn
    from funnelnet.report._shared import Context
    from funnelnet.report.registry import _load

    crm = fn.datasets.synthetic_crm(n_accounts=size, months=24, seed=seed)
    ctx = Context(fn.report.inputs_from_crm(crm), seed=seed)
    for s in _load():
        if s.compute is None or any(n not in ctx.inputs.available() for n in s.needs):
            continue
        t = time.perf_counter()
        s.compute(ctx)
        print(f"  section {s.id:<15} {time.perf_counter() - t:6.2f} s")


def main() -> None:
    from funnelnet.cli import DEFAULT_SIZE

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    walls = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "funnelnet", "demo", "--size", str(args.size), "--seed",
                            str(args.seed), "--out", out], check=True, capture_output=True)
            walls.append(time.perf_counter() - t)
    print(f"demo --size {args.size}: wall {min(walls):.1f} s best of {args.runs} "
          f"(all: {', '.join(f'{w:.1f}' for w in walls)})")
    sections(args.size, args.seed)


if __name__ == "__main__":
    main()
