"""fn.pipeline.won_distribution against independent oracles: brute-force enumeration of
all 2^n outcomes (n <= 12), scipy.stats.poisson_binom's pmf, the normal limit for large
n, and a numpy Monte Carlo within its standard error."""
from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from scipy import stats

import funnelnet as fn
from funnelnet.errors import InvalidArgumentError, ShapeError


def enumerate_sums(p, units):
    out: dict[float, float] = {}
    for bits in itertools.product([0, 1], repeat=len(p)):
        b = np.array(bits)
        pr = float(np.prod(np.where(b == 1, p, 1 - p)))
        s = float(np.dot(b, units))
        out[s] = out.get(s, 0.0) + pr
    return out


@pytest.mark.parametrize("n", [1, 3, 8, 12])
def test_count_matches_enumeration(n):
    p = np.random.default_rng(n).uniform(size=n)
    d = fn.pipeline.won_distribution(p)
    truth = enumerate_sums(p, np.ones(n))
    expect = np.array([truth.get(float(k), 0.0) for k in range(n + 1)])
    np.testing.assert_allclose(d.pmf, expect, atol=1e-14)
    assert d.mean == pytest.approx(p.sum(), rel=1e-12)


def test_revenue_matches_enumeration_exact_grid():
    rng = np.random.default_rng(4)
    p = rng.uniform(size=10)
    amounts = rng.integers(1, 40, size=10) * 250.0
    d = fn.pipeline.won_distribution(p, amounts)
    assert 250.0 % d.resolution == 0  # exact: the amounts' common divisor
    truth = enumerate_sums(p, amounts)
    got = dict(zip(d.support, d.pmf))
    for v, pr in truth.items():
        assert got.get(v, 0.0) == pytest.approx(pr, abs=1e-14)
    for target in (0.0, 1000.0, 5000.0, float(amounts.sum())):
        assert d.prob_at_least(target) == pytest.approx(sum(pr for v, pr in truth.items() if v >= target), abs=1e-13)
        assert d.expected_shortfall(target) == pytest.approx(
            sum((target - v) * pr for v, pr in truth.items() if v < target), abs=1e-9)


def test_rounded_grid_is_within_half_a_cell_per_deal():
    rng = np.random.default_rng(5)
    p = rng.uniform(size=9)
    amounts = rng.uniform(100, 1000, size=9)
    d = fn.pipeline.won_distribution(p, amounts, grid=10.0)
    assert abs(d.mean - float(p @ amounts)) <= 5.0 * p.sum() + 1e-9
    truth = enumerate_sums(p, np.round(amounts / 10.0) * 10.0)
    got = dict(zip(np.round(d.support, 6), d.pmf))
    for v, pr in truth.items():
        assert got.get(round(v, 6), 0.0) == pytest.approx(pr, abs=1e-14)


@pytest.mark.parametrize("n", [50, 500, 5000])
def test_count_matches_scipy_poisson_binom(n):
    p = np.random.default_rng(n).uniform(size=n)
    d = fn.pipeline.won_distribution(p)
    k = np.arange(n + 1)
    np.testing.assert_allclose(d.pmf, stats.poisson_binom(p).pmf(k), atol=1e-12)
    assert np.all(d.pmf >= 0) and abs(d.pmf.sum() - 1) < 1e-12


def test_large_n_normal_limit_and_tail_mass():
    p = np.random.default_rng(7).uniform(0.05, 0.6, size=300_000)
    d = fn.pipeline.won_distribution(p)
    assert np.all(d.pmf >= 0) and abs(d.pmf.sum() - 1) < 1e-12
    mu, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
    assert d.mean == pytest.approx(mu, rel=1e-9)
    assert d.std == pytest.approx(sd, rel=1e-6)
    q = d.quantiles([0.1, 0.5, 0.9]).to_numpy()
    np.testing.assert_allclose(q, stats.norm(mu, sd).ppf([0.1, 0.5, 0.9]), atol=2.0)
    assert d.prob_at_least(mu + 2 * sd) == pytest.approx(stats.norm.sf(2.0), abs=3e-3)


def test_revenue_against_monte_carlo():
    rng = np.random.default_rng(8)
    n = 2000
    p = rng.uniform(0, 0.5, size=n)
    amounts = rng.lognormal(9, 1, size=n)
    d = fn.pipeline.won_distribution(p, amounts, grid=50.0)
    runs = 20000
    sims = np.concatenate([(rng.uniform(size=(2000, n)) < p) @ amounts for _ in range(runs // 2000)])
    target = float(np.quantile(sims, 0.8))
    mc = float((sims >= target).mean())
    se = np.sqrt(mc * (1 - mc) / runs)
    # the grid moves each amount by <= 25: negligible against the spread (sd ~ 1e5)
    assert abs(d.prob_at_least(target) - mc) < 4 * se + 1e-3
    assert abs(d.mean - sims.mean()) < 4 * sims.std() / np.sqrt(runs)


def test_object_behaviour():
    d = fn.pipeline.won_distribution([0.2, 0.7, 0.4], amounts=[100, 200, 300])
    back = pickle.loads(pickle.dumps(d))
    assert back == d and back.prob_at_least(300) == d.prob_at_least(300)
    df = d.to_frame()
    assert list(df.columns) == ["pmf", "cdf", "prob_at_least"] and df.index.name == "value"
    np.testing.assert_array_equal(df.index.to_numpy(), [0, 100, 200, 300, 400, 500, 600])
    assert df["pmf"].sum() == pytest.approx(1.0, abs=1e-12)
    assert "WonDistribution" in repr(d)


def test_plot_draws_the_pmf():
    import matplotlib

    matplotlib.use("Agg")
    ax = fn.pipeline.won_distribution([0.2, 0.7, 0.4]).plot()
    assert len(ax.patches) == 4


def test_bad_input_names_the_deal():
    with pytest.raises(InvalidArgumentError, match="deal 1"):
        fn.pipeline.won_distribution([0.5, 1.2])
    with pytest.raises(InvalidArgumentError, match="deal 2"):
        fn.pipeline.won_distribution([0.5, 0.2, 0.1], amounts=[1.0, 2.0, -3.0])
    with pytest.raises(InvalidArgumentError, match="deal 0"):
        fn.pipeline.won_distribution([0.5], amounts=[np.nan])
    with pytest.raises(InvalidArgumentError, match="too coarse.*deal 1"):
        fn.pipeline.won_distribution([0.5, 0.5], amounts=[1000.0, 4.0], grid=100.0)
    with pytest.raises(ShapeError):
        fn.pipeline.won_distribution([0.5, 0.5], amounts=[1.0])
    d = fn.pipeline.won_distribution([0.5, 0.5])
    with pytest.raises(InvalidArgumentError, match="target"):
        d.prob_at_least(-1)
    with pytest.raises(InvalidArgumentError, match="target"):
        d.expected_shortfall(float("nan"))
