"""progress= on the long jobs added by issue 15 (chain simulation, repeat-buying fits)
and the one Ctrl-C mechanism: a real SIGINT mid-job raises KeyboardInterrupt naming the
job and leaves the object as it was; a program's own SIGINT handler is respected."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

MAIN = threading.current_thread() is threading.main_thread()
CHAIN = fn.MarkovChain([[0.2, 0.5, 0.2, 0.1], [0.1, 0.3, 0.3, 0.3], [0, 0, 1, 0], [0, 0, 0, 1]],
                       states=["new", "open", "won", "lost"])


def _interrupt_after(seconds: float) -> threading.Timer:
    t = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    t.start()
    return t


def _bgnbd_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sim = fn.customers.BetaGeo.from_params(r=0.25, alpha=4.0, a=0.8, b=2.5).simulate(
        np.random.default_rng(seed).uniform(20, 60, n), seed=seed)
    return sim["frequency"].to_numpy(), sim["recency"].to_numpy(), sim["T"].to_numpy()


def test_simulate_progress_bar_and_same_log(capsys):
    a = CHAIN.simulate(50_000, seed=4, progress=True)
    err = capsys.readouterr().err
    assert "simulate" in err and "13/13" in err          # 50,000 leads = 13 blocks of 4,096
    pd.testing.assert_frame_equal(a, CHAIN.simulate(50_000, seed=4, threads=1))  # the bar changes nothing


def test_repeat_fits_progress_bar_same_fit(capsys):
    x, r, t = _bgnbd_data(2000)
    quiet = fn.customers.BetaGeo().fit(x, r, t)
    shown = fn.customers.BetaGeo().fit(x, r, t, progress=True)
    assert "BetaGeo fit" in capsys.readouterr().err
    np.testing.assert_array_equal(quiet.params_.to_numpy(), shown.params_.to_numpy())
    p = fn.customers.ParetoNBD().fit(x, r, t, progress=True)
    assert "ParetoNBD fit" in capsys.readouterr().err and p.converged_
    keep = x > 0
    spend = np.random.default_rng(1).gamma(3.0, 20.0, int(keep.sum()))
    gg = fn.customers.GammaGamma().fit(x[keep], spend, progress=True)
    assert "GammaGamma fit" in capsys.readouterr().err
    np.testing.assert_array_equal(gg.params_.to_numpy(),
                                  fn.customers.GammaGamma().fit(x[keep], spend).params_.to_numpy())


@pytest.mark.skipif(not MAIN, reason="signals need the main thread")
def test_ctrl_c_mid_fit_leaves_the_model_unchanged():
    x, r, t = _bgnbd_data(300, seed=2)
    m = fn.customers.BetaGeo(compress=False).fit(x, r, t)
    before = m.params_.copy()
    shift = np.repeat(np.arange(4000) * 1e-3, len(x))
    big_x = np.tile(x, 4000)
    big_t = np.tile(t, 4000) + shift      # 1.2 million distinct customers: the fit takes seconds
    big_r = np.tile(r, 4000) + shift * (big_x > 0)
    # The signal must land inside the fit: the fit is timed once on this machine and the
    # signal sent at 60 % of it (a fixed 0.5 s races a fit of 0.8 s on a quiet machine).
    t0 = time.perf_counter()
    fn.customers.BetaGeo(compress=False).fit(big_x, big_r, big_t)
    timer = _interrupt_after(0.6 * (time.perf_counter() - t0))
    with pytest.raises(KeyboardInterrupt, match="BetaGeo fit interrupted \\(nothing was changed\\)"):
        m.fit(big_x, big_r, big_t)
    timer.join()
    pd.testing.assert_series_equal(m.params_, before)     # the old fit is intact
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert fn.customers.BetaGeo().fit(x, r, t).converged_  # later fits are unaffected


@pytest.mark.skipif(not MAIN, reason="signals need the main thread")
def test_ctrl_c_mid_simulation_without_a_bar():
    timer = _interrupt_after(0.3)
    with pytest.raises(KeyboardInterrupt, match="simulate interrupted"):
        CHAIN.simulate(10**9, seed=1, threads=2)            # would need hours and far more memory
    timer.join()
    assert len(CHAIN.simulate(10, seed=1)) > 0


@pytest.mark.skipif(not MAIN, reason="signals need the main thread")
def test_a_programs_own_sigint_handler_runs_and_decides():
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        timer = _interrupt_after(0.2)
        out = CHAIN.simulate(1_500_000, seed=2, threads=1)  # a handler that does not raise: the job goes on
        timer.join()
        assert seen == [signal.SIGINT]
        pd.testing.assert_frame_equal(out.tail(3).reset_index(drop=True),
                                      CHAIN.simulate(1_500_000, seed=2).tail(3).reset_index(drop=True))
    finally:
        signal.signal(signal.SIGINT, previous)
