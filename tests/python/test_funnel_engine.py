"""The funnel engine from Python: period and continuous-time fits with censoring, time
to close, recurrent chains, bottlenecks, uncertainty, segments, persistence, bad input.

Oracles: pandas brute force (timeline expansion, exposure sums), scipy (expm, Beta
quantiles, chi2_contingency G-test, strongly connected components, eigenvectors),
closed forms and finite differences written here."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph
import scipy.stats

import funnelnet as fn

STAGES = ["potential", "possible", "target", "effective"]
OUTCOMES = ["won", "lost"]
P = np.array([
    [0.40, 0.30, 0.05, 0.00, 0.00, 0.25],
    [0.10, 0.35, 0.35, 0.00, 0.00, 0.20],
    [0.00, 0.10, 0.35, 0.35, 0.05, 0.15],
    [0.00, 0.00, 0.05, 0.35, 0.45, 0.15],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
])


@pytest.fixture
def chain() -> fn.MarkovChain:
    return fn.MarkovChain(P, states=STAGES + OUTCOMES)


def random_log(seed: int, n_leads: int = 300) -> pd.DataFrame:
    """Leads walking a, b, c -> won/lost with integer day times; rows of leads interleaved."""
    rng = np.random.default_rng(seed)
    rows = []
    for lead in range(n_leads):
        t = int(rng.integers(0, 100))
        s = int(rng.integers(0, 3))
        for k in range(8):
            if t >= 200:
                break
            rows.append((k, lead, t, s))
            if s >= 3:
                break
            t += int(rng.integers(0, 25))
            nxt = int(rng.integers(0, 5))
            s = nxt if nxt != s else (s + 1) % 5
    df = pd.DataFrame(rows, columns=["k", "lead", "day", "stage"]).sort_values(["k", "lead"], kind="stable")
    df["stage"] = np.array(["a", "b", "c", "won", "lost"])[df["stage"]]
    return df.drop(columns="k").reset_index(drop=True)


F5 = fn.Funnel(["a", "b", "c"], outcomes=["won", "lost"])


def brute_period_counts(df: pd.DataFrame, period: int, n_periods: int) -> np.ndarray:
    states = F5.states
    c = np.zeros((5, 5))
    for _, g in df.groupby("lead", sort=False):
        ev = []
        for s, t in zip(g["stage"], g["day"]):
            if ev and ev[-1][0] == s:
                continue
            ev.append((s, t // period))
        line = []
        for k, (s, q) in enumerate(ev):
            until = ev[k + 1][1] if k + 1 < len(ev) else n_periods
            if s in ("won", "lost"):
                until = q + 1
            line += [s] * max(until - q, 1)
        for a, b in zip(line, line[1:]):
            c[states.index(a), states.index(b)] += 1
    return c


# ---------------------------------------------------------------- estimation

def test_periods_match_brute_force_timeline():
    df = random_log(3)
    for period in (1, 7):
        cutoff = (200 // period + 1) * period
        c = fn.TransitionCounts.from_periods(df, lead="lead", stage="stage", time="day", period=period, origin=0, cutoff=cutoff, funnel=F5)
        np.testing.assert_array_equal(c.to_numpy(), brute_period_counts(df, period, cutoff // period))


def test_periods_with_datetimes_weekly_and_monthly():
    # Lead 1: week 0 -> won in week 3 (2 stays); lead 2 open from week 1 to the cut-off
    # (week 5): 3 stays; lead 3 lost within week 2.
    t0 = pd.Timestamp("2024-01-01")  # a Monday
    df = pd.DataFrame({
        "lead": ["x", "y", "x", "z", "z"],
        "at": t0 + pd.to_timedelta([0, 7, 21, 14, 16], unit="D"),
        "stage": ["engaging", "engaging", "won", "engaging", "lost"],
    })
    f = fn.Funnel(["engaging"], outcomes=["won", "lost"])
    c = fn.TransitionCounts.from_periods(df, lead="lead", stage="stage", time="at", period="week", origin=t0, cutoff=t0 + pd.Timedelta(weeks=5), funnel=f)
    np.testing.assert_array_equal(c.to_numpy()[0], [5, 1, 1])
    assert c.fit().absorption_probabilities().loc["engaging", "won"] == pytest.approx(0.5)
    # Months: Jan -> won in April (2 stays); open from Feb to the cut-off (June 1): stays Feb..May = 3.
    dm = pd.DataFrame({"lead": [1, 2, 1], "at": pd.to_datetime(["2024-01-15", "2024-02-03", "2024-04-20"]), "stage": ["engaging", "engaging", "won"]})
    cm = fn.TransitionCounts.from_periods(dm, lead="lead", stage="stage", time="at", period="month", cutoff="2024-06-01", funnel=f)
    np.testing.assert_array_equal(cm.to_numpy()[0], [5, 1, 0])
    with pytest.raises(fn.InvalidArgumentError, match="not the start of a month"):
        fn.TransitionCounts.from_periods(dm, lead="lead", stage="stage", time="at", period="month", cutoff="2024-05-31", funnel=f)


def test_exposure_matches_pandas_sums_and_mle():
    df = random_log(5)
    e = fn.ExposureCounts.from_events(df, lead="lead", stage="stage", time="day", cutoff=300, funnel=F5)
    # pandas oracle: time to the lead's next event (or the cut-off while open).
    nxt = df.groupby("lead")["day"].shift(-1)
    open_ = nxt.isna() & df["stage"].isin(["a", "b", "c"])
    dur = (nxt.fillna(300) - df["day"]).where(df["stage"].isin(["a", "b", "c"]) & (nxt.notna() | open_), 0)
    expo = dur.groupby(df["stage"]).sum().reindex(F5.states, fill_value=0)
    np.testing.assert_allclose(e.exposure.to_numpy(), expo.to_numpy(), rtol=1e-12)
    to = df.groupby("lead")["stage"].shift(-1)
    moves = pd.crosstab(df["stage"][to.notna()], to[to.notna()]).reindex(index=F5.states, columns=F5.states, fill_value=0)
    np.testing.assert_array_equal(e.to_frame().to_numpy(), moves.to_numpy())
    q = e.fit().generator().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(expo.to_numpy()[:, None] > 0, moves.to_numpy() / expo.to_numpy()[:, None], 0)
    np.fill_diagonal(expected, 0)
    np.fill_diagonal(expected, -expected.sum(axis=1))
    np.testing.assert_allclose(q, expected, rtol=1e-12, atol=1e-15)
    # Counts add up over a split by lead.
    half = df["lead"] < 150
    parts = fn.ExposureCounts.from_events(df[half], lead="lead", stage="stage", time="day", cutoff=300, funnel=F5) + fn.ExposureCounts.from_events(df[~half], lead="lead", stage="stage", time="day", cutoff=300, funnel=F5)
    np.testing.assert_allclose(parts.exposure.to_numpy(), e.exposure.to_numpy(), rtol=1e-12)


def test_continuous_chain_against_scipy_and_closed_forms():
    lam, mu = 0.3, 0.7
    q = np.array([[-lam, lam, 0.0], [0, -mu, mu], [0, 0, 0]])
    c = fn.ContinuousChain(q, states=["a", "b", "won"])
    for t in (0.5, 2.0, 9.0):
        np.testing.assert_allclose(c.transition_matrix(t).to_numpy(), scipy.linalg.expm(q * t), atol=1e-12)
    ttc = c.time_to_close(quantiles=[0.1, 0.5, 0.9])
    assert ttc.loc["a", "mean"] == pytest.approx(1 / lam + 1 / mu, rel=1e-10)
    assert ttc.loc["a", "sd"] == pytest.approx(np.sqrt(1 / lam**2 + 1 / mu**2), rel=1e-10)
    for p in (0.1, 0.5, 0.9):
        t = ttc.loc["a", f"q{100 * p:g}"]
        cdf = 1 - (mu * np.exp(-lam * t) - lam * np.exp(-mu * t)) / (mu - lam)
        assert cdf == pytest.approx(p, abs=1e-8)
        assert ttc.loc["b", f"q{100 * p:g}"] == pytest.approx(scipy.stats.expon(scale=1 / mu).ppf(p), rel=1e-8)
    assert c.close_time_cdf(2.0)["b"] == pytest.approx(1 - np.exp(-1.4))


def test_discrete_time_to_close_is_geometric():
    s = 0.8
    ch = fn.MarkovChain([[s, 1 - s], [0, 1]], states=["a", "won"])
    t = ch.time_to_close(quantiles=[0.5, 0.9])
    g = scipy.stats.geom(1 - s)
    assert t.loc["a", "mean"] == pytest.approx(g.mean())
    assert t.loc["a", "sd"] == pytest.approx(g.std())
    assert t.loc["a", "q50"] == g.ppf(0.5)
    assert t.loc["a", "q90"] == g.ppf(0.9)
    assert ch.close_time_cdf(3)["a"] == pytest.approx(g.cdf(3))


# ---------------------------------------------------------------- analysis

def test_recurrent_chain_against_scipy():
    rng = np.random.default_rng(4)
    m = rng.random((6, 6)) * (rng.random((6, 6)) < 0.5)
    m += np.eye(6, k=1) + np.eye(6, k=-5)  # a cycle makes it irreducible
    m /= m.sum(axis=1, keepdims=True)
    ch = fn.MarkovChain(m)
    w, v = scipy.linalg.eig(m.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    pi /= pi.sum()
    np.testing.assert_allclose(ch.stationary_distribution().to_numpy(), pi, atol=1e-12)
    fp = ch.first_passage_times().to_numpy()
    for j in range(6):
        a = m.copy()
        a[:, j] = 0
        np.testing.assert_allclose(fp[:, j], np.linalg.solve(np.eye(6) - a, np.ones(6)), rtol=1e-9)
    np.testing.assert_allclose(ch.recurrence_times().to_numpy(), 1 / pi, rtol=1e-9)
    # A reducible chain: classes match scipy's strongly connected components.
    r = np.zeros((7, 7))
    r[0, 1] = r[1, 0] = 0.5
    r[0, 2] = r[1, 2] = 0.5
    r[2, 2] = 1
    r[3, 4] = r[4, 5] = r[5, 3] = 1
    r[6, 6] = r[6, 3] = 0.5
    rc = fn.MarkovChain(r)
    cls = rc.communicating_classes()
    n, labels = scipy.sparse.csgraph.connected_components(scipy.sparse.csr_matrix(r > 0), directed=True, connection="strong")
    assert cls["class"].nunique() == n
    for i in range(7):
        for j in range(7):
            assert (cls["class"].iloc[i] == cls["class"].iloc[j]) == (labels[i] == labels[j])
    assert cls["closed"].tolist() == [False, False, True, True, True, True, False]
    assert cls.loc["s3", "period"] == 3
    with pytest.raises(fn.InvalidArgumentError, match="2 closed classes"):
        rc.stationary_distribution()
    with pytest.raises(fn.InvalidArgumentError, match="irreducible"):
        rc.first_passage_times()


def _win_from(p: np.ndarray, start: int, values: np.ndarray) -> float:
    q, r = p[:4, :4], p[:4, 4:]
    return float(np.linalg.solve(np.eye(4) - q, r @ values)[start])


def test_bottlenecks_match_finite_differences(chain):
    sens = chain.sensitivity("won", start="potential")
    h = 1e-6
    for (a, b), row in sens.iterrows():
        i, j = chain.states.index(a), chain.states.index(b)
        up, dn = P.copy(), P.copy()
        up[i, j] += h
        dn[i, j] -= h
        fd = (_win_from(up, 0, np.array([1.0, 0])) - _win_from(dn, 0, np.array([1.0, 0]))) / (2 * h)
        assert row["gradient"] == pytest.approx(fd, abs=1e-6)

        def raised(x):
            m = P.copy()
            z = 1 + x * m[i, j]
            m[i] /= z
            m[i, j] = P[i, j] * (1 + x) / z
            return _win_from(m, 0, np.array([1.0, 0]))

        assert row["elasticity"] == pytest.approx((raised(h) - raised(-h)) / (2 * h), abs=1e-6)
    # Expected won value with deal values: linear in the value.
    v = chain.sensitivity(values={"won": 5000.0}, start="potential")
    np.testing.assert_allclose(v["elasticity"].to_numpy(), 5000 * sens["elasticity"].to_numpy(), rtol=1e-10)
    top = chain.bottlenecks("won", start="potential")
    assert top["elasticity"].abs().is_monotonic_decreasing
    assert len(top) == 17
    best = sens["elasticity"].abs().idxmax()
    assert (top.iloc[0]["from"], top.iloc[0]["to"]) == best


def test_what_if_matches_hand_built_chain(chain):
    w = chain.what_if("possible", "target", 10, "won", start="possible")
    m = P.copy()
    z = 1 + 0.1 * 0.35
    m[1] /= z
    m[1, 2] = 0.35 * 1.1 / z
    np.testing.assert_allclose(w.chain.to_numpy(), m, atol=1e-15)
    assert w.value_after == pytest.approx(_win_from(m, 1, np.array([1.0, 0])), abs=1e-12)
    assert w.value_before == pytest.approx(chain.absorption_probabilities().loc["possible", "won"], abs=1e-12)
    assert w.gain > 0
    np.testing.assert_allclose(w.table["steps after"].to_numpy(), np.linalg.inv(np.eye(4) - m[:4, :4]).sum(axis=1), rtol=1e-12)
    with pytest.raises(fn.InvalidArgumentError, match=r"P\[potential\]\[effective\] is 0"):
        chain.what_if("potential", "effective", 10)
    with pytest.raises(fn.UnknownLabelError, match="'nowhere'"):
        chain.what_if("potential", "nowhere", 10)


def test_posterior_intervals_are_beta_quantiles():
    f = fn.Funnel(["s"], outcomes=["won", "lost"])
    c = fn.TransitionCounts.from_matrix([[5, 30, 20], [0, 0, 0], [0, 0, 0]], f)
    iv = c.posterior_intervals(prior=1.0, level=0.9)
    for j, (cnt, name) in enumerate(zip([5, 30, 20], ["s", "won", "lost"])):
        b = scipy.stats.beta(cnt + 1, 58 - cnt - 1)
        assert iv.loc[("s", name), "lower"] == pytest.approx(b.ppf(0.05), rel=1e-10)
        assert iv.loc[("s", name), "upper"] == pytest.approx(b.ppf(0.95), rel=1e-10)
        assert iv.loc[("s", name), "mean"] == pytest.approx(b.mean())
    fig = c.posterior_figures(prior=1.0, level=0.9, draws=20000, seed=1)
    agg = scipy.stats.beta(31, 21)  # Dirichlet aggregation: p_won / (p_won + p_lost)
    assert fig.loc["s", "P(won)"] == pytest.approx(agg.mean(), abs=0.003)
    assert fig.loc["s", "P(won) lower"] == pytest.approx(agg.ppf(0.05), abs=0.005)
    assert fig.loc["s", "P(won) upper"] == pytest.approx(agg.ppf(0.95), abs=0.005)
    again = c.posterior_figures(prior=1.0, level=0.9, draws=20000, seed=1, threads=1)
    pd.testing.assert_frame_equal(fig, again)


def test_segments_against_scipy_g_test():
    f = fn.Funnel(["open", "quoted"], outcomes=["won", "lost"])
    ref = np.array([[2, 30, 5, 3], [0, 1, 20, 6], [0] * 4, [0] * 4], dtype=float)
    cold = np.array([[9, 25, 1, 20], [0, 3, 8, 9], [0] * 4, [0] * 4], dtype=float)
    web = np.array([[1, 4, 0, 3], [0, 0, 2, 2], [0] * 4, [0] * 4], dtype=float)
    seg = fn.SegmentedFunnel({k: fn.TransitionCounts.from_matrix(v, f) for k, v in {"referral": ref, "cold": cold, "web": web}.items()})
    g_total, df_total = 0.0, 0
    for i in range(2):
        table = np.array([ref[i], cold[i], web[i]])
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        g, _, dof, _ = scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        g_total += g
        df_total += dof
    t = seg.test()
    assert t["statistic"] == pytest.approx(g_total, rel=1e-10)
    assert t["df"] == df_total
    assert t["p_value"] == pytest.approx(scipy.stats.chi2(df_total).sf(g_total), rel=1e-9)
    # The small segment is pulled toward the pool more than the large ones.
    pooled = seg.pooled.to_numpy()
    own = web[0] / web[0].sum()
    shrunk = seg.chains["web"].to_numpy()[0]
    assert np.abs(shrunk - pooled[0]).sum() < np.abs(own - pooled[0]).sum()
    assert (seg.concentration() > 0).all()
    # a segment without transitions (only open leads) is shrunk all the way to the pool
    part = fn.SegmentedFunnel({"referral": seg_counts(ref, f), "partner": seg_counts(np.zeros((4, 4)), f)})
    np.testing.assert_allclose(part.chains["partner"].to_numpy(), ref / np.maximum(ref.sum(1, keepdims=True), 1)
                               + np.diag([0, 0, 1, 1]) * (ref.sum(1) == 0), atol=1e-12)
    with pytest.raises(fn.EmptyInputError, match="no segment has data"):
        fn.SegmentedFunnel({"partner": seg_counts(np.zeros((4, 4)), f)})


def seg_counts(m, f):
    return fn.TransitionCounts.from_matrix(m, f)


def test_segments_from_events_names_an_empty_segment():
    log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0, 1, 0, 2], "stage": ["open", "won", "open", "lost"], "source": ["referral", "referral", "cold", "cold"]})
    f = fn.Funnel(["open"], outcomes=["won", "lost"])
    seg = fn.SegmentedFunnel.from_events(log, segment="source", lead="lead", stage="stage", time="t", funnel=f)
    assert seg.segments == ["referral", "cold"]
    with pytest.raises(fn.EmptyInputError, match="segment 'web' has no data"):
        fn.SegmentedFunnel.from_events(log, segment="source", lead="lead", stage="stage", time="t", funnel=f, segments=["referral", "web"])


# ---------------------------------------------------------------- persistence

def test_round_trips_are_exact(tmp_path, chain):
    rng = np.random.default_rng(2)
    m = rng.random((4, 4))
    m /= m.sum(axis=1, keepdims=True)
    awkward = fn.MarkovChain(m)
    for obj in (chain, awkward):
        back = pickle.loads(pickle.dumps(obj))
        assert back == obj and back.to_numpy().tobytes() == obj.to_numpy().tobytes()
        obj.save(tmp_path / "c.json")
        assert fn.load_model(tmp_path / "c.json").to_numpy().tobytes() == obj.to_numpy().tobytes()
    counts = fn.TransitionCounts.from_matrix([[1, 2.5], [0, 0]], fn.Funnel(["a"], outcomes=["won"]))
    assert pickle.loads(pickle.dumps(counts)) == counts
    e = fn.ExposureCounts.from_arrays([[0, 3], [0, 0]], [1 / 3, 0], fn.Funnel(["a"], outcomes=["won"]), time_unit="D")
    e2 = pickle.loads(pickle.dumps(e))
    assert e2 == e and e2.time_unit == "D"
    q = e.fit()
    q.save(tmp_path / "q.json")
    assert fn.load_model(tmp_path / "q.json") == q
    assert pickle.loads(pickle.dumps(q)).generator().equals(q.generator())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "q.json"]  # no temporary files left


def test_bad_model_files(tmp_path, chain):
    path = tmp_path / "m.json"
    chain.save(path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(fn.FormatError, match="not valid JSON"):
        fn.load_model(path)
    path.write_text(text.replace('"version":1', '"version":9'))
    with pytest.raises(fn.FormatError, match="unsupported model file version 9"):
        fn.load_model(path)
    path.write_text(text.replace('"kind":"markov_chain"', '"kind":"spaceship"'))
    with pytest.raises(fn.FormatError, match="holds a 'spaceship'"):
        fn.load_model(path)
    with pytest.raises(fn.FormatError, match="expected a 'transition_counts'"):
        fn.TransitionCounts.from_json(text)
    with pytest.raises(fn.FileError, match="cannot open"):
        fn.load_model(tmp_path / "missing.json")
    with pytest.raises(fn.FileError):
        chain.save(tmp_path / "no" / "such" / "dir.json")


# ---------------------------------------------------------------- bad input

def test_bad_event_logs():
    f = fn.Funnel(["a", "b"], outcomes=["won"])
    def log(leads, times, stages):
        return pd.DataFrame({"lead": leads, "t": times, "stage": stages})
    for build in (
        lambda d, **k: fn.TransitionCounts.from_periods(d, lead="lead", stage="stage", time="t", period=7, funnel=f, **k),
        lambda d, **k: fn.ExposureCounts.from_events(d, lead="lead", stage="stage", time="t", funnel=f, **k),
    ):
        # Any row order: a shuffled log gives what the sorted one gives (one rule for
        # every event-log reader).
        shuffled = build(log([1, 2, 1, 2], [5, 4, 3, 2], ["won", "b", "a", "a"]))
        ordered = build(log([1, 1, 2, 2], [3, 5, 2, 4], ["a", "won", "a", "b"]))
        assert shuffled.to_json() == ordered.to_json()
        with pytest.raises(fn.InvalidArgumentError, match="duplicate event"):
            build(log([1, 1], [5, 5], ["a", "a"]))
        with pytest.raises(fn.InvalidArgumentError, match="leaves absorbing stage 'won'"):
            build(log([1, 1], [1, 2], ["won", "a"]))
        with pytest.raises(fn.InvalidArgumentError, match="censoring date is before an event"):
            build(log([1, 2], [1, 20], ["a", "a"]), cutoff=14)
        with pytest.raises(fn.UnknownLabelError, match="'wonn'"):
            build(log([1, 1], [1, 2], ["a", "wonn"]))
    with pytest.raises(fn.InvalidArgumentError, match="do not divide"):
        fn.TransitionCounts.from_periods(log([1], [1], ["a"]), lead="lead", stage="stage", time="t", period=7, origin=0, cutoff=30, funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="does not divide integer times"):
        fn.TransitionCounts.from_periods(log([1], [1], ["a"]), lead="lead", stage="stage", time="t", period=1.5, funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="period must be > 0"):
        fn.TransitionCounts.from_periods(log([1], [1], ["a"]), lead="lead", stage="stage", time="t", period=0, funnel=f)
    with pytest.raises(fn.InvalidArgumentError, match="needs datetime times"):
        fn.TransitionCounts.from_periods(log([1], [1], ["a"]), lead="lead", stage="stage", time="t", period="week", funnel=f)
    with pytest.raises(fn.EmptyInputError):
        fn.ExposureCounts.from_events(log([], [], []), lead="lead", stage="stage", time="t", funnel=f)


def test_bad_exposure_and_generators():
    f = fn.Funnel(["a"], outcomes=["won"])
    with pytest.raises(fn.InvalidArgumentError, match="exposure of stage 'a' must be finite and >= 0, got -1"):
        fn.ExposureCounts.from_arrays([[0, 1], [0, 0]], [-1, 0], f)
    with pytest.raises(fn.InvalidArgumentError, match="stage 'a' has 2 exits but zero exposure"):
        fn.ExposureCounts.from_arrays([[0, 2], [0, 0]], [0, 0], f).fit()
    with pytest.raises(fn.InvalidArgumentError, match="row 'a' of the generator"):
        fn.ContinuousChain([[-1, 0.5], [0, 0]], states=["a", "won"])
    with pytest.raises(fn.InvalidArgumentError, match="horizon"):
        fn.ContinuousChain([[-1, 1], [0, 0]], states=["a", "won"]).transition_matrix(-2)
    with pytest.raises(fn.InvalidArgumentError, match=r"\(0, 1\)"):
        fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["a", "won"]).time_to_close(quantiles=[1.5])


# ---------------------------------------------------------------- higher-order chains

def _simulate_paths(seed: int, n: int, length: int, second: bool) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    p1 = np.array([[0.2, 0.5, 0.3], [0.4, 0.2, 0.4], [0.3, 0.3, 0.4]])
    out = []
    for _ in range(n):
        s = list(rng.integers(0, 3, size=2))
        while len(s) < length:
            if second and rng.random() < 0.8:
                s.append(s[-2])
            else:
                s.append(int(rng.choice(3, p=p1[s[-1]])))
        out.append([["a", "b", "c"][i] for i in s])
    return out


def test_higher_order_counts_and_order_selection():
    from collections import Counter

    paths = _simulate_paths(1, 300, 12, second=True)
    f = fn.Funnel(["a", "b", "c"])
    ho = fn.HigherOrderChain(order=2).fit(paths, funnel=f)
    brute = Counter((">".join(p[t - 2:t]), p[t]) for p in paths for t in range(2, len(p)))
    counts = ho.counts_frame()
    for (h, nxt), c in brute.items():
        assert counts.loc[h, nxt] == c
    assert counts.to_numpy().sum() == sum(brute.values())
    train, test = paths[:200], paths[200:]
    sel = fn.select_order(train, max_order=3, test=test, funnel=f)
    assert sel["bic"].idxmin() == 2
    assert sel["heldout_log_likelihood"].idxmax() >= 2
    first = _simulate_paths(2, 300, 12, second=False)
    assert fn.select_order(first, max_order=3, funnel=f)["bic"].idxmin() == 1
    # Held-out log-likelihood by hand for order 1 with smoothing 0.5 on positions >= 3.
    ho1 = fn.HigherOrderChain(order=1, smoothing=0.5).fit(train, funnel=f)
    probs = ho1.to_frame()
    manual = sum(np.log(probs.loc[p[t - 1], p[t]]) for p in test for t in range(1, len(p)))
    assert ho1.log_likelihood(test) == pytest.approx(manual, rel=1e-12)
    with pytest.raises(fn.InvalidArgumentError, match="order must be in"):
        fn.HigherOrderChain(order=0).fit(paths, funnel=f)
    with pytest.raises(fn.EmptyInputError, match="history of 3"):
        fn.HigherOrderChain(order=3).fit([["a", "b"]], funnel=f)


def test_continuous_posterior_is_gamma_ratio():
    f = fn.Funnel(["s"], outcomes=["won", "lost"])
    e = fn.ExposureCounts.from_arrays([[0, 30, 20], [0, 0, 0], [0, 0, 0]], [400, 0, 0], f)
    fig = e.posterior_figures(prior_shape=0.5, level=0.9, draws=20000, seed=3)
    b = scipy.stats.beta(30.5, 20.5)  # q_w / (q_w + q_l) for independent Gamma rates
    assert fig.loc["s", "P(won) lower"] == pytest.approx(b.ppf(0.05), abs=0.005)
    assert fig.loc["s", "P(won) upper"] == pytest.approx(b.ppf(0.95), abs=0.005)
    ig = scipy.stats.invgamma(51, scale=400)  # 1 / (q_w + q_l)
    assert fig.loc["s", "time"] == pytest.approx(ig.mean(), rel=0.01)
    assert fig.loc["s", "time lower"] == pytest.approx(ig.ppf(0.05), rel=0.01)
    assert fig.loc["s", "time upper"] == pytest.approx(ig.ppf(0.95), rel=0.01)
    with pytest.raises(fn.InvalidArgumentError, match="level"):
        e.posterior_figures(level=1.0)
