"""Time to close: the phase-type distribution of the steps (discrete chains) or time
(continuous chains) until a lead is won or lost, per stage."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from ..errors import InvalidArgumentError
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


def discrete_close_time_cdf(core: Any, transient: Sequence[str], k: int) -> pd.Series:
    """P(closed within k steps) per stage of a discrete chain."""
    if int(k) < 0:
        raise InvalidArgumentError(f"k must be >= 0, got {k}")
    v = _core.funnel.close_time_cdf_discrete(core, int(k))
    return pd.Series(v, index=pd.Index(transient, name="stage"), name=f"P(T<={int(k)})")


def continuous_time_to_close(core: Any, states: Sequence[str], quantiles: Sequence[float]) -> pd.DataFrame:
    """Time until won or lost per stage of a continuous chain, in its time unit."""
    q = [float(x) for x in quantiles]
    return time_frame(_core.funnel.time_to_close_continuous(core, q), states, q)


def continuous_close_time_cdf(core: Any, transient: Sequence[str], t: float) -> pd.Series:
    """P(closed within time t) per stage of a continuous chain."""
    v = _core.funnel.close_time_cdf_continuous(core, float(t))
    return pd.Series(v, index=pd.Index(transient, name="stage"), name=f"P(T<={t:g})")
