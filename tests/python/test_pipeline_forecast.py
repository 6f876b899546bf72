"""fn.pipeline.forecast against closed forms: a one-stage discrete chain (P(won by k) =
w (1 - s^k) / (1 - s)), a one-stage continuous chain (P(won by t) = a/(a+b) (1 -
exp(-(a+b) t))), and a semi-Markov funnel whose deals all close at known ages (so the
conditioning on age is visible); categories and roll-ups recomputed here; the Monte
Carlo against the exact distribution and across thread counts; bad input naming the row."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError, UnknownLabelError


def discrete(s=0.5, w=0.3, l=0.2):
    return fn.MarkovChain(np.array([[s, w, l], [0, 1, 0], [0, 0, 1]]), states=["deal", "won", "lost"],
                          absorbing=["won", "lost"])


def deals(n=40, seed=0, stage="deal", entered=0.0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"opportunity": [f"o{i}" for i in range(n)], "stage": stage, "entered": entered,
                         "amount": rng.integers(1, 20, n) * 500.0})


def test_discrete_chain_closed_form():
    s, w = 0.5, 0.3
    df = deals()
    f = fn.pipeline.forecast(df, discrete(s, w), horizon=4, period=1.0, snapshot=0.0)
    k = np.arange(1, 5)
    np.testing.assert_allclose(f.won_by_period.iloc[0].to_numpy(), w * (1 - s**k) / (1 - s), atol=1e-12)
    assert f.opportunities["p_won"].iloc[0] == pytest.approx(w / (1 - s))
    per = w * s ** (k - 1)
    # every deal has the same per-period p: the count is binomial
    np.testing.assert_allclose(f.count[1].pmf, stats.binom(len(df), per[1]).pmf(np.arange(len(df) + 1)), atol=1e-12)
    np.testing.assert_allclose(f.periods["expected_revenue"], per * df["amount"].sum(), rtol=1e-9)
    np.testing.assert_allclose(f.periods["expected_cumulative_count"], len(df) * np.cumsum(per), rtol=1e-9)
    ph = w * (1 - s**4) / (1 - s)
    assert f.opportunities["expected_close_period"].iloc[0] == pytest.approx((per * k).sum() / ph)
    assert f.opportunities["category"].iloc[0] == "best_case"  # 0.5625 in [0.5, 0.8)


def test_continuous_chain_closed_form_in_calendar_months():
    a, b = 0.02, 0.01  # per day
    q = np.array([[-(a + b), a, b], [0, 0, 0], [0, 0, 0]])
    chain = fn.ContinuousChain(q, states=["deal", "won", "lost"], absorbing=["won", "lost"])
    chain.time_unit = "D"
    df = deals(10)
    df["entered"] = pd.Timestamp("2024-01-05")
    f = fn.pipeline.forecast(df, chain, horizon=3, period="month", snapshot="2024-01-10")
    ends = np.array([22.0, 22 + 29, 22 + 29 + 31])  # Jan 10 -> Feb 1, Mar 1, Apr 1 (2024 is a leap year)
    expect = a / (a + b) * (1 - np.exp(-(a + b) * ends))
    np.testing.assert_allclose(f.won_by_period.iloc[0].to_numpy(), expect, atol=1e-9)
    assert list(f.periods.index) == ["2024-01", "2024-02", "2024-03"]
    assert f.opportunities["age"].iloc[0] == pytest.approx(5.0)


def test_semi_markov_conditions_on_age():
    # every deal that won did so after exactly 10 days, every loss after 30
    n = 200
    lead = np.repeat(np.arange(n), 2)
    t = np.column_stack([np.zeros(n), np.where(np.arange(n) % 2 == 0, 10.0, 30.0)]).ravel()
    stage = np.column_stack([np.full(n, "deal"), np.where(np.arange(n) % 2 == 0, "won", "lost")]).ravel()
    m = fn.SemiMarkovFunnel("empirical", draws=2000, seed=1).fit(
        pd.DataFrame({"lead": lead, "t": t, "stage": stage}), lead="lead", stage="stage", time="t",
        absorbing=["won", "lost"])
    df = pd.DataFrame({"opportunity": ["young", "old"], "stage": "deal", "entered": [95.0, 80.0],
                       "amount": [1.0, 1.0]})
    f = fn.pipeline.forecast(df, m, horizon=2, period=5.0, snapshot=100.0)
    # young (age 5): wins at day 10 = 5 days on, with probability 1/2; old (age 20): cannot win
    np.testing.assert_allclose(f.won_by_period.loc["young"].to_numpy(), [0.5, 0.5], atol=0.04)
    np.testing.assert_allclose(f.won_by_period.loc["old"].to_numpy(), [0.0, 0.0], atol=1e-12)
    assert f.opportunities.loc["old", "category"] == "omitted"


def test_categories_and_rollup():
    df = deals(30, seed=3)
    df["stage"] = np.where(np.arange(30) % 3 == 0, "a", "b")
    chain = fn.MarkovChain(np.array([[0.2, 0.0, 0.7, 0.1], [0.0, 0.6, 0.1, 0.3], [0, 0, 1, 0], [0, 0, 0, 1]]),
                           states=["a", "b", "won", "lost"], absorbing=["won", "lost"])
    cuts = {"commit": 0.85, "best_case": 0.2}
    f = fn.pipeline.forecast(df, chain, horizon=2, period=1.0, snapshot=0.0, categories=cuts)
    ph = f.opportunities["p_won_horizon"]
    expect = np.where(ph >= 0.85, "commit", np.where(ph >= 0.2, "best_case", "omitted"))
    assert (f.opportunities["category"].astype(str).to_numpy() == expect).all()
    roll = f.categories
    assert roll["deals"].sum() == 30
    assert roll.loc["commit", "amount"] == pytest.approx(df["amount"][expect == "commit"].sum())
    assert f.periods["expected_cumulative_revenue"].iloc[-1] == pytest.approx((ph * df["amount"].to_numpy()).sum())


def test_monte_carlo_matches_exact_and_any_thread_count():
    df = deals(60, seed=5)
    f = fn.pipeline.forecast(df, discrete(), horizon=3, period=1.0, snapshot=0.0)
    a = f.simulate(runs=20000, seed=2, threads=1)
    b = f.simulate(runs=20000, seed=2, threads=3)
    pd.testing.assert_frame_equal(a, b)
    for j in range(3):
        d = f.revenue[j]
        se = d.std / np.sqrt(20000)
        assert abs(a["revenue_mean"].iloc[j] - d.mean) < 4 * se
    shocked = f.simulate(runs=20000, shock_sd=1.0, seed=2)
    spread = lambda t: (t["cumulative_count_p90"] - t["cumulative_count_p10"]).iloc[-1]
    assert spread(shocked) > spread(a)  # a common shock widens the band
    slipped = f.simulate(runs=20000, slip=0.5, seed=2)
    assert slipped["cumulative_count_mean"].iloc[-1] < a["cumulative_count_mean"].iloc[-1]


def test_inflow_rate_and_seasonality():
    rng = np.random.default_rng(0)
    months = pd.date_range("2022-01-01", periods=36, freq="MS")
    lam = np.where(months.month == 12, 30, 10)
    created = np.concatenate([m + pd.to_timedelta(rng.uniform(0, 27, k), unit="D")
                              for m, k in zip(months, rng.poisson(lam))])
    inf = fn.pipeline.fit_inflow(pd.to_datetime(created), seasonal=True)
    assert inf.rate == pytest.approx(len(created) / 36)
    assert inf.seasonal.loc[12] > 2.0 and inf.seasonal.loc[6] < 1.0
    df = deals(5)
    df["entered"] = pd.Timestamp("2024-11-02")
    q = np.array([[-0.1, 0.05, 0.05], [0, 0, 0], [0, 0, 0]])
    chain = fn.ContinuousChain(q, states=["deal", "won", "lost"], absorbing=["won", "lost"])
    f = fn.pipeline.forecast(df, chain, horizon=2, snapshot="2024-11-05", inflow=inf)
    assert f.periods["expected_new"].iloc[1] == pytest.approx(inf.rate * inf.seasonal.loc[12])
    lam_dec = f.periods["expected_new"].iloc[1]
    assert f.periods["new_p90"].iloc[1] == stats.poisson(lam_dec).ppf(0.9)


def test_plot_is_a_fan_chart():
    import matplotlib

    matplotlib.use("Agg")
    f = fn.pipeline.forecast(deals(), discrete(), horizon=3, period=1.0, snapshot=0.0)
    ax = f.plot()
    assert len(ax.collections) == 1 and len(ax.lines) == 2


def test_bad_input_names_the_row():
    chain = discrete()
    df = deals(4)
    bad = df.copy()
    bad.loc[2, "stage"] = "won"
    with pytest.raises(InvalidArgumentError, match=r"row 2 \(opportunity 'o2'\).*outcome"):
        fn.pipeline.forecast(bad, chain, period=1.0, snapshot=0.0)
    bad = df.copy()
    bad.loc[1, "stage"] = "nowhere"
    with pytest.raises(UnknownLabelError, match=r"row 1 .*'nowhere'"):
        fn.pipeline.forecast(bad, chain, period=1.0, snapshot=0.0)
    for v in (-5.0, np.nan):
        bad = df.copy()
        bad.loc[3, "amount"] = v
        with pytest.raises(InvalidArgumentError, match=r"row 3 .*amount"):
            fn.pipeline.forecast(bad, chain, period=1.0, snapshot=0.0)
    bad = df.copy()
    bad.loc[0, "entered"] = 9.0
    with pytest.raises(InvalidArgumentError, match=r"row 0 .*after the snapshot"):
        fn.pipeline.forecast(bad, chain, period=1.0, snapshot=5.0)
    with pytest.raises(InvalidArgumentError, match="horizon"):
        fn.pipeline.forecast(df, chain, horizon=0, period=1.0, snapshot=0.0)
    original = df.copy()
    with pytest.raises(InvalidArgumentError, match="too coarse"):
        fn.pipeline.forecast(df, chain, period=1.0, snapshot=0.0, grid=1e6)
    pd.testing.assert_frame_equal(df, original)  # the input is left unchanged


def _inflow(rate):
    return fn.pipeline.Inflow(rate=rate, seasonal=pd.Series(1.0, index=pd.Index(range(1, 13), name="month"),
                                                            name="factor"), period="month", periods=12)


def test_inflow_wins_discrete_closed_form():
    # A new deal arriving in period j steps at the end of it: won by the end of period k
    # with (P^(k-j+1))[deal, won] = 0.3 (1 - 0.6^m) / 0.4, m = k - j + 1; with 5 arrivals a
    # period, the wins within period k sum to 5 (P^k)[deal, won].
    chain = fn.MarkovChain(np.array([[0.6, 0.3, 0.1], [0, 1, 0], [0, 0, 1]]), states=["deal", "won", "lost"],
                           absorbing=["won", "lost"])
    deals = pd.DataFrame({"opportunity": ["a"], "stage": ["deal"], "entered": [0.0], "amount": [100.0]})
    f = fn.pipeline.forecast(deals, chain, horizon=4, period=1.0, snapshot=0.0, inflow=_inflow(5.0))
    k = np.arange(1, 5)
    want = 5 * 0.3 * (1 - 0.6**k) / 0.4
    np.testing.assert_allclose(f.periods["expected_new_wins"], want, rtol=1e-12)
    np.testing.assert_allclose(f.periods["expected_cumulative_new_wins"], np.cumsum(want), rtol=1e-12)
    # Poisson quantiles of the new wins, against scipy
    from scipy import stats

    np.testing.assert_array_equal(f.periods["new_wins_p90"], stats.poisson(want).ppf(0.9))
    # the existing deal's own wins are unchanged by the inflow
    base = fn.pipeline.forecast(deals, chain, horizon=4, period=1.0, snapshot=0.0)
    np.testing.assert_array_equal(f.periods["expected_count"], base.periods["expected_count"])


def test_inflow_wins_continuous_closed_form():
    # P(won by t) = a / r (1 - e^{-r t}); arrivals spread evenly over each period of length
    # L: the mean over the arrival time integrates in closed form.
    a, b, L, rate = 0.4, 0.2, 2.0, 3.0
    r = a + b
    chain = fn.ContinuousChain(np.array([[-r, a, b], [0, 0, 0], [0, 0, 0]]), states=["deal", "won", "lost"],
                               absorbing=["won", "lost"])
    deals = pd.DataFrame({"opportunity": ["a"], "stage": ["deal"], "entered": [0.0], "amount": [1.0]})
    f = fn.pipeline.forecast(deals, chain, horizon=3, period=L, snapshot=0.0, inflow=_inflow(rate))
    cum = []
    for k in range(1, 4):
        ek = k * L
        tot = 0.0
        for j in range(1, k + 1):
            bj, ej = (j - 1) * L, j * L
            tot += rate * a / r * (1 - (np.exp(-r * (ek - ej)) - np.exp(-r * (ek - bj))) / (r * L))
        cum.append(tot)
    np.testing.assert_allclose(f.periods["expected_cumulative_new_wins"], cum, rtol=1e-9)


def test_inflow_wins_first_calendar_period_counts_arrivals_after_the_snapshot():
    # Snapshot on 11 January: 21 of January's 31 days remain, so 21/31 of its arrivals are
    # new; a chain that wins at rate a (days) from the entry stage.
    a = 0.05
    chain = fn.ContinuousChain(np.array([[-a, a], [0, 0]]), states=["deal", "won"], absorbing=["won"])
    chain.time_unit = "D"
    deals = pd.DataFrame({"opportunity": ["x"], "stage": ["deal"], "entered": [pd.Timestamp("2024-01-02")],
                          "amount": [1.0]})
    f = fn.pipeline.forecast(deals, chain, horizon=2, period="month", snapshot=pd.Timestamp("2024-01-11"),
                             inflow=_inflow(31.0))

    def mean_won(lo, hi, end):  # arrivals uniform on [lo, hi] days, won by `end`
        return 1 - (np.exp(-a * (end - hi)) - np.exp(-a * (end - lo))) / (a * (hi - lo))

    jan = 31.0 * 21 / 31 * mean_won(0, 21, 21)
    feb = 31.0 * 21 / 31 * mean_won(0, 21, 50) + 31.0 * mean_won(21, 50, 50)
    np.testing.assert_allclose(f.periods["expected_cumulative_new_wins"], [jan, feb], rtol=1e-9)
    with pytest.raises(fn.errors.UnknownLabelError, match="entry='won'"):
        fn.pipeline.forecast(deals, chain, horizon=2, period="month", snapshot=pd.Timestamp("2024-01-11"),
                             inflow=_inflow(31.0), entry="won")
