"""ReferralGraph from Python: networkx as the oracle for PageRank (personalization and
dangling policies), Katz, betweenness, core numbers and components on karate,
email-Eu-core and wiki-Vote (../shared/data/graphs); pandas for conversion rates;
building, labels and bad input."""
from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import funnelnet as fn


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def graphs(shared_data):
    """(funnelnet graph, networkx DiGraph) pairs with the same nodes and edges."""
    d = shared_data / "graphs"
    out = {}
    k = fn.ReferralGraph.read_metis(d / "karate" / "karate.graph")
    U = nx.karate_club_graph()  # ids 1..34 in the file = networkx ids + 1
    K = nx.DiGraph()  # unweighted, both directions (networkx's karate carries weights)
    K.add_edges_from(U.edges())
    K.add_edges_from((v, u) for u, v in U.edges())
    out["karate"] = (k, K)
    email_path = d / "email-Eu-core" / "email-Eu-core.txt"
    e = fn.ReferralGraph.read_edge_list(email_path, self_loops="drop")
    ge = nx.read_edgelist(email_path, nodetype=int, create_using=nx.DiGraph)
    ge.remove_edges_from(list(nx.selfloop_edges(ge)))
    out["email"] = (e, ge)
    wiki_path = d / "wiki-Vote" / "wiki-Vote.txt"
    w = fn.ReferralGraph.read_edge_list(wiki_path)
    gw = nx.read_edgelist(wiki_path, nodetype=int, create_using=nx.DiGraph, comments="#")
    out["wiki"] = (w, gw)
    return out


def nx_labels(name, g):
    return g.nodes - 1 if name == "karate" else g.nodes


def as_series(name, g, d):
    return pd.Series(d).reindex(nx_labels(name, g)).to_numpy()


ALL = ["karate", "email", "wiki"]


def test_shapes_match_networkx(graphs):
    for name in ALL:
        g, G = graphs[name]
        assert g.number_of_nodes == G.number_of_nodes()
        assert g.number_of_edges == G.number_of_edges()
        e = g.edges()
        labels = e["source"] - 1 if name == "karate" else e["source"]
        targets = e["target"] - 1 if name == "karate" else e["target"]
        assert set(zip(labels, targets)) == set(G.edges())


@pytest.mark.parametrize("name", ALL)
def test_pagerank_matches_networkx(graphs, name):
    g, G = graphs[name]
    tol = 1e-14
    ours = g.pagerank(tol=tol).to_numpy()
    np.testing.assert_allclose(ours, as_series(name, g, nx.pagerank(G, tol=tol, max_iter=10000)), atol=1e-9, rtol=0)
    assert abs(ours.sum() - 1) < 1e-12
    # Personalization on a few nodes; dangling to the personalization (networkx default).
    rng = np.random.default_rng(1)
    picks = rng.choice(g.nodes.to_numpy(), size=5, replace=False)
    pers = {int(p): float(i + 1) for i, p in enumerate(picks)}
    nx_pers = {(k - 1 if name == "karate" else k): v for k, v in pers.items()}
    ours = g.pagerank(personalization=pers, tol=tol).to_numpy()
    ref = nx.pagerank(G, personalization=nx_pers, tol=tol, max_iter=10000)
    np.testing.assert_allclose(ours, as_series(name, g, ref), atol=1e-9, rtol=0)
    # An explicit dangling distribution, and "uniform".
    dang = {int(p): 1.0 for p in picks[:2]}
    nx_dang = {(k - 1 if name == "karate" else k): v for k, v in dang.items()}
    ours = g.pagerank(personalization=pers, dangling=dang, damping=0.7, tol=tol).to_numpy()
    ref = nx.pagerank(G, alpha=0.7, personalization=nx_pers, dangling=nx_dang, tol=tol, max_iter=10000)
    np.testing.assert_allclose(ours, as_series(name, g, ref), atol=1e-9, rtol=0)
    ours = g.pagerank(personalization=pers, dangling="uniform", tol=tol).to_numpy()
    uni = dict.fromkeys(G.nodes, 1.0)
    ref = nx.pagerank(G, personalization=nx_pers, dangling=uni, tol=tol, max_iter=10000)
    np.testing.assert_allclose(ours, as_series(name, g, ref), atol=1e-9, rtol=0)


