"""Higher-order chains: the next stage depends on the last k stages, with order
selection by AIC, BIC and held-out log-likelihood.

>>> import funnelnet as fn
>>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
>>> ho = fn.HigherOrderChain(order=2).fit(paths, sep=">", absorbing=[])
>>> ho.to_frame().loc["a>b"].round(3).tolist()
[0.667, 0.333]
>>> fn.select_order(paths, max_order=2, sep=">", absorbing=[])["parameters"].tolist()
[2.0, 2.0]
"""
from __future__ import annotations

from typing import Any, Self, Sequence, cast

import numpy as np
import pandas as pd

from .. import _core
from .._common.estimator import fit_method
from .._common.persist import JsonModel
from ..errors import InvalidArgumentError
from ._shared import encode_paths
from .stages import Funnel

__all__ = ["HigherOrderChain", "select_order"]


def _legacy_fit(cls: type, paths: Any, order: int = 2, *, funnel: Funnel | None = None,
                absorbing: Sequence[str] | None = None, sep: str | None = None,
                smoothing: float = 0.0) -> "HigherOrderChain":
    """0.1's ``HigherOrderChain.fit(paths, order=...)`` class method (deprecated)."""
    return cast("HigherOrderChain", cls(order, smoothing=smoothing).fit(paths, funnel=funnel, absorbing=absorbing, sep=sep))


class HigherOrderChain(JsonModel):
    """An order-k chain: one row per observed history of k stages (oldest first).

    A scikit-learn style estimator: ``HigherOrderChain(order=2, smoothing=0.0)`` takes the
    settings and :meth:`fit` the paths (``smoothing`` > 0 adds a pseudo-count to every
    entry of each observed history's row).  ``HigherOrderChain.fit(paths, order=...)``
    called on the class (0.1) still works, with a DeprecationWarning.

    Parameters
    ----------
    order : int
        History length k (>= 1); order 1 is the ordinary chain.
    smoothing : float
        Pseudo-count added to every entry of each observed history's row (0: maximum
        likelihood).

    Examples
    --------
    >>> import funnelnet as fn
    >>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
    >>> ho = fn.HigherOrderChain(order=2).fit(paths, sep=">", absorbing=[])
    >>> ho.parameters  # histories a>b and b>a each have two next stages seen
    2.0
    """

    def __init__(self, order: int = 2, *, smoothing: float = 0.0) -> None:
        self.order = int(order)
        self.smoothing = float(smoothing)
        self._core: Any = None

    @fit_method(_legacy_fit, "HigherOrderChain(order=..., smoothing=...).fit(paths, ...)")
    def fit(self, paths: Any, *, funnel: Funnel | None = None, absorbing: Sequence[str] | None = None,
            sep: str | None = None) -> Self:
        """Fit by maximum likelihood on every transition with a full history; returns the
        model.

        Parameters
        ----------
        paths : list of sequences of str, or strings joined by ``sep``
            The observed paths, each walked in order.
        funnel : Funnel, optional
            The state space; default: states in order of first appearance.
        absorbing : sequence of str, optional
            Without ``funnel``: the end states (``[]`` for none).
        sep : str, optional
            Separator when paths are strings.

        Returns
        -------
        HigherOrderChain
            ``self``, fitted.

        Raises
        ------
        UnknownLabelError
            A state not in ``funnel``.
        EmptyInputError
            No path is longer than ``order`` (nothing to count).

        Examples
        --------
        >>> import funnelnet as fn
        >>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
        >>> ho = fn.HigherOrderChain(order=2).fit(paths, sep=">", absorbing=[])
        >>> ho.to_frame().round(3)
        next         a      b
        history              
        a>b      0.667  0.333
        b>a      0.200  0.800
        a>a      0.000  1.000
        b>b      1.000  0.000
        """
        f, codes, offsets = encode_paths(paths, funnel, absorbing, sep)
        return self._fit_encoded(f, codes, offsets)

    def _fit_encoded(self, f: Funnel, codes: np.ndarray, offsets: np.ndarray) -> Self:
        self._core = _core.funnel.fit_higher_order(f._space, codes, offsets, self.order, self.smoothing)
        self._funnel = f
        self._data: tuple[np.ndarray, np.ndarray] | None = (codes, offsets)
        return self

    def _fitted(self) -> Any:
        if self._core is None:
            raise InvalidArgumentError("HigherOrderChain is not fitted: call fit()")
        return self._core

    def __reduce__(self) -> Any:
        # The fitted chain through its model file (the C++ JSON), with the settings.
        if self._core is None:
            return (_restore_higher_order, (None, None, None, self.order, self.smoothing))
        return (_restore_higher_order_json, (self.to_json(), self.order, self.smoothing))

    def _to_json(self) -> str:
        return _core.funnel.to_json(self._fitted())

    @classmethod
    def from_json(cls, text: str) -> "HigherOrderChain":
        """A fitted chain from JSON text written by :meth:`to_json` (states, order,
        histories with their counts and probabilities, fit scores; exact).  FormatError
        if corrupt.  The training paths are not part of the file; ``smoothing`` reads 0.0.

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        HigherOrderChain
            A fitted chain.

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or fails validation.

        Examples
        --------
        >>> import funnelnet as fn
        >>> ho = fn.HigherOrderChain(order=2).fit(["a>b>a>b", "b>a>a>b"], sep=">", absorbing=[])
        >>> fn.HigherOrderChain.from_json(ho.to_json()).to_frame().equals(ho.to_frame())
        True
        """
        core = _core.funnel.higher_order_from_json(text)
        model = cls(int(core.order))
        model._core = core
        model._funnel = Funnel._from_space(core.space)
        model._data = None
        return model

    @property
    def parameters_(self) -> float:
        """Number of free parameters of the fitted chain (as :attr:`parameters`)."""
        return self.parameters

    @property
    def parameters(self) -> float:
        """Number of free parameters (sum over histories of seen next stages - 1)."""
        return float(self._fitted().parameters)

    @property
    def states(self) -> list[str]:
        """State names in order."""
        return list(self._fitted().space.names)

    def _index(self) -> pd.Index:
        names = np.asarray(self.states, dtype=object)
        h = names[np.asarray(self._fitted().histories)]
        return pd.Index([">".join(row) for row in h], name="history")

    def to_frame(self) -> pd.DataFrame:
        """Next-stage probabilities (columns) per history (rows, "a>b" = a then b).

        Returns
        -------
        DataFrame
            One row per observed history (index ``history``), one column per state
            (``next``); rows sum to 1.
        """
        return pd.DataFrame(self._fitted().probabilities, index=self._index(), columns=pd.Index(self.states, name="next"))

    def counts_frame(self) -> pd.DataFrame:
        """Next-stage counts per history.

        Returns
        -------
        DataFrame
            As :meth:`to_frame`, with the observed counts (before smoothing).

        Examples
        --------
        >>> import funnelnet as fn
        >>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
        >>> ho = fn.HigherOrderChain(order=2).fit(paths, sep=">", absorbing=[])
        >>> ho.counts_frame().loc["a>b"].tolist()
        [4.0, 2.0]
        """
        return pd.DataFrame(self._fitted().counts, index=self._index(), columns=pd.Index(self.states, name="next"))

    def log_likelihood(self, paths: Any, sep: str | None = None) -> float:
        """Log-likelihood of other paths' transitions with a full history (an unseen
        history gives each next stage 1/n).

        Parameters
        ----------
        paths : list of sequences of str, or strings joined by ``sep``
            Paths over the fitted states (e.g. a held-out sample).
        sep : str, optional
            Separator when paths are strings.

        Returns
        -------
        float
            Sum of log P(next | last k stages); -inf if a transition has probability 0.

        Examples
        --------
        a>b>a>b has two transitions with a full history: log(2/3) + log(0.8):

        >>> import funnelnet as fn
        >>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
        >>> ho = fn.HigherOrderChain(order=2).fit(paths, sep=">", absorbing=[])
        >>> round(ho.log_likelihood(["a>b>a>b"], sep=">"), 4)
        -0.6286
        """
        core = self._fitted()
        _, codes, offsets = encode_paths(paths, self._funnel, None, sep)
        return float(_core.funnel.higher_order_log_likelihood(core, codes, offsets))


