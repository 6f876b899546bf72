"""fn.dask on a local cluster: funnel counts from an event log and customer summaries +
BG/NBD fit from a transaction log, generated on the workers (partition k from its own
seed).  Prints wall time per step and each worker's peak resident memory.

    .venv/bin/python benchmarks/python/bench_dask.py                       # 10^7 events, 2x10^6 transactions
    .venv/bin/python benchmarks/python/bench_dask.py --events 1e8 --transactions 2e7 --workers 8   # the issue's size

Rows per partition: --rows-per-partition (default 10^6).  Workers: processes, one thread
each, --memory-limit each.
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

import funnelnet as fn

F = fn.Funnel(["new", "qualified", "proposal"], outcomes=["won", "lost"])
P = np.array([[0.2, 0.5, 0.0, 0.05, 0.25], [0.0, 0.2, 0.5, 0.1, 0.2], [0.0, 0.0, 0.3, 0.4, 0.3],
              [0, 0, 0, 1, 0], [0, 0, 0, 0, 1.0]])
EVENTS_PER_LEAD = 3.6  # measured mean of this chain's simulated paths (new ... outcome)


def event_part(k: int, rows: int) -> pd.DataFrame:
    chain = fn.MarkovChain(P, states=F.states, absorbing=["won", "lost"])
    n_leads = max(1, int(rows / EVENTS_PER_LEAD))
    log = chain.simulate(n_leads, seed=k, mean_dwell=[3.0, 5.0, 4.0, 1.0, 1.0], threads=1)
    log["lead"] += np.int64(k) << 32
    return log


def transaction_part(k: int, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(k)
    n_cust = max(1, rows // 5)
    cust = (np.int64(k) << 32) + rng.integers(0, n_cust, rows)
    rate = rng.gamma(1.0, 0.05, n_cust)[cust - (np.int64(k) << 32)]
    day = np.minimum(np.floor(rng.exponential(1 / rate)), 365).astype(np.int64)
    return pd.DataFrame({"cust": cust, "day": day, "amount": rng.gamma(2.0, 50.0, rows)})


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, default=1e7)
    ap.add_argument("--transactions", type=float, default=2e6)
    ap.add_argument("--rows-per-partition", type=float, default=1e6)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GiB")
    a = ap.parse_args()
    import dask.dataframe as dd
    import distributed

    rpp = int(a.rows_per_partition)
    with distributed.LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", memory_limit=a.memory_limit) as cluster, \
            distributed.Client(cluster) as client:
        print(f"{a.workers} worker processes x 1 thread, memory limit {a.memory_limit} each")
        n_ev = max(1, int(a.events) // rpp)
        meta = event_part(0, 10).iloc[:0]
        events = dd.from_map(event_part, range(n_ev), [rpp] * n_ev, meta=meta, enforce_metadata=False)
        t0 = time.perf_counter()
        c = fn.dask.transition_counts(events, lead="lead", stage="stage", time="time", funnel=F)
        t1 = time.perf_counter()
        print(f"transition_counts: {n_ev * rpp:.3g} events (~), {n_ev} partitions: {t1 - t0:.1f} s, "
              f"{c.total:.4g} transitions")
        e = fn.dask.exposure_counts(events, lead="lead", stage="stage", time="time", funnel=F, cutoff=1e9)
        t2 = time.perf_counter()
        print(f"exposure_counts: {t2 - t1:.1f} s, total exposure {e.exposure.sum():.4g}")

        n_tx = max(1, int(a.transactions) // rpp)
        tmeta = transaction_part(0, 10).iloc[:0]
        tx = dd.from_map(transaction_part, range(n_tx), [rpp] * n_tx, meta=tmeta, enforce_metadata=False)
        t3 = time.perf_counter()
        s = fn.dask.summary_from_transactions(tx, customer="cust", time="day", amount="amount",
                                              calibration_end=365).persist()
        n_c = len(s)
        t4 = time.perf_counter()
        print(f"summary_from_transactions: {n_tx * rpp:.3g} transactions, {n_c} customers: {t4 - t3:.1f} s")
        m = fn.dask.fit_repeat(fn.customers.BetaGeo(), s)
        t5 = time.perf_counter()
        ll = fn.dask.log_likelihood(m, s)
        pa = fn.dask.p_alive(m, s).mean().compute()
        t6 = time.perf_counter()
        print(f"BG/NBD fit on the collected summary: {t5 - t4:.1f} s; log-likelihood + P(alive) scoring: "
              f"{t6 - t5:.1f} s (ll {ll:.6g}, mean P(alive) {pa:.3f})")
        peaks = client.run(peak_rss_mib)
        for w, mib in sorted(peaks.items()):
            print(f"peak RSS {w}: {mib:.0f} MiB")
        print(f"driver peak RSS: {peak_rss_mib():.0f} MiB; total {t6 - t0:.1f} s")


if __name__ == "__main__":
    main()
