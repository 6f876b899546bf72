"""Time to close: the phase-type distribution of the steps (discrete chains) or time
(continuous chains) until a lead is won or lost, per stage."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from ..errors import InputTypeError, InvalidArgumentError
from ._shared import stage_index

__all__ = ["time_frame", "discrete_time_to_close", "discrete_close_time_cdf", "continuous_time_to_close",
           "continuous_close_time_cdf"]


def time_frame(r: Any, states: Sequence[str], q: Sequence[float]) -> pd.DataFrame:
    """``mean``, ``sd`` and one ``q<100 p>`` column per quantile, one row per stage."""
    out: dict[str, Any] = {"mean": r.mean, "sd": np.sqrt(np.maximum(r.variance, 0.0))}
    for k, p in enumerate(q):
        out[f"q{100 * p:g}"] = r.quantiles[:, k]
    return pd.DataFrame(out, index=stage_index(states, r.transient))


def discrete_time_to_close(core: Any, states: Sequence[str], quantiles: Sequence[float], max_steps: int) -> pd.DataFrame:
    """Steps until won or lost per stage of a discrete chain (see ``MarkovChain.time_to_close``)."""
    q = [float(x) for x in quantiles]
    return time_frame(_core.funnel.time_to_close_discrete(core, q, int(max_steps)), states, q)


def _horizons(x: Any, name: str, integer: bool) -> tuple[np.ndarray, bool]:
    """(horizons as a 1-d array, whether ``x`` was a single number); typed errors name
    the bad value."""
    scalar = np.ndim(x) == 0
    try:
        h = np.atleast_1d(np.asarray(x, dtype=np.float64))
    except (ValueError, TypeError):
        raise InputTypeError(f"{name} must be a number or a list of numbers, got {x!r}") from None
    if h.ndim != 1:
        raise InputTypeError(f"{name} must be a number or a 1-d list of numbers, got shape {h.shape}")
    bad = np.flatnonzero(~np.isfinite(h) | (h < 0))
    if bad.size:
        raise InvalidArgumentError(f"{name} must be finite and >= 0, got {h[bad[0]]:g}")
    if integer:
        frac = np.flatnonzero(h != np.floor(h))
        if frac.size:
            raise InvalidArgumentError(f"{name} counts steps: it must be a whole number, got {h[frac[0]]:g}")
    return h, scalar


def _cdf_table(values: list[np.ndarray], h: np.ndarray, transient: Sequence[str], scalar: bool,
               label: Any) -> pd.Series | pd.DataFrame:
    index = pd.Index(transient, name="stage")
    if scalar:
        return pd.Series(values[0], index=index, name=f"P(T<={label(h[0])})")
    return pd.DataFrame(np.column_stack(values), index=index,
                        columns=pd.Index([label(x) for x in h], name="horizon"))


def discrete_close_time_cdf(core: Any, transient: Sequence[str], k: Any) -> pd.Series | pd.DataFrame:
    """P(closed within k steps) per stage of a discrete chain: a Series for one ``k``, a
    DataFrame (one column per horizon) for a list."""
    h, scalar = _horizons(k, "k", integer=True)
    values = [np.asarray(_core.funnel.close_time_cdf_discrete(core, int(x))) for x in h]
    return _cdf_table(values, h, transient, scalar, lambda x: int(x))


def continuous_time_to_close(core: Any, states: Sequence[str], quantiles: Sequence[float]) -> pd.DataFrame:
    """Time until won or lost per stage of a continuous chain, in its time unit."""
    q = [float(x) for x in quantiles]
    return time_frame(_core.funnel.time_to_close_continuous(core, q), states, q)


def continuous_close_time_cdf(core: Any, transient: Sequence[str], t: Any) -> pd.Series | pd.DataFrame:
    """P(closed within time t) per stage of a continuous chain: a Series for one ``t``, a
    DataFrame (one column per horizon) for a list."""
    h, scalar = _horizons(t, "t", integer=False)
    values = [np.asarray(_core.funnel.close_time_cdf_continuous(core, float(x))) for x in h]
    return _cdf_table(values, h, transient, scalar, lambda x: f"{x:g}")
