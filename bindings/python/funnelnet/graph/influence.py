"""Diffusion and choosing whom to cultivate.

Independent cascade (``model="IC"``) and linear threshold (``model="LT"``) spread by
seeded, parallel Monte Carlo (same seed, same answer at any thread count), exact
spread for tiny graphs, and influence maximisation by IMM (Tang, Shi and Xiao 2015)
or CELF greedy.  Edge probabilities (``probabilities=``):

- ``"wc"`` weighted cascade, 1 / in-degree of the referee (the default);
- a float, or ``"constant"`` with ``p=``: the same probability on every edge;
- ``"trivalency"``: 0.1, 0.01 or 0.001 at random (seeded by ``seed``);
- ``"weight"``: the graph's edge weights, which must lie in [0, 1];
- ``"learned"`` with ``successes=`` and ``exposures=`` per edge and ``prior=(a, b)``:
  the posterior mean (successes + a) / (exposures + a + b);
- an array with one probability per edge in ``g.edges()`` order.
For LT the probabilities are in-weights and must sum to at most 1 per node.

>>> import funnelnet as fn
>>> g = fn.ReferralGraph.from_edges([0, 0, 0, 0], [1, 2, 3, 4])
>>> fn.influence.exact_spread(g, [0], probabilities=0.5)
3.0
>>> r = fn.influence.spread(g, [0], probabilities=0.5, n_sims=20000, seed=1)
>>> abs(r.mean - 3.0) < 4 * r.stderr
True
>>> fn.influence.imm(g, 1, probabilities=0.5, seed=1).seeds
[0]
"""
from __future__ import annotations

from dataclasses import field
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.results import Result, result
from .._common.options import run_with_progress as _run_with_progress
from ..errors import InputTypeError, InvalidArgumentError, ShapeError
from .referral import ReferralGraph
from .._common.checks import check_ints

_EMPTY_F = np.empty(0, dtype=np.float64)

__all__ = ["SpreadResult", "InfluenceResult", "edge_probabilities", "spread", "exact_spread", "imm", "celf"]

_MODELS = {"IC": 0, "LT": 1}
#: ``model=`` values (keys of _MODELS; lower case is accepted too).
DiffusionModel = Literal["IC", "LT", "ic", "lt"]


def _model(model: str) -> int:
    key = str(model).upper()
    if key not in _MODELS:
        raise InvalidArgumentError(f"model must be 'IC' or 'LT', got {model!r}")
    return _MODELS[key]


def _graph(g: Any) -> ReferralGraph:
    if not isinstance(g, ReferralGraph):
        raise InputTypeError(f"expected a funnelnet.ReferralGraph, got {type(g).__name__}")
    return g


