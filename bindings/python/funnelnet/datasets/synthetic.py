"""The synthetic CRM: a seeded B2B company with the ground truth used to make it.

:func:`synthetic_crm` generates accounts (kind, industry, region, sales mode, prospect
grades, grading criteria, monthly A/B/C tier snapshots), funnel leads moving through a
declared semi-Markov funnel (``potential -> possible -> target -> effective`` ending
``won`` or ``lost``, with stalls, skips, fall-backs and re-activations, segment effects
by customer kind and referral, seasonal lead months), referrals (an independent cascade
from won accounts over a latent, heavy-tailed trade network inside each industry; a
referral opens a referred lead) and the repeat purchases of won accounts (BG/NBD purchase
rates and drop-out, Gamma-Gamma amounts).  The generation runs
in C++, in parallel over blocks of accounts, each account drawing from its own random
streams: the same seed gives identical frames at any thread count.

>>> import funnelnet as fn
>>> crm = fn.datasets.synthetic_crm(n_accounts=2000, months=12, seed=1)
>>> sorted(crm.accounts["tier"].cat.categories)
['A', 'B', 'C']
>>> list(crm.events.columns)
['lead', 'stage', 'time']
>>> crm.truth.conversion.index.tolist()[:2]
['individual/organic', 'individual/referred']
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _core
from .._common.options import default, run_with_progress
from .._common.results import Result, result
from ..errors import InputTypeError, InvalidArgumentError

__all__ = ["synthetic_crm", "SyntheticCRM", "CRMTruth", "STAGES", "KINDS", "CRITERIA", "LOSS_REASONS", "CHANNELS"]

#: Funnel stages of the generator, in code order (four transient stages, two ends).
STAGES = ("potential", "possible", "target", "effective", "won", "lost")
#: Customer kinds, in code order.
KINDS = ("individual", "self-employed", "organisation")
#: Grading criteria columns of ``accounts`` (scores in [0, 1]).
CRITERIA = ("credit", "loyalty", "dependence", "industry_influence", "expected_value", "difficulty", "distance")
#: Marketing channels of the touches, in code order.
CHANNELS = ("visit", "exhibition", "phone", "email", "web", "advert")
_SEGMENTS = tuple(f"{k}/{r}" for k in KINDS for r in ("organic", "referred"))
_TIERS = ("A", "B", "C")
_DAY_NS = 86_400_000_000_000

# Knobs passed to the C++ generator: name -> number of values (0 = a scalar).
_KNOBS = {
    "kind_mix": 3, "n_industries": 0, "n_regions": 0, "distributor_share": 0, "possibility_mix": 3,
    "progress_mix": 3, "tier_mix": 3, "regrade_rate": 0, "a_loss_rate": 0, "a_to_b_share": 0,
    "funnel_matrix": 24, "dwell_mean": 4, "dwell_shape": 0, "kind_lift": 3, "kind_pace": 3,
    "referred_share": 0, "referred_lift": 0, "referred_pace": 0, "reactivation_rate": 0,
    "reactivation_delay": 0, "seasonality": 0, "censor": 0, "min_ties": 0, "tie_tail": 0, "max_ties": 0,
    "referral_probability": 0, "referral_delay": 0, "product_mix": 5, "agents_per_region": 0,
    "loss_reason_mix": 6, "deal_value": 3, "deal_shape": 0, "bg_r": 0, "bg_alpha": 0, "bg_a": 0, "bg_b": 0,
    "gg_p": 0, "gg_q": 0, "gg_v": 0, "region_spread": 0, "industry_spread": 0, "grade_strength": 0,
    "channel_mix": 6, "channel_lift": 6, "touches_mean": 0, "visit_rate": 0, "promotion_rate": 0,
    "customer_share": 0, "customer_years": 0,
}
_INT_KNOBS = {"n_industries", "n_regions", "min_ties", "max_ties", "agents_per_region"}
#: Loss reasons of lost opportunities (a Pareto), in code order.
LOSS_REASONS = ("price", "competitor", "product", "service", "quality", "channel")


@result
class CRMTruth(Result):
    """The truth behind a :class:`SyntheticCRM` (times in days).

    Attributes
    ----------
    transition : pandas.DataFrame
        The funnel's jump chain per segment: rows ``(segment, stage)`` for the four
        transient stages, columns the six stages (rows sum to 1).
    dwell_mean : pandas.DataFrame
        Mean days in each transient stage (columns) per segment (rows); dwell times are
        Gamma with shape ``dwell_shape``.
    dwell_shape : float
        Gamma shape of the dwell times.
    conversion : pandas.Series
        Per segment, the probability that a lead starting at ``potential`` is won.
    tier_matrix : pandas.DataFrame
        The monthly A/B/C tier chain (rows: from, columns: to).
    bg_r, bg_alpha, bg_a, bg_b : float
        BG/NBD parameters of the won accounts' repeat buying (rates per day).
    gg_p, gg_q, gg_v : float
        Gamma-Gamma parameters of the transaction amounts.
    customers : pandas.DataFrame
        Per won account: its purchase rate ``lambda`` (per day), drop-out probability
        ``p`` and spend rate ``nu`` (amounts are Gamma(gg_p, rate nu)).
    ties : pandas.DataFrame
        The latent trade network: ``source``, ``target`` (peers in the same industry) and
        the independent-cascade ``probability`` that a won source refers the target.
    influence : pandas.Series
        Per account, its true influence: the expected number of referrals it makes once
        won (the sum of its tie probabilities).
    referral_delay : float
        Mean days from a win to each of its referrals (exponential).
    region_effect, industry_effect : pandas.Series
        Forward-move multipliers per region and per industry (``exp(spread * z)``): a
        lead's jump chain is its segment's ``transition`` with the forward moves (and won)
        multiplied by ``region_effect[region] * industry_effect[industry]``, each row
        renormalised.  ``transition`` and ``conversion`` are at effect 1; each lead's own
        conversion probability is ``leads.conversion_probability``.
    channels : pandas.DataFrame
        Per channel (index :data:`CHANNELS`): ``mix`` (the channel of a touch of a lead not
        won), ``lift``, ``won_share`` (of a won lead's touch: mix x lift, normalised) and
        ``removal_effect`` (the share of won leads with a touch on it).  Markov
        attribution's removal effects rank the channels in this order.
    touches_mean : float
        Mean touches per lead (1 + Poisson(touches_mean - 1)).
    grade_strength : float
        How strongly the prospect grades follow each account's true conversion probability.
    """

    transition: pd.DataFrame
    dwell_mean: pd.DataFrame
    dwell_shape: float
    conversion: pd.Series
    tier_matrix: pd.DataFrame
    bg_r: float
    bg_alpha: float
    bg_a: float
    bg_b: float
    gg_p: float
    gg_q: float
    gg_v: float
    customers: pd.DataFrame
    ties: pd.DataFrame
    influence: pd.Series
    referral_delay: float
    region_effect: pd.Series
    industry_effect: pd.Series
    channels: pd.DataFrame
    touches_mean: float
    grade_strength: float

    def _table(self) -> pd.DataFrame:
        return self.transition


@result
class SyntheticCRM(Result):
    """Frames of a synthetic CRM and the truth used to make them.

    Attributes
    ----------
    accounts : pandas.DataFrame
        One row per account (index ``account``): ``kind``, ``industry``, ``region``,
        ``sales_mode`` (direct / distributor), ``possibility`` (A/B/C), ``progress``
        (Hot/Warm/Cold), the grading criteria (:data:`CRITERIA`), ``tier`` (the last
        month's tier), ``won`` (first won time, NaT if never won), ``owner`` (the agent
        who visits it), ``customer_since`` (first purchase; before ``start`` for the
        accounts that were customers already, NaT if none).  Both grades are drawn with
        odds tilted by the true conversion probability of the account's first lead
        (``truth.grade_strength``): A and Hot accounts convert more often.
    tiers : pandas.DataFrame
        Monthly tier snapshots, wide: one row per account, one categorical column per month
        (the month's first day).  :meth:`tier_snapshots` gives the long form.
    leads : pandas.DataFrame
        One row per lead (index ``lead``): ``account``, ``segment``, ``referred``,
        ``reactivated``, ``start``, ``outcome`` (open / won / lost),
        ``conversion_probability`` (the truth, with its region and industry effects) and
        ``end`` (the last event, or the end of the history while open).
    events : pandas.DataFrame
        Funnel events ``lead``, ``stage``, ``time``, sorted by lead then time.
    transactions : pandas.DataFrame
        Purchases of won accounts ``account``, ``time``, ``amount``; the first one is at
        the won time.
    opportunities : pandas.DataFrame
        One row per lead that reached ``target`` (a quote), index ``opportunity``:
        ``lead``, ``account``, ``product`` (0-4), ``owner`` (agent id; agents
        ``region * agents_per_region ..`` serve a region), ``entry`` (quote time),
        ``stage`` (last stage reached), ``status`` (W won / L lost / C continuing),
        ``closed`` (NaT while open), ``reason`` (loss reason, :data:`LOSS_REASONS`),
        ``amount`` (deal value, Gamma with mean ``deal_value`` by kind).
    referrals : pandas.DataFrame
        Referrals ``referrer``, ``referee``, ``time``, ``new_lead`` (the referral opened a
        referred lead: the referee was neither won nor referred before) and ``round`` (the
        cascade generation), from an independent-cascade process over ``truth.ties``.
    touches : pandas.DataFrame
        Marketing touches per lead (for attribution): ``lead``, ``channel``
        (:data:`CHANNELS`), ``time`` (uniform over the lead's life, sorted) and
        ``converted`` (True on the last touch of a won lead); channel effects in
        ``truth.channels``.
    activities : pandas.DataFrame
        ``account``, ``owner``, ``kind`` (visit: the owner visits the account during its
        leads, ``visit_rate`` a week; promotion: ``promotion_rate`` a year per account) and
        ``time``; visits in lead order, then promotions in account order.
    truth : CRMTruth
        The truth.
    start : pandas.Timestamp
        The first day of month 0.
    end : pandas.Timestamp
        The end of the history (``start`` + months x 30.4375 days).
    """

    accounts: pd.DataFrame
    tiers: pd.DataFrame
    leads: pd.DataFrame
    events: pd.DataFrame
    transactions: pd.DataFrame
    opportunities: pd.DataFrame
    referrals: pd.DataFrame
    truth: CRMTruth
    start: pd.Timestamp
    end: pd.Timestamp
    touches: pd.DataFrame
    activities: pd.DataFrame

    def _table(self) -> pd.DataFrame:
        return self.accounts

    def tier_snapshots(self) -> pd.DataFrame:
        """The tier snapshots in long form: ``customer``, ``period``, ``tier`` (the shape
        :class:`funnelnet.customers.TierMigration` fits).

        Returns
        -------
        pandas.DataFrame
        """
        n, m = self.tiers.shape
        codes = np.column_stack([self.tiers[c].cat.codes.to_numpy() for c in self.tiers.columns]).ravel()
        return pd.DataFrame({
            "customer": np.repeat(self.tiers.index.to_numpy(), m),
            "period": np.tile(self.tiers.columns.to_numpy(), n),
            "tier": pd.Categorical.from_codes(codes, categories=pd.Index(list(_TIERS))),
        })


def _knob_values(knobs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in knobs.items():
        if name not in _KNOBS:
            raise InvalidArgumentError(f"synthetic_crm: unknown knob {name!r}; knobs are {sorted(_KNOBS)}")
        size = _KNOBS[name]
        if name == "censor":
            out[name] = bool(value)
        elif size:
            arr = np.asarray(value, dtype=float).ravel()
            if arr.size != size:
                raise InvalidArgumentError(f"synthetic_crm: {name} must have {size} values, got {arr.size}")
            out[name] = arr.tolist()
        elif name in _INT_KNOBS:
            out[name] = _as_int(value, name)
        else:
            try:
                out[name] = float(value)
            except (TypeError, ValueError):
                raise InputTypeError(f"synthetic_crm: {name} must be a number, got {value!r}") from None
    return out


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(f"synthetic_crm: {name} must be an integer, got {value!r}")
    return int(value)


def _times(origin_ns: int, days: np.ndarray) -> np.ndarray:
    ns = np.full(days.shape, np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    ok = ~np.isnan(days)
    ns[ok] = origin_ns + np.round(days[ok] * _DAY_NS).astype(np.int64)
    return ns.view("datetime64[ns]")


def synthetic_crm(n_accounts: int = default("CrmOptions", "n_accounts"), months: int = default("CrmOptions", "months"),
                  seed: int = default("CrmOptions", "seed"), threads: int = default("CrmOptions", "threads"), *,
                  start: Any = "2024-01-01", progress: bool = False, **knobs: Any) -> SyntheticCRM:
    """Generate a synthetic B2B CRM with its ground truth.

    Parameters
    ----------
    n_accounts : int
        Number of accounts (>= 0).  Each has one lead, more when a lost lead is
        re-activated.
    months : int
        Length of the history in months (1 .. 1200); a month is 30.4375 days.
    seed : int
        The same seed gives identical frames at any thread count.
    threads : int
        Worker threads: 0 chooses from the size of the work (one thread for small
        inputs, more only when each has enough work to gain from it, never more than
        the usable cores); a positive number is an upper bound.  The result is the
        same at any thread count.
    start : str or Timestamp
        The history starts on the first day of this month (UTC; naive timestamps out).
    progress : bool
        Show a tqdm bar.
    **knobs
        Any field of the C++ ``datasets::CrmOptions`` (defaults from DOMAIN.md):
        ``kind_mix`` (3), ``n_industries``, ``n_regions``, ``distributor_share``,
        ``possibility_mix`` (3), ``progress_mix`` (3), ``tier_mix`` (3, default 1:3:6),
        ``regrade_rate`` (0.2 a month), ``a_loss_rate`` (0.2 a year), ``a_to_b_share``,
        ``funnel_matrix`` (4 x 6 jump chain of the base segment), ``dwell_mean`` (4 days),
        ``dwell_shape``, ``kind_lift`` (3), ``kind_pace`` (3), ``referred_share``,
        ``referred_lift``, ``referred_pace``, ``reactivation_rate``, ``reactivation_delay``,
        ``seasonality``, ``censor``, ``min_ties`` (4), ``tie_tail`` (2), ``max_ties``,
        ``referral_probability`` (0.1), ``referral_delay`` (30 days), ``product_mix`` (5),
        ``agents_per_region``, ``loss_reason_mix`` (6), ``deal_value`` (3), ``deal_shape``,
        ``bg_r``, ``bg_alpha``, ``bg_a``, ``bg_b``, ``gg_p``, ``gg_q``, ``gg_v``,
        ``region_spread`` (0.25), ``industry_spread`` (0.25), ``grade_strength`` (1.5),
        ``channel_mix`` (6), ``channel_lift`` (6), ``touches_mean`` (3), ``visit_rate``
        (0.2 a week), ``promotion_rate`` (0.5 a year), ``customer_share`` (0.2 of the
        accounts are customers at month 0), ``customer_years`` (10 years of purchase
        history before it).

    Returns
    -------
    SyntheticCRM

    Raises
    ------
    funnelnet.InvalidArgumentError
        A knob out of its domain (the message names it and its value), a mix not summing
        to 1, an unknown knob.
    funnelnet.InputTypeError
        A knob of the wrong type.

    Examples
    --------
    >>> import funnelnet as fn
    >>> a = fn.datasets.synthetic_crm(n_accounts=500, seed=3, threads=1)
    >>> b = fn.datasets.synthetic_crm(n_accounts=500, seed=3, threads=2)
    >>> a.events.equals(b.events)
    True
    >>> fn.datasets.synthetic_crm(n_accounts=10, referred_share=1.5)
    Traceback (most recent call last):
    ...
    funnelnet.InvalidArgumentError: synthetic_crm: referred_share must be in [0, 1], got 1.5
    """
    n_accounts = _as_int(n_accounts, "n_accounts")
    months = _as_int(months, "months")
    seed = _as_int(seed, "seed")
    threads = _as_int(threads, "threads")
    if seed < 0:
        raise InvalidArgumentError(f"synthetic_crm: seed must be >= 0, got {seed}")
    origin = pd.Timestamp(start)
    if origin.tzinfo is not None:
        origin = origin.tz_convert("UTC").tz_localize(None)
    origin = origin.normalize().replace(day=1)
    opts = _knob_values(knobs)
    opts.update(n_accounts=n_accounts, months=months, seed=seed, threads=threads, start_month=origin.month - 1)
    d = run_with_progress(progress, "synthetic_crm", lambda cb: _core.datasets.synthetic_crm(opts, cb))
    return _assemble(d, origin, months)


def _assemble(d: dict[str, Any], origin: pd.Timestamp, months: int) -> SyntheticCRM:
    o_ns = int(origin.value)
    n = d["kind"].shape[0]
    account_index = pd.RangeIndex(n, name="account")
    tiers_codes = d["tiers"]
    periods = pd.date_range(origin, periods=months, freq="MS")
    accounts = pd.DataFrame({
        "kind": pd.Categorical.from_codes(d["kind"], categories=pd.Index(list(KINDS))),
        "industry": d["industry"],
        "region": d["region"],
        "sales_mode": pd.Categorical.from_codes(d["sales_mode"], categories=pd.Index(["direct", "distributor"])),
        "possibility": pd.Categorical.from_codes(d["possibility"], categories=pd.Index(list(_TIERS))),
        "progress": pd.Categorical.from_codes(d["progress"], categories=pd.Index(["Hot", "Warm", "Cold"])),
        **{c: d["criteria"][:, k] for k, c in enumerate(CRITERIA)},
        "tier": pd.Categorical.from_codes(tiers_codes[:, -1] if n else np.empty(0, np.int8), categories=pd.Index(list(_TIERS))),
        "won": _times(o_ns, d["won_time"]),
        "owner": d["owner"],
        "customer_since": _times(o_ns, d["customer_since"]),
    }, index=account_index)
    tiers = pd.DataFrame({p: pd.Categorical.from_codes(tiers_codes[:, k], categories=pd.Index(list(_TIERS)))
                          for k, p in enumerate(periods)}, index=account_index)
    tiers.columns.name = "period"
    leads = pd.DataFrame({
        "account": d["lead_account"],
        "segment": pd.Categorical.from_codes(d["lead_segment"], categories=pd.Index(list(_SEGMENTS))),
        "referred": d["lead_referred"].astype(bool),
        "reactivated": d["lead_reactivated"].astype(bool),
        "start": _times(o_ns, d["lead_start"]),
        "outcome": pd.Categorical.from_codes(d["lead_outcome"], categories=pd.Index(["open", "won", "lost"])),
        "conversion_probability": d["lead_conversion"],
        "end": _times(o_ns, d["lead_end"]),
    }, index=pd.RangeIndex(d["lead_account"].shape[0], name="lead"))
    events = pd.DataFrame({
        "lead": d["event_lead"],
        "stage": pd.Categorical.from_codes(d["event_stage"], categories=pd.Index(list(STAGES))),
        "time": _times(o_ns, d["event_time"]),
    })
    transactions = pd.DataFrame({
        "account": d["tx_account"],
        "time": _times(o_ns, d["tx_time"]),
        "amount": d["tx_amount"],
    })
    reason = d["opp_reason"]
    opportunities = pd.DataFrame({
        "lead": d["opp_lead"],
        "account": d["opp_account"],
        "product": d["opp_product"],
        "owner": d["opp_owner"],
        "entry": _times(o_ns, d["opp_entry"]),
        "stage": pd.Categorical.from_codes(d["opp_stage"], categories=pd.Index(list(STAGES))),
        "status": pd.Categorical.from_codes(d["opp_status"], categories=pd.Index(["C", "W", "L"])),
        "closed": _times(o_ns, d["opp_close"]),
        "reason": pd.Categorical.from_codes(reason, categories=pd.Index(list(LOSS_REASONS))),
        "amount": d["opp_amount"],
    }, index=pd.RangeIndex(d["opp_lead"].shape[0], name="opportunity"))
    referrals = pd.DataFrame({
        "referrer": d["ref_referrer"],
        "referee": d["ref_referee"],
        "time": _times(o_ns, d["ref_time"]),
        "new_lead": d["ref_new_lead"].astype(bool),
        "round": d["ref_round"],
    })
    touches = pd.DataFrame({
        "lead": d["touch_lead"],
        "channel": pd.Categorical.from_codes(d["touch_channel"], categories=pd.Index(list(CHANNELS))),
        "time": _times(o_ns, d["touch_time"]),
        "converted": d["touch_converted"].astype(bool),
    })
    activities = pd.DataFrame({
        "account": d["act_account"],
        "owner": d["act_owner"],
        "kind": pd.Categorical.from_codes(d["act_kind"], categories=pd.Index(["visit", "promotion"])),
        "time": _times(o_ns, d["act_time"]),
    })
    t = d["truth"]
    offsets = t["tie_offsets"]
    ties = pd.DataFrame({"source": np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets)),
                         "target": t["tie_target"], "probability": t["tie_probability"]})
    rows = pd.MultiIndex.from_product([_SEGMENTS, STAGES[:4]], names=["segment", "stage"])
    transition = pd.DataFrame(t["transition"].reshape(len(rows), len(STAGES)), index=rows,
                              columns=pd.Index(STAGES, name="to"))
    dwell = pd.DataFrame(t["dwell_mean"].reshape(len(_SEGMENTS), 4), index=pd.Index(_SEGMENTS, name="segment"),
                         columns=pd.Index(STAGES[:4], name="stage"))
    won = ~np.isnan(t["purchase_rate"])
    customers = pd.DataFrame({"lambda": t["purchase_rate"][won], "p": t["dropout"][won], "nu": t["spend_rate"][won]},
                             index=pd.Index(np.flatnonzero(won), name="account"))
    truth = CRMTruth(
        transition=transition, dwell_mean=dwell, dwell_shape=float(t["dwell_shape"]),
        conversion=pd.Series(t["conversion"], index=pd.Index(_SEGMENTS, name="segment"), name="conversion"),
        tier_matrix=pd.DataFrame(t["tier_matrix"].reshape(3, 3), index=pd.Index(_TIERS, name="from"),
                                 columns=pd.Index(_TIERS, name="to")),
        bg_r=float(t["bg_r"]), bg_alpha=float(t["bg_alpha"]), bg_a=float(t["bg_a"]), bg_b=float(t["bg_b"]),
        gg_p=float(t["gg_p"]), gg_q=float(t["gg_q"]), gg_v=float(t["gg_v"]), customers=customers,
        ties=ties, influence=pd.Series(t["influence"], index=account_index, name="influence"),
        referral_delay=float(t["referral_delay"]),
        region_effect=pd.Series(t["region_effect"], index=pd.RangeIndex(t["region_effect"].shape[0], name="region"),
                                name="region_effect"),
        industry_effect=pd.Series(t["industry_effect"],
                                  index=pd.RangeIndex(t["industry_effect"].shape[0], name="industry"),
                                  name="industry_effect"),
        channels=pd.DataFrame({"mix": t["channel_mix"], "lift": t["channel_lift"], "won_share": t["channel_won_share"],
                               "removal_effect": t["channel_removal"]}, index=pd.Index(CHANNELS, name="channel")),
        touches_mean=float(t["touches_mean"]), grade_strength=float(t["grade_strength"]))
    end = origin + pd.Timedelta(days=float(d["horizon"]))
    return SyntheticCRM(accounts=accounts, tiers=tiers, leads=leads, events=events, transactions=transactions,
                        opportunities=opportunities, referrals=referrals, truth=truth, start=origin, end=end,
                        touches=touches, activities=activities)
