"""``python -m funnelnet``: the command line (see :mod:`funnelnet.cli`)."""
from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
