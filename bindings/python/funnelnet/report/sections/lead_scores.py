"""Section "lead_scores" (placeholder): the lead scores a later version adds."""
from __future__ import annotations

from ..section import Section

__all__ = ["SECTION"]

SECTION = Section(
    id="lead_scores", title="Lead scores",
    placeholder=("Coming with the scoring area: each open lead's probability to convert, the ranked call list "
                 "under the team's weekly visit capacity, and the score's accuracy on held-out leads "
                 "(fitted vs the synthetic company's true conversion probabilities)."))
