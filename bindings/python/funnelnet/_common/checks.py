"""Argument checks at the Python boundary shared by every area (issue 17): one rule for
integer arguments, label lists and file paths, so that a bad value gives a typed error
naming the parameter (never pybind's page-long "incompatible function arguments"
TypeError, a silent wrap-around, or a string split into letters)."""
from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from ..errors import InputTypeError, OutOfRangeError

__all__ = ["check_int", "check_ints", "float_matrix", "label_list", "path_arg", "INT_RANGES"]

_U64 = 2**64 - 1
_I64 = 2**63 - 1
_I32 = 2**31 - 1

#: Valid range per parameter name, as the C++ core stores it: seeds are uint64, thread
#: counts int (0 = all cores), counts and iteration limits int64 / size_t (>= 0; the core
#: checks finer limits, e.g. k <= n, and names them itself).
INT_RANGES: dict[str, tuple[int, int]] = {
    "seed": (0, _U64),
    "threads": (0, _I32),
    "max_iter": (0, _I32),
    "restarts": (0, _I32),
    "header_lines": (0, _I32),
    "order": (1, _I32),
    "max_steps": (1, _I64),
    "max_iterations": (1, _I32),
}
_DEFAULT_RANGE = (0, _I64)


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as a Python int in ``[lo, hi]`` (by default the range of ``name`` in
    :data:`INT_RANGES`, else ``[0, 2**63 - 1]``).  InputTypeError for a non-integer
    (``bool`` included), OutOfRangeError naming the parameter, value and range."""
    dlo, dhi = INT_RANGES.get(name, _DEFAULT_RANGE)
    lo = dlo if lo is None else lo
    hi = dhi if hi is None else hi
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    v = int(value)
    if not lo <= v <= hi:
        raise OutOfRangeError(f"{name} must be an integer in [{lo}, {hi}], got {v}")
    return v


def check_ints(**values: Any) -> None:
    """:func:`check_int` on each keyword (``None`` values are skipped)."""
    for name, value in values.items():
        if value is not None:
            check_int(name, value)


def label_list(values: Any, name: str) -> list[str]:
    """A list of labels from a sequence of them.  A single string is refused (it would
    be split into letters), as are None and non-iterables."""
    if isinstance(values, (str, bytes)):
        raise InputTypeError(f"{name} must be a list of names, got the single string {values!r}; "
                             f"write [{values!r}]")
    if values is None:
        raise InputTypeError(f"{name} must be a list of names, got None")
    try:
        return [str(v) for v in values]
    except TypeError:
        raise InputTypeError(f"{name} must be a list of names, got {type(values).__name__}") from None


def float_matrix(values: Any, name: str) -> np.ndarray:
    """A C-contiguous float64 array of numbers; InputTypeError naming ``name`` for
    strings or objects that are not numbers (never numpy's "could not convert")."""
    arr = np.asarray(values)
    if arr.dtype.kind in "USV" or (arr.dtype.kind == "O" and arr.size and isinstance(arr.flat[0], (str, bytes))):
        raise InputTypeError(f"{name} must hold numbers, got text (first entry {str(arr.flat[0])!r})" if arr.size
                             else f"{name} must hold numbers, got dtype {arr.dtype}")
    try:
        return np.ascontiguousarray(arr, dtype=np.float64)
    except (ValueError, TypeError):
        raise InputTypeError(f"{name} must hold numbers, got dtype {arr.dtype}") from None


def path_arg(path: Any, name: str = "path") -> str:
    """A file-system path from ``str``, ``bytes`` or ``os.PathLike``; InputTypeError for
    anything else (``None`` would otherwise open a file called "None")."""
    if isinstance(path, (str, bytes, os.PathLike)):
        p = os.fsdecode(path)
        if "\0" in p:
            raise InputTypeError(f"{name} contains a NUL character: {p!r}")
        return p
    raise InputTypeError(f"{name} must be a path (str, bytes or os.PathLike), got {type(path).__name__}")
