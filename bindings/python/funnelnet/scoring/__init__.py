"""Lead scoring: metrics of binary scores and the logistic lead scorer.

- :mod:`funnelnet.scoring.metrics`: ``roc_auc``, ``average_precision``, ``log_loss``,
  ``brier``, ``ks``, ``lift_table``, ``gain_table``, ``calibration_curve``, ``ece`` (each
  equal to scikit-learn's where it has one) and seeded ``bootstrap`` intervals.
- :mod:`funnelnet.scoring.logistic`: :class:`LeadScorer`, penalised logistic regression in
  C++ as a scikit-learn estimator, with the 1-99 score, tiers, top factors and Wald
  intervals.
- :mod:`funnelnet.scoring.pooled`: :class:`PooledScorer`, per-segment scorers shrunk
  toward a pooled one (a hierarchical prior) for small teams.
- :func:`score_1_99`, :func:`priority_tiers`: the CRM 1-99 score and A/B/C (or any
  shares) priority tiers of any score vector, in C++.
- :mod:`funnelnet.scoring.calibration`: Platt and isotonic calibration on held-out folds.
- :func:`features`: point-in-time lead features (strictly before a cut-off).
- :mod:`funnelnet.scoring.experiments`: seeded splits, :func:`compare` (DeLong,
  Nadeau-Bengio, paired bootstrap) and :func:`capacity_value`.
- :mod:`funnelnet.scoring.baselines`: :func:`baselines` (all features, funnel stage,
  ABC tier, referral-aware) as :class:`ColumnScorer` estimators picking their columns of
  :func:`features` by name.
"""
from __future__ import annotations

from . import features as _features_module  # noqa: F401
from . import baselines as _baselines_module  # noqa: F401
from . import calibration, experiments, logistic, metrics, pooled
from .baselines import ColumnScorer, baselines, referral_baseline, stage_baseline, tier_baseline
from .calibration import CalibratedScorer
from .experiments import Comparison, DeLongTest, capacity_value, compare, delong, splits
from .features import features
from .logistic import LeadScorer
from .metrics import BootstrapInterval
from .pooled import PooledScorer
from .ranking import priority_tiers, score_1_99

__all__ = ["metrics", "logistic", "experiments", "calibration", "CalibratedScorer", "LeadScorer", "BootstrapInterval", "features", "splits",
           "delong", "DeLongTest", "compare", "Comparison", "capacity_value", "pooled", "PooledScorer",
           "baselines", "ColumnScorer", "stage_baseline", "tier_baseline", "referral_baseline",
           "score_1_99", "priority_tiers"]
