"""Customers: convergence warnings, BG/BB, standard errors and summaries, simulators,
Gamma-Gamma for customers without repeat spend, reprs.  Oracles: the published donation
estimates (Fader, Hardie and Shang 2010), lifetimes (BetaGeoBetaBinomFitter, summaries),
a numpy finite-difference Hessian, closed-form moments, parameter recovery."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn

import lifetimes  # noqa: E402  (test oracle: tests/requirements/customers.txt)

C = fn.customers


@pytest.fixture(scope="module")
def donations(shared_data):
    # customers/donations.csv: frequency, recency, periods, weights (22 rows, 11,104 donors, 6 periods)
    return pd.read_csv(shared_data / "customers" / "donations.csv")


@pytest.fixture(scope="module")
def cdnow(shared_data):
    # customers/cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar (weeks)
    return pd.read_csv(shared_data / "customers" / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def crm_accounts(shared_data):
    # crm/sales_pipeline.csv: the won deals as purchases of the 85 accounts (days)
    d = pd.read_csv(shared_data / "crm" / "sales_pipeline.csv")
    won = d[d["deal_stage"] == "Won"]
    return C.summary_from_transactions(won, customer="account", time="close_date", amount="close_value", freq="D")


@pytest.fixture(scope="module")
def bb(donations):
    return C.BetaGeoBetaBinom().fit(donations["frequency"], donations["recency"], donations["periods"],
                                    weights=donations["weights"])


@pytest.fixture(scope="module")
def lbb(donations):
    return lifetimes.BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                                  donations["periods"], weights=donations["weights"])


# ---------------------------------------------------------------- convergence

def test_convergence_warning_is_exported_user_warning():
    assert issubclass(fn.ConvergenceWarning, UserWarning)
    assert fn.errors.ConvergenceWarning is fn.ConvergenceWarning
    assert issubclass(fn.ConvergenceError, RuntimeError)


def test_not_converged_warns_and_strict_raises(cdnow):
    with pytest.warns(fn.ConvergenceWarning, match=r"did not converge \(max_iterations.*Try:.*initial="):
        m = C.BetaGeo(max_iterations=2).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert not m.converged_ and m.report_["status"] == "max_iterations"
    with pytest.raises(fn.ConvergenceError, match="BetaGeo fit did not converge"):
        C.BetaGeo(max_iterations=2, strict=True).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    with pytest.raises(fn.ConvergenceError, match="GammaGamma fit did not converge"):
        rep = cdnow[cdnow["x"] > 0]
        C.GammaGamma(max_iterations=1, strict=True).fit(rep["x"], rep["zbar"])
    with pytest.raises(fn.ConvergenceError, match="BetaGeoBetaBinom fit did not converge"):
        C.BetaGeoBetaBinom(max_iterations=1, strict=True).fit([0, 1, 2, 3], [0, 1, 4, 6], [6, 6, 6, 6],
                                                              weights=[5, 3, 2, 2])
    # a converged fit is silent, even under -W error
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert C.BetaGeo(strict=True).fit(cdnow["x"], cdnow["t_x"], cdnow["T"]).converged_


def test_crm_accounts_are_not_used_silently(crm_accounts):
    # The CRM's 85 accounts buy 22-99 times each and all are still buying at the end: the
    # BG/NBD drop-out probability a / (a + b) runs to 0 (the likelihood's supremum is at the
    # edge, the NBD without drop-out), so P(alive) = 1 for everyone.  That is never silent.
    s = crm_accounts
    assert len(s) == 85 and s["frequency"].min() >= 20
    with pytest.warns(fn.ConvergenceWarning, match="bound|did not converge"):
        m = C.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    p = m.params_
    assert p["a"] / (p["a"] + p["b"]) < 1e-6  # the no-drop-out limit
    # lifetimes (the oracle) fails on the same data
    with pytest.raises(lifetimes.utils.ConvergenceError):
        lifetimes.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", fn.ConvergenceWarning)
        with pytest.raises(fn.ConvergenceWarning):
            C.BetaGeo().fit(s["frequency"], s["recency"], s["T"])


# ---------------------------------------------------------------- BG/BB

def test_bgbb_published_donations_and_lifetimes(bb, lbb, donations):
    p = bb.params_
    assert bb.converged_
    # Fader, Hardie and Shang (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783
    np.testing.assert_allclose(p.to_numpy(), [1.204, 0.750, 0.657, 2.783], atol=2.5e-3)
    np.testing.assert_allclose(p.to_numpy(), lbb.params_[["alpha", "beta", "gamma", "delta"]].to_numpy(), rtol=2e-3)
    x, tx, n = donations["frequency"], donations["recency"], donations["periods"]
    ll_ref = -lifetimes.BetaGeoBetaBinomFitter._negative_log_likelihood(
        np.log(p.to_numpy()), x.to_numpy(), tx.to_numpy(), n.to_numpy(), donations["weights"].to_numpy())
    assert bb.log_likelihood_ == pytest.approx(ll_ref * donations["weights"].sum(), rel=1e-9)
    ref = lifetimes.BetaGeoBetaBinomFitter()
    ref.params_ = pd.Series(p.to_numpy(), index=["alpha", "beta", "gamma", "delta"])
    for m in (0, 1, 3):
        np.testing.assert_allclose(bb.conditional_probability_alive(m, x, tx, n),
                                   ref.conditional_probability_alive(m, x, tx, n), rtol=1e-9)
    for m in (1, 5, 10):
        np.testing.assert_allclose(bb.conditional_expected_number_of_purchases_up_to_time(m, x, tx, n),
                                   ref.conditional_expected_number_of_purchases_up_to_time(m, x, tx, n), rtol=1e-9)
    # expected purchases of a new donor in 6 periods: lifetimes' distribution of X(6)
    ref.data = pd.DataFrame({"frequency": np.arange(7), "weights": np.ones(7)})
    dist = ref.expected_number_of_transactions_in_first_n_periods(6)["model"] / 7
    assert bb.expected_number_of_purchases_up_to_time(6) == pytest.approx(
        float((dist.index.to_numpy() * dist.to_numpy()).sum()), rel=1e-9)
    assert isinstance(bb.p_alive(x, tx, n), pd.Series)
    np.testing.assert_allclose(bb.p_alive(x, tx, n), ref.conditional_probability_alive(1, x, tx, n), rtol=1e-9)


def test_bgbb_bad_input_names_the_row():
    with pytest.raises(fn.InvalidArgumentError, match="recency: row 1 is 2.5"):
        C.BetaGeoBetaBinom().fit([0, 2], [0, 2.5], [6, 6])
    with pytest.raises(fn.InvalidArgumentError, match="row 1: frequency 3 is larger than recency 2"):
        C.BetaGeoBetaBinom().fit([0, 3], [0, 2], [6, 6])
    with pytest.raises(fn.InvalidArgumentError, match="recency 7 is larger than T 6"):
        C.BetaGeoBetaBinom().fit([0, 3], [0, 7], [6, 6])
    m = C.BetaGeoBetaBinom.from_params(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
    with pytest.raises(fn.InvalidArgumentError, match="n_periods: row 0 is 5.5"):
        m.p_alive([1], [1], [5.5])


# ---------------------------------------------------------------- standard errors and summaries

def test_summary_matches_lifetimes(bb, lbb, cdnow):
    s = bb.summary
    assert list(s.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    np.testing.assert_allclose(s["se(coef)"], lbb.summary.loc[["alpha", "beta", "gamma", "delta"], "se(coef)"],
                               rtol=1e-2)
    bg = C.BetaGeo().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    lbg = lifetimes.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    np.testing.assert_allclose(bg.summary["se(coef)"], lbg.summary.loc[["r", "alpha", "a", "b"], "se(coef)"],
                               rtol=1e-2)
    np.testing.assert_allclose(bg.standard_errors_, lbg.standard_errors_[["r", "alpha", "a", "b"]], rtol=1e-2)
    # Wald intervals on the log scale: positive and around the estimate, with
    # log(upper) - log(coef) = 1.96 se / coef
    for t in (s, bg.summary):
        assert (t["lower 95% bound"] > 0).all() and (t["lower 95% bound"] < t["coef"]).all()
        np.testing.assert_allclose(np.log(t["upper 95% bound"] / t["coef"]), 1.959964 * t["se(coef)"] / t["coef"],
                                   rtol=1e-6)
        np.testing.assert_allclose(np.log(t["coef"] / t["lower 95% bound"]), 1.959964 * t["se(coef)"] / t["coef"],
                                   rtol=1e-6)


def _numpy_hessian_se(f, p: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Standard errors from a numpy central-difference Hessian of the total log-likelihood
    f(params) in log-parameters (delta method back to the parameters)."""
    th = np.log(p)
    k = len(th)
    H = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            def at(da, db):
                t = th.copy()
                t[a] += da
                t[b] += db
                return f(np.exp(t))
            H[a, b] = -(at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)
    return p * np.sqrt(np.diag(np.linalg.inv(H)))


