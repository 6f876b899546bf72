"""funnelnet's exception classes.

Every error raised by funnelnet derives from :class:`FunnelnetError` and from the
builtin that fits (``ValueError`` for bad values, ``TypeError`` for wrong kinds of
input, ``OSError`` for files), so ``except ValueError`` keeps working.  The message
names what was wrong: the row, field and value.
"""
from __future__ import annotations

from ._core import (
    CancelledError,
    ConvergenceError,
    DuplicateLabelError,
    EmptyInputError,
    FileError,
    FormatError,
    FunnelnetError,
    InputTypeError,
    InternalError,
    InvalidArgumentError,
    NotAbsorbingError,
    OutOfRangeError,
    ShapeError,
    UnknownLabelError,
)



class ConvergenceWarning(UserWarning):
    """An iterative fit stopped before converging, or converged at the edge of its
    parameter space; its estimates are usable only with care.  The message says what
    stopped it and what to try.  Turn it into an error with ``warnings.simplefilter(
    "error", funnelnet.ConvergenceWarning)`` or, per model, with ``strict=True`` (which
    raises :class:`ConvergenceError`)."""


__all__ = [
    "CancelledError",
    "ConvergenceError",
    "ConvergenceWarning",
    "DuplicateLabelError",
    "EmptyInputError",
    "FileError",
    "FormatError",
    "FunnelnetError",
    "InputTypeError",
    "InternalError",
    "InvalidArgumentError",
    "NotAbsorbingError",
    "OutOfRangeError",
    "ShapeError",
    "UnknownLabelError",
]
