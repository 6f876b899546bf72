"""Helpers shared by the pipeline's backtests (private)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError


def forecast_errors(f: np.ndarray, a: np.ndarray) -> tuple[float, float, float]:
    """MAPE (over non-zero actuals), WAPE and bias of forecasts ``f`` against actuals ``a``."""
    nz = a != 0
    mape = float(np.mean(np.abs(f[nz] - a[nz]) / np.abs(a[nz]))) if nz.any() else float("nan")
    tot = float(np.abs(a).sum())
    wape = float(np.abs(f - a).sum() / tot) if tot > 0 else float("nan")
    bias = float((f - a).sum() / tot) if tot > 0 else float("nan")
    return mape, wape, bias


def fit_history(hist: pd.DataFrame, cut: int, model: str, family: str, draws: int, seed: int, threads: int,
                absorbing: Sequence[Any] = ("won", "lost")) -> Any:
    """The funnel fitted on the history before ``cut`` (ns): semi-Markov or continuous."""
    from ..funnel.continuous import ExposureCounts
    from ..funnel.semi_markov import SemiMarkovFunnel

    if model == "semi_markov":
        return SemiMarkovFunnel(family, draws=draws, seed=seed, threads=threads).fit(  # type: ignore[arg-type]
            hist, lead="lead", stage="stage", time="time", cutoff=pd.Timestamp(cut), absorbing=list(absorbing))
    if model == "continuous":
        return ExposureCounts.from_events(hist, lead="lead", stage="stage", time="time", cutoff=pd.Timestamp(cut),
                                          absorbing=list(absorbing), threads=threads).fit()
    raise InvalidArgumentError(f"model must be 'semi_markov' or 'continuous', got {model!r}")
