"""Reading an edge list through a pipe (``cat edges.txt | ... /dev/stdin``) against the
same file read as a regular file, in CPU seconds of the reading process.

A pipe has no size, so the reader counts bytes against ``max_file_bytes`` as it reads
(issue 17); this measures what that costs.  Each run is a fresh ``python`` started as
``cat FILE | python -c ...``; the child reports ``time.process_time()`` around the read.

    python benchmarks/python/read_pipe.py --make 100        # writes /tmp/funnelnet_edges_100MB.txt
    python benchmarks/python/read_pipe.py FILE --repeat 3 [--python OTHER_VENV/bin/python]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, sys, time, funnelnet as fn
path = sys.argv[1]
t0 = time.process_time()
g = fn.ReferralGraph.read_edge_list(path)
print(json.dumps({"cpu_s": time.process_time() - t0, "edges": g.number_of_edges, "nodes": g.number_of_nodes}))
"""


def make(mb: int) -> str:
    import numpy as np

    path = f"/tmp/funnelnet_edges_{mb}MB.txt"
    rng = np.random.default_rng(1)
    m = mb * 75_000  # about 13.8 bytes a line: "u v\n" with ids below 10^6
    with open(path, "w") as f:
        np.savetxt(f, np.column_stack([rng.integers(0, 10**6, m), rng.integers(0, 10**6, m)]), fmt="%d")
    return path


def run(python: str, path: str, pipe: bool) -> dict:
    if pipe:
        cat = subprocess.Popen(["cat", path], stdout=subprocess.PIPE)
        out = subprocess.run([python, "-c", CHILD, "/dev/stdin"], stdin=cat.stdout, capture_output=True, text=True)
        cat.stdout.close()
        cat.wait()
    else:
        out = subprocess.run([python, "-c", CHILD, path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?")
    ap.add_argument("--make", type=int, metavar="MB", help="write a random edge list of about MB megabytes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--python", default=sys.executable, help="interpreter whose funnelnet is measured")
    a = ap.parse_args()
    if a.make:
        print(make(a.make))
        return
    if not a.file:
        ap.error("give FILE or --make MB")
    size = os.path.getsize(a.file)
    print(f"{a.file}: {size / 1e6:.1f} MB, funnelnet from {a.python}, load {os.getloadavg()[0]:.1f}")
    for label, pipe in (("regular file", False), ("pipe (/dev/stdin)", True)):
        runs = [run(a.python, a.file, pipe) for _ in range(a.repeat)]
        cpu = sorted(r["cpu_s"] for r in runs)
        assert len({(r["edges"], r["nodes"]) for r in runs}) == 1
        print(f"{label:18s} cpu min {cpu[0]:.2f} s  median {cpu[len(cpu) // 2]:.2f} s  "
              f"({runs[0]['edges']} edges, {runs[0]['nodes']} nodes)")


if __name__ == "__main__":
    main()
