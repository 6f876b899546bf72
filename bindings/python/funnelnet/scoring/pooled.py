"""Lead scoring for small teams: per-segment logistic scorers with a pooled prior.

A team with a few hundred leads split over regions, products or channels cannot fit one
scorer per segment (a handful of wins each: the coefficients run wild or separate), and
one pooled scorer ignores real differences between segments.  :class:`PooledScorer`
fits the hierarchical model in between: segment ``s`` has the log-odds

    logit P(won) = (a + a_s) + z' (b + d_s),   b ~ N(0, C I),   a_s, d_s ~ N(0, tau^2 I),

where ``z`` are the features standardised over all leads.  The segment deviations are
shrunk toward the pooled coefficients: a segment with few leads gets nearly the pooled
scorer, a large segment with a real difference keeps it.  ``tau`` is chosen by empirical Bayes (the
Laplace-approximate marginal likelihood), by K-fold cross-validated log loss, or given.  The fit is one penalised logistic regression in
C++ (``funnelnet::fit_pooled``: the design ``[z, z 1{s}, 1{s}]`` with a per-column penalty,
the candidate fits and their evidence, all without the GIL), so it is the posterior mode; the intervals are the posterior (Laplace) intervals of that model at the chosen
``tau``: ``estimate -/+ z_q sd`` with the covariance the inverse of the penalised Hessian.

>>> import numpy as np, funnelnet as fn
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(400, 2)); seg = rng.integers(0, 4, 400)
>>> y = (rng.random(400) < 1 / (1 + np.exp(-(X[:, 0] + 0.3 * seg - 1)))).astype(int)
>>> m = fn.scoring.PooledScorer(tau=0.5).fit(X, y, seg)
>>> m.segment_coef_.shape
(4, 2)
>>> bool(m.predict_proba(X, seg)[:, 1].min() > 0)
True
"""
from __future__ import annotations

import warnings
from typing import Any, Literal, Self, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default
from ..errors import ConvergenceWarning, InvalidArgumentError, ShapeError, UnknownLabelError
from .logistic import _as_X, _encode_labels

__all__ = ["PooledScorer"]

#: Prior scales of the segment deviations tried by cross-validation.
DEFAULT_TAUS = (0.03, 0.1, 0.2, 0.4, 0.8, 1.6)


