"""The exact distribution of what an open pipeline brings: the number of won deals and
the won revenue, as the sum of independent per-opportunity outcomes.

The count of wins among deals won independently with probabilities ``p`` is
Poisson-binomial; its pmf is computed exactly by divide-and-conquer convolution (exact
blocks of 64 deals, direct products for short polynomials and a radix-2 FFT above a
crossover, entries below the FFT's round-off, 1e-15 of the peak, set to zero; never a
negative probability, mass 1 to 1e-12).  Revenue is the same product with deal ``i``
contributing ``round(amount[i] / grid)`` cells: exact when every amount is a multiple of
the grid (chosen automatically when the amounts share one and it is not too fine), otherwise each amount is
rounded to the grid, an error of at most ``grid / 2`` per deal.

>>> import funnelnet as fn
>>> d = fn.pipeline.won_distribution([0.9, 0.5, 0.2])
>>> d.pmf.round(3).tolist()
[0.04, 0.41, 0.46, 0.09]
>>> round(d.mean, 3), d.quantiles([0.1, 0.5, 0.9]).tolist()
(1.6, [1.0, 2.0, 2.0])
>>> r = fn.pipeline.won_distribution([0.9, 0.5, 0.2], amounts=[1000, 2500, 4000])
>>> r.resolution, round(r.prob_at_least(3500), 3)
(500.0, 0.56)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import as_array
from .._common.results import Result, result
from ..errors import InvalidArgumentError, ShapeError

__all__ = ["WonDistribution", "won_distribution"]

@result
class WonDistribution(Result):
    """A distribution on the lattice ``offset + k * resolution``: the won count (``unit
    = "deals"``, resolution 1) or the won revenue (``unit = "amount"``).

    Attributes
    ----------
    pmf : ndarray
        P(X = support[k]).
    resolution : float
        Spacing of the support (the revenue grid's cell).
    offset : float
        The first support point.
    mean : float
        E[X] on the grid.
    unit : str
        ``"deals"`` or ``"amount"``.
    """

    pmf: np.ndarray
    resolution: float
    offset: float
    mean: float
    unit: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_core", _core.pipeline.LatticeDistribution(
            np.ascontiguousarray(self.pmf, dtype=np.float64), float(self.resolution), float(self.offset)))

    @classmethod
    def _wrap(cls, core: Any, unit: str) -> "WonDistribution":
        d = cls(pmf=np.asarray(core.pmf), resolution=float(core.resolution), offset=float(core.offset),
                mean=float(core.mean()), unit=unit)
        return d

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.fields()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self.__post_init__()

    def _lattice(self) -> Any:
        """The C++ LatticeDistribution that answers the queries (set in __post_init__)."""
        return getattr(self, "_core")

    @property
    def support(self) -> np.ndarray:
        """The values the pmf is on: ``offset + resolution * arange(len(pmf))``."""
        return self.offset + self.resolution * np.arange(len(self.pmf), dtype=np.float64)

    @property
    def std(self) -> float:
        """Standard deviation."""
        return float(np.sqrt(self._lattice().variance()))

    def quantiles(self, q: Sequence[float] | float = (0.1, 0.5, 0.9)) -> pd.Series:
        """The smallest support value x with P(X <= x) >= q, for each q in [0, 1].

        Parameters
        ----------
        q : float or sequence of float
            Probability levels in [0, 1] (default P10, P50, P90).

        Returns
        -------
        Series
            The quantile of each level, indexed by ``q``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> fn.pipeline.won_distribution([0.5, 0.5]).quantiles([0.25, 0.75]).tolist()
        [0.0, 1.0]
        """
        qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
        v = np.asarray(self._lattice().quantiles(np.ascontiguousarray(qs)))
        return pd.Series(v, index=pd.Index(qs, name="q"), name="value")

    def prob_at_least(self, target: float) -> float:
        """P(X >= target), e.g. the chance of meeting a revenue target.

        Parameters
        ----------
        target : float
            The target (>= 0; a negative or NaN one raises InvalidArgumentError).

        Returns
        -------
        float

        Examples
        --------
        >>> import funnelnet as fn
        >>> fn.pipeline.won_distribution([0.5, 0.5]).prob_at_least(1)
        0.75
        """
        return float(self._lattice().prob_at_least(float(target)))

    def expected_shortfall(self, target: float) -> float:
        """E[max(target - X, 0)]: how far below the target the pipeline falls on average.

        Parameters
        ----------
        target : float
            The target (>= 0; a negative or NaN one raises InvalidArgumentError).

        Returns
        -------
        float

        Examples
        --------
        >>> import funnelnet as fn
        >>> fn.pipeline.won_distribution([0.5, 0.5]).expected_shortfall(2)
        1.0
        """
        return float(self._lattice().expected_shortfall(float(target)))

    def _table(self) -> pd.DataFrame:
        pmf = np.asarray(self.pmf)
        sf = np.cumsum(pmf[::-1])[::-1]
        return pd.DataFrame({"pmf": pmf, "cdf": np.cumsum(pmf), "prob_at_least": np.minimum(sf, 1.0)},
                            index=pd.Index(self.support, name="value"))

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of the pmf with the P10, P50 and P90 marked (matplotlib imported
        here).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        ax.bar(self.support, self.pmf, width=self.resolution, color="C0", alpha=0.7)
        for q, v in self.quantiles([0.1, 0.5, 0.9]).items():
            ax.axvline(v, color="C1", ls="--" if q != 0.5 else "-", lw=1)
        ax.set_xlabel("won deals" if self.unit == "deals" else "won revenue")
        ax.set_ylabel("probability")
        return ax


def choose_grid(amounts: np.ndarray, p: np.ndarray | None = None) -> float:
    """The automatic revenue grid: the largest resolution on which every amount is exact
    when that needs at most 2^20 cells in all; otherwise the smaller of the smallest
    positive amount and 1/64 of the revenue's standard deviation, amounts rounded to
    it (so no positive amount rounds to zero)."""
    g = float(_core.pipeline.exact_grid(amounts, 1 << 20))
    if g > 0:
        return g
    total = float(amounts.sum())
    if total <= 0:
        return 1.0
    pos = amounts[amounts > 0]
    sd = float(np.sqrt(np.sum(p * (1 - p) * amounts**2))) if p is not None else total
    res = min(float(pos.min()), sd / 64) if sd > 0 else float(pos.min())
    return res


def won_distribution(probabilities: Any, amounts: Any = None, grid: float | None = None, *,
                     threads: int = 0) -> WonDistribution:
    """The exact distribution of the number of won deals, or of the won revenue when
    ``amounts`` are given, for deals won independently.

    Parameters
    ----------
    probabilities : array-like of float
        P(won) of each deal, in [0, 1].
    amounts : array-like of float, optional
        Deal amounts (finite, >= 0).  Without them the result is the won count.
    grid : float, optional
        Revenue resolution: amounts are rounded to multiples of it (at most grid / 2 off
        per deal).  A positive amount that rounds to zero cells raises
        InvalidArgumentError naming the deal ("grid too coarse").  Default: exact when
        the amounts share a divisor needing at most 2^20 cells in all, else the smaller
        of the smallest positive amount and 1/64 of the revenue's standard deviation.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small
        inputs, more only when each has enough work to gain from it, never more than
        the usable cores); a positive number is an upper bound.  The result is the
        same at any thread count.

    Returns
    -------
    WonDistribution

    Examples
    --------
    >>> import funnelnet as fn
    >>> d = fn.pipeline.won_distribution([0.9, 0.5, 0.2], amounts=[1000, 2500, 4000], grid=500)
    >>> d.to_frame().head(3)
             pmf   cdf  prob_at_least
    value                            
    0.0     0.04  0.04           1.00
    500.0   0.00  0.04           0.96
    1000.0  0.36  0.40           0.96
    """
    p = np.ascontiguousarray(as_array(probabilities, np.float64, "probabilities"))
    if amounts is None:
        if grid is not None:
            raise InvalidArgumentError("grid is for revenue: pass amounts too")
        return WonDistribution._wrap(_core.pipeline.count_distribution(p, int(threads)), "deals")
    a = np.ascontiguousarray(as_array(amounts, np.float64, "amounts"))
    if len(a) != len(p):
        raise ShapeError(f"amounts has length {len(a)}, probabilities {len(p)}")
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(f"amount of deal {i} must be finite and >= 0, got {a[i]}")
    res = choose_grid(a, p) if grid is None else float(grid)
    return WonDistribution._wrap(_core.pipeline.revenue_distribution(p, a, res, int(threads)), "amount")
