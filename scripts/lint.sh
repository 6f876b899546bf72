#!/usr/bin/env bash
# Static analysis of the C++ sources (issue 17), a step of scripts/test.sh: clang-tidy
# with the curated checks of .clang-tidy (project headers only) and cppcheck (warning,
# performance, portability).  Any finding fails.  Fix a finding at its root; a false
# positive is suppressed on its line with the reason (// NOLINT(check): why, or
# // cppcheck-suppress id).
#   bash scripts/lint.sh                  # both tools over src/
#   bash scripts/lint.sh tidy 'src/core/' # clang-tidy on files matching a regex
#   bash scripts/lint.sh cppcheck         # cppcheck alone
# Cost (2 cores, docs/hardening.md): clang-tidy is about 2/3 checks and 1/3 parsing of
# Eigen, Boost and nlohmann/json; the curated set keeps the whole step within a few
# minutes.  cppcheck checks one configuration (-D as the Release build; --max-configs=1),
# reads no system or Eigen headers, and keeps its per-file results in
# build/lint/cppcheck, so an unchanged file is not analysed again.
# clang-tidy needs a compile database without GCC precompiled headers (a GCC .gch is
# unreadable to clang): build/lint is configured (never built) with FUNNELNET_PCH=OFF
# and FUNNELNET_UNITY=OFF (clang-tidy checks each source file, not the unity TUs)
# for that, separately from build/release.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WHAT="${1:-all}"
FILES="${2:-src/}"
JOBS="${JOBS:-$(nproc)}"
status=0

if [ "$WHAT" = all ] || [ "$WHAT" = tidy ]; then
  command -v run-clang-tidy >/dev/null || { echo "lint.sh: run-clang-tidy not found (apt-get install -y clang-tidy)" >&2; exit 2; }
  cmake -S . -B build/lint -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_PCH=OFF -DFUNNELNET_UNITY=OFF -DFUNNELNET_BUILD_TESTS=OFF \
    -DFUNNELNET_BUILD_PYTHON=OFF -DFUNNELNET_BUILD_EXAMPLES=OFF >/dev/null
  echo "== clang-tidy (.clang-tidy) on files matching '$FILES', $JOBS at a time"
  start=$SECONDS
  # run-clang-tidy 14 has no -warnings-as-errors: a finding is any "warning:" or "error:"
  # line of its output (it also echoes every command and the suppressed counts).
  tidy_rc=0
  run-clang-tidy -p build/lint -j "$JOBS" -quiet "$FILES" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >build/lint/clang-tidy.log ||
    tidy_rc=$?
  if grep -E "(warning|error):" build/lint/clang-tidy.log | sort -u | grep . || [ $tidy_rc != 0 ]; then
    status=1
    echo "lint.sh: clang-tidy found problems (exit $tidy_rc; whole output: build/lint/clang-tidy.log)"
  fi
  echo "   clang-tidy: $((SECONDS - start)) s"
fi

if [ "$WHAT" = all ] || [ "$WHAT" = cppcheck ]; then
  command -v cppcheck >/dev/null || { echo "lint.sh: cppcheck not found (apt-get install -y cppcheck)" >&2; exit 2; }
  echo "== cppcheck on src/"
  start=$SECONDS
  mkdir -p build/lint/cppcheck
  cppcheck --enable=warning,performance,portability --std=c++20 --language=c++ --inline-suppr --quiet \
    --error-exitcode=1 -j "$JOBS" --max-configs=1 --cppcheck-build-dir=build/lint/cppcheck \
    -DNDEBUG -D__GNUC__ -D__x86_64__ -D__GLIBC__ -D__linux__ -DFNET_BUILDING_LIBRARY \
    -I include -I src --suppress=missingIncludeSystem src || status=1
  echo "   cppcheck: $((SECONDS - start)) s"
fi
exit $status