def test_standard_errors_against_a_numpy_hessian(cdnow):
    rep = cdnow[cdnow["x"] > 0]
    gg = C.GammaGamma().fit(rep["x"], rep["zbar"])
    x, m = rep["x"].to_numpy(), rep["zbar"].to_numpy()

    def ll(p):  # the Gamma-Gamma log-likelihood written out (Fader, Hardie and Lee 2005, note 025)
        from scipy.special import gammaln
        pp, q, v = p
        return np.sum(gammaln(pp * x + q) - gammaln(pp * x) - gammaln(q) + q * np.log(v)
                      + (pp * x - 1) * np.log(m) + pp * x * np.log(x) - (pp * x + q) * np.log(x * m + v))

    np.testing.assert_allclose(gg.standard_errors_, _numpy_hessian_se(ll, gg.params_.to_numpy()), rtol=1e-3)
    pn = C.ParetoNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    x2, tx2, T2 = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))

    def ll_pn(p):
        return float(C.ParetoNBD.from_params(r=p[0], alpha=p[1], s=p[2], beta=p[3]).log_likelihood(x2, tx2, T2).sum())

    np.testing.assert_allclose(pn.standard_errors_, _numpy_hessian_se(ll_pn, pn.params_.to_numpy()), rtol=1e-3)


