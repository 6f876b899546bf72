"""Persistence of funnel models: versioned JSON text, atomic files, and
:func:`load_model` for any file written by a ``save`` method."""
from __future__ import annotations

import json
from typing import Any

from .. import _core

__all__ = ["load_model", "to_json", "write_atomic"]


def to_json(core: Any) -> str:
    """A funnel object (chain, counts, exposure counts, continuous chain) as versioned JSON."""
    return _core.funnel.to_json(core)


def write_atomic(path: Any, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, then rename)."""
    _core.funnel.write_atomic(str(path), text)


def load_model(path: Any) -> Any:
    """Read a model file written by any ``save`` method (chains, counts, exposure
    counts, continuous chains).  FileError if it cannot be read; FormatError if it is
    corrupt, of an unknown version or kind, or fails validation.

    >>> import funnelnet as fn, tempfile, os
    >>> chain = fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["open", "won"])
    >>> path = os.path.join(tempfile.mkdtemp(), "chain.json")
    >>> chain.save(path)
    >>> fn.load_model(path) == chain
    True
    """
    from .chain import MarkovChain
    from .continuous import ContinuousChain, ExposureCounts
    from .counts import TransitionCounts

    text = _core.funnel.read_file(str(path))
    try:
        kind = json.loads(text).get("kind")
    except (ValueError, AttributeError):
        kind = None
    readers = {
        "markov_chain": MarkovChain.from_json,
        "transition_counts": TransitionCounts.from_json,
        "exposure_counts": ExposureCounts.from_json,
        "continuous_chain": ContinuousChain.from_json,
    }
    if kind not in readers:
        # Let the C++ reader produce the precise error (not JSON, wrong format, version...).
        return MarkovChain.from_json(text)
    return readers[kind](text)
