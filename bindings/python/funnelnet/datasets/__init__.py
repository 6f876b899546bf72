"""Data sets (home of the datasets area; empty for now).

Will hold the seeded synthetic company generator with its ground truth
(``synthetic_crm``, issue 12) and readers for the real data sets the tests and
examples use.  Nothing is public here yet.
"""
from __future__ import annotations

__all__: list[str] = []
