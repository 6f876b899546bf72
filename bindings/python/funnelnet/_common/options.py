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
    """A ``callback(done, total) -> bool`` for the C++ progress hook and its tqdm bar.

    With ``progress=True`` the callback feeds a ``tqdm.auto`` bar (close it when the job
    ends); the C++ side calls it as tasks finish and about every 100 ms during long
    tasks, and the bar redraws at most every 0.1 s (tqdm's ``mininterval``), so a bar
    costs nothing measurable.  ``(None, None)``
    without ``progress``: the job then still reacts to Ctrl-C (see
    :func:`run_with_progress`).

    Parameters
    ----------
    progress : bool
        Whether to show a bar.
    desc : str
        The bar's label.
    unit : str
        The unit of the counts.

    Returns
    -------
    tuple
        ``(callback, bar)``, both None without ``progress``.
    """
    if not progress:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=0, desc=desc, unit=unit, mininterval=0.1)

    def cb(done: int, total: int) -> bool:
        t = total or None  # 0: total unknown (an optimiser's evaluations)
        if bar.total != t:
            bar.total = t
            bar.refresh()
        if done > bar.n:
            bar.update(done - bar.n)  # redraws only past mininterval
        return True

    return cb, bar


def run_with_progress(progress: bool, desc: str, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(callback)`` (a long C++ job) with a tqdm bar when ``progress`` is true;
    the bar always closes.

    Ctrl-C (one mechanism, the same with or without a bar): the C++ job runs with the GIL
    released; on its calling thread ``parallel_for`` calls the binding's progress adapter
    about every 100 ms, which runs Python's signal handlers (``PyErr_CheckSignals``).
    When a handler raises (Python's default SIGINT handler raises KeyboardInterrupt), the
    adapter keeps that exception and returns false, every task stops at its next
    ``task_should_stop()`` check, the job throws ``cancelled`` before anything is stored,
    and the binding re-raises the handler's exception.  Here it is raised again naming the
    job: ``KeyboardInterrupt("<desc> interrupted (nothing was changed)")``.  A program's
    own SIGINT handler is respected (it runs; only if it raises is the job cancelled).

    Parameters
    ----------
    progress : bool
        Whether to show a ``tqdm.auto`` bar.
    desc : str
        The job's name (bar label and interrupt message).
    fn : callable
        ``fn(callback)`` runs the job, passing ``callback`` (None or the bar's
        callback) to the C++ binding.

    Returns
    -------
    object
        What ``fn`` returns.
    """
    bar = None
    try:
        cb, bar = progress_callback(progress, desc)
        return fn(cb)
    except KeyboardInterrupt as e:
        if e.args:  # already named (a nested job)
            raise
        raise KeyboardInterrupt(f"{desc} interrupted (nothing was changed)") from None
    finally:
        if bar is not None:
            bar.close()
