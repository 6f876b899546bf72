#!/usr/bin/env bash
# Installs what is missing on a fresh Debian machine: the Debian build dependencies and
# a virtual environment (.venv) with the Python packages.  Safe to run again: it only
# installs what is not there.  Sourced by demo.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEB_PACKAGES=(build-essential cmake ninja-build pkg-config libeigen3-dev libboost-graph-dev
  libboost-math-dev liblbfgspp-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev)
# Tests also need clang (libFuzzer targets, scripts/fuzz.sh) and abigail-tools (the ABI
# baseline check, abidiff), clang-tidy and cppcheck (scripts/lint.sh).
if [ "${FUNNELNET_WITH_TESTS:-0}" = 1 ]; then DEB_PACKAGES+=(clang clang-tidy cppcheck abigail-tools); fi
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
# Python packages: the runtime and build set, plus (for tests) every tests/requirements/*.txt.
req_files=(requirements.txt)
if [ "${FUNNELNET_WITH_TESTS:-0}" = 1 ]; then
  for f in tests/requirements/*.txt; do [ -f "$f" ] && req_files+=("$f"); done
fi
stamp=".venv/.funnelnet-req-$(cat "${req_files[@]}" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "== installing Python packages from ${req_files[*]}"
  .venv/bin/python -m pip install -q --upgrade pip
  args=(); for f in "${req_files[@]}"; do args+=(-r "$f"); done
  .venv/bin/python -m pip install -q "${args[@]}"
  touch "$stamp"
fi
