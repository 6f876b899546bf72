"""Errors in the user's terms: the one place where the core's internal codes in a
message are mapped back to what the user gave.

The compiled core sees ids as int64 codes (string ids are factorised) and times as
numbers (datetimes as int64 nanoseconds, calendar months as month indices).  Its
messages name those: ``"row 3 (lead 0, time 1504224000000000000) is later than the
cutoff 1504137600000000000"``.  The public Python function that encoded the input
wraps the core call in :func:`user_terms`, which rewrites ``<entity> <code>`` to the
user's id and ``time`` / ``cutoff`` / ``origin`` / ``end of observation`` values to
readable times, and re-raises the same funnelnet error class::

    with user_terms(ids=df["lead"], entity="lead", times="ns"):
        _core.funnel.period_counts_i64(...)

>>> import pandas as pd
>>> from funnelnet.errors import InvalidArgumentError
>>> try:
...     with user_terms(ids=pd.Series(["IOMVIZR8"]), entity="lead", times="ns"):
...         raise InvalidArgumentError("row 0 (lead 0, time 1504224000000000000) is late")
... except InvalidArgumentError as e:
...     print(e)
row 0 (lead 'IOMVIZR8', time 2017-09-01) is late
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from ..errors import FunnelnetError
from .time import readable

__all__ = ["user_terms", "time_formatter"]

_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_TIME_WORDS = r"(time|cutoff|cut-off|origin|end of observation)"


def time_formatter(times: Any) -> Callable[[float], str] | None:
    """How to show a core time: ``"ns"`` (int64 nanoseconds, shown as ISO dates),
    ``"month"`` (month index since January 1970, shown ``2024-01``), ``"month_code"``
    (year * 12 + month - 1, shown ``2024-01``), a callable, or None (numbers as given)."""
    if times is None or callable(times):
        return times  # type: ignore[no-any-return]
    if times == "ns":
        return lambda x: readable(int(x))
    if times in ("month", "month_code"):
        shift = 0 if times == "month" else 1970 * 12
        return lambda x: str(np.datetime64(int(x) - shift, "M"))
    raise ValueError(f"unknown time format {times!r}")  # pragma: no cover - internal use only


def rewrite(message: str, ids: Any = None, entity: str | None = None, times: Any = None,
            rows: Any = None, words: tuple[str, ...] = ()) -> str:
    """``message`` with ``<entity> <code>`` replaced by the user's id, times made
    readable (see the module docstring) and, with ``rows`` (the index of the user's
    Series, e.g. customer ids), ``row <k>`` followed by ``(<entity> <label>)``."""
    if rows is not None and entity and not isinstance(rows, pd.RangeIndex):

        def row_label(m: re.Match[str]) -> str:
            k = int(m.group(1))
            return f"row {k} ({entity} {rows[k]!r})" if 0 <= k < len(rows) else m.group(0)

        message = re.sub(r"\brow (\d+)\b(?! \()", row_label, message)
        ids = None
    if ids is not None and entity:
        s = pd.Series(ids, copy=False)
        if s.dtype.kind not in "iu":  # factorised ids: code k is the k-th distinct id
            labels = pd.unique(s.dropna())

            def label(m: re.Match[str]) -> str:
                k = int(m.group(2))
                return f"{m.group(1)} {labels[k]!r}" if 0 <= k < len(labels) else m.group(0)

            message = re.sub(rf"\b({re.escape(entity)}) (-?\d+)\b", label, message)
    fmt = time_formatter(times)
    if fmt is not None:

        def when(m: re.Match[str]) -> str:
            try:
                second = f" and {fmt(float(m.group(4)))}" if m.group(4) is not None else ""
                return f"{m.group(1)} {m.group(2)}{fmt(float(m.group(3)))}{second}"
            except (ValueError, OverflowError):  # pragma: no cover - leave odd values as they are
                return m.group(0)

        pattern = _TIME_WORDS if not words else "(" + "|".join([_TIME_WORDS[1:-1], *map(re.escape, words)]) + ")"
        # "<word> <time>" and "<word> <time> and <time>" ("between periods 24287 and 24289")
        message = re.sub(rf"\b{pattern} (\(?)({_NUMBER})(?: and ({_NUMBER}))?(?![\w.])", when, message)
    return message


@contextmanager
def user_terms(*, ids: Any = None, entity: str | None = None, times: Any = None,
               rows: Any = None, words: tuple[str, ...] = ()) -> Iterator[None]:
    """Re-raise a funnelnet error from the block with its message in the user's terms:
    ``ids`` (the user's id column, in the order the core received it) for ``entity``
    codes, ``times`` (see :func:`time_formatter`) for times, ``rows`` (an index of
    labels, one per input row) to name the ``entity`` of ``row k``; ``words``: more
    words that precede a time ("is period").  Same error class."""
    try:
        yield
    except FunnelnetError as e:
        text = str(e)
        new = rewrite(text, ids, entity, times, rows, words)
        if new == text:
            raise
        raise type(e)(new) from None
