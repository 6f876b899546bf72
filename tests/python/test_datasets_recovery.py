"""Every funnelnet model, fitted end to end on a generated company, recovers the truth the
generator used (the generator is the oracle; no expected value comes from our own output).

Tolerances shrink with size: each check allows Z = 4.5 standard errors of the estimate,
computed from the data's own counts (binomial for probabilities, Gamma for mean dwell
times, the fit's own standard errors for BG/NBD and Gamma-Gamma), so a company twice as
large gets a bound about 1/sqrt(2) as wide.  Models: the funnel's jump chain per segment
(TransitionCounts.from_events -> fit), dwell times (ExposureCounts.from_events -> the
continuous chain), tier migration and A-churn per year (TierMigration), BG/NBD and
Gamma-Gamma parameters, IC edge probabilities (learn_ic_probabilities) and the most
influential accounts (IMM on the learned probabilities vs IMM on the truth's), and the
ranking of channels by Markov attribution's removal effects.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import funnelnet as fn
from funnelnet.datasets import STAGES

Z = 4.5
FUNNEL = fn.Funnel(STAGES[:4], STAGES[4:])


@pytest.fixture(scope="module")
def company() -> fn.datasets.SyntheticCRM:
    # Uncensored (every lead and referral observed), unit region / industry effects (every
    # lead of a segment follows the segment's matrix).
    return fn.datasets.synthetic_crm(n_accounts=60_000, months=24, seed=17, censor=False, region_spread=0,
                                     industry_spread=0)


@pytest.fixture(scope="module")
def default_company() -> fn.datasets.SyntheticCRM:
    return fn.datasets.synthetic_crm(n_accounts=40_000, months=24, seed=23)


def _segment_events(crm, segment: str) -> pd.DataFrame:
    leads = crm.leads.index[crm.leads["segment"] == segment]
    ev = crm.events[crm.events["lead"].isin(leads)]
    return ev.assign(stage=ev["stage"].astype(str))


@pytest.mark.parametrize("segment", ["individual/organic", "self-employed/organic", "organisation/organic"])
def test_funnel_chain_per_segment(company, segment):
    counts = fn.TransitionCounts.from_events(_segment_events(company, segment), lead="lead", stage="stage",
                                             time="time", funnel=FUNNEL, repeats="keep")
    fitted = counts.fit().to_frame().loc[list(STAGES[:4]), list(STAGES)].to_numpy()
    truth = company.truth.transition.loc[segment].loc[list(STAGES[:4]), list(STAGES)].to_numpy()
    n = counts.to_frame().loc[list(STAGES[:4])].sum(axis=1).to_numpy()[:, None]
    assert (n > 300).all()
    se = np.sqrt(np.maximum(truth * (1 - truth), 1e-12) / n)
    assert np.all(np.abs(fitted - truth) <= Z * se + 1e-12), (fitted - truth) / se
    # and the won probability from potential, through the fitted chain's absorption
    b = counts.fit().absorption_probabilities().loc["potential", "won"]
    p = company.truth.conversion[segment]
    won = company.leads.loc[company.leads["segment"] == segment, "outcome"] == "won"
    assert abs(b - p) <= Z * np.sqrt(p * (1 - p) / len(won)) * 2  # chain estimate: about the binomial error


@pytest.mark.parametrize("segment", ["individual/organic", "organisation/organic"])
def test_dwell_times_from_the_continuous_chain(company, segment):
    ex = fn.ExposureCounts.from_events(_segment_events(company, segment), lead="lead", stage="stage", time="time",
                                       funnel=FUNNEL, time_unit="D")
    q = ex.fit().generator()
    exits = ex.to_frame().sum(axis=1)
    for stage in STAGES[:4]:
        mean = -1.0 / q.loc[stage, stage]
        m = company.truth.dwell_mean.loc[segment, stage]
        se = m / np.sqrt(company.truth.dwell_shape * exits[stage])  # mean of `exits` Gamma(shape) dwell times
        assert abs(mean - m) <= Z * se, (stage, mean, m, se)


def test_tier_migration_and_a_churn_per_year(default_company):
    crm = default_company
    model = fn.customers.TierMigration(tiers=["A", "B", "C"], lost=[]).fit(crm.tier_snapshots())
    fitted = model.matrix().loc[["A", "B", "C"], ["A", "B", "C"]].to_numpy()
    truth = crm.truth.tier_matrix.to_numpy()
    codes = np.column_stack([crm.tiers[c].cat.codes.to_numpy() for c in crm.tiers.columns])
    n_from = np.bincount(codes[:, :-1].ravel(), minlength=3)[:, None]
    assert np.all(np.abs(fitted - truth) <= Z * np.sqrt(truth * (1 - truth) / n_from) + 1e-12)
    # A-churn per year: 1 - (1 - P[A, C])^12 against the declared a_loss_rate (0.2), with the
    # delta-method standard error 12 (1 - p)^11 se(p)
    p = fitted[0, 2]
    churn = 1 - (1 - p) ** 12
    se = 12 * (1 - p) ** 11 * np.sqrt(p * (1 - p) / n_from[0, 0])
    assert abs(churn - 0.2) <= Z * se, (churn, se)
    assert 0.1 <= churn <= 0.3  # DOMAIN.md: 10-30 % of A lost a year
    # re-grading: about 20 % of accounts change tier a month
    moved = (codes[:, 1:] != codes[:, :-1]).mean()
    assert abs(moved - 0.2) <= Z * np.sqrt(0.2 * 0.8 / codes[:, 1:].size) * 3  # months are correlated per account


def _summary(crm):
    return fn.customers.summary_from_transactions(crm.transactions, customer="account", time="time",
                                                  amount="amount", calibration_end=crm.end)


def test_bgnbd_parameters_within_their_standard_errors(default_company):
    crm = default_company
    s = _summary(crm)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fit that did not converge must not pass silently
        model = fn.customers.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    assert model.converged_
    tr = crm.truth
    truth = pd.Series({"r": tr.bg_r, "alpha": tr.bg_alpha, "a": tr.bg_a, "b": tr.bg_b})
    z = (model.params_[truth.index] - truth) / model.standard_errors_[truth.index]
    assert (z.abs() <= Z).all(), z
    # DOMAIN.md: the repurchase interval (1 / the mean rate r / alpha, days) is 1.5 to 3 years
    assert 1.5 <= tr.bg_alpha / tr.bg_r / 365.25 <= 3.0


def test_bgnbd_fits_without_warnings_on_a_few_thousand_accounts():
    crm = fn.datasets.synthetic_crm(n_accounts=3_000, months=24, seed=4)
    s = _summary(crm)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fn.customers.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    assert model.converged_ and (s["frequency"] > 0).sum() > 200


def test_gamma_gamma_parameters_within_their_standard_errors(default_company):
    crm = default_company
    s = _summary(crm)
    rep = s[s["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fn.customers.GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    tr = crm.truth
    truth = pd.Series({"p": tr.gg_p, "q": tr.gg_q, "v": tr.gg_v})
    z = (model.params_[truth.index] - truth) / model.standard_errors_[truth.index]
    assert (z.abs() <= Z).all(), z
    # the implied mean spend p v / (q - 1) is much better determined than p, q, v
    mean_fit = model.params_["p"] * model.params_["v"] / (model.params_["q"] - 1)
    spend = rep["monetary_value"]
    assert abs(mean_fit - spend.mean()) <= Z * spend.std() / np.sqrt(len(spend))


def _learned(crm):
    won = crm.accounts.index[crm.accounts["won"].notna()]
    return fn.graph.learn_ic_probabilities(crm.truth.ties, crm.referrals, active=won, by="source")


def test_ic_edge_probabilities_learned_per_referrer(company):
    crm = company
    est = _learned(crm)
    truth = crm.truth.ties["probability"].to_numpy()
    exposed = est["exposures"].to_numpy() > 0
    # per referrer: z = (p_hat - p) / sqrt(p (1 - p) / ties); mean ~ N(0, 1/K), mean square ~ 1
    per = pd.DataFrame({"source": est["source"], "p_hat": est["probability"], "p": truth})[exposed]
    g = per.groupby("source").agg(p_hat=("p_hat", "first"), p=("p", "first"), ties=("p", "size"))
    g = g[(g["p"] > 0) & (g["p"] < 1)]
    z = (g["p_hat"] - g["p"]) / np.sqrt(g["p"] * (1 - g["p"]) / g["ties"])
    k = len(z)
    assert k > 1000
    assert abs(z.mean()) <= Z / np.sqrt(k)
    assert abs((z ** 2).mean() - 1) <= Z * np.sqrt(40 / k)
    # the reported standard errors are the binomial ones at the estimate: where the estimate
    # is strictly inside (0, 1), about 95 % of the truths lie within 2 of them
    se = est[exposed].groupby("source")["std_error"].first().reindex(g.index)
    inner = (g["p_hat"] > 0) & (g["p_hat"] < 1) & (g["ties"] >= 15)
    cover = ((g["p_hat"] - g["p"]).abs() <= 2 * se)[inner].mean()
    assert inner.sum() > 100 and cover > 0.85, (inner.sum(), cover)  # binomial: ~0.95
    # pooled over all exposures: unbiased
    s, p = est.loc[exposed, "successes"].sum(), truth[exposed]
    assert abs(s - p.sum()) <= Z * np.sqrt((p * (1 - p)).sum())


def test_imm_on_learned_probabilities_finds_accounts_nearly_as_influential_as_the_truths_best(company):
    crm = company
    ties = crm.truth.ties
    est = _learned(crm)
    # empirical Bayes for the referrers never observed: the pooled rate as a Beta prior worth 4 ties
    rate = est["successes"].sum() / est["exposures"].sum()
    est = fn.graph.learn_ic_probabilities(ties, crm.referrals, active=crm.accounts.index[crm.accounts["won"].notna()],
                                          by="source", beta_prior=(4 * rate, 4 * (1 - rate)))
    g = fn.ReferralGraph.from_edges(ties["source"], ties["target"], nodes=crm.accounts.index)
    order = g.edges()[["source", "target"]].merge(
        ties.assign(learned=est["probability"].to_numpy()), on=["source", "target"], how="left")
    p_true = order["probability"].to_numpy()
    p_learned = order["learned"].to_numpy()
    assert not np.isnan(p_learned).any()
    k = 10
    best = fn.graph.imm(g, k, probabilities=p_true, seed=1)
    ours = fn.graph.imm(g, k, probabilities=p_learned, seed=1)
    true_best = fn.graph.spread(g, best.seeds, probabilities=p_true, n_sims=4000, seed=2)
    true_ours = fn.graph.spread(g, ours.seeds, probabilities=p_true, n_sims=4000, seed=2)
    assert true_ours.mean >= 0.9 * true_best.mean, (true_ours.mean, true_best.mean)
    # the truth's influence (expected referrals once won) of our seeds is far above average
    infl = crm.truth.influence
    assert infl[list(ours.seeds)].mean() > 3 * infl.mean()


def test_markov_attribution_ranks_channels_as_the_truth(default_company):
    crm = default_company
    touches = crm.touches.assign(channel=crm.touches["channel"].astype(str))
    effects = fn.attribution.MarkovAttribution().fit_events(touches, customer="lead", time="time", channel="channel",
                                                            converted="converted").channels()
    col = "removal_effect" if "removal_effect" in effects.columns else effects.columns[0]
    got = effects[col].reindex(crm.truth.channels.index)
    truth = crm.truth.channels["removal_effect"]
    assert list(got.sort_values(ascending=False).index) == list(truth.sort_values(ascending=False).index), (got, truth)
