"""Issue 11, "the first hour": contracts that agreed with each other only by accident.

One rule for every event-log reader (any row order; events at or before the cut-off
are observed), what one function returns the next takes as it is (journeys -> markov),
messages in the user's terms (ids, readable times, typed errors), and parity items
(networkx's PageRank ``alpha``, integer degrees, lifetimes' calibration end).  Oracles:
brute force written here, numpy/scipy linear algebra, networkx and lifetimes.
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.linalg

import funnelnet as fn

# ------------------------------------------------------------------ event-log contracts

EVENTS = pd.DataFrame({
    "lead": ["IOMVIZR8", "IOMVIZR8", "IOMVIZR8", "QX71", "QX71", "ZZ02"],
    "stage": ["new", "qualified", "won", "new", "qualified", "new"],
    "time": pd.to_datetime(["2017-09-01", "2017-09-04", "2017-09-09", "2017-09-02", "2017-09-03", "2017-09-05"]),
})
FUNNEL = fn.Funnel(["new", "qualified"], outcomes=["won", "lost"])
KW = dict(lead="lead", stage="stage", time="time", funnel=FUNNEL)


def _shuffled(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _brute_days(df: pd.DataFrame, cutoff: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Daily counts and exposure (days) by walking each lead's sorted events."""
    states = FUNNEL.states
    n = len(states)
    counts, stays, exposure = np.zeros((n, n)), np.zeros((n, n)), np.zeros(n)
    for _, g in df.sort_values("time").groupby("lead"):
        idx = [states.index(s) for s in g["stage"]]
        days = [(t - pd.Timestamp("2017-09-01")).days for t in g["time"]]
        for (a, da), (b, db) in zip(zip(idx, days), zip(idx[1:], days[1:])):
            counts[a, b] += 1
            stays[a, a] += db - da - 1
            exposure[a] += db - da
        last, dl = idx[-1], days[-1]
        if states[last] not in ("won", "lost"):
            end = (cutoff - pd.Timestamp("2017-09-01")).days
            stays[last, last] += end - dl - 1  # censored: stays in the periods up to the cut-off, no exit
            exposure[last] += end - dl
    return counts + stays, exposure


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_event_log_reader_takes_any_row_order(seed):
    shuffled = _shuffled(EVENTS, seed)
    assert not shuffled["time"].is_monotonic_increasing or seed  # a real shuffle for at least one seed
    cutoff = pd.Timestamp("2017-09-12")
    periods, exposure = _brute_days(EVENTS, cutoff)
    got = fn.TransitionCounts.from_periods(shuffled, period="day", origin="2017-09-01", cutoff=cutoff, **KW)
    np.testing.assert_array_equal(got.to_numpy(), periods)
    exp = fn.ExposureCounts.from_events(shuffled, cutoff=cutoff, time_unit="D", **KW)
    np.testing.assert_allclose(exp.exposure.to_numpy(), exposure)
    ev = fn.TransitionCounts.from_events(shuffled, **KW).to_numpy()
    assert ev[0, 1] == 2 and ev[1, 2] == 1 and ev.sum() == 3  # new->qualified twice, qualified->won once


def test_one_cutoff_rule_last_event_is_observed_everywhere():
    last = EVENTS["time"].max()  # 2017-09-09, IOMVIZR8 wins
    periods = fn.TransitionCounts.from_periods(EVENTS, period="day", origin="2017-09-01",
                                               cutoff=last + pd.Timedelta(days=1), **KW)
    at_last = fn.TransitionCounts.from_periods(EVENTS, period="day", origin="2017-09-01", cutoff=last, **KW)
    # the cut-off equal to the last event is accepted; the grid ends one day earlier
    assert at_last.to_numpy()[1, 2] == periods.to_numpy()[1, 2] == 1
    assert fn.ExposureCounts.from_events(EVENTS, cutoff=last, **KW).to_frame().to_numpy().sum() == 3
    early = last - pd.Timedelta(days=1)
    for call in (lambda: fn.TransitionCounts.from_periods(EVENTS, period="day", origin="2017-09-01",
                                                          cutoff=early, **KW),
                 lambda: fn.ExposureCounts.from_events(EVENTS, cutoff=early, **KW)):
        with pytest.raises(fn.InvalidArgumentError) as e:
            call()
        msg = str(e.value)
        assert "lead 'IOMVIZR8'" in msg and "2017-09-09" in msg and "2017-09-08" in msg, msg
        assert "lead 0" not in msg and "1504" not in msg, msg


