"""The regional strategy matrix: market growth (high / low) against our share (high /
low), four quadrants, each with the suggested stance.

Default stances (``DEFAULT_STANCES``), from the managers' practice:

================  ===============  ===========================================
market growth     our share        stance
================  ===============  ===========================================
high              low              attack: a growth area we are not yet winning
high              high             hold: a stable stronghold in a growing market
low               low              deepen: an unstable position, deepen the accounts we have
low               high             maintain: a declining market we lead, keep it at low cost
================  ===============  ===========================================
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._common.convert import require_columns
from ..errors import InvalidArgumentError


def _label(v: Any) -> Any:
    """A numpy scalar as the Python value (for messages)."""
    return v.item() if isinstance(v, np.generic) else v


__all__ = ["strategy_matrix", "DEFAULT_STANCES"]

#: Stance per (market growth high?, our share high?).
DEFAULT_STANCES: dict[tuple[bool, bool], str] = {(True, False): "attack", (True, True): "hold",
                                                 (False, False): "deepen", (False, True): "maintain"}


def strategy_matrix(regions: pd.DataFrame, *, region: str = "region", market_growth: str = "market_growth",
                    share: str = "share", growth_threshold: float | None = None,
                    share_threshold: float | None = None,
                    stances: Mapping[tuple[bool, bool], str] | None = None) -> pd.DataFrame:
    """Place each region in the growth x share matrix and give its stance.

    Parameters
    ----------
    regions : DataFrame
        One row per region: its market growth rate (e.g. from :func:`growth`, 0.1 =
        +10 %) and our share of the market (in [0, 1]).
    region, market_growth, share : str
        Column names.
    growth_threshold, share_threshold : float, optional
        A region is "high" when its value is >= the threshold; default: the median over
        the regions.
    stances : mapping, optional
        Stance per (growth high, share high) (default :data:`DEFAULT_STANCES`).

    Returns
    -------
    DataFrame
        Indexed by region: ``market_growth``, ``share``, ``growth_high``, ``share_high``,
        ``quadrant`` ("high growth / low share" ...) and ``stance``; the thresholds used in
        ``attrs``.

    Raises
    ------
    InvalidArgumentError
        Naming the row: a growth rate not finite, a share outside [0, 1]; a duplicate
        region; a stance table missing a quadrant.

    Examples
    --------
    >>> import pandas as pd, funnelnet as fn
    >>> r = pd.DataFrame({"region": ["north", "south", "east", "west"],
    ...                   "market_growth": [0.12, 0.10, -0.02, 0.01], "share": [0.05, 0.30, 0.04, 0.25]})
    >>> fn.pipeline.strategy_matrix(r, growth_threshold=0.05, share_threshold=0.1)["stance"].tolist()
    ['attack', 'hold', 'deepen', 'maintain']
    """
    require_columns(regions, {"region": region, "market_growth": market_growth, "share": share})
    names = regions[region].to_numpy()
    dup = pd.Index(names).duplicated()
    if dup.any():
        r = int(np.flatnonzero(dup)[0])
        raise InvalidArgumentError(f"row {r}: region {_label(names[r])!r} appears twice")
    g = np.asarray(regions[market_growth], dtype=np.float64)
    s = np.asarray(regions[share], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(g))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (region {_label(names[r])!r}): {market_growth!r} must be finite, got {g[r]!r}")
    bad = np.flatnonzero(~np.isfinite(s) | (s < 0) | (s > 1))
    if bad.size:
        r = int(bad[0])
        raise InvalidArgumentError(f"row {r} (region {_label(names[r])!r}): {share!r} must be in [0, 1], got {s[r]!r}")
    table = dict(DEFAULT_STANCES if stances is None else stances)
    missing = [k for k in DEFAULT_STANCES if k not in table]
    if missing:
        raise InvalidArgumentError(f"stances has no entry for (growth high, share high) = {missing[0]}")
    gt = float(np.median(g)) if growth_threshold is None else float(growth_threshold)
    st = float(np.median(s)) if share_threshold is None else float(share_threshold)
    gh, sh = g >= gt, s >= st
    quad = np.where(gh, "high growth", "low growth").astype(object) + " / " + \
        np.where(sh, "high share", "low share").astype(object)
    code = gh.astype(np.int64) * 2 + sh.astype(np.int64)
    lookup = np.array([table[(False, False)], table[(False, True)], table[(True, False)], table[(True, True)]],
                      dtype=object)
    out = pd.DataFrame({"market_growth": g, "share": s, "growth_high": gh, "share_high": sh, "quadrant": quad,
                        "stance": lookup[code]}, index=pd.Index(names, name=region))
    out.attrs.update(growth_threshold=gt, share_threshold=st)
    return out
