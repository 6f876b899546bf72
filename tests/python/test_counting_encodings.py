"""TransitionCounts.from_events on logs with random 64-bit lead ids, for every stage
encoding and thread count, shuffled or sorted, against a pandas sort + shift oracle."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

STATES = [str(i) for i in range(12)]  # 10 open stages, then the outcomes "10" and "11"


def make_log(n_leads: int, seed: int) -> pd.DataFrame:
    """Leads with random int64 ids, 1..20 events each, integer times with ties, repeats;
    about 60 % end in an outcome; rows shuffled."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(1, 21, size=n_leads)
    ids = np.unique(rng.integers(-(2**63), 2**63 - 1, size=n_leads + 100, dtype=np.int64))
    ids = rng.permutation(ids)[:n_leads]
    ids[:2] = [np.iinfo(np.int64).min, np.iinfo(np.int64).max]
    lead = np.repeat(ids, lens)
    t = rng.integers(0, 3, size=len(lead)).cumsum()  # 0 steps: ties
    stage = rng.integers(0, 10, size=len(lead))
    last = np.cumsum(lens) - 1
    ends = rng.random(len(last)) < 0.6
    stage[last[ends]] = 10 + rng.integers(0, 2, size=int(ends.sum()))
    t[last[ends]] += 1
    perm = rng.permutation(len(lead))
    return pd.DataFrame({"lead": lead[perm], "time": t[perm], "stage": stage[perm]})


def oracle(df: pd.DataFrame, keep: bool) -> np.ndarray:
    """pandas: stable sort by (lead, time) so ties keep row order, compare each event with
    the lead's previous one, count (from, to) pairs."""
    s = df.sort_values(["lead", "time"], kind="stable")
    prev = s.groupby("lead", sort=False)["stage"].shift(1)
    ok = prev.notna().to_numpy()
    a = prev.to_numpy()[ok].astype(np.int64)
    b = s["stage"].to_numpy()[ok].astype(np.int64)
    same = a == b
    drop = same & ((not keep) | (a >= 10))  # repeats collapse; outcomes have no self-loop
    k = len(STATES)
    return np.bincount(a[~drop] * k + b[~drop], minlength=k * k).reshape(k, k).astype(float)


def encoded(df: pd.DataFrame, encoding: str) -> pd.DataFrame:
    codes = df["stage"].to_numpy()
    if encoding == "integer codes":
        stage = codes.astype(np.int64)
    elif encoding == "Categorical":
        stage = pd.Categorical.from_codes(codes, categories=STATES)
    elif encoding == "object strings":
        stage = pd.Series(np.asarray(STATES, dtype=object)[codes], dtype=object)
    elif encoding == "arrow strings":
        pytest.importorskip("pyarrow")
        stage = pd.Series(np.asarray(STATES)[codes], dtype="string[pyarrow]")
    else:  # Arrow `string` (int32 offsets, read without a cast to large_string)
        pa = pytest.importorskip("pyarrow")
        stage = pd.Series(pa.array(np.asarray(STATES)[codes], type=pa.string()), dtype=pd.ArrowDtype(pa.string()))
    return pd.DataFrame({"lead": df["lead"].to_numpy(), "time": df["time"].to_numpy(), "stage": stage})


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return make_log(15_000, seed=3)  # ~160,000 events: several chunks and partitions


@pytest.mark.parametrize("encoding", ["integer codes", "Categorical", "object strings", "arrow strings",
                                      "arrow string32"])
@pytest.mark.parametrize("repeats", ["collapse", "keep"])
def test_every_encoding_and_thread_count_matches_pandas(log: pd.DataFrame, encoding: str, repeats: str) -> None:
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    want = oracle(log, keep=repeats == "keep")
    assert want.sum() > 50_000
    df = encoded(log, encoding)
    for threads in (0, 1, 2, 3):
        got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel,
                                              repeats=repeats, threads=threads)
        np.testing.assert_array_equal(got.to_frame().reindex(index=STATES, columns=STATES).to_numpy(), want,
                                      err_msg=f"{encoding}, threads={threads}")


def test_sorted_and_shuffled_rows_give_the_same_counts(log: pd.DataFrame) -> None:
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    s = log.sort_values(["lead", "time"], kind="stable").reset_index(drop=True)
    want = oracle(log, keep=False)
    for df in (log, s, log.iloc[::-1].reset_index(drop=True)):
        expect = oracle(df, keep=False)  # reversed rows reverse the order of ties
        got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel, threads=2)
        np.testing.assert_array_equal(got.to_frame().reindex(index=STATES, columns=STATES).to_numpy(), expect)
    np.testing.assert_array_equal(oracle(s, keep=False), want)


