"""Inputs of the compiled subsystem kernels as C-contiguous (runs, crew) arrays of one dtype,
so that a scalar, a broadcast view or an int array never compiles a kernel once more."""

from __future__ import annotations

import numpy as np


def as_f64(x, shape: tuple[int, ...]) -> np.ndarray:
    if (
        isinstance(x, np.ndarray)
        and x.shape == shape
        and x.dtype == np.float64
        and x.flags.c_contiguous
    ):
        return x
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), shape))


def as_bool(x, shape: tuple[int, ...]) -> np.ndarray:
    if (
        isinstance(x, np.ndarray)
        and x.shape == shape
        and x.dtype == np.bool_
        and x.flags.c_contiguous
    ):
        return x
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.bool_), shape))
