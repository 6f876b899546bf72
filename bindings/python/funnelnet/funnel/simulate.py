"""Simulation: seeded event logs from a chain (the same seed gives the same log at any
thread count)."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import run_with_progress
from ..errors import InvalidArgumentError
from ._shared import unknown_state

__all__ = ["simulate_events"]


def simulate_events(core: Any, n_leads: int, start: str | None = None, seed: int = _default("SimulateOptions", "seed"),
                    mean_dwell: dict[str, float] | Sequence[float] | None = None,
                    max_steps: int = _default("SimulateOptions", "max_steps"), threads: int = _default("SimulateOptions", "threads"),
                    progress: bool = False, first_lead: int = 0) -> pd.DataFrame:
    """See :meth:`MarkovChain.simulate`.  ``first_lead`` (a multiple of
    ``_core.funnel.SIMULATE_BLOCK``) simulates leads ``first_lead .. first_lead +
    n_leads - 1`` of the seeded stream: disjoint ranges concatenated are exactly the log
    of one run over their union (how :func:`funnelnet.dask.simulate_events` splits)."""
    states = list(core.space.names)
    start = states[0] if start is None else str(start)
    if start not in states:
        raise unknown_state(start, states)
    if n_leads < 0:
        raise InvalidArgumentError(f"n_leads must be >= 0, got {n_leads}")
    if mean_dwell is None:
        dwell: list[float] = []
    elif isinstance(mean_dwell, dict):
        for k in mean_dwell:
            if k not in states:
                raise unknown_state(k, states)
        dwell = [float(mean_dwell.get(s, 1.0)) for s in states]
    else:
        dwell = [float(x) for x in mean_dwell]
    block = int(_core.funnel.SIMULATE_BLOCK)
    if first_lead < 0 or first_lead % block:
        raise InvalidArgumentError(f"first_lead must be a multiple of {block} and >= 0, got {first_lead}")
    lead, t, st = run_with_progress(progress, "simulate", lambda cb: _core.funnel.simulate_events(
        core, states.index(start), int(n_leads), int(seed), dwell, int(max_steps), int(threads), int(first_lead), cb))
    return pd.DataFrame({"lead": lead, "time": t, "stage": pd.Categorical.from_codes(st, categories=pd.Index(states))})