def edge_probabilities(
    g: ReferralGraph,
    probabilities: Any = "wc",
    p: float | None = None,
    seed: int = 0,
    successes: Any = None,
    exposures: Any = None,
    prior: tuple[float, float] = (1.0, 1.0),
) -> np.ndarray:
    """Edge probabilities in ``g.edges()`` order (see the module docstring for the
    choices).  InvalidArgumentError for NaN or out-of-[0, 1] values, ShapeError for an
    array of the wrong length.

    Parameters
    ----------
    g : ReferralGraph
        The referral graph.
    probabilities : {"wc", "constant", "trivalency", "weight", "learned"}, float or array-like
        The rule (see the module docstring).
    p : float, optional
        The probability of ``"constant"``.
    seed : int
        Seed of ``"trivalency"``.
    successes, exposures : array-like, optional
        Per edge, for ``"learned"``: referrals that converted and referrals made.
    prior : tuple of float
        Beta(a, b) prior of ``"learned"``.

    Returns
    -------
    ndarray
        One probability per edge, in ``g.edges()`` order.

    Examples
    --------
    Weighted cascade: cy has two referrers, so each of its in-edges gets 1/2:

    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
    >>> fn.influence.edge_probabilities(g).tolist()
    [1.0, 0.5, 0.5, 1.0]
    >>> fn.influence.edge_probabilities(g, "learned", successes=[1, 0, 2, 3], exposures=[4, 4, 4, 4]).round(4).tolist()
    [0.3333, 0.1667, 0.5, 0.6667]
    """
    g = _graph(g)
    c = g._core
    if isinstance(probabilities, str):
        kind = probabilities.lower()
        if kind in ("wc", "weighted_cascade"):
            return _core.graph.weighted_cascade(c, False)
        if kind == "constant":
            if p is None:
                raise InvalidArgumentError("probabilities='constant' needs p=")
            return _core.graph.constant_probabilities(c, float(p))
        if kind == "trivalency":
            return _core.graph.trivalency(c, int(seed))
        if kind == "weight":
            return _core.graph.given_probabilities(c, np.ascontiguousarray(np.asarray(c.weights), dtype=np.float64))
        if kind == "learned":
            if successes is None or exposures is None:
                raise InvalidArgumentError("probabilities='learned' needs successes= and exposures= per edge")
            s = np.ascontiguousarray(successes, dtype=np.float64)
            x = np.ascontiguousarray(exposures, dtype=np.float64)
            return _core.graph.learned_probabilities(c, s, x, float(prior[0]), float(prior[1]))
        raise InvalidArgumentError(
            f"probabilities must be 'wc', 'constant', 'trivalency', 'weight', 'learned', a float or an array, got {probabilities!r}"
        )
    if np.isscalar(probabilities):
        return _core.graph.constant_probabilities(c, float(probabilities))  # type: ignore[arg-type]
    a = np.asarray(probabilities, dtype=np.float64)
    if a.ndim != 1 or len(a) != g.number_of_edges:
        raise ShapeError(f"edge probabilities have shape {a.shape}, expected ({g.number_of_edges},) (one per edge)")
    return _core.graph.given_probabilities(c, np.ascontiguousarray(a))


def _probs(g: ReferralGraph, probabilities: Any, seed: int) -> np.ndarray:
    if isinstance(probabilities, np.ndarray) and probabilities.dtype == np.float64 and probabilities.flags.c_contiguous \
            and probabilities.ndim == 1 and len(probabilities) == g.number_of_edges:
        return probabilities  # checked again in C++
    return edge_probabilities(g, probabilities, seed=seed)


def _values(g: ReferralGraph, values: Any, name: str) -> np.ndarray:
    return _EMPTY_F if values is None else g._per_node(values, name)


@result
class SpreadResult(Result):
    """Monte Carlo spread: expected activated nodes (seeds included) with its standard
    error, the expected activated value (when ``values`` were given), and the mean
    number newly activated per round (round 0 = the seeds).  With ``delays``,
    ``by_time`` is the expected number of activations per time bin (a Series indexed by
    the bins, from a separate set of ``n_sims`` timed simulations).

    ``to_frame()``: one row per round (``round``), column ``activations`` (= ``by_round``);
    the scalars are in its ``attrs``; ``by_time.to_frame()`` gives the timed table.

    Attributes
    ----------
    mean, stderr : float
        Expected number of activated nodes (seeds included) and its standard error.
    value_mean, value_stderr : float
        Expected activated value and its standard error (0 without ``values``).
    n_sims : int
        Simulations run.
    by_round : ndarray
        Mean newly activated nodes per round.
    by_time : Series or None
        Expected activations per time bin (with ``delays``).
    """

    mean: float
    stderr: float
    value_mean: float
    value_stderr: float
    n_sims: int
    by_round: np.ndarray = field(repr=False)
    by_time: "pd.Series | None" = field(default=None, repr=False)

    def _table(self) -> pd.DataFrame:
        return pd.DataFrame({"activations": np.asarray(self.by_round, dtype=np.float64)},
                            index=pd.RangeIndex(len(self.by_round), name="round"))


