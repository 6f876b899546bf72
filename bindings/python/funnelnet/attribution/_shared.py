"""Helpers shared by the modules of the attribution area (private): aggregated path
tables and event logs read into the C++ PathSet, and the per-channel result frame."""
from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import arrow_buffers, as_array, ids_as_int64, require_columns
from .._common.time import times_as_numbers
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError

REPEATS = {"keep": 0, "collapse": 1}
#: ``repeats=`` values (keys of REPEATS).
Repeats = Literal["keep", "collapse"]


def repeats_code(value: str) -> int:
    if value not in REPEATS:
        raise InvalidArgumentError(f"repeats must be one of {sorted(REPEATS)}, got {value!r}")
    return REPEATS[value]


def float_column(df: pd.DataFrame, col: str | None, name: str) -> np.ndarray:
    if col is None:
        return np.zeros(0, dtype=np.float64)
    return as_array(df[col].to_numpy(), np.float64, col)


def paths_from_frame(df: pd.DataFrame, path: str, conversions: str, nulls: str | None, value: str | None,
                      sep: str, channels: Sequence[str] | None) -> Any:
    require_columns(df, {"path": path, "conversions": conversions, "nulls": nulls, "value": value})
    if len(df) == 0:
        raise EmptyInputError("no paths given (the DataFrame has no rows)")
    s = df[path]
    if s.isna().any():
        raise InvalidArgumentError(f"{path}: row {int(np.flatnonzero(s.isna().to_numpy())[0])} is missing (empty path)")
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        raise InputTypeError(f"{path} must hold strings joined by {sep!r}, got dtype {s.dtype}")
    vocab = [] if channels is None else [str(c) for c in channels]
    counts = (float_column(df, conversions, "conversions"), float_column(df, nulls, "nulls"), float_column(df, value, "value"))
    with np.errstate(over="ignore"):
        total = float(np.sum(counts[0]) + np.sum(counts[1]))
    if not np.isfinite(total):  # 1e308 counts: every removal effect came out 0 (issue 17)
        raise InvalidArgumentError(f"the {conversions} and {nulls} counts add up to more than a float holds "
                                   f"({total}); scale them down (removal effects are ratios)")
    buffers = arrow_buffers(s)
    if buffers is not None:  # Arrow-backed strings (pandas' default str dtype): zero-copy
        return _core.attribution.PathSet.parse_buffer(buffers[0], buffers[1], sep, *counts, vocab)
    return _core.attribution.PathSet.parse(s.tolist(), sep, *counts, vocab)


def journeys_core(events: pd.DataFrame, customer: str, time: str, channel: str, converted: str,
                   value: str | None, sep: str, conversion_is_touch: bool) -> tuple[Any, np.ndarray, np.ndarray, Any]:
    require_columns(events, {"customer": customer, "time": time, "channel": channel, "converted": converted,
                             "value": value})
    if len(events) == 0:
        raise EmptyInputError("the event log has no rows")
    ch = events[channel]
    missing = ch.isna().to_numpy()
    if missing.any():
        raise InvalidArgumentError(f"{channel}: row {int(np.flatnonzero(missing)[0])} is missing")
    codes, names = pd.factorize(ch.astype(str), sort=True)
    empty = np.flatnonzero(np.asarray(names) == "")
    if empty.size:
        raise InvalidArgumentError(f"{channel}: row {int(np.flatnonzero(codes == empty[0])[0])} has an empty channel name")
    conv = events[converted].to_numpy()
    if conv.dtype == bool:
        conv = conv.astype(np.uint8)
    conv = as_array(conv, np.float64, converted)
    bad = np.flatnonzero((conv != 0) & (conv != 1))
    if bad.size:
        raise InvalidArgumentError(f"{converted}: row {int(bad[0])} is {float(conv[bad[0]])!r}, expected 0 or 1")
    t = times_as_numbers(events[time], time)
    builder = _core.attribution.journeys_i64 if t.dtype == np.int64 else _core.attribution.journeys_f64
    paths, cust, age = builder([str(n) for n in names], ids_as_int64(events[customer], customer), t,
                               codes.astype(np.int32), conv.astype(np.uint8), float_column(events, value, "value"),
                               bool(conversion_is_touch), sep)
    # Map dense customer ids back to the caller's ids.
    cvals = events[customer]
    if cvals.dtype.kind in "iu":
        labels = cust
    else:
        labels = pd.Series(pd.factorize(cvals)[1]).to_numpy()[cust]
    return paths, labels, age, t.dtype


def channel_frame(index: Sequence[str], data: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(data, index=pd.Index(list(index), name="channel"))
