"""Data sets: the seeded synthetic CRM generator with its ground truth (issue 12).

:func:`synthetic_crm` returns a :class:`SyntheticCRM` (accounts with monthly tier
snapshots, funnel leads and events, transactions) and the :class:`CRMTruth` used to make
it, so every estimator of funnelnet can be checked against known answers.

>>> import funnelnet as fn
>>> crm = fn.datasets.synthetic_crm(n_accounts=1000, seed=0)
>>> len(crm.accounts)
1000
"""
from __future__ import annotations

from .synthetic import CHANNELS, CRITERIA, KINDS, LOSS_REASONS, STAGES, CRMTruth, SyntheticCRM, synthetic_crm

__all__ = ["synthetic_crm", "SyntheticCRM", "CRMTruth", "STAGES", "KINDS", "CRITERIA", "LOSS_REASONS", "CHANNELS"]
