#!/usr/bin/env bash
# Builds and installs the Python package into .venv (incremental: build/python is kept).
#   bash scripts/build_python.sh              # pip compiles the core and the module
#   bash scripts/build_python.sh build/release
#       packages the module already built in that CMake tree (configured with
#       -DFUNNELNET_BUILD_PYTHON=ON for .venv's Python): nothing is compiled again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
args=()
if [ "$#" -ge 1 ]; then
  path_file="$1/python_module_path.txt"
  if [ ! -f "$path_file" ]; then
    echo "build_python.sh: $1 has no Python module (configure it with -DFUNNELNET_BUILD_PYTHON=ON)" >&2
    exit 2
  fi
  module="$(cat "$path_file")"
  args=(-C build-dir=build/python-prebuilt -C "cmake.define.FUNNELNET_PYTHON_PREBUILT=$module")
fi
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
  .venv/bin/python -m pip install -q --no-build-isolation --no-deps "${args[@]}" .
