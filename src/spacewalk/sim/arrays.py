"""Inputs of the compiled subsystem kernels as C-contiguous (runs, crew) arrays of one dtype,
so that a scalar, a broadcast view or an int array never compiles a kernel once more."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def _as(x, shape: tuple[int, ...], dtype) -> np.ndarray:
    if isinstance(x, np.ndarray) and x.shape == shape and x.dtype == dtype and x.flags.c_contiguous:
        return x
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=dtype), shape))


def as_f64(x, shape: tuple[int, ...]) -> np.ndarray:
    return _as(x, shape, np.float64)


def as_bool(x, shape: tuple[int, ...]) -> np.ndarray:
    return _as(x, shape, np.bool_)


def as_i64(x, shape: tuple[int, ...]) -> np.ndarray:
    return _as(x, shape, np.int64)


@lru_cache(maxsize=32)
def grid(R: int, C: int) -> tuple[np.ndarray, np.ndarray]:
    """Each (run, crew) element's run and crew index, (R, C) each, read-only: made once per
    shape (``np.broadcast_to`` costs some 10 us a call, a step's NumPy operations about 1)."""
    return (
        np.broadcast_to(np.arange(R)[:, None], (R, C)),
        np.broadcast_to(np.arange(C), (R, C)),
    )
