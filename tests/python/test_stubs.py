"""The type stubs of the private compiled module (bindings/python/funnelnet/_core/*.pyi)
stay true to it: every function, class and class member the module has is in the stub,
every name in the stub exists, and every function's and method's parameters (names,
order, defaults) are those of its pybind11 signature.  The stubs are generated: after
changing bindings/python/*.cpp, rebuild and run ``python scripts/gen_stubs.py``."""
from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import funnelnet as fn
from funnelnet import _core

STUBS = Path(fn.__file__).resolve().parent / "_core"
# The source tree's stubs, when the tests run against an installed package without them.
SOURCE_STUBS = Path(__file__).resolve().parents[2] / "bindings" / "python" / "funnelnet" / "_core"


def stub_dir() -> Path:
    """The source tree's stubs (what is committed), else the installed ones."""
    return SOURCE_STUBS if (SOURCE_STUBS / "__init__.pyi").is_file() else STUBS


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


# Every submodule of _core (one per register_<area>.cpp), each with its stub <area>.pyi.
AREAS = sorted(name for name, value in vars(_core).items() if inspect.ismodule(value) and not name.startswith("_"))
REGENERATE = "rebuild, then run `python scripts/gen_stubs.py` to regenerate the stubs"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("area", AREAS)
def test_stub_matches_the_module(area: str):
    assert (stub_dir() / f"{area}.pyi").is_file(), f"_core.{area} has no stub {area}.pyi ({REGENERATE})"
    mod = getattr(_core, area)
    stub = stub_names(stub_dir() / f"{area}.pyi")
    runtime = {n: v for n, v in vars(mod).items() if not n.startswith("_")}
    missing = sorted(set(runtime) - set(stub))
    extra = sorted(set(stub) - set(runtime))
    assert not missing, f"_core.{area} has names missing from {area}.pyi: {missing} ({REGENERATE})"
    assert not extra, f"{area}.pyi names what _core.{area} lacks: {extra} ({REGENERATE})"
    for name, members in stub.items():
        obj = runtime.get(name)
        if members is None or not inspect.isclass(obj):
            continue
        have = runtime_members(obj)
        undeclared = sorted(m for m in have - members if not m.startswith("__"))
        unknown = sorted(m for m in members - have if not m.startswith("__") and not hasattr(obj, m))
        assert not undeclared, f"_core.{area}.{name} members missing from the stub: {undeclared} ({REGENERATE})"
        assert not unknown, f"stub of _core.{area}.{name} names members it lacks: {unknown} ({REGENERATE})"


def test_top_level_stub():
    tree = ast.parse((stub_dir() / "__init__.pyi").read_text())
    stub = set(stub_names(stub_dir() / "__init__.pyi"))
    stub |= {a.asname or a.name for n in tree.body
             if isinstance(n, ast.ImportFrom) and n.module != "__future__" for a in n.names}
    stub |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    runtime = {n for n in vars(_core) if not n.startswith("_")} | {"__version__"}
    assert sorted(runtime - stub) == []
    assert sorted(n for n in stub - runtime if not n.startswith("_")) == []


# ---------------------------------------------------------------------------- signatures
Params = tuple[tuple[str, str | None], ...]  # (name, default source or None) in order


