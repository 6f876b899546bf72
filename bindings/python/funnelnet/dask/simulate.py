"""Monte Carlo on Dask, split by seed stream: a seeded simulation cut into ranges of
its random streams, one Dask task per range, so the cluster's result is exactly the
single-machine run with the same seed (not merely the same distribution)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.checks import check_ints
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from ..errors import InputTypeError, InvalidArgumentError

if TYPE_CHECKING:
    from ..graph.influence import SpreadResult

__all__ = ["simulate_events", "spread"]

#: Leads per partition by default (a multiple of the C++ block of leads per stream).
LEADS_PER_PARTITION = 1 << 20


def simulate_events(chain: Any, n_leads: int, start: str | None = None, *,
                    seed: int = _default("SimulateOptions", "seed"),
                    mean_dwell: dict[str, float] | Sequence[float] | None = None,
                    max_steps: int = _default("SimulateOptions", "max_steps"),
                    leads_per_partition: int = LEADS_PER_PARTITION, threads: int = 0) -> Any:
    """:meth:`MarkovChain.simulate <funnelnet.MarkovChain.simulate>` as a Dask DataFrame
    whose partitions are simulated on the workers.

    Partition k simulates leads ``[k L, (k + 1) L)`` of the chain's seeded stream (``L``
    = ``leads_per_partition``, a multiple of the simulation block of 4,096 leads, each
    block drawing from its own random stream), so the partitions concatenated are,
    row for row, ``chain.simulate(n_leads, start, seed=seed, ...)``: the same seed gives
    the same log on one machine, on any number of workers and at any thread count.
    Every lead lies in one partition, its events in time order: count it with
    ``fn.dask.transition_counts(..., partitioned_by_lead=True)`` (no shuffle).

    Parameters
    ----------
    chain : MarkovChain
        The chain to simulate (it is pickled to the workers).
    n_leads : int
        Number of leads.
    start : str, optional
        The stage every lead starts in (default: the first state).
    seed : int
        The seed of the stream.
    mean_dwell : dict or sequence of float, optional
        Mean time per step in each stage (default 1), as in ``MarkovChain.simulate``.
    max_steps : int
        Steps after which a lead is stopped.
    leads_per_partition : int
        Leads per partition (a multiple of 4,096).
    threads : int
        Threads per partition on its worker (0 = chosen from the partition's work, one
        thread for small ones; 1 when Dask runs one partition per core).  The log does not depend on it.

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``lead`` (int64, 0 .. n_leads - 1), ``time`` (float64) and ``stage``
        (categorical over the chain's states); each partition has a RangeIndex.

    Examples
    --------
    >>> import funnelnet as fn
    >>> chain = fn.MarkovChain([[0.5, 0.3, 0.2], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
    >>> ddf = fn.dask.simulate_events(chain, 10_000, seed=3, leads_per_partition=4096)
    >>> ddf.npartitions
    3
    >>> one = chain.simulate(10_000, seed=3)
    >>> ddf.compute().reset_index(drop=True).equals(one)
    True
    """
    import dask
    import dask.dataframe as dd

    from ..funnel import MarkovChain
    from ..funnel.simulate import simulate_events as _simulate

    if not isinstance(chain, MarkovChain):
        raise InputTypeError(f"chain must be a MarkovChain, got {type(chain).__name__}")
    check_ints(n_leads=n_leads, seed=seed, max_steps=max_steps, leads_per_partition=leads_per_partition,
               threads=threads)
    block = int(_core.funnel.SIMULATE_BLOCK)
    if n_leads < 0:
        raise InvalidArgumentError(f"n_leads must be >= 0, got {n_leads}")
    if leads_per_partition <= 0 or leads_per_partition % block:
        raise InvalidArgumentError(f"leads_per_partition must be a positive multiple of {block}, "
                                   f"got {leads_per_partition}")
    states = list(chain.states)
    if start is not None and str(start) not in states:
        from ..funnel._shared import unknown_state

        raise unknown_state(str(start), states)
    meta = pd.DataFrame({"lead": np.empty(0, np.int64), "time": np.empty(0, np.float64),
                         "stage": pd.Categorical.from_codes(np.empty(0, np.int32), categories=pd.Index(states))})

    def part(first: int, n: int) -> pd.DataFrame:
        return _simulate(chain._core, n, start, seed, mean_dwell, max_steps, threads, False, first)

    firsts = list(range(0, int(n_leads), int(leads_per_partition))) or [0]
    parts = [dask.delayed(part)(f, min(int(leads_per_partition), int(n_leads) - f)) for f in firsts]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def spread(graph: Any, seeds: Sequence[Any], model: str = _default_choice("SpreadOptions", "model", {"IC": 0, "LT": 1}),
           probabilities: Any = "wc", *,
           n_sims: int = _default("SpreadOptions", "n_sims"), seed: int = _default("SpreadOptions", "seed"),
           values: Any = None, delays: Any = None, time_bins: Any = None, tasks_per_partition: int = 16,
           threads: int = 0) -> "SpreadResult":
    """:func:`funnelnet.influence.spread` with its Monte Carlo split across Dask workers
    by random stream; the result is that of one machine with the same seed, bit for bit.

    ``spread`` cuts ``n_sims`` simulations into a fixed set of tasks (at most 256), task
    t drawing from its own stream of ``seed``.  Here each Dask task runs
    ``tasks_per_partition`` consecutive tasks and returns their sums; the driver adds
    the sums of all tasks in task order, exactly as the single-machine run does.

    Parameters
    ----------
    graph : ReferralGraph
        The graph (pickled to the workers).
    seeds : sequence
        Node labels of the seed set.
    model : {"IC", "LT"}
        Diffusion model.
    probabilities : str, float or array-like
        Edge probabilities, as in :func:`funnelnet.influence.spread`.
    n_sims : int
        Number of simulations.
    seed : int
        The seed of the streams.
    values, delays, time_bins
        As in :func:`funnelnet.influence.spread`.
    tasks_per_partition : int
        Simulation tasks per Dask task.
    threads : int
        Threads per Dask task on its worker (0 = chosen from the task's work, one thread
        for small ones); the result does not depend on it.

    Returns
    -------
    SpreadResult
        Equal (``==`` on every field) to ``fn.influence.spread(graph, seeds, model,
        probabilities, n_sims=n_sims, seed=seed, ...)``.

    Examples
    --------
    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges([0, 0, 1, 2], [1, 2, 3, 3])
    >>> r = fn.dask.spread(g, [0], probabilities=0.5, n_sims=1000, seed=7, tasks_per_partition=50)
    >>> r.mean == fn.influence.spread(g, [0], probabilities=0.5, n_sims=1000, seed=7).mean
    True
    """
    import dask

    from ..graph import influence as inf

    check_ints(n_sims=n_sims, seed=seed, tasks_per_partition=tasks_per_partition, threads=threads)
    if tasks_per_partition < 1:
        raise InvalidArgumentError(f"tasks_per_partition must be >= 1, got {tasks_per_partition}")
    if n_sims < 1:
        raise InvalidArgumentError(f"n_sims must be > 0, got {n_sims}")
    g = inf._graph(graph)
    p = inf._probs(g, probabilities, seed)
    s = g.positions(list(seeds), "seed")
    v = inf._values(g, values, "values")
    if (delays is None) != (time_bins is None):
        raise InvalidArgumentError("give both delays= and time_bins= (or neither)")
    dl = inf._EMPTY_F if delays is None else np.ascontiguousarray(delays, dtype=np.float64)
    tb = inf._EMPTY_F if time_bins is None else np.ascontiguousarray(time_bins, dtype=np.float64)
    code = inf._model(model)
    tasks = int(_core.graph.simulation_tasks(int(n_sims)))

    def run(inputs: Any, first: int, last: int) -> list[Any]:
        graph_, s_, p_, v_, dl_, tb_ = inputs
        return list(_core.graph.spread_parts(graph_._core, s_, p_, code, int(n_sims), int(seed), int(threads), v_,
                                             dl_, tb_, first, last))

    # one key: the graph and the arrays go to each worker once, not once per task
    shared = dask.delayed((g, s, p, v, dl, tb), pure=True, traverse=False)
    ranges = [(a, min(a + int(tasks_per_partition), tasks)) for a in range(0, tasks, int(tasks_per_partition))]
    pieces = dask.compute(*[dask.delayed(run)(shared, a, b) for a, b in ranges])
    parts = [q for piece in pieces for q in piece]
    d = _core.graph.combine_spread(parts, int(n_sims))
    by_time = None
    if delays is not None:
        by_time = pd.Series(d["by_time"], index=pd.IntervalIndex.from_breaks(tb, closed="left"), name="activations")
    return inf.SpreadResult(d["mean"], d["stderr"], d["value_mean"], d["value_stderr"], d["n_sims"], d["by_round"],
                            by_time)
