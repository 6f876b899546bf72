"""fn.plot: every chart is rendered to PNG (Agg) and the data drawn on the Axes (bar
widths and heights, line data, image arrays, scatter offsets, band thickness) are read
back and compared with an independent computation: transitions counted here, the
fundamental matrix and matrix powers by numpy, networkx neighbourhoods and reachability,
lifetimes' own matrices, scikit-learn's ROC and calibration curves, brute-force gain.
Bad input raises typed errors.  Reads data/customers/cdnow_customers_summary.csv and
data/graphs/karate/karate.graph."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import funnelnet as fn  # noqa: E402

PATHS = ["lead>qualified>demo>won", "lead>lost", "lead>qualified>lost", "lead>qualified>demo>lost",
         "lead>qualified>demo>qualified>demo>won", "lead>qualified>won", "lead>lost", "lead>qualified>demo>won"]
FUNNEL = fn.Funnel(["lead", "qualified", "demo"], outcomes=["won", "lost"])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(ax, tmp_path, name):
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=60)
    assert path.stat().st_size > 1000
    return path


@pytest.fixture
def counts():
    return fn.TransitionCounts.from_paths(PATHS, funnel=FUNNEL, sep=">")


def _counted():
    """Transitions of PATHS counted here: {(from, to): n}."""
    c = Counter()
    for p in PATHS:
        s = p.split(">")
        c.update(zip(s[:-1], s[1:]))
    return c


# ---------------------------------------------------------------- optional matplotlib
def test_import_does_not_load_matplotlib():
    code = "import sys, funnelnet as fn; fn.plot.roc_frame([0, 1], [0.2, 0.7]); print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install funnelnet\[plot\]"):
        fn.plot.roc([0, 1], [0.2, 0.7])
    assert len(fn.plot.roc_frame([0, 1], [0.2, 0.7])) == 3  # the data functions need no matplotlib


# ---------------------------------------------------------------- funnels
def test_funnel_from_counts_draws_counted_visits_and_losses(counts, tmp_path):
    ax = fn.plot.funnel(counts)
    _png(ax, tmp_path, "funnel_counts")
    c = _counted()
    stages = FUNNEL.stages
    visits = [sum(n for (a, _), n in c.items() if a == s) for s in stages]
    assert [b.get_width() for b in ax.containers[0]] == pytest.approx(visits)
    for k, o in enumerate(FUNNEL.outcomes, start=1):
        assert [b.get_width() for b in ax.containers[k]] == pytest.approx([c[(s, o)] for s in stages])
    f = fn.plot.funnel_frame(counts)
    assert f["next_rate"].iloc[0] == pytest.approx(c[("lead", "qualified")] / visits[0])


def test_funnel_labels_large_volumes_in_full(tmp_path):
    paths = ["lead>won"] * 54_780 + ["lead>qualified>lost"] * 1_215
    ax = fn.plot.funnel(fn.TransitionCounts.from_paths(paths, funnel=FUNNEL, sep=">"))
    _png(ax, tmp_path, "funnel_large")
    labels = [t.get_text() for t in ax.texts]
    assert any(t.startswith("55,995  (") for t in labels), labels  # not 5.6e+04
    assert any(t.startswith("1,215  (") for t in labels), labels


def test_funnel_from_chain_uses_expected_visits(counts, tmp_path):
    chain = counts.fit()
    ax = chain.plot()  # the .plot() method is the funnel chart
    _png(ax, tmp_path, "funnel_chain")
    p = chain.to_numpy()
    t = [chain.states.index(s) for s in chain.transient_states]
    n = np.linalg.inv(np.eye(len(t)) - p[np.ix_(t, t)])
    assert [b.get_width() for b in ax.containers[0]] == pytest.approx(n[0])
    lost = chain.states.index("lost")
    assert [b.get_width() for b in ax.containers[2]] == pytest.approx(n[0] * p[t, lost])


def test_transition_heatmap_image_is_the_matrix(counts, tmp_path):
    chain = counts.fit()
    ax = fn.plot.transition_heatmap(chain)
    _png(ax, tmp_path, "heatmap")
    c = _counted()
    img = np.asarray(ax.images[0].get_array())
    for i, a in enumerate(chain.states):
        row = sum(c[(a, b)] for b in chain.states)
        for j, b in enumerate(chain.states):
            expect = c[(a, b)] / row if row else float(a == b)
            assert img[i, j] == pytest.approx(expect)
    img = np.asarray(counts.plot("heatmap").images[0].get_array())
    assert img[0, 1] == c[("lead", "qualified")]


def test_sankey_bands_are_proportional_to_counts(counts, tmp_path):
    ax = fn.plot.sankey(counts)
    _png(ax, tmp_path, "sankey")
    c = _counted()
    f = fn.plot.sankey_frame(counts)
    assert {(a, b): n for a, b, n in f.itertuples(index=False)} == {k: v for k, v in c.items() if k[0] != k[1]}
    bands = {p.get_gid(): p for p in ax.patches if p.get_gid() and "->" in p.get_gid()}
    assert set(bands) == {f"{a}->{b}" for a, b in c}
    for (a, b), n in c.items():
        if (a, b) == ("demo", "qualified"):
            continue  # a move back: drawn as an arc
        v = bands[f"{a}->{b}"].get_path().vertices
        assert v[0, 1] - v[7, 1] == pytest.approx(n * ax.sankey_scale)  # thickness at the source end
    nodes = {p.get_gid()[5:]: p.get_height() for p in ax.patches if (p.get_gid() or "").startswith("node:")}
    assert nodes["won"] == pytest.approx(sum(n for (_, b), n in c.items() if b == "won") * ax.sankey_scale)


def test_time_to_close_lines_are_phase_type_cdfs(counts, tmp_path):
    chain = counts.fit()
    ax = fn.plot.time_to_close(chain, horizon=12)
    _png(ax, tmp_path, "time_to_close")
    p = chain.to_numpy()
    absorbing = [chain.states.index(s) for s in chain.absorbing_states]
    pk = np.eye(len(p))
    expect = []
    for _ in range(13):
        expect.append(pk[:, absorbing].sum(axis=1))
        pk = pk @ p
    expect = np.array(expect)
    for line, s in zip(ax.lines, chain.transient_states):
        assert line.get_xdata().tolist() == list(range(13))
        np.testing.assert_allclose(line.get_ydata(), expect[:, chain.states.index(s)], atol=1e-12)
    f = fn.plot.time_to_close_frame(chain, stages=["demo"])
    q50 = f.attrs["quantiles"]["demo"]["q50"]
    assert q50 == np.argmax(expect[:, chain.states.index("demo")] >= 0.5)


def test_bottlenecks_bars_are_the_ranking(counts, tmp_path):
    chain = counts.fit()
    ax = fn.plot.bottlenecks(chain, top=4)
    _png(ax, tmp_path, "bottlenecks")
    b = chain.bottlenecks().head(4)
    assert [r.get_width() for r in ax.containers[0]] == pytest.approx(b["gain_10pct"].tolist())
    # first-order effect of a 10% better step against the exact what-if
    top = b.iloc[0]
    exact = chain.what_if(top["from"], top["to"], 10).gain
    assert ax.containers[0][0].get_width() == pytest.approx(exact, rel=0.2)


# ---------------------------------------------------------------- attribution
def test_attribution_bars_markov_and_first_touch(tmp_path):
    df = pd.DataFrame({"path": ["a > b > c", "a", "b > c", "c > a", "b"], "total_conversions": [3, 1, 2, 1, 0],
                       "total_null": [1, 2, 2, 1, 3]})
    m = fn.attribution.markov(df, conversions="total_conversions", nulls="total_null")
    h = fn.attribution.heuristic(df)
    ax = fn.plot.attribution(m, h)
    _png(ax, tmp_path, "attribution")
    f = fn.plot.attribution_frame(m, h)
    assert list(f.columns[:3]) == ["removal_effect", "markov", "first_touch"]
    heights = [[r.get_height() for r in cont] for cont in ax.containers]
    assert heights[0] == pytest.approx(m["conversions"].tolist())
    first = df.assign(first=df["path"].str.split(" > ").str[0]).groupby("first")["total_conversions"].sum()
    assert heights[1] == pytest.approx(first.reindex(f.index).fillna(0).tolist())
    assert sum(heights[0]) == pytest.approx(df["total_conversions"].sum())
    np.testing.assert_allclose(ax.right_ax.lines[0].get_ydata(), m["removal_effect"].to_numpy())
    model = fn.attribution.MarkovAttribution().fit(df, conversions="total_conversions", nulls="total_null")
    assert [r.get_height() for r in model.plot().containers[0]] == pytest.approx(heights[0])


# ---------------------------------------------------------------- graphs
@pytest.fixture(scope="module")
def karate(shared_data):
    return fn.ReferralGraph.read_metis(shared_data / "graphs" / "karate" / "karate.graph")


def test_referral_graph_shows_the_top_neighbourhood(karate, tmp_path):
    ax = fn.plot.referral_graph(karate, top=3)
    _png(ax, tmp_path, "referral_graph")
    f = fn.plot.referral_graph_frame(karate, top=3)
    e = karate.edges()
    g = nx.MultiDiGraph()
    g.add_nodes_from(karate.nodes)
    g.add_edges_from(zip(e["source"], e["target"]))
    deg = dict(g.out_degree())
    top = sorted(deg, key=lambda v: -deg[v])[:3]  # who referred the most
    near = set(top).union(*(nx.all_neighbors(g, v) for v in top))
    assert set(f.index) == near
    assert set(f.index[f["top"]]) == set(top)
    assert len(ax.collections[0].get_segments()) == g.subgraph(near).number_of_edges()
    np.testing.assert_allclose(ax.collections[1].get_offsets(), f[["x", "y"]].to_numpy())
    # drawn edges are shorter on average than random pairs of the shown nodes
    xy = f[["x", "y"]]
    seg = np.array(ax.collections[0].get_segments())
    edge_len = np.hypot(*(seg[:, 0] - seg[:, 1]).T).mean()
    pair_len = np.mean([np.hypot(*(xy.iloc[i] - xy.iloc[j])) for i in range(len(xy)) for j in range(i)])
    assert edge_len < pair_len
    pr = karate.pagerank()
    f = fn.plot.referral_graph_frame(karate, top=2, scores=pr, hops=0)
    assert set(f.index) == set(pr.nlargest(2).index) and f["score"].tolist() == pr[f.index].tolist()


def test_layout_seeded_and_labelled(karate):
    a = karate.layout(seed=3)
    assert a.index.equals(karate.nodes) and list(a.columns) == ["x", "y"]
    assert a.equals(karate.layout(seed=3, threads=1))
    assert not a.equals(karate.layout(seed=4))
    with pytest.raises(fn.InvalidArgumentError, match="iterations must be >= 0, got -1"):
        karate.layout(iterations=-1)
    with pytest.raises(fn.InvalidArgumentError, match="gravity"):
        karate.layout(gravity=-2.0)


def test_spread_curve_with_certain_edges_is_reachability(tmp_path):
    src, dst = [1, 1, 2, 4, 5, 6, 7], [2, 3, 3, 5, 6, 7, 8]
    g = fn.ReferralGraph.from_edges(src, dst, nodes=[9])
    seeds = [4, 1, 9]
    ax = fn.plot.spread_curve(g, seeds, probabilities=1.0, n_sims=20)
    _png(ax, tmp_path, "spread_curve")
    d = nx.DiGraph(list(zip(src, dst)))
    d.add_node(9)
    reach = [len(set(seeds[:k]).union(*(nx.descendants(d, s) for s in seeds[:k]))) for k in (1, 2, 3)]
    assert ax.lines[0].get_ydata().tolist() == reach == [5, 8, 9]
    r = fn.influence.imm(g, 2, probabilities=1.0)
    assert fn.plot.spread_curve_frame(g, r, probabilities=1.0, n_sims=5)["seed"].tolist() == r.seeds


# ---------------------------------------------------------------- customers
def test_grade_mix_bars_are_tier_counts(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"credit": rng.uniform(0, 10, 200), "revenue": rng.lognormal(3, 1, 200)})
    g = fn.customers.grade(df, mode="mix", criteria={"credit": 1})
    ax = fn.plot.grade_mix(g, value=df["revenue"])
    _png(ax, tmp_path, "grade_mix")
    counts = g["tier"].value_counts()
    tiers = [t.get_text() for t in ax.get_xticklabels()]
    assert [b.get_height() for b in ax.containers[0]] == [counts[t] for t in tiers]
    share = df["revenue"].groupby(g["tier"].astype(str)).sum() / df["revenue"].sum()
    assert [b.get_height() for b in ax.right_ax.containers[0]] == pytest.approx((share[tiers] * 100).tolist())


def test_tier_migration_heatmap_is_the_observed_move_rates(tmp_path):
    rng = np.random.default_rng(1)
    tiers = ["A", "B", "C"]
    snaps = pd.DataFrame({"customer": np.repeat(np.arange(60), 6), "period": np.tile(np.arange(6), 60),
                          "tier": rng.choice(tiers, 360, p=[0.2, 0.3, 0.5])})
    model = fn.customers.TierMigration(tiers=tiers, smoothing=0.0).fit(snaps)
    ax = model.plot()
    _png(ax, tmp_path, "tier_migration")
    nxt = snaps.groupby("customer")["tier"].shift(-1)
    moves = pd.crosstab(snaps["tier"][nxt.notna()], nxt.dropna(), normalize="index").reindex(index=tiers, columns=tiers)
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array()), moves.to_numpy(), atol=1e-12)


BG = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def lifetimes_bg():
    lifetimes = pytest.importorskip("lifetimes")
    m = lifetimes.BetaGeoFitter()
    m.params_ = pd.Series(BG)
    return m


def test_frequency_recency_and_p_alive_match_lifetimes(lifetimes_bg, tmp_path):
    from lifetimes import plotting

    bg = fn.customers.BetaGeo.from_params(**BG)
    ax = fn.plot.frequency_recency(bg, t=5, max_frequency=12, max_recency=30)
    _png(ax, tmp_path, "frequency_recency")
    plt.figure()
    theirs = plotting.plot_frequency_recency_matrix(lifetimes_bg, T=5, max_frequency=12, max_recency=30)
    ours = np.asarray(ax.images[0].get_array())
    assert np.isnan(ours[1:, 0]).all()  # no repeat purchase, yet a recency: impossible, left blank
    np.testing.assert_allclose(ours[~np.isnan(ours)], np.asarray(theirs.images[0].get_array())[~np.isnan(ours)],
                               rtol=1e-7)
    ax = bg.plot(kind="p_alive", max_frequency=12, max_recency=30)
    _png(ax, tmp_path, "p_alive")
    plt.figure()
    theirs = plotting.plot_probability_alive_matrix(lifetimes_bg, max_frequency=12, max_recency=30)
    ours = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(ours[~np.isnan(ours)], np.asarray(theirs.images[0].get_array())[~np.isnan(ours)],
                               rtol=1e-7)


def test_period_transactions_actual_and_expected(lifetimes_bg, shared_data, tmp_path):
    s = pd.read_csv(shared_data / "customers" / "cdnow_customers_summary.csv")
    bg = fn.customers.BetaGeo.from_params(**BG)
    ax = fn.plot.period_transactions(bg, s, max_frequency=5, draws=40)
    _png(ax, tmp_path, "period_transactions")
    actual = np.bincount(np.minimum(s["frequency"], 5), minlength=6)
    assert [b.get_height() for b in ax.containers[0]] == actual.tolist()
    # lifetimes' P(X(T) = x) summed over the customers' own T (exact expectation)
    ts = s["T"].value_counts()
    expect = np.array([sum(lifetimes_bg.probability_of_n_purchases_up_to_time(t, x) * n for t, n in ts.items())
                       for x in range(5)])
    expect = np.r_[expect, len(s) - expect.sum()]
    model = np.array([b.get_height() for b in ax.containers[1]])
    np.testing.assert_allclose(model, expect, rtol=0.06, atol=8)


# ---------------------------------------------------------------- scores
@pytest.fixture
def scored():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 400)
    score = np.round(y * 0.8 + rng.normal(0, 0.7, 400), 1)  # rounded: ties
    prob = 1 / (1 + np.exp(-score))
    return y, score, prob


def test_roc_matches_sklearn(scored, tmp_path):
    from sklearn.metrics import roc_auc_score, roc_curve

    y, score, _ = scored
    ax = fn.plot.roc(y, score)
    _png(ax, tmp_path, "roc")
    fpr, tpr, thr = roc_curve(y, score, drop_intermediate=False)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), fpr)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tpr)
    f = fn.plot.roc_frame(y, score)
    np.testing.assert_allclose(f["threshold"].to_numpy()[1:], thr[1:])
    assert f.attrs["auc"] == pytest.approx(roc_auc_score(y, score), abs=1e-12)


def test_lift_gain_brute_force(scored, tmp_path):
    y, score, _ = scored
    ax = fn.plot.lift_gain(y, score, bins=10)
    _png(ax, tmp_path, "lift_gain")
    ranked = [yy for _, _, yy in sorted(zip(-score, range(len(y)), y))]
    gains, lifts = [], []
    for k in range(1, 11):
        top = ranked[: int(np.floor(k * len(y) / 10))]
        gains.append(sum(top) / sum(y))
        lifts.append(gains[-1] / (len(top) / len(y)))
    np.testing.assert_allclose(ax.lines[0].get_ydata()[1:], np.array(gains) * 100)
    np.testing.assert_allclose(ax.right_ax.lines[0].get_ydata(), lifts)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_matches_sklearn(scored, strategy, tmp_path):
    from sklearn.calibration import calibration_curve

    y, _, prob = scored
    ax = fn.plot.calibration(y, prob, n_bins=8, strategy=strategy)
    _png(ax, tmp_path, f"calibration_{strategy}")
    frac, mean = calibration_curve(y, prob, n_bins=8, strategy=strategy)
    np.testing.assert_allclose(ax.lines[1].get_xdata(), mean)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), frac)


# ---------------------------------------------------------------- bad input
def test_bad_input_typed_errors(counts):
    empty = fn.TransitionCounts.from_matrix(np.zeros((5, 5)), FUNNEL)
    with pytest.raises(fn.EmptyInputError, match="no transitions"):
        fn.plot.funnel(empty)
    with pytest.raises(fn.EmptyInputError, match="no moves"):
        fn.plot.sankey(empty)
    with pytest.raises(fn.InputTypeError, match="got list"):
        fn.plot.funnel([1, 2])
    with pytest.raises(fn.UnknownLabelError, match="'nope'"):
        fn.plot.time_to_close(counts.fit(), stages=["nope"])
    with pytest.raises(fn.InputTypeError, match=r"counts.fit\(\)"):
        fn.plot.time_to_close(counts)
    with pytest.raises(fn.EmptyInputError, match="bottlenecks result is empty"):
        fn.plot.bottlenecks(counts.fit().bottlenecks().head(0))
    with pytest.raises(fn.InvalidArgumentError, match="not fitted"):
        fn.plot.attribution(fn.attribution.MarkovAttribution())
    with pytest.raises(fn.InvalidArgumentError, match="not fitted"):
        fn.plot.p_alive_matrix(fn.customers.BetaGeo(), max_frequency=3, max_recency=3)
    with pytest.raises(fn.InvalidArgumentError, match="not fitted"):
        fn.plot.tier_migration(fn.customers.TierMigration())
    with pytest.raises(fn.InvalidArgumentError, match="summary="):
        fn.plot.frequency_recency(fn.customers.BetaGeo.from_params(**BG))
    with pytest.raises(fn.InvalidArgumentError, match="got 2 at row 1"):
        fn.plot.roc([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(fn.InvalidArgumentError, match="only negatives"):
        fn.plot.roc([0, 0], [0.1, 0.2])
    with pytest.raises(fn.ShapeError, match="y has 3 rows but score has 2"):
        fn.plot.roc([0, 1, 1], [0.1, 0.2])
    with pytest.raises(fn.EmptyInputError):
        fn.plot.lift_gain([], [])
    with pytest.raises(fn.InvalidArgumentError, match=r"prob must be in \[0, 1\], got 1.5 at row 1"):
        fn.plot.calibration([0, 1], [0.2, 1.5])
    with pytest.raises(fn.UnknownLabelError, match="99"):
        fn.plot.spread_curve(fn.ReferralGraph.from_edges([1], [2]), [1, 99])
    with pytest.raises(fn.InvalidArgumentError, match="kind must be one of"):
        counts.fit().plot("pie")


# ---------------------------------------------------------------- issue 15: shared by the report
def test_lift_gain_of_several_scorers_is_each_ones_curve(scored, tmp_path):
    y, score, prob = scored
    ax = fn.plot.lift_gain(y, {"a": score, "b": prob}, bins=5)
    _png(ax, tmp_path, "lift_gain_two")
    for i, s in enumerate((score, prob)):
        one = fn.plot.lift_gain_frame(y, s, bins=5)
        np.testing.assert_allclose(ax.lines[i].get_ydata()[1:], one["gain"].to_numpy() * 100)
        np.testing.assert_allclose(ax.right_ax.lines[i].get_ydata(), one["lift"].to_numpy())
    f = fn.plot.lift_gain_frame(y, {"a": score, "b": prob}, bins=5)
    assert f.index.names == ["scorer", "group"] and len(f) == 10
    assert [line.get_label() for line in ax.lines] == ["a", "b", "random"]
    # brute force: the best-scored 20 % of rows hold this share of the positives
    top = np.argsort(-prob, kind="stable")[: len(y) // 5]
    assert f.loc[("b", 1), "gain"] == pytest.approx(y[top].sum() / y.sum())


def test_roc_and_calibration_share_one_reference_line(scored):
    y, score, prob = scored
    ax = fn.plot.roc(y, score, label="a")
    fn.plot.roc(y, prob, label="b", ax=ax)
    assert [line.get_label() for line in ax.lines] == [f"a (AUC = {fn.plot.roc_frame(y, score).attrs['auc']:.3f})",
                                                       "chance", f"b (AUC = {fn.plot.roc_frame(y, prob).attrs['auc']:.3f})"]
    ax = fn.plot.calibration(y, prob, label="a")
    fn.plot.calibration(y, np.clip(prob * 0.9, 0, 1), label="b", ax=ax)
    assert sum(line.get_label() == "perfectly calibrated" for line in ax.lines) == 1


def test_bottlenecks_draw_another_column(counts):
    t = counts.fit().bottlenecks()
    t["exact"] = np.arange(len(t), dtype=float)[::-1]
    ax = fn.plot.bottlenecks(t, top=3, value="exact")
    assert [b.get_width() for b in ax.containers[0]] == t["exact"].head(3).tolist()
    with pytest.raises(fn.InputTypeError, match="no 'nope' column"):
        fn.plot.bottlenecks(t, value="nope")


def test_forecast_fan_draws_the_quantiles(tmp_path):
    months = pd.DataFrame({"expected_cumulative_revenue": [1e5, 2.5e5, 3e5],
                           "cumulative_revenue_p10": [5e4, 1.5e5, 2e5], "cumulative_revenue_p50": [9e4, 2.4e5, 2.9e5],
                           "cumulative_revenue_p90": [1.6e5, 3.5e5, 4.2e5]}, index=["Jan", "Feb", "Mar"])
    ax = fn.plot.forecast_fan(months, target=[1e5, 2e5, 3.5e5])
    _png(ax, tmp_path, "forecast_fan")
    s = ax.fan_scale
    assert s == 1e3
    np.testing.assert_allclose(ax.lines[0].get_ydata(), months["cumulative_revenue_p50"] / s)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), months["expected_cumulative_revenue"] / s)
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [100, 200, 350])
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(50) and band[:, 1].max() == pytest.approx(420)
    with pytest.raises(fn.InputTypeError, match="'cumulative_count_p10'"):
        fn.plot.forecast_fan(months, what="count")
    with pytest.raises(fn.InvalidArgumentError, match="one value per period"):
        fn.plot.forecast_fan(months, target=[1.0])
    with pytest.raises(fn.EmptyInputError):
        fn.plot.forecast_fan(months.iloc[:0])


def test_forecast_fan_of_a_pipeline_forecast():
    chain = fn.MarkovChain([[0.5, 0.3, 0.2], [0, 1, 0], [0, 0, 1]], states=["open", "won", "lost"])
    deals = pd.DataFrame({"opportunity": [1, 2, 3], "stage": "open", "amount": [100.0, 250.0, 40.0],
                          "entered": 0.0})
    f = fn.pipeline.forecast(deals, chain, horizon=4, period=1.0, snapshot=0.0)
    ax = fn.plot.forecast_fan(f)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), f.periods["cumulative_revenue_p50"].to_numpy())
    # the mean: each deal's amount times its chance to be won within k steps (closed form here)
    won_by = np.array([0.3 * (1 - 0.5**k) / 0.5 for k in range(1, 5)])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 390.0 * won_by, rtol=1e-9)
    per = fn.plot.forecast_fan_frame(f, cumulative=False)       # each period's own: the increments
    np.testing.assert_allclose(per["mean"].to_numpy(), 390.0 * np.diff(np.r_[0.0, won_by]), rtol=1e-9)


def test_spread_curve_of_a_precomputed_frame():
    g = fn.ReferralGraph.from_edges([0, 1, 2], [1, 2, 3])
    f = fn.plot.spread_curve_frame(g, [0, 2], probabilities=1.0, n_sims=5)
    ax = fn.plot.spread_curve(f, label="given")
    fn.plot.spread_curve(f.assign(spread=f["spread"] + 1), ax=ax, label="more")
    assert [list(line.get_ydata()) for line in ax.lines] == [[4.0, 4.0], [5.0, 5.0]]
    with pytest.raises(fn.InvalidArgumentError, match="seeds only with a graph"):
        fn.plot.spread_curve(f, [0])
    with pytest.raises(fn.InputTypeError, match="no 'spread' column"):
        fn.plot.spread_curve(f.drop(columns="spread"))
