"""Ready-made baselines (issue 14): each picks exactly its columns of the feature frame
by name, equals a LeadScorer fitted by hand on those columns, runs in compare beside the
all-features scorer, which ranks held-out leads of the synthetic company at least as well
as each baseline."""
from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.errors import InputTypeError, UnknownLabelError

REFERRAL = {"referred", "referrals_made", "pagerank", "referrer_pagerank", "referrer_conversion"}


@pytest.fixture(scope="module")
def company():
    """Every closed lead of the synthetic company, scored 30 days after its start."""
    crm = fn.datasets.synthetic_crm(n_accounts=6000, seed=3)
    L = crm.leads[crm.leads["outcome"] != "open"]
    X = fn.scoring.features(crm, cutoff=L["start"] + pd.Timedelta(days=30))
    y = (L.loc[X.index, "outcome"] == "won").astype(int).to_numpy()
    return crm, X, y


def expected_columns(X: pd.DataFrame) -> dict[str, set[str]]:
    cols = [str(c) for c in X.columns]
    stage = {c for c in cols if c.startswith("stage=")}
    tier = {c for c in cols if c.startswith("tier=")}
    referrer_tier = {c for c in cols if c.startswith("referrer_tier=")}
    return {"all": set(cols), "stage": stage, "tier": tier, "referral": stage | REFERRAL | referrer_tier}


def test_each_baseline_uses_exactly_its_columns(company):
    crm, X, y = company
    want = expected_columns(X)
    stages = [s for s in crm.events["stage"].cat.categories if s not in ("won", "lost")]
    assert want["stage"] == {f"stage={s}" for s in stages} | {"stage=other"}
    assert want["tier"] == {"tier=A", "tier=B", "tier=C", "tier=other"}
    assert {"referrer_tier=A", "referrer_tier=other"} <= want["referral"]
    models = fn.scoring.baselines(C=0.01, standardize=True)
    assert set(models) == set(want)
    for name, m in models.items():
        m.fit(X, y)
        used = set(map(str, m.feature_names_in_))
        assert used == want[name], name
        assert m.n_features_in_ == len(want[name])
        if name != "all":
            assert isinstance(m, fn.scoring.ColumnScorer)
            assert list(m.columns_) == list(m.feature_names_in_)
            assert list(m.columns_) == [c for c in X.columns if c in want[name]]  # the frame's order


def test_a_baseline_equals_a_lead_scorer_fitted_by_hand(company):
    _, X, y = company
    for make in (fn.scoring.stage_baseline, fn.scoring.tier_baseline, fn.scoring.referral_baseline):
        b = make(C=0.1, standardize=True).fit(X, y)
        cols = list(b.columns_)
        h = fn.scoring.LeadScorer(C=0.1, standardize=True).fit(X[cols], y)
        np.testing.assert_allclose(b.coef_, h.coef_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(b.intercept_, h.intercept_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(b.predict_proba(X), h.predict_proba(X[cols]), rtol=0, atol=1e-12)
        # columns are taken by name: a shuffled frame gives the same scores
        shuffled = X[list(np.random.default_rng(0).permutation(X.columns))]
        np.testing.assert_array_equal(b.predict_proba(shuffled), b.predict_proba(X))
        pd.testing.assert_frame_equal(b.contributions(X), h.contributions(X[cols]))


def test_compare_of_baselines_equals_compare_with_columns(company):
    """In compare, a baseline scores the held-out rows exactly as a LeadScorer restricted
    with compare(columns=)."""
    _, X, y = company
    b = fn.scoring.baselines(C=0.01, standardize=True)
    c = fn.scoring.compare({"tier": b["tier"], "referral": b["referral"]}, X, y, replicates=50)
    hand = fn.scoring.compare({"tier": fn.scoring.LeadScorer(C=0.01, standardize=True),
                               "referral": fn.scoring.LeadScorer(C=0.01, standardize=True)}, X, y, replicates=50,
                              columns={"tier": [c for c in X.columns if c.startswith("tier=")],
                                       "referral": b["referral"].fit(X, y).columns_})
    np.testing.assert_allclose(c.oof.to_numpy(), hand.oof.to_numpy(), rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(c.pairs, hand.pairs)


def test_all_features_rank_at_least_as_well_as_each_baseline_held_out(company):
    _, X, y = company
    c = fn.scoring.compare(fn.scoring.baselines(C=0.01, standardize=True), X, y, folds=5, replicates=200)
    mean_auc = c.folds.groupby("scorer")["roc_auc"].mean()
    pooled = {k: fn.scoring.metrics.roc_auc(y, c.oof[k]) for k in c.oof}
    for name in ("stage", "tier", "referral"):
        assert mean_auc["all"] >= mean_auc[name], (name, mean_auc.to_dict())
        assert pooled["all"] >= pooled[name], (name, pooled)
    assert mean_auc["all"] > 0.6
    # the funnel stage carries signal; the baselines are no strawmen
    assert mean_auc["stage"] > 0.6 and mean_auc["referral"] > 0.6


def test_column_scorer_is_a_clonable_estimator(company):
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    _, X, y = company
    m = fn.scoring.referral_baseline(C=0.5)
    assert m.get_params()["columns"] == ("stage=", "referred", "referrals_made", "pagerank", "referrer_pagerank",
                                         "referrer_conversion", "referrer_tier=")
    assert m.get_params()["C"] == 0.5
    k = clone(m)
    assert type(k) is fn.scoring.ColumnScorer and k.get_params() == m.get_params()
    assert repr(fn.scoring.stage_baseline()) == "ColumnScorer(columns=('stage=',))"
    assert m.set_params(columns=("tier=",)) is m and m.columns == ("tier=",)
    scores = cross_val_score(fn.scoring.tier_baseline(), X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    fitted = fn.scoring.tier_baseline().fit(X, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    # None: every column, as LeadScorer
    every = fn.scoring.ColumnScorer(C=0.01, standardize=True).fit(X, y)
    np.testing.assert_allclose(every.coef_, fn.scoring.LeadScorer(C=0.01, standardize=True).fit(X, y).coef_,
                               rtol=0, atol=1e-10)


def test_select_columns_and_bad_input(company):
    _, X, y = company
    names = ["stage=a", "tier=A", "referrer_tier=A", "pagerank", "tier=other"]
    assert fn.scoring.baselines  # the function, not the module
    from funnelnet.scoring.baselines import select_columns

    assert select_columns(names, ("tier=",)) == ["tier=A", "tier=other"]
    assert select_columns(names, ("pagerank", "stage=", "pagerank")) == ["stage=a", "pagerank"]
    with pytest.raises(UnknownLabelError, match="'page'"):
        select_columns(names, ("page",))  # exact names only, without a trailing '='
    with pytest.raises(InputTypeError, match="string"):
        select_columns(names, "tier=")
    with pytest.raises(InputTypeError, match="DataFrame"):
        fn.scoring.stage_baseline().fit(X.to_numpy(), y)
    with pytest.raises(UnknownLabelError, match="no column matches 'tier='"):
        fn.scoring.tier_baseline().fit(X.drop(columns=[c for c in X.columns if c.startswith("tier=")]), y)
    m = fn.scoring.tier_baseline().fit(X, y)
    with pytest.raises(UnknownLabelError, match="tier=A"):
        m.predict_proba(X.drop(columns=["tier=A"]))
    with pytest.raises(InputTypeError, match="DataFrame"):
        m.predict_proba(X[m.columns_].to_numpy())
