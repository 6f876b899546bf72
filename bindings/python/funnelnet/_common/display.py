"""Compact HTML for Jupyter (``_repr_html_``): a title, a line of facts and the head
of a small table; never heavy compute (callers pass what the object already holds)."""
from __future__ import annotations

import html
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["html_block", "matrix_corner"]

MAX_ROWS = 10
MAX_COLS = 12


def _fact(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v)


def html_block(title: str, facts: Mapping[str, Any] | None = None, table: pd.DataFrame | None = None,
               note: str = "") -> str:
    """``<div>`` with the escaped ``title``, ``facts`` as ``name: value`` pairs and the
    first rows and columns of ``table`` (labels escaped by pandas)."""
    parts = [f"<div class='funnelnet-repr'><p><b>{html.escape(title)}</b>"]
    if facts:
        parts.append(" &middot; " + " &middot; ".join(f"{html.escape(str(k))}: {html.escape(_fact(v))}" for k, v in facts.items()))
    parts.append("</p>")
    if table is not None and table.shape[0] and table.shape[1]:
        parts.append(table.to_html(max_rows=MAX_ROWS, max_cols=MAX_COLS, float_format=lambda x: f"{x:.4g}"))
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts.append("</div>")
    return "".join(parts)


def matrix_corner(m: np.ndarray, names: list[str], row_name: str = "from", col_name: str = "to") -> pd.DataFrame:
    """The top-left MAX_ROWS x MAX_COLS block of a square matrix, labelled (no copy of the rest)."""
    r, c = min(len(names), MAX_ROWS), min(len(names), MAX_COLS)
    return pd.DataFrame(np.asarray(m[:r, :c]), index=pd.Index(names[:r], name=row_name),
                        columns=pd.Index(names[:c], name=col_name))
