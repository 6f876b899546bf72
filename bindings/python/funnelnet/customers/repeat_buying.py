"""Repeat buying: BG/NBD, Pareto/NBD, BG/BB and Gamma-Gamma models fitted by maximum
likelihood in C++ (log-parameters, analytic gradients, LBFGS-B, weighted unique rows).
A fit that does not converge warns (:class:`funnelnet.ConvergenceWarning`) or, with
``strict=True``, raises :class:`funnelnet.ConvergenceError`."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Literal, Mapping, Self, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import run_with_progress
from .._common.deprecation import renamed_parameters
from .._common.messages import user_terms
from .._common.persist import JsonModel
from ..errors import ConvergenceError, ConvergenceWarning, FormatError, InputTypeError, InvalidArgumentError
from ._shared import Prediction, f64, like
from .._common.checks import check_ints

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BetaGeo", "ParetoNBD", "BetaGeoBetaBinom", "GammaGamma", "repeat_model_from_json"]

_c = _core.customers

_FREQ_FACTOR = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24}
#: ``customer_lifetime_value(freq=)`` values (keys of _FREQ_FACTOR).
ClvFreq = Literal["W", "M", "D", "H"]

_Z95 = 1.959963984540054  # the 97.5% normal quantile

# RepeatKind code -> Python class: filled by every _RepeatBase subclass, so a new
# repeat-buying model (its C++ RepeatKind and one subclass) is read back with no list
# to edit here.
_REPEAT_CLASSES: dict[int, type] = {}


def repeat_model_from_json(text: str) -> BetaGeo | ParetoNBD | BetaGeoBetaBinom:
    """A BG/NBD, Pareto/NBD (or any other repeat-buying) model from the JSON text of a
    ``repeat_model`` file, as an object of the class of its kind (FormatError if corrupt)."""
    model = _c.repeat_model_from_json(text)
    cls: Any = _REPEAT_CLASSES.get(int(model.kind))
    if cls is None:
        raise FormatError(f"model file holds repeat-buying model kind {int(model.kind)}, which no Python class wraps")
    return cast("BetaGeo | ParetoNBD | BetaGeoBetaBinom", cls._wrap(model))


def _restore_repeat(cls: Any, text: str | None, settings: dict[str, Any]) -> Any:
    obj = cls.__new__(cls)
    obj.__dict__.update(settings)
    obj._model = None if text is None else cls.from_json(text)._model
    obj._report = None
    return obj


def _restore_state(cls: Any, state: dict[str, Any]) -> Any:
    obj = cls.__new__(cls)
    obj.__setstate__(state)
    return obj


class _PersistentFit(JsonModel):
    """Model files and pickling of the fitted customers models through the C++ JSON:
    the fitted model goes through ``to_json``; the fit settings travel beside it."""

    _model: Any
    _report: dict[str, Any] | None

    def _to_json(self) -> str:
        return _c.to_json(self._fitted())  # type: ignore[attr-defined]

    def __reduce__(self) -> Any:
        if self._report is not None:  # a report unpickled from an earlier version: keep it as it was
            return (_restore_state, (type(self), self.__getstate__()))
        settings = {k: v for k, v in self.__dict__.items() if k not in ("_model", "_report")}
        return (_restore_repeat, (type(self), None if self._model is None else self.to_json(), settings))



_HINTS = {
    "line_search_failed": "the optimiser could not improve along a nearly flat ridge",
    "max_iterations": "it ran out of iterations: raise max_iterations",
    "not_finite": "the log-likelihood is not finite at the start: pass other initial= values",
}


def _ridge_note(p: pd.Series, pair: tuple[str, str], what: str) -> str:
    """The note for a shape/scale pair running to infinity together: a mixing
    distribution without spread (every customer has the same rate), which the data
    cannot tell from a very narrow one."""
    a, b = pair
    if p[a] > 1e5 and p[b] > 1e5:
        return (f" {a} and {b} grow together ({a} / {b} = {p[a] / p[b]:.4g}): the data show no heterogeneity in "
                f"the {what}, the same for every customer.")
    return ""


class _Fitted(_PersistentFit):
    """What every fitted customers model shares: convergence checks, the observed-
    information summary and the repr.  Subclasses set ``_names``, ``_model``,
    ``_report``, ``_n`` and ``strict``."""

    _names: tuple[str, ...] = ()
    _model: Any
    _report: dict[str, Any] | None
    _n: float | None = None
    strict: bool = False

    def _fitted(self) -> Any:
        if self._model is None:
            raise InvalidArgumentError(f"{type(self).__name__} is not fitted: call fit() or from_params()")
        return self._model

    @property
    def params_(self) -> pd.Series:
        """The parameters, by name."""
        return pd.Series(self._fitted().params, index=list(self._names), dtype=float)

    @property
    def report_(self) -> dict[str, Any]:
        """How the fit stopped: status, converged, log_likelihood, gradient_norm, unique_rows,
        at_bound, message and covariance (of the log-parameters; empty when unavailable)."""
        model = self._fitted()
        return dict(self._report) if self._report is not None else dict(model.report)

    def _brief_report(self) -> dict[str, Any]:
        """The report without forcing the covariance: a fit computes it when ``report_``,
        ``variance_matrix_``, ``standard_errors_`` or ``summary`` is first read (then cached)."""
        model = self._fitted()
        return dict(self._report) if self._report is not None else dict(model.brief_report)

    @property
    def converged_(self) -> bool:
        """Whether the gradient test was met."""
        return bool(self._brief_report()["converged"])

    @property
    def log_likelihood_(self) -> float:
        """Total (weighted) log-likelihood at the fitted parameters."""
        return float(self._brief_report()["log_likelihood"])

    def _edge_note(self) -> str:
        """Model-specific reading of a fit that ran to the edge (empty: none)."""
        return ""

    def _check_convergence(self, stacklevel: int = 3) -> None:
        """Warn (or, strict, raise) when the fit did not converge; warn when it converged
        with a parameter at its bound (the data do not identify it)."""
        rep = self._brief_report()
        name = type(self).__name__
        tries = ("Try: refitting with the time unit changed (freq='W' instead of 'D' in "
                 "summary_from_transactions, or T divided by a constant), other starting values "
                 "(initial=), a larger max_iterations, or another model")
        if not rep["converged"]:
            what = _HINTS.get(rep["status"], rep["status"])
            bound = (" A parameter sits at its bound [1e-8, 1e8]: the data do not identify it." if rep["at_bound"]
                     else "") + self._edge_note()
            msg = (f"{name} fit did not converge ({rep['status']}: {rep['message']}; {what}; gradient norm "
                   f"{rep['gradient_norm']:.3g}).{bound} Its estimates (params_ {self._param_text()}) and "
                   f"predictions are unreliable. {tries}; strict=True makes this an error.")
            if self.strict:
                raise ConvergenceError(msg)
            warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel + 1)
        elif rep["at_bound"]:
            warnings.warn(f"{name} converged with a parameter at its bound [1e-8, 1e8] (params_ "
                          f"{self._param_text()}): the data do not identify it and its standard error is "
                          f"not available.{self._edge_note()} {tries}.", ConvergenceWarning,
                          stacklevel=stacklevel + 1)

    def _param_text(self) -> str:
        return ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())

    @property
    def variance_matrix_(self) -> pd.DataFrame:
        """Covariance of the parameter estimates (delta method on the inverse observed
        information in log-parameters): cov_ij = p_i p_j C_ij.  NaN when the model was
        given (``from_params``) or its Hessian is not positive definite."""
        names = list(self._names)
        k = len(names)
        c = np.asarray(self.report_.get("covariance") or [np.nan] * (k * k), dtype=float).reshape(k, k)
        p = self.params_.to_numpy()
        return pd.DataFrame(c * np.outer(p, p), index=names, columns=names)

    @property
    def standard_errors_(self) -> pd.Series:
        """Standard errors of the parameters (as lifetimes' ``standard_errors_``)."""
        return pd.Series(np.sqrt(np.diag(self.variance_matrix_.to_numpy())), index=list(self._names))

    @property
    def summary(self) -> pd.DataFrame:
        """The estimates with standard errors and 95% intervals, one row per parameter
        (lifetimes' ``summary`` columns): ``coef``, ``se(coef)`` (delta method on the
        inverse observed information), ``lower 95% bound`` and ``upper 95% bound``.  The
        intervals are Wald intervals on the log scale, coef * exp(-/+ 1.96 se / coef), so
        they stay positive (lifetimes' coef -/+ 1.96 se can go below zero).  NaN where the
        information is not available (a given model, a parameter at its bound)."""
        p = self.params_
        se = self.standard_errors_
        rel = se / p
        return pd.DataFrame({"coef": p, "se(coef)": se, "lower 95% bound": p * np.exp(-_Z95 * rel),
                             "upper 95% bound": p * np.exp(_Z95 * rel)})

    def _repr_html_(self) -> str:
        from .._common.display import html_block

        name = type(self).__name__
        if getattr(self, "_model", None) is None:
            return html_block(name, {"fitted": False}, note="call fit() or from_params()")
        facts: dict[str, Any] = {"fitted": True}
        if self._n is None:
            facts["parameters"] = "given"
        else:
            facts.update(n=self._n, converged=self.converged_, log_likelihood=self.log_likelihood_)
        return html_block(name, facts, self.params_.to_frame("value").rename_axis("parameter"))

    def __repr__(self) -> str:
        name = type(self).__name__
        if self._model is None:
            return f"{name}()"
        rep = self._brief_report()
        if self._n is None:
            return f"{name}({self._param_text()}; given)"
        return (f"{name}({self._param_text()}; n={self._n:g}, converged={bool(rep['converged'])}, "
                f"log_likelihood={rep['log_likelihood']:.6g})")


class _RepeatBase(_Fitted):
    _kind = 0
    _names: tuple[str, ...] = ()
    _time = "T"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REPEAT_CLASSES[cls._kind] = cls

    @classmethod
    def _wrap(cls, model: Any) -> Any:
        m = cls()
        m._model = model
        return m

    @classmethod
    def from_json(cls, text: str) -> Self:
        """A model from JSON text written by :meth:`to_json` (parameters and fit report,
        exact).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        model of this class
            With the saved parameters and fit report; predictions equal the saved
            model's bit for bit.

        Raises
        ------
        FormatError
            The text is corrupt or holds another kind of model (the message names it).

        Examples
        --------
        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> fn.customers.BetaGeo.from_json(m.to_json()).params_.equals(m.params_)
        True
        """
        model = _c.repeat_model_from_json(text)
        if int(model.kind) != cls._kind:
            other = _REPEAT_CLASSES.get(int(model.kind))
            raise FormatError(f"model file holds a {other.__name__ if other else int(model.kind)} model, "
                              f"not a {cls.__name__}")
        return cast("Self", cls._wrap(model))

    @renamed_parameters({"tolerance": "tol"})
    def __init__(self, *, max_iterations: int = _default("RepeatFitOptions", "max_iterations"), tol: float = _default("RepeatFitOptions", "tolerance"),
                 compress: bool = _default("RepeatFitOptions", "compress"), threads: int = _default("RepeatFitOptions", "threads"),
                 strict: bool = False) -> None:
        """Fit settings: ``max_iterations`` and ``tol`` (gradient test) of the optimiser,
        ``compress`` (fit on weighted unique rows), ``threads`` (0 = chosen from the
        work; the result is the same at any count), ``strict`` (a fit that does not converge raises
        ConvergenceError instead of warning).  ``tolerance=`` is the deprecated name of
        ``tol``."""
        check_ints(max_iterations=max_iterations, threads=threads)
        self.max_iterations = int(max_iterations)
        self.tol = float(tol)
        self.compress = bool(compress)
        self.threads = int(threads)
        self.strict = bool(strict)
        self._model: Any = None
        self._report: dict[str, Any] | None = None
        self._n: float | None = None

    @property
    def tolerance(self) -> float:
        """Deprecated name of :attr:`tol`."""
        warnings.warn("'tolerance' is deprecated, use 'tol'", DeprecationWarning, stacklevel=2)
        return self.tol

    # Pickling goes through the JSON model file (__reduce__ above); __setstate__ still
    # reads the settings/parameters/report state pickled by earlier versions.
    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_model", "_report")}
        if self._model is not None:
            state["params"] = [float(x) for x in self._model.params]
            state["report"] = self.report_
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        params, report = state.pop("params", None), state.pop("report", None)
        state.setdefault("strict", False)
        state.setdefault("_n", None)
        self.__dict__.update(state)
        self._model = None if params is None else self._make_model(params)
        self._report = report

    @classmethod
    def _make_model(cls, params: list[float]) -> Any:
        return _c.RepeatModel(cls._kind, params)

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """A model with given parameters (keywords named as in ``params_``).

        Parameters
        ----------
        **params : float
            Every parameter of the model by name: BG/NBD ``r, alpha, a, b``; Pareto/NBD
            ``r, alpha, s, beta``; BG/BB ``alpha, beta, gamma, delta``.  All positive.

        Returns
        -------
        model of this class
            Ready to predict and simulate, as if fitted (no fit report).

        Raises
        ------
        InvalidArgumentError
            A parameter missing, unknown or not positive (the message names it).

        Examples
        --------
        >>> import funnelnet as fn
        >>> fn.customers.ParetoNBD.from_params(r=0.55, alpha=10.58, s=0.61, beta=11.67).params_.to_dict()
        {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
        """
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
            initial: Mapping[str, float] | None = None, *, progress: bool = False) -> Self:
        """Fit by maximum likelihood to per-customer frequency (repeat purchases), recency
        (time of the last purchase after the first) and T (age), in any one time unit.

        ``weights`` (optional) counts customers per row.  A fit that does not converge
        is not silent: it warns (:class:`funnelnet.ConvergenceWarning`, saying what to
        try) or, with ``strict=True``, raises ConvergenceError; ``converged_`` and
        ``report_`` say how it stopped.  Bad rows (negative frequency, recency > T,
        recency > 0 without repeats) raise InvalidArgumentError naming the row.  Returns
        the model.  ``progress=True`` shows a bar; Ctrl-C leaves the model as it was.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases per customer (purchases after the first; integers >= 0).
        recency : array-like
            Time of the last purchase measured from the first (0 without repeats).
        T : array-like
            Each customer's age: time from the first purchase to the end of observation
            (>= recency), in the same unit as ``recency``.
        weights : array-like, optional
            Number of customers sharing each row (default: one each).
        initial : mapping of str to float, optional
            Starting parameters by name (all of them), e.g. a previous fit's
            ``params_.to_dict()``.
        progress : bool, default False
            Show a ``tqdm.auto`` bar of likelihood evaluations.  Ctrl-C stops the fit
            with KeyboardInterrupt and leaves the model as it was.

        Returns
        -------
        model
            ``self``, fitted: ``params_``, ``standard_errors_``, ``summary()``,
            ``converged_`` and ``report_``.

        Raises
        ------
        InvalidArgumentError
            A bad row (the message names the customer or row and the value).
        ConvergenceError
            With ``strict=True``, when the optimiser does not converge.

        Examples
        --------
        Customers simulated from the CDNOW parameters give them back:

        >>> import funnelnet as fn
        >>> truth = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> d = truth.simulate(39, size=20_000, seed=1)
        >>> fit = fn.customers.BetaGeo().fit(d["frequency"], d["recency"], d["T"])
        >>> fit.params_.round(2).to_dict()
        {'r': 0.24, 'alpha': 4.32, 'a': 0.84, 'b': 2.54}
        """
        return self._fit(frequency, recency, T, weights, initial, progress)

    def _fit(self, frequency: Any, recency: Any, T: Any, weights: Any, initial: Mapping[str, float] | None,
             progress: bool = False) -> Self:
        x, tx, t = f64(frequency, "frequency"), f64(recency, "recency"), f64(T, self._time)
        w = np.empty(0) if weights is None else f64(weights, "weights")
        if initial is not None and set(initial) != set(self._names):
            missing = [n for n in self._names if n not in initial]
            extra = [str(n) for n in initial if n not in self._names]
            raise InvalidArgumentError(f"initial must give every parameter of {type(self).__name__} "
                                       f"({', '.join(self._names)}): "
                                       + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}"))
        init = [] if initial is None else [float(initial[n]) for n in self._names]
        self._model = run_with_progress(progress, f"{type(self).__name__} fit", lambda cb: _c.RepeatModel.fit(
            self._kind, x, tx, t, w, self.max_iterations, self.tol, self.compress, self.threads, init, cb))
        self._report = None
        self._n = float(len(x) if weights is None else w.sum())
        self._check_convergence(stacklevel=4)
        return self

    def simulate(self, T: Any, size: int = 1, *, seed: int = 0, threads: int = 0) -> pd.DataFrame:
        """Customers drawn from the model with these parameters (given or fitted).

        Parameters
        ----------
        T : float or array-like
            Each customer's age (BG/BB: number of transaction opportunities, an integer);
            a scalar gives ``size`` customers of that age.
        size : int
            Number of customers when ``T`` is a scalar.
        seed, threads : int
            The same seed gives the same customers at any thread count.

        Returns
        -------
        DataFrame
            One row per customer: ``frequency``, ``recency`` and ``T`` (BG/BB:
            ``n_periods``), ready for :meth:`fit`.
        """
        check_ints(size=size, seed=seed, threads=threads)
        t = np.full(int(size), float(T)) if np.ndim(T) == 0 else f64(T, self._time)
        x, tx, tt = _c.simulate_repeat(self._kind, [float(v) for v in self._fitted().params], t, int(seed),
                                       int(threads))
        return pd.DataFrame({"frequency": x, "recency": tx, self._time: tt})

    def _rfm(self, frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return f64(frequency, "frequency"), f64(recency, "recency"), f64(T, "T")

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> Prediction:
        """Per-customer log-likelihood at the model's parameters.

        Parameters
        ----------
        frequency, recency, T : array-like
            Per-customer repeat purchases, time of the last purchase after the first,
            and age, as for :meth:`fit`.

        Returns
        -------
        ndarray or Series
            The log-likelihood of each customer's history (a Series with the input's
            index when ``frequency`` is a Series); the sum is the fit's objective.

        Examples
        --------
        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.log_likelihood([0, 2], [0, 30], [39, 39]).round(4)
        array([-0.5555, -9.4561])
        """
        return like(self._fitted().log_likelihood(*self._rfm(frequency, recency, T)), frequency)

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Prediction:
        """P(alive | frequency, recency, T) per customer.

        Parameters
        ----------
        frequency, recency, T : array-like
            Per-customer repeat purchases, time of the last purchase after the first,
            and age, as for :meth:`fit`.

        Returns
        -------
        ndarray or Series
            The probability (0 to 1) that each customer is still active at ``T`` (a
            Series with the input's index when ``frequency`` is a Series).

        Examples
        --------
        Under BG/NBD a customer without repeats cannot have dropped out; among two
        customers with two repeats, the one silent since time 10 is less likely alive:

        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.conditional_probability_alive([0, 2, 2], [0, 30, 10], [39, 39, 39]).round(3)
        array([1.   , 0.72 , 0.267])
        """
        return like(self._fitted().p_alive(*self._rfm(frequency, recency, T)), frequency)

    p_alive = conditional_probability_alive

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any,
                                                             T: Any) -> Prediction:
        """Expected purchases in the next ``t`` time units, per customer.

        Parameters
        ----------
        t : float
            Length of the future window, in the time unit of ``recency`` and ``T``.
        frequency, recency, T : array-like
            Per-customer repeat purchases, time of the last purchase after the first,
            and age, as for :meth:`fit`.

        Returns
        -------
        ndarray or Series
            Expected purchases in (T, T + t] per customer (a Series with the input's
            index when ``frequency`` is a Series).

        Examples
        --------
        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.conditional_expected_number_of_purchases_up_to_time(39, [0, 2, 2], [0, 30, 10], [39, 39, 39]).round(3)
        array([0.195, 1.211, 0.449])
        """
        return like(self._fitted().expected_purchases(float(t), *self._rfm(frequency, recency, T)), frequency)

    expected_purchases = conditional_expected_number_of_purchases_up_to_time
    predict = conditional_expected_number_of_purchases_up_to_time

    def expected_number_of_purchases_up_to_time(self, t: float) -> float:
        """Expected repeat purchases in (0, t] of a new, randomly chosen customer.

        Parameters
        ----------
        t : float
            Time since the first purchase, in the fit's time unit.

        Returns
        -------
        float
            E[X(t)] for a customer drawn from the population (no history).

        Examples
        --------
        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(m.expected_number_of_purchases_up_to_time(39), 4)
        1.1967
        """
        return float(self._fitted().expected_purchases_new(float(t)))

    def plot(self, summary: Any = None, kind: str = "frequency_recency", *, ax: Any = None, **kw: Any) -> "Axes":
        """Draw the fitted model (BG/NBD, Pareto/NBD).

        Parameters
        ----------
        summary : DataFrame, optional
            The customers' summary (``frequency``, ``recency``, ``T``); needed for
            ``"period_transactions"``.
        kind : {"frequency_recency", "p_alive", "period_transactions"}
            :func:`funnelnet.plot.frequency_recency`, :func:`funnelnet.plot.p_alive_matrix`
            or :func:`funnelnet.plot.period_transactions` (expected vs actual repeat
            purchases).
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        **kw
            Passed to the chart function.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (``ax``, or a new figure's).

        Raises
        ------
        InvalidArgumentError
            For an unknown ``kind``.
        """
        from .. import plot as _plot

        charts: dict[str, Any] = {"frequency_recency": _plot.frequency_recency, "p_alive": _plot.p_alive_matrix,
                  "period_transactions": _plot.period_transactions}
        if kind not in charts:
            raise InvalidArgumentError(f"kind must be one of {sorted(charts)}, got {kind!r}")
        return cast("Axes", charts[kind](self, summary, ax=ax, **kw))



