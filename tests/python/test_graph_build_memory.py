"""ReferralGraph.from_edges with int64 ids: no Python-side copy of the node ids (the
labels are a read-only view of the C++ graph's ids), checked with tracemalloc, with
numpy's sorted unique ids as the oracle for the labels."""
from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn


def _traced_peak(f):
    gc.collect()
    tracemalloc.start()
    try:
        out = f()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


@pytest.mark.parametrize("dense", [False, True])
def test_from_edges_int64_allocates_no_copy_of_the_node_ids(dense):
    rng = np.random.default_rng(7)
    m = 500_000
    hi = 3 * m if dense else 2**62  # compact ids (bitmap path) or random 64-bit CRM ids
    s, d = rng.integers(0, hi, m), rng.integers(0, hi, m)
    g, peak = _traced_peak(lambda: fn.ReferralGraph.from_edges(s, d))
    want = np.unique(np.concatenate([s, d]))
    assert np.array_equal(g.nodes.to_numpy(), want)
    # One copy of the ids alone would be 8 bytes a node (about 7 MB here); the Python
    # side now allocates next to nothing (the C++ work is not traced).
    assert peak < 8 * len(want) / 8, (peak, len(want))
    assert not g.nodes.to_numpy().flags.writeable


def test_node_labels_outlive_the_graph_and_stay_read_only():
    s = np.array([10, 20, 30], dtype=np.int64)
    d = np.array([20, 30, 40], dtype=np.int64)
    g = fn.ReferralGraph.from_edges(s, d)
    labels = g.nodes
    del g
    gc.collect()
    assert labels.tolist() == [10, 20, 30, 40]
    with pytest.raises(ValueError):
        labels.to_numpy()[0] = 1
    # The labels still index results as before.
    g2 = fn.ReferralGraph.from_edges(s, d)
    assert g2.degree().loc[pd.Index([40, 10])].tolist() == [0, 1]


def test_strided_and_int32_ids_are_converted_and_equal():
    e = np.array([[1, 2], [2, 3], [3, 1], [5, 1]], dtype=np.int64)
    g = fn.ReferralGraph.from_edges(e[:, 0], e[:, 1])  # strided columns
    g32 = fn.ReferralGraph.from_edges(e[:, 0].astype(np.int32), e[:, 1].astype(np.int32))
    assert g.nodes.tolist() == g32.nodes.tolist() == [1, 2, 3, 5]
    assert g.edges()[["source", "target"]].values.tolist() == [[1, 2], [2, 3], [3, 1], [5, 1]]
