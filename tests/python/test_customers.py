"""Customers: repeat-buying fits against published CDNOW estimates and lifetimes (oracle
only), summaries against lifetimes and a pandas brute force, grading and tier migration
against pandas brute force, the Pfeifer-Carraway example, and bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

import lifetimes  # noqa: E402  (test oracle: tests/requirements/customers.txt)


@pytest.fixture(scope="module")
def cdnow(shared_data):
    # customers/cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar (weeks)
    return pd.read_csv(shared_data / "customers" / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def master(shared_data):
    # customers/CDNOW_master.txt: customer_id, date YYYYMMDD, number_of_cds, dollar_value
    df = pd.read_csv(shared_data / "customers" / "CDNOW_master.txt", sep=r"\s+")
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


@pytest.fixture(scope="module")
def bg(cdnow):
    return fn.customers.BetaGeo().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


@pytest.fixture(scope="module")
def pnbd(cdnow):
    return fn.customers.ParetoNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_bgnbd_published_and_lifetimes_ll(bg, cdnow):
    p = bg.params_
    assert bg.converged_
    np.testing.assert_allclose(p[["r", "alpha", "a", "b"]], [0.243, 4.414, 0.793, 2.426], atol=5e-4)
    assert bg.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    # lifetimes' own fit (one run): same log-likelihood to 1e-6 relative
    ref = lifetimes.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    x, tx, T = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    ll_ref = -lifetimes.BetaGeoFitter._negative_log_likelihood(
        np.log(ref.params_[["r", "alpha", "a", "b"]].to_numpy()), x, tx, T, np.ones(len(x)), 0.0) * len(x)
    assert bg.log_likelihood_ >= ll_ref - 1e-6 * abs(ll_ref)
    assert bg.log_likelihood_ == pytest.approx(ll_ref, rel=1e-6)


def test_pareto_published_and_lifetimes_ll(pnbd, cdnow):
    assert pnbd.converged_
    assert (np.abs(pnbd.params_.to_numpy() - [0.553, 10.578, 0.606, 11.669]) <= [5e-4, 5e-3, 5e-4, 5e-3]).all(), pnbd
    assert pnbd.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    # lifetimes' likelihood (independent code) at our parameters, per customer
    ll = lifetimes.ParetoNBDFitter._conditional_log_likelihood(
        pnbd.params_.to_numpy(), cdnow["x"].to_numpy(), cdnow["t_x"].to_numpy(), cdnow["T"].to_numpy())
    ours = pnbd.log_likelihood(cdnow["x"], cdnow["t_x"], cdnow["T"])
    np.testing.assert_allclose(ours, ll, rtol=1e-9)
    assert ours.sum() == pytest.approx(pnbd.log_likelihood_, rel=1e-12)


def _lifetimes_model(cls, params):
    m = cls()
    m.params_ = pd.Series(params)
    m.predict = m.conditional_expected_number_of_purchases_up_to_time
    return m


@pytest.mark.parametrize("which", ["bg", "pnbd"])
def test_predictions_match_lifetimes(which, bg, pnbd, cdnow):
    ours = bg if which == "bg" else pnbd
    cls = lifetimes.BetaGeoFitter if which == "bg" else lifetimes.ParetoNBDFitter
    ref = _lifetimes_model(cls, ours.params_.to_dict())
    x, tx, T = cdnow["x"], cdnow["t_x"], cdnow["T"]
    np.testing.assert_allclose(ours.conditional_probability_alive(x, tx, T),
                               ref.conditional_probability_alive(x, tx, T), rtol=1e-6, atol=1e-12)
    for t in (1.0, 10.0, 39.0):
        np.testing.assert_allclose(ours.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T),
                                   ref.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T),
                                   rtol=1e-6, atol=1e-12)
        assert ours.expected_number_of_purchases_up_to_time(t) == pytest.approx(
            float(ref.expected_number_of_purchases_up_to_time(t)), rel=1e-6)
    # Series in, Series out on the same index
    assert isinstance(ours.p_alive(x, tx, T), pd.Series)


def test_gamma_gamma_published_spend_and_clv(bg, cdnow):
    rep = cdnow[cdnow["x"] > 0]
    assert len(rep) == 946
    gg = fn.customers.GammaGamma().fit(rep["x"], rep["zbar"])
    assert gg.converged_
    assert (np.abs(gg.params_.to_numpy() - [6.25, 3.74, 15.44]) <= [5e-3, 5e-3, 1e-2]).all(), gg.params_  # v* = 15.4477
    ref = lifetimes.GammaGammaFitter()
    ref.params_ = pd.Series(dict(zip(["p", "q", "v"], gg.params_)))
    np.testing.assert_allclose(gg.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"]),
                               ref.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"]), rtol=1e-9)
    lbg = _lifetimes_model(lifetimes.BetaGeoFitter, bg.params_.to_dict())
    args = (cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"])
    ours = gg.customer_lifetime_value(bg, *args, time=12, discount_rate=0.01, freq="W")
    theirs = ref.customer_lifetime_value(lbg, *args, time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


def test_weighted_compressed_fit_equals_full(cdnow):
    g = cdnow.groupby(["x", "t_x", "T"]).size().reset_index(name="w")
    a = fn.customers.BetaGeo().fit(g["x"], g["t_x"], g["T"], weights=g["w"])
    b = fn.customers.BetaGeo(compress=False).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-5)
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-9)


def test_summary_matches_lifetimes(master):
    ours = fn.customers.summary_from_transactions(master, customer="customer_id", time="date",
                                                  amount="dollar_value", freq="D", freq_multiplier=7)
    ref = lifetimes.utils.summary_data_from_transaction_data(master, "customer_id", "date",
                                                             monetary_value_col="dollar_value", freq="D",
                                                             freq_multiplier=7)
    ref = ref.sort_index()
    assert list(ours.index) == list(ref.index)
    for c in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_allclose(ours[c].to_numpy(), ref[c].to_numpy(), rtol=1e-12, atol=1e-9, err_msg=c)


def test_summary_weeks_and_holdout(master):
    # cut-offs on Sundays, where pandas' W-SUN weeks end: lifetimes cuts raw dates, funnelnet periods
    ours = fn.customers.summary_from_transactions(master, customer="customer_id", time="date",
                                                  amount="dollar_value", calibration_end="1997-09-28",
                                                  holdout_end="1998-06-28", freq="W", future="drop")
    ref = lifetimes.utils.calibration_and_holdout_data(master, "customer_id", "date",
                                                       calibration_period_end="1997-09-28",
                                                       observation_period_end="1998-06-28", freq="W",
                                                       monetary_value_col="dollar_value").sort_index()
    assert list(ours.index) == list(ref.index)
    for a, b in [("frequency", "frequency_cal"), ("recency", "recency_cal"), ("T", "T_cal"),
                 ("monetary_value", "monetary_value_cal"), ("frequency_holdout", "frequency_holdout"),
                 ("duration_holdout", "duration_holdout")]:
        np.testing.assert_allclose(ours[a].to_numpy(), ref[b].to_numpy(), rtol=1e-12, atol=1e-9, err_msg=a)
    # holdout spend: mean per-period (weekly) spend in the holdout, by pandas brute force
    wk = (master["date"] - pd.Timestamp("1970-01-05")).dt.days // 7
    h = master[(master["date"] > "1997-09-28") & (master["date"] <= "1998-06-28")]
    per = h.groupby([h["customer_id"], wk[h.index]])["dollar_value"].sum().groupby(level=0).mean()
    np.testing.assert_allclose(ours["monetary_value_holdout"].to_numpy(),
                               per.reindex(ours.index).fillna(0).to_numpy(), rtol=1e-12)


def test_grading_three_modes_brute_force():
    rng = np.random.default_rng(6)
    n = 200
    df = pd.DataFrame({"credit": rng.uniform(0, 10, n), "loyalty": rng.uniform(0, 5, n),
                       "distance": rng.uniform(1, 500, n), "deal_value": rng.lognormal(3, 1, n),
                       "region": rng.choice(["east", "west"], n)})
    crit = {"credit": 2.0, "loyalty": 1.0, "distance": (0.5, "lower")}
    norm = {c: (df[c] - df[c].min()) / (df[c].max() - df[c].min()) for c in crit}
    brute = 2 * norm["credit"] + norm["loyalty"] + 0.5 * (1 - norm["distance"])
    g = fn.customers.grade(df, criteria=crit, thresholds={"east": [2.5, 1.5], "west": [2.0, 1.0]}, group="region")
    np.testing.assert_allclose(g["score"], brute, rtol=1e-12)
    np.testing.assert_allclose(g[["credit_contribution", "loyalty_contribution", "distance_contribution"]].sum(axis=1),
                               g["score"], rtol=1e-12)
    hi = np.where(df["region"] == "east", 2.5, 2.0)
    lo = np.where(df["region"] == "east", 1.5, 1.0)
    expect = np.where(brute >= hi, "A", np.where(brute >= lo, "B", "C"))
    assert (g["tier"].astype(str).to_numpy() == expect).all()
    # target mix 1:3:6: quantiles of the score
    m = fn.customers.grade(df, mode="mix", criteria=crit, mix=(1, 3, 6))
    assert m["tier"].value_counts().reindex(["A", "B", "C"]).tolist() == [20, 60, 120]
    rank = brute.rank(ascending=False, method="first")
    assert (m["tier"].astype(str).to_numpy() == np.where(rank <= 20, "A", np.where(rank <= 80, "B", "C"))).all()
    # Pareto by value
    v = fn.customers.grade(df, mode="value", value="deal_value", cutoffs=(0.8, 0.95), tiers=["A", "B", "C"])
    s = df["deal_value"].sort_values(ascending=False, kind="stable")
    before = s.cumsum().shift(fill_value=0) / s.sum()
    exp = pd.Series(np.where(before < 0.8, "A", np.where(before < 0.95, "B", "C")), index=s.index).reindex(df.index)
    assert (v["tier"].astype(str) == exp).all()
    np.testing.assert_allclose(v["value_contribution"], df["deal_value"] / df["deal_value"].sum())


@pytest.fixture(scope="module")
def holson(shared_data):
    # journeys/markovchain_holson.csv: 1,000 subjects x 11 periods of states 1..3 (wide)
    wide = pd.read_csv(shared_data / "journeys" / "markovchain_holson.csv")
    long = wide.melt(id_vars="id", var_name="period", value_name="tier")
    long["period"] = long["period"].str.replace("time", "").astype(int)
    long["tier"] = long["tier"].map({1: "A", 2: "B", 3: "C"})
    long["segment"] = np.where(long["id"] % 2 == 0, "even", "odd")
    # late entrants: every 5th subject is first seen in period 4
    return long[~((long["id"] % 5 == 0) & (long["period"] < 4))].sample(frac=1.0, random_state=1)


def test_tier_migration_brute_force(holson):
    tm = fn.customers.TierMigration(tiers=["A", "B", "C"], lost=["C"]).fit(holson, customer="id", segment="segment")
    s = holson.sort_values(["id", "period"])
    nxt = s.groupby("id")["tier"].shift(-1)
    step = s.groupby("id")["period"].shift(-1) - s["period"]
    ok = step == 1
    for seg in ("even", "odd"):
        m = ok & (s["segment"] == seg)
        brute = pd.crosstab(s.loc[m, "tier"], nxt[m]).reindex(index=["A", "B", "C"], columns=["A", "B", "C"],
                                                               fill_value=0)
        np.testing.assert_array_equal(tm.counts(seg).to_numpy(), brute.to_numpy())
        P = brute.to_numpy() / brute.to_numpy().sum(axis=1, keepdims=True)
        np.testing.assert_allclose(tm.matrix(seg).to_numpy(), P, rtol=1e-12)
        r = tm.rates(seg)
        np.testing.assert_allclose(r["promotion"], [0, P[1, 0], P[2, 0] + P[2, 1]], atol=1e-15)
        np.testing.assert_allclose(r["churn"], P[:, 2], atol=1e-15)
        # churn within a year (12 periods) with C absorbing, by matrix power
        Q = P.copy()
        Q[2] = [0, 0, 1]
        np.testing.assert_allclose(r["churn_per_year"], np.linalg.matrix_power(Q, 12)[:, 2], rtol=1e-10)
        mix = tm.mix_ahead({"A": 100, "B": 300, "C": 600}, 3, segment=seg)
        np.testing.assert_allclose(mix, np.array([100, 300, 600]) @ np.linalg.matrix_power(P, 3), rtol=1e-12)
    assert tm.late_entrants_.sum() == 200
    with pytest.raises(fn.InvalidArgumentError, match="choose a segment"):
        tm.matrix()


def test_tier_flags():
    snaps = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2, 3, 3, 3],
                          "period": [1, 2, 3, 1, 2, 3, 1, 2, 3],
                          "tier": ["A", "A", "A", "B", "A", "A", "C", "C", "C"]})
    tm = fn.customers.TierMigration(tiers=["A", "B", "C"], lost=["C"]).fit(snaps)
    orders = pd.DataFrame({"customer": [1, 2], "period": [1, 3]})
    assert list(tm.flag_idle(orders, 2)) == [1]  # A now, last order in period 1
    assert list(tm.flag_overdue(1)) == [1, 3]  # unchanged since period 1


def test_markov_clv_pfeifer_carraway():
    P = np.array([[.5, .5, 0, 0], [.2, 0, .8, 0], [.1, 0, 0, .9], [0, 0, 0, 1]])
    v = fn.customers.markov_clv(P, [100, 0, 0, 0], 0.1)
    np.testing.assert_allclose(v, [231.08, 57.29, 21.01, 0], atol=5e-3)
    # finite horizon: sum of discounted P^t R, brute force
    brute = sum(np.linalg.matrix_power(P / 1.1, t) @ np.array([100, 0, 0, 0.0]) for t in range(5))
    np.testing.assert_allclose(fn.customers.markov_clv(P, [100, 0, 0, 0], 0.1, horizon=5), brute, rtol=1e-12)


def test_bad_input():
    C = fn.customers
    with pytest.raises(fn.InvalidArgumentError, match="frequency: row 1"):
        C.BetaGeo().fit([1, -1], [1, 0], [5, 5])
    with pytest.raises(fn.InvalidArgumentError, match="recency 7 is larger than T 5"):
        C.ParetoNBD().fit([1, 1], [1, 7], [5, 5])
    # zero repeat spend is left out of the fit (test_customers_fit_quality); negative spend is an error
    with pytest.raises(fn.InvalidArgumentError, match="spend: row 0 is -1"):
        C.GammaGamma().fit([1, 2], [-1.0, 3.0])
    with pytest.raises(fn.EmptyInputError, match="every repeat buyer has zero mean repeat spend"):
        C.GammaGamma().fit([1, 2], [0.0, 0.0])
    df = pd.DataFrame({"credit": [1.0, 2.0, 3.0], "loyalty": [3.0, 2.0, 1.0]})
    with pytest.raises(fn.InvalidArgumentError, match="weights are all zero"):
        C.grade(df, criteria={"credit": 0, "loyalty": 0}, thresholds=[1, 0.5])
    with pytest.raises(fn.UnknownLabelError, match="unknown criterion 'revenue'"):
        C.grade(df, criteria=["revenue"], thresholds=[1, 0.5])
    with pytest.raises(fn.InvalidArgumentError, match="tiers out of order"):
        C.grade(df, criteria=["credit"], thresholds=[0.5, 1])
    snaps = pd.DataFrame({"customer": [1, 1], "period": [1, 3], "tier": ["A", "B"]})
    with pytest.raises(fn.InvalidArgumentError, match="customer 1 has no snapshot between periods 1 and 3"):
        C.TierMigration(tiers=["A", "B"], lost=[]).fit(snaps)
    tx = pd.DataFrame({"c": [1, 2], "d": pd.to_datetime(["2024-01-01", "2024-05-01"])})
    with pytest.raises(fn.InvalidArgumentError, match=r"row 1 \(customer 2\)"):
        C.summary_from_transactions(tx, customer="c", time="d", calibration_end="2024-03-01", future="error")
    assert len(C.summary_from_transactions(tx, customer="c", time="d", calibration_end="2024-03-01",
                                           future="drop")) == 1
