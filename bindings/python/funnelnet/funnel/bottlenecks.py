"""Bottlenecks: how a funnel figure (win probability, expected value) responds to each
transition, transitions ranked by impact, and what-if changes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import _core
from .._common.results import Result, result
from ._shared import not_absorbing, unknown_state

if TYPE_CHECKING:
    from .chain import MarkovChain

__all__ = ["WhatIf", "figure_args", "sensitivity", "bottlenecks", "what_if"]


@result
class WhatIf(Result):
    """Result of :meth:`MarkovChain.what_if`: the changed ``chain``, the figure before
    and after, and a per-stage ``table`` (value and expected steps, before and after).

    ``to_frame()`` is ``table`` (one row per stage) with ``value_before``,
    ``value_after`` and ``gain`` in its ``attrs``.

    Attributes
    ----------
    chain : MarkovChain
        The changed chain.
    value_before, value_after : float
        The figure (win probability or expected value from the start) before and after.
    table : DataFrame
        By stage: ``value before``, ``value after``, ``steps before``, ``steps after``.

    Examples
    --------
    >>> import funnelnet as fn
    >>> chain = fn.MarkovChain([[0, .5, .5], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
    >>> w = chain.what_if("open", "won", 20)
    >>> w
    WhatIf(value_before=0.5, value_after=0.545455, gain=0.0454545)
           value before  value after  steps before  steps after
    stage                                                      
    open            0.5     0.545455           1.0          1.0
    """

    chain: "MarkovChain"
    value_before: float
    value_after: float
    table: pd.DataFrame

    @property
    def gain(self) -> float:
        """value_after - value_before."""
        return self.value_after - self.value_before

    def summary(self) -> dict[str, Any]:
        """value_before, value_after and gain.

        Returns
        -------
        dict of str to float
            ``{"value_before": ..., "value_after": ..., "gain": ...}``.
        """
        return {"value_before": self.value_before, "value_after": self.value_after, "gain": self.gain}

    def _table(self) -> pd.DataFrame:
        return self.table.copy()


def figure_args(chain: "MarkovChain", outcome: str | None, values: dict[str, float] | None,
                start: Any) -> tuple[np.ndarray, np.ndarray]:
    """(start distribution, value per state) of the figure ``outcome`` / ``values`` from ``start``."""
    states = chain.states
    absorbing = chain.absorbing_states
    if not absorbing:
        raise not_absorbing()
    v = np.zeros(len(states))
    if values is not None:
        for k, x in values.items():
            if str(k) not in absorbing:
                raise unknown_state(k, absorbing)
            v[states.index(str(k))] = float(x)
    else:
        o = absorbing[0] if outcome is None else str(outcome)
        if o not in absorbing:
            raise unknown_state(o, absorbing)
        v[states.index(o)] = 1.0
    a = np.zeros(len(states))
    core = chain._core
    if start is None:
        a[core.space.transient[0] if core.space.transient else 0] = 1.0
    elif isinstance(start, dict):
        for k, x in start.items():
            if str(k) not in states:
                raise unknown_state(k, states)
            a[states.index(str(k))] = float(x)
    else:
        if str(start) not in states:
            raise unknown_state(start, states)
        a[states.index(str(start))] = 1.0
    return a, v


def sensitivity(chain: "MarkovChain", outcome: str | None, values: dict[str, float] | None, start: Any) -> pd.DataFrame:
    """See :meth:`MarkovChain.sensitivity`."""
    a, v = figure_args(chain, outcome, values, start)
    core = chain._core
    sn = _core.funnel.sensitivity(core, a, v)
    states = chain.states
    rows = list(core.space.transient)
    idx = pd.MultiIndex.from_product([[states[i] for i in rows], states], names=["from", "to"])
    return pd.DataFrame({"probability": core.matrix[rows].ravel(), "gradient": sn.gradient[rows].ravel(),
                         "elasticity": sn.elasticity[rows].ravel()}, index=idx)


def bottlenecks(chain: "MarkovChain", outcome: str | None, values: dict[str, float] | None, start: Any) -> pd.DataFrame:
    """See :meth:`MarkovChain.bottlenecks`."""
    a, v = figure_args(chain, outcome, values, start)
    sn = _core.funnel.sensitivity(chain._core, a, v)
    f, t, p, g, e = _core.funnel.rank_bottlenecks(chain._core, sn)
    states = np.asarray(chain.states, dtype=object)
    return pd.DataFrame({"from": states[f], "to": states[t], "probability": p, "gradient": g, "elasticity": e,
                         "gain_10pct": 0.1 * e})


def what_if(chain: "MarkovChain", from_: str, to: str, pct: float, outcome: str | None,
            values: dict[str, float] | None, start: Any) -> WhatIf:
    """See :meth:`MarkovChain.what_if`."""
    states = chain.states
    for x in (from_, to):
        if str(x) not in states:
            raise unknown_state(x, states)
    a, v = figure_args(chain, outcome, values, start)
    core = chain._core
    new = type(chain)._wrap(_core.funnel.raise_transition(core, states.index(str(from_)), states.index(str(to)),
                                                          float(pct) / 100.0))
    before = _core.funnel.sensitivity(core, a, v)
    after = _core.funnel.sensitivity(new._core, a, v)
    tr = list(core.space.transient)
    idx = pd.Index([states[i] for i in tr], name="stage")
    table = pd.DataFrame({
        "value before": before.state_values[tr],
        "value after": after.state_values[tr],
        "steps before": _core.funnel.summarize_absorption(core).expected_steps,
        "steps after": _core.funnel.summarize_absorption(new._core).expected_steps,
    }, index=idx)
    return WhatIf(chain=new, value_before=float(before.value), value_after=float(after.value), table=table)
