"""Shared helpers of the Dask plans: input checks, the shuffle that keeps row order,
and the tree reduction of mergeable statistics."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from .._common.options import unknown_column
from ..errors import InputTypeError

#: helper columns carrying each row's original position through a shuffle
PART, ROW = "__fn_part", "__fn_row"


def is_dask_frame(obj: Any) -> bool:
    """True for a Dask DataFrame (without importing dask)."""
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "to_delayed")


def _kind(dtype: Any) -> str:
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype) or dtype == object:
        return "text"
    return str(dtype)


_EXPECT = {"time": ("datetime", "number"), "number": ("number", "bool"), "label": ("text", "number", "bool"),
           "text": ("text",), "any": None}


def check_frame(ddf: Any, columns: Mapping[str, tuple[str | None, str]]) -> None:
    """Check a Dask DataFrame lazily (from its meta): it is one, each named column is
    there (UnknownLabelError) and of the right kind (InputTypeError); both name the
    column.  ``columns`` maps role -> (column or None, expectation)."""
    if not is_dask_frame(ddf):
        raise InputTypeError(f"expected a Dask DataFrame, got {type(ddf).__name__}")
    cols = list(ddf.columns)
    for role, (col, want) in columns.items():
        if col is None:
            continue
        if col not in cols:
            raise unknown_column(role, col, cols)
        ok = _EXPECT[want]
        got = _kind(ddf.dtypes[col])
        if ok is not None and got not in ok:
            raise InputTypeError(f"{role} column {col!r} has dtype {ddf.dtypes[col]}, expected "
                                 f"{' or '.join(ok)}")


def _number_rows(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    k = 0 if partition_info is None else int(partition_info["number"])
    out = part.copy()
    out[PART] = np.int64(k)
    out[ROW] = np.arange(len(part), dtype=np.int64)
    return out


def shuffle_by(ddf: Any, key: str, keep: Iterable[str]) -> Any:
    """The rows of ``ddf`` (columns ``keep`` only) shuffled so that each ``key`` value
    lies in one partition, each partition in the rows' original order (partition, row),
    with a fresh RangeIndex.  Ties (same lead and time) then break as on one machine."""
    cols = list(dict.fromkeys(keep))
    meta = ddf._meta[cols].copy()
    meta[PART] = np.int64(0)
    meta[ROW] = np.int64(0)
    numbered = ddf[cols].map_partitions(_number_rows, meta=meta)
    shuffled = numbered.shuffle(on=key)

    def restore(part: pd.DataFrame) -> pd.DataFrame:
        return part.sort_values([PART, ROW], kind="stable").drop(columns=[PART, ROW]).reset_index(drop=True)

    return shuffled.map_partitions(restore, meta=ddf._meta[cols].reset_index(drop=True))


def tree_reduce(items: list[Any], combine: Callable[[Any, Any], Any], split_every: int = 8) -> Any:
    """Reduce delayed values pairwise-by-groups on the cluster (a tree of ``combine``
    calls), left to right so the result is deterministic.  None items are skipped."""
    import dask

    def merge(*xs: Any) -> Any:
        acc = None
        for x in xs:
            if x is None:
                continue
            acc = x if acc is None else combine(acc, x)
        return acc

    level = list(items)
    while len(level) > 1:
        level = [dask.delayed(merge)(*level[i:i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def global_max(ddf: Any, col: str) -> Any:
    """The largest value of a column (one pass), as a scalar."""
    return ddf[col].max().compute()
