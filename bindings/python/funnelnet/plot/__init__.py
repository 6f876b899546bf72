"""Plots for every analysis (matplotlib, an optional dependency: ``pip install funnelnet[plot]``).

Each chart is a function ``fn.plot.<name>(obj, ..., ax=None, **kw)`` that draws on
``ax`` (or a new figure) and returns the matplotlib Axes, with a twin
``fn.plot.<name>_frame(obj, ...)`` returning the numbers drawn as a DataFrame.  The main
objects also have a ``.plot(ax=None, **kw)`` method that calls the matching chart.
Importing funnelnet never imports matplotlib; drawing without it raises ImportError
naming ``pip install funnelnet[plot]``.

- funnels: :func:`funnel`, :func:`transition_heatmap`, :func:`sankey`,
  :func:`time_to_close`, :func:`bottlenecks`;
- attribution: :func:`attribution`;
- referral networks: :func:`referral_graph`, :func:`spread_curve`;
- customers: :func:`grade_mix`, :func:`tier_migration`, :func:`frequency_recency`,
  :func:`p_alive_matrix`, :func:`period_transactions`;
- scores: :func:`roc`, :func:`lift_gain`, :func:`calibration`, :func:`capacity_curve`;
- forecasts: :func:`forecast_fan`.

>>> import matplotlib; matplotlib.use("Agg")
>>> import funnelnet as fn
>>> chain = fn.MarkovChain([[0, .6, .4], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
>>> ax = fn.plot.transition_heatmap(chain)
>>> ax.get_title()
'Transition probabilities'
"""
from __future__ import annotations

from .attribution_plots import attribution, attribution_frame
from .customer_plots import (
    frequency_recency,
    frequency_recency_frame,
    grade_mix,
    grade_mix_frame,
    p_alive_matrix,
    p_alive_matrix_frame,
    period_transactions,
    period_transactions_frame,
    tier_migration,
    tier_migration_frame,
)
from .forecast_plots import forecast_fan, forecast_fan_frame
from .funnel_plots import (
    bottlenecks,
    bottlenecks_frame,
    funnel,
    funnel_frame,
    sankey,
    sankey_frame,
    time_to_close,
    time_to_close_frame,
    transition_heatmap,
    transition_heatmap_frame,
)
from .graph_plots import referral_graph, referral_graph_frame, spread_curve, spread_curve_frame
from .scoring_plots import (
    calibration,
    calibration_frame,
    capacity_curve,
    capacity_curve_frame,
    lift_gain,
    lift_gain_frame,
    roc,
    roc_frame,
)

__all__ = [
    "funnel", "funnel_frame",
    "transition_heatmap", "transition_heatmap_frame",
    "sankey", "sankey_frame",
    "time_to_close", "time_to_close_frame",
    "bottlenecks", "bottlenecks_frame",
    "attribution", "attribution_frame",
    "referral_graph", "referral_graph_frame",
    "spread_curve", "spread_curve_frame",
    "grade_mix", "grade_mix_frame",
    "tier_migration", "tier_migration_frame",
    "frequency_recency", "frequency_recency_frame",
    "p_alive_matrix", "p_alive_matrix_frame",
    "period_transactions", "period_transactions_frame",
    "roc", "roc_frame",
    "lift_gain", "lift_gain_frame",
    "calibration", "calibration_frame",
    "capacity_curve", "capacity_curve_frame",
    "forecast_fan", "forecast_fan_frame",
]