class BetaGeo(_RepeatBase):
    """BG/NBD model (Fader, Hardie and Lee 2005): parameters r, alpha, a, b.

    While active, a customer buys at rate lambda ~ Gamma(r, alpha); after each purchase
    they drop out with probability p ~ Beta(a, b).  The settings below are those of the
    fit; create a model with given parameters with :meth:`from_params`.

    Parameters
    ----------
    max_iterations : int
        Most optimiser (L-BFGS) iterations.
    tol : float
        Convergence test on the gradient norm.
    compress : bool
        Fit on the unique rows, weighted by their counts (same result, faster on
        large tables).
    threads : int
        Threads for the likelihood: 0 chooses from the size of the work (one thread
        for small inputs, more only when each has enough work to gain from it, never
        more than the usable cores); a positive number is an upper bound.  The
        result is the same at any thread count.
    strict : bool
        A fit that does not converge raises ConvergenceError instead of warning
        (:class:`funnelnet.ConvergenceWarning`).

    Examples
    --------
    >>> import funnelnet as fn
    >>> m = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(m.expected_number_of_purchases_up_to_time(39), 4)
    1.1967
    """

    _kind = 0
    _names = ("r", "alpha", "a", "b")

    def _edge_note(self) -> str:
        p = self.params_
        if p["a"] / (p["a"] + p["b"]) < 1e-6:
            return (" The data show no drop-out (every customer still buying near the end of observation): "
                    "a / (a + b) runs to 0, the model tends to the NBD without drop-out, whose r and alpha are "
                    "the usable part, and P(alive) is 1 for everyone.")
        return _ridge_note(p, ("r", "alpha"), "purchase rate") + _ridge_note(p, ("a", "b"), "drop-out probability")


