"""fn.attribution against independent oracles: the issue's worked cases, a brute force
written here (count k-gram transitions with dicts, then one dense numpy solve per
removal), ChannelAttribution (PyPI, test oracle only) for heuristics and for Markov
removal effects at a large simulation count, the closed form P(conversion) =
conversions / journeys of a first-order chain, and two real journey data sets."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

import ChannelAttribution as CA  # noqa: E402  (test oracle: tests/requirements/attribution.txt)


# ---------------------------------------------------------------- brute force (numpy)
def brute_force(paths: list[list[str]], conv, nulls, values=None, order=1, collapse=True, removed=None, seq=None):
    """(P(conversion), E[value]) from (start), with every state containing a removed
    channel (or the consecutive sequence `seq`) absorbing into null: a dense solve."""
    values = np.zeros(len(paths)) if values is None else np.asarray(values, float)
    trans: dict = {}
    exits: dict = {}
    for p, c, u, v in zip(paths, conv, nulls, values):
        if c + u == 0:
            continue
        if collapse:
            p = [x for i, x in enumerate(p) if i == 0 or p[i - 1] != x]
        prev, window = (), []
        for x in p:
            window = (window + [x])[-order:]
            s = tuple(window)
            trans[(prev, s)] = trans.get((prev, s), 0) + c + u
            prev = s
        e = exits.setdefault(prev, [0.0, 0.0, 0.0])
        e[0] += c
        e[1] += u
        e[2] += v
    states = sorted({a for a, _ in trans} | {b for _, b in trans})
    idx = {s: i for i, s in enumerate(states)}
    n = len(states)
    out = np.zeros(n)
    for (a, b), w in trans.items():
        out[idx[a]] += w
    for s, e in exits.items():
        out[idx[s]] += e[0] + e[1]

    def gone(s):
        if s == ():
            return False
        if removed is not None and removed in s:
            return True
        if seq is not None:
            k = len(seq)
            return any(tuple(s[i:i + k]) == tuple(seq) for i in range(len(s) - k + 1))
        return False

    a = np.eye(n)
    b = np.zeros((n, 2))
    for (x, y), w in trans.items():
        if not gone(x) and not gone(y):
            a[idx[x], idx[y]] -= w / out[idx[x]]
    for s, e in exits.items():
        if not gone(s):
            b[idx[s]] = [e[0] / out[idx[s]], e[2] / out[idx[s]]]
    x = np.linalg.solve(a, b)
    return x[idx[()]]


def random_paths(seed, n=80, channels="abcde", max_len=6):
    rng = np.random.default_rng(seed)
    ch = list(channels)
    paths = [list(rng.choice(ch, rng.integers(1, max_len + 1))) for _ in range(n)]
    conv = rng.integers(0, 3, n)
    conv[0] = 1
    nulls = rng.integers(0, 4, n)
    value = conv * rng.uniform(1, 20, n)
    df = pd.DataFrame({"path": [" > ".join(p) for p in paths], "conv": conv, "null": nulls, "value": value})
    return paths, df


# ---------------------------------------------------------------- the issue's cases
def test_issue_case_repeats_collapsed():
    df = pd.DataFrame({"path": ["A>B>A>B>B>A", "A>B>B>A>A", "A>A"], "conv": [1, 1, 1]})
    r = fn.attribution.markov(df, path="path", conversions="conv")
    assert r["removal_effect"].to_dict() == pytest.approx({"A": 1.0, "B": 0.5}, abs=1e-12)
    assert r["conversions"].to_dict() == pytest.approx({"A": 2.0, "B": 1.0}, abs=1e-12)


def test_issue_case_with_nulls():
    df = pd.DataFrame({"path": ["c1>c2>c3", "c1", "c2>c3"], "conv": [1, 0, 0], "null": [0, 1, 1]})
    r = fn.attribution.markov(df, path="path", conversions="conv", nulls="null")
    assert r["removal_effect"].tolist() == pytest.approx([0.5, 1, 1], abs=1e-12)
    assert r["conversions"].tolist() == pytest.approx([0.2, 0.4, 0.4], abs=1e-12)
    assert r.attrs["conversion_probability"] == pytest.approx(1 / 3)


# ---------------------------------------------------------------- brute force
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("repeats", ["collapse", "keep"])
def test_random_paths_match_dense_numpy_solve(seed, order, repeats):
    paths, df = random_paths(seed)
    r = fn.attribution.markov(df, path="path", conversions="conv", nulls="null", value="value", order=order,
                              repeats=repeats, threads=1 + seed % 2)
    p0, v0 = brute_force(paths, df.conv, df.null, df.value, order, repeats == "collapse")
    assert r.attrs["conversion_probability"] == pytest.approx(p0, abs=1e-12)
    for c in r.index:
        p, v = brute_force(paths, df.conv, df.null, df.value, order, repeats == "collapse", removed=c)
        assert r.loc[c, "removal_effect"] == pytest.approx(1 - p / p0, abs=1e-10)
        assert r.loc[c, "value_removal_effect"] == pytest.approx(1 - v / v0, abs=1e-10)
    re = r["removal_effect"]
    assert r["conversions"].to_numpy() == pytest.approx((df.conv.sum() * re / re.sum()).to_numpy())
    if order == 1:  # closed form of a first-order chain fitted to the paths
        assert p0 == pytest.approx(df.conv.sum() / (df.conv.sum() + df.null.sum()))


def test_sequence_removal_effects_match_brute_force():
    paths, df = random_paths(7, channels="abcd")
    m = fn.attribution.MarkovAttribution(order=2).fit(df, path="path", conversions="conv", nulls="null")
    s = m.sequences(["a > b", ["c", "a"], "d"])
    p0, _ = brute_force(paths, df.conv, df.null, order=2)
    for label, seq in [("a > b", ("a", "b")), ("c > a", ("c", "a")), ("d", ("d",))]:
        p, _ = brute_force(paths, df.conv, df.null, order=2, seq=seq)
        assert s.loc[label, "removal_effect"] == pytest.approx(1 - p / p0, abs=1e-10)
    assert s.loc["d", "removal_effect"] == pytest.approx(m.channels().loc["d", "removal_effect"], abs=1e-14)
    with pytest.raises(fn.InvalidArgumentError, match="at most 2"):
        m.sequences(["a > b > c"])
    with pytest.raises(fn.UnknownLabelError, match="unknown channel 'zz'"):
        m.sequences(["a > zz"])


def test_per_journey_attribution_splits_each_journey_by_removal_effects():
    paths, df = random_paths(4)
    m = fn.attribution.MarkovAttribution().fit(df, path="path", conversions="conv", nulls="null", value="value")
    j = m.journeys()
    re = m.channels()["removal_effect"]
    assert j.groupby("journey")["share"].sum().to_numpy() == pytest.approx(1.0)
    for row in [0, 5, 11]:
        chans = sorted(set(paths[row]))
        got = j[j.journey == row].set_index("channel")
        expect = re[chans] / re[chans].sum() * df.conv[row]
        assert got["conversions"].to_dict() == pytest.approx(expect.to_dict(), abs=1e-12)
        assert got["value"].sum() == pytest.approx(df.value[row])
    assert j["conversions"].sum() == pytest.approx(df.conv.sum())


def test_simulation_interval_covers_exact_and_ignores_threads():
    _, df = random_paths(5)
    m = fn.attribution.MarkovAttribution().fit(df, path="path", conversions="conv", nulls="null")
    a = m.simulate(200_000, seed=3, threads=1)
    b = m.simulate(200_000, seed=3, threads=2)
    assert a["removal_effect"].tolist() == b["removal_effect"].tolist()
    half = (a["upper"] - a["lower"]) / 2
    assert ((a["removal_effect"] - a["exact"]).abs() <= 2.5 * half + 1e-12).all()


# ---------------------------------------------------------------- ChannelAttribution as oracle
def _ca_paths(seed=0, n=300):
    rng = np.random.default_rng(seed)
    ch = list("abcdef")
    paths = [" > ".join(rng.choice(ch, rng.integers(1, 5), p=[.3, .25, .2, .15, .07, .03])) for _ in range(n)]
    return pd.DataFrame({"path": paths, "conv": rng.integers(0, 3, n), "null": rng.integers(0, 4, n)})


def test_channelattribution_converges_to_the_exact_removal_effects():
    df = _ca_paths()
    exact = fn.attribution.markov(df, path="path", conversions="conv", nulls="null")
    # ChannelAttribution cuts simulated journeys at max_step, by default the longest
    # observed path (4 here), which biases every effect low by 2-7%; with room to finish
    # (max_step=100) and 2e6 simulated journeys it lands within ~0.005 of the exact values.
    ca = CA.markov_model(df, "path", "conv", var_null="null", nsim_start=2e6, max_step=100, out_more=True,
                         verbose=False, flg_pro=False)
    ca_re = ca["removal_effects"].set_index("channel_name")["removal_effect"]
    assert (ca_re[exact.index] - exact["removal_effect"]).abs().max() < 0.006
    ca_conv = ca["result"].set_index("channel_name")["total_conversions"]
    assert (ca_conv[exact.index] - exact["conversions"]).abs().max() < 0.02 * df.conv.sum() / len(exact)


def test_heuristics_match_channelattribution():
    rng = np.random.default_rng(2)
    df = _ca_paths(2, 200)
    df["value"] = df.conv * rng.uniform(1, 9, len(df))
    ours = fn.attribution.heuristic(df, path="path", conversions="conv", value="value")
    ca = CA.heuristic_models(df, "path", "conv", var_value="value", flg_pro=False).set_index("channel_name")
    for a, b in [("first_touch", "first_touch_conversions"), ("last_touch", "last_touch_conversions"),
                 ("linear", "linear_touch_conversions"), ("first_touch_value", "first_touch_value"),
                 ("linear_value", "linear_touch_value")]:
        assert ours[a].to_numpy() == pytest.approx(ca.loc[ours.index, b].to_numpy(), abs=1e-9), a


def test_heuristic_time_decay_and_position_by_hand():
    df = pd.DataFrame({"path": ["a > b > c", "c > a"], "total_conversions": [1, 2]})
    r = fn.attribution.heuristic(df, half_life=2.0, first_weight=0.3, last_weight=0.5)
    w = 2.0 ** (-np.array([2, 1, 0]) / 2.0)
    assert r.loc["a", "time_decay"] == pytest.approx(w[0] / w.sum() + 2 * 1 / (1 + 2 ** -0.5))
    assert r.loc["b", "position_based"] == pytest.approx(0.2)
    assert r.loc["a", "position_based"] == pytest.approx(0.3 + 2 * 0.5 / 0.8)


# ---------------------------------------------------------------- real journeys
def _si05(shared_data):
    # ../shared/data/journeys/Si05_attribution_data.csv (event log, not time-sorted)
    return pd.read_csv(shared_data / "journeys" / "Si05_attribution_data.csv")


def test_si05_event_log(shared_data):
    log = _si05(shared_data)
    kw = dict(customer="customer_id", time="time", channel="channel", converted="conversion")
    jr = fn.attribution.journeys(log, value="conversion_value", **kw)
    assert jr["conversions"].sum() == 1838 == log.conversion.sum()
    assert jr["value"].sum() == pytest.approx(log.conversion_value.sum())
    # Every event lands in exactly one journey; independent check with pandas.
    assert jr["path"].str.count(">").add(1).sum() == len(log)
    m = fn.attribution.MarkovAttribution().fit_events(log, value="conversion_value", **kw)
    r = m.channels()
    paths = [p.split(" > ") for p in jr["path"]]
    p0, v0 = brute_force(paths, jr.conversions, jr.nulls, jr.value)
    assert m.conversion_probability_ == m.conversion_probability == pytest.approx(1838 / len(jr))
    for c in r.index:
        p, v = brute_force(paths, jr.conversions, jr.nulls, jr.value, removed=c)
        assert r.loc[c, "removal_effect"] == pytest.approx(1 - p / p0, abs=1e-10)
        assert r.loc[c, "value_removal_effect"] == pytest.approx(1 - v / v0, abs=1e-10)
    # The same through the path table and the event-log shortcut.
    via_table = fn.attribution.markov(jr, path="path", conversions="conversions", nulls="nulls", value="value")
    assert via_table.loc[r.index, "removal_effect"].to_numpy() == pytest.approx(r["removal_effect"].to_numpy(), abs=1e-13)
    short = fn.attribution.markov_events(log, **kw)
    assert short.loc[r.index, "removal_effect"].to_numpy() == pytest.approx(r["removal_effect"].to_numpy(), abs=1e-13)
    j = m.journeys()
    assert set(j["customer"].unique()) <= set(log.customer_id.unique())
    assert j["conversions"].sum() == pytest.approx(1838)


def test_si05_time_decay_uses_event_times(shared_data):
    log = _si05(shared_data).head(3000)
    kw = dict(customer="customer_id", time="time", channel="channel", converted="conversion")
    jr = fn.attribution.journeys(log, **kw)
    h = fn.attribution.heuristic_events(log, half_life="7D", **kw)
    # Oracle: weights 2^(-(conversion time - touch time) / 7 days) computed with pandas.
    d = log.assign(t=pd.to_datetime(log.time, utc=True)).sort_values(["customer_id", "t"], kind="stable")
    d["journey"] = d.groupby("customer_id")["conversion"].transform(lambda s: s.shift(fill_value=0).cumsum())
    d["end"] = d.groupby(["customer_id", "journey"])["t"].transform("max")
    d["conv"] = d.groupby(["customer_id", "journey"])["conversion"].transform("max")
    d = d[d.conv == 1]
    d["w"] = 2.0 ** (-(d.end - d.t).dt.total_seconds() / (7 * 86400))
    d["w"] /= d.groupby(["customer_id", "journey"])["w"].transform("sum")
    expect = d.groupby("channel")["w"].sum()
    assert h["time_decay"].to_dict() == pytest.approx(expect.reindex(h.index, fill_value=0).to_dict(), abs=1e-9)
    assert h["time_decay"].sum() == pytest.approx(jr.conversions.sum())


def test_jakebenn_wide_journeys(shared_data):
    # ../shared/data/journeys/jakebenn_channel_attribution.csv: touch k in column k,
    # channels 1..20, 21 = conversion; converting journeys only (no nulls).
    wide = pd.read_csv(shared_data / "journeys" / "jakebenn_channel_attribution.csv")
    long = wide.reset_index().melt(id_vars="index", var_name="pos", value_name="ch").dropna()
    long = long[long.ch != 21]
    long["pos"] = long["pos"].map({c: i for i, c in enumerate(wide.columns)})
    long = long.sort_values(["index", "pos"])
    table = long.groupby("index")["ch"].agg(lambda s: " > ".join(str(int(x)) for x in s)).reset_index(name="path")
    table["conv"] = 1
    r = fn.attribution.markov(table, path="path", conversions="conv")
    paths = [p.split(" > ") for p in table.path]
    p0, _ = brute_force(paths, table.conv, np.zeros(len(table)))
    assert p0 == pytest.approx(1.0) == r.attrs["conversion_probability"]
    for c in r.index[:6]:
        p, _ = brute_force(paths, table.conv, np.zeros(len(table)), removed=c)
        assert r.loc[c, "removal_effect"] == pytest.approx(1 - p, abs=1e-10)
    assert r["conversions"].sum() == pytest.approx(len(table))
    h = fn.attribution.heuristic(table, path="path", conversions="conv")
    ca = CA.heuristic_models(table, "path", "conv", flg_pro=False).set_index("channel_name")
    assert h["linear"].to_numpy() == pytest.approx(ca.loc[h.index, "linear_touch"].to_numpy())


# ---------------------------------------------------------------- bad input
BAD = [
    (pd.DataFrame({"path": [], "c": []}), {}, fn.EmptyInputError, "no paths"),
    (pd.DataFrame({"path": ["a", ""], "c": [1, 0]}), {}, fn.InvalidArgumentError, "path 1 is empty"),
    (pd.DataFrame({"path": ["a", " "], "c": [1, 2]}), {}, fn.InvalidArgumentError, "path 1 has 2 conversions but no touches"),
    (pd.DataFrame({"path": ["a > > b"], "c": [1]}), {}, fn.InvalidArgumentError, "path 0, touch 1: empty channel name"),
    (pd.DataFrame({"path": ["a > x"], "c": [1]}), {"channels": ["a", "b"]}, fn.UnknownLabelError, "unknown channel 'x'"),
    (pd.DataFrame({"path": ["a"], "c": [1]}), {"channels": ["a", "b"]}, fn.InvalidArgumentError, "channel 'b' appears in no path"),
    (pd.DataFrame({"path": ["a>b"], "c": [1]}), {"channels": ["a", "b", "a>b"]}, fn.InvalidArgumentError,
     "channel 'a>b' contains the separator"),
    (pd.DataFrame({"path": ["a", "b"], "c": [1, -1]}), {}, fn.InvalidArgumentError, "path 1: conversions"),
    (pd.DataFrame({"path": ["a", "b"], "c": [1, 0], "v": [2.0, 5.0]}), {"value": "v"}, fn.InvalidArgumentError,
     "path 1: value 5 with no conversions"),
    (pd.DataFrame({"path": ["a", "b"], "c": [1, 0], "v": [2.0, -5.0]}), {"value": "v"}, fn.InvalidArgumentError,
     "path 1: value"),
    (pd.DataFrame({"path": ["a", "b"], "c": [1, 0]}), {"value": "nope"}, fn.UnknownLabelError, "nope"),
    (pd.DataFrame({"path": [1, 2], "c": [1, 0]}), {}, fn.InputTypeError, "strings"),
]


@pytest.mark.parametrize("df,kw,err,msg", BAD)
@pytest.mark.parametrize("model", ["markov", "heuristic"])
def test_bad_paths(df, kw, err, msg, model):
    with pytest.raises(err, match=msg):
        getattr(fn.attribution, model)(df, path="path", conversions="c", **kw)


def test_bad_markov_options_and_separator_in_event_names():
    df = pd.DataFrame({"path": ["a > b", "b"], "c": [1, 0], "n": [0, 1]})
    with pytest.raises(fn.InvalidArgumentError, match="order must be >= 1"):
        fn.attribution.markov(df, path="path", conversions="c", order=0)
    with pytest.raises(fn.InvalidArgumentError, match="repeats"):
        fn.attribution.markov(df, path="path", conversions="c", repeats="merge")
    with pytest.raises(fn.InvalidArgumentError, match="no path has a conversion"):
        fn.attribution.markov(df.assign(c=0), path="path", conversions="c", nulls="n")
    log = pd.DataFrame({"id": [1, 1], "t": [1, 2], "ch": ["fair > expo", "demo"], "won": [0, 1]})
    kw = dict(customer="id", time="t", channel="ch", converted="won")
    with pytest.raises(fn.InvalidArgumentError, match="channel 'fair > expo' contains the separator"):
        fn.attribution.markov_events(log, **kw)
    with pytest.raises(fn.InvalidArgumentError, match="won: row 1 is 2.0, expected 0 or 1"):
        fn.attribution.journeys(log.assign(ch=["a", "b"], won=[0, 2]), **kw)
    with pytest.raises(fn.InvalidArgumentError, match="row 0: value 3 on a row that is not a conversion"):
        fn.attribution.journeys(log.assign(ch=["a", "b"], v=[3.0, 1.0]), value="v", **kw)
    with pytest.raises(fn.InvalidArgumentError, match="ch: row 1 is missing"):
        fn.attribution.journeys(log.assign(ch=["a", None]), **kw)
    with pytest.raises(fn.InvalidArgumentError, match="row 1 has an empty channel name"):
        fn.attribution.journeys(log.assign(ch=["a", ""]), **kw)
    with pytest.raises(fn.EmptyInputError):
        fn.attribution.journeys(log.iloc[:0], **kw)
    with pytest.raises(fn.InvalidArgumentError, match="half_life"):
        fn.attribution.heuristic(df, path="path", conversions="c", half_life=0)


def test_large_order3_chain_matches_dense_numpy_solve():
    # 12 channels at order 3 give more than 400 states: the certified iterative solve runs.
    paths, df = random_paths(11, n=500, channels="abcdefghijkl", max_len=5)
    m = fn.attribution.MarkovAttribution(order=3).fit(df, path="path", conversions="conv", nulls="null", value="value")
    assert m._core.n_states > 400
    r = m.channels()
    p0, v0 = brute_force(paths, df.conv, df.null, df.value, order=3)
    for c in ["a", "f", "l"]:
        p, v = brute_force(paths, df.conv, df.null, df.value, order=3, removed=c)
        assert r.loc[c, "removal_effect"] == pytest.approx(1 - p / p0, abs=1e-11)
        assert r.loc[c, "value_removal_effect"] == pytest.approx(1 - v / v0, abs=1e-11)


def test_transition_matrix_and_progress_bar():
    # The issue's second case: the fitted chain by hand (ChannelAttribution's out_more
    # transition matrix shows the same numbers).
    df = pd.DataFrame({"path": ["c1>c2>c3", "c1", "c2>c3"], "conv": [1, 0, 0], "null": [0, 1, 1]})
    m = fn.attribution.MarkovAttribution(progress=True).fit(df, path="path", conversions="conv", nulls="null")
    t = m.transition_matrix().set_index(["from", "to"])["probability"].to_dict()
    assert t == pytest.approx({("(start)", "c1"): 2 / 3, ("(start)", "c2"): 1 / 3, ("c1", "c2"): 0.5,
                               ("c1", "(null)"): 0.5, ("c2", "c3"): 1.0, ("c3", "(conversion)"): 0.5,
                               ("c3", "(null)"): 0.5})
    assert m.channels()["removal_effect"].tolist() == pytest.approx([0.5, 1, 1])
    sim = m.simulate(10_000, seed=1, progress=True)
    assert list(sim.columns) == ["removal_effect", "lower", "upper", "exact"]


def test_arrow_and_object_strings_parse_alike():
    _, df = random_paths(9)
    sliced = df.iloc[3:]  # a slice: Arrow offsets that do not start at 0
    a = fn.attribution.markov(sliced, path="path", conversions="conv", nulls="null")
    b = fn.attribution.markov(sliced.astype({"path": object}), path="path", conversions="conv", nulls="null")
    assert a["removal_effect"].to_dict() == pytest.approx(b["removal_effect"].to_dict(), abs=1e-14)
    paths = [p.split(" > ") for p in sliced.path]
    p0, _ = brute_force(paths, sliced.conv, sliced.null)
    p, _ = brute_force(paths, sliced.conv, sliced.null, removed="c")
    assert a.loc["c", "removal_effect"] == pytest.approx(1 - p / p0, abs=1e-12)
