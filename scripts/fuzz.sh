#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan + UBSan) in build/fuzz and runs
# each for a bounded time on a copy of its committed seed corpus (libFuzzer seed FUZZ_SEED,
# default 1, so a run is repeatable).  Fails on any crash,
# sanitizer report, leak or timeout (libFuzzer exits non-zero and leaves the input as
# build/fuzz/artifacts/<target>/crash-*; turn each into a regression test).
#   bash scripts/fuzz.sh [seconds per target, default 60] [target ...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(paths_fuzzer event_log_fuzzer graph_files_fuzzer model_json_fuzzer c_abi_fuzzer)
JOBS="${JOBS:-$(nproc)}"
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install -y clang)" >&2; exit 2; }

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O1 -gline-tables-only" \
  -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DFUNNELNET_FUZZ=ON -DFUNNELNET_BUILD_TESTS=OFF -DFUNNELNET_BUILD_SHARED=OFF \
  -DFUNNELNET_BUILD_EXAMPLES=OFF -DFUNNELNET_BUILD_PYTHON=OFF -DFUNNELNET_INSTALL=OFF "${launcher[@]}" >/dev/null
cmake --build build/fuzz -j "$JOBS" --target "${TARGETS[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The targets run side by side, up to JOBS at a time (5 x 60 s take about a minute on a
# CI machine with 5 cores or more).
run_one() {
  local t="$1" work="build/fuzz/corpus/$1" art="build/fuzz/artifacts/$1/" log="build/fuzz/$1.log"
  mkdir -p "$work" "$art"
  cp -n "tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
  if ./build/fuzz/tests/fuzz/"$t" -seed="${FUZZ_SEED:-1}" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -max_len=4096 -print_final_stats=1 -artifact_prefix="$art" "$work" >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
    echo "   $t: $runs executions in ${SECONDS_EACH}s, no crash, leak or timeout"
  else
    echo "   $t: FAILED (see $log and $art)"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 || true
    return 1
  fi
}
echo "== fuzzing ${#TARGETS[@]} targets for ${SECONDS_EACH}s each, $JOBS at a time"
status=0
pids=()
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$JOBS" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
