"""Customers: ABC grading, tier migration and Markov lifetime value, repeat buying.

Repeat-buying models (BG/NBD, Pareto/NBD, Gamma-Gamma) are fitted by maximum
likelihood in C++ (log-parameters, analytic gradients, LBFGS-B, weighted unique rows)
and report how the fit stopped instead of raising.

>>> import funnelnet as fn
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer": [1, 1, 1, 2, 3, 3],
...                    "date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-03-01",
...                                            "2024-02-01", "2024-01-10", "2024-02-20"]),
...                    "amount": [10.0, 20.0, 30.0, 5.0, 8.0, 12.0]})
>>> s = fn.customers.summary_from_transactions(tx, customer="customer", date="date",
...                                            amount="amount", calibration_end="2024-03-31")
>>> s
          frequency  recency     T  monetary_value
customer                                          
1               2.0     60.0  90.0            25.0
2               0.0      0.0  59.0             0.0
3               1.0     41.0  81.0            12.0
>>> bg = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> bg.conditional_probability_alive(2, 30.43, 38.86).round(4)
array([0.7266])
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._convert import as_array, ids_as_int64, require_columns
from .errors import InputTypeError, InvalidArgumentError, ShapeError, UnknownLabelError

__all__ = [
    "BetaGeo",
    "ParetoNBD",
    "GammaGamma",
    "summary_from_transactions",
    "grade",
    "TierMigration",
    "markov_clv",
    "STANDARD_CRITERIA",
]

_c = _core.customers

#: The seven grading criteria of the sales texts (suggested column names).
STANDARD_CRITERIA = ("credit", "loyalty", "dependence", "influence", "deal_value", "difficulty", "distance")

_FREQ_FACTOR = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24}


def _f64(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (int, float, np.integer, np.floating)):
        values = [values]
    return as_array(values, np.float64, name)


def _like(result: np.ndarray, template: Any) -> Any:
    """Return a Series with the template's index when the input was a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index)
    return result


