"""Learning independent-cascade edge probabilities from observed referrals.

Under the independent cascade an activated node (a won customer) tries each out-edge
once and succeeds with the edge's probability.  Given the candidate edges (e.g. the
trade network: who knows whom), which nodes were activated and which referrals they
made, :func:`learn_ic_probabilities` returns the maximum-likelihood probability of each
edge, or of each group of edges sharing one probability (``by=``), with its binomial
standard error.  The counting runs in C++ (``funnelnet::learn_ic_probabilities``).

>>> import pandas as pd, funnelnet as fn
>>> edges = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "c", "c"]})
>>> refs = pd.DataFrame({"referrer": ["a"], "referee": ["b"]})
>>> fn.graph.learn_ic_probabilities(edges, refs, active=["a"], by="source")["probability"].tolist()
[0.5, 0.5, nan]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import require_columns
from ..errors import InvalidArgumentError, UnknownLabelError

__all__ = ["learn_ic_probabilities"]


def _label(x: Any) -> str:
    """A label as the user wrote it (numpy scalars as plain Python values)."""
    return repr(x.item() if isinstance(x, np.generic) else x)


def learn_ic_probabilities(edges: pd.DataFrame, referrals: pd.DataFrame, active: Any, *, source: str = "source",
                           target: str = "target", referrer: str = "referrer", referee: str = "referee",
                           by: str | None = None, beta_prior: tuple[float, float] = (0.0, 0.0)) -> pd.DataFrame:
    """Maximum-likelihood IC edge probabilities from exposures and referrals.

    Parameters
    ----------
    edges : pandas.DataFrame
        The candidate edges, one row each (no duplicates), columns ``source`` and
        ``target`` (any hashable node labels).
    referrals : pandas.DataFrame
        Observed referrals, columns ``referrer`` and ``referee``; each must run along an
        edge from an active node.  A referral repeated along one edge counts once.
    active : array-like
        Labels of the activated nodes (e.g. won accounts): each tried every out-edge once.
    source, target, referrer, referee : str
        Column names.
    by : str, optional
        A column of ``edges`` whose values group edges that share one probability (e.g.
        ``"source"``: one probability per referrer, as in weighted-cascade style models).
        None: each edge on its own (estimates are 0 or 1).
    beta_prior : (float, float)
        Beta(a, b) pseudo-counts added to each group: the estimate is
        (successes + a) / (exposures + a + b); (0, 0) is the MLE.

    Returns
    -------
    pandas.DataFrame
        One row per edge (in ``edges`` order): ``source``, ``target``, ``successes``,
        ``exposures`` (the edge's own), ``probability`` and ``std_error`` (binomial,
        sqrt(p (1 - p) / group exposures)) of its group; NaN where the group was never
        exposed and there is no prior.

    Raises
    ------
    funnelnet.UnknownLabelError
        A missing column, or a referral that is not an edge (the message names its row
        and labels).
    funnelnet.InvalidArgumentError
        Duplicate edges, a referral from a node not in ``active``, a negative beta_prior.

    Examples
    --------
    >>> import funnelnet as fn
    >>> crm = fn.datasets.synthetic_crm(n_accounts=3000, seed=1, censor=False)
    >>> est = fn.graph.learn_ic_probabilities(crm.truth.ties, crm.referrals,
    ...                                       active=crm.accounts.index[crm.accounts["won"].notna()], by="source")
    >>> list(est.columns)
    ['source', 'target', 'successes', 'exposures', 'probability', 'std_error']
    """
    require_columns(edges, {"source": source, "target": target, "by": by})
    require_columns(referrals, {"referrer": referrer, "referee": referee})
    a, b = (float(v) for v in beta_prior)
    if not (a >= 0 and b >= 0 and np.isfinite(a) and np.isfinite(b)):
        raise InvalidArgumentError(f"learn_ic_probabilities: beta_prior must be two numbers >= 0, got {beta_prior!r}")
    src, dst = edges[source].to_numpy(), edges[target].to_numpy()
    rsrc, rdst = referrals[referrer].to_numpy(), referrals[referee].to_numpy()
    act = np.asarray(active if not isinstance(active, (pd.Index, pd.Series)) else active.to_numpy())
    arrays = [src, dst, rsrc, rdst, act]
    if len({x.dtype for x in arrays}) > 1:  # never let numpy turn 1 into "1"
        arrays = [x.astype(object) for x in arrays]
    codes, labels = pd.factorize(np.concatenate(arrays))
    m, r = len(src), len(rsrc)
    cs, cd = codes[:m], codes[m:2 * m]
    crs, crd = codes[2 * m:2 * m + r], codes[2 * m + r:2 * m + 2 * r]
    is_active = np.zeros(len(labels), dtype=np.uint8)
    is_active[codes[2 * m + 2 * r:]] = 1
    pairs = pd.MultiIndex.from_arrays([cs, cd])
    dup = pairs.duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup)[:2]
        raise InvalidArgumentError(f"learn_ic_probabilities: edge rows {rows[0]} and {rows[1]} are both "
                                   f"{_label(src[rows[0]])} -> {_label(dst[rows[0]])}")
    at = pairs.get_indexer(pd.MultiIndex.from_arrays([crs, crd]))
    if (at < 0).any():
        k = int(np.flatnonzero(at < 0)[0])
        raise UnknownLabelError(f"learn_ic_probabilities: referral row {k} ({_label(rsrc[k])} -> {_label(rdst[k])}) is not an edge")
    off = is_active[crs] == 0
    if off.any():
        k = int(np.flatnonzero(off)[0])
        raise InvalidArgumentError(f"learn_ic_probabilities: referral row {k} ({_label(rsrc[k])} -> {_label(rdst[k])}) comes from "
                                   "a node not in active")
    group = (np.empty(0, np.int64) if by is None
             else pd.factorize(edges[by].to_numpy())[0].astype(np.int64))
    d = _core.graph.learn_ic_probabilities(cs.astype(np.int64), cd.astype(np.int64), group, is_active,
                                           crs.astype(np.int64), crd.astype(np.int64), a, b)
    return pd.DataFrame({source: src, target: dst, "successes": d["successes"], "exposures": d["exposures"],
                         "probability": d["probability"], "std_error": d["std_error"]}, index=edges.index)
