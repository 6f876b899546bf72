"""Persistence of funnel models: versioned JSON text, atomic files, and
:func:`load_model` for any file written by a ``save`` method."""
from __future__ import annotations

from typing import Any

from .. import _core

__all__ = ["JsonModel", "load_model", "to_json", "write_atomic"]


def to_json(core: Any) -> str:
    """A funnel object (chain, counts, exposure counts, continuous chain) as versioned JSON."""
    return _core.funnel.to_json(core)


def write_atomic(path: Any, text: str) -> None:
    """Write ``text`` to ``path`` crash-safely (unique temporary file, fsync, rename)."""
    _core.funnel.write_atomic(str(path), text)


class JsonModel:
    """Versioned-JSON persistence shared by the funnel's model objects (chains, counts,
    exposure counts, continuous chains): each holds its compiled object in ``_core``."""

    _core: Any

    def to_json(self) -> str:
        """The object as versioned JSON text (exact round trip)."""
        return to_json(self._core)

    def save(self, path: Any) -> None:
        """Write the object to ``path`` as versioned JSON, crash-safely (unique temporary
        file, fsync, rename); read it back with :func:`funnelnet.load_model`."""
        write_atomic(path, self.to_json())


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
    kind = _core.funnel.model_kind(text)  # the C++ registry: precise FormatError otherwise
    readers = {
        "markov_chain": MarkovChain.from_json,
        "transition_counts": TransitionCounts.from_json,
        "exposure_counts": ExposureCounts.from_json,
        "continuous_chain": ContinuousChain.from_json,
    }
    return readers[kind](text)
