"""Deprecations: renamed parameters and moved modules keep working for a while, with a
``DeprecationWarning`` that names the new spelling."""
from __future__ import annotations

import functools
import os
import sys
import types
import warnings
from typing import Any, Callable, Mapping, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def renamed_parameters(renames: Mapping[str, str]) -> Callable[[F], F]:
    """Decorator: accept each old keyword in ``renames`` (old -> new) with a
    DeprecationWarning, passing its value on under the new name.  Giving both raises
    TypeError.  The signature shown by ``inspect`` is the new one."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{fn.__qualname__}() got both {old!r} (deprecated) and {new!r}")
                    warnings.warn(f"{fn.__qualname__}(): parameter {old!r} is deprecated, use {new!r}",
                                  DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        inner.__deprecated_parameters__ = dict(renames)  # type: ignore[attr-defined]
        return inner  # type: ignore[return-value]

    return wrap


def _user_stacklevel() -> int:
    """The stacklevel (for a warning raised by our caller) of the first frame outside
    the import machinery and outside funnelnet: the user's ``import`` line, so the
    warning is shown under Python's default filters (in ``__main__`` and notebooks)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame: types.FrameType | None = sys._getframe(2)  # our caller's caller
    level = 2
    while frame is not None:
        name = frame.f_code.co_filename
        if not ("importlib" in name or os.path.abspath(name).startswith(package)):
            return level
        frame = frame.f_back
        # warnings.warn does not count the import machinery's bootstrap frames.
        if frame is not None and not ("importlib" in frame.f_code.co_filename
                                      and "_bootstrap" in frame.f_code.co_filename):
            level += 1
    return 2


def moved_module(old: str, new: str) -> None:
    """Warn that module ``old`` moved to ``new`` (call at the top of the alias module);
    the warning points at the user's import."""
    warnings.warn(f"{old} is deprecated: it moved to {new}; import from {new} instead",
                  DeprecationWarning, stacklevel=_user_stacklevel())
