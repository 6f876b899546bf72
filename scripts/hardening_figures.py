#!/usr/bin/env python3
"""The figures of issue 17 (docs/hardening.md), counted from the test sources and, where
given, from the logs of a run:

    python3 scripts/hardening_figures.py                     # from the sources alone
    python3 scripts/hardening_figures.py --fuzz-logs build/fuzz --build build/release

Bad-input cases (a lower bound: a loop inside one test counts once):
  C++     each expect_error(...) / EXPECT_THROW / ASSERT_THROW / EXPECT_ANY_THROW call
          site in tests/cpp;
  C       each expected error status written in tests/c (an FNET_E_* in a CHECK, outside
          macro definitions) plus each CHECK_REFUSED call of the generated
          tests/c/contract_abi.c (every exported function with NULL / 0 arguments);
  Python  each pytest.raises in a test function, times the number of cases of the
          function's literal @pytest.mark.parametrize lists (1 when not literal).
Fuzzing: the executions of each target in <fuzz-logs>/<target>.log (scripts/fuzz.sh
writes them), with "clean" only when the log holds no sanitizer or libFuzzer error.
Sanitizer runs: the ctest tests that scripts/test.sh runs under ASan+UBSan (all but the
package label) and under TSan (label cpp, its -R filter), counted in --build.
Concurrency stress and kill tests: the sizes written in their tests.
"""
from __future__ import annotations

import argparse
import ast
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_c_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def cpp_cases() -> int:
    n = 0
    for path in glob.glob(os.path.join(ROOT, "tests", "cpp", "**", "*.cpp"), recursive=True):
        text = strip_c_comments(read(path))
        n += len(re.findall(r"\b(?:expect_error|EXPECT_THROW|ASSERT_THROW|EXPECT_ANY_THROW)\s*\(", text))
    return n


def c_cases() -> tuple[int, int]:
    written = refused = 0
    for path in glob.glob(os.path.join(ROOT, "tests", "c", "*.c")):
        text = strip_c_comments(read(path))
        # drop macro definitions (with their continuation lines)
        text = re.sub(r"^\s*#\s*define(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
        refused += len(re.findall(r"\bCHECK_REFUSED\s*\(", text))
        written += len(re.findall(r"\bFNET_E_[A-Z_]+\b", text))
    return written, refused


def _literal_len(node: ast.AST, names: dict[str, int]) -> int:
    if isinstance(node, (ast.List, ast.Tuple)):
        return len(node.elts)
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    return 1


def python_cases() -> int:
    total = 0
    for path in glob.glob(os.path.join(ROOT, "tests", "python", "test_*.py")):
        tree = ast.parse(read(path))
        names = {t.id: len(node.value.elts) for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, (ast.List, ast.Tuple)) for t in node.targets if isinstance(t, ast.Name)}
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or not fn.name.startswith("test"):
                continue
            raises = sum(1 for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                         and c.func.attr == "raises" and isinstance(c.func.value, ast.Name)
                         and c.func.value.id == "pytest")
            if raises == 0:
                continue
            mult = 1
            for d in fn.decorator_list:
                if (isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "parametrize"
                        and len(d.args) >= 2):
                    mult *= _literal_len(d.args[1], names)
            total += raises * mult
    return total


def fuzz_figures(logs: str) -> list[str]:
    out = []
    for log in sorted(glob.glob(os.path.join(logs, "*_fuzzer.log"))):
        text = read(log)
        runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
        secs = re.findall(r"Done \d+ runs in (\d+) second", text)
        bad = re.search(r"ERROR: |SUMMARY: \w+Sanitizer|==\d+==ERROR|deadly signal|Test unit written", text)
        name = os.path.basename(log)[:-4]
        out.append(f"  {name}: {runs[-1] if runs else '?'} executions"
                   f"{' in ' + secs[-1] + ' s' if secs else ''}, {'FAILED (see the log)' if bad else 'clean'}")
    return out or [f"  no *_fuzzer.log in {logs} (run: bash scripts/fuzz.sh 60)"]


def ctest_count(build: str, *args: str) -> int | None:
    try:
        out = subprocess.run(["ctest", "--test-dir", build, "-N", *args], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    m = re.search(r"Total Tests:\s*(\d+)", out)
    return int(m.group(1)) if m else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fuzz-logs", help="folder of scripts/fuzz.sh logs (build/fuzz)")
    ap.add_argument("--build", help="a configured build with tests (build/release) to count the sanitizer runs")
    a = ap.parse_args()

    cpp = cpp_cases()
    c_written, c_refused = c_cases()
    py = python_cases()
    print(f"bad-input cases: {cpp + c_written + c_refused + py} "
          f"(C++ {cpp}, C {c_written + c_refused} = {c_written} written + {c_refused} generated NULL/0 calls, "
          f"Python {py})")

    test_sh = read(os.path.join(ROOT, "scripts", "test.sh"))
    tsan = re.search(r"TSAN_TESTS='([^']*)'", test_sh)
    if a.build:
        asan = ctest_count(a.build, "-LE", "package")
        ts = ctest_count(a.build, "-L", "cpp", "-R", tsan.group(1)) if tsan else None
        print(f"sanitizer runs (per scripts/test.sh): {asan} tests under ASan+UBSan, {ts} under TSan")

    conc = read(os.path.join(ROOT, "tests", "cpp", "graph", "test_concurrency.cpp"))
    m = re.search(r"kCallers\s*=\s*(\d+),\s*kRepeats\s*=\s*(\d+)", conc)
    hard = read(os.path.join(ROOT, "tests", "python", "test_hardening.py"))
    mp = re.search(r"ThreadPoolExecutor\((\d+)\) as ex:\s*\n\s*results = list\(ex\.map\(work, range\((\d+)\)\)\)", hard)
    if m:
        print(f"concurrency stress: C++ {m.group(1)} caller threads x {m.group(2)} repeats on separate and "
              f"shared graphs (each analysis at 1-3 threads)"
              + (f"; Python {mp.group(1)} threads x {mp.group(2)} calls on one shared graph" if mp else ""))

    io = read(os.path.join(ROOT, "tests", "cpp", "core", "test_io_files.cpp"))
    k = re.search(r"KilledWriter[\s\S]*?attempt < (\d+)", io)
    kp = re.search(r'FUNNELNET_KILL_ITERATIONS", "(\d+)"', hard)
    print(f"kill tests: C++ {k.group(1) if k else '?'} SIGKILLed writers, Python "
          f"{kp.group(1) if kp else '?'} (FUNNELNET_KILL_ITERATIONS)")

    if a.fuzz_logs:
        print("fuzzing (scripts/fuzz.sh logs):")
        print("\n".join(fuzz_figures(a.fuzz_logs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
