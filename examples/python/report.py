"""The report on a small generated company: every analysis, one self-contained HTML page
and the CSV behind each table (``python -m funnelnet demo`` does the same at full size).

    .venv/bin/python examples/python/report.py [--size 5000] [--out folder]
"""
from __future__ import annotations

import argparse
import tempfile

import funnelnet as fn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=5000, help="accounts (default 5000)")
    ap.add_argument("--out", default=None, help="report folder (default: a new temporary folder)")
    args = ap.parse_args()

    crm = fn.datasets.synthetic_crm(n_accounts=args.size, months=24, seed=0)
    rep = fn.report.build(crm, out=args.out or tempfile.mkdtemp(prefix="funnelnet-report-"))
    for s in rep.sections:
        print(f"{s.title}:\n  {s.meaning or s.skipped}")
    # the fitted funnel beside the truth, per segment
    print(rep.section("funnel").tables["segments"].round(3).to_string())
    print(f"\nWrote {rep.path} ({rep.size_bytes / 1e6:.2f} MB) and {len(rep.files)} CSV files.")


if __name__ == "__main__":
    main()
