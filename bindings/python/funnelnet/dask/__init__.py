"""Scale-out on Dask (home of the dask area; empty for now).

Will hold the Dask plans: mergeable sufficient statistics counted per partition,
per-row scoring and simulations split by seed stream (issue 15).  Every funnelnet
object pickles, so it can travel to workers.  Today a Dask DataFrame can already be
given to ``TransitionCounts.from_events``.  Nothing is public here yet.
"""
from __future__ import annotations

__all__: list[str] = []
