"""Every notebook in examples/notebooks runs from top to bottom (nbclient, with this
interpreter as the kernel), within its time limit, and is committed without outputs.

The kernel is the running Python: a kernel spec pointing at ``sys.executable`` is written
to a temporary folder, so the notebooks never run against another installation.  The
shared data folder is passed on unchanged (FUNNELNET_SHARED_DATA); without it the
notebooks say so and use the synthetic company.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
NB_DIR = ROOT / "examples" / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
TIMEOUT_S = int(os.environ.get("FUNNELNET_NOTEBOOK_TIMEOUT", "300"))  # per notebook (they run in under 2 minutes)
KERNEL = "funnelnet-test-python"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A kernel spec for this interpreter in a temporary JUPYTER_PATH."""
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "funnelnet tests", "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}}))
    return {"JUPYTER_PATH": str(base)}


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; run scripts/make_notebooks.py"


def test_notebooks_match_their_sources() -> None:
    import subprocess
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_notebooks.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _missing(nb: "nbformat.NotebookNode") -> list[str]:
    """The public names the notebook needs (metadata funnelnet.requires) that this install lacks."""
    import importlib
    out = []
    for name in nb.metadata.get("funnelnet", {}).get("requires", []):
        mod, _, attr = name.rpartition(".")
        try:
            ok = hasattr(importlib.import_module(mod), attr)
        except ImportError:
            ok = False
        if not ok:
            out.append(name)
    return out


def _execute(path: Path) -> "nbformat.NotebookNode":
    """Run the notebook; fail naming the cell and the error (or the public names it needs
    that the package lacks: every area has landed, so a missing one is a broken API)."""
    import time
    nb = nbformat.read(path, as_version=4)
    missing = _missing(nb)
    if missing:
        pytest.fail(f"{path.name} needs {', '.join(missing)}, which the installed package lacks")
    client = nbclient.NotebookClient(nb, timeout=TIMEOUT_S, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(NB_DIR)}})
    t0 = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        cell = next((i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"),
                    None)
        pytest.fail(f"{path.name}: cell {cell} failed:\n{e}", pytrace=False)
    except nbclient.exceptions.CellTimeoutError as e:
        pytest.fail(f"{path.name}: a cell ran past {TIMEOUT_S} s: {e}", pytrace=False)
    print(f"{path.name}: {time.perf_counter() - t0:.1f} s")
    return nb


def _text(nb: "nbformat.NotebookNode") -> str:
    return "\n".join(str(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in kernel_env.items():
        monkeypatch.setenv(k, v)
    _execute(path)


USES_SHARED = [p for p in NOTEBOOKS if "shared_data()" in p.read_text()]


@pytest.mark.parametrize("path", USES_SHARED, ids=[p.stem for p in USES_SHARED])
def test_notebook_without_shared_data(path: Path, kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    """Without the real data a notebook says so and runs on the synthetic company."""
    for k, v in kernel_env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FUNNELNET_SHARED_DATA", str(tmp_path))  # an empty folder
    text = _text(_execute(path))
    assert "not found" in text and "synthetic company" in text, text[:2000]
