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
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .funnel import Funnel, MarkovChain, TransitionCounts
from .continuous import ContinuousChain, ExposureCounts
from .funnel import WhatIf, load_model
from .segments import SegmentedFunnel
from .higher_order import HigherOrderChain, select_order

__version__: str = _core.__version__

__all__ = ["Funnel", "MarkovChain", "TransitionCounts", "__version__", *_errors_all]
__all__ += ["ContinuousChain", "ExposureCounts", "SegmentedFunnel", "WhatIf", "load_model", "HigherOrderChain", "select_order"]
