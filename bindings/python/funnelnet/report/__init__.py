"""The report: every analysis of funnelnet on one company, as one self-contained HTML
page with the CSV behind every table (issue 12).

:func:`build` takes a :class:`~funnelnet.datasets.SyntheticCRM` (fitted figures shown
beside the truth that made them) or the user's own tables (:class:`ReportInputs`) and
writes ``report.html`` plus ``<section>_<table>.csv`` files.  Sections live in
:mod:`funnelnet.report.sections`, one module each, listed in
:data:`funnelnet.report.registry.SECTION_MODULES`; a section whose input is missing is
skipped with a note.

>>> import tempfile, funnelnet as fn
>>> crm = fn.datasets.synthetic_crm(n_accounts=1000, seed=0)
>>> rep = fn.report.build(crm, out=tempfile.mkdtemp(), sections=["funnel"])
>>> rep.section("funnel").tables["stages"].index.tolist()
['potential', 'possible', 'target', 'effective']
"""
from __future__ import annotations

from .build import Report, build
from .inputs import FRAMES, ReportInputs, inputs_from_crm
from .registry import SECTION_MODULES
from .section import Section, SectionResult, Skip

__all__ = ["build", "Report", "ReportInputs", "inputs_from_crm", "FRAMES", "Section", "SectionResult", "Skip",
           "SECTION_MODULES"]
