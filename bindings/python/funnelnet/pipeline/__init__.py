"""Pipeline forecasting: the exact distribution of what the open pipeline brings per
period (won count and won revenue), per-opportunity forecasts from a fitted funnel,
their backtest, and the manager's reports (win/loss, rolling plan, growth, targets,
strategy matrix, capacity-aware priorities).
"""
from __future__ import annotations

from .distribution import WonDistribution, won_distribution
from .forecast import DEFAULT_CATEGORIES, Inflow, PipelineForecast, fit_inflow, forecast

__all__: list[str] = ["WonDistribution", "won_distribution", "PipelineForecast", "Inflow", "forecast", "fit_inflow",
                      "DEFAULT_CATEGORIES"]
from .backtest import Backtest, WinLoss, backtest, backtest_stages, win_loss  # noqa: E402

__all__ += ["Backtest", "WinLoss", "backtest", "backtest_stages", "win_loss"]
from .targets import allocate_target  # noqa: E402

__all__ += ["allocate_target"]
from .growth import YEAR_LAGS, growth  # noqa: E402
from .priorities import Priorities, prioritise  # noqa: E402
from .rolling import RollingPlan, rolling_plan  # noqa: E402
from .strategy import DEFAULT_STANCES, strategy_matrix  # noqa: E402

__all__ += ["growth", "YEAR_LAGS", "Priorities", "prioritise", "RollingPlan", "rolling_plan", "strategy_matrix",
            "DEFAULT_STANCES"]
