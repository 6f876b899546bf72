#!/usr/bin/env bash
# Runs every test: GoogleTest (ctest), the pure-C ABI tests, the package consumer test,
# pytest, then the C++ and C tests again under AddressSanitizer + UBSan, the C ABI baseline
# (abidiff), the threaded tests under ThreadSanitizer and the libFuzzer targets
# (FUZZ_SECONDS each, default 60, the C ABI call-sequence target included), and static
# analysis (scripts/lint.sh: clang-tidy with the curated .clang-tidy checks, cppcheck).
# Installs whatever is missing first.  Exits non-zero if any test fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
FUNNELNET_WITH_TESTS=1 bash scripts/bootstrap.sh
JOBS="${JOBS:-$(nproc)}"

echo "== C++ / C build and tests (Release), with the Python module and the header check"
# The core is compiled once for the library, the tests and the Python module.
# FUNNELNET_CHECK_HEADERS: every public header compiled alone (opt-in, on here and so in CI).
PY="$ROOT/.venv/bin/python"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_TESTS=ON \
  -DFUNNELNET_CHECK_HEADERS=ON -DFUNNELNET_BUILD_PYTHON=ON -DPython_EXECUTABLE="$PY" -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" >/dev/null
cmake --build build/release -j "$JOBS"
ctest --test-dir build/release --output-on-failure -j "$JOBS"

echo "== static analysis: clang-tidy (curated .clang-tidy checks) and cppcheck on src/; any finding fails"
bash scripts/lint.sh

echo "== Python package (the module built above, installed with pip) and pytest"
bash scripts/build_python.sh build/release
# Doctests run against the installed package (--pyargs), from outside the source tree.
(cd build && "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/python" --doctest-modules --pyargs funnelnet)

echo "== C++ / C tests under AddressSanitizer + UndefinedBehaviorSanitizer"
# allocator_may_return_null: an impossible allocation (hardening_abi.c asks for 2^61 bytes)
# fails as it does without ASan, so the test sees FNET_E_NO_MEMORY instead of an abort.
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFUNNELNET_SANITIZE=ON \
  -DFUNNELNET_BUILD_TESTS=ON -DFUNNELNET_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$JOBS" -LE package

echo "== C ABI baseline: abidiff of build/release against abi/libfunnelnet.abi (added functions pass)"
bash scripts/abi_check.sh build/release

echo "== threaded code under ThreadSanitizer (counting, PageRank, diffusion, IMM, attribution, posterior, repeat buying)"
# Only the tests that run the threads= paths, and the concurrency stress (bounded: --timeout).
TSAN_TESTS='Thread|Parallel|Concurren|AnyThread|Posterior|PageRank|Signgam'
cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" -DFUNNELNET_SANITIZE=thread \
  -DFUNNELNET_BUILD_TESTS=ON -DFUNNELNET_BUILD_SHARED=OFF -DFUNNELNET_BUILD_EXAMPLES=OFF \
  -DFUNNELNET_BUILD_PYTHON=OFF >/dev/null
cmake --build build/tsan -j "$JOBS" --target test_cpp
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
  ctest --test-dir build/tsan --output-on-failure -j "$JOBS" -L cpp -R "$TSAN_TESTS" --timeout 600

echo "== libFuzzer targets (tests/fuzz), ${FUZZ_SECONDS:-60} s each: any crash, leak or timeout fails"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

echo "== all tests passed"
