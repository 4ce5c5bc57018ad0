"""Distances between Sozialräume, Welcome Points and places; always measured in EPSG:25832."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.settings import METRIC_CRS, STORAGE_CRS

#: Polygons closer than this (metres) count as neighbours: official borders have slivers and gaps.
NEIGHBOUR_TOLERANCE_M = 2.0


def anchor_points(spaces: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point inside each Sozialraum (shapely's representative point), in EPSG:25832."""
    metric = spaces.to_crs(METRIC_CRS)
    return gpd.GeoSeries(
        metric.representative_point().to_numpy(), index=spaces["sozialraum_id"].to_numpy(), crs=METRIC_CRS
    )


def distance_to_nearest(spaces: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> pd.Series:
    """
    Straight-line distance in metres from each Sozialraum's representative point to the nearest point.

    Returns
    -------
    pandas.Series
        Metres by `sozialraum_id`; NaN for all when there are no points.
    """
    anchors = anchor_points(spaces)
    if points.empty:
        return pd.Series(float("nan"), index=anchors.index, name="distance_m")
    targets = points.to_crs(METRIC_CRS).geometry.to_numpy()
    tree = shapely.STRtree(targets)
    _, nearest = tree.query_nearest(anchors.to_numpy(), return_distance=True, all_matches=False)
    return pd.Series(nearest, index=anchors.index, name="distance_m")


def nearest_welcome_points(
    spaces: gpd.GeoDataFrame, points: gpd.GeoDataFrame, sozialraum_id: str, *, n: int = 3
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
    anchor = anchor_points(spaces[spaces["sozialraum_id"] == sozialraum_id]).iloc[0]
    metric = points.to_crs(METRIC_CRS)
    out = pd.DataFrame(
        {
            "welcome_point_id": points["welcome_point_id"].to_numpy(),
            "name": points["name"].to_numpy(),
            "address": points["address"].to_numpy() if "address" in points else "",
            "distance_m": metric.distance(anchor).round().to_numpy(),
        }
    )
    return out.sort_values("distance_m", kind="stable").head(n).reset_index(drop=True)


def within_distance(spaces: gpd.GeoDataFrame, lon: float, lat: float, metres: float) -> set[str]:
    """IDs of the Sozialräume whose area comes within `metres` of the point (lon, lat)."""
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    metric = spaces.to_crs(METRIC_CRS)
    return set(metric.loc[metric.distance(point) <= metres, "sozialraum_id"])


def neighbours(spaces: gpd.GeoDataFrame, sozialraum_id: str) -> list[str]:
    """IDs of the Sozialräume that share a border with `sozialraum_id` (within a 2 m tolerance)."""
    metric = spaces.to_crs(METRIC_CRS)
    own = metric.loc[metric["sozialraum_id"] == sozialraum_id].geometry.iloc[0]
    close = metric.distance(own) <= NEIGHBOUR_TOLERANCE_M
    return sorted(set(metric.loc[close, "sozialraum_id"]) - {sozialraum_id})
