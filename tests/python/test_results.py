"""The shared result shape (CONTRIBUTING.md, "Result shapes"): every typed result is a
frozen subclass of ``funnelnet._common.results.Result`` whose ``to_frame()`` holds the
same numbers as its attributes (labelled with the user's ids), which pickles, compares by
value and shows a readable repr / HTML table; results that replaced a dict still behave
as one."""
from __future__ import annotations

import dataclasses
import pickle
import tempfile

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet._common.results import MappingResult, Result

F = fn.Funnel(["potential", "possible"], outcomes=["won", "lost"])
PATHS = ["potential>possible>won", "potential>lost", "potential>possible>lost", "potential>potential>possible>won"]


def chain() -> fn.MarkovChain:
    return fn.TransitionCounts.from_paths(PATHS, funnel=F, sep=">").fit()


def graph() -> fn.ReferralGraph:
    return fn.ReferralGraph.from_edges(["ana", "ana", "bo", "cy", "ana"], ["bo", "cy", "cy", "ana", "dee"])


def seg() -> fn.SegmentedFunnel:
    c = fn.TransitionCounts.from_paths(PATHS, funnel=F, sep=">")
    return fn.SegmentedFunnel({"a": c, "b": c + c})


def semi() -> fn.SemiMarkovFunnel:
    log = pd.DataFrame({"lead": [1, 1, 2, 2, 3, 3, 4], "t": [0.0, 3, 0, 7, 0, 4, 0],
                        "stage": ["a", "won", "a", "lost", "a", "won", "a"]})
    return fn.SemiMarkovFunnel(draws=2000).fit(log, lead="lead", stage="stage", time="t", absorbing=["won", "lost"])


def pipeline_forecast():
    c = fn.MarkovChain(np.array([[0.5, 0.3, 0.2], [0, 1, 0], [0, 0, 1]]), states=["deal", "won", "lost"],
                       absorbing=["won", "lost"])
    deals = pd.DataFrame({"opportunity": ["a", "b"], "stage": "deal", "entered": 0.0, "amount": [100.0, 300.0]})
    return fn.pipeline.forecast(deals, c, horizon=2, period=1.0, snapshot=0.0)


def win_loss():
    opp = pd.DataFrame({"opportunity": [1, 2, 3], "stage": ["won", "lost", "a"], "entered": [3.0, 7.0, 1.0],
                        "reason": [None, "price", None]})
    return fn.pipeline.win_loss(opp, semi(), snapshot=8.0, reason="reason")


def rolling_plan():
    rng = np.random.default_rng(0)
    n = 60
    entered = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 90, n), unit="D")
    closed = entered + pd.to_timedelta(rng.exponential(40, n), unit="D")
    df = pd.DataFrame({"opportunity": np.arange(n), "entered": entered, "closed": closed,
                       "outcome": np.where(rng.uniform(size=n) < 0.5, "won", "lost"), "amount": 100.0})
    return fn.pipeline.rolling_plan(df, snapshots=["2024-03-01"], horizon=2)


RESULTS = {
    "WonDistribution": lambda: fn.pipeline.won_distribution([0.2, 0.7], amounts=[100.0, 250.0]),
    "PipelineForecast": pipeline_forecast,
    "Inflow": lambda: fn.pipeline.fit_inflow(pd.to_datetime(["2024-01-03", "2024-02-20", "2024-02-21"])),
    "WinLoss": win_loss,
    "Priorities": lambda: fn.pipeline.prioritise(pd.DataFrame({"opportunity": ["a", "b"], "amount": [1.0, 2.0],
                                                               "p_won": [0.2, 0.5], "uplift": 0.1}), 1),
    "RollingPlan": rolling_plan,
    "WhatIf": lambda: chain().what_if("potential", "possible", 10),
    "AbsorptionResult": lambda: chain().absorption(),
    "SpreadResult": lambda: fn.influence.spread(graph(), ["ana"], probabilities=0.5, n_sims=500, seed=1),
    "SpreadResult(by_time)": lambda: fn.influence.spread(graph(), ["ana"], probabilities=1.0, n_sims=10,
                                                         delays=[1.0, 2.0, 3.0, 4.0, 5.0], time_bins=[0, 2, np.inf]),
    "InfluenceResult(imm)": lambda: fn.influence.imm(graph(), 2, probabilities=0.5, seed=1),
    "InfluenceResult(celf)": lambda: fn.influence.celf(graph(), 2, probabilities=0.5, n_sims=200, seed=1),
    "SegmentTest": lambda: seg().test(),
    "GoodnessOfFit": lambda: semi().goodness_of_fit([3.0, 6.0]),
    "CloseOutlook": lambda: semi().outlook("a", 1.0, horizons=[2.0, 5.0]),
    "Report": lambda: fn.report.build(fn.datasets.synthetic_crm(n_accounts=1500, seed=0),
                                      out=tempfile.mkdtemp(), sections=["funnel", "forecast"]),
    "DeLongTest": lambda: fn.scoring.delong([0, 0, 1, 1, 0, 1], [.1, .4, .35, .8, .2, .9], [.3, .2, .6, .7, .1, .5]),
    "Comparison": lambda: fn.scoring.compare({"a": fn.scoring.LeadScorer()}, np.arange(40.0).reshape(20, 2) % 7,
                                             np.arange(20) % 2, folds=2, replicates=10),
    "BootstrapInterval": lambda: fn.scoring.metrics.bootstrap("roc_auc", [0, 1, 0, 1, 1, 0], [.1, .8, .3, .6, .4, .5],
                                                              replicates=50, seed=1),
}


