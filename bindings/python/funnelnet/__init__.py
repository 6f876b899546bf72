"""funnelnet: B2B sales analytics.

Markov funnels (fit from CRM event logs and paths, absorption, time to close),
channel attribution, referral networks (influence ranking, diffusion, influence
maximisation), customers (ABC grading, tier migration, lifetime value, repeat
buying), pipeline forecasts and lead scoring.  DataFrames in, DataFrames out; the
heavy lifting is C++.

One sub-package per area: :mod:`funnelnet.funnel`, :mod:`funnelnet.attribution`,
:mod:`funnelnet.graph` (with :mod:`funnelnet.graph.influence`, also reachable as
``fn.influence``), :mod:`funnelnet.customers`, :mod:`funnelnet.pipeline`,
:mod:`funnelnet.scoring`, :mod:`funnelnet.datasets` (the synthetic company),
:mod:`funnelnet.plot`, :mod:`funnelnet.report`, :mod:`funnelnet.cli` and
:mod:`funnelnet.dask` (the same work on a Dask cluster).

>>> import funnelnet as fn
>>> fn.__version__
'0.1.0'
"""
from __future__ import annotations

from typing import Any

from . import _core
from . import attribution, customers, funnel, graph
from . import cli, dask, datasets, pipeline, plot, report, scoring
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .funnel import (
    ContinuousChain,
    ExposureCounts,
    Funnel,
    HigherOrderChain,
    MarkovChain,
    SegmentedFunnel,
    SemiMarkovFunnel,
    TransitionCounts,
    WhatIf,
    load_model,
    select_order,
)
from .graph import ReferralGraph, influence
from ._common.persist import max_file_bytes, set_max_file_bytes

__version__: str = _core.__version__

__all__ = [
    # areas
    "funnel", "attribution", "graph", "customers", "influence",
    "datasets", "pipeline", "scoring", "plot", "cli", "dask", "report",
    # funnel
    "Funnel", "MarkovChain", "TransitionCounts", "ContinuousChain", "ExposureCounts",
    "SegmentedFunnel", "WhatIf", "HigherOrderChain", "select_order", "load_model", "SemiMarkovFunnel",
    # referral networks
    "ReferralGraph",
    # loader limits
    "max_file_bytes", "set_max_file_bytes",
    "__version__", *_errors_all,
]

# Modules of 0.1 that moved into the area sub-packages: ``fn.continuous`` and friends
# still resolve, through deprecated alias modules that warn with the new path.
_MOVED = {"continuous": "funnel.continuous", "segments": "funnel.segments", "higher_order": "funnel.higher_order"}


def __getattr__(name: str) -> Any:  # PEP 562
    if name in _MOVED:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")  # the alias module warns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