class ParetoNBD(_RepeatBase):
    """Pareto/NBD model (Schmittlein, Morrison and Colombo 1987): parameters r, alpha, s, beta.

    While active, a customer buys at rate lambda ~ Gamma(r, alpha) and drops out at an
    exponential time of rate mu ~ Gamma(s, beta), at any moment (not only after a
    purchase as in BG/NBD).  Same data and methods as :class:`BetaGeo`.

    Parameters
    ----------
    max_iterations : int
        Most optimiser (L-BFGS) iterations.
    tol : float
        Convergence test on the gradient norm.
    compress : bool
        Fit on the unique rows, weighted by their counts (same result, faster on
        large tables).
    threads : int
        Threads for the likelihood: 0 chooses from the size of the work (one thread
        for small inputs, more only when each has enough work to gain from it, never
        more than the usable cores); a positive number is an upper bound.  The
        result is the same at any thread count.
    strict : bool
        A fit that does not converge raises ConvergenceError instead of warning
        (:class:`funnelnet.ConvergenceWarning`).

    Examples
    --------
    >>> import funnelnet as fn
    >>> m = fn.customers.ParetoNBD.from_params(r=0.55, alpha=10.58, s=0.61, beta=11.67)
    >>> m.conditional_probability_alive([0, 2, 2], [0, 30, 10], [39, 39, 39]).round(3)
    array([0.293, 0.858, 0.266])
    """

    _kind = 1
    _names = ("r", "alpha", "s", "beta")

    def _edge_note(self) -> str:
        p = self.params_
        if p["s"] / p["beta"] < 1e-6:
            return (" The data show no drop-out: the mean drop-out rate s / beta runs to 0, the model tends to "
                    "the NBD without drop-out, whose r and alpha are the usable part, and P(alive) is 1.")
        return _ridge_note(p, ("r", "alpha"), "purchase rate") + _ridge_note(p, ("s", "beta"), "drop-out rate")


