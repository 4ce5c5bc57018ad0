"""Coverage figures on crafted geometry (expected values by hand), gaps on real data, greedy vs brute force."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from geo.analysis import coverage
from geo.core.settings import METRIC_CRS
from geo.data import sources
from tests.conftest import REGISTRY, SOZIALRAEUME

X0, Y0 = 344_000.0, 5_677_000.0


def _squares() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Four 1 km squares in a row; one Welcome Point in the middle of the first."""
    ids = ["011001", "011002", "021001", "021002"]
    spaces = gpd.GeoDataFrame(
        {
            "sozialraum_id": ids,
            "name": list("ABCD"),
            "stadtbezirk": [1, 1, 2, 2],
            "bevoelkerung": [1000.0, 2000.0, 3000.0, 4000.0],
        },
        geometry=[box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(4)],
        crs=METRIC_CRS,
    )
    points = gpd.GeoDataFrame(
        {"welcome_point_id": ["wp-1"], "name": ["WP 1"]}, geometry=[Point(X0 + 500, Y0 + 500)], crs=METRIC_CRS
    )
    return spaces.to_crs(4326), points.to_crs(4326)


def _table(assigned: list[tuple[str, str]]) -> pd.DataFrame:
    spaces, points = _squares()
    score = pd.Series({"011001": 10.0, "011002": 90.0, "021001": 100.0, "021002": 60.0})
    need_class = pd.Series({"011001": 5, "011002": 2, "021001": 1, "021002": 2})
    assignments = pd.DataFrame(assigned, columns=["sozialraum_id", "tandem"])
    return coverage.coverage_table(spaces, points, score, need_class, assignments)


def test_table_by_hand() -> None:
    table = _table([("021001", "T1"), ("021001", "T2")]).set_index("sozialraum_id")
    assert table["distance_m"].tolist() == [0, 1000, 2000, 3000]
    assert table.loc["021001", "tandems"] == "T1, T2"
    assert table["covered"].tolist() == [False, False, True, False]
    assert (table["welcome_point"] == "WP 1").all()


def test_distance_from_the_nearest_edge_by_hand() -> None:
    """From the edge: 0 inside, then 500 m to every further square's edge (the point sits 500 m from them)."""
    spaces, points = _squares()
    score = pd.Series(50.0, index=spaces["sozialraum_id"])
    need_class = pd.Series(1, index=spaces["sozialraum_id"])
    nobody = pd.DataFrame(columns=["sozialraum_id", "tandem"])
    edge = coverage.coverage_table(spaces, points, score, need_class, nobody, measure="edge")
    assert edge["distance_m"].tolist() == [0, 500, 1500, 2500]
    point = coverage.coverage_table(spaces, points, score, need_class, nobody, measure="point")
    assert point["distance_m"].tolist() == [0, 1000, 2000, 3000]
    by_edge = coverage.distance_to_nearest(spaces, points, measure="edge").round()
    assert by_edge.to_dict() == {"011001": 0, "011002": 500, "021001": 1500, "021002": 2500}
    # the figures follow the measure: within 600 m, two squares by their edge, one by the point inside
    assert coverage.city_figures(edge, distance_m=600)[0]["population_within"] == 3000
    assert coverage.city_figures(point, distance_m=600)[0]["population_within"] == 1000
    with pytest.raises(ValueError, match="unknown distance measure"):
        coverage.distance_to_nearest(spaces, points, measure="centroid")


def test_the_command_line_offers_the_same_measures() -> None:
    from geo import __main__ as cli

    assert cli.DISTANCE_MEASURES == coverage.DISTANCE_MEASURES


def test_city_figures_by_hand() -> None:
    city, per_bezirk = coverage.city_figures(_table([("021001", "T1")]), min_class=2, distance_m=1500)
    # high need (class 1-2): 011002 (2000), 021001 (3000), 021002 (4000) = 9000; covered 3000
    assert city["high_need_population"] == 9000
    assert city["share_high_need_covered"] == pytest.approx(3000 / 9000)
    # within 1.5 km of the Welcome Point: 011001 and 011002 = 3000 of 10000
    assert city["share_within"] == pytest.approx(0.3)
    b1, b2 = per_bezirk.sort_values("stadtbezirk").to_dict("records")
    assert b1["share_high_need_covered"] == 0.0
    assert b2["share_high_need_covered"] == pytest.approx(3000 / 7000)
    assert b2["share_within"] == 0.0


def test_gaps_ranked_and_distance_filter() -> None:
    table = _table([("021001", "T1")])
    assert coverage.gaps(table, min_class=2)["sozialraum_id"].tolist() == ["011002", "021002"]
    assert coverage.gaps(table, min_class=1).empty
    assert coverage.gaps(table, min_class=2, beyond_m=1500)["sozialraum_id"].tolist() == ["021002"]


