#!/usr/bin/env bash
# Static analysis of the C++ sources (issue 17): clang-tidy with the project's .clang-tidy
# checks, and cppcheck (warning, performance, portability).  Any finding fails.
#
# Not a step of scripts/test.sh: measured on the 2-core machine, clang-tidy takes 140 s for
# one heavy translation unit (src/c_api/customers.cpp, Eigen + nlohmann/json), so the 84
# sources of src/ would add well over an hour to CI.  Run it on what you changed:
#   bash scripts/lint.sh                 # both tools over src/
#   bash scripts/lint.sh tidy 'src/core/' # clang-tidy on files matching a regex
#   bash scripts/lint.sh cppcheck        # cppcheck alone
# clang-tidy needs a compile database without GCC precompiled headers: build/lint is
# configured (not built) with FUNNELNET_PCH=OFF for that.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WHAT="${1:-all}"
FILES="${2:-src/}"
JOBS="${JOBS:-$(nproc)}"
status=0

if [ "$WHAT" = all ] || [ "$WHAT" = tidy ]; then
  command -v run-clang-tidy >/dev/null || { echo "lint.sh: run-clang-tidy not found (apt-get install -y clang-tidy)" >&2; exit 2; }
  cmake -S . -B build/lint -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_PCH=OFF -DFUNNELNET_BUILD_TESTS=OFF \
    -DFUNNELNET_BUILD_PYTHON=OFF -DFUNNELNET_BUILD_EXAMPLES=OFF >/dev/null
  echo "== clang-tidy (.clang-tidy) on files matching '$FILES', $JOBS at a time"
  run-clang-tidy -p build/lint -j "$JOBS" -quiet -warnings-as-errors='*' "$FILES" || status=1
fi

if [ "$WHAT" = all ] || [ "$WHAT" = cppcheck ]; then
  command -v cppcheck >/dev/null || { echo "lint.sh: cppcheck not found (apt-get install -y cppcheck)" >&2; exit 2; }
  echo "== cppcheck on src/"
  cppcheck --enable=warning,performance,portability --std=c++20 --language=c++ --inline-suppr --quiet \
    --error-exitcode=1 -j "$JOBS" -I include -I src --suppress=missingIncludeSystem src || status=1
fi
exit $status