def test_messages_name_the_users_lead_and_a_readable_time():
    bad = pd.DataFrame({"lead": ["IOMVIZR8", "IOMVIZR8"], "stage": ["won", "new"],
                        "time": pd.to_datetime(["2017-09-01", "2017-09-02"])})
    for call in (lambda: fn.TransitionCounts.from_events(bad, **KW),
                 lambda: fn.TransitionCounts.from_periods(bad, period="day", **KW),
                 lambda: fn.ExposureCounts.from_events(bad, **KW)):
        with pytest.raises(fn.InvalidArgumentError, match="IOMVIZR8") as e:
            call()
        assert "lead 0" not in str(e.value)


def test_yyyymmdd_integers_are_detected_not_read_as_periods(shared_data):
    # customers/CDNOW_master.txt: dates are YYYYMMDD integers
    raw = pd.read_csv(shared_data / "customers" / "CDNOW_master.txt", sep=r"\s+")
    assert raw["date"].dtype.kind == "i"
    with pytest.raises(fn.InputTypeError, match=r"YYYYMMDD.*19970101 to 19980630.*format='%Y%m%d'"):
        fn.customers.summary_from_transactions(raw, customer="customer_id", time="date")
    log = pd.DataFrame({"lead": ["a", "a"], "stage": ["new", "won"], "time": [19970101, 19970201]})
    with pytest.raises(fn.InputTypeError, match="YYYYMMDD"):
        fn.TransitionCounts.from_periods(log, period=1, **KW)
    with pytest.raises(fn.InputTypeError, match="YYYYMMDD"):
        fn.ExposureCounts.from_events(log, **KW)
    # ordinary day numbers are not mistaken for dates
    ok = log.assign(time=[0, 31])
    assert fn.TransitionCounts.from_periods(ok, period=1, **KW).to_numpy()[0, 0] == 30


# ------------------------------------------------------------------ journeys -> markov

def _removal_effects(paths: list[tuple[list[str], int]]) -> tuple[pd.Series, float]:
    """First-order removal effects by a dense absorbing-chain solve (the definition)."""
    chans = sorted({c for p, _ in paths for c in p})
    states = ["start"] + chans + ["conv", "null"]
    ix = {s: i for i, s in enumerate(states)}
    n = len(states)
    C = np.zeros((n, n))
    for p, conv in paths:
        seq = ["start"] + p + ["conv" if conv else "null"]
        for a, b in zip(seq, seq[1:]):
            C[ix[a], ix[b]] += 1
    P = C / np.maximum(C.sum(1, keepdims=True), 1)
    P[ix["conv"], ix["conv"]] = P[ix["null"], ix["null"]] = 1

    def p_conv(M):
        t = list(range(n - 2))
        Q, R = M[np.ix_(t, t)], M[np.ix_(t, [n - 2])]
        return float(np.linalg.solve(np.eye(len(t)) - Q, R)[0, 0])

    base = p_conv(P)
    out = {}
    for c in chans:
        M = P.copy()
        M[:, ix["null"]] += M[:, ix[c]]
        M[:, ix[c]] = 0
        M[ix[c], :] = 0
        M[ix[c], ix["null"]] = 1
        out[c] = 1 - p_conv(M) / base
    return pd.Series(out), base


def test_markov_takes_the_journeys_table_as_it_is():
    ev = pd.DataFrame({
        "customer": ["c1", "c1", "c2", "c2", "c3", "c4", "c4", "c5"],
        "time": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03", "2024-01-02",
                                "2024-01-01", "2024-01-05", "2024-01-04"]),
        "channel": ["email", "search", "email", "social", "search", "social", "email", "email"],
        "converted": [0, 1, 0, 0, 1, 0, 1, 0],
    })
    j = fn.attribution.journeys(ev, customer="customer", time="time", channel="channel", converted="converted")
    assert {"conversions", "nulls"} <= set(j.columns)
    paths = [([c.strip() for c in p.split(">")], int(n)) for p, n in zip(j["path"], j["conversions"])]
    effects, base = _removal_effects(paths)
    for got in (fn.attribution.markov(j), fn.attribution.markov(j, conversions="conversions")):
        np.testing.assert_allclose(got["removal_effect"].reindex(effects.index).to_numpy(), effects.to_numpy(),
                                   atol=1e-12)
        assert got.attrs["conversion_probability"] == pytest.approx(base)
    # 2 of 5 journeys do not convert: P(conversion) is not 1
    assert base < 1