def test_standard_errors_are_computed_when_first_read(cdnow):
    # The fit leaves the covariance (2 K gradient evaluations) to the first read of
    # report_, variance_matrix_, standard_errors_ or summary; converged_, log_likelihood_
    # and repr do not need it.  Read later, it equals lifetimes' standard errors (oracle),
    # at 1 and 2 threads alike, and a model pickled before the first read keeps it.
    lbg = lifetimes.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    ses = []
    for threads in (1, 2):
        bg = C.BetaGeo(threads=threads).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
        assert bg.converged_ and "converged=True" in repr(bg)
        assert "covariance" not in bg._model.brief_report
        back = pickle.loads(pickle.dumps(bg))
        np.testing.assert_allclose(bg.standard_errors_, lbg.standard_errors_[["r", "alpha", "a", "b"]], rtol=1e-2)
        assert len(bg.report_["covariance"]) == 16
        pd.testing.assert_frame_equal(back.summary, bg.summary)
        ses.append(bg.standard_errors_.to_numpy())
    np.testing.assert_array_equal(ses[0], ses[1])
    rep = cdnow[cdnow["x"] > 0]
    gg = C.GammaGamma().fit(rep["x"], rep["zbar"])
    assert "covariance" not in gg._model.brief_report and len(gg.report_["covariance"]) == 9


def test_given_models_have_no_standard_errors_and_reprs():
    g = C.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert g.summary["se(coef)"].isna().all()
    assert repr(g) == "BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426; given)"
    assert repr(C.BetaGeoBetaBinom()) == "BetaGeoBetaBinom()"


def test_reprs_of_fitted_models(bb, cdnow):
    assert repr(bb) == (f"BetaGeoBetaBinom(alpha={bb.params_['alpha']:.4g}, beta={bb.params_['beta']:.4g}, "
                        f"gamma={bb.params_['gamma']:.4g}, delta={bb.params_['delta']:.4g}; n=11104, "
                        f"converged=True, log_likelihood={bb.log_likelihood_:.6g})")
    rep = cdnow[cdnow["x"] > 0]
    gg = C.GammaGamma().fit(rep["x"], rep["zbar"])
    assert "n=946, converged=True" in repr(gg) and repr(gg).startswith("GammaGamma(p=6.2")
    pn = C.ParetoNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert "; n=2357, converged=True, log_likelihood=" in repr(pn)
    assert float(repr(pn).rsplit("=", 1)[1].rstrip(")")) == pytest.approx(-9595.0, abs=0.05)  # published LL


def test_bgbb_pickles_with_its_summary(bb):
    back = pickle.loads(pickle.dumps(bb))
    pd.testing.assert_frame_equal(back.summary, bb.summary)
    assert repr(back) == repr(bb)


# ---------------------------------------------------------------- simulators

@pytest.mark.parametrize("cls, params, T", [
    (C.BetaGeo, dict(r=0.243, alpha=4.414, a=0.793, b=2.426), 39.0),
    (C.ParetoNBD, dict(r=0.553, alpha=10.578, s=0.606, beta=11.669), 39.0),
    (C.BetaGeoBetaBinom, dict(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783), 6),
])
def test_simulated_data_recover_the_parameters(cls, params, T):
    truth = cls.from_params(**params)
    sim = truth.simulate(T, size=8000, seed=4)
    again = truth.simulate(T, size=8000, seed=4, threads=1)
    pd.testing.assert_frame_equal(sim, again)
    # the mean frequency against the closed form E[X(T)]
    se = sim["frequency"].std() / np.sqrt(len(sim))
    assert abs(sim["frequency"].mean() - truth.expected_number_of_purchases_up_to_time(T)) < 5 * se
    fit = cls().fit(*(sim[c] for c in sim.columns))
    z = (np.log(fit.params_) - np.log(pd.Series(params))) / (fit.standard_errors_ / fit.params_)
    assert (z.abs() < 4).all(), z


