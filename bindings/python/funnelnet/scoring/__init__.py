"""Lead scoring (home of the scoring area; empty for now).

Will hold point-in-time features from the funnel, graph and customer models, the
scorer, its metrics and lead-scoring experiments (issue 14).  Nothing is public here
yet.
"""
from __future__ import annotations

__all__: list[str] = []
