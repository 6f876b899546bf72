"""Python-side memory of ``ReferralGraph.from_edges`` on 10^7 random int64 edges:
tracemalloc's peak and what stays allocated (numpy registers its buffers with
tracemalloc; the C++ work is not traced) and the growth of the process's peak RSS.

    python benchmarks/python/graph_build_memory.py [--edges 10000000]
"""
from __future__ import annotations

import argparse
import gc
import resource
import tracemalloc

import numpy as np

import funnelnet as fn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--edges", type=int, default=10**7)
    m = ap.parse_args().edges
    rng = np.random.default_rng(0)
    s, d = rng.integers(0, 2**62, m), rng.integers(0, 2**62, m)
    gc.collect()
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    g = fn.ReferralGraph.from_edges(s, d)
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    r1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{m} edges, {g.number_of_nodes} nodes: traced peak {peak / 2**20:.1f} MiB, "
          f"kept {cur / 2**20:.1f} MiB; peak RSS growth {(r1 - r0) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
