"""Uncertainty: Bayesian posterior intervals of transition probabilities and of the
derived figures (outcome probabilities, steps or time to close), by exact marginals or
seeded posterior draws."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import run_with_progress
from ._shared import stage_index

__all__ = ["posterior_frame", "transition_intervals", "discrete_figures", "continuous_figures"]


def posterior_frame(r: Any, states: Sequence[str], figure: str, mean: np.ndarray, lower: np.ndarray,
                    upper: np.ndarray) -> pd.DataFrame:
    """One row per transient stage: P(outcome) mean/lower/upper for each absorbing state,
    then the figure to close (``figure``, e.g. steps or time) with its interval."""
    out: dict[str, np.ndarray] = {}
    for k, a in enumerate(r.absorbing):
        out[f"P({states[a]})"] = r.absorption_mean[:, k]
        out[f"P({states[a]}) lower"] = r.absorption_lower[:, k]
        out[f"P({states[a]}) upper"] = r.absorption_upper[:, k]
    out[figure] = mean
    out[f"{figure} lower"] = lower
    out[f"{figure} upper"] = upper
    return pd.DataFrame(out, index=stage_index(states, r.transient))


def transition_intervals(core: Any, prior: float, level: float) -> pd.DataFrame:
    """Posterior mean and interval of every transition out of a stage (exact Beta marginals)."""
    iv = _core.funnel.posterior_intervals(core, float(prior), float(level))
    states = list(core.space.names)
    rows = [i for i, a in enumerate(core.space.absorbing_flags) if not a]
    idx = pd.MultiIndex.from_product([[states[i] for i in rows], states], names=["from", "to"])
    return pd.DataFrame(
        {"mean": iv.mean[rows].ravel(), "lower": iv.lower[rows].ravel(), "upper": iv.upper[rows].ravel()}, index=idx
    )


def discrete_figures(core: Any, prior: float = _default("PosteriorOptions", "prior"),
                     level: float = _default("PosteriorOptions", "level"), draws: int = _default("PosteriorOptions", "draws"),
                     seed: int = _default("PosteriorOptions", "seed"), threads: int = _default("PosteriorOptions", "threads"),
                     progress: bool = False) -> pd.DataFrame:
    """Posterior figures of a discrete chain from its transition counts."""
    r = run_with_progress(progress, "posterior draws", lambda cb: _core.funnel.posterior_figures(
        core, float(prior), float(level), int(draws), int(seed), int(threads), cb))
    return posterior_frame(r, list(core.space.names), "steps", r.steps_mean, r.steps_lower, r.steps_upper)


def continuous_figures(core: Any, prior_shape: float = _default("ContinuousPosteriorOptions", "prior_shape"),
                       prior_rate: float = _default("ContinuousPosteriorOptions", "prior_rate"),
                       level: float = _default("ContinuousPosteriorOptions", "level"),
                       draws: int = _default("ContinuousPosteriorOptions", "draws"),
                       seed: int = _default("ContinuousPosteriorOptions", "seed"),
                       threads: int = _default("ContinuousPosteriorOptions", "threads"),
                       progress: bool = False) -> pd.DataFrame:
    """Posterior figures of a continuous chain from its exposure counts."""
    r = run_with_progress(progress, "posterior draws", lambda cb: _core.funnel.posterior_figures_continuous(
        core, float(prior_shape), float(prior_rate), float(level), int(draws), int(seed), int(threads), cb))
    return posterior_frame(r, list(core.space.names), "time", r.time_mean, r.time_lower, r.time_upper)