@result
class InfluenceResult(Result):
    """Seeds in the order chosen (labels), the estimated spread (or value) of all of
    them and after each one, their total cost, and for IMM the RR sets used.

    ``to_frame()``: one row per seed in the order chosen (indexed by the node labels),
    columns ``spread`` (= ``spread_after``) and ``gain`` (what each seed added).

    Attributes
    ----------
    seeds : list
        Node labels, in the order chosen.
    spread : float
        Estimated spread (or value) of all the seeds.
    spread_after : Series
        Estimated spread after each seed, indexed by the seeds.
    cost : float
        Total cost of the seeds (0 without costs).
    n_rr_sets : int
        Reverse-reachable sets sampled (IMM; 0 for CELF).
    """

    seeds: list[Any]
    spread: float
    spread_after: pd.Series = field(repr=False)
    cost: float = 0.0
    n_rr_sets: int = 0

    def _table(self) -> pd.DataFrame:
        after = self.spread_after.to_numpy(dtype=np.float64)
        gain = np.diff(after, prepend=0.0)
        return pd.DataFrame({"spread": after, "gain": gain}, index=pd.Index(self.spread_after.index, name="node"))


def spread(
    g: ReferralGraph,
    seeds: Sequence[Any],
    model: DiffusionModel = _default_choice("SpreadOptions", "model", _MODELS),
    probabilities: Any = "wc",
    n_sims: int = _default("SpreadOptions", "n_sims"),
    seed: int = _default("SpreadOptions", "seed"),
    threads: int = _default("SpreadOptions", "threads"),
    values: Any = None,
    progress: bool = False,
    delays: Any = None,
    time_bins: Any = None,
) -> SpreadResult:
    """Expected spread of ``seeds`` (node labels) under IC or LT by Monte Carlo.

    ``values`` (Series/dict by label or array) weights each activated node, e.g. win
    probability x deal size, so ``value_mean`` is expected referral revenue.
    ``delays`` (one per edge in ``g.edges()`` order, e.g. days from referral to
    purchase) with ``time_bins`` (increasing bin edges, the last may be ``np.inf``)
    adds the activation-time distribution ``by_time``: u activating at t reaches v at
    t + delay, seeds at time 0.

    Parameters
    ----------
    g : ReferralGraph
        The referral graph.
    seeds : sequence of labels
        The seed nodes.
    model : {"IC", "LT"}
        Independent cascade or linear threshold (lower case accepted).
    probabilities : str, float or array-like
        Edge probabilities (see the module docstring); default weighted cascade.
    n_sims : int
        Monte Carlo simulations.
    seed : int
        Random seed; the same seed gives the same result at any thread count.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small inputs,
        more only when each has enough work to gain from it, never more than the usable
        cores); a positive number is an upper bound.  The result is the same at any
        thread count.
    values : Series, dict or array-like, optional
        Value per node.
    progress : bool
        Show a tqdm bar.
    delays : array-like, optional
        Per-edge delay, with ``time_bins``.
    time_bins : array-like, optional
        Increasing bin edges of ``by_time``.

    Returns
    -------
    SpreadResult

    Raises
    ------
    UnknownLabelError
        A seed that is not a node.
    InvalidArgumentError
        ``delays`` without ``time_bins`` or the reverse, or invalid probabilities.

    Examples
    --------
    >>> import numpy as np, funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges([0, 1], [1, 2])
    >>> r = fn.influence.spread(g, [0], probabilities=1.0, n_sims=10, delays=[2.0, 3.0], time_bins=[0, 1, 3, np.inf])
    >>> r.by_time.tolist()
    [1.0, 1.0, 1.0]
    """
    check_ints(n_sims=n_sims, seed=seed, threads=threads)
    g = _graph(g)
    p = _probs(g, probabilities, seed)
    s = g.positions(list(seeds), "seed")
    v = _values(g, values, "values")
    if (delays is None) != (time_bins is None):
        raise InvalidArgumentError("give both delays= and time_bins= (or neither)")
    dl = _EMPTY_F if delays is None else np.ascontiguousarray(delays, dtype=np.float64)
    tb = _EMPTY_F if time_bins is None else np.ascontiguousarray(time_bins, dtype=np.float64)
    d = _run_with_progress(
        progress, "spread",
        lambda cb: _core.graph.spread(g._core, s, p, _model(model), int(n_sims), int(seed), int(threads), v, cb, dl, tb),
    )
    by_time = None
    if delays is not None:
        by_time = pd.Series(d["by_time"], index=pd.IntervalIndex.from_breaks(tb, closed="left"), name="activations")
    return SpreadResult(d["mean"], d["stderr"], d["value_mean"], d["value_stderr"], d["n_sims"], d["by_round"], by_time)


