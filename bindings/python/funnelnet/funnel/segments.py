"""Segments (lead source, customer kind, industry, region): one chain per segment with
empirical-Bayes shrinkage toward the pooled chain, and a likelihood-ratio test of
whether the segments convert differently at all.

>>> import funnelnet as fn
>>> f = fn.Funnel(["open"], outcomes=["won", "lost"])
>>> seg = fn.SegmentedFunnel({
...     "referral": fn.TransitionCounts.from_matrix([[1, 40, 10], [0, 0, 0], [0, 0, 0]], f),
...     "cold": fn.TransitionCounts.from_matrix([[1, 30, 45], [0, 0, 0], [0, 0, 0]], f)})
>>> round(seg.test()["p_value"], 6) < 0.001
True
>>> seg.win_probabilities("won").round(3)
segment  referral  cold  pooled
stage                          
open        0.738  0.43    0.56
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.results import MappingResult, result
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError, UnknownLabelError
from .chain import MarkovChain
from ._shared import Repeats
from .counts import TransitionCounts
from .stages import Funnel

__all__ = ["SegmentedFunnel", "SegmentTest"]


@result
class SegmentTest(MappingResult):
    """Result of :meth:`SegmentedFunnel.test`.  Also a read-only mapping with these keys
    (0.1 returned a dict).  ``to_frame()``: one row (``likelihood_ratio``).

    Attributes
    ----------
    statistic : float
        The likelihood-ratio statistic G.
    df : float
        Its degrees of freedom.
    p_value : float
        P(chi-squared(df) >= G): small when the segments convert differently.
    """

    statistic: float
    df: float
    p_value: float

    def _table(self) -> pd.DataFrame:
        return pd.DataFrame({"statistic": [self.statistic], "df": [self.df], "p_value": [self.p_value]},
                            index=pd.Index(["likelihood_ratio"], name="test"))


class SegmentedFunnel:
    """Per-segment chains shrunk toward the pooled chain.

    Parameters
    ----------
    counts : mapping of segment name -> TransitionCounts
        One count table per segment, all over the same funnel.  A segment with no
        transitions (e.g. only open leads) gets the pooled chain: with no data of its
        own it is shrunk all the way to the pool.  EmptyInputError if no segment has any.
    concentration : float, optional
        Set the shrinkage: the same alpha for every stage instead of the fitted one
        (0 = each segment's own estimate where it has data; large = the pool).
    max_concentration : float, optional
        Cap the fitted alpha_i (a cap limits how far a segment is pulled to the pool).

    Notes
    -----
    Row i of segment s is the posterior mean (c_si + alpha_i p_i) / (n_si + alpha_i), where
    p_i is the pooled row and alpha_i maximises the Dirichlet-multinomial marginal
    likelihood of all segments' row-i counts: a small segment borrows strength from
    the pool, a large one keeps its own data.
    """

    def __init__(self, counts: Mapping[str, TransitionCounts], *, concentration: float | None = None,
                 max_concentration: float | None = None) -> None:
        if not isinstance(counts, Mapping):
            raise InputTypeError(f"counts must be a mapping of segment name -> TransitionCounts, got {type(counts).__name__}")
        if len(counts) == 0:
            raise EmptyInputError("no segments given")
        for k, v in counts.items():
            if not isinstance(v, TransitionCounts):
                raise InputTypeError(f"segment {k!r}: expected TransitionCounts, got {type(v).__name__}")
        for name, x in (("concentration", concentration), ("max_concentration", max_concentration)):
            if x is not None and not (np.isfinite(float(x)) and float(x) >= 0):
                raise InvalidArgumentError(f"{name} must be finite and >= 0, got {x!r}")
        self._names = [str(k) for k in counts]
        self._counts = dict(zip(self._names, counts.values()))
        self._settings = (concentration, max_concentration)
        # One rule, in C++ (fit_segments): a segment without transitions gets the pooled
        # chain; a set or capped concentration shrinks every segment in closed form.
        self._fit = _core.funnel.fit_segments(
            [self._counts[n]._core for n in self._names], self._names,
            float("nan") if concentration is None else float(concentration),
            float("inf") if max_concentration is None else float(max_concentration))
        self._alpha = np.asarray(self._fit.concentration, dtype=np.float64).copy()
        self._shrunk = {n: MarkovChain._wrap(c) for n, c in zip(self._names, self._fit.shrunk)}

    def __reduce__(self) -> Any:
        # The per-segment counts (they pickle as versioned JSON) and the settings; unpickling refits.
        return (_restore_segments, (self._counts, *self._settings))

    @classmethod
    def from_events(
        cls,
        df: pd.DataFrame,
        *,
        segment: str | Sequence[str],
        lead: str,
        stage: str,
        time: str,
        funnel: Funnel,
        segments: Any = None,
        repeats: Repeats = "collapse",
        concentration: float | None = None,
        max_concentration: float | None = None,
    ) -> "SegmentedFunnel":
        """Count an event log per value of the ``segment`` column (e.g. lead source), or
        per combination of several columns (``segment=["source", "region"]``, segments
        named ``"referral / EMEA"``), and fit.

        Parameters
        ----------
        df : DataFrame
            The event log (one row per lead entering a stage).
        segment : str or sequence of str
            The segment column(s).
        lead, stage, time : str
            Columns of the lead id, the stage and the event time.
        funnel : Funnel
            The stages and outcomes.
        segments : sequence, optional
            The segments to fit (default: those present).
        repeats : {"collapse", "keep"}
            Repeated stages as one visit or as self-transitions.
        concentration, max_concentration : float, optional
            As in the constructor.

        Returns
        -------
        SegmentedFunnel
            One shrunk chain per segment; a segment whose leads are all still open gets
            the pooled chain.

        Raises
        ------
        EmptyInputError
            A listed segment with no rows, naming it.
        UnknownLabelError
            A segment column that is not in ``df``.
        """
        cols = [segment] if isinstance(segment, str) else list(segment)
        if not cols:
            raise InvalidArgumentError("segment names no column")
        for c in cols:
            if c not in df.columns:
                raise UnknownLabelError(f"segment column {c!r} is not in the DataFrame")
        key: Any = df[cols[0]]
        if len(cols) > 1:
            missing = df[cols].isna().any(axis=1)
            key = df[cols[0]].astype(str)
            for c in cols[1:]:
                key = key + " / " + df[c].astype(str)
            key = key.mask(missing)
        names = list(pd.unique(key.dropna())) if segments is None else list(segments)
        counts: dict[str, TransitionCounts] = {}
        groups = dict(tuple(df.groupby(key, sort=False, observed=True)))
        for name in names:
            part = groups.get(name)
            if part is None or len(part) == 0:
                raise EmptyInputError(f"segment {str(name)!r} has no data (no rows with {' / '.join(cols)} = {name!r})")
            counts[str(name)] = TransitionCounts.from_events(part, lead=lead, stage=stage, time=time, funnel=funnel, repeats=repeats)
        return cls(counts, concentration=concentration, max_concentration=max_concentration)

    @property
    def segments(self) -> list[str]:
        """Segment names in order."""
        return list(self._names)

    @property
    def pooled(self) -> MarkovChain:
        """Maximum-likelihood chain of all segments together."""
        return MarkovChain._wrap(self._fit.pooled)

    @property
    def chains(self) -> dict[str, MarkovChain]:
        """The shrunk chain of each segment (the pooled chain for a segment without data)."""
        return {n: self._shrunk[n] for n in self._names}

    def concentration(self) -> pd.Series:
        """alpha_i per stage: the prior weight (in pseudo-transitions) of the pooled row
        (as set or capped).  Large values mean the segments look alike for that stage.

        Returns
        -------
        Series
            ``concentration`` per transient stage.
        """
        pooled = self.pooled
        idx = pooled.transient_states
        pos = [pooled.states.index(s) for s in idx]
        return pd.Series(self._alpha[pos], index=pd.Index(idx, name="stage"), name="concentration")

    def time_to_close(self, quantiles: Sequence[float] = (0.5, 0.9), long: bool = False) -> pd.DataFrame:
        """Steps (periods) until won or lost from each stage, per segment and pooled
        (see :meth:`MarkovChain.time_to_close`): columns ``(segment, statistic)``, or with
        ``long=True`` one row per (segment, stage) with the statistics as columns.

        Parameters
        ----------
        quantiles : sequence of float
            Levels of the step quantiles, each in (0, 1).
        long : bool
            Tidy output: one row per (segment, stage).

        Returns
        -------
        DataFrame
            Mean, variance and quantiles of the steps to close per segment and stage.
        """
        chains = {**self.chains, "pooled": self.pooled}
        frames = {n: c.time_to_close(quantiles) for n, c in chains.items()}
        if long:
            out = pd.concat(frames, names=["segment"])
            return out
        out = pd.concat(frames, axis=1, names=["segment", "statistic"])
        return out

    def test(self) -> "SegmentTest":
        """Likelihood-ratio test of "all segments share one chain": the statistic G, its
        degrees of freedom and the chi-squared p-value, as a :class:`SegmentTest`
        (``t.p_value``; ``t["p_value"]`` and ``dict(t)`` as 0.1's dict).

        Returns
        -------
        SegmentTest
            ``statistic``, ``df`` and ``p_value``.
        """
        return SegmentTest(statistic=float(self._fit.statistic), df=float(self._fit.df),
                           p_value=float(self._fit.p_value))

    def win_probabilities(self, outcome: str, long: bool = False) -> pd.DataFrame:
        """P(outcome) from each stage for every segment (shrunk) and the pooled chain:
        one column per segment, or with ``long=True`` a tidy table with columns
        ``segment``, ``stage`` and ``probability``.

        Parameters
        ----------
        outcome : str
            The outcome (e.g. ``"won"``).
        long : bool
            Tidy output (``segment``, ``stage``, ``probability``).

        Returns
        -------
        DataFrame
            P(outcome) per stage (rows) and segment (columns, ``pooled`` last).
        """
        cols = {n: c.absorption_probabilities()[outcome] for n, c in self.chains.items()}
        cols["pooled"] = self.pooled.absorption_probabilities()[outcome]
        out = pd.DataFrame(cols)
        out.columns.name = "segment"
        if long:
            return out.melt(ignore_index=False, var_name="segment", value_name="probability").reset_index()[
                ["segment", "stage", "probability"]]
        return out

    def __repr__(self) -> str:
        return f"SegmentedFunnel(segments={self._names!r}, p_value={self._fit.p_value:.3g})"


def _restore_segments(counts: Mapping[str, TransitionCounts], concentration: float | None,
                      max_concentration: float | None) -> SegmentedFunnel:
    return SegmentedFunnel(counts, concentration=concentration, max_concentration=max_concentration)
