"""The Python exception classes come from the one status table (funnelnet/c/status.h):
every code maps to a class, every funnelnet class is exported from funnelnet.errors and
funnelnet, and the hierarchy keeps `except ValueError` etc. working."""
from __future__ import annotations

import pytest

import funnelnet as fn
from funnelnet import _core, errors


def test_every_status_code_has_an_exported_class() -> None:
    table = _core.error_classes_by_code
    assert sorted(table) == list(range(1, max(table) + 1))  # dense, no gaps, 0 (ok) excluded
    for code, cls in table.items():
        assert issubclass(cls, BaseException)
        if cls is MemoryError:
            continue
        assert issubclass(cls, fn.FunnelnetError), code
        assert cls.__name__ in errors.__all__, cls.__name__
        assert getattr(fn, cls.__name__) is cls


@pytest.mark.parametrize(
    ("name", "builtin"),
    [("InvalidArgumentError", ValueError), ("UnknownLabelError", ValueError), ("OutOfRangeError", IndexError),
     ("FileError", OSError), ("ConvergenceError", RuntimeError), ("InputTypeError", TypeError)],
)
def test_builtin_bases(name: str, builtin: type) -> None:
    assert issubclass(getattr(fn, name), builtin)


def test_a_core_error_raises_the_tabled_class() -> None:
    with pytest.raises(fn.DuplicateLabelError, match="possible"):
        fn.Funnel(["potential", "possible", "possible"], outcomes=["won"])