class PooledScorer:
    """Per-segment logistic scorers shrunk toward a pooled one (a hierarchical prior).

    Parameters
    ----------
    C : float, default 1.0
        Prior variance of the pooled coefficients of the standardised features (an L2
        penalty ``1 / (2 C) |b|^2`` next to the summed log loss, scikit-learn's ``C``).
    tau : float, (float, float) or None, default None
        Prior standard deviation of each segment's deviation (standardised scale): one
        value for the intercept and the coefficients, or a pair (intercept,
        coefficients).  None: both chosen from every pair of ``taus`` (see ``select``).  ``tau -> 0`` is one pooled scorer; a large ``tau``
        approaches separate per-segment fits.
    taus : sequence of float, default (0.03, 0.1, 0.2, 0.4, 0.8, 1.6)
        Candidates for ``tau``.
    select : {"evidence", "cv"}, default "evidence"
        How ``tau`` is chosen when None: the largest Laplace-approximate marginal
        likelihood of the data (empirical Bayes; stable with few wins), or the smallest
        K-fold cross-validated log loss.
    folds : int, default 5
        Cross-validation folds when ``select="cv"`` chooses ``tau`` (unused otherwise).
    seed : int, default 0
        Seed of the cross-validation split.
    max_iter : int, default 100
        Newton iterations of each penalised fit (as in :class:`LeadScorer`).
    tol : float, default 1e-10
        Convergence tolerance of each fit: inf-norm of the gradient of the mean
        objective (as in :class:`LeadScorer`).
    threads : int, default 0
        0 = all cores; the result does not depend on it.

    Attributes
    ----------
    segments_ : ndarray
        The segments seen in ``fit``, sorted.
    tau_ : (float, float)
        The prior scales used (intercept deviations, coefficient deviations).
    cv_ : DataFrame or None
        Per candidate ``tau`` (when ``tau`` was None): ``log_evidence`` or the mean
        held-out ``log_loss``.
    coef_, intercept_ : ndarray
        The pooled scorer on the user's scale: ``coef_`` (1, p), ``intercept_`` (1,).
    segment_coef_ : DataFrame
        Per segment (rows) and feature (columns): the segment's coefficient (pooled
        plus deviation) on the user's scale.
    segment_intercept_ : Series
        Per segment: its intercept on the user's scale.
    covariance_ : ndarray
        Posterior covariance of the fitted design coefficients (intercept first).
    report_ : dict
        The C++ fit's report (status, iterations, log loss, message).

    Examples
    --------
    >>> import numpy as np, funnelnet as fn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2)); region = rng.integers(0, 3, 500)
    >>> y = (rng.random(500) < 1 / (1 + np.exp(-(2 * X[:, 0] - 1)))).astype(int)
    >>> m = fn.scoring.PooledScorer().fit(X, y, region)
    >>> m.tau_  # the largest Laplace evidence among the 36 candidate pairs
    (0.03, 0.2)
    >>> m.intervals(level=0.9).round(2).head(2)
       segment       term  estimate  std_error  lower  upper
    0        0  intercept     -0.73       0.12  -0.94  -0.53
    1        0         x0      2.09       0.23   1.71   2.46
    """

    def __init__(self, C: float = 1.0, *, tau: float | tuple[float, float] | None = None, taus: Sequence[float] = DEFAULT_TAUS,
                 select: Literal["evidence", "cv"] = "evidence", folds: int = 5, seed: int = 0,
                 max_iter: int = default("LogisticOptions", "max_iterations"),
                 tol: float = default("LogisticOptions", "tolerance"), threads: int = 0) -> None:
        self.C = C
        self.tau = tau
        self.select = select
        self.taus = taus
        self.folds = folds
        self.seed = seed
        self.max_iter = max_iter
        self.tol = tol
        self.threads = threads

    # ----------------------------------------------------------------- helpers
    def _segment_codes(self, segment: Any, n: int) -> np.ndarray:
        """Each row's index into ``segments_`` (unseen segments raise).

        Parameters
        ----------
        segment : array-like of shape (n,)
        n : int
            Expected length.

        Returns
        -------
        ndarray of int64
        """
        s = np.asarray(segment)
        if s.ndim != 1 or s.shape[0] != n:
            raise ShapeError(f"segment has shape {s.shape}, expected ({n},)")
        codes = np.searchsorted(self.segments_, s)
        codes = np.minimum(codes, self.segments_.shape[0] - 1)
        bad = self.segments_[codes] != s
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise UnknownLabelError(f"segment[{i}] = {s.tolist()[i]!r} was not seen in fit (segments: "
                                    f"{', '.join(map(repr, self.segments_.tolist()))})")
        return np.ascontiguousarray(codes, dtype=np.int64)

    def _tau_arguments(self) -> tuple[float, float, np.ndarray, int]:
        """The C++ fit's tau arguments: (tau_intercept, tau_coef, candidates, select code).

        Returns
        -------
        tuple
            Given tau: both scales (> 0 checked in C++); None: (0, 0) and the candidates.
        """
        if self.select not in ("evidence", "cv"):
            raise InvalidArgumentError(f"select must be 'evidence' or 'cv', got {self.select!r}")
        taus = np.ascontiguousarray([float(v) for v in self.taus], dtype=np.float64)
        code = 0 if self.select == "evidence" else 1
        if self.tau is None:
            if not taus.shape[0]:
                raise InvalidArgumentError("taus is empty: give tau or candidates to choose from")
            return 0.0, 0.0, taus, code
        ti, tc = (self.tau[0], self.tau[1]) if isinstance(self.tau, (tuple, list)) else (self.tau, self.tau)
        ti, tc = float(ti), float(tc)
        if not (np.isfinite(ti) and ti > 0 and np.isfinite(tc) and tc > 0):
            raise InvalidArgumentError(f"tau must be positive numbers, got {self.tau!r}")
        return ti, tc, taus, code

    # -------------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any, segment: Any, sample_weight: Any = None) -> Self:
        """Fit the pooled prior model; choose ``tau`` when not given.

        The numerical work (design, the fits over the candidate grid, the Laplace evidence
        or cross-validated log loss, the posterior covariance) is one C++ call,
        ``funnelnet::fit_pooled``, run without the GIL.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)
            Numeric, finite.
        y : array-like of shape (n,)
            Two classes (the larger label is "positive").
        segment : array-like of shape (n,)
            Each lead's segment (region, product, channel...).
        sample_weight : array-like of shape (n,), optional
            Weight of each row in the log loss (default None: equal weights).

        Returns
        -------
        PooledScorer
            self, fitted.

        Raises
        ------
        InvalidArgumentError
            One class, NaN/Inf in X, a negative weight, bad C or tau.
        ShapeError
            Mismatched lengths.

        Warns
        -----
        ConvergenceWarning
            The final fit stopped before converging (``report_["status"]``).
        """
        Xa, names = _as_X(X)
        n, p = Xa.shape
        yv = np.asarray(y)
        if yv.ndim != 1 or yv.shape[0] != n:
            raise ShapeError(f"y has shape {yv.shape}, expected ({n},)")
        classes, yi = _encode_labels(yv)
        if classes.shape[0] != 2:
            raise InvalidArgumentError(f"y must have two classes, got {classes.shape[0]}")
        s = np.asarray(segment)
        if s.ndim != 1 or s.shape[0] != n:
            raise ShapeError(f"segment has shape {s.shape}, expected ({n},)")
        w = None if sample_weight is None else np.ascontiguousarray(sample_weight, dtype=np.float64)
        if w is not None and w.shape != (n,):
            raise ShapeError(f"sample_weight has shape {w.shape}, expected ({n},)")
        if not (np.isfinite(self.C) and self.C > 0):
            raise InvalidArgumentError(f"C must be a positive number, got {self.C!r}")
        ti, tc, taus, code = self._tau_arguments()
        segments, codes = np.unique(s, return_inverse=True)
        d: dict[str, Any] = _core.scoring.fit_pooled(
            np.ascontiguousarray(Xa, dtype=np.float64), np.ascontiguousarray(yi, dtype=np.float64),
            np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), int(segments.shape[0]), taus, w, float(self.C),
            ti, tc, code, int(self.folds), int(self.seed), int(self.max_iter), float(self.tol), int(self.threads))
        self.segments_ = segments
        self.classes_ = classes
        self.n_features_in_ = p
        self.feature_names_ = names if names is not None else [f"x{j}" for j in range(p)]
        self._model = d
        self.tau_ = (float(d["tau_intercept"]), float(d["tau_coef"]))
        self.cv_: pd.DataFrame | None = None
        if self.tau is None:
            score = "log_evidence" if self.select == "evidence" else "log_loss"
            self.cv_ = pd.DataFrame({"tau_intercept": d["grid_intercept"], "tau_coef": d["grid_coef"],
                                     score: d["grid_score"]})
        K = d["theta"].shape[0]
        self.covariance_ = d["covariance"].reshape(K, K)
        index = pd.Index(self.segments_, name="segment")
        self.segment_intercept_ = pd.Series(d["segment_intercept"], index=index, name="intercept")
        self.segment_coef_ = pd.DataFrame(d["segment_coef"].reshape(-1, p), index=index,
                                          columns=self.feature_names_)
        self.coef_ = d["coef"].reshape(1, -1)
        self.intercept_ = np.array([d["intercept"]])
        self.report_ = {key: d[key] for key in ("status", "converged", "iterations", "log_loss", "message")}
        if not d["converged"]:
            warnings.warn(f"PooledScorer: the fit at tau = {self.tau_} did not converge ({d['status']}: "
                          f"{d['message']}); raise max_iter or check for separation", ConvergenceWarning,
                          stacklevel=2)
        return self

    # ------------------------------------------------------------- predictions
    def decision_function(self, X: Any, segment: Any) -> np.ndarray:
        """Log-odds of the positive class under each lead's segment scorer.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the ``p`` columns of :meth:`fit`.
        segment : array-like of shape (n,)
            Segments seen in ``fit`` (others raise :class:`funnelnet.UnknownLabelError`).

        Returns
        -------
        ndarray of shape (n,)
        """
        if not hasattr(self, "segments_"):
            raise InvalidArgumentError("PooledScorer is not fitted yet: call fit first")
        Xa, _ = _as_X(X)
        if Xa.shape[1] != self.n_features_in_:
            raise ShapeError(f"X has {Xa.shape[1]} features, the scorer was fitted on {self.n_features_in_}")
        codes = self._segment_codes(segment, Xa.shape[0])
        return np.asarray(_core.scoring.pooled_decision(self._model, np.ascontiguousarray(Xa, dtype=np.float64),
                                                        codes))

    def predict_proba(self, X: Any, segment: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the ``p`` columns of :meth:`fit`.
        segment : array-like of shape (n,)
            Each lead's segment, one seen in ``fit`` (others raise
            :class:`funnelnet.UnknownLabelError`): its scorer gives the lead's score.

        Returns
        -------
        ndarray of shape (n, 2)
        """
        eta = self.decision_function(X, segment)
        p = np.exp(-np.logaddexp(0.0, -eta))
        return np.column_stack([np.exp(-np.logaddexp(0.0, eta)), p])

    def predict(self, X: Any, segment: Any) -> np.ndarray:
        """The more probable class label.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features of the leads, numeric, with the ``p`` columns of :meth:`fit`.
        segment : array-like of shape (n,)
            Each lead's segment, one seen in ``fit`` (others raise
            :class:`funnelnet.UnknownLabelError`): its scorer gives the lead's score.

        Returns
        -------
        ndarray of shape (n,)
        """
        eta = self.decision_function(X, segment)  # checks that the scorer is fitted
        return np.asarray(self.classes_[(eta > 0).astype(np.intp)])

    def intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Posterior (Laplace) intervals of every segment's intercept and coefficients.

        Parameters
        ----------
        level : float, default 0.95
            Two-sided level of the ``lower`` / ``upper`` normal intervals, in (0, 1).

        Returns
        -------
        DataFrame
            Tidy: ``segment``, ``term`` (``intercept`` or a feature name), ``estimate``,
            ``std_error``, ``lower``, ``upper``.
        """
        if not hasattr(self, "segments_"):
            raise InvalidArgumentError("PooledScorer is not fitted yet: call fit first")
        if not (0.0 < level < 1.0):
            raise InvalidArgumentError(f"level must lie in (0, 1), got {level}")
        t = _core.scoring.pooled_intervals(self._model, float(level))
        S, P1 = self.segments_.shape[0], self.n_features_in_ + 1
        return pd.DataFrame({
            "segment": np.repeat(self.segments_, P1),
            "term": np.tile(np.array(["intercept"] + list(self.feature_names_), dtype=object), S),
            "estimate": t["estimate"], "std_error": t["std_error"], "lower": t["lower"], "upper": t["upper"]})
