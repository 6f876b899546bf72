"""Calibration of a scorer on held-out folds: Platt (a logistic curve on the decision
values) or isotonic (pool adjacent violators in C++, equal to scikit-learn's
``IsotonicRegression``).

:class:`CalibratedScorer` cross-fits: each fold's rows get decision values from a scorer
fitted without them; the calibrator is fitted on those out-of-fold values; the final
scorer is fitted on every row.  So the calibration never sees in-sample scores.

>>> import numpy as np, funnelnet as fn
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(600, 2)); y = (rng.random(600) < 1 / (1 + np.exp(-3 * X[:, 0]))).astype(int)
>>> c = fn.scoring.CalibratedScorer(fn.scoring.LeadScorer(), method="isotonic").fit(X, y)
>>> p = c.predict_proba(X)[:, 1]
>>> bool(p.min() >= 0 and p.max() <= 1)
True
"""
from __future__ import annotations

from typing import Any, Literal, Self

import numpy as np

from .. import _core
from ..errors import InvalidArgumentError
from ._shared import as_vector, as_weights

__all__ = ["isotonic", "platt", "CalibratedScorer"]


def isotonic(scores: Any, y: Any, *, sample_weight: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Isotonic regression of ``y`` on ``scores`` (weighted least squares, non-decreasing).

    Parameters
    ----------
    scores, y : array-like
    sample_weight : array-like, optional

    Returns
    -------
    (x, fitted) : two ndarrays
        The distinct scores ascending and the fitted values; predict with
        ``np.interp(s, x, fitted)`` (clipped at the ends).

    Examples
    --------
    >>> isotonic([1, 2, 3, 4], [1.0, 0.0, 1.0, 1.0])[1].tolist()
    [0.5, 0.5, 1.0, 1.0]
    """
    s = as_vector(scores, "scores")
    t = as_vector(y, "y")
    return _core.scoring.isotonic_fit(s, t, as_weights(sample_weight, s.shape[0]))


def platt(scores: Any, y: Any, *, sample_weight: Any = None, smooth: bool = True) -> tuple[float, float]:
    """Platt scaling: the logistic curve ``p = 1 / (1 + exp(-(a + b s)))`` fitted to
    labels ``y`` on scores ``s`` by maximum likelihood.

    With ``smooth`` (Platt 1999), the targets are not 0/1 but ``(N+ + 1) / (N+ + 2)``
    for the positives and ``1 / (N- + 2)`` for the negatives (``N+``/``N-`` the weighted
    class totals): a prior that keeps the curve finite on separable scores and tempers
    small calibration sets.  Soft targets are fitted exactly, each row entering once as
    a positive with weight ``w t`` and once as a negative with weight ``w (1 - t)``.

    Parameters
    ----------
    scores, y : array-like of shape (n,)
        Decision values and 0/1 labels.
    sample_weight : array-like, optional
    smooth : bool, default True
        Platt's target smoothing; False fits the 0/1 labels.

    Returns
    -------
    (a, b) : two floats
        Intercept and slope on the score.

    Raises
    ------
    InvalidArgumentError
        Labels other than 0/1, one class, NaN scores, negative weights.

    Examples
    --------
    >>> a, b = platt([-2.0, -1.0, 0.0, 1.0, 2.0], [0, 0, 1, 0, 1])
    >>> bool(b > 0)
    True
    """
    s = as_vector(scores, "scores")
    t = as_vector(y, "y")
    if t.shape[0] != s.shape[0]:
        raise InvalidArgumentError(f"y has length {t.shape[0]}, scores has {s.shape[0]}")
    a, b = _core.scoring.platt_fit(s, t, as_weights(sample_weight, s.shape[0]), bool(smooth))
    return float(a), float(b)


class CalibratedScorer:
    """A scorer whose probabilities are calibrated on held-out folds.

    Parameters
    ----------
    scorer : estimator, optional
        Anything with ``get_params``, ``fit`` and ``decision_function`` (a LeadScorer,
        a scikit-learn linear model); refitted on clones, the original is not changed.
        Default: ``LeadScorer()``.
    method : {"isotonic", "platt"}, default "isotonic"
        ``platt``: :func:`platt`, a logistic curve of y on the decision value.
    smooth : bool, default True
        Platt's target smoothing (``method="platt"`` only; see :func:`platt`).
    folds : int, default 5
        Number of cross-fitting folds (>= 2): each row's decision value for the
        calibrator comes from a scorer fitted on the other folds.
    seed : int, default 0
        Seed of the fold split.

    Attributes
    ----------
    scorer_ : estimator
        Fitted on every row.
    calibration_ : tuple
        Isotonic (x, fitted) or Platt (a, b) with p = 1 / (1 + exp(-(a + b d))).
    classes_ : ndarray

    Examples
    --------
    >>> import numpy as np, funnelnet as fn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = (rng.random(500) < 1 / (1 + np.exp(-(2 * X[:, 0] - 1)))).astype(int)
    >>> c = fn.scoring.CalibratedScorer(fn.scoring.LeadScorer(), method="isotonic").fit(X, y)
    >>> c.predict_proba(X[:2]).round(3)
    array([[0.704, 0.296],
           [0.629, 0.371]])
    """

    def __init__(self, scorer: Any = None, *, method: Literal["isotonic", "platt"] = "isotonic", folds: int = 5,
                 seed: int = 0, smooth: bool = True) -> None:
        self.scorer = scorer
        self.smooth = smooth
        self.method = method
        self.folds = folds
        self.seed = seed

    def fit(self, X: Any, y: Any) -> Self:
        """Cross-fit the decision values, fit the calibrator on them, refit the scorer.

        Parameters
        ----------
        X : array-like or DataFrame
            Features, one row per lead, as the wrapped scorer takes them.
        y : array-like of two classes
            Labels of the rows of ``X``; the larger class (in sorted order) is the
            positive one, the second column of :meth:`predict_proba`.

        Returns
        -------
        CalibratedScorer
            self
        """
        from .experiments import splits
        from .logistic import LeadScorer

        proto = LeadScorer() if self.scorer is None else self.scorer

        if self.method not in ("isotonic", "platt"):
            raise InvalidArgumentError(f"method must be 'isotonic' or 'platt', got {self.method!r}")
        yv = np.asarray(y)
        classes, yi = np.unique(yv, return_inverse=True)
        if classes.shape[0] != 2:
            raise InvalidArgumentError(f"y must have two classes, got {classes.shape[0]}")
        n = yv.shape[0]
        def take(idx: np.ndarray) -> Any:
            return X.iloc[idx] if hasattr(X, "iloc") else np.asarray(X)[idx]

        oof = np.empty(n)
        for tr, te in splits(n, folds=int(self.folds), seed=int(self.seed)):
            m = type(proto)(**proto.get_params()).fit(take(tr), yv[tr])
            oof[te] = m.decision_function(take(te))
        t = yi.astype(np.float64)
        cal: tuple[Any, Any] = isotonic(oof, t) if self.method == "isotonic" else platt(oof, t,
                                                                                       smooth=bool(self.smooth))
        self.calibration_ = cal
        self.scorer_ = type(proto)(**proto.get_params()).fit(X, yv)
        self.classes_ = classes
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like or DataFrame
            Features of the rows to score, with the columns used in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n, 2)
        """
        if not hasattr(self, "scorer_"):
            raise InvalidArgumentError("CalibratedScorer is not fitted yet: call fit first")
        d = np.asarray(self.scorer_.decision_function(X), dtype=np.float64)
        if self.method == "isotonic":
            x, f = self.calibration_
            p = np.interp(d, x, f)
        else:
            a, b = self.calibration_
            p = 1.0 / (1.0 + np.exp(-(a + b * d)))
        return np.column_stack([1.0 - p, p])
