"""Column conversion at the Python boundary: pandas/numpy in, typed contiguous arrays
out, with errors that name the offending row and value.  Vectorised: no per-element
Python loops."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InputTypeError, InvalidArgumentError, OutOfRangeError, ShapeError, UnknownLabelError
from .time import times_as_numbers  # noqa: F401  (re-exported: the one time rule lives in .time)


def as_array(values: Any, dtype: Any, name: str) -> np.ndarray:
    """A C-contiguous 1-d array of ``dtype`` (no copy when the input already fits)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ShapeError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    if np.dtype(dtype).kind in "iu" and arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidArgumentError(f"{name}: row {i} is {float(arr[i])!r}, expected an integer")
    return np.ascontiguousarray(arr, dtype=dtype)


def encode_labels(values: Any, labels: Sequence[str], name: str) -> np.ndarray:
    """int32 codes of ``values`` in ``labels``; an unknown label raises
    UnknownLabelError naming the first bad row and value."""
    index = pd.Index(list(labels))
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        # One int32 gather; the extra last entry maps a missing value's code -1 to -1.
        lut = np.append(index.get_indexer(values.cat.categories), -1).astype(np.int32)
        codes = lut[values.cat.codes.to_numpy()]
    elif (arr := np.asarray(values)).dtype.kind in "iu" and arr.size and (rng := _int_range(arr)) is not None:
        # Integer codes (a CRM's stage ids): the names are their decimal text, looked up
        # once per value in the range, then one vectorised gather (no astype(str) of the
        # column).
        lo, hi = rng
        lut = index.get_indexer(pd.Index([str(v) for v in range(lo, hi + 1)])).astype(np.int32)
        codes = lut[arr] if lo == 0 else lut[np.subtract(arr, lo, dtype=np.intp)]
    else:
        if arr.dtype.kind not in "OUS":
            arr = arr.astype(str)  # numeric stage names compare as text
        codes = index.get_indexer(arr.astype(object, copy=False)).astype(np.int32)  # type: ignore[arg-type]
    bad = np.flatnonzero(codes < 0)
    if bad.size:
        i = int(bad[0])
        v = pd.Series(values, copy=False).iloc[i]
        raise UnknownLabelError(
            f"{name}: row {i} has unknown label {v!r} (known: {', '.join(map(str, labels))})"
        )
    return codes


def int64_column(s: pd.Series, name: str) -> np.ndarray:
    """An integer column (numpy or pandas nullable) as int64; InvalidArgumentError naming
    the first missing row (``pd.NA`` would otherwise become -2**63), OutOfRangeError for
    a uint64 value that int64 cannot hold."""
    na = np.asarray(s.isna())
    if na.any():
        raise InvalidArgumentError(f"{name}: row {int(np.flatnonzero(na)[0])} is missing (NA)")
    arr = s.to_numpy(dtype=s.dtype.numpy_dtype if hasattr(s.dtype, "numpy_dtype") else None)
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        i = int(np.flatnonzero(arr > np.iinfo(np.int64).max)[0])
        raise OutOfRangeError(f"{name}: row {i} is {int(arr[i])}, larger than the int64 maximum {np.iinfo(np.int64).max}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _small_range(arr: np.ndarray) -> bool:
    """Whether the integer values of ``arr`` span at most 65,536 values."""
    return int(arr.max()) - int(arr.min()) <= 65_535


def _int_range(arr: np.ndarray) -> tuple[int, int] | None:
    """(min, max) of the integer values of ``arr`` if they span at most 65,536 values."""
    lo, hi = int(arr.min()), int(arr.max())
    return (lo, hi) if hi - lo <= 65_535 else None


def ids_as_int64(values: Any, name: str) -> np.ndarray:
    """Integer ids as int64 (zero-copy when possible); other ids are factorised."""
    s = pd.Series(values, copy=False)
    if s.dtype.kind in "iu" and not (s.dtype.kind == "u" and len(s) and s.max() > np.iinfo(np.int64).max):
        return int64_column(s, name)  # uint64 ids >= 2**63 are factorised below (by value)
    codes, _ = pd.factorize(s, use_na_sentinel=True)
    bad = np.flatnonzero(codes < 0)
    if bad.size:
        raise InvalidArgumentError(f"{name}: row {int(bad[0])} is missing (NaN/None)")
    return codes.astype(np.int64, copy=False)


def require_columns(df: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """Raise UnknownLabelError if a named column is missing from ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    for role, col in columns.items():
        if col is not None and col in df.columns and np.count_nonzero(df.columns == col) > 1:
            raise InvalidArgumentError(f"{role} column {col!r} appears {np.count_nonzero(df.columns == col)} "
                                       f"times in the DataFrame; column names must be unique")
    for role, col in columns.items():
        if col is not None and col not in df.columns:
            raise UnknownLabelError(
                f"{role} column {col!r} is not in the DataFrame (columns: {', '.join(map(str, df.columns))})"
            )


def arrow_buffers(s: pd.Series, large_offsets: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
    """(UTF-8 bytes, offsets) of an Arrow-backed string Series, without copying the text;
    None for other dtypes (they go through a list of str).  Offsets are int64, or with
    ``large_offsets=False`` the column's own (int32 for Arrow ``string``: no copy)."""
    arr = s.array
    if not hasattr(arr, "__arrow_array__"):
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - Arrow strings imply pyarrow
        return None
    chunked = arr.__arrow_array__()
    if isinstance(chunked, pa.ChunkedArray):
        # One chunk is used where it is: combine_chunks copies even a single chunk (25 ms
        # for 10^7 short strings).
        chunked = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
    if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
        return None
    if pa.types.is_string(chunked.type) and large_offsets:
        chunked = chunked.cast(pa.large_string())
    _, off_buf, data_buf = chunked.buffers()
    off_type = np.int32 if pa.types.is_string(chunked.type) else np.int64
    offsets = np.frombuffer(off_buf, dtype=off_type)[chunked.offset:chunked.offset + len(chunked) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    return data, np.ascontiguousarray(offsets)
