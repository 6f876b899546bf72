"""Issue 17: hostile inputs give typed errors naming the culprit (never an untyped
UnicodeDecodeError / pybind TypeError / KeyError / numpy message), silent wrong answers
are refused, long jobs stop on Ctrl-C as KeyboardInterrupt, and unbounded work is
bounded.  Each case failed before the fix; oracles are closed forms written here."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.customers import BetaGeo, markov_clv, summary_from_transactions

G = fn.ReferralGraph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])
FUNNEL = fn.Funnel(["new", "qual"], outcomes=["won", "lost"])
EVENTS = pd.DataFrame({"lead": [1, 1, 2, 2], "stage": ["new", "won", "new", "lost"], "time": [0, 1, 0, 2]})


# ------------------------------------------------------------------ untyped errors (item 4)
def test_non_utf8_model_file_is_a_format_error(tmp_path):
    p = tmp_path / "model.json"
    p.write_bytes(b"\xff\xfe{")
    with pytest.raises(fn.FormatError, match="not UTF-8.*0xff"):
        fn.load_model(p)


def test_non_utf8_edge_list_is_a_format_error_naming_the_line(tmp_path):
    p = tmp_path / "edges.txt"
    p.write_bytes(b"\xff 1\n2 3\n")
    with pytest.raises(fn.FormatError, match=r"edges.txt:1: source '\\xff' is not an integer"):
        fn.ReferralGraph.read_edge_list(p)


def test_deeply_nested_json_is_a_format_error(tmp_path):
    p = tmp_path / "nested.json"
    p.write_text("[" * 100_000)
    with pytest.raises(fn.FormatError):
        fn.load_model(p)


_LOG = pd.DataFrame({"lead": [1, 1], "stage": pd.Series(["a", "won"], dtype="string[pyarrow]"),
                     "time": [1, 2]})


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: fn.graph.influence.spread(G, [0], seed=-1), "seed"),
        (lambda: fn.graph.influence.spread(G, [0], n_sims=2**64), "n_sims"),
        (lambda: fn.graph.influence.spread(G, [0], threads=-1), "threads"),
        (lambda: fn.graph.influence.imm(G, k=-1), "k"),
        (lambda: fn.graph.influence.celf(G, k=1, n_sims=-3), "n_sims"),
        (lambda: G.pagerank(max_iter=-1), "max_iter"),
        (lambda: G.katz(max_iter=2**40), "max_iter"),
        (lambda: G.betweenness(samples=-2), "samples"),
        (lambda: G.cascades(threads=-1), "threads"),
        (lambda: fn.MarkovChain([[0.5, 0.5], [0, 1]]).simulate(-1), "n_leads"),
        (lambda: fn.MarkovChain([[0.5, 0.5], [0, 1]]).simulate(5, seed=2**64), "seed"),
        (lambda: BetaGeo(max_iterations=-1), "max_iterations"),
        (lambda: BetaGeo(threads=-4), "threads"),
        (lambda: markov_clv(np.eye(2), [1.0, 1.0], 0.1, horizon=-5), "horizon"),
        (lambda: fn.customers.TierMigration(periods_per_year=0), "periods_per_year"),
        (lambda: fn.TransitionCounts.from_events(_LOG, lead="lead", stage="stage", time="time",
                                                 absorbing=["won"], threads=-1), "threads"),
        (lambda: fn.TransitionCounts.from_periods(_LOG, lead="lead", stage="stage", time="time",
                                                  absorbing=["won"], threads=-2), "threads"),
        (lambda: fn.ExposureCounts.from_events(_LOG, lead="lead", stage="stage", time="time",
                                               absorbing=["won"], threads=-1), "threads"),
    ],
)
def test_integer_arguments_out_of_range_name_the_parameter(call, name):
    with pytest.raises(fn.OutOfRangeError, match=rf"^{name} must be an integer in \[") as e:
        call()
    assert isinstance(e.value, ValueError)
    assert "incompatible function arguments" not in str(e.value)


def test_integer_arguments_of_the_wrong_type_are_input_type_errors():
    with pytest.raises(fn.InputTypeError, match="seed must be an integer, got 1.5"):
        fn.graph.influence.spread(G, [0], seed=1.5)


def test_funnel_names_must_be_lists():
    with pytest.raises(fn.InputTypeError, match="stages must be a list of names, got None"):
        fn.Funnel(None)
    with pytest.raises(fn.InputTypeError, match="outcomes must be a list of names, got the single string 'won'"):
        fn.Funnel(["a", "b"], outcomes="won")  # was split into 'w', 'o', 'n'


def test_from_paths_empty_separator():
    with pytest.raises(fn.InvalidArgumentError, match="separator"):
        fn.TransitionCounts.from_paths(["new>won"], funnel=FUNNEL, sep="")


def test_duplicated_column_is_named():
    d = EVENTS.copy()
    d.columns = ["lead", "stage", "stage"]
    with pytest.raises(fn.InvalidArgumentError, match="column 'stage' appears 2 times"):
        fn.TransitionCounts.from_events(d, lead="lead", stage="stage", time="stage", funnel=FUNNEL)


def test_matrix_of_strings_is_an_input_type_error():
    with pytest.raises(fn.InputTypeError, match="matrix must hold numbers, got text \\(first entry 'a'\\)"):
        fn.MarkovChain([["a", "b"], ["c", "d"]])


def test_beta_geo_initial_must_name_every_parameter():
    with pytest.raises(fn.InvalidArgumentError, match="initial must give every parameter of BetaGeo.*missing alpha"):
        BetaGeo().fit([1, 2, 0], [1, 2, 0], [3, 3, 3], initial={"r": 1})


def test_summary_of_no_transactions_and_garbage_dates():
    with pytest.raises(fn.EmptyInputError, match="no transactions"):
        summary_from_transactions(pd.DataFrame({"c": [], "t": []}), customer="c", time="t")
    df = pd.DataFrame({"c": [1], "t": [pd.Timestamp("2020-01-01")]})
    with pytest.raises(fn.InputTypeError, match="calibration_end: cannot read 'garbage' as a date"):
        summary_from_transactions(df, customer="c", time="t", calibration_end="garbage")


def test_duplicate_tier_names():
    snaps = pd.DataFrame({"customer": [1, 1], "period": [0, 1], "tier": ["A", "B"]})
    with pytest.raises(fn.InvalidArgumentError, match="'A' is listed more than once"):
        fn.customers.TierMigration(tiers=["A", "B", "A"]).fit(snaps, customer="customer", period="period", tier="tier")


# ------------------------------------------------------------------ silent wrong answers (item 5)
def test_nullable_int_time_with_na_is_refused_naming_the_row():
    d = EVENTS.copy()
    d["time"] = pd.array([0, pd.NA, 0, 2], dtype="Int64")
    with pytest.raises(fn.InvalidArgumentError, match="time: row 1 is missing"):
        fn.TransitionCounts.from_events(d, lead="lead", stage="stage", time="time", funnel=FUNNEL)


def test_nullable_int_ids_with_na_are_refused_naming_the_row():
    d = EVENTS.copy()
    d["lead"] = pd.array([1, 1, pd.NA, 2], dtype="Int64")
    with pytest.raises(fn.InvalidArgumentError, match="lead: row 2 is missing"):
        fn.TransitionCounts.from_events(d, lead="lead", stage="stage", time="time", funnel=FUNNEL)


def test_uint64_node_ids_keep_their_values():
    big = np.array([2**63 + 5, 2**64 - 1], dtype=np.uint64)
    g = fn.ReferralGraph.from_edges(big, np.array([1, 2**63 + 5], dtype=np.uint64))
    assert sorted(int(v) for v in g.nodes) == [1, 2**63 + 5, 2**64 - 1]
    pr = g.pagerank()
    assert (pr.index.to_numpy() >= 0).all() if pr.index.dtype.kind in "iu" else True
    assert int(2**64 - 1) in {int(v) for v in pr.index}


def test_simulate_max_steps_zero_is_refused():
    df = pd.DataFrame({"path": ["a > b", "b", "a"], "conv": [3, 1, 2], "null": [1, 4, 2]})
    m = fn.attribution.MarkovAttribution(1).fit(df, path="path", conversions="conv", nulls="null")
    with pytest.raises(fn.OutOfRangeError, match="max_steps must be an integer in \\[1, "):
        m.simulate(1000, max_steps=0)


def test_beta_geo_max_iterations_zero_is_refused():
    with pytest.raises(fn.OutOfRangeError, match="max_iterations must be an integer in \\[1, "):
        BetaGeo(max_iterations=0)


def test_load_model_paths(tmp_path):
    chain = fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["open", "won"])
    p = tmp_path / "c.json"
    chain.save(p)
    assert fn.load_model(os.fsencode(p)) == chain  # bytes paths are paths
    with pytest.raises(fn.InputTypeError, match="path must be a path .*got NoneType"):
        fn.load_model(None)  # opened a file called "None"
    with pytest.raises(fn.FileError, match="folder"):
        fn.load_model(tmp_path)


# ------------------------------------------------------------------ unbounded work (item 8)
def test_transition_matrix_at_huge_horizons_is_the_limit():
    c = fn.ContinuousChain([[-1.0, 1.0], [0.0, 0.0]])
    for t in (1e19, 1e100, 1e300):
        p = c.transition_matrix(t).to_numpy()
        np.testing.assert_allclose(p, [[0.0, 1.0], [0.0, 1.0]], atol=1e-12)
    np.testing.assert_allclose(c.transition_matrix(2.0).to_numpy()[0, 0], np.exp(-2.0), rtol=1e-12)


def test_close_time_cdf_of_huge_k_is_fast_and_exact():
    m = fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["open", "won"])
    t0 = time.perf_counter()
    got = m.close_time_cdf(2**40)
    assert time.perf_counter() - t0 < 2.0  # ran 21 hours before
    assert float(np.asarray(got).ravel()[0]) == 1.0
    slow = fn.MarkovChain([[1 - 1e-6, 1e-6], [0, 1]], states=["open", "won"])  # needs the squaring path
    got = float(np.asarray(slow.close_time_cdf(3 * 10**6)).ravel()[0])
    assert got == pytest.approx(1 - (1 - 1e-6) ** (3 * 10**6), rel=1e-9)  # about 1 - e^-3
    assert float(np.asarray(m.close_time_cdf(3)).ravel()[0]) == pytest.approx(1 - 0.5**3, abs=1e-15)


# ------------------------------------------------------------------ Ctrl-C (item 7)
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_long_job_without_progress():
    code = textwrap.dedent("""
        import sys, numpy as np, funnelnet as fn
        rng = np.random.default_rng(0)
        g = fn.ReferralGraph.from_edges(rng.integers(0, 3000, 60000), rng.integers(0, 3000, 60000))
        print("ready", flush=True)
        try:
            fn.graph.influence.spread(g, [0, 1, 2], probabilities=0.05, n_sims=10**9, threads=1)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
            sys.exit(0)
        print("finished", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert out.strip() == "KeyboardInterrupt"
    assert time.perf_counter() - t0 < 30


def test_imm_refuses_an_eps_that_does_not_fit_in_memory():
    ring = fn.ReferralGraph.from_edges(np.arange(100), (np.arange(100) + 1) % 100)
    t0 = time.perf_counter()
    with pytest.raises(MemoryError, match=r"IMM with eps=1e-05 needs about .* use eps >= "):
        fn.graph.influence.imm(ring, k=3, eps=1e-5, probabilities=0.1)
    assert time.perf_counter() - t0 < 5.0


# ------------------------------------------------------------------ crash-safe saves (item 6)
_WRITER = textwrap.dedent("""
    import sys, numpy as np, funnelnet as fn
    path, which = sys.argv[1], int(sys.argv[2])
    n = 300
    p = np.full((n, n), 1.0 / n) if which else np.eye(n)
    chain = fn.MarkovChain(p, states=[f"s{i}" for i in range(n)])
    print("ready", flush=True)
    while True:
        chain.save(path)
        if len(sys.argv) > 3:
            break
""")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_writers_never_leave_a_partial_model(tmp_path):
    path = tmp_path / "model.json"
    subprocess.run([sys.executable, "-c", _WRITER, str(path), "0", "once"], check=True, capture_output=True)
    old = fn.load_model(path)
    iterations = int(os.environ.get("FUNNELNET_KILL_ITERATIONS", "30"))
    rng = np.random.default_rng(0)
    for _ in range(iterations):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), "1"], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.0, 0.05)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = fn.load_model(path)  # always a whole file: the old model or the new one
        assert got.states == old.states
        assert np.allclose(got.to_numpy(), np.eye(300)) or np.allclose(got.to_numpy(), 1.0 / 300)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.json"]
    assert len(leftovers) <= iterations  # killed writers may leave their own temporaries, never the model


