"""The report page: one self-contained HTML file (inline CSS, PNGs as base64, no
scripts, nothing fetched from the network) (private)."""
from __future__ import annotations

import base64
import html
from typing import Sequence

import numpy as np
import pandas as pd

from .section import SectionResult

MAX_ROWS = 15
#: Columns holding ids: shown as they are (no thousands separator).
ID_COLUMNS = {"account", "customer", "lead", "node", "k", "owner", "referrer", "referee", "opportunity"}

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1a202c;background:#f7fafc}
header{background:#1a365d;color:#fff;padding:24px 40px}header h1{margin:0 0 6px;font-size:26px}
header p{margin:2px 0;color:#cbd5e0}main{max-width:1100px;margin:0 auto;padding:16px 40px 60px}
nav{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 20px;margin:16px 0}
nav ol{margin:4px 0;padding-left:22px;columns:2}nav a{color:#2b6cb0;text-decoration:none}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:18px 24px;margin:18px 0}
section h2{margin:0 0 8px;font-size:20px;color:#1a365d}
.meaning{background:#ebf8ff;border-left:4px solid #2b6cb0;padding:10px 14px;margin:10px 0;font-size:15px}
.skipped{background:#fffaf0;border-left:4px solid #dd6b20;padding:10px 14px;color:#7b341e}
.notes{color:#4a5568;font-size:13px;margin:6px 0 10px 18px;padding:0}
img{max-width:100%;height:auto;display:block;margin:10px 0}
table{border-collapse:collapse;font-size:13px;margin:6px 0 4px}th,td{padding:3px 10px;text-align:right;
border-bottom:1px solid #edf2f7}th{background:#f7fafc;color:#2d3748}td:first-child,th:first-child{text-align:left}
.tname{font-weight:600;margin:14px 0 2px;font-size:14px}.csv{font-size:12px;color:#718096}
.csv a{color:#2b6cb0}.wrap{overflow-x:auto}footer{color:#718096;font-size:12px;text-align:center;padding:20px}
"""


def _fmt(x: object) -> str:
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            return "" if np.isnan(x) else str(x)
        a = abs(float(x))
        if float(x).is_integer() and a < 1e12:
            return f"{int(x):,}"
        if a != 0 and (a >= 1e12 or a < 1e-3):
            return f"{x:.3g}"
        if a >= 100:
            return f"{x:,.0f}"
        if a >= 10:
            return f"{x:.1f}"
        return f"{x:.3f}"
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    if isinstance(x, pd.Timestamp):
        return str(x.date()) if x == x.normalize() else str(x)
    return str(x)


def table_html(df: pd.DataFrame) -> str:
    """The first rows of ``df`` as an HTML table (numbers formatted for reading)."""
    head = df.head(MAX_ROWS)
    shown = pd.DataFrame({c: [str(v) if c in ID_COLUMNS else _fmt(v) for v in head[c].tolist()] for c in head.columns},
                         index=head.index, columns=head.columns)
    plain = isinstance(head.index, pd.RangeIndex)
    return shown.to_html(border=0, escape=True, index=not plain)


def page(title: str, subtitle: Sequence[str], results: Sequence[SectionResult], csv_names: dict[tuple[str, str], str]) -> str:
    """The whole report page."""
    nav = "".join(f'<li><a href="#{r.id}">{html.escape(r.title)}</a>{" (skipped)" if r.skipped else ""}</li>'
                  for r in results)
    body = []
    for r in results:
        parts = [f'<section id="{r.id}"><h2>{html.escape(r.title)}</h2>']
        if r.skipped:
            parts.append(f'<p class="skipped">{html.escape(r.skipped)}</p>')
        else:
            parts.append(f'<p class="meaning">{html.escape(r.meaning)}</p>')
            for name, png in r.figures.items():
                b64 = base64.b64encode(png).decode("ascii")
                parts.append(f'<img alt="{html.escape(r.id)} chart: {html.escape(name)}" '
                             f'src="data:image/png;base64,{b64}">')
            if r.notes:
                parts.append('<ul class="notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in r.notes) + "</ul>")
            for name, df in r.tables.items():
                fname = csv_names[(r.id, name)]
                more = f" (first {MAX_ROWS} of {len(df):,} rows)" if len(df) > MAX_ROWS else ""
                parts.append(f'<p class="tname">{html.escape(name.replace("_", " "))}</p>'
                             f'<div class="wrap">{table_html(df)}</div>'
                             f'<p class="csv">data: <a href="{fname}">{fname}</a>{more}</p>')
        parts.append("</section>")
        body.append("".join(parts))
    sub = "".join(f"<p>{html.escape(s)}</p>" for s in subtitle)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f'<body><header><h1>{html.escape(title)}</h1>{sub}</header><main><nav><b>Sections</b><ol>{nav}</ol></nav>'
            f'{"".join(body)}</main><footer>Made by funnelnet; every number on this page is computed from the data '
            f'(the CSV files beside this page hold each table).</footer></body></html>')
