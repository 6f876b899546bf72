"""Referral networks: the graph and what spreads over it.

- :mod:`.referral` -- :class:`ReferralGraph` (CSR storage in C++, labelled nodes):
  construction, centrality, cores, components, cascades, referral conversion;
- :mod:`.influence` -- diffusion (independent cascade, linear threshold), edge
  probabilities and influence maximisation (IMM, CELF); also reachable as
  ``funnelnet.influence``.

>>> import funnelnet as fn
>>> g = fn.graph.ReferralGraph.from_edges([0, 0], [1, 2])
>>> fn.graph.influence.exact_spread(g, [0], probabilities=1.0)
3.0
"""
from __future__ import annotations

from . import influence
from .influence import InfluenceResult, SpreadResult, celf, edge_probabilities, exact_spread, imm, spread
from .learning import learn_ic_probabilities
from .referral import ReferralGraph

__all__ = [
    "ReferralGraph",
    "influence",
    "SpreadResult",
    "InfluenceResult",
    "edge_probabilities",
    "spread",
    "exact_spread",
    "imm",
    "celf",
    "learn_ic_probabilities",
]
