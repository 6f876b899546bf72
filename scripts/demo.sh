#!/usr/bin/env bash
# The demo: simulate a seeded funnel, fit it back, print what was recovered.
# Installs whatever is missing first.  Needs no data outside the project.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
bash scripts/build_python.sh
.venv/bin/python examples/python/demo.py "$@"
