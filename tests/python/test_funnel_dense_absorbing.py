"""Dense absorbing analysis (markov::dense's LU without pivoting, and the certified
Krylov solve tried first for large dense chains) against numpy.linalg.solve and a
closed form; the label indexes shared between chains over the same names."""
from __future__ import annotations

import numpy as np
import pytest

import funnelnet as fn


def _random_dense(n: int, seed: int, forward: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.0, 1.0, size=(n, n))
    if forward:  # a mostly-forward funnel: solved by the Krylov method preconditioned with the upper triangle
        p = np.triu(p, 1) + 0.02 * np.tril(p, -1)
        p[:, -2:] = 0.002
    else:
        p[:, -2:] *= 5.0
    p[-2:] = 0.0
    p /= np.maximum(p.sum(axis=1, keepdims=True), 1e-300)
    p[-2, -2] = p[-1, -1] = 1.0
    return p


def _numpy_absorbing(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nt = p.shape[0] - 2
    a = np.eye(nt) - p[:nt, :nt]
    x = np.linalg.solve(a, np.column_stack([p[:nt, nt:], np.ones(nt)]))
    t = x[:, -1]
    return x[:, :-1], t, 2.0 * np.linalg.solve(a, t) - t - t * t


@pytest.mark.parametrize("n, forward", [(300, False), (600, False), (600, True), (1300, False), (1300, True)])
def test_dense_chain_matches_numpy_solve(n: int, forward: bool) -> None:
    p = _random_dense(n, seed=n, forward=forward)
    names = [f"s{i}" for i in range(n - 2)] + ["won", "lost"]
    a = fn.MarkovChain(p, states=names).absorption()
    b, t, v = _numpy_absorbing(p)
    np.testing.assert_allclose(a.probabilities.to_numpy(), b, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a.expected_steps.to_numpy(), t, rtol=1e-10)
    np.testing.assert_allclose(a.steps_variance.to_numpy(), v, rtol=1e-9)


def test_ill_conditioned_rank_one_chain_matches_closed_form() -> None:
    # Q = c w^T with max c = 1 - 1e-8: cond(I - Q) ~ 1e8.  Sherman-Morrison:
    # t = 1 + c / (1 - w.c), B = R + c (w^T R) / (1 - w.c).
    n = 400
    rng = np.random.default_rng(5)
    c = (1.0 - 1e-8) * (0.5 + 0.5 * rng.uniform(size=n))
    c[0] = 1.0 - 1e-8
    w = rng.uniform(size=n)
    w /= w.sum()
    win = rng.uniform(size=n)
    p = np.zeros((n + 2, n + 2))
    p[:n, :n] = np.outer(c, w)
    p[:n, n] = win * (1.0 - c)
    p[:n, n + 1] = (1.0 - win) * (1.0 - c)
    p[n, n] = p[n + 1, n + 1] = 1.0
    a = fn.MarkovChain(p, states=[f"s{i}" for i in range(n)] + ["won", "lost"]).absorption()
    denom = 1.0 - w @ c
    t = 1.0 + c / denom
    r = p[:n, n:]
    np.testing.assert_allclose(a.expected_steps.to_numpy(), t, rtol=1e-6)
    np.testing.assert_allclose(a.probabilities.to_numpy(), r + np.outer(c, w @ r) / denom, rtol=1e-6, atol=1e-9)


def test_chains_over_the_same_names_share_labels_safely() -> None:
    import scipy.sparse as sp

    names = ["lead", "demo", "won", "lost"]
    p = sp.csr_array(np.array([[0, .5, 0, .5], [.2, 0, .5, .3], [0, 0, 1, 0], [0, 0, 0, 1]]))
    first = fn.MarkovChain(p, states=names).absorption_probabilities()
    names[0] = "renamed"  # the caller's list changes afterwards: earlier results keep their labels
    second = fn.MarkovChain(p, states=names).absorption_probabilities()
    assert list(first.index) == ["lead", "demo"] and first.index.name == "stage"
    assert list(second.index) == ["renamed", "demo"]
    assert list(first.columns) == ["won", "lost"] and first.columns.name == "outcome"
    np.testing.assert_allclose(first.to_numpy(), [[5 / 18, 13 / 18], [10 / 18, 8 / 18]], rtol=1e-12)


@pytest.mark.parametrize("exit_prob", [1e-2, 1e-4, 1e-5])
def test_krylov_or_lu_by_expected_steps_matches_numpy_solve(exit_prob: float) -> None:
    # A 1,100-state dense chain leaving to won / lost with probability exit_prob per step:
    # expected steps about 1 / exit_prob.  The certified Krylov solve is tried first; past
    # about 3e4 steps (at this size) its certificate cannot pass and the LU takes over
    # after 3 iterations.  Either way the answer is numpy's.
    n = 1100
    rng = np.random.default_rng(int(1 / exit_prob))
    p = rng.uniform(0.0, 1.0, size=(n, n))
    p[:, -2:] = 0.0
    p /= p.sum(axis=1, keepdims=True)
    p *= 1.0 - exit_prob
    win = rng.uniform(size=n)
    p[:, -2] = exit_prob * win
    p[:, -1] = exit_prob * (1.0 - win)
    p[-2:] = 0.0
    p[-2, -2] = p[-1, -1] = 1.0
    a = fn.MarkovChain(p, states=[f"s{i}" for i in range(n - 2)] + ["won", "lost"]).absorption()
    b, t, v = _numpy_absorbing(p)
    assert 0.5 / exit_prob < t.max() < 2.0 / exit_prob
    np.testing.assert_allclose(a.probabilities.to_numpy(), b, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(a.expected_steps.to_numpy(), t, rtol=1e-9)
    np.testing.assert_allclose(a.steps_variance.to_numpy(), v, rtol=1e-8)


def test_diffusive_forward_funnel_falls_back_to_the_lu_and_matches_numpy_solve() -> None:
    # Mostly forward (78% one stage on, 21% one stage back, 1% spread, 1e-4 out), so the
    # upper-triangle preconditioned Krylov solve is tried; the walk is diffusive, the
    # preconditioned spectrum spread, the solve gives up and the LU answers.
    n = 702
    nt = n - 2
    rng = np.random.default_rng(8)
    p = np.zeros((n, n))
    q = rng.uniform(size=(nt, nt))
    q *= 0.0099 / q.sum(axis=1, keepdims=True)
    i = np.arange(nt)
    q[i[:-1], i[:-1] + 1] += 0.78
    q[i[1:], i[1:] - 1] += 0.21
    q[0, 1] += 0.21
    q[-1, -2] += 0.78
    p[:nt, :nt] = q
    win = rng.uniform(size=nt)
    p[:nt, nt] = 1e-4 * win
    p[:nt, nt + 1] = 1e-4 * (1.0 - win)
    p[nt, nt] = p[nt + 1, nt + 1] = 1.0
    assert np.tril(q, -1).sum() <= 0.25 * (np.tril(q, -1).sum() + np.triu(q, 1).sum())
    a = fn.MarkovChain(p, states=[f"s{k}" for k in range(nt)] + ["won", "lost"]).absorption()
    b, t, v = _numpy_absorbing(p)
    assert t.max() > 5e3
    np.testing.assert_allclose(a.probabilities.to_numpy(), b, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(a.expected_steps.to_numpy(), t, rtol=1e-9)
    np.testing.assert_allclose(a.steps_variance.to_numpy(), v, rtol=1e-8)
