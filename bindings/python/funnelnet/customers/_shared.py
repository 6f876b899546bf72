"""Helpers shared by the modules of the customers area (private)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._common.convert import as_array


def f64(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (int, float, np.integer, np.floating)):
        values = [values]
    return as_array(values, np.float64, name)


def like(result: np.ndarray, template: Any) -> Any:
    """Return a Series with the template's index when the input was a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index)
    return result
