"""The analyses several sections share, computed once per report (private)."""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..funnel import ExposureCounts, Funnel, TransitionCounts
from .inputs import ReportInputs
from .section import Skip

DEFAULT_STAGES = ("potential", "possible", "target", "effective")


class Context:
    """The inputs of one report and the fits shared by its sections (computed lazily)."""

    def __init__(self, inputs: ReportInputs, seed: int = 0, threads: int = 0) -> None:
        self.inputs = inputs
        self.seed = seed
        self.threads = threads

    def frame(self, name: str) -> pd.DataFrame:
        df = getattr(self.inputs, name)
        if not isinstance(df, pd.DataFrame) or len(df) == 0:
            raise Skip(f"needs the {name} table")
        return df

    # ------------------------------------------------------------------ funnel
    @functools.cached_property
    def funnel(self) -> Funnel:
        ev = self.frame("events")
        outcomes = [str(o) for o in self.inputs.outcomes]
        if self.inputs.stages is not None:
            return Funnel([str(s) for s in self.inputs.stages], outcomes=outcomes)
        names = pd.Index(pd.unique(ev["stage"].astype(str)))
        if set(names) <= set(DEFAULT_STAGES) | set(outcomes):
            return Funnel(list(DEFAULT_STAGES), outcomes=outcomes)
        return Funnel(infer_stage_order(ev, outcomes), outcomes=outcomes)

    @functools.cached_property
    def counts(self) -> TransitionCounts:
        return TransitionCounts.from_events(self.frame("events"), lead="lead", stage="stage", time="time",
                                            funnel=self.funnel)

    @functools.cached_property
    def chain(self) -> Any:
        return self.counts.fit()

    @functools.cached_property
    def exposure(self) -> ExposureCounts:
        return ExposureCounts.from_events(self.frame("events"), lead="lead", stage="stage", time="time",
                                          funnel=self.funnel, time_unit="D")

    @property
    def won(self) -> str:
        return str(self.inputs.outcomes[0])

    @property
    def truth(self) -> Any:
        return self.inputs.truth


def infer_stage_order(events: pd.DataFrame, outcomes: list[str]) -> list[str]:
    """Transient stages ordered by their median position along the leads' paths."""
    d = events[["lead", "stage", "time"]].sort_values(["lead", "time"], kind="stable")
    pos = d.groupby("lead", sort=False).cumcount()
    stage = d["stage"].astype(str)
    med = pos.groupby(stage.to_numpy()).median()
    med = med[~med.index.isin(outcomes)]
    return [str(s) for s in med.sort_values(kind="stable").index]


def caught(fn: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run ``fn`` and return its value with the text of every warning it raised (shown
    as notes: a fit that did not converge never passes silently)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    notes = []
    for x in w:
        if issubclass(x.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        msg = f"{x.category.__name__}: {x.message}"
        if msg not in notes:
            notes.append(msg)
    return out, notes


def pct(x: Any) -> str:
    """``x`` (a share, a pandas scalar) as a percentage with one decimal; "n/a" when missing."""
    return "n/a" if x is None or not np.isfinite(float(x)) else f"{100 * float(x):.1f} %"
