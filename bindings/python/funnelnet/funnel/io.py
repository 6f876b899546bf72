"""Persistence of funnel models: versioned JSON text, atomic files, and
:func:`load_model` for any file written by a ``save`` method.  The shared pieces
(:class:`JsonModel`, :func:`load_model`, :func:`write_atomic`) live in
``funnelnet._common.persist`` and are re-exported here."""
from __future__ import annotations

from typing import Any

from .. import _core
from .._common.persist import JsonModel, load_model, write_atomic

__all__ = ["JsonModel", "load_model", "to_json", "write_atomic"]


def to_json(core: Any) -> str:
    """A funnel object (chain, counts, exposure counts, continuous chain) as versioned JSON."""
    return _core.funnel.to_json(core)
