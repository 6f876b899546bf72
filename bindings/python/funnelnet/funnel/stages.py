"""The state space of a funnel: transient stages in order, then absorbing outcomes."""
from __future__ import annotations

from typing import Any, Sequence

from .. import _core
from .._common.checks import label_list
from .._common.options import pick

__all__ = ["Funnel"]


class Funnel:
    """The states of a funnel: transient ``stages`` in order, then absorbing ``outcomes``.

    Any stage sequence works (loops and skips are allowed in the data); names must be
    unique and non-empty.

    Parameters
    ----------
    stages : sequence of str
        Transient stages, e.g. ``["potential", "possible", "target"]``.
    outcomes : sequence of str
        Absorbing end states, e.g. ``["won", "lost"]``.  May be empty for recurrent
        processes (a customer cycle), but then absorbing analysis is unavailable.
    """

    def __init__(self, stages: Sequence[str], outcomes: Sequence[str] = ()) -> None:
        stages, outcomes = label_list(stages, "stages"), label_list(outcomes, "outcomes")
        self._space = _core.funnel.StageSpace(stages + outcomes, [False] * len(stages) + [True] * len(outcomes))

    @classmethod
    def _from_space(cls, space: Any) -> "Funnel":
        f = cls.__new__(cls)
        f._space = space
        return f

    @property
    def states(self) -> list[str]:
        """All state names in order (stages, then outcomes)."""
        return list(self._space.names)

    @property
    def stages(self) -> list[str]:
        """The transient stages."""
        return pick(self._space.names, self._space.transient)

    @property
    def outcomes(self) -> list[str]:
        """The absorbing outcomes."""
        return pick(self._space.names, self._space.absorbing)

    def __len__(self) -> int:
        return len(self._space)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Funnel) and self._space == other._space

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        # Pickles as its state names and absorbing flags (outcomes need not come last in a
        # funnel taken from a chain); rebuilt and validated by the C++ constructor.
        return (_restore_funnel, (self.states, list(self._space.absorbing_flags)))

    def __repr__(self) -> str:
        return f"Funnel(stages={self.stages!r}, outcomes={self.outcomes!r})"


def _restore_funnel(names: list[str], absorbing: list[bool]) -> Funnel:
    return Funnel._from_space(_core.funnel.StageSpace([str(n) for n in names], [bool(a) for a in absorbing]))
