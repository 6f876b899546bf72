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
C++ (the design ``[z, z 1{s}, 1{s}]`` with a per-column penalty), so it is the posterior
mode; the intervals are the posterior (Laplace) intervals of that model at the chosen
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

from statistics import NormalDist
from typing import Any, Literal, Self, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default
from ..errors import InvalidArgumentError, ShapeError, UnknownLabelError
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
    def _segment_codes(self, segment: Any, n: int, fitted: bool) -> np.ndarray:
        """Each row's index into ``segments_``.

        Parameters
        ----------
        segment : array-like of shape (n,)
        n : int
            Expected length.
        fitted : bool
            True at predict time: unseen segments raise.

        Returns
        -------
        ndarray of intp
        """
        s = np.asarray(segment)
        if s.ndim != 1 or s.shape[0] != n:
            raise ShapeError(f"segment has shape {s.shape}, expected ({n},)")
        if not fitted:
            return np.zeros(n, dtype=np.intp)
        codes = np.searchsorted(self.segments_, s)
        codes = np.minimum(codes, self.segments_.shape[0] - 1)
        bad = self.segments_[codes] != s
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise UnknownLabelError(f"segment[{i}] = {s.tolist()[i]!r} was not seen in fit (segments: "
                                    f"{', '.join(map(repr, self.segments_.tolist()))})")
        return codes.astype(np.intp)

    def _design(self, Z: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """``[z, z * 1{s}, 1{s}]`` for every segment s (rows x p (S + 1) + S).

        Parameters
        ----------
        Z : ndarray of shape (n, p)
            Standardised features.
        codes : ndarray of shape (n,)

        Returns
        -------
        ndarray
        """
        n, p = Z.shape
        S = self.segments_.shape[0]
        D = np.zeros((n, p * (S + 1) + S))
        D[:, :p] = Z
        rows = np.arange(n)
        block = p + codes[:, None] * p + np.arange(p)[None, :]
        D[rows[:, None], block] = Z
        D[rows, p * (S + 1) + codes] = 1.0
        return D

    def _fit_design(self, D: np.ndarray, y: np.ndarray, w: np.ndarray | None, tau: tuple[float, float], p: int,
                    posterior: bool) -> dict[str, Any]:
        """One penalised fit of the design (constant columns dropped).

        Parameters
        ----------
        D : ndarray
        y : ndarray of 0/1 floats
        w : ndarray or None
        tau : (float, float)
            Prior scales of the intercept and the coefficient deviations.
        p : int
            Number of features.
        posterior : bool
            Also the posterior covariance.

        Returns
        -------
        dict
            The C++ report plus ``keep`` (the columns fitted) and ``coef_full``.
        """
        if not (np.isfinite(self.C) and self.C > 0):
            raise InvalidArgumentError(f"C must be a positive number, got {self.C!r}")
        if not all(np.isfinite(t) and t > 0 for t in tau):
            raise InvalidArgumentError(f"tau must be positive numbers, got {tau!r}")
        factor = np.full(D.shape[1], 1.0 / tau[1])
        factor[:p] = 1.0 / np.sqrt(self.C)
        factor[D.shape[1] - self.segments_.shape[0]:] = 1.0 / tau[0]
        keep = np.flatnonzero(D.std(axis=0) > 0)  # a zero column: its deviation stays at the prior (0)
        W = float(D.shape[0] if w is None else np.sum(w))
        d: dict[str, Any] = _core.scoring.fit_logistic(
            np.ascontiguousarray(D[:, keep]), y, w, 1.0 / W, 0.0, True, False, int(self.max_iter), float(self.tol),
            30.0, int(self.threads), None, np.ascontiguousarray(factor[keep]), posterior)
        full = np.zeros(D.shape[1])
        full[keep] = d["coef"]
        d["keep"] = keep
        d["coef_full"] = full
        d["factor"] = factor
        return d

    @staticmethod
    def _log_evidence(d: dict[str, Any], w: np.ndarray | None, n: int) -> float:
        """Laplace approximation of the log marginal likelihood of one fit (up to a
        constant that does not depend on tau).

        Parameters
        ----------
        d : dict
            A :meth:`_fit_design` result with the posterior covariance.
        w : ndarray or None
        n : int

        Returns
        -------
        float
            ``-sum loss - 1/2 sum (f_j b_j)^2 + sum log f_j + 1/2 log det(covariance)``
            over the fitted columns (a zero column's prior and posterior cancel); -inf
            when the covariance is not available.
        """
        cov = d["covariance"]
        if not cov.shape[0] or not d["converged"]:
            return -np.inf
        k = int(round(np.sqrt(cov.shape[0])))
        sign, logdet = np.linalg.slogdet(cov.reshape(k, k))
        if sign <= 0:
            return -np.inf
        f = d["factor"][d["keep"]]
        b = d["coef_full"][d["keep"]]
        total = float(n if w is None else np.sum(w))
        return float(-total * d["log_loss"] - 0.5 * np.sum((f * b) ** 2) + np.sum(np.log(f)) + 0.5 * logdet)

    def _grid(self) -> list[tuple[float, float]]:
        """Candidate (intercept, coefficient) prior scales: every pair of ``taus``.

        Returns
        -------
        list of (float, float)
        """
        taus = [float(v) for v in self.taus]
        if not taus:
            raise InvalidArgumentError("taus is empty: give tau or candidates to choose from")
        return [(a, b) for a in taus for b in taus]

    # -------------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any, segment: Any, sample_weight: Any = None) -> Self:
        """Fit the pooled prior model; choose ``tau`` by cross-validation when not given.

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
            One class, NaN/Inf in X, bad C or tau.
        ShapeError
            Mismatched lengths.
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
        if not np.all(np.isfinite(Xa)):
            i, j = np.argwhere(~np.isfinite(Xa))[0]
            raise InvalidArgumentError(f"X[{i}, {j}] must be finite (not NaN or inf), got {Xa[i, j]}")
        w = None if sample_weight is None else np.ascontiguousarray(sample_weight, dtype=np.float64)
        if w is not None and w.shape != (n,):
            raise ShapeError(f"sample_weight has shape {w.shape}, expected ({n},)")
        self.segments_, codes = np.unique(s, return_inverse=True)
        codes = codes.reshape(-1).astype(np.intp)
        mu = Xa.mean(axis=0)
        sd = Xa.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        Z = (Xa - mu) / sd
        D = self._design(Z, codes)
        t = yi.astype(np.float64)
        self.cv_: pd.DataFrame | None = None
        if self.tau is None and self.select == "evidence":
            grid = self._grid()
            ev = np.array([self._log_evidence(self._fit_design(D, t, w, tau, p, True), w, n) for tau in grid])
            self.cv_ = pd.DataFrame({"tau_intercept": [g[0] for g in grid], "tau_coef": [g[1] for g in grid],
                                     "log_evidence": ev})
            self.tau_ = grid[int(np.argmax(ev))]
        elif self.tau is None:
            from .experiments import splits

            taus = self._grid()
            losses = np.zeros(len(taus))
            for tr, te in splits(n, folds=int(self.folds), seed=int(self.seed)):
                if np.unique(t[tr]).shape[0] < 2:
                    continue
                for k, tau in enumerate(taus):
                    d = self._fit_design(D[tr], t[tr], None if w is None else w[tr], tau, p, False)
                    eta = d["intercept"] + D[te] @ d["coef_full"]
                    ll = np.logaddexp(0.0, eta) - t[te] * eta
                    losses[k] += float(np.sum(ll if w is None else w[te] * ll))
            losses /= float(n if w is None else np.sum(w))
            self.cv_ = pd.DataFrame({"tau_intercept": [g[0] for g in taus], "tau_coef": [g[1] for g in taus],
                                     "log_loss": losses})
            self.tau_ = taus[int(np.argmin(losses))]
        else:
            self.tau_ = (float(self.tau[0]), float(self.tau[1])) if isinstance(self.tau, (tuple, list)) else (
                float(self.tau), float(self.tau))
        d = self._fit_design(D, t, w, self.tau_, p, True)
        self.classes_ = classes
        self.n_features_in_ = p
        self.feature_names_ = names if names is not None else [f"x{j}" for j in range(p)]
        self._mu, self._sd = mu, sd
        S = self.segments_.shape[0]
        theta = np.concatenate([[d["intercept"]], d["coef_full"]])  # design parameters, intercept first
        self._theta = theta
        # covariance of the kept parameters -> the full parameter vector (dropped columns:
        # prior variance, independent)
        K = theta.shape[0]
        cov_full = np.zeros((K, K))
        cov = d["covariance"]
        idx = np.concatenate([[0], 1 + d["keep"]])
        if cov.shape[0]:
            k = idx.shape[0]
            cov_full[np.ix_(idx, idx)] = cov.reshape(k, k)
        dropped = np.setdiff1d(np.arange(1, K), idx)
        cov_full[dropped, dropped] = 1.0 / d["factor"][dropped - 1] ** 2
        self.covariance_ = cov_full
        # the linear map from theta to per-segment (intercept, coefficients) on the user's scale
        L = np.zeros((S, p + 1, K))
        for si in range(S):
            L[si, 0, 0] = 1.0
            L[si, 0, 1 + p * (S + 1) + si] = 1.0
            for j in range(p):
                for col in (1 + j, 1 + p + si * p + j):
                    L[si, 1 + j, col] = 1.0 / sd[j]
                    L[si, 0, col] = -mu[j] / sd[j]
        self._map = L
        est = L @ theta  # (S, p + 1)
        self.segment_intercept_ = pd.Series(est[:, 0], index=pd.Index(self.segments_, name="segment"),
                                            name="intercept")
        self.segment_coef_ = pd.DataFrame(est[:, 1:], index=pd.Index(self.segments_, name="segment"),
                                          columns=self.feature_names_)
        b = theta[1:1 + p] / sd
        self.coef_ = b.reshape(1, -1)
        self.intercept_ = np.array([theta[0] - float(b @ mu)])
        self.report_ = {key: d[key] for key in ("status", "converged", "iterations", "log_loss", "message")}
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
        codes = self._segment_codes(segment, Xa.shape[0], True)
        coef = self.segment_coef_.to_numpy()[codes]
        return np.asarray(self.segment_intercept_.to_numpy()[codes] + np.einsum("ij,ij->i", Xa, coef))

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
        return np.asarray(self.classes_[(self.decision_function(X, segment) > 0).astype(np.intp)])

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
        L = self._map
        est = L @ self._theta
        var = np.einsum("spk,kl,spl->sp", L, self.covariance_, L)
        se = np.sqrt(np.maximum(var, 0.0))
        q = NormalDist().inv_cdf(0.5 * (1.0 + level))
        S, P1 = est.shape
        return pd.DataFrame({
            "segment": np.repeat(self.segments_, P1),
            "term": np.tile(np.array(["intercept"] + list(self.feature_names_), dtype=object), S),
            "estimate": est.ravel(), "std_error": se.ravel(), "lower": (est - q * se).ravel(),
            "upper": (est + q * se).ravel()})