# ------------------------------------------------------------------ typed errors, arrays

def test_grading_a_non_numeric_criterion_is_a_typed_error_naming_it():
    df = pd.DataFrame({"credit": [9, 5, 1], "region": ["north", "south", "east"]}, index=["acme", "bolt", "core"])
    with pytest.raises(fn.InputTypeError, match=r"criterion 'region': row 'acme' is 'north', not a number"):
        fn.customers.grade(df, criteria=["credit", "region"], thresholds=[1, 0.5])
    with pytest.raises(fn.InputTypeError, match=r"criterion 'credit': the weight must be a number, got 'high'"):
        fn.customers.grade(df, criteria={"credit": "high"}, thresholds=[1, 0.5])


def test_close_time_cdf_takes_a_list_of_horizons():
    f = dict(states=["a", "b", "won", "lost"], absorbing=["won", "lost"])
    Q = np.array([[-0.5, 0.3, 0.1, 0.1], [0, -0.2, 0.15, 0.05], [0, 0, 0, 0], [0, 0, 0, 0]])
    ch = fn.ContinuousChain(Q, **f)
    got = ch.close_time_cdf([30, 60])
    assert list(got.columns) == ["30", "60"] and list(got.index) == ["a", "b"]
    for t in (30, 60):
        expm = scipy.linalg.expm(Q * t)  # P(absorbed by t) = mass on won + lost
        np.testing.assert_allclose(got[str(t)].to_numpy(), expm[:2, 2:].sum(1), rtol=1e-9)
    assert ch.close_time_cdf(30).to_numpy() == pytest.approx(got["30"].to_numpy())
    P = np.array([[0.5, 0.3, 0.1, 0.1], [0, 0.6, 0.3, 0.1], [0, 0, 1, 0], [0, 0, 0, 1]])
    mc = fn.MarkovChain(P, **f)
    steps = mc.close_time_cdf([1, 4])
    for k in (1, 4):
        np.testing.assert_allclose(steps[k].to_numpy(), np.linalg.matrix_power(P, k)[:2, 2:].sum(1), rtol=1e-12)
    with pytest.raises(fn.InputTypeError, match="t must be a number"):
        ch.close_time_cdf("soon")
    with pytest.raises(fn.InvalidArgumentError, match="whole number, got 1.5"):
        mc.close_time_cdf([1, 1.5])


# ------------------------------------------------------------------ customers

def test_tier_migration_without_a_lost_tier_and_flag_idle_kinds():
    snaps = pd.DataFrame({"customer": [1, 1, 2, 2, 3, 3], "period": [1, 2, 1, 2, 1, 2],
                          "tier": ["A", "B", "B", "B", "B", "A"]})
    tm = fn.customers.TierMigration().fit(snaps)
    assert tm.lost_ == []
    # counts A->B 1, B->B 1, B->A 1: P(B->A) = 1/2, no churn without a churn tier
    assert tm.matrix().loc["B", "A"] == pytest.approx(0.5)
    assert (tm.rates()["churn"] == 0).all()
    with_lost = snaps.assign(tier=["A", "lost", "B", "B", "B", "A"])
    tl = fn.customers.TierMigration(tiers=["A", "B", "lost"]).fit(with_lost)
    assert tl.lost_ == ["lost"] and tl.rates().loc["A", "churn"] == pytest.approx(1.0)
    with pytest.raises(fn.UnknownLabelError, match="'gone'"):
        fn.customers.TierMigration(lost=["gone"]).fit(snaps)
    orders = pd.DataFrame({"customer": [1], "period": pd.to_datetime(["2024-01-05"])})
    with pytest.raises(fn.InputTypeError, match="same numbering"):
        tm.flag_idle(orders, 1)


