"""Tier migration: a Markov chain of customer tiers from periodic snapshots, its rates,
mix forecasts and Markov lifetime value."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self, Sequence, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.checks import check_int
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.estimator import fit_method
from .._common.convert import as_array, encode_labels, ids_as_int64, require_columns
from .._common.messages import user_terms
from .._common.time import Timezone, period_index, times_as_ns
from ..errors import InputTypeError, InvalidArgumentError, ShapeError, UnknownLabelError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TierMigration", "markov_clv"]

_c = _core.customers

#: Datetime months are numbered from year 0: year * 12 + month - 1.
_MONTH_CODE_OFFSET = 1970 * 12

# SnapshotGaps codes
_GAPS = {"error": 0, "skip": 1}
#: ``gaps=`` values (keys of _GAPS).
Gaps = Literal["error", "skip"]


def _month_codes(values: Any, name: str, timezone: str) -> np.ndarray:
    """Calendar month codes (year * 12 + month - 1) of datetimes, by the package's time rule."""
    return np.ascontiguousarray(period_index(times_as_ns(values, name, timezone), "month") + _MONTH_CODE_OFFSET)


def markov_clv(p: Any, rewards: Any, discount: float, horizon: int | None = None) -> np.ndarray:
    """Markov lifetime value (Pfeifer and Carraway 2000): with ``horizon`` periods,
    sum_{t<horizon} (P/(1+d))^t R; without, (I - P/(1+d))^-1 R (needs d > 0).

    Parameters
    ----------
    p : array-like, shape (n, n)
        One-period transition matrix between tiers (rows sum to 1).
    rewards : array-like, shape (n,)
        Reward (margin) per period of a customer in each tier, received at the start
        of the period.
    discount : float
        Discount rate per period d (> 0 without ``horizon``).
    horizon : int, optional
        Number of periods counted (the current one included); default: infinite.

    Returns
    -------
    ndarray, shape (n,)
        Expected discounted value of a customer starting in each tier.

    Raises
    ------
    ShapeError
        ``p`` is not a square matrix, or ``rewards`` does not match it.
    InvalidArgumentError
        Rows of ``p`` not summing to 1, or ``discount <= 0`` without ``horizon``.

    Examples
    --------
    >>> import numpy as np, funnelnet as fn
    >>> P = np.array([[.5, .5, 0, 0], [.2, 0, .8, 0], [.1, 0, 0, .9], [0, 0, 0, 1]])
    >>> fn.customers.markov_clv(P, [100, 0, 0, 0], 0.1).round(2)
    array([231.08,  57.29,  21.01,   0.  ])

    Over two periods the value is R + P R / (1 + d), e.g. 100 + 0.5 * 100 / 1.1:

    >>> fn.customers.markov_clv(P, [100, 0, 0, 0], 0.1, horizon=2).round(2)
    array([145.45,  18.18,   9.09,   0.  ])
    """
    P = np.ascontiguousarray(np.asarray(p, dtype=np.float64))
    if P.ndim != 2:
        raise ShapeError(f"P must be 2-dimensional, got shape {P.shape}")
    r = np.ascontiguousarray(np.asarray(rewards, dtype=np.float64))
    return np.asarray(_c.markov_clv(P, r, float(discount), -1 if horizon is None else check_int("horizon", horizon)))


def _legacy_fit(cls: type, snapshots: pd.DataFrame, *, customer: str = "customer", period: str = "period",
                tier: str = "tier", tiers: Sequence[str] | None = None, lost: Sequence[str] | None = None,
                absorbing: Sequence[str] = (), segment: str | None = None, gaps: str = "error",
                smoothing: float = 0.0, periods_per_year: int = 12, timezone: str = "utc") -> "TierMigration":
    """0.1's ``TierMigration.fit(snapshots, ...)`` class method (deprecated)."""
    model = cls(tiers=tiers, lost=lost, absorbing=absorbing, gaps=gaps, smoothing=smoothing,
                periods_per_year=periods_per_year, timezone=timezone).fit(
        snapshots, customer=customer, period=period, tier=tier, segment=segment)
    model.tiers = list(model.tiers_)  # 0.1 code reads the tiers used from ``tiers``
    return cast("TierMigration", model)


