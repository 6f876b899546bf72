"""The shared conventions of the public Python API (CONTRIBUTING.md, "Conventions"),
checked on every public callable found by walking the package: no banned parameter
names, ``threads`` defaults to 0 (chosen from the work), ``seed`` to an integer, ``progress`` to
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
            assert p.default == 0, f"{name}: threads defaults to {p.default!r}, expected 0 (chosen from the work)"
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


# ---------------------------------------------------------------------------- C++ defaults
# A setting that a C++ options struct also has is defaulted once, in the struct; the
# public signature reads it (funnelnet._common.options.default / default_choice) from
# _core.defaults(), which reads default-constructed structs.  The table: public callable
# -> {parameter: (struct, field, enum codes as the C++ enum numbers them, or None)}.
EMPTY_ROWS = {"error": 0, "absorbing": 1, "uniform": 2}
REPEATS = {"keep": 0, "collapse": 1}
GRAPH_POLICY = {"keep": 0, "drop": 1, "reject": 2}  # SelfLoops
DUPLICATES = {"keep": 0, "merge": 1, "reject": 2}
MODELS = {"IC": 0, "LT": 1}
_POST = {p: ("PosteriorOptions", p, None) for p in ("prior", "level", "draws", "seed", "threads")}
_CPOST = {p: ("ContinuousPosteriorOptions", p, None)
          for p in ("prior_shape", "prior_rate", "level", "draws", "seed", "threads")}
_POLICIES = {"self_loops": ("GraphOptions", "self_loops", GRAPH_POLICY),
             "duplicates": ("GraphOptions", "duplicates", DUPLICATES)}
_REPEAT_FIT = {"max_iterations": ("RepeatFitOptions", "max_iterations", None),
               "tol": ("RepeatFitOptions", "tolerance", None),
               "compress": ("RepeatFitOptions", "compress", None),
               "threads": ("RepeatFitOptions", "threads", None)}
_MARKOV = {"order": ("MarkovOptions", "order", None), "repeats": ("MarkovOptions", "repeats", REPEATS),
           "threads": ("MarkovOptions", "threads", None)}
CXX_DEFAULTS = {
    "funnelnet.funnel.counts.TransitionCounts.fit": {
        "smoothing": ("FitOptions", "smoothing", None), "empty_rows": ("FitOptions", "empty_rows", EMPTY_ROWS)},
    "funnelnet.funnel.counts.TransitionCounts.posterior_intervals": {
        "prior": ("PosteriorOptions", "prior", None), "level": ("PosteriorOptions", "level", None)},
    "funnelnet.funnel.counts.TransitionCounts.posterior_figures": _POST,
    "funnelnet.funnel.posterior.discrete_figures": _POST,
    "funnelnet.funnel.continuous.ExposureCounts.fit": {
        "empty_rows": ("ContinuousFitOptions", "empty_rows", {"error": 0, "absorbing": 1})},
    "funnelnet.funnel.continuous.ExposureCounts.posterior_figures": _CPOST,
    "funnelnet.funnel.posterior.continuous_figures": _CPOST,
    "funnelnet.funnel.chain.MarkovChain.simulate": {
        p: ("SimulateOptions", p, None) for p in ("seed", "max_steps", "threads")},
    "funnelnet.attribution.heuristic.heuristic": {
        "repeats": ("HeuristicOptions", "repeats", REPEATS),
        **{p: ("HeuristicOptions", p, None) for p in ("half_life", "first_weight", "last_weight")}},
    "funnelnet.attribution.heuristic.heuristic_events": {
        "repeats": ("HeuristicOptions", "repeats", REPEATS),
        **{p: ("HeuristicOptions", p, None) for p in ("first_weight", "last_weight")},
        "conversion_is_touch": ("JourneyOptions", "conversion_is_touch", None)},
    "funnelnet.attribution.journeys.journeys": {
        p: ("JourneyOptions", p, None) for p in ("sep", "conversion_is_touch")},
    "funnelnet.dask.journeys.journeys": {p: ("JourneyOptions", p, None) for p in ("sep", "conversion_is_touch")},
    "funnelnet.attribution.markov.MarkovAttribution.__init__": _MARKOV,
    "funnelnet.attribution.markov.markov": _MARKOV,
    "funnelnet.attribution.markov.markov_events": {
        **_MARKOV, "conversion_is_touch": ("JourneyOptions", "conversion_is_touch", None)},
    "funnelnet.attribution.markov.MarkovAttribution.fit_events": {
        "conversion_is_touch": ("JourneyOptions", "conversion_is_touch", None)},
    "funnelnet.funnel.simulate.simulate_events": {
        p: ("SimulateOptions", p, None) for p in ("seed", "max_steps", "threads")},
    "funnelnet.graph.influence.exact_spread": {"model": ("SpreadOptions", "model", MODELS)},
    "funnelnet.graph.referral.ReferralGraph.from_edges": _POLICIES,
    "funnelnet.graph.referral.ReferralGraph.read_metis": _POLICIES,
    "funnelnet.graph.referral.ReferralGraph.read_edge_list": {
        **_POLICIES, **{p: ("EdgeListOptions", p, None) for p in ("header_lines", "weighted", "symmetric")}},
    "funnelnet.graph.referral.ReferralGraph.pagerank": {
        "damping": ("PageRankOptions", "damping", None),
        "dangling": ("PageRankOptions", "dangling", {"personalization": 0, "uniform": 1}),
        "weighted": ("PageRankOptions", "weighted", None), "tol": ("PageRankOptions", "tolerance", None),
        "max_iter": ("PageRankOptions", "max_iter", None), "threads": ("PageRankOptions", "threads", None)},
    "funnelnet.graph.referral.ReferralGraph.katz": {
        **{p: ("KatzOptions", p, None) for p in ("alpha", "beta", "weighted", "normalized", "max_iter", "threads")},
        "tol": ("KatzOptions", "tolerance", None)},
    "funnelnet.graph.referral.ReferralGraph.betweenness": {
        p: ("BetweennessOptions", p, None) for p in ("normalized", "seed", "threads")},
    "funnelnet.graph.influence.spread": {
        "model": ("SpreadOptions", "model", MODELS), **{p: ("SpreadOptions", p, None) for p in ("n_sims", "seed", "threads")}},
    "funnelnet.plot.graph_plots.spread_curve": {
        "model": ("SpreadOptions", "model", MODELS), **{p: ("SpreadOptions", p, None) for p in ("n_sims", "seed", "threads")}},
    "funnelnet.plot.graph_plots.spread_curve_frame": {
        "model": ("SpreadOptions", "model", MODELS), **{p: ("SpreadOptions", p, None) for p in ("n_sims", "seed", "threads")}},
    "funnelnet.graph.referral.ReferralGraph.layout": {
        p: ("LayoutOptions", p, None) for p in ("iterations", "pivots", "seed", "gravity", "threads")},
    "funnelnet.graph.influence.imm": {
        "model": ("ImmOptions", "model", MODELS), "eps": ("ImmOptions", "epsilon", None),
        **{p: ("ImmOptions", p, None) for p in ("ell", "seed", "threads")}},
    "funnelnet.graph.influence.celf": {
        "model": ("CelfOptions", "model", MODELS), **{p: ("CelfOptions", p, None) for p in ("n_sims", "seed", "threads")}},
    "funnelnet.customers.repeat_buying.BetaGeo.__init__": _REPEAT_FIT,
    "funnelnet.customers.repeat_buying.ParetoNBD.__init__": _REPEAT_FIT,
    "funnelnet.customers.repeat_buying.GammaGamma.__init__": _REPEAT_FIT,
    "funnelnet.customers.repeat_buying.BetaGeoBetaBinom.__init__": _REPEAT_FIT,
    "funnelnet.customers.tiers.TierMigration.__init__": {
        "gaps": ("TierMigrationOptions", "gaps", {"error": 0, "skip": 1}),
        "smoothing": ("TierMigrationOptions", "smoothing", None)},
    "funnelnet.funnel.semi_markov.SemiMarkovFunnel.__init__": {
        "tol": ("SemiMarkovOptions", "tol", None), "max_iter": ("SemiMarkovOptions", "max_iter", None)},
    "funnelnet.customers.summary.summary_from_transactions": {
        "freq_multiplier": ("SummaryOptions", "period_length", None)},
    "funnelnet.datasets.synthetic.synthetic_crm": {
        p: ("CrmOptions", p, None) for p in ("n_accounts", "months", "seed", "threads")},
    "funnelnet.scoring.logistic.LeadScorer.__init__": {
        "tol": ("LogisticOptions", "tolerance", None), "max_iter": ("LogisticOptions", "max_iterations", None)},
    "funnelnet.scoring.baselines.ColumnScorer.__init__": {
        "tol": ("LogisticOptions", "tolerance", None), "max_iter": ("LogisticOptions", "max_iterations", None)},
    "funnelnet.scoring.metrics.bootstrap": {"level": ("BootstrapOptions", "level", None)},
    "funnelnet.scoring.pooled.PooledScorer.__init__": {
        "tol": ("LogisticOptions", "tolerance", None), "max_iter": ("LogisticOptions", "max_iterations", None)},
    "funnelnet.dask.simulate.simulate_events": {
        p: ("SimulateOptions", p, None) for p in ("seed", "max_steps", "threads")},
    "funnelnet.dask.simulate.spread": {
        "model": ("SpreadOptions", "model", MODELS), **{p: ("SpreadOptions", p, None) for p in ("n_sims", "seed", "threads")}},
}
# Parameters named like a C++ option whose default is deliberately not the struct's:
# (callable, parameter) -> why.
NOT_CXX_DEFAULTS = {
    ("funnelnet.plot.customer_plots.period_transactions", "draws"):
        "simulated copies of the customers for the model's bars (a chart setting, no C++ struct)",
    ("funnelnet.plot.customer_plots.period_transactions_frame", "draws"): "as period_transactions",
    ("funnelnet.pipeline.forecast.forecast", "draws"):
        "Monte Carlo draws per (stage, age) for a SemiMarkovFunnel (its own draws is a Python setting too)",
    ("funnelnet.pipeline.backtest.backtest", "draws"): "passed to forecast(draws=)",
    ("funnelnet.pipeline.backtest.backtest", "model"): "which funnel the backtest refits: a Python choice",
    ("funnelnet.pipeline.rolling.rolling_plan", "draws"): "passed to forecast(draws=)",
    ("funnelnet.pipeline.rolling.rolling_plan", "model"): "which funnel the plan refits: a Python choice",
    ("funnelnet.pipeline.backtest.backtest_stages", "draws"): "passed to forecast(draws=)",
    ("funnelnet.pipeline.backtest.backtest_stages", "model"): "which funnel the backtest refits: a Python choice",
    ("funnelnet.attribution.heuristic.heuristic_events", "half_life"):
        "None counts touches (HeuristicOptions' 1.0 touch); a timedelta weighs by event time",
    ("funnelnet.attribution.markov.MarkovAttribution.simulate", "max_steps"):
        "a C++ function argument (MarkovAttribution::simulate), not an options struct; same 1e6",
    ("funnelnet.funnel.chain.MarkovChain.time_to_close", "max_steps"):
        "a C++ function argument (time_to_close), not an options struct; same 1e6",
    ("funnelnet.funnel.chain.MarkovChain.__init__", "tol"):
        "a C++ constructor argument (funnelnet::default_row_tolerance), not an options struct",
    ("funnelnet.funnel.continuous.ContinuousChain.__init__", "tol"):
        "a C++ constructor argument, not an options struct",
    ("funnelnet.funnel.counts.TransitionCounts.from_events", "repeats"):
        "a C++ function argument; events collapse repeats by default (paths keep them)",
    ("funnelnet.funnel.counts.TransitionCounts.from_paths", "repeats"):
        "a C++ function argument; paths keep repeats by default (events collapse them)",
    ("funnelnet.funnel.segments.SegmentedFunnel.from_events", "repeats"): "as TransitionCounts.from_events",
    ("funnelnet.dask.counts.transition_counts", "repeats"): "as TransitionCounts.from_events",
    ("funnelnet.dask.customers.summary_from_transactions", "future"): "as customers.summary_from_transactions",
    ("funnelnet.funnel.higher_order.HigherOrderChain.__init__", "smoothing"):
        "a C++ function argument (fit_higher_order), not an options struct",
    ("funnelnet.funnel.higher_order.select_order", "smoothing"):
        "0.5: held-out likelihoods need positive smoothing (documented)",
    ("funnelnet.graph.influence.celf", "budget"): "None = no budget (C++ 0.0 = no budget)",
    ("funnelnet.scoring.logistic.LeadScorer.wald_table", "level"):
        "a C++ function argument (logistic_wald), not an options struct; same 0.95",
    ("funnelnet.graph.influence.imm", "budget"): "None = no budget (C++ 0.0 = no budget)",
    ("funnelnet.graph.influence.edge_probabilities", "prior"):
        "the Beta prior of learned probabilities, a C++ function argument",
    ("funnelnet.graph.referral.ReferralGraph.betweenness", "samples"):
        "None = every source (C++ samples = 0)",
    ("funnelnet.customers.summary.summary_from_transactions", "future"):
        "'drop': the calibration end cuts, as in lifetimes (SummaryOptions and the C INIT keep 'error')",
    ("funnelnet.funnel.semi_markov.SemiMarkovFunnel.__init__", "draws"):
        "Monte Carlo draws per query: a C++ function argument (simulate_close), not an options struct",
    ("funnelnet.graph.referral.ReferralGraph.pagerank", "alpha"):
        "networkx's name for damping; None = use damping",
    ("funnelnet.scoring.pooled.PooledScorer.intervals", "level"): "as LeadScorer.wald_table (no C++ struct)",
}
# Parameter names that, in a public signature, must be in one of the two tables.
OPTION_NAMES = {
    "smoothing", "empty_rows", "prior", "level", "draws", "prior_shape", "prior_rate", "max_steps", "damping",
    "dangling", "tol", "max_iter", "alpha", "beta", "normalized", "n_sims", "eps", "ell", "max_iterations",
    "compress", "half_life", "first_weight", "last_weight", "conversion_is_touch", "header_lines", "symmetric",
    "self_loops", "duplicates", "gaps", "future", "repeats", "model", "budget", "samples",
}


def _cxx(struct: str, field: str):
    from funnelnet import _core

    d = _core.defaults()
    assert struct in d, f"_core.defaults() has no {struct} (FUNNELNET_PY_DEFAULTS in register_*.cpp)"
    assert field in d[struct], f"_core.defaults()[{struct!r}] has no field {field!r}"
    return d[struct][field]


def _resolve(qualified: str) -> object:
    """The object a dotted name names (a module, then attributes; inherited ones too)."""
    parts = qualified.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            assert hasattr(obj, attr), f"{qualified} does not exist any more: update CXX_DEFAULTS"
            obj = getattr(obj, attr)
        return obj
    raise AssertionError(f"no module in {qualified}")


@pytest.mark.parametrize("name", sorted(CXX_DEFAULTS))
def test_public_defaults_are_the_cxx_defaults(name: str):
    sig = inspect.signature(_resolve(name))
    for param, (struct, field, codes) in CXX_DEFAULTS[name].items():
        assert param in sig.parameters, f"{name} has no parameter {param!r}"
        got = sig.parameters[param].default
        want = _cxx(struct, field)
        if codes is not None:
            assert got in codes, f"{name}({param}={got!r}): not one of {sorted(codes)}"
            got = codes[got]
        assert type(got) is type(want) and got == want, \
            f"{name}({param}={got!r}) but the C++ default {struct}::{field} is {want!r}"


def test_every_option_like_parameter_is_checked_against_cxx():
    unlisted = []
    for name, obj in CALLABLES:
        sig = signature(obj)
        if sig is None:
            continue
        for p in sig.parameters.values():
            if p.name in OPTION_NAMES and p.default is not inspect.Parameter.empty \
                    and p.name not in CXX_DEFAULTS.get(name, {}) and (name, p.name) not in NOT_CXX_DEFAULTS:
                unlisted.append(f"{name}({p.name}={p.default!r})")
    assert not unlisted, ("parameters named like a C++ option, in neither CXX_DEFAULTS nor NOT_CXX_DEFAULTS "
                          f"(default them with _common.options.default): {unlisted}")


def test_defaults_come_from_default_constructed_structs():
    from funnelnet import _core

    d = _core.defaults()
    assert d is not _core.defaults()  # a fresh copy: callers cannot change the defaults
    d["FitOptions"]["smoothing"] = 99.0
    assert _core.defaults()["FitOptions"]["smoothing"] != 99.0
    # Unset optionals are None and vectors lists; enums are integer codes (not bool).
    assert _core.defaults()["PeriodOptions"]["origin"] is None
    assert _core.defaults()["RepeatFitOptions"]["initial"] == []
    assert type(_core.defaults()["FitOptions"]["empty_rows"]) is int
    # Every C++ options struct with public settings is listed.
    assert {s for table in CXX_DEFAULTS.values() for s, _, _ in table.values()} <= set(d)


@pytest.mark.parametrize("module", public_modules(), ids=lambda m: m.__name__)
def test_every_public_module_says_what_it_holds(module):
    assert module.__doc__ and module.__doc__.strip(), f"{module.__name__} has no docstring"


# ---------------------------------------------------------------------------- result shapes
# An analysis returns a pandas object or a typed result (a subclass of
# funnelnet._common.results.Result with to_frame); builders return the package's objects
# (or Self); accessors return plain scalars.  The few others are listed with the reason.
OTHER_RETURNS = {
    "funnelnet.pipeline.distribution.WonDistribution.plot": "a matplotlib Axes",
    "funnelnet.pipeline.forecast.PipelineForecast.plot": "a matplotlib Axes (fan chart)",
    # Dask collections (lazy; .compute() gives the pandas object) and the caller's own model
    **{f"funnelnet.dask.{n}": "a lazy Dask DataFrame/Series: .compute() gives the pandas one"
       for n in ("customers.summary_from_transactions", "journeys.journeys", "scoring.score", "scoring.p_alive",
                 "scoring.expected_purchases", "scoring.win_probabilities")},
    "funnelnet.dask.customers.fit_repeat": "the model passed in, fitted (BetaGeo, ParetoNBD, ...)",
    "funnelnet.dask.simulate.simulate_events": "a lazy Dask DataFrame: .compute() gives the pandas one",
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
    "funnelnet.customers.repeat_buying.BetaGeoBetaBinom.conditional_probability_alive": "same type as the input (lifetimes)",
    "funnelnet.customers.repeat_buying.BetaGeoBetaBinom.conditional_expected_number_of_purchases_up_to_time":
        "same type as the input (lifetimes)",
    "funnelnet.customers.repeat_buying.BetaGeoBetaBinom.p_alive": "same type as the input (lifetimes)",
    "funnelnet.customers.repeat_buying.GammaGamma.simulate": "same type as the frequencies given",
    "funnelnet.graph.referral.ReferralGraph.to_networkx": "a networkx graph",
    # one horizon: a Series (0.1's return); a list of horizons: a DataFrame, one column each
    "funnelnet.funnel.chain.MarkovChain.close_time_cdf": "pd.Series for one k, pd.DataFrame for a list",
    "funnelnet.funnel.continuous.ContinuousChain.close_time_cdf": "pd.Series for one t, pd.DataFrame for a list",
    "funnelnet.funnel.time_to_close.discrete_close_time_cdf": "as MarkovChain.close_time_cdf",
    "funnelnet.funnel.time_to_close.continuous_close_time_cdf": "as ContinuousChain.close_time_cdf",
    # persistence
    "funnelnet.funnel.io.load_model": "whichever model the file holds",
    "funnelnet.customers.repeat_buying.repeat_model_from_json": "whichever repeat-buying model the file holds",
    # the concern module's helper behind MarkovChain.sensitivity/bottlenecks/what_if
    "funnelnet.funnel.bottlenecks.figure_args": "(start, values) arrays for the C++ call; not re-exported",
    # the reshaping behind TransitionCounts/ExposureCounts.from_opportunities (not re-exported)
    "funnelnet.funnel.opportunities.opportunity_events": "(event log, funnel, cut-off) for from_events",
    "funnelnet.funnel.opportunities.opportunity_table_hint": "a context manager adding a hint to errors",
    # scikit-learn's estimator protocol: arrays in X's row order, params as a dict
    **{f"funnelnet.scoring.logistic.LeadScorer.{m}": "scikit-learn estimator protocol (ndarray / dict)"
       for m in ("decision_function", "predict", "predict_proba", "predict_log_proba", "get_params")},
    "funnelnet.scoring.experiments.splits": "(train, test) index arrays, scikit-learn's cv= shape",
    "funnelnet.scoring.calibration.isotonic": "(x, fitted) arrays for np.interp",
    "funnelnet.scoring.calibration.CalibratedScorer.predict_proba": "scikit-learn estimator protocol (ndarray)",
    "funnelnet.scoring.calibration.platt": "(a, b) of the calibration curve",
    "funnelnet.scoring.baselines.baselines": "name -> estimator, the scorers= mapping of compare",
    "funnelnet.scoring.baselines.select_columns": "column names, to index X with",
    **{f"funnelnet.scoring.pooled.PooledScorer.{m}": "arrays in X's row order, as LeadScorer's"
       for m in ("decision_function", "predict", "predict_proba")},
}


def result_base_members() -> set[str]:
    from funnelnet._common.results import MappingResult

    return {n for n in dir(MappingResult) if not n.startswith("_")}

SCALARS = {"float", "int", "bool", "str", "None", "Self"}
#: What the charts of funnelnet.plot (and the objects' .plot methods) return.
CHART_RETURNS = {"Axes"}


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
    allowed = {"pd.DataFrame", "pd.Series", "pd.Index"} | result_type_names() | package_class_names() | SCALARS \
        | CHART_RETURNS
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

    # customers drawn from known BG/NBD and Gamma-Gamma models, so the fits converge
    rng = np.random.default_rng(3)
    T = rng.uniform(20, 40, 200)
    sim = fn.customers.BetaGeo.from_params(r=0.5, alpha=5.0, a=0.8, b=2.5).simulate(T, seed=3)
    x, tx = sim["frequency"].to_numpy(), sim["recency"].to_numpy()
    m = np.where(x > 0, fn.customers.GammaGamma.from_params(p=6.0, q=4.0, v=15.0).simulate(x.astype(int), seed=4), 0.0)
    paths = pd.DataFrame({"path": ["a > b", "a", "b > a"], "conv": [1, 0, 1], "null": [0, 1, 1]})
    log = pd.DataFrame({"id": [1, 1, 2], "t": [1, 2, 1], "ch": ["a", "b", "a"], "won": [0, 1, 0]})
    snaps = pd.DataFrame({"customer": [1, 1, 2, 2], "period": [1, 2, 1, 2], "tier": ["A", "B", "B", "B"]})
    return {
        "BetaGeo": (fn.customers.BetaGeo(), (x, tx, T), {}),
        "ParetoNBD": (fn.customers.ParetoNBD(), (x, tx, T), {}),
        "BetaGeoBetaBinom": (fn.customers.BetaGeoBetaBinom(), (np.minimum(x, 6), np.where(x > 0, 6.0, 0.0),
                                                                np.full(200, 6.0)), {}),
        "GammaGamma": (fn.customers.GammaGamma(), (x[x > 0], m[x > 0]), {}),
        "MarkovAttribution": (fn.attribution.MarkovAttribution(), (paths,),
                              dict(path="path", conversions="conv", nulls="null")),
        "MarkovAttribution.fit_events": (fn.attribution.MarkovAttribution(), (log,),
                                         dict(customer="id", time="t", channel="ch", converted="won")),
        "HigherOrderChain": (fn.HigherOrderChain(order=1), (["a>b>a", "b>a"],), dict(sep=">", absorbing=[])),
        "TierMigration": (fn.customers.TierMigration(lost=()), (snaps,), {}),
        "SemiMarkovFunnel": (fn.SemiMarkovFunnel(draws=100), (log,),
                             dict(lead="id", stage="ch", time="t", absorbing=["b"])),
        "LeadScorer": (fn.scoring.LeadScorer(), (np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1]), {}),
        "ColumnScorer": (fn.scoring.ColumnScorer(("x",)), (pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "z": 1.0}),
                                                           [0, 1, 0, 1]), {}),
        "CalibratedScorer": (fn.scoring.CalibratedScorer(fn.scoring.LeadScorer(), folds=2),
                             (np.arange(8.0).reshape(-1, 1), [0, 1, 0, 1, 0, 1, 1, 1]), {}),
        "PooledScorer": (fn.scoring.PooledScorer(tau=0.5), (np.arange(8.0).reshape(-1, 1), [0, 1, 0, 1, 0, 1, 1, 1],
                                                            [0, 0, 0, 0, 1, 1, 1, 1]), {}),
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
                    "simulate", "plot", "get_params"}  # writing files, text, arrays (listed above), the result base's own members;
# plot draws a figure (tests/python/test_plot.py checks it)


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


# ---------------------------------------------------------------------- NumPy docstrings
# Every public function, method, class and property reached from the ``__all__`` of the
# package and of each public sub-package (except strictness.NOT_YET_STRICT, the
# sub-packages written in parallel) has a docstring; one that takes parameters has a
# NumPy "Parameters" section (a class: for its constructor), one that returns a value a
# "Returns" (or "Yields") section (a result dataclass: "Attributes").  No exceptions:
# issue 11's backlog (136 members) is documented.

import re  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from strictness import NOT_YET_STRICT  # noqa: E402


def _section(doc: str, name: str) -> bool:
    return re.search(rf"^\s*{name}\s*\n\s*-{{3,}}\s*$", doc, re.M) is not None


def _needs(obj: object) -> tuple[bool, bool]:
    """(takes parameters, returns a value) from the signature."""
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False, False
    params = [n for n, p in sig.parameters.items() if n not in ("self", "cls")
              and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    ret = sig.return_annotation
    return bool(params), ret not in (None, "None", inspect.Signature.empty)


def docstring_gaps(qual: str, obj: object, doc: str | None, sig_of: object) -> list[str]:
    """What the NumPy docstring of ``obj`` lacks ([] when complete)."""
    doc = inspect.cleandoc(doc or "")
    if not doc:
        return ["docstring"]
    params, returns = _needs(sig_of)
    gaps = []
    fields = inspect.isclass(obj) and _section(doc, "Attributes")  # a result dataclass lists its fields
    if params and not (_section(doc, "Parameters") or fields):
        gaps.append("Parameters")
    if returns and not (_section(doc, "Returns") or _section(doc, "Yields")):
        gaps.append("Returns")
    return gaps


def documented_api() -> dict[str, tuple[object, str | None, object]]:
    """{qualified name: (object, its docstring, the callable whose signature it documents)}
    for everything reached from the ``__all__`` lists, each object once."""
    mods = [fn] + [importlib.import_module(f"funnelnet.{m.name}") for m in pkgutil.iter_modules(fn.__path__)
                   if m.ispkg and not m.name.startswith("_") and m.name not in NOT_YET_STRICT]
    out: dict[str, tuple[object, str | None, object]] = {}
    seen: set[int] = set()
    for mod in mods:
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            seen.add(id(obj))
            qual = f"{obj.__module__}.{obj.__qualname__}"
            if inspect.isfunction(obj):
                out[qual] = (obj, obj.__doc__, obj)
                continue
            init = vars(obj).get("__init__")
            out[qual] = (obj, obj.__doc__, init if inspect.isfunction(init) else obj)
            # Members defined on the class or on the package's (private) bases it inherits.
            for klass in obj.__mro__:
                if not klass.__module__.startswith("funnelnet") or klass.__module__.startswith("funnelnet._core"):
                    continue
                for mname, member in vars(klass).items():
                    if mname.startswith("_") or id(member) in seen:
                        continue
                    seen.add(id(member))
                    where = f"{klass.__module__}.{klass.__qualname__}.{mname}"
                    if isinstance(member, property):
                        out[where] = (member, member.__doc__, lambda: None)
                        continue
                    if isinstance(member, (classmethod, staticmethod)) or is_fit_method(member):
                        member = member.__func__
                    if inspect.isfunction(member):
                        out[where] = (member, member.__doc__, member)
    return out


def test_public_api_has_numpy_docstrings():
    gaps = {q: g for q, (obj, doc, sig_of) in documented_api().items()
            if (g := docstring_gaps(q, obj, doc, sig_of))}
    assert not gaps, "public API without a NumPy docstring section:\n" + "\n".join(
        f"  {q}: no {', '.join(g)}" for q, g in sorted(gaps.items()))


def _documented_parameters(doc: str) -> set[str]:
    """The names at the head of each entry of the NumPy "Parameters" section ("a, b : int"
    gives a and b; "**kw" gives kw)."""
    m = re.search(r"^Parameters\s*\n-{3,}\s*\n(.*?)(?=^\S[^\n]*\n-{3,}\s*$|\Z)", doc, re.M | re.S)
    names: set[str] = set()
    for line in (m.group(1) if m else "").splitlines():
        if line and not line[0].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
    return names


def test_every_parameter_is_in_the_parameters_section():
    # A Parameters section that names only some of the parameters passes the section
    # test above; every parameter of the signature must have its entry.
    missing = {}
    for q, (obj, doc, sig_of) in documented_api().items():
        doc = inspect.cleandoc(doc or "")
        if not _section(doc, "Parameters"):
            continue
        params = [n for n in inspect.signature(sig_of).parameters if n not in ("self", "cls")]  # type: ignore[arg-type]
        if lost := [n for n in params if n not in _documented_parameters(doc)]:
            missing[q] = lost
    assert not missing, "parameters missing from the Parameters section:\n" + "\n".join(
        f"  {q}: {', '.join(m)}" for q, m in sorted(missing.items()))


def _bare_entries(doc: str) -> list[str]:
    """Entries of the "Parameters" section with no indented description under them (prose
    belongs before the section or in "Notes")."""
    m = re.search(r"^Parameters\s*\n-{3,}\s*\n(.*?)(?=^\S[^\n]*\n-{3,}\s*$|\Z)", doc, re.M | re.S)
    lines = (m.group(1) if m else "").rstrip().splitlines()
    return [line for i, line in enumerate(lines) if line and not line[0].isspace()
            and not (i + 1 < len(lines) and lines[i + 1][:1].isspace())]


def test_every_parameter_entry_says_what_it_is():
    bare = {q: b for q, (obj, doc, sig_of) in documented_api().items()
            if (b := _bare_entries(inspect.cleandoc(doc or "")))}
    assert not bare, "Parameters entries without a description:\n" + "\n".join(
        f"  {q}: {', '.join(b)}" for q, b in sorted(bare.items()))


def test_the_parameter_check_reads_numpy_entries():
    doc = "Sum.\n\nParameters\n----------\na, b : int\n    The terms.\n**kw\n    Ignored.\n\nReturns\n-------\nint\n    a + b."
    assert _documented_parameters(doc) == {"a", "b", "kw"}
    assert _documented_parameters("No sections.") == set()
    assert _bare_entries(doc) == []
    assert _bare_entries("Parameters\n----------\nx : int\ny : int\n    Why.\n") == ["x : int"]


def test_the_docstring_walk_reaches_the_areas():
    names = set(documented_api())
    for must in ("funnelnet.funnel.counts.TransitionCounts.fit", "funnelnet.graph.referral.ReferralGraph.pagerank",
                 "funnelnet.customers.repeat_buying.BetaGeo", "funnelnet.funnel.semi_markov.SemiMarkovFunnel.fit",
                 "funnelnet.attribution.markov.MarkovAttribution.fit"):
        assert must in names, must
    assert any(n.startswith("funnelnet.customers.repeat_buying._") and n.endswith(".fit") for n in names)  # inherited
