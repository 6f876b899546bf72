"""Helpers shared by the modules of the funnel area (private): reading stages from paths
and event logs, and the result frames several analyses return."""
from __future__ import annotations

from typing import Any, Iterable, Literal, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import arrow_buffers, encode_labels, ids_as_int64
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError, NotAbsorbingError, UnknownLabelError
from .stages import Funnel

REPEATS = {"keep": 0, "collapse": 1}
EMPTY_ROWS = {"error": 0, "absorbing": 1, "uniform": 2}
#: ``repeats=`` values (keys of REPEATS).
Repeats = Literal["keep", "collapse"]
#: ``empty_rows=`` values (keys of EMPTY_ROWS).
EmptyRows = Literal["error", "absorbing", "uniform"]


def resolve_funnel(funnel: Funnel | None, names_in_order: Iterable[Any], absorbing: Sequence[str] | None) -> Funnel:
    """The given funnel, or one built from the names in order of first appearance with
    ``absorbing`` as its outcomes."""
    if funnel is not None:
        if not isinstance(funnel, Funnel):
            raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(funnel).__name__}")
        return funnel
    if absorbing is None:
        raise InvalidArgumentError("give either funnel=Funnel(...) or absorbing=[...] naming the end states")
    seen = list(dict.fromkeys(str(x) for x in names_in_order))
    outcomes = [str(a) for a in absorbing]
    for a in outcomes:
        if a not in seen:
            seen.append(a)
    return Funnel([s for s in seen if s not in outcomes], outcomes)


def _encode_str_column(col: pd.Series, funnel: Funnel | None, absorbing: Sequence[str] | None,
                       threads: int = 0, narrow: bool = False) -> tuple[Funnel, np.ndarray] | None:
    """(funnel, int32 codes) of a column of str (Arrow-backed, or object dtype) encoded in
    C++ (no Python object per row for Arrow strings, a cache by object for object
    columns), or None when the column is of another kind or holds a missing value, a
    non-str object or an unknown stage: the general path then raises its usual error.
    ``threads`` (0 = all cores) bounds the Arrow encoder's worker threads.  ``narrow``:
    int8 codes from Arrow strings when there are at most 128 names (a quarter of the
    memory to write; the stage index itself when ``funnel`` is given)."""
    if funnel is not None and not isinstance(funnel, Funnel):
        return None
    labels = [] if funnel is None else list(funnel.states)
    if col.dtype == object:
        arr = col.to_numpy()
        if arr.ndim != 1:
            return None
        codes, names = _core.funnel.encode_object_labels(arr, labels)
        if len(codes) and int(codes.min()) < 0:
            return None  # a missing value or a non-str object
    elif pd.api.types.is_string_dtype(col.dtype) and not bool(col.isna().any()):
        buffers = arrow_buffers(col, large_offsets=False)
        if buffers is None:
            return None
        codes, names = _core.funnel.encode_utf8_labels(buffers[0], buffers[1], labels, int(threads), narrow)
        if codes is None:  # more names than int8 codes
            codes, names = _core.funnel.encode_utf8_labels(buffers[0], buffers[1], labels, int(threads))
    else:
        return None
    if len(names) != len(labels) and funnel is not None:
        return None  # an unknown stage
    if funnel is not None:
        return funnel, codes
    if absorbing is None:
        return None
    f = resolve_funnel(None, names, absorbing)
    lut = pd.Index(f.states).get_indexer(pd.Index(names, dtype=object)).astype(np.int32)
    return f, lut[codes]


def stage_code_map(col: pd.Series, funnel: Funnel | None) -> tuple[np.ndarray, np.ndarray, int] | None:
    """(codes, map, base) letting C++ read a stage column of integers or a Categorical
    where it is (no int32 copy): ``codes`` is the column's own integer array (a
    Categorical's codes), ``map[code - base]`` the funnel's state index or -1.  Integers
    name the states whose names are their decimal text, as :func:`encode_labels` reads
    them.  None for other columns, without a funnel, or when the names' integers span
    more than 65,536 values.  A code without a state makes the C++ count raise
    UnknownLabelError; callers then take the general path, whose error names the row and
    the value."""
    if not isinstance(funnel, Funnel):
        return None
    dt = col.dtype
    if isinstance(dt, pd.CategoricalDtype):
        lut = pd.Index(list(funnel.states)).get_indexer(dt.categories).astype(np.int32)
        return np.ascontiguousarray(col.cat.codes.to_numpy()), lut, 0
    if not (isinstance(dt, np.dtype) and dt.kind == "i"):
        return None
    index: dict[int, int] = {}
    for k, name in enumerate(funnel.states):
        try:
            v = int(name)
        except ValueError:
            continue
        if str(v) == name:
            index[v] = k
    if not index or max(index) - min(index) > 65_535:
        return None
    lo = min(index)
    lut = np.full(max(index) - lo + 1, -1, dtype=np.int32)
    for v, k in index.items():
        lut[v - lo] = k
    return np.ascontiguousarray(col.to_numpy()), lut, lo


