"""Deprecated alias of :mod:`funnelnet.funnel.segments` (moved in 0.2; importing this module
warns).  Use ``from funnelnet.funnel import ...`` or ``funnelnet.funnel.segments``."""
from __future__ import annotations

from ._common.deprecation import moved_module

moved_module("funnelnet.segments", "funnelnet.funnel.segments")

from .funnel.segments import SegmentedFunnel  # noqa: E402,F401

__all__ = ['SegmentedFunnel']
