"""What a report reads: :class:`ReportInputs`, the frames in funnelnet's column names.

A report can be built from a :class:`~funnelnet.datasets.SyntheticCRM` (its frames and
its truth) or from the user's own tables.  Every frame is optional: a section whose
input is missing is skipped with a note saying which input would light it up.

>>> import funnelnet as fn
>>> crm = fn.datasets.synthetic_crm(n_accounts=500, seed=0)
>>> inputs = fn.report.inputs_from_crm(crm)
>>> inputs.available().tolist()[:3]
['events', 'opportunities', 'referrals']
"""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import pandas as pd

from ..errors import InputTypeError

__all__ = ["ReportInputs", "inputs_from_crm", "FRAMES"]

#: The frames a report reads, each with the columns it needs (funnelnet's names).
FRAMES: dict[str, tuple[str, ...]] = {
    "events": ("lead", "stage", "time"),
    "opportunities": (),          # optional columns used: status (W/L/C), reason, amount
    "referrals": ("referrer", "referee"),
    "touches": ("customer", "time", "channel", "converted"),
    "tiers": ("customer", "period", "tier"),
    "accounts": (),
    "transactions": ("customer", "time", "amount"),
}


@dataclasses.dataclass(frozen=True, eq=False)
class ReportInputs:
    """The tables a report analyses, with funnelnet's column names; any may be None.

    Parameters
    ----------
    events : DataFrame, optional
        Funnel events: ``lead``, ``stage``, ``time`` (any order).
    stages : sequence of str, optional
        The funnel's transient stages in order (default: the generator's four stages,
        or the order the leads move through when the events use other names).
    outcomes : sequence of str
        The funnel's ends; the first is the win.
    opportunities : DataFrame, optional
        One row per opportunity; ``status`` (W/L/C), ``reason`` (loss reason) and
        ``amount`` are used when present.
    referrals : DataFrame, optional
        Who referred whom: ``referrer``, ``referee``.
    touches : DataFrame, optional
        Marketing touches: ``customer`` (the lead), ``time``, ``channel``, ``converted``
        (0/1), optionally ``value``.
    tiers : DataFrame, optional
        Monthly A/B/C tier snapshots in long form: ``customer``, ``period``, ``tier``.
    accounts : DataFrame, optional
        One row per account (grading criteria, ``kind``, ``tier``).
    transactions : DataFrame, optional
        Purchases: ``customer``, ``time``, ``amount``.
    truth : object, optional
        The generator's :class:`~funnelnet.datasets.CRMTruth` (fitted vs true columns).
    leads : DataFrame, optional
        One row per lead, indexed by the lead id of ``events``: ``account``, ``start``
        and ``outcome`` (open / won / lost) let the lead-scoring section train and label
        its scorer (it is skipped without them); a ``segment`` column adds the per-segment
        fitted vs true tables when ``truth`` is given.
    title : str
        The report's title.
    """

    events: pd.DataFrame | None = None
    stages: Sequence[str] | None = None
    outcomes: Sequence[str] = ("won", "lost")
    opportunities: pd.DataFrame | None = None
    referrals: pd.DataFrame | None = None
    touches: pd.DataFrame | None = None
    tiers: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    transactions: pd.DataFrame | None = None
    truth: Any = None
    leads: pd.DataFrame | None = None
    title: str = "funnelnet report"

    def available(self) -> pd.Index:
        """The names of the frames that are present (not None and not empty), in
        :data:`FRAMES` order.

        Returns
        -------
        pandas.Index
        """
        return pd.Index([n for n in FRAMES if isinstance(getattr(self, n), pd.DataFrame) and len(getattr(self, n))],
                        dtype=object)


def inputs_from_crm(crm: Any, title: str | None = None) -> ReportInputs:
    """The report inputs of a :class:`~funnelnet.datasets.SyntheticCRM`: its frames renamed
    to funnelnet's column names, with its truth.

    Frames the generator does not make yet (e.g. touches) are taken when the object has
    them (``crm.touches`` with ``lead``/``customer``, ``time``, ``channel``), else left out.

    Parameters
    ----------
    crm : SyntheticCRM
        The generated company (:func:`~funnelnet.datasets.synthetic_crm`): its
        ``events``, ``accounts``, ``transactions`` and ``referrals`` are required (an
        object without them raises InputTypeError); its opportunities, leads, touches,
        tier snapshots and truth are taken when present.
    title : str, optional
        The report's title (default None: "funnelnet demo: a synthetic company of N
        accounts").

    Returns
    -------
    ReportInputs

    Examples
    --------
    >>> import funnelnet as fn
    >>> inp = fn.report.inputs_from_crm(fn.datasets.synthetic_crm(n_accounts=300, seed=1))
    >>> list(inp.transactions.columns)
    ['customer', 'time', 'amount']
    """
    for name in ("events", "accounts", "transactions", "referrals"):
        if not hasattr(crm, name):
            raise InputTypeError(f"inputs_from_crm: expected a SyntheticCRM, got {type(crm).__name__} (no .{name})")
    n = len(crm.accounts)
    if title is None:
        title = f"funnelnet demo: a synthetic company of {n:,} accounts"
    tx = crm.transactions.rename(columns={"account": "customer"})
    tiers = crm.tier_snapshots() if hasattr(crm, "tier_snapshots") else None
    return ReportInputs(
        events=crm.events, opportunities=getattr(crm, "opportunities", None), referrals=crm.referrals,
        touches=_touches(crm), tiers=tiers, accounts=crm.accounts, transactions=tx,
        truth=getattr(crm, "truth", None), leads=getattr(crm, "leads", None), title=title)


def _touches(crm: Any) -> pd.DataFrame | None:
    t = getattr(crm, "touches", None)
    if not isinstance(t, pd.DataFrame) or len(t) == 0:
        return None
    t = t.rename(columns={"lead": "customer"}) if "customer" not in t.columns else t
    if "converted" not in t.columns and getattr(crm, "leads", None) is not None and {"customer", "time"} <= set(t.columns):
        # the last touch of a won lead is its conversion
        won = crm.leads["outcome"].astype(str).eq("won").reindex(t["customer"].to_numpy(), fill_value=False).to_numpy()
        last = t.groupby("customer", sort=False)["time"].transform("max").eq(t["time"]).to_numpy()
        t = t.assign(converted=(won & last).astype("int8"))
    elif "converted" in t.columns and t["converted"].dtype == bool:
        t = t.assign(converted=t["converted"].astype("int8"))
    return t
