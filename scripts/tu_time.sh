#!/usr/bin/env bash
# Compiler launcher that records the cost of every translation unit, for build-cost
# measurements (docs/benchmarks.md, "Build cost"):
#   cmake -S . -B /tmp/m -G Ninja -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_TESTS=ON \
#     "-DCMAKE_CXX_COMPILER_LAUNCHER=$PWD/scripts/tu_time.sh;/tmp/m.tu" \
#     "-DCMAKE_C_COMPILER_LAUNCHER=$PWD/scripts/tu_time.sh;/tmp/m.tu"
#   ninja -C /tmp/m
#   awk '{s += $2 + $3} END {print s " CPU s"}' /tmp/m.tu          # total
#   awk '{print $2 + $3, $4, $5}' /tmp/m.tu | sort -rn | head         # heaviest TUs
# Appends one line per compile to LOG: wall s, user s, sys s, peak KB, output file.
set -euo pipefail
log="$1"
shift
out=""
prev=""
for a in "$@"; do
  [ "$prev" = "-o" ] && out="$a"
  prev="$a"
done
exec /usr/bin/time -a -o "$log" -f "%e %U %S %M $out" "$@"
