"""No public name of 0.1 disappears: every old module path and every name it offered
still imports.  Modules that moved into the area sub-packages are deprecated aliases
whose import warns with the new path; everything else imports silently."""
from __future__ import annotations

import importlib
import pickle
import sys
import warnings

import pytest

import funnelnet as fn

# Every public name of 0.1, by the module that offered it.
OLD_NAMES = {
    "funnelnet": ["Funnel", "MarkovChain", "TransitionCounts", "ContinuousChain", "ExposureCounts",
                  "SegmentedFunnel", "WhatIf", "HigherOrderChain", "select_order", "load_model",
                  "ReferralGraph", "attribution", "customers", "influence", "__version__",
                  "CancelledError", "ConvergenceError", "DuplicateLabelError", "EmptyInputError", "FileError",
                  "FormatError", "FunnelnetError", "InputTypeError", "InternalError", "InvalidArgumentError",
                  "NotAbsorbingError", "OutOfRangeError", "ShapeError", "UnknownLabelError"],
    "funnelnet.errors": ["CancelledError", "ConvergenceError", "DuplicateLabelError", "EmptyInputError",
                         "FileError", "FormatError", "FunnelnetError", "InputTypeError", "InternalError",
                         "InvalidArgumentError", "NotAbsorbingError", "OutOfRangeError", "ShapeError",
                         "UnknownLabelError"],
    "funnelnet.funnel": ["Funnel", "TransitionCounts", "MarkovChain", "WhatIf", "load_model"],
    "funnelnet.graph": ["ReferralGraph"],
    "funnelnet.attribution": ["MarkovAttribution", "heuristic", "heuristic_events", "journeys", "markov",
                              "markov_events"],
    "funnelnet.customers": ["BetaGeo", "ParetoNBD", "GammaGamma", "summary_from_transactions", "grade",
                            "TierMigration", "markov_clv", "STANDARD_CRITERIA"],
    # moved: deprecated aliases
    "funnelnet.continuous": ["ExposureCounts", "ContinuousChain"],
    "funnelnet.segments": ["SegmentedFunnel"],
    "funnelnet.higher_order": ["HigherOrderChain", "select_order"],
    "funnelnet.influence": ["SpreadResult", "InfluenceResult", "edge_probabilities", "spread", "exact_spread",
                            "imm", "celf"],
}
MOVED = {
    "funnelnet.continuous": "funnelnet.funnel.continuous",
    "funnelnet.segments": "funnelnet.funnel.segments",
    "funnelnet.higher_order": "funnelnet.funnel.higher_order",
    "funnelnet.influence": "funnelnet.graph.influence",
}


def fresh_import(name: str):
    """Import ``name`` as a first import would (the alias modules warn once, on import)."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_moved_modules_warn_with_the_new_path(old: str):
    new = MOVED[old]
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        mod = fresh_import(old)
    target = importlib.import_module(new)
    for name in OLD_NAMES[old]:
        assert getattr(mod, name) is getattr(target, name), f"{old}.{name}"
    assert sorted(mod.__all__) == sorted(OLD_NAMES[old])


@pytest.mark.parametrize("module", sorted(set(OLD_NAMES) - set(MOVED)))
def test_kept_modules_import_silently_with_every_old_name(module: str):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mod = importlib.import_module(module)
        for name in OLD_NAMES[module]:
            assert hasattr(mod, name), f"{module}.{name} disappeared"
            exec(f"from {module} import {name}", {})


def test_old_from_imports_still_work():
    with pytest.warns(DeprecationWarning):
        sys.modules.pop("funnelnet.influence", None)
        from funnelnet.influence import imm
    assert imm is fn.graph.influence.imm
    with pytest.warns(DeprecationWarning):
        sys.modules.pop("funnelnet.continuous", None)
        from funnelnet.continuous import ContinuousChain
    assert ContinuousChain is fn.ContinuousChain


@pytest.mark.parametrize("name", ["continuous", "segments", "higher_order"])
def test_old_module_attributes_of_the_package(name: str):
    sys.modules.pop(f"funnelnet.{name}", None)
    fn.__dict__.pop(name, None)
    with pytest.warns(DeprecationWarning, match=f"funnelnet.funnel.{name}"):
        mod = getattr(fn, name)
    assert mod.__all__


def test_influence_shortcut_is_the_graph_module():
    # fn.influence (the README's spelling) stays a silent shortcut to fn.graph.influence.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from funnelnet import influence
    assert influence.imm is fn.graph.influence.imm
    assert fn.influence.spread is fn.graph.influence.spread


@pytest.mark.parametrize("name", ["fn_unknown", "fn_unknown_column", "fn_not_absorbing"])
def test_old_funnel_helpers_are_deprecated_not_gone(name: str):
    with pytest.warns(DeprecationWarning, match=name):
        helper = getattr(fn.funnel, name)
    assert callable(helper)


def test_new_homes_exist_and_say_what_will_live_there():
    for area in ("datasets", "pipeline", "scoring", "plot", "cli", "dask"):
        mod = importlib.import_module(f"funnelnet.{area}")
        assert "home of the" in mod.__doc__ and mod.__all__ == []


def test_pickles_of_01_objects_that_name_old_modules_still_load():
    # A 0.1 pickle of a continuous chain names funnelnet.continuous._restore_chain.
    q = fn.ContinuousChain([[-1.0, 1.0], [0.0, 0.0]], states=["open", "won"])
    with pytest.warns(DeprecationWarning):
        sys.modules.pop("funnelnet.continuous", None)
        old = importlib.import_module("funnelnet.continuous")
    payload = pickle.dumps((old._restore_chain, (q.to_json(), "D")))
    restore, args = pickle.loads(payload)
    assert restore(*args) == q


def test_warnings_point_at_the_users_import_line():
    # So that Python's default filters show them in scripts and notebooks (__main__).
    sys.modules.pop("funnelnet.higher_order", None)
    fn.__dict__.pop("higher_order", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import funnelnet.higher_order  # noqa: F401
        sys.modules.pop("funnelnet.segments", None)
        fn.__dict__.pop("segments", None)
        fn.segments  # noqa: B018
        fn.customers.BetaGeo(tolerance=1e-6)
    assert len(caught) == 3
    assert all(w.filename == __file__ for w in caught), [(w.filename, w.lineno) for w in caught]
