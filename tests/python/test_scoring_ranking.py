"""The CRM 1-99 score and priority tiers (C++ funnelnet::score_1_99 / priority_tiers)
against the numpy formulas they replace: round(100 p) clipped to 1..99 (rint: halves to
even) and the stable-argsort rank cut at rint(cumsum(shares) n), on ties and edge shares."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.scoring import LeadScorer


def numpy_score(p: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(100.0 * p), 1, 99).astype(np.int64)


def numpy_tiers(score: np.ndarray, shares: np.ndarray) -> np.ndarray:
    n = score.shape[0]
    order = np.argsort(-score, kind="stable")
    bounds = np.rint(np.cumsum(shares) * n).astype(np.int64)
    codes = np.empty(n, dtype=np.int64)
    codes[order] = np.minimum(np.searchsorted(bounds, np.arange(n), side="right"), len(shares) - 1)
    return codes


def test_score_1_99_is_the_numpy_formula_on_halves_and_edges() -> None:
    halves = np.arange(0, 101) / 100.0 + 0.005  # k.5 / 100: every rounding tie
    p = np.concatenate([[0.0, 1.0, 0.004, 0.005, 0.015, 0.985, 0.995, 0.125, 0.135], halves[halves <= 1.0],
                        np.random.default_rng(0).random(10_000)])
    got = fn.scoring.score_1_99(p)
    np.testing.assert_array_equal(got.to_numpy(), numpy_score(p))
    assert got.name == "score" and got.dtype == np.int64
    assert got.min() == 1 and got.max() == 99


@pytest.mark.parametrize("shares", [(0.1, 0.3, 0.6), (0.25, 0.25, 0.25, 0.25), (0.0, 0.5, 0.5), (1.0,),
                                    (0.5, 0.0, 0.5), (0.15, 0.35, 0.5), (1 / 3, 1 / 3, 1 / 3), (0.6, 0.4, 0.0)])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 40, 401])
def test_tiers_are_the_numpy_rank_cut_with_ties_in_row_order(shares: tuple[float, ...], n: int) -> None:
    rng = np.random.default_rng(n)
    score = np.round(rng.normal(size=n), 1)  # many ties
    sh = np.asarray(shares)
    labels = [f"T{k}" for k in range(len(shares))]
    got = fn.scoring.priority_tiers(score, shares, labels)
    np.testing.assert_array_equal(got.cat.codes.to_numpy(), numpy_tiers(score, sh))
    assert list(got.cat.categories) == labels and got.cat.ordered


def test_all_tied_scores_keep_row_order() -> None:
    got = fn.scoring.priority_tiers(np.zeros(10), (0.25, 0.25, 0.5))  # bounds rint(2.5) = 2, 5, 10
    assert got.tolist() == ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"]


def test_lead_scorer_views_call_the_same_functions() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(250, 3)), index=pd.Index(np.arange(250) + 100, name="lead"))
    y = (rng.random(250) < 1 / (1 + np.exp(-X[0]))).astype(int)
    m = LeadScorer(tier_shares=(0.2, 0.3, 0.5)).fit(X, y)
    p = m.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(m.score_1_99(X).to_numpy(), numpy_score(p))
    t = m.tiers(X)
    np.testing.assert_array_equal(t.cat.codes.to_numpy(), numpy_tiers(m.decision_function(X), np.array([0.2, 0.3, 0.5])))
    assert t.index.equals(X.index) and m.score_1_99(X).index.equals(X.index)


def test_bad_input_is_named() -> None:
    with pytest.raises(fn.InvalidArgumentError, match=r"p\[2\] must be a probability in \[0, 1\], got 1.5"):
        fn.scoring.score_1_99([0.1, 0.2, 1.5])
    with pytest.raises(fn.InvalidArgumentError, match=r"p\[0\].*nan"):
        fn.scoring.score_1_99([np.nan])
    with pytest.raises(fn.InvalidArgumentError, match=r"score\[1\] is NaN"):
        fn.scoring.priority_tiers([0.1, np.nan])
    with pytest.raises(fn.InvalidArgumentError, match=r"shares\[1\] must be finite and >= 0, got -0.1"):
        fn.scoring.priority_tiers([0.1, 0.2], (0.6, -0.1, 0.5))
    with pytest.raises(fn.InvalidArgumentError, match="shares must sum to 1, got 0.9"):
        fn.scoring.priority_tiers([0.1, 0.2], (0.3, 0.3, 0.3))
    with pytest.raises(fn.InvalidArgumentError, match=r"one entry per tier"):
        fn.scoring.priority_tiers([0.1, 0.2], (0.5, 0.5), ("A", "B", "C"))
    m = LeadScorer(tier_shares=(0.5, 0.6), tier_labels=("A", "B")).fit(np.arange(8.0).reshape(-1, 1), [0, 1] * 4)
    with pytest.raises(fn.InvalidArgumentError, match=r"tier_shares .*\(0.5, 0.6\).*sum to 1, got 1.1"):
        m.tiers(np.zeros((3, 1)))
