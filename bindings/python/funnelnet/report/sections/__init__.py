"""The report's sections, one module each (``SECTION = Section(...)``); the order of the
page is :data:`funnelnet.report.registry.SECTION_MODULES`."""
from __future__ import annotations

__all__: list[str] = []
