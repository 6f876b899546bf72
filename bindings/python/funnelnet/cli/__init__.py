"""Command line (home of the cli area; empty for now).

Will hold ``python -m funnelnet``: every analysis run on a user's own CSV/Parquet
files (issue 12).  Nothing is public here yet.
"""
from __future__ import annotations

__all__: list[str] = []
