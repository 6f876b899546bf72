"""Pipeline forecasting (home of the pipeline area; empty for now).

Will hold per-opportunity forecasts, the exact distribution of what the open pipeline
brings per period, win/loss reports, the rolling forecast and target splits (issue
13), built on the funnel chains.  Nothing is public here yet.
"""
from __future__ import annotations

__all__: list[str] = []
