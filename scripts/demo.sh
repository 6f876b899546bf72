#!/usr/bin/env bash
# The demo: generate a synthetic B2B company with known truth, run every analysis on it,
# print a short summary and write the report folder (funnelnet-demo/report.html + CSV).
# Installs whatever is missing first.  Needs no data outside the project.
#   bash scripts/demo.sh                          # default size (50,000 accounts)
#   bash scripts/demo.sh --size 10000 --open      # any option of `python -m funnelnet demo`
# The Python module is built in build/release, the tree scripts/test.sh uses (same
# settings), so a fresh machine compiles the core once for both; later runs rebuild
# nothing that is up to date.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
PY="$ROOT/.venv/bin/python"
if [ ! -f build/release/CMakeCache.txt ]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_TESTS=ON \
    -DFUNNELNET_BUILD_PYTHON=ON -DPython_EXECUTABLE="$PY" -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" >/dev/null
fi
cmake --build build/release --target _core -j "${JOBS:-$(nproc)}"
bash scripts/build_python.sh build/release
"$PY" -m funnelnet demo "$@"
