"""Customers: ABC grading, tier migration and Markov lifetime value, repeat buying.

Repeat-buying models (BG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma) are fitted by maximum
likelihood in C++ (log-parameters, analytic gradients, LBFGS-B, weighted unique rows);
a fit that does not converge warns (``funnelnet.ConvergenceWarning``) or, with
``strict=True``, raises ``funnelnet.ConvergenceError``.

>>> import funnelnet as fn
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer": [1, 1, 1, 2, 3, 3],
...                    "date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-03-01",
...                                            "2024-02-01", "2024-01-10", "2024-02-20"]),
...                    "amount": [10.0, 20.0, 30.0, 5.0, 8.0, 12.0]})
>>> s = fn.customers.summary_from_transactions(tx, customer="customer", time="date",
...                                            amount="amount", calibration_end="2024-03-31")
>>> s
          frequency  recency     T  monetary_value
customer                                          
1               2.0     60.0  90.0            25.0
2               0.0      0.0  59.0             0.0
3               1.0     41.0  81.0            12.0
>>> bg = fn.customers.BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> bg.conditional_probability_alive(2, 30.43, 38.86).round(4)
array([0.7266])
"""
from __future__ import annotations

from .grading import STANDARD_CRITERIA, grade
from .repeat_buying import BetaGeo, BetaGeoBetaBinom, GammaGamma, ParetoNBD
from .summary import summary_from_transactions
from .tiers import TierMigration, markov_clv

__all__ = [
    "BetaGeo",
    "ParetoNBD",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "summary_from_transactions",
    "grade",
    "TierMigration",
    "markov_clv",
    "STANDARD_CRITERIA",
]