def exact_spread(g: ReferralGraph, seeds: Sequence[Any], model: DiffusionModel = _default_choice("SpreadOptions", "model", _MODELS),
                 probabilities: Any = "wc") -> float:
    """Exact expected spread by enumerating every live-edge world (tiny graphs only:
    OutOfRangeError beyond 2^24 worlds).

    Parameters
    ----------
    g : ReferralGraph
        The referral graph.
    seeds : sequence of labels
        The seed nodes.
    model : {"IC", "LT"}
        Independent cascade or linear threshold (lower case accepted).
    probabilities : str, float or array-like
        Edge probabilities (see the module docstring); default weighted cascade.

    Returns
    -------
    float
        The expected number of activated nodes, seeds included.

    Raises
    ------
    OutOfRangeError
        More than 2^24 live-edge worlds.

    Examples
    --------
    From ann with p = 0.5: bob 1/2, cy 1 - (1/2)(3/4) = 5/8, dan 5/16:

    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
    >>> fn.influence.exact_spread(g, ["ann"], probabilities=0.5)
    2.4375
    """
    g = _graph(g)
    p = _probs(g, probabilities, 0)
    return float(_core.graph.exact_spread(g._core, g.positions(list(seeds), "seed"), p, _model(model)))


def _result(g: ReferralGraph, d: dict[str, Any]) -> InfluenceResult:
    labels = g.nodes.take(d["seeds"])
    return InfluenceResult(
        seeds=list(labels),
        spread=float(d["spread"]),
        spread_after=pd.Series(d["spread_after"], index=labels, name="spread"),
        cost=float(d["cost"]),
        n_rr_sets=int(d["n_rr_sets"]),
    )


def _budget(g: ReferralGraph, costs: Any, budget: float | None) -> tuple[np.ndarray, float]:
    if budget is None:
        if costs is not None:
            raise InvalidArgumentError("costs given without a budget")
        return _EMPTY_F, 0.0
    if costs is None:
        raise InvalidArgumentError("a budget needs costs= per node")
    return g._per_node(costs, "costs", fill=None), float(budget)