# ------------------------------------------------------------------ repeat buying
class _RepeatBase:
    _kind = 0
    _names: tuple[str, ...] = ()

    def __init__(self, *, max_iterations: int = 2000, tolerance: float = 1e-9, compress: bool = True,
                 threads: int = 1) -> None:
        self.max_iterations = int(max_iterations)
        self.tolerance = float(tolerance)
        self.compress = bool(compress)
        self.threads = int(threads)
        self._model: Any = None

    @classmethod
    def from_params(cls, **params: float) -> "_RepeatBase":
        """A model with given parameters (keywords named as in ``params_``)."""
        missing = [n for n in cls._names if n not in params]
        extra = [n for n in params if n not in cls._names]
        if missing or extra:
            raise InvalidArgumentError(
                f"{cls.__name__}.from_params needs exactly {', '.join(cls._names)}; "
                f"missing {missing or 'none'}, unknown {extra or 'none'}")
        m = cls()
        m._model = _c.RepeatModel(cls._kind, [float(params[n]) for n in cls._names])
        return m

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None,
            initial: Mapping[str, float] | None = None) -> "_RepeatBase":
        """Fit by maximum likelihood to per-customer frequency (repeat purchases), recency
        (time of the last purchase after the first) and T (age), in any one time unit.

        ``weights`` (optional) counts customers per row.  A fit that does not converge
        is not an error: check ``converged_`` and ``report_``.  Bad rows (negative
        frequency, recency > T, recency > 0 without repeats) raise InvalidArgumentError
        naming the row.
        """
        x, tx, t = _f64(frequency, "frequency"), _f64(recency, "recency"), _f64(T, "T")
        w = np.empty(0) if weights is None else _f64(weights, "weights")
        init = [] if initial is None else [float(initial[n]) for n in self._names]
        self._model = _c.RepeatModel.fit(self._kind, x, tx, t, w, self.max_iterations, self.tolerance,
                                         self.compress, self.threads, init)
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
        return dict(self._fitted().report)

    @property
    def converged_(self) -> bool:
        """Whether the gradient test was met."""
        return bool(self._fitted().report["converged"])

    @property
    def log_likelihood_(self) -> float:
        """Total (weighted) log-likelihood at the fitted parameters."""
        return float(self._fitted().report["log_likelihood"])

    def _rfm(self, frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _f64(frequency, "frequency"), _f64(recency, "recency"), _f64(T, "T")

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Per-customer log-likelihood at the model's parameters."""
        return _like(self._fitted().log_likelihood(*self._rfm(frequency, recency, T)), frequency)

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive | frequency, recency, T) per customer."""
        return _like(self._fitted().p_alive(*self._rfm(frequency, recency, T)), frequency)

    p_alive = conditional_probability_alive

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any,
                                                             T: Any) -> Any:
        """Expected purchases in the next ``t`` time units, per customer."""
        return _like(self._fitted().expected_purchases(float(t), *self._rfm(frequency, recency, T)), frequency)

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


class GammaGamma:
    """Gamma-Gamma model of spend per transaction: parameters p, q, v.  Fit on repeat
    buyers only (frequency > 0, mean repeat spend > 0).

    >>> import funnelnet as fn
    >>> g = fn.customers.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    >>> g.conditional_expected_average_profit(2, 22.35).round(3)
    array([24.664])
    """

    _names = ("p", "q", "v")

    def __init__(self, *, max_iterations: int = 2000, tolerance: float = 1e-9, compress: bool = True,
                 threads: int = 1) -> None:
        self.max_iterations, self.tolerance = int(max_iterations), float(tolerance)
        self.compress, self.threads = bool(compress), int(threads)
        self._model: Any = None

    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> "GammaGamma":
        """A model with given parameters."""
        g = cls()
        g._model = _c.GammaGammaModel([float(p), float(q), float(v)])
        return g

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> "GammaGamma":
        """Fit to repeat buyers' frequency and mean repeat spend."""
        x, m = _f64(frequency, "frequency"), _f64(monetary_value, "monetary_value")
        w = np.empty(0) if weights is None else _f64(weights, "weights")
        self._model = _c.GammaGammaModel.fit(x, m, w, self.max_iterations, self.tolerance, self.compress,
                                             self.threads, [])
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
        return dict(self._fitted().report)

    @property
    def converged_(self) -> bool:
        """Whether the gradient test was met."""
        return bool(self._fitted().report["converged"])

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any:
        """E[spend per transaction | frequency, mean spend]; frequency 0 gives the population mean."""
        out = self._fitted().expected_spend(_f64(frequency, "frequency"), _f64(monetary_value, "monetary_value"))
        return _like(out, frequency)

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
        x, tx, t = _f64(frequency, "frequency"), _f64(recency, "recency"), _f64(T, "T")
        spend = np.asarray(self.conditional_expected_average_profit(x, _f64(monetary_value, "monetary_value")))
        out = transaction_model._fitted().clv(x, tx, t, np.ascontiguousarray(spend, dtype=np.float64), int(time),
                                             _FREQ_FACTOR[freq], float(discount_rate))
        return _like(out, frequency)


# ------------------------------------------------------------------ summaries
def _periods(values: Any, freq: str, name: str) -> np.ndarray:
    """Integer period index of datetimes (days, or Monday-start weeks as pandas' 'W')."""
    s = pd.Series(values, copy=False)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        try:
            s = pd.to_datetime(s)
        except (ValueError, TypeError) as e:
            raise InputTypeError(f"{name}: cannot read as dates: {e}") from None
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        bad = np.flatnonzero(s.isna().to_numpy())
        if bad.size:
            raise InvalidArgumentError(f"{name}: row {int(bad[0])} is NaT (missing date)")
        ns = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
        if freq == "D":
            return np.floor_divide(ns, 86_400 * 10**9)
        if freq == "W":  # pandas 'W' periods end on Sunday; 1970-01-01 was a Thursday
            return np.floor_divide(np.floor_divide(ns, 86_400 * 10**9) + 3, 7)
        if freq == "H":
            return np.floor_divide(ns, 3600 * 10**9)
        raise InvalidArgumentError(f"freq must be 'D', 'W' or 'H' for dates, got {freq!r}")
    return as_array(s.to_numpy(), np.int64, name)