def test_a_lead_leaving_an_outcome_is_named_at_every_thread_count(log: pd.DataFrame) -> None:
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    bad = pd.concat([log, pd.DataFrame({"lead": [-42, -42], "time": [10**9, 10**9 + 1], "stage": [10, 3]})],
                    ignore_index=True)
    for threads in (1, 2):
        with pytest.raises(fn.errors.InvalidArgumentError, match="lead -42 leaves absorbing stage '10' for '3'"):
            fn.TransitionCounts.from_events(bad, lead="lead", stage="stage", time="time", funnel=funnel,
                                            threads=threads)


@pytest.mark.parametrize("offset", [3, -7])
def test_integer_stage_ids_need_not_start_at_zero(offset: int) -> None:
    # A CRM's stage ids 3..14 (or -7..4): names are the decimal text of the ids.
    log = make_log(2_000, seed=11)
    names = [str(i + offset) for i in range(12)]
    funnel = fn.Funnel(names[:-2], outcomes=names[-2:])
    df = log.assign(stage=log["stage"] + offset)
    got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel)
    np.testing.assert_array_equal(got.to_frame().reindex(index=names, columns=names).to_numpy(),
                                  oracle(log, keep=False))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_integer_stages_of_any_width_are_read_in_place(log: pd.DataFrame, dtype: type) -> None:
    # Stage ids -3..8 in every integer width (read by C++ through a code map, no int32
    # copy), against the oracle on the 0..11 codes.
    names = [str(i - 3) for i in range(12)]
    funnel = fn.Funnel(names[:-2], outcomes=names[-2:])
    df = log.assign(stage=(log["stage"] - 3).astype(dtype))
    for threads in (1, 2):
        got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel,
                                              threads=threads)
        np.testing.assert_array_equal(got.to_frame().reindex(index=names, columns=names).to_numpy(),
                                      oracle(log, keep=False), err_msg=f"{np.dtype(dtype)}, threads={threads}")


def test_categorical_in_another_order_with_unused_categories(log: pd.DataFrame) -> None:
    # The Categorical's categories: reversed, plus one the funnel lacks (never used).
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    cats = ["unused"] + STATES[::-1]
    stage = pd.Categorical(np.asarray(STATES, dtype=object)[log["stage"].to_numpy()], categories=cats)
    df = log.assign(stage=stage)
    got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel, threads=2)
    np.testing.assert_array_equal(got.to_frame().reindex(index=STATES, columns=STATES).to_numpy(),
                                  oracle(log, keep=False))


def test_bad_integer_or_categorical_stages_are_named(log: pd.DataFrame) -> None:
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    ints = log.assign(stage=log["stage"].astype(np.int16))
    ints.loc[1234, "stage"] = 40  # no state is named "40"
    with pytest.raises(fn.UnknownLabelError, match="stage: row 1234 has unknown label"):
        fn.TransitionCounts.from_events(ints, lead="lead", stage="stage", time="time", funnel=funnel)
    cat = log.assign(stage=pd.Categorical(np.asarray(STATES + ["other"], dtype=object)[log["stage"].to_numpy()],
                                          categories=STATES + ["other"]))
    cat.loc[77, "stage"] = "other"  # a category the funnel lacks, used in row 77
    with pytest.raises(fn.UnknownLabelError, match="stage: row 77 has unknown label 'other'"):
        fn.TransitionCounts.from_events(cat, lead="lead", stage="stage", time="time", funnel=funnel)
    cat.loc[77, "stage"] = np.nan  # a missing stage
    with pytest.raises(fn.InvalidArgumentError, match="row 77"):
        fn.TransitionCounts.from_events(cat, lead="lead", stage="stage", time="time", funnel=funnel)


@pytest.mark.parametrize("layout", ["one sliced chunk", "three chunks"])
def test_chunked_arrow_strings_match_pandas(log: pd.DataFrame, layout: str) -> None:
    # A one-chunk column is read where it is (no combine_chunks copy), an offset included;
    # several chunks are combined first.  Both count as the pandas oracle does.
    pa = pytest.importorskip("pyarrow")
    names = np.asarray(STATES)[log["stage"].to_numpy()]
    if layout == "one sliced chunk":
        whole = pa.array(np.concatenate([["x", "yy"], names]), type=pa.large_string())
        chunked = pa.chunked_array([whole.slice(2)])
        assert chunked.chunk(0).offset == 2
    else:
        k = len(names) // 3
        chunked = pa.chunked_array([pa.array(names[:k]), pa.array(names[k:2 * k]), pa.array(names[2 * k:])])
    stage = pd.Series(pd.arrays.ArrowExtensionArray(chunked))
    assert stage.array.__arrow_array__().num_chunks == chunked.num_chunks
    df = pd.DataFrame({"lead": log["lead"].to_numpy(), "time": log["time"].to_numpy(), "stage": stage})
    funnel = fn.Funnel(STATES[:-2], outcomes=STATES[-2:])
    got = fn.TransitionCounts.from_events(df, lead="lead", stage="stage", time="time", funnel=funnel, threads=2)
    np.testing.assert_array_equal(got.to_frame().reindex(index=STATES, columns=STATES).to_numpy(),
                                  oracle(log, keep=False))