def test_tier_messages_name_the_customer_and_months():
    snaps = pd.DataFrame({"customer": ["IOMVIZR8", "IOMVIZR8"], "period": pd.to_datetime(["2023-12-01", "2024-02-01"]),
                          "tier": ["A", "B"]})
    with pytest.raises(fn.InvalidArgumentError,
                       match=r"customer 'IOMVIZR8' has no snapshot between periods 2023-12 and 2024-02 \(rows 0 and 1\)"):
        fn.customers.TierMigration().fit(snaps)


def test_calibration_end_cuts_as_lifetimes(shared_data):
    import lifetimes

    # customers/CDNOW_master.txt
    df = pd.read_csv(shared_data / "customers" / "CDNOW_master.txt", sep=r"\s+")
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    ours = fn.customers.summary_from_transactions(df, customer="customer_id", time="date",
                                                  calibration_end="1997-09-30")
    ref = lifetimes.utils.summary_data_from_transaction_data(df, "customer_id", "date",
                                                             observation_period_end="1997-09-30").sort_index()
    assert list(ours.index) == list(ref.index)
    for c in ("frequency", "recency", "T"):
        np.testing.assert_allclose(ours[c].to_numpy(), ref[c].to_numpy(), err_msg=c)
    with pytest.raises(fn.InvalidArgumentError, match="after the end of observation"):
        fn.customers.summary_from_transactions(df, customer="customer_id", time="date",
                                               calibration_end="1997-09-30", future="error")


def test_summary_errors_name_the_customer_and_the_date():
    tx = pd.DataFrame({"c": ["acme", "bolt"], "d": pd.to_datetime(["2024-01-01", "2024-05-01"])})
    with pytest.raises(fn.InvalidArgumentError) as e:
        fn.customers.summary_from_transactions(tx, customer="c", time="d", calibration_end="2024-03-01",
                                               future="error")
    msg = str(e.value)
    assert "row 1 (customer 'bolt') is period 2024-05-01" in msg and "end of observation 2024-03-01" in msg, msg


def test_gamma_gamma_errors_name_the_customer():
    x = pd.Series([2.0, 3.0, 1.0], index=pd.Index(["acme", "bolt", "core"], name="customer"))
    m = pd.Series([10.0, -4.0, 8.0], index=x.index)
    with pytest.raises(fn.InvalidArgumentError, match=r"row 1 \(customer 'bolt'\)"):
        fn.customers.GammaGamma().fit(x, m)
    with pytest.raises(fn.InvalidArgumentError, match=r"row 1 \(customer 'bolt'\)"):
        fn.customers.GammaGamma.from_params(6.25, 3.74, 15.44).conditional_expected_average_profit(x, m)


# ------------------------------------------------------------------ segments

