"""Diffusion and influence maximisation from Python.  Oracles: live-edge enumeration
written here (itertools + networkx reachability) for IC and LT on tiny graphs, a long
independent simulation by cynetdiff (IC), brute-force best seed sets, and CELF
greedy for IMM (IMM must reach >= 0.95 of CELF's spread)."""
from __future__ import annotations

import array
import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet import influence

# A tiny referral graph with a cycle and shared referees (m = 9).
SRC = [0, 0, 1, 2, 2, 3, 4, 5, 1]
DST = [1, 2, 3, 3, 4, 5, 5, 0, 4]
P = [0.5, 0.3, 0.7, 0.2, 0.9, 0.4, 0.6, 0.35, 0.25]


@pytest.fixture(scope="module")
def tiny():
    return fn.ReferralGraph.from_edges(SRC, DST)


def edge_list(g):
    e = g.edges()
    return list(zip(e["source"], e["target"]))


def brute_ic(g, p, seeds):
    edges = edge_list(g)
    total = 0.0
    for live in itertools.product([0, 1], repeat=len(edges)):
        pr = np.prod([q if x else 1 - q for q, x in zip(p, live)])
        G = nx.DiGraph([e for e, x in zip(edges, live) if x])
        G.add_nodes_from(g.nodes)
        reached = set(seeds).union(*(nx.descendants(G, s) for s in seeds))
        total += pr * len(reached)
    return total


def brute_lt(g, w, seeds):
    edges = edge_list(g)
    into = {v: [i for i, (_, t) in enumerate(edges) if t == v] for v in g.nodes}
    nodes = list(g.nodes)
    total = 0.0
    for choice in itertools.product(*[into[v] + [None] for v in nodes]):
        pr = 1.0
        live = []
        for v, c in zip(nodes, choice):
            if c is None:
                pr *= 1 - sum(w[i] for i in into[v])
            else:
                pr *= w[c]
                live.append(edges[c])
        G = nx.DiGraph(live)
        G.add_nodes_from(nodes)
        total += pr * len(set(seeds).union(*(nx.descendants(G, s) for s in seeds)))
    return total


def probs_in_edge_order(g):
    """P given in input order, mapped to graph edge order via input_row."""
    return np.asarray(P)[g.edges()["input_row"].to_numpy()]


def test_exact_and_monte_carlo_ic_against_enumeration(tiny):
    p = probs_in_edge_order(tiny)
    for seeds in ([0], [2, 5], [3]):
        ref = brute_ic(tiny, p, seeds)
        assert abs(influence.exact_spread(tiny, seeds, probabilities=p) - ref) < 1e-12
        r = influence.spread(tiny, seeds, probabilities=p, n_sims=100_000, seed=2)
        assert abs(r.mean - ref) < 4 * r.stderr
        assert 0 < r.stderr < 0.01
        assert abs(r.by_round.sum() - r.mean) < 1e-9 and r.by_round[0] == len(seeds)


def test_exact_and_monte_carlo_lt_against_enumeration(tiny):
    w = probs_in_edge_order(tiny) * 0.5  # in-weights: keep sums <= 1
    for seeds in ([0], [1, 4]):
        ref = brute_lt(tiny, w, seeds)
        assert abs(influence.exact_spread(tiny, seeds, model="LT", probabilities=w) - ref) < 1e-12
        r = influence.spread(tiny, seeds, model="LT", probabilities=w, n_sims=100_000, seed=4)
        assert abs(r.mean - ref) < 4 * r.stderr


def test_long_simulation_agrees_with_cynetdiff(shared_data):
    import cynetdiff.models as cynet  # test oracle: tests/requirements/graph.txt
    g = fn.ReferralGraph.read_metis(shared_data / "graphs" / "karate" / "karate.graph")
    p = influence.edge_probabilities(g, "wc")
    c = g._core
    starts = array.array("I", np.searchsorted(np.asarray(c.sources), np.arange(g.number_of_nodes)).astype(np.uint32))
    edges = array.array("I", np.asarray(c.targets, dtype=np.uint32))
    model = cynet.IndependentCascadeModel(starts, edges, activation_probs=array.array("f", p.astype(np.float32)), rng=5)
    seeds = [0, 33]
    n = 200_000
    theirs = model.compute_marginal_gains(seeds, [], n)[0]
    ours = influence.spread(g, list(g.nodes[seeds]), probabilities=p, n_sims=n, seed=5)
    # Independent simulators: agree within the combined standard error.
    assert abs(ours.mean - theirs) < 5 * np.sqrt(2) * ours.stderr


