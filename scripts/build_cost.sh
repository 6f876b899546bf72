#!/usr/bin/env bash
# Build cost of a clean tree, per group (issue 11; docs/benchmarks.md "Build cost").
#
#   scripts/build_cost.sh SRC BUILD [cmake args...]   configure SRC into a clean BUILD (deleted
#                                                     first), build it with ninja, print the table
#   scripts/build_cost.sh --table BUILD.tu            print the table of an existing log
#
# Library + C ABI + Python module + C++/C tests + examples, Release, no ccache; add
# -DFUNNELNET_CHECK_HEADERS=ON to the cmake args for the header check (opt-in) too.
# Every compile AND link goes through scripts/tu_time.sh (as the compiler and linker launcher), which appends "wall user sys peakKB output" to BUILD.tu.  The
# module's LTO link is a link, so it is counted here (it is not a compile).
# Environment: JOBS (ninja -j, default 2), PY (the Python with pybind11, default .venv's).
# CPU seconds inflate under load: measure two trees back to back (or side by side) under
# the same load and compare those, never against a figure taken at another time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

table() {
  local log=$1
  # Last line per output (a rebuilt object counts once); group by output path.
  awk '
    { last[$5] = $0 }
    END {
      for (o in last) {
        split(last[o], f, " ")
        g = "other"
        if (o ~ /bindings\/python\/.*\.so$/) g = "5 module link (LTO)"
        else if (o ~ /\.(o|gch)$/) {
          if (o ~ /funnelnet_core\.dir\//) g = "1 core src/<area> (+ PCH)"
          else if (o ~ /CMakeFiles\/funnelnet\.dir\//) g = "2 C ABI src/c_api"
          else if (o ~ /bindings\/python\//) g = "4 Python module compiles"
          else if (o ~ /header_check_cxx/) g = "7 header check C++"
          else if (o ~ /header_check_c\.dir/) g = "8 header check C"
          else if (o ~ /tests\/CMakeFiles\/test_/) g = "6 C++ tests (+ PCH)"
          else if (o ~ /tests\/CMakeFiles\/c_/) g = "9 C tests"
          else if (o ~ /examples\//) g = "a examples"
          else if (o ~ /benchmarks\//) g = "c benchmarks (not in total)"
          else g = "b other compiles"
        } else if (o ~ /benchmarks\//) g = "c benchmarks (not in total)"
        else g = "d links (other)"
        cpu = f[2] + f[3]
        s[g] += cpu; n[g]++
        if (f[4] > pk[g]) pk[g] = f[4]
        if (cpu > big[g]) { big[g] = cpu; bigo[g] = o }
        if (g !~ /^c /) tot += cpu
      }
      for (g in s) {
        name = substr(g, 3); b = bigo[g]; sub(/.*\//, "", b)
        printf "%s|%-28s | %7.1f | %3d | %5.0f | %s %.1f\n", g, name, s[g], n[g], pk[g] / 1024, b, big[g]
      }
      printf "z|%-28s | %7.1f |     |       |\n", "total (compiles + links)", tot
    }' "$log" | sort | cut -d'|' -f2- |
    { printf "%-28s | %7s | %3s | %5s | %s\n" "group" "CPU s" "n" "MiB" "heaviest (CPU s)"; cat; }
}

if [ "${1:-}" = "--table" ]; then
  table "$2"
  exit 0
fi

src=$(cd "$1" && pwd)
bld=$2
shift 2
py=${PY:-$here/../.venv/bin/python}
log=$bld.tu
rm -rf "$bld" "$log"
launch="$here/tu_time.sh;$log"
env -u CMAKE_CXX_COMPILER_LAUNCHER -u CMAKE_C_COMPILER_LAUNCHER cmake -S "$src" -B "$bld" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DFUNNELNET_BUILD_TESTS=ON -DFUNNELNET_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE="$py" -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)" \
  "-DCMAKE_CXX_COMPILER_LAUNCHER=$launch" "-DCMAKE_C_COMPILER_LAUNCHER=$launch" \
  "-DCMAKE_CXX_LINKER_LAUNCHER=$launch" "-DCMAKE_C_LINKER_LAUNCHER=$launch" "$@" > "$bld.cfg" 2>&1
echo "== $src -> $bld: start $(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "ninja: %U user %S sys %e wall %M KB peak" ninja -C "$bld" -j"${JOBS:-2}" > "$bld.log" 2>&1 ||
  { tail -20 "$bld.log"; exit 1; }
tail -1 "$bld.log"
echo "== end $(date +%T), load $(cut -d" " -f1-3 /proc/loadavg)"
table "$log"