def imm(
    g: ReferralGraph,
    k: int,
    model: DiffusionModel = _default_choice("ImmOptions", "model", _MODELS),
    probabilities: Any = "wc",
    eps: float = _default("ImmOptions", "epsilon"),
    ell: float = _default("ImmOptions", "ell"),
    seed: int = _default("ImmOptions", "seed"),
    threads: int = _default("ImmOptions", "threads"),
    values: Any = None,
    costs: Any = None,
    budget: float | None = None,
    progress: bool = False,
) -> InfluenceResult:
    """Influence maximisation by IMM: at most ``k`` seeds with (1 - 1/e - eps)-optimal
    expected spread with probability 1 - 1/n^ell.  With ``values`` it maximises the
    expected activated value; with ``costs`` and ``budget`` the seeds' total cost stays
    within the budget.  OutOfRangeError when k exceeds the number of nodes.

    Parameters
    ----------
    g : ReferralGraph
        The referral graph.
    k : int
        Most seeds.
    model : {"IC", "LT"}
        Independent cascade or linear threshold (lower case accepted).
    probabilities : str, float or array-like
        Edge probabilities (see the module docstring); default weighted cascade.
    eps : float
        Approximation slack (smaller: more RR sets, slower).
    ell : float
        Confidence exponent: success probability 1 - 1/n^ell.
    seed : int
        Random seed; the same seed gives the same seeds at any thread count.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small inputs,
        more only when each has enough work to gain from it, never more than the usable
        cores); a positive number is an upper bound.  The result is the same at any
        thread count.
    values : Series, dict or array-like, optional
        Value per node (maximise expected value).
    costs : Series, dict or array-like, optional
        Cost per node, with ``budget``.
    budget : float, optional
        Most total cost of the seeds.
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    InfluenceResult

    Raises
    ------
    OutOfRangeError
        ``k`` above the number of nodes.
    MemoryError
        The RR sets would not fit in memory (the message names an ``eps`` that fits).

    Examples
    --------
    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
    >>> fn.influence.imm(g, 1, probabilities=0.5, seed=1).seeds
    ['ann']
    """
    check_ints(k=k, seed=seed, threads=threads)
    g = _graph(g)
    p = _probs(g, probabilities, seed)
    v = _values(g, values, "values")
    c, b = _budget(g, costs, budget)
    d = _run_with_progress(
        progress, "imm",
        lambda cb: _core.graph.imm(g._core, int(k), p, _model(model), float(eps), float(ell), int(seed), int(threads),
                                   v, c, b, cb),
    )
    return _result(g, d)


def celf(
    g: ReferralGraph,
    k: int,
    model: DiffusionModel = _default_choice("CelfOptions", "model", _MODELS),
    probabilities: Any = "wc",
    n_sims: int = _default("CelfOptions", "n_sims"),
    seed: int = _default("CelfOptions", "seed"),
    threads: int = _default("CelfOptions", "threads"),
    values: Any = None,
    costs: Any = None,
    budget: float | None = None,
    progress: bool = False,
) -> InfluenceResult:
    """CELF lazy greedy with Monte Carlo spread (common random numbers): the classic
    reference for small graphs (cost about n * n_sims simulations).

    Parameters
    ----------
    g : ReferralGraph
        The referral graph.
    k : int
        Most seeds.
    model : {"IC", "LT"}
        Independent cascade or linear threshold (lower case accepted).
    probabilities : str, float or array-like
        Edge probabilities (see the module docstring); default weighted cascade.
    n_sims : int
        Simulations per spread estimate.
    seed : int
        Random seed.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small inputs,
        more only when each has enough work to gain from it, never more than the usable
        cores); a positive number is an upper bound.  The result is the same at any
        thread count.
    values : Series, dict or array-like, optional
        Value per node.
    costs : Series, dict or array-like, optional
        Cost per node, with ``budget`` (greedy by gain per cost).
    budget : float, optional
        Most total cost of the seeds.
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    InfluenceResult

    Examples
    --------
    With ann too expensive for the budget, the best two others are chosen:

    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
    >>> r = fn.influence.celf(g, 2, probabilities=0.5, n_sims=20_000, seed=1,
    ...                       costs={"ann": 3, "bob": 1, "cy": 1, "dan": 1}, budget=2)
    >>> r.seeds, r.cost
    (['bob', 'cy'], 2.0)
    """
    check_ints(k=k, n_sims=n_sims, seed=seed, threads=threads)
    g = _graph(g)
    p = _probs(g, probabilities, seed)
    v = _values(g, values, "values")
    c, b = _budget(g, costs, budget)
    d = _run_with_progress(
        progress, "celf",
        lambda cb: _core.graph.celf(g._core, int(k), p, _model(model), int(n_sims), int(seed), int(threads), v, c, b,
                                    cb),
    )
    return _result(g, d)