@pytest.fixture(params=sorted(RESULTS))
def res(request):
    return RESULTS[request.param]()


def test_every_result_is_a_frozen_result_with_a_frame(res):
    assert isinstance(res, Result)
    assert dataclasses.is_dataclass(res)
    first = res.fields()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(res, first, None)
    df = res.to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) > 0
    assert df.index.name is not None  # labelled rows
    for k, v in res.summary().items():  # the scalars travel with the frame
        assert df.attrs[k] == v
    assert res[first] is getattr(res, first)  # dict-style access
    with pytest.raises(KeyError):
        res["no such field"]


def test_pickle_round_trip_and_equality(res):
    back = pickle.loads(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is type(res)
    assert back == res
    pd.testing.assert_frame_equal(back.to_frame(), res.to_frame())


def test_repr_and_html(res):
    text = repr(res)
    name = type(res).__name__
    assert text.startswith(f"{name}(")
    for k in res.summary():
        assert f"{k}=" in text.splitlines()[0]
    html = res._repr_html_()
    assert html.startswith("<p><b>") and name in html
    if res.to_frame().shape[1]:
        assert "<table" in html


def test_what_if_frame_is_its_table():
    w = RESULTS["WhatIf"]()
    pd.testing.assert_frame_equal(w.to_frame(), w.table)
    assert w.to_frame().attrs == {"value_before": w.value_before, "value_after": w.value_after, "gain": w.gain}
    assert w.gain == pytest.approx(w.value_after - w.value_before)
    assert w.to_frame().index.tolist() == ["potential", "possible"]


def test_absorption_frame_equals_the_separate_analyses():
    c = chain()
    a = c.absorption()
    pd.testing.assert_frame_equal(a.probabilities, c.absorption_probabilities())
    pd.testing.assert_series_equal(a.expected_steps, c.expected_steps())
    pd.testing.assert_series_equal(a.steps_variance, c.steps_variance())
    df = a.to_frame()
    assert list(df.columns) == ["P(won)", "P(lost)", "expected_steps", "steps_variance"]
    np.testing.assert_array_equal(df[["P(won)", "P(lost)"]].to_numpy(), a.probabilities.to_numpy())
    np.testing.assert_array_equal(df["expected_steps"].to_numpy(), a.expected_steps.to_numpy())
    np.testing.assert_array_equal(df["steps_variance"].to_numpy(), a.steps_variance.to_numpy())
    assert df.index.name == "stage" and df.index.tolist() == c.transient_states


def test_spread_frame_is_one_row_per_round():
    r = RESULTS["SpreadResult"]()
    df = r.to_frame()
    assert df.index.name == "round" and df.index.tolist() == list(range(len(r.by_round)))
    np.testing.assert_array_equal(df["activations"].to_numpy(), r.by_round)
    assert df.attrs["mean"] == r.mean and df.attrs["stderr"] == r.stderr and df.attrs["n_sims"] == r.n_sims
    assert df["activations"].sum() == pytest.approx(r.mean)  # the rounds add up to the spread
    t = RESULTS["SpreadResult(by_time)"]()
    assert t.by_time.sum() == pytest.approx(4.0)  # p = 1: the seed and all three others, in some bin


def test_influence_frame_is_one_row_per_seed_in_order():
    for key in ("InfluenceResult(imm)", "InfluenceResult(celf)"):
        r = RESULTS[key]()
        df = r.to_frame()
        assert df.index.name == "node" and df.index.tolist() == r.seeds
        np.testing.assert_array_equal(df["spread"].to_numpy(), r.spread_after.to_numpy())
        np.testing.assert_allclose(df["gain"].cumsum().to_numpy(), r.spread_after.to_numpy())
        assert df.attrs["spread"] == r.spread and df.attrs["seeds"] == r.seeds


def test_segment_test_is_still_a_dict():
    t = seg().test()
    assert isinstance(t, MappingResult)
    d = dict(t)
    assert list(d) == ["statistic", "df", "p_value"] == list(t.keys()) == list(t)
    assert t == d  # compares equal to 0.1's dict
    assert t["p_value"] == t.p_value and t.get("df") == t.df and t.get("nope", 1) == 1
    assert "statistic" in t and len(t) == 3
    assert dict(t.items()) == d
    df = t.to_frame()
    assert df.loc["likelihood_ratio"].to_dict() == d


def test_results_are_not_sequences():
    with pytest.raises(TypeError):
        iter(RESULTS["WhatIf"]())
