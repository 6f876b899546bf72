"""Referral network charts: the neighbourhood of the top influencers (positions from
the C++ force-directed layout) and the spread curve of a seed set."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, cast

import numpy as np
import pandas as pd

from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError
from ._mpl import axes, require_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["referral_graph", "referral_graph_frame", "spread_curve", "spread_curve_frame"]

_MODELS = {"IC": 0, "LT": 1}  # as funnelnet.graph.influence
_MODEL = _default_choice("SpreadOptions", "model", _MODELS)
_N_SIMS = _default("SpreadOptions", "n_sims")
_ITERATIONS = _default("LayoutOptions", "iterations")


def _graph(g: Any) -> Any:
    from ..graph import ReferralGraph

    if not isinstance(g, ReferralGraph):
        raise InputTypeError(f"expected a ReferralGraph, got {type(g).__name__}")
    if g.number_of_nodes == 0:
        raise EmptyInputError("the graph has no nodes: nothing to plot")
    return g


def _neighbourhood(g: Any, score: np.ndarray, top: int, hops: int, max_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the top nodes, positions of every node shown), both in node order."""
    n = g.number_of_nodes
    order = np.argsort(-score, kind="mergesort")
    top_pos = np.sort(order[: min(int(top), n)])
    src = np.asarray(g._core.sources, dtype=np.int64)
    dst = np.asarray(g._core.targets, dtype=np.int64)
    keep = np.zeros(n, dtype=bool)
    keep[top_pos] = True
    for _ in range(int(hops)):
        frontier = keep.copy()
        frontier[dst[keep[src]]] = True
        frontier[src[keep[dst]]] = True
        keep = frontier
    shown = np.flatnonzero(keep)
    if len(shown) > max_nodes:  # the top nodes, then their highest-scored neighbours
        rest = np.setdiff1d(shown, top_pos)
        rest = rest[np.argsort(-score[rest], kind="mergesort")][: max(0, max_nodes - len(top_pos))]
        shown = np.sort(np.r_[top_pos, rest])
    return top_pos, shown


def referral_graph_frame(graph: Any, top: int = 20, *, scores: Any = None, hops: int = 1, max_nodes: int = 500,
                         iterations: int = _ITERATIONS, seed: int = 0) -> pd.DataFrame:
    """The nodes behind :func:`referral_graph`: the ``top`` nodes by ``scores`` (a Series
    by node label or an array in node order, e.g. ``graph.pagerank()`` or an IMM marginal
    gain; default: the out-degree, how many each referred; ties to the first in node
    order) and every node within
    ``hops`` edges of them (either direction), at most ``max_nodes`` (the top nodes, then
    the best-scored neighbours).  Columns ``x``, ``y`` (the force-directed layout of the
    induced subgraph, :meth:`ReferralGraph.layout`, seeded), ``score`` and ``top``,
    indexed by node label; ``attrs["edges"]`` is the induced subgraph's edge list as
    (source, target) label pairs.

    Parameters
    ----------
    graph : ReferralGraph
        The referral graph.
    top : int
        Number of top nodes.
    scores : Series or array-like, optional
        Node scores (by label or in node order); default: the out-degree.
    hops : int
        Neighbours within this many edges of a top node are shown (either direction).
    max_nodes : int
        At most this many nodes (the top nodes, then the best-scored neighbours).
    iterations : int
        Force-directed layout steps.
    seed : int
        Seed of the layout.

    Returns
    -------
    DataFrame
        Indexed by node label: x, y, score, top; attrs['edges'] is the induced subgraph's
        edge list.
    """
    from ..graph import ReferralGraph

    g = _graph(graph)
    if int(top) < 1:
        raise InvalidArgumentError(f"top must be >= 1, got {top}")
    if int(max_nodes) < int(top):
        raise InvalidArgumentError(f"max_nodes ({max_nodes}) must be at least top ({top})")
    score = g.degree("out").to_numpy(dtype=np.float64) if scores is None else g._per_node(scores, "scores")
    top_pos, shown = _neighbourhood(g, score, int(top), int(hops), int(max_nodes))
    src = np.asarray(g._core.sources, dtype=np.int64)
    dst = np.asarray(g._core.targets, dtype=np.int64)
    inside = np.zeros(g.number_of_nodes, dtype=bool)
    inside[shown] = True
    e = inside[src] & inside[dst]
    local = np.full(g.number_of_nodes, -1, dtype=np.int64)
    local[shown] = np.arange(len(shown))
    sub = ReferralGraph.from_edges(local[src[e]], local[dst[e]], nodes=np.arange(len(shown)))
    xy = sub.layout(iterations=iterations, seed=seed).to_numpy()
    labels = g.nodes.take(shown)
    out = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "score": score[shown], "top": np.isin(shown, top_pos)},
                       index=pd.Index(labels, name="node"))
    out.attrs["edges"] = list(zip(g.nodes.take(src[e]).tolist(), g.nodes.take(dst[e]).tolist()))
    return out