def test_gamma_gamma_simulation_moments_and_recovery():
    g = C.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    freq = pd.Series(np.repeat([1.0, 2.0, 5.0], 6000))
    m = g.simulate(freq, seed=2)
    assert isinstance(m, pd.Series) and (m > 0).all()
    mean = 6.25 * 15.44 / 2.74  # E[mean spend] = p v / (q - 1) at every frequency
    for k in (1.0, 2.0, 5.0):
        mk = m[freq == k]
        assert abs(mk.mean() - mean) < 5 * mk.std() / np.sqrt(len(mk))
    fit = C.GammaGamma().fit(freq, m)
    z = (np.log(fit.params_.to_numpy()) - np.log([6.25, 3.74, 15.44])) / (fit.standard_errors_ / fit.params_)
    assert (np.abs(z) < 4).all(), z
    np.testing.assert_array_equal(g.simulate([0, 3], seed=1)[:1], [0.0])


# ---------------------------------------------------------------- Gamma-Gamma without repeat spend

def test_zero_repeat_spend_gets_the_population_mean_and_a_clv():
    tx = pd.DataFrame({"c": [1, 1, 2, 2, 3, 4, 4, 4],
                       "t": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-01-05", "2024-01-03",
                                            "2024-01-02", "2024-01-20", "2024-02-10"]),
                       "a": [10.0, 0.0, 5.0, 7.0, 3.0, 4.0, 9.0, 11.0]})
    s = C.summary_from_transactions(tx, customer="c", time="t", amount="a", calibration_end="2024-03-01")
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "monetary_value"] == 0  # a free repeat order
    g = C.GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    spend = g.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    pop = 6.25 * 15.44 / 2.74
    assert spend[1] == pytest.approx(pop) and spend[3] == pytest.approx(pop)  # no repeat spend, frequency 0
    assert spend[2] == pytest.approx(6.25 * (15.44 + 7.0) / (6.25 + 2.74))
    bg = C.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    clv = g.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"], s["monetary_value"], freq="D")
    assert (clv > 0).all() and len(clv) == 4
    # the fit leaves zero-spend repeat buyers out, and says so
    x = np.array([1, 2, 3, 1, 4, 2, 5, 2.0])
    m = np.array([10, 12, 9, 30, 11, 14, 8, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fn.ConvergenceWarning)
        a, b = C.GammaGamma().fit(x[:-1], m[:-1]), C.GammaGamma().fit(x, m)
    pd.testing.assert_series_equal(a.params_, b.params_)
    assert "1 repeat buyers with zero spend left out" in b.report_["message"]


def test_tier_migration_repr_with_its_log_likelihood():
    snaps = pd.DataFrame({"customer": [1, 1, 1, 2, 2, 2], "period": [1, 2, 3, 1, 2, 3],
                          "tier": ["A", "A", "B", "B", "B", "lost"]})
    tm = C.TierMigration(tiers=["A", "B", "lost"], lost=["lost"]).fit(snaps)
    # moves A->A, A->B, B->B, B->lost: P(A->A) = P(A->B) = 1/2, P(B->B) = P(B->lost) = 1/2
    assert repr(tm) == ("TierMigration(tiers=['A', 'B', 'lost'], segments=['all']; n=2, periods 1..3, "
                        f"closed form (no iterations), log_likelihood={4 * np.log(0.5):.6g})")
    assert repr(C.TierMigration(lost=["lost"])) == "TierMigration(tiers=None, lost=['lost'])"


def test_a_line_search_stop_at_the_numerical_optimum_counts_as_converged():
    # Gamma-Gamma on spend drawn from known parameters: LBFGS's line search gives up at a
    # gradient norm near 1e-7, where the likelihood has no decrease left in double
    # precision; the Newton step left is ~1e-6 standard errors, so no warning is due, and
    # the estimates sit within 4 standard errors of the truth.
    rng = np.random.default_rng(3)
    T = rng.uniform(20, 40, 1000)
    sim = fn.customers.BetaGeo.from_params(r=0.5, alpha=5.0, a=0.8, b=2.5).simulate(T, seed=3)
    x = sim["frequency"].to_numpy()
    truth = {"p": 6.0, "q": 4.0, "v": 15.0}
    m = fn.customers.GammaGamma.from_params(**truth).simulate(x.astype(int), seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gg = fn.customers.GammaGamma().fit(x[x > 0], m[x > 0])
    assert gg.converged_
    se = gg.standard_errors_
    for k, v in truth.items():
        assert abs(gg.params_[k] - v) < 4 * se[k]