def test_weighted_pagerank_and_threads(graphs):
    g, G = graphs["email"]
    rng = np.random.default_rng(3)
    w = rng.uniform(0.1, 5.0, g.number_of_edges)
    e = g.edges()
    gw = fn.ReferralGraph.from_edges(e["source"].to_numpy(), e["target"].to_numpy(), weight=w, nodes=g.nodes)
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes)
    H.add_weighted_edges_from(zip(e["source"], e["target"], w))
    ours = gw.pagerank(weighted=True, tol=1e-14)
    ref = nx.pagerank(H, weight="weight", tol=1e-14, max_iter=10000)
    np.testing.assert_allclose(ours.to_numpy(), as_series("email", gw, ref), atol=1e-9, rtol=0)
    a = gw.pagerank(weighted=True, threads=1)
    b = gw.pagerank(weighted=True, threads=3)
    assert (a.to_numpy() == b.to_numpy()).all()


@pytest.mark.parametrize("name", ALL)
def test_katz_matches_networkx(graphs, name):
    g, G = graphs[name]
    if name == "wiki":
        alpha = 0.01  # well below 1/lambda_max (~0.026 for wiki-Vote)
        ref = nx.katz_centrality(G, alpha=alpha, tol=1e-13, max_iter=10000)
    else:
        from scipy.sparse.linalg import eigs

        lam = abs(eigs(nx.to_scipy_sparse_array(G, dtype=float), k=1, which="LM", return_eigenvectors=False)[0])
        alpha = 0.5 / lam
        ref = nx.katz_centrality_numpy(G, alpha=alpha)
    ours = g.katz(alpha=alpha, tol=1e-15)
    np.testing.assert_allclose(ours.to_numpy(), as_series(name, g, ref), atol=1e-9, rtol=0)
    assert ours.name == "katz" and (ours.index == g.nodes).all()


def test_katz_diverges_above_spectral_radius(graphs):
    g, _ = graphs["karate"]
    with pytest.raises(fn.ConvergenceError, match="alpha"):
        g.katz(alpha=0.5)


@pytest.mark.parametrize("name", ["karate", "email"])
def test_betweenness_matches_networkx(graphs, name):
    g, G = graphs[name]
    if name == "karate":
        np.testing.assert_allclose(g.betweenness().to_numpy(), as_series(name, g, nx.betweenness_centrality(G)),
                                   atol=1e-12, rtol=0)
        np.testing.assert_allclose(g.betweenness(normalized=False).to_numpy(),
                                   as_series(name, g, nx.betweenness_centrality(G, normalized=False)), atol=1e-9)
    else:
        # networkx exact on email-Eu-core takes ~20 s; compare networkx's sampled
        # estimator with the very same sources instead (exact is checked in C++
        # against all-pairs counting, and in the benchmark).
        k = 150
        sources = random.Random(7).sample(list(G.nodes()), k)
        ref = nx.betweenness_centrality(G, k=k, seed=7)
        ours = g.betweenness(sources=sources)
        np.testing.assert_allclose(ours.to_numpy(), as_series(name, g, ref), atol=1e-12, rtol=0)


def test_betweenness_sources_on_wiki_vote(graphs):
    g, G = graphs["wiki"]
    k = 12
    sources = random.Random(3).sample(list(G.nodes()), k)
    ref = nx.betweenness_centrality(G, k=k, seed=3, normalized=False)
    ours = g.betweenness(sources=sources, normalized=False)
    np.testing.assert_allclose(ours.to_numpy(), as_series("wiki", g, ref), atol=1e-9, rtol=1e-12)
    a = g.betweenness(samples=20, seed=5, threads=1)
    b = g.betweenness(samples=20, seed=5, threads=2)
    assert (a.to_numpy() == b.to_numpy()).all()


@pytest.mark.parametrize("name", ALL)
def test_cores_and_components_match_networkx(graphs, name):
    g, G = graphs[name]
    np.testing.assert_array_equal(g.core_numbers().to_numpy(), as_series(name, g, nx.core_number(G)))
    for strong, ref in ((False, nx.weakly_connected_components(G)), (True, nx.strongly_connected_components(G))):
        lab = g.components(strong=strong)
        ours = {frozenset(ix - 1 if name == "karate" else ix for ix in grp.index) for _, grp in lab.groupby(lab)}
        assert ours == {frozenset(c) for c in ref}


