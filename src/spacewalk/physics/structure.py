"""The vehicle's outside as geometry: solids (boxes and cylinders) that a free body hits, and
the handrail segments a crew member can reach.

Pure functions over arrays, points ``(N, 3)`` in the vehicle frame [m]. A solid is a row of
:class:`Solids`: a box (``kind`` 0: ``a`` its centre, ``b`` its half extents) or a cylinder
(``kind`` 1: ``a`` and ``b`` its end centres, ``radius``). A point counts as inside only
deeper than ``SKIN_M``: crew hold on to handrails on the surface, and a body that lets go
there has not hit anything.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

BOX, CYLINDER = 0, 1
SKIN_M = 0.05  # [m] a point this close under a surface is still on it
SAMPLE_M = 0.05  # [m] spacing of the points a segment is tested at (thinner than any part)
MAX_SAMPLES = 4096  # a segment longer than 200 m in one step is tested more coarsely


class Solids(NamedTuple):
    kind: np.ndarray  # (S,) BOX or CYLINDER
    a: np.ndarray  # (S, 3) box centre | cylinder end
    b: np.ndarray  # (S, 3) box half extents | cylinder other end
    radius: np.ndarray  # (S,) cylinder radius (0 for a box)


def solids(boxes=(), cylinders=()) -> Solids:
    """Solids from (centre, size) boxes and (from, to, radius) cylinders."""
    rows = [(BOX, c, np.asarray(s, float) / 2.0, 0.0) for c, s in boxes]
    rows += [(CYLINDER, a, b, r) for a, b, r in cylinders]
    if not rows:
        return Solids(np.zeros(0, int), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0))
    kind, a, b, radius = zip(*rows, strict=True)
    return Solids(np.array(kind), np.array(a, float), np.array(b, float), np.array(radius))


def depth(points, s: Solids) -> np.ndarray:
    """How far under the surface of each solid each point is [m] ``(N, S)`` (negative:
    outside, by at least that much along the nearest face)."""
    p = np.asarray(points, float)[:, None, :]  # (N, 1, 3)
    out = np.empty((p.shape[0], len(s.kind)))
    box = s.kind == BOX
    if box.any():
        out[:, box] = np.min(s.b[box] - np.abs(p - s.a[box]), axis=-1)
    cyl = ~box
    if cyl.any():
        axis = s.b[cyl] - s.a[cyl]
        length = np.linalg.norm(axis, axis=-1)
        u = axis / length[:, None]
        d = p - s.a[cyl]
        along = np.einsum("nsk,sk->ns", d, u)
        radial = np.linalg.norm(d - along[..., None] * u, axis=-1)
        out[:, cyl] = np.minimum(s.radius[cyl] - radial, np.minimum(along, length - along))
    return out


def normal(point, s: Solids, j: int) -> np.ndarray:
    """The outward normal of solid ``j`` at the face nearest to ``point``."""
    p = np.asarray(point, float)
    if s.kind[j] == BOX:
        d = (p - s.a[j]) / s.b[j]
        k = int(np.argmax(np.abs(d)))
        n = np.zeros(3)
        n[k] = 1.0 if d[k] >= 0 else -1.0
        return n
    axis = s.b[j] - s.a[j]
    length = float(np.linalg.norm(axis))
    u = axis / length
    d = p - s.a[j]
    along = float(d @ u)
    radial = d - along * u
    r = float(np.linalg.norm(radial))
    to_side, to_start, to_end = s.radius[j] - r, along, length - along
    if to_side <= min(to_start, to_end) and r > 1e-9:
        return radial / r
    return -u if to_start < to_end else u


class Hit(NamedTuple):
    fraction: float  # where along the segment the surface is met, 0 to 1
    point: np.ndarray  # (3,) on the surface
    normal: np.ndarray  # (3,) outward
    solid: int


def first_hit(p0, p1, s: Solids) -> Hit | None:
    """Where a body moving from ``p0`` to ``p1`` first meets a solid (None: it does not).
    The segment is tested every SAMPLE_M (at most MAX_SAMPLES points), so no part thinner
    than that is passed through; the surface is then found by bisection. A start already
    inside is a hit at once."""
    if not len(s.kind):
        return None
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    n = min(max(2, int(np.ceil(np.linalg.norm(p1 - p0) / SAMPLE_M)) + 1), MAX_SAMPLES)
    f = np.linspace(0.0, 1.0, n)
    pts = p0 + f[:, None] * (p1 - p0)
    under = depth(pts, s) > SKIN_M  # (n, S)
    rows = np.flatnonzero(under.any(axis=1))
    if not rows.size:
        return None
    k = int(rows[0])
    j = int(np.flatnonzero(under[k])[0])
    if k == 0:  # started inside: out by the nearest face
        nrm = normal(p0, s, j)
        return Hit(0.0, p0 + nrm * (depth(p0[None], s)[0, j] - SKIN_M), nrm, j)
    lo, hi = f[k - 1], f[k]
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if depth((p0 + mid * (p1 - p0))[None], s)[0, j] > SKIN_M:
            hi = mid
        else:
            lo = mid
    point = p0 + lo * (p1 - p0)
    return Hit(float(lo), point, normal(point, s, j), j)


def nearest_on_segments(points, a, b) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each point to each segment ``a[e] -> b[e]`` and the fraction along it
    of the nearest point: both ``(N, E)``."""
    p = np.asarray(points, float)[:, None, :]
    ab = b - a
    len2 = np.maximum(np.einsum("ek,ek->e", ab, ab), 1e-24)
    f = np.clip(np.einsum("nek,ek->ne", p - a, ab) / len2, 0.0, 1.0)
    nearest = a + f[..., None] * ab
    return np.linalg.norm(p - nearest, axis=-1), f
