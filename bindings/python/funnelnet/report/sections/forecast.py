"""Section "forecast" (placeholder): the pipeline forecast a later version adds."""
from __future__ import annotations

from ..section import Section

__all__ = ["SECTION"]

SECTION = Section(
    id="forecast", title="Pipeline forecast",
    placeholder=("Coming with the pipeline area: expected wins and revenue per month for the next 6-8 months "
                 "from the open opportunities (with their spread), the rolling plan against target, and tender "
                 "months marked."))