class BetaGeoBetaBinom(_RepeatBase):
    """BG/BB model (Fader, Hardie and Shang 2010) for discrete-time repeat buying:
    parameters alpha, beta (purchase probability p ~ Beta(alpha, beta)) and gamma, delta
    (drop-out probability theta ~ Beta(gamma, delta) per transaction opportunity).

    Data are per customer: ``frequency`` (opportunities with a purchase after the first),
    ``recency`` (the last such opportunity, 0 without repeats) and ``n_periods`` (the
    opportunities observed), all integers; ``weights`` counts customers per row (the
    lifetimes layout of ``donations.csv``).  Predictions take the number of future
    opportunities first, as lifetimes' ``BetaGeoBetaBinomFitter`` does.

    Parameters
    ----------
    max_iterations : int
        Most optimiser (L-BFGS) iterations.
    tol : float
        Convergence test on the gradient norm.
    compress : bool
        Fit on the unique rows, weighted by their counts (same result, faster on
        large tables).
    threads : int
        Threads for the likelihood: 0 chooses from the size of the work (one thread
        for small inputs, more only when each has enough work to gain from it, never
        more than the usable cores); a positive number is an upper bound.  The
        result is the same at any thread count.
    strict : bool
        A fit that does not converge raises ConvergenceError instead of warning
        (:class:`funnelnet.ConvergenceWarning`).

    Examples
    --------
    >>> import funnelnet as fn
    >>> m = fn.customers.BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    >>> round(m.expected_number_of_purchases_up_to_time(6), 4)
    2.2196
    """

    _kind = 2
    _names = ("alpha", "beta", "gamma", "delta")
    _time = "n_periods"

    def fit(self, frequency: Any, recency: Any, n_periods: Any, weights: Any = None,
            initial: Mapping[str, float] | None = None, *, progress: bool = False) -> Self:
        """Fit by maximum likelihood to integer (frequency, recency, n_periods) rows,
        optionally weighted (``weights[i]`` customers share row i).

        A fit that does not converge warns (:class:`funnelnet.ConvergenceWarning`) or, with
        ``strict=True``, raises ConvergenceError.  Bad rows (non-integer periods,
        frequency > recency, recency > n_periods) raise InvalidArgumentError naming the
        row.  Returns the model.  ``progress=True`` shows a bar; Ctrl-C leaves the model as it was.

        Parameters
        ----------
        frequency : array-like of int
            Opportunities with a purchase after the first, per row.
        recency : array-like of int
            The last opportunity with a purchase (0 without repeats; >= frequency).
        n_periods : array-like of int
            Opportunities observed (>= recency).
        weights : array-like, optional
            Customers sharing each row (the ``weights`` column of ``donations.csv``).
        initial : mapping of str to float, optional
            Starting parameters by name (all four).
        progress : bool, default False
            Show a ``tqdm.auto`` bar of likelihood evaluations.  Ctrl-C stops the fit
            with KeyboardInterrupt and leaves the model as it was.

        Returns
        -------
        BetaGeoBetaBinom
            ``self``, fitted.

        Raises
        ------
        InvalidArgumentError
            A bad row (the message names it and the value).
        ConvergenceError
            With ``strict=True``, when the optimiser does not converge.

        Examples
        --------
        >>> import funnelnet as fn
        >>> truth = fn.customers.BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> d = truth.simulate(6, size=20_000, seed=1)
        >>> fit = fn.customers.BetaGeoBetaBinom().fit(d["frequency"], d["recency"], d["n_periods"])
        >>> fit.params_.round(2).to_dict()
        {'alpha': 1.26, 'beta': 0.78, 'gamma': 0.7, 'delta': 2.96}
        """
        return self._fit(frequency, recency, n_periods, weights, initial, progress)

    def conditional_probability_alive(self, m_periods_in_future: float, frequency: Any,  # type: ignore[override]
                                      recency: Any, n_periods: Any) -> Prediction:
        """P(alive at opportunity n_periods + m_periods_in_future | history), per customer
        (Fader, Hardie and Shang 2010, eq. A10; lifetimes' argument order).

        Parameters
        ----------
        m_periods_in_future : float
            Opportunities ahead of ``n_periods`` (1 = the next one).
        frequency, recency, n_periods : array-like of int
            Each customer's history, as for :meth:`fit`.

        Returns
        -------
        ndarray or Series
            The probability that each customer is still alive at that opportunity (a
            Series with the input's index when ``frequency`` is a Series).

        Examples
        --------
        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> m.conditional_probability_alive(1, [0, 3, 3], [0, 6, 3], [6, 6, 6]).round(3)
        array([0.108, 0.93 , 0.095])
        """
        x, tx, n = self._rfm(frequency, recency, n_periods)
        return like(self._fitted().p_alive_at(float(m_periods_in_future), x, tx, n), frequency)

    def p_alive(self, frequency: Any, recency: Any, n_periods: Any) -> Prediction:  # type: ignore[override]
        """P(alive at the next opportunity, n_periods + 1 | history), per customer.

        Parameters
        ----------
        frequency, recency, n_periods : array-like of int
            Each customer's history, as for :meth:`fit`.

        Returns
        -------
        ndarray or Series
            ``conditional_probability_alive(1, frequency, recency, n_periods)``.
        """
        return self.conditional_probability_alive(1, frequency, recency, n_periods)

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future: float, frequency: Any,
                                                             recency: Any, n_periods: Any) -> Prediction:
        """Expected purchases in the next ``m_periods_in_future`` opportunities, per
        customer (Fader, Hardie and Shang 2010, eq. 13).

        Parameters
        ----------
        m_periods_in_future : float
            Number of future opportunities.
        frequency, recency, n_periods : array-like of int
            Each customer's history, as for :meth:`fit`.

        Returns
        -------
        ndarray or Series
            Expected purchases in opportunities n_periods + 1 ... n_periods + m (a
            Series with the input's index when ``frequency`` is a Series).

        Examples
        --------
        >>> import funnelnet as fn
        >>> m = fn.customers.BetaGeoBetaBinom.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> m.conditional_expected_number_of_purchases_up_to_time(5, [0, 3, 3], [0, 6, 3], [6, 6, 6]).round(3)
        array([0.073, 2.19 , 0.224])
        """
        x, tx, n = self._rfm(frequency, recency, n_periods)
        return like(self._fitted().expected_purchases(float(m_periods_in_future), x, tx, n), frequency)

    expected_purchases = conditional_expected_number_of_purchases_up_to_time  # type: ignore[assignment]
    predict = conditional_expected_number_of_purchases_up_to_time  # type: ignore[assignment]

    def expected_number_of_purchases_up_to_time(self, n_periods: float) -> float:
        """Expected repeat purchases in the first ``n_periods`` opportunities of a new,
        randomly chosen customer (Fader, Hardie and Shang 2010, eq. 8).

        Parameters
        ----------
        n_periods : float
            Number of opportunities after the first purchase.

        Returns
        -------
        float
            E[X(n)] for a customer drawn from the population.
        """
        return float(self._fitted().expected_purchases_new(float(n_periods)))


