"""fn.datasets.synthetic_crm: generation time, rows per second and peak memory at 10^4,
10^5 and 10^6 accounts (24 months: accounts with tier snapshots, funnel leads and events,
transactions, touches, activities).  Each size runs in a fresh process so its peak resident memory is its own.

    .venv/bin/python benchmarks/python/bench_datasets.py                 # 1e4 1e5 1e6, all cores
    .venv/bin/python benchmarks/python/bench_datasets.py --sizes 1e6 --threads 2

"C++" is the generator alone (funnelnet._core.datasets.synthetic_crm, columns as numpy
arrays); "total" adds building the pandas frames.  Rows = accounts + leads + events +
transactions + opportunities + referrals + touches + activities (the tier snapshots, accounts x months cells, are counted separately).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def one(n: int, months: int, threads: int, seed: int) -> dict:
    import funnelnet as fn
    from funnelnet import _core

    t0 = time.perf_counter()
    d = _core.datasets.synthetic_crm({"n_accounts": n, "months": months, "seed": seed, "threads": threads})
    t1 = time.perf_counter()
    del d
    t2 = time.perf_counter()
    crm = fn.datasets.synthetic_crm(n_accounts=n, months=months, seed=seed, threads=threads)
    t3 = time.perf_counter()
    rows = (len(crm.accounts) + len(crm.leads) + len(crm.events) + len(crm.transactions)
            + len(crm.opportunities) + len(crm.referrals) + len(crm.touches) + len(crm.activities))
    return {
        "accounts": n, "cpp_s": t1 - t0, "total_s": t3 - t2, "rows": rows, "leads": len(crm.leads),
        "events": len(crm.events), "transactions": len(crm.transactions), "touches": len(crm.touches),
        "activities": len(crm.activities), "tier_cells": crm.tiers.size,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6])
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child is not None:
        print(json.dumps(one(a.child, a.months, a.threads, a.seed)))
        return
    print(f"{'accounts':>10} {'C++ s':>8} {'total s':>8} {'rows':>11} {'rows/s':>12} {'events':>10} "
          f"{'tx':>9} {'touches':>10} {'activities':>10} {'tier cells':>11} {'peak MiB':>9}")
    for size in a.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(int(size)), "--months", str(a.months),
                              "--threads", str(a.threads), "--seed", str(a.seed)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{r['accounts']:>10,} {r['cpp_s']:>8.2f} {r['total_s']:>8.2f} {r['rows']:>11,} "
              f"{r['rows'] / r['total_s']:>12,.0f} {r['events']:>10,} {r['transactions']:>9,} "
              f"{r['touches']:>10,} {r['activities']:>10,} "
              f"{r['tier_cells']:>11,} {r['peak_mib']:>9.0f}")


if __name__ == "__main__":
    main()
