"""Deprecated alias of :mod:`funnelnet.funnel.higher_order` (moved in 0.2; importing this module
warns).  Use ``from funnelnet.funnel import ...`` or ``funnelnet.funnel.higher_order``."""
from __future__ import annotations

from ._common.deprecation import moved_module

moved_module("funnelnet.higher_order", "funnelnet.funnel.higher_order")

from .funnel.higher_order import HigherOrderChain, select_order  # noqa: E402,F401

__all__ = ['HigherOrderChain', 'select_order']
