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
             solve per transition, timed on --fd-sample transitions and scaled up.
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
    print(f"{'states':>7} {'task':<10} {'funnelnet s':>12} {'PyDTMC s':>12} {'ratio':>9}")
    for n in args.sizes:
        p = funnel_matrix(n)
        states = [f"s{i}" for i in range(n - 2)] + ["won", "lost"]

        def ours():
            c = fn.MarkovChain(p, states=states)
            return c.absorption_probabilities(), c.expected_steps()

        def theirs():
            mc = pydtmc.MarkovChain(p, states)
            return mc.absorption_probabilities(), mc.mean_absorption_times()

        b_ours, t_ours = ours()
        b_theirs, t_theirs = theirs()
        b_theirs = np.asarray(b_theirs)
        if b_theirs.shape[0] != n - 2:
            b_theirs = b_theirs.T
        assert np.allclose(b_ours.to_numpy(), b_theirs, atol=1e-8), "absorption probabilities differ"
        assert np.allclose(t_ours.to_numpy(), np.asarray(t_theirs), rtol=1e-8), "absorption times differ"
        reps = args.repeat if n <= 500 else 1
        a_ours, a_theirs = best_of(ours, reps), best_of(theirs, reps)
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

        t = time.perf_counter()
        for k in pick:
            one(int(rows[k]), int(cols[k]))
        per = (time.perf_counter() - t) / len(pick)
        rank_theirs = per * n_trans
        print(f"{n:>7} {'ranking':<10} {rank_ours:>12.5f} {rank_theirs:>12.5f} {rank_theirs / rank_ours:>8.1f}x"
              f"   (PyDTMC: {n_trans} absorption solves, {per:.4f} s each)", flush=True)


if __name__ == "__main__":
    main()
