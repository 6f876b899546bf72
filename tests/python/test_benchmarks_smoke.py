"""benchmarks/python/compare.py keeps working: its attribution, ic and customers sections
run at tiny sizes (``--smoke``) in a child process, where each first checks funnelnet
against an independent answer (a dense solve per removal, cynetdiff's spread within
Monte Carlo error, lifetimes' and the published CDNOW fit) and stops on a disagreement.
The oracle used by the attribution check is itself checked here against a hand-solved
case.  Timings are printed, never asserted."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPARE = ROOT / "benchmarks" / "python" / "compare.py"

pytest.importorskip("ChannelAttribution")
pytest.importorskip("cynetdiff")
pytest.importorskip("lifetimes")


def _compare_module():
    sys.path.insert(0, str(COMPARE.parent))
    try:
        spec = importlib.util.spec_from_file_location("compare_smoke", COMPARE)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(COMPARE.parent))


def test_removal_effects_oracle_by_hand():
    """Paths A>B (1 conversion), A (1 null), B>B (1 conversion), value 10 per conversion.
    Collapsed: start -> A (2), start -> B (1); A -> B (1), A -> null (1); B -> conv (2).
    P(conv) = (2/3)(1/2) + 1/3 = 2/3.  Without A: only start -> B: 1/3, effect 1/2.  Without B: nothing converts, effect 1.  Value follows conversions (10 each)."""
    mod = _compare_module()
    df = pd.DataFrame({"path": ["A > B", "A", "B > B"], "total_conversions": [1, 0, 1],
                       "total_null": [0, 1, 0], "total_conversion_value": [10.0, 0.0, 10.0]})
    got = mod.removal_effects_oracle(df)
    assert got["removal_effect"].to_dict() == pytest.approx({"A": 0.5, "B": 1.0}, abs=1e-14)
    assert got["value_removal_effect"].to_dict() == pytest.approx({"A": 0.5, "B": 1.0}, abs=1e-14)


def test_compare_new_sections_smoke(shared_data):
    env = dict(os.environ, FUNNELNET_SHARED_DATA=str(shared_data), OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, str(COMPARE), "--smoke"], capture_output=True, text=True, env=env,
                         timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout
    for section in ("Markov attribution", "IC Monte Carlo", "BG/NBD fit"):
        assert f"## {section}" in text, text
    # one timed row per case: attribution, IC on the power-law graph and ca-GrQc, BG/NBD
    # on CDNOW and the synthetic customers; every ratio a positive number
    rows = [line for line in text.splitlines() if " funnelnet " in line and "| ratio" in line]
    assert len(rows) == 5, text
    ratios = [float(m) for line in rows for m in re.findall(r"ratio\s+([0-9.]+)x", line)]
    assert len(ratios) == 5 and all(r > 0 for r in ratios), rows
    assert "matches the independent dense solve" in text
    assert "rel. diff" in text
