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


def is_fit_method(member: object) -> bool:
    """An estimator's fit that also answers 0.1's class-method call (``_common.estimator``)."""
    from funnelnet._common.estimator import _FitMethod

    return isinstance(member, _FitMethod)


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
                    if isinstance(member, (classmethod, staticmethod)) or is_fit_method(member):
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


# ---------------------------------------------------------------------------- result shapes
# An analysis returns a pandas object or a typed result (a subclass of
# funnelnet._common.results.Result with to_frame); builders return the package's objects
# (or Self); accessors return plain scalars.  The few others are listed with the reason.
OTHER_RETURNS = {
    # numpy arrays in the caller's own order (no labels to add)
    "funnelnet.funnel.chain.MarkovChain.to_numpy": "the matrix as numpy (to_frame is the labelled one)",
    "funnelnet.funnel.counts.TransitionCounts.to_numpy": "the matrix as numpy (to_frame is the labelled one)",
    "funnelnet.graph.influence.edge_probabilities": "an array in g.edges() order, input to spread/imm",
    "funnelnet.graph.referral.ReferralGraph.positions": "positions of labels, an index array",
    "funnelnet.customers.tiers.markov_clv": "a matrix in, an array in the matrix's order out",
    # lifetimes parity: a Series for a Series input, an array for an array
    "funnelnet.customers.repeat_buying._RepeatBase.log_likelihood": "same type as the input (lifetimes)",
    "funnelnet.customers.repeat_buying._RepeatBase.conditional_probability_alive": "same type as the input (lifetimes)",
    "funnelnet.customers.repeat_buying._RepeatBase.conditional_expected_number_of_purchases_up_to_time":
        "same type as the input (lifetimes)",
    "funnelnet.customers.repeat_buying.GammaGamma.conditional_expected_average_profit": "same type as the input",
    "funnelnet.customers.repeat_buying.GammaGamma.customer_lifetime_value": "same type as the input (lifetimes)",
    "funnelnet.graph.referral.ReferralGraph.to_networkx": "a networkx graph",
    # persistence
    "funnelnet.funnel.io.load_model": "whichever model the file holds",
    # the concern module's helper behind MarkovChain.sensitivity/bottlenecks/what_if
    "funnelnet.funnel.bottlenecks.figure_args": "(start, values) arrays for the C++ call; not re-exported",
    # the reshaping behind TransitionCounts/ExposureCounts.from_opportunities (not re-exported)
    "funnelnet.funnel.opportunities.opportunity_events": "(event log, funnel, cut-off) for from_events",
    "funnelnet.funnel.opportunities.opportunity_table_hint": "a context manager adding a hint to errors",
}


def result_base_members() -> set[str]:
    from funnelnet._common.results import MappingResult

    return {n for n in dir(MappingResult) if not n.startswith("_")}

SCALARS = {"float", "int", "bool", "str", "None", "Self"}


def result_type_names() -> set[str]:
    from funnelnet._common.results import Result

    names = set()
    for mod in public_modules():
        for name, obj in vars(mod).items():
            if inspect.isclass(obj) and issubclass(obj, Result):
                names.add(name)
    return names


def package_class_names() -> set[str]:
    return {name.rsplit(".", 1)[1] for name, obj in CALLABLES if inspect.isclass(obj)}


def _returns(obj: object) -> str | None:
    sig = signature(obj)
    if sig is None or sig.return_annotation is inspect.Signature.empty:
        return None
    ann = sig.return_annotation
    return ann if isinstance(ann, str) else getattr(ann, "__name__", str(ann))


ANALYSES = [(n, o) for n, o in CALLABLES
            if not inspect.isclass(o) and not isinstance(o, property) and not n.endswith(".__init__")
            and n.rsplit(".", 1)[1] not in result_base_members()]  # fields(), summary(), keys() of results


@pytest.mark.parametrize("name,obj", ANALYSES, ids=[n for n, _ in ANALYSES])
def test_public_analyses_return_pandas_or_a_result(name: str, obj: object):
    ret = _returns(obj)
    assert ret is not None, f"{name} has no return annotation"
    ret = ret.strip("'\"")
    allowed = {"pd.DataFrame", "pd.Series", "pd.Index"} | result_type_names() | package_class_names() | SCALARS
    if ret in allowed or name in OTHER_RETURNS:
        return
    pytest.fail(f"{name} returns {ret!r}: return a pandas object or a Result subclass "
                "(funnelnet._common.results), or list it in OTHER_RETURNS with the reason")


def test_result_types_derive_from_the_shared_base():
    from funnelnet._common.results import Result

    names = result_type_names()
    assert {"WhatIf", "AbsorptionResult", "SpreadResult", "InfluenceResult", "SegmentTest"} <= names
    for mod in public_modules():
        for name in names & set(vars(mod)):
            cls = vars(mod)[name]
            if cls.__module__ == "funnelnet._common.results":
                continue  # the bases
            assert issubclass(cls, Result) and callable(cls.to_frame) and cls._table is not Result._table, name


# ---------------------------------------------------------------------------- the fit idiom
# Estimators: settings in the constructor, fit(data) returns self (annotated Self) with
# fitted attributes ending in "_".  Data-first statistics (the funnel's mergeable counts)
# keep fit() -> a new chain.
DATA_FIRST = {"TransitionCounts", "ExposureCounts"}


