#!/usr/bin/env bash
# Two builds of the core in one process, alternated call by call: an A/B of
# TransitionCounts::from_events that holds on a loaded machine (both sides see the same
# load at the same moment; CPU seconds per call, median of the B/A ratios of adjacent calls).
#
#   benchmarks/ab/ab_counts.sh SRC_A SRC_B [ROUNDS [MODE [EVENTS [THREADS]]]]
#
# SRC_A, SRC_B: two source trees (e.g. a `git worktree` of main and your branch).  Each core
# is built Release into /tmp/ab_core_{A,B} with its namespace renamed (-Dfunnelnet=funnelnetA
# / funnelnetB), so both link into one program.  MODE: 8 (int8 codes through an identity
# map, a Categorical), 64 (int64 codes), 32 (int32 stage indices).  Prints A's and B's CPU
# seconds (min, median) and the median B/A ratio with its quartiles; stops if the two
# counts differ.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd)
shift 2
out=${AB_DIR:-/tmp/ab_counts}
mkdir -p "$out"
for v in A B; do
  src=$a
  [ "$v" = B ] && src=$b
  cmake -S "$src" -B "/tmp/ab_core_$v" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_TESTS=OFF \
    -DFUNNELNET_BUILD_PYTHON=OFF -DCMAKE_CXX_FLAGS="-Dfunnelnet=funnelnet$v" > "$out/cfg_$v.log"
  ninja -C "/tmp/ab_core_$v" funnelnet_core > "$out/build_$v.log"
  g++ -O2 -std=c++20 -Dfunnelnet=funnelnet$v -DFUNNELNET_AB_RUN=run$v -I"$src/include" -isystem /usr/include/eigen3 \
    -c "$here/ab_call.cpp" -o "$out/call_$v.o"
done
g++ -O2 -std=c++20 "$here/ab_counts.cpp" "$out/call_A.o" "$out/call_B.o" /tmp/ab_core_A/libfunnelnet_core.a \
  /tmp/ab_core_B/libfunnelnet_core.a -lpthread -o "$out/ab_counts"
"$out/ab_counts" "$@"
