"""Markov attribution: funnelnet (exact) against ChannelAttribution's markov_model
(simulation), on a 10,000-row / 12-channel path table shaped like ChannelAttribution's
sample data and on 10^6 synthetic journeys over 50 channels.  Prints time, the error of
each method against the exact removal effects, and the speed-up.

    .venv/bin/python benchmarks/python/bench_attribution.py            # both data sets
    .venv/bin/python benchmarks/python/bench_attribution.py --small    # 10,000 rows only
    .venv/bin/python benchmarks/python/bench_attribution.py --data Data.csv   # the real sample (sep ';')

ChannelAttribution's own sample (Data.csv) is downloaded by its examples from
channelattribution.io and is not in the PyPI package; pass it with --data when you have it.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import time

import numpy as np
import pandas as pd

import funnelnet as fn


def synthetic(n_rows: int, n_channels: int, seed: int, aggregated: bool) -> pd.DataFrame:
    """Journeys walked on a random first-order chain over named channels; with
    `aggregated`, identical paths are summed (conversions, nulls, value) like a CA table."""
    rng = np.random.default_rng(seed)
    names = np.array([f"ch{c:02d}" for c in range(n_channels)], dtype=object)
    pop = rng.dirichlet(np.full(n_channels, 0.6))  # a few big channels, many small ones
    p_stay = rng.uniform(0.55, 0.85, n_channels)   # continue the journey
    p_conv = rng.uniform(0.05, 0.45, n_channels)   # share of the exits that convert
    mix = 0.5 * np.eye(n_channels) + 0.5 * pop[None, :]  # mostly repeat or jump to a popular one
    mix /= mix.sum(1, keepdims=True)
    cum = np.cumsum(mix, axis=1)
    first = rng.choice(n_channels, n_rows, p=pop)
    paths, conv = [], np.zeros(n_rows, dtype=np.int64)
    cur = first.copy()
    alive = np.ones(n_rows, dtype=bool)
    seqs = [[c] for c in first]
    for _ in range(40):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        go = rng.random(idx.size) < p_stay[cur[idx]]
        stop = idx[~go]
        conv[stop] = rng.random(stop.size) < p_conv[cur[stop]]
        alive[stop] = False
        idx = idx[go]
        nxt = (rng.random(idx.size)[:, None] < cum[cur[idx]]).argmax(1)
        cur[idx] = nxt
        for i, c in zip(idx.tolist(), nxt.tolist()):
            seqs[i].append(c)
    for s in seqs:
        paths.append(" > ".join(names[s]))
    value = np.where(conv > 0, rng.gamma(2.0, 50.0, n_rows), 0.0)
    df = pd.DataFrame({"path": paths, "total_conversions": conv, "total_null": 1 - conv, "total_conversion_value": value})
    if aggregated:
        df = df.groupby("path", as_index=False).sum()
    return df


def run_ca(ca, df: pd.DataFrame, **kw):
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        r = ca.markov_model(df, "path", "total_conversions", var_null="total_null", var_value="total_conversion_value",
                            out_more=True, verbose=False, flg_pro=False, **kw)
        dt = time.perf_counter() - t
    return dt, r["removal_effects"].set_index("channel_name")


def bench(name: str, df: pd.DataFrame, ca_settings: list[dict], threads: int) -> None:
    print(f"\n== {name}: {len(df):,} rows, {df.path.str.count('>').add(1).sum():,} touches")
    t = time.perf_counter()
    exact = fn.attribution.markov(df, path="path", conversions="total_conversions", nulls="total_null",
                                  value="total_conversion_value", threads=threads)
    t_fn = time.perf_counter() - t
    n_ch = len(exact)
    print(f"funnelnet exact (parse + fit + {n_ch} removals, threads={threads or 'all'}): {t_fn:.3f} s")
    try:
        import ChannelAttribution as ca
    except ImportError:
        print("ChannelAttribution not installed: pip install channelattribution")
        return
    for kw in ca_settings:
        dt, r = run_ca(ca, df, **kw)
        re = r["removal_effects_conversion"].reindex(exact.index)
        err = (re - exact["removal_effect"]).abs()
        rel = err / exact["removal_effect"]
        vre = r["removal_effects_conversion_value"].reindex(exact.index)
        verr = (vre - exact["value_removal_effect"]).abs()
        label = ", ".join(f"{k}={v:g}" for k, v in kw.items()) or "defaults"
        print(f"ChannelAttribution markov_model ({label}): {dt:.3f} s = {dt / t_fn:.1f}x funnelnet's time; "
              f"removal effect error max {err.max():.4f} (relative max {rel.max():.1%}, median {rel.median():.1%}); "
              f"value removal effect error max {verr.max():.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="only the 10,000-row table")
    ap.add_argument("--data", help="ChannelAttribution's Data.csv (path;total_conversions;total_conversion_value;total_null)")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    settings = [{}, {"max_step": 200}, {"nsim_start": 1e6, "max_step": 200}]
    if args.data:
        df = pd.read_csv(args.data, sep=";")
        bench("ChannelAttribution sample data", df, settings, args.threads)
    df = synthetic(60_000, 12, seed=1, aggregated=True).head(10_000)
    bench("CA-sample-shaped table (12 channels, aggregated paths)", df, settings, args.threads)
    if not args.small:
        df = synthetic(1_000_000, 50, seed=2, aggregated=False)
        bench("10^6 synthetic journeys, 50 channels", df, settings[:2], args.threads)


if __name__ == "__main__":
    main()
