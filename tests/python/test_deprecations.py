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
    # An area's home says what will live there until its issue lands; then it exports.
    for area in ("pipeline", "scoring", "plot", "dask", "cli", "datasets", "report"):
        mod = importlib.import_module(f"funnelnet.{area}")
        assert mod.__all__ or "home of the" in mod.__doc__, area
    assert "roc" in importlib.import_module("funnelnet.plot").__all__
    assert "synthetic_crm" in importlib.import_module("funnelnet.datasets").__all__
    assert "main" in importlib.import_module("funnelnet.cli").__all__
    # scoring has moved in (issue 14).
    assert "LeadScorer" in importlib.import_module("funnelnet.scoring").__all__


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


# ---------------------------------------------------------------------------- the fit idiom
# 0.1 fitted MarkovAttribution, HigherOrderChain and TierMigration through class methods
# taking data and settings together; those calls still work, warn with the scikit-learn
# spelling, and give the same model as it.
def test_class_method_fits_of_01_warn_and_give_the_same_model():
    import numpy as np
    import pandas as pd

    df = pd.DataFrame({"path": ["a > b > c", "a", "b > c", "c > a"], "conv": [3, 1, 0, 2], "null": [1, 4, 2, 0]})
    with pytest.warns(DeprecationWarning, match=r"MarkovAttribution\.fit\(data, \.\.\.\) on the class is deprecated; "
                                                 r"use MarkovAttribution\(order=\.\.\."):
        old = fn.attribution.MarkovAttribution.fit(df, "path", "conv", "null", None, 2, repeats="keep")
    new = fn.attribution.MarkovAttribution(order=2, repeats="keep").fit(df, path="path", conversions="conv", nulls="null")
    assert (old.order, old.repeats) == (2, "keep")
    pd.testing.assert_frame_equal(old.channels(), new.channels())

    log = pd.DataFrame({"id": [1, 1, 1, 2], "t": [3, 1, 2, 1], "ch": ["ad", "fair", "demo", "ad"], "won": [0, 0, 1, 0]})
    kw = dict(customer="id", time="t", channel="ch", converted="won")
    with pytest.warns(DeprecationWarning, match=r"MarkovAttribution\.fit_events\(data, \.\.\.\) on the class"):
        old = fn.attribution.MarkovAttribution.fit_events(log, order=1, **kw)
    pd.testing.assert_frame_equal(old.journeys(), fn.attribution.MarkovAttribution().fit_events(log, **kw).journeys())

    paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
    with pytest.warns(DeprecationWarning, match=r"use HigherOrderChain\(order=\.\.\., smoothing=\.\.\.\)\.fit\(paths") as rec:
        old = fn.HigherOrderChain.fit(paths, order=2, sep=">", absorbing=[], smoothing=0.5)
    assert rec[0].filename == __file__  # the warning points at the user's call
    new = fn.HigherOrderChain(order=2, smoothing=0.5).fit(paths, sep=">", absorbing=[])
    assert (old.order, old.smoothing) == (2, 0.5)
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())

    snaps = pd.DataFrame({"customer": [1, 1, 2, 2], "period": [1, 2, 1, 2], "tier": ["A", "B", "B", "lost"]})
    with pytest.warns(DeprecationWarning, match=r"use TierMigration\(tiers=\.\.\., lost=\.\.\.\)\.fit\(snapshots"):
        old = fn.customers.TierMigration.fit(snaps, tiers=["A", "B", "lost"], periods_per_year=4)
    new = fn.customers.TierMigration(tiers=["A", "B", "lost"], periods_per_year=4).fit(snaps)
    pd.testing.assert_frame_equal(old.rates(), new.rates())
    assert old.tiers_ == new.tiers_ == ["A", "B", "lost"] and old.segments == new.segments_ == ["all"]
    with pytest.warns(DeprecationWarning):
        assert fn.customers.TierMigration.fit(snaps).tiers == ["A", "B", "lost"]  # 0.1: the tiers used
    np.testing.assert_array_equal(old.matrix().to_numpy(), new.matrix().to_numpy())


def test_the_unbound_fit_call_is_the_plain_method():
    import pandas as pd

    df = pd.DataFrame({"path": ["a > b", "a"], "conv": [1, 0], "null": [0, 1]})
    m = fn.attribution.MarkovAttribution()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fn.attribution.MarkovAttribution.fit(m, df, path="path", conversions="conv", nulls="null") is m


def test_01_return_shapes_still_work():
    import pandas as pd

    f = fn.Funnel(["open"], outcomes=["won", "lost"])
    seg = fn.SegmentedFunnel({"a": fn.TransitionCounts.from_matrix([[1, 4, 1], [0, 0, 0], [0, 0, 0]], f),
                              "b": fn.TransitionCounts.from_matrix([[1, 1, 4], [0, 0, 0], [0, 0, 0]], f)})
    t = seg.test()  # a dict in 0.1
    assert set(t) == {"statistic", "df", "p_value"} and t["p_value"] == t.p_value
    assert t == {k: t[k] for k in t}
    w = fn.MarkovChain([[0, .5, .5], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"]).what_if("open", "won", 10)
    assert isinstance(w.table, pd.DataFrame) and w.gain == pytest.approx(w.value_after - w.value_before) and w.gain > 0
    g = fn.ReferralGraph.from_edges([0, 0], [1, 2])
    r = fn.influence.spread(g, [0], probabilities=1.0, n_sims=10)
    assert (r.mean, r.stderr, r.by_round[:2].tolist()) == (3.0, 0.0, [1.0, 2.0])
    i = fn.influence.imm(g, 1, probabilities=1.0, seed=1)
    assert i.seeds == [0] and i.spread == pytest.approx(3.0) and i.spread_after.tolist() == pytest.approx([3.0])
