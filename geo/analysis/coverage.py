"""Distances, coverage by tandems, gaps and suggestions; every distance is measured in EPSG:25832."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.settings import METRIC_CRS, STORAGE_CRS

#: Polygons closer than this (metres) count as neighbours: official borders have slivers and gaps.
NEIGHBOUR_TOLERANCE_M = 2.0


#: Anchors of the last few Sozialraum tables: id -> (weak reference, geometry array, ids, anchors). The
#: coverage page asks for them three times per run (distances, coverage table, suggestions); reprojecting
#: every polygon is most of the work at a large size.
_ANCHORS: dict[int, tuple[weakref.ref[gpd.GeoDataFrame], object, object, gpd.GeoSeries]] = {}


def anchor_points(spaces: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """
    A point inside each Sozialraum (shapely's representative point), in EPSG:25832.

    Kept for the same table object while its geometry and IDs are the same objects (a changed or copied
    table is computed afresh); the series returned is shared, callers do not change it.
    """
    held = _ANCHORS.get(id(spaces))
    geometry, ids = spaces.geometry.array, spaces["sozialraum_id"].array
    if held is not None and held[0]() is spaces and held[1] is geometry and held[2] is ids:
        return held[3]
    metric = spaces.to_crs(METRIC_CRS)
    anchors = gpd.GeoSeries(
        metric.representative_point().to_numpy(), index=spaces["sozialraum_id"].to_numpy(), crs=METRIC_CRS
    )
    if len(_ANCHORS) >= 8:
        _ANCHORS.pop(next(iter(_ANCHORS)))
    _ANCHORS[id(spaces)] = (weakref.ref(spaces), geometry, ids, anchors)
    return anchors


#: How a distance from a Sozialraum is measured: from a point inside it (shapely's representative point,
#: always inside, unlike the centroid of a bent area), or from its nearest edge (0 when the Welcome Point
#: lies inside). Both are straight lines in EPSG:25832.
DISTANCE_MEASURES = ("point", "edge")


def _origins(spaces: gpd.GeoDataFrame, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """Sozialraum IDs and the geometries distances start from (`DISTANCE_MEASURES`), metres."""
    if measure not in DISTANCE_MEASURES:
        raise ValueError(f"unknown distance measure {measure!r}; one of {DISTANCE_MEASURES}")
    if measure == "point":
        anchors = anchor_points(spaces)
        return anchors.index.to_numpy(), anchors.to_numpy()
    return spaces["sozialraum_id"].to_numpy(), spaces.to_crs(METRIC_CRS).geometry.to_numpy()


def distance_to_nearest(
    spaces: gpd.GeoDataFrame, points: gpd.GeoDataFrame, *, measure: str = "point"
) -> pd.Series:
    """
    Straight-line distance in metres from each Sozialraum to the nearest point.

    Parameters
    ----------
    spaces
        Sozialräume (`sozialraum_id`, geometry).
    points
        The points (Welcome Points), any CRS.
    measure
        ``point`` (from the Sozialraum's representative point) or ``edge`` (from its nearest edge; 0 for a
        point inside it).

    Returns
    -------
    pandas.Series
        Metres by `sozialraum_id`; NaN for all when there are no points.
    """
    ids, origins = _origins(spaces, measure)
    if points.empty:
        return pd.Series(float("nan"), index=ids, name="distance_m")
    targets = points.to_crs(METRIC_CRS).geometry.to_numpy()
    found, nearest = shapely.STRtree(targets).query_nearest(origins, return_distance=True, all_matches=False)
    distances = np.full(len(ids), np.nan)
    distances[found[0]] = nearest
    return pd.Series(distances, index=ids, name="distance_m")


@dataclass(frozen=True)
class Spatial:
    """
    What a Steckbrief needs of a dataset's geometry, projected once: anchors, Welcome Points, neighbours.

    Built by `spatial_of` once per dataset object (a click on the map used to reproject all 171 polygons
    at full resolution, about 41,000 vertices, to find the neighbours, and every Welcome Point).
    """

    ids: tuple[str, ...]
    #: A point inside each Sozialraum (`anchor_points`), metres in EPSG:25832, in the order of `ids`.
    anchors: np.ndarray
    #: Sozialraum ID -> IDs of the Sozialräume sharing a border with it (`NEIGHBOUR_TOLERANCE_M`), sorted.
    neighbour_ids: dict[str, tuple[str, ...]]
    #: Welcome Points, metres in EPSG:25832, in the order of the dataset's Welcome Points.
    points: np.ndarray

    def neighbours(self, sozialraum_id: str) -> list[str]:
        """IDs of the Sozialräume that share a border with `sozialraum_id`."""
        return list(self.neighbour_ids.get(sozialraum_id, ()))


def build_spatial(spaces: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> Spatial:
    """The `Spatial` of a set of Sozialräume and Welcome Points (one STRtree query for all neighbours)."""
    ids = tuple(str(i) for i in spaces["sozialraum_id"])
    metric = spaces.to_crs(METRIC_CRS).geometry.to_numpy()
    tree = shapely.STRtree(metric)
    left, right = tree.query(metric, predicate="dwithin", distance=NEIGHBOUR_TOLERANCE_M)
    found: dict[str, set[str]] = {i: set() for i in ids}
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a != b:
            found[ids[a]].add(ids[b])
    anchors = shapely.get_coordinates(shapely.point_on_surface(metric))
    projected = points.to_crs(METRIC_CRS).geometry.to_numpy() if len(points) else np.empty(0, dtype=object)
    xy = shapely.get_coordinates(projected) if len(projected) else np.empty((0, 2))
    return Spatial(
        ids=ids,
        anchors=anchors,
        neighbour_ids={i: tuple(sorted(n)) for i, n in found.items()},
        points=xy,
    )


def spatial_of(dataset: object) -> Spatial:
    """
    The `Spatial` of a dataset (`geo.data.dataset.Dataset`), built on first use and kept with the object.

    Kept as long as the dataset object holds the same tables; a dataset whose `spaces` or `welcome_points`
    were replaced gets a new one.
    """
    spaces, points = dataset.spaces, dataset.welcome_points  # type: ignore[attr-defined]
    held = dataset.__dict__.get("_spatial")
    if held is None or held[0] is not spaces or held[1] is not points:
        held = (spaces, points, build_spatial(spaces, points))
        dataset.__dict__["_spatial"] = held
    return held[2]


def nearest_welcome_points(
    spaces: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    sozialraum_id: str,
    *,
    n: int = 3,
    spatial: Spatial | None = None,
) -> pd.DataFrame:
    """
    The `n` Welcome Points nearest to a Sozialraum's representative point, nearest first.

    Returns
    -------
    pandas.DataFrame
        `welcome_point_id`, `name`, `address`, `distance_m` (whole metres, straight line).
    """
    columns = ["welcome_point_id", "name", "address", "distance_m"]
    if points.empty:
        return pd.DataFrame(columns=columns)
    if spatial is None:
        spatial = build_spatial(spaces, points)
    anchor = spatial.anchors[spatial.ids.index(sozialraum_id)]
    out = pd.DataFrame(
        {
            "welcome_point_id": points["welcome_point_id"].to_numpy(),
            "name": points["name"].to_numpy(),
            "address": points["address"].to_numpy() if "address" in points else "",
            "distance_m": np.round(np.hypot(*(spatial.points - anchor).T)),
        }
    )
    return out.sort_values("distance_m", kind="stable").head(n).reset_index(drop=True)


def within_distance(spaces: gpd.GeoDataFrame, lon: float, lat: float, metres: float) -> set[str]:
    """IDs of the Sozialräume whose area comes within `metres` of the point (lon, lat)."""
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    metric = spaces.to_crs(METRIC_CRS)
    return set(metric.loc[metric.distance(point) <= metres, "sozialraum_id"])


def neighbours(spaces: gpd.GeoDataFrame, sozialraum_id: str) -> list[str]:
    """
    IDs of the Sozialräume that share a border with `sozialraum_id` (within a 2 m tolerance).

    For one question; `Spatial.neighbours` answers for all from one query (a test checks that they agree).
    """
    metric = spaces.to_crs(METRIC_CRS)
    own = metric.loc[metric["sozialraum_id"] == sozialraum_id].geometry.iloc[0]
    close = metric.distance(own) <= NEIGHBOUR_TOLERANCE_M
    return sorted(set(metric.loc[close, "sozialraum_id"]) - {sozialraum_id})


def catchment_areas(points: gpd.GeoDataFrame, spaces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """
    Each Welcome Point's catchment: the part of the city nearer to it than to any other (Voronoi).

    Returns
    -------
    geopandas.GeoDataFrame
        `welcome_point_id` and `geometry` in EPSG:4326, clipped to the Sozialräume' outline.

    Notes
    -----
    Welcome Points within a metre of each other (the registry spells one address two ways, or two
    organisations share a house) share one catchment: the diagram is built on the distinct locations and
    each point gets the cell of its location.
    """
    if points.empty:
        return gpd.GeoDataFrame({"welcome_point_id": []}, geometry=[], crs=STORAGE_CRS)
    metric_points = points.to_crs(METRIC_CRS)
    city = shapely.union_all(spaces.to_crs(METRIC_CRS).geometry.to_numpy())
    located = [(round(p.x), round(p.y)) for p in metric_points.geometry]
    distinct = list(dict.fromkeys(located))
    if len(distinct) == 1:
        by_location = {distinct[0]: city}
    else:
        cells = shapely.voronoi_polygons(shapely.MultiPoint(distinct), extend_to=city, ordered=True)
        by_location = dict(zip(distinct, shapely.get_parts(cells), strict=True))
    clipped = [shapely.intersection(by_location[key], city) for key in located]
    return gpd.GeoDataFrame(
        {"welcome_point_id": points["welcome_point_id"].to_numpy()}, geometry=clipped, crs=METRIC_CRS
    ).to_crs(STORAGE_CRS)


def coverage_table(
    spaces: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    need_score: pd.Series,
    need_class: pd.Series,
    assignments: pd.DataFrame,
    *,
    measure: str = "point",
) -> pd.DataFrame:
    """
    One row per Sozialraum: need, population, which tandems cover it, its nearest Welcome Point.

    Parameters
    ----------
    spaces
        Sozialräume with `name`, `stadtbezirk` and (when known) `bevoelkerung`.
    points
        Welcome Points (hypothetical ones included for a what-if).
    need_score, need_class
        The need index by `sozialraum_id` (class 1 = very high need, 0 = no score).
    assignments
        Active assignments: `sozialraum_id`, `tandem`.
    measure
        Where distances start (`DISTANCE_MEASURES`): ``point`` (a point inside the Sozialraum) or ``edge``
        (its nearest edge, 0 when the Welcome Point is inside).

    Returns
    -------
    pandas.DataFrame
        `sozialraum_id`, `name`, `stadtbezirk`, `population`, `score`, `need_class`, `tandems`, `covered`,
        `welcome_point_id` (the nearest, whose catchment it lies in), `welcome_point`, `distance_m`.

    Notes
    -----
    Distances are straight lines in EPSG:25832 from each Sozialraum's representative point (a point
    inside it; population-weighted points need address-level data the city does not publish) or from its
    nearest edge. With ``edge`` the nearest Welcome Point is the one nearest the edge.
    """
    ids = spaces["sozialraum_id"].to_numpy()
    table = pd.DataFrame(
        {
            "sozialraum_id": ids,
            "name": spaces["name"].to_numpy(),
            "stadtbezirk": spaces["stadtbezirk"].to_numpy(),
        }
    )
    population = spaces["bevoelkerung"] if "bevoelkerung" in spaces else pd.Series(0.0, index=spaces.index)
    table["population"] = population.fillna(0).to_numpy()
    table["score"] = table["sozialraum_id"].map(need_score)
    table["need_class"] = table["sozialraum_id"].map(need_class).fillna(0).astype(int)
    names = assignments.groupby("sozialraum_id")["tandem"].agg(lambda s: ", ".join(sorted(set(s))))
    table["tandems"] = [names.get(i, "") for i in ids]
    table["covered"] = table["tandems"] != ""
    if points.empty:
        table["welcome_point_id"], table["welcome_point"], table["distance_m"] = "", "", float("nan")
        return table
    _ids, origins = _origins(spaces, measure)
    targets = points.to_crs(METRIC_CRS).geometry.to_numpy()
    nearest, distance = shapely.STRtree(targets).query_nearest(
        origins, return_distance=True, all_matches=False
    )
    order = np.argsort(nearest[0])
    table["welcome_point_id"] = points["welcome_point_id"].to_numpy()[nearest[1][order]]
    table["welcome_point"] = points["name"].to_numpy()[nearest[1][order]]
    table["distance_m"] = np.round(distance[order])
    return table


def _figures(frame: pd.DataFrame, *, min_class: int, distance_m: float) -> dict[str, float]:
    high = frame[(frame["need_class"] >= 1) & (frame["need_class"] <= min_class)]
    total = float(frame["population"].sum())
    high_total = float(high["population"].sum())
    covered = float(high.loc[high["covered"], "population"].sum())
    within = float(frame.loc[frame["distance_m"] <= distance_m, "population"].sum())
    return {
        "population": total,
        "high_need_population": high_total,
        "high_need_covered_population": covered,
        "share_high_need_covered": covered / high_total if high_total else float("nan"),
        "population_within": within,
        "share_within": within / total if total else float("nan"),
    }


def city_figures(
    table: pd.DataFrame, *, min_class: int = 2, distance_m: float = 1000
) -> tuple[dict[str, float], pd.DataFrame]:
    """
    Coverage figures for the city and per Stadtbezirk.

    Parameters
    ----------
    table
        From `coverage_table`.
    min_class
        Classes 1 to `min_class` count as high need (2: very high and high).
    distance_m
        The distance to a Welcome Point that counts as "near".

    Returns
    -------
    tuple
        City figures (population, high-need population and how much of it a tandem covers, the
        population within `distance_m` of a Welcome Point, and both shares) and the same per Stadtbezirk.
    """
    city = _figures(table, min_class=min_class, distance_m=distance_m)
    rows = [
        {"stadtbezirk": b, **_figures(g, min_class=min_class, distance_m=distance_m)}
        for b, g in table.groupby("stadtbezirk")
    ]
    return city, pd.DataFrame(rows)


#: The columns a gap list shows.
GAP_COLUMNS = [
    "sozialraum_id",
    "name",
    "stadtbezirk",
    "need_class",
    "score",
    "population",
    "welcome_point_id",
    "welcome_point",
    "distance_m",
]


def gaps(table: pd.DataFrame, *, min_class: int = 2, beyond_m: float | None = None) -> pd.DataFrame:
    """
    High-need Sozialräume no tandem covers, most urgent first (need class, then score, then population).

    With `beyond_m`, only those farther than that from every Welcome Point.
    """
    mask = (table["need_class"] >= 1) & (table["need_class"] <= min_class) & ~table["covered"]
    if beyond_m is not None:
        mask &= table["distance_m"] > beyond_m
    out = table[mask].sort_values(["need_class", "score", "population"], ascending=[True, False, False])
    return out.reset_index(drop=True)


def with_hypothetical(
    points: gpd.GeoDataFrame, places: list[tuple[float, float]] | tuple[tuple[float, float], ...], name: str
) -> gpd.GeoDataFrame:
    """The Welcome Points and, for "what if", hypothetical ones at `places` (lat, lon), each called `name`."""
    if not places:
        return points
    extra = gpd.GeoDataFrame(
        {"welcome_point_id": [f"hypo-{i}" for i in range(len(places))], "name": [name] * len(places)},
        geometry=[shapely.Point(lon, lat) for lat, lon in places],
        crs=STORAGE_CRS,
    )
    joined = pd.concat([points[["welcome_point_id", "name", "geometry"]], extra], ignore_index=True)
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=STORAGE_CRS)


@dataclass(frozen=True)
class CoverageView:
    """What the coverage page shows for one set of settings: the same for every person with those settings."""

    table: pd.DataFrame
    city: dict[str, float]
    per_bezirk: pd.DataFrame
    gaps: pd.DataFrame
    catchments: gpd.GeoDataFrame


def coverage_view(
    spaces: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    score: pd.Series,
    need_class: pd.Series,
    assignments: pd.DataFrame,
    *,
    measure: str = "point",
    min_class: int = 2,
    distance_m: float = 1000.0,
    beyond: bool = False,
) -> CoverageView:
    """
    The coverage table, the city's and each Stadtbezirk's figures, the gaps and the catchment areas at once.

    Everything here depends only on the data, the need index, the active assignments and the settings, so
    the app computes it once for all sessions that share them.
    """
    table = coverage_table(spaces, points, score, need_class, assignments, measure=measure)
    city, per_bezirk = city_figures(table, min_class=min_class, distance_m=distance_m)
    return CoverageView(
        table=table,
        city=city,
        per_bezirk=per_bezirk,
        gaps=gaps(table, min_class=min_class, beyond_m=distance_m if beyond else None),
        catchments=catchment_areas(points, spaces),
    )


def reach_sets(spaces: gpd.GeoDataFrame, reach_m: float) -> dict[str, set[str]]:
    """For each Sozialraum, the Sozialräume whose representative points lie within `reach_m` of its own."""
    anchors = anchor_points(spaces)
    tree = shapely.STRtree(anchors.to_numpy())
    left, right = tree.query(anchors.to_numpy(), predicate="dwithin", distance=reach_m)
    ids = anchors.index.to_numpy()
    out: dict[str, set[str]] = {i: {i} for i in ids}
    for a, b in zip(left, right, strict=True):
        out[ids[a]].add(ids[b])
    return out


def _rank_key(place: str, gain: float, weights: dict[str, float]) -> tuple[float, float, str]:
    """Order of candidates: most weight reached; on a tie the one that is itself most in need; then by ID."""
    return (-gain, -weights.get(place, 0.0), place)


def greedy_cover(
    weights: dict[str, float], reach: dict[str, set[str]], k: int, candidates: list[str] | None = None
) -> tuple[list[str], float]:
    """
    Choose `k` places whose reach covers the most weight (maximal covering), greedily.

    Notes
    -----
    Each step takes the candidate that adds the most not yet covered weight (on a tie, the one whose own
    weight is larger, then the lower ID). Covered weight is a
    monotone submodular function of the chosen set, so the greedy choice reaches at least
    1 - 1/e (about 63 %) of the best possible total (Nemhauser, Wolsey and Fisher 1978); on real
    instances it is usually optimal or close.
    """
    pool = list(candidates if candidates is not None else reach)
    covered: set[str] = set()
    chosen: list[str] = []
    for _ in range(min(k, len(pool))):
        gains = {c: sum(weights.get(i, 0.0) for i in reach[c] - covered) for c in pool if c not in chosen}
        best = min(gains, key=lambda c: _rank_key(c, gains[c], weights)) if gains else None
        if best is None or gains[best] <= 0:
            break
        chosen.append(best)
        covered |= reach[best]
    return chosen, sum(weights.get(i, 0.0) for i in covered)


@dataclass(frozen=True)
class Suggestion:
    """A proposed Sozialraum for a tandem, and why."""

    sozialraum_id: str
    name: str
    reached: tuple[str, ...]
    high_need_population: float
    distance_m: float
    welcome_point: str
    home_distance_m: float | None
    #: Estimated high-need residents reached who may speak one of the tandem's languages (when asked).
    speakers: float | None = None
    #: Set when the choice was approximate (a city far denser than any real one): the pooling cell in metres.
    pooled_m: float | None = None
    #: How the places were chosen: "exact" (integer program), "greedy" (step by step, at least 63 % of the
    #: best possible) or "each" (alternatives, each judged on its own).
    method: str = "greedy"


class ReachIndex:
    """
    Which Sozialräume a tandem working in each one reaches (representative points within `reach_m`).

    Answered by STRtree distance queries in chunks and summed with numpy, never as a set per Sozialraum: at
    100,000 Sozialräume the pairs within a kilometre run into the hundred millions, and Python sets of
    them took minutes and gigabytes. Memory stays bounded by the chunk size.
    """

    #: Candidates per query: about 5 million pairs at a time on a dense synthetic grid.
    CHUNK = 8192
    #: Above this many weighted Sozialräume the choice pools them into square cells (see `greedy`).
    POOL_ABOVE = 20_000
    #: Side of a pooling cell as a fraction of the reach (125 m at a reach of 1 km).
    POOL_CELL = 1 / 8

    def __init__(self, anchors: gpd.GeoSeries, reach_m: float) -> None:
        self.ids = anchors.index.to_numpy()
        self.points = anchors.to_numpy()
        self.reach_m = float(reach_m)
        self.position = {sid: i for i, sid in enumerate(self.ids)}
        self._tree = shapely.STRtree(self.points)

    def within(self, i: int, distance: float | None = None) -> np.ndarray:
        """Positions of the anchors within `distance` (default the reach) of anchor `i`, itself included."""
        found = self._tree.query(self.points[i], predicate="dwithin", distance=distance or self.reach_m)
        return np.sort(found)

    def greedy(
        self,
        weights: np.ndarray,
        candidates: np.ndarray,
        k: int,
        *,
        alternatives: bool = False,
    ) -> list[int]:
        """
        Positions of up to `k` candidates, chosen as `greedy_cover` chooses (same order, same ties).

        With `alternatives`, the `k` best candidates each judged on its own. Only weighted anchors are put
        in the tree; after each choice only the candidates within twice the reach of it are summed again.

        Above `POOL_ABOVE` weighted anchors (far more than any real city has: Düsseldorf has 171
        Sozialräume), packed so densely that a reach holds more of them than pooling cells (`_dense`), the
        exact sums grow with the square of the density, so the choice is approximate: see `_greedy_pooled`;
        `pooled_m` then says the cell size.
        """
        held = np.flatnonzero(weights > 0)
        self.pooled_m: float | None = None
        if len(candidates) == 0 or len(held) == 0:
            return []
        if len(held) > self.POOL_ABOVE and self._dense(held):
            return self._greedy_pooled(weights, candidates, k, alternatives=alternatives)
        tree = shapely.STRtree(self.points[held])
        left_weight = weights[held].astype(float)

        def gains_of(chosen_candidates: np.ndarray) -> np.ndarray:
            out = np.zeros(len(chosen_candidates))
            for start in range(0, len(chosen_candidates), self.CHUNK):
                part = chosen_candidates[start : start + self.CHUNK]
                left, right = tree.query(self.points[part], predicate="dwithin", distance=self.reach_m)
                out[start : start + len(part)] = np.bincount(
                    left, weights=left_weight[right], minlength=len(part)
                )
            return out

        gains = gains_of(candidates)
        own = weights[candidates]
        names = self.ids[candidates]
        if alternatives:
            order = np.lexsort((names, -own, -np.round(gains, 6)))
            return [int(candidates[j]) for j in order[:k] if gains[j] > 0]
        candidate_tree = shapely.STRtree(self.points[candidates])
        taken = np.zeros(len(candidates), dtype=bool)
        chosen: list[int] = []
        for _ in range(min(k, len(candidates))):
            score = np.where(taken, -np.inf, np.round(gains, 6))
            best = int(np.lexsort((names, -own, -score))[0])
            if not score[best] > 0:
                break
            chosen.append(int(candidates[best]))
            taken[best] = True
            covered = tree.query(self.points[candidates[best]], predicate="dwithin", distance=self.reach_m)
            left_weight[covered] = 0.0
            changed = candidate_tree.query(
                self.points[candidates[best]], predicate="dwithin", distance=2 * self.reach_m
            )
            gains[changed] = gains_of(candidates[changed])
        return chosen

    #: Above this many variables (candidates and weighted Sozialräume) the exact solver is not tried: a real
    #: city has a few hundred Sozialräume, and HiGHS answers those in well under a second.
    EXACT_VARIABLES = 5_000
    #: Seconds the exact solver may take before the greedy choice is used instead.
    EXACT_SECONDS = 10.0

    def exact(self, weights: np.ndarray, candidates: np.ndarray, k: int) -> list[int] | None:
        """
        Positions of up to `k` candidates that together reach the most weight: maximal covering, solved exactly.

        An integer program (Church and ReVelle's maximal covering location problem) solved by HiGHS through
        `scipy.optimize.milp`: choose candidates x_j (at most `k`), count a weighted Sozialraum as covered
        (y_i) only when a chosen candidate reaches it, maximise the covered weight. Returns None when the
        problem is too large (`EXACT_VARIABLES`) or the solver does not prove an optimum within
        `EXACT_SECONDS`; the caller then uses the greedy choice and says so. The chosen places are returned
        in the order of what each adds (the most first).
        """
        from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: PLC0415 (only when suggesting)
        from scipy.sparse import coo_array, hstack, vstack  # noqa: PLC0415

        held = np.flatnonzero(weights > 0)
        if len(candidates) == 0 or len(held) == 0 or k <= 0:
            return []
        if len(candidates) + len(held) > self.EXACT_VARIABLES:
            return None
        tree = shapely.STRtree(self.points[held])
        cand, demand = tree.query(self.points[candidates], predicate="dwithin", distance=self.reach_m)
        n_c, n_d = len(candidates), len(held)
        # y_i - sum_{j reaching i} x_j <= 0, one row per weighted Sozialraum; sum_j x_j <= k
        reach = coo_array((-np.ones(len(cand)), (demand, cand)), shape=(n_d, n_c))
        rows = hstack([reach, coo_array((np.ones(n_d), (np.arange(n_d), np.arange(n_d))), shape=(n_d, n_d))])
        count = hstack([coo_array(np.ones((1, n_c))), coo_array((1, n_d))])
        matrix = vstack([rows, count]).tocsr()
        upper = np.concatenate([np.zeros(n_d), [min(k, n_c)]])
        # maximise covered weight; a tiny preference for needier candidates and lower IDs breaks ties the
        # way the greedy choice does, without ever trading covered weight for it
        scale = float(weights[held].sum()) or 1.0
        order = np.argsort(np.argsort(self.ids[candidates]))
        tie = 1e-7 * scale * (weights[candidates] / (weights.max() or 1.0) + (n_c - order) / (n_c * 10)) / n_c
        cost = np.concatenate([-tie, -weights[held].astype(float)])
        result = milp(
            cost,
            constraints=LinearConstraint(matrix, -np.inf, upper),
            integrality=np.ones(n_c + n_d),
            bounds=Bounds(0, 1),
            options={"time_limit": self.EXACT_SECONDS, "disp": False, "mip_rel_gap": 0.0},
        )
        if result.status != 0 or result.x is None:
            return None
        chosen = [int(candidates[j]) for j in np.flatnonzero(result.x[:n_c] > 0.5)]
        # in the order of what each adds, as a reader expects the first suggestion to be the best one
        left = weights.astype(float).copy()
        ordered: list[int] = []
        while chosen:  # the most added first; on a tie the neediest place, then the lower ID (as greedy)
            keys = [
                (-round(float(left[self.within(c)].sum()), 6), -weights[c], str(self.ids[c])) for c in chosen
            ]
            best = chosen.pop(min(range(len(chosen)), key=keys.__getitem__))
            if left[self.within(best)].sum() <= 0:  # a place that adds nobody is no suggestion
                break
            ordered.append(best)
            left[self.within(best)] = 0.0
        return ordered

    def _dense(self, held: np.ndarray) -> bool:
        """
        True when a reach holds on average more weighted anchors than pooling cells (about 200).

        Only then does pooling save work: in a city whose area grows with its Sozialräume, the exact sums
        grow linearly and stay exact.
        """
        x0, y0, x1, y1 = shapely.total_bounds(self.points[held])
        area = max((x1 - x0) * (y1 - y0), 1.0)
        per_reach = len(held) * np.pi * self.reach_m**2 / area
        return bool(per_reach > np.pi / self.POOL_CELL**2)

    def _exact_gain(self, position: int, weights: np.ndarray, covered: np.ndarray) -> float:
        reach = self.within(position)
        return float(weights[reach][~covered[reach]].sum())

    def _pools(
        self, weights: np.ndarray, candidates: np.ndarray, cell: float
    ) -> tuple[np.ndarray, np.ndarray, shapely.STRtree, np.ndarray, np.ndarray, np.ndarray]:
        """
        Weighted anchors pooled into square cells of side `cell`, and the candidates' cells.

        Returns each anchor's pool (-1 without weight), the pools' weights and index (pools sit at their
        weighted centre), the candidate cells, each candidate's cell and the cells' centres.
        """
        x, y = shapely.get_x(self.points), shapely.get_y(self.points)
        _keys, key = np.unique(
            np.stack([np.floor(x / cell), np.floor(y / cell)], axis=1).astype(np.int64),
            axis=0,
            return_inverse=True,
        )
        key = key.ravel()
        held = np.flatnonzero(weights > 0)
        pool_of = np.full(len(self.points), -1)
        _pools, pool_of[held] = np.unique(key[held], return_inverse=True)
        pool_weight = np.bincount(pool_of[held], weights=weights[held])
        pool_points = shapely.points(
            np.bincount(pool_of[held], weights=weights[held] * x[held]) / pool_weight,
            np.bincount(pool_of[held], weights=weights[held] * y[held]) / pool_weight,
        )
        pool_tree = shapely.STRtree(pool_points)
        cells, cell_of = np.unique(key[candidates], return_inverse=True)
        cell_of = cell_of.ravel()
        size = np.bincount(cell_of)
        cell_points = shapely.points(
            np.bincount(cell_of, weights=x[candidates]) / size,
            np.bincount(cell_of, weights=y[candidates]) / size,
        )
        return pool_of, pool_weight, pool_tree, cells, cell_of, cell_points

    def _greedy_pooled(
        self, weights: np.ndarray, candidates: np.ndarray, k: int, *, alternatives: bool
    ) -> list[int]:
        """
        The greedy choice on pooled cells, refined to single Sozialräume (approximate).

        Weighted anchors are pooled into square cells (side `POOL_CELL` x the reach) at their weighted
        centre, candidates into the same cells at their centre. Each step takes the candidate cell whose
        centre reaches the most uncovered pooled weight, then the candidate in that cell whose exact reach
        adds the most; what it covers is taken off the pools exactly. The work per step no longer grows with
        the density (about 200 cells within a reach). A Sozialraum counts as reached when its cell's centre
        is, so the choice can differ from the exact one near the edge of the reach (by at most the cell's
        diagonal, 177 m at a reach of 1 km); the figures reported for the chosen places are exact.
        """
        cell = self.reach_m * self.POOL_CELL
        self.pooled_m = cell
        pool_of, pool_weight, pool_tree, cells, cell_of, cell_points = self._pools(weights, candidates, cell)
        left = pool_weight.copy()

        def gains_of(which: np.ndarray) -> np.ndarray:
            out = np.zeros(len(which))
            for start in range(0, len(which), self.CHUNK):
                part = which[start : start + self.CHUNK]
                a, b = pool_tree.query(cell_points[part], predicate="dwithin", distance=self.reach_m)
                out[start : start + len(part)] = np.bincount(a, weights=left[b], minlength=len(part))
            return out

        gains = gains_of(np.arange(len(cells)))
        covered = np.zeros(len(self.points), dtype=bool)
        members = {c: candidates[cell_of == c] for c in np.argsort(-gains)[: max(3 * k, k + 8)]}

        def best_member(c: int) -> tuple[int, float] | None:
            group = members[c] if c in members else candidates[cell_of == c]
            group = group[~np.isin(group, chosen)]
            if len(group) == 0:
                return None
            exact = np.array([self._exact_gain(int(m), weights, covered) for m in group])
            order = np.lexsort((self.ids[group], -weights[group], -np.round(exact, 6)))
            return int(group[order[0]]), float(exact[order[0]])

        chosen: list[int] = []
        if alternatives:  # the best candidates each on its own: the best cells, their members judged exactly
            found = [m for c in np.argsort(-gains, kind="stable")[: 3 * k] if (m := best_member(int(c)))]
            found.sort(key=lambda pair: (-round(pair[1], 6), -weights[pair[0]], self.ids[pair[0]]))
            return [m for m, gain in found[:k] if gain > 0]
        cell_tree = shapely.STRtree(cell_points)
        spent = np.zeros(len(cells), dtype=bool)
        while len(chosen) < min(k, len(candidates)):
            score = np.where(spent, -np.inf, np.round(gains, 6))
            best = int(np.argmax(score))
            if not score[best] > 0:
                break
            pick = best_member(best)
            if pick is None or pick[1] <= 0:
                spent[best] = True
                continue
            chosen.append(pick[0])
            reach = self.within(pick[0])
            newly = reach[~covered[reach] & (pool_of[reach] >= 0)]
            covered[reach] = True
            left -= np.bincount(pool_of[newly], weights=weights[newly], minlength=len(left))
            near = cell_tree.query(
                self.points[pick[0]], predicate="dwithin", distance=2 * self.reach_m + 2 * cell
            )
            gains[near] = gains_of(near)
        return chosen


def suggest(
    table: pd.DataFrame,
    spaces: gpd.GeoDataFrame,
    *,
    k: int = 1,
    min_class: int = 2,
    reach_m: float = 1000,
    home_id: str | None = None,
    max_home_m: float | None = None,
    speakers: pd.Series | None = None,
    alternatives: bool = False,
    exact: bool = True,
) -> list[Suggestion]:
    """
    Sozialräume where `k` free tandems would reach the most high-need population no tandem covers yet.

    A tandem working in a Sozialraum reaches it and the Sozialräume within `reach_m` (representative
    points). Candidates are the Sozialräume no tandem covers yet. With `home_id`, candidates are limited
    to `max_home_m` from that home Sozialraum (a tandem usually works near where its members live). The
    `k` places are the best possible ones (`ReachIndex.exact`, an integer program); when that problem is
    too large or not solved in time, or with `exact=False`, they are `greedy_cover`'s, computed by
    `ReachIndex.greedy` so that it scales to large cities (at least 63 % of the best possible).
    `Suggestion.method` says which.

    With `speakers` (estimated residents per Sozialraum who may speak the tandem's languages, see
    `geo.data.languages.speakers`), a high-need Sozialraum counts with those residents instead of its whole
    population, so the choice favours where the tandem's languages help most.

    With `alternatives` (one tandem choosing where to work), the result is the `k` best places each judged
    on its own, best first, instead of `k` places that complement each other.
    """
    anchors = anchor_points(spaces)
    index = ReachIndex(anchors, reach_m)
    rows = table.set_index("sozialraum_id").reindex(index.ids)
    high = (
        (rows["need_class"] >= 1)
        & (rows["need_class"] <= min_class)
        & ~rows["covered"].fillna(False).astype(bool)
    )
    population = np.where(high, rows["population"].fillna(0.0).to_numpy(dtype=float), 0.0)
    weights = population
    if speakers is not None:  # unknown estimates (NaN) count as nobody
        weights = np.where(high, speakers.reindex(index.ids).fillna(0.0).to_numpy(dtype=float), 0.0)
    free = ~rows["covered"].fillna(False).astype(bool).to_numpy()
    home_distance: np.ndarray | None = None
    if home_id is not None and home_id in index.position:
        home_distance = shapely.distance(index.points, index.points[index.position[home_id]])
        if max_home_m is not None:
            free &= home_distance <= max_home_m
    chosen: list[int] | None = None
    method = "each" if alternatives else "greedy"
    if not alternatives and exact:
        chosen = index.exact(weights, np.flatnonzero(free), k)
        method = "exact" if chosen is not None else method
    if chosen is None:
        chosen = index.greedy(weights, np.flatnonzero(free), k, alternatives=alternatives)
    out: list[Suggestion] = []
    covered = np.zeros(len(index.ids), dtype=bool)
    for c in chosen:
        reach = index.within(c)
        reached = reach[(population[reach] > 0) & ~covered[reach]]
        if not alternatives:
            covered[reach] = True
        row = rows.iloc[c]
        out.append(
            Suggestion(
                sozialraum_id=str(index.ids[c]),
                name=str(row["name"]),
                reached=tuple(sorted(str(i) for i in index.ids[reached])),
                high_need_population=float(population[reached].sum()),
                distance_m=float(row["distance_m"]),
                welcome_point=str(row["welcome_point"]),
                home_distance_m=round(float(home_distance[c])) if home_distance is not None else None,
                speakers=float(weights[reached].sum()) if speakers is not None else None,
                pooled_m=index.pooled_m if method != "exact" else None,
                method=method,
            )
        )
    return out
