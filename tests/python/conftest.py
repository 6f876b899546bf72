"""Shared pytest fixtures."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

# A shell starts a background job (`cmd &`, `nohup ... &`) with SIGINT ignored, and Python then
# keeps it ignored, so the Ctrl-C tests would send a signal nobody sees.  Give the test process
# (and the subprocesses it starts) Python's usual Ctrl-C, whatever launched it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SHARED_DATA = Path(os.environ.get("FUNNELNET_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (real data sets; see its README for provenance)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED_DATA}; set FUNNELNET_SHARED_DATA")
    return SHARED_DATA
