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


class _CtrlC:
    """While a long C++ job runs on the main thread: SIGINT (Ctrl-C, a Jupyter interrupt)
    only sets ``hit``; the progress callback sees it and returns False, the C++ job stops
    at its next check and throws ``cancelled`` before anything is stored, and
    :func:`run_with_progress` re-raises the interrupt as KeyboardInterrupt.  The previous
    handler is restored afterwards.  Nothing is installed off the main thread, or when the
    program has its own SIGINT handler."""

    def __init__(self) -> None:
        self.hit = False
        self._previous: Any = None

    def __enter__(self) -> "_CtrlC":
        import signal
        import threading

        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.hit = True

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            import signal

            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def progress_callback(progress: bool, desc: str, unit: str = "task", ctrl_c: "_CtrlC | None" = None) -> tuple[Any, Any]:
    """A ``callback(done, total) -> bool`` for the C++ progress hook and its tqdm bar.

    With ``progress=True`` the callback feeds a tqdm bar (close it when the job ends);
    with ``ctrl_c`` (see :func:`run_with_progress`) it returns False once Ctrl-C was
    pressed, which cancels the job.  ``(None, None)`` when neither is asked for."""
    if not progress and ctrl_c is None:
        return None, None
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=0, desc=desc, unit=unit)

    def cb(done: int, total: int) -> bool:
        if bar is not None:
            if bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()
        return not (ctrl_c is not None and ctrl_c.hit)

    return cb, bar


def run_with_progress(progress: bool, desc: str, fn: Callable[[Any], Any]) -> Any:
    """Run ``fn(callback)`` (a long C++ job) with a tqdm bar when ``progress`` is true;
    the bar always closes.  Ctrl-C during the job stops it cleanly: the C++ side cancels
    before storing anything and KeyboardInterrupt is raised here (not a CancelledError)."""
    from ..errors import CancelledError

    with _CtrlC() as ctrl_c:
        cb, bar = progress_callback(progress, desc, ctrl_c=ctrl_c)
        try:
            return fn(cb)
        except CancelledError:
            if ctrl_c.hit:
                raise KeyboardInterrupt(f"{desc} interrupted (nothing was changed)") from None
            raise
        finally:
            if bar is not None:
                bar.close()