def test_what_if_a_new_welcome_point() -> None:
    spaces, points = _squares()
    extra = gpd.GeoDataFrame(
        {"welcome_point_id": ["hypo"], "name": ["Neu"]}, geometry=[Point(X0 + 3500, Y0 + 500)], crs=METRIC_CRS
    ).to_crs(4326)
    table = coverage.coverage_table(
        spaces,
        pd.concat([points, extra]),
        pd.Series(dtype=float),
        pd.Series(dtype=int),
        pd.DataFrame(columns=["sozialraum_id", "tandem"]),
    )
    assert table["distance_m"].tolist() == [0, 1000, 1000, 0]
    assert table["welcome_point_id"].tolist() == ["wp-1", "wp-1", "hypo", "hypo"]


def _brute_force(weights: dict[str, float], reach: dict[str, set[str]], k: int) -> float:
    best = 0.0
    for combo in itertools.combinations(reach, k):
        covered = set().union(*(reach[c] for c in combo))
        best = max(best, sum(weights.get(i, 0) for i in covered))
    return best


def test_greedy_against_brute_force() -> None:
    # a classic instance where greedy is not optimal: a big middle set and two disjoint halves
    reach = {"m": {"a", "b", "c", "d"}, "l": {"a", "b", "x"}, "r": {"c", "d", "y"}, "s": {"z"}}
    weights = {"a": 2, "b": 2, "c": 2, "d": 2, "x": 1.5, "y": 1.5, "z": 0.5}
    chosen, total = coverage.greedy_cover(weights, reach, 2)
    optimum = _brute_force(weights, reach, 2)
    assert optimum == 11.0  # l + r
    assert chosen[0] == "m"
    assert total >= (1 - 1 / 2.718281828) * optimum
    assert coverage.greedy_cover(weights, reach, 1)[1] == _brute_force(weights, reach, 1)
    three = coverage.greedy_cover(weights, reach, 3)[1]
    assert (1 - 1 / 2.718281828) * _brute_force(weights, reach, 3) <= three <= _brute_force(weights, reach, 3)


def test_suggestion_on_squares() -> None:
    table = _table([("021001", "T1")])
    spaces, _ = _squares()
    (first,) = coverage.suggest(table, spaces, k=1, min_class=2, reach_m=1100)
    # from 021002 (x=3.5 km) a tandem reaches 021001 (covered) and 021002: 4000; from 011002: 2000 (+011001 no need)
    assert first.sozialraum_id == "021002"
    assert first.high_need_population == 4000
    near_home = coverage.suggest(
        table, spaces, k=1, min_class=2, reach_m=1100, home_id="011001", max_home_m=1500
    )
    assert [s.sozialraum_id for s in near_home] == ["011002"]
    assert near_home[0].home_distance_m == 1000


def test_alternatives_for_one_tandem_are_judged_each_on_its_own() -> None:
    table = _table([("021001", "T1")])
    spaces, _ = _squares()
    # reach 2.1 km: from 011002 (x=1.5 km) or from 021002 (x=3.5 km) a tandem reaches both high-need gaps
    # 011002 and 021002 (2000 + 4000); from 011001 only 011002 (2000)
    greedy = coverage.suggest(table, spaces, k=3, min_class=2, reach_m=2100)
    assert [s.sozialraum_id for s in greedy] == [
        "021002"
    ]  # on a tie the neediest place; a second adds nobody
    options = coverage.suggest(table, spaces, k=3, min_class=2, reach_m=2100, alternatives=True)
    assert [s.sozialraum_id for s in options] == ["021002", "011002", "011001"]
    assert [s.high_need_population for s in options] == [6000, 6000, 2000]