def params_of(fn: ast.FunctionDef) -> Params:
    """Parameter names in order (``*args`` / ``**kw`` marked), with their defaults' source."""
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    out = [(p.arg, None if d is None else ast.unparse(d)) for p, d in zip(positional, defaults)]
    if a.vararg:
        out.append(("*" + a.vararg.arg, None))
    out += [(p.arg, None if d is None else ast.unparse(d)) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.kwarg:
        out.append(("**" + a.kwarg.arg, None))
    return tuple(out)


def runtime_signatures(name: str, obj: object) -> list[Params]:
    """The parameters of each overload in a pybind11 function's docstring signatures."""
    lines = (getattr(obj, "__doc__", None) or "").splitlines()
    if not lines or not lines[0].startswith(name + "("):
        return []
    texts = [lines[0]]
    if "Overloaded function." in lines[1:3]:
        texts = [re.sub(r"^\d+\. ", "", ln) for ln in lines if re.match(rf"^\d+\. {re.escape(name)}\(", ln)]
    out = []
    for t in texts:
        t = re.sub(r"=\s*<[^<>]*>", "= ...", t)  # object reprs (<... at 0x...>) are no Python
        out.append(params_of(ast.parse(f"def {t}: ...").body[0]))
    return out


def stub_signatures(path: Path) -> dict[str, list[Params]]:
    """'name' / 'Class.name' -> the parameters of each definition in a stub."""
    out: dict[str, list[Params]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef):
                if any(isinstance(d, ast.Name) and d.id == "property" or
                       isinstance(d, ast.Attribute) and d.attr == "setter" for d in node.decorator_list):
                    continue
                out.setdefault(prefix + node.name, []).append(params_of(node))

    visit(ast.parse(path.read_text()).body, "")
    return out


def same_parameters(stub: Params, runtime: Params, dunder: bool = False) -> bool:
    """Same names in the same order, defaults where the module has them, and equal
    defaults (a stub's ``...`` stands for a default that has no Python spelling).  For
    a dunder method only the number of parameters (stubgen names them as Python does:
    ``__eq__(self, other)`` for pybind11's ``arg0``)."""
    if dunder:
        return len(stub) == len(runtime)
    if [n for n, _ in stub] != [n for n, _ in runtime]:
        return False
    for (_, s), (_, r) in zip(stub, runtime):
        if (s is None) != (r is None):
            return False
        if s is None or s == "..." or r == "...":
            continue
        try:
            if ast.literal_eval(s) != ast.literal_eval(r):
                return False
        except ValueError:
            if s != r:
                return False
    return True


def runtime_callables(mod: object) -> dict[str, object]:
    """'name' / 'Class.name' -> every public function and method of a _core submodule."""
    out: dict[str, object] = {}
    for name, obj in vars(mod).items():
        if name.startswith("_"):
            continue
        if inspect.isclass(obj):
            for mname, member in vars(obj).items():
                if mname.startswith("_") and mname not in ("__init__", "__len__", "__eq__"):
                    continue
                if isinstance(member, staticmethod):
                    member = member.__func__
                if callable(member) and not isinstance(member, (property, type)):
                    out[f"{name}.{mname}"] = member
        elif callable(obj):
            out[name] = obj
    return out


@pytest.mark.parametrize("area", AREAS)
def test_stub_signatures_match_the_module(area: str):
    stub = stub_signatures(stub_dir() / f"{area}.pyi")
    checked, wrong = 0, []
    for qual, obj in runtime_callables(getattr(_core, area)).items():
        runtime = runtime_signatures(qual.rsplit(".", 1)[-1], obj)
        if not runtime:
            continue
        declared = stub.get(qual, [])
        for sig in runtime:
            checked += 1
            name = qual.rsplit(".", 1)[-1]
            dunder = name.startswith("__") and name.endswith("__")
            if not any(same_parameters(s, sig, dunder) for s in declared):
                wrong.append(f"{qual}{[f'{n}={d}' if d else n for n, d in sig]} is not in the stub "
                             f"(stub has {[[n for n, _ in s] for s in declared]})")
    assert checked > 0, f"no pybind11 signatures read from _core.{area}"
    assert not wrong, f"{area}.pyi disagrees with _core.{area} ({REGENERATE}):\n" + "\n".join(wrong)


def test_signature_check_catches_a_changed_default():
    a = params_of(ast.parse("def f(x: int, tol: float = 1e-9) -> None: ...").body[0])
    assert same_parameters(a, a)
    assert not same_parameters(a, params_of(ast.parse("def f(x: int, tol: float = 1e-8) -> None: ...").body[0]))
    assert not same_parameters(a, params_of(ast.parse("def f(x: int, tol: float) -> None: ...").body[0]))
    assert not same_parameters(a, params_of(ast.parse("def f(y: int, tol: float = 1e-9) -> None: ...").body[0]))
    # a real pybind11 docstring: fit(counts, smoothing=0.0, empty_rows=0)
    (sig,) = runtime_signatures("fit", _core.funnel.fit)
    assert [n for n, _ in sig] == ["counts", "smoothing", "empty_rows"]
    assert ast.literal_eval(sig[1][1]) == _core.defaults()["FitOptions"]["smoothing"]


def test_committed_stubs_are_the_generated_ones():
    pytest.importorskip("pybind11_stubgen")
    script = ROOT / "scripts" / "gen_stubs.py"
    if not script.is_file() or not SOURCE_STUBS.is_dir():
        pytest.skip("needs the source tree (scripts/gen_stubs.py)")
    r = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{REGENERATE}:\n{r.stdout[-4000:]}{r.stderr[-2000:]}"