def _restore_higher_order(funnel: Funnel | None, codes: np.ndarray | None, offsets: np.ndarray | None,
                          order: int, smoothing: float) -> HigherOrderChain:
    model = HigherOrderChain(order, smoothing=smoothing)
    if funnel is None:
        return model
    return model._fit_encoded(funnel, np.ascontiguousarray(codes, dtype=np.int32),
                              np.ascontiguousarray(offsets, dtype=np.int64))


def _restore_higher_order_json(text: str, order: int, smoothing: float) -> HigherOrderChain:
    model = HigherOrderChain.from_json(text)
    model.order, model.smoothing = int(order), float(smoothing)
    return model


def select_order(paths: Any, max_order: int = 3, *, test: Any = None, funnel: Funnel | None = None, absorbing: Sequence[str] | None = None, sep: str | None = None, smoothing: float = 0.5) -> pd.DataFrame:
    """Compare orders 1..max_order on the same transitions (positions >= max_order):
    log-likelihood, parameters, AIC, BIC and, with ``test`` paths, the held-out
    log-likelihood of chains fitted with ``smoothing``.  The best order has the smallest
    AIC/BIC or the largest held-out log-likelihood.

    Parameters
    ----------
    paths : list of sequences of str, or strings joined by ``sep``
        The training paths.
    max_order : int
        Highest order compared (orders 1 .. max_order).
    test : paths, optional
        Held-out paths; adds ``heldout_log_likelihood``.
    funnel : Funnel, optional
        The state space; default: order of first appearance.
    absorbing : sequence of str, optional
        Without ``funnel``: the end states.
    sep : str, optional
        Separator when paths are strings.
    smoothing : float
        Pseudo-count of the chains scored on ``test`` (so unseen moves are not -inf).

    Returns
    -------
    DataFrame
        Indexed by ``order``: ``log_likelihood``, ``parameters``, ``aic``, ``bic`` (and
        ``heldout_log_likelihood``).

    Examples
    --------
    >>> import funnelnet as fn
    >>> paths = ["a>b>a>b>a>b", "b>a>b>a>b>a", "a>a>b>b>a>a>b>b"]
    >>> fn.select_order(paths, max_order=2, sep=">", absorbing=[]).round(3)
           log_likelihood  parameters     aic     bic
    order                                            
    1              -7.059         2.0  18.117  19.396
    2              -6.321         2.0  16.642  17.920
    """
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
