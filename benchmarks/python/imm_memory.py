"""IMM's RR-set memory estimate against the measured peak (issue 17).

Before each batch of RR sets, imm() estimates their peak memory and refuses with
MemoryError when that exceeds half of the machine's memory.  The estimate was
sets * (8 + 2 * 4 * mean_set_size) bytes (one copy of offsets and node ids, the greedy
cover's index: "old" below); it is now sets * (3 * (8 + 4 * mean) + 4 * mean) ("new":
about three copies of the sets while a batch is merged, plus the index).  This
script runs imm() in a fresh process per case on wiki-Vote (weighted cascade, IC) and
prints, per (eps, k): the number of RR sets, their mean size (measured independently
here by drawing 4000 RR sets in numpy with the same model), the estimate, and the peak
resident memory that imm() added (ru_maxrss after minus before).

    FUNNELNET_SHARED_DATA=/work/shared/data python benchmarks/python/imm_memory.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

CASE = r"""
import json, resource, sys
import funnelnet as fn
path, eps, k = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
g = fn.ReferralGraph.read_edge_list(path)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = fn.graph.influence.imm(g, k, eps=eps, seed=1, threads=1)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"sets": r.n_rr_sets, "added_kb": after - before}))
"""


def mean_rr_size(path: str, draws: int = 4000, seed: int = 0) -> tuple[float, int]:
    """Mean size of an IC RR set under weighted cascade (p(u->v) = 1 / in-degree(v))."""
    e = np.loadtxt(path, dtype=np.int64, comments="#")
    e = e[e[:, 0] != e[:, 1]]
    ids, inv = np.unique(e, return_inverse=True)
    src, dst = inv.reshape(-1, 2).T
    n = len(ids)
    order = np.argsort(dst, kind="stable")
    src_by_dst = src[order]
    off = np.zeros(n + 1, dtype=np.int64)
    np.add.at(off, dst + 1, 1)
    off = np.cumsum(off)
    indeg = np.diff(off)
    rng = np.random.default_rng(seed)
    sizes = []
    for _ in range(draws):
        root = int(rng.integers(n))
        seen = {root}
        frontier = [root]
        while frontier:
            v = frontier.pop()
            lo, hi = off[v], off[v + 1]
            if hi == lo:
                continue
            hit = rng.random(hi - lo) < 1.0 / indeg[v]
            for u in src_by_dst[lo:hi][hit]:
                if int(u) not in seen:
                    seen.add(int(u))
                    frontier.append(int(u))
        sizes.append(len(seen))
    return float(np.mean(sizes)), n


def main() -> int:
    data = os.environ.get("FUNNELNET_SHARED_DATA", "/work/shared/data")
    path = os.path.join(data, "graphs", "wiki-Vote", "wiki-Vote.txt")
    mean, n = mean_rr_size(path)
    print(f"wiki-Vote: n={n}, mean RR-set size {mean:.2f} (4000 numpy draws)")
    print(f"{'eps':>6} {'k':>4} {'RR sets':>10} {'old est. MB':>12} {'new est. MB':>12} {'peak added MB':>14} "
          f"{'peak/old':>9} {'peak/new':>9}")
    for eps, k in [(0.1, 10), (0.05, 10), (0.05, 50), (0.02, 10)]:
        out = subprocess.run([sys.executable, "-c", CASE, path, str(eps), str(k)], capture_output=True, text=True,
                             check=True).stdout
        d = json.loads(out.strip().splitlines()[-1])
        old = d["sets"] * (8 + 2 * 4 * mean) / 1e6
        new = d["sets"] * (3 * (8 + 4 * mean) + 4 * mean) / 1e6
        got = d["added_kb"] * 1024 / 1e6
        print(f"{eps:>6} {k:>4} {d['sets']:>10} {old:>12.1f} {new:>12.1f} {got:>14.1f} {got / old:>9.2f} "
              f"{got / new:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
