"""Experiments: splits, DeLong's test against its O(n^2) definition, the t tail against
scipy, Nadeau-Bengio recomputed from the fold table, capacity values by brute force."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.scoring import experiments as E

stats = pytest.importorskip("scipy.stats")


def test_splits_partition_and_respect_groups_and_time():
    tt = E.splits(103, folds=5, seed=2)
    tests = np.concatenate([te for _, te in tt])
    assert sorted(tests.tolist()) == list(range(103))
    for tr, te in tt:
        assert np.intersect1d(tr, te).size == 0 and tr.size + te.size == 103
    assert [te.tolist() for _, te in tt] == [te.tolist() for _, te in E.splits(103, folds=5, seed=2)]
    g = np.arange(103) // 7
    for tr, te in E.splits(103, folds=4, kind="group", groups=g, seed=1):
        assert np.intersect1d(g[tr], g[te]).size == 0
    t = np.random.default_rng(0).random(103)
    for tr, te in E.splits(103, folds=3, kind="time", time=t):
        assert t[tr].max() < t[te].min()


def brute_delong(y, a, b):
    """DeLong et al. (1988) by definition: psi kernels over all positive/negative pairs."""
    pos, neg = y == 1, y == 0
    out_v10, out_v01, aucs = [], [], []
    for s in (a, b):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        aucs.append(psi.mean())
        out_v10.append(psi.mean(axis=1))
        out_v01.append(psi.mean(axis=0))
    s10, s01 = np.cov(np.vstack(out_v10)), np.cov(np.vstack(out_v01))
    cov = s10 / pos.sum() + s01 / neg.sum()
    return aucs, cov


def test_delong_equals_its_definition_with_ties():
    rng = np.random.default_rng(4)
    y = (rng.random(300) < 0.4).astype(int)
    a = np.round(y * 0.8 + rng.random(300), 1)
    b = np.round(y * 0.3 + rng.random(300), 1)
    t = E.delong(y, a, b)
    aucs, cov = brute_delong(y, a, b)
    assert t.auc_a == pytest.approx(aucs[0], abs=1e-12) and t.auc_b == pytest.approx(aucs[1], abs=1e-12)
    np.testing.assert_allclose(t.covariance, cov, rtol=1e-10)
    se = np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    assert t.p_value == pytest.approx(2 * stats.norm.sf(abs((aucs[0] - aucs[1]) / se)), rel=1e-9)
    assert t.auc_a == pytest.approx(fn.scoring.metrics.roc_auc(y, a), abs=1e-12)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 9, 10, 29])
def test_student_t_tail_equals_scipy(df):
    for t in (0.0, 0.3, 1.0, 2.5, 7.0, -1.2):
        assert E.student_t_sf(t, df) == pytest.approx(stats.t.sf(t, df), abs=1e-13)


def test_compare_tables_and_nadeau_bengio_by_hand():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(600, 4)), columns=list("abcd"))
    y = (rng.random(600) < 1 / (1 + np.exp(-(1.5 * X["a"] + 0.5 * X["b"])))).astype(int)
    c = fn.scoring.compare({"full": fn.scoring.LeadScorer(), "a_only": fn.scoring.LeadScorer(C=0.1)}, X, y,
                           folds=5, columns={"a_only": ["a"]}, replicates=300, seed=3)
    assert c.folds.shape == (10, 8)
    assert c.oof.notna().all().all()
    diff = (c.folds[c.folds.scorer == "full"].set_index("fold")["roc_auc"]
            - c.folds[c.folds.scorer == "a_only"].set_index("fold")["roc_auc"])
    se = np.sqrt((1 / 5 + 120 / 480) * diff.var(ddof=1))
    row = c.pairs.iloc[0]
    assert row["nb_t"] == pytest.approx(diff.mean() / se, rel=1e-12)
    assert row["nb_p"] == pytest.approx(2 * stats.t.sf(abs(diff.mean() / se), 4), rel=1e-9)
    assert row["bootstrap_lower"] < row["auc_difference"] < row["bootstrap_upper"]
    assert row["auc_difference"] == pytest.approx(
        fn.scoring.metrics.roc_auc(y, c.oof["full"]) - fn.scoring.metrics.roc_auc(y, c.oof["a_only"]), abs=1e-12)
    # and with a scikit-learn classifier
    from sklearn.ensemble import HistGradientBoostingClassifier
    c2 = fn.scoring.compare({"lr": fn.scoring.LeadScorer(), "hgb": HistGradientBoostingClassifier(max_iter=30)},
                            X, y, folds=3, replicates=50)
    assert set(c2.folds.scorer) == {"lr", "hgb"}


def test_capacity_value_by_brute_force_and_oracle():
    rng = np.random.default_rng(6)
    p = rng.random(50)
    v = rng.integers(1, 10, 50).astype(float)
    s = p + rng.normal(scale=0.3, size=50)
    got = E.capacity_value({"noisy": s, "truth": p * v}, p, v, capacity=7, decay=0.2, periods=3)
    order = np.argsort(-s, kind="stable")
    want = sum(p[i] * v[i] * 0.8 ** (r // 7) for r, i in enumerate(order) if r // 7 < 3)
    assert got.loc["noisy", "won_value"] == pytest.approx(want, rel=1e-12)
    assert got.loc["truth", "share_of_oracle"] == pytest.approx(1.0)
    assert got.loc["noisy", "share_of_oracle"] <= 1.0


def test_capacity_on_the_synthetic_company():
    """On the synthetic company the truth's ranking is the oracle; a score that is the
    truth plus noise yields less, and a random one less still."""
    crm = fn.datasets.synthetic_crm(n_accounts=800, seed=2)
    p = crm.leads["conversion_probability"].to_numpy()
    rng = np.random.default_rng(0)
    t = E.capacity_value({"noisy_truth": p + rng.normal(scale=0.05, size=p.shape), "random": rng.random(p.shape)},
                         p, capacity=50, decay=0.1)
    assert t.loc["random", "won_value"] < t.loc["noisy_truth", "won_value"] <= t.loc["oracle", "won_value"]


def test_experiment_bad_input():
    with pytest.raises(fn.InvalidArgumentError, match="folds"):
        E.splits(10, folds=1)
    with pytest.raises(fn.InvalidArgumentError, match="groups"):
        E.splits(10, folds=2, kind="group")
    with pytest.raises(fn.InvalidArgumentError, match=r"y_true\[1\]"):
        E.delong([0, 2, 1, 1, 0], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    with pytest.raises(fn.ShapeError):
        E.capacity_value({"s": [1, 2]}, [0.1, 0.2, 0.3], capacity=1)


def _numpy_splits(n, folds, kind, groups=None, time=None, seed=0):
    """The numpy implementation the C++ splits replaced (issue 14): the oracle."""
    rng = np.random.default_rng(seed)
    out = []
    if kind == "kfold":
        perm = rng.permutation(n)
        for part in np.array_split(perm, folds):
            out.append((np.setdiff1d(perm, part), np.sort(part)))
    elif kind == "group":
        uniq, inv = np.unique(np.asarray(groups), return_inverse=True)
        fold_of_group = np.empty(uniq.shape[0], dtype=np.int64)
        fold_of_group[rng.permutation(uniq.shape[0])] = np.arange(uniq.shape[0]) % folds
        fold = fold_of_group[inv]
        out = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(folds)]
    else:
        blocks = np.array_split(np.argsort(np.asarray(time), kind="stable"), folds + 1)
        out = [(np.sort(np.concatenate(blocks[: k + 1])), np.sort(blocks[k + 1])) for k in range(folds)]
    return out


@pytest.mark.parametrize("seed", [0, 1, 7, 2**33 + 5, 2**64 - 1])
def test_splits_equal_numpy_default_rng_bit_for_bit(seed):
    """The C++ splits draw from numpy's PCG64/SeedSequence: the same folds as numpy."""
    rng = np.random.default_rng(seed % 1000)
    for n, k in ((10, 3), (97, 5), (1000, 10), (41, 2)):
        groups = rng.integers(0, max(k, n // 3), n)
        names = np.array([f"account {g}" for g in groups])
        days = rng.integers(0, 30, n).astype("datetime64[D]")
        cases = [("kfold", {}), ("group", {"groups": groups}), ("group", {"groups": names}),
                 ("time", {"time": days}), ("time", {"time": rng.random(n)})]
        for kind, kw in cases:
            got = E.splits(n, folds=k, kind=kind, seed=seed, **kw)
            want = _numpy_splits(n, k, kind, seed=seed, **kw)
            assert len(got) == k
            for (tr, te), (tr0, te0) in zip(got, want):
                np.testing.assert_array_equal(te, te0)
                np.testing.assert_array_equal(tr, tr0)


def test_paired_bootstrap_equals_numpy_resamples():
    """compare()'s paired bootstrap interval against numpy's resampled rows scored by
    scikit-learn's roc_auc_score (the oracle), and the C ABI's generator reproduces them."""
    from sklearn.metrics import roc_auc_score
    from funnelnet import _core
    rng = np.random.default_rng(8)
    y = (rng.random(150) < 0.3).astype(float)
    a = np.round(rng.random(150) + 0.4 * y, 2)
    b = np.round(rng.random(150) + 0.2 * y, 1)
    got = _core.scoring.paired_bootstrap_auc(y, a, b, 250, 0.9, 11, 0)
    idx = np.random.default_rng(11).integers(0, 150, size=(250, 150))
    reps = np.full(250, np.nan)
    for r, i in enumerate(idx):
        if 0 < y[i].sum() < 150:
            reps[r] = roc_auc_score(y[i], a[i]) - roc_auc_score(y[i], b[i])
    np.testing.assert_allclose(got["replicates"], reps, rtol=0, atol=1e-15)
    ok = reps[~np.isnan(reps)]
    assert got["lower"] == pytest.approx(np.percentile(ok, 5), abs=1e-15)
    assert got["upper"] == pytest.approx(np.percentile(ok, 95), abs=1e-15)
    assert got["std_error"] == pytest.approx(np.std(ok, ddof=1), rel=1e-12)
    assert got["estimate"] == pytest.approx(roc_auc_score(y, a) - roc_auc_score(y, b), abs=1e-15)
    # the same at one thread
    one = _core.scoring.paired_bootstrap_auc(y, a, b, 250, 0.9, 11, 1)
    np.testing.assert_array_equal(one["replicates"], got["replicates"])


def test_experiments_core_bad_input():
    from funnelnet import _core
    with pytest.raises(fn.InvalidArgumentError, match="3 rows cannot make 3 time-ordered folds"):
        E.splits(3, folds=3, kind="time", time=[1, 2, 3])
    with pytest.raises(fn.InvalidArgumentError, match="2 groups cannot make 3 folds"):
        E.splits(6, folds=3, kind="group", groups=["a", "b", "a", "b", "a", "b"])
    with pytest.raises(fn.InvalidArgumentError, match="4 positive, 0 negative"):
        E.delong([1, 1, 1, 1], [1, 2, 3, 4], [4, 3, 2, 1])
    with pytest.raises(fn.InvalidArgumentError, match=r"score_b\[2\]"):
        E.delong([1, 0, 1, 0], [1, 2, 3, 4], [4, 3, np.nan, 1])
    with pytest.raises(fn.ShapeError):
        E.delong([1, 0, 1, 0], [1, 2, 3, 4], [4, 3, 1])
    with pytest.raises(fn.InvalidArgumentError, match="one class"):
        _core.scoring.paired_bootstrap_auc(np.ones(4), np.arange(4.0), np.arange(4.0), 10, 0.95, 0, 0)
    with pytest.raises(fn.InvalidArgumentError, match="at least 2 folds"):
        _core.scoring.corrected_t_test(np.array([0.1]), 10.0, 5.0)
    with pytest.raises(fn.InvalidArgumentError, match="df must be >= 1"):
        E.student_t_sf(1.0, 0)


def _crm_frame(root):
    """The real-data frame of benchmarks/python/bench_scoring.py (one definition)."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "python" / "bench_scoring.py"
    spec = importlib.util.spec_from_file_location("bench_scoring", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.crm_frame(str(root))


def test_real_crm_time_split_log_loss_and_capacity(shared_data):
    """Issue 14's real-data check as a test: Won vs Lost on ../shared/data/crm with a time
    split; LeadScorer's held-out log loss equals (or beats) scikit-learn's LogisticRegression
    on the same features, and the capacity value of its ranking on the held-out outcomes
    equals a brute-force count of the wins among the leads worked."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    X, y, t = _crm_frame(shared_data / "crm")
    cut = t.quantile(0.7)
    tr, te = (t < cut).to_numpy(), (t >= cut).to_numpy()
    sc = StandardScaler().fit(X[tr])
    Xtr, Xte = sc.transform(X[tr]), sc.transform(X[te])
    ours = fn.scoring.LeadScorer(C=1.0).fit(Xtr, y[tr])
    sk = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(Xtr, y[tr])
    p, q = ours.predict_proba(Xte)[:, 1], sk.predict_proba(Xte)[:, 1]
    M = fn.scoring.metrics

    def objective(coef, intercept):  # scikit-learn's: C sum log loss + |w|^2 / 2
        eta = Xtr @ coef + intercept
        return float(np.sum(np.logaddexp(0, eta) - y[tr] * eta) + 0.5 * coef @ coef)

    # the fit is at least as good as scikit-learn's on the objective both minimise ...
    assert objective(ours.coef_[0], ours.intercept_[0]) <= objective(sk.coef_[0], sk.intercept_[0]) * (1 + 1e-12)
    # ... and the held-out log loss is the same (documented: 0.668226 for both)
    assert M.log_loss(y[te], p) == pytest.approx(M.log_loss(y[te], q), rel=1e-7)
    assert M.roc_auc(y[te], p) == pytest.approx(M.roc_auc(y[te], q), abs=1e-4)
    # capacity: 50 leads per period for 4 periods, 10 % cooling per period
    got = E.capacity_value({"lead score": p}, y[te].astype(float), capacity=50, decay=0.1, periods=4)
    order = np.argsort(-p, kind="stable")[:200]
    want = sum(y[te][i] * 0.9 ** (r // 50) for r, i in enumerate(order))
    assert got.loc["lead score", "won_value"] == pytest.approx(want, rel=1e-12)
    wins = int(y[te].sum())  # the oracle works the winners first
    assert got.loc["oracle", "won_value"] == pytest.approx(
        sum(0.9 ** (r // 50) for r in range(min(wins, 200))), rel=1e-12)


def test_capacity_curve_by_brute_force(tmp_path):
    """fn.plot.capacity_curve_frame: with one period the won value at capacity c is the sum
    of the true probabilities of the top c leads by score (brute force); the oracle bounds
    every scorer; the plot draws those numbers."""
    import matplotlib
    matplotlib.use("Agg")
    rng = np.random.default_rng(9)
    p = rng.random(120)
    s = {"noisy": p + rng.normal(scale=0.3, size=120), "random": rng.random(120)}
    f = fn.plot.capacity_curve_frame(s, p, capacities=[1, 10, 37, 120])
    assert list(f.columns) == ["noisy", "random", "oracle"]
    for c in (1, 10, 37, 120):
        for name, score in s.items():
            assert f.loc[c, name] == pytest.approx(p[np.argsort(-score, kind="stable")[:c]].sum(), rel=1e-12)
        assert f.loc[c, "oracle"] == pytest.approx(np.sort(p)[::-1][:c].sum(), rel=1e-12)
        assert f.loc[c, "oracle"] >= f.loc[c, ["noisy", "random"]].max() - 1e-12
    assert f.loc[120, "noisy"] == pytest.approx(p.sum())  # everyone worked: the order no longer matters
    ax = fn.plot.capacity_curve(s, p, capacities=[1, 10, 37, 120], decay=0.1, periods=3)
    assert len(ax.lines) == 3
    g = fn.plot.capacity_curve_frame(s, p, capacities=[1, 10, 37, 120], decay=0.1, periods=3)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), g["noisy"].to_numpy())
    ax.figure.savefig(tmp_path / "capacity.png")
    with pytest.raises(fn.EmptyInputError):
        fn.plot.capacity_curve_frame(s, [], capacities=[1])
