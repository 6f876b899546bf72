"""The lead scorer: penalised logistic regression in C++ as a scikit-learn estimator.

:class:`LeadScorer` minimises scikit-learn's ``LogisticRegression`` objective at equal
``C`` (``C * sum_i w_i loss_i + penalty``; internally lambda = 1 / (C sum w) on the mean
loss), with an L2 or elastic-net penalty, an unpenalised intercept, class and sample
weights and optional standardised fitting (the penalty on standardised coefficients, as
glmnet).  Newton (L2) or proximal Newton (elastic net) converges to 1e-10 in a handful
of passes over the data.  It adds what a sales team reads: the 1-99 score, priority
tiers, per-lead top factors (exact contributions to the linear predictor) and, when the
fit is unpenalised and well-posed, standard errors and Wald intervals.

It follows the scikit-learn estimator protocol without importing scikit-learn
(``get_params``/``set_params``, clone, ``feature_names_in_``, ``classes_``; the tags are
built only when scikit-learn asks for them), so it works in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score``.

>>> import numpy as np, funnelnet as fn
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(500, 3)); y = (rng.random(500) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
>>> m = fn.scoring.LeadScorer(C=10.0).fit(X, y)
>>> m.predict_proba(X).shape
(500, 2)
>>> bool(m.coef_[0, 0] > 0.5)
True
"""
from __future__ import annotations

import importlib
import inspect
import sys
import warnings
from statistics import NormalDist
from typing import Any, Mapping, Self, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default
from ..errors import ConvergenceError, ConvergenceWarning, InputTypeError, InvalidArgumentError, ShapeError

__all__ = ["LeadScorer", "NotFittedError", "DataConversionWarning"]


class NotFittedError(InvalidArgumentError, AttributeError):
    """A LeadScorer method that needs a fitted model was called before ``fit``."""


def _not_fitted(message: str) -> NotFittedError:
    """NotFittedError; also an instance of scikit-learn's NotFittedError when scikit-learn
    is already loaded (nothing is imported here)."""
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return NotFittedError(message)
    cls = type("NotFittedError", (NotFittedError, sk.NotFittedError), {"__module__": __name__})
    return cast(NotFittedError, cls(message))


class DataConversionWarning(UserWarning):
    """The input was converted (e.g. a column vector y flattened)."""


def _conversion_warning() -> type[Warning]:
    """DataConversionWarning; also scikit-learn's when scikit-learn is already loaded."""
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return DataConversionWarning
    return type("DataConversionWarning", (DataConversionWarning, sk.DataConversionWarning), {"__module__": __name__})


def _as_X(X: Any, name: str = "X") -> tuple[np.ndarray, list[str] | None]:
    if hasattr(X, "tocsr") or hasattr(X, "toarray"):
        raise InputTypeError(f"sparse {name} is not supported by LeadScorer: pass a dense array (X.toarray())")
    names = None
    if isinstance(X, pd.DataFrame):
        cols = list(X.columns)
        if cols and all(isinstance(c, str) for c in cols):
            names = cols
    a = np.asarray(X)
    if a.dtype.kind == "c":
        raise InvalidArgumentError("Complex data not supported")
    if a.ndim != 2:
        raise ShapeError(f"Expected 2D array, got {a.ndim}D array instead. Reshape your data: {name} must be "
                         "(n_samples, n_features)")
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.shape[0] == 0:
        raise InvalidArgumentError(f"Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 is required.")
    if a.shape[1] == 0:
        raise InvalidArgumentError(f"Found array with 0 feature(s) (shape={a.shape}) while a minimum of 1 is required.")
    return a, names


def _encode_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(y, return_inverse=True)``, without its sort when y is numeric with at
    most two values that differ by one (0/1 labels, bools): then min and max are the
    classes.

    Parameters
    ----------
    y : ndarray of shape (n,)

    Returns
    -------
    (classes, codes) : two ndarrays
        The sorted distinct labels and each row's index into them.
    """
    if y.dtype.kind in "biuf" and y.shape[0] > 0:
        lo, hi = y.min(), y.max()
        if lo == hi:
            return np.array([lo], dtype=y.dtype), np.zeros(y.shape[0], dtype=np.intp)
        if y.dtype.kind == "b" or hi - lo == 1:
            return np.array([lo, hi], dtype=y.dtype), (y == hi).astype(np.intp)
    classes, codes = np.unique(y, return_inverse=True)
    return classes, codes.reshape(-1)


def _index_of(X: Any, n: int) -> pd.Index:
    """X's index for a DataFrame, else row numbers named ``lead``."""
    return X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(n, name="lead")


