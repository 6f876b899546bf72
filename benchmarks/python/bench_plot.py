"""Graph layout for fn.plot.referral_graph: ReferralGraph.layout (C++ pivot MDS + grid
Fruchterman-Reingold, default 50 pivots and 50 steps, one thread) on referral-like graphs
of 2,000, 10^4 and 10^5 nodes, against networkx.spring_layout (Fruchterman-Reingold, 50
iterations; O(n^2) a step, so only at 2,000 nodes).  Prints the CPU seconds of one layout
(process time: robust on a shared machine) and, as a quality figure, the Pearson
correlation between drawn distance and hop distance over about 2,000 sampled pairs.

    .venv/bin/python benchmarks/python/bench_plot.py            # 2,000, 10^4 and 10^5 nodes
    .venv/bin/python benchmarks/python/bench_plot.py --small    # 2,000 and 10^4
"""
from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

import funnelnet as fn


def graph(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A referral-like graph: a random tree (each node referred by an earlier one, with
    preferential attachment) plus n/2 extra random ties."""
    rng = np.random.default_rng(seed)
    parent = (rng.random(n - 1) * np.arange(1, n)).astype(np.int64)  # uniform earlier node
    hub = (rng.random(n - 1) ** 3 * np.arange(1, n)).astype(np.int64)  # skewed to early nodes
    use_hub = rng.random(n - 1) < 0.5
    src = np.where(use_hub, hub, parent)
    dst = np.arange(1, n)
    extra = rng.integers(0, n, (n // 2, 2))
    return np.r_[src, extra[:, 0]], np.r_[dst, extra[:, 1]]


def quality(pos: np.ndarray, g: nx.Graph, seed: int) -> float:
    rng = np.random.default_rng(seed)
    nodes = np.array(list(g.nodes))
    a = rng.choice(nodes, 40, replace=False)
    hops, drawn = [], []
    for s in a:
        d = nx.single_source_shortest_path_length(g, int(s))
        targets = rng.choice(nodes, 50, replace=False)
        for t in targets:
            if int(t) in d and t != s:
                hops.append(d[int(t)])
                drawn.append(np.hypot(*(pos[int(s)] - pos[int(t)])))
    return float(np.corrcoef(hops, drawn)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    args = ap.parse_args()
    sizes = [2_000, 10_000] if args.small else [2_000, 10_000, 100_000]
    print(f"{'nodes':>8} {'edges':>8} {'funnelnet cpu s':>16} {'corr':>6} {'networkx cpu s':>15} {'corr':>6}")
    for n in sizes:
        src, dst = graph(n, 0)
        g = fn.ReferralGraph.from_edges(src, dst, nodes=np.arange(n))
        u = nx.Graph()
        u.add_nodes_from(range(n))
        u.add_edges_from(zip(src.tolist(), dst.tolist()))
        t = time.process_time()
        pos = g.layout(seed=0, threads=1).loc[np.arange(n)].to_numpy()
        ours = time.process_time() - t
        q = quality(pos, u, 1)
        if n <= 2_000:
            t = time.process_time()
            p = nx.spring_layout(u, iterations=50, seed=0)
            theirs = time.process_time() - t
            qn = quality(np.array([p[v] for v in range(n)]), u, 1)
            print(f"{n:>8} {g.number_of_edges:>8} {ours:>16.2f} {q:>6.2f} {theirs:>15.2f} {qn:>6.2f}")
        else:
            print(f"{n:>8} {g.number_of_edges:>8} {ours:>16.2f} {q:>6.2f} {'(skipped)':>15} {'':>6}")


if __name__ == "__main__":
    main()