def test_same_seed_same_answer_at_any_thread_count(shared_data):
    g = fn.ReferralGraph.read_edge_list(shared_data / "graphs" / "email-Eu-core" / "email-Eu-core.txt")
    a = influence.spread(g, [0, 1, 2], n_sims=3000, seed=9, threads=1)
    b = influence.spread(g, [0, 1, 2], n_sims=3000, seed=9, threads=4)
    assert a.mean == b.mean and a.stderr == b.stderr
    ia = influence.imm(g, 5, seed=3, threads=1)
    ib = influence.imm(g, 5, seed=3, threads=3)
    assert ia.seeds == ib.seeds and ia.spread == ib.spread and ia.n_rr_sets == ib.n_rr_sets


def test_celf_matches_brute_force_and_imm_matches_celf(tiny, shared_data):
    p = probs_in_edge_order(tiny)
    best = max(brute_ic(tiny, p, list(s)) for s in itertools.combinations(tiny.nodes, 2))
    c = influence.celf(tiny, 2, probabilities=p, n_sims=20000)
    assert brute_ic(tiny, p, c.seeds) >= 0.97 * best
    for path, reader, k in (("karate/karate.graph", fn.ReferralGraph.read_metis, 4),
                            ("email-Eu-core/email-Eu-core.txt", fn.ReferralGraph.read_edge_list, 5)):
        g = reader(shared_data / "graphs" / path)
        for model in ("IC", "LT"):
            i = influence.imm(g, k, model=model, eps=0.3, seed=1)
            big = "email" in path
            cg = influence.celf(g, k, model=model, n_sims=100 if big else 2000, seed=1)
            si = influence.spread(g, i.seeds, model=model, n_sims=4000 if big else 20000, seed=77).mean
            sc = influence.spread(g, cg.seeds, model=model, n_sims=4000 if big else 20000, seed=77).mean
            assert si >= 0.95 * sc, (path, model, si, sc)
            assert abs(i.spread - si) < 0.1 * si  # RR estimate close to the simulated spread
            assert len(i.spread_after) == k and (np.diff(i.spread_after.to_numpy()) >= 0).all()


def test_values_costs_and_budget(tiny):
    value = pd.Series({0: 1.0, 1: 5.0, 2: 2.0, 3: 9.0, 4: 0.0, 5: 3.0})
    zero = np.zeros(tiny.number_of_edges)
    r = influence.imm(tiny, 2, probabilities=zero, values=value)
    assert sorted(r.seeds) == [1, 3]
    assert abs(r.spread - 14.0) < 0.5
    cost = {0: 1, 1: 1, 2: 1, 3: 10, 4: 1, 5: 1}
    rb = influence.imm(tiny, 6, probabilities=zero, values=value, costs=cost, budget=3)
    assert sorted(rb.seeds) == [1, 2, 5] and rb.cost == 3.0
    cb = influence.celf(tiny, 6, probabilities=zero, values=value, costs=cost, budget=3, n_sims=10)
    assert sorted(cb.seeds) == [1, 2, 5] and cb.spread == 10.0
    s = influence.spread(tiny, [1, 3], probabilities=zero, values=value, n_sims=10)
    assert s.value_mean == 14.0 and s.mean == 2.0


def test_probability_choices(tiny):
    e = tiny.edges()
    indeg = e.groupby("target")["source"].transform("count").to_numpy()
    np.testing.assert_allclose(influence.edge_probabilities(tiny, "wc"), 1 / indeg)
    assert (influence.edge_probabilities(tiny, 0.25) == 0.25).all()
    t = influence.edge_probabilities(tiny, "trivalency", seed=3)
    assert set(t) <= {0.1, 0.01, 0.001}
    succ = np.arange(tiny.number_of_edges, dtype=float)
    expo = succ * 2 + 1
    np.testing.assert_allclose(influence.edge_probabilities(tiny, "learned", successes=succ, exposures=expo, prior=(2, 3)),
                               (succ + 2) / (expo + 5))
    wg = fn.ReferralGraph.from_edges([0, 1], [1, 2], weight=[0.2, 0.9])
    np.testing.assert_allclose(influence.edge_probabilities(wg, "weight"), [0.2, 0.9])
    assert abs(influence.exact_spread(wg, [0], probabilities="weight") - (1 + 0.2 + 0.2 * 0.9)) < 1e-12


