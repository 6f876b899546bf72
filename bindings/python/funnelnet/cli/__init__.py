"""The command line: ``python -m funnelnet`` and the ``funnelnet`` console script
(issue 12).  ``demo`` generates a company, runs every analysis and writes the report;
``generate``, ``fit-funnel``, ``attribution``, ``influencers``, ``customers`` and
``report`` run on the user's own CSV/Parquet files (``--map NAME=COLUMN`` renames
columns).  Bad input exits with status 2 and one line on stderr.

>>> from funnelnet.cli import main
>>> main(["fit-funnel", "no-such-file.csv"])
2
"""
from __future__ import annotations

from .main import DEFAULT_SIZE, main

__all__ = ["main", "DEFAULT_SIZE"]
