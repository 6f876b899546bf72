"""The report's sections, in page order: one line per section module of
:mod:`funnelnet.report.sections` (each defines ``SECTION``).  A later issue adds its
section by adding its module and one line here.

>>> from funnelnet.report.registry import SECTION_MODULES
>>> SECTION_MODULES[:3]
['funnel', 'time_to_close', 'bottlenecks']
"""
from __future__ import annotations

import importlib

from .section import Section

__all__ = ["SECTION_MODULES"]

SECTION_MODULES: list[str] = [
    "funnel",
    "time_to_close",
    "bottlenecks",
    "attribution",
    "referrals",
    "tiers",
    "repeat_buying",
    "forecast",
    "lead_scores",
]


def _load() -> list[Section]:
    """The registered sections, in page order."""
    return [importlib.import_module(f"{__package__}.sections.{m}").SECTION for m in SECTION_MODULES]