def encode_events(df: pd.DataFrame, lead: str, stage: str, funnel: Funnel | None,
                  absorbing: Sequence[str] | None, threads: int = 0,
                  narrow: bool = False) -> tuple[Funnel, np.ndarray, np.ndarray]:
    """(funnel, int32 stage codes, int64 lead ids) of an event log; ``threads`` (0 = all
    cores) bounds the threads of the string encoder.  ``narrow``: the codes may come back
    as int8 stage indices instead (Arrow strings against a given funnel of at most 128
    states; see :func:`_encode_str_column`)."""
    stage_col = df[stage]
    fast = _encode_str_column(stage_col, funnel, absorbing, threads, narrow)
    if fast is not None:
        return fast[0], fast[1], ids_as_int64(df[lead], lead)
    missing = stage_col.isna().to_numpy()
    if missing.any():
        raise InvalidArgumentError(f"{stage}: row {int(np.flatnonzero(missing)[0])} is missing")
    f = funnel if funnel is not None else resolve_funnel(None, (str(x) for x in pd.unique(stage_col)), absorbing)
    if not isinstance(f, Funnel):
        raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(f).__name__}")
    codes = encode_labels(stage_col, f.states, stage)
    leads = ids_as_int64(df[lead], lead)
    return f, codes, leads


def encode_paths(paths: Any, funnel: Funnel | None, absorbing: Sequence[str] | None,
                 sep: str | None) -> tuple[Funnel, np.ndarray, np.ndarray]:
    """Paths (sequences of stage names, or strings joined by ``sep``) as state codes plus
    path offsets, through the one C++ path parser (``core/paths.hpp``, shared with
    attribution): errors name the path, the step and the stage.  No per-path Python
    loop: strings go to C++ as a list (or zero-copy Arrow buffers), sequences are
    exploded by pandas into one column of names."""
    s = pd.Series(paths, copy=False) if not isinstance(paths, pd.Series) else paths.reset_index(drop=True)
    if len(s) == 0:
        raise EmptyInputError("no paths given")
    if funnel is not None and not isinstance(funnel, Funnel):
        raise InputTypeError(f"funnel must be a funnelnet.Funnel, got {type(funnel).__name__}")
    vocab = [] if funnel is None else list(funnel.states)
    if sep is not None:
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            raise InputTypeError(f"with sep={sep!r} paths must be strings, got dtype {s.dtype}")
        missing = s.isna().to_numpy()
        if missing.any():
            raise InvalidArgumentError(f"path {int(np.flatnonzero(missing)[0])} is missing (empty path)")
        buffers = arrow_buffers(s)
        if buffers is not None:
            names, codes, offsets = _core.funnel.parse_path_buffer(buffers[0], buffers[1], sep, vocab)
        else:
            names, codes, offsets = _core.funnel.parse_paths(s.tolist(), sep, vocab)
    else:
        exploded = s.explode()  # a string item is a one-stage path
        rows = np.bincount(exploded.index.to_numpy(), minlength=len(s))
        missing = exploded.isna().to_numpy()
        # explode gives an empty sequence (or a missing item) one NaN row: drop it, so that
        # C++ names the empty path; other missing names are empty names.
        keep = ~(missing & (rows[exploded.index.to_numpy()] == 1))
        lengths = np.bincount(exploded.index.to_numpy()[keep], minlength=len(s)).astype(np.int64)
        flat = exploded[keep]
        text = flat.astype(str).where(~missing[keep], "")
        offsets = np.zeros(len(s) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        names, codes, offsets = _core.funnel.path_names(text.tolist(), offsets, vocab)
    if funnel is not None:
        return funnel, codes, offsets
    f = resolve_funnel(None, names, absorbing)
    # Parsed labels are in order of first appearance; the funnel puts outcomes last.
    order = pd.Index(f.states).get_indexer(names).astype(np.int32)
    return f, order[codes], offsets


def is_dask_frame(obj: Any) -> bool:
    """True for a Dask DataFrame (without importing dask)."""
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "to_delayed")


def unknown_state(name: Any, states: Sequence[str]) -> Exception:
    """UnknownLabelError for a state name."""
    return UnknownLabelError(f"unknown state {name!r} (known: {', '.join(states)})")


def not_absorbing() -> Exception:
    """NotAbsorbingError for a chain without outcomes."""
    return NotAbsorbingError("the chain has no absorbing state (outcome), so win probabilities are undefined")


def stage_index(states: Sequence[str], idx: Sequence[int]) -> pd.Index:
    """The ``stage`` index of per-stage results."""
    return pd.Index([states[i] for i in idx], name="stage")
