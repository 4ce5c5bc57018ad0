"""
Polygons that tile a city as a TopoJSON topology: every border stored once, as an arc both neighbours use.

A Sozialraum's border with its neighbour is the same line twice in GeoJSON (once in each polygon) and a
third time in the Stadtbezirk outline. TopoJSON (https://github.com/topojson/topojson-specification) stores
it once: rings are cut where three or more areas meet (junctions), each piece is an *arc* kept once, and a
ring is the list of its arcs (``~i`` for arc ``i`` read backwards). Coordinates are quantised integers,
each arc's positions delta-encoded after the first, with a ``transform`` back to degrees.

`topology` builds the object from polygons already on a grid (the map's geometry is snapped to 1e-5° by
`geo.output.maps.simplify_coverage`), so quantising at that grid loses nothing. `outline_arcs` picks the arcs of a
coarser division (the Stadtbezirke) from the same arcs: those between areas of different groups and those
on the outer edge. `decode` turns the topology back into shapely polygons (tests and checks).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

Point = tuple[int, int]


def _rings_of(geom: shapely.Geometry) -> list[list[np.ndarray]]:
    """A (multi)polygon as polygons of rings (outer first), each an array of points without the closing one."""
    parts = shapely.get_parts(geom) if geom.geom_type == "MultiPolygon" else [geom]
    return [
        [shapely.get_coordinates(p.exterior)[:-1], *(shapely.get_coordinates(r)[:-1] for r in p.interiors)]
        for p in parts
        if not p.is_empty
    ]


def _quantised(ring: np.ndarray, origin: tuple[float, float], unit: float) -> list[Point]:
    """A ring on the integer grid, without repeated consecutive points (a ring may shrink below 3)."""
    grid = np.round((ring - np.asarray(origin)) / unit).astype(np.int64)
    keep = np.ones(len(grid), dtype=bool)
    if len(grid) > 1:
        keep[1:] = np.any(grid[1:] != grid[:-1], axis=1)
        if np.all(grid[-1] == grid[0]):
            keep[-1] = False
    return [(int(x), int(y)) for x, y in grid[keep]]


def _junctions(rings: list[list[Point]]) -> set[Point]:
    """Points where a ring meets a different neighbour than another ring did there (TopoJSON's join)."""
    seen: dict[Point, frozenset[Point]] = {}
    junctions: set[Point] = set()
    for ring in rings:
        n = len(ring)
        for i, point in enumerate(ring):
            neighbours = frozenset((ring[i - 1], ring[(i + 1) % n]))
            before = seen.setdefault(point, neighbours)
            if before != neighbours:
                junctions.add(point)
    return junctions


def _cut(ring: list[Point], junctions: set[Point]) -> list[list[Point]]:
    """A ring as arcs from junction to junction (each arc holds both ends); one closed arc if it has none."""
    starts = [i for i, p in enumerate(ring) if p in junctions]
    if not starts:
        k = ring.index(min(ring))  # a canonical start, so a ring shared whole (an enclave) is one arc
        return [[*ring[k:], *ring[:k], ring[k]]]
    rotated = ring[starts[0] :] + ring[: starts[0]]
    cuts = [i - starts[0] for i in starts] + [len(ring)]
    closed = [*rotated, rotated[0]]
    return [closed[a : b + 1] for a, b in itertools.pairwise(cuts)]


class _Arcs:
    """Arcs kept once: a piece and the same piece read backwards get one index (``~i`` backwards)."""

    def __init__(self) -> None:
        self.arcs: list[list[Point]] = []
        self.users: list[list[int]] = []
        self._index: dict[tuple[Point, ...], int] = {}

    def add(self, arc: list[Point], user: int) -> int:
        key = tuple(arc)
        if key in self._index:
            i = self._index[key]
            self.users[i].append(user)
            return i
        backwards = key[::-1]  # a closed arc starts at its smallest point either way (`_cut`)
        if backwards in self._index:
            i = self._index[backwards]
            self.users[i].append(user)
            return ~i
        self._index[key] = len(self.arcs)
        self.arcs.append(arc)
        self.users.append([user])
        return len(self.arcs) - 1


def _delta(arc: list[Point]) -> list[list[int]]:
    out = [list(arc[0])]
    out.extend([x - px, y - py] for (px, py), (x, y) in itertools.pairwise(arc))
    return out


def topology(
    geoms: Sequence[shapely.Geometry], ids: Sequence[str], *, unit: float, name: str = "areas"
) -> tuple[dict[str, Any], list[list[int]]]:
    """
    The polygons as a TopoJSON topology with one ``GeometryCollection`` called `name`.

    Parameters
    ----------
    geoms
        Polygons or multipolygons tiling an area (neighbours share their border vertices).
    ids
        One ID per geometry (the geometry's ``id`` in the topology).
    unit
        The grid in the geometries' units (degrees): the ``transform``'s scale.
    name
        The collection's name under ``objects``.

    Returns
    -------
    The topology (JSON-ready), and for each arc the indices of the geometries using it.
    """
    bounds = shapely.total_bounds(np.asarray(geoms, dtype=object))
    origin = (float(np.floor(bounds[0] / unit) * unit), float(np.floor(bounds[1] / unit) * unit))
    shapes = [
        [[r for r in (_quantised(ring, origin, unit) for ring in polygon)] for polygon in _rings_of(g)]
        for g in geoms
    ]
    junctions = _junctions([r for s in shapes for p in s for r in p if len(r) >= 3])
    arcs = _Arcs()
    collection = []
    for user, (polygons, sid) in enumerate(zip(shapes, ids, strict=True)):
        refs = []
        for polygon in polygons:
            rings = [r for r in polygon if len(r) >= 3]
            if rings and rings[0] is polygon[0]:  # an outer ring that vanished on the grid drops its polygon
                refs.append([[arcs.add(a, user) for a in _cut(r, junctions)] for r in rings])
        collection.append({"type": "MultiPolygon", "id": sid, "arcs": refs})
    topo = {
        "type": "Topology",
        "transform": {"scale": [unit, unit], "translate": [round(origin[0], 9), round(origin[1], 9)]},
        "objects": {name: {"type": "GeometryCollection", "geometries": collection}},
        "arcs": [_delta(a) for a in arcs.arcs],
    }
    return topo, arcs.users


def outline_arcs(users: list[list[int]], groups: Sequence[object]) -> list[int]:
    """Arcs on the border of a grouping: between areas of different groups, or on the outer edge."""
    return [i for i, using in enumerate(users) if len(using) == 1 or len({groups[u] for u in using}) > 1]


def arc_points(topo: dict[str, Any]) -> list[np.ndarray]:
    """Each arc's positions in degrees (undoing the deltas and the transform)."""
    scale = np.asarray(topo["transform"]["scale"], dtype=float)
    translate = np.asarray(topo["transform"]["translate"], dtype=float)
    return [np.cumsum(np.asarray(a, dtype=np.int64), axis=0) * scale + translate for a in topo["arcs"]]


def _ring(refs: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = [arcs[r] if r >= 0 else arcs[~r][::-1] for r in refs]
    return np.vstack([parts[0], *(p[1:] for p in parts[1:])])


def decode(topo: dict[str, Any], name: str = "areas") -> list[shapely.MultiPolygon]:
    """The collection `name` as shapely multipolygons (the inverse of `topology`, on its grid)."""
    arcs = arc_points(topo)
    return [
        shapely.MultiPolygon(
            [shapely.Polygon(_ring(p[0], arcs), [_ring(r, arcs) for r in p[1:]]) for p in g["arcs"]]
        )
        for g in topo["objects"][name]["geometries"]
    ]
