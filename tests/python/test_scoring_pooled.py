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


# ---- parity with the numpy implementation the C++ core replaced ------------------------
def _numpy_pooled(X, y, seg, w, C, taus, select, folds=5, seed=0):
    """PooledScorer 0.x in numpy over _core.scoring.fit_logistic: the design, the penalty
    factors, the Laplace evidence (slogdet) or K-fold log loss, the chosen tau, the
    segment coefficients and their posterior standard errors."""
    from funnelnet import _core

    n, p = X.shape
    segments, codes = np.unique(seg, return_inverse=True)
    S = segments.shape[0]
    mu, sd = X.mean(0), X.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    Z = (X - mu) / sd
    D = np.zeros((n, p * (S + 1) + S))
    D[:, :p] = Z
    D[np.arange(n)[:, None], p + codes[:, None] * p + np.arange(p)[None, :]] = Z
    D[np.arange(n), p * (S + 1) + codes] = 1.0

    def fit(Dm, t, wm, tau, posterior):
        factor = np.full(D.shape[1], 1.0 / tau[1])
        factor[:p] = 1.0 / np.sqrt(C)
        factor[D.shape[1] - S:] = 1.0 / tau[0]
        keep = np.flatnonzero(Dm.std(axis=0) > 0)
        W = float(Dm.shape[0] if wm is None else np.sum(wm))
        d = _core.scoring.fit_logistic(np.ascontiguousarray(Dm[:, keep]), t, wm, 1.0 / W, 0.0, True, False, 100,
                                       1e-10, 30.0, 0, None, np.ascontiguousarray(factor[keep]), posterior)
        full = np.zeros(D.shape[1])
        full[keep] = d["coef"]
        return d, keep, full, factor, W

    t = y.astype(float)
    grid = [(a, b) for a in taus for b in taus]
    if select == "evidence":
        scores = []
        for tau in grid:
            d, keep, full, f, W = fit(D, t, w, tau, True)
            k = keep.shape[0] + 1
            _, logdet = np.linalg.slogdet(d["covariance"].reshape(k, k))
            scores.append(-W * d["log_loss"] - 0.5 * np.sum((f[keep] * full[keep]) ** 2) + np.sum(np.log(f[keep]))
                          + 0.5 * logdet)
        best = grid[int(np.argmax(scores))]
    else:
        fold = _core.scoring.kfold_split(n, folds, seed)
        scores = np.zeros(len(grid))
        for kf in range(folds):
            tr, te = fold != kf, fold == kf
            for g, tau in enumerate(grid):
                d, keep, full, f, W = fit(D[tr], t[tr], None if w is None else w[tr], tau, False)
                eta = d["intercept"] + D[te] @ full
                ll = np.logaddexp(0.0, eta) - t[te] * eta
                scores[g] += float(np.sum(ll if w is None else w[te] * ll))
        scores = scores / float(n if w is None else np.sum(w))
        best = grid[int(np.argmin(scores))]
    d, keep, full, f, W = fit(D, t, w, best, True)
    theta = np.concatenate([[d["intercept"]], full])
    K = theta.shape[0]
    cov = np.zeros((K, K))
    idx = np.concatenate([[0], 1 + keep])
    cov[np.ix_(idx, idx)] = d["covariance"].reshape(idx.shape[0], idx.shape[0])
    dropped = np.setdiff1d(np.arange(1, K), idx)
    cov[dropped, dropped] = 1.0 / f[dropped - 1] ** 2
    L = np.zeros((S, p + 1, K))
    for s in range(S):
        L[s, 0, 0] = L[s, 0, 1 + p * (S + 1) + s] = 1.0
        for j in range(p):
            for col in (1 + j, 1 + p + s * p + j):
                L[s, 1 + j, col] = 1.0 / sd[j]
                L[s, 0, col] = -mu[j] / sd[j]
    est = L @ theta
    se = np.sqrt(np.einsum("spk,kl,spl->sp", L, cov, L))
    return np.asarray(scores), best, est, se, cov


