"""Deprecated alias of :mod:`funnelnet.graph.influence` (moved in 0.2; importing this
module path warns).  ``fn.influence`` (the attribute) stays as a shortcut to
``fn.graph.influence``."""
from __future__ import annotations

from ._common.deprecation import moved_module

moved_module("funnelnet.influence", "funnelnet.graph.influence")

from .graph.influence import (  # noqa: E402,F401
    InfluenceResult,
    SpreadResult,
    celf,
    edge_probabilities,
    exact_spread,
    imm,
    spread,
)

__all__ = ["SpreadResult", "InfluenceResult", "edge_probabilities", "spread", "exact_spread", "imm", "celf"]
