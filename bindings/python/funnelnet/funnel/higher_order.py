"""Higher-order chains: the next stage depends on the last k stages, with order
selection by AIC, BIC and held-out log-likelihood.

>>> import funnelnet as fn
>>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
>>> ho = fn.HigherOrderChain.fit(paths, order=2, sep=">", absorbing=[])
>>> ho.to_frame().loc["a>b"].round(3).tolist()
[0.667, 0.333]
>>> fn.select_order(paths, max_order=2, sep=">", absorbing=[])["parameters"].tolist()
[2.0, 2.0]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import _core
from ._shared import encode_paths
from .stages import Funnel

__all__ = ["HigherOrderChain", "select_order"]


class HigherOrderChain:
    """An order-k chain: one row per observed history of k stages (oldest first)."""

    def __init__(self, core: Any) -> None:
        self._core = core

    @classmethod
    def fit(cls, paths: Any, order: int = 2, *, funnel: Funnel | None = None, absorbing: Sequence[str] | None = None, sep: str | None = None, smoothing: float = 0.0) -> "HigherOrderChain":
        """Fit by maximum likelihood (``smoothing`` > 0 adds a pseudo-count to every entry
        of each observed history's row) on every transition with a full history."""
        f, codes, offsets = encode_paths(paths, funnel, absorbing, sep)
        return cls._fit(f, codes, offsets, int(order), float(smoothing))

    @classmethod
    def _fit(cls, f: Funnel, codes: np.ndarray, offsets: np.ndarray, order: int, smoothing: float) -> "HigherOrderChain":
        c = cls(_core.funnel.fit_higher_order(f._space, codes, offsets, order, smoothing))
        c._funnel = f
        c._data = (codes, offsets, order, smoothing)
        return c

    def __reduce__(self) -> Any:
        # The encoded training paths and options; unpickling refits (exact, deterministic).
        data = getattr(self, "_data", None)
        if data is None:
            raise TypeError("a HigherOrderChain pickles only when built by HigherOrderChain.fit")
        return (_restore_higher_order, (self._funnel, *data))

    @property
    def order(self) -> int:
        """The order k: how many past stages the next one depends on."""
        return int(self._core.order)

    @property
    def parameters(self) -> float:
        """Number of free parameters (sum over histories of seen next stages - 1)."""
        return float(self._core.parameters)

    @property
    def states(self) -> list[str]:
        """State names in order."""
        return list(self._core.space.names)

    def _index(self) -> pd.Index:
        names = np.asarray(self.states, dtype=object)
        h = names[np.asarray(self._core.histories)]
        return pd.Index([">".join(row) for row in h], name="history")

    def to_frame(self) -> pd.DataFrame:
        """Next-stage probabilities (columns) per history (rows, "a>b" = a then b)."""
        return pd.DataFrame(self._core.probabilities, index=self._index(), columns=pd.Index(self.states, name="next"))

    def counts_frame(self) -> pd.DataFrame:
        """Next-stage counts per history."""
        return pd.DataFrame(self._core.counts, index=self._index(), columns=pd.Index(self.states, name="next"))

    def log_likelihood(self, paths: Any, sep: str | None = None) -> float:
        """Log-likelihood of other paths' transitions with a full history (an unseen
        history gives each next stage 1/n)."""
        _, codes, offsets = encode_paths(paths, self._funnel, None, sep)
        return float(_core.funnel.higher_order_log_likelihood(self._core, codes, offsets))


def _restore_higher_order(funnel: Funnel, codes: np.ndarray, offsets: np.ndarray, order: int,
                          smoothing: float) -> HigherOrderChain:
    return HigherOrderChain._fit(funnel, np.ascontiguousarray(codes, dtype=np.int32),
                                 np.ascontiguousarray(offsets, dtype=np.int64), order, smoothing)


def select_order(paths: Any, max_order: int = 3, *, test: Any = None, funnel: Funnel | None = None, absorbing: Sequence[str] | None = None, sep: str | None = None, smoothing: float = 0.5) -> pd.DataFrame:
    """Compare orders 1..max_order on the same transitions (positions >= max_order):
    log-likelihood, parameters, AIC, BIC and, with ``test`` paths, the held-out
    log-likelihood of chains fitted with ``smoothing``.  The best order has the smallest
    AIC/BIC or the largest held-out log-likelihood."""
    f, codes, offsets = encode_paths(paths, funnel, absorbing, sep)
    if test is None:
        tc, to = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    else:
        _, tc, to = encode_paths(test, f, None, sep)
    r = _core.funnel.select_order(f._space, codes, offsets, int(max_order), tc, to, float(smoothing))
    df = pd.DataFrame(r).set_index("order")
    if test is None:
        df = df.drop(columns="heldout_log_likelihood")
    return df
