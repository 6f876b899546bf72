"""The fit idiom (CONTRIBUTING.md, "Fit idioms"): estimators follow scikit-learn --
the constructor takes the settings, ``fit(data, ...)`` returns ``self`` with fitted
attributes ending in ``_``.  :func:`fit_method` keeps 0.1's class-method spelling
(``Model.fit(data, settings...)``) working with a DeprecationWarning naming the new one."""
from __future__ import annotations

import functools
import types
import warnings
from typing import Any, Callable, TypeVar, cast

__all__ = ["fit_method"]

_F = TypeVar("_F", bound=Callable[..., Any])


class _FitMethod:
    """A method that is the scikit-learn ``fit`` on an instance and, called on the class,
    the deprecated 0.1 class-method spelling (which builds an instance, then fits)."""

    def __init__(self, func: Callable[..., Any], legacy: Callable[..., Any], new_spelling: str) -> None:
        functools.update_wrapper(cast(Callable[..., Any], self), func)
        self.__func__ = func
        self._legacy = legacy
        self._new = new_spelling
        self._name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is not None:
            return types.MethodType(self.__func__, obj)
        func, legacy, new, name = self.__func__, self._legacy, self._new, self._name
        if owner is None:  # pragma: no cover - Python always passes the owner for class access
            raise TypeError(f"{name} accessed without an instance or a class")
        cls: type = owner

        @functools.wraps(legacy)
        def on_class(*args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], cls):  # Model.fit(instance, data): the plain method
                return func(*args, **kwargs)
            warnings.warn(f"{cls.__name__}.{name}(data, ...) on the class is deprecated; "
                          f"use {new} (settings in the constructor, data in {name})",
                          DeprecationWarning, stacklevel=2)
            return legacy(cls, *args, **kwargs)

        on_class.__doc__ = (f"{func.__doc__ or ''}\n\nCalled on the class with data and settings together "
                            f"(0.1's spelling) it still works, deprecated: use {new}.")
        on_class.__deprecated_spelling__ = True  # type: ignore[attr-defined]
        return on_class


def fit_method(legacy: Callable[..., Any], new_spelling: str) -> Callable[[_F], _F]:
    """Decorator for an estimator's ``fit`` (or ``fit_<x>``) instance method.  ``legacy(cls,
    *args, **kwargs)`` implements the old class-method call (usually
    ``cls(settings).fit(data)``); ``new_spelling`` is shown in the warning, e.g.
    ``"MarkovAttribution(order=...).fit(df, ...)"``.

    Typed as returning the method unchanged, so that type checkers see the instance
    method's own signature (``-> Self``); the class-method spelling is deprecated and
    untyped."""

    def wrap(func: _F) -> _F:
        return _FitMethod(func, legacy, new_spelling)  # type: ignore[return-value]

    return wrap
