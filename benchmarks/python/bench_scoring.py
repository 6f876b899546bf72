"""Lead scoring: fit and predict of funnelnet's LeadScorer against scikit-learn's
LogisticRegression (lbfgs) at equal regularisation, metrics against sklearn.metrics, and
the real-data check on ../shared/data/crm (Won vs Lost, time split).

    .venv/bin/python benchmarks/python/bench_scoring.py fit --n 1000000 --p 32
    .venv/bin/python benchmarks/python/bench_scoring.py metrics --n 10000000
    .venv/bin/python benchmarks/python/bench_scoring.py crm [--data ../shared/data/crm]
    .venv/bin/python benchmarks/python/bench_scoring.py experiments --n 5000 [--replicates 1000]
    .venv/bin/python benchmarks/python/bench_scoring.py pooled --n 2000 [--p 4 --segments 8]

"Same log loss" means the relative difference of the training log losses is <= 1e-6;
scikit-learn runs with tol=1e-10 (its default 1e-4 stops far from the optimum).
Times are wall-clock seconds of one run after a warm-up on 1% of the data.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

import funnelnet as fn


def median3(f):
    """Run f three times: (its last result, median wall s, median CPU s)."""
    runs = []
    for _ in range(3):
        w, c = time.perf_counter(), time.process_time()
        out = f()
        runs.append((time.perf_counter() - w, time.process_time() - c))
    return out, float(np.median([r[0] for r in runs])), float(np.median([r[1] for r in runs]))


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def bench_fit(n: int, p: int, threads: int, C: float) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(size=p)
    beta = rng.normal(scale=0.3, size=p)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X - X.mean(0)) @ beta))).astype(np.int64)
    fn.scoring.LeadScorer(C=C, threads=threads).fit(X[: n // 100], y[: n // 100])
    ours, t_ours = timed(lambda: fn.scoring.LeadScorer(C=C, threads=threads).fit(X, y))
    sk, t_sk = timed(lambda: LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(X, y))
    sk_fast, t_sk_fast = timed(lambda: LogisticRegression(C=C, max_iter=10000).fit(X, y))
    sk_nc, t_sk_nc = timed(lambda: LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10,
                                                      max_iter=10000).fit(X, y))
    p_ours, tp_ours = timed(lambda: ours.predict_proba(X))
    p_sk, tp_sk = timed(lambda: sk.predict_proba(X))
    ll_ours, ll_sk, ll_fast = (log_loss(y, q[:, 1]) for q in (p_ours, p_sk, sk_fast.predict_proba(X)))
    print(f"fit {n} x {p}, C={C}, threads={threads or os.cpu_count()}")
    print(f"  funnelnet LeadScorer  fit {t_ours:8.3f} s  iterations {ours.n_iter_[0]:4d}  log loss {ll_ours:.12f}")
    print(f"  sklearn lbfgs tol=1e-10 {t_sk:8.3f} s  iterations {sk.n_iter_[0]:4d}  log loss {ll_sk:.12f}")
    print(f"  sklearn lbfgs default {t_sk_fast:8.3f} s  iterations {sk_fast.n_iter_[0]:4d}  log loss {ll_fast:.12f}")
    ll_nc = log_loss(y, sk_nc.predict_proba(X)[:, 1])
    print(f"  sklearn newton-cholesky tol=1e-10 {t_sk_nc:8.3f} s  iterations {sk_nc.n_iter_[0]:4d}  "
          f"log loss {ll_nc:.12f}")
    print(f"  relative log-loss difference (ours - sklearn tol=1e-10) / sklearn: {(ll_ours - ll_sk) / ll_sk:.2e}")
    print(f"  max |coef difference|: vs lbfgs {np.abs(ours.coef_ - sk.coef_).max():.1e}, "
          f"vs newton-cholesky {np.abs(ours.coef_ - sk_nc.coef_).max():.1e}")
    print(f"  fit speed-up vs lbfgs tol=1e-10: {t_sk / t_ours:.1f}x; vs lbfgs default tol: {t_sk_fast / t_ours:.1f}x; "
          f"vs newton-cholesky tol=1e-10: {t_sk_nc / t_ours:.1f}x")
    print(f"  predict_proba: funnelnet {tp_ours:.3f} s, sklearn {tp_sk:.3f} s, speed-up {tp_sk / tp_ours:.1f}x")


def bench_metrics(n: int) -> None:
    from sklearn import metrics as skm

    rng = np.random.default_rng(1)
    s = np.round(rng.random(n), 4)  # ties
    y = (rng.random(n) < s).astype(np.int64)
    print(f"metrics on {n} scores (rounded to 1e-4: ties)")
    for name, ours, theirs in (
            ("roc_auc", lambda: fn.scoring.metrics.roc_auc(y, s), lambda: skm.roc_auc_score(y, s)),
            ("average_precision", lambda: fn.scoring.metrics.average_precision(y, s),
             lambda: skm.average_precision_score(y, s)),
            ("log_loss", lambda: fn.scoring.metrics.log_loss(y, s), lambda: skm.log_loss(y, s)),
            ("brier", lambda: fn.scoring.metrics.brier(y, s), lambda: skm.brier_score_loss(y, s))):
        a, ta = timed(ours)
        b, tb = timed(theirs)
        print(f"  {name:18s} funnelnet {ta:7.3f} s  sklearn {tb:7.3f} s  speed-up {tb / ta:5.1f}x  "
              f"|difference| {abs(a - b):.1e}")


def crm_frame(root: str) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """Closed deals (Won / Lost) joined with accounts, products and agents; features known
    at engagement time only (no close date or close value)."""
    pipe = pd.read_csv(os.path.join(root, "sales_pipeline.csv"), parse_dates=["engage_date"])
    acc = pd.read_csv(os.path.join(root, "accounts.csv"))
    prod = pd.read_csv(os.path.join(root, "products.csv"))
    teams = pd.read_csv(os.path.join(root, "sales_teams.csv"))
    pipe["product"] = pipe["product"].replace({"GTXPro": "GTX Pro"})  # spelled two ways in the pipeline
    d = pipe[pipe["deal_stage"].isin(["Won", "Lost"])].dropna(subset=["engage_date"])
    d = d.merge(acc, on="account", how="left").merge(prod, on="product", how="left").merge(
        teams, on="sales_agent", how="left")
    y = (d["deal_stage"] == "Won").to_numpy(np.int64)
    num = pd.DataFrame({"log_revenue": np.log1p(d["revenue"].fillna(0)), "log_employees": np.log1p(
        d["employees"].fillna(0)), "account_missing": d["revenue"].isna().astype(float),
        "year_established": d["year_established"].fillna(d["year_established"].median()),
        "log_price": np.log(d["sales_price"]), "month": d["engage_date"].dt.month.astype(float)})
    cats = pd.get_dummies(d[["product", "sector", "sales_agent", "regional_office", "manager"]].fillna("other"),
                          dtype=float)
    X = pd.concat([num.reset_index(drop=True), cats.reset_index(drop=True)], axis=1)
    return X, y, d["engage_date"].reset_index(drop=True)


def bench_experiments(n: int, replicates: int, threads: int) -> None:
    """The paired bootstrap of compare() and the splits: the numpy code they replaced
    (a Python loop over replicates) against the C++ core; wall and process (CPU) seconds,
    the median of 3 runs each, and the largest difference of the replicates."""
    from funnelnet import _core

    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.3).astype(float)
    a = np.round(rng.random(n) + 0.4 * y, 3)
    b = np.round(rng.random(n) + 0.3 * y, 3)
    M = fn.scoring.metrics

    def numpy_bootstrap():
        idx = np.random.default_rng(1).integers(0, n, size=(replicates, n))
        reps = np.full(replicates, np.nan)
        for r, i in enumerate(idx):
            yb = y[i]
            if 0 < yb.sum() < n:
                reps[r] = M.roc_auc(yb, a[i]) - M.roc_auc(yb, b[i])
        return reps

    def cpp_bootstrap():
        return _core.scoring.paired_bootstrap_auc(y, a, b, replicates, 0.95, 1, threads)["replicates"]

    r0, w0, c0 = median3(numpy_bootstrap)
    r1, w1, c1 = median3(cpp_bootstrap)
    print(f"paired bootstrap, n={n}, {replicates} replicates: numpy+loop {w0:.3f} s wall / {c0:.3f} s CPU, "
          f"C++ {w1:.3f} s wall / {c1:.3f} s CPU (threads={threads}); wall ratio {w0 / w1:.1f}x; "
          f"max |difference| {np.nanmax(np.abs(r0 - r1)):.1e}")


def bench_pooled(n: int, p: int, S: int, threads: int) -> None:
    """PooledScorer's tau choice by evidence over the 36 default candidate pairs: the numpy
    code it replaced (a Python loop of fit_logistic calls, the design built in numpy,
    slogdet) against the C++ core (funnelnet::fit_pooled); wall and process (CPU) seconds,
    median of 3, and the largest difference of the log evidence."""
    from funnelnet import _core

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p))
    seg = rng.integers(0, S, n)
    eta = -1.0 + 0.2 * (seg - S / 2) / S + X @ np.linspace(1.0, 0.1, p)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    taus = (0.03, 0.1, 0.2, 0.4, 0.8, 1.6)

    def numpy_pooled():
        Z = (X - X.mean(0)) / X.std(0)
        D = np.zeros((n, p * (S + 1) + S))
        D[:, :p] = Z
        D[np.arange(n)[:, None], p + seg[:, None] * p + np.arange(p)[None, :]] = Z
        D[np.arange(n), p * (S + 1) + seg] = 1.0
        out = []
        for ti in taus:
            for tc in taus:
                f = np.full(D.shape[1], 1.0 / tc)
                f[:p] = 1.0
                f[D.shape[1] - S:] = 1.0 / ti
                keep = np.flatnonzero(D.std(axis=0) > 0)
                d = _core.scoring.fit_logistic(np.ascontiguousarray(D[:, keep]), y, None, 1.0 / n, 0.0, True, False,
                                               100, 1e-10, 30.0, threads, None, np.ascontiguousarray(f[keep]), True)
                k = keep.shape[0] + 1
                logdet = np.linalg.slogdet(d["covariance"].reshape(k, k))[1]
                b = np.zeros(D.shape[1])
                b[keep] = d["coef"]
                out.append(-n * d["log_loss"] - 0.5 * np.sum((f[keep] * b[keep]) ** 2) + np.sum(np.log(f[keep]))
                           + 0.5 * logdet)
        return np.array(out)

    def cpp_pooled():
        return _core.scoring.fit_pooled(X, y, seg.astype(np.int64), S, np.array(taus), None, 1.0, 0.0, 0.0, 0,
                                        threads=threads)["grid_score"]

    r0, w0, c0 = median3(numpy_pooled)
    r1, w1, c1 = median3(cpp_pooled)
    print(f"pooled prior, n={n}, p={p}, {S} segments, 36 tau pairs by evidence: numpy+loop {w0:.3f} s wall / "
          f"{c0:.3f} s CPU, C++ {w1:.3f} s wall / {c1:.3f} s CPU (threads={threads}); CPU ratio {c0 / c1:.2f}x; "
          f"max relative |difference| of the log evidence {np.max(np.abs(r0 - r1) / np.abs(r0)):.1e}")


def bench_crm(root: str) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y, t = crm_frame(root)
    cut = t.quantile(0.7)
    tr, te = (t < cut).to_numpy(), (t >= cut).to_numpy()
    sc = StandardScaler().fit(X[tr])
    Xtr, Xte = sc.transform(X[tr]), sc.transform(X[te])
    M = fn.scoring.metrics
    print(f"crm: {len(y)} closed deals, {X.shape[1]} features; train engaged before {cut.date()} "
          f"({tr.sum()} deals, win rate {y[tr].mean():.3f}), test after ({te.sum()}, {y[te].mean():.3f})")
    for C in (0.01, 1.0):
        ours = fn.scoring.LeadScorer(C=C).fit(Xtr, y[tr])
        sk = LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(Xtr, y[tr])
        for name, m in (("funnelnet LeadScorer", ours), ("sklearn LogisticRegression", sk)):
            p = m.predict_proba(Xte)[:, 1]
            lift = M.lift_table(y[te], p)["lift"].iloc[0]
            print(f"  C={C:<5} {name:27s} AUC {M.roc_auc(y[te], p):.4f}  log loss {M.log_loss(y[te], p):.6f}  "
                  f"top-decile lift {lift:.3f}")
    base = np.full(te.sum(), y[tr].mean())
    print(f"  base rate only: log loss {M.log_loss(y[te], base):.6f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("part", choices=["fit", "metrics", "crm", "experiments", "pooled"])
    ap.add_argument("--segments", type=int, default=8)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--p", type=int, default=None, help="features (fit: 32, pooled: 4)")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--data", default=os.environ.get("FUNNELNET_SHARED_DATA", "../shared/data") + "/crm")
    a = ap.parse_args()
    if a.part == "fit":
        bench_fit(a.n or 1_000_000, a.p or 32, a.threads, a.C)
    elif a.part == "metrics":
        bench_metrics(a.n or 10_000_000)
    elif a.part == "pooled":
        bench_pooled(a.n or 2000, a.p or 4, a.segments, a.threads)
    elif a.part == "experiments":
        bench_experiments(a.n or 5000, a.replicates, a.threads)
    else:
        bench_crm(a.data)


if __name__ == "__main__":
    main()