def referral_graph(graph: Any, top: int = 20, *, scores: Any = None, hops: int = 1, max_nodes: int = 500,
                   iterations: int = _ITERATIONS, seed: int = 0, labels: int = 10, ax: Any = None, **kw: Any) -> "Axes":
    """Plot the neighbourhood of the top influencers (:func:`referral_graph_frame`):
    edges as grey lines (``ax.collections[0]``), nodes sized by score
    (``ax.collections[1]``, the top nodes in orange), the best ``labels`` top nodes named.
    Returns the Axes.

    Parameters
    ----------
    graph : ReferralGraph
        The referral graph.
    top : int
        Number of top nodes.
    scores : Series or array-like, optional
        Node scores (by label or in node order); default: the out-degree.
    hops : int
        Neighbours within this many edges of a top node are shown (either direction).
    max_nodes : int
        At most this many nodes (the top nodes, then the best-scored neighbours).
    iterations : int
        Force-directed layout steps.
    seed : int
        Seed of the layout.
    labels : int
        Number of top nodes labelled.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    **kw
        Passed to the drawing call.

    Returns
    -------
    matplotlib Axes
        ax.collections[0] holds the edges, ax.collections[1] the nodes.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges([1, 1, 2, 3], [2, 3, 4, 4])
    >>> ax = fn.plot.referral_graph(g, top=2)
    >>> len(ax.collections[1].get_offsets())
    4
    """
    from matplotlib.collections import LineCollection

    f = referral_graph_frame(graph, top, scores=scores, hops=hops, max_nodes=max_nodes, iterations=iterations,
                             seed=seed)
    ax = axes(ax, (7.0, 7.0))
    pos = pd.DataFrame({"x": f["x"], "y": f["y"]}, index=f.index)
    edges = f.attrs["edges"]
    if edges:
        a = pos.loc[[s for s, _ in edges]].to_numpy()
        b = pos.loc[[t for _, t in edges]].to_numpy()
        segs = np.stack([a, b], axis=1)
    else:
        segs = np.zeros((0, 2, 2))
    ax.add_collection(LineCollection(list(segs), colors="grey", linewidths=0.5, alpha=0.5, zorder=1))
    s = f["score"].to_numpy(dtype=np.float64)
    size = 15 + 300 * np.sqrt(s / s.max()) if s.max() > 0 else np.full(len(s), 20.0)
    colours = np.where(f["top"].to_numpy(), "tab:orange", "tab:blue")
    kw.setdefault("edgecolors", "white")
    kw.setdefault("linewidths", 0.5)
    ax.scatter(f["x"].to_numpy(), f["y"].to_numpy(), s=size, c=colours, zorder=2, **kw)
    best = f[f["top"]].sort_values("score", ascending=False).head(int(labels))
    for label, row in best.iterrows():
        ax.annotate(str(label), (row["x"], row["y"]), xytext=(4, 4), textcoords="offset points", fontsize=8, zorder=3)
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Top {int(f['top'].sum())} influencers and their neighbours ({len(f)} nodes, {len(edges)} edges)")
    return cast("Axes", ax)


