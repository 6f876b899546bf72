"""funnelnet: B2B sales analytics.

Markov funnels (fit from CRM event logs and paths, absorption, time to close),
channel attribution, referral networks (influence ranking, diffusion, influence
maximisation) and customers (ABC grading, tier migration, lifetime value, repeat
buying).  DataFrames in, DataFrames out; the heavy lifting is C++.

>>> import funnelnet as fn
>>> fn.__version__
'0.1.0'
"""
from __future__ import annotations

from . import _core
from . import attribution, customers, influence
from .continuous import ContinuousChain, ExposureCounts
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .funnel import Funnel, MarkovChain, TransitionCounts, WhatIf, load_model
from .graph import ReferralGraph
from .higher_order import HigherOrderChain, select_order
from .segments import SegmentedFunnel

__version__: str = _core.__version__

__all__ = [
    # modules
    "attribution", "customers", "influence",
    # funnel
    "Funnel", "MarkovChain", "TransitionCounts", "ContinuousChain", "ExposureCounts",
    "SegmentedFunnel", "WhatIf", "HigherOrderChain", "select_order", "load_model",
    # referral networks
    "ReferralGraph",
    "__version__", *_errors_all,
]