def _row_labels(*columns: Any) -> pd.Index | None:
    """The index of the first pandas input (the customer ids of a summary table), to
    name the customer in "row k" messages."""
    return next((c.index for c in columns if isinstance(c, (pd.Series, pd.DataFrame))), None)


class GammaGamma(_Fitted):
    """Gamma-Gamma model of spend per transaction: parameters p, q, v.  Fit on repeat
    buyers (frequency > 0); those whose mean repeat spend is 0 are left out of the fit
    (the report's message counts them).  Predictions for customers without repeat spend
    (frequency 0, or mean repeat spend 0) are the population mean p v / (q - 1), so they
    keep a lifetime value.

    Parameters
    ----------
    max_iterations : int
        Most optimiser (L-BFGS) iterations.
    tol : float
        Convergence test on the gradient norm.
    compress : bool
        Fit on the unique rows, weighted by their counts (same result, faster on
        large tables).
    threads : int
        Threads for the likelihood: 0 chooses from the size of the work (one thread
        for small inputs, more only when each has enough work to gain from it, never
        more than the usable cores); a positive number is an upper bound.  The
        result is the same at any thread count.
    strict : bool
        A fit that does not converge raises ConvergenceError instead of warning
        (:class:`funnelnet.ConvergenceWarning`).

    Examples
    --------
    >>> import funnelnet as fn
    >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    >>> g.conditional_expected_average_profit(2, 22.35).round(3)
    array([24.664])
    """

    _names = ("p", "q", "v")

    @renamed_parameters({"tolerance": "tol"})
    def __init__(self, *, max_iterations: int = _default("RepeatFitOptions", "max_iterations"), tol: float = _default("RepeatFitOptions", "tolerance"),
                 compress: bool = _default("RepeatFitOptions", "compress"), threads: int = _default("RepeatFitOptions", "threads"),
                 strict: bool = False) -> None:
        """Fit settings, as for :class:`BetaGeo` (``tolerance=`` is the deprecated name of ``tol``)."""
        check_ints(max_iterations=max_iterations, threads=threads)
        self.max_iterations, self.tol = int(max_iterations), float(tol)
        self.compress, self.threads = bool(compress), int(threads)
        self.strict = bool(strict)
        self._model: Any = None
        self._report: dict[str, Any] | None = None
        self._n: float | None = None

    @property
    def tolerance(self) -> float:
        """Deprecated name of :attr:`tol`."""
        warnings.warn("'tolerance' is deprecated, use 'tol'", DeprecationWarning, stacklevel=2)
        return self.tol

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_model", "_report")}
        if self._model is not None:
            state["params"] = [float(x) for x in self._model.params]
            state["report"] = self.report_
        return state

    @classmethod
    def from_json(cls, text: str) -> Self:
        """A model from JSON text written by :meth:`to_json` (parameters and fit report,
        exact).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        GammaGamma
            With the saved parameters and report.

        Raises
        ------
        FormatError
            The text is corrupt or holds another kind of model.
        """
        g = cls()
        g._model = _c.gamma_gamma_from_json(text)
        return g

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        params, report = state.pop("params", None), state.pop("report", None)
        state.setdefault("strict", False)
        state.setdefault("_n", None)
        self.__dict__.update(state)
        self._model = None if params is None else _c.GammaGammaModel(params)
        self._report = report

    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> Self:
        """A model with given parameters.

        Parameters
        ----------
        p : float
            Shape of each transaction's spend, Gamma(p, rate nu).
        q, v : float
            Shape and rate of nu ~ Gamma(q, v) across customers (q > 1 for a finite mean).

        Returns
        -------
        GammaGamma
            Ready to predict and simulate.

        Examples
        --------
        The population mean spend is p v / (q - 1):

        >>> import funnelnet as fn
        >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
        >>> float(g.conditional_expected_average_profit(0, 0)[0]) == 6.25 * 15.44 / 2.74
        True
        """
        g = cls()
        g._model = _c.GammaGammaModel([float(p), float(q), float(v)])
        return g

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None, *, progress: bool = False) -> Self:
        """Fit to repeat buyers' frequency (>= 1) and mean repeat spend (>= 0; rows with 0
        are left out of the fit); returns the model.  A fit that does not converge warns
        (:class:`funnelnet.ConvergenceWarning`) or, with ``strict=True``, raises
        ConvergenceError.  ``progress=True`` shows a bar; Ctrl-C leaves the model as it was.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases per customer (>= 1 for the rows that count).
        monetary_value : array-like
            Mean spend of those repeat purchases (>= 0).
        weights : array-like, optional
            Customers sharing each row.
        progress : bool, default False
            Show a ``tqdm.auto`` bar of likelihood evaluations.  Ctrl-C stops the fit
            with KeyboardInterrupt and leaves the model as it was.

        Returns
        -------
        GammaGamma
            ``self``, fitted.

        Raises
        ------
        InvalidArgumentError
            A negative or non-finite value (the message names the customer id when the
            input is a pandas Series, else the row).
        ConvergenceError
            With ``strict=True``, when the optimiser does not converge.
        """
        x, m = f64(frequency, "frequency"), f64(monetary_value, "monetary_value")
        w = np.empty(0) if weights is None else f64(weights, "weights")
        with user_terms(entity="customer", rows=_row_labels(frequency, monetary_value)):
            self._model = run_with_progress(progress, "GammaGamma fit", lambda cb: _c.GammaGammaModel.fit(
                x, m, w, self.max_iterations, self.tol, self.compress, self.threads, [], cb))
        self._report = None
        keep = m > 0
        self._n = float(keep.sum() if weights is None else w[keep].sum())
        self._check_convergence()
        return self

    def simulate(self, frequency: Any, *, seed: int = 0, threads: int = 0) -> Prediction:
        """Mean repeat spend drawn from the model for customers with the given frequencies
        (integers >= 0; 0 gives 0): nu ~ Gamma(q, rate v) per customer, then the mean of
        ``frequency`` spends ~ Gamma(p, rate nu).  The same seed gives the same draws at
        any thread count.  Returns an array (a Series with the input's index for a Series).

        Parameters
        ----------
        frequency : array-like of int
            Repeat purchases per customer (>= 0).
        seed : int
            Random seed.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for
            small inputs, more only when each has enough work to gain from it,
            never more than the usable cores); a positive number is an upper
            bound.  The result is the same at any thread count.

        Returns
        -------
        ndarray or Series
            One simulated mean repeat spend per customer (0 where frequency is 0).

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
        >>> g.simulate([0, 1, 5], seed=1).round(2)
        array([ 0.  , 49.12, 18.31])
        """
        check_ints(seed=seed, threads=threads)
        out = _c.simulate_spend([float(v) for v in self._fitted().params], f64(frequency, "frequency"), int(seed),
                                int(threads))
        return like(out, frequency)

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Prediction:
        """E[spend per transaction | frequency, mean spend]; customers without repeat spend
        (frequency 0, or mean repeat spend 0) get the population mean p v / (q - 1).

        Parameters
        ----------
        frequency : array-like
            Repeat purchases per customer.
        monetary_value : array-like
            Mean spend of those repeat purchases.

        Returns
        -------
        ndarray or Series
            Expected spend per future transaction, per customer (a Series with the
            input's index when ``frequency`` is a Series).

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
        >>> g.conditional_expected_average_profit([0, 2], [0, 22.35]).round(3)
        array([35.219, 24.664])
        """
        model = self._fitted()
        with user_terms(entity="customer", rows=_row_labels(frequency, monetary_value)):
            out = model.expected_spend(f64(frequency, "frequency"), f64(monetary_value, "monetary_value"))
        return like(out, frequency)

    expected_spend = conditional_expected_average_profit

    def customer_lifetime_value(self, transaction_model: _RepeatBase, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: ClvFreq = "D") -> Prediction:
        """Discounted CLV over ``time`` months, lifetimes' scheme: per month k, expected
        spend times the increase in expected purchases, over (1 + discount_rate)^k.
        ``freq`` is the time unit of recency and T ('D', 'W', 'M' or 'H').

        Parameters
        ----------
        transaction_model : BetaGeo or ParetoNBD
            A fitted (or :meth:`from_params`) repeat-purchase model.
        frequency, recency, T : array-like
            Per-customer history in the transaction model's time unit.
        monetary_value : array-like
            Mean repeat spend per customer.
        time : int
            Horizon in months.
        discount_rate : float
            Monthly discount rate.
        freq : {"D", "W", "M", "H"}
            Time unit of ``recency`` and ``T``: days, weeks, months or hours.

        Returns
        -------
        ndarray or Series
            Discounted lifetime value per customer (a Series with the input's index
            when ``frequency`` is a Series).

        Raises
        ------
        InvalidArgumentError
            An unknown ``freq``.
        InputTypeError
            ``transaction_model`` is not a BetaGeo or ParetoNBD model.

        Examples
        --------
        >>> import funnelnet as fn
        >>> bg = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
        >>> g.customer_lifetime_value(bg, [0, 2], [0, 30], [39, 39], [0, 22.35], freq="W").round(2)
        array([ 8.35, 35.84])
        """
        if freq not in _FREQ_FACTOR:
            raise InvalidArgumentError(f"freq must be one of {sorted(_FREQ_FACTOR)}, got {freq!r}")
        if not isinstance(transaction_model, _RepeatBase):
            raise InputTypeError("transaction_model must be a BetaGeo or ParetoNBD model")
        x, tx, t = f64(frequency, "frequency"), f64(recency, "recency"), f64(T, "T")
        spend = np.asarray(self.conditional_expected_average_profit(x, f64(monetary_value, "monetary_value")))
        out = transaction_model._fitted().clv(x, tx, t, np.ascontiguousarray(spend, dtype=np.float64), int(time),
                                             _FREQ_FACTOR[freq], float(discount_rate))
        return like(out, frequency)
