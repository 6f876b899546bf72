"""Helpers shared by the modules of the customers area (private)."""
from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._common.convert import as_array

#: A per-customer prediction: a float64 array, or a Series with the input's index when
#: the input (``frequency``) was a Series (lifetimes' convention: the type of the input).
Prediction: TypeAlias = "npt.NDArray[np.float64] | pd.Series[float]"


def f64(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (int, float, np.integer, np.floating)):
        values = [values]
    return as_array(values, np.float64, name)


def like(result: npt.NDArray[np.float64], template: Any) -> Prediction:
    """Return a Series with the template's index when the input was a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index)
    return result
