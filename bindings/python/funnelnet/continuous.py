"""Deprecated alias of :mod:`funnelnet.funnel.continuous` (moved in 0.2; importing this module
warns).  Use ``from funnelnet.funnel import ...`` or ``funnelnet.funnel.continuous``."""
from __future__ import annotations

from ._common.deprecation import moved_module

moved_module("funnelnet.continuous", "funnelnet.funnel.continuous")

from .funnel.continuous import ExposureCounts, ContinuousChain, _restore_exposure, _restore_chain  # noqa: E402,F401

__all__ = ['ExposureCounts', 'ContinuousChain']
