"""Every script in examples/python runs to completion (they are documentation that must
not rot).  The demo's printed figures are also checked against the chain it simulates."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "python").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path):
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=script.parent)
    assert out.returncode == 0, f"{script.name} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}"
    assert out.stdout.strip(), f"{script.name} printed nothing"


def test_demo_recovers_the_true_chain():
    demo = next(p for p in EXAMPLES if p.stem == "demo")
    out = subprocess.run([sys.executable, str(demo), "--leads", "20000", "--seed", "3"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    last = [line for line in out.stdout.splitlines() if line.startswith("Largest error")][0]
    # 20,000 leads give thousands of exits per stage: the MLE is within ~0.02 of the truth.
    assert float(last.rsplit(":", 1)[1]) < 0.02
