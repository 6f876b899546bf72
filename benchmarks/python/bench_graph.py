"""Referral-network benchmarks against the libraries users would otherwise pick.

Prints wall times and ratios, side by side on the same machine and thread count:

1. graph build from 10^7 numpy edges: funnelnet vs NetworKit (nk.GraphFromCoo) and
   networkx (on 10^6 edges);
2. PageRank on wiki-Vote, facebook and a synthetic power-law graph (10^6 nodes,
   10^7 edges) vs NetworKit; networkx on wiki-Vote, facebook and a 10^5-node /
   10^6-edge synthetic graph (networkx on 10^7 edges is impractical);
3. IC Monte Carlo throughput (weighted cascade) vs cynetdiff on facebook and wiki-Vote;
4. IMM k=50 weighted-cascade IC on facebook and the synthetic graph: time, peak
   memory, spread (simulated), and CELF's spread on facebook where affordable.

    PYTHONPATH=bindings/python .venv/bin/python benchmarks/python/bench_graph.py --threads 1
    ... --quick     (smaller synthetic graphs, for a smoke run)
"""
from __future__ import annotations

import argparse
import array
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

import funnelnet as fn
from funnelnet import influence

DATA = Path(os.environ.get("FUNNELNET_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")) / "graphs"


def timed(fn_, repeat=3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn_()
        best = min(best, time.perf_counter() - t)
    return best, out


def power_law_edges(n, m, seed=0, exponent=2.1):
    """Chung-Lu style directed edges: endpoints drawn with weight ~ rank^(-1/(exponent-1))."""
    rng = np.random.default_rng(seed)
    w = np.arange(1, n + 1, dtype=np.float64) ** (-1.0 / (exponent - 1.0))
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    perm_s, perm_t = rng.permutation(n), rng.permutation(n)
    src = perm_s[np.searchsorted(cdf, rng.random(m))].astype(np.int64)
    dst = perm_t[np.searchsorted(cdf, rng.random(m))].astype(np.int64)
    return src, dst


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nk_graph(nk, n, src, dst):
    g = nk.GraphFromCoo((np.ones(len(src)), (src.astype(np.uint64), dst.astype(np.uint64))), n=n, directed=True)
    return g


def nx_graph(nx, src, dst):
    G = nx.DiGraph()
    G.add_edges_from(zip(src.tolist(), dst.tolist()))
    return G


def bench_build(args, nk, nx):
    print("\n== graph build from numpy edges ==")
    n, m = (10**5, 10**6) if args.quick else (10**6, 10**7)
    src, dst = power_law_edges(n, m, seed=1)
    t_fn, g = timed(lambda: fn.ReferralGraph.from_edges(src, dst, duplicates="keep"), repeat=2)
    print(f"funnelnet from_edges  n={n:.0e} m={m:.0e}: {t_fn:.3f} s  ({g.number_of_edges} edges)")
    t_nk, _ = timed(lambda: nk_graph(nk, n, src, dst), repeat=2)
    print(f"networkit GraphFromCoo                 : {t_nk:.3f} s   ratio nk/fn = {t_nk / t_fn:.2f}x")
    small = 10**6 // (10 if args.quick else 1)
    t_nx, _ = timed(lambda: nx_graph(nx, src[:small], dst[:small]), repeat=1)
    t_fn_s, _ = timed(lambda: fn.ReferralGraph.from_edges(src[:small], dst[:small]), repeat=2)
    print(f"networkx DiGraph on the first {small:.0e} edges: {t_nx:.3f} s vs funnelnet {t_fn_s:.4f} s"
          f"   ratio nx/fn = {t_nx / t_fn_s:.1f}x")


def bench_pagerank(args, nk, nx):
    print(f"\n== PageRank (damping 0.85, L1 tol 1e-10 per node, threads={args.threads}) ==")
    cases = []
    wiki = fn.ReferralGraph.read_edge_list(DATA / "wiki-Vote" / "wiki-Vote.txt")
    fb = fn.ReferralGraph.read_edge_list(DATA / "facebook" / "facebook_combined_opim.txt", header_lines=1)
    cases.append(("wiki-Vote", wiki, True))
    cases.append(("facebook", fb, True))
    n, m = (10**5, 10**6) if args.quick else (10**6, 10**7)
    src, dst = power_law_edges(n, m, seed=2)
    big = fn.ReferralGraph.from_edges(src, dst, nodes=np.arange(n))
    cases.append((f"power-law n={n:.0e} m={m:.0e}", big, args.quick))
    n2, m2 = 10**5, 10**6
    s2, d2 = power_law_edges(n2, m2, seed=3)
    mid = fn.ReferralGraph.from_edges(s2, d2, nodes=np.arange(n2))
    cases.append(("power-law n=1e5 m=1e6", mid, True))
    nk.setNumberOfThreads(args.threads)
    for name, g, with_nx in cases:
        c = g._core
        from funnelnet import _core

        e0, e1 = np.empty(0), np.empty(0)
        t_fn, (prv, it_fn) = timed(lambda: _core.graph.pagerank(c, 0.85, False, e0, 0, e1, 1e-10, 1000, args.threads))
        pr = g.pagerank(tol=1e-10, threads=args.threads)
        G = nk_graph(nk, g.number_of_nodes, np.asarray(c.sources, dtype=np.int64), np.asarray(c.targets, dtype=np.int64))

        def run_nk():
            p = nk.centrality.PageRank(G, damp=0.85, tol=1e-10)
            p.norm = nk.centrality.Norm.L1_NORM
            p.run()
            return np.asarray(p.scores()), p.numberOfIterations()

        t_nk, (nkpr, it_nk) = timed(run_nk)
        # NetworKit's dangling handling and stopping rule differ slightly; report the gap.
        gap = np.abs(nkpr / nkpr.sum() - pr.to_numpy()).max()
        line = (f"{name:28s} funnelnet {t_fn:8.4f} s ({it_fn} it) | networkit {t_nk:8.4f} s ({it_nk} it, "
                f"{t_nk / t_fn:5.2f}x)")
        if with_nx:
            H = nx_graph(nx, np.asarray(c.sources, dtype=np.int64), np.asarray(c.targets, dtype=np.int64))
            H.add_nodes_from(range(g.number_of_nodes))
            t_nx, ref = timed(lambda: nx.pagerank(H, tol=1e-10, max_iter=1000), repeat=1)
            err = np.abs(np.asarray([ref[i] for i in range(g.number_of_nodes)]) - pr.to_numpy()).max()
            line += f" | networkx {t_nx:8.3f} s ({t_nx / t_fn:6.1f}x, max |diff| {err:.1e})"
        print(line + f" | nk max |diff| {gap:.1e}")


def ic_seeds(g, k, seed=0):
    """k distinct random seed nodes: (node positions for cynetdiff, node labels for funnelnet)."""
    idx = np.random.default_rng(seed).choice(g.number_of_nodes, k, replace=False)
    return idx, list(g.nodes[idx])


def cynetdiff_ic(g, p, rng=1):
    """cynetdiff's IndependentCascadeModel on g's CSR (node positions 0..n-1) with the
    edge probabilities p in g.edges() order, as float32 (cynetdiff's type)."""
    from cynetdiff.models import IndependentCascadeModel

    c = g._core
    starts = array.array("I", np.searchsorted(np.asarray(c.sources), np.arange(g.number_of_nodes)).astype(np.uint32))
    edges = array.array("I", np.asarray(c.targets, dtype=np.uint32))
    return IndependentCascadeModel(starts, edges, activation_probs=array.array("f", p.astype(np.float32)), rng=rng)


def bench_ic(args):
    print(f"\n== IC Monte Carlo, weighted cascade (threads={args.threads} for funnelnet; cynetdiff is single-threaded) ==")
    for name, g in (
        ("facebook", fn.ReferralGraph.read_edge_list(DATA / "facebook" / "facebook_combined_opim.txt", header_lines=1)),
        ("wiki-Vote", fn.ReferralGraph.read_edge_list(DATA / "wiki-Vote" / "wiki-Vote.txt")),
    ):
        p = influence.edge_probabilities(g, "wc")
        seeds_idx, seeds = ic_seeds(g, 50)
        sims = 2000 if args.quick else 20000
        t_fn, r = timed(lambda: influence.spread(g, seeds, probabilities=p, n_sims=sims, seed=1, threads=args.threads))
        model = cynetdiff_ic(g, p, rng=1)
        t_cy, mean_cy = timed(lambda: model.compute_marginal_gains(seeds_idx.tolist(), [], sims)[0])
        print(f"{name:10s} {sims} sims: funnelnet {t_fn:.3f} s ({sims / t_fn:,.0f} sims/s, spread {r.mean:.2f} "
              f"+- {r.stderr:.2f}) | cynetdiff {t_cy:.3f} s ({sims / t_cy:,.0f} sims/s, spread {mean_cy:.2f}) "
              f"| speed-up {t_cy / t_fn:.2f}x")
        if args.threads != 1:
            t1, _ = timed(lambda: influence.spread(g, seeds, probabilities=p, n_sims=sims, seed=1, threads=1))
            print(f"{'':10s} funnelnet single-thread {t1:.3f} s -> {t_cy / t1:.2f}x vs cynetdiff")


def _imm_graph(name, quick):
    if name == "facebook":
        return fn.ReferralGraph.read_edge_list(DATA / "facebook" / "facebook_combined_opim.txt", header_lines=1)
    n, m = (10**5, 10**6) if quick else (10**6, 10**7)
    src, dst = power_law_edges(n, m, seed=2)
    return fn.ReferralGraph.from_edges(src, dst, nodes=np.arange(n))


def imm_child(args):
    """Runs in a fresh process so that peak RSS belongs to one IMM run."""
    g = _imm_graph(args.imm_child, args.quick)
    before = rss_mib()
    t, r = timed(lambda: influence.imm(g, 50, eps=0.5, seed=1, threads=args.threads), repeat=1)
    after = rss_mib()
    # Each simulation on the power-law graph touches ~half of its 10^7 edges: fewer sims there.
    sims = 2000 if args.imm_child == "facebook" else 200
    sim = influence.spread(g, r.seeds, n_sims=sims, seed=5, threads=args.threads)
    print(f"IMM {t:7.2f} s, {r.n_rr_sets:,} RR sets, peak RSS {after:,.0f} MiB ({after - before:+,.0f} over the "
          f"loaded graph), estimate {r.spread:,.1f}, simulated {sim.mean:,.1f} +- {sim.stderr:.1f}")
    if args.imm_child == "facebook" and not args.quick:
        t_c, c = timed(lambda: influence.celf(g, 50, n_sims=50, seed=1, threads=args.threads), repeat=1)
        sc = influence.spread(g, c.seeds, n_sims=2000, seed=5, threads=args.threads)
        print(f"CELF (50 sims per estimate) {t_c:7.1f} s, simulated {sc.mean:,.1f} +- {sc.stderr:.1f}; "
              f"IMM / CELF spread = {sim.mean / sc.mean:.3f}")


def bench_imm(args):
    import subprocess

    print(f"\n== IMM k=50, weighted-cascade IC, eps=0.5 (threads={args.threads}) ==")
    for name in ("facebook", "powerlaw"):
        cmd = [sys.executable, __file__, "--imm-child", name, "--threads", str(args.threads)]
        if args.quick:
            cmd.append("--quick")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        for line in out.stdout.strip().splitlines():
            print(f"{name:10s} {line}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["build", "pagerank", "ic", "imm"])
    ap.add_argument("--imm-child", choices=["facebook", "powerlaw"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.imm_child:
        imm_child(args)
        return 0
    import networkit as nk
    import networkx as nx

    nk.engineering.setLogLevel("ERROR") if hasattr(nk, "engineering") else None
    print(f"funnelnet {fn.__version__}, networkit {nk.__version__}, networkx {nx.__version__}, "
          f"cores {os.cpu_count()}, threads {args.threads}")
    if args.only in (None, "build"):
        bench_build(args, nk, nx)
    if args.only in (None, "pagerank"):
        bench_pagerank(args, nk, nx)
    if args.only in (None, "ic"):
        bench_ic(args)
    if args.only in (None, "imm"):
        bench_imm(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