@pytest.mark.parametrize("select,weighted", [("evidence", False), ("evidence", True), ("cv", False), ("cv", True)])
def test_cxx_core_equals_the_numpy_implementation(select: str, weighted: bool) -> None:
    X, y, seg = _toy(11, n=240, S=3)
    X = np.column_stack([X, np.full(240, 2.5)])  # a constant feature: its columns are left out of the fit
    seg = np.array(["north", "south", "west"])[seg]
    w = np.random.default_rng(5).uniform(0.5, 2.0, 240) if weighted else None
    taus = (0.1, 0.4, 1.6)
    scores, best, est, se, cov = _numpy_pooled(X, y, seg, w, 1.5, taus, select, folds=4, seed=9)
    m = fn.scoring.PooledScorer(C=1.5, taus=taus, select=select, folds=4, seed=9).fit(X, y, seg, sample_weight=w)
    col = "log_evidence" if select == "evidence" else "log_loss"
    np.testing.assert_allclose(m.cv_[col].to_numpy(), scores, rtol=1e-8)
    assert m.tau_ == best
    np.testing.assert_allclose(m.segment_intercept_.to_numpy(), est[:, 0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.segment_coef_.to_numpy(), est[:, 1:], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.covariance_, cov, rtol=1e-7, atol=1e-12)
    iv = m.intervals(level=0.9)
    np.testing.assert_allclose(iv["std_error"].to_numpy(), se.ravel(), rtol=1e-7)
    np.testing.assert_allclose(iv["estimate"].to_numpy(), est.ravel(), rtol=1e-8, atol=1e-10)
    q = 1.6448536269514722
    np.testing.assert_allclose(iv["upper"] - iv["lower"], 2 * q * se.ravel(), rtol=1e-7)
    Xe = X[:5]
    eta = m.segment_intercept_.loc[seg[:5]].to_numpy() + np.einsum("ij,ij->i", Xe, m.segment_coef_.loc[seg[:5]].to_numpy())
    np.testing.assert_allclose(m.decision_function(Xe, seg[:5]), eta, rtol=1e-12, atol=1e-12)


def test_same_answer_at_any_thread_count() -> None:
    X, y, seg = _toy(12, n=300)
    a = fn.scoring.PooledScorer(taus=(0.1, 0.5), select="cv", threads=1).fit(X, y, seg)
    b = fn.scoring.PooledScorer(taus=(0.1, 0.5), select="cv", threads=2).fit(X, y, seg)
    np.testing.assert_array_equal(a.cv_.to_numpy(), b.cv_.to_numpy())
    np.testing.assert_array_equal(a.segment_coef_.to_numpy(), b.segment_coef_.to_numpy())


def test_more_bad_input_is_named() -> None:
    X, y, seg = _toy(4)
    with pytest.raises(fn.InvalidArgumentError, match=r"sample_weight\[3\] must be finite and >= 0, got -1"):
        w = np.ones(len(y))
        w[3] = -1.0
        fn.scoring.PooledScorer(tau=0.3).fit(X, y, seg, sample_weight=w)
    with pytest.raises(fn.ShapeError, match="sample_weight"):
        fn.scoring.PooledScorer(tau=0.3).fit(X, y, seg, sample_weight=np.ones(3))
    with pytest.raises(fn.InvalidArgumentError, match="C must be a positive number"):
        fn.scoring.PooledScorer(C=0.0, tau=0.3).fit(X, y, seg)
    with pytest.raises(fn.InvalidArgumentError, match="taus is empty"):
        fn.scoring.PooledScorer(taus=()).fit(X, y, seg)
    with pytest.raises(fn.InvalidArgumentError, match=r"taus\[1\] must be a positive number"):
        fn.scoring.PooledScorer(taus=(0.1, np.inf)).fit(X, y, seg)
    with pytest.raises(fn.InvalidArgumentError, match="select"):
        fn.scoring.PooledScorer(select="aic").fit(X, y, seg)
    with pytest.raises(fn.InvalidArgumentError, match="folds must be >= 2"):
        fn.scoring.PooledScorer(select="cv", folds=1).fit(X, y, seg)
    m = fn.scoring.PooledScorer(tau=0.3).fit(X, y, seg)
    with pytest.raises(fn.ShapeError, match="3 features"):
        m.decision_function(np.zeros((2, 3)), [0, 1])
    with pytest.raises(fn.InvalidArgumentError, match=r"X\[1, 0\] must be finite"):
        m.predict_proba(np.array([[0.0, 1.0], [np.inf, 0.0]]), [0, 1])
    with pytest.raises(fn.InvalidArgumentError, match=r"level must lie in \(0, 1\)"):
        m.intervals(level=1.0)
    with pytest.raises(fn.InvalidArgumentError, match="not fitted"):
        fn.scoring.PooledScorer().predict(X, seg)


def test_a_fit_that_does_not_converge_warns() -> None:
    X, y, seg = _toy(5)
    with pytest.warns(fn.ConvergenceWarning, match="did not converge"):
        m = fn.scoring.PooledScorer(tau=0.3, max_iter=1).fit(X, y, seg)
    assert not m.report_["converged"]
