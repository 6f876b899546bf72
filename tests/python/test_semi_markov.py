"""Opportunity tables, survival with censoring and the semi-Markov funnel.

Oracles: the reader against ``from_events`` on an event log this test reshapes by hand
(reads ../shared/data/crm/sales_pipeline.csv); Kaplan-Meier against
``scipy.stats.ecdf`` on ``CensoredData``; censored Weibull/gamma fits against
``scipy.stats.weibull_min.fit`` / ``gamma.fit``; the exponential semi-Markov funnel
against the ContinuousChain closed forms; conditional win probabilities against direct
counting.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError, UnknownLabelError

STAGES = {"Prospecting": None, "Engaging": "engage_date"}


@pytest.fixture(scope="module")
def deals(shared_data):
    return pd.read_csv(shared_data / "crm" / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])


def _hand_log(deals: pd.DataFrame, untimed: bool) -> pd.DataFrame:
    """The event log built by hand (the oracle): engaged deals enter Engaging on their
    engage date and Won/Lost on their close date; with untimed Prospecting steps every
    deal first enters Prospecting (at its engage date, or alone when it has none)."""
    engaged = deals[deals["engage_date"].notna()]
    closed = engaged[engaged["deal_stage"].isin(["Won", "Lost"])]
    parts = []
    if untimed:
        at = deals["engage_date"].fillna(pd.Timestamp("2017-12-31"))
        parts.append(pd.DataFrame({"deal": deals["opportunity_id"], "at": at, "stage": "Prospecting", "k": 0}))
    parts.append(pd.DataFrame({"deal": engaged["opportunity_id"], "at": engaged["engage_date"], "stage": "Engaging", "k": 1}))
    parts.append(pd.DataFrame({"deal": closed["opportunity_id"], "at": closed["close_date"], "stage": closed["deal_stage"], "k": 2}))
    return pd.concat(parts, ignore_index=True).sort_values(["deal", "k"], kind="stable")


@pytest.mark.parametrize("missing", ["censor", "untimed"])
def test_opportunities_match_hand_reshaped_log(deals, missing):
    f = fn.Funnel(["Prospecting", "Engaging"], outcomes=["Won", "Lost"])
    log = _hand_log(deals, missing == "untimed")
    kw = dict(lead="opportunity_id", stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"],
              close="close_date", missing=missing)
    got = fn.TransitionCounts.from_opportunities(deals, **kw)
    want = fn.TransitionCounts.from_events(log, lead="deal", stage="stage", time="at", funnel=f, repeats="keep")
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert got.to_frame().loc["Engaging", "Won"] == (deals["deal_stage"] == "Won").sum()
    if missing == "censor":
        e = fn.ExposureCounts.from_opportunities(deals, cutoff="2017-12-31", **kw)
        w = fn.ExposureCounts.from_events(log, lead="deal", stage="stage", time="at", funnel=f, cutoff="2017-12-31")
        np.testing.assert_allclose(e.exposure.to_numpy(), w.exposure.to_numpy(), rtol=1e-12)
        # Independent sum: closed cycles plus open ages at the cut-off, in days.
        end = deals["close_date"].fillna(pd.Timestamp("2017-12-31"))
        days = (end - deals["engage_date"]).dt.days.sum()
        assert e.exposure["Engaging"] == pytest.approx(days)


@pytest.mark.parametrize("missing", ["censor", "untimed"])
def test_the_cxx_opportunity_reader_of_the_c_abi_agrees_with_python(deals, missing):
    # The C ABI's reader (funnelnet::opportunity_events, also fnet_*_from_opportunities)
    # against the Python reader on the CRM file: the same events, step for step.
    from funnelnet import _core
    from funnelnet.funnel.opportunities import opportunity_events

    kw = dict(stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"], close="close_date",
              lead="opportunity_id", missing=missing, cutoff="2017-12-31")
    log, f, _ = opportunity_events(deals, **kw)
    states = f.states
    ns = lambda s: s.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)  # noqa: E731
    dates = np.column_stack([np.full(len(deals), np.nan), np.where(deals["engage_date"].isna(), np.nan,
                                                                   ns(deals["engage_date"]))])
    close = np.where(deals["close_date"].isna(), np.nan, ns(deals["close_date"]))
    current = pd.Index(states).get_indexer(deals["deal_stage"]).astype(np.int32)
    cut = float(pd.Timestamp("2017-12-31").value)
    lead, code, t, cutoff = _core.funnel.opportunity_events(f._space, current, np.ascontiguousarray(dates).ravel(), close,
                                                            {"censor": 0, "untimed": 1}[missing], cut)
    assert cutoff == cut
    assert len(lead) == len(log) > 8000
    np.testing.assert_array_equal(deals["opportunity_id"].to_numpy()[lead], log["lead"].to_numpy())
    np.testing.assert_array_equal(np.asarray(states, dtype=object)[code], log["stage"].to_numpy())
    np.testing.assert_array_equal(t, log["time"].to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64))


def test_stale_is_the_cxx_rule(deals):
    # Python's stale() and the C++ rule (SemiMarkovFunnel::stale_age, the C ABI's
    # fnet_semi_markov_stale): the holding quantile where the curve reaches q, else the
    # longest observed time before an exit (computed here from the deals).
    engaged = deals[deals["engage_date"].notna()]
    m = fn.SemiMarkovFunnel(draws=1000).fit_opportunities(engaged, stage="deal_stage",
                                                          stage_dates={"Engaging": "engage_date"},
                                                          outcomes=["Won", "Lost"], close="close_date",
                                                          lead="opportunity_id", cutoff="2017-12-31")
    closed = engaged["close_date"].notna()
    longest = (engaged.loc[closed, "close_date"] - engaged.loc[closed, "engage_date"]).dt.days.max()
    i = m.funnel_.states.index("Engaging")
    assert m._core.stale_age(i, 0.99) == longest
    assert m._core.stale_age(i, 0.5) == m.holding_quantile("Engaging", 0.5) < longest
    assert m.stale(["Engaging"] * 2, [longest, longest + 1], q=0.99).tolist() == [False, True]


def test_opportunities_censor_cuts_at_a_gap():
    # b has a Proposal date but no Qualified date: its history stops at Lead (censored);
    # c has no Lead date: its history starts at Qualified.
    df = pd.DataFrame({"id": ["a", "b", "c"], "stage": ["Won", "Proposal", "Lost"],
                       "lead_d": [0.0, 1.0, np.nan], "qual_d": [2.0, np.nan, 3.0], "prop_d": [4.0, 5.0, 6.0],
                       "close_d": [9.0, np.nan, 8.0]})
    sd = {"Lead": "lead_d", "Qualified": "qual_d", "Proposal": "prop_d"}
    e = fn.ExposureCounts.from_opportunities(df, lead="id", stage="stage", stage_dates=sd, outcomes=["Won", "Lost"],
                                             close="close_d", cutoff=10.0)
    m = e.to_frame()
    assert m.loc["Lead", "Qualified"] == 1 and m.loc["Qualified", "Proposal"] == 2
    assert m.loc["Proposal", "Won"] == 1 and m.loc["Proposal", "Lost"] == 1
    # Lead: a 2 days, b 9 days (open to the cut-off); Qualified: a 2, c 3; Proposal: a 5, c 2.
    assert e.exposure.loc[["Lead", "Qualified", "Proposal"]].tolist() == [11.0, 5.0, 7.0]
    u = fn.TransitionCounts.from_opportunities(df, lead="id", stage="stage", stage_dates=sd, outcomes=["Won", "Lost"],
                                               close="close_d", missing="untimed")
    # Untimed: every deal walks Lead > Qualified > Proposal (c enters Lead untimed).
    assert u.to_frame().loc["Lead", "Qualified"] == 3 and u.to_frame().loc["Qualified", "Proposal"] == 3


def test_raw_opportunity_table_in_from_events_says_what_to_call(deals):
    with pytest.raises(InvalidArgumentError, match="from_opportunities") as e:
        fn.TransitionCounts.from_events(deals, lead="opportunity_id", stage="deal_stage", time="engage_date")
    assert "row 8300" in str(e.value)
    with pytest.raises(UnknownLabelError, match="ExposureCounts.from_opportunities"):
        fn.ExposureCounts.from_events(deals, lead="opportunity_id", stage="deal_stage", time="date")


def test_opportunities_bad_input_names_the_row(deals):
    bad = deals.copy()
    bad.loc[17, "deal_stage"] = "Negotiating"
    with pytest.raises(UnknownLabelError, match="row 17 has stage 'Negotiating'"):
        fn.TransitionCounts.from_opportunities(bad, stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"],
                                               close="close_date")
    with pytest.raises(UnknownLabelError, match="stage_dates\\['Engaging'\\] column 'engaged'"):
        fn.TransitionCounts.from_opportunities(deals, stage="deal_stage", stage_dates={"Engaging": "engaged"},
                                               outcomes=["Won", "Lost"], close="close_date")
    with pytest.raises(InvalidArgumentError, match="missing"):
        fn.TransitionCounts.from_opportunities(deals, stage="deal_stage", stage_dates=STAGES, outcomes=["Won", "Lost"],
                                               close="close_date", missing="drop")
    back = deals.head(3).copy()
    back.loc[1, "close_date"] = back.loc[1, "engage_date"] - pd.Timedelta(days=3)
    with pytest.raises(InvalidArgumentError, match="opportunity .Z063OYW0. \\(row 1\\): close_date"):
        fn.TransitionCounts.from_opportunities(back, lead="opportunity_id", stage="deal_stage", stage_dates=STAGES,
                                               outcomes=["Won", "Lost"], close="close_date")


# ---------------------------------------------------------------------------- survival and fits
def _censored_sample(seed: int, n: int, dist, horizon: float):
    rng = np.random.default_rng(seed)
    x = dist.rvs(size=n, random_state=rng)
    c = rng.uniform(0, horizon, n)
    return np.minimum(x, c), x <= c


def test_kaplan_meier_matches_scipy_ecdf():
    t, obs = _censored_sample(1, 400, st.weibull_min(1.5, scale=20), 40)
    t = np.ceil(t)  # ties
    km = fn.funnel.kaplan_meier(t, obs)
    ref = st.ecdf(st.CensoredData(uncensored=t[obs], right=t[~obs])).sf
    np.testing.assert_allclose(km["survival"].to_numpy(), ref.evaluate(km["time"].to_numpy()), rtol=1e-12, atol=1e-14)


def _one_stage_log(t, obs, dest):
    n = len(t)
    lead = np.concatenate([np.arange(n), np.flatnonzero(obs)])
    time = np.concatenate([np.zeros(n), t[obs]])
    stage = np.concatenate([np.full(n, "open", dtype=object), np.asarray(dest, dtype=object)[obs]])
    return pd.DataFrame({"lead": lead, "t": time, "stage": stage})


@pytest.mark.parametrize("family,dist,scipy_dist", [
    ("weibull", st.weibull_min(1.6, scale=25), st.weibull_min),
    ("gamma", st.gamma(2.5, scale=8), st.gamma),
])
def test_censored_fits_match_scipy(family, dist, scipy_dist):
    t, obs = _censored_sample(2, 600, dist, 60)
    # Each duration has its own censoring time: fit the durations directly (the core
    # entry point that SemiMarkovFunnel calls per stage and destination).
    core = fn._core.funnel.fit_duration(fn.funnel.semi_markov.FAMILIES[family], t.astype(np.float64),
                                        obs.astype(np.uint8), 1e-10, 200)
    ref = scipy_dist.fit(st.CensoredData(uncensored=t[obs], right=t[~obs]), floc=0)
    ref_ll = np.sum(scipy_dist.logpdf(t[obs], ref[0], 0, ref[2])) + np.sum(scipy_dist.logsf(t[~obs], ref[0], 0, ref[2]))
    ours_ll = np.sum(scipy_dist.logpdf(t[obs], core.shape, 0, core.scale)) + np.sum(
        scipy_dist.logsf(t[~obs], core.shape, 0, core.scale))
    assert core.converged
    assert ours_ll == pytest.approx(core.log_likelihood, rel=1e-9)
    assert ours_ll >= ref_ll - 1e-6  # at least as good as scipy's optimiser
    assert core.shape == pytest.approx(ref[0], rel=2e-3)
    assert core.scale == pytest.approx(ref[2], rel=2e-3)


def _ctmc_log(seed: int, n: int, horizon: float):
    """Leads a -> {b, won, lost}, b -> {won, lost} with exponential holding times."""
    rng = np.random.default_rng(seed)
    rates = {"a": {"b": 0.08, "won": 0.02, "lost": 0.03}, "b": {"won": 0.06, "lost": 0.04}}
    rows = []
    # Vectorised per step: all leads take their step together.
    at = np.full(n, "a", dtype=object)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    rows.append(pd.DataFrame({"lead": np.arange(n), "t": now.copy(), "stage": at.copy()}))
    for _ in range(3):
        for s, out in rates.items():
            idx = np.flatnonzero(alive & (at == s))
            total = sum(out.values())
            hold = rng.exponential(1 / total, idx.size)
            dest = rng.choice(list(out), size=idx.size, p=np.array(list(out.values())) / total)
            done = now[idx] + hold <= horizon
            i2 = idx[done]
            now[i2] += hold[done]
            at[i2] = dest[done]
            alive[idx[~done]] = False
            rows.append(pd.DataFrame({"lead": i2, "t": now[i2], "stage": dest[done]}))
        alive &= ~np.isin(at, ["won", "lost"])
    return pd.concat(rows, ignore_index=True)


def test_exponential_semi_markov_is_the_continuous_chain():
    log = _ctmc_log(5, 3000, 50.0)
    f = fn.Funnel(["a", "b"], outcomes=["won", "lost"])
    m = fn.SemiMarkovFunnel("exponential", draws=200_000, seed=3).fit(log, lead="lead", stage="stage", time="t",
                                                                         cutoff=50.0, funnel=f)
    q = m.markov_.generator()
    jump = m.jump_matrix_
    for i in ["a", "b"]:
        for j in f.states:
            if j != i:
                assert jump.loc[i, j] == pytest.approx(q.loc[i, j] / -q.loc[i, i], abs=1e-6)
    n = m.draws
    for age in (0.0, 20.0):  # memoryless: the age does not matter
        cdf = m.close_time_cdf([10.0, 30.0], "a", age=age).to_numpy()
        ref = np.array([m.markov_.close_time_cdf(x).loc["a"] for x in (10.0, 30.0)])
        assert np.all(np.abs(cdf - ref) <= 4 * np.sqrt(ref * (1 - ref) / n))
        win = m.win_probabilities("a", age=age)
        b = m.markov_.absorption_probabilities().loc["a", "won"]
        assert abs(win["won"] - b) <= 4 * np.sqrt(b * (1 - b) / n)


def test_empirical_win_probability_given_age_is_counting():
    rng = np.random.default_rng(7)
    n = 800
    won = rng.uniform(size=n) < 0.55
    t = np.ceil(np.where(won, rng.exponential(10, n), rng.exponential(35, n)))  # losses are slower
    log = _one_stage_log(t, np.ones(n, dtype=bool), np.where(won, "won", "lost"))
    m = fn.SemiMarkovFunnel(draws=100_000, seed=2).fit(log, lead="lead", stage="stage", time="t",
                                                       absorbing=["won", "lost"])
    for age in (0.0, 10.0, 30.0):
        later = t > age
        p = won[later].mean()
        got = m.win_probabilities("open", age=age)["won"]
        assert abs(got - p) <= 4 * np.sqrt(p * (1 - p) / m.draws) + 1e-12
    # stale flag: beyond the 0.9 quantile of the holding time (smallest t with >= 90% gone)
    q90 = np.sort(t)[int(np.ceil(0.9 * n)) - 1]
    assert m.holding_quantile("open", 0.9) == q90
    assert m.stale(["open"] * 3, [q90 - 1, q90, q90 + 1], q=0.9).tolist() == [False, False, True]


def test_same_seed_same_answer_at_any_thread_count():
    log = _ctmc_log(9, 500, 40.0)
    kw = dict(lead="lead", stage="stage", time="t", cutoff=40.0, absorbing=["won", "lost"])
    a = fn.SemiMarkovFunnel("weibull", draws=30_000, seed=4, threads=1).fit(log, **kw).outlook("b", age=5.0)
    b = fn.SemiMarkovFunnel("weibull", draws=30_000, seed=4, threads=3).fit(log, **kw).outlook("b", age=5.0)
    assert a == b


def test_non_convergence_is_an_error():
    log = pd.DataFrame({"lead": [1, 1, 2, 2], "t": [0.0, 5, 0, 5], "stage": ["a", "won", "a", "won"]})
    with pytest.raises(fn.ConvergenceError, match="from 'a' to 'won' did not converge"):
        fn.SemiMarkovFunnel("weibull").fit(log, lead="lead", stage="stage", time="t", absorbing=["won"])


# ---------------------------------------------------------------------------- the CRM figures
def test_crm_kaplan_meier_markov_and_semi_markov(deals):
    kw = dict(lead="opportunity_id", stage="deal_stage", stage_dates={"Engaging": "engage_date"},
              outcomes=["Won", "Lost"], close="close_date", cutoff="2017-12-31")
    engaged = deals[deals["engage_date"].notna()]
    end = engaged["close_date"].fillna(pd.Timestamp("2017-12-31"))
    days = (end - engaged["engage_date"]).dt.days.to_numpy(dtype=float)
    closed = engaged["close_date"].notna().to_numpy()
    # Oracles: scipy's Kaplan-Meier, the exponential closed form q = exits / exposure.
    km30 = 1 - st.ecdf(st.CensoredData(uncensored=days[closed], right=days[~closed])).sf.evaluate(30.0)
    q = closed.sum() / days.sum()
    markov30 = 1 - np.exp(-q * 30)
    assert km30 == pytest.approx(0.38, abs=0.01) and markov30 == pytest.approx(0.27, abs=0.01)
    emp = fn.SemiMarkovFunnel("empirical", draws=200_000).fit_opportunities(engaged, **kw)
    g = emp.goodness_of_fit([30.0, 60.0, 90.0], start="Engaging")
    assert g.table.loc[30.0, "aalen_johansen"] == pytest.approx(km30, abs=1e-12)
    assert g.table.loc[30.0, "markov"] == pytest.approx(markov30, rel=1e-9)
    se = np.sqrt(km30 * (1 - km30) / emp.draws)
    assert abs(g.table.loc[30.0, "semi_markov"] - km30) <= 4 * se
    assert g.max_error_semi_markov < g.max_error_markov
    wb = fn.SemiMarkovFunnel("weibull", draws=200_000).fit_opportunities(engaged, **kw)
    assert wb.converged_
    assert wb.goodness_of_fit([30.0, 60.0, 90.0], start="Engaging").max_error_markov == pytest.approx(g.max_error_markov)
    # The curve never reaches 0.99 (open deals outlive every closed one): deals older than
    # the longest closed cycle are stale, the others not.
    assert np.isinf(emp.holding_quantile("Engaging", 0.99))
    longest = days[closed].max()
    assert emp.stale(["Engaging"] * 2, [longest, longest + 1], q=0.99).tolist() == [False, True]
    n_stale = emp.stale(np.full((~closed).sum(), "Engaging"), days[~closed], q=0.99).sum()
    assert n_stale == (days[~closed] > longest).sum() == 1291  # the count


def test_semi_markov_pickles_and_rejects_bad_queries():
    import pickle

    log = _ctmc_log(3, 300, 40.0)
    m = fn.SemiMarkovFunnel("gamma", draws=5000).fit(log, lead="lead", stage="stage", time="t", cutoff=40.0,
                                                     absorbing=["won", "lost"])
    m2 = pickle.loads(pickle.dumps(m))
    assert m2.outlook("a", age=3.0) == m.outlook("a", age=3.0)
    pd.testing.assert_frame_equal(m2.holding_, m.holding_)
    with pytest.raises(UnknownLabelError, match="'c'"):
        m.win_probabilities("c")
    with pytest.raises(InvalidArgumentError, match="'won' is an outcome"):
        m.outlook("won")
    with pytest.raises(InvalidArgumentError, match="age must be finite and >= 0, got -1"):
        m.win_probabilities("a", age=-1.0)
    with pytest.raises(InvalidArgumentError, match="family"):
        fn.SemiMarkovFunnel("lognormal")


@pytest.mark.parametrize("family", ["weibull", "gamma"])
def test_parametric_jump_chain_and_age_conditional_win_match_quadrature(family):
    from scipy.integrate import quad

    rng = np.random.default_rng(11)
    n = 1500
    won = rng.uniform(size=n) < 0.6
    t = np.where(won, rng.weibull(1.8, n) * 12, rng.weibull(0.8, n) * 30) + 0.01
    obs = rng.uniform(size=n) < 0.85
    log = _one_stage_log(t, obs, np.where(won, "won", "lost"))
    # The unobserved leads stay open until the cut-off (censored there).  The oracle is
    # the fitted latent distributions themselves: P(won | age) by quadrature.
    m = fn.SemiMarkovFunnel(family, draws=200_000, seed=5).fit(log, lead="lead", stage="stage", time="t",
                                                               absorbing=["won", "lost"], cutoff=float(t.max()) + 1)
    h = m.holding_.set_index("destination")
    dist = st.weibull_min if family == "weibull" else st.gamma
    fw = dist(h.loc["won", "shape"], scale=h.loc["won", "scale"])
    fl = dist(h.loc["lost", "shape"], scale=h.loc["lost", "scale"])

    def p_won(age):
        num = quad(lambda x: fw.pdf(x) * fl.sf(x), age, np.inf, limit=200)[0]
        return num / (fw.sf(age) * fl.sf(age))

    assert m.jump_matrix_.loc["open", "won"] == pytest.approx(p_won(0.0), abs=2e-4)
    assert m.jump_matrix_.loc["open", ["won", "lost"]].sum() == pytest.approx(1.0, abs=1e-12)
    for age in (0.0, 15.0):
        p = p_won(age)
        assert abs(m.win_probabilities("open", age=age)["won"] - p) <= 4 * np.sqrt(p * (1 - p) / m.draws)
    # Holding survival is the product of the two latent survivals.
    assert m.stale(["open"], [np.nextafter(m.holding_quantile("open", 0.5), np.inf)], q=0.5).item()
    x = m.holding_quantile("open", 0.5)
    assert fw.sf(x) * fl.sf(x) == pytest.approx(0.5, rel=1e-9)


def test_cumulative_incidence_sums_to_scipy_kaplan_meier():
    rng = np.random.default_rng(4)
    t = np.ceil(rng.exponential(10, 300))
    cause = rng.choice([-1, 0, 1], size=300, p=[0.3, 0.4, 0.3])
    ci = fn.funnel.cumulative_incidence(t, cause, ["won", "lost"])
    ev = cause >= 0
    sf = st.ecdf(st.CensoredData(uncensored=t[ev], right=t[~ev])).sf.evaluate(ci.index.to_numpy())
    np.testing.assert_allclose(ci["won"] + ci["lost"], 1 - sf, atol=1e-12)
    np.testing.assert_allclose(ci["survival"], sf, atol=1e-12)
