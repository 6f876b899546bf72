"""Scoring a Dask DataFrame partition by partition with a fitted model
(``map_partitions``; the model pickles and travels to the workers)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import InvalidArgumentError
from ._shared import check_frame

__all__ = ["score", "p_alive", "expected_purchases", "win_probabilities"]


def score(ddf: Any, func: Callable[[pd.DataFrame], Any], *, name: str = "score") -> Any:
    """A Dask Series: ``func(partition)`` (one value per row) on every partition.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The rows to score.
    func : callable
        func(partition) returns one value per row.
    name : str
        The Series' name.

    Returns
    -------
    dask.dataframe.Series
        The scores, float64, on the frame's index.
    """
    def one(part: pd.DataFrame) -> pd.Series:
        return pd.Series(np.asarray(func(part), dtype=np.float64), index=part.index, name=name)

    return ddf.map_partitions(one, meta=pd.Series([], dtype=np.float64, name=name))


def _rfm(ddf: Any, frequency: str, recency: str, T: str) -> None:
    check_frame(ddf, {"frequency": (frequency, "number"), "recency": (recency, "number"), "T": (T, "number")})


def p_alive(model: Any, summary: Any, *, frequency: str = "frequency", recency: str = "recency",
            T: str = "T") -> Any:
    """P(alive) per customer of a Dask summary, as ``model.p_alive`` gives it.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or BetaGeoBetaBinom
        A fitted (or from_params) repeat model.
    summary : dask.dataframe.DataFrame
        One row per customer with the frequency, recency and T columns.
    frequency, recency, T : str
        The summary's columns.

    Returns
    -------
    dask.dataframe.Series
        P(alive) per customer.
    """
    _rfm(summary, frequency, recency, T)
    return score(summary, lambda p: model.p_alive(p[frequency], p[recency], p[T]), name="p_alive")


def expected_purchases(model: Any, t: float, summary: Any, *, frequency: str = "frequency",
                       recency: str = "recency", T: str = "T") -> Any:
    """Expected purchases in the next ``t`` per customer of a Dask summary.

    Parameters
    ----------
    model : BetaGeo, ParetoNBD or BetaGeoBetaBinom
        A fitted (or from_params) repeat model.
    t : float
        The future time span.
    summary : dask.dataframe.DataFrame
        One row per customer with the frequency, recency and T columns.
    frequency, recency, T : str
        The summary's columns.

    Returns
    -------
    dask.dataframe.Series
        Expected purchases per customer.
    """
    _rfm(summary, frequency, recency, T)
    return score(summary, lambda p: model.expected_purchases(float(t), p[frequency], p[recency], p[T]),
                 name="expected_purchases")


def win_probabilities(chain: Any, ddf: Any, *, stage: str, outcome: str) -> Any:
    """P(ending in ``outcome``) for every row, from its current ``stage``, under a fitted
    :class:`~funnelnet.MarkovChain` (the chain's absorption probabilities; a row already
    in an outcome gets 1 or 0).

    Parameters
    ----------
    chain : MarkovChain
        A fitted chain.
    ddf : dask.dataframe.DataFrame
        The rows, each with its current stage.
    stage : str
        The stage column.
    outcome : str
        The outcome whose probability is returned.

    Returns
    -------
    dask.dataframe.Series
        P(ending in outcome) per row.
    """
    check_frame(ddf, {"stage": (stage, "text")})
    table = chain.absorption_probabilities()
    if outcome not in table.columns:
        raise InvalidArgumentError(f"outcome {outcome!r} is not an outcome of the chain "
                                   f"(outcomes: {', '.join(map(str, table.columns))})")
    lookup = {str(k): float(v) for k, v in table[outcome].items()}
    for s in chain.states:
        lookup.setdefault(str(s), 1.0 if s == outcome else 0.0)

    def one(part: pd.DataFrame) -> np.ndarray:
        names = part[stage].astype(str)
        bad = ~names.isin(lookup.keys())
        if bad.any():
            raise InvalidArgumentError(f"stage column {stage!r} holds {names[bad].iloc[0]!r}, not a state of the chain")
        return names.map(lookup).to_numpy(np.float64)

    return score(ddf, one, name=f"p_{outcome}")
