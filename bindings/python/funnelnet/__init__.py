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
from . import attribution
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .funnel import Funnel, MarkovChain, TransitionCounts
from . import customers
from . import influence
from .graph import ReferralGraph

__version__: str = _core.__version__

__all__ = ["attribution", "customers", "influence", "Funnel", "MarkovChain", "ReferralGraph", "TransitionCounts", "__version__", *_errors_all]
