"""Recurrent chains (a customer cycle rather than a funnel): communicating classes and
their periods, the stationary distribution, first-passage and recurrence times."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _core

__all__ = ["communicating_classes", "stationary_distribution", "first_passage_times", "recurrence_times"]


def _states(core: Any) -> pd.Index:
    out: pd.Index = pd.Index(list(core.space.names), name="state")
    return out


def communicating_classes(core: Any) -> pd.DataFrame:
    """See :meth:`MarkovChain.communicating_classes`."""
    cs = _core.funnel.communicating_classes(core)
    cls = np.asarray(cs.class_of)
    return pd.DataFrame({"class": cls, "closed": np.asarray(cs.closed)[cls], "period": np.asarray(cs.period)[cls]},
                        index=_states(core))


def stationary_distribution(core: Any) -> pd.Series:
    """See :meth:`MarkovChain.stationary_distribution`."""
    return pd.Series(_core.funnel.stationary_distribution(core), index=_states(core), name="pi")


def first_passage_times(core: Any) -> pd.DataFrame:
    """See :meth:`MarkovChain.first_passage_times`."""
    names = list(core.space.names)
    m = _core.funnel.first_passage_times(core)
    return pd.DataFrame(m, index=pd.Index(names, name="from"), columns=pd.Index(names, name="to"))


def recurrence_times(core: Any) -> pd.Series:
    """See :meth:`MarkovChain.recurrence_times`."""
    return pd.Series(np.diag(_core.funnel.first_passage_times(core)), index=_states(core), name="recurrence")
