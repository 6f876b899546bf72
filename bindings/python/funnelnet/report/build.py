"""Build the report: run every registered section on the inputs, write the page and the
CSV behind every table (:func:`build`, :class:`Report`)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .._common.options import progress_callback
from .._common.results import Result, result
from ..errors import (DuplicateLabelError, FunnelnetError, InputTypeError, InvalidArgumentError, ShapeError,
                      UnknownLabelError)
from . import _figures, _html
from ._shared import Context
from .inputs import ReportInputs, inputs_from_crm
from .registry import _load
from .section import Section, SectionResult, Skip

__all__ = ["build", "Report"]


@result
class Report(Result):
    """A written report: where it is and what each section produced.

    Attributes
    ----------
    path : str
        The page, ``<folder>/report.html``.
    folder : str
        The folder holding the page and the CSV files.
    sections : list of SectionResult
        One per section, in page order (skipped ones say why).
    files : list of str
        The CSV files written (names inside ``folder``).
    size_bytes : int
        Size of ``report.html``.
    seconds : float
        Time taken to compute and write the report.
    """

    path: str
    folder: str
    sections: list[SectionResult]
    files: list[str]
    size_bytes: int
    seconds: float

    def section(self, id: str) -> SectionResult:
        """The result of the section ``id`` (KeyError naming the ids when unknown).

        Parameters
        ----------
        id : str
            The section's id, as in the index of :meth:`to_frame` (e.g.
            ``"time_to_close"``).

        Returns
        -------
        SectionResult
        """
        for s in self.sections:
            if s.id == id:
                return s
        raise KeyError(f"no section {id!r}; sections are {[s.id for s in self.sections]}")

    def _table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "id": [s.id for s in self.sections],
            "title": [s.title for s in self.sections],
            "shown": [not s.skipped for s in self.sections],
            "tables": [len(s.tables) for s in self.sections],
            "figures": [len(s.figures) for s in self.sections],
            "meaning": [s.meaning or s.skipped for s in self.sections],
        }).set_index("id")


def _as_inputs(data: Any) -> ReportInputs:
    if isinstance(data, ReportInputs):
        return data
    if isinstance(data, dict):
        try:
            return ReportInputs(**data)
        except TypeError as e:
            raise InvalidArgumentError(f"report inputs: {e}; known inputs are {list(ReportInputs.__dataclass_fields__)}") from None
    if hasattr(data, "events") and hasattr(data, "accounts"):
        return inputs_from_crm(data)
    raise InputTypeError(f"build: expected a SyntheticCRM, a ReportInputs or a dict of DataFrames, got {type(data).__name__}")


# Errors that mean the input tables are wrong (raised to the caller); any other funnelnet
# error inside a section means the data cannot support that analysis (the section says so).
_INPUT_ERRORS = (UnknownLabelError, InputTypeError, ShapeError, DuplicateLabelError)


def _run(sec: Section, ctx: Context) -> SectionResult:
    if sec.compute is None:
        return SectionResult(id=sec.id, title=sec.title, skipped=sec.placeholder)
    missing = [n for n in sec.needs if n not in ctx.inputs.available()]
    if missing:
        return SectionResult(id=sec.id, title=sec.title,
                             skipped=f"Skipped: this section needs the {', '.join(missing)} table(s), which the "
                                     "inputs do not have.")
    if not _figures.available():
        return SectionResult(id=sec.id, title=sec.title, skipped="Skipped: charts need matplotlib "
                             "(pip install funnelnet[plot]).")
    try:
        out = sec.compute(ctx)
    except Skip as e:
        return SectionResult(id=sec.id, title=sec.title, skipped=f"Skipped: {e}.")
    except _INPUT_ERRORS:
        raise  # the user's tables are wrong: the caller hears it
    except FunnelnetError as e:  # the data do not support this analysis: say so in its place
        return SectionResult(id=sec.id, title=sec.title,
                             skipped=f"Skipped: could not be computed on these data ({type(e).__name__}: {e}).")
    return SectionResult(id=sec.id, title=sec.title, meaning=out.get("meaning", ""), tables=out.get("tables", {}),
                         figures=out.get("figures", {}), notes=tuple(out.get("notes", ())))


def build(data: Any, out: Any = "funnelnet-report", sections: Sequence[str] | None = None, *, seed: int = 0,
          threads: int = 0, subtitle: Sequence[str] = (), progress: bool = False) -> Report:
    """Analyse a company and write the report folder: ``report.html`` (self-contained:
    inline CSS, PNG charts embedded, no scripts, readable offline) and one CSV per table.

    Parameters
    ----------
    data : SyntheticCRM, ReportInputs or dict
        A generated company (its truth is shown beside the fitted figures) or the user's
        tables (:class:`ReportInputs`, or a dict of its fields).
    out : str or path
        The folder to write (created if needed; files of the same names are replaced).
    sections : sequence of str, optional
        Ids of the sections to include (default all, in registry order).
    seed : int
        Seed of the randomised analyses (influence maximisation, spread).
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small
        inputs, more only when each has enough work to gain from it, never more than
        the usable cores); a positive number is an upper bound.  The result is the
        same at any thread count.
    subtitle : sequence of str
        Lines shown under the title.
    progress : bool
        Show a tqdm bar over the sections.

    Returns
    -------
    Report

    Raises
    ------
    funnelnet.InvalidArgumentError
        An unknown section id (the message lists the known ones).
    funnelnet.FunnelnetError
        Bad input tables: the error of the analysis that read them, naming the row,
        column or label (nothing is written).

    Examples
    --------
    >>> import tempfile, funnelnet as fn
    >>> crm = fn.datasets.synthetic_crm(n_accounts=2000, months=24, seed=0)
    >>> rep = fn.report.build(crm, out=tempfile.mkdtemp(), sections=["funnel", "tiers"])
    >>> [s.id for s in rep.sections]
    ['funnel', 'tiers']
    >>> rep.size_bytes < 5_000_000
    True
    """
    t0 = time.perf_counter()
    inputs = _as_inputs(data)
    registered = _load()
    known = [s.id for s in registered]
    if sections is not None:
        unknown = [s for s in sections if s not in known]
        if unknown:
            raise InvalidArgumentError(f"sections: unknown section {unknown[0]!r}; sections are {', '.join(known)}")
        chosen = [s for s in registered if s.id in set(sections)]
    else:
        chosen = registered
    ctx = Context(inputs, seed=seed, threads=threads)
    results = []
    cb, bar = progress_callback(progress, "report", unit="section")
    try:
        for k, sec in enumerate(chosen):
            results.append(_run(sec, ctx))
            if cb is not None:
                cb(k + 1, len(chosen))
    finally:
        if bar is not None:
            bar.close()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    csv_names: dict[tuple[str, str], str] = {}
    files = []
    for r in results:
        for name, df in r.tables.items():
            fname = f"{r.id}_{name}.csv"
            df.to_csv(folder / fname)
            csv_names[(r.id, name)] = fname
            files.append(fname)
    text = _html.page(inputs.title, list(subtitle), results, csv_names)
    path = folder / "report.html"
    path.write_text(text, encoding="utf-8")
    return Report(path=str(path), folder=str(folder), sections=results, files=files,
                  size_bytes=path.stat().st_size, seconds=time.perf_counter() - t0)
