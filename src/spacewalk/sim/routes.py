"""Translation routes: the vehicle's handrail paths as a graph (networkx), the way along them
from any point to any other, and the length of the way back to a hatch.

Nodes are the vehicle's named places (``[vehicle.sites]``), its EVA hatches (by vessel id;
``hatch`` is the vehicle's) and the corners of each path; edges are the straight pieces
between them, weighted by length. A crew member off the graph joins it at the nearest point
of the nearest piece (a hand reaches the rail), leaves it at the point nearest to where they
are going, and goes the shortest way in between.
"""

from __future__ import annotations

import numpy as np

from ..physics.structure import nearest_on_segments
from ..scenario import Scenario


class Routes:
    def __init__(self, sc: Scenario):
        v = sc.vehicle
        points: dict[str, np.ndarray] = {k: np.asarray(s.at_m, float) for k, s in v.sites.items()}
        for spec in v.vessel_specs():
            if spec.hatch:
                points[spec.id] = np.asarray(spec.hatch_m, float)
        points["hatch"] = np.asarray(v.hatch_m, float)
        import networkx as nx  # here: a vehicle without handrails never pays its import

        self.graph = nx.Graph()
        for k, path in enumerate(v.paths):
            chain = [path.from_, *(f"{k}.{i}" for i in range(len(path.via_m))), path.to]
            for i, xyz in enumerate(path.via_m):
                points[f"{k}.{i}"] = np.asarray(xyz, float)
            for u, w in zip(chain[:-1], chain[1:], strict=True):
                length = float(np.linalg.norm(points[u] - points[w]))
                self.graph.add_edge(u, w, weight=length, kind=path.kind)
        self.points = points
        self.edges = list(self.graph.edges())
        self.a = np.array([points[u] for u, _ in self.edges]).reshape(-1, 3)
        self.b = np.array([points[w] for _, w in self.edges]).reshape(-1, 3)
        self.lengths = np.linalg.norm(self.b - self.a, axis=-1)
        self._to_node: dict[str, dict[str, float]] = {}
        self._ends: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __bool__(self) -> bool:
        return bool(self.edges)

    def _dist(self, node: str) -> dict[str, float]:
        if node not in self._to_node:
            import networkx as nx

            self._to_node[node] = nx.single_source_dijkstra_path_length(self.graph, node)
        return self._to_node[node]

    def _to_ends(self, node: str) -> tuple[np.ndarray, np.ndarray]:
        """Length from each rail's two ends to ``node`` along the rails (inf: no way)."""
        if node not in self._ends:
            dist = self._dist(node)
            self._ends[node] = (
                np.array([dist.get(u, np.inf) for u, _ in self.edges]),
                np.array([dist.get(w, np.inf) for _, w in self.edges]),
            )
        return self._ends[node]

    def _on(self, p) -> tuple[int, float, np.ndarray, float]:
        """The nearest piece to ``p``: its index, the fraction along it, the point, the gap."""
        gap, f = nearest_on_segments(np.asarray(p, float)[None], self.a, self.b)
        e = int(np.argmin(gap[0]))
        point = self.a[e] + f[0, e] * (self.b[e] - self.a[e])
        return e, float(f[0, e]), point, float(gap[0, e])

    def way(self, start, end) -> np.ndarray:
        """The points a held crew member goes through from ``start`` to ``end``: onto the
        nearest rail, the shortest way along the rails, off at the point nearest ``end``."""
        e0, f0, p0, _ = self._on(start)
        e1, f1, p1, _ = self._on(end)
        (u0, w0), (u1, w1) = self.edges[e0], self.edges[e1]
        if e0 == e1:
            middle: list[np.ndarray] = []
        else:
            best, nodes = np.inf, []
            for n0, d0 in ((u0, f0 * self.lengths[e0]), (w0, (1 - f0) * self.lengths[e0])):
                dist = self._dist(n0)
                for n1, d1 in ((u1, f1 * self.lengths[e1]), (w1, (1 - f1) * self.lengths[e1])):
                    if n1 in dist and d0 + dist[n1] + d1 < best:
                        best, nodes = d0 + dist[n1] + d1, (n0, n1)
            if not nodes:  # two rails that do not meet: straight across
                middle = []
            else:
                import networkx as nx

                middle = [self.points[n] for n in nx.dijkstra_path(self.graph, *nodes)]
        pts = [np.asarray(start, float), p0, *middle, p1, np.asarray(end, float)]
        out = [pts[0]]
        for p in pts[1:]:
            if np.linalg.norm(p - out[-1]) > 1e-9:
                out.append(p)
        return np.array(out)

    def distance_to(self, points, target) -> np.ndarray:
        """Length of the way from each point ``(N, 3)`` to ``target`` (a point, or the name
        of a node) as :meth:`way` goes: onto the nearest rail, along, off [m]."""
        pts = np.asarray(points, float).reshape(-1, 3)
        goal = self.points[target] if isinstance(target, str) else np.asarray(target, float)
        e1, f1, _, gap1 = self._on(goal)
        u1, w1 = self.edges[e1]
        ends1 = ((u1, f1 * self.lengths[e1]), (w1, (1 - f1) * self.lengths[e1]))
        gap, f = nearest_on_segments(pts, self.a, self.b)
        e = np.argmin(gap, axis=1)  # onto the nearest rail, as way() goes
        n = np.arange(len(pts))
        fe = f[n, e]
        along = np.full(len(pts), np.inf)
        for n1, d1 in ends1:
            du, dw = (x[e] for x in self._to_ends(n1))
            via_u = fe * self.lengths[e] + du
            via_w = (1 - fe) * self.lengths[e] + dw
            along = np.minimum(along, np.minimum(via_u, via_w) + d1)
        same = e == e1  # on the goal's own rail: straight along it
        along[same] = np.abs(fe[same] - f1) * self.lengths[e1]
        return gap[n, e] + along + gap1


def length(points: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(points, axis=0), axis=-1).sum())