def spread_curve_frame(graph: Any, seeds: Any, *, model: str = _MODEL, probabilities: Any = "wc", n_sims: int = _N_SIMS,
                       seed: int = 0, threads: int = 0, progress: bool = False) -> pd.DataFrame:
    """Expected spread of the first k seeds for k = 1..len(seeds): one row per k
    (``seed`` = the k-th seed's label, ``spread`` and ``stderr`` from
    :func:`funnelnet.influence.spread` with common settings).  ``seeds`` is a list of
    node labels or an :class:`~funnelnet.graph.influence.InfluenceResult` (its seeds in
    the order chosen).

    Parameters
    ----------
    graph : ReferralGraph
        The referral graph.
    seeds : list or InfluenceResult
        The seeds in the order they are added.
    model : {'IC', 'LT'}
        Diffusion model.
    probabilities : str, float or array-like
        Edge probabilities, as in fn.influence.spread.
    n_sims : int
        Simulations per prefix.
    seed : int
        Seed of the simulations.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small inputs,
        more only when each has enough work to gain from it, never more than the usable
        cores); a positive number is an upper bound.  The result is the same at any
        thread count.
    progress : bool
        Show a tqdm bar over the prefixes.

    Returns
    -------
    DataFrame
        Indexed by k: seed (the k-th seed's label), spread and stderr.
    """
    from ..graph.influence import InfluenceResult, spread

    g = _graph(graph)
    if isinstance(seeds, InfluenceResult):
        seeds = seeds.seeds
    seeds = list(seeds)
    if not seeds:
        raise EmptyInputError("no seeds: nothing to plot")
    g.positions(seeds, "seed")  # UnknownLabelError before any simulation
    rows = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(seeds), desc="spread curve", unit="seed set")
    try:
        for k in range(1, len(seeds) + 1):  # one Monte Carlo run per prefix (k runs, not per node)
            r = spread(g, seeds[:k], model=cast(Any, model), probabilities=probabilities, n_sims=n_sims, seed=seed,
                       threads=threads)
            rows.append((seeds[k - 1], r.mean, r.stderr))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return pd.DataFrame(rows, columns=["seed", "spread", "stderr"], index=pd.RangeIndex(1, len(seeds) + 1, name="k"))


def spread_curve(graph: Any, seeds: Any = None, *, model: str = _MODEL, probabilities: Any = "wc",
                 n_sims: int = _N_SIMS, seed: int = 0, threads: int = 0, progress: bool = False, ax: Any = None,
                 **kw: Any) -> "Axes":
    """Plot the expected spread of the first k seeds with a band of +-2 standard errors.

    Parameters
    ----------
    graph : ReferralGraph or DataFrame
        The graph the seeds spread on, or a frame already computed (by
        :func:`spread_curve_frame`, or any frame indexed by k with a ``spread`` column
        and optionally ``stderr``), drawn as it is (``seeds`` then left out).
    seeds : list or InfluenceResult, optional
        The seeds in order (see :func:`spread_curve_frame`).
    model, probabilities, n_sims, seed, threads, progress
        As in :func:`spread_curve_frame`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure); several curves may share it.
    **kw
        Passed to the curve's ``plot`` (``label=`` names it in a legend).

    Returns
    -------
    matplotlib Axes
        The curve is the last of ``ax.lines``.
    """
    if isinstance(graph, pd.DataFrame):
        if seeds is not None:
            raise InvalidArgumentError("pass seeds only with a graph; a precomputed frame is drawn as it is")
        f = require_frame(graph, "spread curve frame")
        if "spread" not in f.columns:
            raise InputTypeError("spread curve frame has no 'spread' column: pass fn.plot.spread_curve_frame(...)")
        title = "Spread of the first k seeds"
    else:
        if seeds is None:
            raise InvalidArgumentError("seeds are needed with a graph")
        f = spread_curve_frame(graph, seeds, model=model, probabilities=probabilities, n_sims=n_sims, seed=seed,
                               threads=threads, progress=progress)
        title = f"Spread of the first k seeds ({str(model).upper()}, {n_sims} simulations)"
    ax = axes(ax)
    k = f.index.to_numpy()
    m = f["spread"].to_numpy(dtype=np.float64)
    se = f["stderr"].to_numpy(dtype=np.float64) if "stderr" in f.columns else np.zeros_like(m)
    kw.setdefault("marker", "o")
    (line,) = ax.plot(k, m, **kw)
    if np.any(se > 0):
        ax.fill_between(k, m - 2 * se, m + 2 * se, alpha=0.2, color=line.get_color(),
                        label="\u00b12 standard errors" if "label" not in kw else None)
    ax.set(xlabel="number of seeds (in the order given)", ylabel="expected activated nodes", title=title)
    ax.set_xticks(k if len(k) <= 20 else np.linspace(1, len(k), 10).round().astype(int))
    hi = float(np.nanmax(m + 2 * se)) * 1.05 if len(m) else 1.0
    ax.set_ylim(0, max(hi, ax.get_ylim()[1] if len(ax.lines) > 1 else 0.0))  # room for every curve drawn
    if "label" in kw:
        ax.legend(fontsize=8)
    return cast("Axes", ax)
