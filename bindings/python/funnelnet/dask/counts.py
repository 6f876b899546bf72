"""Funnel counts from a Dask event log: shuffle by lead (each lead's events in one
partition, original row order kept), count every partition with the single-machine
constructor, and add the mergeable counts up a tree."""
from __future__ import annotations

from typing import Any, Sequence, cast

import pandas as pd

from ..errors import EmptyInputError, InvalidArgumentError
from ..funnel.continuous import ExposureCounts
from ..funnel.counts import TransitionCounts
from ..funnel.stages import Funnel
from ._shared import check_frame, global_max, shuffle_by, tree_reduce

__all__ = ["transition_counts", "period_counts", "exposure_counts"]


def _need_funnel(funnel: Any) -> Funnel:
    if not isinstance(funnel, Funnel):
        raise InvalidArgumentError("a Dask event log needs funnel=Funnel(...): states cannot be inferred lazily "
                                   "(each partition sees only some stages)")
    return funnel


def _reduce(ddf: Any, lead: str, stage: str, time: str, count: Any, partitioned_by_lead: bool = False) -> Any:
    import dask

    check_frame(ddf, {"lead": (lead, "label"), "stage": (stage, "label"), "time": (time, "time")})
    parts = (ddf[[lead, stage, time]] if partitioned_by_lead else shuffle_by(ddf, lead, [lead, stage, time])).to_delayed()

    def one(part: pd.DataFrame) -> Any:
        return None if len(part) == 0 else count(part)

    total = tree_reduce([dask.delayed(one)(p) for p in parts], lambda a, b: a + b)
    out = total.compute()
    if out is None:
        raise EmptyInputError("the event log has no rows")
    return out


def transition_counts(ddf: Any, *, lead: str, stage: str, time: str, funnel: Funnel,
                      repeats: str = "collapse", partitioned_by_lead: bool = False) -> TransitionCounts:
    """:meth:`TransitionCounts.from_events <funnelnet.TransitionCounts.from_events>` on a
    Dask DataFrame; equal to it bit for bit (counts are whole numbers).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The event log, one row per event.
    lead, stage, time : str
        Its columns.
    funnel : Funnel
        The stages and outcomes (required: a partition sees only some stages).
    repeats : str
        As in :meth:`TransitionCounts.from_events`.
    partitioned_by_lead : bool
        True when every lead's rows already lie in one partition in their original
        order (e.g. :func:`simulate_events`' output): the shuffle by lead is skipped,
        each partition is counted where it is.  With False (default) the rows are
        shuffled by lead first.

    Returns
    -------
    TransitionCounts
        The counts of the whole log.
    """
    f = _need_funnel(funnel)
    return cast(TransitionCounts, _reduce(ddf, lead, stage, time,
                   lambda p: TransitionCounts.from_events(p, lead=lead, stage=stage, time=time, funnel=f,
                                                          repeats=cast(Any, repeats), threads=1), partitioned_by_lead))


def period_counts(ddf: Any, *, lead: str, stage: str, time: str, period: Any, origin: Any, cutoff: Any,
                  funnel: Funnel) -> TransitionCounts:
    """:meth:`TransitionCounts.from_periods <funnelnet.TransitionCounts.from_periods>` on a
    Dask DataFrame.  ``origin`` and ``cutoff`` are required: the period grid must be the
    same in every partition.  Equal bit for bit.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The event log, one row per event.
    lead, stage, time : str
        Its columns.
    period : str or float
        The period length, as in TransitionCounts.from_periods.
    origin, cutoff : time
        Start of the first period and end of the log (required: one grid for every
        partition).
    funnel : Funnel
        The stages and outcomes (required: a partition sees only some stages).

    Returns
    -------
    TransitionCounts
        The counts of the whole log.
    """
    f = _need_funnel(funnel)
    if origin is None or cutoff is None:
        raise InvalidArgumentError("period_counts on a Dask DataFrame needs origin= and cutoff=: "
                                   "every partition must use the same period grid")
    return cast(TransitionCounts, _reduce(ddf, lead, stage, time,
                   lambda p: TransitionCounts.from_periods(p, lead=lead, stage=stage, time=time, period=period,
                                                           origin=origin, cutoff=cutoff, funnel=f, threads=1)))


def exposure_counts(ddf: Any, *, lead: str, stage: str, time: str, funnel: Funnel, cutoff: Any = None,
                    time_unit: str = "D") -> ExposureCounts:
    """:meth:`ExposureCounts.from_events <funnelnet.ExposureCounts.from_events>` on a Dask
    DataFrame.  Without ``cutoff``, the latest event (one extra pass) is the cut-off, as
    on one machine.  Exit counts are equal bit for bit; exposures are sums of floats
    added in another order, equal to 1e-12 relative.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The event log, one row per event.
    lead, stage, time : str
        Its columns.
    funnel : Funnel
        The stages and outcomes (required: a partition sees only some stages).
    cutoff : time, optional
        End of observation (default: the latest event, one extra pass).
    time_unit : str
        Unit of the exposure for datetime logs ('s', 'min', 'h', 'D', 'W').

    Returns
    -------
    ExposureCounts
        Exits and time at risk of the whole log.
    """
    f = _need_funnel(funnel)
    check_frame(ddf, {"lead": (lead, "label"), "stage": (stage, "label"), "time": (time, "time")})
    if cutoff is None:
        cutoff = global_max(ddf, time)
        if pd.isna(cutoff):
            raise EmptyInputError("the event log has no rows")
        if not isinstance(cutoff, pd.Timestamp):
            cutoff = float(cutoff)
    return cast(ExposureCounts, _reduce(ddf, lead, stage, time,
                   lambda p: ExposureCounts.from_events(p, lead=lead, stage=stage, time=time, cutoff=cutoff,
                                                        time_unit=cast(Any, time_unit), funnel=f, threads=1)))