def test_bad_input(tiny):
    m = tiny.number_of_edges
    with pytest.raises(fn.InvalidArgumentError, match=r"edge 1 \(0 -> 2\) must be in \[0, 1\], got nan"):
        influence.spread(tiny, [0], probabilities=np.r_[0.5, np.nan, np.full(m - 2, 0.5)])
    with pytest.raises(fn.InvalidArgumentError, match="got 1.5"):
        influence.spread(tiny, [0], probabilities=1.5)
    with pytest.raises(fn.ShapeError, match=f"expected \\({m},\\)"):
        influence.spread(tiny, [0], probabilities=[0.1, 0.2])
    with pytest.raises(fn.InvalidArgumentError, match="LT in-weights of node 3 sum to 1.2"):
        influence.spread(tiny, [0], model="LT", probabilities=0.6)
    with pytest.raises(fn.UnknownLabelError, match="seed -4"):
        influence.spread(tiny, [-4])
    with pytest.raises(fn.InvalidArgumentError, match="model must be"):
        influence.spread(tiny, [0], model="SIR")
    with pytest.raises(fn.OutOfRangeError, match="k = 7 exceeds the 6 nodes"):
        influence.imm(tiny, 7)
    with pytest.raises(fn.OutOfRangeError, match="k = 9"):
        influence.celf(tiny, 9)
    with pytest.raises(fn.InvalidArgumentError, match="epsilon"):
        influence.imm(tiny, 2, eps=1.5)
    with pytest.raises(fn.InvalidArgumentError, match="budget"):
        influence.imm(tiny, 2, costs={0: 1.0})
    with pytest.raises(fn.InvalidArgumentError, match="n_sims"):
        influence.spread(tiny, [0], n_sims=0)
    with pytest.raises(fn.InvalidArgumentError, match="edge 0 has 3 successes over 1 exposures"):
        influence.edge_probabilities(tiny, "learned", successes=np.full(m, 3.0), exposures=np.ones(m))
    with pytest.raises(fn.InputTypeError):
        influence.spread("not a graph", [0])


def test_progress_bar_and_cancel(tiny, capsys):
    r = influence.spread(tiny, [0], n_sims=2000, seed=1, progress=True)
    assert r.n_sims == 2000
    # A callback returning False cancels through the C++ progress hook.
    from funnelnet import _core

    p = influence.edge_probabilities(tiny, "wc")
    with pytest.raises(fn.CancelledError):
        _core.graph.spread(tiny._core, np.array([0], dtype=np.int64), p, 0, 5000, 1, 2,
                           np.empty(0), lambda done, total: False)


def test_activation_times_with_delays():
    # 0 -> 1 (1 day), 0 -> 2 (5 days), 1 -> 2 (1 day).  IC with p(0->1) = p(1->2) = 0.5 and
    # 0 -> 2 closed: node 1 at day 1 w.p. 0.5, node 2 at day 2 w.p. 0.25.
    g = fn.ReferralGraph.from_edges([0, 0, 1], [1, 2, 2])
    e = g.edges()
    assert list(zip(e["source"], e["target"])) == [(0, 1), (0, 2), (1, 2)]
    r = influence.spread(g, [0], probabilities=[0.5, 0.0, 0.5], n_sims=100_000, seed=3,
                         delays=[1.0, 5.0, 1.0], time_bins=[0, 0.5, 1.5, 2.5, np.inf])
    assert r.by_time.iloc[0] == 1.0
    assert abs(r.by_time.iloc[1] - 0.5) < 0.01 and abs(r.by_time.iloc[2] - 0.25) < 0.01
    assert r.by_time.iloc[3] == 0.0
    assert r.by_time.index[1] == pd.Interval(0.5, 1.5, closed="left")
    with pytest.raises(fn.InvalidArgumentError, match="delay of edge 1"):
        influence.spread(g, [0], delays=[1.0, -1.0, 1.0], time_bins=[0, 1])
    with pytest.raises(fn.InvalidArgumentError, match="strictly increasing"):
        influence.spread(g, [0], delays=[1.0, 1.0, 1.0], time_bins=[0, 2, 1])
    with pytest.raises(fn.InvalidArgumentError, match="both delays"):
        influence.spread(g, [0], delays=[1.0, 1.0, 1.0])