def test_cascades_match_networkx_bfs_trees(graphs):
    g, _ = graphs["karate"]
    rng = np.random.default_rng(4)
    # A referral forest: each of 300 customers was referred by an earlier one (or none).
    n = 300
    parent = np.array([rng.integers(0, i) if i > 0 and rng.random() < 0.9 else -1 for i in range(n)])
    src, dst = parent[parent >= 0], np.flatnonzero(parent >= 0)
    forest = fn.ReferralGraph.from_edges(src, dst, nodes=np.arange(n))
    for graph in (forest, g):
        e = graph.edges()
        G = nx.DiGraph()
        G.add_nodes_from(graph.nodes)
        G.add_edges_from(zip(e["source"], e["target"]))  # same successor order as the CSR
        c = graph.cascades()
        assert list(c.columns) == ["size", "depth", "breadth", "virality"]
        for root in list(graph.nodes[:40]):
            T = nx.bfs_tree(G, root)
            layers = list(nx.bfs_layers(G, root))
            assert c.loc[root, "size"] == T.number_of_nodes() == len(nx.descendants(G, root)) + 1
            assert c.loc[root, "depth"] == len(layers) - 1
            assert c.loc[root, "breadth"] == max(len(x) for x in layers)
            m = T.number_of_nodes()
            if m > 1:
                vir = nx.wiener_index(T.to_undirected()) / (m * (m - 1) / 2)
                assert abs(c.loc[root, "virality"] - vir) < 1e-9
            else:
                assert math.isnan(c.loc[root, "virality"])
    sub = forest.cascades(roots=[0, 5])
    assert list(sub.index) == [0, 5]


def test_referral_conversion_matches_pandas():
    rng = np.random.default_rng(8)
    src = rng.integers(0, 50, 400)
    dst = rng.integers(0, 50, 400)
    g = fn.ReferralGraph.from_edges(src, dst, duplicates="keep")
    outcome = pd.Series(rng.choice([0.0, 1.0, np.nan], 50), index=np.arange(50))
    r = g.referral_conversion(outcome)
    df = pd.DataFrame({"src": src, "y": outcome.reindex(dst).to_numpy()}).dropna()
    grp = df.groupby("src")["y"]
    np.testing.assert_array_equal(r["referred"].reindex(grp.count().index), grp.count())
    np.testing.assert_allclose(r["rate"].reindex(grp.mean().index), grp.mean())
    assert r.loc[~r.index.isin(df["src"]), "rate"].isna().all()


def test_labels_pandas_and_networkx_round_trip():
    df = pd.DataFrame({"referrer": ["acme", "acme", "bolt", "bolt", "acme"],
                       "referee": ["bolt", "cogs", "cogs", "cogs", "bolt"],
                       "when": pd.to_datetime(["2024-01-03", "2024-02-01", "2024-01-05", "2024-01-04", "2024-01-01"]),
                       "deals": [1.0, 2.0, 3.0, 4.0, 5.0]})
    g = fn.ReferralGraph.from_pandas(df, "referrer", "referee", weight="deals", time="when")
    assert list(g.nodes) == ["acme", "bolt", "cogs"]
    e = g.edges()
    assert len(e) == 3
    merged = e.set_index(["source", "target"])
    assert merged.loc[("acme", "bolt"), "weight"] == 6.0  # summed
    assert merged.loc[("bolt", "cogs"), "time"] == pd.Timestamp("2024-01-04").value  # earliest
    assert merged.loc[("acme", "bolt"), "input_row"] == 0
    assert g.degree("in").to_dict() == {"acme": 0, "bolt": 1, "cogs": 2}
    G = g.to_networkx()
    assert G["acme"]["bolt"]["weight"] == 6.0
    back = fn.ReferralGraph.from_networkx(G)
    assert back.edges()[["source", "target", "weight"]].equals(e[["source", "target", "weight"]])
    U = nx.karate_club_graph()
    kg = fn.ReferralGraph.from_networkx(U, weight=None)
    assert kg.number_of_edges == 156
    kept = fn.ReferralGraph.from_pandas(df, "referrer", "referee", duplicates="keep")
    assert isinstance(kept.to_networkx(), nx.MultiDiGraph)