def summary_from_transactions(df: pd.DataFrame, *, customer: str, date: str, amount: str | None = None,
                              calibration_end: Any = None, holdout_end: Any = None, freq: str = "D",
                              freq_multiplier: float = 1.0, future: str = "error") -> pd.DataFrame:
    """Per-customer repeat-buying summary from a transaction log.

    Dates are floored to ``freq`` periods ('D', 'W' Monday-start weeks, 'H'; or integer
    periods already); several purchases in one period count once with their amounts
    added.  ``frequency`` counts repeat periods, ``recency`` and ``T`` are in units of
    ``freq_multiplier`` periods (``freq='D', freq_multiplier=7`` gives weeks), and
    ``monetary_value`` is the mean per-period spend over repeat periods (as lifetimes'
    ``summary_data_from_transaction_data``).  With ``holdout_end`` the columns
    ``frequency_holdout``, ``monetary_value_holdout`` and ``duration_holdout`` describe
    (calibration_end, holdout_end], and only customers with a purchase by
    ``calibration_end`` are kept.  Rows after the last cut-off raise
    InvalidArgumentError naming the row unless ``future='drop'``.
    """
    require_columns(df, {"customer": customer, "date": date, "amount": amount})
    if future not in ("error", "drop"):
        raise InvalidArgumentError(f"future must be 'error' or 'drop', got {future!r}")
    periods = _periods(df[date], freq, date)
    cust_col = df[customer]
    ids = ids_as_int64(cust_col, customer)
    amt = np.empty(0) if amount is None else _f64(df[amount].to_numpy(), amount)

    def cut(v: Any, name: str) -> int:
        if isinstance(v, (int, np.integer)) and not pd.api.types.is_datetime64_any_dtype(df[date].dtype):
            return int(v)
        return int(_periods(pd.Series([pd.Timestamp(v)]), freq, name)[0])

    cal = int(periods.max()) if calibration_end is None else cut(calibration_end, "calibration_end")
    hold = holdout_end is not None
    hend = cut(holdout_end, "holdout_end") if hold else 0
    out = _c.summarize_transactions(ids, np.ascontiguousarray(periods, dtype=np.int64), amt, cal, hold, hend,
                                    float(freq_multiplier), 0 if future == "error" else 1)
    if cust_col.dtype.kind in "iu":
        index = pd.Index(out["customer"], name=customer)
    else:
        _, uniques = pd.factorize(cust_col)
        index = pd.Index(np.asarray(uniques)[out["customer"]], name=customer)
    cols = {"frequency": out["frequency"], "recency": out["recency"], "T": out["T"]}
    if amount is not None:
        cols["monetary_value"] = out["monetary_value"]
    if hold:
        cols["frequency_holdout"] = out["frequency_holdout"]
        if amount is not None:
            cols["monetary_value_holdout"] = out["monetary_value_holdout"]
        cols["duration_holdout"] = np.full(len(index), out["duration_holdout"])
    return pd.DataFrame(cols, index=index)


# ------------------------------------------------------------------ grading
_NORMALIZE = {"none": 0, "minmax": 1, "zscore": 2}


def _criteria_spec(criteria: Any) -> list[tuple[str, float, int]]:
    if criteria is None:
        raise InvalidArgumentError("give criteria: a list of column names or {name: weight or (weight, direction)}")
    items = criteria.items() if isinstance(criteria, Mapping) else ((c, 1.0) for c in criteria)
    spec = []
    for name, w in items:
        direction = 1
        if isinstance(w, tuple):
            w, direction = w
        if isinstance(direction, str):
            if direction not in ("higher", "lower"):
                raise InvalidArgumentError(f"criterion {name!r}: direction must be 'higher' or 'lower', got {direction!r}")
            direction = 1 if direction == "higher" else -1
        spec.append((str(name), float(w), int(direction)))
    return spec


