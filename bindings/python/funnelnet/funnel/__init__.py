"""Markov funnels: declare stages, count transitions, fit a chain, analyse absorption.

One module per concern:

- :mod:`.stages` -- :class:`Funnel`, the state space;
- :mod:`.counts` -- :class:`TransitionCounts` from paths, event logs (pandas or Dask),
  period-by-period logs or a matrix;
- :mod:`.chain` -- :class:`MarkovChain`: validation, access, absorbing analysis;
- :mod:`.recurrent` -- classes, stationary distribution, passage times;
- :mod:`.time_to_close` -- steps or time until won or lost;
- :mod:`.bottlenecks` -- sensitivity, ranked bottlenecks, :class:`WhatIf`;
- :mod:`.posterior` -- Bayesian intervals of transitions and derived figures;
- :mod:`.simulate` -- seeded event logs from a chain;
- :mod:`.io` -- versioned JSON, atomic files, :func:`load_model`;
- :mod:`.continuous` -- :class:`ExposureCounts`, :class:`ContinuousChain`;
- :mod:`.segments` -- :class:`SegmentedFunnel`;
- :mod:`.higher_order` -- :class:`HigherOrderChain`, :func:`select_order`;
- :mod:`.opportunities` -- reading CRM opportunity tables (``from_opportunities``);
- :mod:`.semi_markov` -- :class:`SemiMarkovFunnel`, Kaplan-Meier, Aalen-Johansen.

>>> import funnelnet as fn
>>> f = fn.Funnel(["potential", "possible", "target"], outcomes=["won", "lost"])
>>> counts = fn.TransitionCounts.from_paths(
...     ["potential>possible>target>won", "potential>lost", "potential>possible>lost"],
...     funnel=f, sep=">")
>>> chain = counts.fit()
>>> print(chain.absorption_probabilities().round(3))
outcome      won   lost
stage                  
potential  0.333  0.667
possible   0.500  0.500
target     1.000  0.000
"""
from __future__ import annotations

from typing import Any

from .bottlenecks import WhatIf
from .chain import AbsorptionResult, MarkovChain
from .continuous import ContinuousChain, ExposureCounts
from .counts import TransitionCounts
from .higher_order import HigherOrderChain, select_order
from .io import load_model
from .segments import SegmentedFunnel, SegmentTest
from .semi_markov import CloseOutlook, GoodnessOfFit, SemiMarkovFunnel, cumulative_incidence, kaplan_meier
from .stages import Funnel

__all__ = [
    "Funnel",
    "TransitionCounts",
    "MarkovChain",
    "WhatIf",
    "AbsorptionResult",
    "load_model",
    "ExposureCounts",
    "ContinuousChain",
    "SegmentedFunnel",
    "SegmentTest",
    "HigherOrderChain",
    "select_order",
    "SemiMarkovFunnel",
    "GoodnessOfFit",
    "CloseOutlook",
    "kaplan_meier",
    "cumulative_incidence",
]

# Helpers that 0.1 exposed without a leading underscore (never documented): kept as
# deprecated names so that no importable name disappears.
_DEPRECATED_HELPERS = {
    "fn_unknown": ("funnelnet.funnel._shared", "unknown_state"),
    "fn_unknown_column": ("funnelnet._common.options", "unknown_column"),
    "fn_not_absorbing": ("funnelnet.funnel._shared", "not_absorbing"),
}


def __getattr__(name: str) -> Any:  # PEP 562
    if name in _DEPRECATED_HELPERS:
        import importlib
        import warnings

        module, attr = _DEPRECATED_HELPERS[name]
        warnings.warn(f"funnelnet.funnel.{name} is deprecated (a private helper); it will be removed",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'funnelnet.funnel' has no attribute {name!r}")
