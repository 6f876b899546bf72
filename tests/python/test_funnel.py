"""Markov funnel from Python: closed forms, brute-force pandas counting, bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

DRUNKARD = [[1, 0, 0, 0, 0], [.5, 0, .5, 0, 0], [0, .5, 0, .5, 0], [0, 0, .5, 0, .5], [0, 0, 0, 0, 1]]


def test_drunkards_walk_labelled_results():
    chain = fn.MarkovChain(DRUNKARD, states=["0", "1", "2", "3", "4"])
    assert chain.absorbing_states == ["0", "4"]
    b = chain.absorption_probabilities()
    assert list(b.index) == ["1", "2", "3"] and list(b.columns) == ["0", "4"]
    np.testing.assert_allclose(b.to_numpy(), [[.75, .25], [.5, .5], [.25, .75]], atol=1e-12)
    np.testing.assert_allclose(chain.expected_steps().to_numpy(), [3, 4, 3], atol=1e-12)
    np.testing.assert_allclose(chain.fundamental_matrix().to_numpy(), [[1.5, 1, .5], [1, 2, 1], [.5, 1, 1.5]], atol=1e-12)


def test_gamblers_ruin_closed_form():
    p, q = 0.4, 0.6
    m = np.zeros((6, 6))
    m[0, 0] = m[5, 5] = 1
    for i in range(1, 5):
        m[i, i + 1], m[i, i - 1] = p, q
    chain = fn.MarkovChain(m)
    win = chain.absorption_probabilities()["s5"].to_numpy()
    i = np.arange(1, 5)
    np.testing.assert_allclose(win, (1 - (q / p) ** i) / (1 - (q / p) ** 5), atol=1e-12)
    np.testing.assert_allclose(chain.expected_steps().to_numpy(), i / (q - p) - 5 / (q - p) * win, atol=1e-10)


def test_published_absorption_times_and_dataframe_input():
    p = pd.DataFrame([[.2, .7, 0, .1], [0, .6, .3, .1], [0, 0, 1, 0], [.5, 0, .5, 0]], index=list("abcd"), columns=list("abcd"))
    chain = fn.MarkovChain(p)
    np.testing.assert_allclose(chain.expected_steps().to_numpy(), [4.56603774, 3.32075472, 3.28301887], atol=1e-8)
    assert chain.expected_steps().index.tolist() == ["a", "b", "d"]


def test_mle_and_smoothing_from_a_sequence():
    seq = list("abaaaababab" "aabbba")
    counts = fn.TransitionCounts.from_paths([seq], absorbing=[])
    np.testing.assert_array_equal(counts.to_numpy(), [[4, 5], [5, 2]])
    chain = counts.fit()
    np.testing.assert_allclose(chain.to_numpy(), [[4 / 9, 5 / 9], [5 / 7, 2 / 7]], atol=1e-15)
    assert chain.log_likelihood(counts) == pytest.approx(-10.37054131, abs=1e-8)
    np.testing.assert_allclose(counts.fit(smoothing=0.5).to_numpy(), [[.45, .55], [.6875, .3125]], atol=1e-15)


def _brute_force_counts(df: pd.DataFrame, states: list[str], repeats: str) -> np.ndarray:
    """The pandas idiom: stable sort by (lead, time), shift within lead, crosstab."""
    d = df.sort_values(["lead", "time"], kind="stable")
    nxt = d.groupby("lead")["stage"].shift(-1)
    pairs = pd.DataFrame({"a": d["stage"].astype(str), "b": nxt}).dropna()
    if repeats == "collapse":
        pairs = pairs[pairs["a"] != pairs["b"]]
    tab = pd.crosstab(pd.Categorical(pairs["a"], categories=states), pd.Categorical(pairs["b"], categories=states), dropna=False)
    return tab.reindex(index=states, columns=states, fill_value=0).to_numpy(dtype=float)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("repeats", ["keep", "collapse"])
def test_event_counts_equal_brute_force_pandas(seed, repeats):
    rng = np.random.default_rng(seed)
    stages = ["potential", "possible", "target"]
    f = fn.Funnel(stages, outcomes=["won", "lost"])
    rows = []
    for lead in range(200):
        n = rng.integers(1, 7)
        t = np.cumsum(rng.integers(0, 3, size=n))  # ties happen
        st = list(rng.choice(stages, size=n))
        if rng.random() < 0.6:
            st[-1] = rng.choice(["won", "lost"])
            t[-1] = t[-1] + 1
        rows += [(f"L{lead}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(x)), s) for x, s in zip(t, st)]
    df = pd.DataFrame(rows, columns=["lead", "time", "stage"]).sample(frac=1, random_state=seed).reset_index(drop=True)
    counts = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=f, repeats=repeats)
    expected = _brute_force_counts(df, f.states, repeats)
    np.testing.assert_array_equal(counts.to_numpy(), expected)


def test_merge_equals_union_and_fit_recovers_simulated_chain():
    f = fn.Funnel(["potential", "possible", "target"], outcomes=["won", "lost"])
    p = np.array([[.3, .4, 0, 0, .3], [.1, .3, .4, 0, .2], [0, .1, .3, .4, .2], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    chain = fn.MarkovChain(p, states=f.states)
    log = chain.simulate(20000, seed=7, mean_dwell={"potential": 10, "possible": 20, "target": 30})
    assert log.equals(chain.simulate(20000, seed=7, mean_dwell={"potential": 10, "possible": 20, "target": 30}, threads=1))
    half = log["lead"] % 2 == 0
    a = fn.TransitionCounts.from_events(log[half], lead="lead", stage="stage", time="time", funnel=f, repeats="keep")
    b = fn.TransitionCounts.from_events(log[~half], lead="lead", stage="stage", time="time", funnel=f, repeats="keep")
    whole = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time", funnel=f, repeats="keep")
    np.testing.assert_array_equal((a + b).to_numpy(), whole.to_numpy())
    fitted = whole.fit()
    assert np.abs(fitted.to_numpy() - p).max() < 0.02
    # Win probability from 'potential' agrees with the simulated share of won leads.
    won = (log["stage"] == "won").sum() / 20000
    pw = chain.absorption_probabilities().loc["potential", "won"]
    assert abs(won - pw) < 4 * np.sqrt(pw * (1 - pw) / 20000)


def test_paths_with_separator_and_counts():
    counts = fn.TransitionCounts.from_paths(
        pd.Series(["potential > possible > won", "potential > lost"]), counts=[2, 3], absorbing=["won", "lost"], sep=">")
    df = counts.to_frame()
    assert df.loc["potential", "possible"] == 2 and df.loc["potential", "lost"] == 3 and df.loc["possible", "won"] == 2
    assert counts.total == 7
    chain = counts.fit()
    assert chain.absorption_probabilities().loc["potential", "won"] == pytest.approx(0.4)


# ---------------------------------------------------------------- bad input
def test_bad_matrices_raise_typed_errors():
    with pytest.raises(fn.InvalidArgumentError, match=r"row 's0' sums to 1.1"):
        fn.MarkovChain([[.5, .6], [0, 1]])
    with pytest.raises(ValueError, match=r"P\[s0\]\[s0\]"):
        fn.MarkovChain([[np.nan, 1], [0, 1]])
    with pytest.raises(fn.ShapeError):
        fn.MarkovChain([[1, 0, 0], [0, 1, 0]])
    with pytest.raises(fn.DuplicateLabelError, match="'x' appears twice"):
        fn.MarkovChain([[1, 0], [0, 1]], states=["x", "x"])
    with pytest.raises(fn.UnknownLabelError, match="'nope'"):
        fn.MarkovChain([[1, 0], [0, 1]], states=["a", "b"], absorbing=["nope"])
    with pytest.raises(fn.NotAbsorbingError, match="'b'"):
        fn.MarkovChain([[0, 1, 0], [0, 1, 0], [0, 0, 1]], states=list("abc"), absorbing=["c"]).absorption_probabilities()
    with pytest.raises(fn.NotAbsorbingError, match="no absorbing state"):
        fn.MarkovChain([[0, 1], [1, 0]]).expected_steps()


def test_bad_event_logs_name_row_and_value():
    f = fn.Funnel(["potential", "possible"], outcomes=["won"])
    good = pd.DataFrame({"lead": [1, 1, 2], "time": [0.0, 1.0, 0.0], "stage": ["potential", "won", "potential"]})
    with pytest.raises(fn.UnknownLabelError, match=r"row 1 has unknown label 'wonn'"):
        fn.TransitionCounts.from_events(good.assign(stage=["potential", "wonn", "potential"]), lead="lead", stage="stage", time="time", funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match=r"row 1 is nan"):
        fn.TransitionCounts.from_events(good.assign(time=[0, np.nan, 1]), lead="lead", stage="stage", time="time", funnel=f)
    with pytest.raises(fn.UnknownLabelError, match="'when'"):
        fn.TransitionCounts.from_events(good, lead="lead", stage="stage", time="when", funnel=f)
    with pytest.raises(fn.EmptyInputError):
        fn.TransitionCounts.from_events(good.iloc[:0], lead="lead", stage="stage", time="time", funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="lead 1 leaves absorbing stage 'won'"):
        fn.TransitionCounts.from_events(good.assign(time=[5.0, 1.0, 0.0]), lead="lead", stage="stage", time="time", funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="repeats"):
        fn.TransitionCounts.from_events(good, lead="lead", stage="stage", time="time", funnel=f, repeats="sometimes")
    with pytest.raises(fn.InputTypeError):
        fn.TransitionCounts.from_events(good.assign(time=[b"x", b"y", b"z"]), lead="lead", stage="stage", time="time", funnel=f)


def test_bad_paths_and_counts():
    f = fn.Funnel(["potential"], outcomes=["won", "lost"])
    with pytest.raises(fn.InvalidArgumentError, match="continues after absorbing stage 'won'"):
        fn.TransitionCounts.from_paths([["potential", "won", "lost"]], funnel=f)
    with pytest.raises(fn.ShapeError, match="counts has length 1, expected 2"):
        fn.TransitionCounts.from_paths(["potential>won", "potential>lost"], counts=[1], funnel=f, sep=">")
    with pytest.raises(fn.InvalidArgumentError, match="weight of path 1"):
        fn.TransitionCounts.from_paths(["potential>won", "potential>lost"], counts=[1, -1], funnel=f, sep=">")
    with pytest.raises(fn.InvalidArgumentError, match="path 0, step 1: empty stage name in 'potential>>won'"):
        fn.TransitionCounts.from_paths(["potential>>won"], funnel=f, sep=">")
    with pytest.raises(fn.InvalidArgumentError, match="path 0 is empty"):
        fn.TransitionCounts.from_paths([" "], funnel=f, sep=">")
    with pytest.raises(fn.EmptyInputError):
        fn.TransitionCounts.from_paths([], funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="count\\[potential\\]\\[won\\]"):
        fn.TransitionCounts.from_matrix([[0, -1, 0], [0, 0, 0], [0, 0, 0]], funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="no observed exits"):
        fn.TransitionCounts.from_matrix(np.zeros((3, 3)), funnel=f).fit()
    with pytest.raises(fn.InvalidArgumentError, match="cannot merge"):
        fn.TransitionCounts.from_paths(["potential>won"], funnel=f, sep=">") + fn.TransitionCounts.from_paths(["a>b"], absorbing=["b"], sep=">")


def test_failed_construction_leaves_existing_objects_unchanged():
    counts = fn.TransitionCounts.from_paths(["a>b", "a>c"], absorbing=["b", "c"], sep=">")
    before = counts.to_numpy().copy()
    with pytest.raises(fn.InvalidArgumentError):
        counts + fn.TransitionCounts.from_paths(["x>y"], absorbing=["y"], sep=">")
    np.testing.assert_array_equal(counts.to_numpy(), before)


def test_dask_event_log_counts_equal_in_memory_counts():
    import dask.dataframe as dd
    f = fn.Funnel(["potential", "possible", "target"], outcomes=["won", "lost"])
    p = np.array([[.3, .4, 0, 0, .3], [.1, .3, .4, 0, .2], [0, .1, .3, .4, .2], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]])
    log = fn.MarkovChain(p, states=f.states).simulate(3000, seed=11)
    log = log.sample(frac=1, random_state=1).reset_index(drop=True)  # a lead's events span partitions
    ddf = dd.from_pandas(log, npartitions=5)
    got = fn.TransitionCounts.from_events(ddf, lead="lead", stage="stage", time="time", funnel=f, repeats="keep")
    want = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time", funnel=f, repeats="keep")
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    with pytest.raises(fn.InvalidArgumentError, match="needs funnel"):
        fn.TransitionCounts.from_events(ddf, lead="lead", stage="stage", time="time")
    with pytest.raises(fn.UnknownLabelError, match="'when'"):
        fn.TransitionCounts.from_events(ddf, lead="lead", stage="stage", time="when", funnel=f)


def test_event_counts_do_not_depend_on_thread_count():
    rng = np.random.default_rng(5)
    n = 400_000
    lead = rng.integers(0, 60_000, size=n)
    df = pd.DataFrame({"lead": lead, "time": rng.random(n), "stage": rng.choice(["a", "b", "c"], size=n)})
    f = fn.Funnel(["a", "b", "c"])
    counts = [fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=f, threads=t).to_numpy() for t in (1, 2, 4)]
    np.testing.assert_array_equal(counts[0], counts[1])
    np.testing.assert_array_equal(counts[0], counts[2])
    np.testing.assert_array_equal(counts[0], _brute_force_counts(df, f.states, "collapse"))
