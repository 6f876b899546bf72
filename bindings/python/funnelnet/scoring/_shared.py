"""Private helpers of the scoring area: label and score conversion."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, ShapeError


def as_vector(values: Any, name: str) -> np.ndarray:
    """A 1-d, C-contiguous float64 copy-free view where possible; ShapeError otherwise."""
    a = np.asarray(values)
    if a.ndim == 2 and 1 in a.shape:
        a = a.reshape(-1)
    if a.ndim != 1:
        raise ShapeError(f"{name} must be 1-dimensional, got shape {a.shape}")
    if a.dtype.kind not in "biuf":
        raise InvalidArgumentError(f"{name} must be numeric, got dtype {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.float64)


def as_weights(values: Any, n: int) -> np.ndarray | None:
    """Sample weights as float64, or None."""
    if values is None:
        return None
    w = as_vector(values, "sample_weight")
    if w.shape[0] != n:
        raise ShapeError(f"sample_weight has length {w.shape[0]}, expected {n}")
    return w


def binary_labels(y: Any) -> np.ndarray:
    """y_true as 0/1 float64 (bools, 0/1 numbers)."""
    return as_vector(y, "y_true")
