"""Channel attribution: which channels and touches earn the conversions.

Two families of models, each from aggregated paths (one row per path such as
``"fair > visit > demo"`` with conversion, null and value counts) or from an event log
(customer, time, channel, converted, value rows in any order):

* :func:`heuristic` -- first touch, last touch, linear, time decay and position based.
* :func:`markov` -- Markov removal effects, computed **exactly** by linear solves (order
  1 or k), with the conversions and value split in proportion to them.
  :class:`MarkovAttribution` adds sequence removal effects, per-journey attribution,
  the fitted transitions and a seeded simulation estimate for comparison with tools
  that simulate.

Conventions: a journey starts in ``(start)`` and ends in ``(conversion)`` or ``(null)``;
removing a channel sends every journey that reaches it to ``(null)``; repeated
consecutive touches are collapsed (``repeats="collapse"``, the Markov default) or kept
(``repeats="keep"``, the heuristic default).  See docs/attribution.md.

>>> import pandas as pd, funnelnet as fn
>>> df = pd.DataFrame({"path": ["c1 > c2 > c3", "c1", "c2 > c3"],
...                    "conversions": [1, 0, 0], "nulls": [0, 1, 1]})
>>> fn.attribution.markov(df, path="path", conversions="conversions", nulls="nulls")
         removal_effect  conversions
channel                             
c1                  0.5          0.2
c2                  1.0          0.4
c3                  1.0          0.4
"""
from __future__ import annotations

from .heuristic import heuristic, heuristic_events
from .journeys import journeys
from .markov import MarkovAttribution, markov, markov_events

__all__ = [
    "MarkovAttribution",
    "heuristic",
    "heuristic_events",
    "journeys",
    "markov",
    "markov_events",
]
