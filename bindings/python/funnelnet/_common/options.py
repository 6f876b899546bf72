"""Argument helpers shared by the areas: the C++ options structs' defaults, enumerated
choices, label picking, and the tqdm progress bar fed by the C++ progress hook."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from .. import _core
from ..errors import InvalidArgumentError, UnknownLabelError

#: {struct: {field: value}} read once from the compiled module's default-constructed
#: C++ options structs (``_core.defaults()``): the one place the defaults are written.
CXX_DEFAULTS: dict[str, dict[str, Any]] = _core.defaults()


def default(struct: str, field: str) -> Any:
    """The default of the C++ options struct field ``struct.field`` (e.g.
    ``default("FitOptions", "smoothing")``), for the public signatures.

    Examples
    --------
    >>> default("PageRankOptions", "damping")
    0.85
    """
    return CXX_DEFAULTS[struct][field]


def default_choice(struct: str, field: str, options: Mapping[str, int]) -> Any:
    """The name in ``options`` (name -> code, as given to :func:`choice`) of the C++
    default of the enum field ``struct.field``.

    Examples
    --------
    >>> default_choice("FitOptions", "empty_rows", {"error": 0, "absorbing": 1, "uniform": 2})
    'error'
    """
    code = CXX_DEFAULTS[struct][field]
    names = [name for name, c in options.items() if c == code]
    if not names:
        raise InvalidArgumentError(f"{struct}.{field} defaults to code {code}, which none of {sorted(options)} has")
    return names[0]


def choice(value: str, options: Mapping[str, int], name: str) -> int:
    """The code of ``value`` in ``options``; InvalidArgumentError listing the choices otherwise."""
    if value not in options:
        raise InvalidArgumentError(f"{name} must be one of {sorted(options)}, got {value!r}")
    return options[value]


def pick(names: Sequence[str], idx: Iterable[int]) -> list[str]:
    """names[i] for i in idx (names converted from C++ once, not per element)."""
    names = list(names)
    return [names[i] for i in idx]


def unknown_column(role: str, col: str, columns: Sequence[Any]) -> Exception:
    """UnknownLabelError for a column that is not in a DataFrame."""
    return UnknownLabelError(f"{role} column {col!r} is not in the DataFrame (columns: {', '.join(map(str, columns))})")


def progress_callback(progress: bool, desc: str, unit: str = "task") -> tuple[Any, Any]:
    """For ``progress=True``: a ``callback(done, total) -> bool`` for the C++ progress hook
    that feeds a tqdm bar, and the bar (close it when the job ends); ``(None, None)``
    otherwise."""
    if not progress:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=0, desc=desc, unit=unit)

    def cb(done: int, total: int) -> bool:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()
        return True

    return cb, bar


def run_with_progress(progress: bool, desc: str, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(callback)`` with a tqdm bar when ``progress`` is true; the bar always closes."""
    cb, bar = progress_callback(progress, desc)
    try:
        return fn(cb)
    finally:
        if bar is not None:
            bar.close()