class TierMigration:
    """Tier-migration chain fitted from periodic tier snapshots (a scikit-learn style
    estimator: settings here, data in :meth:`fit`, fitted attributes end in ``_``).

    Parameters
    ----------
    tiers : sequence of str, optional
        The tiers, best first (e.g. A, B, C, prospect, lost); default: the sorted tier
        labels seen at fit (``tiers_`` holds the order used).
    lost : sequence of str, optional
        The churn tiers.  Default: the tier called ``"lost"`` if there is one, else no
        churn tier (``lost_`` holds the tiers used); a named tier that is not among the
        tiers raises UnknownLabelError.
    absorbing : sequence of str
        Tiers that are never left.
    gaps : {"error", "skip"}
        A missing period between two snapshots of a customer raises
        InvalidArgumentError naming them unless ``gaps='skip'``.
    smoothing : float
        Pseudo-count added to every observed row.
    periods_per_year : int
        For ``churn_per_year`` in :meth:`rates`.
    timezone : {"utc", "local"}
        How datetime periods are read (the package's time rule; ``"local"`` reads aware
        times at their wall-clock time, the 0.1 behaviour).

    Notes
    -----
    Customers who enter late only contribute the periods they were observed in.
    ``TierMigration.fit(snapshots, ...)`` called on the class (0.1) still works, with a
    DeprecationWarning.
    """

    def __init__(self, *, tiers: Sequence[str] | None = None, lost: Sequence[str] | None = None,
                 absorbing: Sequence[str] = (), gaps: Gaps = _default_choice("TierMigrationOptions", "gaps", _GAPS),
                 smoothing: float = _default("TierMigrationOptions", "smoothing"),
                 periods_per_year: int = 12, timezone: Timezone = "utc") -> None:
        if gaps not in ("error", "skip"):
            raise InvalidArgumentError(f"gaps must be 'error' or 'skip', got {gaps!r}")
        self.tiers = None if tiers is None else [str(t) for t in tiers]
        self.lost = None if lost is None else [str(x) for x in lost]
        self.absorbing = [str(x) for x in absorbing]
        self.gaps = gaps
        self.smoothing = float(smoothing)
        self.periods_per_year = check_int("periods_per_year", periods_per_year, lo=1)
        self.timezone = timezone
        self._chains: list[np.ndarray] | None = None

    @fit_method(_legacy_fit, "TierMigration(tiers=..., lost=...).fit(snapshots, customer=..., period=..., tier=...)")
    def fit(self, snapshots: pd.DataFrame, *, customer: str = "customer", period: str = "period",
            tier: str = "tier", segment: str | None = None) -> Self:
        """Count moves between consecutive periods and fit the chain (per segment if
        ``segment`` names a column; a move counts in the segment of its origin).

        Returns the model.  ``period`` holds integer periods (e.g. month numbers) or datetimes (taken as
        calendar months by the package's time rule: aware times in UTC, naive taken as
        UTC; ``timezone="local"`` reads aware times at their wall-clock time, the 0.1
        behaviour).  Datetime months are numbered year * 12 + month - 1
        (``first_period_``, ``last_period_``).  A missing period between two snapshots of a customer raises
        InvalidArgumentError naming them unless ``gaps='skip'``.  Tiers with no
        observed exits stay put.

        Parameters
        ----------
        snapshots : DataFrame
            One row per customer and period with the customer's tier, in any order.
        customer, period, tier : str
            Columns of the customer id, the period (integers or datetimes) and the tier.
        segment : str, optional
            Column of a segment (region, industry): one chain per segment.

        Returns
        -------
        TierMigration
            ``self``, fitted: ``tiers_``, ``lost_``, ``segments_``, ``customers_``,
            ``late_entrants_``, ``first_period_``, ``last_period_``.

        Raises
        ------
        InvalidArgumentError
            A gap between snapshots (``gaps="error"``), a duplicated tier, or a missing
            segment value (the message names the customer and periods).
        UnknownLabelError
            A tier not in ``tiers``, or a ``lost`` / ``absorbing`` tier that is not a tier.

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.lost_, tm.customers_.tolist()
        (['lost'], [4])
        """
        require_columns(snapshots, {"customer": customer, "period": period, "tier": tier, "segment": segment})
        gaps, smoothing, timezone, absorbing, lost = self.gaps, self.smoothing, self.timezone, self.absorbing, self.lost
        tiers = self.tiers
        if tiers is None:
            tiers = sorted(map(str, pd.unique(snapshots[tier])))
        tiers = [str(t) for t in tiers]
        dup = pd.Index(tiers)[pd.Index(tiers).duplicated()]
        if len(dup):
            raise InvalidArgumentError(f"tiers: {dup[0]!r} is listed more than once; tier names must be unique")
        codes = encode_labels(snapshots[tier].astype(str), tiers, tier)
        per = snapshots[period]
        if pd.api.types.is_datetime64_any_dtype(per.dtype):
            per_i = _month_codes(per, period, timezone)
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
        lost = [t for t in ("lost",) if t in tiers] if lost is None else lost
        for name in list(lost) + list(absorbing):
            if name not in tiers:
                raise UnknownLabelError(f"tier {name!r} is not one of the tiers ({', '.join(tiers)})")
        dated = bool(pd.api.types.is_datetime64_any_dtype(per.dtype))
        with user_terms(ids=snapshots[customer], entity="customer", times="month_code" if dated else None,
                        words=("in period", "between periods")):
            counts, chains, n_cust, n_late, first, last = _c.fit_tier_migration(
                tiers, [t in set(absorbing) for t in tiers], ids_as_int64(snapshots[customer], customer),
                np.ascontiguousarray(per_i), codes, seg, len(seg_labels), _GAPS[gaps],
                float(smoothing), 1)
        self.tiers_ = tiers
        self.lost_ = list(lost)
        self._dated = dated
        self.segments_ = seg_labels
        self._counts: list[np.ndarray] = [np.asarray(c) for c in counts]
        self._chains = [np.asarray(c) for c in chains]
        self.customers_ = pd.Series(n_cust, index=seg_labels, name="customers")
        self.late_entrants_ = pd.Series(n_late, index=seg_labels, name="late_entrants")
        self.first_period_, self.last_period_ = int(first), int(last)
        self._snap = (snapshots[[customer, tier]].assign(_period=per_i), customer, tier)
        return self

    def plot(self, segment: str | None = None, *, ax: Any = None, **kw: Any) -> "Axes":
        """Draw the migration matrix as a heatmap: :func:`funnelnet.plot.tier_migration`.

        Parameters
        ----------
        segment : str, optional
            The segment's matrix (default: the pooled one).
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        **kw
            Passed to the chart function.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (``ax``, or a new figure's).
        """
        from ..plot import tier_migration

        return tier_migration(self, segment, ax=ax, **kw)

    def _repr_html_(self) -> str:
        from .._common.display import html_block, matrix_corner

        if self._chains is None:
            return html_block("TierMigration", {"fitted": False}, note="call fit(snapshots, ...)")
        tiers = list(self.tiers_)
        return html_block("TierMigration", {"tiers": len(tiers), "segments": len(self.segments_),
                                            "customers": int(self.customers_.sum()),
                                            "churn tiers": ", ".join(self.lost_) or "none"},
                          matrix_corner(self._chains[0], tiers),
                          note="" if len(self.segments_) == 1 else f"segment {self.segments_[0]!r} shown")

    def __repr__(self) -> str:
        if self._chains is None:
            return f"TierMigration(tiers={self.tiers!r}, lost={self.lost!r})"
        # the multinomial log-likelihood of the counted moves at the fitted (closed-form) chains
        ll = 0.0
        for c, p in zip(self._counts, self._chains):
            m = c > 0
            ll += float(np.sum(c[m] * np.log(p[m])))
        return (f"TierMigration(tiers={self.tiers_!r}, segments={self.segments_!r}; "
                f"n={int(self.customers_.sum())}, periods {self.first_period_}..{self.last_period_}, "
                f"closed form (no iterations), log_likelihood={ll:.6g})")

    @property
    def segments(self) -> list[str]:
        """Same as ``segments_`` (0.1's name): the segment labels (``["all"]`` without segments)."""
        return cast("list[str]", self._fitted_attr("segments_"))

    def _fitted_attr(self, name: str) -> Any:
        if self._chains is None:
            raise InvalidArgumentError("TierMigration is not fitted: call fit()")
        return getattr(self, name)

    def _chain(self, segment: str | None) -> np.ndarray:
        """The fitted transition matrix of one segment."""
        i = self._seg(segment)
        assert self._chains is not None  # _seg checked that the model is fitted
        return self._chains[i]

    def _seg(self, segment: str | None) -> int:
        self._fitted_attr("segments_")
        if segment is None:
            if len(self.segments_) > 1:
                raise InvalidArgumentError(f"choose a segment: one of {', '.join(self.segments_)}")
            return 0
        if str(segment) not in self.segments_:
            raise UnknownLabelError(f"unknown segment {segment!r} (known: {', '.join(self.segments_)})")
        return self.segments_.index(str(segment))

    def counts(self, segment: str | None = None) -> pd.DataFrame:
        """Observed moves from tier (rows) to tier (columns).

        Parameters
        ----------
        segment : str, optional
            The segment (needed when the model was fitted per segment).

        Returns
        -------
        DataFrame
            Tiers by tiers: the number of customer-period moves from the row tier to the
            column tier (staying counts on the diagonal), before smoothing.

        Raises
        ------
        InvalidArgumentError
            Not fitted, or fitted per segment and no ``segment`` given.
        UnknownLabelError
            An unknown segment.

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.counts()
                A    B  lost
        A     3.0  1.0   0.0
        B     1.0  2.0   1.0
        lost  0.0  0.0   0.0
        """
        return pd.DataFrame(self._counts[self._seg(segment)], index=self.tiers_, columns=self.tiers_)

    def matrix(self, segment: str | None = None) -> pd.DataFrame:
        """Fitted one-period transition probabilities.

        Parameters
        ----------
        segment : str, optional
            The segment (needed when the model was fitted per segment).

        Returns
        -------
        DataFrame
            Tiers by tiers, rows summing to 1: the counts (plus ``smoothing``) divided by
            their row totals; tiers without exits (and absorbing tiers) stay put.

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.matrix()
                 A     B  lost
        A     0.75  0.25  0.00
        B     0.25  0.50  0.25
        lost  0.00  0.00  1.00
        """
        return pd.DataFrame(self._chain(segment), index=self.tiers_, columns=self.tiers_)

    def _churn_idx(self) -> list[int]:
        lost = getattr(self, "lost_", None)
        lost = (self.lost or []) if lost is None else lost
        return [self.tiers_.index(t) for t in lost]

    def rates(self, segment: str | None = None) -> pd.DataFrame:
        """Per tier: promotion (to better tiers), demotion (to worse, not lost), stay,
        churn (to a lost tier) per period, and churn within a year.

        Parameters
        ----------
        segment : str, optional
            The segment (needed when the model was fitted per segment).

        Returns
        -------
        DataFrame
            Indexed by tier: promotion, demotion, stay and churn (probabilities per
            period, summing to 1 per tier) and churn_per_year (P(reaching a lost tier
            within ``periods_per_year`` periods); 0 without a lost tier).

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.rates().round(3)
              promotion  demotion  stay  churn  churn_per_year
        A          0.00      0.25  0.75   0.00           0.649
        B          0.25      0.00  0.50   0.25           0.783
        lost       0.00      0.00  0.00   1.00           1.000
        """
        P = self._chain(segment)
        lost = self._churn_idx()
        promo, demo, stay, churn = _c.tier_rates(P, lost)
        # without a churn tier nobody churns: churn_per_year is 0
        yearly = _c.churn_within(P, lost, self.periods_per_year) if lost else np.zeros(len(self.tiers_))
        return pd.DataFrame({"promotion": promo, "demotion": demo, "stay": stay, "churn": churn,
                             "churn_per_year": yearly}, index=self.tiers_)

    def mix_ahead(self, mix: Any, k: int, segment: str | None = None) -> pd.Series:
        """Expected tier mix ``k`` periods ahead from ``mix`` (Series by tier or array).

        Parameters
        ----------
        mix : Series, dict or array-like
            Customers (or shares) per tier now: a Series or dict by tier name (missing
            tiers count 0) or an array in ``tiers_`` order.
        k : int
            Periods ahead (>= 0).
        segment : str, optional
            The segment (needed when the model was fitted per segment).

        Returns
        -------
        Series
            Expected customers per tier after ``k`` periods (mix times P^k), in the
            units of ``mix``.

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.mix_ahead({"A": 50, "B": 50}, 2).round(2)
        A       46.88
        B       31.25
        lost    21.88
        dtype: float64
        """
        m = pd.Series(mix).reindex(self.tiers_).fillna(0.0).to_numpy() if isinstance(mix, (pd.Series, dict)) \
            else np.asarray(mix, dtype=np.float64)
        return pd.Series(_c.mix_ahead(self._chain(segment), np.ascontiguousarray(m, dtype=np.float64),
                                      int(k)), index=self.tiers_)

    def clv(self, rewards: Any, discount: float, horizon: int | None = None,
            segment: str | None = None) -> pd.Series:
        """Markov lifetime value per tier for ``rewards`` per tier and period (see markov_clv).

        Parameters
        ----------
        rewards : Series, dict or array-like
            Margin per period of a customer in each tier (by tier name, or in
            ``tiers_`` order).
        discount : float
            Discount rate per period (> 0 without ``horizon``).
        horizon : int, optional
            Periods counted; default infinite.
        segment : str, optional
            The segment (needed when the model was fitted per segment).

        Returns
        -------
        Series
            Expected discounted value of a customer starting in each tier.

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.clv({"A": 100, "B": 40, "lost": 0}, 0.1, horizon=2).round(2)
        A       177.27
        B        80.91
        lost      0.00
        dtype: float64
        """
        r = pd.Series(rewards).reindex(self.tiers_).to_numpy() if isinstance(rewards, (pd.Series, dict)) else rewards
        return pd.Series(markov_clv(self._chain(segment), r, discount, horizon), index=self.tiers_)

    def flag_idle(self, orders: pd.DataFrame, n_periods: int, *, tier: str | None = None,
                  customer: str = "customer", period: str = "period") -> pd.Index:
        """Customers whose tier in the last snapshot period is ``tier`` (default: the best)
        and who have no order in the last ``n_periods`` periods up to it.  The orders'
        ``period`` column holds periods numbered as the snapshots' or datetimes (read as
        calendar months, as in :meth:`fit`).

        Parameters
        ----------
        orders : DataFrame
            One row per order, with the customer and the order's period.
        n_periods : int
            Look-back window: orders in periods (last - n_periods, last] count.
        tier : str, optional
            The tier watched (default: the best, ``tiers_[0]``).
        customer, period : str
            Columns of ``orders``.

        Returns
        -------
        Index
            The customer ids to call.

        Raises
        ------
        InputTypeError
            Dated orders against snapshots numbered as plain integers.

        Examples
        --------
        Customers 1 and 4 are in tier A at period 3; only customer 1 ordered in periods
        2-3:

        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> orders = pd.DataFrame({"customer": [1, 4], "period": [3, 1]})
        >>> tm.flag_idle(orders, 2).tolist()
        [4]
        """
        snap, ccol, tcol = self._snap
        tier = self.tiers_[0] if tier is None else str(tier)
        now = snap[snap["_period"] == self.last_period_]
        members = pd.Index(now.loc[now[tcol].astype(str) == tier, ccol].unique())
        require_columns(orders, {"customer": customer, "period": period})
        op = orders[period]
        if pd.api.types.is_datetime64_any_dtype(op.dtype):
            if not getattr(self, "_dated", True):
                raise InputTypeError(f"orders' {period!r} holds dates but the snapshots' periods were numbers "
                                     f"(last period {self.last_period_}): give the orders' periods in the same numbering")
            op = pd.Series(_month_codes(op, period, self.timezone), index=orders.index)
        recent = orders.loc[(op > self.last_period_ - n_periods) & (op <= self.last_period_), customer]
        return cast("pd.Index", members.difference(pd.Index(recent.unique())))

    def flag_overdue(self, max_periods: int) -> pd.Index:
        """Customers in the last snapshot period whose tier has not changed for more than
        ``max_periods`` periods (overdue for re-grading).

        Parameters
        ----------
        max_periods : int
            Periods a tier may stay unchanged.

        Returns
        -------
        Index
            The customer ids whose last tier change (or first snapshot) is more than
            ``max_periods`` periods before the last snapshot period.

        Examples
        --------
        >>> import funnelnet as fn, pandas as pd
        >>> snap = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], "period": [1, 2, 3] * 4,
        ...                      "tier": ["A", "A", "A", "A", "B", "B", "B", "B", "lost", "B", "A", "A"]})
        >>> tm = fn.customers.TierMigration(tiers=["A", "B", "lost"], absorbing=["lost"]).fit(snap)
        >>> tm.flag_overdue(1).tolist()
        [1]
        """
        snap, ccol, tcol = self._snap
        s = snap.sort_values([ccol, "_period"])
        changed = s[tcol].ne(s.groupby(ccol)[tcol].shift())
        last_change = s.loc[changed].groupby(ccol)["_period"].max()
        current = s.loc[s["_period"] == self.last_period_, ccol].unique()
        lc = last_change.reindex(current)
        return cast("pd.Index", pd.Index(lc.index[(self.last_period_ - lc.to_numpy()) > max_periods]))
