"""funnelnet against the strongest baseline a user would pick, side by side in one process.

    .venv/bin/python benchmarks/python/compare.py [--only counting absorbing pagerank build
        stream attribution ic customers] [--events 10000000] [--repeat 3] [--threads 1 2]
        [--quick] [--smoke]

Needs only the test requirements (tests/requirements/bench.txt: duckdb, polars, igraph,
networkit, scipy; attribution.txt, graph.txt and customers.txt for ChannelAttribution,
cynetdiff and lifetimes).  Every section first checks that funnelnet and each baseline give the
same answer (and stops with an AssertionError if not), then times each one ``--repeat``
times and prints the median (the machine is shared: medians, not minima).  Ratios are
baseline time / funnelnet time, so > 1 means funnelnet is faster.

Sections
  counting   transitions from 10^7 shuffled events, random int64 lead ids, stages as
             strings, integer codes and a Categorical; 1 and 2 threads.  Baselines: duckdb
             (LAG window + GROUP BY), polars (sort + shift over lead + group_by, its own
             thread pool), the pandas idiom on the same frame (sort_values, groupby
             shift, crosstab; 1 thread) and the numpy integer-code idiom (lexsort,
             compare neighbours, bincount; 1 thread, the stronger of the two).
  absorbing  absorption probabilities, expected steps and their variance.  Banded
             sparse funnels of 500 and 5,000 states vs scipy.sparse.linalg.splu on the
             same sparse matrix; a dense chain and a dense mostly-forward funnel of
             5,000 states (--dense 1000 5000 adds the 1,000-state rows; the funnel is
             solved by a Krylov method preconditioned with the upper triangle) vs
             scipy.linalg.lu_factor / lu_solve (LAPACK, OPENBLAS_NUM_THREADS=1 unless
             --blas-threads).
  pagerank   a 75,879-node / 508,837-edge power-law graph (soc-Epinions1's size; the file
             itself is not in ../shared/data), wiki-Vote from ../shared/data, and a
             10^6-node / 10^7-edge random graph.  Baselines: igraph (PRPACK), scipy power
             iteration with networkx's dangling rule and stopping rule (sum |x - x_prev| <
             n tol), NetworKit with sink distribution and the same L1 stopping rule.
  build      graph from int64 edge arrays vs scipy.sparse.csr_matrix.
  stream     the machine's copy bandwidth (numpy, STREAM-style) and, for counting and
             PageRank, the time the bytes they must move would take at that bandwidth.
  attribution  exact first-order Markov removal effects of a 10,000-row, 12-channel
             aggregated path table shaped like ChannelAttribution's sample data
             (bench_attribution.synthetic), checked against an independent dense solve per
             removal written here, vs ChannelAttribution's markov_model at its defaults
             (simulation: its error against the exact effects is printed).
  ic         independent-cascade Monte Carlo, weighted cascade, 50 random seeds, same
             probabilities on both sides, vs cynetdiff (single-threaded): the Epinions-sized
             power-law graph, ca-GrQc (an arXiv collaboration network like NetHEPT, from
             ../shared/data), facebook and wiki-Vote; spreads must agree within Monte Carlo
             error.
  customers  BG/NBD fit vs lifetimes' BetaGeoFitter on CDNOW (2,357 customers, also
             checked against Fader, Hardie and Lee's published fit) and on 10^6 synthetic
             customers (lifetimes on the first 10^5: the ratio is per customer); parameters
             and log-likelihoods must agree.
The last three time funnelnet at 1 thread; their CPU-second ratios are the fair figures on
a shared machine.  --smoke runs them (and only them, unless --only says otherwise) at tiny
sizes, for the test that keeps them working (tests/python/test_benchmarks_smoke.py).
"""
from __future__ import annotations

import argparse
import os
import sys

