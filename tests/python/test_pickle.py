"""Every public object pickles (so a Dask plan can ship it to workers): the round trip
gives an object whose outputs equal the original's.  Objects with a JSON model format
pickle through it; the others pickle their validated state and rebuild through the
validating constructors."""
from __future__ import annotations

import inspect
import pickle
import tempfile

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def assert_same(a, b):
    """Outputs equal: frames, series, arrays, numbers, dicts, lists."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    else:
        assert a == b


# ------------------------------------------------------------------ samples, one per class
F = fn.Funnel(["potential", "possible"], outcomes=["won", "lost"])
PATHS = ["potential>possible>won", "potential>lost", "potential>possible>lost", "potential>potential>possible>won"]


def counts():
    return fn.TransitionCounts.from_paths(PATHS, funnel=F, sep=">")


def exposure():
    log = pd.DataFrame({"lead": [1, 1, 2, 2, 3], "day": [0.0, 4, 2, 8, 0], "stage": ["open", "won", "open", "lost", "open"]})
    return fn.ExposureCounts.from_events(log, lead="lead", stage="stage", time="day", absorbing=["won", "lost"], cutoff=10.0)


def graph(**kw):
    return fn.ReferralGraph.from_edges(["ana", "ana", "bo", "cy", "ana"], ["bo", "cy", "cy", "ana", "bo"],
                                       weight=[1.0, 2.0, 0.5, 1.0, 3.0],
                                       time=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]),
                                       nodes=["dee"], **kw)


def attribution_model():
    df = pd.DataFrame({"path": ["a > b > c", "a", "b > c", "c > a"], "conv": [3, 1, 0, 2], "null": [1, 4, 2, 0],
                       "value": [30.0, 5.0, 0.0, 12.0]})
    return fn.attribution.MarkovAttribution(order=2).fit(df, path="path", conversions="conv", nulls="null", value="value")


def attribution_events_model():
    log = pd.DataFrame({"id": ["x", "x", "x", "y", "y"], "t": [3, 1, 2, 1, 2], "ch": ["ad", "fair", "demo", "ad", "demo"],
                        "won": [0, 0, 1, 0, 1]})
    return fn.attribution.MarkovAttribution().fit_events(log, customer="id", time="t", channel="ch", converted="won")


def rfm():
    """Customers drawn from known BG/NBD and Gamma-Gamma models (so the fits converge)."""
    rng = np.random.default_rng(3)
    n = 1000
    T = rng.uniform(20, 40, n)
    sim = fn.customers.BetaGeo.from_params(r=0.5, alpha=5.0, a=0.8, b=2.5).simulate(T, seed=3)
    x, tx = sim["frequency"].to_numpy(), sim["recency"].to_numpy()
    spend = fn.customers.GammaGamma.from_params(p=6.0, q=4.0, v=15.0).simulate(x.astype(int), seed=4)
    m = np.where(x > 0, spend, 0.0)
    return x, tx, T, m


def tiers():
    snaps = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3],
                          "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"] * 3),
                          "tier": ["A", "B", "B", "B", "B", "lost", "C", "B", "A"]})
    return fn.customers.TierMigration().fit(snaps)


# discrete-time (BG/BB) histories: frequency, recency, n_periods and weights (donors)
BX = np.array([0, 1, 1, 2, 3, 6], dtype=float)
BTX = np.array([0, 1, 4, 5, 6, 6], dtype=float)
BN = np.full(6, 6.0)
BW = np.array([50, 20, 10, 12, 8, 9], dtype=float)

x, tx, T, m = rfm()
SEMI_LOG = pd.DataFrame({"lead": [1, 1, 2, 2, 3, 3, 4, 4, 5], "t": [0.0, 3, 0, 7, 0, 4, 0, 9, 0],
                         "stage": ["a", "won", "a", "lost", "a", "won", "a", "lost", "a"]})
PIPE_CHAIN = fn.MarkovChain(np.array([[0.5, 0.3, 0.2], [0, 1, 0], [0, 0, 1]]), states=["deal", "won", "lost"],
                             absorbing=["won", "lost"])
PIPE_DEALS = pd.DataFrame({"opportunity": ["a", "b"], "stage": "deal", "entered": 0.0, "amount": [100.0, 300.0]})
def pipe_backtest():
    rng = np.random.default_rng(0)
    n = 60
    entered = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 90, n), unit="D")
    closed = entered + pd.to_timedelta(rng.exponential(40, n), unit="D")
    df = pd.DataFrame({"opportunity": np.arange(n), "entered": entered, "closed": closed,
                       "outcome": np.where(rng.uniform(size=n) < 0.5, "won", "lost"), "amount": 100.0})
    return fn.pipeline.backtest(df, snapshots=["2024-03-01"], model="continuous", horizon=2)


def pipe_rolling():
    rng = np.random.default_rng(0)
    n = 60
    entered = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 90, n), unit="D")
    closed = entered + pd.to_timedelta(rng.exponential(40, n), unit="D")
    df = pd.DataFrame({"opportunity": np.arange(n), "entered": entered, "closed": closed, "product": n // 2 * ["a", "b"],
                       "outcome": np.where(rng.uniform(size=n) < 0.5, "won", "lost"), "amount": 100.0})
    return fn.pipeline.rolling_plan(df, snapshots=["2024-03-01"], by="product", horizon=2)


def pipe_win_loss():
    m = fn.SemiMarkovFunnel(draws=2000).fit(SEMI_LOG, lead="lead", stage="stage", time="t", absorbing=["won", "lost"])
    opp = pd.DataFrame({"opportunity": [1, 2, 3], "stage": ["won", "lost", "a"], "entered": [3.0, 7.0, 1.0],
                        "reason": [None, "price", None]})
    return fn.pipeline.win_loss(opp, m, snapshot=8.0, reason="reason")


SAMPLES = {
    "Backtest": (pipe_backtest, lambda o: (o.table, o.coverage_count, o.wape_count, o.to_frame())),
    "WinLoss": (pipe_win_loss, lambda o: (o.table, o.reasons, o.delayed, o.to_frame())),
    "WonDistribution": (lambda: fn.pipeline.won_distribution([0.2, 0.7], amounts=[100.0, 250.0]),
                        lambda o: (o.pmf, o.support, o.quantiles([0.1, 0.9]), o.prob_at_least(250.0), o.to_frame())),
    "PipelineForecast": (lambda: fn.pipeline.forecast(PIPE_DEALS, PIPE_CHAIN, horizon=2, period=1.0, snapshot=0.0),
                         lambda o: (o.opportunities, o.periods, o.won_by_period, o.simulate(runs=200, seed=1))),
    "Inflow": (lambda: fn.pipeline.fit_inflow(pd.to_datetime(["2024-01-03", "2024-02-20"]), seasonal=True),
               lambda o: (o.rate, o.seasonal, o.to_frame())),
    "Priorities": (lambda: fn.pipeline.prioritise(PIPE_DEALS.assign(p_won=[0.2, 0.5], uplift=0.1), 1),
                   lambda o: (o.table, o.chosen, o.gain, o.to_frame())),
    "RollingPlan": (pipe_rolling, lambda o: (o.plan, o.accuracy, o.to_frame())),
    "Funnel": (lambda: F, lambda o: (o.states, o.stages, o.outcomes)),
    "TransitionCounts": (counts, lambda o: (o.to_frame(), o.total)),
    "MarkovChain": (lambda: counts().fit(), lambda o: (o.absorption_probabilities(), o.time_to_close())),
    "WhatIf": (lambda: counts().fit().what_if("potential", "possible", 10),
               lambda o: (o.table, o.gain, o.chain.to_frame(), o.to_frame())),
    "AbsorptionResult": (lambda: counts().fit().absorption(),
                         lambda o: (o.probabilities, o.expected_steps, o.steps_variance, o.to_frame())),
    "SegmentTest": (lambda: fn.SegmentedFunnel({"a": counts(), "b": counts() + counts()}).test(),
                    lambda o: (o.statistic, o.df, o.p_value, dict(o), o.to_frame())),
    "ExposureCounts": (exposure, lambda o: (o.to_frame(), o.exposure)),
    "ContinuousChain": (lambda: exposure().fit(), lambda o: (o.generator(), o.time_to_close())),
    "SegmentedFunnel": (lambda: fn.SegmentedFunnel({"a": counts(), "b": counts() + counts()}),
                        lambda o: (o.win_probabilities("won"), o.concentration(), o.test())),
    "HigherOrderChain": (lambda: fn.HigherOrderChain(order=2).fit(PATHS, funnel=F, sep=">"),
                         lambda o: (o.to_frame(), o.counts_frame(), o.log_likelihood(PATHS, sep=">"))),
    "ReferralGraph": (graph, lambda o: (o.edges(), o.pagerank(), o.degree(weighted=True), o.nodes,
                                        o.cascades(), o.betweenness())),
    "SpreadResult": (lambda: fn.influence.spread(graph(), ["ana"], probabilities=0.5, n_sims=200, seed=1),
                     lambda o: (o.mean, o.stderr, o.by_round, o.to_frame())),
    "InfluenceResult": (lambda: fn.influence.imm(graph(), 1, probabilities=0.5, seed=1),
                        lambda o: (o.seeds, o.spread, o.spread_after, o.to_frame())),
    "MarkovAttribution": (attribution_model, lambda o: (o.channels(), o.journeys(), o.transition_matrix(),
                                                        o.sequences(["a > b"]), o.conversion_probability)),
    "BetaGeo": (lambda: fn.customers.BetaGeo().fit(x, tx, T),
                lambda o: (o.params_, o.report_, o.p_alive(x, tx, T), o.expected_purchases(10, x, tx, T))),
    "ParetoNBD": (lambda: fn.customers.ParetoNBD().fit(x, tx, T),
                  lambda o: (o.params_, o.report_, o.p_alive(x, tx, T))),
    "BetaGeoBetaBinom": (lambda: fn.customers.BetaGeoBetaBinom().fit(BX, BTX, BN, weights=BW),
                         lambda o: (o.params_, o.report_, o.summary, repr(o), o.p_alive(BX, BTX, BN),
                                    o.conditional_expected_number_of_purchases_up_to_time(3, BX, BTX, BN))),
    "GammaGamma": (lambda: fn.customers.GammaGamma().fit(x[x > 0], m[x > 0]),
                   lambda o: (o.params_, o.report_, o.expected_spend(x, m))),
    "TierMigration": (tiers, lambda o: (o.matrix(), o.counts(), o.rates(), o.flag_overdue(0))),
    "SemiMarkovFunnel": (lambda: fn.SemiMarkovFunnel("weibull", draws=2000).fit(SEMI_LOG, lead="lead", stage="stage",
                                                                             time="t", absorbing=["won", "lost"]),
                         lambda o: (o.holding_, o.jump_matrix_, o.win_probabilities("a", 2.0), o.goodness_of_fit())),
    "GoodnessOfFit": (lambda: fn.SemiMarkovFunnel(draws=2000).fit(SEMI_LOG, lead="lead", stage="stage", time="t",
                                                                  absorbing=["won", "lost"]).goodness_of_fit([3, 6]),
                      lambda o: (o.table, o.max_error_markov, o.to_frame())),
    "CloseOutlook": (lambda: fn.SemiMarkovFunnel(draws=2000).fit(SEMI_LOG, lead="lead", stage="stage", time="t",
                                                                 absorbing=["won", "lost"]).outlook("a", 1.0),
                     lambda o: (o.win, o.quantiles, o.cdf, o.to_frame())),
    "Report": (lambda: fn.report.build(fn.datasets.synthetic_crm(n_accounts=1500, seed=0), out=tempfile.mkdtemp(),
                                       sections=["funnel", "forecast"]),
               lambda r: (r.to_frame(), r.section("funnel").tables["stages"], r.path)),
    "LeadScorer": (lambda: fn.scoring.LeadScorer(C=1.0).fit(np.array([[0.0, 1], [1, 0], [2, 2], [3, 1], [4, 0]]),
                                                             [0, 1, 0, 1, 1]),
                   lambda o: (o.coef_, o.intercept_, o.report_, o.predict_proba(np.array([[1.0, 2.0]])))),
    "CalibratedScorer": (lambda: fn.scoring.CalibratedScorer(fn.scoring.LeadScorer(), folds=2).fit(
        np.arange(8.0).reshape(-1, 1), [0, 1, 0, 1, 0, 1, 1, 1]),
        lambda o: (o.calibration_[0], o.calibration_[1], o.predict_proba(np.array([[2.5]])))),
    "DeLongTest": (lambda: fn.scoring.delong([0, 0, 1, 1, 0, 1], [.1, .4, .35, .8, .2, .9], [.3, .2, .6, .7, .1, .5]),
                   lambda o: (o.auc_a, o.covariance, o.to_frame())),
    "Comparison": (lambda: fn.scoring.compare({"a": fn.scoring.LeadScorer()}, np.arange(40.0).reshape(20, 2) % 7,
                                              np.arange(20) % 2, folds=2, replicates=10),
                   lambda o: (o.folds, o.pairs, o.oof)),
    "BootstrapInterval": (lambda: fn.scoring.metrics.bootstrap("roc_auc", [0, 1, 0, 1, 1, 0], [.1, .8, .3, .6, .4, .5],
                                                               replicates=50, seed=1),
                          lambda o: (o.estimate, o.lower, o.replicates, o.to_frame())),
    "ColumnScorer": (lambda: fn.scoring.ColumnScorer(columns=("b", "stage=")).fit(
        pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5], "b": [1.0, 0, 2, 1, 0, 2], "stage=x": [1.0, 0, 1, 0, 1, 0],
                      "stage=y": [0.0, 1, 0, 1, 0, 1]}), [0, 1, 0, 1, 1, 0]),
                     lambda o: (o.columns_, o.coef_, o.intercept_, o.predict_proba(
                         pd.DataFrame({"a": [9.0], "b": [1.0], "stage=x": [0.0], "stage=y": [1.0]})))),
    "PooledScorer": (lambda: fn.scoring.PooledScorer(tau=0.5).fit(np.arange(16.0).reshape(-1, 2) % 5,
                                                                  [0, 1, 0, 1, 1, 0, 1, 1], [0, 0, 0, 0, 1, 1, 1, 1]),
                     lambda o: (o.segment_coef_, o.intervals(), o.predict_proba(np.array([[1.0, 2.0]]), [1]))),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_round_trip_gives_the_same_outputs(kind: str):
    make, outputs = SAMPLES[kind]
    obj = make()
    back = roundtrip(obj)
    assert type(back) is type(obj)
    for a, b in zip(outputs(obj), outputs(back)):
        assert_same(a, b)
    # and again (a rebuilt object pickles too)
    for a, b in zip(outputs(obj), outputs(roundtrip(back))):
        assert_same(a, b)


def test_every_public_class_has_a_pickle_sample():
    public = set()
    for mod in (fn, fn.funnel, fn.graph, fn.graph.influence, fn.attribution, fn.customers, fn.pipeline, fn.scoring):
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                public.add(obj.__name__)
    assert public <= set(SAMPLES), f"no pickle test for {sorted(public - set(SAMPLES))}"


def test_unfitted_models_and_variants_pickle():
    for cls in (fn.customers.BetaGeo, fn.customers.ParetoNBD, fn.customers.GammaGamma,
                fn.customers.BetaGeoBetaBinom):
        back = roundtrip(cls(tol=1e-6, threads=2, strict=True))
        assert (back.tol, back.threads, back.strict, back._model) == (1e-6, 2, True, None)
    # unfitted estimators keep their settings
    back = roundtrip(fn.attribution.MarkovAttribution(order=3, repeats="keep", threads=2))
    assert (back.order, back.repeats, back.threads, back._core) == (3, "keep", 2, None)
    back = roundtrip(fn.HigherOrderChain(order=3, smoothing=0.5))
    assert (back.order, back.smoothing, back._core) == (3, 0.5, None)
    back = roundtrip(fn.customers.TierMigration(tiers=["A", "B"], lost=["B"], gaps="skip"))
    assert (back.tiers, back.lost, back.gaps, back._chains) == (["A", "B"], ["B"], "skip", None)
    bg = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert_same(roundtrip(bg).p_alive(x, tx, T), bg.p_alive(x, tx, T))
    # graphs with integer ids, no weights or times, duplicates kept, self-loops dropped
    g = fn.ReferralGraph.from_edges([5, 5, 7, 9, 9], [7, 7, 9, 9, 5], duplicates="keep", self_loops="drop")
    assert_same(roundtrip(g).edges(), g.edges())
    assert_same(roundtrip(g).katz(alpha=0.05), g.katz(alpha=0.05))
    m = attribution_events_model()
    assert_same(roundtrip(m).journeys(), m.journeys())
    # a funnel taken from a chain whose outcomes are not last
    chain = fn.MarkovChain([[1, 0, 0], [0.5, 0, 0.5], [0, 0, 1]], states=["lost", "open", "won"])
    assert roundtrip(chain.funnel) == chain.funnel


def test_errors_pickle():
    # Exceptions travel back from Dask workers.
    with pytest.raises(fn.UnknownLabelError) as info:
        F.states.index  # noqa: B018
        fn.TransitionCounts.from_paths(["potential>nowhere"], funnel=F, sep=">")
    back = roundtrip(info.value)
    assert type(back) is fn.UnknownLabelError and str(back) == str(info.value)


def test_objects_travel_to_dask_worker_processes():
    # The processes scheduler pickles every task: the funnel in the counting closure and a
    # fitted model shipped to the workers (0.1 failed here: Funnel and BetaGeo did not pickle).
    dask = pytest.importorskip("dask")
    import dask.dataframe as dd

    log = pd.DataFrame({"lead": [1, 1, 2, 2, 3], "t": [1, 2, 1, 3, 1], "stage": ["potential", "possible", "potential", "won", "lost"]})
    bg = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    p_alive = dask.delayed(lambda model, f: np.asarray(model.p_alive(f, f * 3, f * 5 + 1)))(bg, np.arange(3.0))
    with dask.config.set(scheduler="processes", num_workers=2):
        c = fn.TransitionCounts.from_events(dd.from_pandas(log, npartitions=2), lead="lead", stage="stage", time="t", funnel=F)
        (pa,) = dask.compute(p_alive)
    assert c == fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="t", funnel=F)
    np.testing.assert_array_equal(pa, bg.p_alive(np.arange(3.0), np.arange(3.0) * 3, np.arange(3.0) * 5 + 1))
