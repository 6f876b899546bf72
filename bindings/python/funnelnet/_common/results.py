"""The shared shape of analysis results (CONTRIBUTING.md, "Result shapes").

An analysis that returns one labelled table returns a pandas object.  An analysis that
returns several related things (a figure and its table, a mean with its error and a
per-round array, chosen seeds with their gains) returns a small **typed, frozen result
object**: a dataclass deriving from :class:`Result`, with named attributes and

- ``to_frame()``: a tidy DataFrame, one row per stage / node / channel / round, labelled
  with the user's ids (the scalar attributes travel in ``DataFrame.attrs``);
- a readable ``__repr__`` (the scalar attributes, then the head of the frame) and
  ``_repr_html_`` (a short HTML table for Jupyter);
- ``result["name"]`` as well as ``result.name`` (so a result that replaced a dict keeps
  working), equality by value, and pickling (plain dataclass state).

Results that replaced a dict also behave as a read-only mapping (:class:`MappingResult`).
"""
from __future__ import annotations

import dataclasses
import html
from typing import Any, Iterator, TypeVar, cast, dataclass_transform

import numpy as np
import pandas as pd

__all__ = ["Result", "MappingResult", "result"]

_REPR_ROWS = 10


_R = TypeVar("_R", bound=type)


@dataclass_transform(frozen_default=True, eq_default=False)
def result(cls: _R) -> _R:
    """Class decorator for result types: a frozen dataclass without generated repr or
    equality (the :class:`Result` base provides both).

    Parameters
    ----------
    cls : type
        The class to decorate (a subclass of :class:`Result` with annotated fields).

    Returns
    -------
    type
        The same class, now a frozen dataclass (type checkers see its fields as
        constructor keywords).
    """
    return cast(_R, dataclasses.dataclass(frozen=True, repr=False, eq=False)(cls))


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (bool, int, float, str, np.integer, np.floating))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (pd.DataFrame, pd.Series, pd.Index)):
        return type(a) is type(b) and a.equals(b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


class Result:
    """Base of funnelnet's typed result objects (frozen dataclasses with ``to_frame``).

    Subclasses are declared with :func:`result` and build their table in ``_table()``.
    """

    # ---------------------------------------------------------------- fields
    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The names of the result's attributes, in order.

        Returns
        -------
        tuple of str
            The dataclass field names, in declaration order.
        """
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def summary(self) -> dict[str, Any]:
        """The scalar attributes (numbers, strings, short lists; not None) by name.

        Returns
        -------
        dict of str to object
            ``{attribute: value}`` with NumPy scalars turned into Python ``int`` /
            ``float``; arrays and tables are left out (they are in :meth:`to_frame`).
        """
        out: dict[str, Any] = {}
        for name in self.fields():
            v = getattr(self, name)
            if _is_scalar(v):
                out[name] = v.item() if isinstance(v, (np.integer, np.floating)) else v
            elif isinstance(v, list) and len(v) <= _REPR_ROWS and all(_is_scalar(x) for x in v):
                out[name] = list(v)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The result as a tidy DataFrame labelled with the user's ids, one row per stage /
        node / channel / round; the scalar attributes are in ``DataFrame.attrs``.

        Returns
        -------
        pandas.DataFrame
            A new frame (changing it does not change the result); ``df.attrs`` holds
            :meth:`summary`.
        """
        df = self._table()
        for k, v in self.summary().items():
            df.attrs[k] = v
        return df

    def _table(self) -> pd.DataFrame:
        """The result's tidy table; every concrete result type defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define _table() to build its DataFrame")

    # ---------------------------------------------------------------- dict-style access
    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in self.fields():
            raise KeyError(key)
        return getattr(self, key)

    __iter__ = None  # a result is not a sequence (MappingResult iterates its keys)

    # ---------------------------------------------------------------- equality
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(getattr(self, n), getattr(other, n)) for n in self.fields())

    __hash__ = None  # type: ignore[assignment]

    # ---------------------------------------------------------------- display
    def _header(self) -> str:
        items = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in self.summary().items())
        return f"{type(self).__name__}({items})"

    def __repr__(self) -> str:
        df = self.to_frame()
        if df.shape[1] == 0:
            return self._header()
        body = df.head(_REPR_ROWS).to_string()
        more = f"\n[{len(df)} rows]" if len(df) > _REPR_ROWS else ""
        return f"{self._header()}\n{body}{more}"

    def _repr_html_(self) -> str:
        df = self.to_frame()
        head = f"<p><b>{html.escape(self._header())}</b></p>"
        if df.shape[1] == 0:
            return head
        more = f"<p>{len(df)} rows</p>" if len(df) > _REPR_ROWS else ""
        return head + df.head(_REPR_ROWS).to_html() + more


class MappingResult(Result):
    """A result that replaced a dict: also a read-only mapping of its attributes
    (``keys()``, ``items()``, ``dict(result)``, ``for key in result``)."""

    def keys(self) -> list[str]:
        """The attribute names (the old dict's keys).

        Returns
        -------
        list of str
            The field names, in order, as ``dict.keys()`` gave them.
        """
        return list(self.fields())

    def items(self) -> list[tuple[str, Any]]:
        """(name, value) pairs.

        Returns
        -------
        list of tuple
            ``(field name, value)`` for every field, in order.
        """
        return [(k, getattr(self, k)) for k in self.fields()]

    def get(self, key: str, default: Any = None) -> Any:
        """``result[key]``, or ``default`` for an unknown key.

        Parameters
        ----------
        key : str
            A field name (one of :meth:`keys`).
        default : object, default None
            What to return when ``key`` is not a field.

        Returns
        -------
        object
            The field's value, or ``default``.
        """
        return getattr(self, key) if key in self.fields() else default

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        return iter(self.fields())

    def __len__(self) -> int:
        return len(self.fields())

    def __contains__(self, key: object) -> bool:
        return key in self.fields()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):  # the old return type compared equal to a dict
            return dict(self.items()) == other
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]
