"""Repeat buying: BG/NBD, Pareto/NBD and Gamma-Gamma models fitted by maximum
likelihood in C++ (log-parameters, analytic gradients, LBFGS-B, weighted unique rows),
reporting how the fit stopped instead of raising."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from .. import _core
from .._common.deprecation import renamed_parameters
from .._common.messages import user_terms
from ..errors import InputTypeError, InvalidArgumentError
from ._shared import f64, like

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["BetaGeo", "ParetoNBD", "GammaGamma"]

_c = _core.customers

_FREQ_FACTOR = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24}


class _RepeatBase:
    _kind = 0
    _names: tuple[str, ...] = ()

    @renamed_parameters({"tolerance": "tol"})
    def __init__(self, *, max_iterations: int = 2000, tol: float = 1e-9, compress: bool = True,
                 threads: int = 0) -> None:
        """Fit settings: ``max_iterations`` and ``tol`` (gradient test) of the optimiser,
        ``compress`` (fit on weighted unique rows), ``threads`` (0 = all cores; the
        result is the same at any count).  ``tolerance=`` is the deprecated name of
        ``tol``."""
        self.max_iterations = int(max_iterations)
        self.tol = float(tol)
        self.compress = bool(compress)
        self.threads = int(threads)
        self._model: Any = None
        self._report: dict | None = None

    @property
    def tolerance(self) -> float:
        """Deprecated name of :attr:`tol`."""
        warnings.warn("'tolerance' is deprecated, use 'tol'", DeprecationWarning, stacklevel=2)
        return self.tol

    # Pickling: the settings, the parameters and the fit report; the C++ model is rebuilt
    # from the parameters through its validating constructor.
    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_model", "_report")}
        if self._model is not None:
            state["params"] = [float(x) for x in self._model.params]
            state["report"] = self.report_
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        params, report = state.pop("params", None), state.pop("report", None)
        self.__dict__.update(state)
        self._model = None if params is None else self._make_model(params)
        self._report = report

    @classmethod
    def _make_model(cls, params: list[float]) -> Any:
        return _c.RepeatModel(cls._kind, params)

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """A model with given parameters (keywords named as in ``params_``)."""
        missing = [n for n in cls._names if n not in params]
        extra = [n for n in params if n not in cls._names]
        if missing or extra:
            raise InvalidArgumentError(
                f"{cls.__name__}.from_params needs exactly {', '.join(cls._names)}; "
                f"missing {missing or 'none'}, unknown {extra or 'none'}")
        m = cls()
        m._model = cls._make_model([float(params[n]) for n in cls._names])
        return m

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None,
            initial: Mapping[str, float] | None = None) -> Self:
        """Fit by maximum likelihood to per-customer frequency (repeat purchases), recency
        (time of the last purchase after the first) and T (age), in any one time unit.

        ``weights`` (optional) counts customers per row.  A fit that does not converge
        is not an error: check ``converged_`` and ``report_``.  Bad rows (negative
        frequency, recency > T, recency > 0 without repeats) raise InvalidArgumentError
        naming the row.  Returns the model.
        """
        x, tx, t = f64(frequency, "frequency"), f64(recency, "recency"), f64(T, "T")
        w = np.empty(0) if weights is None else f64(weights, "weights")
        init = [] if initial is None else [float(initial[n]) for n in self._names]
        self._model = _c.RepeatModel.fit(self._kind, x, tx, t, w, self.max_iterations, self.tol,
                                         self.compress, self.threads, init)
        self._report = None
        return self

    def _fitted(self) -> Any:
        if self._model is None:
            raise InvalidArgumentError(f"{type(self).__name__} is not fitted: call fit() or from_params()")
        return self._model

    @property
    def params_(self) -> pd.Series:
        """The parameters, by name."""
        return pd.Series(self._fitted().params, index=list(self._names), dtype=float)

    @property
    def report_(self) -> dict:
        """How the fit stopped: status, converged, log_likelihood, gradient_norm, unique_rows, ..."""
        model = self._fitted()
        return dict(self._report) if self._report is not None else dict(model.report)

    @property
    def converged_(self) -> bool:
        """Whether the gradient test was met."""
        return bool(self.report_["converged"])

    @property
    def log_likelihood_(self) -> float:
        """Total (weighted) log-likelihood at the fitted parameters."""
        return float(self.report_["log_likelihood"])

    def _rfm(self, frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return f64(frequency, "frequency"), f64(recency, "recency"), f64(T, "T")

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Per-customer log-likelihood at the model's parameters."""
        return like(self._fitted().log_likelihood(*self._rfm(frequency, recency, T)), frequency)

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive | frequency, recency, T) per customer."""
        return like(self._fitted().p_alive(*self._rfm(frequency, recency, T)), frequency)

    p_alive = conditional_probability_alive

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any,
                                                             T: Any) -> Any:
        """Expected purchases in the next ``t`` time units, per customer."""
        return like(self._fitted().expected_purchases(float(t), *self._rfm(frequency, recency, T)), frequency)

    expected_purchases = conditional_expected_number_of_purchases_up_to_time
    predict = conditional_expected_number_of_purchases_up_to_time

    def expected_number_of_purchases_up_to_time(self, t: float) -> float:
        """Expected repeat purchases in (0, t] of a new, randomly chosen customer."""
        return float(self._fitted().expected_purchases_new(float(t)))

    def __repr__(self) -> str:
        if self._model is None:
            return f"{type(self).__name__}()"
        p = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({p}, status={self.report_['status']!r})"


class BetaGeo(_RepeatBase):
    """BG/NBD model (Fader, Hardie and Lee 2005): parameters r, alpha, a, b.

    >>> import funnelnet as fn
    >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(m.expected_number_of_purchases_up_to_time(39), 4)
    1.1967
    """

    _kind = 0
    _names = ("r", "alpha", "a", "b")


class ParetoNBD(_RepeatBase):
    """Pareto/NBD model (Schmittlein, Morrison and Colombo 1987): parameters r, alpha, s, beta."""

    _kind = 1
    _names = ("r", "alpha", "s", "beta")


def _row_labels(*columns: Any) -> pd.Index | None:
    """The index of the first pandas input (the customer ids of a summary table), to
    name the customer in "row k" messages."""
    return next((c.index for c in columns if isinstance(c, (pd.Series, pd.DataFrame))), None)


class GammaGamma:
    """Gamma-Gamma model of spend per transaction: parameters p, q, v.  Fit on repeat
    buyers only (frequency > 0, mean repeat spend > 0).

    >>> import funnelnet as fn
    >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    >>> g.conditional_expected_average_profit(2, 22.35).round(3)
    array([24.664])
    """

    _names = ("p", "q", "v")

    @renamed_parameters({"tolerance": "tol"})
    def __init__(self, *, max_iterations: int = 2000, tol: float = 1e-9, compress: bool = True,
                 threads: int = 0) -> None:
        """Fit settings, as for :class:`BetaGeo` (``tolerance=`` is the deprecated name of ``tol``)."""
        self.max_iterations, self.tol = int(max_iterations), float(tol)
        self.compress, self.threads = bool(compress), int(threads)
        self._model: Any = None
        self._report: dict | None = None

    @property
    def tolerance(self) -> float:
        """Deprecated name of :attr:`tol`."""
        warnings.warn("'tolerance' is deprecated, use 'tol'", DeprecationWarning, stacklevel=2)
        return self.tol

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_model", "_report")}
        if self._model is not None:
            state["params"] = [float(x) for x in self._model.params]
            state["report"] = self.report_
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        params, report = state.pop("params", None), state.pop("report", None)
        self.__dict__.update(state)
        self._model = None if params is None else _c.GammaGammaModel(params)
        self._report = report

    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> "GammaGamma":
        """A model with given parameters."""
        g = cls()
        g._model = _c.GammaGammaModel([float(p), float(q), float(v)])
        return g

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> Self:
        """Fit to repeat buyers' frequency and mean repeat spend; returns the model."""
        x, m = f64(frequency, "frequency"), f64(monetary_value, "monetary_value")
        w = np.empty(0) if weights is None else f64(weights, "weights")
        with user_terms(entity="customer", rows=_row_labels(frequency, monetary_value)):
            self._model = _c.GammaGammaModel.fit(x, m, w, self.max_iterations, self.tol, self.compress,
                                                 self.threads, [])
        self._report = None
        return self

    def _fitted(self) -> Any:
        if self._model is None:
            raise InvalidArgumentError("GammaGamma is not fitted: call fit() or from_params()")
        return self._model

    @property
    def params_(self) -> pd.Series:
        """The parameters p, q, v."""
        return pd.Series(self._fitted().params, index=list(self._names), dtype=float)

    @property
    def report_(self) -> dict:
        """How the fit stopped."""
        model = self._fitted()
        return dict(self._report) if self._report is not None else dict(model.report)

    @property
    def converged_(self) -> bool:
        """Whether the gradient test was met."""
        return bool(self.report_["converged"])

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any:
        """E[spend per transaction | frequency, mean spend]; frequency 0 gives the population mean."""
        model = self._fitted()
        with user_terms(entity="customer", rows=_row_labels(frequency, monetary_value)):
            out = model.expected_spend(f64(frequency, "frequency"), f64(monetary_value, "monetary_value"))
        return like(out, frequency)

    expected_spend = conditional_expected_average_profit

    def customer_lifetime_value(self, transaction_model: _RepeatBase, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: str = "D") -> Any:
        """Discounted CLV over ``time`` months, lifetimes' scheme: per month k, expected
        spend times the increase in expected purchases, over (1 + discount_rate)^k.
        ``freq`` is the time unit of recency and T ('D', 'W', 'M' or 'H')."""
        if freq not in _FREQ_FACTOR:
            raise InvalidArgumentError(f"freq must be one of {sorted(_FREQ_FACTOR)}, got {freq!r}")
        if not isinstance(transaction_model, _RepeatBase):
            raise InputTypeError("transaction_model must be a BetaGeo or ParetoNBD model")
        x, tx, t = f64(frequency, "frequency"), f64(recency, "recency"), f64(T, "T")
        spend = np.asarray(self.conditional_expected_average_profit(x, f64(monetary_value, "monetary_value")))
        out = transaction_model._fitted().clv(x, tx, t, np.ascontiguousarray(spend, dtype=np.float64), int(time),
                                             _FREQ_FACTOR[freq], float(discount_rate))
        return like(out, frequency)