class LeadScorer:
    """Penalised logistic regression for lead scoring (a scikit-learn classifier).

    Parameters
    ----------
    C : float or None, default 1.0
        Inverse regularisation strength, scikit-learn's convention: the objective is
        ``C * sum_i w_i loss_i + (1 - l1_ratio) / 2 |b|^2 + l1_ratio |b|_1``.  None (or
        inf) fits without a penalty (then standard errors are available).
    l1_ratio : float, default 0.0
        Elastic-net mix: 0 = L2, 1 = lasso.
    fit_intercept : bool, default True
        Fit an intercept; False fixes it at 0 (the linear predictor is ``X @ coef``).
    standardize : bool, default False
        Penalise the coefficients of the standardised columns (glmnet) instead of the
        raw ones; coefficients are always reported on the user's scale.
    class_weight : None, "balanced" or dict, default None
        Weights per class label, multiplied into ``sample_weight``; "balanced" gives class
        c the weight ``sum(w) / (2 sum(w[y == c]))`` (scikit-learn's weighted rule).
    max_iter : int, default 100
        Newton iterations.
    tol : float, default 1e-10
        Inf-norm of the (sub)gradient of the mean objective on the standardised scale.
    threads : int, default 0
        0 chooses from the size of the work (one thread for small fits); the result does not depend on it.
    strict : bool, default False
        Raise :class:`funnelnet.ConvergenceError` instead of warning when the fit does not
        converge (separable data without a penalty, iteration limit).
    tier_shares : tuple of float, default (0.1, 0.3, 0.6)
        Shares of leads in each priority tier, best first (A 10 / B 30 / C 60 %).
    tier_labels : tuple of str, default ("A", "B", "C")
        Names of the priority tiers, best first, one per ``tier_shares`` entry
        (:meth:`tiers` raises when the lengths differ).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame with string column names.
    n_iter_ : ndarray of shape (1,)
    converged_ : bool
    report_ : dict
        How the fit went (status, objective, log loss, gradient norm, separated,
        rank_deficient, constant_columns, message).
    mean_ : ndarray
        Weighted training means; contributions are measured from them.
    covariance_ : ndarray or None
        Covariance of (intercept, coefficients) when unpenalised and well-posed.

    Examples
    --------
    >>> import numpy as np, funnelnet as fn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = (rng.random(500) < 1 / (1 + np.exp(-(2 * X[:, 0] - 1)))).astype(int)
    >>> m = fn.scoring.LeadScorer(C=None).fit(X, y)
    >>> m.converged_, m.coef_.round(2).tolist()
    (True, [[1.81, 0.11]])
    >>> m.tiers(X).value_counts().sort_index().tolist()  # A 10 / B 30 / C 60 %
    [50, 150, 300]
    >>> m.wald_table().index.tolist()  # unpenalised: standard errors and Wald intervals
    ['intercept', 'x0', 'x1']
    """

    def __init__(self, C: float | None = 1.0, *, l1_ratio: float = 0.0, fit_intercept: bool = True,
                 standardize: bool = False, class_weight: str | Mapping[Any, float] | None = None,
                 max_iter: int = default("LogisticOptions", "max_iterations"),
                 tol: float = default("LogisticOptions", "tolerance"), threads: int = 0, strict: bool = False,
                 tier_shares: tuple[float, ...] = (0.1, 0.3, 0.6),
                 tier_labels: tuple[str, ...] = ("A", "B", "C")) -> None:
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.threads = threads
        self.strict = strict
        self.tier_shares = tier_shares
        self.tier_labels = tier_labels

    # ------------------------------------------------------------ estimator protocol
    @classmethod
    def _param_names(cls) -> list[str]:
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters, by name (scikit-learn's protocol).

        Parameters
        ----------
        deep : bool
            Ignored (no nested estimators).

        Returns
        -------
        dict
        """
        return {k: getattr(self, k) for k in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Set constructor parameters by name (scikit-learn's protocol).

        Parameters
        ----------
        **params
            Parameter values.

        Returns
        -------
        LeadScorer
            self
        """
        valid = self._param_names()
        for k, v in params.items():
            if k not in valid:
                raise ValueError(f"Invalid parameter {k!r} for estimator {type(self).__name__}. "
                                 f"Valid parameters are: {valid!r}.")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        shown = [f"{k}={v!r}" for k, v in self.get_params().items()
                 if not (isinstance(v, type(defaults[k])) and v == defaults[k])]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "coef_")

    def __sklearn_tags__(self) -> Any:
        # Only scikit-learn calls this, so scikit-learn is importable here.
        base: Any = importlib.import_module("sklearn.base")
        proto = type("_Proto", (base.ClassifierMixin, base.BaseEstimator), {})
        tags = proto().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        return tags

    # ------------------------------------------------------------------------- fit
    def _labels(self, y: Any, n: int) -> np.ndarray:
        if y is None:
            raise InvalidArgumentError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape "
                          "of y to (n_samples, ), for example using ravel().", _conversion_warning(), stacklevel=3)
            y = y.ravel()
        if y.ndim != 1:
            raise ShapeError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
        if y.shape[0] != n:
            raise ShapeError(f"y has {y.shape[0]} rows, X has {n}")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)):
                raise InvalidArgumentError("Input y contains NaN or infinity.")
            if np.any(y != np.round(y)):
                raise InvalidArgumentError("Unknown label type: continuous. LeadScorer needs binary labels "
                                           "(0/1, bools or two class names)")
        return np.asarray(y)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Fit on features X and binary labels y.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)
            Numeric, finite.
        y : array-like of shape (n,)
            Two classes (0/1, bools, or any two labels: the larger is "positive").
        sample_weight : array-like of shape (n,), optional
            Finite and >= 0.

        Returns
        -------
        LeadScorer
            self, fitted.

        Raises
        ------
        InvalidArgumentError
            NaN/Inf in X (naming the cell), one class, more than two classes, negative
            weights.
        ShapeError
            Mismatched lengths.
        """
        Xa, names = _as_X(X)
        y = self._labels(y, Xa.shape[0])
        classes, yi = _encode_labels(y)
        if classes.shape[0] < 2:
            raise InvalidArgumentError(f"y has 1 class ({classes[0]!r} only): LeadScorer needs two classes")
        if classes.shape[0] > 2:
            raise InvalidArgumentError(f"Only binary classification is supported. The type of the target is "
                                       f"multiclass: y has {classes.shape[0]} classes")
        yf = np.ascontiguousarray(yi, dtype=np.float64)
        unit = sample_weight is None and self.class_weight is None  # no weights to pass: all 1
        w = np.ones(Xa.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w.ndim != 1 or w.shape[0] != Xa.shape[0]:
            raise ShapeError(f"sample_weight has shape {w.shape}, expected ({Xa.shape[0]},)")
        w = w.copy()
        if w.shape[0] and np.all(w == 0):
            raise InvalidArgumentError("sample_weight is zero for every row: all weights are zero")
        cw = self.class_weight
        if cw is not None:
            if isinstance(cw, str):
                if cw != "balanced":
                    raise InvalidArgumentError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}")
                counts = np.bincount(yi, weights=w, minlength=2)  # weighted, as scikit-learn
                factors = counts.sum() / (2.0 * counts)
            else:
                factors = np.array([float(cw.get(c, 1.0)) for c in classes])
            w *= factors[yi]
        total = float(np.sum(w)) if np.all(np.isfinite(w)) else np.nan
        C = self.C
        if C is None or (isinstance(C, float) and np.isinf(C)):
            lam = 0.0
        else:
            if not (isinstance(C, (int, float, np.floating)) and C > 0):
                raise InvalidArgumentError(f"C must be a positive number or None, got {C!r}")
            lam = 1.0 / (float(C) * total) if total > 0 else 0.0
        d = _core.scoring.fit_logistic(Xa, yf, None if unit else np.ascontiguousarray(w), float(lam), float(self.l1_ratio),
                                       bool(self.fit_intercept), bool(self.standardize), int(self.max_iter),
                                       float(self.tol), default("LogisticOptions", "separation_bound"),
                                       int(self.threads), None)
        self.classes_ = classes
        self.n_features_in_ = Xa.shape[1]
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.coef_ = d["coef"].reshape(1, -1)
        self.intercept_ = np.array([d["intercept"]])
        self.mean_ = d["mean"]
        self.n_iter_ = np.array([d["iterations"]], dtype=np.int32)
        self.converged_ = bool(d["converged"])
        cov = d["covariance"]
        k = int(round(np.sqrt(cov.shape[0]))) if cov.shape[0] else 0
        self.covariance_ = cov.reshape(k, k) if k else None
        self.report_ = {key: d[key] for key in ("status", "converged", "iterations", "objective", "log_loss",
                                                "gradient_norm", "separated", "rank_deficient", "message")}
        self.report_["constant_columns"] = [int(c) for c in d["constant_columns"]]
        self.report_["lambda"] = lam
        if not self.converged_:
            msg = f"LeadScorer fit did not converge: {d['message']} (gradient norm {d['gradient_norm']:.3g})"
            if self.strict:
                raise ConvergenceError(msg)
            warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        elif d["rank_deficient"] and lam == 0.0:
            warnings.warn("LeadScorer: the design is rank-deficient (collinear columns); the minimum-norm "
                          "coefficients are reported and standard errors are not available", ConvergenceWarning,
                          stacklevel=2)
        return self

    # ----------------------------------------------------------------- predictions
    def _check_X(self, X: Any) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise _not_fitted(f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                              "appropriate arguments before using this estimator.")
        Xa, names = _as_X(X)
        fitted = getattr(self, "feature_names_in_", None)
        if names is not None and fitted is None:
            warnings.warn(f"X has feature names, but {type(self).__name__} was fitted without feature names",
                          UserWarning, stacklevel=3)
        elif names is None and fitted is not None:
            warnings.warn(f"X does not have valid feature names, but {type(self).__name__} was fitted with "
                          "feature names", UserWarning, stacklevel=3)
        elif names is not None and fitted is not None and list(fitted) != names:
            raise InvalidArgumentError("The feature names should match those that were passed during fit.\n"
                                       f"Fitted: {list(fitted)}\nGot: {names}")
        if Xa.shape[1] != self.n_features_in_:
            raise ShapeError(f"X has {Xa.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        return Xa

    def decision_function(self, X: Any) -> np.ndarray:
        """The linear predictor (log-odds of the positive class).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        ndarray of shape (n,)
        """
        Xa = self._check_X(X)
        return _core.scoring.logistic_decision(float(self.intercept_[0]), np.ascontiguousarray(self.coef_[0]),
                                               self.mean_, Xa, False, int(self.threads))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        ndarray of shape (n, 2)
        """
        Xa = self._check_X(X)
        proba: np.ndarray = _core.scoring.logistic_predict_proba(
            float(self.intercept_[0]), np.ascontiguousarray(self.coef_[0]), self.mean_, Xa, int(self.threads))
        return proba

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities (stable: log-sigmoid of the linear predictor).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        ndarray of shape (n, 2)
        """
        eta = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, eta), -np.logaddexp(0.0, -eta)])

    def predict(self, X: Any) -> np.ndarray:
        """The more probable class label (the positive class when the linear predictor > 0).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        ndarray of shape (n,)
        """
        positive = self.decision_function(X) > 0  # checks the fit first
        return self.classes_[positive.astype(np.intp)]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Weighted accuracy of ``predict`` (scikit-learn's classifier score).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).
        y : array-like of shape (n,)
            True labels of the rows of ``X``, compared with :meth:`predict`.
        sample_weight : array-like, optional
            Weight of each row in the accuracy (default None: equal weights).

        Returns
        -------
        float
        """
        hit = (self.predict(X) == np.asarray(y)).astype(np.float64)
        return float(np.average(hit, weights=sample_weight))

    # ----------------------------------------------------------------- sales views
    def score_1_99(self, X: Any) -> pd.Series:
        """The CRM-style lead score: round(100 p) clipped to 1..99 (:func:`score_1_99`).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        Series of int64
            Named ``score``, indexed like X (a DataFrame's index, else row numbers).

        Examples
        --------
        >>> import numpy as np
        >>> m = LeadScorer().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
        >>> m.score_1_99(np.array([[-50.0], [50.0]])).tolist() in ([1, 99], [99, 1])
        True
        """
        from .ranking import score_1_99

        p = self.predict_proba(X)[:, 1]
        return score_1_99(p, index=_index_of(X, p.shape[0]))

    def tiers(self, X: Any) -> pd.Series:
        """Priority tiers by rank of the score: the top ``tier_shares[0]`` of the leads get
        ``tier_labels[0]``, and so on (ties by row order; :func:`priority_tiers` of the
        linear predictor).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        Series
            Named ``tier``, ordered categorical (best tier first), indexed like X.
        """
        from .ranking import priority_tiers

        eta = self.decision_function(X)
        try:
            return priority_tiers(eta, self.tier_shares, self.tier_labels, index=_index_of(X, eta.shape[0]))
        except InvalidArgumentError as e:
            raise InvalidArgumentError(f"tier_shares must be >= 0, sum to 1 and match tier_labels "
                                       f"({len(self.tier_labels)} labels), got {tuple(self.tier_shares)}: {e}") from None

    def _feature_names(self) -> list[str]:
        """The feature names (``feature_names_in_``, or x0, x1, ...).

        Returns
        -------
        list of str
        """
        if hasattr(self, "feature_names_in_"):
            return [str(c) for c in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def contributions(self, X: Any) -> pd.DataFrame:
        """Exact contributions ``coef_j (x_ij - mean_j)`` to the linear predictor; with the
        base ``intercept + coef . mean`` they add up to ``decision_function``.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).

        Returns
        -------
        DataFrame
            One row per lead (X's index for a DataFrame), one column per feature; the
            base is in ``attrs["base"]``.
        """
        Xa = self._check_X(X)
        c = _core.scoring.logistic_contributions(float(self.intercept_[0]), np.ascontiguousarray(self.coef_[0]),
                                                 self.mean_, Xa)
        frame = pd.DataFrame(c, columns=self._feature_names(), index=_index_of(X, c.shape[0]))
        frame.attrs["base"] = float(self.intercept_[0] + self.coef_[0] @ self.mean_)
        return frame

    def top_factors(self, X: Any, k: int = 3) -> pd.DataFrame:
        """Per lead, the ``k`` largest positive and ``k`` most negative contributions.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the columns of :meth:`fit`
            (a DataFrame fitted with names must have the same names, in order).
        k : int, default 3
            Contributions listed per lead and direction (at most the number of
            features; fewer when fewer have that sign).

        Returns
        -------
        DataFrame
            Tidy: ``lead`` (X's index or row number), ``direction`` ("positive" /
            "negative"), ``rank`` (1 = strongest), ``feature``, ``contribution``; only
            contributions of that sign.
        """
        c = self.contributions(X)
        vals = c.to_numpy()
        names = np.asarray(c.columns, dtype=object)
        k = int(min(k, vals.shape[1]))
        frames = []
        for direction, sign in (("positive", 1.0), ("negative", -1.0)):
            idx = np.argsort(-sign * vals, axis=1, kind="stable")[:, :k]
            v = np.take_along_axis(vals, idx, axis=1)
            lead = np.repeat(np.asarray(c.index), k)
            rank = np.tile(np.arange(1, k + 1), vals.shape[0])
            f = pd.DataFrame({"lead": lead, "direction": direction, "rank": rank,
                              "feature": names[idx.ravel()], "contribution": v.ravel()})
            frames.append(f[sign * f["contribution"] > 0])
        return pd.concat(frames, ignore_index=True).sort_values(["lead", "direction", "rank"], kind="stable",
                                                                 ignore_index=True)

    def wald_table(self, level: float = 0.95) -> pd.DataFrame:
        """Standard errors and Wald intervals (unpenalised, well-posed fits only).

        Parameters
        ----------
        level : float, default 0.95
            Two-sided confidence level of the ``lower`` / ``upper`` Wald interval
            (normal quantile ``z_{(1 + level) / 2}``).

        Returns
        -------
        DataFrame
            Indexed by ``intercept`` and the feature names: ``estimate``, ``std_error``,
            ``z``, ``p_value``, ``lower``, ``upper``.

        Raises
        ------
        InvalidArgumentError
            When the fit was penalised, rank-deficient, separated or did not converge.
        """
        if not hasattr(self, "coef_"):
            raise _not_fitted("This LeadScorer instance is not fitted yet.")
        if self.covariance_ is None:
            raise InvalidArgumentError("standard errors need an unpenalised (C=None), converged, full-rank fit; "
                                       f"this one: lambda={self.report_['lambda']:g}, {self.report_['message']}")
        est = np.concatenate([self.intercept_, self.coef_[0]]) if self.fit_intercept else self.coef_[0]
        names = (["intercept"] if self.fit_intercept else []) + self._feature_names()
        se = np.sqrt(np.diag(self.covariance_))
        z = est / se
        q = NormalDist().inv_cdf(0.5 * (1.0 + level))
        p = np.array([2.0 * (1.0 - NormalDist().cdf(abs(v))) for v in z])
        return pd.DataFrame({"estimate": est, "std_error": se, "z": z, "p_value": p, "lower": est - q * se,
                             "upper": est + q * se}, index=pd.Index(names, name="term"))
