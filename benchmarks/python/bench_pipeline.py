"""Pipeline distributions: funnelnet's exact won-count and won-revenue distributions
against scipy.stats.poisson_binom, a numpy DFT of the characteristic function and a
numpy Monte Carlo of the same model.  Prints times, speed-ups and the largest pmf
difference.

    .venv/bin/python benchmarks/python/bench_pipeline.py            # everything
    .venv/bin/python benchmarks/python/bench_pipeline.py --quick    # 10^4 count and a 10^5-deal revenue run
    .venv/bin/python benchmarks/python/bench_pipeline.py --only revenue   # or --only count

The load average is printed before and after: wall times on a shared machine are only
comparable at a similar load (the CPU times printed beside them are fairer).

Count: n deals with p ~ U(0, 1).  The numpy DFT evaluates prod_i (1 - p_i + p_i w^k) at
the n + 1 roots of unity and inverts it: O(n^2), so it runs only up to 2 * 10^4 deals;
scipy's poisson_binom runs where it finishes in under a minute.
Revenue: n open deals x 12 months, P(won in month k) from a geometric close time, amounts
lognormal; the exact distributions (one per month, automatic grid) against a numpy Monte
Carlo of the same model, timed on a few runs and scaled linearly to 10^4 runs (amounts
lognormal(9.5, 1) floored at 2,000).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import funnelnet as fn


CPU: dict[str, float] = {}


def best_of(f, repeat: int) -> tuple[float, object]:
    """Best wall time of `repeat` calls (the best CPU time goes in CPU["last"]: on a
    loaded machine it is the fairer figure for single-threaded runs)."""
    best, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = f()
        best = min(best, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    CPU["last"] = cpu
    return best, out


def dft_pmf(p: np.ndarray) -> np.ndarray:
    n = len(p)
    w = np.exp(2j * np.pi * np.arange(n + 1) / (n + 1))
    c = np.ones(n + 1, dtype=np.complex128)
    for chunk in np.array_split(p, max(1, n // 256)):
        c *= np.prod(1 - chunk[:, None] + chunk[:, None] * w[None, :], axis=0)
    return np.fft.fft(c).real / (n + 1)


def bench_count(n: int, threads: int, references: bool = True) -> None:
    p = np.random.default_rng(n).uniform(size=n)
    t_fn, d = best_of(lambda: fn.pipeline.won_distribution(p, threads=threads), 5 if n <= 10**5 else 3)
    print(f"count n={n:>8}: funnelnet {t_fn * 1e3:9.2f} ms wall, {CPU['last'] * 1e3:9.2f} ms CPU  "
          f"(threads={threads}; mass-1 = {d.pmf.sum() - 1:.1e}, min {d.pmf.min():.1e})")
    if not references:
        return
    if n <= 2 * 10**4:
        t, ref = best_of(lambda: dft_pmf(p), 1)
        print(f"  numpy DFT            {t * 1e3:9.2f} ms  x{t / t_fn:7.1f}  max|diff| {np.abs(ref - d.pmf).max():.1e}  min {ref.min():.1e}")
    else:
        print("  numpy DFT            not run (O(n^2) time)")
    if n <= 10**5:
        from scipy import stats

        t, ref = best_of(lambda: stats.poisson_binom(p).pmf(np.arange(n + 1)), 1)
        print(f"  scipy poisson_binom  {t * 1e3:9.2f} ms  x{t / t_fn:7.1f}  max|diff| {np.abs(ref - d.pmf).max():.1e}  min {ref.min():.1e}")
    else:
        print("  scipy poisson_binom  not run (seconds already at 10^4 deals)")


def monthly(n: int, months: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    win = rng.uniform(0.05, 0.6, n)  # P(won eventually)
    hazard = rng.uniform(0.1, 0.5, n)  # monthly close hazard
    k = np.arange(months)
    per = win[:, None] * hazard[:, None] * (1 - hazard[:, None]) ** k[None, :]
    return per, np.maximum(rng.lognormal(9.5, 1.0, n), 2000.0)  # deals of at least 2,000


def mc(per: np.ndarray, amount: np.ndarray, runs: int, seed: int) -> np.ndarray:
    """Won revenue per run and month: each deal won in month k with probability per[:, k]."""
    rng = np.random.default_rng(seed)
    cum = np.cumsum(per, axis=1)
    out = np.zeros((runs, per.shape[1]))
    for r in range(runs):
        u = rng.uniform(size=len(amount))
        month = (u[:, None] >= cum).sum(axis=1)  # == months: not won in the horizon
        won = month < per.shape[1]
        out[r] = np.bincount(month[won], weights=amount[won], minlength=per.shape[1])
    return out


def bench_revenue(n: int, months: int, threads: int, mc_runs: int) -> None:
    per, amount = monthly(n, months, 1)

    def exact():
        return [fn.pipeline.won_distribution(per[:, k], amount, threads=threads) for k in range(months)]

    t_fn, ds = best_of(exact, 1)
    cpu_fn = CPU["last"]
    t_mc, sims = best_of(lambda: mc(per, amount, mc_runs, 2), 1)
    t_mc_full = t_mc / mc_runs * 10**4
    se = sims.std(axis=0) / np.sqrt(mc_runs)
    z = np.abs(sims.mean(axis=0) - np.array([d.mean for d in ds])) / se
    print(f"revenue n={n} x {months} months: funnelnet {t_fn:.2f} s wall, {cpu_fn:.2f} s CPU (grid {ds[0].resolution:.0f}, "
          f"{max(len(d.pmf) for d in ds)} cells max); numpy MC {t_mc:.2f} s for {mc_runs} runs "
          f"-> {t_mc_full:.0f} s for 10^4 runs: x{t_mc_full / t_fn:.0f}; MC mean within {z.max():.1f} SE of exact")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--only", choices=["count", "revenue"])
    a = ap.parse_args()
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if a.only != "revenue":
        for n in ([10**4] if a.quick else [10**4, 10**6]):
            bench_count(n, a.threads)
            if a.threads == 0:
                bench_count(n, 1, references=False)
    if a.only != "count":
        bench_revenue(10**5 if a.quick else 10**6, 12, a.threads, 20 if a.quick else 10)
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
