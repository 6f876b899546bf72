"""In the notebook: compact ``_repr_html_`` of the main objects (the numbers shown are
the object's own, labels escaped, nothing heavy computed), tqdm progress bars, and a
clean Ctrl-C (SIGINT) during long C++ jobs: KeyboardInterrupt, nothing half-changed,
the SIGINT handler restored."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn


def _counts():
    f = fn.Funnel(["<lead>", "demo"], outcomes=["won", "lost"])
    return fn.TransitionCounts.from_paths(["<lead>|demo|won", "<lead>|lost", "<lead>|demo|lost"], funnel=f, sep="|")


def test_chain_and_counts_html():
    c = _counts()
    h = c._repr_html_()
    assert "TransitionCounts" in h and "transitions: 5" in h
    assert "&lt;lead&gt;" in h and "<lead>" not in h  # labels escaped
    chain = c.fit()
    h = chain._repr_html_()
    assert "MarkovChain" in h and "stages: 2" in h and "outcomes: won, lost" in h
    assert "<td>0.6667</td>" in h  # P[<lead>, demo] = 2/3 as shown


def test_large_chain_html_shows_a_corner_without_analysis(monkeypatch):
    n = 40
    p = np.zeros((n, n))
    p[np.arange(n - 1), np.arange(1, n)] = 1.0
    p[n - 1, n - 1] = 1.0
    chain = fn.MarkovChain(p)
    monkeypatch.setattr(fn.MarkovChain, "fundamental_matrix", lambda self: pytest.fail("heavy compute in repr"))
    h = chain._repr_html_()
    assert "first 10 of 40 states" in h and "<th>s11</th>" in h and "s12" not in h  # 10 rows, 12 columns


def test_graph_html_reads_only_the_first_edges(monkeypatch):
    g = fn.ReferralGraph.from_edges(np.arange(1000), np.arange(1, 1001))
    monkeypatch.setattr(fn.ReferralGraph, "edges", lambda self: pytest.fail("full edge table built in repr"))
    h = g._repr_html_()
    assert "nodes: 1,001" in h and "edges: 1,000" in h and "first 5 of 1,000 edges" in h
    assert h.count("<tr>") == 5  # 5 edges (after the header row)


def test_customer_models_html():
    bg = fn.customers.BetaGeo()
    assert "fitted: False" in bg._repr_html_()
    bg = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    h = bg._repr_html_()
    assert "BetaGeo" in h and "<td>4.414</td>" in h and "parameters: given" in h
    rng = np.random.default_rng(0)
    x = rng.poisson(1, 300).astype(float)
    t = np.full(300, 30.0)
    r = np.where(x > 0, rng.uniform(0, 30, 300), 0.0)
    fitted = fn.customers.BetaGeo().fit(x, r, t)
    h = fitted._repr_html_()
    assert f"log_likelihood: {fitted.log_likelihood_:.6g}" in h and f"converged: {fitted.converged_}" in h
    snaps = pd.DataFrame({"customer": [1, 1, 1, 2, 2], "period": [0, 1, 2, 0, 1], "tier": ["A", "A", "B", "B", "B"]})
    tm = fn.customers.TierMigration()
    assert "fitted: False" in tm._repr_html_()
    h = tm.fit(snaps)._repr_html_()
    assert "customers: 2" in h and h.count("<td>0.5</td>") == 2  # from A: once to A, once to B


def test_attribution_and_result_html():
    m = fn.attribution.MarkovAttribution()
    assert "fitted: False" in m._repr_html_()
    df = pd.DataFrame({"path": ["a > b", "a", "b"], "total_conversions": [1, 0, 1], "total_null": [0, 1, 1]})
    m.fit(df)
    h = m._repr_html_()
    assert f"P(conversion): {m.conversion_probability_:.6g}" in h and "removal_effect" in h
    assert "AbsorptionResult" in _counts().fit().absorption()._repr_html_()


def test_layout_progress_bar(capsys):
    g = fn.ReferralGraph.from_edges(np.arange(50), np.arange(1, 51))
    g.layout(iterations=7, progress=True)
    err = capsys.readouterr().err
    assert "layout" in err and "7/7" in err


def _interrupt_after(seconds: float) -> threading.Timer:
    t = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    t.start()
    return t


@pytest.fixture
def big_paths():
    rng = np.random.default_rng(0)
    ch = np.array(list("abcdefghijklmnopqrst"))
    paths = [" > ".join(rng.choice(ch, rng.integers(1, 12))) for _ in range(100_000)]
    return pd.DataFrame({"path": paths, "total_conversions": rng.integers(0, 3, len(paths)),
                         "total_null": rng.integers(0, 3, len(paths))})


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_cancels_a_fit_and_changes_nothing(big_paths):
    small = pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 0], "total_null": [0, 1]})
    m = fn.attribution.MarkovAttribution(order=3).fit(small)
    before = m.channels()
    # The interrupt must reach the C++ fit: after the paths are read (Python, about a fifth
    # of the call) and before the fit ends.  The whole call is timed once on this machine
    # and the signal sent at 60 % of it, so neither end is a race (a fixed delay was: the
    # fit got faster than the delay and the signal then hit the next test).
    paths = pd.concat([big_paths] * 3, ignore_index=True)
    t0 = time.perf_counter()
    fn.attribution.MarkovAttribution(order=3).fit(paths)
    timer = _interrupt_after(0.6 * (time.perf_counter() - t0))
    with pytest.raises(KeyboardInterrupt, match="nothing was changed"):
        m.fit(paths)
    timer.join()
    pd.testing.assert_frame_equal(m.channels(), before)  # the old fit is intact
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_cancels_monte_carlo_with_a_bar():
    rng = np.random.default_rng(1)
    g = fn.ReferralGraph.from_edges(rng.integers(0, 5000, 50_000), rng.integers(0, 5000, 50_000))
    timer = _interrupt_after(0.2)
    with pytest.raises(KeyboardInterrupt, match="spread interrupted"):
        fn.influence.spread(g, [0, 1, 2], n_sims=10**8, progress=True)
    timer.join()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # a cancel by other means stays a CancelledError, and runs after it are unaffected
    assert fn.influence.spread(g, [0], n_sims=10).n_sims == 10