def _segment_log() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for lead in range(120):
        source, region = ["referral", "cold"][lead % 2], ["EMEA", "US"][(lead // 2) % 2]
        p_won = {"referral": 0.7, "cold": 0.3}[source] + (0.1 if region == "US" else 0.0)
        rows.append((lead, 0, "new", source, region))
        if lead >= 116:  # still open: only the first event
            continue
        rows.append((lead, 1, "won" if rng.random() < p_won else "lost", source, region))
    return pd.DataFrame(rows, columns=["lead", "t", "stage", "source", "region"])


SEG_FUNNEL = fn.Funnel(["new"], outcomes=["won", "lost"])


def test_segments_by_several_columns_settable_shrinkage_and_open_only_segments():
    log = _segment_log()
    kw = dict(lead="lead", stage="stage", time="t", funnel=SEG_FUNNEL)
    seg = fn.SegmentedFunnel.from_events(log, segment=["source", "region"], **kw)
    assert sorted(seg.segments) == ["cold / EMEA", "cold / US", "referral / EMEA", "referral / US"]
    own = {}
    for name in seg.segments:
        s, r = name.split(" / ")
        part = log[(log["source"] == s) & (log["region"] == r)]
        own[name] = fn.TransitionCounts.from_events(part, **kw).to_numpy()
    pooled = sum(own.values())
    p = pooled[0] / pooled[0].sum()
    # concentration=0: each segment's own MLE; a cap: (c + cap p) / (n + cap), the closed form
    free = fn.SegmentedFunnel.from_events(log, segment=["source", "region"], concentration=0.0, **kw)
    capped = fn.SegmentedFunnel.from_events(log, segment=["source", "region"], max_concentration=2.0, **kw)
    assert capped.concentration()["new"] == pytest.approx(min(2.0, seg.concentration()["new"]))
    for name, c in own.items():
        np.testing.assert_allclose(free.chains[name].to_numpy()[0], c[0] / c[0].sum(), atol=1e-12)
        a = capped.concentration()["new"]
        np.testing.assert_allclose(capped.chains[name].to_numpy()[0], (c[0] + a * p) / (c[0].sum() + a), atol=1e-12)
    # a segment whose leads are all open has no transitions: it gets the pooled chain
    log2 = log.assign(source=np.where(log["lead"] >= 116, "partner", log["source"]))
    seg2 = fn.SegmentedFunnel.from_events(log2, segment="source", **kw)
    np.testing.assert_allclose(seg2.chains["partner"].to_numpy(), seg2.pooled.to_numpy())


def test_segments_time_to_close_and_long_output():
    log = _segment_log()
    seg = fn.SegmentedFunnel.from_events(log, segment="source", lead="lead", stage="stage", time="t",
                                         funnel=SEG_FUNNEL)
    ttc = seg.time_to_close()
    for name, chain in {**seg.chains, "pooled": seg.pooled}.items():
        P = chain.to_numpy()
        mean = np.linalg.solve(np.eye(1) - P[:1, :1], np.ones(1))  # fundamental matrix N 1
        assert ttc[(name, "mean")]["new"] == pytest.approx(mean[0])
    tidy = seg.time_to_close(long=True)
    assert tidy.loc[("cold", "new"), "mean"] == ttc[("cold", "mean")]["new"]
    wide = seg.win_probabilities("won")
    long = seg.win_probabilities("won", long=True)
    assert list(long.columns) == ["segment", "stage", "probability"] and len(long) == wide.size
    for row in long.itertuples():
        assert row.probability == wide.loc[row.stage, row.segment]


# ------------------------------------------------------------------ graph

def test_katz_divergence_gives_the_alpha_bound():
    G = nx.gnp_random_graph(60, 0.3, seed=1)  # lambda_max about 18: the default alpha 0.1 diverges
    g = fn.ReferralGraph.from_networkx(G, weight=None)
    lam = max(np.linalg.eigvalsh(nx.to_numpy_array(G, nodelist=list(g.nodes), weight=None)))
    assert lam > 10
    with pytest.raises(fn.ConvergenceError, match="use alpha <") as e:
        g.katz()
    bound = float(str(e.value).split("use alpha < ")[1].split()[0])
    assert bound == pytest.approx(1 / lam, rel=1e-8)
    ours = g.katz(alpha=0.9 * bound, tol=1e-14, max_iter=100000)
    ref = nx.katz_centrality_numpy(G, alpha=0.9 * bound, weight=None)
    np.testing.assert_allclose(ours.to_numpy(), [ref[n] for n in g.nodes], atol=1e-8)


def test_edge_list_header_line_is_detected(shared_data):
    path = shared_data / "graphs" / "ca-GrQc" / "CA-GrQc.txt"
    with pytest.raises(fn.FormatError, match=r"'5242 28980' looks like a header.*header_lines=1"):
        fn.ReferralGraph.read_edge_list(path)
    g = fn.ReferralGraph.read_edge_list(path, header_lines=1)
    assert g.number_of_nodes == 5242


def test_pagerank_alpha_alias_and_integer_degrees():
    G = nx.gnp_random_graph(40, 0.1, seed=3, directed=True)
    g = fn.ReferralGraph.from_networkx(G, weight=None)
    ref = nx.pagerank(G, alpha=0.7, tol=1e-13)
    got = g.pagerank(alpha=0.7)
    np.testing.assert_allclose(got.to_numpy(), [ref[n] for n in g.nodes], atol=1e-9)
    assert got.equals(g.pagerank(damping=0.7))
    with pytest.raises(fn.InvalidArgumentError, match="same parameter"):
        g.pagerank(damping=0.5, alpha=0.7)
    deg = g.degree()
    assert deg.dtype == np.int64
    assert deg.to_dict() == dict(G.out_degree())
    assert g.degree(weighted=True).dtype == np.float64
