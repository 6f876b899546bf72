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

__all__ = [
    "CancelledError",
    "ConvergenceError",
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
