"""Polygons that tile an area as TopoJSON: each border once, lossless on the grid, groups' borders from arcs."""

from __future__ import annotations

import json

import shapely

from geo.core import topology


def _square(x: int, y: int) -> shapely.Polygon:
    return shapely.box(x / 10, y / 10, (x + 1) / 10, (y + 1) / 10)


def test_a_grid_of_squares_keeps_each_border_once_and_decodes_exactly() -> None:
    squares = [_square(x, y) for y in range(2) for x in range(3)]  # 3 by 2, ids a..f
    topo, users = topology.topology(squares, list("abcdef"), unit=0.01)
    assert topo["type"] == "Topology" and topo["transform"]["scale"] == [0.01, 0.01]
    # 17 unit edges, cut at the junctions into 7 inner borders (each used twice) and the outer edge pieces
    assert sorted(len(u) for u in users).count(2) == 7
    assert all(len(u) in (1, 2) for u in users)
    assert sum(len(a) - 1 for a in topo["arcs"]) == 17  # every edge stored once (the six squares have 24)
    for back, original in zip(topology.decode(topo), squares, strict=True):
        assert back.symmetric_difference(original).area < 1e-12 and back.equals_exact(
            shapely.MultiPolygon([original]).normalize(), 1e-12, normalize=True
        )
    geometries = topo["objects"]["areas"]["geometries"]
    assert [g["id"] for g in geometries] == list("abcdef")
    # a border read backwards by the neighbour: ~i
    assert any(r < 0 for g in geometries for p in g["arcs"] for ring in p for r in ring)
    json.dumps(topo)  # JSON-ready


def test_the_borders_of_a_grouping_come_from_the_same_arcs() -> None:
    squares = [_square(x, y) for y in range(2) for x in range(3)]
    groups = [1, 1, 2, 1, 1, 2]  # the right column is a group of its own
    topo, users = topology.topology(squares, list("abcdef"), unit=0.01)
    chosen = topology.outline_arcs(users, groups)
    points = topology.arc_points(topo)
    lines = shapely.MultiLineString([points[i] for i in chosen])
    expected = shapely.union_all(
        [
            shapely.union_all([s for s, g in zip(squares, groups, strict=True) if g == k]).boundary
            for k in (1, 2)
        ]
    )
    assert lines.length == expected.length  # the outer edge and the border between the groups
    assert lines.symmetric_difference(expected).length < 1e-9
    # the border inside group 1 (between a and d, b and e, a and b, d and e) is not drawn
    assert not lines.contains(shapely.LineString([(0.05, 0.1), (0.06, 0.1)]))


def test_an_enclave_shares_its_whole_ring_with_the_hole_around_it() -> None:
    outer = shapely.Polygon(
        [(0, 0), (1, 0), (1, 1), (0, 1)], holes=[[(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)]]
    )
    inside = shapely.box(0.4, 0.4, 0.6, 0.6)
    topo, users = topology.topology([outer, inside], ["ring", "enclave"], unit=0.1)
    assert sorted(len(u) for u in users) == [1, 2]  # the city edge once, the enclave's border shared
    back = topology.decode(topo)
    assert (
        back[0].symmetric_difference(outer).area < 1e-12 and back[1].symmetric_difference(inside).area < 1e-12
    )
    assert len(back[0].geoms[0].interiors) == 1


def test_points_closer_than_the_grid_merge_and_a_vanishing_part_drops() -> None:
    tiny = shapely.MultiPolygon([_square(0, 0), shapely.box(0.5, 0.5, 0.5001, 0.5001)])
    topo, _users = topology.topology([tiny], ["a"], unit=0.01)
    (back,) = topology.decode(topo)
    assert len(back.geoms) == 1 and back.symmetric_difference(_square(0, 0)).area < 1e-12
