"""Fast input paths of the funnel: a MarkovChain from a scipy.sparse matrix (absorbing
analysis without a dense copy) against scipy's own sparse LU and against the dense
chain; integer-code stages counted like their string names, against a numpy oracle."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import funnelnet as fn


def banded_funnel(n: int, back: int = 1, seed: int = 0) -> sp.csr_array:
    """n - 2 stages moving forward up to 3 stages and back up to `back`, then won, lost."""
    rng = np.random.default_rng(seed)
    nt = n - 2
    i = np.arange(nt)
    rows, cols = [], []
    for off in [1, 2, 3] + [-b for b in range(1, back + 1)]:
        j = i + off
        ok = (j >= 0) & (j < nt)
        rows.append(i[ok])
        cols.append(j[ok])
    rows += [i, i, np.array([nt, nt + 1])]
    cols += [np.full(nt, nt), np.full(nt, nt + 1), np.array([nt, nt + 1])]
    r, c = np.concatenate(rows), np.concatenate(cols)
    v = rng.uniform(0.05, 1.0, size=len(r))
    v[-2:] = 1.0
    p = sp.csr_array((v, (r, c)), shape=(n, n))
    return sp.csr_array(sp.diags_array(1.0 / p.sum(axis=1)) @ p)


def splu_oracle(p: sp.csr_array, nt: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lu = spla.splu(sp.csc_array(sp.identity(nt) - p[:nt, :nt]))
    x = lu.solve(np.column_stack([p[:nt, nt:].toarray(), np.ones(nt)]))
    t = x[:, -1]
    return x[:, :-1], t, 2 * lu.solve(t) - t - t * t


@pytest.mark.parametrize("n, back", [(7, 1), (300, 1), (2_000, 2), (400, 40)])
def test_sparse_chain_absorption_matches_splu_and_the_dense_chain(n: int, back: int) -> None:
    p = banded_funnel(n, back, seed=n)
    names = [f"s{i}" for i in range(n - 2)] + ["won", "lost"]
    chain = fn.MarkovChain(p, states=names)
    res = chain.absorption()
    b, t, var = splu_oracle(p, n - 2)
    np.testing.assert_allclose(res.probabilities.to_numpy(), b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.expected_steps.to_numpy(), t, rtol=1e-9)
    np.testing.assert_allclose(res.steps_variance.to_numpy(), var, rtol=1e-7)
    assert list(res.probabilities.columns) == ["won", "lost"]
    assert res.probabilities.index.tolist() == names[:-2]
    assert chain.absorbing_states == ["won", "lost"]
    if n <= 400:  # the dense chain gives the same answer (and the sparse one densifies on demand)
        dense = fn.MarkovChain(p.toarray(), states=names)
        pd.testing.assert_frame_equal(dense.absorption().to_frame(), res.to_frame(), rtol=1e-9)
        np.testing.assert_array_equal(chain.to_numpy(), dense.to_numpy())


def test_sparse_chain_accepts_any_scipy_format_and_explicit_absorbing() -> None:
    p = banded_funnel(30, seed=3)
    names = [f"s{i}" for i in range(28)] + ["won", "lost"]
    want = fn.MarkovChain(p, states=names).absorption_probabilities()
    for m in (sp.csc_matrix(p), sp.coo_array(p), sp.csr_matrix(p)):
        got = fn.MarkovChain(m, states=names, absorbing=["won", "lost"]).absorption_probabilities()
        pd.testing.assert_frame_equal(got, want, rtol=1e-13)


def test_sparse_chain_bad_input_names_the_state() -> None:
    p = banded_funnel(10, seed=4).tolil()
    p[3, 4] += 0.5
    names = list("abcdefghij")
    with pytest.raises(fn.errors.InvalidArgumentError, match="'d'"):
        fn.MarkovChain(sp.csr_array(p), states=names)
    q = banded_funnel(10, seed=4).tolil()
    q[2, 3] = -0.1
    with pytest.raises(fn.errors.InvalidArgumentError, match=r"P\['c', 'd'\].*-0.1"):
        fn.MarkovChain(sp.csr_array(q), states=names)
    with pytest.raises(fn.errors.ShapeError):
        fn.MarkovChain(sp.csr_array(np.ones((2, 3)) / 3))
    # Two stages that only move between each other: absorption is undefined.
    loop = sp.csr_array(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1.0]]))
    chain = fn.MarkovChain(loop, states=["x", "y", "won"])
    with pytest.raises(fn.errors.NotAbsorbingError, match="'x', state 'y'"):
        chain.absorption()


def test_integer_code_stages_count_like_their_names() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    lead = rng.integers(-(2**62), 2**62, size=n // 10)[rng.integers(0, n // 10, size=n)]
    t = rng.permutation(n)
    code = rng.integers(0, 6, size=n)
    code[rng.random(n) < 0.1] = 6  # outcome; leads continue after it -> not absorbing here
    funnel = fn.Funnel([str(i) for i in range(7)])
    ints = pd.DataFrame({"lead": lead, "time": t, "stage": code.astype(np.int16)})
    text = ints.assign(stage=code.astype(str))
    a = fn.TransitionCounts.from_events(ints, lead="lead", stage="stage", time="time", funnel=funnel)
    b = fn.TransitionCounts.from_events(text, lead="lead", stage="stage", time="time", funnel=funnel)
    # numpy oracle: sort by (lead, time), count changes of stage.
    o = np.lexsort((t, lead))
    ls, cs = lead[o], code[o]
    ok = (ls[1:] == ls[:-1]) & (cs[1:] != cs[:-1])
    want = np.zeros((7, 7))
    np.add.at(want, (cs[:-1][ok], cs[1:][ok]), 1)
    np.testing.assert_array_equal(a.to_numpy(), want)
    np.testing.assert_array_equal(b.to_numpy(), want)
    # A code without a stage name is named with its row and value.
    bad = ints.copy()
    bad.loc[17, "stage"] = 9
    with pytest.raises(fn.errors.UnknownLabelError, match="row 17 .*9"):
        fn.TransitionCounts.from_events(bad, lead="lead", stage="stage", time="time", funnel=funnel)
    neg = ints.assign(stage=ints["stage"] - 3)
    f2 = fn.Funnel([str(i) for i in range(-3, 4)])
    c = fn.TransitionCounts.from_events(neg, lead="lead", stage="stage", time="time", funnel=f2)
    np.testing.assert_array_equal(c.to_numpy(), want)


def test_sparse_chain_row_sum_message_is_numpys_sum() -> None:
    # The C++ check sums rows the way numpy's add.reduceat does (first entry plus the
    # pairwise sum of the rest), so the reported sum is numpy's to the last bit: rows of
    # 3, 9, 40, 200 and 700 entries, none summing to 1.
    rng = np.random.default_rng(11)
    for width in (3, 9, 40, 200, 700):
        n = width + 2
        dense = np.zeros((n, n))
        dense[0, 1:width + 1] = rng.uniform(0.0, 2.0 / width, size=width)
        dense[1:, :] = np.eye(n)[1:]
        p = sp.csr_array(dense)
        want = np.add.reduceat(p.data, p.indptr[:-1])[0]
        assert abs(want - 1.0) > 1e-9
        with pytest.raises(fn.errors.InvalidArgumentError) as e:
            fn.MarkovChain(p)
        assert str(e.value) == f"row 's0' sums to {want!r}, not 1 (tolerance 1e-09)"


def test_sparse_chain_checks_keep_their_order_and_messages() -> None:
    p = banded_funnel(8, seed=2).tolil()
    names = [f"s{i}" for i in range(6)] + ["won", "lost"]
    bad = p.copy()
    bad[4, 5] = np.nan  # a bad entry is reported before any row sum
    bad[1, 2] += 0.5
    with pytest.raises(fn.errors.InvalidArgumentError) as e:
        fn.MarkovChain(sp.csr_array(bad), states=names)
    assert str(e.value) == "P['s4', 's5'] must be a probability in [0, 1], got np.float64(nan)"
    # An absorbing state whose P[a, a] is not 1, after the unknown-name check.
    with pytest.raises(fn.errors.UnknownLabelError):
        fn.MarkovChain(sp.csr_array(p), states=names, absorbing=["won", "nope"])
    with pytest.raises(fn.errors.InvalidArgumentError) as e:
        fn.MarkovChain(sp.csr_array(p), states=names, absorbing=["won", "lost", "s2"])
    assert str(e.value).startswith("absorbing state 's2' has P['s2', 's2'] = np.float64(0.0), not 1")
    # Trailing empty rows (no entries at all) sum to 0: named, not an IndexError.
    z = sp.csr_array((np.array([1.0]), (np.array([0]), np.array([0]))), shape=(3, 3))
    with pytest.raises(fn.errors.InvalidArgumentError, match="row 's1' sums to np.float64"):
        fn.MarkovChain(z)


def test_sparse_chain_labels_when_outcomes_are_not_last() -> None:
    # Outcomes in the middle and integer state names: rows are taken, not sliced, and
    # the names are str like the dense chain's.
    p = banded_funnel(12, seed=7).toarray()
    order = [0, 10, 1, 2, 3, 11, 4, 5, 6, 7, 8, 9]
    q = p[np.ix_(order, order)]
    states = list(range(100, 112))
    sparse = fn.MarkovChain(sp.csr_array(q), states=states).absorption()
    dense = fn.MarkovChain(q, states=[str(s) for s in states]).absorption()
    pd.testing.assert_frame_equal(sparse.to_frame(), dense.to_frame(), rtol=1e-12)
    assert sparse.probabilities.columns.tolist() == ["101", "105"]
    assert sparse.expected_steps.index.name == "stage"


def test_string_stage_encoders_match_pandas() -> None:
    # The C++ encoders of str columns (Arrow data without the GIL; object arrays through a
    # cache by object) against pandas: codes index the labels, then the other strings in
    # order of first appearance (pd.factorize's order); anything not a str is -1.
    from funnelnet import _core
    from funnelnet._common.convert import arrow_buffers

    rng = np.random.default_rng(8)
    vocab = np.array(["lead", "demo", "a much longer stage name, past 8 bytes", "é-accent", "", "won"], dtype=object)
    # Distinct str objects with equal text too (not only repeated references).
    values = np.array([str(v) + "" if k % 3 else "".join(list(str(v))) for k, v in enumerate(vocab[rng.integers(0, 6, 5_000)])],
                      dtype=object)
    labels = ["won", "demo"]
    order = list(dict.fromkeys(labels + list(pd.unique(values))))
    want = pd.Index(order).get_indexer(values)
    codes, names = _core.funnel.encode_object_labels(values, labels)
    assert names == order
    np.testing.assert_array_equal(codes, want)
    s = pd.Series(values, dtype="string[pyarrow]")
    data, offsets = arrow_buffers(s)
    codes2, names2 = _core.funnel.encode_utf8_labels(data, offsets, labels)
    assert names2 == order
    np.testing.assert_array_equal(codes2, want)
    # Many chunks (n >> 16 of them): any thread count gives the codes and the order of
    # first appearance that pandas gives.
    big = np.concatenate([values] * 60)
    big_s = pd.Series(big, dtype="string[pyarrow]")
    big_data, big_offsets = arrow_buffers(big_s)
    big_want = pd.Index(order).get_indexer(big)
    for threads in (1, 2, 0):
        codes_t, names_t = _core.funnel.encode_utf8_labels(big_data, big_offsets, labels, threads)
        assert names_t == order
        np.testing.assert_array_equal(codes_t, big_want)
    mixed = values.copy()
    mixed[[3, 10]] = [None, 7]
    codes3, _ = _core.funnel.encode_object_labels(mixed, labels)
    assert codes3[3] == -1 and codes3[10] == -1 and (np.delete(codes3, [3, 10]) >= 0).all()


@pytest.mark.parametrize("large_offsets", [False, True])
def test_utf8_encoder_short_strings_match_pandas(large_offsets: bool) -> None:
    # The Arrow encoder reads strings of at most 7 bytes as one word (length and bytes):
    # names of every length from 0 to 9 bytes, names equal but for a trailing NUL or in
    # their last byte, multi-byte UTF-8, and short names in the last 8 bytes of the data
    # (read the general way) against pandas' order of first appearance.
    from funnelnet import _core
    from funnelnet._common.convert import arrow_buffers

    rng = np.random.default_rng(12)
    vocab = ["", "a", "a\x00", "b", "ab", "abcdef", "abcdefg", "abcdefh", "abcdefgh", "abcdefghi", "é", "ée", "\x00"]
    values = [vocab[k] for k in rng.integers(0, len(vocab), 20_000)] + ["abcdefg", "a", "", "ée"]
    labels = ["abcdefh", "a"]
    order = list(dict.fromkeys(labels + values))
    want = pd.Index(order).get_indexer(values)
    s = pd.Series(values, dtype="string[pyarrow]")
    data, offsets = arrow_buffers(s, large_offsets=large_offsets)
    codes, names = _core.funnel.encode_utf8_labels(data, offsets, labels)
    assert names == order
    np.testing.assert_array_equal(codes, want)


@pytest.mark.parametrize("threads", [1, 2])
def test_utf8_encoder_int8_codes_and_offset_checks(threads: int) -> None:
    # narrow=True: int8 codes equal to the int32 ones (and to pandas' order of first
    # appearance) while there are at most 128 names, None beyond; offsets are checked as
    # rows are read, in any chunk: a decreasing offset, one past the data, a negative first.
    from funnelnet import _core
    from funnelnet._common.convert import arrow_buffers

    rng = np.random.default_rng(21)
    vocab = [f"stage {k}" if k % 2 else f"s{k}" for k in range(128)]
    values = [vocab[k] for k in rng.integers(0, 128, 300_000)]  # several chunks
    labels = ["s4", "stage 7"]
    order = list(dict.fromkeys(labels + values))
    assert len(order) == 128
    want = pd.Index(order).get_indexer(values)
    data, offsets = arrow_buffers(pd.Series(values, dtype="string[pyarrow]"))
    codes8, names8 = _core.funnel.encode_utf8_labels(data, offsets, labels, threads, True)
    assert codes8.dtype == np.int8 and names8 == order
    np.testing.assert_array_equal(codes8, want)
    codes32, names32 = _core.funnel.encode_utf8_labels(data, offsets, labels, threads)
    assert codes32.dtype == np.int32 and names32 == order
    np.testing.assert_array_equal(codes32, want)
    # One name more than int8 holds, first seen late (last chunk): None for the codes.
    data2, offsets2 = arrow_buffers(pd.Series(values + ["one more"], dtype="string[pyarrow]"))
    none, _ = _core.funnel.encode_utf8_labels(data2, offsets2, labels, threads, True)
    assert none is None
    codes2, names2 = _core.funnel.encode_utf8_labels(data2, offsets2, labels, threads)
    assert names2 == order + ["one more"] and codes2[-1] == 128
    for narrow in (False, True):
        for where, value in ((200_000, -1), (250_000, len(data) + 1), (0, -3)):
            bad = offsets.copy()
            if value == -1:
                bad[where] = bad[where - 1] - 1  # smaller than the offset before it
            else:
                bad[where] = value
            with pytest.raises(ValueError, match="offsets are not non-decreasing"):
                _core.funnel.encode_utf8_labels(data, bad, labels, threads, narrow)


@pytest.mark.parametrize("kind", ["str", "object", "categorical"])
def test_string_stages_count_like_the_numpy_idiom(kind: str) -> None:
    # Stage names as Arrow strings, object arrays or categoricals, with and without a
    # given funnel, against the numpy oracle; a missing or unknown stage still raises
    # the general path's error naming the row.
    rng = np.random.default_rng(9)
    n = 30_000
    lead = rng.integers(-(2**63), 2**63 - 1, size=n // 8, dtype=np.int64)[rng.integers(0, n // 8, size=n)]
    t = rng.permutation(n)
    code = rng.integers(0, 5, size=n)
    names = np.array(["new", "qualified", "demo", "proposal", "negotiation"], dtype=object)
    col = names[code]
    stage: Any = pd.Series(col, dtype="str") if kind == "str" else pd.Series(col, dtype=object)
    if kind == "categorical":
        stage = stage.astype("category")
    df = pd.DataFrame({"lead": lead, "time": t, "stage": stage})
    assert (df["stage"].dtype == object) == (kind == "object")
    o = np.lexsort((t, lead))
    ls, cs = lead[o], code[o]
    ok = (ls[1:] == ls[:-1]) & (cs[1:] != cs[:-1])
    want = np.zeros((5, 5))
    np.add.at(want, (cs[:-1][ok], cs[1:][ok]), 1)
    funnel = fn.Funnel(list(names))
    for threads in (1, 2):
        got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel, threads=threads)
        np.testing.assert_array_equal(got.to_numpy(), want)
    inferred = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", absorbing=["won"])
    assert list(inferred.to_frame().index) == list(pd.unique(col)) + ["won"]  # first appearance
    frame = inferred.to_frame().reindex(index=list(names), columns=list(names))
    np.testing.assert_array_equal(frame.to_numpy(), want)
    if kind != "categorical":
        bad = df.copy()
        bad.loc[123, "stage"] = "lost?"
        with pytest.raises(fn.errors.UnknownLabelError, match="row 123 .*lost\\?"):
            fn.TransitionCounts.from_events(bad, lead="lead", stage="stage", time="time", funnel=funnel)
        bad.loc[123, "stage"] = None
        with pytest.raises(fn.errors.InvalidArgumentError, match="row 123 is missing"):
            fn.TransitionCounts.from_events(bad, lead="lead", stage="stage", time="time", funnel=funnel)


def test_string_stages_of_a_funnel_with_more_than_128_states_count_like_the_numpy_idiom() -> None:
    # More states than int8 codes hold: the count takes int32 codes and still agrees with
    # the numpy oracle (lexsort by lead and time, pairs of changes of stage).
    rng = np.random.default_rng(33)
    states = [f"stage {k}" for k in range(150)]
    funnel = fn.Funnel(states, outcomes=["won", "lost"])
    n = 40_000
    lead = rng.integers(0, 3_000, size=n)
    t = rng.permutation(n)
    code = rng.integers(0, 150, size=n)
    df = pd.DataFrame({"lead": lead, "time": t, "stage": pd.Series(np.asarray(states, dtype=object)[code], dtype="str")})
    got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel, threads=1)
    order = np.lexsort((t, lead))
    ls, cs = lead[order], code[order]
    keep = (ls[1:] == ls[:-1]) & (cs[1:] != cs[:-1])
    want = np.zeros((152, 152))
    np.add.at(want, (cs[:-1][keep], cs[1:][keep]), 1)
    np.testing.assert_array_equal(got.to_frame().to_numpy(), want)
