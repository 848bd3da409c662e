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


def every_run(busy, runs: int) -> np.ndarray:
    """``busy`` (R,), the runs still going (:func:`spacewalk.sim.stretch.all_over`), or every
    run (a subsystem stepped alone)."""
    return np.ones(runs, dtype=np.bool_) if busy is None else busy


@lru_cache(maxsize=32)
def grid(R: int, C: int) -> tuple[np.ndarray, np.ndarray]:
    """Each (run, crew) element's run and crew index, (R, C) each, read-only: made once per
    shape (``np.broadcast_to`` costs some 10 us a call, a step's NumPy operations about 1)."""
    return (
        np.broadcast_to(np.arange(R)[:, None], (R, C)),
        np.broadcast_to(np.arange(C), (R, C)),
    )


# ----------------------------------------------------------------- flat views in kernels


def _view(a, keep: int):
    """The codegen of a C-contiguous array's view with its first ``keep`` dimensions kept and
    the rest as one (no copy, no check: the layout makes it exact)."""
    from numba.core import cgutils, types
    from numba.core.imputils import impl_ret_borrowed
    from numba.np.arrayobj import make_array

    out = types.Array(a.dtype, keep + 1, "C")

    def codegen(context, builder, sig, args):
        src = make_array(a)(context, builder, args[0])
        dims = cgutils.unpack_tuple(builder, src.shape, a.ndim)
        inner = dims[keep]
        for d in dims[keep + 1 :]:
            inner = builder.mul(inner, d)
        shape = [*dims[:keep], inner]
        strides, step = [], src.itemsize
        for d in reversed(shape):
            strides.insert(0, step)
            step = builder.mul(step, d)
        dst = make_array(out)(context, builder)
        context.populate_array(
            dst, data=src.data, shape=cgutils.pack_array(builder, shape),
            strides=cgutils.pack_array(builder, strides), itemsize=src.itemsize,
            meminfo=src.meminfo, parent=src.parent,
        )  # fmt: skip
        return impl_ret_borrowed(context, builder, out, dst._getvalue())

    return out(a), codegen


def _intrinsics():
    from numba.core import types
    from numba.extending import intrinsic

    def usable(a, keep):
        return isinstance(a, types.Array) and a.layout == "C" and a.ndim > keep

    @intrinsic
    def flat(typingctx, a):
        """A C-contiguous array's elements as one dimension, in a compiled kernel. Numba's
        ``reshape`` calls into C to check the new shape (some 17 ns a call), and the
        kernels' flat loops over (runs, crew), which run on vector registers, take a few
        dozen such views a step: a cost that showed in a single run."""
        return _view(a, 0) if usable(a, 0) else None

    @intrinsic
    def flat_rows(typingctx, a):
        """A C-contiguous array of two or more dimensions as (its first, the rest as one)."""
        return _view(a, 1) if usable(a, 1) else None

    return flat, flat_rows


flat, flat_rows = _intrinsics()
