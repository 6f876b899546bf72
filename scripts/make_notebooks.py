"""Build examples/notebooks/*.ipynb from the reviewable percent-format sources in
examples/notebooks/src/*.py (jupytext style: ``# %%`` starts a code cell, ``# %% [markdown]``
a markdown cell whose lines are ``# ``-commented).  The notebooks are written without
outputs or execution counts; tests/python/test_notebooks.py executes them.  A line
``# requires: funnelnet.pipeline.forecast`` before the first cell names public functions
the notebook needs (stored in the notebook's metadata as ``funnelnet.requires``); the test
skips a notebook whose functions this installation lacks (an area still on its branch).

    .venv/bin/python scripts/make_notebooks.py [--check]

``--check`` writes nothing and exits 1 when a committed notebook differs from its source.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "examples" / "notebooks"
SRC_DIR = NB_DIR / "src"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _cells(text: str) -> list[nbformat.NotebookNode]:
    cells: list[nbformat.NotebookNode] = []
    kind, lines = None, []

    def flush() -> None:
        if kind is None:
            return
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            body = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines)
            cells.append(nbformat.v4.new_markdown_cell(body))
        elif lines:
            cells.append(nbformat.v4.new_code_cell("\n".join(lines)))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def build(src: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = _cells(src.read_text())
    for i, c in enumerate(nb.cells):  # stable ids: diffs stay small
        c["id"] = f"{src.stem[:20]}-{i:02d}"
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    requires = [ln.split(":", 1)[1].strip() for ln in src.read_text().split("# %%", 1)[0].splitlines()
                if ln.startswith("# requires:")]
    if requires:
        nb.metadata["funnelnet"] = {"requires": requires}
    nbformat.validate(nb)
    return nb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only check that the notebooks match their sources")
    ap.add_argument("names", nargs="*", help="source stems to build (default: all)")
    args = ap.parse_args()
    stale = []
    for src in sorted(SRC_DIR.glob("*.py")):
        if args.names and src.stem not in args.names:
            continue
        text = nbformat.writes(build(src)) + "\n"
        out = NB_DIR / f"{src.stem}.ipynb"
        if args.check:
            if not out.is_file() or out.read_text() != text:
                stale.append(out.name)
        else:
            out.write_text(text)
            print(f"wrote {out.relative_to(ROOT)}")
    if stale:
        print("stale notebooks (run scripts/make_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