def grade(df: pd.DataFrame, *, mode: str = "score", criteria: Any = None, thresholds: Any = None,
          mix: Sequence[float] = (1, 3, 6), value: str | None = None, cutoffs: Sequence[float] = (0.8, 0.95),
          tiers: Sequence[str] | None = None, group: str | None = None, normalize: str = "minmax") -> pd.DataFrame:
    """ABC-grade customers (one row each of ``df``).

    Modes:

    - ``"score"``: weighted score over ``criteria`` (``{column: weight}`` or
      ``{column: (weight, "higher" | "lower")}``), normalised per ``normalize``
      ('minmax', 'zscore', 'none'); ``thresholds`` lists the score cut-offs from the best
      tier down, or ``{group label: [...]}`` with ``group`` naming a column (region,
      industry) whose standards differ.
    - ``"mix"``: the same score, cut into quantile groups of relative sizes ``mix``
      (1:3:6 by default), within each ``group`` if given.
    - ``"value"``: Pareto grading by cumulative share of the ``value`` column at
      ``cutoffs`` (0.8, 0.95).

    Returns a DataFrame on ``df``'s index: ``tier`` (ordered categorical, best first),
    ``score``, and one ``<criterion>_contribution`` column per criterion (they add up to
    the score; for ``"value"`` the single ``value_contribution`` is the share of the total).

    >>> import funnelnet as fn, pandas as pd
    >>> df = pd.DataFrame({"credit": [9, 5, 1, 7], "distance": [1, 5, 9, 2]})
    >>> g = fn.customers.grade(df, criteria={"credit": 1, "distance": (1, "lower")},
    ...                        thresholds=[1.5, 0.8])
    >>> g["tier"].tolist()
    ['A', 'B', 'C', 'A']
    """
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    if mode not in ("score", "mix", "value"):
        raise InvalidArgumentError(f"mode must be 'score', 'mix' or 'value', got {mode!r}")
    if normalize not in _NORMALIZE:
        raise InvalidArgumentError(f"normalize must be one of {sorted(_NORMALIZE)}, got {normalize!r}")
    if mode == "value":
        if value is None:
            raise InvalidArgumentError("mode='value' needs value=<column>")
        require_columns(df, {"value": value})
        tier, score, contrib, cols, n_tiers = _c.grade_value(_f64(df[value].to_numpy(), value),
                                                            [float(c) for c in cutoffs])
    else:
        spec = _criteria_spec(criteria)
        for name, _, _ in spec:
            if name not in df.columns:
                raise UnknownLabelError(f"unknown criterion {name!r}: not a column "
                                        f"(columns: {', '.join(map(str, df.columns))})")
        names = [s[0] for s in spec]
        values = np.ascontiguousarray(df[names].to_numpy(dtype=np.float64))
        ids = np.arange(len(df), dtype=np.int64)
        cats = []
        labels: list[str] = []
        if group is not None:
            require_columns(df, {"group": group})
            codes, uniq = pd.factorize(df[group], sort=True)
            if (codes < 0).any():
                raise InvalidArgumentError(f"{group}: row {int(np.flatnonzero(codes < 0)[0])} is missing")
            labels = [str(u) for u in uniq]
            cats = [(group, codes.astype(np.int32).tolist(), labels)]
        if mode == "score":
            if thresholds is None:
                raise InvalidArgumentError("mode='score' needs thresholds (score cut-offs from the best tier down)")
            if isinstance(thresholds, Mapping):
                if group is None:
                    raise InvalidArgumentError("thresholds per group need group=<column>")
                missing = [lab for lab in labels if lab not in {str(k) for k in thresholds}]
                if missing:
                    raise UnknownLabelError(f"thresholds: no entry for {group} {missing[0]!r}")
                by = {str(k): v for k, v in thresholds.items()}
                th = np.array([by[lab] for lab in labels], dtype=np.float64)
            else:
                th = np.atleast_2d(np.asarray(thresholds, dtype=np.float64))
                if group is not None:
                    th = np.repeat(th, len(labels), axis=0)
            tier, score, contrib, cols, n_tiers = _c.grade_score(ids, names, values, cats, spec,
                                                                np.ascontiguousarray(th), group or "",
                                                                _NORMALIZE[normalize])
        else:
            tier, score, contrib, cols, n_tiers = _c.grade_mix(ids, names, values, cats, spec,
                                                              [float(m) for m in mix], group or "",
                                                              _NORMALIZE[normalize])
    if tiers is None:
        tiers = [chr(ord("A") + k) for k in range(n_tiers)] if n_tiers <= 26 else [str(k) for k in range(n_tiers)]
    tiers = [str(t) for t in tiers]
    if len(tiers) != n_tiers:
        raise ShapeError(f"{len(tiers)} tier names given for {n_tiers} tiers")
    out = pd.DataFrame(index=df.index)
    out["tier"] = pd.Categorical.from_codes(np.asarray(tier), categories=tiers, ordered=False)
    out["tier"] = out["tier"].cat.as_ordered()
    out["score"] = np.asarray(score)
    contrib = np.asarray(contrib)
    for j, c in enumerate(cols):
        out[f"{c}_contribution"] = contrib[:, j]
    return out


