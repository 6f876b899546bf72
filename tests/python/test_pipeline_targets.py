"""fn.pipeline.allocate_target against its definition checked here: sums match at every
level of the hierarchy, every integer part is the floor or the ceiling of its exact
proportional quota given its parent, and the proportional split equals target * w / sum(w)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError


def weights(seed=0):
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product([["p1", "p2", "p3"], ["north", "south", "east"], range(1, 13)],
                                     names=["product", "region", "month"])
    return pd.Series(rng.gamma(2.0, 1.0, len(idx)), index=idx)


@pytest.mark.parametrize("target", [0, 1, 97, 1000, 12345])
def test_integer_split_is_consistent_at_every_level(target):
    w = weights(target)
    a = fn.pipeline.allocate_target(target, w, integer=True)
    assert a.dtype.kind == "i" and a.sum() == target and (a >= 0).all()
    # each level: a child's total is floor/ceil of its quota of the parent's total
    for level in range(3):
        names = ["product", "region", "month"][: level + 1]
        child = a.groupby(level=names).sum()
        cw = w.groupby(level=names).sum()
        if level == 0:
            parent_total = pd.Series(target, index=child.index)
            parent_w = pd.Series(w.sum(), index=child.index)
        else:
            up = names[:-1]
            parent_total = a.groupby(level=up).sum().reindex(child.index.droplevel(-1)).to_numpy()
            parent_w = w.groupby(level=up).sum().reindex(child.index.droplevel(-1)).to_numpy()
        quota = np.asarray(parent_total) * cw.to_numpy() / np.asarray(parent_w)
        got = child.to_numpy()
        assert np.all((got == np.floor(quota)) | (got == np.ceil(quota)))


def test_proportional_split():
    w = weights(1)
    a = fn.pipeline.allocate_target(5000.0, w)
    np.testing.assert_allclose(a.to_numpy(), 5000.0 * w.to_numpy() / w.sum())
    assert a.index.equals(w.index)


def test_bad_input():
    w = weights(2)
    bad = w.copy()
    bad.iloc[4] = -1.0
    with pytest.raises(InvalidArgumentError, match="row 4"):
        fn.pipeline.allocate_target(10, bad)
    with pytest.raises(InvalidArgumentError, match="target"):
        fn.pipeline.allocate_target(-1, w)
    with pytest.raises(InvalidArgumentError, match="integer"):
        fn.pipeline.allocate_target(10.5, w, integer=True)
    with pytest.raises(InvalidArgumentError, match="zero"):
        fn.pipeline.allocate_target(10, w * 0)
