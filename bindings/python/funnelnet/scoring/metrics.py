"""Metrics of binary scores, in C++: ranking, probability quality and bootstrap intervals.

Each metric equals scikit-learn's where scikit-learn has one (``roc_auc_score``,
``average_precision_score``, ``log_loss``, ``brier_score_loss``,
``calibration.calibration_curve``), ties included, and takes ``sample_weight`` where
scikit-learn does.  Labels are 0/1 (or bools); scores are any finite numbers,
probabilities in [0, 1] where a metric needs them.  Bad input raises a
:class:`funnelnet.InvalidArgumentError` (or :class:`funnelnet.ShapeError`) naming the row.

>>> import funnelnet as fn
>>> fn.scoring.metrics.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import choice, default, run_with_progress
from .._common.results import Result, result
from ._shared import as_vector, as_weights, binary_labels

__all__ = ["roc_auc", "average_precision", "log_loss", "brier", "ks", "lift_table", "gain_table",
           "calibration_curve", "ece", "bootstrap", "BootstrapInterval", "METRICS"]

#: Metrics :func:`bootstrap` can resample, by name.
METRICS = {"roc_auc": 0, "average_precision": 1, "log_loss": 2, "brier": 3, "ks": 4, "ece": 5}
_STRATEGIES = {"uniform": 0, "quantile": 1}


def _inputs(y_true: Any, score: Any, sample_weight: Any, name: str) -> tuple[np.ndarray, np.ndarray, Any]:
    y = binary_labels(y_true)
    s = as_vector(score, name)
    return y, s, as_weights(sample_weight, y.shape[0])


def roc_auc(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> float:
    """Area under the ROC curve; tied scores count half (scikit-learn's ``roc_auc_score``).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
        Higher means more likely positive.
    sample_weight : array-like, optional

    Returns
    -------
    float

    Examples
    --------
    >>> roc_auc([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9])
    0.875
    """
    return float(_core.scoring.roc_auc(*_inputs(y_true, y_score, sample_weight, "score")))


def average_precision(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> float:
    """Average precision, sum of (R_k - R_{k-1}) P_k over distinct thresholds
    (scikit-learn's ``average_precision_score``).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
    sample_weight : array-like, optional

    Returns
    -------
    float
    """
    return float(_core.scoring.average_precision(*_inputs(y_true, y_score, sample_weight, "score")))


def log_loss(y_true: Any, y_prob: Any, *, sample_weight: Any = None) -> float:
    """Weighted mean negative log-likelihood (scikit-learn's ``log_loss``; p clipped to
    [eps, 1 - eps]).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of probabilities of class 1
    sample_weight : array-like, optional

    Returns
    -------
    float
    """
    return float(_core.scoring.log_loss(*_inputs(y_true, y_prob, sample_weight, "p")))


def brier(y_true: Any, y_prob: Any, *, sample_weight: Any = None) -> float:
    """Weighted mean squared error of the probabilities (``brier_score_loss``).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of probabilities of class 1
    sample_weight : array-like, optional

    Returns
    -------
    float
    """
    return float(_core.scoring.brier(*_inputs(y_true, y_prob, sample_weight, "p")))


def ks(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> float:
    """Kolmogorov-Smirnov statistic: max |TPR - FPR| over thresholds, the two-sample KS
    distance between the scores of positives and negatives (``scipy.stats.ks_2samp``).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
    sample_weight : array-like, optional

    Returns
    -------
    float
    """
    return float(_core.scoring.ks(*_inputs(y_true, y_score, sample_weight, "score")))


def _rank(y_true: Any, y_score: Any, bins: int, sample_weight: Any) -> pd.DataFrame:
    y, s, w = _inputs(y_true, y_score, sample_weight, "score")
    d = _core.scoring.rank_table(y, s, int(bins), w)
    frame = pd.DataFrame(d, index=pd.RangeIndex(1, int(bins) + 1, name="bin"))
    frame["rows"] = frame["rows"].astype(np.int64)
    return frame


def lift_table(y_true: Any, y_score: Any, *, bins: int = 10, sample_weight: Any = None) -> pd.DataFrame:
    """Response rate and lift by score bin (deciles by default), highest scores first.

    Rows are ordered by score (ties by row order); sorted position r goes to bin
    ``1 + floor(r * bins / n)``, so bins differ by at most one row.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
    bins : int, default 10
    sample_weight : array-like, optional

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1 = top): ``rows``, ``weight``, ``positives``, ``score_min``,
        ``score_max``, ``rate`` (positives / weight) and ``lift`` (rate / overall rate).

    Examples
    --------
    >>> lift_table([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], bins=2)["lift"].tolist()
    [1.0, 1.0]
    """
    return _rank(y_true, y_score, bins, sample_weight)[
        ["rows", "weight", "positives", "score_min", "score_max", "rate", "lift"]]


def gain_table(y_true: Any, y_score: Any, *, bins: int = 10, sample_weight: Any = None) -> pd.DataFrame:
    """Cumulative gain by score bin: the share of all positives found in the top bins.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
    bins : int, default 10
    sample_weight : array-like, optional

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1 = top): ``cum_share`` (share of the weight in bins 1..b),
        ``cum_gain`` (share of positives) and ``cum_lift`` (gain / share).
    """
    return _rank(y_true, y_score, bins, sample_weight)[["cum_share", "cum_gain", "cum_lift"]]


def calibration_curve(y_true: Any, y_prob: Any, *, bins: int = 10,
                      strategy: Literal["uniform", "quantile"] = "uniform",
                      sample_weight: Any = None) -> pd.DataFrame:
    """Reliability curve: mean outcome against mean prediction in each non-empty bin
    (scikit-learn's ``calibration_curve``, same bin edges and edge rule).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of probabilities
    bins : int, default 10
    strategy : {"uniform", "quantile"}
        Equal-width bins on [0, 1] or bins at quantiles of ``y_prob``.
    sample_weight : array-like, optional

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (0-based): ``prob_true``, ``prob_pred``, ``weight``.
    """
    y, p, w = _inputs(y_true, y_prob, sample_weight, "p")
    d = _core.scoring.calibration_curve(y, p, int(bins), choice(strategy, _STRATEGIES, "strategy"), w)
    return pd.DataFrame({"prob_true": d["prob_true"], "prob_pred": d["prob_pred"], "weight": d["weight"]},
                        index=pd.Index(d["bin"].astype(np.int64), name="bin"))


def ece(y_true: Any, y_prob: Any, *, bins: int = 10, strategy: Literal["uniform", "quantile"] = "uniform",
        sample_weight: Any = None) -> float:
    """Expected calibration error: sum over bins of (bin weight / total) |prob_pred - prob_true|.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_prob : array-like of probabilities
    bins : int, default 10
    strategy : {"uniform", "quantile"}
    sample_weight : array-like, optional

    Returns
    -------
    float
    """
    y, p, w = _inputs(y_true, y_prob, sample_weight, "p")
    return float(_core.scoring.ece(y, p, int(bins), choice(strategy, _STRATEGIES, "strategy"), w))


@result
class BootstrapInterval(Result):
    """A metric with its percentile bootstrap interval.

    Attributes
    ----------
    metric : str
    estimate : float
        The metric on the data.
    lower, upper : float
        Percentile interval at ``level``.
    std_error : float
        Standard deviation of the replicates.
    level : float
    dropped : int
        Replicates without both classes (dropped).
    replicates : numpy.ndarray
        The value of each kept replicate, in replicate order.
    """

    metric: str
    estimate: float
    lower: float
    upper: float
    std_error: float
    level: float
    dropped: int
    replicates: np.ndarray

    def _table(self) -> pd.DataFrame:
        return pd.DataFrame({"value": self.replicates},
                            index=pd.RangeIndex(self.replicates.shape[0], name="replicate"))


def bootstrap(metric: str, y_true: Any, y_score: Any, *, sample_weight: Any = None, replicates: int = 1000,
              level: float = default("BootstrapOptions", "level"), seed: int = 0, threads: int = 0,
              bins: int = 10, strategy: Literal["uniform", "quantile"] = "uniform",
              progress: bool = False) -> BootstrapInterval:
    """Percentile bootstrap interval of a metric (rows resampled with replacement).

    Replicate b draws from the random stream (seed, b), so the same seed gives the same
    interval at any thread count.

    Parameters
    ----------
    metric : {"roc_auc", "average_precision", "log_loss", "brier", "ks", "ece"}
    y_true, y_score : array-like
    sample_weight : array-like, optional
    replicates : int, default 1000
    level : float, default 0.95
    seed : int, default 0
    threads : int, default 0 (chosen from the work: one thread for small inputs)
    bins, strategy
        Binning of ``ece``.
    progress : bool, default False
        Show a tqdm bar.

    Returns
    -------
    BootstrapInterval

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> s = rng.random(300); y = (rng.random(300) < s).astype(int)
    >>> r = bootstrap("roc_auc", y, s, replicates=200, seed=1)
    >>> bool(r.lower < r.estimate < r.upper)
    True
    """
    y, s, w = _inputs(y_true, y_score, sample_weight, "score")
    code = choice(metric, METRICS, "metric")
    st = choice(strategy, _STRATEGIES, "strategy")
    d = run_with_progress(progress, f"bootstrap {metric}", lambda cb: _core.scoring.bootstrap_metric(
        code, y, s, w, int(replicates), float(level), int(seed), int(threads), int(bins), st, cb))
    return BootstrapInterval(metric=metric, estimate=d["estimate"], lower=d["lower"], upper=d["upper"],
                             std_error=d["std_error"], level=float(level), dropped=int(d["dropped"]),
                             replicates=d["replicates"][~np.isnan(d["replicates"])])
