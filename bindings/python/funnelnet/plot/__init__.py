"""Plots (home of the plot area; empty for now).

Will hold matplotlib charts for every analysis (``fn.plot.transition_heatmap(chain)``
and friends, returning the Axes, issue 15).  matplotlib stays an optional
dependency (``pip install funnelnet[plot]``).  Nothing is public here yet.
"""
from __future__ import annotations

__all__: list[str] = []
