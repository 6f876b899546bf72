"""Lead scoring: metrics against scikit-learn / scipy, the LeadScorer against
scikit-learn's LogisticRegression and statsmodels' Logit, scikit-learn's estimator checks,
and bad input."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.scoring import LeadScorer
from funnelnet.scoring import metrics as M

sk_metrics = pytest.importorskip("sklearn.metrics")
from sklearn.calibration import calibration_curve as sk_calibration_curve  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def tied_data(n: int = 3000, seed: int = 0):
    """Scores rounded to 0.05 (many ties, some exactly on bin edges), weights in [0.5, 2)."""
    rng = np.random.default_rng(seed)
    s = np.round(rng.random(n) * 20) / 20
    y = (rng.random(n) < 0.2 + 0.6 * s).astype(int)
    w = 0.5 + 1.5 * rng.random(n)
    return y, s, w


# ----------------------------------------------------------------------------- metrics
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranking_metrics_equal_sklearn_with_ties(seed):
    y, s, w = tied_data(seed=seed)
    assert M.roc_auc(y, s) == pytest.approx(sk_metrics.roc_auc_score(y, s), abs=1e-12)
    assert M.roc_auc(y, s, sample_weight=w) == pytest.approx(sk_metrics.roc_auc_score(y, s, sample_weight=w),
                                                             abs=1e-12)
    assert M.average_precision(y, s) == pytest.approx(sk_metrics.average_precision_score(y, s), abs=1e-12)
    assert M.average_precision(y, s, sample_weight=w) == pytest.approx(
        sk_metrics.average_precision_score(y, s, sample_weight=w), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_probability_metrics_equal_sklearn(seed):
    y, s, w = tied_data(seed=seed)
    p = np.clip(s, 0.0, 1.0)  # includes exact 0 and 1 (clipped by eps in log loss)
    assert M.log_loss(y, p) == pytest.approx(sk_metrics.log_loss(y, p), abs=1e-12)
    assert M.log_loss(y, p, sample_weight=w) == pytest.approx(sk_metrics.log_loss(y, p, sample_weight=w), abs=1e-12)
    assert M.brier(y, p) == pytest.approx(sk_metrics.brier_score_loss(y, p), abs=1e-12)
    assert M.brier(y, p, sample_weight=w) == pytest.approx(sk_metrics.brier_score_loss(y, p, sample_weight=w),
                                                           abs=1e-12)


def test_ks_equals_scipy_and_the_weighted_roc():
    stats = pytest.importorskip("scipy.stats")
    y, s, w = tied_data(seed=3)
    assert M.ks(y, s) == pytest.approx(stats.ks_2samp(s[y == 1], s[y == 0]).statistic, abs=1e-12)
    fpr, tpr, _ = sk_metrics.roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    assert M.ks(y, s, sample_weight=w) == pytest.approx(np.max(np.abs(tpr - fpr)), abs=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("bins", [5, 10, 7])
def test_calibration_curve_and_ece_equal_sklearn(strategy, bins):
    y, s, _ = tied_data(seed=4)
    rng = np.random.default_rng(5)
    for p in (s, rng.random(2000)):
        yy = y[: p.shape[0]]
        want_true, want_pred = sk_calibration_curve(yy, p, n_bins=bins, strategy=strategy)
        got = M.calibration_curve(yy, p, bins=bins, strategy=strategy)
        np.testing.assert_allclose(got["prob_true"], want_true, rtol=0, atol=1e-12)
        np.testing.assert_allclose(got["prob_pred"], want_pred, rtol=0, atol=1e-12)
        # ECE from scikit-learn's curve and bin counts recomputed by numpy's own binning.
        if strategy == "uniform":
            edges = np.linspace(0.0, 1.0, bins + 1)
        else:
            edges = np.percentile(p, np.linspace(0, 1, bins + 1) * 100)
        ids = np.searchsorted(edges[1:-1], p)
        counts = np.bincount(ids, minlength=bins)
        counts = counts[counts > 0]
        want_ece = np.sum(counts / p.shape[0] * np.abs(want_pred - want_true))
        assert M.ece(yy, p, bins=bins, strategy=strategy) == pytest.approx(want_ece, abs=1e-12)


def test_lift_and_gain_by_brute_force():
    y, s, w = tied_data(n=1003, seed=6)
    order = np.argsort(-s, kind="stable")
    b = np.arange(1003) * 10 // 1003
    df = pd.DataFrame({"y": y[order], "w": w[order], "b": b + 1})
    df["yw"] = df["y"] * df["w"]
    g = df.groupby("b").agg(weight=("w", "sum"), pos=("yw", "sum"), rows=("y", "size"))
    overall = np.sum(y * w) / np.sum(w)
    lt = M.lift_table(y, s, sample_weight=w)
    np.testing.assert_array_equal(lt["rows"].to_numpy(), g["rows"].to_numpy())
    np.testing.assert_allclose(lt["lift"], (g["pos"] / g["weight"]) / overall, rtol=1e-12)
    gt = M.gain_table(y, s, sample_weight=w)
    np.testing.assert_allclose(gt["cum_gain"], np.cumsum(g["pos"]) / np.sum(y * w), rtol=1e-12)
    np.testing.assert_allclose(gt["cum_share"], np.cumsum(g["weight"]) / np.sum(w), rtol=1e-12)


def test_bootstrap_is_seeded_thread_independent_and_sized_right():
    y, s, _ = tied_data(n=800, seed=7)
    a = M.bootstrap("roc_auc", y, s, replicates=300, seed=3, threads=1)
    b = M.bootstrap("roc_auc", y, s, replicates=300, seed=3, threads=4)
    assert a == b
    assert a.estimate == pytest.approx(sk_metrics.roc_auc_score(y, s), abs=1e-12)
    # Oracle for the spread: a numpy bootstrap of scikit-learn's AUC.
    rng = np.random.default_rng(0)
    reps = [sk_metrics.roc_auc_score(y[i], s[i]) for i in (rng.integers(0, 800, 800) for _ in range(300))]
    assert a.std_error == pytest.approx(np.std(reps, ddof=1), rel=0.2)
    e = M.bootstrap("ece", y, s, replicates=100, seed=1)
    assert e.lower <= e.upper and e.dropped == 0
    assert e.to_frame().shape == (100, 1)


def test_metric_bad_input_names_the_row():
    with pytest.raises(fn.InvalidArgumentError, match=r"y\[2\] must be 0 or 1, got 2"):
        M.roc_auc([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(fn.InvalidArgumentError, match="one class"):
        M.roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(fn.ShapeError, match="score"):
        M.roc_auc([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(fn.InvalidArgumentError, match=r"score\[1\] must be finite"):
        M.roc_auc([0, 1, 1], [0.1, np.nan, 0.3])
    with pytest.raises(fn.InvalidArgumentError, match=r"sample_weight\[0\]"):
        M.brier([0, 1], [0.1, 0.2], sample_weight=[-1, 1])
    with pytest.raises(fn.InvalidArgumentError, match=r"p\[1\] must be a probability"):
        M.log_loss([0, 1], [0.1, 1.2])
    with pytest.raises(fn.InvalidArgumentError, match="strategy"):
        M.ece([0, 1], [0.1, 0.2], strategy="kmeans")


# ----------------------------------------------------------------------------- scorer
def logistic_data(n=2000, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * np.arange(1, p + 1) + np.arange(p)
    beta = np.linspace(-0.8, 0.8, p) / np.arange(1, p + 1)
    eta = -0.3 + (X - np.arange(p)) @ beta
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y


def sk_objective(X, y, coef, intercept, C, w=None, l1_ratio=0.0):
    w = np.ones(len(y)) if w is None else w
    eta = intercept + X @ coef
    loss = np.sum(w * (np.logaddexp(0, eta) - y * eta))
    return C * loss + 0.5 * (1 - l1_ratio) * coef @ coef + l1_ratio * np.abs(coef).sum()


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_l2_equals_sklearn_lbfgs(C):
    X, y = logistic_data()
    ours = LeadScorer(C=C).fit(X, y)
    sk = LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-6, atol=1e-8)
    assert M.log_loss(y, ours.predict_proba(X)[:, 1]) == pytest.approx(
        sk_metrics.log_loss(y, sk.predict_proba(X)[:, 1]), rel=1e-9)
    assert ours.converged_


def test_sample_and_class_weights_equal_sklearn():
    X, y = logistic_data(seed=1)
    w = np.random.default_rng(2).random(len(y)) * 2
    ours = LeadScorer(C=0.5, class_weight="balanced").fit(X, y, sample_weight=w)
    sk = LogisticRegression(C=0.5, class_weight="balanced", tol=1e-12, max_iter=10000).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-6, atol=1e-8)
    ours = LeadScorer(C=0.5, class_weight={0: 1.0, 1: 3.0}).fit(X, y)
    sk = LogisticRegression(C=0.5, class_weight={0: 1.0, 1: 3.0}, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-6, atol=1e-8)


def test_elastic_net_objective_not_worse_than_saga():
    X, y = logistic_data(n=600, p=5, seed=3)
    Xs = (X - X.mean(0)) / X.std(0)
    C, l1 = 0.05, 0.6
    ours = LeadScorer(C=C, l1_ratio=l1).fit(Xs, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = LogisticRegression(C=C, l1_ratio=l1, solver="saga", tol=1e-10, max_iter=100000).fit(Xs, y)
    f_ours = sk_objective(Xs, y, ours.coef_[0], ours.intercept_[0], C, l1_ratio=l1)
    f_sk = sk_objective(Xs, y, sk.coef_[0], sk.intercept_[0], C, l1_ratio=l1)
    assert f_ours <= f_sk + 1e-9
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-5)
    assert np.array_equal(ours.coef_ == 0, np.abs(sk.coef_) < 1e-8)  # same zeros


def test_standardize_penalises_standardised_coefficients():
    X, y = logistic_data(seed=4)
    mu, sd = X.mean(0), X.std(0)
    ours = LeadScorer(C=0.02, standardize=True).fit(X, y)
    sk = LogisticRegression(C=0.02, tol=1e-12, max_iter=10000).fit((X - mu) / sd, y)
    np.testing.assert_allclose(ours.coef_[0] * sd, sk.coef_[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.decision_function(X), sk.decision_function((X - mu) / sd), atol=1e-7)


def test_standard_errors_equal_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    X, y = logistic_data(n=1500, p=4, seed=5)
    ours = LeadScorer(C=None).fit(X, y)
    res = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    np.testing.assert_allclose(np.r_[ours.intercept_, ours.coef_[0]], res.params, rtol=1e-7)
    t = ours.wald_table()
    np.testing.assert_allclose(t["std_error"], res.bse, rtol=1e-6)
    ci = res.conf_int(0.05)
    np.testing.assert_allclose(t["lower"], ci[:, 0], rtol=1e-6)
    np.testing.assert_allclose(t["p_value"], res.pvalues, rtol=1e-5, atol=1e-14)
    with pytest.raises(fn.InvalidArgumentError, match="unpenalised"):
        LeadScorer(C=1.0).fit(X, y).wald_table()


def test_separable_data_warns_with_finite_coefficients():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    y = np.array([0, 0, 0, 1, 1, 1])
    with pytest.warns(fn.ConvergenceWarning, match="separable"):
        m = LeadScorer(C=None).fit(X, y)
    assert np.all(np.isfinite(m.coef_)) and m.report_["separated"]
    with pytest.raises(fn.ConvergenceError, match="separable"):
        LeadScorer(C=None, strict=True).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert LeadScorer(C=1.0).fit(X, y).converged_  # a penalty makes it well-posed


def test_rank_deficient_design_warns_and_predicts_like_sklearn():
    X, y = logistic_data(n=500, p=3, seed=6)
    X2 = np.column_stack([X, 2 * X[:, 0] + 1])
    with pytest.warns(fn.ConvergenceWarning, match="rank-deficient"):
        m = LeadScorer(C=None).fit(X2, y)
    sk = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(m.decision_function(X2), sk.decision_function(X), atol=1e-6)


def test_sales_views_add_up():
    X, y = logistic_data(n=400, seed=7)
    cols = [f"f{j}" for j in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols, index=pd.Index(np.arange(1000, 1400), name="lead"))
    m = LeadScorer(C=1.0).fit(df, y)
    assert list(m.feature_names_in_) == cols
    c = m.contributions(df)
    np.testing.assert_allclose(c.sum(axis=1) + c.attrs["base"], m.decision_function(df), atol=1e-10)
    top = m.top_factors(df, k=2)
    first = top[(top["lead"] == 1000) & (top["direction"] == "positive") & (top["rank"] == 1)]
    assert first["feature"].iloc[0] == c.loc[1000].idxmax()
    tiers = m.tiers(df)
    assert list(tiers.value_counts().sort_index()) == [40, 120, 240]
    assert tiers.index.equals(df.index)
    p = m.predict_proba(df)[:, 1]
    assert p[tiers == "A"].min() >= p[tiers == "B"].max()
    s = m.score_1_99(df)
    assert s.min() >= 1 and s.max() <= 99
    np.testing.assert_array_equal(s, np.clip(np.rint(100 * p), 1, 99))


def test_check_estimator_passes():
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(LeadScorer(), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed


def test_pipeline_grid_search_and_cross_val_score():
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = logistic_data(n=600, seed=8)
    pipe = make_pipeline(StandardScaler(), LeadScorer())
    scores = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    sk_scores = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(tol=1e-12)), X, y, cv=3,
                                scoring="roc_auc")
    np.testing.assert_allclose(scores, sk_scores, atol=1e-9)
    gs = GridSearchCV(LeadScorer(), {"C": [0.01, 1.0]}, cv=3, scoring="neg_log_loss").fit(X, y)
    assert gs.best_params_["C"] in (0.01, 1.0)


def test_scorer_bad_input_is_typed_and_names_the_culprit():
    X, y = logistic_data(n=50, seed=9)
    bad = X.copy()
    bad[7, 2] = np.inf
    with pytest.raises(fn.InvalidArgumentError, match=r"X\[7, 2\]"):
        LeadScorer().fit(bad, y)
    with pytest.raises(fn.InvalidArgumentError, match="1 class"):
        LeadScorer().fit(X, np.ones(50))
    with pytest.raises(fn.InvalidArgumentError, match="1 class"):
        LeadScorer().fit(X, np.zeros(50))
    with pytest.raises(fn.InvalidArgumentError, match="Only binary"):
        LeadScorer().fit(X, np.arange(50) % 3)
    with pytest.raises(fn.ShapeError, match="y has 49 rows"):
        LeadScorer().fit(X, y[:49])
    w = np.ones(50)
    w[3] = -1
    with pytest.raises(fn.InvalidArgumentError, match=r"sample_weight\[3\]"):
        LeadScorer().fit(X, y, sample_weight=w)
    m = LeadScorer().fit(X, y)
    with pytest.raises(fn.ShapeError, match="expecting 6 features"):
        m.predict(X[:, :5])
    with pytest.raises(fn.InvalidArgumentError, match=r"X\[7, 2\]"):
        m.predict(bad)
    before = m.coef_.copy()
    with pytest.raises(fn.InvalidArgumentError):
        m.fit(bad, y)
    np.testing.assert_array_equal(m.coef_, before)  # a failed refit leaves the model unchanged
    with pytest.raises(fn.scoring.logistic.NotFittedError):
        LeadScorer().predict(X)
    # a constant column: coefficient 0, reported
    Xc = X.copy()
    Xc[:, 1] = 4.0
    mc = LeadScorer().fit(Xc, y)
    assert mc.coef_[0, 1] == 0.0 and mc.report_["constant_columns"] == [1]


# ------------------------------------------------------------------------ calibration
def test_isotonic_equals_sklearn_with_ties_and_weights():
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.default_rng(11)
    s = np.round(rng.normal(size=500), 1)
    y = (rng.random(500) < 1 / (1 + np.exp(-2 * s))).astype(float)
    w = rng.random(500) + 0.1
    x, f = fn.scoring.calibration.isotonic(s, y, sample_weight=w)
    iso = IsotonicRegression(out_of_bounds="clip").fit(s, y, sample_weight=w)
    grid = np.linspace(-4, 4, 401)
    np.testing.assert_allclose(np.interp(grid, x, f), iso.predict(grid), atol=1e-12)


def test_calibrated_scorer_fixes_a_miscalibrated_score():
    # Over-confident truth: the scorer's raw probabilities are too extreme when the
    # penalty is off and the labels are noisy; held-out calibration lowers the ECE.
    rng = np.random.default_rng(12)
    X = rng.normal(size=(4000, 2))
    p_true = 1 / (1 + np.exp(-np.tanh(2 * X[:, 0])))  # a saturating, non-logistic truth
    y = (rng.random(4000) < p_true).astype(int)
    raw = LeadScorer(C=None).fit(X[:3000], y[:3000])
    for method in ("isotonic", "platt"):
        cal = fn.scoring.CalibratedScorer(LeadScorer(C=None), method=method, folds=5, seed=1).fit(X[:3000], y[:3000])
        p = cal.predict_proba(X[3000:])[:, 1]
        assert M.log_loss(y[3000:], p) < M.log_loss(y[3000:], raw.predict_proba(X[3000:])[:, 1]) + 0.01
        assert np.all((p >= 0) & (p <= 1))
    # Platt on held-out folds equals a logistic fit of y on the out-of-fold decisions
    cal = fn.scoring.CalibratedScorer(LeadScorer(C=None), method="platt", folds=5, seed=1).fit(X[:3000], y[:3000])
    a, b = cal.calibration_
    assert b == pytest.approx(1.0, abs=0.2)  # a logistic model is roughly calibrated already
