"""Lead-scoring experiments: seeded splits, paired comparisons of scorers on the same
folds, and what a ranking is worth under a team's capacity.

- :func:`splits`: K-fold (seeded), grouped by account, or time-ordered (expanding window).
- :func:`delong`: DeLong's test for the difference of two correlated ROC AUCs.
- :func:`compare`: fits every scorer on the same folds; per-fold metrics, then pairwise
  DeLong (pooled out-of-fold scores), the Nadeau-Bengio corrected resampled t-test across
  folds and a paired bootstrap interval of the AUC difference.
- :func:`capacity_value`: expected won revenue when the team works ``capacity`` leads per
  period in the order of a score and unworked leads decay, next to the oracle order.

The splits, DeLong's test, the corrected t-test and the paired bootstrap run in C++
(``funnelnet/scoring/experiments.hpp``, also in the C ABI); splits and bootstraps draw
from numpy's default generator seeded with ``seed``, bit for bit (same folds as
``numpy.random.default_rng(seed)``, no thread dependence).
"""
from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import run_with_progress
from .._common.results import Result, result
from ..errors import InvalidArgumentError, ShapeError
from . import metrics as M

__all__ = ["splits", "delong", "DeLongTest", "compare", "Comparison", "capacity_value", "student_t_sf"]


