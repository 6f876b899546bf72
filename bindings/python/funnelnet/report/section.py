"""One report section: :class:`Section` (what it is and how it is computed) and
:class:`SectionResult` (what it produced: a headline for a sales manager, tables,
figures and notes, or the reason it was skipped).

A section module (``funnelnet/report/sections/<id>.py``) defines ``SECTION = Section(...)``
and is listed once in :data:`funnelnet.report.registry.SECTION_MODULES`.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

__all__ = ["Section", "SectionResult", "Skip"]


class Skip(Exception):
    """Raised by a section's ``compute`` when its input is missing or unusable; the
    message becomes the note shown in place of the section."""


@dataclasses.dataclass(frozen=True, eq=False)
class SectionResult:
    """What one section produced.

    Attributes
    ----------
    id, title : str
        The section's id (the prefix of its CSV files) and heading.
    meaning : str
        One line: what the numbers mean for a sales manager (computed, with the numbers).
    tables : mapping of str to DataFrame
        The tables behind the section, each written as ``<id>_<name>.csv``.
    figures : mapping of str to bytes
        PNG charts, embedded in the page.
    notes : tuple of str
        Caveats (a fit that did not converge, a fallback, what is left out).
    skipped : str
        Why the section shows nothing ("" when it ran).
    """

    id: str
    title: str
    meaning: str = ""
    tables: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=dict)
    figures: Mapping[str, bytes] = dataclasses.field(default_factory=dict)
    notes: Sequence[str] = ()
    skipped: str = ""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, SectionResult):
            return NotImplemented
        if (self.id, self.title, self.meaning, tuple(self.notes), self.skipped) != (
                other.id, other.title, other.meaning, tuple(other.notes), other.skipped):
            return False
        if dict(self.figures) != dict(other.figures) or list(self.tables) != list(other.tables):
            return False
        return all(self.tables[k].equals(other.tables[k]) for k in self.tables)

    __hash__ = None  # type: ignore[assignment]


@dataclasses.dataclass(frozen=True)
class Section:
    """A report section: its id, title, the inputs it needs and the function computing it.

    Attributes
    ----------
    id : str
        Short name, also the prefix of its CSV files.
    title : str
        Heading in the page.
    needs : tuple of str
        Names of :class:`ReportInputs` frames it cannot do without; when one is missing the
        section is skipped with a note naming it.
    compute : callable
        ``compute(ctx) -> dict`` with keys ``meaning``, ``tables``, ``figures``,
        ``notes`` (any may be left out); it may raise :class:`Skip`.
    placeholder : str
        For a section a later version fills: what will appear (``compute`` is then None).
    """

    id: str
    title: str
    needs: tuple[str, ...] = ()
    compute: Callable[[Any], dict[str, Any]] | None = None
    placeholder: str = ""