@pytest.mark.real_data
def test_gaps_on_the_real_data() -> None:
    spaces = sources.read_sozialraeume(SOZIALRAEUME)
    points = sources.assign_sozialraum(sources.read_welcome_points(REGISTRY), spaces)
    rng = pd.Series(range(len(spaces)), index=spaces["sozialraum_id"], dtype=float)
    need_class = pd.Series((rng.rank(ascending=False) * 5 // (len(spaces) + 1) + 1).astype(int))
    spaces["name"] = spaces["sozialraum_id"]
    for_wp = points.iloc[0]["sozialraum_id"]
    assignments = pd.DataFrame([(for_wp, "T")], columns=["sozialraum_id", "tandem"])
    table = coverage.coverage_table(spaces, points, rng, need_class, assignments)
    wp_spaces = set(points["sozialraum_id"])
    assert set(table.loc[table["distance_m"] < 1500, "sozialraum_id"]) >= wp_spaces
    assert table["distance_m"].max() < 8000  # no Sozialraum is more than 8 km from a Welcome Point
    assert set(table["welcome_point_id"]) == set(points["welcome_point_id"])  # every catchment is used
    before = coverage.gaps(table, min_class=5)
    assert len(before) == len(spaces) - 1
    catch = coverage.catchment_areas(points, spaces)
    assert len(catch) == 11
    assert catch.to_crs(25832).area.sum() == pytest.approx(spaces.to_crs(25832).union_all().area, rel=1e-3)


def test_welcome_points_at_the_same_place_share_a_catchment() -> None:
    """The registry spells one address two ways: two points at one place (Voronoi of duplicates used to fail)."""
    spaces, _ = _squares()
    metric = [Point(X0 + 500, Y0 + 500), Point(X0 + 500.3, Y0 + 500.2), Point(X0 + 3500, Y0 + 500)]
    points = gpd.GeoDataFrame(
        {"welcome_point_id": ["wp-a", "wp-a2", "wp-b"]}, geometry=metric, crs=METRIC_CRS
    ).to_crs(4326)
    catch = coverage.catchment_areas(points, spaces).to_crs(METRIC_CRS).set_index("welcome_point_id")
    assert catch.loc["wp-a"].geometry.equals(catch.loc["wp-a2"].geometry)
    assert catch.loc["wp-a"].geometry.area == pytest.approx(2_000_000, rel=1e-6)  # up to the bisector at 2 km
    assert catch.loc["wp-b"].geometry.area == pytest.approx(2_000_000, rel=1e-6)
    alone = coverage.catchment_areas(points.iloc[:2], spaces).to_crs(METRIC_CRS)
    assert alone.area.tolist() == pytest.approx([4_000_000, 4_000_000])  # one place: the whole city


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("alternatives", [False, True])
def test_the_scalable_choice_is_the_greedy_choice(seed: int, alternatives: bool) -> None:
    """`suggest` (sparse STRtree sums) chooses exactly what `greedy_cover` over reach sets chooses."""
    rng = np.random.default_rng(seed)
    n = 300
    xs, ys = X0 + rng.uniform(0, 8000, n), Y0 + rng.uniform(0, 8000, n)
    ids = [f"{i:06d}" for i in range(n)]
    squares = [box(x - 40, y - 40, x + 40, y + 40) for x, y in zip(xs, ys, strict=True)]
    spaces = gpd.GeoDataFrame({"sozialraum_id": ids}, geometry=squares, crs=METRIC_CRS).to_crs(4326)
    table = pd.DataFrame(
        {
            "sozialraum_id": ids,
            "name": ids,
            "need_class": rng.integers(1, 6, n),
            "covered": rng.random(n) < 0.2,
            "population": rng.integers(0, 4, n) * 500.0,  # many ties on purpose
            "distance_m": 0.0,
            "welcome_point": "",
        }
    )
    got = [
        s.sozialraum_id for s in coverage.suggest(table, spaces, k=4, reach_m=900, alternatives=alternatives)
    ]
    high = (table["need_class"] <= 2) & ~table["covered"]
    weights = dict(zip(table.loc[high, "sozialraum_id"], table.loc[high, "population"], strict=True))
    reach = coverage.reach_sets(spaces, 900)
    candidates = [i for i in ids if not table.set_index("sozialraum_id").at[i, "covered"]]
    if alternatives:
        gains = {c: sum(weights.get(i, 0.0) for i in reach[c]) for c in candidates}
        expected = sorted(
            (c for c in gains if gains[c] > 0), key=lambda c: (-gains[c], -weights.get(c, 0.0), c)
        )[:4]
    else:
        expected, _ = coverage.greedy_cover(weights, reach, 4, candidates)
    assert got == expected


def test_anchor_points_are_kept_per_table_and_recomputed_when_it_changes(demo_dir: Path) -> None:
    from geo.data import dataset

    spaces = dataset.load_dataset(demo_dir).spaces
    first = coverage.anchor_points(spaces)
    assert coverage.anchor_points(spaces) is first  # the same table: computed once
    moved = spaces.copy()
    moved["geometry"] = moved.geometry.translate(xoff=0.01)  # a changed table: computed afresh
    again = coverage.anchor_points(moved)
    assert again is not first
    assert (again.x > first.x).all()


def _dense_city(n: int, seed: int) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """`n` squares on 5 km² (far denser than a real city), random need, population and coverage."""
    rng = np.random.default_rng(seed)
    step = float(np.sqrt(5e6 / n))
    side = int(np.ceil(np.sqrt(n)))
    cols, rows = np.divmod(np.arange(n), side)
    x, y = X0 + cols * step, Y0 + rows * step
    ids = [f"{i:07d}" for i in range(n)]
    spaces = gpd.GeoDataFrame(
        {"sozialraum_id": ids, "name": ids}, geometry=shapely.box(x, y, x + step, y + step), crs=METRIC_CRS
    ).to_crs(4326)
    table = pd.DataFrame(
        {
            "sozialraum_id": ids,
            "name": ids,
            "need_class": rng.integers(1, 6, n),
            "covered": rng.random(n) < 0.05,
            "population": rng.integers(50, 8000, n).astype(float),
            "distance_m": 0.0,
            "welcome_point": "",
        }
    )
    return table, spaces


@pytest.mark.parametrize("alternatives", [False, True], ids=["greedy", "alternatives"])
def test_a_very_dense_city_is_pooled_close_to_the_exact_choice_and_says_so(
    monkeypatch: pytest.MonkeyPatch, alternatives: bool
) -> None:
    table, spaces = _dense_city(6000, seed=3)
    exact = coverage.suggest(table, spaces, k=3, reach_m=600, alternatives=alternatives)
    assert exact and all(s.pooled_m is None for s in exact)  # below the threshold: exact
    monkeypatch.setattr(coverage.ReachIndex, "POOL_ABOVE", 500)
    pooled = coverage.suggest(table, spaces, k=3, reach_m=600, alternatives=alternatives)
    assert len(pooled) == 3 and all(s.pooled_m == 75.0 for s in pooled)  # a cell of 600 m / 8, stated
    reached = sum(s.high_need_population for s in pooled)
    best = sum(s.high_need_population for s in exact)
    assert reached >= 0.9 * best  # greedy is not optimal either: pooled may even reach more
    # the figures of a pooled choice are exact: what its reach really holds, not a pooled estimate
    index = coverage.ReachIndex(coverage.anchor_points(spaces), 600)
    rows = table.set_index("sozialraum_id")
    high = rows["need_class"].le(2) & ~rows["covered"]
    first = pooled[0]
    around = [str(index.ids[j]) for j in index.within(index.position[first.sozialraum_id])]
    assert set(first.reached) == {i for i in around if high[i]}
    assert first.high_need_population == rows.loc[list(first.reached), "population"].sum()
    if not alternatives:  # three places that complement each other reach no one twice
        everyone = [i for s in pooled for i in s.reached]
        assert len(everyone) == len(set(everyone))


def _brute_force_positions(index: coverage.ReachIndex, weights: np.ndarray, k: int) -> float:
    reach = [set(index.within(i).tolist()) for i in range(len(index.ids))]
    best = 0.0
    for combo in itertools.combinations(range(len(index.ids)), k):
        covered = set().union(*(reach[c] for c in combo))
        best = max(best, float(weights[list(covered)].sum()))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_exact_choice_is_the_best_possible_and_greedy_is_not_always(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 24
    xy = rng.uniform(0, 4000, size=(n, 2))
    anchors = gpd.GeoSeries(shapely.points(xy), index=[f"{i:06d}" for i in range(n)], crs=METRIC_CRS)
    index = coverage.ReachIndex(anchors, 900)
    weights = np.where(rng.random(n) < 0.6, rng.integers(100, 5000, n), 0).astype(float)
    everyone = np.arange(n)
    exact = index.exact(weights, everyone, 3)
    assert exact is not None and 1 <= len(exact) <= 3

    def total(chosen: list[int]) -> float:
        covered = set().union(*(set(index.within(c).tolist()) for c in chosen))
        return float(weights[list(covered)].sum())

    assert total(exact) == _brute_force_positions(index, weights, 3)
    assert total(index.greedy(weights, everyone, 3)) <= total(exact)


def test_where_greedy_falls_short_the_exact_choice_does_not() -> None:
    # a middle place reaching two groups half each, and two outer places reaching each group whole
    xy = [(0, 0), (1000, 0), (2000, 0), (-600, 0), (2600, 0), (400, 0), (1600, 0)]
    ids = ["l", "m", "r", "x", "y", "a", "b"]
    anchors = gpd.GeoSeries(shapely.points(np.array(xy, dtype=float)), index=ids, crs=METRIC_CRS)
    index = coverage.ReachIndex(anchors, 700)
    weights = np.array([0, 0, 0, 1500, 1500, 2000, 2000], dtype=float)  # x, y at the ends; a, b in the middle
    candidates = np.array([0, 1, 2])  # only l, m, r may be chosen
    greedy = index.greedy(weights, candidates, 2)
    exact = index.exact(weights, candidates, 2)
    assert ids[greedy[0]] == "m"  # m reaches a and b (4000) first ...
    assert sorted(ids[i] for i in exact) == ["l", "r"]  # ... but l and r together reach all 7000