# BLAS threads are fixed when numpy loads: set them before importing it.
if __name__ == "__main__":
    _pre = argparse.ArgumentParser(add_help=False)
    _pre.add_argument("--blas-threads", type=int, default=1)
    _known, _ = _pre.parse_known_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(_known.blas_threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(_known.blas_threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(_known.blas_threads))

import statistics
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import funnelnet as fn

ROWS: list[tuple[str, str, float, str, float]] = []
DATA = Path(os.environ.get("FUNNELNET_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))


def timed(f: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls (at least 15 for calls under 50 ms, whose
    medians a shared machine's scheduling would otherwise decide), and the last result."""
    t0 = time.perf_counter()
    out = f()
    first = time.perf_counter() - t0
    times, cpu = [first], []
    if first < 0.05:
        repeat = max(repeat, 15)
    for _ in range(repeat - 1):
        c0, t0 = time.process_time(), time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    LAST_CPU[0] = statistics.median(cpu) if cpu else float("nan")
    return statistics.median(times), out


LAST_CPU = [float("nan")]
COPY_CPU_BW = [float("nan")]  # bytes per CPU second of the last copy_bandwidth()


def row(task: str, fn_time: float, baseline: str, base_time: float, cpu: tuple[float, float] | None = None,
        scale: float = 1.0) -> None:
    """One line: wall medians and their ratio; with ``cpu``, the CPU-second medians too
    (process time: all threads; on a loaded machine the fairer figure for 1 thread).
    ``scale`` multiplies both ratios: funnelnet's input size over the baseline's when the
    baseline ran on a smaller sample (a ratio per item; the task should say so)."""
    c = "" if cpu is None else f" | cpu {cpu[0]:8.4f} s vs {cpu[1]:8.4f} s ({scale * cpu[1] / cpu[0]:5.2f}x)"
    print(f"  {task:<58} funnelnet {fn_time:9.4f} s | {baseline:<28} {base_time:9.4f} s | "
          f"ratio {scale * base_time / fn_time:6.2f}x{c}", flush=True)


def timed_pair(ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int) -> tuple[float, float, tuple[float, float]]:
    """Wall medians of both and their CPU-second medians."""
    t_a, _ = timed(ours, repeat)
    c_a = LAST_CPU[0]
    t_b, _ = timed(theirs, repeat)
    return t_a, t_b, (c_a, LAST_CPU[0])


# ---------------------------------------------------------------------------- counting
N_STAGES = 8
STATES = [str(i) for i in range(N_STAGES + 2)]  # integer codes 0..9; 8 = won, 9 = lost


def make_events(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n shuffled events: leads of 2..18 events over 8 stages ending in 8 (won) or 9
    (lost); lead ids are random 64-bit integers (CRM ids, not 0..n_leads-1)."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(2, 19, size=n // 2 + 1)
    lens = lens[: np.searchsorted(np.cumsum(lens), n) + 1]
    lens[-1] -= lens.sum() - n
    ids = np.unique(rng.integers(-(2**63), 2**63 - 1, size=len(lens) + 1000, dtype=np.int64))
    ids = rng.permutation(ids)[: len(lens)]
    lead = np.repeat(ids, lens)
    t = rng.integers(1, 86_400, size=n).cumsum()
    stage = rng.integers(0, N_STAGES, size=n).astype(np.int8)
    last = np.cumsum(lens) - 1
    stage[last] = N_STAGES + rng.integers(0, 2, size=len(last))
    perm = rng.permutation(n)
    return lead[perm], t[perm], stage[perm]


def numpy_idiom(lead: np.ndarray, t: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The pandas/numpy integer-code idiom: sort by (lead, time), compare neighbours,
    bincount the (from, to) pairs; repeats of the current stage are not transitions."""
    order = np.lexsort((t, lead))
    ls, cs = lead[order], codes[order].astype(np.int64)
    ok = (ls[1:] == ls[:-1]) & (cs[1:] != cs[:-1])
    k = len(STATES)
    return np.bincount(cs[:-1][ok] * k + cs[1:][ok], minlength=k * k).reshape(k, k).astype(float)


def pandas_idiom(df: pd.DataFrame) -> np.ndarray:
    """What a pandas user writes: sort by (lead, time), the previous stage of each lead by
    ``groupby(...).shift()``, keep the changes of stage, cross-tabulate (from, to), and
    reindex the table to the states (any stage encoding: integers, Categorical, str)."""
    d = df.sort_values(["lead", "time"])
    stage = d["stage"]
    prev = d.groupby("lead", sort=False)["stage"].shift()
    keep = (prev.notna() & (prev != stage)).to_numpy(dtype=bool)
    tab = pd.crosstab(prev[keep].astype(stage.dtype), stage[keep])
    tab = tab.rename(index=str, columns=str).reindex(index=STATES, columns=STATES, fill_value=0)
    return tab.to_numpy().astype(float)


def section_counting(args: argparse.Namespace) -> None:
    import duckdb
    import polars as pl

    n = args.events
    print(f"\n## counting: {n:,} shuffled events, random int64 lead ids", flush=True)
    lead, t, code = make_events(n)
    variants = {
        "integer codes": pd.DataFrame({"lead": lead, "time": t, "stage": code.astype(np.int64)}),
        "Categorical": pd.DataFrame({"lead": lead, "time": t,
                                     "stage": pd.Categorical.from_codes(code, categories=STATES)}),
        "strings": pd.DataFrame({"lead": lead, "time": t, "stage": np.asarray(STATES, dtype=object)[code]}),
    }
    want = numpy_idiom(lead, t, code)
    absorbing = STATES[-2:]
    funnel = fn.Funnel(STATES[:-2], outcomes=absorbing)
    con = duckdb.connect()
    sql = ("SELECT prev, stage, count(*) AS c FROM (SELECT stage, lag(stage) OVER "
           "(PARTITION BY lead ORDER BY time) AS prev FROM df) WHERE prev IS NOT NULL AND prev <> stage "
           "GROUP BY ALL")
    k = len(STATES)

    def duck(df: pd.DataFrame) -> np.ndarray:
        res = con.execute(sql.replace("FROM df", "FROM df_view")).fetchnumpy()
        m = np.zeros((k, k))
        pos = {s: i for i, s in enumerate(STATES)}
        f = np.asarray([pos[str(x)] for x in res["prev"]])
        g = np.asarray([pos[str(x)] for x in res["stage"]])
        m[f, g] = res["c"]
        return m

    def polars_counts(pdf: pl.DataFrame) -> np.ndarray:
        out = (pdf.sort(["lead", "time"])
               .with_columns(prev=pl.col("stage").shift(1).over("lead"))
               .filter(pl.col("prev").is_not_null() & (pl.col("prev") != pl.col("stage")))
               .group_by(["prev", "stage"]).len())
        m = np.zeros((k, k))
        pos = {s: i for i, s in enumerate(STATES)}
        f = np.asarray([pos[str(x)] for x in out["prev"].to_list()])
        g = np.asarray([pos[str(x)] for x in out["stage"].to_list()])
        m[f, g] = out["len"].to_numpy()
        return m

    for name, df in variants.items():
        pdf = pl.from_pandas(df) if name != "Categorical" else pl.from_pandas(df.assign(stage=df["stage"].astype(str)))
        con.register("df_view", df)
        # The single-threaded idioms, timed once per encoding and set against each thread
        # count: pandas on this frame (what the issue calls the pandas idiom) and numpy on
        # the integer codes (the stronger baseline: no frame, no groupby).
        assert np.array_equal(pandas_idiom(df), want), f"pandas idiom counts differ ({name})"
        t_pd, _ = timed(lambda: pandas_idiom(df), args.repeat)
        c_pd = LAST_CPU[0]
        t_np, _ = timed(lambda: numpy_idiom(lead, t, code), args.repeat)
        c_np = LAST_CPU[0]
        for threads in args.threads:
            def ours() -> np.ndarray:
                c = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel,
                                                    threads=threads)
                return c.to_frame().reindex(index=STATES, columns=STATES).to_numpy()
            assert np.array_equal(ours(), want), f"funnelnet counts differ ({name})"
            t_fn, _ = timed(ours, args.repeat)
            c_fn = LAST_CPU[0]
            con.execute(f"SET threads={threads}")
            assert np.array_equal(duck(df), want), f"duckdb counts differ ({name})"
            t_dk, _ = timed(lambda: duck(df), args.repeat)
            row(f"count {name}, {threads} thread(s)", t_fn, "duckdb LAG + GROUP BY", t_dk, (c_fn, LAST_CPU[0]))
            row(f"count {name}, {threads} thread(s)", t_fn, "pandas sort+shift+crosstab", t_pd, (c_fn, c_pd))
            row(f"count {name}, {threads} thread(s)", t_fn, "numpy lexsort+bincount", t_np, (c_fn, c_np))
            if threads == max(args.threads):
                assert np.array_equal(polars_counts(pdf), want), f"polars counts differ ({name})"
                t_pl, _ = timed(lambda: polars_counts(pdf), args.repeat)
                row(f"count {name}, {threads} thread(s)", t_fn, f"polars ({pl.thread_pool_size()} threads)", t_pl)
        con.unregister("df_view")


# ---------------------------------------------------------------------------- absorbing
def banded_funnel(n: int, seed: int = 2) -> sp.csr_matrix:
    """A funnel of n states (n - 2 transient stages, then won, lost) as CSR: stage i moves
    forward to i+1..i+3, back to i-1, and to won / lost: banded, mostly upper triangular."""
    rng = np.random.default_rng(seed)
    nt = n - 2
    rows, cols = [], []
    i = np.arange(nt)
    for off in (1, 2, 3, -1):
        j = i + off
        ok = (j >= 0) & (j < nt)
        rows.append(i[ok])
        cols.append(j[ok])
    rows += [i, i]
    cols += [np.full(nt, nt), np.full(nt, nt + 1)]
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    v = rng.uniform(0.05, 1.0, size=len(r))
    p = sp.csr_matrix((v, (r, c)), shape=(n, n))
    p = sp.diags(1.0 / np.asarray(p.sum(axis=1)).ravel().clip(min=1e-300)) @ p
    p = p.tolil()
    p[nt, nt] = 1.0
    p[nt + 1, nt + 1] = 1.0
    return p.tocsr()


def dense_chain(n: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.0, 1.0, size=(n, n))
    p[:, -2:] *= 5.0
    p /= p.sum(axis=1, keepdims=True)
    p[-2:] = 0.0
    p[-2, -2] = p[-1, -1] = 1.0
    return p


def forward_dense_chain(n: int, seed: int = 4) -> np.ndarray:
    """A dense, mostly-forward funnel (every later stage reachable, 2 % weight backwards,
    a little to won / lost from everywhere): plain BiCGSTAB crawls on it."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.0, 1.0, size=(n, n))
    p = np.triu(p, 1) + 0.02 * np.tril(p, -1)
    p[:, -2:] = 0.002
    p[-2:] = 0.0
    p /= np.maximum(p.sum(axis=1, keepdims=True), 1e-300)
    p[-2, -2] = p[-1, -1] = 1.0
    return p


def scipy_absorbing_sparse(p: sp.csr_matrix, nt: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a user writes: slice Q and R, splu(I - Q), solve for [R, 1], then N t."""
    q = p[:nt, :nt]
    r = p[:nt, nt:].toarray()
    lu = spla.splu(sp.identity(nt, format="csc") - q.tocsc())
    x = lu.solve(np.column_stack([r, np.ones(nt)]))
    b, steps = x[:, :-1], x[:, -1]
    var = 2.0 * lu.solve(steps) - steps - steps * steps
    return b, steps, var


def scipy_absorbing_dense(p: np.ndarray, nt: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = p[:nt, :nt]
    lu = scipy.linalg.lu_factor(np.eye(nt) - q, overwrite_a=True, check_finite=False)
    x = scipy.linalg.lu_solve(lu, np.column_stack([p[:nt, nt:], np.ones(nt)]), check_finite=False)
    b, steps = x[:, :-1], x[:, -1]
    var = 2.0 * scipy.linalg.lu_solve(lu, steps, check_finite=False) - steps - steps * steps
    return b, steps, var


def funnelnet_absorbing(p: Any, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        chain = fn.MarkovChain(p, states=names)
    except Exception:  # a version without sparse input: the dense detour
        chain = fn.MarkovChain(p.toarray() if sp.issparse(p) else p, states=names)
    a = chain.absorption()
    return a.probabilities.to_numpy(), a.expected_steps.to_numpy(), a.steps_variance.to_numpy()


def check_absorbing(ours: tuple, theirs: tuple, what: str) -> None:
    for x, y, name in zip(ours, theirs, ("absorption", "expected steps", "variance")):
        assert np.allclose(x, y, rtol=1e-8, atol=1e-10), f"{what}: {name} differs (max {np.abs(x - y).max():.3g})"


def section_absorbing(args: argparse.Namespace) -> None:
    print("\n## absorbing analysis (B = N R, t = N 1, Var t)", flush=True)
    for n in args.banded:
        p = banded_funnel(n)
        names = [f"s{i}" for i in range(n - 2)] + ["won", "lost"]
        ours = funnelnet_absorbing(p, names)
        check_absorbing(ours, scipy_absorbing_sparse(p, n - 2), f"banded {n}")
        t_fn, t_sc, c = timed_pair(lambda: funnelnet_absorbing(p, names), lambda: scipy_absorbing_sparse(p, n - 2),
                                   args.repeat)
        row(f"absorbing, {n:,}-state banded sparse funnel (CSR in)", t_fn, "scipy splu", t_sc, c)
    for n in args.dense:
        for kind, make in (("dense chain", dense_chain), ("dense forward funnel", forward_dense_chain)):
            p = make(n)
            names = [f"s{i}" for i in range(n - 2)] + ["won", "lost"]
            ours = funnelnet_absorbing(p, names)
            check_absorbing(ours, scipy_absorbing_dense(p, n - 2), f"{kind} {n}")
            t_fn, t_sc, c = timed_pair(lambda: funnelnet_absorbing(p, names),
                                       lambda: scipy_absorbing_dense(p, n - 2), max(2, args.repeat - 1))
            row(f"absorbing, {n:,}-state {kind}", t_fn,
                f"LAPACK lu_factor ({os.environ.get('OPENBLAS_NUM_THREADS', '?')} thr)", t_sc, c)


# ---------------------------------------------------------------------------- graphs
def powerlaw_graph(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """m distinct directed edges without self-loops, heavy-tailed in- and out-degrees."""
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, n + 1) ** 0.6
    w /= w.sum()
    src = rng.choice(n, size=int(m * 1.15), p=w)
    dst = rng.permutation(n)[rng.choice(n, size=int(m * 1.15), p=w)]
    key = np.unique(src.astype(np.int64) * n + dst)
    key = key[(key // n) != (key % n)]
    key = rng.permutation(key)[:m]
    return key // n, key % n


def random_graph(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    key = np.unique(rng.integers(0, n, size=int(m * 1.02)) * n + rng.integers(0, n, size=int(m * 1.02)))
    key = key[(key // n) != (key % n)]
    key = rng.permutation(key)[:m]
    return key // n, key % n


def read_snap(path: Path) -> tuple[np.ndarray, np.ndarray]:
    e = pd.read_csv(path, sep=r"\s+", comment="#", header=None, dtype=np.int64).to_numpy()
    _, inv = np.unique(e.ravel(), return_inverse=True)
    e = inv.reshape(-1, 2)
    key = np.unique(e[:, 0] * (inv.max() + 1) + e[:, 1])
    n = int(inv.max() + 1)
    key = key[(key // n) != (key % n)]
    return key // n, key % n


def scipy_pagerank(a: sp.csr_matrix, damping: float, tol: float, max_iter: int = 1000) -> tuple[np.ndarray, int]:
    """networkx's _pagerank_scipy iteration on a prebuilt row-normalised matrix."""
    n = a.shape[0]
    out = np.asarray(a.sum(axis=1)).ravel()
    dangling = out == 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out))
    w = sp.csr_matrix(sp.diags(inv) @ a)
    x = np.full(n, 1.0 / n)
    p = np.full(n, 1.0 / n)
    for it in range(1, max_iter + 1):
        xlast = x
        x = damping * (x @ w + x[dangling].sum() * p) + (1 - damping) * p
        if np.abs(x - xlast).sum() < n * tol:
            return x, it
    raise RuntimeError("scipy power iteration did not converge")


def section_pagerank(args: argparse.Namespace) -> None:
    import igraph as ig
    import networkit as nk

    print(f"\n## PageRank (damping 0.85, stop at sum |x - x_prev| < n * {args.tol:g})", flush=True)
    graphs: list[tuple[str, Callable[[], tuple[np.ndarray, np.ndarray]]]] = [
        ("power-law 75,879 / 508,837 (Epinions' size)", lambda: powerlaw_graph(75_879, 508_837, 5)),
    ]
    wiki = DATA / "graphs" / "wiki-Vote" / "wiki-Vote.txt"
    if wiki.exists():
        graphs.append(("wiki-Vote (../shared/data)", lambda: read_snap(wiki)))
    if not args.quick:
        graphs.append(("random 10^6 / 10^7", lambda: random_graph(1_000_000, 10_000_000, 6)))
    for name, make in graphs:
        src, dst = make()
        n = int(max(src.max(), dst.max()) + 1)
        g = fn.ReferralGraph.from_edges(src, dst, nodes=np.arange(n))
        perm = g.positions(np.arange(n))  # node order -> id order
        a = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
        ref, _ = scipy_pagerank(a, 0.85, 1e-13)
        igg = ig.Graph(n=n, edges=np.column_stack([src, dst]), directed=True)
        x_ig = np.asarray(igg.pagerank(damping=0.85, directed=True, implementation="prpack"))
        nkg = nk.GraphFromCoo((np.ones(len(src)), (src.astype(np.uint64), dst.astype(np.uint64))), n=n, directed=True)
        by_threads: dict[int, float] = {}
        cpu_one = float("nan")
        for threads in args.threads:
            def ours() -> np.ndarray:
                return g.pagerank(tol=args.tol, threads=threads).to_numpy()[perm]
            x_fn = ours()
            assert np.abs(x_fn - ref).sum() < 20 * n * args.tol + 1e-9, f"funnelnet PageRank differs ({name})"
            assert np.abs(x_ig - ref).sum() < 1e-6, f"igraph PageRank differs ({name})"
            t_fn, _ = timed(ours, args.repeat)
            c_fn = LAST_CPU[0]
            if threads == 1:
                cpu_one = c_fn
            by_threads[threads] = t_fn
            t_ig, _ = timed(lambda: igg.pagerank(damping=0.85, directed=True, implementation="prpack"), args.repeat)
            cpu = (c_fn, LAST_CPU[0]) if threads == 1 else None
            row(f"PageRank {name}, {threads} thr", t_fn, "igraph PRPACK (1 thread)", t_ig, cpu)
            if threads == 1:
                x_sc, it_sc = scipy_pagerank(a, 0.85, args.tol)
                assert np.abs(x_sc - ref).sum() < 20 * n * args.tol + 1e-9
                t_sc, _ = timed(lambda: scipy_pagerank(a, 0.85, args.tol), args.repeat)
                row(f"PageRank {name}, {threads} thr", t_fn, f"scipy power iteration ({it_sc} it)", t_sc,
                    (c_fn, LAST_CPU[0]))
            nk.setNumberOfThreads(threads)

            def nk_pr() -> np.ndarray:
                pr = nk.centrality.PageRank(nkg, damp=0.85, tol=n * args.tol,
                                            distributeSinks=nk.centrality.SinkHandling.DistributeSinks)
                pr.norm = nk.centrality.Norm.L1_NORM
                pr.run()
                return np.asarray(pr.scores())
            x_nk = nk_pr()
            x_nk = x_nk / x_nk.sum()
            assert np.abs(x_nk - ref).sum() < 1e-3, f"NetworKit PageRank differs ({name})"
            t_nk, _ = timed(nk_pr, args.repeat)
            row(f"PageRank {name}, {threads} thr", t_fn, f"NetworKit ({threads} thr)", t_nk)
        if 1 in by_threads:
            # Gap to the memory-bandwidth limit: the bytes one pass must move at least
            # (32-bit source index and a 4-byte float gather per edge; per node the 32-bit
            # in-offset, x read and written, 1/out-degree and the 4-byte contribution
            # written: 36 B) against a STREAM-style copy measured now, in this process.
            _, passes = fn._core.graph.pagerank(g._core, 0.85, False, np.empty(0), 0, np.empty(0), args.tol, 1000, 1)
            per_pass = 8 * len(src) + 36 * n
            copy_bandwidth(3)
            bw = COPY_CPU_BW[0]
            t_pass = cpu_one / passes
            print(f"  PageRank {name}: {passes} passes, >= {per_pass / 1e6:.1f} MB each -> "
                  f"{per_pass / t_pass / 1e9:.2f} GB/s against a {bw / 1e9:.2f} GB/s copy "
                  f"({per_pass / bw * 1e3:.2f} ms per pass at that rate, {t_pass * 1e3:.2f} ms taken: "
                  f"{t_pass * bw / per_pass:.1f}x the bandwidth bound; CPU-second medians, 1 thread)", flush=True)
            for threads, t in by_threads.items():
                if threads != 1:
                    print(f"  PageRank {name}: {threads} threads are {by_threads[1] / t:.2f}x 1 thread (wall medians; "
                          f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)


def section_build(args: argparse.Namespace) -> None:
    print("\n## graph build from int64 edge arrays (ids 0..n-1)", flush=True)
    cases = [("power-law 75,879 / 508,837", powerlaw_graph(75_879, 508_837, 5))]
    if not args.quick:
        cases.append(("random 10^6 / 10^7", random_graph(1_000_000, 10_000_000, 6)))
    for name, (src, dst) in cases:
        n = int(max(src.max(), dst.max()) + 1)
        ones = np.ones(len(src))

        def ours() -> Any:
            return fn.ReferralGraph.from_edges(src, dst)

        def theirs() -> Any:
            return sp.csr_matrix((ones, (src, dst)), shape=(n, n))
        g, a = ours(), theirs()
        deg = g.degree("out").reindex(np.arange(n), fill_value=0).to_numpy()
        assert np.array_equal(deg, np.diff(a.indptr)), f"out-degrees differ ({name})"
        # The same CSR: with equal row lengths, equal column indices (both sorted per row).
        ids = np.asarray(g._core.ids)
        assert np.array_equal(ids[np.asarray(g._core.targets)], a.indices), f"CSR targets differ ({name})"
        t_fn, t_sc, c = timed_pair(ours, theirs, args.repeat)
        row(f"graph build, {name}", t_fn, "scipy csr_matrix", t_sc, c)


def copy_bandwidth(repeat: int) -> tuple[float, float, int]:
    """STREAM-style copy of 400 MB with numpy (1 thread): (bytes per second, seconds, bytes
    copied), wall medians; the rate by CPU-second medians goes to COPY_CPU_BW."""
    a = np.ones(50_000_000)
    b = np.empty_like(a)
    np.copyto(b, a)
    t, _ = timed(lambda: np.copyto(b, a), max(3, repeat))
    COPY_CPU_BW[0] = 2 * a.nbytes / LAST_CPU[0]
    return 2 * a.nbytes / t, t, a.nbytes


def section_stream(args: argparse.Namespace) -> None:
    print("\n## memory bandwidth (STREAM-style numpy copy, 1 thread)", flush=True)
    bw, t, nbytes = copy_bandwidth(args.repeat)
    print(f"  copy bandwidth: {bw / 1e9:.2f} GB/s (read + write of {nbytes / 1e6:.0f} MB in {t:.4f} s)")
    n = args.events
    # Counting must at least read lead (8 B), time (8 B) and stage code (1 B) per event.
    print(f"  counting {n:,} events: >= {17 * n / 1e6:.0f} MB read -> >= {17 * n / bw:.4f} s at that bandwidth")
    m, nn = 10_000_000, 1_000_000
    # A pull iteration reads the 32-bit column index of each edge (4 B), gathers x/deg
    # (8 B, assume from cache at best) and writes and reads per-node vectors (3 x 8 B).
    per_it = 4 * m + 3 * 8 * nn
    print(f"  PageRank 10^6 / 10^7, one iteration: >= {per_it / 1e6:.0f} MB -> >= {per_it / bw * 1e3:.2f} ms")


# ---------------------------------------------------------------------------- attribution
def removal_effects_oracle(df: pd.DataFrame) -> pd.DataFrame:
    """Exact first-order Markov removal effects of a ChannelAttribution-style path table
    (path, total_conversions, total_null, total_conversion_value; channels joined by '>'),
    consecutive repeats collapsed, written independently of funnelnet: transition counts by
    numpy, then one dense solve of (I - Q) x = [p_conv, E value] per removed channel, whose
    state then leads nowhere (to null)."""
    df = df.reset_index(drop=True)
    touch = df["path"].str.split(">").explode().str.strip()
    rows = touch.index.to_numpy()
    names = sorted(touch.unique())
    code = pd.Categorical(touch, categories=names).codes.astype(np.int64) + 1  # 0 = (start)
    keep = np.r_[True, (rows[1:] != rows[:-1]) | (code[1:] != code[:-1])]
    rows, code = rows[keep], code[keep]
    conv = df["total_conversions"].to_numpy(float)
    null = df["total_null"].to_numpy(float)
    val = df["total_conversion_value"].to_numpy(float)
    w = conv + null
    first = np.r_[True, rows[1:] != rows[:-1]]
    last = np.r_[rows[1:] != rows[:-1], True]
    k = len(names) + 1
    counts = np.zeros((k, k))
    np.add.at(counts, (np.zeros(first.sum(), dtype=np.int64), code[first]), w[rows[first]])
    inner = np.flatnonzero(~first)
    np.add.at(counts, (code[inner - 1], code[inner]), w[rows[inner]])
    ends = code[last]
    to_conv = np.bincount(ends, weights=conv[rows[last]], minlength=k)
    to_null = np.bincount(ends, weights=null[rows[last]], minlength=k)
    value = np.bincount(ends, weights=val[rows[last]], minlength=k)
    out = counts.sum(axis=1) + to_conv + to_null
    out[out == 0] = 1.0
    q = counts / out[:, None]
    b = np.column_stack([to_conv, value]) / out[:, None]

    def from_start(removed: int | None) -> np.ndarray:
        qq, bb = q.copy(), b.copy()
        if removed is not None:
            qq[removed] = 0.0
            qq[:, removed] = 0.0
            bb[removed] = 0.0
        return np.linalg.solve(np.eye(k) - qq, bb)[0]

    base = from_start(None)
    eff = np.array([1.0 - from_start(c) / base for c in range(1, k)])
    return pd.DataFrame({"removal_effect": eff[:, 0], "value_removal_effect": eff[:, 1]}, index=names)


def section_attribution(args: argparse.Namespace) -> None:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # its import prints an advertisement
        import ChannelAttribution as ca
    from bench_attribution import run_ca, synthetic

    n_rows = args.attribution_rows
    df = synthetic(6 * n_rows, 12, seed=1, aggregated=True).head(n_rows)
    touches = int(df["path"].str.count(">").add(1).sum())
    print(f"\n## Markov attribution (order 1, repeats collapsed): {len(df):,} aggregated paths, "
          f"{touches:,} touches, 12 channels (ChannelAttribution's sample shape)", flush=True)

    def ours() -> pd.DataFrame:
        return fn.attribution.markov(df, path="path", conversions="total_conversions", nulls="total_null",
                                     value="total_conversion_value", threads=1)
    exact = removal_effects_oracle(df)
    got = ours().reindex(exact.index)
    gap = float((got[exact.columns] - exact).abs().to_numpy().max())
    assert gap < 1e-10, f"funnelnet removal effects differ from the dense solve by {gap:.3g}"
    _, r = run_ca(ca, df)
    re = r["removal_effects_conversion"].reindex(exact.index)
    err = (re - exact["removal_effect"]).abs()
    rel = err / exact["removal_effect"]
    t_fn, t_ca, c = timed_pair(ours, lambda: run_ca(ca, df), args.repeat)
    row(f"Markov attribution, {len(df):,} paths / 12 ch, exact, 1 thr", t_fn, "ChannelAttribution defaults", t_ca, c)
    print(f"  funnelnet matches the independent dense solve to {gap:.1e}; ChannelAttribution at its defaults "
          f"(simulation, seed 0): removal effect error max {err.max():.4f}, relative max {rel.max():.1%}, "
          f"median {rel.median():.1%}", flush=True)
    if not args.smoke:  # its closer setting (docs/benchmarks.md's second row): seconds a call, so 2 calls
        kw = {"nsim_start": 1e6, "max_step": 200}
        t_ca, (_, r) = timed(lambda: run_ca(ca, df, **kw), 2)
        rel = (r["removal_effects_conversion"].reindex(exact.index) - exact["removal_effect"]).abs() / exact[
            "removal_effect"]
        row("same, ChannelAttribution nsim_start 1e6, max_step 200", t_fn, "ChannelAttribution closer", t_ca,
            (c[0], LAST_CPU[0]))
        print(f"  ChannelAttribution at nsim_start 1e6, max_step 200: relative error max {rel.max():.1%}, "
              f"median {rel.median():.1%}", flush=True)


# ---------------------------------------------------------------------------- IC
def section_ic(args: argparse.Namespace) -> None:
    from bench_graph import cynetdiff_ic, ic_seeds

    from funnelnet import influence

    print("\n## IC Monte Carlo, weighted cascade (p = 1 / in-degree), 50 random seeds; funnelnet 1 thread, "
          "cynetdiff single-threaded", flush=True)

    def powerlaw() -> fn.ReferralGraph:
        src, dst = powerlaw_graph(75_879, 508_837, 5)
        return fn.ReferralGraph.from_edges(src, dst, nodes=np.arange(75_879))

    graphs: list[tuple[str, Callable[[], fn.ReferralGraph], int]] = [
        ("power-law 75,879 / 508,837 (Epinions' size)", powerlaw, 1_000)]
    files = [("ca-GrQc (NetHEPT-like)", DATA / "graphs" / "ca-GrQc" / "CA-GrQc.txt", 1, 10_000),
             ("facebook", DATA / "graphs" / "facebook" / "facebook_combined_opim.txt", 1, 5_000),
             ("wiki-Vote", DATA / "graphs" / "wiki-Vote" / "wiki-Vote.txt", 0, 10_000)]
    for name, path, header, sims in files[:1] if args.smoke else files:
        if path.exists():
            graphs.append((name, lambda path=path, header=header: fn.ReferralGraph.read_edge_list(
                path, header_lines=header, self_loops="drop"), sims))
    for name, make, sims in graphs:
        sims = args.ic_sims or sims
        g = make()
        p = influence.edge_probabilities(g, "wc")
        idx, seeds = ic_seeds(g, 50)
        model = cynetdiff_ic(g, p, rng=1)

        def ours() -> Any:
            return influence.spread(g, seeds, probabilities=p, n_sims=sims, seed=1, threads=1)

        def theirs() -> float:
            return float(model.compute_marginal_gains(idx.tolist(), [], sims)[0])
        r, mean_cy = ours(), theirs()
        # Both estimate the same expectation; cynetdiff reports no error, so take ours for
        # both (same variance): the difference of two means has stderr sqrt(2) x ours.
        tol = 4.0 * np.sqrt(2.0) * r.stderr + 1e-9
        assert abs(r.mean - mean_cy) <= tol, f"IC spreads differ ({name}): {r.mean:.2f} vs {mean_cy:.2f} (tol {tol:.2f})"
        t_fn, t_cy, c = timed_pair(ours, theirs, args.repeat)
        row(f"IC, {name}, {sims:,} sims", t_fn, "cynetdiff", t_cy, c)
        print(f"  {name}: {sims / c[0]:,.0f} vs {sims / c[1]:,.0f} sims per CPU second; spread {r.mean:,.2f} "
              f"+- {r.stderr:.2f} vs cynetdiff {mean_cy:,.2f} ({g.number_of_nodes:,} nodes, "
              f"{g.number_of_edges:,} edges)", flush=True)


# ---------------------------------------------------------------------------- customers
BGNBD_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie, Lee 2005, CDNOW


def section_customers(args: argparse.Namespace) -> None:
    import warnings

    import lifetimes

    with warnings.catch_warnings():  # bench_customers silences every warning when imported
        from bench_customers import lifetimes_ll, simulate

    print("\n## BG/NBD fit (funnelnet 1 thread vs lifetimes BetaGeoFitter)", flush=True)
    cases: list[tuple[str, pd.DataFrame, pd.DataFrame]] = []
    cdnow = DATA / "customers" / "cdnow_customers_summary.csv"
    if cdnow.exists():
        cd = pd.read_csv(cdnow)
        cases.append((f"CDNOW ({len(cd):,} customers)", cd, cd))
    big = simulate(args.customers)
    small = big.iloc[: args.lifetimes_customers]
    cases.append((f"{len(big):,} synthetic customers", big, small))
    cols = ["r", "alpha", "a", "b"]
    for name, d, d_small in cases:
        def fit_ours(x: pd.DataFrame = d) -> Any:
            return fn.customers.BetaGeo(threads=1).fit(x["frequency"], x["recency"], x["T"])

        def fit_theirs(x: pd.DataFrame = d_small) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return lifetimes.BetaGeoFitter().fit(x["frequency"], x["recency"], x["T"])
        same = fit_ours(d_small)
        th = fit_theirs()
        ll_th = lifetimes_ll(th, d_small)
        ll = same.log_likelihood_
        ours_p = same.params_[cols].to_numpy(float)
        their_p = th.params_[cols].to_numpy(float)
        assert ll >= ll_th - 1e-6 * abs(ll_th), f"{name}: funnelnet LL {ll} below lifetimes' {ll_th}"
        assert np.allclose(ours_p, their_p, rtol=2e-3), f"{name}: parameters {ours_p} vs lifetimes {their_p}"
        if d is d_small and name.startswith("CDNOW"):
            pub = np.array([BGNBD_PUBLISHED[k] for k in cols])
            assert np.allclose(ours_p, pub, atol=6e-4) and abs(ll + 9582.4) < 0.06, f"CDNOW fit {ours_p}, LL {ll}"
        t_fn, t_th, c = timed_pair(fit_ours, fit_theirs, args.repeat)
        scale = len(d) / len(d_small)
        note = "" if scale == 1 else f", lifetimes on {len(d_small):,}: per customer"
        row(f"BG/NBD fit, {name}{note}", t_fn, "lifetimes BetaGeoFitter", t_th, c, scale=scale)
        print(f"  {name}: LL {ll:.6f} vs lifetimes {ll_th:.6f} (rel. diff {(ll - ll_th) / abs(ll_th):+.1e}) on "
              f"{len(d_small):,}; r, alpha, a, b = {', '.join(f'{v:.4f}' for v in ours_p)} (lifetimes "
              f"{', '.join(f'{v:.4f}' for v in their_p)})", flush=True)
        if d is not d_small:
            # The standard errors are computed when first read (summary): their cost on top
            # of the fit, and the fit at the other thread counts (threads=0 chooses).
            t_se, _ = timed(lambda: fit_ours().summary, args.repeat)
            c_se = LAST_CPU[0]
            print(f"  {name}: fit + summary (standard errors) 1 thread {t_se:.3f} s wall, {c_se:.3f} CPU s "
                  f"(fit alone {t_fn:.3f} s wall, {c[0]:.3f} CPU s)", flush=True)
            for threads in [t for t in args.threads if t != 1] + [0]:
                def fit_at(x: pd.DataFrame = d, k: int = threads) -> Any:
                    return fn.customers.BetaGeo(threads=k).fit(x["frequency"], x["recency"], x["T"])
                assert np.array_equal(fit_at().params_.to_numpy(), fit_ours().params_.to_numpy())
                t_k, _ = timed(fit_at, args.repeat)
                print(f"  {name}: fit at threads={threads}: {t_k:.3f} s wall ({LAST_CPU[0]:.3f} CPU s), "
                      f"{t_fn / t_k:.2f}x 1 thread's wall (load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=None,
                    help="sections (default: all; with --smoke: attribution ic customers)")
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--banded", type=int, nargs="*", default=[500, 5_000])
    ap.add_argument("--dense", type=int, nargs="*", default=[5_000],
                    help="sizes of the dense chains (e.g. --dense 1000 5000)")
    ap.add_argument("--tol", type=float, default=1e-10)
    ap.add_argument("--blas-threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="skip the 10^7-edge graphs")
    ap.add_argument("--attribution-rows", type=int, default=10_000)
    ap.add_argument("--ic-sims", type=int, default=0, help="simulations per IC graph (0: sized per graph)")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--lifetimes-customers", type=int, default=100_000)
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes and 2 repeats, to check that the sections run and agree")
    args = ap.parse_args()
    if args.smoke:
        args.attribution_rows, args.ic_sims, args.repeat = 300, 200, 2
        args.customers, args.lifetimes_customers = 4_000, 2_000
    if args.only is None:
        args.only = (["attribution", "ic", "customers"] if args.smoke else
                     ["counting", "absorbing", "pagerank", "build", "stream", "attribution", "ic", "customers"])
    print(f"funnelnet {fn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"median of {args.repeat}", flush=True)
    for s in args.only:
        globals()[f"section_{s}"](args)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
