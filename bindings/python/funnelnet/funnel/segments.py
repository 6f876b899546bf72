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

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import _core
from .._common.results import MappingResult, result
from ..errors import EmptyInputError, InputTypeError, UnknownLabelError
from .chain import MarkovChain
from .counts import TransitionCounts
from .stages import Funnel

__all__ = ["SegmentedFunnel", "SegmentTest"]


@result
class SegmentTest(MappingResult):
    """Result of :meth:`SegmentedFunnel.test`: the likelihood-ratio ``statistic`` G, its
    degrees of freedom ``df`` and the chi-squared ``p_value``.  Also a read-only mapping
    with those keys (0.1 returned a dict).  ``to_frame()``: one row (``likelihood_ratio``)."""

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
        transitions raises EmptyInputError naming it.

    Row i of segment s is the posterior mean (c_si + alpha_i p_i) / (n_si + alpha_i), where
    p_i is the pooled row and alpha_i maximises the Dirichlet-multinomial marginal
    likelihood of all segments' row-i counts: a small segment borrows strength from
    the pool, a large one keeps its own data.
    """

    def __init__(self, counts: Mapping[str, TransitionCounts]) -> None:
        if not isinstance(counts, Mapping):
            raise InputTypeError(f"counts must be a mapping of segment name -> TransitionCounts, got {type(counts).__name__}")
        if len(counts) == 0:
            raise EmptyInputError("no segments given")
        for k, v in counts.items():
            if not isinstance(v, TransitionCounts):
                raise InputTypeError(f"segment {k!r}: expected TransitionCounts, got {type(v).__name__}")
        self._names = [str(k) for k in counts]
        self._counts = dict(zip(self._names, counts.values()))
        self._fit = _core.funnel.fit_segments([v._core for v in counts.values()], self._names)

    def __reduce__(self) -> Any:
        # The per-segment counts (they pickle as versioned JSON); unpickling refits.
        return (SegmentedFunnel, (self._counts,))

    @classmethod
    def from_events(
        cls,
        df: pd.DataFrame,
        *,
        segment: str,
        lead: str,
        stage: str,
        time: str,
        funnel: Funnel,
        segments: Any = None,
        repeats: str = "collapse",
    ) -> "SegmentedFunnel":
        """Count an event log per value of the ``segment`` column (e.g. lead source) and
        fit.  ``segments`` lists the segments to fit (default: those present); a listed
        segment with no rows raises EmptyInputError naming it."""
        if segment not in df.columns:
            raise UnknownLabelError(f"segment column {segment!r} is not in the DataFrame")
        names = list(pd.unique(df[segment].dropna())) if segments is None else list(segments)
        zero = np.zeros((len(funnel), len(funnel)))
        counts: dict[str, TransitionCounts] = {}
        groups = dict(tuple(df.groupby(segment, sort=False, observed=True)))
        for name in names:
            part = groups.get(name)
            if part is None or len(part) == 0:
                counts[str(name)] = TransitionCounts.from_matrix(zero, funnel)
            else:
                counts[str(name)] = TransitionCounts.from_events(part, lead=lead, stage=stage, time=time, funnel=funnel, repeats=repeats)
        return cls(counts)

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
        """The shrunk chain of each segment."""
        return {n: MarkovChain._wrap(c) for n, c in zip(self._names, self._fit.shrunk)}

    def concentration(self) -> pd.Series:
        """alpha_i per stage: the prior weight (in pseudo-transitions) of the pooled row.
        Large values mean the segments look alike for that stage."""
        pooled = self.pooled
        idx = pooled.transient_states
        pos = [pooled.states.index(s) for s in idx]
        return pd.Series(np.asarray(self._fit.concentration)[pos], index=pd.Index(idx, name="stage"), name="concentration")

    def test(self) -> "SegmentTest":
        """Likelihood-ratio test of "all segments share one chain": the statistic G, its
        degrees of freedom and the chi-squared p-value, as a :class:`SegmentTest`
        (``t.p_value``; ``t["p_value"]`` and ``dict(t)`` as 0.1's dict)."""
        return SegmentTest(statistic=float(self._fit.statistic), df=float(self._fit.df),
                           p_value=float(self._fit.p_value))

    def win_probabilities(self, outcome: str) -> pd.DataFrame:
        """P(outcome) from each stage for every segment (shrunk) and the pooled chain."""
        cols = {n: c.absorption_probabilities()[outcome] for n, c in self.chains.items()}
        cols["pooled"] = self.pooled.absorption_probabilities()[outcome]
        out = pd.DataFrame(cols)
        out.columns.name = "segment"
        return out

    def __repr__(self) -> str:
        return f"SegmentedFunnel(segments={self._names!r}, p_value={self._fit.p_value:.3g})"