def test_zero_copy_views_and_large_sparse_ids():
    src = np.array([10**15, 5, 5], dtype=np.int64)
    dst = np.array([5, 10**15, -3], dtype=np.int64)
    g = fn.ReferralGraph.from_edges(src, dst, nodes=[42])
    assert list(g.nodes) == [-3, 5, 42, 10**15]
    ids = g._core.ids
    assert not ids.flags.writeable
    with pytest.raises(ValueError):
        ids[0] = 1


def test_bad_input():
    with pytest.raises(fn.ShapeError, match="dst has length 2 but src has length 3"):
        fn.ReferralGraph.from_edges([1, 2, 3], [2, 3])
    with pytest.raises(fn.ShapeError, match="weight has length 1"):
        fn.ReferralGraph.from_edges([1, 2], [2, 3], weight=[1.0])
    with pytest.raises(fn.InvalidArgumentError, match="weight at row 1"):
        fn.ReferralGraph.from_edges([1, 2], [2, 3], weight=[1.0, np.nan])
    with pytest.raises(fn.InvalidArgumentError, match="dst: row 1 is missing"):
        fn.ReferralGraph.from_edges(["a", "b"], ["b", None])
    with pytest.raises(fn.InvalidArgumentError, match="self-loop at row 0"):
        fn.ReferralGraph.from_edges([1], [1], self_loops="reject")
    with pytest.raises(fn.DuplicateLabelError, match="rows 0 and 1"):
        fn.ReferralGraph.from_edges([1, 1], [2, 2], duplicates="reject")
    with pytest.raises(fn.InvalidArgumentError, match="self_loops must be one of"):
        fn.ReferralGraph.from_edges([1], [2], self_loops="sometimes")
    with pytest.raises(fn.EmptyInputError, match="no edges and no nodes"):
        fn.ReferralGraph.from_edges(np.array([], dtype=np.int64), np.array([], dtype=np.int64), nodes=[])
    with pytest.raises(fn.EmptyInputError):
        fn.ReferralGraph.from_edges([], [])
    g = fn.ReferralGraph.from_edges([1, 2], [2, 3])
    with pytest.raises(fn.InvalidArgumentError, match="personalization sums to 0"):
        g.pagerank(personalization={1: 0.0})
    with pytest.raises(fn.UnknownLabelError, match="personalization: 9"):
        g.pagerank(personalization={9: 1.0})
    with pytest.raises(fn.ShapeError, match="expected \\(3,\\)"):
        g.pagerank(personalization=[1.0, 2.0])
    with pytest.raises(fn.InvalidArgumentError, match="damping"):
        g.pagerank(damping=1.5)
    with pytest.raises(fn.ConvergenceError, match="did not converge"):
        g.pagerank(max_iter=1)
    with pytest.raises(fn.UnknownLabelError, match="source -1"):
        g.betweenness(sources=[-1])
    with pytest.raises(fn.OutOfRangeError, match="samples 4"):
        g.betweenness(samples=4)
    with pytest.raises(fn.InvalidArgumentError, match=r"outcome of node 2 must be in \[0, 1\]"):
        g.referral_conversion({2: 3.0})
    with pytest.raises(fn.UnknownLabelError, match="root 7"):
        g.cascades(roots=[7])
    loops = fn.ReferralGraph.from_edges([1, 1], [1, 2])
    with pytest.raises(fn.InvalidArgumentError, match="self-loops"):
        loops.core_numbers()


def test_readers_report_bad_lines(tmp_path, shared_data):
    p = tmp_path / "bad.txt"
    p.write_text("# header\n1 2\n2 three\n")
    with pytest.raises(fn.FormatError, match=r"bad.txt:3: target 'three' is not an integer"):
        fn.ReferralGraph.read_edge_list(p)
    with pytest.raises(fn.FileError, match="missing.txt"):
        fn.ReferralGraph.read_edge_list(tmp_path / "missing.txt")
    with pytest.raises(fn.FormatError, match="fmt '0.5' is not an integer"):
        fn.ReferralGraph.read_metis(shared_data / "graphs" / "karate" / "karate_ripples.tsv")
    g = fn.ReferralGraph.read_edge_list(shared_data / "graphs" / "ca-GrQc" / "CA-GrQc.txt", header_lines=1,
                                        self_loops="drop")
    assert g.number_of_nodes == 5242
    assert g.components().value_counts().iloc[0] == 4158
