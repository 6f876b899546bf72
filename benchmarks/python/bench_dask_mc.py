"""Monte Carlo on Dask split by seed stream against the same run on one machine
(issue 15): a funnel event log simulated on the workers and counted without a shuffle
(``fn.dask.simulate_events`` + ``transition_counts(partitioned_by_lead=True)``), and the
Monte Carlo spread of a seed set (``fn.dask.spread``).  Every Dask result is checked
equal, bit for bit, to the single-machine result with the same seed before its time is
printed.

    .venv/bin/python benchmarks/python/bench_dask_mc.py                 # 10^7 events
    .venv/bin/python benchmarks/python/bench_dask_mc.py --events 1e8    # the issue's size

Single machine: ``chain.simulate(n, seed, threads=T)`` then
``TransitionCounts.from_events(..., threads=T)`` with T = the cores the cluster gets
(workers x 1 thread).  Dask: a ``distributed.LocalCluster`` of ``--workers`` processes,
one thread each.  Peak resident memory per worker and of the driver are printed.
"""
from __future__ import annotations

import argparse
import gc
import resource
import time

import numpy as np

import funnelnet as fn

F = fn.Funnel(["new", "qualified", "proposal"], outcomes=["won", "lost"])
P = np.array([[0.2, 0.5, 0.0, 0.05, 0.25], [0.0, 0.2, 0.5, 0.1, 0.2], [0.0, 0.0, 0.3, 0.4, 0.3],
              [0, 0, 0, 1, 0], [0, 0, 0, 0, 1.0]])
DWELL = [3.0, 5.0, 4.0, 1.0, 1.0]
EVENTS_PER_LEAD = 3.6  # mean events per simulated lead of this chain (measured)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, default=1e7)
    ap.add_argument("--leads-per-partition", type=int, default=1 << 20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="6GiB")
    ap.add_argument("--sims", type=int, default=100_000)
    ap.add_argument("--skip-single", action="store_true", help="only the Dask run (no equality check)")
    a = ap.parse_args()
    import distributed

    chain = fn.MarkovChain(P, states=F.states, absorbing=["won", "lost"])
    n_leads = int(a.events / EVENTS_PER_LEAD)
    threads = a.workers
    rng = np.random.default_rng(0)
    g = fn.ReferralGraph.from_edges(rng.integers(0, 20_000, 100_000), rng.integers(0, 20_000, 100_000))
    seeds = [0, 1, 2, 3, 4]
    # the cluster starts first, so its workers' peak memory is their own (not the driver's at a fork)
    with distributed.LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", memory_limit=a.memory_limit) as cluster, \
            distributed.Client(cluster) as client:
        want = None
        if not a.skip_single:
            t0 = time.perf_counter()
            log = chain.simulate(n_leads, seed=1, mean_dwell=DWELL, threads=threads)
            t1 = time.perf_counter()
            want = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time", funnel=F,
                                                   threads=threads)
            t2 = time.perf_counter()
            n_events = len(log)
            del log
            gc.collect()
            print(f"one machine ({threads} threads): {n_leads:,} leads, {n_events:,} events; simulate {t1 - t0:.1f} s, "
                  f"count {t2 - t1:.1f} s, total {t2 - t0:.1f} s; driver peak RSS {peak_rss_mib():.0f} MiB")
        print(f"Dask: {a.workers} worker processes x 1 thread, memory limit {a.memory_limit} each")
        t0 = time.perf_counter()
        ddf = fn.dask.simulate_events(chain, n_leads, seed=1, mean_dwell=DWELL, threads=1,
                                      leads_per_partition=a.leads_per_partition)
        got = fn.dask.transition_counts(ddf, lead="lead", stage="stage", time="time", funnel=F,
                                        partitioned_by_lead=True)
        t1 = time.perf_counter()
        if want is not None:
            assert np.array_equal(got.to_frame().to_numpy(), want.to_frame().to_numpy()), "counts differ"
        print(f"simulate + count on the cluster: {ddf.npartitions} partitions, {got.total:,.0f} transitions: "
              f"{t1 - t0:.1f} s" + ("" if want is None else " (counts equal to one machine, bit for bit)"))
        for w, mib in sorted(client.run(peak_rss_mib).items()):
            print(f"peak RSS {w}: {mib:.0f} MiB")
        t0 = time.perf_counter()
        one = fn.influence.spread(g, seeds, probabilities=0.15, n_sims=a.sims, seed=3, threads=threads)
        t_one = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = fn.dask.spread(g, seeds, probabilities=0.15, n_sims=a.sims, seed=3, tasks_per_partition=32, threads=1)
        t_dask = time.perf_counter() - t0
        assert (r.mean, r.stderr, list(r.by_round)) == (one.mean, one.stderr, list(one.by_round)), "spread differs"
        print(f"spread (IC, p = 0.15), {a.sims:,} simulations on 20,000 nodes / 100,000 edges: one machine "
              f"{t_one:.2f} s, Dask {t_dask:.2f} s (mean {r.mean:.4f}, equal bit for bit)")


if __name__ == "__main__":
    main()
