"""fn.dask on a two-process LocalCluster gives the single-machine results."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

F = fn.Funnel(["new", "qualified", "proposal"], outcomes=["won", "lost"])
P = np.array([[0.2, 0.5, 0.0, 0.05, 0.25],
              [0.0, 0.2, 0.5, 0.1, 0.2],
              [0.0, 0.0, 0.3, 0.4, 0.3],
              [0, 0, 0, 1, 0], [0, 0, 0, 0, 1.0]])


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  memory_limit="1GiB") as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def chain():
    return fn.MarkovChain(P, states=F.states, absorbing=["won", "lost"])


@pytest.fixture(scope="module")
def events(chain):
    log = chain.simulate(600, seed=3, mean_dwell=[3.0, 5.0, 4.0, 1.0, 1.0])
    log["time"] = np.floor(log["time"]).astype(np.int64)      # whole days: ties within leads
    log["stage"] = log["stage"].astype(str)
    log = log.drop_duplicates(["lead", "time", "stage"]).sort_values("time", kind="stable").reset_index(drop=True)  # leads interleave; ties keep order
    log["date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(log["time"], unit="D")
    return log


@pytest.fixture(scope="module")
def transactions():
    rng = np.random.default_rng(7)
    rows = []
    for c in range(400):                       # buy at a gamma rate, drop out after a geometric count
        t = rng.uniform(0, 120)
        for _ in range(rng.geometric(0.3)):
            if t >= 200:
                break
            rows.append((c, int(t), round(float(rng.gamma(2.0, 50.0)), 2)))
            t += rng.exponential(1 / rng.gamma(1.0, 0.1))
    df = pd.DataFrame(rows, columns=["cust", "day", "amount"]).sample(frac=1.0, random_state=2)
    df = df.reset_index(drop=True)
    df["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["day"], unit="D")
    return df


def ddf(df, n=5):
    return dd.from_pandas(df, npartitions=n, sort=False)


def test_transition_counts_bit_for_bit(client, events):
    for repeats in ("collapse", "keep"):
        want = fn.TransitionCounts.from_events(events, lead="lead", stage="stage", time="time", funnel=F,
                                               repeats=repeats)
        got = fn.dask.transition_counts(ddf(events), lead="lead", stage="stage", time="time", funnel=F,
                                        repeats=repeats)
        assert np.array_equal(got.to_numpy(), want.to_numpy())
        assert got == want


def test_period_counts_bit_for_bit(client, events):
    kw = dict(lead="lead", stage="stage", time="date", period="week", funnel=F,
              origin=pd.Timestamp("2024-12-30"), cutoff=pd.Timestamp("2025-12-29"))
    want = fn.TransitionCounts.from_periods(events, **kw)
    assert fn.dask.period_counts(ddf(events), **kw) == want


def test_exposure_counts(client, events):
    for col in ("time", "date"):
        want = fn.ExposureCounts.from_events(events, lead="lead", stage="stage", time=col, funnel=F)
        got = fn.dask.exposure_counts(ddf(events), lead="lead", stage="stage", time=col, funnel=F)
        assert np.array_equal(got.to_frame().to_numpy(), want.to_frame().to_numpy())
        np.testing.assert_allclose(got.exposure.to_numpy(), want.exposure.to_numpy(), rtol=1e-12, atol=0)


def test_customer_summary_likelihood_fit_and_scores(client, transactions):
    for col in ("day", "date"):
        want = fn.customers.summary_from_transactions(transactions, customer="cust", time=col, amount="amount")
        s = fn.dask.summary_from_transactions(ddf(transactions), customer="cust", time=col, amount="amount")
        got = s.compute().sort_index()
        pd.testing.assert_frame_equal(got, want.sort_index(), check_exact=True)
    model = fn.customers.BetaGeo().fit(want["frequency"], want["recency"], want["T"])
    ll = fn.dask.log_likelihood(model, s)
    np.testing.assert_allclose(ll, float(np.sum(model.log_likelihood(want["frequency"], want["recency"], want["T"]))),
                               rtol=1e-12)
    fitted = fn.dask.fit_repeat(fn.customers.BetaGeo(), s)
    assert fitted.params_.to_numpy().tolist() == model.params_.to_numpy().tolist()
    pa = fn.dask.p_alive(fitted, s).compute().sort_index()
    np.testing.assert_array_equal(pa.to_numpy(), np.asarray(model.p_alive(want["frequency"], want["recency"], want["T"])))
    ep = fn.dask.expected_purchases(fitted, 30.0, s).compute().sort_index()
    np.testing.assert_array_equal(ep.to_numpy(), np.asarray(model.expected_purchases(30.0, want["frequency"],
                                                                                      want["recency"], want["T"])))


def test_journeys_per_customer_equal(client, events):
    log = events.assign(won=(events["stage"] == "won").astype(np.int64))
    kw = dict(customer="lead", time="time", channel="stage", converted="won")
    want = fn.attribution.journeys(log, **kw)
    got = fn.dask.journeys(ddf(log), **kw).compute()
    key = lambda d: d.sort_values("customer", kind="stable").reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(key(got), key(want), check_dtype=False)


def test_win_probabilities(client, chain, events):
    got = fn.dask.win_probabilities(chain, ddf(events), stage="stage", outcome="won").compute()
    table = chain.absorption_probabilities()["won"]
    want = events["stage"].map(lambda s: table.get(s, 1.0 if s == "won" else 0.0))
    np.testing.assert_array_equal(got.sort_index().to_numpy(), want.to_numpy())


def test_objects_pickle(chain, events):
    c = fn.TransitionCounts.from_events(events, lead="lead", stage="stage", time="time", funnel=F)
    e = fn.ExposureCounts.from_events(events, lead="lead", stage="stage", time="time", funnel=F)
    for o in (c, e, chain):
        assert pickle.loads(pickle.dumps(o)) == o


def test_bad_input_names_the_column(events):
    d = ddf(events, 2)
    with pytest.raises(fn.errors.UnknownLabelError, match="'nope'"):
        fn.dask.transition_counts(d, lead="lead", stage="stage", time="nope", funnel=F)
    with pytest.raises(fn.errors.InputTypeError, match="'stage'"):
        fn.dask.transition_counts(d, lead="lead", stage="stage", time="stage", funnel=F)
    with pytest.raises(fn.errors.InputTypeError, match="amount column 'stage'"):
        fn.dask.summary_from_transactions(d, customer="lead", time="time", amount="stage")
    with pytest.raises(fn.errors.InvalidArgumentError, match="funnel"):
        fn.dask.transition_counts(d, lead="lead", stage="stage", time="time", funnel=None)
    with pytest.raises(fn.errors.InvalidArgumentError, match="origin"):
        fn.dask.period_counts(d, lead="lead", stage="stage", time="time", period=7, origin=None, cutoff=None,
                              funnel=F)
    with pytest.raises(fn.errors.InputTypeError, match="Dask DataFrame"):
        fn.dask.transition_counts(events, lead="lead", stage="stage", time="time", funnel=F)


# ---------------------------------------------------------------- Monte Carlo by seed stream
def test_simulate_events_split_by_stream_is_the_single_machine_log(client, chain):
    block = 4096
    one = chain.simulate(3 * block + 123, seed=11, mean_dwell=[3.0, 5.0, 4.0, 1.0, 1.0], threads=2)
    ddf = fn.dask.simulate_events(chain, 3 * block + 123, seed=11, mean_dwell=[3.0, 5.0, 4.0, 1.0, 1.0],
                                  leads_per_partition=block)
    assert ddf.npartitions == 4
    got = client.compute(ddf).result().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, one)              # row for row, bit for bit
    assert got["lead"].is_monotonic_increasing and got["lead"].iloc[-1] == 3 * block + 122
    # a different split of the same stream: the same log; another seed: another log
    other = client.compute(fn.dask.simulate_events(chain, 3 * block + 123, seed=11,
                                                   mean_dwell=[3.0, 5.0, 4.0, 1.0, 1.0],
                                                   leads_per_partition=2 * block)).result()
    pd.testing.assert_frame_equal(other.reset_index(drop=True), one)
    assert not chain.simulate(3 * block + 123, seed=12).equals(one)


def test_counts_of_a_simulated_log_without_shuffle(client, chain):
    ddf = fn.dask.simulate_events(chain, 10_000, seed=5, leads_per_partition=4096)
    got = fn.dask.transition_counts(ddf, lead="lead", stage="stage", time="time", funnel=F,
                                    partitioned_by_lead=True)
    log = chain.simulate(10_000, seed=5)
    want = fn.TransitionCounts.from_events(log, lead="lead", stage="stage", time="time", funnel=F)
    np.testing.assert_array_equal(got.to_frame().to_numpy(), want.to_frame().to_numpy())
    shuffled = fn.dask.transition_counts(ddf, lead="lead", stage="stage", time="time", funnel=F)
    np.testing.assert_array_equal(shuffled.to_frame().to_numpy(), want.to_frame().to_numpy())


def test_spread_split_by_stream_is_bit_for_bit(client):
    rng = np.random.default_rng(4)
    g = fn.ReferralGraph.from_edges(rng.integers(0, 300, 1500), rng.integers(0, 300, 1500))
    vals = rng.gamma(2.0, 100.0, g.number_of_nodes)  # float values: the sums' order matters
    for n_sims, per in ((5000, 7), (100, 30), (1, 1)):
        want = fn.influence.spread(g, [0, 1, 2], probabilities=0.1, n_sims=n_sims, seed=9, values=vals, threads=2)
        got = fn.dask.spread(g, [0, 1, 2], probabilities=0.1, n_sims=n_sims, seed=9, values=vals,
                             tasks_per_partition=per)
        assert (got.mean, got.stderr, got.value_mean, got.value_stderr, got.n_sims) == \
            (want.mean, want.stderr, want.value_mean, want.value_stderr, want.n_sims)
        np.testing.assert_array_equal(got.by_round, want.by_round)
    # LT with delays: the timed streams split the same way
    kw = dict(model="LT", probabilities="wc", n_sims=600, seed=2, delays=rng.uniform(0, 5, g.number_of_edges),
              time_bins=[0, 1, 2, 4, np.inf])
    a, b = fn.influence.spread(g, [5], **kw), fn.dask.spread(g, [5], tasks_per_partition=64, **kw)
    assert a.mean == b.mean and a.stderr == b.stderr
    np.testing.assert_array_equal(a.by_time.to_numpy(), b.by_time.to_numpy())


def test_monte_carlo_bad_input():
    chain = fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["open", "won"])
    with pytest.raises(fn.InvalidArgumentError, match="leads_per_partition must be a positive multiple of 4096"):
        fn.dask.simulate_events(chain, 10, leads_per_partition=1000)
    with pytest.raises(fn.InputTypeError, match="chain must be a MarkovChain"):
        fn.dask.simulate_events("chain", 10)
    with pytest.raises(fn.UnknownLabelError, match="nowhere"):
        fn.dask.simulate_events(chain, 10, "nowhere")
    with pytest.raises(fn.InvalidArgumentError, match="first_lead must be a multiple of 4096"):
        from funnelnet.funnel.simulate import simulate_events
        simulate_events(chain._core, 10, first_lead=5)
    g = fn.ReferralGraph.from_edges([0], [1])
    with pytest.raises(fn.InvalidArgumentError, match="tasks_per_partition must be >= 1"):
        fn.dask.spread(g, [0], tasks_per_partition=0)
    with pytest.raises(fn.UnknownLabelError):
        fn.dask.spread(g, [42])
