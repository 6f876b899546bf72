"""PooledScorer (per-segment scorers under a pooled prior) against independent oracles:
the MAP from scipy on a written-out objective, the inverse Hessian written out, the
synthetic company's true conversion probabilities, and interval coverage in simulation."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

import funnelnet as fn


def _toy(seed: int, n: int = 500, S: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * [1.0, 3.0] + [0.5, -2.0]
    seg = rng.integers(0, S, n)
    eta = -0.5 + 0.3 * (seg - 1.5) + X[:, 0] * (0.8 + 0.2 * (seg % 2)) - 0.1 * X[:, 1]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y, seg


def test_fit_is_the_map_of_the_written_out_objective() -> None:
    X, y, seg = _toy(1)
    C, ti, tc = 2.0, 0.3, 0.2
    m = fn.scoring.PooledScorer(C=C, tau=(ti, tc)).fit(X, y, seg)
    # Independent parametrisation: standardised z, pooled (a, b), deviations (a_s, d_s).
    z = (X - X.mean(0)) / X.std(0)
    S, p = 4, 2

    def f(v: np.ndarray) -> float:
        a, b, a_s, d = v[0], v[1:3], v[3:3 + S], v[3 + S:].reshape(S, p)
        eta = a + a_s[seg] + np.einsum("ij,ij->i", z, b + d[seg])
        return float(np.sum(np.logaddexp(0, eta) - y * eta) + b @ b / (2 * C) + a_s @ a_s / (2 * ti ** 2)
                     + np.sum(d ** 2) / (2 * tc ** 2))

    r = minimize(f, np.zeros(3 + S + S * p), method="BFGS", options={"gtol": 1e-9})
    a, b, a_s, d = r.x[0], r.x[1:3], r.x[3:3 + S], r.x[3 + S:].reshape(S, p)
    eta_ref = a + a_s[seg] + np.einsum("ij,ij->i", z, b + d[seg])
    np.testing.assert_allclose(m.decision_function(X, seg), eta_ref, atol=2e-5)
    # per-segment coefficients on the user's scale
    np.testing.assert_allclose(m.segment_coef_.to_numpy(), (b + d) / X.std(0), atol=2e-5)


def test_posterior_covariance_is_the_inverse_penalised_hessian() -> None:
    X, y, seg = _toy(2, n=300, S=3)
    m = fn.scoring.PooledScorer(C=1.5, tau=0.4).fit(X, y, seg)
    z = (X - X.mean(0)) / X.std(0)
    S, p = 3, 2
    D = np.zeros((300, p * (S + 1) + S))
    D[:, :p] = z
    for s in range(S):
        D[seg == s, p + s * p:p + (s + 1) * p] = z[seg == s]
        D[seg == s, p * (S + 1) + s] = 1.0
    Z1 = np.column_stack([np.ones(300), D])
    eta = m.decision_function(X, seg)
    q = 1 / (1 + np.exp(-eta))
    H = Z1.T @ (Z1 * (q * (1 - q))[:, None])
    prec = np.r_[0.0, [1 / 1.5] * p, [1 / 0.16] * (S * p + S)]
    V = np.linalg.inv(H + np.diag(prec))
    # the segment-level standard errors from that covariance (intercept-free map: the
    # coefficient of feature j in segment s is (b_j + d_sj) / sd_j)
    iv = m.intervals()
    for s in range(S):
        for j in range(p):
            idx = [1 + j, 1 + p + s * p + j]
            se = np.sqrt(V[np.ix_(idx, idx)].sum()) / X.std(0)[j]
            row = iv[(iv.segment == s) & (iv.term == f"x{j}")]
            assert row["std_error"].iloc[0] == pytest.approx(se, rel=1e-6)


def test_intervals_cover_the_truth_at_about_the_nominal_rate() -> None:
    # Coefficients drawn from the model's own prior: 90% posterior intervals cover ~90%.
    rng = np.random.default_rng(7)
    hits = total = 0
    S, p, n, tau = 5, 2, 400, 0.5
    for rep in range(30):
        X = rng.normal(size=(n, p))
        seg = rng.integers(0, S, n)
        b = rng.normal(0, 1.0, p)
        a_s = rng.normal(0, tau, S)
        d = rng.normal(0, tau, (S, p))
        eta = -0.3 + a_s[seg] + np.einsum("ij,ij->i", X, b + d[seg])
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
        m = fn.scoring.PooledScorer(C=1.0, tau=tau).fit(X, y, seg)
        iv = m.intervals(level=0.9)
        truth = b + d  # the coefficients of X, the user's scale of the intervals
        for s in range(S):
            for j in range(p):
                r = iv[(iv.segment == s) & (iv.term == f"x{j}")].iloc[0]
                t = truth[s, j]
                hits += int(r.lower <= t <= r.upper)
                total += 1
    assert 0.82 <= hits / total <= 0.97, hits / total


def _company(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    crm = fn.datasets.synthetic_crm(n_accounts=1500, seed=seed)
    L = crm.leads
    a = crm.accounts.reindex(L.account.to_numpy())
    X = pd.get_dummies(a[["possibility", "progress", "kind"]].astype(str), dtype=float, drop_first=True).to_numpy()
    X = np.column_stack([X, L.referred.to_numpy(float)])
    closed = (L.outcome != "open").to_numpy()
    y = (L.outcome == "won").to_numpy(int)
    return X[closed], y[closed], a.region.to_numpy()[closed], L.conversion_probability.to_numpy()[closed]


def test_beats_per_segment_fits_on_the_synthetic_company() -> None:
    """A few hundred leads (~600, ~30 wins) over 8 regions: the excess cross-entropy
    against the true conversion probabilities of held-out leads is lower with the pooled
    prior than with one LeadScorer per region, on average over five companies."""
    ours, separate = [], []
    for seed in (1, 2, 3, 4, 5):
        X, y, seg, truth = _company(seed)
        tr = np.random.default_rng(seed).random(len(y)) < 0.4
        te = ~tr
        t = truth[te]

        def excess(q: np.ndarray) -> float:
            return float(np.mean(t * np.log(t / q) + (1 - t) * np.log((1 - t) / (1 - q))))

        q_h = fn.scoring.PooledScorer().fit(X[tr], y[tr], seg[tr]).predict_proba(X[te], seg[te])[:, 1]
        q_s = np.empty(te.sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for s in np.unique(seg):
                ys = y[tr & (seg == s)]
                if ys.min() == ys.max():  # one class: the smoothed rate
                    q_s[seg[te] == s] = (ys.sum() + 0.5) / (len(ys) + 1.0)
                    continue
                q_s[seg[te] == s] = fn.scoring.LeadScorer().fit(X[tr & (seg == s)], ys).predict_proba(
                    X[te & (seg == s)])[:, 1]
        ours.append(excess(q_h))
        separate.append(excess(q_s))
    assert np.mean(ours) < 0.8 * np.mean(separate), (ours, separate)
    assert sum(o < s for o, s in zip(ours, separate)) >= 4, (ours, separate)


def test_tau_selection_and_limits() -> None:
    X, y, seg = _toy(3)
    m = fn.scoring.PooledScorer().fit(X, y, seg)
    assert m.cv_ is not None and len(m.cv_) == 36
    assert m.tau_ in list(zip(m.cv_.tau_intercept, m.cv_.tau_coef))
    assert m.cv_.log_evidence.max() == pytest.approx(
        m.cv_.log_evidence[(m.cv_.tau_intercept == m.tau_[0]) & (m.cv_.tau_coef == m.tau_[1])].iloc[0])
    # tau -> 0: every segment gets the pooled scorer
    tiny = fn.scoring.PooledScorer(tau=1e-4).fit(X, y, seg)
    np.testing.assert_allclose(tiny.segment_coef_.to_numpy(), np.repeat(tiny.coef_, 4, axis=0), atol=1e-4)
    cv = fn.scoring.PooledScorer(select="cv", taus=(0.1, 1.0)).fit(X, y, seg)
    assert list(cv.cv_.columns) == ["tau_intercept", "tau_coef", "log_loss"]


def test_bad_input_is_named() -> None:
    X, y, seg = _toy(4)
    m = fn.scoring.PooledScorer(tau=0.3).fit(X, y, seg)
    with pytest.raises(fn.UnknownLabelError, match=r"segment\[1\] = 9"):
        m.predict_proba(X[:3], np.array([0, 9, 1]))
    with pytest.raises(fn.ShapeError, match="segment"):
        fn.scoring.PooledScorer(tau=0.3).fit(X, y, seg[:-1])
    bad = X.copy()
    bad[7, 1] = np.nan
    with pytest.raises(fn.InvalidArgumentError, match=r"X\[7, 1\]"):
        fn.scoring.PooledScorer(tau=0.3).fit(bad, y, seg)
    with pytest.raises(fn.InvalidArgumentError, match="tau"):
        fn.scoring.PooledScorer(tau=-1.0).fit(X, y, seg)
    with pytest.raises(fn.InvalidArgumentError, match="two classes"):
        fn.scoring.PooledScorer(tau=0.3).fit(X, np.zeros(len(y)), seg)
