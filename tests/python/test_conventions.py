"""The shared conventions of the public Python API (CONTRIBUTING.md, "Conventions"),
checked on every public callable found by walking the package: no banned parameter
names, ``threads`` defaults to 0 (all cores), ``seed`` to an integer, ``progress`` to
False, and every public function, class, method and property has a docstring."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import funnelnet as fn

# Parameter names replaced by the package-wide spelling (left) -> what to use (right).
BANNED = {
    "tolerance": "tol",
    "epsilon": "eps",
    "n_threads": "threads",
    "num_threads": "threads",
    "n_jobs": "threads",
    "workers": "threads",
    "random_state": "seed",
    "random_seed": "seed",
    "rng": "seed",
    "verbose": "progress",
    "show_progress": "progress",
    "date": "time",
    "datetime": "time",
    "timestamp": "time",
    "tz": "timezone",
}

# Deprecated alias modules (they warn on import and only re-export).
ALIASES = {"funnelnet.continuous", "funnelnet.segments", "funnelnet.higher_order", "funnelnet.influence"}


def public_modules() -> list:
    mods = [fn]
    for info in pkgutil.walk_packages(fn.__path__, prefix="funnelnet."):
        name = info.name
        if any(part.startswith("_") for part in name.split(".")[1:]) or name in ALIASES:
            continue
        mods.append(importlib.import_module(name))
    return mods


def public_callables() -> list[tuple[str, object]]:
    """(qualified name, object) of every public function, class, method and property
    defined in the package (each once, where it is defined)."""
    seen: dict[int, tuple[str, object]] = {}
    for mod in public_modules():
        for name, obj in vars(mod).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("funnelnet") or obj.__module__.startswith("funnelnet._core"):
                continue
            if obj.__module__ != mod.__name__:
                continue  # re-exported: checked where it is defined
            seen.setdefault(id(obj), (f"{mod.__name__}.{name}", obj))
            if inspect.isclass(obj):
                for mname, member in vars(obj).items():
                    if mname.startswith("_") and mname != "__init__":
                        continue
                    if isinstance(member, (classmethod, staticmethod)):
                        member = member.__func__
                    if inspect.isfunction(member) or isinstance(member, property):
                        seen.setdefault(id(member), (f"{mod.__name__}.{name}.{mname}", member))
    return sorted(seen.values(), key=lambda x: x[0])


CALLABLES = public_callables()


def test_the_walk_finds_the_areas():
    names = {n for n, _ in CALLABLES}
    for expected in ("funnelnet.funnel.chain.MarkovChain.absorption_probabilities",
                     "funnelnet.funnel.counts.TransitionCounts.from_events",
                     "funnelnet.graph.referral.ReferralGraph.pagerank",
                     "funnelnet.graph.influence.imm",
                     "funnelnet.attribution.markov.MarkovAttribution.fit",
                     "funnelnet.customers.repeat_buying.BetaGeo",
                     "funnelnet.customers.summary.summary_from_transactions"):
        assert expected in names
    assert len(CALLABLES) > 150


def signature(obj: object) -> inspect.Signature | None:
    if isinstance(obj, property) or inspect.isclass(obj):
        return None
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("name,obj", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_conventions(name: str, obj: object):
    doc = obj.__doc__ if not isinstance(obj, property) else obj.fget.__doc__
    if not name.endswith(".__init__"):  # a constructor is documented by its class's docstring
        assert doc and doc.strip(), f"{name} has no docstring"
    sig = signature(obj)
    if sig is None:
        return
    for p in sig.parameters.values():
        assert p.name not in BANNED, f"{name}: parameter {p.name!r} should be {BANNED[p.name]!r}"
        if p.name == "threads":
            assert p.default == 0, f"{name}: threads defaults to {p.default!r}, expected 0 (all cores)"
        if p.name == "seed":
            assert isinstance(p.default, int) and not isinstance(p.default, bool), \
                f"{name}: seed defaults to {p.default!r}, expected an integer"
        if p.name == "progress":
            assert p.default is False, f"{name}: progress defaults to {p.default!r}, expected False"


def test_renamed_parameters_still_work_with_a_warning():
    with pytest.warns(DeprecationWarning, match="'tolerance' is deprecated, use 'tol'"):
        m = fn.customers.BetaGeo(tolerance=1e-7)
    assert m.tol == 1e-7
    with pytest.warns(DeprecationWarning, match="'tolerance' is deprecated, use 'tol'"):
        assert fn.customers.GammaGamma(tolerance=1e-6).tol == 1e-6
    with pytest.warns(DeprecationWarning):
        assert m.tolerance == 1e-7
    with pytest.raises(TypeError, match="both"):
        fn.customers.BetaGeo(tolerance=1e-7, tol=1e-8)
    import pandas as pd

    tx = pd.DataFrame({"c": [1, 1, 2], "d": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"])})
    with pytest.warns(DeprecationWarning, match="'date' is deprecated, use 'time'"):
        old = fn.customers.summary_from_transactions(tx, customer="c", date="d")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = fn.customers.summary_from_transactions(tx, customer="c", time="d")
    pd.testing.assert_frame_equal(old, new)


def test_threads_default_is_all_cores_in_customers():
    assert fn.customers.BetaGeo().threads == 0
    assert fn.customers.GammaGamma().threads == 0


@pytest.mark.parametrize("module", public_modules(), ids=lambda m: m.__name__)
def test_every_public_module_says_what_it_holds(module):
    assert module.__doc__ and module.__doc__.strip(), f"{module.__name__} has no docstring"
