#!/usr/bin/env bash
# Developer loop for the Python package without installing it: builds funnelnet._core in
# build/dev-python, links it into bindings/python/funnelnet/ (git ignores *.so), and runs
# pytest with the source package first on PYTHONPATH.  Arguments go to pytest, e.g.
#   bash scripts/dev_python.sh tests/python/test_funnel.py -k events
# Needs .venv (bash scripts/bootstrap.sh).  JOBS sets the build parallelism (default 1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
cmake -S . -B build/dev-python -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_PYTHON=ON \
  -DFUNNELNET_BUILD_SHARED=OFF -DFUNNELNET_BUILD_TESTS=OFF -DFUNNELNET_BUILD_EXAMPLES=OFF \
  -DFUNNELNET_INSTALL=OFF -DPython_EXECUTABLE="$PY" -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" >/dev/null
cmake --build build/dev-python -j "${JOBS:-1}"
so="$(ls "$ROOT"/build/dev-python/bindings/python/_core*.so)"
ln -sf "$so" "$ROOT/bindings/python/funnelnet/"
export PYTHONPATH="$ROOT/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
if [ "$#" -eq 0 ]; then set -- tests/python; fi
exec "$PY" -m pytest -q -p no:cacheprovider "$@"