def test_two_processes_saving_one_path_both_succeed(tmp_path):
    path = tmp_path / "model.json"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(w), "once"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in (0, 1, 0, 1)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err  # no spurious error for either writer
    got = fn.load_model(path)
    assert np.allclose(got.to_numpy(), np.eye(300)) or np.allclose(got.to_numpy(), 1.0 / 300)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporaries left


# ------------------------------------------------------------------ threads sharing fitted models
def test_python_threads_sharing_one_graph_match_one_thread():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(1)
    g = fn.ReferralGraph.from_edges(rng.integers(0, 500, 3000), rng.integers(0, 500, 3000))
    want_pr = g.pagerank(threads=1)
    want_sp = fn.graph.influence.spread(g, [g.nodes[0], g.nodes[1]], probabilities=0.05, n_sims=300, seed=3, threads=1)

    def work(i):
        pr = g.pagerank(threads=1 + i % 3)
        sp = fn.graph.influence.spread(g, [g.nodes[0], g.nodes[1]], probabilities=0.05, n_sims=300, seed=3,
                                       threads=i % 3)
        return pr, sp

    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(work, range(32)))
    for pr, sp in results:
        assert pr.equals(want_pr)  # bit-identical
        assert sp.mean == want_sp.mean


def test_path_counts_that_overflow_are_refused():
    df = pd.DataFrame({"path": ["a > b", "b", "a"], "conv": [1e308, 1e308, 1.0], "null": [1e308, 0.0, 1.0]})
    with pytest.raises(fn.InvalidArgumentError, match="add up to more than a float holds"):
        fn.attribution.MarkovAttribution(1).fit(df, path="path", conversions="conv", nulls="null")


