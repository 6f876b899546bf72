"""Scale-out on Dask: the same analyses on a Dask DataFrame, run by Dask's scheduler
(a ``distributed`` cluster or the local one); nothing home-made.

- :mod:`.counts` -- funnel counts (discrete, periods, continuous exposure) per partition,
  added up by a tree reduction of the mergeable counts.
- :mod:`.customers` -- repeat-buying summaries per customer, the BG/NBD (any repeat
  model) log-likelihood summed across partitions, fitting and scoring.
- :mod:`.scoring` -- per-partition scoring with a fitted model (``map_partitions``).
- :mod:`.journeys` -- attribution journeys after a shuffle by customer.
- :mod:`.simulate` -- Monte Carlo split across workers by seed stream (the same result
  as one machine with the same seed).

The rule: every row of one lead (customer) must be in one partition before it is
counted.  Each function shuffles by the id column (``DataFrame.shuffle(on=...)``) and
then restores, inside each partition, the rows' original order, so ties in time break
exactly as on one machine.  Results equal the single-machine call: integer counts and
per-customer rows bit for bit; sums of floats (exposure, log-likelihood) to rounding
(1e-12 relative), since partitions add in a different order.  See ``docs/dask.md``.
"""
from __future__ import annotations

from .counts import exposure_counts, period_counts, transition_counts
from .customers import fit_repeat, log_likelihood, summary_from_transactions
from .journeys import journeys
from .scoring import expected_purchases, p_alive, score, win_probabilities
from .simulate import simulate_events, spread

__all__ = [
    "transition_counts", "period_counts", "exposure_counts",
    "summary_from_transactions", "log_likelihood", "fit_repeat",
    "journeys", "score", "p_alive", "expected_purchases", "win_probabilities",
    "simulate_events", "spread",
]
