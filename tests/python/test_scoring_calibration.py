"""Platt scaling with Platt's (1999) target smoothing against scikit-learn's sigmoid
calibration (which uses the same targets) and a direct scipy minimisation."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

import funnelnet as fn


def _scores(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = rng.normal(size=n) * 2.0
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.4 + 0.7 * s)))).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    return s, y, w


def _soft_ce(a: float, b: float, s: np.ndarray, t: np.ndarray, w: np.ndarray) -> float:
    eta = a + b * s
    return float(np.sum(w * (np.logaddexp(0, eta) - t * eta)))


def test_platt_smoothing_equals_scikit_learn_sigmoid_calibration() -> None:
    from sklearn.calibration import _sigmoid_calibration

    s, y, w = _scores(1)
    a, b = fn.scoring.calibration.platt(s, y, sample_weight=w)
    A, B = _sigmoid_calibration(s, y, sample_weight=w)  # P = 1 / (1 + exp(A s + B))
    assert b == pytest.approx(-A, abs=1e-5)
    assert a == pytest.approx(-B, abs=1e-5)


def test_platt_is_the_soft_target_maximum_likelihood() -> None:
    s, y, w = _scores(2, n=60)
    pos, neg = w[y == 1].sum(), w[y == 0].sum()
    t = np.where(y == 1, (pos + 1) / (pos + 2), 1 / (neg + 2))
    r = minimize(lambda v: _soft_ce(v[0], v[1], s, t, w), np.zeros(2), method="BFGS", options={"gtol": 1e-10})
    a, b = fn.scoring.calibration.platt(s, y, sample_weight=w)
    np.testing.assert_allclose([a, b], r.x, atol=1e-6)
    # without smoothing: the plain 0/1 maximum likelihood
    r0 = minimize(lambda v: _soft_ce(v[0], v[1], s, y, w), np.zeros(2), method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(fn.scoring.calibration.platt(s, y, sample_weight=w, smooth=False), r0.x, atol=1e-6)


def test_platt_smoothing_keeps_separable_scores_finite() -> None:
    s = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    y = np.array([0, 0, 0, 1, 1, 1])
    a, b = fn.scoring.calibration.platt(s, y)
    # with targets 1/5 and 4/5 on symmetric scores: a = 0 and p(3) < 4/5 + margin
    assert np.isfinite(b) and 0 < b < 10
    assert a == pytest.approx(0.0, abs=1e-9)
    assert 1 / (1 + np.exp(-(a + 3 * b))) < 0.9


def test_platt_bad_input() -> None:
    with pytest.raises(fn.InvalidArgumentError, match=r"y\[2\]"):
        fn.scoring.calibration.platt([0.0, 1.0, 2.0], [0, 1, 2])
    with pytest.raises(fn.InvalidArgumentError, match="both classes"):
        fn.scoring.calibration.platt([0.0, 1.0], [1, 1])


def test_calibrated_scorer_uses_smoothed_platt() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 2))
    y = (rng.random(500) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    c = fn.scoring.CalibratedScorer(method="platt", seed=2).fit(X, y)
    c0 = fn.scoring.CalibratedScorer(method="platt", seed=2, smooth=False).fit(X, y)
    assert c.calibration_ != c0.calibration_
    # the smoothed slope is pulled toward 0 (targets inside (0, 1))
    assert abs(c.calibration_[1]) < abs(c0.calibration_[1])
