"""The type stubs of the private compiled module (bindings/python/funnelnet/_core/*.pyi)
stay true to it: every function, class and class member the module has is in the stub
and every name in the stub exists (a light stubtest: names, not types)."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import funnelnet as fn
from funnelnet import _core

STUBS = Path(fn.__file__).resolve().parent / "_core"
# The source tree's stubs, when the tests run against an installed package without them.
SOURCE_STUBS = Path(__file__).resolve().parents[2] / "bindings" / "python" / "funnelnet" / "_core"


def stub_dir() -> Path:
    return STUBS if (STUBS / "__init__.pyi").is_file() else SOURCE_STUBS


def stub_names(path: Path) -> dict[str, set[str] | None]:
    """Top-level names of a stub: None for functions and values, member names for classes."""
    out: dict[str, set[str] | None] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(m.name)
                elif isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name):
                    members.add(m.target.id)
                elif isinstance(m, ast.Assign):
                    members.update(t.id for t in m.targets if isinstance(t, ast.Name))
            out[node.name] = members
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = None
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = None
    # private type aliases (_F64 = ...) are the stub's own helpers
    return {k: v for k, v in out.items() if not k.startswith("_")}


def runtime_members(cls: type) -> set[str]:
    own = set()
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__init__", "__len__", "__eq__", "__add__", "__getstate__",
                                                 "__setstate__", "__iter__", "__getitem__"):
            continue
        if name == "__init__" and not callable(value):
            continue
        own.add(name)
    return own


AREAS = ["funnel", "attribution", "graph", "customers"]


@pytest.mark.parametrize("area", AREAS)
def test_stub_matches_the_module(area: str):
    mod = getattr(_core, area)
    stub = stub_names(stub_dir() / f"{area}.pyi")
    runtime = {n: v for n, v in vars(mod).items() if not n.startswith("_")}
    missing = sorted(set(runtime) - set(stub))
    extra = sorted(set(stub) - set(runtime))
    assert not missing, f"_core.{area} has names missing from {area}.pyi: {missing}"
    assert not extra, f"{area}.pyi names what _core.{area} lacks: {extra}"
    for name, members in stub.items():
        obj = runtime.get(name)
        if members is None or not inspect.isclass(obj):
            continue
        have = runtime_members(obj)
        undeclared = sorted(m for m in have - members if not m.startswith("__"))
        unknown = sorted(m for m in members - have if not m.startswith("__") and not hasattr(obj, m))
        assert not undeclared, f"_core.{area}.{name} members missing from the stub: {undeclared}"
        assert not unknown, f"stub of _core.{area}.{name} names members it lacks: {unknown}"


def test_top_level_stub():
    tree = ast.parse((stub_dir() / "__init__.pyi").read_text())
    stub = set(stub_names(stub_dir() / "__init__.pyi"))
    stub |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    stub |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    runtime = {n for n in vars(_core) if not n.startswith("_")} | {"__version__"}
    assert sorted(runtime - stub) == []
    assert sorted(n for n in stub - runtime if not n.startswith("_")) == []