def splits(n: int, *, folds: int = 5, kind: Literal["kfold", "group", "time"] = "kfold", groups: Any = None,
           time: Any = None, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test index pairs.

    Parameters
    ----------
    n : int
        Number of rows.
    folds : int, default 5
        Number of test folds (>= 2, at most ``n``).
    kind : {"kfold", "group", "time"}
        ``kfold``: a seeded permutation cut into ``folds`` near-equal parts; ``group``:
        whole groups (e.g. accounts) per fold, groups permuted by the seed; ``time``:
        rows ordered by ``time`` cut into ``folds + 1`` blocks, fold k trains on blocks
        0..k and tests on block k + 1 (never on the past).
    groups : array-like, optional
        Group of each row (``kind="group"``).
    time : array-like, optional
        Time of each row (``kind="time"``).
    seed : int, default 0
        Seed of the permutation (``kfold``) or of the group order (``group``);
        ``time`` splits do not use it.

    Returns
    -------
    list of (train, test) index arrays

    Examples
    --------
    >>> [len(te) for _, te in splits(10, folds=3)]
    [4, 3, 3]
    """
    folds = int(folds)
    out = []
    if kind == "kfold":
        fold = _core.scoring.kfold_split(int(n), folds, int(seed))
        for k in range(folds):
            out.append((np.flatnonzero(fold != k), np.flatnonzero(fold == k)))
    elif kind == "group":
        if groups is None:
            raise InvalidArgumentError("kind='group' needs groups=")
        g = np.asarray(groups)
        if g.shape[0] != n:
            raise ShapeError(f"groups has length {g.shape[0]}, expected {n}")
        # the groups as their ranks among the distinct values (numpy.unique's order)
        _, codes = np.unique(g, return_inverse=True)
        fold = _core.scoring.group_kfold_split(np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), folds,
                                               int(seed))
        for k in range(folds):
            out.append((np.flatnonzero(fold != k), np.flatnonzero(fold == k)))
    elif kind == "time":
        if time is None:
            raise InvalidArgumentError("kind='time' needs time=")
        t = np.asarray(time)
        if t.shape[0] != n:
            raise ShapeError(f"time has length {t.shape[0]}, expected {n}")
        # ranks of the times (datetimes, strings, numbers; NaN last), ties by row order
        _, codes = np.unique(t, return_inverse=True)
        fold = _core.scoring.time_split(np.ascontiguousarray(codes.reshape(-1), dtype=np.float64), folds)
        for k in range(folds):
            out.append((np.flatnonzero(fold < k), np.flatnonzero(fold == k)))
    else:
        raise InvalidArgumentError(f"kind must be 'kfold', 'group' or 'time', got {kind!r}")
    return out


def student_t_sf(t: float, df: int) -> float:
    """P(T > t) for Student's t with an integer number of degrees of freedom (exact
    finite series, Abramowitz & Stegun 26.7.3-4).

    Parameters
    ----------
    t : float
    df : int, >= 1

    Returns
    -------
    float

    Examples
    --------
    >>> round(student_t_sf(2.0, 1), 6)  # Cauchy: 1/2 - atan(2)/pi
    0.147584
    """
    return float(_core.scoring.student_t_sf(float(t), int(df)))


@result
class DeLongTest(Result):
    """DeLong's test of AUC(a) - AUC(b) on the same rows.

    Attributes
    ----------
    auc_a, auc_b, difference, std_error, z, p_value : float
        Two-sided p-value from the normal approximation.
    covariance : numpy.ndarray
        2 x 2 covariance of the two AUC estimates.
    """

    auc_a: float
    auc_b: float
    difference: float
    std_error: float
    z: float
    p_value: float
    covariance: np.ndarray

    def _table(self) -> pd.DataFrame:
        return pd.DataFrame({"auc": [self.auc_a, self.auc_b], "variance": np.diag(self.covariance)},
                            index=pd.Index(["a", "b"], name="scorer"))


def delong(y_true: Any, score_a: Any, score_b: Any) -> DeLongTest:
    """DeLong, DeLong and Clarke-Pearson (1988) test for two correlated ROC AUCs, with
    Sun and Xu's (2014) midrank computation (O(n log n), ties count half).

    Parameters
    ----------
    y_true : array-like of 0/1
        True labels, 1 for a positive row; at least 2 rows of each class.
    score_a, score_b : array-like
        Two scores of the same rows.

    Returns
    -------
    DeLongTest

    Examples
    --------
    >>> t = delong([0, 0, 1, 1, 0, 1], [.1, .4, .35, .8, .2, .9], [.3, .2, .6, .7, .1, .5])
    >>> round(t.auc_a, 4), round(t.auc_b, 4)
    (0.8889, 1.0)
    """
    y = np.asarray(y_true, dtype=np.float64)
    a = np.asarray(score_a, dtype=np.float64)
    b = np.asarray(score_b, dtype=np.float64)
    if not (y.shape == a.shape == b.shape) or y.ndim != 1:
        raise ShapeError(f"y_true, score_a and score_b must be 1-d of one length, got {y.shape}, {a.shape}, "
                         f"{b.shape}")
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        raise InvalidArgumentError(f"y_true[{int(bad[0])}] must be 0 or 1, got {y[bad[0]]}")
    d = _core.scoring.delong_test(np.ascontiguousarray(y), np.ascontiguousarray(a), np.ascontiguousarray(b))
    return DeLongTest(auc_a=d["auc_a"], auc_b=d["auc_b"], difference=d["difference"], std_error=d["std_error"],
                      z=d["z"], p_value=d["p_value"], covariance=d["covariance"].reshape(2, 2))


@result
class Comparison(Result):
    """Scorers compared on the same folds.

    Attributes
    ----------
    folds : DataFrame
        One row per (scorer, fold): ``roc_auc``, ``log_loss``, ``brier``,
        ``average_precision``, ``n_train``, ``n_test``.
    pairs : DataFrame
        One row per pair (a, b): mean AUC difference, DeLong z and p on the pooled
        out-of-fold scores, Nadeau-Bengio corrected t and p across folds, paired
        bootstrap interval of the pooled AUC difference.
    oof : DataFrame
        Out-of-fold probability of each scorer per row (rows in the input order).
    """

    folds: pd.DataFrame
    pairs: pd.DataFrame
    oof: pd.DataFrame

    def _table(self) -> pd.DataFrame:
        return self.folds.rename_axis("row")


def _proba(model: Any, X: Any) -> np.ndarray:
    p = np.asarray(model.predict_proba(X))
    return p[:, 1] if p.ndim == 2 else p


def compare(scorers: Mapping[str, Any], X: Any, y: Any, *, folds: int = 5,
            kind: Literal["kfold", "group", "time"] = "kfold", groups: Any = None, time: Any = None,
            columns: Mapping[str, Sequence[str]] | None = None, replicates: int = 1000, seed: int = 0,
            progress: bool = False) -> Comparison:
    """Fit and score several scorers on the same folds, with paired statistics.

    Parameters
    ----------
    scorers : mapping name -> estimator
        Anything with ``fit(X, y)`` and ``predict_proba`` (a :class:`LeadScorer`, a
        scikit-learn classifier, a Pipeline); each fold fits a clone made with
        ``get_params`` (the originals are not changed).
    X : DataFrame or array
        Features, one row per lead; every scorer gets the same rows of each fold (and
        only its ``columns`` when given).
    y : array-like of 0/1
        Labels of the rows of ``X``.
    folds, kind, groups, time, seed
        The splits (:func:`splits`).
    columns : mapping name -> column names, optional
        Restrict a scorer to some columns of X (baselines such as the funnel stage only;
        :func:`funnelnet.scoring.baselines` gives ready-made ones that pick their columns
        of a :func:`funnelnet.scoring.features` frame by name).
    replicates : int, default 1000
        Paired bootstrap resamples of the pooled out-of-fold rows.
    progress : bool, default False
        Show a tqdm bar over the (fold, scorer) fits.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import numpy as np, funnelnet as fn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3)); y = (rng.random(400) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(int)
    >>> c = compare({"all": fn.scoring.LeadScorer(), "x2": fn.scoring.LeadScorer()}, X, y,
    ...             columns={"x2": [2]}, replicates=200)
    >>> bool(c.pairs.loc[0, "auc_difference"] > 0.2 and c.pairs.loc[0, "delong_p"] < 0.001)
    True
    """
    yv = np.asarray(y).astype(np.float64)
    n = yv.shape[0]
    Xf = X if isinstance(X, pd.DataFrame) else np.asarray(X)
    if Xf.shape[0] != n:
        raise ShapeError(f"X has {Xf.shape[0]} rows, y has {n}")
    names = list(scorers)
    if len(names) < 1:
        raise InvalidArgumentError("compare needs at least one scorer")
    split = splits(n, folds=folds, kind=kind, groups=groups, time=time, seed=seed)
    cols = dict(columns or {})

    def view(name: str, idx: np.ndarray) -> Any:
        sub = Xf.iloc[idx] if isinstance(Xf, pd.DataFrame) else Xf[idx]
        if name in cols:
            c = list(cols[name])
            sub = sub[c] if isinstance(sub, pd.DataFrame) else sub[:, c]
        return sub

    oof = np.full((n, len(names)), np.nan)
    rows = []

    def run(cb: Any) -> None:
        total = len(split) * len(names)
        done = 0
        for k, (tr, te) in enumerate(split):
            for j, name in enumerate(names):
                proto = scorers[name]
                model = type(proto)(**proto.get_params())
                model.fit(view(name, tr), yv[tr])
                p = _proba(model, view(name, te))
                oof[te, j] = p
                yt = yv[te]
                both = 0 < yt.sum() < yt.shape[0]
                rows.append({"scorer": name, "fold": k, "n_train": tr.shape[0], "n_test": te.shape[0],
                             "roc_auc": M.roc_auc(yt, p) if both else np.nan,
                             "average_precision": M.average_precision(yt, p) if yt.sum() > 0 else np.nan,
                             "log_loss": M.log_loss(yt, np.clip(p, 0, 1)), "brier": M.brier(yt, np.clip(p, 0, 1))})
                done += 1
                if cb is not None:
                    cb(done, total)

    run_with_progress(progress, "compare", run)
    fold_table = pd.DataFrame(rows)
    tested = ~np.isnan(oof).any(axis=1)
    yo, po = yv[tested], oof[tested]
    pairs = []
    n_te = float(np.mean([len(te) for _, te in split]))
    n_tr = float(np.mean([len(tr) for tr, _ in split]))
    for ia in range(len(names)):
        for ib in range(ia + 1, len(names)):
            a, b = names[ia], names[ib]
            d = delong(yo, po[:, ia], po[:, ib])
            fa = fold_table[fold_table["scorer"] == a].set_index("fold")["roc_auc"]
            fb = fold_table[fold_table["scorer"] == b].set_index("fold")["roc_auc"]
            diff = (fa - fb).dropna().to_numpy()
            k = diff.shape[0]
            if k >= 2:
                nb = _core.scoring.corrected_t_test(np.ascontiguousarray(diff, dtype=np.float64), n_tr, n_te)
                t, p_nb = float(nb["t"]), float(nb["p_value"])
            else:
                t, p_nb = np.nan, np.nan
            # the same resampled rows for every pair: default_rng(seed).integers(0, n, (replicates, n))
            boot = _core.scoring.paired_bootstrap_auc(yo, np.ascontiguousarray(po[:, ia]),
                                                      np.ascontiguousarray(po[:, ib]), int(replicates), 0.95,
                                                      int(seed), 0)
            pairs.append({"a": a, "b": b, "auc_difference": d.difference, "delong_z": d.z, "delong_p": d.p_value,
                          "nb_mean_fold_difference": float(np.mean(diff)) if k else np.nan, "nb_t": t,
                          "nb_p": p_nb, "bootstrap_lower": float(boot["lower"]),
                          "bootstrap_upper": float(boot["upper"])})
    pair_table = pd.DataFrame(pairs, columns=["a", "b", "auc_difference", "delong_z", "delong_p",
                                              "nb_mean_fold_difference", "nb_t", "nb_p", "bootstrap_lower",
                                              "bootstrap_upper"])
    oof_frame = pd.DataFrame(oof, columns=names,
                             index=Xf.index if isinstance(Xf, pd.DataFrame) else pd.RangeIndex(n, name="row"))
    return Comparison(folds=fold_table, pairs=pair_table, oof=oof_frame)


def capacity_value(scores: Mapping[str, Any], probability: Any, value: Any = None, *, capacity: int,
                   decay: float = 0.0, periods: int | None = None) -> pd.DataFrame:
    """Expected won revenue when the team works ``capacity`` leads per period in score order.

    The lead ranked r (0 = highest score, ties by row order) is worked in period
    ``r // capacity`` and wins with probability ``probability * (1 - decay) ** period``
    (an unworked lead cools off); leads past ``periods`` are never worked.  The oracle
    works them in the order of ``probability * value`` (the best any score can do).

    Parameters
    ----------
    scores : mapping name -> array-like
        Each scorer's score per lead.
    probability : array-like
        The true win probability per lead (the synthetic company's ground truth, or
        held-out outcomes 0/1).
    value : array-like, optional
        Deal value per lead (default 1: expected wins).
    capacity : int
        Leads worked per period.
    decay : float, default 0.0
        Share of the win probability lost per period of waiting.
    periods : int, optional
        Periods simulated (default: until every lead is worked).

    Returns
    -------
    DataFrame
        Indexed by scorer (then ``oracle``): ``won_value``, ``share_of_oracle``.

    Examples
    --------
    >>> capacity_value({"s": [0.9, 0.1, 0.5]}, [0.8, 0.1, 0.4], capacity=1, periods=1)["won_value"].tolist()
    [0.8, 0.8]
    """
    p = np.asarray(probability, dtype=np.float64)
    v = np.ones_like(p) if value is None else np.asarray(value, dtype=np.float64)
    if v.shape != p.shape:
        raise ShapeError(f"value has shape {v.shape}, probability {p.shape}")
    if capacity < 1:
        raise InvalidArgumentError(f"capacity must be >= 1, got {capacity}")
    if not 0.0 <= decay < 1.0:
        raise InvalidArgumentError(f"decay must lie in [0, 1), got {decay}")

    def worth(order_key: np.ndarray) -> float:
        order = np.argsort(-order_key, kind="stable")
        period = np.arange(p.shape[0]) // capacity
        keep = period < periods if periods is not None else np.ones_like(period, dtype=bool)
        lead = order[keep]
        return float(np.sum(p[lead] * v[lead] * (1.0 - decay) ** period[keep]))

    out = {}
    for name, s in scores.items():
        s = np.asarray(s, dtype=np.float64)
        if s.shape != p.shape:
            raise ShapeError(f"scores[{name!r}] has shape {s.shape}, probability {p.shape}")
        out[name] = worth(s)
    best = worth(p * v)
    out["oracle"] = best
    frame = pd.DataFrame({"won_value": pd.Series(out)})
    frame.index.name = "scorer"
    frame["share_of_oracle"] = frame["won_value"] / best if best > 0 else np.nan
    return frame
