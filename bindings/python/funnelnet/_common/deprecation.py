"""Deprecations: renamed parameters and moved modules keep working for a while, with a
``DeprecationWarning`` that names the new spelling."""
from __future__ import annotations

import functools
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


def moved_module(old: str, new: str) -> None:
    """Warn that module ``old`` moved to ``new`` (call at the top of the alias module)."""
    warnings.warn(f"{old} is deprecated: it moved to {new}; import from {new} instead",
                  DeprecationWarning, stacklevel=3)