# ------------------------------------------------------------------ tier migration
def markov_clv(p: Any, rewards: Any, discount: float, horizon: int | None = None) -> np.ndarray:
    """Markov lifetime value (Pfeifer and Carraway 2000): with ``horizon`` periods,
    sum_{t<horizon} (P/(1+d))^t R; without, (I - P/(1+d))^-1 R (needs d > 0).

    >>> import numpy as np, funnelnet as fn
    >>> P = np.array([[.5, .5, 0, 0], [.2, 0, .8, 0], [.1, 0, 0, .9], [0, 0, 0, 1]])
    >>> fn.customers.markov_clv(P, [100, 0, 0, 0], 0.1).round(2)
    array([231.08,  57.29,  21.01,   0.  ])
    """
    P = np.ascontiguousarray(np.asarray(p, dtype=np.float64))
    if P.ndim != 2:
        raise ShapeError(f"P must be 2-dimensional, got shape {P.shape}")
    r = np.ascontiguousarray(np.asarray(rewards, dtype=np.float64))
    return np.asarray(_c.markov_clv(P, r, float(discount), -1 if horizon is None else int(horizon)))


class TierMigration:
    """Tier-migration chain fitted from periodic tier snapshots.

    Build with :meth:`fit`.  Tiers are ordered best first (e.g. A, B, C, prospect, lost);
    ``lost`` names the churn tiers.  Customers who enter late only contribute the
    periods they were observed in.
    """

    def __init__(self) -> None:
        raise InputTypeError("use TierMigration.fit(snapshots, ...)")

    @classmethod
    def fit(cls, snapshots: pd.DataFrame, *, customer: str = "customer", period: str = "period",
            tier: str = "tier", tiers: Sequence[str] | None = None, lost: Sequence[str] = ("lost",),
            absorbing: Sequence[str] = (), segment: str | None = None, gaps: str = "error",
            smoothing: float = 0.0, periods_per_year: int = 12) -> "TierMigration":
        """Count moves between consecutive periods and fit the chain (per segment if
        ``segment`` names a column; a move counts in the segment of its origin).

        ``period`` holds integer periods (e.g. month numbers) or datetimes (taken as
        calendar months).  A missing period between two snapshots of a customer raises
        InvalidArgumentError naming them unless ``gaps='skip'``.  ``tiers`` defaults to
        the sorted tier labels; tiers with no observed exits stay put.
        """
        require_columns(snapshots, {"customer": customer, "period": period, "tier": tier, "segment": segment})
        if gaps not in ("error", "skip"):
            raise InvalidArgumentError(f"gaps must be 'error' or 'skip', got {gaps!r}")
        if tiers is None:
            tiers = sorted(map(str, pd.unique(snapshots[tier])))
        tiers = [str(t) for t in tiers]
        from ._convert import encode_labels

        codes = encode_labels(snapshots[tier].astype(str), tiers, tier)
        per = snapshots[period]
        if pd.api.types.is_datetime64_any_dtype(per.dtype):
            per_i = (per.dt.year.to_numpy() * 12 + per.dt.month.to_numpy() - 1).astype(np.int64)
        elif isinstance(per.dtype, pd.PeriodDtype):
            per_i = per.array.asi8.astype(np.int64)
        else:
            per_i = as_array(per.to_numpy(), np.int64, period)
        seg_labels = ["all"]
        seg = np.empty(0, dtype=np.int32)
        if segment is not None:
            sc, su = pd.factorize(snapshots[segment], sort=True)
            if (sc < 0).any():
                raise InvalidArgumentError(f"{segment}: row {int(np.flatnonzero(sc < 0)[0])} is missing")
            seg, seg_labels = sc.astype(np.int32), [str(u) for u in su]
        for name in list(lost) + list(absorbing):
            if name not in tiers:
                raise UnknownLabelError(f"tier {name!r} is not one of the tiers ({', '.join(tiers)})")
        counts, chains, n_cust, n_late, first, last = _c.fit_tier_migration(
            tiers, [t in set(absorbing) for t in tiers], ids_as_int64(snapshots[customer], customer),
            np.ascontiguousarray(per_i), codes, seg, len(seg_labels), 0 if gaps == "error" else 1,
            float(smoothing), 1)
        self = object.__new__(cls)
        self.tiers = tiers
        self.lost = [str(x) for x in lost]
        self.segments = seg_labels
        self.periods_per_year = int(periods_per_year)
        self._counts = [np.asarray(c) for c in counts]
        self._chains = [np.asarray(c) for c in chains]
        self.customers_ = pd.Series(n_cust, index=seg_labels, name="customers")
        self.late_entrants_ = pd.Series(n_late, index=seg_labels, name="late_entrants")
        self.first_period_, self.last_period_ = int(first), int(last)
        self._snap = (snapshots[[customer, tier]].assign(_period=per_i), customer, tier)
        return self

    def _seg(self, segment: str | None) -> int:
        if segment is None:
            if len(self.segments) > 1:
                raise InvalidArgumentError(f"choose a segment: one of {', '.join(self.segments)}")
            return 0
        if str(segment) not in self.segments:
            raise UnknownLabelError(f"unknown segment {segment!r} (known: {', '.join(self.segments)})")
        return self.segments.index(str(segment))

    def counts(self, segment: str | None = None) -> pd.DataFrame:
        """Observed moves from tier (rows) to tier (columns)."""
        return pd.DataFrame(self._counts[self._seg(segment)], index=self.tiers, columns=self.tiers)

    def matrix(self, segment: str | None = None) -> pd.DataFrame:
        """Fitted one-period transition probabilities."""
        return pd.DataFrame(self._chains[self._seg(segment)], index=self.tiers, columns=self.tiers)

    def _churn_idx(self) -> list[int]:
        return [self.tiers.index(t) for t in self.lost]

    def rates(self, segment: str | None = None) -> pd.DataFrame:
        """Per tier: promotion (to better tiers), demotion (to worse, not lost), stay,
        churn (to a lost tier) per period, and churn within a year."""
        P = self._chains[self._seg(segment)]
        promo, demo, stay, churn = _c.tier_rates(P, self._churn_idx())
        yearly = _c.churn_within(P, self._churn_idx(), self.periods_per_year)
        return pd.DataFrame({"promotion": promo, "demotion": demo, "stay": stay, "churn": churn,
                             "churn_per_year": yearly}, index=self.tiers)

    def mix_ahead(self, mix: Any, k: int, segment: str | None = None) -> pd.Series:
        """Expected tier mix ``k`` periods ahead from ``mix`` (Series by tier or array)."""
        m = pd.Series(mix).reindex(self.tiers).fillna(0.0).to_numpy() if isinstance(mix, (pd.Series, dict)) \
            else np.asarray(mix, dtype=np.float64)
        return pd.Series(_c.mix_ahead(self._chains[self._seg(segment)], np.ascontiguousarray(m, dtype=np.float64),
                                      int(k)), index=self.tiers)

    def clv(self, rewards: Any, discount: float, horizon: int | None = None,
            segment: str | None = None) -> pd.Series:
        """Markov lifetime value per tier for ``rewards`` per tier and period (see markov_clv)."""
        r = pd.Series(rewards).reindex(self.tiers).to_numpy() if isinstance(rewards, (pd.Series, dict)) else rewards
        return pd.Series(markov_clv(self._chains[self._seg(segment)], r, discount, horizon), index=self.tiers)

    def flag_idle(self, orders: pd.DataFrame, n_periods: int, *, tier: str | None = None,
                  customer: str = "customer", period: str = "period") -> pd.Index:
        """Customers whose tier in the last snapshot period is ``tier`` (default: the best)
        and who have no order in the last ``n_periods`` periods up to it."""
        snap, ccol, tcol = self._snap
        tier = self.tiers[0] if tier is None else str(tier)
        now = snap[snap["_period"] == self.last_period_]
        members = pd.Index(now.loc[now[tcol].astype(str) == tier, ccol].unique())
        require_columns(orders, {"customer": customer, "period": period})
        recent = orders.loc[(orders[period] > self.last_period_ - n_periods) & (orders[period] <= self.last_period_),
                            customer]
        return members.difference(pd.Index(recent.unique()))

    def flag_overdue(self, max_periods: int) -> pd.Index:
        """Customers in the last snapshot period whose tier has not changed for more than
        ``max_periods`` periods (overdue for re-grading)."""
        snap, ccol, tcol = self._snap
        s = snap.sort_values([ccol, "_period"])
        changed = s[tcol].ne(s.groupby(ccol)[tcol].shift())
        last_change = s.loc[changed].groupby(ccol)["_period"].max()
        current = s.loc[s["_period"] == self.last_period_, ccol].unique()
        lc = last_change.reindex(current)
        return pd.Index(lc.index[(self.last_period_ - lc.to_numpy()) > max_periods])