# ------------------------------------------------------------------ stop 12 (harden2)
def test_nul_inside_a_channel_name_is_refused_naming_the_path():
    # C callers and model-file readers would cut the name at the NUL: one rule, as for stages.
    df = pd.DataFrame({"path": ["a > b", "b > c\x00d", "a"], "conv": [3, 1, 2], "null": [1, 4, 2]})
    with pytest.raises(fn.InvalidArgumentError, match="path 1, touch 1: channel name 'c\\\\0...' contains a NUL"):
        fn.attribution.MarkovAttribution(1).fit(df, path="path", conversions="conv", nulls="null")


def test_from_periods_window_of_too_many_periods_is_named():
    # Before: a float-to-int overflow reported as "cutoff (-9.2e-282) must be later than origin (0)".
    df = pd.DataFrame({"lead": [1, 1], "stage": ["new", "won"], "time": [0.0, 1.0]})
    with pytest.raises(fn.OutOfRangeError, match="the window from 0 to 1 holds 1e\\+300 periods of 1e-300"):
        fn.TransitionCounts.from_periods(df, lead="lead", stage="stage", time="time", period=1e-300,
                                         funnel=FUNNEL)


def test_markov_clv_at_the_largest_horizon_is_quick_and_the_closed_form():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.0, 0.0, 1.0]])
    r = np.array([100.0, 40.0, 5.0])
    t0 = time.perf_counter()
    v = markov_clv(p, r, 0.05, horizon=2**63 - 1)  # was INT64_MAX matrix-vector products
    assert time.perf_counter() - t0 < 5.0
    np.testing.assert_allclose(v, np.linalg.solve(np.eye(3) - p / 1.05, r), rtol=1e-9)
    with pytest.raises(fn.OutOfRangeError, match="overflows a double"):
        markov_clv(p, r, -0.5, horizon=2**63 - 1)