def estimators() -> list[type]:
    out = []
    for name, obj in CALLABLES:
        if inspect.isclass(obj) and "fit" in dir(obj) and obj.__name__ not in DATA_FIRST:
            out.append(obj)
    return out


def test_the_estimators_are_found():
    names = {c.__name__ for c in estimators()}
    assert {"BetaGeo", "ParetoNBD", "GammaGamma", "MarkovAttribution", "HigherOrderChain", "TierMigration"} <= names


@pytest.mark.parametrize("cls", estimators(), ids=lambda c: c.__name__)
def test_estimator_fit_is_an_instance_method_returning_self(cls):
    member = inspect.getattr_static(cls, "fit")
    assert not isinstance(member, (classmethod, staticmethod)), f"{cls.__name__}.fit must be an instance method"
    for name in dir(cls):
        if name == "fit" or name.startswith("fit_"):
            assert _returns(getattr(cls(), name)).strip("'\"") == "Self", f"{cls.__name__}.{name} must return Self"


def _fit_samples():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    T = rng.uniform(20, 40, 200)
    x = rng.poisson(2, 200).astype(float)
    tx = np.where(x > 0, T * rng.uniform(0.2, 1.0, 200), 0.0)
    m = np.where(x > 0, rng.gamma(4, 10, 200), 0.0)
    paths = pd.DataFrame({"path": ["a > b", "a", "b > a"], "conv": [1, 0, 1], "null": [0, 1, 1]})
    log = pd.DataFrame({"id": [1, 1, 2], "t": [1, 2, 1], "ch": ["a", "b", "a"], "won": [0, 1, 0]})
    snaps = pd.DataFrame({"customer": [1, 1, 2, 2], "period": [1, 2, 1, 2], "tier": ["A", "B", "B", "B"]})
    return {
        "BetaGeo": (fn.customers.BetaGeo(), (x, tx, T), {}),
        "ParetoNBD": (fn.customers.ParetoNBD(), (x, tx, T), {}),
        "GammaGamma": (fn.customers.GammaGamma(), (x[x > 0], m[x > 0]), {}),
        "MarkovAttribution": (fn.attribution.MarkovAttribution(), (paths,),
                              dict(path="path", conversions="conv", nulls="null")),
        "MarkovAttribution.fit_events": (fn.attribution.MarkovAttribution(), (log,),
                                         dict(customer="id", time="t", channel="ch", converted="won")),
        "HigherOrderChain": (fn.HigherOrderChain(order=1), (["a>b>a", "b>a"],), dict(sep=">", absorbing=[])),
        "TierMigration": (fn.customers.TierMigration(lost=()), (snaps,), {}),
        "SemiMarkovFunnel": (fn.SemiMarkovFunnel(draws=100), (log,),
                             dict(lead="id", stage="ch", time="t", absorbing=["b"])),
    }


def test_every_estimator_fit_returns_self():
    samples = _fit_samples()
    assert {c.__name__ for c in estimators()} <= set(samples)
    for key, (model, args, kwargs) in samples.items():
        method = key.split(".")[1] if "." in key else "fit"
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # the new spelling does not warn
            assert getattr(model, method)(*args, **kwargs) is model, key
        fitted = [a for a in vars(model) if a.endswith("_") and not a.startswith("_")] + \
                 [a for a in dir(type(model)) if a.endswith("_") and not a.startswith("_")
                  and isinstance(inspect.getattr_static(type(model), a), property)]
        assert fitted, f"{key}: no fitted attributes ending in '_'"


# The same rule at run time: every public method of the sample objects (test_pickle's,
# one per public class) that needs no argument returns a pandas object, a Result, a
# scalar or one of the package's objects.
def _zero_argument_methods(obj: object) -> list[str]:
    out = []
    for name in dir(type(obj)):
        if name.startswith("_") or isinstance(inspect.getattr_static(type(obj), name), property):
            continue
        member = getattr(obj, name)
        if not callable(member) or inspect.isclass(member):
            continue
        try:
            sig = inspect.signature(member)
        except (TypeError, ValueError):
            continue
        if all(p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in sig.parameters.values()):
            out.append(name)
    return out


SKIP_AT_RUN_TIME = {"save", "to_json", "to_networkx", "to_numpy", "fields", "summary", "keys", "items", "get",
                    "simulate"}  # writing files, text, arrays (listed above), the result base's own members


def test_analyses_return_pandas_or_a_result_at_run_time():
    import sys

    import numpy as np
    import pandas as pd

    from funnelnet._common.results import Result

    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from test_pickle import SAMPLES

    package_types = tuple(obj for _, obj in CALLABLES if inspect.isclass(obj))
    checked = 0
    for kind, (make, _) in sorted(SAMPLES.items()):
        obj = make()
        for name in _zero_argument_methods(obj):
            if name in SKIP_AT_RUN_TIME:
                continue
            try:
                out = getattr(obj, name)()
            except fn.FunnelnetError:
                continue  # needs data this sample lacks (e.g. an irreducible chain)
            checked += 1
            ok = isinstance(out, (pd.DataFrame, pd.Series, pd.Index, Result, float, int, str, bool, np.floating,
                                  type(None)) + package_types)
            assert ok, f"{kind}.{name}() returned {type(out).__name__}"
            if isinstance(out, Result):
                assert isinstance(out.to_frame(), pd.DataFrame)
    assert checked > 30
