"""Absorbing analysis and bottleneck ranking: funnelnet vs PyDTMC on the same chains
(funnels of 50, 500 and 5,000 states).

PyDTMC pins numpy < 2, so it lives in its own virtual environment; funnelnet's _core
(built by scripts/dev_python.sh against the same CPython) is used from the source tree:

    python3 -m venv /work/venv-pydtmc
    /work/venv-pydtmc/bin/pip install -r benchmarks/python/requirements-pydtmc.txt
    bash scripts/dev_python.sh --co -q >/dev/null   # builds bindings/python/funnelnet/_core*.so
    PYTHONPATH=bindings/python /work/venv-pydtmc/bin/python benchmarks/python/bench_funnel_pydtmc.py

What is timed, per chain (best of --repeat runs, construction included on both sides):
  absorbing  funnelnet: MarkovChain(p) + absorption_probabilities() + expected_steps()
             PyDTMC:    MarkovChain(p) + absorption_probabilities() + mean_absorption_times()
  ranking    funnelnet: MarkovChain(p).bottlenecks("won") (gradient and elasticity of
             P(won) from the first stage for every transition, sorted)
             PyDTMC has no sensitivity of absorption; its closest route is one absorption
             solve per transition, timed on --fd-sample transitions and scaled up
             (--fd-sample 0 skips it).  A second baseline is numpy with the same
             formulas (two dense solves, elasticity u_i P_ij (h_j - h_i), argsort).
The results are checked against each other before timing.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import funnelnet as fn


def funnel_matrix(n: int, seed: int | None = None) -> np.ndarray:
    """n - 2 stages moving forward 1-3 stages, back one, staying or dropping out;
    the last two states are won and lost (same shape as bench_funnel_engine.cpp)."""
    rng = np.random.default_rng(n if seed is None else seed)
    nt = n - 2
    p = np.zeros((n, n))
    for i in range(nt):
        p[i, i] += rng.random()
        p[i, n - 1] += 0.3 * rng.random()
        if i > 0:
            p[i, i - 1] += 0.3 * rng.random()
        for k in (1, 2, 3):
            p[i, i + k if i + k < nt else n - 2] += rng.random()
        p[i] /= p[i].sum()
    p[n - 2, n - 2] = p[n - 1, n - 1] = 1
    return p


def best_of(f, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fd-sample", type=int, default=5)
    args = ap.parse_args()
    import pydtmc

    print(f"PyDTMC {pydtmc.__version__}, numpy {np.__version__}")
    print(f"{'states':>7} {'task':<10} {'funnelnet s':>12} {'baseline s':>12} {'ratio':>9}")
    for n in args.sizes:
        p = funnel_matrix(n)
        states = [f"s{i}" for i in range(n - 2)] + ["won", "lost"]

        def ours():
            c = fn.MarkovChain(p, states=states)
            return c.absorption_probabilities(), c.expected_steps()

        def theirs():
            mc = pydtmc.MarkovChain(p, states)
            return mc.absorption_probabilities(), mc.mean_absorption_times()

        reps = args.repeat if n <= 500 else 1
        b_ours, t_ours = ours()
        t = time.perf_counter()
        b_theirs, t_theirs = theirs()
        a_theirs = time.perf_counter() - t
        if reps > 1:
            a_theirs = min(a_theirs, best_of(theirs, reps - 1))
        b_theirs = np.asarray(b_theirs)
        if b_theirs.shape[0] != n - 2:
            b_theirs = b_theirs.T
        assert np.allclose(b_ours.to_numpy(), b_theirs, atol=1e-8), "absorption probabilities differ"
        assert np.allclose(t_ours.to_numpy(), np.asarray(t_theirs), rtol=1e-8), "absorption times differ"
        a_ours = best_of(ours, reps)
        print(f"{n:>7} {'absorbing':<10} {a_ours:>12.5f} {a_theirs:>12.5f} {a_theirs / a_ours:>8.1f}x", flush=True)

        chain = fn.MarkovChain(p, states=states)
        rank_ours = best_of(lambda: chain.bottlenecks("won", start="s0"), reps)
        n_trans = int((p[: n - 2] > 0).sum())
        # PyDTMC route: perturb one transition (renormalised), recompute absorption.
        rows, cols = np.nonzero(p[: n - 2] > 0)
        pick = np.random.default_rng(0).choice(len(rows), size=min(args.fd_sample, len(rows)), replace=False)

        def one(i: int, j: int) -> float:
            m = p.copy()
            z = 1 + 1e-4 * m[i, j]
            m[i] /= z
            m[i, j] = p[i, j] * (1 + 1e-4) / z
            return float(np.asarray(pydtmc.MarkovChain(m, states).absorption_probabilities())[0, 0])

        def numpy_rank():
            nt = n - 2
            a = np.eye(nt) - p[:nt, :nt]
            h_t = np.linalg.solve(a, p[:nt, nt])
            u = np.linalg.solve(a.T, np.eye(nt)[0])
            h = np.concatenate([h_t, [1.0, 0.0]])
            el = u[:, None] * p[:nt] * (h[None, :] - h_t[:, None])
            r, c = np.nonzero(p[:nt] > 0)
            order = np.argsort(-np.abs(el[r, c]), kind="stable")
            return r[order], c[order], el[r, c][order]

        ranked = chain.bottlenecks("won", start="s0")
        _, _, el_np = numpy_rank()
        assert np.allclose(np.sort(np.abs(ranked["elasticity"].to_numpy())), np.sort(np.abs(el_np)), atol=1e-10)
        rank_np = best_of(numpy_rank, reps)
        print(f"{n:>7} {'ranking':<10} {rank_ours:>12.5f} {rank_np:>12.5f} {rank_np / rank_ours:>8.1f}x   (baseline: numpy, same formulas)", flush=True)
        if args.fd_sample > 0:
            t = time.perf_counter()
            for k in pick:
                one(int(rows[k]), int(cols[k]))
            per = (time.perf_counter() - t) / len(pick)
            rank_theirs = per * n_trans
            print(f"{n:>7} {'ranking':<10} {rank_ours:>12.5f} {rank_theirs:>12.5f} {rank_theirs / rank_ours:>8.1f}x"
                  f"   (baseline: PyDTMC, {n_trans} absorption solves at {per:.4f} s each)", flush=True)


if __name__ == "__main__":
    main()
